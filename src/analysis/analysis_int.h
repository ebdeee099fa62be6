/* Private to the analysis module. */
#ifndef PASSAGE_ANALYSIS_INT_H
#define PASSAGE_ANALYSIS_INT_H

#include "analysis/analysis.h"

/* A daily rollup row copied out of the store, its strings interned. */
struct arow {
  int64_t day;
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  double n[AM_COUNT]; /* how many records gave each measure */
};

struct arows {
  struct arow *v;
  size_t n, cap;
};

/* A status change or a coverage interval of one checkpoint. */
struct span {
  const char *checkpoint;
  int64_t begin, finish; /* local seconds */
  int state;             /* status: 0 closed, 1 restricted, 2 open;
                            coverage: 1 observed, 0 not */
};

struct analysis {
  struct store *st;
  uint64_t as_of;
  const struct corridor *c;
  struct strmap *strings; /* interned strings */
  struct tmap *observed;  /* (day, interned checkpoint) seen */
  struct tmap *labels;    /* (time dimension, day) -> interned label */
  const char **label_of;  /* by the labels map's index */
  /* Daily rollup rows read so far, grouped by day: each day is read from
   * the store at most once per view. */
  struct arows cache;
  struct tmap *days; /* day -> index into day_first/day_count */
  size_t *day_first, *day_count, ndays, capdays;
  int all_loaded;           /* as of an older size: everything is read */
  const char **checkpoints; /* every live checkpoint id, NULL-terminated */
  size_t ncheckpoints;
  struct span *status; /* sorted by checkpoint, then begin */
  size_t nstatus;
  struct span *coverage;
  size_t ncoverage;
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

/* The view (view.c). */

/* Interns s (NULL stays NULL): equal strings get one pointer. */
const char *analysis__intern(struct analysis *a, const char *s);
/* Copies the daily rows of from..to (as of the view) into rows, reading
 * from the store only the days not read before. */
int analysis__rows(struct analysis *a, int64_t from, int64_t to,
                   struct arows *rows);
void analysis__rows_free(struct arows *rows);
/* 1 when the checkpoint was observed on day (after analysis__observe). */
int analysis__observed(struct analysis *a, int64_t day, const char *cp);
/* Makes sure the observed set covers from..to. */
int analysis__observe(struct analysis *a, int64_t from, int64_t to);
/* Loads checkpoints, statuses and coverage once. */
int analysis__load(struct analysis *a);

/* The functioning index (index.c), which compliance evaluates too. */

/*
 * Reconciled daily totals by direction and part over the checkpoints cps
 * (NULL: all), for the days from..to: flow[i][dir][part], and known[i] = 1
 * when every one of those checkpoints was observed on day from+i.
 */
int analysis__daily(struct analysis *a, const char *const *cps, int64_t from,
                    int64_t to, double (*flow)[AD_COUNT][AP_COUNT], int *known);

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
