/*
 * Unit tests of the reconciler (src/analysis/reconcile.c), each figure
 * worked out by hand in the comments from the rule in docs/analysis.md:
 * pieces cut at every interval's start and end and at every midnight; in
 * each piece each source's claim is the sum of its records' parts; the
 * best grade wins, then the shorter record, then the source id; a piece is
 * disputed when another claim differs by more than the tolerance (10%
 * here) of the winner's. Times are hours of day D (local seconds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/analysis_int.h"

#define D 19358 /* 2023-01-01 */
#define H(h) ((int64_t)D * 86400 + (int64_t)((h)*3600))
#define EPS 1e-9

/* Interned source names: the reconciler compares pointers. */
static const char A[] = "a", B[] = "b", M[] = "m", P[] = "p", X[] = "x",
                  Y[] = "y", ALPHA[] = "alpha", BETA[] = "beta";

static struct recon_item
item(double from_h, double to_h, const char *src, const char *grade,
     double value)
{
  struct recon_item it = {H(from_h), H(to_h), src, grade, value};

  return it;
}

/* The day cell of day d, which must exist. */
static const struct recon_cell *
cell(const struct recon_out *o, int64_t d)
{
  for (size_t i = 0; i < o->ncells; i++)
    if (o->cells[i].day == d)
      return &o->cells[i];
  fail_msg("no cell for day %lld", (long long)d);
  return NULL;
}

/* The value a source claims over the disputed pieces of cell c. */
static double
claimed(const struct recon_out *o, const struct recon_cell *c, const char *src)
{
  for (size_t i = 0; i < c->nclaims; i++)
    if (o->cell_claims[c->claim + i].source == src)
      return o->cell_claims[c->claim + i].value;
  fail_msg("%s claims nothing disputed", src);
  return 0;
}

/* What item i won on day d (its share of the figure). */
static double
won(const struct recon_out *o, size_t i, int64_t d)
{
  double v = 0;

  for (size_t k = 0; k < o->nshares; k++)
    if (o->shares[k].item == i && o->shares[k].day == d)
      v += o->shares[k].won;
  return v;
}

/* Source a counts 1,000 persons for 00:00-12:00, source b 1,000 for
 * 12:00-24:00: the pieces [0, 12) and [12, 24) each have one claim, so
 * both count: 2,000, no dispute, both sources winners. */
static void
test_touching_add(void **state)
{
  struct recon_item it[] = {item(0, 12, A, "B2", 1000),
                            item(12, 24, B, "B3", 1000)};
  struct recon_out o = {0};

  (void)state;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  assert_int_equal(o.ncells, 1);
  assert_float_equal(cell(&o, D)->value, 2000, EPS);
  assert_false(cell(&o, D)->disputed);
  assert_int_equal(cell(&o, D)->nwinners, 2);
  assert_int_equal(o.npieces, 0);
  analysis__recon_cleanup(&o);
}

/* The same day by a (B2) 1,000 and b (C3) 1,200: one piece, a wins, and
 * |1,200 - 1,000| = 200 > 0.1 x 1,000: disputed, both listed in grade
 * order. With b at 1,050 (50 <= 100) there is no dispute. */
static void
test_identical_compete(void **state)
{
  struct recon_item it[] = {item(0, 24, A, "B2", 1000),
                            item(0, 24, B, "C3", 1200)};
  struct recon_out o = {0};
  const struct recon_cell *c;

  (void)state;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  c = cell(&o, D);
  assert_float_equal(c->value, 1000, EPS);
  assert_true(c->disputed);
  assert_int_equal(c->nclaims, 2);
  assert_ptr_equal(o.cell_claims[c->claim].source, A);
  assert_float_equal(o.cell_claims[c->claim].value, 1000, EPS);
  assert_ptr_equal(o.cell_claims[c->claim + 1].source, B);
  assert_float_equal(o.cell_claims[c->claim + 1].value, 1200, EPS);
  assert_float_equal(won(&o, 1, D), 0, EPS);
  it[1].value = 1050;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 1000, EPS);
  assert_false(cell(&o, D)->disputed);
  analysis__recon_cleanup(&o);
}

/* m (A1) 20 for 10:00-12:00 inside p (B2) 100 for the day: pieces
 * [0, 10) p 100 x 10/24 = 41.666667; [10, 12) m 20 against p 100 x 2/24 =
 * 8.333333, m wins, |8.33 - 20| > 2: disputed; [12, 24) p 50. The day:
 * 41.666667 + 20 + 50 = 111.666667. p won 91.666667 of its 100. */
static void
test_nested(void **state)
{
  struct recon_item it[] = {item(0, 24, P, "B2", 100),
                            item(10, 12, M, "A1", 20)};
  struct recon_out o = {0};
  const struct recon_cell *c;

  (void)state;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  c = cell(&o, D);
  assert_float_equal(c->value, 100 - 100.0 * 2 / 24 + 20, 1e-9);
  assert_float_equal(c->value, 111.666667, 1e-6);
  assert_true(c->disputed);
  assert_float_equal(claimed(&o, c, M), 20, EPS);
  assert_float_equal(claimed(&o, c, P), 100.0 * 2 / 24, EPS);
  /* Grade order: m (A1) before p (B2). */
  assert_ptr_equal(o.cell_claims[c->claim].source, M);
  assert_float_equal(won(&o, 0, D), 100 - 100.0 * 2 / 24, EPS);
  assert_float_equal(won(&o, 1, D), 20, EPS);
  assert_int_equal(o.npieces, 1);
  assert_int_equal(o.pieces[0].begin, H(10));
  assert_int_equal(o.pieces[0].end, H(12));
  analysis__recon_cleanup(&o);
}

/* a (A1) 60 for 00:00-12:00 (5 an hour), b (B2) 120 for 06:00-18:00 (10
 * an hour): [0, 6) a 30; [6, 12) a 30 against b 60, a wins, disputed;
 * [12, 18) b 60. The day: 30 + 30 + 60 = 120. */
static void
test_partial_overlap(void **state)
{
  struct recon_item it[] = {item(0, 12, A, "A1", 60),
                            item(6, 18, B, "B2", 120)};
  struct recon_out o = {0};
  const struct recon_cell *c;

  (void)state;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  c = cell(&o, D);
  assert_float_equal(c->value, 120, EPS);
  assert_true(c->disputed);
  assert_float_equal(claimed(&o, c, A), 30, EPS);
  assert_float_equal(claimed(&o, c, B), 60, EPS);
  assert_float_equal(won(&o, 1, D), 60, EPS);
  analysis__recon_cleanup(&o);
}

/* Equal grades: a (B2) 24 for the day against b (B2) 10 for 08:00-12:00.
 * In [8, 12) a claims 4, b 10: b's record is shorter (4 h < 24 h), b
 * wins, disputed (|4 - 10| > 1). The day: 8 + 10 + 12 = 30. Equal grades
 * and lengths: alpha and beta for the same day, alpha first by id. */
static void
test_equal_grades(void **state)
{
  struct recon_item it[] = {item(0, 24, A, "B2", 24), item(8, 12, B, "B2", 10)};
  struct recon_item same[] = {item(0, 24, BETA, "B2", 7),
                              item(0, 24, ALPHA, "B2", 9)};
  struct recon_out o = {0};

  (void)state;
  analysis__reconcile(it, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 30, EPS);
  assert_true(cell(&o, D)->disputed);
  assert_float_equal(won(&o, 1, D), 10, EPS);
  analysis__reconcile(same, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 9, EPS);
  assert_ptr_equal(o.winners[cell(&o, D)->winner], ALPHA);
  analysis__recon_cleanup(&o);
}

/*
 * Instants. (1) c (C3) logs 1 crossing at 10:00 inside p's (A1) 100 for
 * the day: the instant cuts nothing and falls in the day's one piece,
 * where p (better graded) wins: 100, disputed (1 against 100). (2) The
 * same with the grades swapped: the instant's source wins that piece:
 * 1. (3) Where no interval is, instants of different moments add (10:00
 * and 11:00: 2) and those of one moment compete (both at 10:00: a's 1,
 * disputed against b's 2). (4) An instant at an interval's end (12:00,
 * the interval [0, 12)) is outside it: 10 + 1 = 11.
 */
static void
test_instants(void **state)
{
  struct recon_item in_p[] = {item(0, 24, P, "A1", 100),
                              item(10, 10, X, "C3", 1)};
  struct recon_item apart[] = {item(10, 10, A, "A1", 1),
                               item(11, 11, B, "B2", 1)};
  struct recon_item at_end[] = {item(0, 12, A, "A1", 10),
                                item(12, 12, B, "B2", 1)};
  struct recon_out o = {0};

  (void)state;
  analysis__reconcile(in_p, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 100, EPS);
  assert_true(cell(&o, D)->disputed);
  assert_float_equal(claimed(&o, cell(&o, D), X), 1, EPS);
  in_p[0].grade = "C3";
  in_p[1].grade = "A1";
  analysis__reconcile(in_p, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 1, EPS);
  assert_true(cell(&o, D)->disputed);
  analysis__reconcile(apart, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 2, EPS);
  assert_false(cell(&o, D)->disputed);
  apart[1].begin = apart[1].end = H(10);
  apart[1].value = 2;
  analysis__reconcile(apart, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 1, EPS);
  assert_true(cell(&o, D)->disputed);
  analysis__reconcile(at_end, 2, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 11, EPS);
  assert_false(cell(&o, D)->disputed);
  analysis__recon_cleanup(&o);
}

/* A source's claim is as good as its worst record: x gives 10 (A1) and 5
 * (C3) for the day, so claims 15 at C3; y (B2) claims 20 and wins. Record
 * counts (disputable 0) are never disputed. */
static void
test_worst_grade_and_counts(void **state)
{
  struct recon_item it[] = {item(0, 24, X, "A1", 10), item(0, 24, X, "C3", 5),
                            item(0, 24, Y, "B2", 20)};
  struct recon_out o = {0};

  (void)state;
  analysis__reconcile(it, 3, D, D, 0.1, 1, &o);
  assert_float_equal(cell(&o, D)->value, 20, EPS);
  assert_true(cell(&o, D)->disputed);
  assert_float_equal(claimed(&o, cell(&o, D), X), 15, EPS);
  analysis__reconcile(it, 3, D, D, 0.1, 0, &o);
  assert_float_equal(cell(&o, D)->value, 20, EPS);
  assert_false(cell(&o, D)->disputed);
  analysis__recon_cleanup(&o);
}

/* 48 over 12:00 on D to 12:00 on D+1: 24 each day, each approximate (the
 * record reaches outside the day); an interval inside one day is not.
 * Days outside from..to get nothing: asked for D+1 alone, 24. */
static void
test_days_and_approximate(void **state)
{
  struct recon_item two[] = {item(12, 36, A, "A1", 48)};
  struct recon_item one[] = {item(1, 2, A, "A1", 5)};
  struct recon_out o = {0};

  (void)state;
  analysis__reconcile(two, 1, D, D + 1, 0.1, 1, &o);
  assert_int_equal(o.ncells, 2);
  assert_float_equal(cell(&o, D)->value, 24, EPS);
  assert_float_equal(cell(&o, D + 1)->value, 24, EPS);
  assert_true(cell(&o, D)->approximate);
  analysis__reconcile(two, 1, D + 1, D + 1, 0.1, 1, &o);
  assert_int_equal(o.ncells, 1);
  assert_float_equal(cell(&o, D + 1)->value, 24, EPS);
  analysis__reconcile(one, 1, D, D, 0.1, 1, &o);
  assert_false(cell(&o, D)->approximate);
  analysis__recon_cleanup(&o);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_touching_add),
      cmocka_unit_test(test_identical_compete),
      cmocka_unit_test(test_nested),
      cmocka_unit_test(test_partial_overlap),
      cmocka_unit_test(test_equal_grades),
      cmocka_unit_test(test_instants),
      cmocka_unit_test(test_worst_grade_and_counts),
      cmocka_unit_test(test_days_and_approximate),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
