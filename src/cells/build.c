/*
 * The day builder: one local day at one checkpoint, from the live records
 * that reach it, reconciled stream by stream (reconcile.c) and summed by
 * the records' dimensions. It is the flow query of docs/analysis.md cut to
 * one day: what a query over many days adds up, day after day.
 */
#include "cells/cells.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* The dimensions a part is keyed by (the stream's are fixed). */
static const int part_dims[] = {CD_VEHICLE, CD_CATEGORY, CD_OPERATOR,
                                CD_PURPOSE, CD_SOURCE,   CD_GRADE,
                                CD_STAGE};
#define NPART_DIMS (sizeof part_dims / sizeof *part_dims)

/* Where a stream's item comes from. */
struct origin {
  size_t rec;
  const char *category; /* the part's category: the line's for tonnes */
};

/* A stream being gathered. */
struct bstream {
  const char *direction, *outcome, *stage, *cls;
  int measure, family;
  int mixed;   /* its records are of several stages */
  int dropped; /* the same as a flow stream of one stage */
  struct recon_item *items;
  struct origin *from;
  size_t n, cap, capfrom;
};

/* A spread record of a part, before they are sorted. */
struct pspread {
  size_t part;
  struct cells_spread s;
};

struct cells_builder {
  struct tmap *streams_at; /* stream key -> index */
  struct bstream *streams;
  size_t nstreams, capstreams;
  struct tmap *parts_at; /* (stream, part dims) -> index into day parts */
  struct recon_out out;
  size_t *share_part;
  size_t capshare_part;
  struct pspread *spread;
  size_t nspread, capspread;
  size_t *seen; /* per part: the piece that listed it last, + 1 */
  size_t capseen;
  struct cells_span *iv, *obs, *not_obs, *cov;
  size_t capiv, capobs, capnot, capcov;
};

void
cells_day_init(struct cells_day *d)
{
  memset(d, 0, sizeof *d);
}

void
cells_day_cleanup(struct cells_day *d)
{
  if (d == NULL)
    return;
  free(d->streams);
  free(d->parts);
  free(d->spreads);
  free(d->pieces);
  free(d->claims);
  free(d->links);
  memset(d, 0, sizeof *d);
}

static void *
copy_of(const void *v, size_t n, size_t size, size_t *cap)
{
  void *c = n ? xmalloc(n * size) : NULL;

  if (n)
    memcpy(c, v, n * size);
  *cap = n;
  return c;
}

struct cells_day *
cells_day_copy(const struct cells_day *d)
{
  struct cells_day *c = xmalloc(sizeof *c);

  *c = *d;
  c->streams =
      copy_of(d->streams, d->nstreams, sizeof *d->streams, &c->capstreams);
  c->parts = copy_of(d->parts, d->nparts, sizeof *d->parts, &c->capparts);
  c->spreads =
      copy_of(d->spreads, d->nspreads, sizeof *d->spreads, &c->capspreads);
  c->pieces = copy_of(d->pieces, d->npieces, sizeof *d->pieces, &c->cappieces);
  c->claims = copy_of(d->claims, d->nclaims, sizeof *d->claims, &c->capclaims);
  c->links = copy_of(d->links, d->nlinks, sizeof *d->links, &c->caplinks);
  return c;
}

void
cells_day_reset(struct cells_day *d)
{
  d->day = 0;
  d->checkpoint = NULL;
  d->observed[0] = d->observed[1] = 0;
  d->nstreams = d->nparts = d->nspreads = 0;
  d->npieces = d->nclaims = d->nlinks = 0;
}

int
cells_day_empty(const struct cells_day *d)
{
  return d->nstreams == 0 && d->observed[0] == 0 && d->observed[1] == 0;
}

struct cells_builder *
cells_builder_new(void)
{
  struct cells_builder *b = xcalloc(1, sizeof *b);

  b->streams_at = tmap_new(6);
  b->parts_at = tmap_new(1 + NPART_DIMS);
  return b;
}

static void
free_streams(struct cells_builder *b)
{
  for (size_t i = 0; i < b->nstreams; i++) {
    free(b->streams[i].items);
    free(b->streams[i].from);
  }
  b->nstreams = 0;
}

void
cells_builder_free(struct cells_builder *b)
{
  if (b == NULL)
    return;
  free_streams(b);
  free(b->streams);
  tmap_free(b->streams_at);
  tmap_free(b->parts_at);
  cells_recon_cleanup(&b->out);
  free(b->share_part);
  free(b->spread);
  free(b->seen);
  free(b->iv);
  free(b->obs);
  free(b->not_obs);
  free(b->cov);
  free(b);
}

/* Streams. */

static uint64_t
word(const void *p)
{
  return (uint64_t)(uintptr_t)p;
}

static struct bstream *
stream_for(struct cells_builder *b, int family, const struct cells_rec *r,
           int measure, const char *cls)
{
  uint64_t key[6] = {(uint64_t)family,
                     word(r->dim[CD_DIRECTION]),
                     word(r->dim[CD_OUTCOME]),
                     family == CELLS_STAGE ? word(r->dim[CD_STAGE]) : 0,
                     (uint64_t)measure,
                     word(cls)};
  int added;
  size_t i = tmap_put(b->streams_at, key, &added);
  struct bstream *s;

  if (!added)
    return &b->streams[i];
  b->streams = util_grow(b->streams, &b->capstreams, i + 1, sizeof *b->streams);
  b->nstreams = i + 1;
  s = &b->streams[i];
  memset(s, 0, sizeof *s);
  s->direction = r->dim[CD_DIRECTION];
  s->outcome = r->dim[CD_OUTCOME];
  s->stage = r->dim[CD_STAGE];
  s->cls = cls;
  s->measure = measure;
  s->family = family;
  return s;
}

static void
item_add(struct cells_builder *b, int family, const struct cells_rec *recs,
         size_t ri, int measure, const char *cls, const char *category,
         double value)
{
  const struct cells_rec *r = &recs[ri];
  struct bstream *s = stream_for(b, family, r, measure, cls);

  if (s->n && s->stage != r->dim[CD_STAGE])
    s->mixed = 1;
  s->items = util_grow(s->items, &s->cap, s->n + 1, sizeof *s->items);
  s->from = util_grow(s->from, &s->capfrom, s->n + 1, sizeof *s->from);
  s->items[s->n] = (struct recon_item){r->begin, r->end, r->dim[CD_SOURCE],
                                       r->dim[CD_GRADE], value};
  s->from[s->n] = (struct origin){ri, category};
  s->n++;
}

/* A record's items, into the streams of a family: one record, its
 * persons and vehicles when it gives them, each line's tonnes. */
static void
record_items(struct cells_builder *b, int family, const struct cells_rec *recs,
             size_t ri)
{
  const struct cells_rec *r = &recs[ri];

  item_add(b, family, recs, ri, CM_RECORDS, NULL, r->dim[CD_CATEGORY], 1);
  if (r->has_persons)
    item_add(b, family, recs, ri, CM_PERSONS, NULL, r->dim[CD_CATEGORY],
             r->persons);
  if (r->has_vehicles)
    item_add(b, family, recs, ri, CM_VEHICLES, NULL, r->dim[CD_CATEGORY],
             r->vehicles);
  for (size_t k = 0; k < r->nlines; k++)
    item_add(b, family, recs, ri, CM_TONNES, r->lines[k].category,
             r->lines[k].category, r->lines[k].tonnes);
}

static int
reaches(const struct cells_rec *r, int64_t d0, int64_t d1)
{
  return r->end > r->begin ? r->begin < d1 && r->end > d0
                           : r->begin >= d0 && r->begin < d1;
}

/*
 * A flow stream whose records are all of one stage is that stage's
 * pipeline stream (passed counts at the counting stage only; another
 * outcome's stream holds every stage): the pipeline's is dropped and the
 * flow stream serves both.
 */
static void
share_streams(struct cells_builder *b)
{
  for (size_t i = 0; i < b->nstreams; i++) {
    struct bstream *f = &b->streams[i];
    uint64_t key[6];
    size_t k;
    if (f->family != CELLS_FLOW || f->mixed)
      continue;
    key[0] = CELLS_STAGE;
    key[1] = word(f->direction);
    key[2] = word(f->outcome);
    key[3] = word(f->stage);
    key[4] = (uint64_t)f->measure;
    key[5] = word(f->cls);
    if (!tmap_get(b->streams_at, key, &k))
      continue;
    b->streams[k].dropped = 1;
    f->family |= CELLS_STAGE;
  }
}

/* Parts. */

static size_t
part_for(struct cells_builder *b, struct cells_day *d, size_t stream,
         const struct cells_rec *r, const char *category)
{
  uint64_t key[1 + NPART_DIMS];
  int added;
  size_t i;
  struct cells_part *p;

  key[0] = (uint64_t)stream;
  for (size_t k = 0; k < NPART_DIMS; k++)
    key[1 + k] = part_dims[k] == CD_CATEGORY ? word(category)
                                             : word(r->dim[part_dims[k]]);
  i = tmap_put(b->parts_at, key, &added);
  if (!added)
    return i;
  d->parts = util_grow(d->parts, &d->capparts, i + 1, sizeof *d->parts);
  d->nparts = i + 1;
  p = &d->parts[i];
  memset(p, 0, sizeof *p);
  memcpy(p->dim, r->dim, sizeof p->dim);
  p->dim[CD_CATEGORY] = category;
  return i;
}

static int
by_part_seq(const void *x, const void *y)
{
  const struct pspread *a = x, *c = y;

  if (a->part != c->part)
    return a->part < c->part ? -1 : 1;
  return a->s.seq < c->s.seq ? -1 : a->s.seq > c->s.seq;
}

/* The spread records gathered for the stream's parts, each once, into
 * the day by part and sequence number. */
static void
take_spreads(struct cells_builder *b, struct cells_day *d)
{
  if (b->nspread > 1)
    qsort(b->spread, b->nspread, sizeof *b->spread, by_part_seq);
  for (size_t i = 0; i < b->nspread; i++) {
    struct cells_part *p = &d->parts[b->spread[i].part];
    if (p->nspread && d->spreads[d->nspreads - 1].seq == b->spread[i].s.seq) {
      d->spreads[d->nspreads - 1].counted |= b->spread[i].s.counted;
      continue;
    }
    if (p->nspread == 0)
      p->spread = d->nspreads;
    d->spreads = util_grow(d->spreads, &d->capspreads, d->nspreads + 1,
                           sizeof *d->spreads);
    d->spreads[d->nspreads++] = b->spread[i].s;
    p->nspread++;
  }
  b->nspread = 0;
}

/* The disputed pieces: their claims and the parts that take part. */
static void
take_pieces(struct cells_builder *b, struct cells_day *d,
            struct cells_stream *cs)
{
  const struct recon_out *o = &b->out;
  size_t l = 0;

  b->seen = util_grow(b->seen, &b->capseen, d->nparts + 1, sizeof *b->seen);
  for (size_t i = cs->part; i < d->nparts; i++)
    b->seen[i] = 0;
  cs->piece = d->npieces;
  for (size_t pi = 0; pi < o->npieces; pi++) {
    const struct recon_piece *rp = &o->pieces[pi];
    struct cells_piece *p;
    d->pieces =
        util_grow(d->pieces, &d->cappieces, d->npieces + 1, sizeof *d->pieces);
    p = &d->pieces[d->npieces++];
    p->claim = d->nclaims;
    p->nclaims = rp->nclaims;
    for (size_t k = 0; k < rp->nclaims; k++) {
      const struct recon_claim *c = &o->claims[rp->claim + k];
      d->claims = util_grow(d->claims, &d->capclaims, d->nclaims + 1,
                            sizeof *d->claims);
      d->claims[d->nclaims++] =
          (struct cells_claim){c->source, c->grade, c->value};
    }
    p->link = d->nlinks;
    p->nlinks = 0;
    /* A piece's links come together, in order. */
    for (; l < o->nlinks && o->links[l].piece == pi; l++) {
      size_t part = b->share_part[o->links[l].share];
      if (b->seen[part] == pi + 1)
        continue;
      b->seen[part] = pi + 1;
      d->parts[part].linked = 1;
      d->links =
          util_grow(d->links, &d->caplinks, d->nlinks + 1, sizeof *d->links);
      d->links[d->nlinks++] = part;
      p->nlinks++;
    }
  }
  cs->npieces = d->npieces - cs->piece;
}

/* Reconciles one stream over the day and adds its cells. */
static void
take_stream(struct cells_builder *b, const struct bstream *s,
            const struct cells_rec *recs, int64_t day,
            const struct cells_rules *rules, struct cells_day *d)
{
  struct recon_out *o = &b->out;
  struct cells_stream *cs;
  int64_t d0 = day * DAY, d1 = d0 + DAY;

  cells_reconcile(s->items, s->n, day, day, rules->tolerance,
                  s->measure != CM_RECORDS, o);
  d->streams = util_grow(d->streams, &d->capstreams, d->nstreams + 1,
                         sizeof *d->streams);
  cs = &d->streams[d->nstreams++];
  memset(cs, 0, sizeof *cs);
  cs->direction = s->direction;
  cs->outcome = s->outcome;
  cs->stage = s->mixed ? NULL : s->stage;
  cs->cls = s->cls;
  cs->measure = s->measure;
  cs->family = s->family;
  cs->part = d->nparts;
  b->share_part = util_grow(b->share_part, &b->capshare_part, o->nshares + 1,
                            sizeof *b->share_part);
  for (size_t i = 0; i < o->nshares; i++) {
    const struct recon_share *sh = &o->shares[i];
    const struct origin *from = &s->from[sh->item];
    const struct cells_rec *r = &recs[from->rec];
    size_t pi = part_for(b, d, d->nstreams - 1, r, from->category);
    struct cells_part *p = &d->parts[pi];
    b->share_part[i] = pi;
    p->own += sh->own;
    p->won += sh->won;
    p->counted |= sh->counted;
    if (r->end > r->begin && (r->begin < d0 || r->end > d1)) {
      b->spread = util_grow(b->spread, &b->capspread, b->nspread + 1,
                            sizeof *b->spread);
      b->spread[b->nspread++] =
          (struct pspread){pi, {r->seq, r->begin, r->end, sh->counted}};
    }
  }
  cs->nparts = d->nparts - cs->part;
  take_spreads(b, d);
  take_pieces(b, d, cs);
}

/* Observation. */

/* The time coverage says was observed and no coverage record says was
 * not (when coverage records disagree about a time, it was not). */
static size_t
coverage_spans(struct cells_builder *b, const struct cells_cover *cover,
               size_t ncover)
{
  size_t no = 0, nn = 0;

  b->obs = util_grow(b->obs, &b->capobs, ncover + 1, sizeof *b->obs);
  b->not_obs = util_grow(b->not_obs, &b->capnot, ncover + 1, sizeof *b->obs);
  b->cov = util_grow(b->cov, &b->capcov, 2 * ncover + 1, sizeof *b->cov);
  for (size_t i = 0; i < ncover; i++) {
    if (cover[i].end <= cover[i].begin)
      continue; /* an instant covers no time */
    if (cover[i].observed)
      b->obs[no++] = (struct cells_span){cover[i].begin, cover[i].end};
    else
      b->not_obs[nn++] = (struct cells_span){cover[i].begin, cover[i].end};
  }
  no = cells_span_merge(b->obs, no);
  nn = cells_span_merge(b->not_obs, nn);
  return cells_span_subtract(b->obs, no, b->not_obs, nn, b->cov);
}

static int
gives(const struct cells_rec *r, int m)
{
  switch (m) {
  case CM_PERSONS:
    return r->has_persons;
  case CM_VEHICLES:
    return r->has_vehicles;
  case CM_TONNES:
    return r->nlines > 0;
  default:
    return 1;
  }
}

/* Which classes were observed the whole day, per direction: coverage,
 * and the intervals of the records that give the class (whatever their
 * outcome and stage: someone was watching). */
static void
observe(struct cells_builder *b, int64_t day, const struct cells_rec *recs,
        size_t n, const struct cells_cover *cover, size_t ncover,
        struct cells_day *d)
{
  int64_t d0 = day * DAY, d1 = d0 + DAY;
  size_t ncov = coverage_spans(b, cover, ncover);

  b->iv = util_grow(b->iv, &b->capiv, ncov + n + 1, sizeof *b->iv);
  for (int dir = 0; dir < 2; dir++)
    for (int m = 0; m < CM_COUNT; m++) {
      size_t k = 0, lo = 0, hi;
      memcpy(b->iv, b->cov, ncov * sizeof *b->iv);
      k = ncov;
      for (size_t i = 0; i < n; i++) {
        const struct cells_rec *r = &recs[i];
        int in = strcmp(r->dim[CD_DIRECTION], "in") == 0;
        if (r->end <= r->begin || !reaches(r, d0, d1) || in != (dir == 0) ||
            !gives(r, m))
          continue;
        b->iv[k++] = (struct cells_span){r->begin, r->end};
      }
      k = cells_span_merge(b->iv, k);
      /* Merged spans are disjoint: one of them must hold the whole day. */
      hi = k;
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->iv[mid].end <= d0)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo < k && b->iv[lo].begin <= d0 && b->iv[lo].end >= d1)
        d->observed[dir] |= 1u << m;
    }
}

void
cells_build(struct cells_builder *b, int64_t day, const char *checkpoint,
            const struct cells_rec *recs, size_t n,
            const struct cells_cover *cover, size_t ncover,
            const struct cells_rules *rules, struct cells_day *out)
{
  int64_t d0 = day * DAY, d1 = d0 + DAY;

  cells_day_reset(out);
  out->day = day;
  out->checkpoint = checkpoint;
  free_streams(b);
  tmap_clear(b->streams_at);
  tmap_clear(b->parts_at);
  for (size_t i = 0; i < n; i++) {
    const struct cells_rec *r = &recs[i];
    if (!reaches(r, d0, d1))
      continue;
    /* Passed counts at the counting stage only; turning back or being
     * held counts at whatever stage it was recorded. */
    if (r->dim[CD_OUTCOME] != rules->passed ||
        r->dim[CD_STAGE] == rules->counting)
      record_items(b, CELLS_FLOW, recs, i);
    record_items(b, CELLS_STAGE, recs, i);
  }
  share_streams(b);
  for (size_t i = 0; i < b->nstreams; i++)
    if (!b->streams[i].dropped)
      take_stream(b, &b->streams[i], recs, day, rules, out);
  observe(b, day, recs, n, cover, ncover, out);
}
