/*
 * Unit tests of an import's limits (issue 9, item 4), through the library:
 * a NUL byte names its line and field; a line over the cap (--max-line)
 * stops the reading with an error and nothing is stored; a cell over 64
 * KiB is an invalid row; times more than a day after the clock are refused
 * unless allowed (in the corridor's time zone); standard input and pipes
 * are read as streams, an endless one stopping at the cap, and give the
 * ids the same bytes in a file give.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "store/store.h"

static const char utc[] = "[corridor]\n"
                          "name = Test corridor\n"
                          "timezone = UTC\n";
static const char baku[] = "[corridor]\n"
                           "name = Baku corridor\n"
                           "timezone = Asia/Baku\n";

static const char checkpoints[] = "id,name\n"
                                  "north-gate,North Gate\n";

struct fixture {
  char dir[64];
  struct store *st, *baku;
};

static struct store *
new_store(struct fixture *fx, const char *name, const char *corridor)
{
  char path[128];
  struct store *st;
  struct buf err;
  struct ingest_opts o;
  struct ingest_stats stats;

  snprintf(path, sizeof path, "%s/%s.db", fx->dir, name);
  buf_init(&err);
  assert_int_equal(store_open(path, 1, &st, &err), OK);
  assert_int_equal(store_init(st, "corridor.ini", corridor), OK);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  assert_int_equal(ingest_buffer(st, &o, NULL, "checkpoints.csv", checkpoints,
                                 strlen(checkpoints), &stats),
                   OK);
  buf_cleanup(&err);
  return st;
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-limits-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  fx->st = new_store(fx, "utc", utc);
  fx->baku = new_store(fx, "baku", baku);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  store_close(fx->st);
  store_close(fx->baku);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static const char *
str(const char *s)
{
  return s ? s : "-";
}

/* Each error as one line: "LINE field=F expected=E got=G | MESSAGE". */
static void
on_error(void *ctx, const struct ingest_error *e)
{
  buf_printf(ctx, "%lu field=%s expected=%s got=%s | %s\n", e->line,
             str(e->field), str(e->expected), str(e->got), e->message);
}

static struct ingest_sink
sink_of(struct buf *log)
{
  struct ingest_sink k = {on_error, NULL, NULL, log};

  return k;
}

/* Imports n bytes of CSV (or JSON Lines) into st; returns the code and
 * leaves the errors in log. */
static int
import(struct store *st, struct ingest_opts *o, const char *text, size_t n,
       struct buf *log, struct ingest_stats *stats)
{
  struct ingest_sink k = sink_of(log);

  buf_reset(log);
  return ingest_buffer(st, o, &k, "in.csv", text, n, stats);
}

static const char *
text(const struct buf *b)
{
  return b->data ? b->data : "";
}

/* "1\0999" is not 1 t and "korni\0dzor" no checkpoint "korni". */
static void
test_nul_byte(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] = "start,checkpoint,direction,category,quantity,"
                            "Remark\n"
                            "2023-01-01,north-gate,in,food,1\0999,\n"
                            "2023-01-02,korni\0dzor,in,food,3,\n"
                            "2023-01-03,north-gate,in,food,3,a\0b\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;
  uint64_t before = store_size(fx->st);

  (void)state;
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.create_missing = 1;
  buf_init(&log);
  assert_int_equal(import(fx->st, &o, csv, sizeof csv - 1, &log, &stats),
                   ERR_INVALID);
  assert_string_equal(
      text(&log),
      "2 field=quantity expected=text without NUL bytes got=a NUL byte | "
      "field 'quantity': expected text without NUL bytes, got a NUL byte\n"
      "3 field=checkpoint expected=text without NUL bytes got=a NUL byte | "
      "field 'checkpoint': expected text without NUL bytes, got a NUL byte\n"
      "4 field=- expected=- got=- | column 'Remark': expected text without "
      "NUL bytes, got a NUL byte\n");
  assert_int_equal(stats.rejected, 3);
  assert_int_equal(store_size(fx->st), before);
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/*
 * A cap of 60 bytes. Line 2 is 59 bytes and line 3 is 61 (counted by
 * hand, without the LF): line 3 stops the reading, so line 4, invalid,
 * is never seen, and even with rejects nothing is stored.
 */
static void
test_line_cap_csv(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] =
      "start,checkpoint,direction,note\n"
      "2023-01-01,north-gate,in,abcdefghijklmnopqrstuvwxyz01234567\n"
      "2023-01-02,north-gate,in,abcdefghijklmnopqrstuvwxyz0123456789\n"
      "bad,north-gate,in,x\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;
  uint64_t before = store_size(fx->st);
  char rejects[128];

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.max_line = 60;
  buf_init(&log);
  assert_int_equal(strlen("2023-01-01,north-gate,in,"
                          "abcdefghijklmnopqrstuvwxyz01234567"),
                   59);
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  assert_string_equal(text(&log),
                      "3 field=- expected=- got=- | record longer than 60 "
                      "bytes; the rest of the input was not read (raise the "
                      "cap with --max-line BYTES)\n");
  assert_int_equal(stats.rows, 1);
  assert_int_equal(store_size(fx->st), before);

  snprintf(rejects, sizeof rejects, "%s/rejects.csv", fx->dir);
  o.rejects = rejects;
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  assert_int_equal(store_size(fx->st), before);
  assert_int_equal(access(rejects, F_OK), -1); /* not kept */

  /* With the default cap (1 MiB) line 4 is reached. */
  o.rejects = NULL;
  o.max_line = 0;
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  assert_int_equal(stats.rows, 3);
  assert_non_null(strstr(text(&log), "4 field=start"));
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/*
 * Over the cap inside quotes, the first line short: that row is invalid
 * and the reading goes on at the next line. Line 2's quote closes on line
 * 4: 52 + 1 + 26 + 1 + 3 = 83 bytes, over 60. Lines 3 and 4 are then read
 * as rows of their own (a start that is no date; a stray quote), and line
 * 5 is reached.
 */
static void
test_line_cap_quoted(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] =
      "start,checkpoint,direction,note\n"
      "2023-01-01,north-gate,in,\"abcdefghijklmnopqrstuvwxyz\n"
      "abcdefghijklmnopqrstuvwxyz\n"
      "ab\"\n"
      "bad,north-gate,in,x\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.max_line = 60;
  buf_init(&log);
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  assert_string_equal(
      text(&log),
      "2 field=- expected=- got=- | record longer than 60 bytes: the quoted "
      "field opened on line 2 does not close within them\n"
      "3 field=start expected=a date got=abcdefghijklmnopqrstuvwxyz | "
      "field 'start': expected a date, got 'abcdefghijklmnopqrstuvwxyz'\n"
      "4 field=- expected=- got=- | stray quote in unquoted field\n"
      "5 field=start expected=a date got=bad | field 'start': expected a "
      "date, got 'bad'\n");
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/* JSON Lines: line 2 (71 bytes) over a cap of 70 stops the reading. */
static void
test_line_cap_jsonl(void **state)
{
  struct fixture *fx = *state;
  static const char jsonl[] =
      "{\"start\":\"2023-01-01\",\"checkpoint\":\"north-gate\","
      "\"direction\":\"in\"}\n"
      "{\"start\":\"2023-01-02\",\"checkpoint\":\"north-gate\","
      "\"direction\":\"in\",\"x\":1}\n"
      "nonsense\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;
  uint64_t before = store_size(fx->st);

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.format = INGEST_JSONL;
  o.max_line = 70;
  buf_init(&log);
  assert_int_equal(import(fx->st, &o, jsonl, strlen(jsonl), &log, &stats),
                   ERR_INVALID);
  assert_string_equal(text(&log),
                      "2 field=- expected=- got=- | line longer than 70 "
                      "bytes; the rest of the input was not read (raise the "
                      "cap with --max-line BYTES)\n");
  assert_int_equal(stats.rows, 1);
  assert_int_equal(store_size(fx->st), before);
  /* 71 is enough for line 2, which then has an unknown field. */
  o.max_line = 71;
  assert_int_equal(import(fx->st, &o, jsonl, strlen(jsonl), &log, &stats),
                   ERR_INVALID);
  assert_non_null(strstr(text(&log), "2 field=x"));
  assert_non_null(strstr(text(&log), "\n3 field=-"));
  /* A cap past what may be asked is refused before anything is read. */
  o.max_line = INGEST_MAX_LINE_LIMIT + 1;
  assert_int_equal(import(fx->st, &o, jsonl, strlen(jsonl), &log, &stats),
                   ERR_USAGE);
  assert_string_equal(text(&log), "0 field=- expected=- got=- | --max-line: "
                                  "expected at most 268435456 bytes, got "
                                  "268435457\n");
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/* A cell of 65,537 bytes is an invalid row; the next row is read. */
static void
test_field_cap(void **state)
{
  struct fixture *fx = *state;
  const char *head = "start,checkpoint,direction,note\n"
                     "2023-01-01,north-gate,in,";
  struct buf csv, log;
  struct ingest_opts o;
  struct ingest_stats stats;

  buf_init(&csv);
  buf_init(&log);
  buf_puts(&csv, head);
  for (int i = 0; i < 65537; i++)
    buf_putc(&csv, 'x');
  buf_puts(&csv, "\nbad,north-gate,in,\n");
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  assert_int_equal(import(fx->st, &o, csv.data, csv.len, &log, &stats),
                   ERR_INVALID);
  assert_string_equal(
      text(&log),
      "2 field=note expected=at most 65536 bytes in a field got=more | "
      "field 'note': expected at most 65536 bytes in a field, got more\n"
      "3 field=start expected=a date got=bad | field 'start': expected a "
      "date, got 'bad'\n");
  buf_cleanup(&csv);
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/*
 * The clock at 1700000000 (2023-11-14T22:13:20Z), so times may begin up
 * to 1700086400 (2023-11-15T22:13:20Z). In UTC 2023-11-15 begins at
 * 1700006400 (accepted) and 2023-11-16 at 1700092800 (refused); in Baku
 * (+04:00) 2023-11-16 begins at 2023-11-15T20:00Z, 1700078400 (accepted),
 * and 2023-11-17 at 1700164800 (refused).
 */
static void
test_future(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] = "start,checkpoint,direction\n"
                            "2023-11-15,north-gate,in\n"
                            "2023-11-16,north-gate,in\n"
                            "2023-11-17,north-gate,in\n";
  static const char late[] =
      "expected a time at most a day after this machine's clock (or "
      "--allow-future), got ";
  const char *names[] = {"start", "checkpoint", "direction"};
  const char *values[] = {"2023-11-16T01:00Z", "north-gate", "in"};
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log, want;
  struct ingest_sink k = sink_of(&log);

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.now = 1700000000;
  buf_init(&log);
  buf_init(&want);
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  buf_printf(&want,
             "3 field=start expected=a time at most a day after this "
             "machine's clock (or --allow-future) got=2023-11-16 | field "
             "'start': %s'2023-11-16'\n"
             "4 field=start expected=a time at most a day after this "
             "machine's clock (or --allow-future) got=2023-11-17 | field "
             "'start': %s'2023-11-17'\n",
             late, late);
  assert_string_equal(text(&log), want.data);
  assert_int_equal(import(fx->baku, &o, csv, strlen(csv), &log, &stats),
                   ERR_INVALID);
  assert_int_equal(stats.rejected, 1);
  assert_non_null(strstr(text(&log), "4 field=start"));
  /* Allowed, all three are stored. */
  o.allow_future = 1;
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats), OK);
  assert_int_equal(stats.added, 3);
  /* passage add: 2023-11-16T01:00Z is 1700096400, after 1700086400. */
  o.allow_future = 0;
  buf_reset(&log);
  assert_int_equal(ingest_fields(fx->st, &o, &k, names, values, 3, &stats),
                   ERR_INVALID);
  assert_non_null(strstr(text(&log), "got '2023-11-16T01:00Z'"));
  o.allow_future = 1;
  assert_int_equal(ingest_fields(fx->st, &o, &k, names, values, 3, &stats), OK);
  buf_cleanup(&log);
  buf_cleanup(&want);
  ingest_opts_cleanup(&o);
}

/* Writes bytes into a FIFO from a thread: a text once, or zeros until the
 * reader goes away. */
struct feeder {
  const char *path;
  const char *text; /* NULL: endless zeros */
  size_t written;
};

static void *
feed(void *arg)
{
  struct feeder *f = arg;
  int fd = open(f->path, O_WRONLY);
  char zeros[65536];

  if (fd < 0)
    return NULL;
  memset(zeros, 0, sizeof zeros);
  if (f->text) {
    size_t n = strlen(f->text);
    if (write(fd, f->text, n) == (ssize_t)n)
      f->written = n;
  } else {
    ssize_t w;
    while ((w = write(fd, zeros, sizeof zeros)) > 0)
      f->written += (size_t)w;
  }
  close(fd);
  return NULL;
}

/* Imports what a thread writes into a FIFO. */
static int
import_pipe(struct fixture *fx, struct store *st, struct ingest_opts *o,
            struct feeder *f, struct buf *log, struct ingest_stats *stats)
{
  char path[128];
  const char *files[1] = {path};
  struct ingest_sink k = sink_of(log);
  pthread_t t;
  int rc;

  snprintf(path, sizeof path, "%s/fifo", fx->dir);
  unlink(path);
  assert_int_equal(mkfifo(path, 0600), 0);
  f->path = path;
  assert_int_equal(pthread_create(&t, NULL, feed, f), 0);
  buf_reset(log);
  rc = ingest_files(st, o, &k, files, 1, stats);
  pthread_join(t, NULL);
  unlink(path);
  return rc;
}

/* A pipe is read as a stream; its rows get the ids of the same bytes in
 * a file (the first 12 hex digits of the content's SHA-256, then the
 * row). */
static void
test_pipe_same_as_buffer(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] = "start,checkpoint,direction,vehicles\n"
                            "2023-02-01,north-gate,in,4\n"
                            "2023-02-02,north-gate,out,5\n";
  struct feeder f = {NULL, csv, 0};
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  buf_init(&log);
  assert_int_equal(import_pipe(fx, fx->st, &o, &f, &log, &stats), OK);
  assert_int_equal(stats.added, 2);
  /* The same bytes again, from memory: the same ids, nothing new. */
  assert_int_equal(import(fx->st, &o, csv, strlen(csv), &log, &stats), OK);
  assert_int_equal(stats.added, 0);
  assert_int_equal(stats.unchanged, 2);
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

/* An endless pipe of zeros (as /dev/zero gives) stops at the cap, having
 * taken no more than about the cap and a read from the pipe. */
static void
test_endless_pipe(void **state)
{
  struct fixture *fx = *state;
  struct feeder f = {NULL, NULL, 0};
  struct ingest_opts o;
  struct ingest_stats stats;
  struct buf log;
  uint64_t before = store_size(fx->st);

  signal(SIGPIPE, SIG_IGN); /* the feeder's write fails instead */
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  buf_init(&log);
  assert_int_equal(import_pipe(fx, fx->st, &o, &f, &log, &stats), ERR_INVALID);
  assert_string_equal(text(&log),
                      "1 field=- expected=- got=- | record longer than "
                      "1048576 bytes; the rest of the input was not read "
                      "(raise the cap with --max-line BYTES)\n");
  assert_true(f.written < 4u << 20);
  assert_int_equal(store_size(fx->st), before);
  /* JSON Lines the same. */
  f.written = 0;
  o.format = INGEST_JSONL;
  assert_int_equal(import_pipe(fx, fx->st, &o, &f, &log, &stats), ERR_INVALID);
  assert_non_null(strstr(text(&log), "1 field=- expected=- got=- | line "
                                     "longer than 1048576 bytes"));
  assert_true(f.written < 4u << 20);
  buf_cleanup(&log);
  ingest_opts_cleanup(&o);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_cap_csv, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_cap_quoted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_cap_jsonl, setup, teardown),
      cmocka_unit_test_setup_teardown(test_field_cap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_future, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pipe_same_as_buffer, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_endless_pipe, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
