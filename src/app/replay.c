/*
 * `passage log replay`: a party's own copy of a log, rebuilt from the tiles
 * the publisher put out, so that every figure of a report can be computed
 * again by someone who trusts nothing but the log's key and a witness of
 * their own. The entries go in byte for byte in the log's order (the
 * corridor's rules too: they are entries, entry 0 the first), so the
 * party's tree is the publisher's (same leaves, same order) and its root
 * must be the checkpoint's: if a server handed different bytes on the
 * second reading, the root would say so.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "util/i18n.h"

struct replay {
  struct store *st;
  struct record rec;
  struct app_error *err;
};

static int
put_entry(void *ctx, uint64_t seq, const uint8_t *e, size_t len)
{
  struct replay *r = ctx;
  enum store_put_result res;
  struct buf why;
  int rc;

  buf_init(&why);
  record_reset(&r->rec);
  rc = record_from_json(&r->rec, -1, NULL, (const char *)e, len, &why);
  if (rc == OK && seq == 0) {
    /* The records need the rules in force before them. */
    buf_reset(&why);
    buf_puts(&why, _("it is a record, not the corridor's rules: the log was "
                     "begun before Passage logged its rules, which a replay "
                     "needs first"));
    rc = ERR_INVALID;
  } else if (rc == OK) {
    rc = store_put(r->st, &r->rec, (const char *)e, len, &res);
  } else {
    /* A version of the rules (verify --tiles has checked it is one) goes
     * in as the store's next version, the same bytes. */
    struct corridor *c = NULL;
    unsigned version;
    struct buf cwhy;
    buf_init(&cwhy);
    if (store_corridor_entry_parse((const char *)e, len, seq, &version, &c,
                                   &cwhy) == OK) {
      buf_reset(&why);
      rc = store_put_corridor(r->st, c, &res);
      if (rc != OK)
        buf_puts(&why, store_errmsg(r->st));
    }
    corridor_free(c);
    buf_cleanup(&cwhy);
  }
  if (rc == OK && res != STORE_ADDED)
    rc = ERR_CONFLICT;
  if (rc != OK)
    app__fail(r->err, rc == ERR_RETRY ? ERR_RETRY : ERR_VERIFY,
              APP_ERROR_OPERATION, "tiles",
              "FAILED: entry %llu cannot be replayed: %s",
              (unsigned long long)seq,
              why.len              ? why.data
              : rc == ERR_CONFLICT ? "its id was taken by an earlier entry"
                                   : store_errmsg(r->st));
  buf_cleanup(&why);
  return rc == OK ? OK : r->err->code;
}

/* A corridor file given: its log must be the tiles' origin (the rules
 * replayed are the log's own entries). */
static int
read_corridor(const char *path, const char *origin, struct buf *text,
              struct app_error *err)
{
  struct corridor *c = NULL;
  struct buf why;
  int rc;

  if (app__read_file(path, 1u << 20, text) != OK)
    return app__fail(err, ERR_IO, APP_ERROR_OPERATION, "corridor",
                     "cannot read %s", path);
  buf_init(&why);
  rc = corridor_parse(path, text->data ? text->data : "", text->len, &c, &why);
  if (rc != OK)
    app__fail(err, ERR_INVALID, APP_ERROR_INPUT, "corridor", "%s",
              why.data ? why.data : "invalid corridor file");
  else if (strcmp(c->log, origin) != 0)
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "corridor",
                   "%s is the corridor of the log '%s', the tiles are of "
                   "'%s'",
                   path, c->log, origin);
  corridor_free(c);
  buf_cleanup(&why);
  return rc;
}

/* The checkpoint as the store keeps it (its text and the log's own lines),
 * and the cosignatures of the corridor's witnesses. */
static int
keep_checkpoint(struct store *st, const char *note, const char *log_key,
                struct app_error *err)
{
  const struct corridor *c = store_corridor(st);
  struct store_cosignature *cs = xcalloc(c->nwitnesses + 1, sizeof *cs);
  struct ledger_verifier *lv = NULL, *wv = NULL;
  struct ledger_note *n = NULL;
  struct ledger_checkpoint cp;
  char **lines = xcalloc(c->nwitnesses + 1, sizeof *lines);
  size_t k = 0, tlen;
  struct buf keep;
  int rc;

  memset(&cp, 0, sizeof cp);
  buf_init(&keep);
  rc = app__load_verifier(log_key, LEDGER_KEY_ED25519, "key", &lv, err);
  if (rc == OK)
    rc = ledger_note_parse(note, strlen(note), &n, NULL);
  if (rc == OK) {
    const char *text = ledger_note_text(n, &tlen);
    rc = ledger_checkpoint_parse(text, tlen, &cp, NULL);
    buf_append(&keep, text, tlen);
    buf_putc(&keep, '\n');
  }
  for (size_t i = 0; rc == OK && i < ledger_note_nsigs(n); i++) {
    const struct ledger_note_sig *s = ledger_note_sig(n, i);
    char *line = app__sig_line(s);
    if (s->key_hash == ledger_verifier_key_hash(lv) &&
        strcmp(s->name, ledger_verifier_name(lv)) == 0)
      buf_puts(&keep, line);
    for (size_t w = 0; w < c->nwitnesses && line; w++) {
      uint64_t t = 0;
      const char *key = c->witnesses[w].key;
      if (ledger_verifier_parse(key, strlen(key), &wv, NULL) == OK &&
          s->key_hash == ledger_verifier_key_hash(wv) &&
          strcmp(s->name, ledger_verifier_name(wv)) == 0 &&
          ledger_note_verify(n, wv, &t, NULL) == OK) {
        cs[k] =
            (struct store_cosignature){cp.size, s->name, s->key_hash, t, line};
        lines[k++] = line;
        line = NULL;
      }
      ledger_verifier_free(wv);
      wv = NULL;
    }
    free(line);
  }
  if (rc == OK && store_add_cosigned(st, keep.data, keep.len, cs, k) != OK)
    rc = app__fail(err, ERR_STORE, APP_ERROR_PROGRAM, NULL,
                   "cannot keep the checkpoint: %s", store_errmsg(st));
  for (size_t i = 0; i < k; i++)
    free(lines[i]);
  free(lines);
  free(cs);
  ledger_checkpoint_cleanup(&cp);
  ledger_note_free(n);
  ledger_verifier_free(lv);
  buf_cleanup(&keep);
  return rc;
}

/* Replays into the new store; the root must then be the checkpoint's. */
static int
replay(struct app *app, const struct app_replay_query *q,
       const struct app_tiles_verify_result *res, struct app_error *err)
{
  struct replay r = {NULL, {0}, err};
  struct buf rb;
  struct ledger_source src;
  uint8_t root[LEDGER_HASH_SIZE];
  int rc;

  buf_init(&rb);
  if ((rc = app__store(app, 1, &r.st, err)) != OK)
    return rc;
  record_init(&r.rec, KIND_flow);
  if ((rc = store_begin(r.st)) == OK) {
    rc = app__tiles_entries(q->tiles.tiles, q->tiles.token, res->size,
                            put_entry, &r, err);
    if (rc == OK)
      rc = store_commit(r.st);
    else
      store_rollback(r.st);
  }
  record_cleanup(&r.rec);
  if (rc != OK)
    goto out;
  store_ledger_source(r.st, &src);
  if (ledger_root(&src, res->size, root) == OK)
    util_base64_encode(&rb, root, sizeof root);
  if (store_size(r.st) != res->size || rb.data == NULL ||
      strcmp(rb.data, res->root) != 0) {
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: the entries replayed do not give the "
                   "checkpoint's root: the tiles changed while read");
    goto out;
  }
  rc = keep_checkpoint(r.st, res->note, q->tiles.key, err);
out:
  buf_cleanup(&rb);
  return rc;
}

int
app_log_replay(struct app *app, const struct app_replay_query *q,
               struct app_tiles_verify_result *out, struct app_error *err)
{
  struct buf corridor;
  char *side;
  int rc;

  memset(out, 0, sizeof *out);
  buf_init(&corridor);
  if (access(app->db, F_OK) == 0) {
    rc = app__fail(err, ERR_EXISTS, APP_ERROR_OPERATION, "db",
                   "%s exists already: a log is replayed into a new store "
                   "(choose another --db)",
                   app->db);
    goto out;
  }
  if ((rc = app_verify_tiles(&q->tiles, out, err)) != OK)
    goto out;
  if (q->corridor != NULL &&
      (rc = read_corridor(q->corridor, out->origin, &corridor, err)) != OK)
    goto out;
  rc = replay(app, q, out, err);
  if (rc != OK && app->st) {
    /* Nothing half-made stays at db. */
    store_close(app->st);
    app->st = NULL;
    unlink(app->db);
    side = xasprintf("%s-wal", app->db);
    unlink(side);
    free(side);
    side = xasprintf("%s-shm", app->db);
    unlink(side);
    free(side);
  }
out:
  buf_cleanup(&corridor);
  return rc;
}
