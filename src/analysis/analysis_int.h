/* Private to the analysis module. */
#ifndef PASSAGE_ANALYSIS_INT_H
#define PASSAGE_ANALYSIS_INT_H

#include "analysis/analysis.h"
#include "cells/cells.h"

/* A live flow record the view has read, its strings interned. */
struct frec {
  uint64_t seq;
  int64_t begin, end;              /* local seconds; end <= begin: an instant */
  const char *dim[DIM_COUNT];      /* checkpoint..outcome ("" for none);
                                    * DIM_CATEGORY: its first cargo line's */
  const char *id, *start, *finish; /* its id and time fields, for notes */
  const char *consignment;         /* its load's id, or NULL */
  double persons, vehicles;
  int has_persons, has_vehicles;
  size_t line, nlines; /* its cargo lines in tonnes, into the view's lines */
};

/* A status change of one checkpoint, or a coverage interval. */
struct span {
  const char *checkpoint;
  int64_t begin, finish; /* local seconds */
  int state;             /* status: 0 closed, 1 restricted, 2 open;
                            coverage: 1 observed, 0 not */
  int dir;               /* status: AD_IN, AD_OUT, or -1 for both */
};

/* Sizes whose entries since the saved state has looked at (saved.c). */
#define ANALYSIS_SINCE 4

struct analysis {
  struct store *st;
  uint64_t as_of;
  const struct corridor *c;
  struct strmap *strings; /* interned strings */
  struct tmap *labels;    /* (time dimension, day) -> interned label */
  const char **label_of;  /* by the labels map's index */
  /* The live flows read so far: every one overlapping the local days
   * rec_from..rec_to (rec_loaded 0: none yet), each once (rec_seen maps
   * seq to its index). */
  struct frec *recs;
  size_t nrecs, caprecs;
  struct cells_line *lines; /* cargo lines in a mass unit */
  size_t nlines, caplines;
  struct tmap *rec_seen;
  int64_t rec_from, rec_to;
  int rec_loaded;
  const char **checkpoints; /* every live checkpoint id, NULL-terminated */
  int *route;               /* per checkpoint: on the route */
  size_t ncheckpoints;
  struct tmap *cp_index; /* interned checkpoint -> index */
  struct span *status;   /* sorted by checkpoint, then begin, then seq */
  size_t nstatus, capstatus;
  /* Which statuses status holds (analysis__statuses): 0 none read yet, 1
   * those the local seconds [st_from, st_to) need, 2 every live one;
   * st_windows counts the windows read. */
  int st_mode, st_windows;
  int64_t st_from, st_to;
  struct span *coverage;
  size_t ncoverage;
  /* Per checkpoint: the time coverage says was observed and no coverage
   * record says was not (merged, sorted), cov[cov_first[i]..+cov_n[i]). */
  struct cells_span *cov;
  size_t *cov_first, *cov_n;
  int loaded;
  /* Day cells built from the records (days.c), kept while they fit. */
  struct tmap *day_at; /* (day, checkpoint) -> index into days */
  struct cells_day **days;
  size_t ndays, capdays, day_bytes;
  struct cells_builder *builder;
  /* Whether the store's kept days serve the view (store_kept_days): 0 not
   * asked yet, 1 yes, -1 no (built from the records; a test sets -1). */
  int kept;
  /* A view of an older size: the days changed after it (changed.c),
   * once known (changed_state 1; -1: the kept days cannot serve it). */
  struct tmap *changed;
  int changed_state;
  int changed_read;     /* their flows are read (analysis_span) */
  int64_t changed_span; /* the longest record superseded since */
  /* The texts of flow records the view has not read, named by kept
   * days' spread records (analysis__flow_texts): seq -> index. */
  struct tmap *text_at;
  const char **texts; /* id, start, finish per index */
  size_t ntexts, captexts;
  struct buf err;
  /* Saved state (saved.c): the rules' digest, and the rows to save when
   * the view is freed. */
  char rules[33];
  struct saved_row *saved;
  size_t nsaved, capsaved;
  int saved_check; /* the auditor's view: reads no state, saves none */
  /* The first day the entries since a size change (saved.c), per size. */
  struct analysis__since {
    uint64_t size;
    int64_t first;
    int set;
  } since[ANALYSIS_SINCE];
  size_t next_since;
  /* The supply outlook's inflows by range (supply.c), read once a view. */
  struct analysis__supply_cache *supply;
  /* The baselines computed so far (index.c), by checkpoints. */
  struct analysis__baseline *baselines;
  size_t nbaselines, capbaselines;
  /* Each kind's live records but flows, read once (live.c). */
  struct analysis__live *live;
};

/* The reconciler and the tuple map live in the cells module (cells.h),
 * which the store runs at ingest too; the module's tests reach the
 * reconciler by these names. */
static inline int
analysis__grade_cmp(const char *x, const char *y)
{
  return cells_grade_cmp(x, y);
}

static inline void
analysis__reconcile(const struct recon_item *items, size_t n, int64_t from,
                    int64_t to, double tolerance, int disputable,
                    struct recon_out *out)
{
  cells_reconcile(items, n, from, to, tolerance, disputable, out);
}

static inline void
analysis__recon_cleanup(struct recon_out *out)
{
  cells_recon_cleanup(out);
}

/* The view (view.c). */

/* Interns s (NULL stays NULL): equal strings get one pointer. */
const char *analysis__intern(struct analysis *a, const char *s);
/* Loads checkpoints, statuses and coverage once. */
int analysis__load(struct analysis *a);
/* Makes status hold what the local seconds [from, to) need: every status
 * that may reach them and, per checkpoint and direction, the last one
 * before (every status, past a few windows or when the store cannot walk
 * them so; from = INT64_MIN: every status). */
int analysis__statuses(struct analysis *a, int64_t from, int64_t to);
/* Makes sure every live flow overlapping the local days from..to is read
 * into a->recs (as of the view). */
int analysis__flows_load(struct analysis *a, int64_t from, int64_t to);
/* The same for a range apart from those loaded: read once more should a
 * later load reach it (each record is kept once). */
int analysis__flows_read(struct analysis *a, int64_t from, int64_t to);

/* A view of an older size than the store's (changed.c): which local days
 * the entries after it changed, and so must be built from its records
 * rather than read from the store's kept cells. analysis__day_changed is
 * 1 for every day when the kept cells cannot serve the view at all. */
int analysis__changed_load(struct analysis *a);
int analysis__day_changed(const struct analysis *a, int64_t day);
/* The index of checkpoint cp (interned or not) in a->checkpoints, or -1. */
int analysis__cp(struct analysis *a, const char *cp);
/* 1 when [d0, d1) lies within the merged sorted spans v[0..n). */
int analysis__covered(const struct cells_span *v, size_t n, int64_t d0,
                      int64_t d1);

/*
 * Calls fn with the cells of each local day from..to at each checkpoint
 * that has any (records, or coverage), by day and then checkpoint id, as
 * of the view. The cells are the view's (valid while it is open).
 */
int analysis__days(struct analysis *a, int64_t from, int64_t to,
                   int (*fn)(void *ctx, const struct cells_day *d), void *ctx);
/* The id and time fields of flow record seq, which the view has read (a
 * record named by a day's cells). ERR_NOTFOUND when it has not. */
int analysis__flow_texts(struct analysis *a, uint64_t seq, const char **id,
                         const char **start, const char **finish);

/* Saved state (saved.c). The state `what` counted from day start to the
 * end of day `day` into out: OK when a saved row holds for this view
 * (nothing appended since it changes a day up to bound or day), else
 * ERR_NOTFOUND. */
int analysis__saved_get(struct analysis *a, const char *what, int64_t start,
                        int64_t day, int64_t bound, struct buf *out);
/* Keeps bytes[0..len) as that state, to save when the view is freed. */
void analysis__saved_keep(struct analysis *a, const char *what, int64_t start,
                          int64_t day, const char *bytes, size_t len);
/* Saves what was kept (after the view's read; best effort), and frees it. */
void analysis__saved_flush(struct analysis *a);
void analysis__saved_free(struct analysis *a);
/* Frees the supply outlook's inflows (supply.c). */
void analysis__supply_free(struct analysis *a);
/* Frees the baselines the view computed (index.c). */
void analysis__index_free(struct analysis *a);
void analysis__live_free(struct analysis *a);

/* The counting stage (the corridor's [stages] counting): records of
 * outcome passed count only there. */
const char *analysis__counting_stage(const struct analysis *a);

/* The flow query (flows.c). With every_stage 0, analysis_flows; with 1,
 * the records of every stage take part, each stage reconciled on its own
 * (what was counted at one stage never competes with what was counted at
 * another): the pipeline's counts. */
int analysis__flows(struct analysis *a, const struct analysis_flow_query *q,
                    int every_stage,
                    int (*fn)(void *ctx, const struct analysis_flow_row *row),
                    void *ctx);

/* A flow query's rows in the saved state (saved_flows.c), for the
 * queries of the baseline window's days. */
struct analysis__flows_rec {
  struct analysis *a;
  const struct analysis_flow_query *q;
  int (*fn)(void *ctx, const struct analysis_flow_row *row);
  void *ctx;
  char what[32];    /* the key's name: the query's digest */
  struct buf bytes; /* the query's line, then each row's */
  int on;           /* counted now: rows recorded, kept at the end */
  int bad;          /* a text JSON cannot hold: not kept */
};
/* 1 when q's rows were handed to fn from a saved row (fn's code in *rc,
 * whatever it is); 0 when the query is to be counted: with rec->on set,
 * through analysis__flows_record(rec) and then analysis__flows_keep(rec,
 * rc). */
int analysis__flows_from_saved(
    struct analysis *a, const struct analysis_flow_query *q, int every_stage,
    int (*fn)(void *ctx, const struct analysis_flow_row *row), void *ctx,
    struct analysis__flows_rec *rec, int *rc);
int analysis__flows_record(void *ctx, const struct analysis_flow_row *row);
void analysis__flows_keep(struct analysis__flows_rec *rec, int rc);
/* Whether a saved state's name is a flow query's. */
int analysis__flows_is_saved(const char *what);
/* OK when a saved row of that name holds what the query its first line
 * names gives now, ERR_VERIFY when not (or the query's own failure). */
int analysis__flows_check(struct analysis *a, const char *what,
                          const char *bytes, size_t len);

/* The functioning index (index.c), which compliance evaluates too. */

/* A day's reconciled flows at some checkpoints, by direction and part. */
struct aday {
  double flow[AD_COUNT][AP_COUNT];
  int known[AD_COUNT][AP_COUNT]; /* every checkpoint observed the class all
                                  * day in that direction */
  int approximate[AD_COUNT][AP_COUNT];
};

/* Reconciled daily totals over the checkpoints cps (NULL: all) for the
 * days from..to, into days[0..to-from]. */
int analysis__daily(struct analysis *a, const char *const *cps, int64_t from,
                    int64_t to, struct aday *days);

/* The checkpoints an obligation names as a NULL-terminated list (the
 * corridor keeps a counted one), or NULL for all (also for a NULL
 * obligation). The caller frees the list, not its strings. */
const char **analysis__ob_checkpoints(const struct corridor_obligation *ob);

/*
 * The index of each day from..to over the checkpoints cps (NULL: all) into
 * days[0..to-from], against the baseline over the same checkpoints.
 * ERR_NOTFOUND when the corridor has no baseline window.
 */
int analysis__index_days(struct analysis *a, const char *const *cps,
                         int64_t from, int64_t to,
                         struct analysis_index_day *days);

#endif
