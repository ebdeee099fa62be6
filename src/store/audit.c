/*
 * The store's auditor: derives again, from the entries alone, everything the
 * store keeps beside them, and compares. Whatever was edited behind the
 * program's back (an entry's bytes or hash, a deleted or reordered entry, a
 * query row, a tree node, a rollup) shows up as a difference, named by the
 * first entry it concerns.
 */
#include "store/store_int.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

struct audit {
  struct store *st;
  sqlite3 *db;
  sqlite3_stmt *row[KIND_COUNT];
  sqlite3_stmt *cargo, *node, *sup, *target;
  struct ledger_frontier *frontier;
  struct rollup *rollup;
  struct record rec;
  struct buf canon, err;
  uint64_t next, bad, nodes, cargo_lines, corrections;
  uint64_t per_kind[KIND_COUNT];
  const struct store_entry *e;
  int failed;
};

static int problem(struct audit *a, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
problem(struct audit *a, uint64_t seq, const char *fmt, ...)
{
  struct buf b;
  va_list ap;

  buf_init(&b);
  if (a->e && seq != UINT64_MAX)
    buf_printf(&b, "entry %llu (%s '%s'): ", (unsigned long long)seq,
               (unsigned)a->e->kind < KIND_COUNT
                   ? record_kind_desc(a->e->kind)->name
                   : "unknown kind",
               a->e->id ? a->e->id : "");
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  store__set_error(a->st, "%s", b.data);
  buf_cleanup(&b);
  a->bad = seq;
  a->failed = 1;
  return ERR_VERIFY;
}

static int
prep(struct audit *a, const char *sql, sqlite3_stmt **s)
{
  if (sqlite3_prepare_v2(a->db, sql, -1, s, NULL) != SQLITE_OK)
    return problem(a, UINT64_MAX, "the store cannot be read: %s",
                   sqlite3_errmsg(a->db));
  return OK;
}

struct node_check {
  struct audit *a;
  uint64_t seq;
};

/* Each node the recomputed tree completes must be stored as it is. */
static int
check_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
  struct node_check *nc = ctx;
  struct audit *a = nc->a;
  sqlite3_stmt *s = a->node;
  int ok;

  a->nodes++;
  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, (int)level);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)index);
  ok = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32 &&
       memcmp(sqlite3_column_blob(s, 0), hash, 32) == 0;
  sqlite3_reset(s);
  if (!ok)
    return problem(a, nc->seq,
                   "the stored tree node (level %u, index %llu) that this "
                   "entry completes is missing or differs",
                   level, (unsigned long long)index);
  return OK;
}

static int
same_text(sqlite3_stmt *s, int col, const char *want)
{
  const char *got = (const char *)sqlite3_column_text(s, col);

  if (want == NULL)
    return sqlite3_column_type(s, col) == SQLITE_NULL;
  return got && strcmp(got, want) == 0;
}

static int
same_num(sqlite3_stmt *s, int col, const struct record_value *v)
{
  if (!v->set)
    return sqlite3_column_type(s, col) == SQLITE_NULL;
  return sqlite3_column_type(s, col) != SQLITE_NULL &&
         sqlite3_column_double(s, col) == v->num;
}

static int
check_query_row(struct audit *a, uint64_t seq)
{
  const struct record *r = &a->rec;
  const struct kind_desc *k = r->kind;
  sqlite3_stmt *s = a->row[k->kind];
  int col = 1, rc = OK;

  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return problem(a, seq, "its row in the %s table is missing", k->name);
  }
  for (size_t i = 0; i < k->nfields && rc == OK; i++) {
    const struct field_desc *f = &k->fields[i];
    const struct record_value *v = &r->v[i];
    int ok;
    if (f->flags & (FF_CARGO | FF_INPUT))
      continue;
    if (f->type == FT_COUNT || f->type == FT_NUMBER) {
      ok = same_num(s, col++, v);
    } else {
      ok = same_text(s, col++, record_text(r, v));
      if (ok && f->type == FT_TIME) {
        int64_t b = 0, e = 0;
        if (v->set)
          record_time_bounds(record_text(r, v), store__tz_offset, NULL, &b, &e);
        ok = v->set ? sqlite3_column_int64(s, col) == b &&
                          sqlite3_column_int64(s, col + 1) == e
                    : sqlite3_column_type(s, col) == SQLITE_NULL;
        col += 2;
      }
    }
    if (!ok)
      rc = problem(a, seq, "the %s table differs from the entry in field '%s'",
                   k->name, f->name);
  }
  sqlite3_reset(s);
  if (rc != OK || k->kind != KIND_flow)
    return rc;

  s = a->cargo;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
  for (size_t i = 0; i <= r->ncargo && rc == OK; i++) {
    int step = sqlite3_step(s);
    if (i == r->ncargo) {
      if (step == SQLITE_ROW)
        rc = problem(a, seq, "it has more cargo lines stored than it holds");
      break;
    }
    const struct cargo_line *c = &r->cargo[i];
    double t = record_cargo_tonnes(r, i);
    if (step != SQLITE_ROW || sqlite3_column_int(s, 0) != (int)i ||
        !same_text(s, 1, record_text(r, &c->category)) ||
        !same_num(s, 2, &c->quantity) ||
        !same_text(s, 3, record_text(r, &c->unit)) ||
        (t >= 0 ? sqlite3_column_double(s, 4) != t
                : sqlite3_column_type(s, 4) != SQLITE_NULL))
      rc = problem(a, seq, "its cargo line %zu differs from the stored one", i);
  }
  a->cargo_lines += r->ncargo;
  sqlite3_reset(s);
  return rc;
}

/* The correction this entry makes is recorded, and its flows left the
 * rollups. */
static int
check_correction(struct audit *a, uint64_t seq, const char *target)
{
  sqlite3_stmt *s = a->sup;
  int ok, rc = OK;

  a->corrections++;
  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, a->rec.kind->kind);
  sqlite3_bind_text(s, 2, target, -1, SQLITE_TRANSIENT);
  ok = sqlite3_step(s) == SQLITE_ROW &&
       (uint64_t)sqlite3_column_int64(s, 0) == seq;
  sqlite3_reset(s);
  if (!ok)
    return problem(a, seq, "its correction of '%s' is not recorded as such",
                   target);
  if (a->rec.kind->kind != KIND_flow)
    return OK;
  s = a->target;
  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, KIND_flow);
  sqlite3_bind_text(s, 2, target, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    return problem(a, seq, "it corrects '%s', which no earlier entry holds",
                   target);
  }
  {
    struct record old;
    struct buf e;
    record_init(&old, KIND_flow);
    buf_init(&e);
    if (record_from_json(&old, KIND_flow, NULL, sqlite3_column_blob(s, 0),
                         (size_t)sqlite3_column_bytes(s, 0), &e) == OK)
      rollup_add_record(a->rollup, &old, -1, store__tz_offset);
    else
      rc = problem(a, seq, "the record it corrects cannot be read");
    record_cleanup(&old);
    buf_cleanup(&e);
  }
  sqlite3_reset(s);
  return rc;
}

static int
check_entry(void *ctx, const struct store_entry *e)
{
  struct audit *a = ctx;
  struct node_check nc = {a, e->seq};
  uint8_t hash[LEDGER_HASH_SIZE];
  const char *target;
  int rc;

  a->e = e;
  if (e->seq != a->next) {
    char kind[32];
    snprintf(kind, sizeof kind, "%s",
             (unsigned)e->kind < KIND_COUNT ? record_kind_desc(e->kind)->name
                                            : "?");
    a->e = NULL;
    return problem(a, a->next,
                   "entry %llu is missing: the next entry stored is number "
                   "%llu (%s '%s'); entries were deleted or renumbered",
                   (unsigned long long)a->next, (unsigned long long)e->seq,
                   kind, e->id ? e->id : "");
  }
  a->next++;
  if ((unsigned)e->kind >= KIND_COUNT)
    return problem(a, e->seq, "it has an unknown kind (%d)", (int)e->kind);
  ledger_leaf_hash(e->bytes, e->len, hash);
  if (e->hash == NULL || memcmp(hash, e->hash, LEDGER_HASH_SIZE) != 0)
    return problem(a, e->seq,
                   "its bytes do not match its leaf hash: the record was "
                   "edited");
  buf_reset(&a->err);
  record_reset(&a->rec);
  if (record_from_json(&a->rec, (int)e->kind, NULL, e->bytes, e->len,
                       &a->err) != OK)
    return problem(a, e->seq, "its bytes are not a valid record: %s",
                   a->err.data ? a->err.data : "");
  buf_reset(&a->canon);
  record_canonical(&a->rec, &a->canon);
  if (a->canon.len != e->len || memcmp(a->canon.data, e->bytes, e->len) != 0)
    return problem(a, e->seq, "its bytes are not in canonical form");
  if (record_get(&a->rec, "id") == NULL ||
      strcmp(record_get(&a->rec, "id"), e->id ? e->id : "") != 0)
    return problem(a, e->seq, "its id column differs from its bytes");
  a->per_kind[e->kind]++;
  if ((rc = ledger_frontier_append(a->frontier, hash, check_node, &nc)) != OK)
    return rc;
  if ((rc = check_query_row(a, e->seq)) != OK)
    return rc;
  target = record_get(&a->rec, "supersedes");
  if (target && (rc = check_correction(a, e->seq, target)) != OK)
    return rc;
  if (e->kind == KIND_flow)
    rollup_add_record(a->rollup, &a->rec, 1, store__tz_offset);
  return OK;
}

static int64_t
count(struct audit *a, const char *sql)
{
  sqlite3_stmt *s = NULL;
  int64_t n = -1;

  if (sqlite3_prepare_v2(a->db, sql, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static int
negate_stored(void *ctx, const struct flow_row *row)
{
  rollup_add_row(ctx, row, -1);
  return OK;
}

static int
near_zero(void *ctx, const struct flow_row *row)
{
  struct audit *a = ctx;
  char day[16];

  for (int m = 0; m < M_ALL; m++) {
    if (fabs(row->m[m]) > 1e-6) {
      util_format_day(row->day, day, sizeof day);
      a->e = NULL;
      return problem(a, UINT64_MAX,
                     "the daily rollup of %s at %s (%s) differs from the "
                     "flows by %g %s",
                     day, row->dim[DIM_CHECKPOINT], row->dim[DIM_DIRECTION],
                     row->m[m],
                     m < M_COUNT ? store_measure_names[m] : "counted records");
    }
  }
  return OK;
}

static int
check_totals(struct audit *a)
{
  char sql[128];

  a->e = NULL;
  for (int k = 0; k < KIND_COUNT; k++) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
             record_kind_desc((enum record_kind)k)->name);
    if (count(a, sql) != (int64_t)a->per_kind[k])
      return problem(
          a, UINT64_MAX, "the %s table has %lld rows for %llu entries",
          record_kind_desc((enum record_kind)k)->name, (long long)count(a, sql),
          (unsigned long long)a->per_kind[k]);
  }
  if (count(a, "SELECT count(*) FROM flow_cargo") != (int64_t)a->cargo_lines)
    return problem(a, UINT64_MAX, "flow_cargo holds rows of no entry");
  if (count(a, "SELECT count(*) FROM supersede") != (int64_t)a->corrections)
    return problem(a, UINT64_MAX,
                   "the corrections table holds rows of no entry");
  if (count(a, "SELECT count(*) FROM node") != (int64_t)a->nodes)
    return problem(a, UINT64_MAX,
                   "the tree holds %lld nodes where the entries make %llu",
                   (long long)count(a, "SELECT count(*) FROM node"),
                   (unsigned long long)a->nodes);
  return OK;
}

int
store_audit(struct store *st, uint64_t *bad,
            void (*progress)(void *ctx, uint64_t done), void *ctx)
{
  struct audit a;
  int rc = OK;

  memset(&a, 0, sizeof a);
  *bad = UINT64_MAX;
  a.st = st;
  a.db = store__db(st);
  a.bad = UINT64_MAX;
  a.frontier = ledger_frontier_new();
  a.rollup = rollup_new();
  record_init(&a.rec, KIND_flow);
  buf_init(&a.canon);
  buf_init(&a.err);
  for (int k = 0; k < KIND_COUNT && rc == OK; k++) {
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE seq = ?",
             record_kind_desc((enum record_kind)k)->name);
    rc = prep(&a, sql, &a.row[k]);
  }
  if (rc == OK)
    rc = prep(&a,
              "SELECT line, category, quantity, unit, tonnes FROM flow_cargo "
              "WHERE seq = ? ORDER BY line",
              &a.cargo);
  if (rc == OK)
    rc = prep(&a, "SELECT hash FROM node WHERE level = ? AND idx = ?", &a.node);
  if (rc == OK)
    rc = prep(&a, "SELECT by_seq FROM supersede WHERE kind = ? AND id = ?",
              &a.sup);
  if (rc == OK)
    rc = prep(&a,
              "SELECT bytes FROM entry WHERE kind = ? AND id = ? AND seq < ?",
              &a.target);
  if (rc == OK) {
    /* Walk in chunks so that progress can be told. */
    uint64_t size = store_size(st);
    for (uint64_t start = 0; start < size + 1 && rc == OK; start += 1u << 20) {
      rc = store_each_entry(st, -1, start, start + (1u << 20), check_entry, &a);
      if (progress)
        progress(ctx, a.next);
    }
    if (rc == OK && a.next != size) {
      a.e = NULL;
      rc = problem(&a, a.next,
                   "entry %llu is missing: the log should hold %llu entries",
                   (unsigned long long)a.next, (unsigned long long)size);
    }
  }
  if (rc == OK)
    rc = check_totals(&a);
  if (rc == OK) {
    rc = store_each_flow_day(st, INT64_MIN / 2, INT64_MAX / 2, negate_stored,
                             a.rollup);
    if (rc == OK)
      rc = rollup_each(a.rollup, near_zero, &a);
  }
  if (rc != OK && !a.failed)
    rc = problem(&a, UINT64_MAX, "%s", store_errmsg(st));
  *bad = a.bad;
  for (int k = 0; k < KIND_COUNT; k++)
    sqlite3_finalize(a.row[k]);
  sqlite3_finalize(a.cargo);
  sqlite3_finalize(a.node);
  sqlite3_finalize(a.sup);
  sqlite3_finalize(a.target);
  ledger_frontier_free(a.frontier);
  rollup_free(a.rollup);
  record_cleanup(&a.rec);
  buf_cleanup(&a.canon);
  buf_cleanup(&a.err);
  return rc == OK ? OK : ERR_VERIFY;
}
