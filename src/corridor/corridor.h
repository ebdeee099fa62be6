/*
 * corridor: the corridor file, an INI file a person edits (read with inih),
 * describing the route, its checkpoints, time zone, baseline window, cargo
 * categories with their needs, the agreement's obligations and the alert
 * thresholds.
 */
#ifndef PASSAGE_CORRIDOR_H
#define PASSAGE_CORRIDOR_H

#include <stddef.h>

#include "util/util.h"

struct corridor_checkpoint {
  char *id;   /* the section name: [checkpoint kerem-shalom] */
  char *name; /* required */
  double lat, lon, km;
  int has_lat, has_lon, has_km;
  char *note; /* NULL when absent */
  int line;   /* line of the section header, for messages */
};

struct corridor_category {
  char *id;   /* [category food] */
  char *name; /* defaults to the id */
  char *unit; /* unit of stock and flows; default "t" */
  double need_per_person_per_day;
  int has_need;
  char *need_unit; /* default "kg" */
  int line;
};

struct corridor_obligation {
  char *id;
  char *text;
  char **measures; /* subset of persons, vehicles, tonnes */
  size_t nmeasures;
  char **directions; /* subset of in, out */
  size_t ndirections;
  char **checkpoints; /* checkpoint ids; empty means all */
  size_t ncheckpoints;
  double min_ratio_of_baseline;
  int has_min_ratio;
  double min_availability; /* share of the day, 0..1 */
  int has_min_availability;
  int line;
};

struct corridor {
  char *name;     /* required */
  char *log;      /* origin line of the signed log; default: slug of name */
  char *timezone; /* IANA name; default "UTC" */
  char *inside;   /* what `in` points to; may be NULL */
  /* Baseline window as day numbers (util_days_from_civil), inclusive. */
  long long baseline_from, baseline_to;
  int has_baseline;
  double restricted_weight; /* default 0.5 */
  double dispute_tolerance; /* default 0.10 */
  long min_public_count;    /* default 10 */
  int warning_days;         /* default 30 */
  int severe_days;          /* default 14 */
  int critical_days;        /* default 7 */

  struct corridor_checkpoint *checkpoints;
  size_t ncheckpoints;
  struct corridor_category *categories;
  size_t ncategories;
  struct corridor_obligation *obligations;
  size_t nobligations;
};

/*
 * Parses a corridor file's text (len bytes at text, need not be
 * NUL-terminated). name is the file name used in messages. On success
 * returns OK and hands a new corridor to *out. On failure returns
 * ERR_INVALID, leaves *out NULL, and appends to err one line per problem,
 * each "FILE:LINE: key 'KEY': expected ..., got '...'" (or
 * "FILE:LINE: unknown key 'KEY' in [SECTION]", "unknown section", "missing
 * required key 'name' in [corridor]"). Every problem in the file is listed,
 * not just the first.
 */
int corridor_parse(const char *name, const char *text, size_t len,
                   struct corridor **out, struct buf *err);

/* Reads and parses a file; ERR_IO (with a message in err) when unreadable. */
int corridor_load(const char *path, struct corridor **out, struct buf *err);

/* A corridor with every default and no checkpoints, categories or
 * obligations, named name. */
struct corridor *corridor_new_default(const char *name);

void corridor_free(struct corridor *c);

/* Lookups by id; NULL when absent. */
const struct corridor_checkpoint *
corridor_find_checkpoint(const struct corridor *c, const char *id);
const struct corridor_category *corridor_find_category(const struct corridor *c,
                                                       const char *id);

#endif
