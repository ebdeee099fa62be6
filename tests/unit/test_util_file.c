/*
 * Files written atomically (util_file_*): the path holds the old file or
 * the whole new one, never a part, and no temporary file is left behind
 * whatever happens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <cmocka.h>

#include "util/util.h"

struct fx {
  char dir[64];
  char path[128];
};

static int
setup(void **state)
{
  struct fx *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/test_util_file.XXXXXX");
  if (mkdtemp(fx->dir) == NULL)
    return -1;
  snprintf(fx->path, sizeof fx->path, "%s/out.txt", fx->dir);
  *state = fx;
  return 0;
}

/* The number of files in the folder: what a test leaves behind. */
static int
files_in(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

static int
teardown(void **state)
{
  struct fx *fx = *state;
  char cmd[128];

  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
  if (system(cmd) != 0)
    return -1;
  free(fx);
  return 0;
}

static char *
slurp(const char *path)
{
  FILE *f = fopen(path, "r");
  static char text[256];
  size_t n;

  if (f == NULL)
    return NULL;
  n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

static void
commit_puts_the_file_in_place(void **state)
{
  struct fx *fx = *state;
  struct util_file o;
  struct stat sb;

  assert_int_equal(util_file_open(&o, fx->path, 0, NULL), OK);
  fputs("first", o.f);
  /* Until the commit nothing is at the path, only the temporary file. */
  assert_int_not_equal(access(fx->path, F_OK), 0);
  assert_int_equal(files_in(fx->dir), 1);
  assert_int_equal(util_file_commit(&o, NULL), OK);
  assert_string_equal(slurp(fx->path), "first");
  assert_int_equal(files_in(fx->dir), 1);
  assert_int_equal(stat(fx->path, &sb), 0);
  assert_int_equal(sb.st_mode & 0600, 0600);

  /* A second file replaces the first whole. */
  assert_int_equal(util_file_open(&o, fx->path, 0, NULL), OK);
  fputs("second", o.f);
  assert_string_equal(slurp(fx->path), "first");
  assert_int_equal(util_file_commit(&o, NULL), OK);
  assert_string_equal(slurp(fx->path), "second");
  assert_int_equal(files_in(fx->dir), 1);
}

static void
discard_leaves_the_old_file(void **state)
{
  struct fx *fx = *state;
  struct util_file o;

  assert_int_equal(util_file_write(fx->path, "old", 3, 0, NULL), OK);
  assert_int_equal(util_file_open(&o, fx->path, 0, NULL), OK);
  fputs("half of a new one", o.f);
  util_file_discard(&o);
  assert_null(o.f);
  util_file_discard(&o); /* an ended one does nothing */
  util_file_discard(NULL);
  assert_string_equal(slurp(fx->path), "old");
  assert_int_equal(files_in(fx->dir), 1);
}

static void
noreplace_and_private(void **state)
{
  struct fx *fx = *state;
  struct util_file o;
  struct stat sb;
  struct buf err;

  buf_init(&err);
  assert_int_equal(util_file_write(fx->path, "secret\n", 7,
                                   UTIL_FILE_PRIVATE | UTIL_FILE_NOREPLACE,
                                   &err),
                   OK);
  assert_int_equal(stat(fx->path, &sb), 0);
  assert_int_equal(sb.st_mode & 07777, 0600);
  /* Never replaced, by either form; the file stays as it was. */
  assert_int_equal(
      util_file_write(fx->path, "other", 5, UTIL_FILE_NOREPLACE, &err),
      ERR_EXISTS);
  assert_non_null(strstr(err.data, "already exists"));
  assert_int_equal(util_file_open(&o, fx->path, UTIL_FILE_NOREPLACE, &err),
                   ERR_EXISTS);
  assert_null(o.f);
  assert_string_equal(slurp(fx->path), "secret\n");
  assert_int_equal(files_in(fx->dir), 1);

  /* A name taken between open and commit: the commit refuses too, and
   * removes its temporary file. */
  unlink(fx->path);
  assert_int_equal(util_file_open(&o, fx->path, UTIL_FILE_NOREPLACE, &err), OK);
  fputs("late", o.f);
  assert_int_equal(util_file_write(fx->path, "first", 5, 0, NULL), OK);
  assert_int_equal(util_file_commit(&o, &err), ERR_EXISTS);
  assert_string_equal(slurp(fx->path), "first");
  assert_int_equal(files_in(fx->dir), 1);
  buf_cleanup(&err);
}

static void
failures_name_the_path(void **state)
{
  struct fx *fx = *state;
  char missing[192];
  struct util_file o;
  struct buf err;

  buf_init(&err);
  snprintf(missing, sizeof missing, "%s/no/such/folder/f.txt", fx->dir);
  assert_int_equal(util_file_open(&o, missing, 0, &err), ERR_IO);
  assert_null(o.f);
  assert_non_null(strstr(err.data, "cannot write"));
  assert_non_null(strstr(err.data, missing));
  assert_int_equal(util_file_write(missing, "x", 1, 0, &err), ERR_IO);
  assert_non_null(strstr(err.data, "No such file or directory"));
  /* A folder in the way of the rename. */
  snprintf(missing, sizeof missing, "%s/sub", fx->dir);
  assert_int_equal(mkdir(missing, 0700), 0);
  assert_int_equal(util_file_write(missing, "x", 1, 0, &err), ERR_IO);
  assert_int_equal(files_in(fx->dir), 1); /* only sub */
  buf_cleanup(&err);
}

static void
free_space_and_sizes(void **state)
{
  struct fx *fx = *state;
  uint64_t n = 0;
  char text[32];

  assert_int_equal(util_free_space(fx->path, &n), OK); /* not there yet */
  assert_true(n > 0);
  util_format_bytes(512, text, sizeof text);
  assert_string_equal(text, "512 bytes");
  /* 3.5 MiB = 3,670,016 bytes. */
  util_format_bytes(3670016, text, sizeof text);
  assert_string_equal(text, "3.5 MiB");
  util_format_bytes(1024, text, sizeof text);
  assert_string_equal(text, "1.0 KiB");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(commit_puts_the_file_in_place, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(discard_leaves_the_old_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(noreplace_and_private, setup, teardown),
      cmocka_unit_test_setup_teardown(failures_name_the_path, setup, teardown),
      cmocka_unit_test_setup_teardown(free_space_and_sizes, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
