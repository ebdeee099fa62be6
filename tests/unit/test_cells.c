/*
 * Unit tests of the cells module (src/cells): one local day at one
 * checkpoint built from a handful of records, each figure worked out by
 * hand in the comments from docs/analysis.md, then its bytes (codec.c):
 * the round trip, the same bytes whatever the strings' addresses, and the
 * refusals. Times are hours of day D (local seconds); the tolerance 10%.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cells/cells.h"

#define D 19358 /* 2023-01-01 */
#define H(h) ((int64_t)D * 86400 + (int64_t)((h)*3600))
#define EPS 1e-9

/* The strings of one set of records, interned: the builder compares
 * pointers. */
struct words {
  const char *k, *in, *out, *passed, *crossing, *queue, *a, *b, *a1, *c3,
      *truck, *food, *empty;
};

static const struct words W = {"k",     "in",   "out", "passed", "crossing",
                               "queue", "a",    "b",   "A1",     "C3",
                               "truck", "food", ""};

/* The records of the day, with the strings of w:
 *   r1 in, instant 10:00, source a (A1): 4 persons, 1 truck, 10 t food;
 *   r2 in, instant 10:00, source b (C3): 5 persons, 1 truck, no cargo;
 *   r3 out, D-1 12:00 to D 12:00, source a (A1): 48 persons;
 *   r4 out, D 12:00 to D+1 00:00, source b (C3): 10 persons;
 *   r5 in, instant 09:00, passed at the queue (not the counting stage),
 *      source a: no persons or vehicles;
 *   r6 in, instant D+1 10:00: reaches another day, skipped.
 * Coverage: observed all of D, not observed 06:00 to 07:00. */
struct day_input {
  struct cells_line food10;
  struct cells_rec recs[6];
  struct cells_cover cover[2];
  struct cells_rules rules;
};

static void
rec_init(struct cells_rec *r, const struct words *w, uint64_t seq,
         const char *dir, int64_t begin, int64_t end, const char *src,
         const char *grade)
{
  memset(r, 0, sizeof *r);
  r->seq = seq;
  r->begin = begin;
  r->end = end;
  for (int k = 0; k < CD_COUNT; k++)
    r->dim[k] = w->empty;
  r->dim[CD_CHECKPOINT] = w->k;
  r->dim[CD_DIRECTION] = dir;
  r->dim[CD_SOURCE] = src;
  r->dim[CD_GRADE] = grade;
  r->dim[CD_STAGE] = w->crossing;
  r->dim[CD_OUTCOME] = w->passed;
}

static void
input_init(struct day_input *in, const struct words *w)
{
  struct cells_rec *r = in->recs;

  in->food10 = (struct cells_line){w->food, 10};
  rec_init(&r[0], w, 1, w->in, H(10), H(10), w->a, w->a1);
  r[0].dim[CD_VEHICLE] = w->truck;
  r[0].dim[CD_CATEGORY] = w->food;
  r[0].has_persons = r[0].has_vehicles = 1;
  r[0].persons = 4;
  r[0].vehicles = 1;
  r[0].lines = &in->food10;
  r[0].nlines = 1;
  rec_init(&r[1], w, 2, w->in, H(10), H(10), w->b, w->c3);
  r[1].dim[CD_VEHICLE] = w->truck;
  r[1].has_persons = r[1].has_vehicles = 1;
  r[1].persons = 5;
  r[1].vehicles = 1;
  rec_init(&r[2], w, 3, w->out, H(-12), H(12), w->a, w->a1);
  r[2].has_persons = 1;
  r[2].persons = 48;
  rec_init(&r[3], w, 4, w->out, H(12), H(24), w->b, w->c3);
  r[3].has_persons = 1;
  r[3].persons = 10;
  rec_init(&r[4], w, 5, w->in, H(9), H(9), w->a, w->a1);
  r[4].dim[CD_STAGE] = w->queue;
  rec_init(&r[5], w, 6, w->in, H(34), H(34), w->a, w->a1);
  r[5].has_persons = 1;
  r[5].persons = 7;
  in->cover[0] = (struct cells_cover){H(0), H(24), 1};
  in->cover[1] = (struct cells_cover){H(6), H(7), 0};
  in->rules = (struct cells_rules){0.10, w->passed, w->crossing};
}

static void
build(const struct words *w, struct cells_day *out)
{
  struct day_input in;
  struct cells_builder *b = cells_builder_new();

  input_init(&in, w);
  cells_build(b, D, w->k, in.recs, 6, in.cover, 2, &in.rules, out);
  cells_builder_free(b);
}

static void
check_part(const struct cells_day *d, size_t i, const char *src, double own,
           double won, int counted, int linked, size_t nspread)
{
  const struct cells_part *p = &d->parts[i];

  assert_string_equal(p->dim[CD_SOURCE], src);
  assert_true(p->own > own - EPS && p->own < own + EPS);
  assert_true(p->won > won - EPS && p->won < won + EPS);
  assert_int_equal(p->counted, counted);
  assert_int_equal(p->linked, linked);
  assert_int_equal(p->nspread, nspread);
}

static void
check_stream(const struct cells_day *d, size_t i, const char *dir,
             const char *stage, const char *cls, int measure, int family,
             size_t nparts, size_t npieces)
{
  const struct cells_stream *s = &d->streams[i];

  assert_string_equal(s->direction, dir);
  assert_string_equal(s->outcome, "passed");
  if (stage == NULL)
    assert_null(s->stage);
  else
    assert_string_equal(s->stage, stage);
  if (cls == NULL)
    assert_null(s->cls);
  else
    assert_string_equal(s->cls, cls);
  assert_int_equal(s->measure, measure);
  assert_int_equal(s->family, family);
  assert_int_equal(s->nparts, nparts);
  assert_int_equal(s->npieces, npieces);
}

/* Every figure of the day (streams in order of first appearance):
 *   0 in records (crossing; flow and pipeline: every flow record is of one
 *     stage, so the pipeline's stream of that stage is this one): r1 and
 *     r2 claim 1 each at 10:00, a (A1) wins, records are never disputed:
 *     r1 own 1 won 1, r2 own 1 won 0;
 *   1 in persons: 4 (a) against 5 (b) at 10:00, a wins; |5 - 4| = 1 >
 *     0.10 x 4: one disputed piece, claims a A1 4, b C3 5, both parts in it;
 *   2 in vehicles: 1 and 1, a wins, agreed: no piece;
 *   3 in tonnes of food: r1's 10 alone;
 *   4 out records: r3 [D-1 12:00, D 12:00) gives 1 x 12/24 = 0.5 of the
 *     day, won alone in [0:00, 12:00); r4 gives 1, alone in [12:00, 24:00):
 *     r3 reaches outside the day (one spread record, counted), r4 ends at
 *     midnight exactly (none);
 *   5 out persons: r3 48 x 12/24 = 24, r4 10 x 12/12 = 10, as above;
 *   6 in records at the queue (pipeline only: passed counts in flows at
 *     the counting stage alone): r5's 1.
 * r6 is of D+1: nothing. Observed all day: in, nothing (coverage has a
 * hole at 06:00 and its records are instants); out, records and persons
 * (coverage plus r3 and r4, which together span the whole day): bits
 * CM_RECORDS and CM_PERSONS, 1 + 4 = 5; vehicles and tonnes are given by
 * no out record, and coverage alone has the hole. */
static void
test_build_day(void **state)
{
  struct cells_day d;
  const int both = CELLS_FLOW | CELLS_STAGE;

  (void)state;
  cells_day_init(&d);
  build(&W, &d);
  assert_int_equal(d.day, D);
  assert_string_equal(d.checkpoint, "k");
  assert_int_equal(d.nstreams, 7);
  check_stream(&d, 0, "in", "crossing", NULL, CM_RECORDS, both, 2, 0);
  check_stream(&d, 1, "in", "crossing", NULL, CM_PERSONS, both, 2, 1);
  check_stream(&d, 2, "in", "crossing", NULL, CM_VEHICLES, both, 2, 0);
  check_stream(&d, 3, "in", "crossing", "food", CM_TONNES, both, 1, 0);
  check_stream(&d, 4, "out", "crossing", NULL, CM_RECORDS, both, 2, 0);
  check_stream(&d, 5, "out", "crossing", NULL, CM_PERSONS, both, 2, 0);
  check_stream(&d, 6, "in", "queue", NULL, CM_RECORDS, CELLS_STAGE, 1, 0);
  assert_int_equal(d.nparts, 12);
  check_part(&d, 0, "a", 1, 1, 1, 0, 0);
  check_part(&d, 1, "b", 1, 0, 0, 0, 0);
  check_part(&d, 2, "a", 4, 4, 1, 1, 0);
  check_part(&d, 3, "b", 5, 0, 0, 1, 0);
  check_part(&d, 4, "a", 1, 1, 1, 0, 0);
  check_part(&d, 5, "b", 1, 0, 0, 0, 0);
  check_part(&d, 6, "a", 10, 10, 1, 0, 0);
  assert_string_equal(d.parts[6].dim[CD_CATEGORY], "food");
  check_part(&d, 7, "a", 0.5, 0.5, 1, 0, 1);
  check_part(&d, 8, "b", 1, 1, 1, 0, 0);
  check_part(&d, 9, "a", 24, 24, 1, 0, 1);
  check_part(&d, 10, "b", 10, 10, 1, 0, 0);
  check_part(&d, 11, "a", 1, 1, 1, 0, 0);
  assert_string_equal(d.parts[11].dim[CD_STAGE], "queue");
  /* r3's spread, once in each out stream. */
  assert_int_equal(d.nspreads, 2);
  for (size_t i = 0; i < 2; i++) {
    const struct cells_spread *s = &d.spreads[i];
    assert_int_equal(s->seq, 3);
    assert_int_equal(s->begin, H(-12));
    assert_int_equal(s->end, H(12));
    assert_int_equal(s->counted, 1);
  }
  assert_int_equal(d.parts[7].spread, 0);
  assert_int_equal(d.parts[9].spread, 1);
  /* The in persons' disputed piece. */
  assert_int_equal(d.npieces, 1);
  assert_int_equal(d.pieces[0].nclaims, 2);
  assert_int_equal(d.nclaims, 2);
  assert_string_equal(d.claims[0].source, "a");
  assert_string_equal(d.claims[0].grade, "A1");
  assert_true(d.claims[0].value == 4);
  assert_string_equal(d.claims[1].source, "b");
  assert_string_equal(d.claims[1].grade, "C3");
  assert_true(d.claims[1].value == 5);
  assert_int_equal(d.pieces[0].nlinks, 2);
  assert_int_equal(d.links[d.pieces[0].link], 2);
  assert_int_equal(d.links[d.pieces[0].link + 1], 3);
  assert_int_equal(d.observed[0], 0);
  assert_int_equal(d.observed[1], (1u << CM_RECORDS) | (1u << CM_PERSONS));
  assert_false(cells_day_empty(&d));
  cells_day_cleanup(&d);
}

/* A day no record and no coverage reaches is empty (the store keeps no row
 * for it): D - 1 has only r3, so it is not; D + 2 has nothing. */
static void
test_build_empty(void **state)
{
  struct day_input in;
  struct cells_builder *b = cells_builder_new();
  struct cells_day d;

  (void)state;
  cells_day_init(&d);
  input_init(&in, &W);
  cells_build(b, D + 2, W.k, in.recs, 6, in.cover, 2, &in.rules, &d);
  assert_true(cells_day_empty(&d));
  cells_build(b, D - 1, W.k, in.recs, 6, in.cover, 2, &in.rules, &d);
  assert_false(cells_day_empty(&d));
  /* r3 alone: records and persons, out; 1 x 12/24 and 48 x 12/24. */
  assert_int_equal(d.nstreams, 2);
  check_part(&d, 0, "a", 0.5, 0.5, 1, 0, 1);
  check_part(&d, 1, "a", 24, 24, 1, 0, 1);
  cells_day_cleanup(&d);
  cells_builder_free(b);
}

/* A dictionary for the codec: code i + 1 is words[i]. */
struct dict {
  const char *words[64];
  uint32_t n, known; /* text() knows codes 1..known */
};

static uint32_t
dict_code(void *ctx, const char *s)
{
  struct dict *t = ctx;

  for (uint32_t i = 0; i < t->n; i++)
    if (strcmp(t->words[i], s) == 0)
      return i + 1;
  assert_true(t->n < 64);
  t->words[t->n] = s;
  return ++t->n;
}

static const char *
dict_text(void *ctx, uint32_t code)
{
  struct dict *t = ctx;

  return code >= 1 && code <= t->known ? t->words[code - 1] : NULL;
}

/* Decoding gives back every field encoded, and encoding that gives the
 * same bytes. */
static void
test_codec_round_trip(void **state)
{
  struct cells_day d, back;
  struct dict t = {{0}, 0, 0};
  struct buf b1, b2;

  (void)state;
  cells_day_init(&d);
  cells_day_init(&back);
  buf_init(&b1);
  buf_init(&b2);
  build(&W, &d);
  cells_encode(&d, dict_code, &t, &b1);
  t.known = t.n;
  assert_int_equal(cells_decode(&back, D, "k", b1.data, b1.len, dict_text, &t),
                   OK);
  assert_int_equal(back.nstreams, d.nstreams);
  assert_int_equal(back.nparts, d.nparts);
  assert_int_equal(back.nspreads, d.nspreads);
  assert_int_equal(back.npieces, d.npieces);
  assert_int_equal(back.nclaims, d.nclaims);
  assert_int_equal(back.nlinks, d.nlinks);
  assert_int_equal(back.observed[1], d.observed[1]);
  for (size_t i = 0; i < d.nparts; i++) {
    /* The figures to the last bit. */
    assert_memory_equal(&back.parts[i].own, &d.parts[i].own, sizeof(double));
    assert_memory_equal(&back.parts[i].won, &d.parts[i].won, sizeof(double));
    for (int k = 0; k < CD_COUNT; k++)
      assert_string_equal(back.parts[i].dim[k], d.parts[i].dim[k]);
  }
  assert_int_equal(back.spreads[1].begin, H(-12));
  assert_int_equal(back.spreads[1].end, H(12));
  assert_int_equal(back.links[1], 3);
  cells_encode(&back, dict_code, &t, &b2);
  assert_int_equal(b2.len, b1.len);
  assert_memory_equal(b2.data, b1.data, b1.len);
  buf_cleanup(&b1);
  buf_cleanup(&b2);
  cells_day_cleanup(&d);
  cells_day_cleanup(&back);
}

/* The same records with the same texts at other addresses give the same
 * bytes: the builder's output depends on the records, not on memory. */
static void
test_codec_same_bytes(void **state)
{
  struct words w2;
  const char **f[] = {&w2.k,     &w2.in,   &w2.out,  &w2.passed, &w2.crossing,
                      &w2.queue, &w2.a,    &w2.b,    &w2.a1,     &w2.c3,
                      &w2.truck, &w2.food, &w2.empty};
  struct cells_day d1, d2;
  struct dict t1 = {{0}, 0, 0}, t2 = {{0}, 0, 0};
  struct buf b1, b2;

  (void)state;
  w2 = W;
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    *f[i] = strdup(*f[i]);
  cells_day_init(&d1);
  cells_day_init(&d2);
  buf_init(&b1);
  buf_init(&b2);
  build(&W, &d1);
  build(&w2, &d2);
  cells_encode(&d1, dict_code, &t1, &b1);
  cells_encode(&d2, dict_code, &t2, &b2);
  assert_int_equal(b2.len, b1.len);
  assert_memory_equal(b2.data, b1.data, b1.len);
  buf_cleanup(&b1);
  buf_cleanup(&b2);
  cells_day_cleanup(&d1);
  cells_day_cleanup(&d2);
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    free((void *)*f[i]);
}

/* Bytes that are not cells: cut short, another version, a code the
 * dictionary does not know, a byte too many. Each is ERR_INVALID, and the
 * day is left empty. */
static void
test_codec_refuses(void **state)
{
  struct cells_day d, back;
  struct dict t = {{0}, 0, 0};
  struct buf b;
  char *copy;

  (void)state;
  cells_day_init(&d);
  cells_day_init(&back);
  buf_init(&b);
  build(&W, &d);
  cells_encode(&d, dict_code, &t, &b);
  t.known = t.n;
  for (size_t cut = 0; cut < b.len; cut++) {
    assert_int_equal(cells_decode(&back, D, "k", b.data, cut, dict_text, &t),
                     ERR_INVALID);
    assert_int_equal(back.nstreams, 0);
  }
  copy = malloc(b.len + 1);
  memcpy(copy, b.data, b.len);
  copy[b.len] = 0;
  assert_int_equal(cells_decode(&back, D, "k", copy, b.len + 1, dict_text, &t),
                   ERR_INVALID);
  copy[0] = 2; /* version 1 only */
  assert_int_equal(cells_decode(&back, D, "k", copy, b.len, dict_text, &t),
                   ERR_INVALID);
  t.known = t.n - 1; /* the last word's code unknown */
  assert_int_equal(cells_decode(&back, D, "k", b.data, b.len, dict_text, &t),
                   ERR_INVALID);
  assert_int_equal(back.nstreams, 0);
  free(copy);
  buf_cleanup(&b);
  cells_day_cleanup(&d);
  cells_day_cleanup(&back);
}

/* The tuple map: dense indexes in insertion order; clear keeps nothing. */
static void
test_tmap(void **state)
{
  struct tmap *m = tmap_new(2);
  uint64_t k1[2] = {1, 2}, k2[2] = {2, 1}, k3[2] = {1, 2};
  size_t i;
  int added;

  (void)state;
  assert_int_equal(tmap_put(m, k1, &added), 0);
  assert_true(added);
  assert_int_equal(tmap_put(m, k2, &added), 1);
  assert_true(added);
  assert_int_equal(tmap_put(m, k3, &added), 0);
  assert_false(added);
  assert_true(tmap_get(m, k2, &i));
  assert_int_equal(i, 1);
  assert_int_equal(tmap_count(m), 2);
  assert_int_equal(tmap_key(m, 1)[0], 2);
  /* Past the first table's 256 slots: every key still found. */
  for (uint64_t n = 0; n < 1000; n++) {
    uint64_t k[2] = {n, 7};
    assert_int_equal(tmap_put(m, k, NULL), 2 + n);
  }
  for (uint64_t n = 0; n < 1000; n++) {
    uint64_t k[2] = {n, 7};
    assert_true(tmap_get(m, k, &i));
    assert_int_equal(i, 2 + n);
  }
  tmap_clear(m);
  assert_int_equal(tmap_count(m), 0);
  assert_false(tmap_get(m, k1, &i));
  tmap_free(m);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_build_day),
      cmocka_unit_test(test_build_empty),
      cmocka_unit_test(test_codec_round_trip),
      cmocka_unit_test(test_codec_same_bytes),
      cmocka_unit_test(test_codec_refuses),
      cmocka_unit_test(test_tmap),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
