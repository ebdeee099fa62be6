/*
 * The reconciler: sources are never added where they speak of the same
 * time, and always added where they speak of different times. One stream
 * (the claims of every record on one class at one checkpoint, direction
 * and outcome) is cut into pieces at every interval's start and end and at
 * every local midnight; in each piece each source's claim is the sum of
 * its records' shares of it, and the best-graded claim counts
 * (docs/analysis.md states the rule; this file is the only place that
 * applies it).
 *
 * Nothing here reads the store or the view: items in, shares, disputed
 * pieces and day cells out, so that the same code can decide a day at
 * ingest (issue 13) as it decides a query now.
 */
#include "cells/cells.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

int
cells_grade_cmp(const char *x, const char *y)
{
  /* Admiralty grades are one letter (reliability A-F) and one digit
   * (credibility 1-6), so text order is reliability, then credibility. An
   * ungraded record ranks below F6. */
  const char *gx = x && *x ? x : "Z9", *gy = y && *y ? y : "Z9";

  return strcmp(gx, gy);
}

static int64_t
day_of(int64_t t)
{
  return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* An interval's start or end, for the sweep. */
struct event {
  int64_t t;
  size_t item;
  int start;
};

static int
by_time(const void *x, const void *y)
{
  const struct event *a = x, *b = y;

  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  return a->item < b->item ? -1 : a->item > b->item;
}

/* An item's part of the piece being decided. */
struct part {
  size_t item;
  double value;
};

/* The working state of one call. */
struct sweep {
  const struct recon_item *items;
  double tolerance;
  int disputable;
  struct recon_out *out;
  size_t *active, nactive;
  size_t *at; /* per item: its index in active while it is there */
  size_t *last_share; /* per item: its latest share, SIZE_MAX: none */
  struct part *parts;
  size_t nparts, capparts;
  struct recon_claim *claims; /* of the piece being decided */
  size_t nclaims, capclaims;
  /* The day cell being filled. */
  int open;
  struct recon_claim *cclaims; /* its sources over its disputed pieces */
  size_t ncclaims, capcclaims;
  const char **cwinners;
  size_t ncwinners, capcwinners;
};

#define PUSH(arr, n, cap)                                                      \
  ((arr) = util_grow((arr), &(cap), (n) + 1, sizeof *(arr)), &(arr)[(n)++])

static int64_t
length_of(const struct recon_item *it)
{
  return it->end > it->begin ? it->end - it->begin : 0;
}

/* Adds a part to its source's claim in claims[0..*n): a claim's grade is
 * the worst of its records', its length the longest. */
static void
claim_add(struct recon_claim **claims, size_t *n, size_t *cap,
          const char *source, const char *grade, int64_t length, double value)
{
  struct recon_claim *c = NULL;

  for (size_t i = 0; i < *n; i++)
    if ((*claims)[i].source == source)
      c = &(*claims)[i];
  if (c == NULL) {
    c = PUSH(*claims, *n, *cap);
    c->source = source;
    c->grade = grade ? grade : "";
    c->value = 0;
    c->length = length;
  }
  if (cells_grade_cmp(grade, c->grade) > 0)
    c->grade = grade ? grade : "";
  if (length > c->length)
    c->length = length;
  c->value += value;
}

/* Best grade, then the shorter record, then the source id. */
static int
better(const struct recon_claim *a, const struct recon_claim *b)
{
  int g = cells_grade_cmp(a->grade, b->grade);

  if (g != 0)
    return g < 0;
  if (a->length != b->length)
    return a->length < b->length;
  return strcmp(a->source, b->source) < 0;
}

/* Grade, then source id: the order sources are listed in. */
static int
by_grade_id(const void *x, const void *y)
{
  const struct recon_claim *a = x, *b = y;
  int g = cells_grade_cmp(a->grade, b->grade);

  return g ? g : strcmp(a->source, b->source);
}

static int
by_name(const void *x, const void *y)
{
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Ends the day cell being filled: its claims and winners in their order. */
static void
cell_close(struct sweep *s)
{
  struct recon_out *o = s->out;
  struct recon_cell *c;

  if (!s->open)
    return;
  c = &o->cells[o->ncells - 1];
  if (s->ncclaims > 1)
    qsort(s->cclaims, s->ncclaims, sizeof *s->cclaims, by_grade_id);
  c->claim = o->ncell_claims;
  c->nclaims = s->ncclaims;
  for (size_t i = 0; i < s->ncclaims; i++)
    *PUSH(o->cell_claims, o->ncell_claims, o->capcell_claims) = s->cclaims[i];
  if (s->ncwinners > 1)
    qsort(s->cwinners, s->ncwinners, sizeof *s->cwinners, by_name);
  c->winner = o->nwinners;
  c->nwinners = s->ncwinners;
  for (size_t i = 0; i < s->ncwinners; i++)
    *PUSH(o->winners, o->nwinners, o->capwinners) = s->cwinners[i];
  s->ncclaims = s->ncwinners = 0;
  s->open = 0;
}

static struct recon_cell *
cell_for(struct sweep *s, int64_t day)
{
  struct recon_out *o = s->out;
  struct recon_cell *c;

  if (s->open && o->cells[o->ncells - 1].day == day)
    return &o->cells[o->ncells - 1];
  cell_close(s);
  c = PUSH(o->cells, o->ncells, o->capcells);
  memset(c, 0, sizeof *c);
  c->day = day;
  s->open = 1;
  return c;
}

/* The share of item on day, made when the item first meets the day
 * (pieces come in time order, so an item's days only grow). */
static size_t
share_for(struct sweep *s, size_t item, int64_t day)
{
  struct recon_out *o = s->out;
  size_t i = s->last_share[item];
  struct recon_share *sh;

  if (i != SIZE_MAX && o->shares[i].day == day)
    return i;
  sh = PUSH(o->shares, o->nshares, o->capshares);
  memset(sh, 0, sizeof *sh);
  sh->item = item;
  sh->day = day;
  s->last_share[item] = o->nshares - 1;
  return o->nshares - 1;
}

/* Decides the piece [a, b) (a == b: an instant no interval covers) from
 * the parts gathered for it. */
static void
decide(struct sweep *s, int64_t a, int64_t b)
{
  struct recon_out *o = s->out;
  const struct recon_claim *w = NULL;
  int64_t day = day_of(a);
  struct recon_cell *cell;
  int disputed = 0;
  size_t piece = SIZE_MAX;

  if (s->nparts == 0)
    return;
  s->nclaims = 0;
  for (size_t i = 0; i < s->nparts; i++) {
    const struct recon_item *it = &s->items[s->parts[i].item];
    claim_add(&s->claims, &s->nclaims, &s->capclaims, it->source, it->grade,
              length_of(it), s->parts[i].value);
  }
  for (size_t i = 0; i < s->nclaims; i++)
    if (w == NULL || better(&s->claims[i], w))
      w = &s->claims[i];
  for (size_t i = 0; s->disputable && i < s->nclaims; i++)
    if (&s->claims[i] != w && fabs(s->claims[i].value - w->value) >
                                  s->tolerance * fabs(w->value) + 1e-9)
      disputed = 1;
  cell = cell_for(s, day);
  cell->value += w->value;
  {
    int seen = 0;
    for (size_t i = 0; i < s->ncwinners; i++)
      seen |= s->cwinners[i] == w->source;
    if (!seen)
      *PUSH(s->cwinners, s->ncwinners, s->capcwinners) = w->source;
  }
  if (disputed) {
    struct recon_piece *p = PUSH(o->pieces, o->npieces, o->cappieces);
    piece = o->npieces - 1;
    p->day = day;
    p->begin = a;
    p->end = b;
    p->winner = w->source;
    p->claim = o->nclaims;
    p->nclaims = s->nclaims;
    qsort(s->claims, s->nclaims, sizeof *s->claims, by_grade_id);
    for (size_t i = 0; i < s->nclaims; i++) {
      const struct recon_claim *c = &s->claims[i];
      *PUSH(o->claims, o->nclaims, o->capclaims) = *c;
      claim_add(&s->cclaims, &s->ncclaims, &s->capcclaims, c->source, c->grade,
                c->length, c->value);
    }
    cell->disputed = 1;
    w = NULL; /* claims were sorted: the winner is p->winner */
  }
  for (size_t i = 0; i < s->nparts; i++) {
    const struct recon_item *it = &s->items[s->parts[i].item];
    size_t si = share_for(s, s->parts[i].item, day);
    struct recon_share *sh = &o->shares[si];
    const char *winner =
        piece != SIZE_MAX ? o->pieces[piece].winner : (w ? w->source : NULL);
    sh->own += s->parts[i].value;
    if (it->source == winner) {
      sh->won += s->parts[i].value;
      sh->counted = 1;
      if (it->begin < day * DAY || it->end > (day + 1) * DAY)
        cell->approximate = 1;
    }
    if (piece != SIZE_MAX) {
      struct recon_link *l = PUSH(o->links, o->nlinks, o->caplinks);
      l->share = si;
      l->piece = piece;
    }
  }
  s->nparts = 0;
}

static void
add_part(struct sweep *s, size_t item, double value)
{
  struct part *p = PUSH(s->parts, s->nparts, s->capparts);

  p->item = item;
  p->value = value;
}

/* Decides each instant before t that no interval covered: the instants of
 * one moment compete, those of different moments do not. */
static void
flush_instants(struct sweep *s, const size_t *inst, size_t ninst, size_t *next,
               int64_t t)
{
  while (*next < ninst && s->items[inst[*next]].begin < t) {
    int64_t at = s->items[inst[*next]].begin;
    while (*next < ninst && s->items[inst[*next]].begin == at) {
      add_part(s, inst[*next], s->items[inst[*next]].value);
      (*next)++;
    }
    decide(s, at, at);
  }
}

/* An instant's time and item, for sorting. */
struct moment {
  int64_t t;
  size_t item;
};

static int
by_moment(const void *x, const void *y)
{
  const struct moment *a = x, *b = y;

  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  return a->item < b->item ? -1 : a->item > b->item;
}

/* Sorts the instants by time, then by item (monitors log crossings one
 * by one: a stream may hold many). */
static void
sort_instants(size_t *inst, size_t n, const struct recon_item *items)
{
  struct moment *m = xmalloc((n + 1) * sizeof *m);

  for (size_t i = 0; i < n; i++)
    m[i] = (struct moment){items[inst[i]].begin, inst[i]};
  qsort(m, n, sizeof *m, by_moment);
  for (size_t i = 0; i < n; i++)
    inst[i] = m[i].item;
  free(m);
}

/* The pieces of the stretch [t, next) over which the active intervals do
 * not change: one per local day it touches. */
static void
stretch(struct sweep *s, int64_t t, int64_t next, const size_t *inst,
        size_t ninst, size_t *ni)
{
  for (int64_t a = t; a < next;) {
    int64_t b = (day_of(a) + 1) * DAY;
    if (b > next)
      b = next;
    flush_instants(s, inst, ninst, ni, a);
    for (size_t k = 0; k < s->nactive; k++) {
      const struct recon_item *it = &s->items[s->active[k]];
      add_part(s, s->active[k],
               it->value * (double)(b - a) / (double)(it->end - it->begin));
    }
    while (*ni < ninst && s->items[inst[*ni]].begin < b) {
      add_part(s, inst[*ni], s->items[inst[*ni]].value);
      (*ni)++;
    }
    decide(s, a, b);
    a = b;
  }
}

void
cells_reconcile(const struct recon_item *items, size_t n, int64_t from,
                int64_t to, double tolerance, int disputable,
                struct recon_out *out)
{
  int64_t r0 = from * DAY, r1 = (to + 1) * DAY;
  struct event *ev = xmalloc((2 * n + 1) * sizeof *ev);
  size_t *inst = xmalloc((n + 1) * sizeof *inst);
  size_t nev = 0, ninst = 0, ni = 0, e = 0;
  struct sweep s;

  memset(&s, 0, sizeof s);
  s.items = items;
  s.tolerance = tolerance;
  s.disputable = disputable;
  s.out = out;
  s.active = xmalloc((n + 1) * sizeof *s.active);
  s.last_share = xmalloc((n + 1) * sizeof *s.last_share);
  s.at = xmalloc((n + 1) * sizeof *s.at);
  out->nshares = out->npieces = out->nclaims = out->nlinks = 0;
  out->ncells = out->ncell_claims = out->nwinners = 0;
  for (size_t i = 0; i < n; i++) {
    const struct recon_item *it = &items[i];
    s.last_share[i] = SIZE_MAX;
    if (it->end <= it->begin) {
      if (it->begin >= r0 && it->begin < r1)
        inst[ninst++] = i;
    } else if (it->begin < r1 && it->end > r0) {
      ev[nev++] = (struct event){it->begin > r0 ? it->begin : r0, i, 1};
      ev[nev++] = (struct event){it->end < r1 ? it->end : r1, i, 0};
    }
  }
  qsort(ev, nev, sizeof *ev, by_time);
  sort_instants(inst, ninst, items);
  while (e < nev) {
    int64_t t = ev[e].t, next;
    for (; e < nev && ev[e].t == t; e++) {
      size_t k = ev[e].item;
      if (ev[e].start) {
        s.at[k] = s.nactive;
        s.active[s.nactive++] = k;
        continue;
      }
      /* A day's records often share their interval (a whole day each):
       * found by index, not by a scan of the active ones. */
      s.active[s.at[k]] = s.active[--s.nactive];
      s.at[s.active[s.at[k]]] = s.at[k];
    }
    next = e < nev ? ev[e].t : r1;
    if (s.nactive > 0)
      stretch(&s, t, next, inst, ninst, &ni);
  }
  flush_instants(&s, inst, ninst, &ni, INT64_MAX);
  cell_close(&s);
  free(ev);
  free(inst);
  free(s.active);
  free(s.last_share);
  free(s.at);
  free(s.parts);
  free(s.claims);
  free(s.cclaims);
  free(s.cwinners);
}

void
cells_recon_cleanup(struct recon_out *out)
{
  free(out->shares);
  free(out->pieces);
  free(out->claims);
  free(out->links);
  free(out->cells);
  free(out->cell_claims);
  free(out->winners);
  memset(out, 0, sizeof *out);
}
