/*
 * util: what every module needs and nothing else: the error codes, allocation
 * that never returns NULL, a growable byte buffer, and the parsers for the
 * dates and numbers that users type into spreadsheets.
 */
#ifndef PASSAGE_UTIL_H
#define PASSAGE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Every fallible function returns OK or one of these negative codes. */
enum {
  OK = 0,
  ERR_NOMEM = -1,    /* a hard cap was hit (allocation failure aborts) */
  ERR_IO = -2,       /* reading or writing a file failed */
  ERR_INVALID = -3,  /* the input is not what was expected */
  ERR_USAGE = -4,    /* the caller asked for something that makes no sense */
  ERR_NOTFOUND = -5, /* no such thing */
  ERR_CONFLICT = -6, /* an id is taken by different content */
  ERR_STORE = -7,    /* the database failed */
  ERR_CRYPTO = -8,   /* a cryptographic operation failed */
  ERR_VERIFY = -9,   /* a check of the log failed: tampering or corruption */
  ERR_MISSING = -10, /* a value is absent ("", "-"): never zero */
  ERR_EXISTS = -11,  /* refusing to overwrite something */
  ERR_RETRY = -12,   /* the backend asks for the transaction again */
  ERR_AUTH = -13,    /* no valid credentials (a token unknown, expired,
                        revoked) */
  ERR_DENIED = -14,  /* the credentials do not allow this */
  ERR_NOSPACE = -15, /* the disk (or the store's size limit) is full */
  ERR_RANGE = -16,   /* a number beyond what can be held (1e309, 1e-400) */
};

/* Returns a short English name for an error code; never NULL. */
const char *util_strerror(int code);

/* Allocation: these abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/*
 * The one growable array: returns p reallocated so that it holds at least
 * need elements of size bytes, updating *cap (doubling, so appends cost
 * amortised O(1)). Use as: v = util_grow(v, &cap, n + 1, sizeof *v).
 */
void *util_grow(void *p, size_t *cap, size_t need, size_t size);
/* Like asprintf, aborting on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable byte buffer. data is always NUL-terminated (when non-NULL) so it
 * can be used as a C string; len does not count the terminator.
 */
struct buf {
  char *data;
  size_t len;
  size_t cap;
};

void buf_init(struct buf *b);
void buf_cleanup(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the buffer's bytes to the caller (never NULL) and resets b. */
char *buf_take(struct buf *b);

/*
 * Times as users write them. A time has a precision: a whole year, month or
 * day, or an instant to the minute or second. A date without a time means the
 * whole local day, a month the whole month. Instants may carry a UTC offset;
 * without one they are local to the corridor.
 */
enum time_prec {
  TIME_YEAR = 1,
  TIME_MONTH,
  TIME_DAY,
  TIME_MINUTE,
  TIME_SECOND,
};

struct ptime {
  int year, month, day; /* month 1-12, day 1-31; unset parts are 1 */
  int hour, min, sec;   /* unset parts are 0 */
  enum time_prec prec;
  int has_offset; /* 1 when the text gave Z or +HH:MM */
  int offset_min; /* UTC offset in minutes, when has_offset */
};

/*
 * Parses a date or date-time of n bytes at s (no NUL needed). Accepted forms:
 * ISO 8601 "2024-02-25", "2024-02", "2024", "2024-2-5", "2024-02-25T10:30",
 * "2024-02-25 10:30:15", with "Z" or "+04:00"/"+0400" offsets and fractional
 * seconds (dropped); "25 Feb 2024", "9 Sept 2024", "07 October 2023",
 * "17-Mar-23" (two-digit years are 2000-2068 / 1969-1999 like POSIX
 * strptime), "Feb 25, 2024", "25/02/2024" is NOT accepted (ambiguous with
 * US order). Surrounding white space is ignored. Returns OK and sets *out,
 * ERR_MISSING for an empty cell or "-", or ERR_INVALID (out cleared) for
 * anything else, including impossible dates like 2023-02-30.
 */
int util_parse_time(const char *s, size_t n, struct ptime *out);

/*
 * Writes the canonical form of t into buf (at least 32 bytes): "2024",
 * "2024-02", "2024-02-25", "2024-02-25T10:30:00" (minute precision prints
 * seconds too), with "Z" for offset 0 or "+04:00" when has_offset.
 */
void util_format_time(const struct ptime *t, char *buf, size_t size);

/* Days from 1970-01-01 to the given proleptic Gregorian date (may be <0). */
int64_t util_days_from_civil(int year, int month, int day);
/* The inverse of util_days_from_civil. */
void util_civil_from_days(int64_t days, int *year, int *month, int *day);
/* Writes "YYYY-MM-DD" for a day number into buf (at least 11 bytes). */
void util_format_day(int64_t days, char *buf, size_t size);

/*
 * Parses a decimal number of n bytes at s: optional sign, digits with
 * optional thousands separators (commas, or spaces, in groups of three:
 * "66,564", "1 234 567.5"), optional fraction and exponent. Surrounding white
 * space is ignored. Returns OK, ERR_MISSING for an empty cell or "-",
 * ERR_RANGE for a number a double cannot hold: above about 1.8e308 in
 * magnitude, or not zero and below about 2.2e-308 (DBL_MIN: "1e-400" would
 * become 0), or ERR_INVALID (nan, inf, "1,23", "12abc", ...). *out is 0
 * unless OK.
 */
int util_parse_number(const char *s, size_t n, double *out);

/*
 * Formats a finite double the way ECMAScript's Number.prototype.toString
 * does (shortest text that reads back as the same double), as RFC 8785
 * requires for numbers: 1, 0.5, 1e+21, 1.5e-7, -0 prints "0". buf must hold
 * at least 32 bytes.
 */
void util_format_number(double v, char *buf, size_t size);

/*
 * Lowercases s and replaces every run of characters other than [a-z0-9] by
 * one '-', trimming '-' at both ends: "Kerem Shalom" -> "kerem-shalom".
 * Returns a new string; "" when nothing is left.
 */
char *util_slug(const char *s);

/*
 * Writes v for people: thousands separators, at most two decimals, no
 * trailing zeros ("1,234.5", "0.25", "-3"); non-finite or huge values in %g.
 */
void util_format_human(double v, char *buf, size_t size);

/*
 * Writes a figure for CSV and JSON: rounded to 6 decimals (spreading over
 * days leaves long fractions), never "-0", in util_format_number's form.
 */
void util_format_figure(double v, char *buf, size_t size);

/*
 * Figures for people (shown.c): the CLI's tables and the md, html and txt
 * reports round through these and nothing else; CSV and JSON keep the full
 * figure. A count (persons, vehicles, records) is shown whole; a quantity
 * (tonnes, days, hours) whole from 10 up and with one decimal below
 * ("42", "9.4", "0.5"). A figure is rounded once, from its full value:
 * totals and means are computed before, never from shown figures.
 */
enum util_shown { UTIL_SHOWN_COUNT, UTIL_SHOWN_QUANTITY };
/* v as it is shown (half away from zero; never -0). */
double util_shown_round(double v, enum util_shown kind);
/* Writes v as shown, with thousands separators: "100,417", "9.4", "0". */
void util_format_shown(double v, enum util_shown kind, char *buf, size_t size);
/* A share as a percentage with at most one decimal: "25%", "4.1%"; a
 * share above 0 that would read 0% reads "<0.1%". */
void util_format_share(double share, char *buf, size_t size);
/* share rounded as util_format_share shows it (0.25, 0.041). */
double util_shown_share(double share);
/* A change as a signed percentage: "+12%", "-100%", "0%". */
void util_format_change(double change, char *buf, size_t size);
/*
 * The change from before to now as a reader computes it from the two
 * figures shown (each rounded as kind is shown), so that the percentage
 * printed beside them can be checked from the page: OK with now/before - 1
 * (0 when both show 0), or ERR_MISSING when before shows 0 and now does not
 * (a change "from 0" has no percentage).
 */
int util_shown_change(double now, double before, enum util_shown kind,
                      double *change);

/*
 * Appends the RFC 8785 (JSON Canonicalization Scheme) form of v to out:
 * object members sorted by the UTF-16 code units of their names, no white
 * space, strings escaped as RFC 8785 3.2.2.2 says (\b \t \n \f \r \" \\ and
 * \u00xx lower-case for other controls, everything else as UTF-8), numbers
 * (integers and reals alike) as util_format_number. Returns OK, or
 * ERR_INVALID for a value JCS cannot represent (an integer beyond 2^53 in
 * magnitude); out is then left as it was.
 */
int util_jcs_encode(const json_t *v, struct buf *out);

/* The length (1 to 4) of the UTF-8 character that the n bytes at s start
 * with (RFC 3629: no overlong form, surrogate or code point past
 * U+10FFFF), or 0 when they do not start with one. */
size_t util_utf8_char(const unsigned char *s, size_t n);

/* Appends n bytes at s as one RFC 8785 JSON string. Returns OK, or
 * ERR_INVALID (out unchanged) when s is not UTF-8. */
int util_jcs_string(struct buf *out, const char *s, size_t n);

/*
 * Writes v for people and scripts: members in insertion order, strings
 * escaped as util_jcs_string, integers as they are, reals as
 * util_format_figure (6 decimals at most), then a newline.
 * UTIL_JSON_PRETTY: one member or element per line, two spaces a level,
 * except containers whose path matches a pattern of flat (NULL-terminated,
 * may be NULL), written on one line: a path names members by key and array
 * elements by '*', joined by '.' ("" the root, "period",
 * "rows.*.sources"); a '*' in a pattern matches any one segment.
 * UTIL_JSON_ROWS: the root object on one line, each array in it one element
 * a line ({"rows": [\n  {...},\n  {...}\n]}), as the analysis commands print.
 * Returns OK, or ERR_INVALID (out unchanged) for text that is not UTF-8 or
 * nesting past 64.
 */
enum { UTIL_JSON_PRETTY, UTIL_JSON_ROWS };
int util_json_write(const json_t *v, int style, const char *const *flat,
                    struct buf *out);

/* The deepest nesting of arrays and objects accepted in JSON from users. */
#define UTIL_JSON_MAX_DEPTH 32

/*
 * Loads JSON that users give (a JSON Lines line, a proof file) from n
 * bytes at s with json_loadb(flags), after the checks jansson lacks: at
 * most UTIL_JSON_MAX_DEPTH levels of arrays and objects (ERR_NOMEM past
 * them), and every number of at most 64 characters and within what a
 * double holds (ERR_RANGE: jansson would read 1e-400 as 0). Returns OK
 * with a new reference in *out; otherwise *out is NULL and jerr holds what
 * is wrong ("expected at most 32 levels of nesting, got more", "expected a
 * number between 1e-308 and 1e308 in size, or 0, got '1e-400'", or
 * jansson's text for ERR_INVALID) and where (line, column from 1).
 */
int util_json_load(const char *s, size_t n, size_t flags, json_t **out,
                   json_error_t *jerr);

/*
 * Files written atomically (file.c): the bytes go to a temporary file in
 * the same folder ("PATH.tmp.PID.N"), which commit flushes, syncs with
 * fsync, renames into place and whose folder it then syncs, so that after
 * a crash, a kill or a full disk the path holds the old file or the whole
 * new one, never a part. discard removes the temporary file instead.
 * Failures are ERR_IO with "cannot write PATH: why" in err (on a full disk
 * with the space left); err may be NULL.
 */
enum {
  UTIL_FILE_PRIVATE = 1 << 0,   /* mode 0600 (a key) rather than 0644 */
  UTIL_FILE_NOREPLACE = 1 << 1, /* never replace a file at the path: */
                                /* ERR_EXISTS, checked again at the rename */
};
struct util_file {
  FILE *f; /* write here (stdio), between open and commit */
  char *path, *tmp;
  unsigned flags;
};
int util_file_open(struct util_file *o, const char *path, unsigned flags,
                   struct buf *err);
/* Ends o whatever happens; OK when the file is in place. */
int util_file_commit(struct util_file *o, struct buf *err);
/* Ends o, leaving the path as it was; NULL or an ended o does nothing. */
void util_file_discard(struct util_file *o);
/* The whole file at once, written with write(2) (no stdio buffer keeps a
 * copy of a secret). */
int util_file_write(const char *path, const void *data, size_t len,
                    unsigned flags, struct buf *err);
/* Syncs the folder holding path, so that a rename in it is durable. */
int util_sync_folder(const char *path, struct buf *err);
/* Renames from to to unless to exists (ERR_EXISTS), atomically; ERR_IO
 * with errno set otherwise. */
int util_rename_noreplace(const char *from, const char *to);
/* The bytes free for us on the file system holding path (or, when path
 * does not exist, its folder). */
int util_free_space(const char *path, uint64_t *bytes);
/* "512 bytes", "3.2 MiB", "1.0 GiB": a size for people (at least 24
 * bytes of buf). */
void util_format_bytes(uint64_t n, char *buf, size_t size);

/*
 * Base64 (RFC 4648, with padding). decode appends the bytes to out and
 * accepts only the canonical encoding; on ERR_INVALID out is as it was.
 * decode_exact needs exactly want bytes, and wipes its scratch copy.
 */
void util_base64_encode(struct buf *out, const void *data, size_t n);
int util_base64_decode(const char *s, size_t len, struct buf *out);
int util_base64_decode_exact(const char *s, size_t len, uint8_t *out,
                             size_t want);

/* Appends n bytes at s (or the string s) as one CSV cell, quoted when it
 * holds a comma, quote or line break (RFC 4180). NULL appends nothing. */
void util_csv_cell(struct buf *b, const char *s, size_t n);
void util_csv_text(struct buf *b, const char *s);

/*
 * A map from strings to strings that keeps insertion order. Keys and values
 * are copied. strmap_get returns NULL for an absent key.
 */
struct strmap;
struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
const char *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, const char *value);
size_t strmap_count(const struct strmap *m);
/* The i-th key or value in insertion order; NULL past the end. */
const char *strmap_key(const struct strmap *m, size_t i);
const char *strmap_value(const struct strmap *m, size_t i);

#endif
