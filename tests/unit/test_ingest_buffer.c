/*
 * Unit tests of ingest as a library: ingest_buffer() imports what the same
 * file would; problems reach the sink apart, with their line, field, what
 * was expected and what was got; progress is reported through its
 * callback; every callback runs on the calling thread; --create-missing
 * records are stored in their place, all or nothing; export writes through
 * a callback.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "ingest/ingest.h"
#include "store/store.h"

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "timezone = UTC\n";

static const char checkpoints[] = "id,name\n"
                                  "north-gate,North Gate\n"
                                  "south-bridge,South Bridge\n";

struct fixture {
  char dir[64];
  struct store *st[2];
};

static struct store *
new_store(struct fixture *fx, int i)
{
  char path[128];
  struct store *st;
  struct buf err;
  struct ingest_opts o;
  struct ingest_stats stats;

  snprintf(path, sizeof path, "%s/%d.db", fx->dir, i);
  buf_init(&err);
  assert_int_equal(store_open(path, 1, &st, &err), OK);
  assert_int_equal(store_init(st, "corridor.ini", corridor), OK);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  assert_int_equal(ingest_buffer(st, &o, NULL, "checkpoints.csv", checkpoints,
                                 strlen(checkpoints), &stats),
                   OK);
  assert_int_equal(stats.added, 2);
  buf_cleanup(&err);
  return st;
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-ingest-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  fx->st[0] = new_store(fx, 0);
  fx->st[1] = new_store(fx, 1);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  store_close(fx->st[0]);
  store_close(fx->st[1]);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* What the sink was told, one line per callback, and on which thread. */
struct seen {
  struct buf log;
  pthread_t thread;
  int other_thread; /* a callback ran elsewhere */
  size_t nprogress, last_done, last_rows, finals;
};

static void
seen_init(struct seen *s)
{
  memset(s, 0, sizeof *s);
  buf_init(&s->log);
  s->thread = pthread_self();
}

static void
check_thread(struct seen *s)
{
  if (!pthread_equal(s->thread, pthread_self()))
    s->other_thread = 1;
}

static const char *
str(const char *s)
{
  return s ? s : "-";
}

static void
on_error(void *ctx, const struct ingest_error *e)
{
  struct seen *s = ctx;

  check_thread(s);
  buf_printf(&s->log,
             "E%d %s:%lu row=%zu id=%s field=%s expected=%s got=%s "
             "part=%zu/%zu | %s\n",
             (int)e->kind, str(e->file), e->line, e->row, str(e->id),
             str(e->field), str(e->expected), str(e->got), e->part, e->nparts,
             e->message);
}

static void
on_note(void *ctx, const struct ingest_note *n)
{
  struct seen *s = ctx;

  check_thread(s);
  buf_printf(&s->log, "N%d %s %s count=%zu:", (int)n->kind, str(n->file),
             str(n->subject), n->count);
  for (size_t i = 0; i < n->nnames; i++)
    buf_printf(&s->log, " [%s]", n->names[i]);
  buf_putc(&s->log, '\n');
}

static void
on_progress(void *ctx, const struct ingest_progress *p)
{
  struct seen *s = ctx;

  check_thread(s);
  assert_true(p->done <= p->total);
  assert_true(p->done >= s->last_done); /* never backwards */
  assert_true(p->rows >= s->last_rows);
  s->last_done = p->done;
  s->last_rows = p->rows;
  s->nprogress++;
  if (p->final)
    s->finals++;
}

static struct ingest_sink
sink_of(struct seen *s)
{
  struct ingest_sink k = {on_error, on_note, on_progress, s};

  return k;
}

static int
to_buf(void *ctx, const char *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

/* Every record of kind, as JSON Lines of canonical bytes. */
static char *
dump(struct store *st, enum record_kind kind)
{
  struct buf b, err;

  buf_init(&b);
  buf_init(&err);
  assert_int_equal(ingest_export(st, kind, INGEST_JSONL, to_buf, &b, &err), OK);
  buf_cleanup(&err);
  return buf_take(&b);
}

static void
write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");

  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

/* Imports text from a file into store 0 and from a buffer into store 1:
 * same statistics, same records, same ids (derived from the content). */
static void
same_as_file(struct fixture *fx, enum ingest_format format, const char *text,
             const char *derived)
{
  char path[128];
  const char *files[1] = {path};
  struct ingest_opts o;
  struct ingest_stats a, b;
  char *da, *db;

  snprintf(path, sizeof path, "%s/in.txt", fx->dir);
  write_file(path, text);
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.format = format;
  assert_int_equal(ingest_files(fx->st[0], &o, NULL, files, 1, &a), OK);
  assert_int_equal(
      ingest_buffer(fx->st[1], &o, NULL, path, text, strlen(text), &b), OK);
  assert_memory_equal(&a, &b, sizeof a);
  assert_int_equal(a.rows, 3);
  assert_int_equal(a.added, 2);
  assert_int_equal(a.rejected, 0);
  da = dump(fx->st[0], KIND_flow);
  db = dump(fx->st[1], KIND_flow);
  assert_string_equal(da, db);
  /* The row without an id got one from the content and its row number. */
  assert_non_null(strstr(da, derived));
  free(da);
  free(db);
  assert_int_equal(store_size(fx->st[0]), store_size(fx->st[1]));
  ingest_opts_cleanup(&o);
}

static void
test_csv_buffer_same_as_file(void **state)
{
  /* Rows 1 and 2 are one flow with two cargo lines. */
  same_as_file(*state, INGEST_CSV,
               "id,start,checkpoint,direction,vehicle,vehicles,category,"
               "quantity\n"
               "f1,2023-03-05,north-gate,in,truck,3,food,60\n"
               "f1,2023-03-05,north-gate,in,truck,3,fuel,6\n"
               ",2023-03-06,South Bridge,out,car,2,,\n",
               "-3\",\"outcome\"");
}

/* The third line repeats the first: stored once. */
static void
test_jsonl_buffer_same_as_file(void **state)
{
  same_as_file(*state, INGEST_JSONL,
               "{\"id\":\"f1\",\"start\":\"2023-03-05\",\"checkpoint\":"
               "\"north-gate\",\"direction\":\"in\",\"vehicle\":\"truck\","
               "\"vehicles\":3,\"cargo\":[{\"category\":\"food\","
               "\"quantity\":60}]}\n"
               "{\"start\":\"2023-03-06\",\"checkpoint\":\"south-bridge\","
               "\"direction\":\"out\",\"vehicle\":\"car\",\"vehicles\":2}\n"
               "\n"
               "{\"id\":\"f1\",\"start\":\"2023-03-05\",\"checkpoint\":"
               "\"north-gate\",\"direction\":\"in\",\"vehicle\":\"truck\","
               "\"vehicles\":3,\"cargo\":[{\"category\":\"food\","
               "\"quantity\":60}]}\n",
               "-2\",\"outcome\"");
}

/* The id an import derives for data row `row` of text: the first 12 hex
 * digits of the content's SHA-256, a dash, the row. */
static char *
derived_id(const char *text, size_t row)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  struct buf b;

  EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
  buf_init(&b);
  for (int i = 0; i < 6; i++)
    buf_printf(&b, "%02x", md[i]);
  buf_printf(&b, "-%zu", row);
  return buf_take(&b);
}

static void
test_csv_errors_in_sink(void **state)
{
  struct fixture *fx = *state;
  static const char csv[] =
      "id,start,checkpoint,direction,vehicle,vehicles,colour\n"
      "g1,2023-03-01,north-gate,in,truck,5,red\n"
      "g2,2023-02-30,north-gate,sideways,truck,three,red\n"
      ",2023-03-02,Ghost Town,in,truck,1,\n"
      ",2023-03-02,north-gate,in,truck,1,,extra\n"
      ",,north-gate,in,truck,1,\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;
  uint64_t before = store_size(fx->st[0]);
  char *id5 = derived_id(csv, 5), *want;

  seen_init(&s);
  k = sink_of(&s);
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  assert_int_equal(
      ingest_buffer(fx->st[0], &o, &k, "upload.csv", csv, strlen(csv), &stats),
      ERR_INVALID);
  assert_int_equal(stats.rows, 5);
  assert_int_equal(stats.rejected, 4);
  assert_int_equal(stats.errors, 4);
  assert_int_equal(stats.added, 0);
  assert_int_equal(store_size(fx->st[0]), before); /* nothing stored */
  assert_false(s.other_thread);
  assert_int_equal(s.finals, 1);
  want = xasprintf(
      "N0 upload.csv flow count=0: [colour]\n"
      /* Three problems of one row: two parts, since a label that is none
       * of a field's values is summed up once, with its rows, at the end
       * (issue 10: one line per problem, not per row). */
      "E0 upload.csv:3 row=2 id=g2 field=start expected=a date "
      "got=2023-02-30 part=0/2 | field 'start': expected a date, got "
      "'2023-02-30'\n"
      "E0 upload.csv:3 row=2 id=g2 field=vehicles expected=a whole number >= "
      "0 got=three part=1/2 | field 'vehicles': expected a whole number >= "
      "0, got 'three'\n"
      "E2 upload.csv:4 row=3 id=- field=checkpoint expected=- got=Ghost Town "
      "part=0/1 | field 'checkpoint': unknown checkpoint 'Ghost Town'\n"
      "E1 upload.csv:5 row=4 id=- field=- expected=at most 7 cells, as in "
      "the header got=8 part=0/1 | expected at most 7 cells, as in the "
      "header, got 8\n"
      /* Found when the record is finished: its id is derived by then. */
      "E1 upload.csv:6 row=5 id=%s field=start expected=- got=- part=0/1 | "
      "field 'start': required\n"
      "N2 - checkpoint count=0: [Ghost Town]\n"
      "N3 - direction count=0: [sideways]\n",
      id5);
  assert_string_equal(s.log.data, want);
  free(want);
  free(id5);
  buf_cleanup(&s.log);
  ingest_opts_cleanup(&o);
}

static void
test_jsonl_errors_in_sink(void **state)
{
  struct fixture *fx = *state;
  static const char jsonl[] =
      "{\"start\":\"x'; field 'y': z\",\"direction\":\"up\","
      "\"checkpoint\":\"north-gate\"}\n"
      "not json\n"
      "{\"start\":\"2023-01-01\",\"checkpoint\":\"north-gate\","
      "\"direction\":\"in\",\"vehicle\":\"car\",\"vehicles\":1}\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;

  seen_init(&s);
  k = sink_of(&s);
  k.progress = NULL;
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.format = INGEST_JSONL;
  o.rejects = NULL;
  assert_int_equal(ingest_buffer(fx->st[0], &o, &k, "upload.jsonl", jsonl,
                                 strlen(jsonl), &stats),
                   ERR_INVALID);
  assert_int_equal(stats.rows, 3);
  assert_int_equal(stats.rejected, 2);
  /* A quoted value that reads like "; field 'y': ..." stays one problem. */
  assert_string_equal(
      s.log.data,
      "E0 upload.jsonl:1 row=1 id=- field=start expected=a date got=x'; "
      "field 'y': z part=0/2 | field 'start': expected a date, got 'x'; "
      "field 'y': z'\n"
      "E0 upload.jsonl:1 row=1 id=- field=direction expected=one of in, out "
      "got=up part=1/2 | field 'direction': expected one of in, out, got "
      "'up'\n"
      "E4 upload.jsonl:2 row=2 id=- field=- expected=- got=- part=0/1 | "
      "expected a JSON object: '[' or '{' expected near 'not' (column 3)\n");
  buf_cleanup(&s.log);
  ingest_opts_cleanup(&o);
}

/* max_errors caps what the sink gets; the rest are counted and said. */
static void
test_error_cap(void **state)
{
  struct fixture *fx = *state;
  struct buf csv;
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;

  buf_init(&csv);
  buf_puts(&csv, "start,checkpoint,direction\n");
  for (int i = 0; i < 30; i++)
    buf_puts(&csv, "2023-01-01,nowhere,in\n");
  seen_init(&s);
  k = sink_of(&s);
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.max_errors = 2;
  assert_int_equal(
      ingest_buffer(fx->st[0], &o, &k, "x.csv", csv.data, csv.len, &stats),
      ERR_INVALID);
  assert_int_equal(stats.errors, 30);
  assert_string_equal(
      s.log.data,
      "E2 x.csv:2 row=1 id=- field=checkpoint expected=- got=nowhere "
      "part=0/1 | field 'checkpoint': unknown checkpoint 'nowhere'\n"
      "E2 x.csv:3 row=2 id=- field=checkpoint expected=- got=nowhere "
      "part=0/1 | field 'checkpoint': unknown checkpoint 'nowhere'\n"
      "N1 - - count=28:\n"
      "N2 - checkpoint count=0: [nowhere]\n");
  buf_cleanup(&s.log);
  buf_cleanup(&csv);
  ingest_opts_cleanup(&o);
}

/* Progress: every 65,536 rows and at the end, bytes of the buffer's, on
 * the calling thread although the rows are read on another. */
static void
test_progress(void **state)
{
  struct fixture *fx = *state;
  struct buf csv;
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;
  const size_t n = 70000;

  buf_init(&csv);
  buf_puts(&csv, "name\n");
  for (size_t i = 0; i < n; i++)
    buf_printf(&csv, "s%zu\n", i);
  seen_init(&s);
  k = sink_of(&s);
  ingest_opts_init(&o);
  o.kind = KIND_source;
  assert_int_equal(ingest_buffer(fx->st[0], &o, &k, "sources.csv", csv.data,
                                 csv.len, &stats),
                   OK);
  assert_int_equal(stats.added, n);
  assert_int_equal(s.nprogress, 2); /* at row 65,536 and at the end */
  assert_int_equal(s.finals, 1);
  assert_int_equal(s.last_done, csv.len);
  assert_int_equal(s.last_rows, n);
  assert_false(s.other_thread);
  assert_null(s.log.data); /* nothing else to say */
  buf_cleanup(&csv);
  ingest_opts_cleanup(&o);
}

/* --create-missing: made by the writer in the same transaction, before the
 * row that names it, and rolled back with everything when a row fails. */
static void
test_create_missing(void **state)
{
  struct fixture *fx = *state;
  static const char good[] = "id,start,checkpoint,direction,source\n"
                             "h1,2023-03-01,Hill Pass,in,New Agency\n";
  static const char bad[] = "id,start,checkpoint,direction\n"
                            "h2,2023-03-01,Other Pass,in\n"
                            "h3,2023-03-01,north-gate,sideways\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  uint64_t before = store_size(fx->st[0]), seq_cp, seq_src, seq_flow;
  char *cps;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.create_missing = 1;
  assert_int_equal(
      ingest_buffer(fx->st[0], &o, NULL, "bad.csv", bad, strlen(bad), &stats),
      ERR_INVALID);
  assert_int_equal(stats.created, 0);
  assert_int_equal(store_size(fx->st[0]), before);
  assert_int_equal(ingest_buffer(fx->st[0], &o, NULL, "good.csv", good,
                                 strlen(good), &stats),
                   OK);
  assert_int_equal(stats.created, 2);
  assert_int_equal(stats.added, 1);
  assert_int_equal(store_size(fx->st[0]), before + 3);
  assert_int_equal(
      store_find_entry(fx->st[0], KIND_checkpoint, "hill-pass", &seq_cp), OK);
  assert_int_equal(
      store_find_entry(fx->st[0], KIND_source, "new-agency", &seq_src), OK);
  assert_int_equal(store_find_entry(fx->st[0], KIND_flow, "h1", &seq_flow), OK);
  assert_true(seq_cp < seq_src && seq_src < seq_flow);
  cps = dump(fx->st[0], KIND_checkpoint);
  assert_null(strstr(cps, "other-pass"));
  free(cps);
  ingest_opts_cleanup(&o);
}

/* The store's own verdicts (an id with other content) reach the sink as
 * conflicts, with the record's id. */
static void
test_conflict(void **state)
{
  struct fixture *fx = *state;
  static const char one[] = "id,start,checkpoint,direction\n"
                            "c1,2023-03-01,north-gate,in\n";
  static const char two[] = "id,start,checkpoint,direction\n"
                            "c1,2023-03-01,north-gate,out\n";
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;

  seen_init(&s);
  k = sink_of(&s);
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  assert_int_equal(
      ingest_buffer(fx->st[0], &o, NULL, "1.csv", one, strlen(one), &stats),
      OK);
  assert_int_equal(
      ingest_buffer(fx->st[0], &o, &k, "2.csv", two, strlen(two), &stats),
      ERR_INVALID);
  assert_non_null(strstr(s.log.data, "E5 2.csv:2 row=1 id=c1 field=- "));
  assert_non_null(strstr(s.log.data, "with different content"));
  buf_cleanup(&s.log);
  ingest_opts_cleanup(&o);
}

/* ingest_fields: a command line's fields, errors on line 0. */
static void
test_fields(void **state)
{
  struct fixture *fx = *state;
  const char *names[] = {"start", "checkpoint", "direction", "colour"};
  const char *values[] = {"2023-13-01", "north-gate", "in", "red"};
  struct ingest_opts o;
  struct ingest_stats stats;
  struct seen s;
  struct ingest_sink k;

  seen_init(&s);
  k = sink_of(&s);
  ingest_opts_init(&o);
  o.kind = KIND_flow;
  assert_int_equal(ingest_fields(fx->st[0], &o, &k, names, values, 4, &stats),
                   ERR_INVALID);
  assert_string_equal(
      s.log.data,
      "E0 command line:0 row=1 id=- field=start expected=a date "
      "got=2023-13-01 part=0/2 | field 'start': expected a date, got "
      "'2023-13-01'\n"
      "E0 command line:0 row=1 id=- field=colour expected=- got=- part=1/2 | "
      "field 'colour': no such field\n");
  buf_cleanup(&s.log);
  ingest_opts_cleanup(&o);
}

static int
refuse(void *ctx, const char *data, size_t len)
{
  (void)data;
  (void)len;
  ++*(int *)ctx;
  return ERR_IO;
}

/* Export through a callback: CSV, HXL, JSON Lines; a refusing writer stops
 * it. */
static void
test_export(void **state)
{
  struct fixture *fx = *state;
  struct buf out, err;
  int calls = 0;

  buf_init(&out);
  buf_init(&err);
  assert_int_equal(
      ingest_export(fx->st[0], KIND_checkpoint, INGEST_CSV, to_buf, &out, &err),
      OK);
  assert_string_equal(out.data, "id,name,lat,lon,km,route,source,grade,note,"
                                "supersedes\n"
                                "north-gate,North Gate,,,,,,,,\n"
                                "south-bridge,South Bridge,,,,,,,,\n");
  buf_reset(&out);
  assert_int_equal(
      ingest_export(fx->st[0], KIND_checkpoint, INGEST_HXL, to_buf, &out, &err),
      OK);
  assert_string_equal(out.data,
                      "id,name,lat,lon,km,route,source,grade,note,supersedes\n"
                      "#meta+id,#meta+name,#geo+lat,#geo+lon,"
                      "#indicator+km+num,#meta+route,#meta+source,#meta+grade,"
                      "#meta+note,#meta+supersedes\n"
                      "north-gate,North Gate,,,,,,,,\n"
                      "south-bridge,South Bridge,,,,,,,,\n");
  buf_reset(&out);
  assert_int_equal(ingest_export(fx->st[0], KIND_checkpoint, INGEST_JSONL,
                                 to_buf, &out, &err),
                   OK);
  assert_string_equal(
      out.data, "{\"id\":\"north-gate\",\"name\":\"North Gate\",\"record\":"
                "\"checkpoint\"}\n"
                "{\"id\":\"south-bridge\",\"name\":\"South Bridge\","
                "\"record\":\"checkpoint\"}\n");
  assert_int_equal(ingest_export(fx->st[0], KIND_checkpoint, INGEST_CSV, refuse,
                                 &calls, &err),
                   ERR_IO);
  assert_int_equal(calls, 1);
  buf_cleanup(&out);
  buf_cleanup(&err);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_csv_buffer_same_as_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_jsonl_buffer_same_as_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_csv_errors_in_sink, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jsonl_errors_in_sink, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_error_cap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_missing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
      cmocka_unit_test_setup_teardown(test_export, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
