/*
 * report_int.h: private to src/report. A sitrep is computed in steps that
 * each depend only on the one before:
 *
 *   sitrep.c       gathers every figure from the analysis into struct
 *                  sitrep (the only file that asks the analysis anything);
 *   sitrep_json.c  writes struct sitrep as JSON;
 *   sitrep_doc.c   turns it into a document (doc.h): all the wording;
 *   render_*.c     write a document as Markdown, HTML or text (render.h),
 *                  knowing nothing of sitreps;
 *   report.c       runs them for report_sitrep.
 */
#ifndef PASSAGE_REPORT_INT_H
#define PASSAGE_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/* A source named behind a figure, with the best grade of its records. */
struct sr_src {
  char *id;
  char *grade; /* "" when ungraded */
};

/* A set of sources in the order they were first added. */
struct sr_srcset {
  struct sr_src *v;
  size_t n, cap;
};

/* A record spread over more than the period shown (analysis_spread). */
struct sr_spread {
  char *id, *start, *end;
};

/* One direction x part of the functioning index over the period. */
struct sr_part {
  int base_known;
  double baseline;   /* mean daily flow in the baseline window */
  size_t known_days; /* days of the period with a known figure */
  double per_day;    /* mean flow per known day */
  double total;      /* sum over the known days */
  int ratio_known;
  double ratio; /* min(1, per_day / baseline): the period's part */
  int prev_known;
  double prev_per_day; /* the previous period's mean per known day */
  int change_known;
  double change;   /* per_day / prev_per_day - 1 */
  int from_zero;   /* the previous period had none, this one some */
  int same_record; /* both periods' figures are slices of one spread record:
                    * no change is computed (change_known 0) */
  int approximate; /* per_day holds shares of records longer than the
                    * period: spread lists them */
  struct sr_spread *spread;
  size_t nspread;
  struct sr_srcset src; /* sources of the reconciled figures */
};

/* What the report says of one checkpoint of the corridor. */
struct sr_checkpoint {
  char *id, *name;
  int in_index; /* counted by the functioning index */
  int route;    /* on the route: the corridor's figure takes it in */
  /* Availability: a checkpoint's day is the lower of its two directions
   * (each direction's own in avail_dir); the corridor's (struct sitrep's
   * corridor) the minimum over the route checkpoints. */
  int avail_dir_known[AD_COUNT];
  double avail_dir[AD_COUNT]; /* mean over the period's known days */
  int avail_known;
  double avail;      /* mean availability over the period's known days */
  size_t avail_days; /* days of the period with a known availability */
  int prev_avail_known;
  double prev_avail;
  double *day_avail; /* the chart window, one per day */
  int *day_known;
  char *state;    /* at the end of the report's date; NULL: none */
  char *since;    /* when that state began (the record's time) */
  char *state_id; /* the status record */
  /* Each direction's state at the end of the date (a status of the other
   * direction leaves it as it was) and its record; NULL: none. */
  char *state_dir[AD_COUNT], *state_dir_id[AD_COUNT];
  char *since_dir[AD_COUNT]; /* when each direction's state began */
  int observed_known;        /* the analysis said which days were observed */
  size_t unknown_days;       /* days of the period on which persons, vehicles or
                              * tonnes was not observed throughout */
};

/* A row of reconciled flows, by two dimensions. */
struct sr_flow {
  char *a, *b;
  double m[AM_COUNT];
  int known[AM_COUNT];
  size_t unknown_days;       /* days on which a class was not observed */
  size_t unknown[AM_COUNT];  /* days on which that class was not */
  int approximate[AM_COUNT]; /* holds shares of records longer than the
                              * period */
  struct sr_spread *spread;  /* those records (by_cp rows), by id */
  size_t nspread;
  int disputed;
  struct sr_srcset src; /* the sources of the figures (by_cp rows) */
};

struct sr_flows {
  struct sr_flow *v;
  size_t n, cap;
};

/* A status record up to the report's date. */
struct sr_status {
  int64_t t;   /* local seconds of its start */
  int64_t day; /* local day of its start */
  uint64_t seq;
  int in_period;
  char *direction; /* in, out or both; NULL: both */
  char *id, *at, *checkpoint, *state, *cause, *actor, *applies_to, *source,
      *grade;
};

/* An event overlapping the period. */
struct sr_event {
  int64_t t;
  uint64_t seq;
  char *id, *at, *kind, *actors, *place, *summary, *source, *grade;
};

/* The record behind a figure: what a reader looks up to check it. */
struct sr_ref {
  char *id, *at, *source, *grade, *basis; /* id NULL: no such record */
};

/* The records behind one category of the supply outlook. */
struct sr_supply_refs {
  struct sr_ref stock, population, need;
};

/* A source's own figure in a dispute. */
struct sr_dispute_value {
  char *source, *grade;
  double value;
};

/* A disputed figure: day, checkpoint, direction, measure. */
struct sr_dispute {
  char *day, *checkpoint, *direction;
  int measure; /* AM_* */
  int known;
  double value; /* the reconciled figure */
  struct sr_dispute_value *values;
  size_t nvalues;
};

/* A flow at a checkpoint the index does not count that exceeds what the
 * index counted in the period: the headline says so. */
struct sr_uncounted {
  char *checkpoint;
  int dir, part;   /* AD_*, AP_* */
  double value;    /* the checkpoint's total of the period */
  int approximate; /* value holds shares of records longer than the period */
  int counted_known;
  double counted; /* the index's total of the period (its known days) */
};

/* What waits at a checkpoint at the end of the report's date (the
 * pipeline's backlog). */
struct sr_backlog {
  char *checkpoint;
  int dir;
  double v[AM_COUNT];
};

/* An obligation's verdicts over the report's period. */
struct sr_verdicts {
  size_t met, breached, unknown;
  size_t not_in_force; /* days outside the obligation's from..until */
};

enum {
  SR_USE_FLOWS = 1 << 0,
  SR_USE_STATUS = 1 << 1,
  SR_USE_EVENTS = 1 << 2,
  SR_USE_SUPPLY = 1 << 3,
  SR_USE_COVERAGE = 1 << 4,
  SR_USE_BASELINE = 1 << 5,
  SR_USE_COUNT = 6
};

/* A source used by the report. */
struct sr_source {
  char *id, *name, *url; /* name and url NULL when not recorded */
  char *grade;           /* the best grade of the records used */
  unsigned used;         /* SR_USE_* */
};

struct sitrep {
  const struct corridor *c;
  int64_t date, from, to; /* the period: from..to, to = date */
  int period_days;
  int kind;       /* enum report_period */
  int month_days; /* REPORT_PERIOD_MONTH: the whole month's days */
  int64_t prev_from, prev_to;
  int64_t chart_from; /* the charts: chart_from..to */
  uint64_t size;      /* the tree size it was computed from */
  char root[48];      /* its root hash, base64 */
  /* Its witnesses, borrowed from the query (report.h). */
  const struct report_witness *witnesses;
  size_t nwitnesses;
  uint64_t cosigned_size;
  int witnesses_listed;

  int has_baseline;                /* the corridor has a baseline window */
  struct analysis_index_day *days; /* days_from..to: the previous period
                                      and the charts' days */
  int64_t days_from;
  size_t ndays;
  size_t chart_at; /* chart_from's place in days[] */
  int index_known;
  double index;
  size_t index_known_days;
  int prev_index_known;
  double prev_index;
  struct sr_part part[AD_COUNT][AP_COUNT];
  const char *const *index_cps; /* the index's checkpoints; NULL: all */
  size_t nindex_cps;

  struct sr_checkpoint *cps; /* every checkpoint record, in log order */
  size_t ncps;
  /* The corridor's availability (id "corridor"): per day and direction
   * the minimum over the route checkpoints; only its availability fields
   * are set. */
  struct sr_checkpoint corridor;

  /* checkpoint x direction. Never summed over checkpoints: traffic along
   * one route passes several, so a sum counts the same people twice. */
  struct sr_flows by_cp;
  struct sr_uncounted *uncounted; /* by checkpoint, direction, part */
  size_t nuncounted;
  struct sr_backlog *backlog; /* by checkpoint, direction */
  size_t nbacklog;
  struct sr_flows by_vehicle; /* direction x vehicle type */
  struct sr_flows by_cat;     /* direction x cargo category */

  struct sr_status *status;
  size_t nstatus, capstatus;
  struct sr_event *events;
  size_t nevents, capevents;

  struct analysis_supply *supply;
  size_t nsupply;
  struct sr_supply_refs *supply_refs;

  int64_t comp_from;
  struct analysis_compliance *comp; /* counted from comp_from to the date,
                                     * verdicts of the period */
  size_t ncomp;
  struct sr_verdicts *comp_period; /* each obligation's days in the period */

  struct sr_source *sources;
  size_t nsources, capsources;
  struct sr_dispute *disputes;
  size_t ndisputes, capdisputes;
};

/* The measure (AM_*) of each part of the index (AP_*). */
extern const int report__part_measure[AP_COUNT];

/* sitrep.c: gathering. */
int report__sitrep_collect(struct analysis *a,
                           const struct report_sitrep_query *q,
                           struct sitrep **out, struct buf *err);
void report__sitrep_free(struct sitrep *s);
/* "day", "week", "month", "range" by enum report_period. */
extern const char *const report__period_names[4];
/* Appends the command that computes this sitrep again, in the format
 * named fmt. */
void report__reproduce(const struct sitrep *s, const char *fmt,
                       struct buf *out);
/* "records", "vehicles", "persons", "tonnes" for AM_*; "" for others. */
const char *report__measure_name(int measure);
/* The first day obligation i is evaluated on in the report: the
 * compliance section's first, or the day the obligation comes in force
 * when that is later. */
int64_t report__ob_since(const struct sitrep *s, size_t i);
/* 1 when obligation i is in force on some day up to the report's date:
 * one that comes in force later is not shown (no report gives an
 * obligation before it existed). */
int report__ob_shown(const struct sitrep *s, size_t i);
/* 1 when the days of cover of x are known (a stock and a need). */
int report__cover_known(const struct analysis_supply *x);

/* sitrep_json.c: appends s as one JSON object (docs/report.md). */
void report__write_json(const struct sitrep *s, struct buf *out);

/* sitrep_doc.c: the document of s for the format fmt (md, html or txt;
 * the format only picks the layouts that differ and names itself in the
 * command that reproduces the report). Free with doc_free. */
struct doc;
struct doc *report__sitrep_doc(const struct sitrep *s, enum report_format fmt);

#endif
