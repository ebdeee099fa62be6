/*
 * analysis: what users open Passage for (DESIGN.md section 6). Flows
 * reconciled in time (claims about the same time never added, claims about
 * different times always; unknown is not zero, class by class), the
 * functioning index against the baseline, availability per direction from
 * the status timeline and the corridor's minimum, compliance with each
 * obligation in force, and the supply outlook. Every answer is computed as
 * of a tree size, so a published figure can be reproduced exactly later.
 * docs/analysis.md states each rule.
 *
 * Days are local day numbers (util_days_from_civil) in the corridor's time
 * zone. Figures count flows whose outcome is "passed" at the counting stage
 * (a convoy held at a checkpoint did not cross) unless a query asks for
 * another outcome.
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
  const char *grade; /* the worst grade of the records behind value; "" when
                      * ungraded */
  int measure;       /* AM_* */
  double value;      /* its claims over the row's disputed pieces */
};

/* A record spread over more than the period a figure shows: the figure
 * holds an even share of it, an approximation a report should say. */
struct analysis_spread {
  const char *id;
  const char *start, *end; /* its time fields, as recorded */
  int measure;             /* AM_*: the figure it is spread into */
};

/*
 * One row of reconciled flows. dim[d] holds the row's value of each
 * dimension asked for (enum flow_dim), "" for records without one.
 *
 * m[k] is valid only when known[k]: the class (persons, vehicles, tonnes;
 * records) was observed some of the time the row covers, or a record of
 * the class adds to the row. unknown[k] counts the checkpoint-days under
 * the row on which class k was not observed throughout (in every
 * direction the row covers), and unknown_days those on which persons,
 * vehicles or tonnes was not. approximate[k]: m[k] holds a share of a
 * record that reaches outside the row's period (its time dimension's
 * span, within the query's days); spread lists those records.
 *
 * When a piece of time under the row is disputed (another source's claim
 * differs from the one counted by more than the corridor's
 * dispute_tolerance), disputed is set and sources lists each source's
 * value over those pieces, by measure, grade and source id.
 *
 * Pointers are valid during the callback only; strings while the view is
 * open.
 */
struct analysis_flow_row {
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  int known[AM_COUNT];
  int approximate[AM_COUNT];
  size_t unknown[AM_COUNT];
  size_t unknown_days;
  int disputed;
  const struct analysis_source_value *sources;
  size_t nsources;
  const struct analysis_spread *spread;
  size_t nspread;
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
  /* With only time, checkpoint and direction among dims: a row for every
   * day, checkpoint and direction even where no record is (its figures 0
   * where observed, unknown elsewhere). */
  int complete;
};

/*
 * Reconciled flows (docs/analysis.md): for each checkpoint, direction,
 * outcome and class (persons; vehicles, their type a breakdown of the
 * winner's total; tonnes by category; records) time is cut into pieces at
 * every record's start and end and at local midnights, and in each piece
 * the best-graded source's claim counts (ties: the shorter record, then
 * the source id); a day's figure is the sum of its pieces, summed into the
 * rows asked for. Records of outcome passed count only at the corridor's
 * counting stage. With q->source, or with own_figures and source among
 * the dimensions, each source's own figures instead (disputes are still
 * marked). Rows come sorted by their dimension values, days in order. fn
 * returns OK to go on.
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
  int known;    /* every part with a baseline above 0 is known */
  double index; /* the mean of those parts, 0..1 */
  double part[AD_COUNT][AP_COUNT]; /* min(1, flow / baseline) */
  int part_known[AD_COUNT][AP_COUNT];
  double flow[AD_COUNT][AP_COUNT]; /* the day's reconciled flow */
  /* Every counted checkpoint observed the class that whole day. */
  int flow_known[AD_COUNT][AP_COUNT];
  int approximate[AD_COUNT][AP_COUNT]; /* flow holds a share of a record
                                        * longer than the day */
  double baseline[AD_COUNT][AP_COUNT]; /* mean daily flow in the window */
  int base_known[AD_COUNT][AP_COUNT];
};

/*
 * The functioning index of each day from..to over the checkpoints the
 * index counts (analysis_index_checkpoints). A part is min(1, flow /
 * baseline), the baseline being the mean daily reconciled flow over the
 * corridor's baseline window, on the days the part was known there. A part
 * whose day is not observed throughout at every counted checkpoint, or
 * whose baseline is unknown, is unknown; a part whose baseline is 0 has
 * nothing to measure and stays out of the index. The index is the mean of
 * the other parts, unknown when one of them is. Writes to
 * days[0..to-from]. ERR_NOTFOUND when the corridor has no baseline window.
 */
int analysis_index(struct analysis *a, int64_t from, int64_t to,
                   struct analysis_index_day *days);

/*
 * The checkpoints the functioning index counts: those of the corridor's
 * first obligation with min_ratio_of_baseline, failing that of the first
 * that names checkpoints. NULL (with *n 0) when it counts every
 * checkpoint. Owned by the corridor.
 */
const char *const *analysis_index_checkpoints(const struct analysis *a,
                                              size_t *n);

/* One direction x part of the index over a period. */
struct analysis_period_part {
  size_t known_days; /* days of the period on which the part was known */
  double total;      /* the flow of those days */
  double per_day;    /* total / known_days: what a table shows */
  int known;         /* known_days > 0 */
  int approximate;   /* a share of a record longer than the period */
  const struct analysis_spread *spread; /* those records */
  size_t nspread;
  double baseline;
  int base_known;
  double ratio; /* min(1, per_day / baseline) */
  int ratio_known;
};

/* One checkpoint's reconciled flows over a period. */
struct analysis_period_cp {
  const char *checkpoint;
  int counted; /* the index counts it */
  int route;   /* on the route */
  double total[AD_COUNT][AP_COUNT];
  int known[AD_COUNT][AP_COUNT];
  size_t unknown_days[AD_COUNT][AP_COUNT]; /* days not observed throughout */
  int approximate[AD_COUNT][AP_COUNT];
};

struct analysis_period {
  int64_t from, to;
  int index_known; /* every part with a baseline above 0 is known */
  double index;    /* the mean of their ratios */
  struct analysis_period_part part[AD_COUNT][AP_COUNT];
  /* Every checkpoint's flows, in log order, those the index counts
   * marked: what passed where the index does not look. */
  struct analysis_period_cp *cps;
  size_t ncps;
};

/*
 * The index of a period from its mean daily flows (the figures a table
 * shows): per part, the flow of the period's known days divided by their
 * number, against the baseline; the index is the mean of the parts'
 * ratios, unknown when a part with a baseline above 0 is unknown. Also
 * each checkpoint's totals, so that a report can give flows where the
 * index does not count. ERR_NOTFOUND when the corridor has no baseline
 * window (the checkpoint totals are then filled in, the parts unknown).
 * *out is new: free with analysis_period_free (before the view: its
 * strings are the view's).
 */
int analysis_period(struct analysis *a, int64_t from, int64_t to,
                    struct analysis_period **out);
void analysis_period_free(struct analysis_period *p);
/* 1 when a record spread over both x's and y's periods is behind both
 * figures: a change between them would only be the spreading's. */
int analysis_same_record(const struct analysis_period_part *x,
                         const struct analysis_period_part *y);

/*
 * The share of local day `day` that checkpoint was open in direction dir
 * (AD_IN, AD_OUT): its status timeline for that direction (a status of
 * direction both applies to each), a state holding until the next change,
 * restricted counting restricted_weight. *known is 0 when no status of
 * that direction was recorded at or before the day's start.
 */
int analysis_availability(struct analysis *a, const char *checkpoint, int dir,
                          int64_t day, double *out, int *known);
/*
 * The corridor's availability in dir on day: the minimum over its route
 * checkpoints, unknown when one of them is (or none is on the route).
 */
int analysis_corridor_availability(struct analysis *a, int dir, int64_t day,
                                   double *out, int *known);
/* 1 when the checkpoint is on the route (its record says no route = no). */
int analysis_route(struct analysis *a, const char *checkpoint);

/* Each day's verdict on an obligation; AC_NOT_IN_FORCE days are outside
 * its from..until and count nowhere. */
enum { AC_UNKNOWN, AC_MET, AC_BREACHED, AC_NOT_IN_FORCE };

struct analysis_compliance {
  const struct corridor_obligation *ob;
  int *verdict; /* AC_*, one per day from..to */
  size_t days_met, days_breached, days_unknown;
  size_t longest_breach; /* the longest run of consecutive breached days */
  size_t current_run;    /* the run that ends on the last day, else 0 */
};

/*
 * Evaluates every obligation of the corridor on each day from..to that it
 * is in force (its from..until): min_ratio_of_baseline (every part named
 * by measures x directions at or above the ratio) and min_availability
 * (every checkpoint of the obligation, in each of its directions, at or
 * above it); met when every test is met, breached when one is breached,
 * unknown otherwise. An unknown day ends a run. Returns an array of *n
 * results (free with analysis_compliance_free).
 */
int analysis_compliance(struct analysis *a, int64_t from, int64_t to,
                        struct analysis_compliance **out, size_t *n);
/*
 * The same counted from day start (<= from) to `to`, with the verdicts of
 * from..to only (verdict[0] is from's): the counts of start..from-1 come
 * from the state saved at the end of from-1 when one holds for the view
 * (src/analysis/saved.c), else from evaluating every day from start, whose
 * states the view then saves. The figures are the same either way.
 */
int analysis_compliance_since(struct analysis *a, int64_t start, int64_t from,
                              int64_t to, struct analysis_compliance **out,
                              size_t *n);
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
  double production_7d_mean; /* local production, mean of the 7 days before */
  double baseline_inflow;    /* net inflow, mean over the baseline window */
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
 * (a need record in force at the day's start, else the corridor file's):
 * stock = the latest stock record at or before the day, walked day by day
 * from that record's day up to day-1 as stock(t+1) = max(0, stock(t) +
 * net inflow(t) + production(t) - population(t) x need), population and
 * need those in force at the start of day t; inflows are reconciled
 * tonnes of the category in minus out, production is reconciled like
 * flows. The recent inflow and production are what was recorded over the
 * 7 days before, divided by 7. days of cover = stock / need per day;
 * stock-out under constant net use u = need - inflow - production is day
 * + floor(stock / u). Returns *n results in a new array (free with
 * free()).
 */
int analysis_supply(struct analysis *a, int64_t day,
                    struct analysis_supply **out, size_t *n);

/*
 * The pipeline (docs/analysis.md): where flows name the stage they were
 * counted at (the corridor's [stages]), what was counted at each stage per
 * day, checkpoint and direction, the backlog (what entered the first stage
 * and has neither reached the counting stage nor turned back), and, where
 * consignment ids link a load's records, the dwell between consecutive
 * stages.
 */
struct analysis_dwell {
  size_t n;           /* consignments that reached the later stage that day */
  double median, p90; /* hours from the earlier stage; valid when n > 0 */
};

struct analysis_pipeline_row {
  int64_t day;
  const char *checkpoint, *direction;
  int observed[AM_COUNT];   /* per class, as flow says it (coverage, or a
                               record giving it): 0, the counts of the class
                               are unknown that day (the backlog carries) */
  const double *count;      /* [stage * AM_COUNT + measure]: counted at each
                               stage that day, any outcome, sources reconciled */
  double backlog[AM_COUNT]; /* at the end of the day */
  const struct analysis_dwell *dwell; /* [stage]: stage to stage + 1 */
  size_t nstages;                     /* the corridor's */
};

struct analysis_pipeline_query {
  int64_t from, to;       /* days, inclusive */
  const char *checkpoint; /* one checkpoint's id, or NULL for each */
  int dwell;              /* 1: measure the dwell too (from the flow records the
                             counts read) */
};

/*
 * Calls fn for each day from..to, checkpoint and direction on which
 * something was counted at a stage, a consignment made a step, or a backlog
 * waits, in order of day, checkpoint and direction. Counts at a stage are
 * reconciled in time as flows are (analysis_flows), each stage and outcome
 * on its own: the counting stage's passed count is the day's flow. The
 * backlog is a running balance from the first day something entered the
 * first stage there: each day adds what entered the first stage and takes
 * what passed the counting stage or turned back at or before it, never
 * going below zero. It reads the view's flow records from the first day of
 * data to `to`. Dwell: the time from a consignment's first record at a stage
 * to its first record at the next (their starts), in hours, on the day and
 * at the checkpoint of the later one; median (the middle value, or the mean
 * of the two middle ones) and 90th percentile (nearest rank: the
 * ceil(0.9 n)-th smallest). fn returns OK to go on.
 */
int
analysis_pipeline(struct analysis *a, const struct analysis_pipeline_query *q,
                  int (*fn)(void *ctx, const struct analysis_pipeline_row *row),
                  void *ctx);

/*
 * The auditor's check of the saved states (src/analysis/saved.c): every
 * row a view of the store's current size would read, counted again from
 * the first day and compared byte for byte. OK with the number of rows
 * checked in *checked; ERR_VERIFY with the first row that differs (or says
 * it was computed beyond the log's size) in err; another error of the
 * reads.
 */
int analysis_check_saved(struct store *st, size_t *checked, struct buf *err);

/* The median and nearest-rank 90th percentile of v[0..n) (n > 0), which it
 * sorts: the rule analysis_pipeline states, for its tests. */
void analysis_percentiles(double *v, size_t n, double *median, double *p90);

/*
 * Calls fn for each live record of kind as of the view's size (see
 * store_each_live): for reports that list status changes and events.
 */
int analysis_each_record(struct analysis *a, enum record_kind kind,
                         int (*fn)(void *ctx, const struct record *rec,
                                   uint64_t seq),
                         void *ctx);
/*
 * The statuses that the local seconds [from, to) need, each once, in no
 * particular order: every live status that may reach them, and for each
 * checkpoint any status names and each direction the last one before
 * from (the state the period began in), with perhaps a few more around
 * those; fn keeps what its own bounds ask for. ERR_NOTFOUND, before any
 * fn, when the store cannot walk them so: read them all then
 * (analysis_each_record).
 */
int analysis_each_status_for(struct analysis *a, int64_t from, int64_t to,
                             int (*fn)(void *ctx, const struct record *rec,
                                       uint64_t seq),
                             void *ctx);
/* The same, of the records whose time field may reach [from, to] (local
 * seconds), and perhaps some more (store_each_live_near): fn keeps those
 * its own bounds put in its period. */
int analysis_each_record_near(struct analysis *a, enum record_kind kind,
                              const char *field, int64_t from, int64_t to,
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
