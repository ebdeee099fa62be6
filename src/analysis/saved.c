/*
 * Saved state (issue 13, item 2): what the analysis counted from the first
 * day of history to the end of a day (a compliance count, the backlogs),
 * kept in the store (store_put_saved) so that a report of a later day reads
 * it and its own days instead of the whole history.
 *
 * A row is the state at the end of local day K, computed at tree size S,
 * under a key naming what it is, the rules it was computed with (a digest
 * of the corridor's rules) and the day it counts from. A view of size T
 * uses it only when no entry S..T-1 could change it: every one is a new
 * flow, status or coverage record (correcting nothing) that begins after
 * the row's bound (K, or a later day the state also reads, such as the
 * baseline window's end), or a kind the state does not read (events,
 * stocks, ...). Anything else (a withdrawal, a correction, a checkpoint, a
 * source, new rules) or more than MAX_CHECK entries to look at, and the
 * caller counts from the first day again, as without the row, and saves
 * what it counted. Rows are saved when the view is freed, after its read,
 * without waiting for another writer: a row not saved costs only time.
 */
#include "analysis/analysis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "util/i18n.h"

/* The most entries appended since a row that are read to see whether it
 * still holds; past it, counting again is about as cheap. */
#define MAX_CHECK 4096

struct saved_row {
  char *key;
  int64_t day;
  char *bytes;
  size_t len;
};

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

/* A digest of the rules the view reads with: the corridor as its entry
 * holds it (corridor_to_json), so that other rules never read the row. */
static const char *
rules_digest(struct analysis *a)
{
  if (a->rules[0] == '\0') {
    json_t *j = corridor_to_json(a->c);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (text)
      EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < n && i < 16; i++)
      snprintf(a->rules + 2 * i, 3, "%02x", md[i]);
    if (n == 0)
      snprintf(a->rules, sizeof a->rules, "none");
    free(text);
    json_decref(j);
  }
  return a->rules;
}

/* A local day as the reports write it. */
static const char *
day_text(int64_t day, char *out, size_t n)
{
  int y, m, d;

  util_civil_from_days(day, &y, &m, &d);
  snprintf(out, n, "%04d-%02d-%02d", y, m, d);
  return out;
}

static char *
make_key(struct analysis *a, const char *what, int64_t start)
{
  struct buf b;

  buf_init(&b);
  buf_printf(&b, "%s %s %lld", what, rules_digest(a), (long long)start);
  return b.data;
}

struct check {
  struct analysis *a;
  int64_t first; /* the first day an entry since changes */
  struct record_ctx rctx;
};

/* The first day entry e can change: that of its start for a new flow,
 * status or coverage record; none for a kind no state reads; INT64_MIN
 * (every day) for anything else. */
static int
check_entry(void *ctx, const struct store_entry *e)
{
  struct check *c = ctx;
  const char *field;
  struct record rec;
  struct buf err;
  int64_t b, f;
  int ok;

  switch ((int)e->kind) {
  case KIND_actor:
  case KIND_event:
  case KIND_stock:
  case KIND_population:
  case KIND_need:
  case KIND_indicator:
  case KIND_production:
  case KIND_import:
    return OK; /* no state reads them */
  case KIND_flow:
  case KIND_coverage:
    field = "start";
    break;
  case KIND_status:
    field = "at";
    break;
  default:
    c->first = INT64_MIN;
    return ERR_NOTFOUND;
  }
  record_init(&rec, e->kind);
  buf_init(&err);
  ok = record_from_json(&rec, (int)e->kind, &c->rctx, e->bytes, e->len, &err) ==
           OK &&
       record_get(&rec, "supersedes") == NULL &&
       record_time_bounds(record_get(&rec, field), corridor_tz_offset,
                          (void *)c->a->c, &b, &f) == OK;
  record_cleanup(&rec);
  buf_cleanup(&err);
  if (!ok) {
    c->first = INT64_MIN;
    return ERR_NOTFOUND;
  }
  if (day_floor(b) < c->first)
    c->first = day_floor(b);
  return OK;
}

/* Whether a row computed at size holds for the view: nothing appended
 * since changes a day up to bound. The first day changed since a size is
 * read once a view for each of the last few sizes asked (a report asks
 * for several states saved at one size). */
static int
holds(struct analysis *a, uint64_t size, int64_t bound)
{
  struct analysis__since *h = NULL;
  struct check c;

  if (size > a->as_of || a->as_of - size > MAX_CHECK)
    return 0;
  for (size_t i = 0; i < ANALYSIS_SINCE; i++)
    if (a->since[i].set && a->since[i].size == size)
      h = &a->since[i];
  if (h == NULL) {
    memset(&c, 0, sizeof c);
    c.a = a;
    c.first = INT64_MAX;
    store_record_ctx(a->st, &c.rctx);
    if (store_each_entry(a->st, -1, size, a->as_of, check_entry, &c) != OK &&
        c.first != INT64_MIN)
      return 0; /* not read: not known to hold, and not kept */
    h = &a->since[a->next_since];
    a->next_since = (a->next_since + 1) % ANALYSIS_SINCE;
    h->set = 1;
    h->size = size;
    h->first = c.first;
  }
  return h->first > bound;
}

int
analysis__saved_get(struct analysis *a, const char *what, int64_t start,
                    int64_t day, int64_t bound, struct buf *out)
{
  char *key;
  uint64_t size = 0;
  int rc;

  /* A test's view that builds its days builds its states too; the
   * auditor's counts them again. */
  if (a->kept < 0 || a->saved_check)
    return ERR_NOTFOUND;
  key = make_key(a, what, start);
  rc = store_get_saved(a->st, key, day, &size, out);
  free(key);
  return rc == OK && holds(a, size, bound > day ? bound : day) ? OK
                                                               : ERR_NOTFOUND;
}

void
analysis__saved_keep(struct analysis *a, const char *what, int64_t start,
                     int64_t day, const char *bytes, size_t len)
{
  struct saved_row *r;

  a->saved = util_grow(a->saved, &a->capsaved, a->nsaved + 1, sizeof *r);
  r = &a->saved[a->nsaved++];
  r->key = make_key(a, what, start);
  r->day = day;
  r->bytes = xmalloc(len + 1);
  memcpy(r->bytes, bytes, len);
  r->bytes[len] = '\0';
  r->len = len;
}

void
analysis__saved_flush(struct analysis *a)
{
  struct store_saved *rows;

  if (a->nsaved == 0 || a->saved_check)
    return;
  rows = xcalloc(a->nsaved, sizeof *rows);
  for (size_t i = 0; i < a->nsaved; i++) {
    rows[i].key = a->saved[i].key;
    rows[i].day = a->saved[i].day;
    rows[i].size = a->as_of;
    rows[i].bytes = a->saved[i].bytes;
    rows[i].len = a->saved[i].len;
  }
  /* Best effort: busy, read-only, a backend that keeps none, or inside
   * the caller's own transaction, and the next view counts again. */
  (void)store_put_saved(a->st, rows, a->nsaved);
  free(rows);
}

void
analysis__saved_free(struct analysis *a)
{
  for (size_t i = 0; i < a->nsaved; i++) {
    free(a->saved[i].key);
    free(a->saved[i].bytes);
  }
  free(a->saved);
}

/* The auditor's side: every stored row that a view of this size could
 * read, counted again from the history and compared byte for byte. */

struct stored {
  char *key, *what;
  int64_t start, day;
  uint64_t size;
  char *bytes;
  size_t len;
  int used; /* 1: a view of this size would read it */
};

struct stored_set {
  struct stored *v;
  size_t n, cap;
};

static int
copy_row(void *ctx, const struct store_saved *row)
{
  struct stored_set *set = ctx;
  struct stored *x;

  set->v = util_grow(set->v, &set->cap, set->n + 1, sizeof *x);
  x = &set->v[set->n++];
  memset(x, 0, sizeof *x);
  x->key = xstrdup(row->key);
  x->day = row->day;
  x->size = row->size;
  x->bytes = xmalloc(row->len + 1);
  memcpy(x->bytes, row->bytes, row->len);
  x->bytes[row->len] = '\0';
  x->len = row->len;
  return OK;
}

/* Which rows are in use: of a state this build reads, under the view's
 * rules, holding at its size. */
static void
mark_used(struct analysis *a, struct stored_set *set)
{
  const struct corridor *c = a->c;
  const char *rules = rules_digest(a);

  for (size_t i = 0; i < set->n; i++) {
    struct stored *x = &set->v[i];
    char what[32], digest[40];
    long long start;
    int used = 0, is_comp;
    if (sscanf(x->key, "%31s %39s %lld%n", what, digest, &start, &used) != 3 ||
        x->key[used] != '\0' || strcmp(digest, rules) != 0)
      continue;
    is_comp = strcmp(what, "compliance/1") == 0;
    if (!is_comp && strcmp(what, "backlog/1") != 0 &&
        !analysis__flows_is_saved(what))
      continue;
    x->what = xstrdup(what);
    x->start = start;
    x->used = holds(a, x->size,
                    is_comp && c->has_baseline && c->baseline_to > x->day
                        ? c->baseline_to
                        : x->day);
  }
}

static int
no_row(void *ctx, const struct analysis_pipeline_row *row)
{
  (void)ctx;
  (void)row;
  return OK;
}

/* Counts the state `what` from start to the day after the last row in use
 * of it, keeping every day's state in the view as a report would. */
static int
count_again(struct analysis *a, const char *what, int64_t start, int64_t last)
{
  if (strcmp(what, "compliance/1") == 0) {
    struct analysis_compliance *res;
    size_t n;
    int rc = analysis_compliance_since(a, start, last + 1, last + 1, &res, &n);
    analysis_compliance_free(res, n);
    return rc;
  } else {
    struct analysis_pipeline_query q;
    memset(&q, 0, sizeof q);
    q.from = q.to = last + 1;
    return analysis_pipeline(a, &q, no_row, NULL);
  }
}

int
analysis_check_saved(struct store *st, size_t *checked, struct buf *err)
{
  const char *not_given =
      _("saved state '%s' of %s (computed at tree size %llu) is not what the "
        "history gives: someone changed the store outside passage. It is "
        "derived data: delete the rows of the table saved_state and every "
        "report counts from the first day again");
  struct stored_set set = {NULL, 0, 0};
  struct analysis *a = NULL;
  char date[32];
  int rc;

  *checked = 0;
  if ((rc = analysis_open(st, 0, &a, err)) != OK)
    return rc;
  a->saved_check = 1;
  rc = store_each_saved(st, copy_row, &set);
  if (rc != OK)
    buf_printf(err, "%s", store_errmsg(st));
  for (size_t i = 0; rc == OK && i < set.n; i++)
    if (set.v[i].size > a->as_of) {
      buf_printf(err,
                 _("saved state '%s' of %s says it was computed at tree "
                   "size %llu, beyond the log's %llu"),
                 set.v[i].key, day_text(set.v[i].day, date, sizeof date),
                 (unsigned long long)set.v[i].size,
                 (unsigned long long)a->as_of);
      rc = ERR_VERIFY;
    }
  if (rc == OK)
    mark_used(a, &set);
  /* Each state once (the rows come by key, then day), to the last day a
   * row in use of it names; then each row against the state's day counted
   * again (kept by day from its first: day d at d - first). */
  for (size_t i = 0, j; rc == OK && i < set.n; i = j) {
    int64_t last = INT64_MIN;
    size_t k = 0;
    if (set.v[i].what && analysis__flows_is_saved(set.v[i].what)) {
      /* A flow query's rows: each row its own query, run again. */
      const struct stored *x = &set.v[i];
      j = i + 1;
      if (!x->used)
        continue;
      (*checked)++;
      rc = analysis__flows_check(a, x->what, x->bytes, x->len);
      if (rc == ERR_VERIFY)
        buf_printf(err, not_given, x->key, day_text(x->day, date, sizeof date),
                   (unsigned long long)x->size);
      else if (rc != OK)
        buf_printf(err, "%s", a->err.data ? a->err.data : util_strerror(rc));
      continue;
    }
    for (j = i; j < set.n && strcmp(set.v[j].key, set.v[i].key) == 0; j++)
      if (set.v[j].used && set.v[j].day > last)
        last = set.v[j].day;
    if (last == INT64_MIN)
      continue;
    k = a->nsaved;
    rc = count_again(a, set.v[i].what, set.v[i].start, last);
    if (rc != OK)
      buf_printf(err, "%s", a->err.data ? a->err.data : util_strerror(rc));
    while (k < a->nsaved && strcmp(a->saved[k].key, set.v[i].key) != 0)
      k++;
    for (size_t r = i; rc == OK && r < j; r++) {
      const struct stored *x = &set.v[r];
      const struct saved_row *y = NULL;
      if (!x->used)
        continue;
      if (k < a->nsaved && x->day >= a->saved[k].day &&
          (size_t)(x->day - a->saved[k].day) < a->nsaved - k)
        y = &a->saved[k + (size_t)(x->day - a->saved[k].day)];
      if (y && (y->day != x->day || strcmp(y->key, x->key) != 0))
        y = NULL;
      (*checked)++;
      if (y == NULL || y->len != x->len || memcmp(y->bytes, x->bytes, x->len)) {
        buf_printf(err, not_given, x->key, day_text(x->day, date, sizeof date),
                   (unsigned long long)x->size);
        rc = ERR_VERIFY;
      }
    }
  }
  for (size_t i = 0; i < set.n; i++) {
    free(set.v[i].key);
    free(set.v[i].what);
    free(set.v[i].bytes);
  }
  free(set.v);
  analysis_free(a);
  return rc;
}
