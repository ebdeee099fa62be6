/*
 * The local days that the entries appended after a view's size changed
 * (issue 13, item 5: --as-of N). The store's kept day cells are true of
 * the whole log; a day that no entry after N touched holds the same live
 * records at N, so its kept cells serve the view of N, and only the days
 * changed since are built from the view's own records (days.c). A day is
 * changed when a flow or coverage record appended after N reaches it, or
 * one that such a record corrects or withdraws did. Days are marked whole
 * (every checkpoint) and generously (an interval's last day even when it
 * ends at midnight): a day marked that did not change is only built, which
 * costs time, never a figure.
 *
 * The kept cells cannot serve when the corridor's rules changed after N
 * (another version: records may be read otherwise), nor are they worth it
 * when more than half the log came after N (the days would nearly all be
 * built anyway, after reading every entry since).
 */
#include "analysis/analysis_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / DAY : -((-seconds + DAY - 1) / DAY);
}

struct marking {
  struct analysis *a;
  struct record rec[3]; /* flow, coverage, withdrawal */
  struct record_ctx rctx;
  struct buf err;
  /* The records that those after N supersede: kind, then id, each a
   * NUL-terminated text, looked up once the walk is over. */
  struct buf targets;
  size_t ntargets;
};

static int
slot_of(int kind)
{
  return kind == KIND_flow ? 0 : kind == KIND_coverage ? 1 : 2;
}

/* Marks the days record rec's interval reaches. */
static void
mark_days(struct analysis *a, const struct record *rec)
{
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");
  int64_t b, f, eb, ef;

  if (start == NULL || record_time_bounds(start, corridor_tz_offset,
                                          (void *)a->c, &b, &ef) != OK)
    return; /* no day holds it */
  if (end == NULL ||
      record_time_bounds(end, corridor_tz_offset, (void *)a->c, &eb, &f) != OK)
    f = ef;
  if (f < b)
    f = b;
  for (int64_t d = day_floor(b); d <= day_floor(f); d++) {
    uint64_t key = (uint64_t)d;
    int added;
    tmap_put(a->changed, &key, &added);
  }
}

static int
parse(struct marking *m, int kind, const struct store_entry *e)
{
  struct record *rec = &m->rec[slot_of(kind)];

  record_reset(rec);
  buf_reset(&m->err);
  if (record_from_json(rec, kind, &m->rctx, e->bytes, e->len, &m->err) != OK) {
    buf_reset(&m->a->err);
    buf_printf(&m->a->err, _("entry %llu cannot be read: %s"),
               (unsigned long long)e->seq, m->err.data ? m->err.data : "");
    return ERR_STORE;
  }
  return OK;
}

static int
mark_entry(void *ctx, const struct store_entry *e)
{
  struct marking *m = ctx;
  const struct record *rec;
  const char *target, *tkind;
  int kind = e->kind, rc;

  if (kind != KIND_flow && kind != KIND_coverage && kind != KIND_withdrawal)
    return OK;
  if ((rc = parse(m, kind, e)) != OK)
    return rc;
  rec = &m->rec[slot_of(kind)];
  if (kind != KIND_withdrawal)
    mark_days(m->a, rec);
  if ((target = record_get(rec, "supersedes")) == NULL)
    return OK;
  tkind = kind == KIND_withdrawal ? record_get(rec, "kind") : rec->kind->name;
  if (tkind == NULL ||
      (strcmp(tkind, "flow") != 0 && strcmp(tkind, "coverage") != 0))
    return OK;
  buf_append(&m->targets, tkind, strlen(tkind) + 1);
  buf_append(&m->targets, target, strlen(target) + 1);
  m->ntargets++;
  return OK;
}

/* Marks the days of each record superseded after N. */
static int
mark_targets(struct marking *m)
{
  const char *p = m->targets.data;
  int rc = OK;

  for (size_t i = 0; i < m->ntargets && rc == OK; i++) {
    const char *kind = p, *id = p + strlen(p) + 1;
    int k = record_kind_by_name(kind);
    struct store_entry e;
    p = id + strlen(id) + 1;
    rc = store_get_entry(m->a->st, (enum record_kind)k, id, &e);
    if (rc == ERR_NOTFOUND) {
      rc = OK; /* refused when stored: nothing to mark */
      continue;
    }
    if (rc == OK && (rc = parse(m, k, &e)) == OK)
      mark_days(m->a, &m->rec[slot_of(k)]);
  }
  return rc;
}

int
analysis__changed_load(struct analysis *a)
{
  const struct corridor *now = NULL;
  uint64_t size = store_size(a->st);
  struct marking m;
  int rc;

  if (a->changed_state != 0)
    return OK;
  a->changed = tmap_new(1);
  a->changed_state = -1;
  if (a->as_of >= size)
    return OK; /* nothing after it: analysis__days reads the kept days */
  if ((rc = store_corridor_at(a->st, size, &now)) != OK)
    return rc;
  if (now != a->c || size - a->as_of > size / 2)
    return OK;
  memset(&m, 0, sizeof m);
  m.a = a;
  m.rctx.categories = store_categories(a->st);
  record_init(&m.rec[0], KIND_flow);
  record_init(&m.rec[1], KIND_coverage);
  record_init(&m.rec[2], KIND_withdrawal);
  buf_init(&m.err);
  buf_init(&m.targets);
  rc = store_each_entry(a->st, -1, a->as_of, size, mark_entry, &m);
  if (rc == OK)
    rc = mark_targets(&m);
  for (int i = 0; i < 3; i++)
    record_cleanup(&m.rec[i]);
  buf_cleanup(&m.err);
  buf_cleanup(&m.targets);
  if (rc == OK)
    a->changed_state = 1;
  return rc;
}

int
analysis__day_changed(const struct analysis *a, int64_t day)
{
  uint64_t key = (uint64_t)day;
  size_t i;

  return a->changed_state < 0 || tmap_get(a->changed, &key, &i);
}
