/*
 * `passage verify --tiles DIR|URL`: a log checked from its published tiles
 * alone, as Trillian Tessera's fsck checks one, with no store and nothing
 * of the publisher's but its verifier key. The tree is rebuilt from the
 * entries: each entry bundle is read with its level-0 tile, each entry's
 * leaf hash must be the tile's and the entry the canonical form of a
 * record; the leaves go through a frontier (ledger.h), whose completed
 * subtrees at heights 8, 16, ... must be the hashes of the tiles above;
 * the frontier's root must be the signed checkpoint's. Every byte of
 * every tile of the tree is compared, one tile per level held at a time.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "store/store.h"

/* The most a hash tile or an entry bundle may be. */
#define TILE_MAX ((size_t)LEDGER_TILE_WIDTH * LEDGER_HASH_SIZE)
#define BUNDLE_MAX ((size_t)LEDGER_TILE_WIDTH * (LEDGER_ENTRY_MAX + 2))
#define LEVELS 8

struct tiles {
  const char *prefix;
  size_t plen;
  struct app__http *http; /* NULL for a folder */
  uint64_t size;
  struct app_tiles_verify_result *res;
  struct app_error *err;
  /* The tile held at each level, for the hashes the frontier emits. */
  struct buf held[LEVELS];
  uint64_t held_index[LEVELS];
  int has_held[LEVELS];
  uint64_t compared[LEVELS]; /* hashes of each level compared */
};

static int
is_url(const char *s)
{
  return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* Fetches the resource at path below the prefix into out. */
static int
fetch(struct tiles *t, const char *path, size_t max, struct buf *out)
{
  char *where = xasprintf("%.*s/%s", (int)t->plen, t->prefix, path);
  struct app__http_answer ans;
  struct buf why;
  int rc;

  buf_reset(out);
  buf_init(&why);
  if (t->http == NULL) {
    rc = app__read_file(where, max, out);
    if (rc != OK)
      app__fail(t->err, ERR_IO, APP_ERROR_OPERATION, "tiles", "%s: %s", where,
                rc == ERR_NOMEM ? "larger than a tile can be"
                                : "cannot be read");
    rc = rc == OK ? OK : ERR_IO;
  } else {
    rc = app__http_request(t->http, where, NULL, 0, max, &ans, &why);
    if (rc == OK && (ans.status == 401 || ans.status == 403)) {
      /* passage serve gives entry bundles to the parties' tokens only. */
      app__fail(t->err, ERR_IO, APP_ERROR_OPERATION, "tiles",
                "%s: HTTP %ld: the server gives it only to a token that may "
                "read the log's raw entries (a party's: set PASSAGE_TOKEN)",
                where, ans.status);
      rc = ERR_IO;
    } else if (rc == OK && ans.status != 200) {
      app__fail(t->err, ERR_IO, APP_ERROR_OPERATION, "tiles", "%s: HTTP %ld",
                where, ans.status);
      rc = ERR_IO;
    } else if (rc != OK) {
      app__fail(t->err, ERR_IO, APP_ERROR_OPERATION, "tiles", "%s",
                why.data ? why.data : where);
      rc = ERR_IO;
    } else {
      buf_append(out, ans.body.data, ans.body.len);
    }
    if (rc == OK || ans.body.data)
      app__http_answer_cleanup(&ans);
  }
  buf_cleanup(&why);
  free(where);
  return rc;
}

/* Fetches tile tl and checks its length. */
static int
fetch_tile(struct tiles *t, const struct ledger_tile *tl, struct buf *out)
{
  struct buf path;
  int rc;

  buf_init(&path);
  ledger_tile_path(tl, &path);
  rc = fetch(t, path.data,
             tl->level == LEDGER_TILE_ENTRIES ? BUNDLE_MAX : TILE_MAX, out);
  if (rc == OK && tl->level != LEDGER_TILE_ENTRIES &&
      out->len != (size_t)tl->width * LEDGER_HASH_SIZE)
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: %s is %zu bytes, not the %u hashes of its width",
                   path.data, out->len, tl->width);
  if (rc == OK)
    t->res->tiles += tl->level != LEDGER_TILE_ENTRIES;
  buf_cleanup(&path);
  return rc;
}

/* The width of tile index i at level in the tree of t->size leaves. */
static unsigned
width_of(const struct tiles *t, int level, uint64_t i)
{
  uint64_t full;
  unsigned partial;

  ledger_tile_count(t->size, level, &full, &partial);
  return i < full ? LEDGER_TILE_WIDTH : partial;
}

/* A subtree the frontier completed: at heights 8L it must be hash
 * index % 256 of tile (L, index / 256). */
static int
on_node(void *ctx, unsigned height, uint64_t index,
        const uint8_t hash[LEDGER_HASH_SIZE])
{
  struct tiles *t = ctx;
  int L = (int)(height / 8);
  struct ledger_tile tl;
  int rc;

  if (height % 8 != 0 || L >= LEVELS)
    return OK;
  tl.level = L;
  tl.index = index / LEDGER_TILE_WIDTH;
  tl.width = width_of(t, L, tl.index);
  if (!t->has_held[L] || t->held_index[L] != tl.index) {
    if ((rc = fetch_tile(t, &tl, &t->held[L])) != OK)
      return rc;
    t->held_index[L] = tl.index;
    t->has_held[L] = 1;
  }
  if (memcmp(t->held[L].data + (index % LEDGER_TILE_WIDTH) * LEDGER_HASH_SIZE,
             hash, LEDGER_HASH_SIZE) != 0) {
    struct buf path;
    buf_init(&path);
    ledger_tile_path(&tl, &path);
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: hash %u of %s is not the tree's (entries %llu.."
                   "%llu)",
                   (unsigned)(index % LEDGER_TILE_WIDTH), path.data,
                   (unsigned long long)(index << height),
                   (unsigned long long)(((index + 1) << height) - 1));
    buf_cleanup(&path);
    return rc;
  }
  t->compared[L]++;
  return OK;
}

/*
 * An entry that is no record may be a version of the corridor's rules
 * (entry 0, then each amendment): canonical, valid, and the next version.
 * OK when it is; else ERR_INVALID and the record's own problems stand.
 */
static int
check_rules(struct tiles *t, uint64_t seq, const uint8_t *e, size_t len)
{
  struct corridor *c = NULL;
  unsigned version;
  struct buf why;
  int rc;

  buf_init(&why);
  rc =
      store_corridor_entry_parse((const char *)e, len, seq, &version, &c, &why);
  corridor_free(c);
  buf_cleanup(&why);
  if (rc != OK)
    return ERR_INVALID;
  /* Versions follow one another (a store made before the rules were
   * logged publishes its version 1 at its first amendment, not at 0). */
  if (version != t->res->rules + 1)
    return app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                     "FAILED: entry %llu is version %u of the corridor's "
                     "rules, but %llu came before it",
                     (unsigned long long)seq, version,
                     (unsigned long long)t->res->rules);
  t->res->rules++;
  return OK;
}

/* One entry: a canonical record (or rules), hashing to its level-0 tile's
 * hash. */
static int
check_entry(struct tiles *t, uint64_t seq, const uint8_t *e, size_t len,
            const uint8_t *want, struct record *rec)
{
  uint8_t h[LEDGER_HASH_SIZE];
  struct buf why, canon;
  int rc = OK, kind;

  buf_init(&why);
  buf_init(&canon);
  ledger_leaf_hash(e, len, h);
  if (memcmp(h, want, LEDGER_HASH_SIZE) != 0) {
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: entry %llu does not hash to its leaf in "
                   "tile/0: the bundle and the tile disagree",
                   (unsigned long long)seq);
    goto out;
  }
  record_reset(rec);
  if (record_from_json(rec, -1, NULL, (const char *)e, len, &why) != OK) {
    if ((rc = check_rules(t, seq, e, len)) != ERR_INVALID)
      goto out; /* the rules, or a failure said */
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: entry %llu is not a valid record: %s",
                   (unsigned long long)seq, why.data ? why.data : "");
    goto out;
  }
  record_canonical(rec, &canon);
  if (canon.len != len || memcmp(canon.data, e, len) != 0) {
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: entry %llu is not in canonical form (RFC 8785, "
                   "as Passage writes records)",
                   (unsigned long long)seq);
    goto out;
  }
  kind = (int)rec->kind->kind;
  if (kind >= 0 && kind < KIND_COUNT)
    t->res->kinds[kind]++;
out:
  buf_cleanup(&why);
  buf_cleanup(&canon);
  return rc;
}

/* Bundle b with its level-0 tile, each entry into the frontier. */
static int
check_bundle(struct tiles *t, uint64_t b, struct ledger_frontier *f,
             struct record *rec)
{
  struct ledger_tile bt = {LEDGER_TILE_ENTRIES, b, width_of(t, 0, b)};
  struct ledger_tile lt = {0, b, bt.width};
  struct buf bundle, leaves;
  const uint8_t *e;
  size_t pos = 0, len, i = 0;
  int rc;

  buf_init(&bundle);
  buf_init(&leaves);
  if ((rc = fetch_tile(t, &bt, &bundle)) != OK ||
      (rc = fetch_tile(t, &lt, &leaves)) != OK)
    goto out;
  while ((rc = ledger_bundle_next(bundle.data, bundle.len, &pos, &e, &len)) ==
         OK) {
    uint64_t seq = b * LEDGER_TILE_WIDTH + i;
    if (i == bt.width)
      break;
    rc = check_entry(t, seq, e, len,
                     (const uint8_t *)leaves.data + i * LEDGER_HASH_SIZE, rec);
    if (rc == OK)
      rc = ledger_frontier_append(
          f, (const uint8_t *)leaves.data + i * LEDGER_HASH_SIZE, on_node, t);
    if (rc != OK)
      goto out;
    i++;
    t->compared[0]++;
  }
  if (rc == ERR_NOTFOUND && i == bt.width) {
    rc = OK;
  } else {
    struct buf path;
    buf_init(&path);
    ledger_tile_path(&bt, &path);
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                   "FAILED: %s does not hold %u entries (%s)", path.data,
                   bt.width,
                   rc == ERR_INVALID ? "cut short" : "more than its width");
    buf_cleanup(&path);
  }
  t->res->bundles++;
out:
  buf_cleanup(&bundle);
  buf_cleanup(&leaves);
  return rc;
}

/* The checkpoint: signed by the log's key, cosigned as asked. */
static int
check_checkpoint(struct tiles *t, const struct app_tiles_verify_query *q,
                 struct ledger_checkpoint *cp)
{
  struct ledger_verifier *lv = NULL, *wv = NULL;
  struct ledger_note *note = NULL;
  struct buf text, why;
  const char *body;
  size_t blen, need;
  int rc;

  buf_init(&text);
  buf_init(&why);
  if ((rc = fetch(t, "checkpoint", LEDGER_NOTE_MAX, &text)) != OK)
    goto out;
  if ((rc = app__load_verifier(q->key, LEDGER_KEY_ED25519, "key", &lv,
                               t->err)) != OK) {
    rc = t->err->code = ERR_USAGE;
    goto out;
  }
  rc = ledger_note_parse(text.data ? text.data : "", text.len, &note, &why);
  if (rc == OK)
    rc = ledger_note_verify(note, lv, NULL, &why);
  if (rc == OK) {
    body = ledger_note_text(note, &blen);
    rc = ledger_checkpoint_parse(body, blen, cp, &why);
  }
  if (rc != OK) {
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "key",
                   "FAILED: the checkpoint is not signed by %s: %s",
                   ledger_verifier_name(lv), why.data ? why.data : "");
    goto out;
  }
  free(t->res->note);
  t->res->note = xstrndup(text.data, text.len);
  need = q->quorum ? q->quorum : q->nwitnesses;
  for (size_t i = 0; i < q->nwitnesses && rc == OK; i++) {
    int r;
    ledger_verifier_free(wv);
    wv = NULL;
    if ((rc = app__load_verifier(q->witnesses[i], LEDGER_KEY_COSIGNATURE,
                                 "witness", &wv, t->err)) != OK) {
      rc = t->err->code = ERR_USAGE;
      break;
    }
    buf_reset(&why);
    r = ledger_note_verify(note, wv, NULL, &why);
    if (r == OK)
      t->res->cosigned++;
    else if (r != ERR_NOTFOUND)
      rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "witness",
                     "FAILED: the cosignature by %s does not verify",
                     ledger_verifier_name(wv));
  }
  if (rc == OK && t->res->cosigned < need)
    rc = app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "witness",
                   "FAILED: the checkpoint carries %zu valid cosignature%s of "
                   "the witnesses given, %zu needed",
                   t->res->cosigned, t->res->cosigned == 1 ? "" : "s", need);
out:
  ledger_verifier_free(lv);
  ledger_verifier_free(wv);
  ledger_note_free(note);
  buf_cleanup(&text);
  buf_cleanup(&why);
  return rc;
}

void
app_tiles_verify_result_cleanup(struct app_tiles_verify_result *r)
{
  if (r == NULL)
    return;
  free(r->origin);
  free(r->note);
  memset(r, 0, sizeof *r);
}

/* Every hash of every level was compared, and the root is the
 * checkpoint's. */
static int
check_end(struct tiles *t, struct ledger_frontier *f,
          const struct ledger_checkpoint *cp)
{
  uint8_t root[LEDGER_HASH_SIZE];

  ledger_frontier_root(f, root);
  for (int L = 0; L < LEVELS; L++)
    if (t->compared[L] != (L * 8 < 64 ? cp->size >> (8 * L) : 0))
      return app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                       "FAILED: %llu hashes of level %d checked, the tree "
                       "has %llu",
                       (unsigned long long)t->compared[L], L,
                       (unsigned long long)(cp->size >> (8 * L)));
  if (ledger_frontier_size(f) != cp->size ||
      memcmp(root, cp->root, LEDGER_HASH_SIZE) != 0)
    return app__fail(t->err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                     "FAILED: the tree rebuilt from the entries does not "
                     "have the checkpoint's root");
  return OK;
}

int
app_verify_tiles(const struct app_tiles_verify_query *q,
                 struct app_tiles_verify_result *out, struct app_error *err)
{
  struct tiles t;
  struct ledger_checkpoint cp;
  struct ledger_frontier *f = ledger_frontier_new();
  struct record rec;
  struct buf rb;
  int rc;

  memset(out, 0, sizeof *out);
  memset(&t, 0, sizeof t);
  memset(&cp, 0, sizeof cp);
  record_init(&rec, KIND_flow);
  if (q->tiles == NULL || q->key == NULL) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   q->tiles == NULL ? "tiles" : "key",
                   "--tiles needs the log's verifier key (--key VKEY)");
    goto out;
  }
  if (q->quorum > q->nwitnesses) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "quorum",
                   "--quorum %zu needs at least as many --witness keys",
                   q->quorum);
    goto out;
  }
  t.prefix = q->tiles;
  t.plen = strlen(q->tiles);
  while (t.plen > 1 && q->tiles[t.plen - 1] == '/')
    t.plen--;
  t.res = out;
  t.err = err;
  for (int L = 0; L < LEVELS; L++)
    buf_init(&t.held[L]);
  if (is_url(q->tiles) && (t.http = app__http_new()) == NULL) {
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, NULL, "%s",
                   app__http_failure());
    goto out;
  }
  if (t.http)
    app__http_set_token(t.http, q->token);
  if ((rc = check_checkpoint(&t, q, &cp)) != OK)
    goto out;
  t.size = cp.size;
  for (uint64_t b = 0; rc == OK && b * LEDGER_TILE_WIDTH < cp.size; b++) {
    rc = check_bundle(&t, b, f, &rec);
    if (q->progress)
      q->progress(q->ctx, ledger_frontier_size(f), cp.size);
  }
  if (rc == OK)
    rc = check_end(&t, f, &cp);
  if (rc != OK)
    app_tiles_verify_result_cleanup(out);
  if (rc == OK) {
    out->origin = xstrdup(cp.origin);
    out->size = cp.size;
    buf_init(&rb);
    util_base64_encode(&rb, cp.root, LEDGER_HASH_SIZE);
    snprintf(out->root, sizeof out->root, "%s", rb.data);
    buf_cleanup(&rb);
  }
out:
  for (int L = 0; L < LEVELS; L++)
    buf_cleanup(&t.held[L]);
  app__http_free(t.http);
  ledger_frontier_free(f);
  ledger_checkpoint_cleanup(&cp);
  record_cleanup(&rec);
  return rc;
}

int
app__tiles_entries(const char *prefix, const char *token, uint64_t size,
                   int (*fn)(void *ctx, uint64_t seq, const uint8_t *e,
                             size_t len),
                   void *ctx, struct app_error *err)
{
  struct app_tiles_verify_result res;
  struct tiles t;
  struct buf bundle;
  int rc = OK;

  memset(&t, 0, sizeof t);
  memset(&res, 0, sizeof res);
  t.prefix = prefix;
  t.plen = strlen(prefix);
  while (t.plen > 1 && prefix[t.plen - 1] == '/')
    t.plen--;
  t.size = size;
  t.res = &res;
  t.err = err;
  buf_init(&bundle);
  if (is_url(prefix) && (t.http = app__http_new()) == NULL)
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, NULL, "%s",
                   app__http_failure());
  if (t.http)
    app__http_set_token(t.http, token);
  for (uint64_t b = 0; rc == OK && b * LEDGER_TILE_WIDTH < size; b++) {
    struct ledger_tile bt = {LEDGER_TILE_ENTRIES, b, width_of(&t, 0, b)};
    const uint8_t *e;
    size_t pos = 0, len;
    uint64_t seq = b * LEDGER_TILE_WIDTH;

    if ((rc = fetch_tile(&t, &bt, &bundle)) != OK)
      break;
    while (rc == OK && seq < b * LEDGER_TILE_WIDTH + bt.width &&
           ledger_bundle_next(bundle.data, bundle.len, &pos, &e, &len) == OK)
      rc = fn(ctx, seq++, e, len);
    if (rc == OK && seq != b * LEDGER_TILE_WIDTH + bt.width)
      rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "tiles",
                     "FAILED: an entry bundle changed while it was read");
  }
  buf_cleanup(&bundle);
  app__http_free(t.http);
  return rc;
}
