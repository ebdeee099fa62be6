/*
 * report_int.h: private to src/report. A sitrep is computed in two steps:
 * sitrep.c gathers every figure from the analysis into struct sitrep (the
 * only place that asks the analysis anything), and one writer per format
 * turns that into text. The writers share the formatting helpers of fmt.c
 * and the charts of svg.c.
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

void report__srcset_add(struct sr_srcset *s, const char *id, const char *grade);
void report__srcset_cleanup(struct sr_srcset *s);
/* Sorts by id, for output that does not depend on the order of discovery. */
void report__srcset_sort(struct sr_srcset *s);

/* 1 when Admiralty grade a is better than b (A1 best; "" worst). */
int report__grade_better(const char *a, const char *b);

/* One direction x part of the functioning index over the period. */
struct sr_part {
  int base_known;
  double baseline;   /* mean daily flow in the baseline window */
  size_t known_days; /* days of the period with a known figure */
  double per_day;    /* mean flow per known day */
  double total;      /* sum over the known days */
  int ratio_known;
  double ratio; /* mean of the daily parts min(1, flow / baseline) */
  int prev_known;
  double prev_per_day; /* the previous period's mean per known day */
  int change_known;
  double change;        /* per_day / prev_per_day - 1 */
  int from_zero;        /* the previous period had none, this one some */
  struct sr_srcset src; /* sources of the reconciled figures */
};

/* What the report says of one checkpoint of the corridor. */
struct sr_checkpoint {
  char *id, *name;
  int in_index; /* counted by the functioning index */
  int avail_known;
  double avail;      /* mean availability over the period's known days */
  size_t avail_days; /* days of the period with a known availability */
  int prev_avail_known;
  double prev_avail;
  double *day_avail; /* the chart window, one per day */
  int *day_known;
  char *state;         /* at the end of the report's date; NULL: none */
  char *since;         /* when that state began (the record's time) */
  char *state_id;      /* the status record */
  int observed_known;  /* the analysis said which days were observed */
  size_t unknown_days; /* days of the period not observed */
};

/* A row of reconciled flows, by two dimensions. */
struct sr_flow {
  char *a, *b;
  double m[AM_COUNT];
  int known[AM_COUNT];
  size_t unknown_days;
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
  int64_t prev_from, prev_to;
  int64_t chart_from; /* the charts: chart_from..to */
  uint64_t size;      /* the tree size it was computed from */
  char root[48];      /* its root hash, base64 */

  int has_baseline;                /* the corridor has a baseline window */
  struct analysis_index_day *days; /* days_from..to */
  int64_t days_from;
  size_t ndays;
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

  struct sr_flows by_cp; /* checkpoint x direction */
  /* by_cp summed per direction and part over the known rows; total_known
   * 0 when no row is known, total_partial when some row is unknown. */
  double total[AD_COUNT][AP_COUNT];
  int total_known[AD_COUNT][AP_COUNT];
  int total_partial[AD_COUNT];
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
  struct analysis_compliance *comp;
  size_t ncomp;

  struct sr_source *sources;
  size_t nsources, capsources;
  struct sr_dispute *disputes;
  size_t ndisputes, capdisputes;
};

/* The measure (AM_*) of each part of the index (AP_*). */
extern const int report__part_measure[AP_COUNT];

/* sitrep.c */
int report__sitrep_collect(struct analysis *a,
                           const struct report_sitrep_query *q,
                           struct sitrep **out, struct buf *err);
void report__sitrep_free(struct sitrep *s);
/* The entry of days[] for day, or NULL when outside. */
const struct analysis_index_day *report__day(const struct sitrep *s,
                                             int64_t day);
/* The name of a source, or its id. */
const char *report__source_name(const struct sitrep *s, const char *id);

/* The command that computes this sitrep again, in format fmt. */
void report__reproduce(const struct sitrep *s, const char *fmt,
                       struct buf *out);
/* One line on how to check the tree head, in English (for JSON). */
void report__check_command(const struct sitrep *s, struct buf *out);
/* "records", "vehicles", "persons", "tonnes" for AM_*. */
const char *report__measure_name(int measure);

/* text.c: phrases shared by the Markdown, HTML and text forms, translated. */
const char *report__part_label(int part);
const char *report__dir_label(int dir);
/* "Week 2023-06-14 to 2023-06-20" or "Day 2023-06-20". */
void report__period_title(const struct sitrep *s, struct buf *out);
/* The name of a checkpoint, or its id. */
const char *report__cp_name(const struct sitrep *s, const char *id);
/* "1,690-2,760" or "1,690" when both ends agree. */
void report__range(struct buf *out, double low, double high);
/* A scenario's stock-out: "2023-07-15 to 2023-08-01", "none" (the inflow
 * covers the need) or "?" (unknown). */
void report__stockout(const struct analysis_supply *x, int scenario,
                      struct buf *out);
/* 1 when days of cover are known. */
int report__cover_known(const struct analysis_supply *x);
/* The verdict counts of an obligation over the period. */
void report__period_verdicts(const struct sitrep *s,
                             const struct analysis_compliance *x, size_t *met,
                             size_t *breached, size_t *unknown);

/* The writers, each appending to out. */
void report__write_md(const struct sitrep *s, struct buf *out);
void report__write_json(const struct sitrep *s, struct buf *out);
void report__write_txt(const struct sitrep *s, struct buf *out);
void report__write_html(const struct sitrep *s, struct buf *out);

/* fmt.c: numbers for people: thousands separators, at most 2 decimals
 * ("1,225", "12.5"). */
void report__fmt_num(double v, char *buf, size_t size);
/* A share as a percentage for people: "25%", "4.1%", "<0.1%". */
void report__fmt_pct(double share, char *buf, size_t size);
/* A change as a signed percentage: "+12%", "-100%". */
void report__fmt_change(double change, char *buf, size_t size);
/* A number for JSON: rounded to 6 decimals, shortest form. */
void report__fmt_json_num(double v, char *buf, size_t size);
/* "YYYY-MM-DD". */
void report__fmt_day(int64_t day, char *buf, size_t size);
/* Appends text escaped for HTML (also for attributes). */
void report__html_escape(struct buf *b, const char *s);
/* Appends text for a Markdown table cell or line: one line, with the
 * characters that Markdown would read as markup escaped. */
void report__md_escape(struct buf *b, const char *s);

/* A JSON writer: one member or element per line, two spaces a level. */
struct jw {
  struct buf *b;
  int depth;
  int first;
  int flat; /* > 0: inside an object or array written on one line */
};
void report__jw_open(struct jw *w, const char *key, char bracket);
/* Opens an object or array written on one line, up to its close. */
void report__jw_open_flat(struct jw *w, const char *key, char bracket);
void report__jw_close(struct jw *w, char bracket);
void report__jw_str(struct jw *w, const char *key, const char *s);
void report__jw_num(struct jw *w, const char *key, double v);
/* A number, or null when !known. */
void report__jw_numk(struct jw *w, const char *key, int known, double v);
void report__jw_int(struct jw *w, const char *key, long long v);
void report__jw_bool(struct jw *w, const char *key, int v);
void report__jw_null(struct jw *w, const char *key);

/* svg.c: the HTML form's charts, each an inline <svg> element. */
void report__svg_flows(const struct sitrep *s, int part, struct buf *out);
void report__svg_availability(const struct sitrep *s, struct buf *out);
void report__svg_cover(const struct sitrep *s, struct buf *out);

#endif
