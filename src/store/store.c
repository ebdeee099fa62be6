/*
 * The store's front: the rules that hold whatever engine stands behind it.
 * It picks the backend by the location's scheme, checks the schema's
 * version, keeps the corridor (meta) and the tree size, runs transactions
 * and reads through struct store_backend (backend.h). The write path is in
 * put.c, reading as of a tree size in asof.c, the auditor in audit.c, the
 * rollups in rollup.c; every line of SQL is in sqlite/.
 */
#include "store/store_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

const char *const store_dim_names[DIM_COUNT] = {
    "day",       "week",    "month",    "year",     "checkpoint",
    "direction", "vehicle", "category", "operator", "purpose",
    "source",    "grade",   "stage",    "outcome"};
const char *const store_measure_names[M_COUNT] = {"records", "vehicles",
                                                  "persons", "tonnes"};

/*
 * The backends by the scheme of a location. A location without a scheme is
 * a SQLite path. strip: the backend gets what follows the prefix (a path)
 * rather than the whole location (a URL its library parses). be NULL: a
 * backend not built yet, refused with why.
 */
static const struct scheme {
  const char *prefix;
  int strip;
  const struct store_backend *be;
  const char *why;
} schemes[] = {
    {"sqlite://", 1, &store__sqlite_backend, NULL},
    {"sqlite:", 1, &store__sqlite_backend, NULL},
    {"postgresql://", 0, &store__postgres_backend, NULL},
    {"postgres://", 0, &store__postgres_backend, NULL},
};

/* A URL's scheme: letters, digits, '+', '-', '.' after a letter, then
 * "://". A path such as "a:b.db" has none. */
static size_t
scheme_length(const char *s)
{
  size_t n = 0;

  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return 0;
  while (s[n] && strchr("abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.",
                        s[n]))
    n++;
  return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

static int
pick_backend(const char *location, const struct store_backend **be,
             const char **where, struct buf *err)
{
  size_t n;

  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
    const struct scheme *s = &schemes[i];
    size_t len = strlen(s->prefix);
    if (strncmp(location, s->prefix, len) != 0)
      continue;
    if (s->be == NULL) {
      buf_printf(err,
                 _("%s: name a SQLite file with --db PATH or PASSAGE_DB "
                   "instead"),
                 s->why);
      return ERR_USAGE;
    }
    *be = s->be;
    *where = s->strip ? location + len : location;
    if (**where == '\0') {
      buf_printf(err, _("'%s' names no store: give a path after '%s'"),
                 location, s->prefix);
      return ERR_USAGE;
    }
    return OK;
  }
  if ((n = scheme_length(location)) > 0) {
    buf_printf(err,
               _("unknown kind of store '%.*s://': use a path, sqlite:PATH or "
                 "postgresql://..."),
               (int)n, location);
    return ERR_USAGE;
  }
  *be = &store__sqlite_backend;
  *where = location;
  return OK;
}

char *
store_file_path(const char *location)
{
  const struct store_backend *be = NULL;
  const char *where = NULL;
  struct buf err;
  char *path = NULL;

  buf_init(&err);
  if (pick_backend(location, &be, &where, &err) == OK &&
      be == &store__sqlite_backend)
    path = xstrdup(where);
  buf_cleanup(&err);
  return path;
}

/*
 * Migrations run in order inside one transaction; each backend knows its
 * own steps (store_backend.upgrade). Version 1 is the first.
 */
static int
migrate(struct store *st, int from)
{
  int rc;

  if (from > STORE_SCHEMA_VERSION) {
    store__set_error(st,
                     _("%s was written by a newer Passage (schema %d, this one "
                       "knows %d)"),
                     st->path, from, STORE_SCHEMA_VERSION);
    return ERR_STORE;
  }
  if (from == STORE_SCHEMA_VERSION)
    return OK;
  if ((rc = st->be->begin(st->db)) != OK)
    return rc;
  for (int v = from; v < STORE_SCHEMA_VERSION && rc == OK; v++)
    rc = st->be->upgrade(st->db, v);
  if (rc == OK && (rc = st->be->commit(st->db)) == OK) {
    /* The day cells (schema 7, 8 on PostgreSQL) are built once the rules
     * are read, unless they are kept already (store__cells_build_all). */
    st->cells_due = from < 8;
    return OK;
  }
  st->be->rollback(st->db);
  return rc;
}

/* The schema: made in a new store, migrated in an old one, refused in what
 * is not a store. *fresh tells that it was just made. */
static int
check_schema(struct store *st, int create, int *fresh)
{
  int version = 0, empty = 0;
  int rc;

  *fresh = 0;
  if ((rc = st->be->schema_version(st->db, &version, &empty)) != OK)
    return rc;
  if (version != 0)
    return migrate(st, version);
  if (!empty) {
    store__set_error(st, _("%s is not a Passage store"), st->path);
    return ERR_STORE;
  }
  if (!create) {
    store__set_error(st, _("%s is not initialised: run 'passage init'"),
                     st->path);
    return ERR_NOTFOUND;
  }
  *fresh = 1;
  return st->be->create_schema(st->db);
}

int
store_open(const char *location, int create, struct store **out,
           struct buf *err)
{
  struct store_options o = {create, 0, 0, 0, 0};

  return store_open_with(location, &o, out, err);
}

int
store_open_with(const char *location, const struct store_options *opts,
                struct store **out, struct buf *err)
{
  static const struct store_options defaults = {0, 0, 0, 0, 0};
  const struct store_options *o = opts ? opts : &defaults;
  const struct store_backend *be = NULL;
  const char *where = NULL;
  struct store *st = NULL;
  int fresh = 0, opened;
  int rc;

  *out = NULL;
  if ((rc = pick_backend(location, &be, &where, err)) != OK)
    return rc;
  st = xcalloc(1, sizeof *st);
  buf_init(&st->err);
  st->be = be;
  st->path = xstrdup(where);
  st->rollup = rollup_new();
  st->day_cache_bytes = o->day_cache_bytes;
  st->hold_bytes = o->hold_bytes ? o->hold_bytes : STORE_HOLD_BYTES;
  rc = be->open(where, o, &st->err, &st->db);
  opened = rc == OK; /* a full disk at open says all itself */
  if (rc == OK)
    rc = check_schema(st, o->create, &fresh);
  if (rc == OK)
    rc = be->size(st->db, &st->size);
  if (rc == OK && !fresh) {
    rc = store__load_versions(st);
    if (rc == ERR_NOTFOUND && o->create)
      rc = OK; /* init will store it */
  }
  if (rc == OK && st->cells_due) {
    /* A migrated store's day cells, from its records, in a transaction
     * of their own. A failure (another writer holding the store, say)
     * leaves none, which is no error: readers build days, and the next
     * write builds them all (meta names no rules). */
    st->cells_due = 0;
    if (store__cells_build_all(st) != OK)
      buf_reset(&st->err);
  }
  if (rc == ERR_NOSPACE && opened)
    store__say_full(st);
  if (rc != OK) {
    buf_puts(err, st->err.data ? st->err.data : util_strerror(rc));
    goto out;
  }
  *out = st;
  st = NULL;
out:
  store_close(st);
  return rc;
}

size_t
store_engine_memory(struct store *st)
{
  return st->be->engine_memory ? st->be->engine_memory() : 0;
}

void
store_page_cache(struct store *st, unsigned kib)
{
  if (st->be->page_cache)
    st->be->page_cache(st->db, kib);
}

void
store_close(struct store *st)
{
  if (st == NULL)
    return;
  if (st->in_tx)
    store_rollback(st);
  if (st->reading > 0) {
    st->reading = 1;
    store_read_end(st);
  }
  if (st->db)
    st->be->close(st->db);
  store__versions_free(st);
  ledger_frontier_free(st->frontier);
  rollup_free(st->rollup);
  store__cells_free(st);
  buf_cleanup(&st->err);
  free(st->path);
  free(st->writer);
  free(st);
}

void
store__set_error(struct store *st, const char *fmt, ...)
{
  va_list ap;

  buf_reset(&st->err);
  va_start(ap, fmt);
  buf_vprintf(&st->err, fmt, ap);
  va_end(ap);
}

const char *
store_errmsg(const struct store *st)
{
  return st->err.data ? st->err.data : "";
}

int
store_init(struct store *st, const char *name, const char *text)
{
  enum store_put_result result;
  struct corridor *c = NULL;
  struct buf e;
  int rc;

  if (st->nversions > 0) {
    store__set_error(st, _("%s is already initialised"), st->path);
    return ERR_EXISTS;
  }
  buf_init(&e);
  if (text) {
    rc = corridor_parse(name, text, strlen(text), &c, &e);
    if (rc != OK) {
      store__set_error(st, "%s", e.data ? e.data : _("invalid corridor file"));
      buf_cleanup(&e);
      return rc;
    }
  } else {
    c = corridor_new_default("corridor");
  }
  buf_cleanup(&e);
  /* The rules are entry 0, before anything that they govern. */
  rc = store_begin(st);
  if (rc == OK && st->size != 0) {
    store__set_error(st, _("%s holds entries but no corridor"), st->path);
    rc = ERR_STORE;
  }
  if (rc == OK)
    rc = store_put_corridor(st, c, &result);
  if (rc == OK)
    rc = store_commit(st);
  else if (st->in_tx)
    store_rollback(st);
  corridor_free(c);
  return rc;
}

/*
 * The ledger reads this store's tree through the backend. Both reads are
 * on the path of every proof: the backends keep their statements prepared
 * (bench/bench_ledger, docs/BENCHMARKS.md).
 */
static int
src_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  struct store *st = ctx;

  return st->be->leaves(st->db, start, n, out);
}

static int
src_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
  struct store *st = ctx;

  return st->be->get_node(st->db, level, index, out);
}

void
store_ledger_source(struct store *st, struct ledger_source *src)
{
  src->ctx = st;
  src->leaves = src_leaves;
  src->node = src_node;
}

/* What other handles committed: the size, and the corridor's new
 * versions when the size moved (an amendment is an entry) or none was
 * loaded yet. */
static int
refresh(struct store *st)
{
  uint64_t size;
  int rc;

  if ((rc = st->be->size(st->db, &size)) != OK)
    return rc;
  if (size != st->size || st->corridor == NULL) {
    rc = store__refresh_versions(st);
    if (rc != OK && !(rc == ERR_NOTFOUND && st->nversions == 0))
      return rc;
    ledger_frontier_free(st->frontier);
    st->frontier = NULL;
  }
  st->size = size;
  return OK;
}

int
store_refresh(struct store *st)
{
  if (st->in_tx || st->reading > 0)
    return OK; /* the transaction's own view stays */
  return refresh(st);
}

int
store_read_begin(struct store *st)
{
  int rc;

  if (st->reading++ > 0 || st->in_tx)
    return OK; /* the outer transaction is the snapshot */
  if ((rc = st->be->read_begin(st->db)) != OK) {
    st->reading = 0;
    return rc;
  }
  st->read_tx = 1;
  if ((rc = refresh(st)) != OK) {
    st->be->read_end(st->db);
    st->read_tx = 0;
    st->reading = 0;
  }
  return rc;
}

void
store_read_end(struct store *st)
{
  if (st->reading == 0 || --st->reading > 0 || !st->read_tx)
    return;
  st->be->read_end(st->db);
  st->read_tx = 0;
}

/* Gives back what a begin that failed took. Reading the size again may
 * fail in turn (a connection lost): the message still says why the
 * transaction could not start. */
static void
begin_failed(struct store *st)
{
  struct buf keep;

  buf_init(&keep);
  buf_puts(&keep, store_errmsg(st));
  st->be->rollback(st->db);
  st->be->size(st->db, &st->size);
  store__set_error(st, "%s", keep.data ? keep.data : "");
  buf_cleanup(&keep);
}

int
store_begin(struct store *st)
{
  const struct store_backend *be = st->be;
  struct ledger_source src;
  int rc;

  if (st->in_tx || st->read_tx) {
    store__set_error(st, _("a transaction is open already on this handle"));
    return ERR_USAGE;
  }
  if ((rc = be->begin(st->db)) != OK)
    return rc;
  if ((rc = be->size(st->db, &st->size)) != OK)
    goto fail;
  rollup_clear(st->rollup);
  ledger_frontier_free(st->frontier);
  st->frontier = ledger_frontier_new();
  store_ledger_source(st, &src);
  rc = ledger_frontier_load(st->frontier, &src, st->size);
  if (rc != OK) {
    /* A connection lost while reading is no damage: the backend's
     * message says so, and the caller may begin again. */
    if (rc != ERR_RETRY)
      store__set_error(st, _("cannot resume the Merkle tree: the log is "
                             "damaged (run 'passage verify')"));
    goto fail;
  }
  if ((rc = store__cells_begin(st)) != OK)
    goto fail;
  st->in_tx = 1;
  st->tx_failed = OK;
  st->tx_bytes = 0;
  return OK;
fail:
  begin_failed(st);
  return rc;
}

/*
 * After a full disk, once the transaction is rolled back (and the backend
 * has given back what it held for it): what the transaction needed, its
 * entries' bytes times what the store and its write-ahead log take per
 * byte of entry (STORE_BYTES_PER_BYTE, docs/operating.md), against the
 * space now free, and what to do, said after the backend's message.
 */
void
store__say_full(struct store *st)
{
  char need[32], left[32];
  uint64_t free_bytes = 0;

  util_free_space(st->path, &free_bytes);
  util_format_bytes(free_bytes, left, sizeof left);
  if (st->tx_bytes > 0) {
    util_format_bytes(st->tx_bytes * STORE_BYTES_PER_BYTE, need, sizeof need);
    buf_printf(&st->err,
               free_bytes == 1
                   ? _("; it needed about %s (%llu bytes of entries and what "
                       "the store keeps beside them), and %s is free")
                   : _("; it needed about %s (%llu bytes of entries and what "
                       "the store keeps beside them), and %s are free"),
               need, (unsigned long long)st->tx_bytes, left);
  } else {
    buf_printf(&st->err,
               free_bytes == 1 ? _("; %s is free") : _("; %s are free"), left);
  }
  buf_puts(&st->err, _(": free some space, or move the store to a larger "
                       "disk, and run the command again"));
}

int
store__tx_error(struct store *st, int rc)
{
  if ((rc == ERR_RETRY || rc == ERR_NOSPACE) && st->in_tx &&
      st->tx_failed == OK) {
    struct buf keep;
    uint64_t bytes = st->tx_bytes;
    buf_init(&keep);
    buf_puts(&keep, store_errmsg(st));
    store_rollback(st);
    st->in_tx = 1; /* until store_commit or store_rollback */
    st->tx_failed = rc;
    store__set_error(st, "%s", keep.data ? keep.data : "");
    st->tx_bytes = bytes;
    if (rc == ERR_NOSPACE)
      store__say_full(st);
    buf_cleanup(&keep);
  }
  return rc;
}

static int
flush_row(void *ctx, const struct flow_row *row)
{
  struct store *st = ctx;

  return st->be->add_flow_day(st->db, row);
}

int
store__tx_spill(struct store *st)
{
  int rc;

  if (rollup_count(st->rollup) * 512 >= st->hold_bytes) {
    /* The rows are sums added to what is stored (add_flow_day): written
     * now or at commit, the stored rows come out the same. */
    if ((rc = rollup_each_sorted(st->rollup, flush_row, st)) != OK)
      return rc;
    rollup_clear(st->rollup);
  }
  return store__cells_spill(st);
}

int
store_commit(struct store *st)
{
  int rc;

  if (!st->in_tx)
    return ERR_USAGE;
  if (st->tx_failed != OK) {
    rc = st->tx_failed;
    st->in_tx = 0;
    st->tx_failed = OK;
    return rc;
  }
  if ((rc = rollup_each_sorted(st->rollup, flush_row, st)) != OK)
    goto fail;
  if ((rc = store__cells_flush(st)) != OK)
    goto fail;
  if ((rc = st->be->commit(st->db)) != OK)
    goto fail;
  store__cells_committed(st);
  st->in_tx = 0;
  rollup_clear(st->rollup);
  if (st->tx_corridor) {
    /* The version appended is the one in force from now on. */
    st->tx_corridor = 0;
    return store__refresh_versions(st);
  }
  return OK;
fail:
  store_rollback(st);
  if (rc == ERR_NOSPACE)
    store__say_full(st);
  return rc;
}

void
store_rollback(struct store *st)
{
  if (st->tx_failed == OK)
    st->be->rollback(st->db);
  st->in_tx = 0;
  st->tx_failed = OK;
  st->tx_corridor = 0;
  rollup_clear(st->rollup);
  store__cells_rollback(st);
  ledger_frontier_free(st->frontier);
  st->frontier = NULL;
  st->be->size(st->db, &st->size);
}

int
store_has(struct store *st, enum record_kind kind, const char *id)
{
  struct store_entry e;
  int rc = st->be->get_entry(st->db, kind, id, &e);

  return rc == OK ? 1 : rc == ERR_NOTFOUND ? 0 : rc;
}

int
store_superseded_by(struct store *st, enum record_kind kind, const char *id,
                    uint64_t *by)
{
  *by = 0;
  return st->be->get_supersede(st->db, kind, id, by);
}

int
store_get_entry(struct store *st, enum record_kind kind, const char *id,
                struct store_entry *out)
{
  return st->be->get_entry(st->db, kind, id, out);
}

int
store_find_entry(struct store *st, int kind, const char *id, uint64_t *seq)
{
  int found = 0, rc = OK;

  *seq = 0;
  for (int k = kind < 0 ? 0 : kind; k < (kind < 0 ? KIND_COUNT : kind + 1);
       k++) {
    struct store_entry e;
    rc = st->be->get_entry(st->db, (enum record_kind)k, id, &e);
    if (rc == ERR_NOTFOUND) {
      rc = OK;
      continue;
    }
    if (rc != OK)
      return rc;
    if (found++ == 0)
      *seq = e.seq;
  }
  if (found == 0)
    return ERR_NOTFOUND;
  if (found > 1) {
    *seq = 0;
    return ERR_CONFLICT;
  }
  return OK;
}

struct names {
  void (*fn)(void *ctx, const char *id, const char *name);
  void *ctx;
};

static int
each_name(void *ctx, const char *id, const char *name)
{
  struct names *n = ctx;

  n->fn(n->ctx, id, name);
  return OK;
}

int
store_each_name(struct store *st, enum record_kind kind,
                void (*fn)(void *ctx, const char *id, const char *name),
                void *ctx)
{
  struct names n = {fn, ctx};

  return st->be->each_name(st->db, kind, each_name, &n);
}

uint64_t
store_size(struct store *st)
{
  return st->size;
}

int
store_each_entry(struct store *st, int kind, uint64_t start, uint64_t end,
                 int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  return st->be->each_entry(st->db, kind, start, end, fn, ctx);
}

int
store_each_flow_day(struct store *st, int64_t from_day, int64_t to_day,
                    int (*fn)(void *ctx, const struct flow_row *row), void *ctx)
{
  return st->be->each_flow_day(st->db, from_day, to_day, fn, ctx);
}

int
store_flow_day_span(struct store *st, int64_t *first, int64_t *last)
{
  *first = *last = 0;
  return st->be->flow_day_span(st->db, first, last);
}

const char *
store_backend_name(const struct store *st)
{
  return st->be->name;
}

int
store_expect(struct store *st, size_t n, const enum record_kind *kinds,
             const char *const *ids)
{
  if (!st->in_tx || st->tx_failed != OK || st->be->expect == NULL)
    return OK;
  return store__tx_error(st, st->be->expect(st->db, n, kinds, ids));
}

int
store_grant(struct store *st, const char *role)
{
  if (st->be->grant == NULL) {
    store__set_error(st,
                     _("a %s store has no roles to grant: who may write it is "
                       "who may write its file"),
                     st->be->name);
    return ERR_USAGE;
  }
  if (st->in_tx || st->read_tx) {
    store__set_error(st, _("a transaction is open already on this handle"));
    return ERR_USAGE;
  }
  return st->be->grant(st->db, role);
}
