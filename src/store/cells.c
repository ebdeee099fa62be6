/*
 * Reconciled day cells kept beside the log (issue 13, item 1): for each
 * local day and checkpoint that live flows or coverage reach, the bytes of
 * cells_encode (src/cells) of what cells_build makes of them, the same
 * builder the analysis runs, from the same records read the same way, so
 * that a kept day and a day built again are the same bytes.
 *
 * When they are made: a write transaction notes the (day, checkpoint)
 * pairs its flows and coverage reach, new ones and the ones they supersede
 * or withdraw (store__cells_touch), and just before it commits builds
 * exactly those days again from the live records reaching them
 * (store__cells_flush); a long one (an import) also whenever the flows it
 * holds for that pass st->hold_bytes (store__cells_spill), so that its
 * memory stays bounded. The store's meta says which rules the kept cells
 * were built with ("cells.rules": the dispute tolerance, counting stage
 * and time zone); every kept day was built with those. A transaction whose
 * rules differ from them (an amendment of one of them, or the first write
 * of a new or migrated store) builds every day again in the same
 * transaction. A reader uses the kept days only when they were built with
 * the rules of its view (store_kept_days), else it builds its own: so no
 * kept day can ever disagree with one built from the records.
 *
 * Strings are the dictionary's codes (cells_dict): handed out in a write
 * transaction, the next after the highest stored, never reused. The
 * auditor (store__cells_audit) builds every day again and compares bytes.
 */
#include "store/store_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cells/cells.h"
#include "store/cells_cache.h"

#define DAY 86400
/* A checkpoint's touched days are built again in runs of at most this
 * many days, one read of their records each, so that memory stays
 * bounded by a run's records rather than the transaction's. */
#define RUN_DAYS 64

static const char meta_rules[] = "cells.rules";
static const char meta_span[] = "cells.span";

/* The dictionary as far as this handle knows it: every text it met, with
 * its code (0 while it has none stored). Texts are interned: one pointer
 * per text, stable until close. */
struct kdict {
  char **text;
  uint32_t *code;
  size_t n, cap;
  size_t *slot; /* open addressing: entry index + 1, 0 empty */
  size_t nslot;
  size_t *at; /* by code: entry index + 1 */
  size_t capat;
  uint32_t stored; /* the highest code committed (as far as known) */
  uint32_t next;   /* the highest code handed out, in the transaction too */
};

struct store_cells {
  struct kdict dict;
  int loaded; /* the dictionary's committed codes are read */
  /* The write transaction's touched (day, checkpoint), checkpoint an
   * interned text. */
  struct tmap *touched;
  int64_t span;   /* the longest flow stored, end_f - start_b */
  int span_known; /* span read from meta */
  int span_grown; /* the transaction stored a longer one */
  int tx_rules;   /* the transaction appended a version of the rules */
  double tol;     /* ... and its cell rules: */
  char *counting;
  char *timezone;
  struct cells_builder *builder;
  /* The flows the transaction appended since tx_start, as the builder
   * reads them (kept from the record in hand, so that the commit reads
   * back only what was stored before: before the transaction, or before
   * store__cells_spill last built the days touched so far), and the
   * entries it superseded (seq set). */
  uint64_t tx_start;
  struct recs *fresh;
  struct tmap *gone;
  /* A long-lived writer's records of the days it built (store_options'
   * day_cache_bytes; NULL: none), true of the log at size cache_at and of
   * the days the transaction has built so far: a day is only ever built
   * again when a record reaching it comes or goes, and then the cache gets
   * the records it was built from. tx_cover: the transaction wrote
   * coverage, so the coverage held is not true of it any more. */
  struct cells_cache *cache;
  uint64_t cache_at;
  int tx_cover;
};

static void fresh_clear(struct store_cells *sc);

/* -- The dictionary -- */

static uint64_t
hash_text(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static size_t *
find_slot(struct kdict *k, const char *s)
{
  size_t i = (size_t)hash_text(s) & (k->nslot - 1);

  while (k->slot[i] && strcmp(k->text[k->slot[i] - 1], s) != 0)
    i = (i + 1) & (k->nslot - 1);
  return &k->slot[i];
}

static void
grow_slots(struct kdict *k)
{
  size_t *old = k->slot, nold = k->nslot;

  k->nslot = nold ? nold * 2 : 256;
  k->slot = xcalloc(k->nslot, sizeof *k->slot);
  for (size_t i = 0; i < nold; i++)
    if (old[i])
      *find_slot(k, k->text[old[i] - 1]) = old[i];
  free(old);
}

/* The entry of text s, added (without a code) when absent. */
static size_t
dict_entry(struct kdict *k, const char *s)
{
  size_t *slot;

  if (2 * (k->n + 1) > k->nslot)
    grow_slots(k);
  slot = find_slot(k, s);
  if (*slot == 0) {
    k->text = util_grow(k->text, &k->cap, k->n + 1, sizeof *k->text);
    k->code = xrealloc(k->code, k->cap * sizeof *k->code);
    k->text[k->n] = xstrdup(s);
    k->code[k->n] = 0;
    *slot = ++k->n;
  }
  return *slot - 1;
}

static const char *
dict_intern(struct kdict *k, const char *s)
{
  size_t e;

  if (s == NULL)
    return NULL;
  e = dict_entry(k, s); /* before k->text is read: it may move */
  return k->text[e];
}

static void
dict_set_code(struct kdict *k, size_t e, uint32_t code)
{
  k->code[e] = code;
  if (code >= k->capat) {
    size_t cap = k->capat;
    k->at = util_grow(k->at, &k->capat, (size_t)code + 1, sizeof *k->at);
    memset(k->at + cap, 0, (k->capat - cap) * sizeof *k->at);
  }
  k->at[code] = e + 1;
}

static const char *
dict_text(const struct kdict *k, uint32_t code)
{
  if (code == 0 || code >= k->capat || k->at[code] == 0)
    return NULL;
  return k->text[k->at[code] - 1];
}

static void
dict_free(struct kdict *k)
{
  for (size_t i = 0; i < k->n; i++)
    free(k->text[i]);
  free(k->text);
  free(k->code);
  free(k->slot);
  free(k->at);
  memset(k, 0, sizeof *k);
}

static int
load_code(void *ctx, uint32_t code, const char *text)
{
  struct kdict *k = ctx;
  size_t e = dict_entry(k, text);

  if (k->code[e] == 0)
    dict_set_code(k, e, code);
  if (code > k->stored)
    k->stored = code;
  if (code > k->next)
    k->next = code;
  return OK;
}

static struct store_cells *
cells_of(struct store *st)
{
  if (st->cells == NULL) {
    st->cells = xcalloc(1, sizeof *st->cells);
    st->cells->touched = tmap_new(2);
    st->cells->gone = tmap_new(1);
    st->cells->cache = cells_cache_new(st->day_cache_bytes);
  }
  return st->cells;
}

size_t
store_day_cache_bytes(struct store *st)
{
  return st->cells ? cells_cache_bytes(st->cells->cache) : 0;
}

uint64_t
store_day_cache_dropped(struct store *st)
{
  return st->cells ? cells_cache_dropped(st->cells->cache) : 0;
}

static int
kept(const struct store *st)
{
  return st->be->each_cells != NULL;
}

/* Reads the codes committed since the handle last looked. */
static int
dict_refresh(struct store *st)
{
  struct store_cells *sc = cells_of(st);

  return st->be->each_code(st->db, sc->dict.stored + 1, load_code, &sc->dict);
}

void
store__cells_free(struct store *st)
{
  if (st->cells == NULL)
    return;
  fresh_clear(st->cells);
  free(st->cells->fresh);
  dict_free(&st->cells->dict);
  tmap_free(st->cells->touched);
  tmap_free(st->cells->gone);
  free(st->cells->counting);
  free(st->cells->timezone);
  cells_builder_free(st->cells->builder);
  cells_cache_free(st->cells->cache);
  free(st->cells);
  st->cells = NULL;
}

/* -- The rules the cells depend on -- */

/* What of rules c (or of the transaction's new version) the cells are
 * built with, as meta keeps it. */
static char *
rules_text(double tol, const char *counting, const char *tz)
{
  return xasprintf("1 tolerance=%.17g counting=%s timezone=%s", tol,
                   counting ? counting : "crossed", tz ? tz : "UTC");
}

static char *
rules_of(const struct corridor *c)
{
  return rules_text(c->dispute_tolerance, c->counting_stage, c->timezone);
}

void
store__cells_rules(struct store *st, const struct corridor *c)
{
  struct store_cells *sc;

  if (!kept(st))
    return;
  sc = cells_of(st);
  sc->tx_rules = 1;
  sc->tol = c->dispute_tolerance;
  free(sc->counting);
  free(sc->timezone);
  sc->counting = xstrdup(c->counting_stage ? c->counting_stage : "crossed");
  sc->timezone = xstrdup(c->timezone ? c->timezone : "UTC");
}

/* -- Reading records as the analysis does (src/analysis/view.c) -- */

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / DAY : -((-seconds + DAY - 1) / DAY);
}

/* The days a span reaches: [*d0, *d1]; an instant its own day. */
static void
days_of(int64_t begin, int64_t end, int64_t *d0, int64_t *d1)
{
  *d0 = day_floor(begin);
  *d1 = end > begin ? day_floor(end - 1) : *d0;
}

/* A flow's bounds in local seconds, as the analysis reads them: its
 * start's begin and its end's finish (the start's when the end does not
 * parse). -1 when the start does not parse (the record is skipped). */
static int
flow_bounds(const struct record *rec, const struct corridor *c, int64_t *b,
            int64_t *f)
{
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");
  int64_t eb, ef;

  if (record_time_bounds(start, corridor_tz_offset, (void *)c, b, &ef) != OK)
    return -1;
  if (end == NULL ||
      record_time_bounds(end, corridor_tz_offset, (void *)c, &eb, f) != OK)
    *f = ef;
  return 0;
}

/* A coverage record's span as the analysis reads it; -1 when it has no
 * time (the analysis skips it). */
static int
cover_bounds(const struct record *rec, const struct corridor *c, int64_t *b,
             int64_t *f)
{
  int64_t eb, ef;

  if (record_time_bounds(record_get(rec, "start"), corridor_tz_offset,
                         (void *)c, b, &ef) != OK ||
      record_time_bounds(record_get(rec, "end"), corridor_tz_offset, (void *)c,
                         &eb, f) != OK)
    return -1;
  if (*f < *b)
    *f = *b;
  return 0;
}

static void
touch(struct store_cells *sc, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};

  tmap_put(sc->touched, key, NULL);
}

static void fresh_add(struct store *st, const struct record *rec, uint64_t seq,
                      int64_t b, int64_t f);

void
store__cells_touch(struct store *st, const struct record *rec, uint64_t seq,
                   int gone)
{
  enum record_kind kind = rec->kind->kind;
  struct store_cells *sc;
  const char *cp;
  int64_t b, f, d0, d1;

  if (!kept(st) || (kind != KIND_flow && kind != KIND_coverage) ||
      st->corridor == NULL)
    return;
  sc = cells_of(st);
  if (kind == KIND_coverage)
    sc->tx_cover = 1;
  cp = record_get(rec, "checkpoint");
  if (cp == NULL)
    return;
  if (kind == KIND_flow) {
    if (flow_bounds(rec, st->corridor, &b, &f) != 0)
      return;
    if (f - b > sc->span) {
      sc->span = f - b;
      sc->span_grown = 1;
    }
  } else if (cover_bounds(rec, st->corridor, &b, &f) != 0 || f <= b) {
    return; /* an instant covers no time */
  }
  if (gone) {
    uint64_t key = seq;
    tmap_put(sc->gone, &key, NULL);
  } else if (kind == KIND_flow) {
    fresh_add(st, rec, seq, b, f);
  }
  cp = dict_intern(&sc->dict, cp);
  days_of(b, f, &d0, &d1);
  for (int64_t d = d0; d <= d1; d++)
    touch(sc, d, cp);
}

/* -- Building days -- */

/* Live records read for building: flows in sequence order, their strings
 * interned in the dictionary. */
struct recs {
  struct store *st;
  struct kdict *k;
  const struct corridor *c;
  struct record rec;
  struct record_ctx rctx;
  struct buf err;
  int64_t from, to; /* the period read, local seconds */
  struct cells_rec *v;
  size_t n, cap;
  struct cells_line *lines;
  size_t nlines, caplines;
  size_t *line_of; /* per record: its first line's index */
  size_t capline_of;
  struct cells_cover *cover; /* every live coverage record with time */
  const char **cover_cp;
  size_t ncover, capcover;
  int64_t span;      /* the longest flow read */
  struct tmap *gone; /* entries to skip: superseded in the transaction */
};

static int
parse(struct recs *r, const struct store_entry *e, int kind)
{
  record_reset(&r->rec);
  buf_reset(&r->err);
  if (record_from_json(&r->rec, kind, &r->rctx, e->bytes, e->len, &r->err) !=
      OK) {
    store__set_error(r->st, _("entry %llu cannot be read: %s"),
                     (unsigned long long)e->seq,
                     r->err.data ? r->err.data : "");
    return ERR_STORE;
  }
  return OK;
}

static const char *
dim_text(struct recs *r, const struct record *rec, int k)
{
  const char *t;

  if (k == CD_CATEGORY)
    t = rec->ncargo ? record_text(rec, &rec->cargo[0].category) : "";
  else
    t = record_get(rec, store_dim_names[DIM_CHECKPOINT + k]);
  return dict_intern(r->k, t ? t : "");
}

/* Appends flow rec (entry seq, bounds b..f) as the builder reads it. */
static void
add_rec(struct recs *r, const struct record *rec, uint64_t seq, int64_t b,
        int64_t f)
{
  const struct record_value *v;
  struct cells_rec *c;

  if (f - b > r->span)
    r->span = f - b;
  r->v = util_grow(r->v, &r->cap, r->n + 1, sizeof *r->v);
  r->line_of =
      util_grow(r->line_of, &r->capline_of, r->n + 1, sizeof *r->line_of);
  c = &r->v[r->n];
  memset(c, 0, sizeof *c);
  c->seq = seq;
  c->begin = b;
  c->end = f;
  for (int k = 0; k < CD_COUNT; k++)
    c->dim[k] = dim_text(r, rec, k);
  v = record_value(rec, "persons");
  c->has_persons = v->set;
  c->persons = v->set ? v->num : 0;
  v = record_value(rec, "vehicles");
  c->has_vehicles = v->set;
  c->vehicles = v->set ? v->num : 0;
  r->line_of[r->n] = r->nlines;
  for (size_t i = 0; i < rec->ncargo; i++) {
    double t = record_cargo_tonnes(rec, i);
    if (t < 0)
      continue;
    r->lines =
        util_grow(r->lines, &r->caplines, r->nlines + 1, sizeof *r->lines);
    r->lines[r->nlines].category =
        dict_intern(r->k, record_text(rec, &rec->cargo[i].category));
    r->lines[r->nlines].tonnes = t;
    r->nlines++;
  }
  c->nlines = r->nlines - r->line_of[r->n];
  r->n++;
}

static int
meets(const struct recs *r, int64_t b, int64_t f)
{
  return f > b ? b < r->to && f > r->from : b >= r->from && b < r->to;
}

/* Keeps a flow whose interval meets [from, to) (the backend's bounds let
 * through those that end where the period begins), as the analysis's
 * store_each_flow_overlapping and keep_flow read it; not one the
 * transaction superseded. */
static int
take_flow(void *ctx, const struct store_entry *e)
{
  struct recs *r = ctx;
  uint64_t key = e->seq;
  size_t i;
  int64_t b, f;
  int rc;

  if (r->gone && tmap_get(r->gone, &key, &i))
    return OK;
  if ((rc = parse(r, e, KIND_flow)) != OK)
    return rc;
  if (flow_bounds(&r->rec, r->c, &b, &f) != 0 || !meets(r, b, f))
    return OK;
  add_rec(r, &r->rec, e->seq, b, f);
  return OK;
}

/* The lines of r's record i (NULL when no record of r has any: no
 * pointer arithmetic on a NULL array). */
static const struct cells_line *
lines_of(const struct recs *r, size_t i)
{
  return r->lines ? &r->lines[r->line_of[i]] : NULL;
}

/* Points each record at its lines, once they are all read (the lines'
 * array moves as it grows). */
static void
link_lines(struct recs *r)
{
  for (size_t i = 0; i < r->n; i++)
    r->v[i].lines = lines_of(r, i);
}

static int
take_cover(void *ctx, const struct record *rec, uint64_t seq)
{
  struct recs *r = ctx;
  const char *state = record_get(rec, "state");
  int64_t b, f;

  (void)seq;
  if (cover_bounds(rec, r->c, &b, &f) != 0)
    return OK;
  r->cover = util_grow(r->cover, &r->capcover, r->ncover + 1, sizeof *r->cover);
  r->cover_cp = xrealloc(r->cover_cp, r->capcover * sizeof *r->cover_cp);
  r->cover[r->ncover] =
      (struct cells_cover){b, f, state && strcmp(state, "observed") == 0};
  r->cover_cp[r->ncover] = dict_intern(r->k, record_get(rec, "checkpoint"));
  r->ncover++;
  return OK;
}

static void
recs_init(struct recs *r, struct store *st)
{
  memset(r, 0, sizeof *r);
  r->st = st;
  r->k = &cells_of(st)->dict;
  r->c = st->corridor;
  /* As the analysis reads flows: the corridor's categories, nothing
   * else (store_each_flow_overlapping). */
  r->rctx.categories = store_categories(st);
  record_init(&r->rec, KIND_flow);
  buf_init(&r->err);
}

static void
recs_cleanup(struct recs *r)
{
  record_cleanup(&r->rec);
  buf_cleanup(&r->err);
  free(r->v);
  free(r->lines);
  free(r->line_of);
  free(r->cover);
  free(r->cover_cp);
}

static int
read_cover(struct recs *r)
{
  return store_each_live(r->st, KIND_coverage, r->st->size, take_cover, r);
}

/* Whether the cache may be read and filled in this transaction: not when
 * it appends rules, which change what a day holds. */
static int
cache_usable(const struct store_cells *sc)
{
  return sc->cache != NULL && !sc->tx_rules;
}

/* The live coverage as read_cover reads it in the transaction: from the
 * cache unless the transaction wrote coverage; what was read is held. */
static int
tx_cover(struct recs *r)
{
  struct store_cells *sc = cells_of(r->st);
  const struct cells_cover *held;
  const char *const *cp;
  size_t n;
  int rc;

  if (cache_usable(sc) && !sc->tx_cover &&
      (held = cells_cache_cover(sc->cache, &cp, &n)) != NULL) {
    r->cover = util_grow(r->cover, &r->capcover, n + 1, sizeof *r->cover);
    r->cover_cp = xrealloc(r->cover_cp, r->capcover * sizeof *r->cover_cp);
    if (n) {
      memcpy(r->cover, held, n * sizeof *held);
      memcpy(r->cover_cp, cp, n * sizeof *cp);
    }
    r->ncover = n;
    return OK;
  }
  if ((rc = read_cover(r)) != OK)
    return rc;
  if (cache_usable(sc)) {
    cells_cache_put_cover(sc->cache, r->cover, r->cover_cp, r->ncover);
    sc->tx_cover = 0; /* what is held is the transaction's now */
  }
  return OK;
}

static void
fresh_add(struct store *st, const struct record *rec, uint64_t seq, int64_t b,
          int64_t f)
{
  struct store_cells *sc = cells_of(st);

  if (sc->fresh == NULL) {
    sc->fresh = xcalloc(1, sizeof *sc->fresh);
    sc->fresh->k = &sc->dict;
  }
  add_rec(sc->fresh, rec, seq, b, f);
}

static void
fresh_clear(struct store_cells *sc)
{
  struct recs *fr = sc->fresh;

  if (fr == NULL)
    return;
  free(fr->v);
  free(fr->lines);
  free(fr->line_of);
  memset(fr, 0, sizeof *fr);
  fr->k = &sc->dict;
}

/* Appends a copy of c with its lines (lines[0..c->nlines)). */
static void
push_rec(struct recs *r, const struct cells_rec *c,
         const struct cells_line *lines)
{
  r->v = util_grow(r->v, &r->cap, r->n + 1, sizeof *r->v);
  r->line_of =
      util_grow(r->line_of, &r->capline_of, r->n + 1, sizeof *r->line_of);
  r->v[r->n] = *c;
  r->line_of[r->n] = r->nlines;
  for (size_t l = 0; l < c->nlines; l++) {
    r->lines =
        util_grow(r->lines, &r->caplines, r->nlines + 1, sizeof *r->lines);
    r->lines[r->nlines++] = lines[l];
  }
  if (c->end - c->begin > r->span)
    r->span = c->end - c->begin;
  r->n++;
}

static int
is_gone(const struct store_cells *sc, uint64_t seq)
{
  size_t at;

  return tmap_get(sc->gone, &seq, &at);
}

/* Appends the transaction's own flows at cp (NULL: every checkpoint) that
 * meet r's period and are live, after those read back (all of which come
 * before them in the log). */
static void
append_fresh(struct store_cells *sc, struct recs *r, const char *cp)
{
  const struct recs *fr = sc->fresh;

  for (size_t i = 0; fr && i < fr->n; i++) {
    const struct cells_rec *c = &fr->v[i];
    if ((cp && c->dim[CD_CHECKPOINT] != cp) || !meets(r, c->begin, c->end) ||
        is_gone(sc, c->seq))
      continue;
    push_rec(r, c, lines_of(fr, i));
  }
}

/* The live flows at cp (NULL: all) meeting [r->from, r->to), starting at
 * or after lo, in sequence order: inside the write transaction, those
 * stored before it read back (less what it superseded) and then its own. */
static int
read_flows(struct store *st, struct recs *r, const char *cp, int64_t lo)
{
  struct store_cells *sc = cells_of(st);
  uint64_t base = st->in_tx ? sc->tx_start : st->size;
  int rc;

  r->gone = st->in_tx ? sc->gone : NULL;
  if (cp)
    rc = st->be->each_flow_near(st->db, cp, lo, r->from, r->to, base, take_flow,
                                r);
  else
    rc = st->be->each_flow_overlap(st->db, NULL, r->from, r->to, base,
                                   take_flow, r);
  if (rc == OK && st->in_tx)
    append_fresh(sc, r, cp);
  return rc;
}

/* What a day's cells are built with: the rules in force for the
 * transaction (its new version's, when it appended one). */
struct rules {
  double tol;
  const char *counting, *timezone;
};

static void
rules_now(struct store *st, struct rules *out)
{
  struct store_cells *sc = cells_of(st);

  if (sc->tx_rules) {
    out->tol = sc->tol;
    out->counting = sc->counting;
    out->timezone = sc->timezone;
    return;
  }
  out->tol = st->corridor->dispute_tolerance;
  out->counting =
      st->corridor->counting_stage ? st->corridor->counting_stage : "crossed";
  out->timezone = st->corridor->timezone ? st->corridor->timezone : "UTC";
}

/* What becomes of each day built: stored, or compared (the auditor). */
typedef int (*day_sink)(void *ctx, int64_t day, const char *cp,
                        const struct cells_day *d);

/* Builds day at cp from the records r->v[idx[0..n)] and the coverage at
 * cp reaching the day, and hands it to sink (empty cells too: a sink that
 * stores removes the day). */
static int
build_day(struct store *st, struct recs *r, const struct rules *ru, int64_t day,
          const char *cp, const size_t *idx, size_t n, struct cells_day *out,
          day_sink sink, void *ctx)
{
  struct store_cells *sc = cells_of(st);
  struct cells_rec *recs = xmalloc((n + 1) * sizeof *recs);
  struct cells_cover *cov = xmalloc((r->ncover + 1) * sizeof *cov);
  struct cells_rules rules;
  size_t ncov = 0;
  int rc;

  for (size_t i = 0; i < n; i++)
    recs[i] = r->v[idx[i]];
  for (size_t i = 0; i < r->ncover; i++) {
    int64_t d0, d1;
    if (r->cover_cp[i] != cp || r->cover[i].end <= r->cover[i].begin)
      continue;
    days_of(r->cover[i].begin, r->cover[i].end, &d0, &d1);
    if (d0 <= day && day <= d1)
      cov[ncov++] = r->cover[i];
  }
  rules.tolerance = ru->tol;
  rules.passed = dict_intern(&sc->dict, "passed");
  rules.counting = dict_intern(&sc->dict, ru->counting);
  if (sc->builder == NULL)
    sc->builder = cells_builder_new();
  cells_build(sc->builder, day, cp, recs, n, cov, ncov, &rules, out);
  rc = sink(ctx, day, cp, out);
  free(recs);
  free(cov);
  return rc;
}

/* The records of each (day, checkpoint) of a set. */
struct buckets {
  struct tmap *at; /* (day, cp) */
  size_t **idx;
  size_t *n, *cap;
  size_t nb, capb;
};

static void
buckets_init(struct buckets *bs)
{
  memset(bs, 0, sizeof *bs);
  bs->at = tmap_new(2);
}

static void
buckets_free(struct buckets *bs)
{
  for (size_t i = 0; i < bs->nb; i++)
    free(bs->idx[i]);
  free(bs->idx);
  free(bs->n);
  free(bs->cap);
  tmap_free(bs->at);
}

static size_t
bucket(struct buckets *bs, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};
  int added;
  size_t i = tmap_put(bs->at, key, &added);

  if (added) {
    size_t capb = bs->capb;
    bs->idx = util_grow(bs->idx, &capb, i + 1, sizeof *bs->idx);
    bs->n = xrealloc(bs->n, capb * sizeof *bs->n);
    bs->cap = xrealloc(bs->cap, capb * sizeof *bs->cap);
    bs->capb = capb;
    bs->idx[i] = NULL;
    bs->n[i] = bs->cap[i] = 0;
    bs->nb = i + 1;
  }
  return i;
}

static void
bucket_add(struct buckets *bs, size_t i, size_t rec)
{
  bs->idx[i] =
      util_grow(bs->idx[i], &bs->cap[i], bs->n[i] + 1, sizeof *bs->idx[i]);
  bs->idx[i][bs->n[i]++] = rec;
}

static int
build_buckets(struct store *st, struct recs *r, struct buckets *bs,
              day_sink sink, void *ctx)
{
  struct cells_day d;
  struct rules ru;
  int rc = OK;

  rules_now(st, &ru);
  cells_day_init(&d);
  for (size_t i = 0; i < bs->nb && rc == OK; i++) {
    const uint64_t *key = tmap_key(bs->at, i);
    rc = build_day(st, r, &ru, (int64_t)key[0], (const char *)(uintptr_t)key[1],
                   bs->idx[i], bs->n[i], &d, sink, ctx);
  }
  cells_day_cleanup(&d);
  return rc;
}

/* Every live flow and coverage record's days, all of them built. */
static int
derive_all(struct store *st, day_sink sink, void *ctx, int64_t *span)
{
  struct recs r;
  struct buckets bs;
  int rc;

  recs_init(&r, st);
  buckets_init(&bs);
  r.from = INT64_MIN;
  r.to = INT64_MAX;
  rc = read_flows(st, &r, NULL, INT64_MIN);
  if (rc == OK)
    rc = read_cover(&r);
  if (rc == OK) {
    link_lines(&r);
    for (size_t i = 0; i < r.n; i++) {
      int64_t d0, d1;
      days_of(r.v[i].begin, r.v[i].end, &d0, &d1);
      for (int64_t d = d0; d <= d1; d++)
        bucket_add(&bs, bucket(&bs, d, r.v[i].dim[CD_CHECKPOINT]), i);
    }
    for (size_t i = 0; i < r.ncover; i++) {
      int64_t d0, d1;
      if (r.cover[i].end <= r.cover[i].begin)
        continue;
      days_of(r.cover[i].begin, r.cover[i].end, &d0, &d1);
      for (int64_t d = d0; d <= d1; d++)
        bucket(&bs, d, r.cover_cp[i]);
    }
    rc = build_buckets(st, &r, &bs, sink, ctx);
  }
  *span = r.span;
  buckets_free(&bs);
  recs_cleanup(&r);
  return rc;
}

/* -- Storing days -- */

struct encoder {
  struct store *st;
  int rc;
  int lookup; /* the auditor's: no new codes */
  struct buf bytes;
};

static uint32_t
code_of(void *ctx, const char *s)
{
  struct encoder *en = ctx;
  struct store_cells *sc = cells_of(en->st);
  size_t e = dict_entry(&sc->dict, s);
  int rc;

  if (sc->dict.code[e] || en->lookup)
    return sc->dict.code[e];
  dict_set_code(&sc->dict, e, ++sc->dict.next);
  rc = en->st->be->put_code(en->st->db, sc->dict.code[e], s);
  if (rc != OK && en->rc == OK)
    en->rc = rc;
  return sc->dict.code[e];
}

static int
store_day(void *ctx, int64_t day, const char *cp, const struct cells_day *d)
{
  struct encoder *en = ctx;
  uint32_t c = code_of(en, cp);

  buf_reset(&en->bytes);
  if (!cells_day_empty(d))
    cells_encode(d, code_of, en, &en->bytes);
  if (en->rc != OK)
    return en->rc;
  return en->st->be->put_cells(en->st->db, day, c, en->bytes.data,
                               en->bytes.len);
}

static int
put_span(struct store *st, int64_t span)
{
  char text[32];

  snprintf(text, sizeof text, "%lld", (long long)span);
  return st->be->replace_meta(st->db, meta_span, text);
}

static int
read_span(struct store *st)
{
  struct store_cells *sc = cells_of(st);
  char *text = NULL;
  int rc;

  if (sc->span_known)
    return OK;
  rc = st->be->get_meta(st->db, meta_span, &text);
  if (rc == OK) {
    long long v = strtoll(text, NULL, 10);
    if (v > sc->span)
      sc->span = v;
  } else if (rc != ERR_NOTFOUND) {
    return rc;
  }
  free(text);
  sc->span_known = 1;
  return OK;
}

int
store_longest_flow(struct store *st, int64_t *span)
{
  char *text = NULL;
  int rc = st->be->get_meta(st->db, meta_span, &text);

  if (rc == OK) {
    *span = strtoll(text, NULL, 10);
    free(text);
  }
  return rc;
}

/* Every day again, in the transaction, under the rules text. */
static int
rebuild_all(struct store *st, const char *rules)
{
  struct encoder en = {st, OK, 0, {0}};
  int64_t span = 0;
  int rc;

  buf_init(&en.bytes);
  cells_cache_clear(cells_of(st)->cache);
  rc = st->be->clear_cells(st->db);
  if (rc == OK)
    rc = derive_all(st, store_day, &en, &span);
  buf_cleanup(&en.bytes);
  if (rc == OK && span > cells_of(st)->span)
    cells_of(st)->span = span;
  if (rc == OK)
    rc = put_span(st, cells_of(st)->span);
  if (rc == OK)
    rc = st->be->replace_meta(st->db, meta_rules, rules);
  cells_of(st)->span_known = 1;
  cells_of(st)->span_grown = 0;
  return rc;
}

static int
by_key(const void *x, const void *y)
{
  const uint64_t *p = *(const uint64_t *const *)x;
  const uint64_t *q = *(const uint64_t *const *)y;
  int c = strcmp((const char *)(uintptr_t)p[1], (const char *)(uintptr_t)q[1]);

  if (c)
    return c;
  return (int64_t)p[0] < (int64_t)q[0] ? -1 : (int64_t)p[0] > (int64_t)q[0];
}

/* Whether the cache holds every day of keys[0..n) (one checkpoint's). */
static int
run_held(struct store_cells *sc, const uint64_t *const *keys, size_t n)
{
  if (!cache_usable(sc))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!cells_cache_holds(sc->cache, (int64_t)keys[i][0],
                           (const char *)(uintptr_t)keys[i][1]))
      return 0;
  return 1;
}

/* Takes a held record unless the transaction superseded it. */
static int
take_held(void *ctx, const struct cells_rec *rec)
{
  struct recs *r = ctx;

  if (!is_gone(cells_of(r->st), rec->seq))
    push_rec(r, rec, rec->lines);
  return 0;
}

/* Builds each day of keys[0..n) from the records the cache holds for it,
 * less those the transaction superseded or withdrew, and the
 * transaction's own that reach it: the records, in the same order, that
 * reading them back would give (a flow reaches day d when d is among
 * days_of its bounds, whatever run the day is built in). */
static int
rebuild_held(struct store *st, const uint64_t *const *keys, size_t n,
             struct encoder *en)
{
  struct store_cells *sc = cells_of(st);
  const char *cp = (const char *)(uintptr_t)keys[0][1];
  int64_t first = (int64_t)keys[0][0], last = (int64_t)keys[n - 1][0];
  const struct recs *fr = sc->fresh;
  struct buckets mine; /* the transaction's own flows, by day */
  struct cells_day d;
  struct rules ru;
  int rc = OK;

  rules_now(st, &ru);
  cells_day_init(&d);
  buckets_init(&mine);
  for (size_t k = 0; k < n; k++)
    bucket(&mine, (int64_t)keys[k][0], cp);
  for (size_t i = 0; fr && i < fr->n; i++) {
    const struct cells_rec *c = &fr->v[i];
    int64_t d0, d1;
    if (c->dim[CD_CHECKPOINT] != cp || is_gone(sc, c->seq))
      continue;
    days_of(c->begin, c->end, &d0, &d1);
    for (int64_t dd = d0 < first ? first : d0; dd <= d1 && dd <= last; dd++) {
      uint64_t key[2] = {(uint64_t)dd, (uint64_t)(uintptr_t)cp};
      size_t b;
      if (tmap_get(mine.at, key, &b))
        bucket_add(&mine, b, i);
    }
  }
  for (size_t k = 0; k < n && rc == OK; k++) {
    int64_t day = (int64_t)keys[k][0];
    struct recs r;
    size_t *idx;

    recs_init(&r, st);
    cells_cache_each(sc->cache, day, cp, take_held, &r);
    for (size_t j = 0; j < mine.n[k]; j++) {
      size_t i = mine.idx[k][j];
      push_rec(&r, &fr->v[i], lines_of(fr, i));
    }
    rc = tx_cover(&r);
    if (rc == OK) {
      link_lines(&r);
      idx = xmalloc((r.n + 1) * sizeof *idx);
      for (size_t i = 0; i < r.n; i++)
        idx[i] = i;
      rc = build_day(st, &r, &ru, day, cp, idx, r.n, &d, store_day, en);
      if (rc == OK)
        cells_cache_put_day(sc->cache, day, cp, r.v, idx, r.n);
      free(idx);
    }
    recs_cleanup(&r);
  }
  buckets_free(&mine);
  cells_day_cleanup(&d);
  return rc;
}

/* The touched days of one checkpoint, keys[0..n) by day, in runs of at
 * most RUN_DAYS days, each run's records read once (or taken from the
 * cache, when it holds every day of the run). */
static int
rebuild_run(struct store *st, const uint64_t *const *keys, size_t n,
            struct encoder *en)
{
  struct store_cells *sc = cells_of(st);
  const char *cp = (const char *)(uintptr_t)keys[0][1];
  int64_t first = (int64_t)keys[0][0], last = (int64_t)keys[n - 1][0];
  struct recs r;
  struct buckets bs;
  int rc;

  if (run_held(sc, keys, n))
    return rebuild_held(st, keys, n, en);
  recs_init(&r, st);
  buckets_init(&bs);
  r.from = first * DAY;
  r.to = (last + 1) * DAY;
  rc = read_flows(st, &r, cp, r.from - sc->span);
  if (rc == OK)
    rc = tx_cover(&r);
  if (rc == OK) {
    link_lines(&r);
    for (size_t i = 0; i < n; i++)
      bucket(&bs, (int64_t)keys[i][0], cp);
    for (size_t i = 0; i < r.n; i++) {
      int64_t d0, d1;
      days_of(r.v[i].begin, r.v[i].end, &d0, &d1);
      for (int64_t d = d0 < first ? first : d0; d <= d1 && d <= last; d++) {
        uint64_t key[2] = {(uint64_t)d, (uint64_t)(uintptr_t)cp};
        size_t b;
        if (tmap_get(bs.at, key, &b))
          bucket_add(&bs, b, i);
      }
    }
    rc = build_buckets(st, &r, &bs, store_day, en);
    for (size_t i = 0; rc == OK && cache_usable(sc) && i < bs.nb; i++)
      cells_cache_put_day(sc->cache, (int64_t)tmap_key(bs.at, i)[0], cp, r.v,
                          bs.idx[i], bs.n[i]);
  }
  buckets_free(&bs);
  recs_cleanup(&r);
  return rc;
}

static int
rebuild_touched(struct store *st)
{
  struct store_cells *sc = cells_of(st);
  size_t n = tmap_count(sc->touched), i = 0;
  const uint64_t **keys = xmalloc((n + 1) * sizeof *keys);
  struct encoder en = {st, OK, 0, {0}};
  int rc = OK;

  buf_init(&en.bytes);
  for (size_t k = 0; k < n; k++)
    keys[k] = tmap_key(sc->touched, k);
  qsort(keys, n, sizeof *keys, by_key);
  while (i < n && rc == OK) {
    size_t j = i + 1;
    while (j < n && keys[j][1] == keys[i][1] &&
           (int64_t)keys[j][0] - (int64_t)keys[i][0] < RUN_DAYS)
      j++;
    rc = rebuild_run(st, keys + i, j - i, &en);
    i = j;
  }
  buf_cleanup(&en.bytes);
  free(keys);
  return rc;
}

/* What another handle appended since this one's cache was true, taken
 * into the transaction as if it had appended it itself (catch_up). */
struct taking {
  struct store *st;
  struct recs r;
  char **targets; /* the ids the range's flows correct */
  size_t ntargets, cap;
};

static int
catch_entry(void *ctx, const struct store_entry *e)
{
  struct taking *c = ctx;
  const char *target;
  int rc;

  if ((int)e->kind == KIND_coverage || (int)e->kind == KIND_withdrawal ||
      (int)e->kind >= KIND_COUNT)
    return ERR_NOTFOUND; /* coverage, a withdrawal, rules: drop instead */
  if (e->kind != KIND_flow)
    return OK; /* no kind a day's cells read */
  if ((rc = parse(&c->r, e, KIND_flow)) != OK)
    return rc;
  store__cells_touch(c->st, &c->r.rec, e->seq, 0);
  if ((target = record_get(&c->r.rec, "supersedes")) != NULL) {
    c->targets =
        util_grow(c->targets, &c->cap, c->ntargets + 1, sizeof *c->targets);
    c->targets[c->ntargets++] = xstrdup(target);
  }
  return OK;
}

/*
 * Another handle (another server on the same database, an import beside
 * the server) appended [cache_at, size) since this one's last commit, so
 * the days held are no longer known true. Rather than drop them all, and
 * read a busy day back whole at the next commit, the transaction takes
 * that range's flows as its own (fresh, their days touched) and the flows
 * they correct as superseded by it (gone), exactly as if this handle had
 * written them; tx_start moves back to cache_at, so that what is read back
 * from the store stops where the range begins. The commit then builds
 * those days again from what is held and what was taken (the same bytes
 * the other handle stored). Only when the range holds flows and kinds
 * the cells do not read, at most CATCH_UP_MAX entries: with coverage, a
 * withdrawal or new rules in it, the cache is dropped (ERR_NOTFOUND).
 */
#define CATCH_UP_MAX 4096

static int
catch_up(struct store *st)
{
  struct store_cells *sc = cells_of(st);
  struct taking c = {st, {0}, NULL, 0, 0};
  int rc;

  if (st->size < sc->cache_at || st->size - sc->cache_at > CATCH_UP_MAX ||
      st->corridor == NULL || cells_cache_bytes(sc->cache) == 0)
    return ERR_NOTFOUND;
  recs_init(&c.r, st);
  rc = st->be->each_entry(st->db, -1, sc->cache_at, st->size, catch_entry, &c);
  for (size_t i = 0; rc == OK && i < c.ntargets; i++) {
    struct store_entry e;
    rc = st->be->get_entry(st->db, KIND_flow, c.targets[i], &e);
    if (rc == OK && (rc = parse(&c.r, &e, KIND_flow)) == OK)
      store__cells_touch(st, &c.r.rec, e.seq, 1);
  }
  for (size_t i = 0; i < c.ntargets; i++)
    free(c.targets[i]);
  free(c.targets);
  recs_cleanup(&c.r);
  if (rc == OK)
    sc->tx_start = sc->cache_at;
  return rc;
}

/* Nothing touched, held or superseded yet in a transaction that reads
 * back what was stored before size. */
static void
tx_reset(struct store_cells *sc, uint64_t size)
{
  tmap_clear(sc->touched);
  tmap_clear(sc->gone);
  fresh_clear(sc);
  sc->tx_start = size;
  sc->span_grown = 0;
}

int
store__cells_begin(struct store *st)
{
  struct store_cells *sc;
  int rc;

  if (!kept(st))
    return OK;
  sc = cells_of(st);
  tx_reset(sc, st->size);
  sc->tx_rules = 0;
  sc->tx_cover = 0;
  sc->span_known = 0;
  if (sc->cache_at != st->size) {
    rc = catch_up(st);
    if (rc != OK) {
      /* Nothing held is known true: dropped, and nothing taken (nor the
       * spans of what was). */
      tx_reset(sc, st->size);
      sc->span = 0;
      cells_cache_clear(sc->cache);
      if (rc != ERR_NOTFOUND)
        return rc;
    }
    sc->cache_at = st->size;
  }
  return dict_refresh(st);
}

/* Whether the kept days were built with the rules in force for the
 * transaction (*same 1), so that building only the touched days keeps
 * meta's rules true of every kept day; *want is those rules' text. */
static int
rules_kept(struct store *st, char **want, int *same)
{
  struct rules ru;
  char *have = NULL;
  int rc;

  rules_now(st, &ru);
  *want = rules_text(ru.tol, ru.counting, ru.timezone);
  *same = 0;
  rc = st->be->get_meta(st->db, meta_rules, &have);
  if (rc == ERR_NOTFOUND)
    rc = OK;
  else if (rc == OK)
    *same = strcmp(have, *want) == 0;
  free(have);
  return rc;
}

/* The touched days built and stored in the transaction, and nothing left
 * touched nor held. */
static int
flush_touched(struct store *st)
{
  struct store_cells *sc = cells_of(st);
  int rc = rebuild_touched(st);

  if (rc == OK && sc->span_grown)
    rc = put_span(st, sc->span);
  tmap_clear(sc->touched);
  fresh_clear(sc);
  return rc;
}

static int
found_entry(void *ctx, const struct store_entry *e)
{
  (void)e;
  *(int *)ctx = 1;
  return ERR_EXISTS;
}

static int
found_record(void *ctx, const struct record *rec, uint64_t seq)
{
  (void)rec;
  (void)seq;
  *(int *)ctx = 1;
  return ERR_EXISTS;
}

/*
 * The transaction appends the store's first rules (passage init): with no
 * flow nor coverage stored, every kept day (none) is built with them, and
 * meta says so; else the next write builds every day. Without it the
 * first import after init would build every day from records all held in
 * memory at once, rather than only its own days, in bounded runs.
 */
static int
first_rules(struct store *st)
{
  char *want;
  int any = 0, rc;

  rc = st->be->each_flow_overlap(st->db, NULL, INT64_MIN, INT64_MAX, st->size,
                                 found_entry, &any);
  if (rc == OK)
    rc = store_each_live(st, KIND_coverage, st->size, found_record, &any);
  if (any)
    return OK; /* the callbacks' ERR_EXISTS: found one */
  if (rc != OK)
    return rc;
  want = rules_text(cells_of(st)->tol, cells_of(st)->counting,
                    cells_of(st)->timezone);
  rc = st->be->replace_meta(st->db, meta_rules, want);
  free(want);
  /* The longest flow so far (none): without it an older view would read
   * every flow rather than those that can reach its changed days, in a
   * store whose flows are all instants and never lengthen it. */
  if (rc == OK)
    rc = put_span(st, cells_of(st)->span);
  return rc;
}

int
store__cells_flush(struct store *st)
{
  struct store_cells *sc;
  char *want;
  int rc, same;

  if (!kept(st))
    return OK;
  sc = cells_of(st);
  if (st->corridor == NULL)
    return sc->tx_rules ? first_rules(st) : OK;
  if (tmap_count(sc->touched) == 0 && !sc->tx_rules)
    return OK;
  if ((rc = read_span(st)) != OK)
    return rc;
  rc = rules_kept(st, &want, &same);
  if (rc == OK && !same)
    /* Kept days built with other rules (or none yet): all of them
     * again, so that meta's rules stay true of every kept day. */
    rc = rebuild_all(st, want);
  else if (rc == OK)
    rc = flush_touched(st);
  free(want);
  tmap_clear(sc->touched);
  tmap_clear(sc->gone);
  fresh_clear(sc);
  return rc;
}

/* The bytes the transaction's own flows take while held for the build. */
static size_t
fresh_bytes(const struct recs *fr)
{
  return fr->cap * sizeof *fr->v + fr->caplines * sizeof *fr->lines +
         fr->capline_of * sizeof *fr->line_of;
}

int
store__cells_spill(struct store *st)
{
  struct store_cells *sc = st->cells;
  char *want;
  int rc, same;

  if (sc == NULL || sc->fresh == NULL || sc->tx_rules || !kept(st) ||
      st->corridor == NULL || fresh_bytes(sc->fresh) < st->hold_bytes)
    return OK;
  if ((rc = read_span(st)) != OK)
    return rc;
  if ((rc = rules_kept(st, &want, &same)) == OK && same) {
    rc = flush_touched(st);
    /* What the transaction stored so far is read back from the store
     * from now on, like what was stored before it; what it superseded
     * stays skipped (sc->gone). */
    sc->tx_start = st->size;
  }
  free(want);
  return rc;
}

void
store__cells_rollback(struct store *st)
{
  struct store_cells *sc = st->cells;

  if (sc == NULL)
    return;
  /* Codes handed out in the transaction were never stored. */
  for (size_t e = 0; e < sc->dict.n; e++)
    if (sc->dict.code[e] > sc->dict.stored) {
      sc->dict.at[sc->dict.code[e]] = 0;
      sc->dict.code[e] = 0;
    }
  sc->dict.next = sc->dict.stored;
  /* What the transaction built is held, and it never happened. */
  cells_cache_clear(sc->cache);
  tmap_clear(sc->touched);
  tmap_clear(sc->gone);
  fresh_clear(sc);
  sc->tx_rules = 0;
  /* Its flows' spans too: the next transaction's longer flow must be
   * seen to grow the stored span. */
  sc->span = 0;
  sc->span_known = 0;
  sc->span_grown = 0;
}

void
store__cells_committed(struct store *st)
{
  struct store_cells *sc = st->cells;

  if (sc == NULL)
    return;
  sc->dict.stored = sc->dict.next;
  /* A new version of the corridor may change how records are read (its
   * categories): the next transaction reads them again. */
  if (sc->tx_rules || st->tx_corridor)
    cells_cache_clear(sc->cache);
  sc->cache_at = st->size;
}

int
store__cells_build_all(struct store *st)
{
  char *want;
  int rc;

  if (!kept(st) || st->corridor == NULL)
    return OK;
  /* Kept already (a step that did not add them): true of the rules meta
   * names, and the next write builds them again if those are not the
   * rules in force. */
  want = NULL;
  rc = st->be->get_meta(st->db, meta_rules, &want);
  free(want);
  if (rc != ERR_NOTFOUND)
    return rc;
  if ((rc = store_begin(st)) != OK)
    return rc;
  want = rules_of(st->corridor);
  rc = rebuild_all(st, want);
  free(want);
  if (rc != OK) {
    store_rollback(st);
    return rc;
  }
  return store_commit(st);
}

/* -- Reading kept days -- */

struct reader {
  struct store *st;
  const char *(*intern)(void *ictx, const char *s);
  void *ictx;
  int (*fn)(void *ctx, struct cells_day *d);
  void *ctx;
  const char **interned; /* by code: the caller's text */
  size_t capinterned;
  int64_t day;      /* the day being gathered */
  struct buf bytes; /* its rows' bytes, */
  size_t *off, *len, noff, capoff;
  uint32_t *cp;
  struct cells_day d;
  int refreshed;
  int rc;
};

static const char *
reader_text(void *ctx, uint32_t code)
{
  struct reader *rd = ctx;
  struct kdict *k;
  const char *t;

  if (code < rd->capinterned && rd->interned[code])
    return rd->interned[code];
  k = &cells_of(rd->st)->dict;
  t = dict_text(k, code);
  if (t == NULL && !rd->refreshed) {
    rd->refreshed = 1;
    if (dict_refresh(rd->st) == OK)
      t = dict_text(k, code);
  }
  if (t == NULL)
    return NULL;
  if (code >= rd->capinterned) {
    size_t cap = rd->capinterned;
    rd->interned = util_grow(rd->interned, &rd->capinterned, (size_t)code + 1,
                             sizeof *rd->interned);
    memset(rd->interned + cap, 0,
           (rd->capinterned - cap) * sizeof *rd->interned);
  }
  rd->interned[code] = rd->intern(rd->ictx, t);
  return rd->interned[code];
}

static void
say_bad(struct store *st, int64_t day, const char *cp)
{
  int y, m, dd;

  util_civil_from_days(day, &y, &m, &dd);
  store__set_error(st,
                   _("the kept cells of checkpoint '%s' on %04d-%02d-%02d "
                     "cannot be read (run 'passage verify')"),
                   cp ? cp : "?", y, m, dd);
}

struct cp_order {
  const char *cp;
  size_t i;
};

static int
by_cp(const void *x, const void *y)
{
  return strcmp(((const struct cp_order *)x)->cp,
                ((const struct cp_order *)y)->cp);
}

/* Hands over the gathered day's rows, by checkpoint id. */
static int
reader_flush(struct reader *rd)
{
  struct cp_order *order = xmalloc((rd->noff + 1) * sizeof *order);
  int rc = OK;

  for (size_t i = 0; i < rd->noff; i++) {
    order[i].cp = reader_text(rd, rd->cp[i]);
    order[i].i = i;
    if (order[i].cp == NULL) {
      say_bad(rd->st, rd->day, NULL);
      free(order);
      return ERR_STORE;
    }
  }
  qsort(order, rd->noff, sizeof *order, by_cp);
  for (size_t k = 0; k < rd->noff && rc == OK; k++) {
    size_t i = order[k].i;
    if (cells_decode(&rd->d, rd->day, order[k].cp, rd->bytes.data + rd->off[i],
                     rd->len[i], reader_text, rd) != OK) {
      say_bad(rd->st, rd->day, order[k].cp);
      rc = ERR_STORE;
      break;
    }
    rc = rd->fn(rd->ctx, &rd->d);
  }
  free(order);
  rd->noff = 0;
  buf_reset(&rd->bytes);
  return rc;
}

static int
reader_row(void *ctx, int64_t day, uint32_t cp, const void *bytes, size_t len)
{
  struct reader *rd = ctx;
  int rc;

  if (rd->noff && day != rd->day && (rc = reader_flush(rd)) != OK)
    return rc;
  rd->day = day;
  rd->off = util_grow(rd->off, &rd->capoff, rd->noff + 1, sizeof *rd->off);
  rd->len = xrealloc(rd->len, rd->capoff * sizeof *rd->len);
  rd->cp = xrealloc(rd->cp, rd->capoff * sizeof *rd->cp);
  rd->off[rd->noff] = rd->bytes.len;
  rd->len[rd->noff] = len;
  rd->cp[rd->noff] = cp;
  rd->noff++;
  buf_append(&rd->bytes, bytes, len);
  return OK;
}

int
store_kept_days(struct store *st, int64_t from, int64_t to,
                const struct corridor *c,
                const char *(*intern)(void *ictx, const char *s), void *ictx,
                int (*fn)(void *ctx, struct cells_day *d), void *ctx)
{
  struct reader rd;
  char *want, *have = NULL;
  int rc;

  if (!kept(st) || c == NULL)
    return ERR_NOTFOUND;
  want = rules_of(c);
  rc = st->be->get_meta(st->db, meta_rules, &have);
  if (rc == OK && strcmp(have, want) != 0)
    rc = ERR_NOTFOUND;
  free(have);
  free(want);
  if (rc != OK)
    return rc;
  memset(&rd, 0, sizeof rd);
  rd.st = st;
  rd.intern = intern;
  rd.ictx = ictx;
  rd.fn = fn;
  rd.ctx = ctx;
  buf_init(&rd.bytes);
  cells_day_init(&rd.d);
  rc = dict_refresh(st);
  if (rc == OK)
    rc = st->be->each_cells(st->db, from, to, reader_row, &rd);
  if (rc == OK && rd.noff)
    rc = reader_flush(&rd);
  cells_day_cleanup(&rd.d);
  buf_cleanup(&rd.bytes);
  free(rd.off);
  free(rd.len);
  free(rd.cp);
  free(rd.interned);
  return rc;
}

/* -- The auditor -- */

struct stored {
  struct tmap *at; /* (day, code) */
  struct buf bytes;
  size_t *off, *len, cap;
  unsigned char *seen;
};

static int
keep_stored(void *ctx, int64_t day, uint32_t cp, const void *bytes, size_t len)
{
  struct stored *s = ctx;
  uint64_t key[2] = {(uint64_t)day, cp};
  size_t i = tmap_put(s->at, key, NULL);
  size_t cap = s->cap;

  s->off = util_grow(s->off, &cap, i + 1, sizeof *s->off);
  s->len = xrealloc(s->len, cap * sizeof *s->len);
  s->seen = xrealloc(s->seen, cap);
  s->cap = cap;
  s->off[i] = s->bytes.len;
  s->len[i] = len;
  s->seen[i] = 0;
  buf_append(&s->bytes, bytes, len);
  return OK;
}

struct compare {
  struct encoder en;
  struct stored *s;
  int64_t bad_day;
  const char *bad_cp;
  const char *why;
};

static int
compare_day(void *ctx, int64_t day, const char *cp, const struct cells_day *d)
{
  struct compare *cmp = ctx;
  uint32_t c = code_of(&cmp->en, cp);
  uint64_t key[2] = {(uint64_t)day, c};
  size_t i;
  int have = c != 0 && tmap_get(cmp->s->at, key, &i);

  buf_reset(&cmp->en.bytes);
  if (!cells_day_empty(d))
    cells_encode(d, code_of, &cmp->en, &cmp->en.bytes);
  if (have)
    cmp->s->seen[i] = 1;
  if (cmp->en.bytes.len == 0 && !have)
    return OK;
  if (!have)
    cmp->why = _("are missing");
  else if (cmp->en.bytes.len != cmp->s->len[i] ||
           memcmp(cmp->en.bytes.data, cmp->s->bytes.data + cmp->s->off[i],
                  cmp->s->len[i]) != 0)
    cmp->why = _("differ from the cells its records give");
  else
    return OK;
  cmp->bad_day = day;
  cmp->bad_cp = cp;
  return ERR_VERIFY;
}

static void
say_audit(struct store *st, int64_t day, const char *cp, const char *why)
{
  int y, m, d;

  util_civil_from_days(day, &y, &m, &d);
  store__set_error(st,
                   _("the kept cells of checkpoint '%s' on %04d-%02d-%02d %s"),
                   cp, y, m, d, why);
}

int
store__cells_audit(struct store *st)
{
  struct stored s;
  struct compare cmp;
  char *want, *have = NULL;
  int64_t span = 0;
  int rc;

  if (!kept(st) || st->corridor == NULL)
    return OK;
  rc = st->be->get_meta(st->db, meta_rules, &have);
  want = rules_of(st->corridor);
  if (rc == OK && strcmp(have, want) != 0)
    rc = ERR_NOTFOUND; /* kept under other rules: no reader uses them */
  free(have);
  free(want);
  if (rc == ERR_NOTFOUND)
    return OK;
  if (rc != OK || (rc = dict_refresh(st)) != OK)
    return rc;
  memset(&s, 0, sizeof s);
  s.at = tmap_new(2);
  buf_init(&s.bytes);
  rc = st->be->each_cells(st->db, INT64_MIN, INT64_MAX, keep_stored, &s);
  memset(&cmp, 0, sizeof cmp);
  cmp.en.st = st;
  cmp.en.lookup = 1;
  buf_init(&cmp.en.bytes);
  cmp.s = &s;
  if (rc == OK)
    rc = derive_all(st, compare_day, &cmp, &span);
  if (rc == ERR_VERIFY) {
    say_audit(st, cmp.bad_day, cmp.bad_cp, cmp.why);
  } else if (rc == OK) {
    for (size_t i = 0; i < tmap_count(s.at); i++) {
      const uint64_t *key = tmap_key(s.at, i);
      const char *cp;
      if (s.seen[i])
        continue;
      cp = dict_text(&cells_of(st)->dict, (uint32_t)key[1]);
      say_audit(st, (int64_t)key[0], cp ? cp : "?",
                _("are kept, and no live record reaches that day"));
      rc = ERR_VERIFY;
      break;
    }
  }
  if (rc == OK && span > 0) {
    /* The bound the rebuilds read from must cover every flow. */
    char *text = NULL;
    if (st->be->get_meta(st->db, meta_span, &text) != OK ||
        strtoll(text, NULL, 10) < span) {
      store__set_error(st,
                       _("the kept cells' longest flow (meta %s) is shorter "
                         "than a stored flow (%lld seconds)"),
                       meta_span, (long long)span);
      rc = ERR_VERIFY;
    }
    free(text);
  }
  buf_cleanup(&cmp.en.bytes);
  buf_cleanup(&s.bytes);
  free(s.off);
  free(s.len);
  free(s.seen);
  tmap_free(s.at);
  return rc;
}
