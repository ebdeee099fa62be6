/*
 * app_log_tile, what `passage serve` answers at /checkpoint and /tile/...:
 * the bytes of each resource (the same as `passage log tiles` writes,
 * byte for byte), its content type and caching, and 404 for what is no
 * tile of the tree. The tree: init's corridor entry (entry 0) and 2
 * checkpoints, 298 flows and the entry that records their import
 * (import-301), 302 entries = one full level-0 tile (256) and one of width
 * 46; level 1 has one hash (302 >> 8 = 1), a tile of width 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app.h"
#include "ledger/ledger.h"

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Tile corridor\n"
                                   "log = passage.example/tile-test\n"
                                   "[checkpoint north-gate]\n"
                                   "name = North Gate\n"
                                   "[checkpoint south-bridge]\n"
                                   "name = South Bridge\n";

struct fixture {
  char dir[64];
  char *db;
  struct app *app;
};

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct app_init_result init = {0};
  struct app_import_result res;
  struct app_import_query q = {0};
  struct app_error err = {0};
  struct app_key key = {0};
  struct buf csv;
  char *ini;
  FILE *f;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-apptile-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  fx->db = xasprintf("%s/p.db", fx->dir);
  ini = xasprintf("%s/c.ini", fx->dir);
  f = fopen(ini, "w");
  fputs(corridor_ini, f);
  fclose(f);
  fx->app = app_new(fx->db);
  assert_int_equal(app_init(fx->app, ini, &init, &err), OK);
  buf_init(&csv);
  buf_puts(&csv, "id,start,checkpoint,direction,vehicles\n");
  for (int i = 0; i < 298; i++)
    buf_printf(&csv, "f%d,2023-01-01,north-gate,in,%d\n", i, i + 1);
  q.kind = "flow";
  q.data = csv.data;
  q.len = csv.len;
  assert_int_equal(app_import(fx->app, &q, NULL, &res, &err), OK);
  assert_true(res.size == 302);
  assert_int_equal(app_key_generate(fx->app, NULL, NULL, &key, &err), OK);
  app_key_cleanup(&key);
  app_init_result_cleanup(&init);
  app_error_cleanup(&err);
  buf_cleanup(&csv);
  free(ini);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char *cmd = xasprintf("rm -rf %s", fx->dir);

  app_free(fx->app);
  assert_int_equal(system(cmd), 0);
  free(cmd);
  free(fx->db);
  free(fx);
  return 0;
}

static void
read_all(const char *path, struct buf *out)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;

  assert_non_null(f);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_append(out, chunk, n);
  fclose(f);
}

/* The resource at path is the file of the mirror, with that type. */
static void
same_as_file(struct fixture *fx, const char *mirror, const char *path,
             const char *type, const char *cache, size_t len)
{
  struct app_tile t;
  struct app_error err = {0};
  char *file = xasprintf("%s/%s", mirror, path);
  struct buf want;

  buf_init(&want);
  assert_int_equal(app_log_tile(fx->app, path, &t, &err), OK);
  read_all(file, &want);
  assert_int_equal(t.len, want.len);
  if (len)
    assert_int_equal(t.len, len);
  assert_memory_equal(t.data, want.data, want.len);
  assert_string_equal(t.content_type, type);
  assert_string_equal(t.cache_control, cache);
  app_tile_cleanup(&t);
  app_error_cleanup(&err);
  buf_cleanup(&want);
  free(file);
}

static void
test_tiles(void **state)
{
  struct fixture *fx = *state;
  static const char bin[] = "application/octet-stream";
  static const char year[] = "public, max-age=31536000, immutable";
  /* A partial tile may be dropped once its full tile exists: a minute. */
  static const char minute[] = "public, max-age=60";
  struct app_tiles_query q = {NULL, NULL};
  struct app_tiles_result res;
  struct app_error err = {0};
  struct app_tile t;
  char *mirror = xasprintf("%s/mirror", fx->dir);

  /* Nothing is kept before the first signing: /checkpoint is a 404. */
  assert_int_equal(app_log_tile(fx->app, "/checkpoint", &t, &err),
                   ERR_NOTFOUND);
  assert_string_equal(err.field, "path");
  q.out = mirror;
  assert_int_equal(app_log_tiles(fx->app, &q, &res, &err), OK);
  assert_true(res.size == 302 && res.old_size == 0 && res.signed_now);
  /* 0/000, 0/001.p/46, entries/000, entries/001.p/46, 1/000.p/1 */
  assert_int_equal(res.written, 5);
  same_as_file(fx, mirror, "tile/0/000", bin, year, 256 * 32);
  same_as_file(fx, mirror, "/tile/0/001.p/46", bin, minute, 46 * 32);
  same_as_file(fx, mirror, "tile/1/000.p/1", bin, minute, 32);
  same_as_file(fx, mirror, "tile/entries/000", bin, year, 0);
  same_as_file(fx, mirror, "tile/entries/001.p/46", bin, minute, 0);
  same_as_file(fx, mirror, "checkpoint", "text/plain; charset=utf-8",
               "public, max-age=5", 0);
  /* Partial tiles of older sizes are answered too (they never change). */
  assert_int_equal(app_log_tile(fx->app, "tile/0/001.p/5", &t, &err), OK);
  assert_int_equal(t.len, 5 * 32);
  app_tile_cleanup(&t);
  /* No tile: beyond the tree, not the canonical spelling, not a tile. */
  static const char *const none[] = {
      "tile/0/001.p/47",      "tile/0/001",     "tile/1/000", "tile/0/x000/000",
      "tile/entries/002.p/1", "tile/2/000.p/1", "tile",       "index.html",
  };
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
    assert_int_equal(app_log_tile(fx->app, none[i], &t, &err), ERR_NOTFOUND);
    assert_null(t.data);
  }
  app_error_cleanup(&err);
  free(mirror);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_tiles, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
