/*
 * The store's auditor: derives again, from the entries alone, everything the
 * store keeps beside them, and compares. Whatever was edited behind the
 * program's back (an entry's bytes or hash, a deleted or reordered entry, a
 * query row, a tree node, a rollup) shows up as a difference, named by the
 * first entry it concerns.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

struct audit {
  struct store *st;
  const struct store_backend *be;
  struct store_db *db;
  /* The rules in force at the entry being checked, as the log has them:
   * the latest corridor entry so far (or an older store's meta copy). */
  const struct corridor *rules;
  struct corridor *owned; /* rules, when read by the auditor itself */
  struct record_ctx rctx; /* its categories; entries read as stored */
  char **categories;
  unsigned version;     /* of the rules: 0 before any corridor entry */
  uint64_t first_rules; /* the first corridor entry's seq, or UINT64_MAX */
  struct store_row want, got; /* the query row derived, and as stored */
  struct ledger_frontier *frontier;
  struct rollup *rollup;
  struct record rec;
  struct buf canon, err;
  uint64_t next, bad, nodes, cargo_lines, corrections;
  uint64_t per_kind[KIND_COUNT];
  const struct store_entry *e;
  int failed;
};

/* An entry's kind as messages name it. */
static const char *
kind_name(int kind)
{
  if (kind == STORE_KIND_CORRIDOR)
    return "corridor";
  return (unsigned)kind < KIND_COUNT
             ? record_kind_desc((enum record_kind)kind)->name
             : _("unknown kind");
}

static int problem(struct audit *a, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
problem(struct audit *a, uint64_t seq, const char *fmt, ...)
{
  struct buf b;
  va_list ap;

  buf_init(&b);
  if (a->e && seq != UINT64_MAX)
    buf_printf(&b, _("entry %llu (%s '%s'): "), (unsigned long long)seq,
               kind_name(a->e->kind), a->e->id ? a->e->id : "");
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  store__set_error(a->st, "%s", b.data);
  buf_cleanup(&b);
  a->bad = seq;
  a->failed = 1;
  return ERR_VERIFY;
}

/* A backend's failure, said as the auditor says every problem. */
static int
unreadable(struct audit *a, int rc)
{
  if (a->failed)
    return rc;
  a->e = NULL;
  return problem(a, UINT64_MAX, _("the store cannot be read: %s"),
                 store_errmsg(a->st));
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
  uint8_t stored[LEDGER_HASH_SIZE];
  int rc;

  a->nodes++;
  rc = a->be->get_node(a->db, level, index, stored);
  if (rc != OK && rc != ERR_NOTFOUND)
    return unreadable(a, rc);
  if (rc != OK || memcmp(stored, hash, LEDGER_HASH_SIZE) != 0)
    return problem(a, nc->seq,
                   _("the stored tree node (level %u, index %llu) that this "
                     "entry completes is missing or differs"),
                   level, (unsigned long long)index);
  return OK;
}

static int
same_text(const char *got, const char *want)
{
  if (want == NULL)
    return got == NULL;
  return got && strcmp(got, want) == 0;
}

static int
same_num(int got_set, double got, int want_set, double want)
{
  if (!want_set)
    return !got_set;
  return got_set && got == want;
}

/* A stored value against the one derived from the entry. */
static int
same_value(const struct field_desc *f, const struct store_value *got,
           const struct store_value *want)
{
  if (f->type == FT_COUNT || f->type == FT_NUMBER)
    return same_num(got->set, got->num, want->set, want->num);
  if (!same_text(got->set ? got->text : NULL, want->set ? want->text : NULL))
    return 0;
  if (f->type != FT_TIME)
    return 1;
  if (!want->bounds_set)
    return !got->bounds_set;
  return got->bounds_set && got->begin == want->begin && got->end == want->end;
}

struct cargo_check {
  struct audit *a;
  uint64_t seq, next; /* the line expected next */
};

static int
check_cargo_line(void *ctx, uint64_t line, const struct store_cargo *c)
{
  struct cargo_check *cc = ctx;
  struct audit *a = cc->a;
  const struct store_cargo *w;
  size_t i = (size_t)cc->next++;

  if (i == a->want.ncargo)
    return problem(a, cc->seq,
                   _("it has more cargo lines stored than it holds"));
  w = &a->want.cargo[i];
  if (line != i || !same_text(c->category, w->category) ||
      !same_num(c->quantity_set, c->quantity, w->quantity_set, w->quantity) ||
      !same_text(c->unit, w->unit) ||
      !same_num(c->tonnes_set, c->tonnes, w->tonnes_set, w->tonnes))
    return problem(a, cc->seq,
                   _("its cargo line %zu differs from the stored one"), i);
  return OK;
}

static int
check_query_row(struct audit *a, uint64_t seq)
{
  const struct kind_desc *k = a->rec.kind;
  struct cargo_check cc = {a, seq, 0};
  int rc;

  store__row_from_record(&a->rec, seq, a->rules, &a->want);
  rc = a->be->get_row(a->db, k->kind, seq, &a->got);
  if (rc == ERR_NOTFOUND)
    return problem(a, seq, _("its row in the %s table is missing"), k->name);
  if (rc != OK)
    return unreadable(a, rc);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (f->flags & (FF_CARGO | FF_INPUT))
      continue;
    if (!same_value(f, &a->got.v[i], &a->want.v[i]))
      return problem(a, seq,
                     _("the %s table differs from the entry in field '%s'"),
                     k->name, f->name);
  }
  if (k->kind != KIND_flow)
    return OK;
  rc = a->be->each_cargo(a->db, seq, check_cargo_line, &cc);
  if (rc != OK)
    return a->failed ? rc : unreadable(a, rc);
  if (cc.next < a->want.ncargo)
    return problem(a, seq, _("its cargo line %zu differs from the stored one"),
                   (size_t)cc.next);
  a->cargo_lines += a->want.ncargo;
  return OK;
}

/* The correction this entry makes is recorded, and its flows left the
 * rollups. */
static int
check_correction(struct audit *a, uint64_t seq, const char *target)
{
  int tk = store__target_kind(&a->rec);
  enum record_kind kind = (enum record_kind)tk;
  struct store_entry old_e;
  uint64_t by = 0;
  int rc;

  a->corrections++;
  if (tk < 0)
    return problem(a, seq, _("it withdraws a withdrawal, which none may"));
  rc = a->be->get_supersede(a->db, kind, target, &by);
  if (rc != OK && rc != ERR_NOTFOUND)
    return unreadable(a, rc);
  if (rc != OK || by != seq)
    return problem(a, seq, _("its correction of '%s' is not recorded as such"),
                   target);
  if (kind != KIND_flow)
    return OK;
  rc = a->be->get_entry(a->db, KIND_flow, target, &old_e);
  if (rc != OK && rc != ERR_NOTFOUND)
    return unreadable(a, rc);
  if (rc != OK || old_e.seq >= seq)
    return problem(a, seq, _("it corrects '%s', which no earlier entry holds"),
                   target);
  {
    struct record old;
    struct buf e;
    record_init(&old, KIND_flow);
    buf_init(&e);
    if (record_from_json(&old, KIND_flow, &a->rctx, old_e.bytes, old_e.len,
                         &e) == OK)
      rollup_add_record(a->rollup, &old, -1, a->rules);
    else
      rc = problem(a, seq, _("the record it corrects cannot be read"));
    record_cleanup(&old);
    buf_cleanup(&e);
  }
  return rc;
}

/* Makes c the rules that the entries after it are checked by (taken
 * when own is set). */
static void
use_rules(struct audit *a, const struct corridor *c, int own)
{
  corridor_free(a->owned);
  free(a->categories);
  a->owned = own ? (struct corridor *)c : NULL;
  a->rules = c;
  a->categories = xcalloc(c->ncategories + 1, sizeof(char *));
  for (size_t i = 0; i < c->ncategories; i++)
    a->categories[i] = c->categories[i].id;
  a->rctx.categories = (const char *const *)a->categories;
}

/*
 * A corridor entry: the canonical form of valid rules, the next version,
 * and what the store itself uses at that size (its copy, parsed when the
 * store read the entry) the same rules.
 */
static int
check_rules(struct audit *a, const struct store_entry *e)
{
  const struct corridor *cached = NULL;
  struct corridor *c = NULL;
  struct buf want, got;
  unsigned version;
  char id[16];
  int same;

  buf_reset(&a->err);
  if (store__corridor_parse(e->bytes, e->len, e->seq, &version, &c, &a->err) !=
      OK)
    return problem(a, e->seq, _("its bytes are not valid rules: %s"),
                   a->err.data ? a->err.data : "");
  snprintf(id, sizeof id, "%u", version);
  if (version != a->version + 1 || strcmp(id, e->id ? e->id : "") != 0) {
    corridor_free(c);
    return problem(a, e->seq,
                   _("it is version %u of the rules (id '%s') where version "
                     "%u comes next"),
                   version, e->id ? e->id : "", a->version + 1);
  }
  if (a->first_rules == UINT64_MAX)
    a->first_rules = e->seq;
  a->version = version;
  if (store_corridor_at(a->st, e->seq + 1, &cached) != OK) {
    corridor_free(c);
    return unreadable(a, ERR_STORE);
  }
  buf_init(&want);
  buf_init(&got);
  store__corridor_bytes(c, version, &want);
  store__corridor_bytes(cached, version, &got);
  same = want.len == got.len && memcmp(want.data, got.data, want.len) == 0;
  buf_cleanup(&want);
  buf_cleanup(&got);
  use_rules(a, c, 1);
  if (!same)
    return problem(a, e->seq,
                   _("the rules the store uses from this entry on differ "
                     "from the entry's"));
  return OK;
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
    snprintf(kind, sizeof kind, "%s", kind_name(e->kind));
    a->e = NULL;
    return problem(a, a->next,
                   _("entry %llu is missing: the next entry stored is number "
                     "%llu (%s '%s'); entries were deleted or renumbered"),
                   (unsigned long long)a->next, (unsigned long long)e->seq,
                   kind, e->id ? e->id : "");
  }
  a->next++;
  if ((unsigned)e->kind >= KIND_COUNT && (int)e->kind != STORE_KIND_CORRIDOR)
    return problem(a, e->seq, _("it has an unknown kind (%d)"), (int)e->kind);
  ledger_leaf_hash(e->bytes, e->len, hash);
  if (e->hash == NULL || memcmp(hash, e->hash, LEDGER_HASH_SIZE) != 0)
    return problem(
        a, e->seq, _("its bytes do not match its leaf hash: the %s edited"),
        (int)e->kind == STORE_KIND_CORRIDOR ? _("corridor's rules were")
                                            : _("record was"));
  if ((int)e->kind == STORE_KIND_CORRIDOR) {
    if ((rc = check_rules(a, e)) != OK)
      return rc;
    return ledger_frontier_append(a->frontier, hash, check_node, &nc);
  }
  if (a->rules == NULL)
    return problem(a, e->seq,
                   _("no rules are in force for it: the log must begin with "
                     "the corridor's rules (entry 0)"));
  buf_reset(&a->err);
  record_reset(&a->rec);
  if (record_from_json(&a->rec, (int)e->kind, &a->rctx, e->bytes, e->len,
                       &a->err) != OK)
    return problem(a, e->seq, _("its bytes are not a valid record: %s"),
                   a->err.data ? a->err.data : "");
  buf_reset(&a->canon);
  record_canonical(&a->rec, &a->canon);
  if (a->canon.len != e->len || memcmp(a->canon.data, e->bytes, e->len) != 0)
    return problem(a, e->seq, _("its bytes are not in canonical form"));
  if (record_get(&a->rec, "id") == NULL ||
      strcmp(record_get(&a->rec, "id"), e->id ? e->id : "") != 0)
    return problem(a, e->seq, _("its id column differs from its bytes"));
  a->per_kind[e->kind]++;
  if ((rc = ledger_frontier_append(a->frontier, hash, check_node, &nc)) != OK)
    return rc;
  if ((rc = check_query_row(a, e->seq)) != OK)
    return rc;
  target = record_get(&a->rec, "supersedes");
  if (target && (rc = check_correction(a, e->seq, target)) != OK)
    return rc;
  if (e->kind == KIND_flow)
    rollup_add_record(a->rollup, &a->rec, 1, a->rules);
  return OK;
}

/* The rows of a table, or -1 when they cannot be counted (which no
 * number of entries matches). */
static int64_t
count(struct audit *a, enum store_table table, enum record_kind kind)
{
  uint64_t n = 0;

  if (a->be->count(a->db, table, kind, &n) != OK)
    return -1;
  return (int64_t)n;
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
      return problem(
          a, UINT64_MAX,
          _("the daily rollup of %s at %s (%s) differs from the "
            "flows by %g %s"),
          day, row->dim[DIM_CHECKPOINT], row->dim[DIM_DIRECTION], row->m[m],
          m < M_COUNT ? store_measure_names[m] : _("counted records"));
    }
  }
  return OK;
}

/*
 * The rules: the store uses the log's latest (or, in a store made before schema
 * 6, its meta copy), and a store whose log begins with its rules holds no copy
 * in meta, where a forger would put one.
 */
static int
check_rules_used(struct audit *a)
{
  struct buf want, got;
  const char *key;
  int same, rc;

  if (a->first_rules == 0) {
    rc = store__check_meta(a->st, &key);
    if (rc == OK)
      return problem(a, UINT64_MAX,
                     _("the store's meta table holds '%s', a copy of a "
                       "corridor, but this store keeps its rules in the log "
                       "(entry 0 on) and never writes one there: it was "
                       "written behind the program's back"),
                     key);
    if (rc != ERR_NOTFOUND)
      return unreadable(a, rc);
  }
  if (a->rules == NULL || a->st->corridor == NULL)
    return OK; /* an empty log */
  buf_init(&want);
  buf_init(&got);
  store__corridor_bytes(a->rules, a->version, &want);
  store__corridor_bytes(a->st->corridor, a->version, &got);
  same = want.len == got.len && memcmp(want.data, got.data, want.len) == 0;
  buf_cleanup(&want);
  buf_cleanup(&got);
  if (!same)
    return problem(a, UINT64_MAX,
                   _("the rules the store uses differ from the latest "
                     "corridor entry (version %u)"),
                   a->version);
  return OK;
}

static int
check_totals(struct audit *a)
{
  int64_t n;

  a->e = NULL;
  if ((n = check_rules_used(a)) != OK)
    return (int)n;
  for (int k = 0; k < KIND_COUNT; k++) {
    n = count(a, STORE_TABLE_ROWS, (enum record_kind)k);
    if (n != (int64_t)a->per_kind[k])
      return problem(a, UINT64_MAX,
                     _("the %s table has %lld rows for %llu entries"),
                     record_kind_desc((enum record_kind)k)->name, (long long)n,
                     (unsigned long long)a->per_kind[k]);
  }
  if (count(a, STORE_TABLE_CARGO, 0) != (int64_t)a->cargo_lines)
    return problem(a, UINT64_MAX, _("flow_cargo holds rows of no entry"));
  if (count(a, STORE_TABLE_SUPERSEDE, 0) != (int64_t)a->corrections)
    return problem(a, UINT64_MAX,
                   _("the corrections table holds rows of no entry"));
  n = count(a, STORE_TABLE_NODE, 0);
  if (n != (int64_t)a->nodes)
    return problem(a, UINT64_MAX,
                   _("the tree holds %lld nodes where the entries make %llu"),
                   (long long)n, (unsigned long long)a->nodes);
  return OK;
}

/* Every entry in order, in chunks so that progress can be told. */
static int
check_entries(struct audit *a, void (*progress)(void *ctx, uint64_t done),
              void *ctx)
{
  uint64_t size = store_size(a->st);
  int rc = OK;

  for (uint64_t start = 0; start < size + 1 && rc == OK; start += 1u << 20) {
    rc = store_each_entry(a->st, -1, start, start + (1u << 20), check_entry, a);
    if (progress)
      progress(ctx, a->next);
  }
  if (rc == OK && a->next != size) {
    a->e = NULL;
    rc = problem(a, a->next,
                 _("entry %llu is missing: the log should hold %llu entries"),
                 (unsigned long long)a->next, (unsigned long long)size);
  }
  return rc;
}

/* An older store's meta copy is in force before its first corridor
 * entry: the auditor can only take it as the store has it. */
static int
meta_rules(struct audit *a)
{
  struct store_corridor_info info;
  const struct corridor *c;
  int rc;

  if (store_corridor_version(a->st, 0, &info) != OK || info.logged)
    return OK;
  if ((rc = store_corridor_at(a->st, 0, &c)) != OK)
    return rc;
  use_rules(a, c, 0);
  return OK;
}

int
store_audit(struct store *st, uint64_t *bad,
            void (*progress)(void *ctx, uint64_t done), void *ctx)
{
  struct audit *a = xcalloc(1, sizeof *a);
  int rc;

  *bad = UINT64_MAX;
  a->st = st;
  a->be = st->be;
  a->db = st->db;
  a->bad = UINT64_MAX;
  a->frontier = ledger_frontier_new();
  a->rollup = rollup_new();
  a->first_rules = UINT64_MAX;
  record_init(&a->rec, KIND_flow);
  buf_init(&a->canon);
  buf_init(&a->err);
  /* One snapshot: entries appended meanwhile by another handle are not
   * half seen. */
  rc = store_read_begin(st);
  if (rc == OK) {
    /* Stored entries are read as stored (record_ctx.stored): the rules
     * added for new input since do not apply to them. */
    a->rctx.stored = 1;
    rc = meta_rules(a);
    if (rc == OK)
      rc = check_entries(a, progress, ctx);
    if (rc == OK)
      rc = check_totals(a);
    if (rc == OK)
      rc = store_each_flow_day(st, INT64_MIN / 2, INT64_MAX / 2, negate_stored,
                               a->rollup);
    if (rc == OK)
      rc = rollup_each(a->rollup, near_zero, a);
    if (rc == OK)
      rc = store__cells_audit(st);
    store_read_end(st);
  }
  if (rc != OK && !a->failed)
    rc = problem(a, UINT64_MAX, "%s", store_errmsg(st));
  *bad = a->bad;
  corridor_free(a->owned);
  free(a->categories);
  ledger_frontier_free(a->frontier);
  rollup_free(a->rollup);
  record_cleanup(&a->rec);
  buf_cleanup(&a->canon);
  buf_cleanup(&a->err);
  free(a);
  return rc == OK ? OK : ERR_VERIFY;
}
