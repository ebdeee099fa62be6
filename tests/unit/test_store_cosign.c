/*
 * The store's signed checkpoints and witnesses' cosignatures (schema 4):
 * only a checkpoint of this log's own tree is kept, each cosignature once,
 * and the reads a report and a witness exchange need; and the cap that no
 * entry exceeds an entry bundle's 16-bit length, whatever path a record
 * comes by. On the backend PASSAGE_TEST_STORES names when it is a
 * server's location template (tests/pg.sh; its first "%s" replaced by a
 * fresh name per test), else on a SQLite file.
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

#include "ledger/ledger.h"
#include "store/store.h"

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Cosign test\n"
                                   "log = passage.example/cosign\n"
                                   "[checkpoint gate]\n"
                                   "name = Gate\n";

struct fixture {
  char dir[64];
  struct store *st;
  struct ledger_signer *log;
};

/* Stores a flow with this id and note. */
static int
put_flow(struct store *st, const char *id, const char *note)
{
  static const char *const names[] = {"id",        "start",    "checkpoint",
                                      "direction", "vehicles", "note"};
  const char *values[] = {id, "2023-01-01", "gate", "in", "1", note};
  enum store_put_result res;
  struct record r;
  struct buf err, bytes;
  int rc;

  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&bytes);
  for (size_t i = 0; i < 6; i++)
    if (values[i])
      assert_int_equal(record_set(&r, NULL,
                                  record_field_index(r.kind, names[i]), 0,
                                  values[i], strlen(values[i]), &err),
                       OK);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &bytes);
  assert_int_equal(store_begin(st), OK);
  rc = store_put(st, &r, bytes.data, bytes.len, &res);
  if (rc == OK)
    assert_int_equal(store_commit(st), OK);
  else
    store_rollback(st);
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
  return rc;
}

/* Where the fixture's store lives: a file in its folder, or a fresh name
 * in the server's template (one counter for the process: a server's
 * names outlive a fixture). */
static void
location(const struct fixture *fx, const char *name, char *out, size_t n)
{
  static unsigned made;
  const char *t = getenv("PASSAGE_TEST_STORES");
  const char *pct = t ? strstr(t, "%s") : NULL;

  if (t == NULL || strstr(t, "://") == NULL || pct == NULL ||
      strncmp(t, "sqlite:", 7) == 0) {
    snprintf(out, n, "%s/%s.db", fx->dir, name);
    return;
  }
  snprintf(out, n, "%.*spassage_cosign_%s_%ld_%u%s", (int)(pct - t), t, name,
           (long)getpid(), made++, pct + 2);
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  char path[512];
  struct buf err;

  buf_init(&err);
  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-cosign-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  location(fx, "p", path, sizeof path);
  assert_int_equal(store_open(path, 1, &fx->st, &err), OK);
  assert_int_equal(store_init(fx->st, "c.ini", corridor_ini), OK);
  assert_int_equal(
      ledger_signer_generate("passage.example/cosign", &fx->log, &err), OK);
  /* store_init appends the corridor's rules, entry 0 (init's
   * checkpoints are app's): three flows make the tree of 4 entries. */
  assert_int_equal(put_flow(fx->st, "f1", NULL), OK);
  assert_int_equal(put_flow(fx->st, "f2", NULL), OK);
  assert_int_equal(put_flow(fx->st, "f3", NULL), OK);
  assert_true(store_size(fx->st) == 4);
  buf_cleanup(&err);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  store_close(fx->st);
  ledger_signer_free(fx->log);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* The signed checkpoint of the store's first size entries (or of a made-up
 * root when root is set), by signer s under origin. */
static char *
checkpoint(struct store *st, const struct ledger_signer *s, const char *origin,
           uint64_t size, const uint8_t *root)
{
  uint8_t r[LEDGER_HASH_SIZE];
  struct ledger_source src;
  struct buf err;
  char *note = NULL;

  buf_init(&err);
  store_ledger_source(st, &src);
  if (root)
    memcpy(r, root, sizeof r);
  else
    assert_int_equal(ledger_root(&src, size, r), OK);
  assert_int_equal(ledger_checkpoint_format(origin, size, r, s, &note, &err),
                   OK);
  buf_cleanup(&err);
  return note;
}

struct seen {
  char names[8][64];
  uint64_t times[8];
  int n;
};

static int
collect(void *ctx, const struct store_cosignature *c)
{
  struct seen *s = ctx;

  snprintf(s->names[s->n], sizeof s->names[0], "%s", c->witness);
  s->times[s->n++] = c->time;
  return OK;
}

static void
test_keeps_checkpoint_and_cosignatures(void **state)
{
  struct fixture *fx = *state;
  char *cp2 = checkpoint(fx->st, fx->log, "passage.example/cosign", 2, NULL);
  char *cp4 = checkpoint(fx->st, fx->log, "passage.example/cosign", 4, NULL);
  struct store_cosignature two[] = {
      {2, "w.example/b", 0x0b, 1700000002, "\xe2\x80\x94 w.example/b X\n"},
      {2, "w.example/a", 0x0a, 1700000001, "\xe2\x80\x94 w.example/a Y\n"},
  };
  struct store_cosignature four[] = {
      {4, "w.example/a", 0x0a, 1700000009, "\xe2\x80\x94 w.example/a Z\n"},
  };
  struct seen s = {0};
  struct buf note;
  uint64_t size = 0;

  buf_init(&note);
  assert_int_equal(store_get_checkpoint(fx->st, 0, 1, &size, &note),
                   ERR_NOTFOUND);
  assert_int_equal(store_add_cosigned(fx->st, cp2, strlen(cp2), two, 2), OK);
  assert_int_equal(store_add_cosigned(fx->st, cp4, strlen(cp4), four, 1), OK);
  /* The latest is the one of 4 entries, the note as given. */
  assert_int_equal(store_get_checkpoint(fx->st, 0, 1, &size, &note), OK);
  assert_true(size == 4);
  assert_string_equal(note.data, cp4);
  buf_reset(&note);
  assert_int_equal(store_get_checkpoint(fx->st, 2, 0, &size, &note), OK);
  assert_string_equal(note.data, cp2);
  buf_reset(&note);
  assert_int_equal(store_get_checkpoint(fx->st, 3, 0, &size, &note),
                   ERR_NOTFOUND);
  /* By witness name: a before b, whatever order they came in. */
  assert_int_equal(store_each_cosignature(fx->st, 2, collect, &s), OK);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.names[0], "w.example/a");
  assert_true(s.times[0] == 1700000001);
  assert_string_equal(s.names[1], "w.example/b");
  /* a last cosigned 4, b 2; c never. */
  assert_int_equal(store_witness_size(fx->st, "w.example/a", 0x0a, &size), OK);
  assert_true(size == 4);
  assert_int_equal(store_witness_size(fx->st, "w.example/b", 0x0b, &size), OK);
  assert_true(size == 2);
  assert_int_equal(store_witness_size(fx->st, "w.example/a", 0x0b, &size),
                   ERR_NOTFOUND);
  assert_int_equal(store_next_cosigned(fx->st, 0, &size), OK);
  assert_true(size == 2);
  assert_int_equal(store_next_cosigned(fx->st, 3, &size), OK);
  assert_true(size == 4);
  assert_int_equal(store_next_cosigned(fx->st, 5, &size), ERR_NOTFOUND);
  /* Again: kept as it was, the first time of a stays. */
  two[1].time = 1800000000;
  assert_int_equal(store_add_cosigned(fx->st, cp2, strlen(cp2), two, 2), OK);
  s.n = 0;
  assert_int_equal(store_each_cosignature(fx->st, 2, collect, &s), OK);
  assert_true(s.n == 2 && s.times[0] == 1700000001);
  buf_cleanup(&note);
  free(cp2);
  free(cp4);
}

/* A copy (passage migrate) holds the source's cosigned checkpoints and
 * its latest one, with their cosignatures: here the checkpoint of 2
 * entries cosigned by a and b, and that of 3, the latest, by none. */
static void
test_copy_keeps_them(void **state)
{
  struct fixture *fx = *state;
  char *cp2 = checkpoint(fx->st, fx->log, "passage.example/cosign", 2, NULL);
  char *cp3 = checkpoint(fx->st, fx->log, "passage.example/cosign", 3, NULL);
  struct store_cosignature two[] = {
      {2, "w.example/b", 0x0b, 1700000002, "\xe2\x80\x94 w.example/b X\n"},
      {2, "w.example/a", 0x0a, 1700000001, "\xe2\x80\x94 w.example/a Y\n"},
  };
  struct store *copy = NULL;
  struct seen s = {0};
  char path[512];
  struct buf note, err;
  uint64_t size = 0;

  buf_init(&note);
  buf_init(&err);
  assert_int_equal(store_add_cosigned(fx->st, cp2, strlen(cp2), two, 2), OK);
  assert_int_equal(store_add_cosigned(fx->st, cp3, strlen(cp3), NULL, 0), OK);
  location(fx, "copy", path, sizeof path);
  assert_int_equal(store_open(path, 1, &copy, &err), OK);
  assert_int_equal(store_copy(fx->st, copy, NULL, NULL), OK);
  assert_true(store_size(copy) == 4);
  assert_int_equal(store_get_checkpoint(copy, 0, 1, &size, &note), OK);
  assert_true(size == 3);
  assert_string_equal(note.data, cp3);
  buf_reset(&note);
  assert_int_equal(store_get_checkpoint(copy, 2, 0, &size, &note), OK);
  assert_string_equal(note.data, cp2);
  assert_int_equal(store_each_cosignature(copy, 2, collect, &s), OK);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.names[0], "w.example/a");
  assert_true(s.times[0] == 1700000001);
  assert_string_equal(s.names[1], "w.example/b");
  assert_true(s.times[1] == 1700000002);
  assert_int_equal(store_next_cosigned(copy, 0, &size), OK);
  assert_true(size == 2);
  assert_int_equal(store_next_cosigned(copy, 3, &size), ERR_NOTFOUND);
  store_close(copy);
  buf_cleanup(&note);
  buf_cleanup(&err);
  free(cp2);
  free(cp3);
}

static void
test_refuses_other_trees(void **state)
{
  struct fixture *fx = *state;
  uint8_t bogus[LEDGER_HASH_SIZE] = {1, 2, 3};
  char *forged =
      checkpoint(fx->st, fx->log, "passage.example/cosign", 3, bogus);
  char *other = checkpoint(fx->st, fx->log, "passage.example/other", 3, NULL);
  char *big = checkpoint(fx->st, fx->log, "passage.example/cosign", 5, bogus);
  char *cp3 = checkpoint(fx->st, fx->log, "passage.example/cosign", 3, NULL);
  struct store_cosignature wrong = {2, "w", 1, 1, "\xe2\x80\x94 w Q\n"};
  struct buf note;

  buf_init(&note);
  assert_int_equal(store_add_cosigned(fx->st, forged, strlen(forged), NULL, 0),
                   ERR_VERIFY);
  assert_non_null(strstr(store_errmsg(fx->st), "root"));
  assert_int_equal(store_add_cosigned(fx->st, other, strlen(other), NULL, 0),
                   ERR_VERIFY);
  assert_non_null(strstr(store_errmsg(fx->st), "passage.example/other"));
  assert_int_equal(store_add_cosigned(fx->st, big, strlen(big), NULL, 0),
                   ERR_VERIFY);
  assert_int_equal(store_add_cosigned(fx->st, "not a note", 10, NULL, 0),
                   ERR_VERIFY);
  assert_int_equal(store_add_cosigned(fx->st, cp3, strlen(cp3), &wrong, 1),
                   ERR_USAGE);
  /* Nothing of these was kept. */
  assert_int_equal(store_get_checkpoint(fx->st, 0, 1, NULL, &note),
                   ERR_NOTFOUND);
  buf_cleanup(&note);
  free(forged);
  free(other);
  free(big);
  free(cp3);
}

/* 65,535 bytes fit an entry bundle's length; one more does not, and the
 * store refuses it whatever called it (the import checks first). The
 * rest of the flow's canonical JSON is 165 bytes: {"checkpoint":"gate",
 * "direction":"in","end":"2023-01-01","id":"big","note":"","outcome":
 * "passed","record":"flow","stage":"crossed","start":"2023-01-01",
 * "vehicles":1} (counted with Python's json.dumps, sort_keys and compact
 * separators). */
static void
test_entry_cap(void **state)
{
  struct fixture *fx = *state;
  size_t rest = 165, note = LEDGER_ENTRY_MAX - rest;
  char *text = malloc(note + 2);

  memset(text, 'a', note + 1);
  text[note] = '\0';
  assert_int_equal(put_flow(fx->st, "big", text), OK);
  text[note] = 'a';
  text[note + 1] = '\0';
  assert_int_equal(put_flow(fx->st, "bih", text), ERR_INVALID);
  assert_non_null(strstr(store_errmsg(fx->st), "65536 bytes"));
  assert_true(store_size(fx->st) == 5);
  free(text);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_keeps_checkpoint_and_cosignatures,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_copy_keeps_them, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refuses_other_trees, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_entry_cap, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
