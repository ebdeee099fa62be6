/*
 * analysis: what users open Passage for (DESIGN.md section 6). Reconciled
 * daily flows (sources never added together; unknown is not zero), the
 * functioning index against the baseline, availability from the status
 * timeline, compliance with each obligation, and the supply outlook. Every
 * answer is computed as of a tree size, so a published figure can be
 * reproduced exactly later.
 *
 * Days are local day numbers (util_days_from_civil) in the corridor's time
 * zone. Figures count flows whose outcome is "passed" (a convoy held at a
 * checkpoint did not cross) unless a query asks for another outcome.
 */
#ifndef PASSAGE_ANALYSIS_H
#define PASSAGE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "corridor/corridor.h"
#include "store/store.h"

struct analysis;

/*
 * A view of st as of tree size as_of (0 means the current size; a size
 * above the current one is an error), with the corridor's rules in force
 * at that size (store_corridor_at). From open to free the view reads one
 * snapshot of the store (a read transaction), so that every figure comes
 * from one tree size whatever is appended meanwhile: st must not start a
 * write transaction in between. Returns OK or an error with a message in
 * err.
 */
int analysis_open(struct store *st, uint64_t as_of, struct analysis **out,
                  struct buf *err);
void analysis_free(struct analysis *a);

/* The tree size the view sees, and the corridor's rules in force then. */
uint64_t analysis_as_of(const struct analysis *a);
const struct corridor *analysis_corridor(const struct analysis *a);
/* The first and last days with any flow, status or coverage record; OK or
 * ERR_NOTFOUND when there is none. */
int analysis_span(struct analysis *a, int64_t *first, int64_t *last);

/* The measures of a flow. Tonnes count cargo in a mass unit. */
enum { AM_RECORDS, AM_VEHICLES, AM_PERSONS, AM_TONNES, AM_COUNT };

/* One source's own figure for a row, when sources disagree. */
struct analysis_source_value {
  const char *source;
  const char *grade; /* the best grade of its records; "" when ungraded */
  int measure;       /* AM_* */
  double value;
};

/*
 * One row of reconciled flows. dim[d] holds the row's value of each
 * dimension asked for (enum flow_dim), "" for records without one. m[k] is
 * valid only when known[k]: a row is unknown when none of the
 * checkpoint-days it covers was observed (coverage says observed, or a flow
 * record covers it). unknown_days counts the checkpoint-days of the row that
 * were not observed. When sources differ by more than the corridor's
 * dispute_tolerance on a measure, disputed is set and sources lists each
 * source's value of each disputed measure.
 */
struct analysis_flow_row {
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  int known[AM_COUNT];
  size_t unknown_days;
  int disputed;
  const struct analysis_source_value *sources;
  size_t nsources;
};

struct analysis_flow_query {
  int64_t from, to; /* days, inclusive */
  const int *dims;  /* enum flow_dim, in output order */
  size_t ndims;
  const char *source;             /* only this source's own figures, or NULL */
  const char *outcome;            /* "passed" when NULL; "" for every outcome */
  const char *const *checkpoints; /* NULL-terminated, or NULL for all */
  /* With source among dims: 1 gives each source's own figures; 0 the
   * figures each source won (whose numbers the reconciled total used). */
  int own_figures;
};

/*
 * Reconciled flows: for each day, checkpoint, direction and class (persons;
 * vehicles by type; tonnes by category) the figure of the best-graded
 * source (Admiralty code, A1 best; ties go to the source with more
 * records), never a sum of sources; then summed into the rows asked for.
 * With q->source, or with own_figures and source among the dimensions,
 * each source's own figures instead (disputes are still marked). Rows come
 * sorted by
 * their dimension values, days in order. fn returns OK to go on.
 */
int analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
                   int (*fn)(void *ctx, const struct analysis_flow_row *row),
                   void *ctx);

/* Directions and the three measures of the functioning index. */
enum { AD_IN, AD_OUT, AD_COUNT };
enum { AP_PERSONS, AP_VEHICLES, AP_TONNES, AP_COUNT };
extern const char *const analysis_direction_names[AD_COUNT];
extern const char *const analysis_part_names[AP_COUNT];

struct analysis_index_day {
  int64_t day;
  int known;                       /* 0: every figure below is unknown */
  double index;                    /* mean of the known parts, 0..1 */
  double part[AD_COUNT][AP_COUNT]; /* min(1, flow / baseline) */
  int part_known[AD_COUNT][AP_COUNT];
  double flow[AD_COUNT][AP_COUNT];     /* the day's reconciled flow */
  double baseline[AD_COUNT][AP_COUNT]; /* mean daily flow in the window */
};

/*
 * The functioning index of each day from..to over the checkpoints of the
 * corridor's first obligation with min_ratio_of_baseline (failing that, the
 * first naming checkpoints; otherwise all of them). The
 * baseline is the mean daily reconciled flow over the corridor's baseline
 * window (its known days). A part whose baseline is 0 or unknown is itself
 * unknown; a day on which any of those checkpoints was not observed is
 * unknown. Writes to days[0..to-from]. ERR_NOTFOUND when the corridor has no
 * baseline window.
 */
int analysis_index(struct analysis *a, int64_t from, int64_t to,
                   struct analysis_index_day *days);

/*
 * The share of local day `day` that checkpoint was open (restricted counts
 * restricted_weight) by its status timeline, a state holding until the
 * next change. *known is 0 when no status was recorded at or before the
 * day's start.
 */
int analysis_availability(struct analysis *a, const char *checkpoint,
                          int64_t day, double *out, int *known);

/* Each day's verdict on an obligation. */
enum { AC_UNKNOWN, AC_MET, AC_BREACHED };

struct analysis_compliance {
  const struct corridor_obligation *ob;
  int *verdict; /* AC_*, one per day from..to */
  size_t days_met, days_breached, days_unknown;
  size_t longest_breach; /* the longest run of consecutive breached days */
  size_t current_run;    /* the run that ends on the last day, else 0 */
};

/*
 * Evaluates every obligation of the corridor on each day from..to:
 * min_ratio_of_baseline (every part named by measures x directions at or
 * above the ratio) and min_availability (every checkpoint of the
 * obligation at or above it); met when every test is met, breached when one
 * is breached, unknown otherwise. An unknown day ends a run. Returns an
 * array of *n results (free with analysis_compliance_free).
 */
int analysis_compliance(struct analysis *a, int64_t from, int64_t to,
                        struct analysis_compliance **out, size_t *n);
void analysis_compliance_free(struct analysis_compliance *c, size_t n);

enum { AS_NO_INFLOW, AS_RECENT_INFLOW, AS_BASELINE_INFLOW, AS_COUNT };
extern const char *const analysis_scenario_names[AS_COUNT];

enum { AA_NONE, AA_WARNING, AA_SEVERE, AA_CRITICAL };
extern const char *const analysis_alert_names[4];

struct analysis_supply {
  const char *category;
  const char *unit;             /* of stock, need and inflows */
  int has_stock;                /* 0: no stock record at or before the day */
  double stock_low, stock_high; /* at the start of the day */
  double need_per_day;          /* population x need per person per day */
  double inflow_7d_mean;        /* net inflow, mean of the 7 days before */
  int has_inflow_7d;
  double baseline_inflow; /* net inflow, mean over the baseline window */
  int has_baseline_inflow;
  double cover_low, cover_high; /* days of cover */
  /* Stock-out day per scenario and end; has_stockout 0 means none (net use
   * <= 0) or unknown. */
  int64_t stockout[AS_COUNT][2];
  int has_stockout[AS_COUNT][2];
  int alert; /* AA_*, from the low end of cover */
};

/*
 * The supply outlook at the start of `day` for each category with a need
 * (a need record at or before the day, else the corridor file's): stock =
 * the latest stock record at or before the day, plus recorded net inflows
 * (tonnes of the category in minus out) minus consumption (population x
 * need) for the days from that record up to day-1; the recent inflow is
 * the recorded net inflow of the 7 days before, divided by 7. days of cover =
 * stock / need per day; stock-out under constant net use u is day + floor(stock
 * / u). Returns *n results in a new array (free with free()).
 */
int analysis_supply(struct analysis *a, int64_t day,
                    struct analysis_supply **out, size_t *n);

/*
 * Calls fn for each live record of kind as of the view's size (see
 * store_each_live): for reports that list status changes and events.
 */
int analysis_each_record(struct analysis *a, enum record_kind kind,
                         int (*fn)(void *ctx, const struct record *rec,
                                   uint64_t seq),
                         void *ctx);

/* The root hash of the view's tree (for reports to name what they were
 * computed from). */
int analysis_root(struct analysis *a, uint8_t root[32]);

/*
 * The interval a canonical time field (an "at", "start" or "end" of a
 * record) covers, in local seconds of the corridor's time zone, as
 * record_time_bounds gives it: [*begin, *finish), a date its whole day, an
 * instant an empty interval. This is how a report places a record on the
 * corridor's days without knowing where the time zone comes from. Returns
 * OK; ERR_MISSING when canonical is NULL, or the error of text that is not
 * a time (ERR_INVALID), with both out-parameters 0.
 */
int analysis_time_bounds(const struct analysis *a, const char *canonical,
                         int64_t *begin, int64_t *finish);

#endif
