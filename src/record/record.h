/*
 * record: the kinds of record Passage keeps, each described once (fields:
 * name, type, required, allowed values, unit), and what that description
 * drives: validation of field text, the canonical JSON bytes (RFC 8785) that
 * enter the ledger, reading records back from those bytes, and the column
 * lists of the query tables.
 */
#ifndef PASSAGE_RECORD_H
#define PASSAGE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

enum record_kind {
#define KIND(sym, name, title) KIND_##sym,
#include "record/kinds.def"
#undef KIND
  KIND_COUNT
};

enum field_type {
  FT_TEXT,     /* free text, one line or many */
  FT_ID,       /* an identifier: [A-Za-z0-9][A-Za-z0-9._:@/+-]*, <= 128 */
  FT_REF,      /* the id of a record of kind field_desc.ref */
  FT_REFLIST,  /* several such ids, comma-separated in CSV, an array in JSON */
  FT_ENUM,     /* one of field_desc.allowed */
  FT_CATEGORY, /* a cargo category: a default one or the corridor's */
  FT_COUNT,    /* a whole number >= 0 */
  FT_NUMBER,   /* a decimal number */
  FT_TIME,     /* a date or date-time (see util_parse_time) */
  FT_GRADE,    /* Admiralty code: reliability A-F, credibility 1-6: "B2" */
};

enum {
  FF_REQUIRED = 1 << 0, /* a record without it is invalid */
  FF_CARGO = 1 << 1,    /* flow: part of a cargo line, not of the record */
  FF_INPUT = 1 << 2,    /* accepted on input, folded into other fields */
  FF_STAGE = 1 << 3,    /* FT_ENUM: the values are the corridor's stages
                           (record_ctx.stages); allowed is the default list */
};

/* The values a number field allows, both ends included. */
struct field_range {
  double min, max;
  const char *words; /* the rule as messages say it: "a number of 0 or
                        more" */
};

struct field_desc {
  const char *name;
  enum field_type type;
  unsigned flags;
  enum record_kind ref;            /* for FT_REF / FT_REFLIST */
  const char *const *allowed;      /* for FT_ENUM: NULL-terminated */
  const char *def;                 /* default filled in when absent, or NULL */
  const char *unit;                /* unit of a number, for the docs */
  const char *help;                /* one line for --help and the docs */
  const struct field_range *range; /* FT_NUMBER: what it may hold (a
                                      quantity is never below 0), or NULL
                                      for any number */
};

struct kind_desc {
  enum record_kind kind;
  const char *name;  /* "flow" */
  const char *title; /* "flow observation" */
  const struct field_desc *fields;
  size_t nfields;
};

/* The description of a kind; kind must be valid. */
const struct kind_desc *record_kind_desc(enum record_kind kind);
/* Looks a kind up by name ("flow", case-sensitive); -1 when unknown. */
int record_kind_by_name(const char *name);
/* 1 for the kinds passage writes itself (an import's record, a
 * withdrawal), which are never imported or added by hand but exported as
 * the others are; else 0. */
int record_kind_internal(enum record_kind kind);
/* Index of the field called name in kind (case-insensitive), or -1. */
int record_field_index(const struct kind_desc *k, const char *name);

/* The built-in cargo categories; corridors may add their own. */
extern const char *const record_default_categories[];

/* At most this many cargo lines on one flow record. */
#define RECORD_MAX_CARGO 64
#define RECORD_MAX_FIELDS 32
/* A text field longer than this is invalid. */
#define RECORD_MAX_TEXT 65536
/* A count (FT_COUNT) above this is invalid: no crossing counts more
 * persons or vehicles, and a figure this size is a typing or unit error. */
#define RECORD_MAX_COUNT 1e12

struct record_value {
  int set;
  size_t off, len; /* text in the record's string pool */
  double num;      /* FT_COUNT, FT_NUMBER */
};

struct cargo_line {
  struct record_value category, quantity, unit;
};

/*
 * One record being built or read back. Text values live in pool; use
 * record_text() to read them.
 */
struct record {
  const struct kind_desc *kind;
  struct record_value v[RECORD_MAX_FIELDS];
  struct cargo_line cargo[RECORD_MAX_CARGO];
  size_t ncargo;
  struct buf pool;
};

/* What validation needs to know beyond the record itself. A NULL ctx is
 * one with every member 0. */
struct record_ctx {
  const char *const
      *categories; /* extra categories, NULL-terminated, or NULL */
  /* The corridor's stages (NULL-terminated), which a flow's stage must be
   * one of, and its counting stage, which a flow without a stage gets
   * (record_finish_ctx). With no stages (NULL, or no ctx: a stored record
   * read back, which the corridor of its time accepted) any stage that is
   * a lower-case word is taken. */
  const char *const *stages;
  const char *counting_stage;
  /* When not 0, a time that begins after this instant (seconds since
   * 1970-01-01T00:00Z) is refused: an import passes the clock plus a day,
   * unless future times are allowed. */
  int64_t not_after;
  /* The corridor's UTC offset (seconds, east positive) near not_after,
   * for times written without an offset, which are the corridor's local
   * time. */
  long utc_offset;
  /* 1 when reading back a stored entry: the rules added for new input
   * since (number ranges, RECORD_MAX_COUNT) are not applied, so that an
   * entry accepted once stays readable. */
  int stored;
};

/* The values an FT_ENUM field takes under ctx (NULL-terminated): the
 * corridor's stages for a stage (its field's own list without them), else
 * the field's own list. */
const char *const *record_enum_values(const struct field_desc *f,
                                      const struct record_ctx *ctx);

void record_init(struct record *r, enum record_kind kind);
void record_cleanup(struct record *r);
/* Clears every value, keeping the kind and the pool's memory. */
void record_reset(struct record *r);

/* The text of a set value (NUL-terminated), or NULL when unset. */
const char *record_text(const struct record *r, const struct record_value *v);
/* Shorthand for the value of field name; NULL when unset or unknown. */
const char *record_get(const struct record *r, const char *name);
const struct record_value *record_value(const struct record *r,
                                        const char *name);

/*
 * Sets field index fi from user text (n bytes at s), parsing and normalising
 * it by type: times to canonical form, numbers parsed, enum labels
 * case-folded with spaces and dashes read as '_'. For FF_CARGO fields the
 * value goes to cargo line `line` (0-based; lines are added as needed).
 * Empty text and "-" leave the field unset (missing is never zero). Text
 * with a NUL byte, a number a double cannot hold (1e309, 1e-400), a number
 * outside its field's range, a count that is not whole or is over
 * RECORD_MAX_COUNT, and a time after ctx->not_after are invalid.
 * Returns OK, or ERR_INVALID with a message "expected ..., got '...'"
 * appended to err (the caller adds file, line and field).
 */
int record_set(struct record *r, const struct record_ctx *ctx, int fi,
               size_t line, const char *s, size_t n, struct buf *err);

/*
 * Sets field fi (not FF_CARGO) to a value as a store's query row keeps it:
 * the text record_set made of it once (a number: num, whose text is made
 * again as record_set makes it). Nothing is checked: the row was written
 * from a valid record, and verify compares each row with its entry.
 */
void record_put_stored(struct record *r, int fi, const char *text, size_t len,
                       double num);

/*
 * Checks what needs the whole record: required fields, defaults filled in
 * (end = start, stage crossed, units), end not before start, low <= high,
 * a cargo quantity needs a category, count/quantity folded into low/high.
 * Returns OK, or ERR_INVALID with every problem appended to err as
 * "field 'x': ..." lines separated by "; ".
 */
int record_finish(struct record *r, struct buf *err);
/* The same for a record of a corridor (ctx may be NULL): a flow without a
 * stage is at the corridor's counting stage, and a stage must be one of the
 * corridor's ("field 'stage': expected one of ..., got '...'"). */
int record_finish_ctx(struct record *r, const struct record_ctx *ctx,
                      struct buf *err);

/* Appends the record's canonical JSON (RFC 8785) to out. */
void record_canonical(const struct record *r, struct buf *out);

/*
 * A record as self-contained bytes (its kind, the text and number of every
 * set value, its cargo lines; no pointers), so that it can be handed to
 * another thread and rebuilt there exactly. Not a storage or exchange
 * format: the canonical JSON is that. record_pack appends the bytes to out.
 */
void record_pack(const struct record *r, struct buf *out);
/*
 * Rebuilds in r (initialised by record_init, of any kind: it takes the
 * packed one) the record packed in len bytes at data. Returns OK, or
 * ERR_INVALID when the bytes are not a packed record (r is then empty).
 */
int record_unpack(struct record *r, const void *data, size_t len);

/*
 * Reads a record back from JSON (a canonical entry, or a line of a JSON
 * Lines file: an object whose "record" member names the kind unless kind
 * is given, i.e. >= 0). Values are validated as record_set does. Returns
 * OK, or ERR_INVALID with the problems appended to err.
 */
int record_from_json(struct record *r, int kind, const struct record_ctx *ctx,
                     const char *json, size_t len, struct buf *err);

/*
 * The same, also calling problem(pctx, field, text) once for each problem
 * it appends to err, with the field it is about (NULL for the text as a
 * whole) and the problem's own words as appended ("field 'x': expected
 * ..., got '...'"), so that a caller can tell them apart even when a value
 * quoted in one reads like the "; " between two.
 */
typedef void (*record_problem_fn)(void *pctx, const char *field,
                                  const char *text);
int record_from_json_problems(struct record *r, int kind,
                              const struct record_ctx *ctx, const char *json,
                              size_t len, struct buf *err,
                              record_problem_fn problem, void *pctx);

/*
 * The interval a time value covers, in local seconds: seconds since
 * 1970-01-01T00:00 of the corridor's local civil time, every day 86,400
 * seconds long. A date covers its whole day, a month its whole month; an
 * instant is a zero-length interval. Instants with a UTC offset are moved to
 * local time with tz_offset(ctx, utc_seconds), which returns the corridor's
 * UTC offset in seconds at that moment (NULL means UTC).
 */
typedef long (*record_tz_fn)(void *ctx, int64_t utc);
int record_time_bounds(const char *canonical, record_tz_fn tz, void *tzctx,
                       int64_t *begin, int64_t *finish);

/* Appends the HXL hashtag of a field ("#date+start", "#loc+checkpoint") to
 * b: exports write it, imports recognise it. */
void record_hxl_tag(const struct field_desc *f, struct buf *b);

/* Tonnes in one unit of a mass unit (t, tonne(s), ton(s), mt, kg, g, lb(s),
 * kt; any case), or 0 when the unit is not a mass. */
double record_unit_tonnes(const char *unit);

/* The value of a cargo line's quantity in tonnes, or -1 when it is not a
 * mass (or has no quantity). */
double record_cargo_tonnes(const struct record *r, size_t line);

#endif
