/*
 * Copying a store into a new one, whatever the engines on either side
 * (SQLite to PostgreSQL and back): an older store's corridor in meta, the
 * tokens, then every entry in order, the corridor's rules through
 * store_put_corridor and the records through store_put, so that the
 * destination derives its query rows, corrections, rollups and tree
 * itself, as it would have ingesting the records, and the writer of each
 * entry beside it; then the
 * signed checkpoints and witnesses' cosignatures kept beside the log,
 * each checked by the destination against its own tree as any other is
 * (store_add_cosigned). Nothing derived is copied: what the copy holds is
 * what its own rules make of the same entries.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

/* The writers of the source, by sequence number. */
struct writers {
  uint64_t *seq;
  char **name;
  size_t n, cap, next;
};

static int
keep_writer(void *ctx, uint64_t seq, const char *name)
{
  struct writers *w = ctx;
  size_t cap = w->cap;

  w->seq = util_grow(w->seq, &cap, w->n + 1, sizeof *w->seq);
  cap = w->cap;
  w->name = util_grow(w->name, &cap, w->n + 1, sizeof *w->name);
  w->cap = cap;
  w->seq[w->n] = seq;
  w->name[w->n++] = xstrdup(name ? name : "");
  return OK;
}

static void
writers_free(struct writers *w)
{
  for (size_t i = 0; i < w->n; i++)
    free(w->name[i]);
  free(w->seq);
  free(w->name);
}

struct copy {
  struct store *src, *dst;
  struct writers w;
  struct record rec;
  struct buf err;
  void (*progress)(void *ctx, uint64_t done);
  void *ctx;
  int failed; /* the failure is the copy's (its message in dst) */
};

/*
 * A version of the corridor's rules (entry e): appended through
 * store_put_corridor, which checks it against the records copied so far
 * as it did in the source, and committed, so that the entries after it
 * are read by it. Its bytes are the canonical form of its rules and
 * number (store__corridor_parse refuses any other), so the copy's entry
 * is the source's byte for byte when its number is the next one.
 */
static int
copy_rules(struct copy *c, const struct store_entry *e, const char *writer)
{
  struct store_corridor_info in;
  struct corridor *rules = NULL;
  enum store_put_result res;
  unsigned version = 0, want = 1;
  int rc;

  if (store_corridor_version(c->dst, store_size(c->dst), &in) == OK)
    want = in.version + 1;
  rc = store__corridor_parse(e->bytes, e->len, e->seq, &version, &rules,
                             &c->err);
  if (rc == OK && version != want) {
    buf_reset(&c->err);
    buf_printf(&c->err, _("it is version %u of the rules where %u was due"),
               version, want);
    rc = ERR_INVALID;
  }
  if (rc != OK) {
    store__set_error(c->dst,
                     _("entry %llu of the source (the corridor's rules) cannot "
                       "be read: %s"),
                     (unsigned long long)e->seq,
                     c->err.data ? c->err.data : "");
    rc = ERR_VERIFY;
    goto out;
  }
  rc = store_put_corridor(c->dst, rules, &res);
  if (rc == OK && res != STORE_ADDED) {
    store__set_error(c->dst,
                     _("entry %llu of the source repeats the rules in force"),
                     (unsigned long long)e->seq);
    rc = ERR_VERIFY;
  }
  if (rc == OK && writer)
    rc = store_put_writer(c->dst, e->seq, writer);
  if (rc == OK && (rc = store_commit(c->dst)) == OK)
    rc = store_begin(c->dst);
out:
  corridor_free(rules);
  return rc;
}

static int
copy_entry(void *ctx, const struct store_entry *e)
{
  struct copy *c = ctx;
  enum store_put_result res;
  const char *writer = NULL;
  int rc;

  if (e->seq != store_size(c->dst)) {
    store__set_error(c->dst,
                     _("entry %llu of the source follows entry %llu: its log "
                       "has a gap (run 'passage verify' on it)"),
                     (unsigned long long)e->seq,
                     (unsigned long long)store_size(c->dst));
    return ERR_VERIFY;
  }
  while (c->w.next < c->w.n && c->w.seq[c->w.next] < e->seq)
    c->w.next++;
  if (c->w.next < c->w.n && c->w.seq[c->w.next] == e->seq)
    writer = c->w.name[c->w.next];
  record_reset(&c->rec);
  buf_reset(&c->err);
  if ((int)e->kind == STORE_KIND_CORRIDOR) {
    rc = copy_rules(c, e, writer);
    goto done;
  }
  store_set_writer(c->dst, writer);
  /* As the auditor reads it: what was valid when stored stays so. */
  if ((unsigned)e->kind >= KIND_COUNT ||
      record_from_json(&c->rec, (int)e->kind, NULL, e->bytes, e->len,
                       &c->err) != OK) {
    store__set_error(c->dst, _("entry %llu of the source cannot be read: %s"),
                     (unsigned long long)e->seq,
                     c->err.data ? c->err.data : _("unknown kind"));
    return ERR_VERIFY;
  }
  rc = store_put(c->dst, &c->rec, e->bytes, e->len, &res);
  if (rc == OK && res != STORE_ADDED) {
    store__set_error(c->dst,
                     _("entry %llu of the source repeats the id of an earlier "
                       "entry"),
                     (unsigned long long)e->seq);
    rc = ERR_VERIFY;
  }
done:
  if (rc == OK && c->progress && (e->seq + 1) % 65536 == 0)
    c->progress(c->ctx, e->seq + 1);
  c->failed = rc != OK;
  return rc;
}

static int
copy_token(void *ctx, const struct store_token *t)
{
  struct copy *c = ctx;

  return store_put_token(c->dst, t);
}

/* The cosignatures of one size, gathered to be stored with their note. */
struct cosigs {
  struct store_cosignature *c;
  size_t n, cap;
  struct buf text; /* the witnesses' names and lines, NUL-separated */
};

static int
keep_cosig(void *ctx, const struct store_cosignature *c)
{
  struct cosigs *g = ctx;

  g->c = util_grow(g->c, &g->cap, g->n + 1, sizeof *g->c);
  g->c[g->n] = *c;
  /* Offsets for now: the buffer may move while it grows. */
  g->c[g->n].witness = (const char *)(uintptr_t)g->text.len;
  buf_append(&g->text, c->witness, strlen(c->witness) + 1);
  g->c[g->n].line = (const char *)(uintptr_t)g->text.len;
  buf_append(&g->text, c->line, strlen(c->line) + 1);
  g->n++;
  return OK;
}

/* The checkpoint of size (or the latest) and its cosignatures, copied. */
static int
copy_checkpoint(struct store *src, struct store *dst, uint64_t size, int latest,
                uint64_t *got)
{
  struct cosigs g = {0};
  struct buf note;
  int rc;

  buf_init(&note);
  buf_init(&g.text);
  rc = store_get_checkpoint(src, size, latest, got, &note);
  if (rc == OK)
    rc = store_each_cosignature(src, *got, keep_cosig, &g);
  if (rc != OK) {
    if (rc != ERR_NOTFOUND)
      store__set_error(dst, "%s", store_errmsg(src));
    goto out;
  }
  for (size_t i = 0; i < g.n; i++) {
    g.c[i].witness = g.text.data + (uintptr_t)g.c[i].witness;
    g.c[i].line = g.text.data + (uintptr_t)g.c[i].line;
  }
  rc = store_add_cosigned(dst, note.data ? note.data : "", note.len, g.c, g.n);
out:
  free(g.c);
  buf_cleanup(&g.text);
  buf_cleanup(&note);
  return rc;
}

/* Every cosigned checkpoint of the source, by size, then its latest
 * (which may have none yet). */
static int
copy_checkpoints(struct store *src, struct store *dst)
{
  uint64_t size = 0, got = 0;
  int rc;

  while ((rc = store_next_cosigned(src, size, &size)) == OK) {
    if ((rc = copy_checkpoint(src, dst, size, 0, &got)) != OK)
      return rc;
    size++;
  }
  if (rc != ERR_NOTFOUND) {
    store__set_error(dst, "%s", store_errmsg(src));
    return rc;
  }
  rc = copy_checkpoint(src, dst, 0, 1, &got);
  return rc == ERR_NOTFOUND ? OK : rc;
}

/*
 * An older store's corridor is in meta only (schema 5 and before, until
 * its first amendment): the copy keeps it there too, so that its entries
 * are read by the same rules and the log stays the same byte for byte.
 */
static int
copy_meta_corridor(struct store *src, struct store *dst)
{
  static const char *const keys[] = {"corridor", "corridor_file",
                                     "corridor_name"};
  char *value = NULL;
  int rc;

  if (src->nversions == 0 || !src->versions[0].meta)
    return OK;
  if ((rc = store_begin(dst)) != OK)
    return rc;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0] && rc == OK; i++) {
    rc = src->be->get_meta(src->db, keys[i], &value);
    if (rc == OK)
      rc = dst->be->set_meta(dst->db, keys[i], value);
    else if (rc == ERR_NOTFOUND)
      rc = OK;
    else
      store__set_error(dst, "%s", store_errmsg(src));
    free(value);
    value = NULL;
  }
  if (rc != OK) {
    store_rollback(dst);
    return rc;
  }
  if ((rc = store_commit(dst)) != OK)
    return rc;
  return store__load_versions(dst);
}

int
store_copy(struct store *src, struct store *dst,
           void (*progress)(void *ctx, uint64_t done), void *ctx)
{
  struct copy c = {.src = src, .dst = dst, .progress = progress, .ctx = ctx};
  int rc;

  if (store_corridor(dst) != NULL || store_size(dst) != 0) {
    store__set_error(dst, _("%s holds a store already: copy into a new one"),
                     dst->path);
    return ERR_EXISTS;
  }
  if (store_corridor(src) == NULL) {
    store__set_error(dst, _("%s is not initialised: there is nothing to copy"),
                     src->path);
    return ERR_NOTFOUND;
  }
  record_init(&c.rec, KIND_flow);
  buf_init(&c.err);
  /* One snapshot of the source, whatever its servers append meanwhile. */
  if ((rc = store_read_begin(src)) != OK) {
    store__set_error(dst, "%s", store_errmsg(src));
    goto out;
  }
  rc = copy_meta_corridor(src, dst);
  if (rc == OK) {
    rc = store_each_token(src, copy_token, &c);
    if (rc != OK && store_errmsg(dst)[0] == '\0')
      store__set_error(dst, "%s", store_errmsg(src));
  }
  if (rc == OK && (rc = store_each_writer(src, keep_writer, &c.w)) != OK)
    store__set_error(dst, "%s", store_errmsg(src));
  if (rc == OK)
    rc = store_begin(dst);
  if (rc == OK) {
    rc = store_each_entry(src, -1, 0, store_size(src), copy_entry, &c);
    if (rc != OK && !c.failed)
      store__set_error(dst, "%s", store_errmsg(src));
    store_set_writer(dst, NULL);
    if (rc == OK)
      rc = store_commit(dst);
    else if (dst->in_tx)
      store_rollback(dst);
  }
  if (rc == OK && store_size(dst) != store_size(src)) {
    store__set_error(dst, _("the copy holds %llu entries, the source %llu"),
                     (unsigned long long)store_size(dst),
                     (unsigned long long)store_size(src));
    rc = ERR_VERIFY;
  }
  if (rc == OK)
    rc = copy_checkpoints(src, dst);
  if (rc == OK && progress)
    progress(ctx, store_size(dst));
  store_read_end(src);
out:
  writers_free(&c.w);
  record_cleanup(&c.rec);
  buf_cleanup(&c.err);
  return rc;
}
