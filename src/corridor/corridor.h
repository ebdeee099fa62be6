/*
 * corridor: the corridor file, an INI file a person edits (read with inih),
 * describing the route, its checkpoints, time zone, baseline window, cargo
 * categories with their needs, the agreement's obligations and the alert
 * thresholds.
 */
#ifndef PASSAGE_CORRIDOR_H
#define PASSAGE_CORRIDOR_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct corridor_zone;

struct corridor_checkpoint {
  char *id;   /* the section name: [checkpoint kerem-shalom] */
  char *name; /* required */
  double lat, lon, km;
  int has_lat, has_lon, has_km;
  char *note; /* NULL when absent */
  int route;  /* 1 (the default) unless route = no: not on the road */
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
  /* In force from and until these days (day numbers, inclusive); open
   * at an end whose has_ flag is 0. */
  long long from, until;
  int has_from, has_until;
  int line;
};

/* [witness NAME]: a witness the log asks to cosign its checkpoints
 * (c2sp.org/tlog-witness). */
struct corridor_witness {
  char *id;  /* the section name: [witness icrc] */
  char *url; /* its submission prefix: POST URL/add-checkpoint */
  char *key; /* its cosignature verifier key (type 0x04), as `passage key
              * public --key FILE --cosignature` prints it */
  int line;
};

struct corridor {
  char *name;     /* required */
  char *log;      /* origin line of the signed log; default: slug of name */
  char *timezone; /* IANA name; default "UTC" */
  /* The rules of timezone, read from the tz database when the corridor is
   * parsed (see corridor_utc_offset); owned by the corridor. */
  struct corridor_zone *zone;
  char *inside; /* what `in` points to; may be NULL */
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

  /* [stages]: the steps goods are counted at, in order (order = ...;
   * default queued, inspected, crossed, delivered), and the one that
   * counts as having crossed (counting = ...; default crossed). */
  char **stages;
  size_t nstages;
  char *counting_stage;

  /* [publish] public: the answers the server gives the public role (no
   * token), from corridor_published; none by default. */
  char **publish;
  size_t npublish;
  struct corridor_witness *witnesses;
  size_t nwitnesses;
};

/* The stages of a corridor file without [stages], NULL-terminated. */
extern const char *const corridor_default_stages[];

/* What a corridor may publish: flows, index, availability, compliance,
 * supply, pipeline, events, and log (the log's raw entries, every count
 * as recorded) (a sitrep's counts are never suppressed, so it is never
 * public). */
extern const char *const corridor_published[8];
/* The largest corridor file read: a real one is a few kilobytes. Readers
 * stop reading past it (so that /dev/zero cannot exhaust memory), and
 * corridor_parse refuses a text longer than it. */
#define CORRIDOR_MAX_BYTES (1024 * 1024)

/*
 * Parses a corridor file's text (len bytes at text, need not be
 * NUL-terminated). name is the file name used in messages. On success
 * returns OK and hands a new corridor to *out. On failure returns
 * ERR_INVALID, leaves *out NULL, and appends to err one line per problem,
 * each "FILE:LINE: key 'KEY': expected ..., got '...'" (or
 * "FILE:LINE: unknown key 'KEY' in [SECTION]", "unknown section", "missing
 * required key 'name' in [corridor]"). Every problem in the file is listed,
 * not just the first. The time zone is read here, once (corridor_zone_load):
 * a zone that does not exist, or whose file is not valid TZif, is one of
 * those problems.
 */
int corridor_parse(const char *name, const char *text, size_t len,
                   struct corridor **out, struct buf *err);
/* Text that begins with '{' is read as the JSON form instead (a log's
 * corridor entry, its "record" and "version" members ignored; see
 * corridor_from_json), so that a store can be made from a published
 * log's rules. */

/* Reads and parses a file; ERR_IO (with a message in err) when unreadable. */
int corridor_load(const char *path, struct corridor **out, struct buf *err);

/*
 * The corridor in the form the log keeps it (docs/corridor-file.md): a
 * JSON object with a member for each section of the file: "corridor" and
 * "alerts", objects of their keys; "checkpoints", "categories" and
 * "obligations", arrays of objects in the file's order, each with its
 * "id". Every key is there with the value the analysis uses, defaults
 * written out, so that the bytes say everything; optional values that are
 * absent (a checkpoint's lat) are left out. Texts are strings, numbers
 * numbers, lists arrays of strings, the baseline {"from": DATE, "to":
 * DATE}. One table of sections and keys in corridor.c drives the reader,
 * this form and corridor_to_ini, so that a key added there is carried by
 * all three. A new object: release it with json_decref.
 */
json_t *corridor_to_json(const struct corridor *c);

/*
 * Reads that form back, each value checked as if the file held it (the
 * same validation, defaults and cross-checks as corridor_parse, so that a
 * corridor read from JSON is one that a file can hold). name names the
 * source in messages ("entry 0"). Members of no section, keys of none and
 * values of the wrong JSON type are problems. Returns OK and a new
 * corridor in *out, or ERR_INVALID with one line per problem in err.
 */
int corridor_from_json(const char *name, const json_t *v, struct corridor **out,
                       struct buf *err);

/*
 * Appends the corridor as a corridor file (sections in the table's order,
 * every key with a value, one a line) that corridor_parse reads back to a
 * corridor with the same JSON form.
 */
void corridor_to_ini(const struct corridor *c, struct buf *out);

/* A corridor with every default and no checkpoints, categories or
 * obligations, named name. */
struct corridor *corridor_new_default(const char *name);

void corridor_free(struct corridor *c);

/* The place of stage in the corridor's order (0 first), or -1. */
int corridor_stage_index(const struct corridor *c, const char *stage);

/* A commented starter corridor file (every key, an example checkpoint,
 * category and obligation) that corridor_parse accepts as it is. */
const char *corridor_template(void);

/* Lookups by id; NULL when absent. */
const struct corridor_checkpoint *
corridor_find_checkpoint(const struct corridor *c, const char *id);
const struct corridor_category *corridor_find_category(const struct corridor *c,
                                                       const char *id);

/*
 * Time zones. A corridor computes its own UTC offsets from the tz database
 * and never from the process's time zone (the TZ variable and the C
 * library's local time are never used): two corridors in different zones
 * can live in one process, and any number of threads may ask at once, since
 * a zone never changes once read.
 */

/*
 * The corridor's UTC offset in seconds (east positive: +14400 in Asia/Baku)
 * at the UTC instant utc (seconds since 1970-01-01T00:00Z). A NULL corridor
 * is UTC. Local time is utc plus the offset.
 */
long corridor_utc_offset(const struct corridor *c, int64_t utc);

/* The same, shaped as record_tz_fn (record/record.h) so that the record
 * layer can take a corridor as its context:
 * record_time_bounds(text, corridor_tz_offset, (void *)c, &b, &f). */
long corridor_tz_offset(void *corridor, int64_t utc);

/*
 * Reads the zone named name: "UTC" and "Etc/UTC" are known without the tz
 * database; any other name is a file under $TZDIR, or /usr/share/zoneinfo
 * when TZDIR is unset or empty, read with corridor_zone_parse. Returns OK
 * and hands a new zone to *out; ERR_NOTFOUND when no zone has that name (a
 * name that is not a plain relative path of letters, digits, '/', '_', '-'
 * and '+' of at most 64 bytes, no such file, a directory, or a file that
 * is not TZif);
 * ERR_INVALID when the file says it is TZif but is not valid, or ERR_IO
 * when it cannot be read, each with the file and the reason appended to err
 * as one phrase without a newline.
 */
int corridor_zone_load(const char *name, struct corridor_zone **out,
                       struct buf *err);

/*
 * Parses a TZif file (RFC 8536; version 1, or the 64-bit data and the
 * footer's POSIX TZ string of version 2 and later, with the extensions of
 * its section 3.3.1) from len bytes at data. Returns OK and hands a new
 * zone to *out, or ERR_INVALID with the reason appended to err (one phrase,
 * no newline). Every count in the file is capped (256 KiB in all, 20,000
 * transitions, 256 types, a footer of 256 bytes).
 */
int corridor_zone_parse(const void *data, size_t len,
                        struct corridor_zone **out, struct buf *err);

/* A zone that is UTC at every instant. */
struct corridor_zone *corridor_zone_utc(void);

/*
 * The zone's UTC offset in seconds at utc: that of the latest transition
 * at or before it; before the first, local time type 0's (RFC 8536 section
 * 3.2); from the last one on, the footer's TZ string's when there is one.
 */
long corridor_zone_offset(const struct corridor_zone *z, int64_t utc);

void corridor_zone_free(struct corridor_zone *z);

#endif
