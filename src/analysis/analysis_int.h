/* Private to the analysis module. */
#ifndef PASSAGE_ANALYSIS_INT_H
#define PASSAGE_ANALYSIS_INT_H

#include "analysis/analysis.h"

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

/* A cargo line of a flow in a mass unit. */
struct fline {
  const char *category;
  double tonnes;
};

/* A span of local seconds, [begin, end). */
struct ival {
  int64_t begin, end;
};

/* A status change of one checkpoint, or a coverage interval. */
struct span {
  const char *checkpoint;
  int64_t begin, finish; /* local seconds */
  int state;             /* status: 0 closed, 1 restricted, 2 open;
                            coverage: 1 observed, 0 not */
  int dir;               /* status: AD_IN, AD_OUT, or -1 for both */
};

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
  struct fline *lines;
  size_t nlines, caplines;
  struct tmap *rec_seen;
  int64_t rec_from, rec_to;
  int rec_loaded;
  const char **checkpoints; /* every live checkpoint id, NULL-terminated */
  int *route;               /* per checkpoint: on the route */
  size_t ncheckpoints;
  struct tmap *cp_index; /* interned checkpoint -> index */
  struct span *status;   /* sorted by checkpoint, then begin, then seq */
  size_t nstatus;
  struct span *coverage;
  size_t ncoverage;
  /* Per checkpoint: the time coverage says was observed and no coverage
   * record says was not (merged, sorted), cov[cov_first[i]..+cov_n[i]). */
  struct ival *cov;
  size_t *cov_first, *cov_n;
  int loaded;
  struct buf err;
};

/* A map from tuples of words to dense indexes (tmap.c). */
struct tmap;
struct tmap *tmap_new(size_t words);
void tmap_free(struct tmap *m);
/* The index of key, adding it when absent (*added says which). */
size_t tmap_put(struct tmap *m, const uint64_t *key, int *added);
/* 1 and the index when key is there, else 0. */
int tmap_get(const struct tmap *m, const uint64_t *key, size_t *index);
size_t tmap_count(const struct tmap *m);
const uint64_t *tmap_key(const struct tmap *m, size_t index);

/* The reconciler (reconcile.c): pure, nothing read from the store. */

/* Admiralty grades: < 0 when x is better than y ("A1" best; NULL or ""
 * ungraded, below "F6"). */
int analysis__grade_cmp(const char *x, const char *y);

/* One record's claim in a stream: what it gives of one class at one
 * checkpoint, in one direction, of one outcome. */
struct recon_item {
  int64_t begin,
      end; /* local seconds, [begin, end); end <= begin: an instant */
  const char *source; /* interned: one pointer per source */
  const char *grade;  /* "" or NULL when ungraded */
  double value;
};

/* What an item adds to one local day. */
struct recon_share {
  size_t item;
  int64_t day;
  double own;  /* its share of the day: value x overlap / length; an
                * instant's whole value on its day */
  double won;  /* the part of own in pieces its source's claim won */
  int counted; /* its source won some piece of it on the day */
};

/* One source's claim, over a piece or over a day's disputed pieces. */
struct recon_claim {
  const char *source;
  const char *grade; /* the worst grade of the records that make it */
  double value;
  int64_t length; /* the longest of those records, in seconds (instant 0) */
};

/* A disputed piece: its claims, in grade then source id order. */
struct recon_piece {
  int64_t day, begin, end; /* begin == end: an instant no interval covers */
  const char *winner;
  size_t claim, nclaims; /* into recon_out.claims */
};

/* A share that takes part in a disputed piece. */
struct recon_link {
  size_t share, piece;
};

/* A stream's day: what a store keeping reconciled days would keep. */
struct recon_cell {
  int64_t day;
  double value; /* the sum of the day's pieces: their winners' claims */
  int disputed;
  int approximate; /* a share counted comes from an item reaching outside
                    * the day */
  size_t winner, nwinners; /* into winners: whose claims count, by id */
  size_t claim, nclaims;   /* into cell_claims: each source's value over the
                            * day's disputed pieces, in grade then id order */
};

struct recon_out {
  struct recon_share *shares; /* per item, in time order */
  size_t nshares, capshares;
  struct recon_piece *pieces; /* the disputed ones, in time order */
  size_t npieces, cappieces;
  struct recon_claim *claims;
  size_t nclaims, capclaims;
  struct recon_link *links;
  size_t nlinks, caplinks;
  struct recon_cell *cells; /* days with a claim, in order */
  size_t ncells, capcells;
  struct recon_claim *cell_claims;
  size_t ncell_claims, capcell_claims;
  const char **winners;
  size_t nwinners, capwinners;
};

/*
 * Reconciles one stream's items[0..n) over the local days from..to
 * (docs/analysis.md, "Sources are reconciled in time"): the timeline is
 * cut at every interval's start and end and at every local midnight; an
 * instant cuts nothing and falls in the piece that holds it ([a, b)
 * half-open), or, where no interval is, in a piece of its own moment. In
 * each piece each source's claim is the sum of its items' parts (an
 * interval's value x piece / length; an instant's whole value); the best
 * claim counts: better grade, then shorter record, then source id. The
 * piece is disputed when disputable is set and another claim differs from
 * it by more than tolerance x its value. Replaces out's contents (keeping
 * its memory); free with analysis__recon_cleanup.
 */
void analysis__reconcile(const struct recon_item *items, size_t n, int64_t from,
                         int64_t to, double tolerance, int disputable,
                         struct recon_out *out);
void analysis__recon_cleanup(struct recon_out *out);

/* The view (view.c). */

/* Interns s (NULL stays NULL): equal strings get one pointer. */
const char *analysis__intern(struct analysis *a, const char *s);
/* Loads checkpoints, statuses and coverage once. */
int analysis__load(struct analysis *a);
/* Makes sure every live flow overlapping the local days from..to is read
 * into a->recs (as of the view). */
int analysis__flows_load(struct analysis *a, int64_t from, int64_t to);
/* The index of checkpoint cp (interned or not) in a->checkpoints, or -1. */
int analysis__cp(struct analysis *a, const char *cp);
/* 1 when [d0, d1) lies within the merged sorted spans v[0..n). */
int analysis__covered(const struct ival *v, size_t n, int64_t d0, int64_t d1);
/* Sorts and merges spans in place; returns how many remain. */
size_t analysis__merge(struct ival *v, size_t n);

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
