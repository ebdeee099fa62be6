/*
 * The corridor file: an INI file that an analyst edits by hand, read with
 * inih and checked key by key, so that every mistake in it is reported at
 * once with its file, line and key.
 *
 * How inih is used. inih's behaviour depends on how it was built (Debian's
 * libinih 55 strips inline ';' comments, joins indented lines to the value
 * above, and reads lines of at most 200 bytes, splitting longer ones), and
 * it reports only the first syntax error, never tells the handler the line
 * number or the start of an empty section, and truncates section names past
 * 49 bytes. So the text reaches inih through
 * our own line reader (ini_parse_stream), which:
 *
 *  - counts lines, so the handler knows the line of each key;
 *  - checks each line (UTF-8, no control characters, a length cap) and
 *    reports every malformed line itself;
 *  - strips comments the same way whatever inih was built with: a line
 *    starting with ';' or '#', and from a ';' preceded by a space or tab to
 *    the end of the line (so a value cannot contain " ;");
 *  - drops leading white space, so no line is ever a multi-line
 *    continuation;
 *  - handles section headers itself (they reach inih as blank lines): an
 *    empty section, a duplicate one and its line all matter here;
 *  - hands inih a value too long for inih's line buffer as a one-byte
 *    placeholder and keeps the value aside for the handler.
 *
 * inih then splits "key = value" (or "key: value") and calls the handler,
 * which validates the value against a table of the keys of each section.
 */
#include "corridor.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Hard caps: a real corridor file is a few kilobytes. */
#define CORRIDOR_MAX_BYTES (1024 * 1024)
#define CORRIDOR_MAX_SECTIONS 1000
#define CORRIDOR_MAX_LINE 8192
#define CORRIDOR_MAX_ID 64
#define CORRIDOR_MAX_ERRORS 1000
#define CORRIDOR_MAX_LIST 1000
#define CORRIDOR_MAX_DAYS 3650
#define CORRIDOR_MAX_COUNT 1000000000L
/* How much of a bad value an error message quotes. */
#define QUOTE_MAX 80

/* Marks a value kept aside because it does not fit inih's line buffer. */
#define LONG_VALUE "\x01"

enum sect {
  SECT_NONE, /* before the first section */
  SECT_SKIP, /* a section already reported as wrong: keys ignored */
  SECT_CORRIDOR,
  SECT_CHECKPOINT,
  SECT_CATEGORY,
  SECT_OBLIGATION,
  SECT_ALERTS,
  SECT_STAGES,
  SECT_PUBLISH,
  SECT_WITNESS,
};

enum vtype {
  V_TEXT,       /* any non-empty text */
  V_LOG,        /* a log origin: no spaces, no '+' */
  V_TZ,         /* an IANA time zone that exists */
  V_BASELINE,   /* D1..D2 */
  V_LAT,        /* -90..90 */
  V_LON,        /* -180..180 */
  V_NONNEG,     /* a number >= 0 */
  V_SHARE,      /* a number in 0..1 */
  V_COUNT,      /* a whole number >= 0, stored as long */
  V_DAYS,       /* a whole number 1..CORRIDOR_MAX_DAYS, stored as int */
  V_UNIT,       /* a unit: one word */
  V_MEASURES,   /* list from persons, vehicles, tonnes */
  V_DIRECTIONS, /* list from in, out */
  V_IDS,        /* list of checkpoint ids */
  V_STAGES,     /* list of stage names (ids), in the order goods pass them */
  V_PUBLISH,    /* list from corridor_published */
  V_DATE,       /* a date YYYY-MM-DD, stored as a day number */
  V_YESNO,      /* yes or no, stored as an int 1 or 0 */
  V_URL,        /* an http:// or https:// URL without spaces */
  V_VKEY,       /* a cosignature verifier key: NAME+HASH+base64(0x04 key) */
};

#define NO_AUX ((size_t)-1)

/*
 * One key of a section: where its value goes in the section's struct (off)
 * and, for optional numbers, the has_ flag (an int), or for lists, the
 * count (a size_t) at aux.
 */
struct keydef {
  const char *key;
  enum vtype type;
  size_t off;
  size_t aux;
};

#define KEY(s, k, t, f, a)                                                     \
  {                                                                            \
    k, t, offsetof(struct s, f), a                                             \
  }
#define AUX(s, f) offsetof(struct s, f)

static const struct keydef corridor_keys[] = {
    KEY(corridor, "name", V_TEXT, name, NO_AUX),
    KEY(corridor, "log", V_LOG, log, NO_AUX),
    KEY(corridor, "timezone", V_TZ, timezone, NO_AUX),
    KEY(corridor, "inside", V_TEXT, inside, NO_AUX),
    KEY(corridor, "baseline", V_BASELINE, baseline_from, NO_AUX),
    KEY(corridor, "restricted_weight", V_SHARE, restricted_weight, NO_AUX),
    KEY(corridor, "dispute_tolerance", V_NONNEG, dispute_tolerance, NO_AUX),
    KEY(corridor, "min_public_count", V_COUNT, min_public_count, NO_AUX),
};

static const struct keydef alerts_keys[] = {
    KEY(corridor, "warning_days", V_DAYS, warning_days, NO_AUX),
    KEY(corridor, "severe_days", V_DAYS, severe_days, NO_AUX),
    KEY(corridor, "critical_days", V_DAYS, critical_days, NO_AUX),
};

static const struct keydef publish_keys[] = {
    KEY(corridor, "public", V_PUBLISH, publish, AUX(corridor, npublish)),
};

static const struct keydef checkpoint_keys[] = {
    KEY(corridor_checkpoint, "name", V_TEXT, name, NO_AUX),
    KEY(corridor_checkpoint, "lat", V_LAT, lat,
        AUX(corridor_checkpoint, has_lat)),
    KEY(corridor_checkpoint, "lon", V_LON, lon,
        AUX(corridor_checkpoint, has_lon)),
    KEY(corridor_checkpoint, "km", V_NONNEG, km,
        AUX(corridor_checkpoint, has_km)),
    KEY(corridor_checkpoint, "note", V_TEXT, note, NO_AUX),
    KEY(corridor_checkpoint, "route", V_YESNO, route, NO_AUX),
};

static const struct keydef category_keys[] = {
    KEY(corridor_category, "name", V_TEXT, name, NO_AUX),
    KEY(corridor_category, "unit", V_UNIT, unit, NO_AUX),
    KEY(corridor_category, "need_per_person_per_day", V_NONNEG,
        need_per_person_per_day, AUX(corridor_category, has_need)),
    KEY(corridor_category, "need_unit", V_UNIT, need_unit, NO_AUX),
};

static const struct keydef obligation_keys[] = {
    KEY(corridor_obligation, "text", V_TEXT, text, NO_AUX),
    KEY(corridor_obligation, "measures", V_MEASURES, measures,
        AUX(corridor_obligation, nmeasures)),
    KEY(corridor_obligation, "directions", V_DIRECTIONS, directions,
        AUX(corridor_obligation, ndirections)),
    KEY(corridor_obligation, "checkpoints", V_IDS, checkpoints,
        AUX(corridor_obligation, ncheckpoints)),
    KEY(corridor_obligation, "min_ratio_of_baseline", V_SHARE,
        min_ratio_of_baseline, AUX(corridor_obligation, has_min_ratio)),
    KEY(corridor_obligation, "min_availability", V_SHARE, min_availability,
        AUX(corridor_obligation, has_min_availability)),
    KEY(corridor_obligation, "from", V_DATE, from,
        AUX(corridor_obligation, has_from)),
    KEY(corridor_obligation, "until", V_DATE, until,
        AUX(corridor_obligation, has_until)),
};

/* [stages]: the steps a consignment is counted at, and the one that
 * counts as having crossed. */
static const struct keydef stages_keys[] = {
    KEY(corridor, "order", V_STAGES, stages, AUX(corridor, nstages)),
    KEY(corridor, "counting", V_TEXT, counting_stage, NO_AUX),
};

/* [witness NAME]: both keys required. */
static const struct keydef witness_keys[] = {
    KEY(corridor_witness, "url", V_URL, url, NO_AUX),
    KEY(corridor_witness, "key", V_VKEY, key, NO_AUX),
};

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* struct pstate tracks the keys seen in a section in 8 slots. */
_Static_assert(NKEYS(corridor_keys) <= 8 && NKEYS(obligation_keys) <= 8,
               "more keys in a section than seen_line holds");

static const char *const measure_names[] = {"persons", "vehicles", "tonnes"};
static const char *const direction_names[] = {"in", "out"};
/* "log": the log's raw entries, every count as recorded. */
const char *const corridor_published[] = {
    "flows",  "index",    "availability", "compliance",
    "supply", "pipeline", "events",       "log",
};
#define NPUBLISHED (sizeof corridor_published / sizeof corridor_published[0])

/* What each value type expects, as error messages say it. */
static const char *
expected_text(enum vtype t)
{
  switch (t) {
  case V_TEXT:
    return "a non-empty text";
  case V_LOG:
    return "a log name without spaces or '+', such as "
           "'example.org/gaza-crossings'";
  case V_TZ:
    return "an IANA time zone name such as 'Asia/Gaza' or 'UTC'";
  case V_BASELINE:
    return "two dates FROM..TO such as '2023-08-01..2023-09-30'";
  case V_LAT:
    return "a number between -90 and 90";
  case V_LON:
    return "a number between -180 and 180";
  case V_NONNEG:
    return "a number of 0 or more";
  case V_SHARE:
    return "a number between 0 and 1";
  case V_COUNT:
    return "a whole number of 0 or more";
  case V_DAYS:
    return "a whole number of days between 1 and 3650";
  case V_UNIT:
    return "a unit written as one word, such as 't', 'kg' or 'l'";
  case V_MEASURES:
    return "a comma-separated list from persons, vehicles, tonnes, each at "
           "most once";
  case V_DIRECTIONS:
    return "a comma-separated list from in, out, each at most once";
  case V_IDS:
    return "a comma-separated list of checkpoint ids, each at most once";
  case V_URL:
    return "the witness's submission prefix, an http:// or https:// URL "
           "such as 'https://witness.example.org/passage'";
  case V_VKEY:
    return "the witness's verifier key, as 'passage key public --key FILE "
           "--cosignature' prints it (NAME+HASH+KEY, key type 0x04)";
  case V_STAGES:
    return "a comma-separated list of stage names (lower-case letters, "
           "digits, '_' and '-', such as queued, inspected, crossed, "
           "delivered), each at most once";
  case V_PUBLISH:
    return "a comma-separated list from flows, index, availability, "
           "compliance, supply, pipeline, events, each at most once";
  case V_DATE:
    return "a date such as '2023-02-22'";
  case V_YESNO:
    return "yes or no";
  }
  return "a value";
}

struct perr {
  int line; /* 0 for the whole file */
  size_t seq;
  char *msg;
};

struct pstate {
  const char *file;
  const char *p, *end; /* text not yet read */
  int lineno;          /* the line last handed to inih */
  struct corridor *c;

  struct perr *errs;
  size_t nerrs, caperrs, nlost;

  int nsections;
  int corridor_line, alerts_line; /* 0 while not seen */
  int stages_line;
  int publish_line;

  /* The current section. */
  enum sect kind;
  const struct keydef *keys;
  size_t nkeys;
  size_t index;              /* into the corridor's array for its kind */
  char label[QUOTE_MAX + 8]; /* "checkpoint kerem-shalom", for messages */
  int sect_line;
  unsigned seen; /* bit i: keys[i] was set */
  int seen_line[8];

  char *long_value; /* see LONG_VALUE */
};

static void perr_add(struct pstate *st, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr_add(struct pstate *st, int line, const char *fmt, ...)
{
  struct buf b;
  va_list ap;

  if (st->nerrs >= CORRIDOR_MAX_ERRORS) {
    st->nlost++;
    return;
  }
  buf_init(&b);
  if (line > 0)
    buf_printf(&b, "%s:%d: ", st->file, line);
  else
    buf_printf(&b, "%s: ", st->file);
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (st->nerrs == st->caperrs) {
    st->caperrs = st->caperrs ? 2 * st->caperrs : 16;
    st->errs = xrealloc(st->errs, st->caperrs * sizeof *st->errs);
  }
  st->errs[st->nerrs].line = line;
  st->errs[st->nerrs].seq = st->nerrs;
  st->errs[st->nerrs].msg = buf_take(&b);
  st->nerrs++;
}

/*
 * How many bytes of the valid UTF-8 text s[0..n) to quote in a message: all
 * of it up to QUOTE_MAX bytes, else a cut at a character boundary, and
 * then *more says to add "...".
 */
static int
quote_len(const char *s, size_t n, int *more)
{
  *more = 0;
  if (n <= QUOTE_MAX)
    return (int)n;
  *more = 1;
  n = QUOTE_MAX;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return (int)n;
}

/* Reports a bad value; why, when not NULL, says more after it. */
static void
bad_value_why(struct pstate *st, const char *key, const char *expected,
              const char *value, const char *why)
{
  int more, n = quote_len(value, strlen(value), &more);

  perr_add(st, st->lineno, "key '%s': expected %s, got '%.*s%s'%s%s%s", key,
           expected, n, value, more ? "..." : "", why ? " (" : "",
           why ? why : "", why ? ")" : "");
}

static void
bad_value(struct pstate *st, const char *key, const char *expected,
          const char *value)
{
  bad_value_why(st, key, expected, value, NULL);
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
  unsigned c = s[0];
  size_t len;

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4;
  else
    return 0;
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  /* Overlong forms, surrogates and values past U+10FFFF. */
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
      (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
    return 0;
  return len;
}

static int
is_blank(int c)
{
  return c == ' ' || c == '\t';
}

static int
valid_id(const char *s, size_t n)
{
  if (n == 0 || n > CORRIDOR_MAX_ID)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             (i > 0 && (c == '.' || c == '_' || c == '-'));
    if (!ok)
      return 0;
  }
  return 1;
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */

/* Checks the keys a section requires, when the section ends. */
static void
end_section(struct pstate *st)
{
  int need_name = st->kind == SECT_CORRIDOR || st->kind == SECT_CHECKPOINT;

  /* "name" is keys[0] in both tables. */
  if (need_name && !(st->seen & 1u))
    perr_add(st, st->sect_line, "missing required key 'name' in [%s]",
             st->label);
  for (size_t i = 0; st->kind == SECT_WITNESS && i < NKEYS(witness_keys); i++)
    if (!(st->seen & (1u << i)))
      perr_add(st, st->sect_line, "missing required key '%s' in [%s]",
               witness_keys[i].key, st->label);
  st->kind = SECT_SKIP;
  st->seen = 0;
}

/* Appends a zeroed element to the array a of n elements; returns it. */
#define GROW(a, n)                                                             \
  ((a) = xrealloc((a), ((n) + 1) * sizeof *(a)),                               \
   memset(&(a)[(n)], 0, sizeof *(a)), &(a)[(n)++])

/* Returns the line of the section of that kind and id, or 0. */
static int
find_section(const struct pstate *st, enum sect kind, const char *id)
{
  const struct corridor *c = st->c;

  switch (kind) {
  case SECT_CHECKPOINT:
    for (size_t i = 0; i < c->ncheckpoints; i++)
      if (strcmp(c->checkpoints[i].id, id) == 0)
        return c->checkpoints[i].line;
    break;
  case SECT_CATEGORY:
    for (size_t i = 0; i < c->ncategories; i++)
      if (strcmp(c->categories[i].id, id) == 0)
        return c->categories[i].line;
    break;
  case SECT_OBLIGATION:
    for (size_t i = 0; i < c->nobligations; i++)
      if (strcmp(c->obligations[i].id, id) == 0)
        return c->obligations[i].line;
    break;
  case SECT_WITNESS:
    for (size_t i = 0; i < c->nwitnesses; i++)
      if (strcmp(c->witnesses[i].id, id) == 0)
        return c->witnesses[i].line;
    break;
  default:
    break;
  }
  return 0;
}

static void
begin_keyed(struct pstate *st, enum sect kind, const char *type, const char *id,
            size_t idlen)
{
  struct corridor *c = st->c;
  static const char *const examples[] = {
      [SECT_CHECKPOINT] = "kerem-shalom",
      [SECT_CATEGORY] = "food",
      [SECT_OBLIGATION] = "free-movement",
      [SECT_WITNESS] = "icrc",
  };
  char *idz;
  int first, more, qn;

  if (idlen == 0) {
    perr_add(st, st->lineno, "section [%s] needs an id, as in [%s %s]", type,
             type, examples[kind]);
    return;
  }
  if (!valid_id(id, idlen)) {
    qn = quote_len(id, idlen, &more);
    perr_add(st, st->lineno,
             "section [%s]: id '%.*s%s' must match [a-z0-9][a-z0-9._-]* "
             "(lower-case letters, digits, '.', '_' and '-', starting with a "
             "letter or digit, at most %d characters)",
             st->label, qn, id, more ? "..." : "", CORRIDOR_MAX_ID);
    return;
  }
  if (kind == SECT_CHECKPOINT && idlen == 8 && memcmp(id, "corridor", 8) == 0) {
    /* Outputs list the corridor's own availability under this name. */
    perr_add(st, st->lineno,
             "section [%s]: the id 'corridor' is reserved for the corridor "
             "as a whole; choose another",
             st->label);
    return;
  }
  idz = xstrndup(id, idlen);
  first = find_section(st, kind, idz);
  if (first) {
    perr_add(st, st->lineno, "duplicate section [%s] (first at line %d)",
             st->label, first);
    free(idz);
    return;
  }
  switch (kind) {
  case SECT_CHECKPOINT: {
    struct corridor_checkpoint *p = GROW(c->checkpoints, c->ncheckpoints);
    p->id = idz;
    p->route = 1;
    p->line = st->lineno;
    st->index = c->ncheckpoints - 1;
    st->keys = checkpoint_keys;
    st->nkeys = NKEYS(checkpoint_keys);
    break;
  }
  case SECT_CATEGORY: {
    struct corridor_category *p = GROW(c->categories, c->ncategories);
    p->id = idz;
    p->line = st->lineno;
    st->index = c->ncategories - 1;
    st->keys = category_keys;
    st->nkeys = NKEYS(category_keys);
    break;
  }
  case SECT_WITNESS: {
    struct corridor_witness *p = GROW(c->witnesses, c->nwitnesses);
    p->id = idz;
    p->line = st->lineno;
    st->index = c->nwitnesses - 1;
    st->keys = witness_keys;
    st->nkeys = NKEYS(witness_keys);
    break;
  }
  default: {
    struct corridor_obligation *p = GROW(c->obligations, c->nobligations);
    p->id = idz;
    p->line = st->lineno;
    st->index = c->nobligations - 1;
    st->keys = obligation_keys;
    st->nkeys = NKEYS(obligation_keys);
    break;
  }
  }
  st->kind = kind;
}

static void
begin_single(struct pstate *st, enum sect kind, const char *type, size_t idlen,
             int *seen_line)
{
  if (idlen > 0) {
    perr_add(st, st->lineno, "section [%s] takes no id, got [%s]", type,
             st->label);
    return;
  }
  if (*seen_line) {
    perr_add(st, st->lineno, "duplicate section [%s] (first at line %d)", type,
             *seen_line);
    return;
  }
  *seen_line = st->lineno;
  st->kind = kind;
  if (kind == SECT_CORRIDOR) {
    st->keys = corridor_keys;
    st->nkeys = NKEYS(corridor_keys);
  } else if (kind == SECT_STAGES) {
    st->keys = stages_keys;
    st->nkeys = NKEYS(stages_keys);
  } else if (kind == SECT_PUBLISH) {
    st->keys = publish_keys;
    st->nkeys = NKEYS(publish_keys);
  } else {
    st->keys = alerts_keys;
    st->nkeys = NKEYS(alerts_keys);
  }
}

/* Starts the section whose header holds s[0..n) between the brackets. */
static void
begin_section(struct pstate *st, const char *s, size_t n)
{
  const char *type, *id;
  size_t typelen, idlen;
  char typez[16];
  int more, qn;

  if (st->kind != SECT_NONE)
    end_section(st);
  st->kind = SECT_SKIP;
  st->seen = 0;
  st->sect_line = st->lineno;
  while (n > 0 && is_blank(*s))
    s++, n--;
  while (n > 0 && is_blank(s[n - 1]))
    n--;
  qn = quote_len(s, n, &more);
  snprintf(st->label, sizeof st->label, "%.*s%s", qn, s, more ? "..." : "");
  if (++st->nsections > CORRIDOR_MAX_SECTIONS) {
    if (st->nsections == CORRIDOR_MAX_SECTIONS + 1)
      perr_add(st, st->lineno, "too many sections (at most %d)",
               CORRIDOR_MAX_SECTIONS);
    return;
  }
  type = s;
  for (typelen = 0; typelen < n && !is_blank(s[typelen]); typelen++)
    ;
  id = s + typelen;
  idlen = n - typelen;
  while (idlen > 0 && is_blank(*id))
    id++, idlen--;
  if (typelen >= sizeof typez)
    typelen = 0; /* no such type: reported below */
  memcpy(typez, type, typelen);
  typez[typelen] = '\0';

  if (strcmp(typez, "corridor") == 0)
    begin_single(st, SECT_CORRIDOR, typez, idlen, &st->corridor_line);
  else if (strcmp(typez, "alerts") == 0)
    begin_single(st, SECT_ALERTS, typez, idlen, &st->alerts_line);
  else if (strcmp(typez, "stages") == 0)
    begin_single(st, SECT_STAGES, typez, idlen, &st->stages_line);
  else if (strcmp(typez, "publish") == 0)
    begin_single(st, SECT_PUBLISH, typez, idlen, &st->publish_line);
  else if (strcmp(typez, "checkpoint") == 0)
    begin_keyed(st, SECT_CHECKPOINT, typez, id, idlen);
  else if (strcmp(typez, "category") == 0)
    begin_keyed(st, SECT_CATEGORY, typez, id, idlen);
  else if (strcmp(typez, "obligation") == 0)
    begin_keyed(st, SECT_OBLIGATION, typez, id, idlen);
  else if (strcmp(typez, "witness") == 0)
    begin_keyed(st, SECT_WITNESS, typez, id, idlen);
  else
    perr_add(st, st->lineno,
             "unknown section [%s]; expected [corridor], [checkpoint ID], "
             "[category ID], [obligation ID], [witness ID], [stages], "
             "[alerts] or [publish]",
             st->label);
}

/* ------------------------------------------------------------------ */
/* The line reader                                                     */

/* Returns 1 when the line s[0..n) is well-formed text, else reports it. */
static int
check_line(struct pstate *st, const char *s, size_t n)
{
  const unsigned char *u = (const unsigned char *)s;

  if (n > CORRIDOR_MAX_LINE) {
    perr_add(st, st->lineno, "line longer than %d bytes", CORRIDOR_MAX_LINE);
    return 0;
  }
  for (size_t i = 0; i < n;) {
    size_t len;
    if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f) {
      perr_add(st, st->lineno, "control character 0x%02x in the line", u[i]);
      return 0;
    }
    len = utf8_len(u + i, n - i);
    if (len == 0) {
      perr_add(st, st->lineno,
               "the line is not valid UTF-8 (save the file as UTF-8)");
      return 0;
    }
    i += len;
  }
  return 1;
}

/* Where a comment starts in s[0..n): ';' after a blank, else n. */
static size_t
comment_start(const char *s, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (s[i] == ';' && is_blank(s[i - 1]))
      return i;
  return n;
}

/*
 * Turns one line of the file into what inih gets (into out, size room):
 * "" for blank lines, comments, section headers (handled here) and lines
 * already reported; otherwise "key = value" without comments.
 */
static void
prepare_line(struct pstate *st, const char *s, size_t n, char *out, size_t room)
{
  size_t keylen;
  int more, qn;
  const char *sep;

  out[0] = '\0';
  if (!check_line(st, s, n))
    return;
  while (n > 0 && is_blank(*s))
    s++, n--;
  if (n == 0 || *s == ';' || *s == '#')
    return;
  n = comment_start(s, n);
  while (n > 0 && is_blank(s[n - 1]))
    n--;

  if (*s == '[') {
    if (s[n - 1] != ']') {
      const char *close = memchr(s, ']', n);
      if (close != NULL) {
        size_t rest = n - (size_t)(close + 1 - s);
        qn = quote_len(close + 1, rest, &more);
        perr_add(st, st->lineno, "unexpected text after ']': '%.*s%s'", qn,
                 close + 1, more ? "..." : "");
      } else {
        perr_add(st, st->lineno,
                 "expected ']' at the end of the section header");
      }
      /* Keys that follow belong to no section we know. */
      if (st->kind != SECT_NONE)
        end_section(st);
      st->kind = SECT_SKIP;
      return;
    }
    begin_section(st, s + 1, n - 2);
    return;
  }

  for (sep = s; sep < s + n && *sep != '=' && *sep != ':'; sep++)
    ;
  if (sep == s + n) {
    qn = quote_len(s, n, &more);
    perr_add(st, st->lineno,
             "expected 'key = value', '[section]' or a comment, got '%.*s%s'",
             qn, s, more ? "..." : "");
    return;
  }
  keylen = (size_t)(sep - s);
  while (keylen > 0 && is_blank(s[keylen - 1]))
    keylen--;
  if (keylen == 0) {
    perr_add(st, st->lineno, "expected a key before '%c'", *sep);
    return;
  }
  if (n + 2 <= room) {
    memcpy(out, s, n);
    out[n] = '\0';
    return;
  }
  /* Too long for inih: hand it the key and keep the value. */
  if (keylen + sizeof LONG_VALUE + 2 > room) {
    qn = quote_len(s, keylen, &more);
    perr_add(st, st->lineno, "key '%.*s%s' is too long", qn, s,
             more ? "..." : "");
    return;
  }
  sep++;
  while (sep < s + n && is_blank(*sep))
    sep++;
  free(st->long_value);
  st->long_value = xstrndup(sep, (size_t)(s + n - sep));
  memcpy(out, s, keylen);
  memcpy(out + keylen, "=" LONG_VALUE, sizeof LONG_VALUE + 1);
}

static char *
read_line(char *str, int num, void *stream)
{
  struct pstate *st = stream;
  const char *s = st->p, *nl;
  size_t n;

  if (st->p >= st->end || num < 8)
    return NULL;
  nl = memchr(s, '\n', (size_t)(st->end - s));
  n = nl ? (size_t)(nl - s) : (size_t)(st->end - s);
  st->p = nl ? nl + 1 : st->end;
  st->lineno++;
  if (n > 0 && s[n - 1] == '\r')
    n--;
  if (st->lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
    s += 3, n -= 3;
  prepare_line(st, s, n, str, (size_t)num);
  return str;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static int
parse_num(const char *v, double lo, double hi, double *out)
{
  double d;

  if (util_parse_number(v, strlen(v), &d) != OK || !(d >= lo && d <= hi))
    return 0;
  *out = d;
  return 1;
}

static int
valid_log(const char *v)
{
  if (*v == '\0')
    return 0;
  for (; *v; v++)
    if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '+')
      return 0;
  return 1;
}

/* A witness's submission prefix: http:// or https://, a host, no spaces
 * or control characters (the client appends /add-checkpoint). */
static int
valid_url(const char *v)
{
  size_t skip = strncmp(v, "https://", 8) == 0  ? 8
                : strncmp(v, "http://", 7) == 0 ? 7
                                                : 0;

  if (skip == 0 || v[skip] == '\0' || v[skip] == '/')
    return 0;
  for (const unsigned char *p = (const unsigned char *)v; *p; p++)
    if (*p <= ' ' || *p == 0x7f)
      return 0;
  return 1;
}

/* The shape of a cosignature verifier key (c2sp.org/signed-note):
 * NAME+8 hex digits+base64 of 33 bytes, type 0x04 then the Ed25519 key.
 * Whether the hash matches the key is checked where it is used. */
static int
valid_vkey(const char *v)
{
  const char *plus = strchr(v, '+'), *plus2;
  uint8_t raw[33];

  if (plus == NULL || plus == v || (plus2 = strchr(plus + 1, '+')) == NULL ||
      plus2 - plus != 9)
    return 0;
  for (const char *p = plus + 1; p < plus2; p++)
    if (!isxdigit((unsigned char)*p))
      return 0;
  for (const char *p = v; p < plus; p++)
    if ((unsigned char)*p <= ' ')
      return 0;
  if (util_base64_decode_exact(plus2 + 1, strlen(plus2 + 1), raw, sizeof raw) !=
      OK)
    return 0;
  return raw[0] == 0x04;
}

static int
valid_unit(const char *v)
{
  if (*v == '\0' || strlen(v) > 16)
    return 0;
  for (; *v; v++)
    if (is_blank(*v) || *v == ',')
      return 0;
  return 1;
}

/* Parses "D1..D2" into day numbers; 1 when both are whole dates. */
static int
parse_window(const char *v, long long *from, long long *to)
{
  const char *dots = strstr(v, "..");
  struct ptime a, b;

  if (dots == NULL)
    return 0;
  if (util_parse_time(v, (size_t)(dots - v), &a) != OK ||
      util_parse_time(dots + 2, strlen(dots + 2), &b) != OK ||
      a.prec != TIME_DAY || b.prec != TIME_DAY)
    return 0;
  *from = util_days_from_civil(a.year, a.month, a.day);
  *to = util_days_from_civil(b.year, b.month, b.day);
  return 1;
}

static int
str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_list(char **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(list[i]);
  free(list);
}

/*
 * Splits a comma-separated list; each item must be one of allowed (when
 * nallowed > 0) or a valid id, and appear once. 1 on success.
 */
static int
parse_list(const char *v, const char *const *allowed, size_t nallowed,
           char ***out, size_t *nout)
{
  char **items = NULL, **sorted;
  size_t n = 0;
  int ok = 1;

  for (const char *p = v;;) {
    const char *comma = strchr(p, ',');
    const char *e = comma ? comma : p + strlen(p);
    const char *s = p;
    size_t len;
    int known = nallowed == 0;

    while (s < e && is_blank(*s))
      s++;
    while (e > s && is_blank(e[-1]))
      e--;
    len = (size_t)(e - s);
    for (size_t i = 0; i < nallowed; i++)
      if (strlen(allowed[i]) == len && memcmp(allowed[i], s, len) == 0)
        known = 1;
    if (!known || !valid_id(s, len) || n >= CORRIDOR_MAX_LIST) {
      ok = 0;
      break;
    }
    items = xrealloc(items, (n + 1) * sizeof *items);
    items[n++] = xstrndup(s, len);
    if (comma == NULL)
      break;
    p = comma + 1;
  }
  if (ok && n > 1) {
    sorted = xmalloc(n * sizeof *sorted);
    memcpy(sorted, items, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, str_cmp);
    for (size_t i = 1; i < n; i++)
      if (strcmp(sorted[i - 1], sorted[i]) == 0)
        ok = 0;
    free(sorted);
  }
  if (!ok) {
    free_list(items, n);
    return 0;
  }
  *out = items;
  *nout = n;
  return 1;
}

/* Stores value v of key k into the struct at base; 1 when v is valid. */
static int
set_value(const struct keydef *k, char *base, const char *v)
{
  double d;
  long long from, to;
  char **list;
  size_t n;

  switch (k->type) {
  case V_TZ: /* set_zone reads zones */
    return 0;
  case V_TEXT:
  case V_LOG:
  case V_UNIT:
  case V_URL:
  case V_VKEY:
    if (*v == '\0' || (k->type == V_LOG && !valid_log(v)) ||
        (k->type == V_UNIT && !valid_unit(v)) ||
        (k->type == V_URL && !valid_url(v)) ||
        (k->type == V_VKEY && !valid_vkey(v)))
      return 0;
    *(char **)(base + k->off) = xstrdup(v);
    return 1;
  case V_BASELINE:
    if (!parse_window(v, &from, &to))
      return 0;
    if (from > to)
      return -1;
    ((struct corridor *)base)->baseline_from = from;
    ((struct corridor *)base)->baseline_to = to;
    ((struct corridor *)base)->has_baseline = 1;
    return 1;
  case V_LAT:
  case V_LON:
  case V_NONNEG:
  case V_SHARE:
    if (!parse_num(v,
                   k->type == V_LAT   ? -90
                   : k->type == V_LON ? -180
                                      : 0,
                   k->type == V_LAT     ? 90
                   : k->type == V_LON   ? 180
                   : k->type == V_SHARE ? 1
                                        : HUGE_VAL,
                   &d))
      return 0;
    *(double *)(base + k->off) = d;
    if (k->aux != NO_AUX)
      *(int *)(base + k->aux) = 1;
    return 1;
  case V_COUNT:
    if (!parse_num(v, 0, (double)CORRIDOR_MAX_COUNT, &d) || d != floor(d))
      return 0;
    *(long *)(base + k->off) = (long)d;
    return 1;
  case V_DAYS:
    if (!parse_num(v, 1, CORRIDOR_MAX_DAYS, &d) || d != floor(d))
      return 0;
    *(int *)(base + k->off) = (int)d;
    return 1;
  case V_MEASURES:
    if (!parse_list(v, measure_names, 3, &list, &n))
      return 0;
    goto store_list;
  case V_DIRECTIONS:
    if (!parse_list(v, direction_names, 2, &list, &n))
      return 0;
    goto store_list;
  case V_PUBLISH:
    if (!parse_list(v, corridor_published, NPUBLISHED, &list, &n))
      return 0;
    goto store_list;
  case V_DATE: {
    struct ptime t;
    if (util_parse_time(v, strlen(v), &t) != OK || t.prec != TIME_DAY)
      return 0;
    *(long long *)(base + k->off) =
        util_days_from_civil(t.year, t.month, t.day);
    *(int *)(base + k->aux) = 1;
    return 1;
  }
  case V_YESNO:
    if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
      return 0;
    *(int *)(base + k->off) = strcmp(v, "yes") == 0;
    return 1;
  case V_STAGES:
    /* A stage names a column and a JSON member path: no '.'. */
    if (strchr(v, '.') != NULL)
      return 0;
    /* fall through */
  case V_IDS:
    if (!parse_list(v, NULL, 0, &list, &n))
      return 0;
  store_list:
    *(char ***)(base + k->off) = list;
    *(size_t *)(base + k->aux) = n;
    return 1;
  }
  return 0;
}

static char *
section_base(struct pstate *st)
{
  switch (st->kind) {
  case SECT_CHECKPOINT:
    return (char *)&st->c->checkpoints[st->index];
  case SECT_CATEGORY:
    return (char *)&st->c->categories[st->index];
  case SECT_OBLIGATION:
    return (char *)&st->c->obligations[st->index];
  case SECT_WITNESS:
    return (char *)&st->c->witnesses[st->index];
  default:
    return (char *)st->c;
  }
}

/*
 * Reads the zone of the timezone key, once, so that offsets never need the
 * process's time zone. A name that is no zone gets the usual message; a
 * zone whose file is broken or unreadable gets it with the file and why.
 */
static void
set_zone(struct pstate *st, const char *key, const char *v)
{
  struct corridor *c = st->c;
  struct buf why;
  int r;

  buf_init(&why);
  r = corridor_zone_load(v, &c->zone, &why);
  if (r == OK)
    c->timezone = xstrdup(v);
  else
    bad_value_why(st, key, expected_text(V_TZ), v,
                  r == ERR_NOTFOUND ? NULL : why.data);
  buf_cleanup(&why);
}

/* An obligation ends no earlier than it begins: checked at whichever of
 * from and until comes second, so the message names that line. */
static void
check_in_force(struct pstate *st, const char *key, const char *value)
{
  const struct corridor_obligation *o = &st->c->obligations[st->index];
  int until = strcmp(key, "until") == 0;
  char day[16], expected[64];

  if (!o->has_from || !o->has_until || o->until >= o->from)
    return;
  util_format_day(until ? o->from : o->until, day, sizeof day);
  snprintf(expected, sizeof expected, "a date on or %s %s (%s)",
           until ? "after" : "before", until ? "from" : "until", day);
  bad_value(st, key, expected, value);
}

static int
on_key(void *user, const char *section, const char *key, const char *value)
{
  struct pstate *st = user;
  const struct keydef *k = NULL;
  size_t i;
  int r;

  (void)section; /* sections are tracked by the reader */
  if (strcmp(value, LONG_VALUE) == 0 && st->long_value != NULL)
    value = st->long_value;
  if (st->kind == SECT_NONE) {
    perr_add(st, st->lineno, "key '%s' comes before the first section", key);
    return 1;
  }
  if (st->kind == SECT_SKIP)
    return 1;
  for (i = 0; i < st->nkeys; i++)
    if (strcmp(st->keys[i].key, key) == 0) {
      k = &st->keys[i];
      break;
    }
  if (k == NULL) {
    perr_add(st, st->lineno, "unknown key '%s' in [%s]", key, st->label);
    return 1;
  }
  if (st->seen & (1u << i)) {
    perr_add(st, st->lineno, "duplicate key '%s' in [%s] (first at line %d)",
             key, st->label, st->seen_line[i]);
    return 1;
  }
  st->seen |= 1u << i;
  st->seen_line[i] = st->lineno;
  if (k->type == V_TZ) {
    set_zone(st, key, value);
    return 1;
  }
  r = set_value(k, section_base(st), value);
  if (r == 0)
    bad_value(st, key, expected_text(k->type), value);
  else if (r < 0)
    bad_value(st, key, "the first date on or before the second", value);
  else if (k->type == V_DATE)
    check_in_force(st, key, value);
  return 1;
}

/* ------------------------------------------------------------------ */
/* After the last line                                                 */

static void
check_references(struct pstate *st)
{
  struct corridor *c = st->c;
  char **ids = xmalloc((c->ncheckpoints ? c->ncheckpoints : 1) * sizeof *ids);

  for (size_t i = 0; i < c->ncheckpoints; i++)
    ids[i] = c->checkpoints[i].id;
  qsort(ids, c->ncheckpoints, sizeof *ids, str_cmp);
  for (size_t i = 0; i < c->nobligations; i++) {
    const struct corridor_obligation *o = &c->obligations[i];
    for (size_t j = 0; j < o->ncheckpoints; j++) {
      if (bsearch(&o->checkpoints[j], ids, c->ncheckpoints, sizeof *ids,
                  str_cmp) == NULL)
        perr_add(st, o->line,
                 "key 'checkpoints': expected checkpoint ids defined in "
                 "this file, got '%s'",
                 o->checkpoints[j]);
    }
  }
  free(ids);
}

static char **
list_of(const char *const *names, size_t n, size_t *nout)
{
  char **l = xmalloc(n * sizeof *l);

  for (size_t i = 0; i < n; i++)
    l[i] = xstrdup(names[i]);
  *nout = n;
  return l;
}

const char *const corridor_default_stages[] = {"queued", "inspected", "crossed",
                                               "delivered", NULL};

/* The stages by default, counted at crossed. */
static void
default_stages(struct corridor *c)
{
  c->stages = list_of(corridor_default_stages, 4, &c->nstages);
  c->counting_stage = xstrdup("crossed");
}

/* [stages]: the order defaults to the four stages, the counting stage to
 * crossed, which the order must then name; a counting stage must be in
 * the order. */
static void
finish_stages(struct pstate *st)
{
  struct corridor *c = st->c;

  if (c->stages == NULL && c->counting_stage == NULL) {
    default_stages(c);
    return;
  }
  if (c->stages == NULL)
    c->stages = list_of(corridor_default_stages, 4, &c->nstages);
  if (c->counting_stage == NULL) {
    if (corridor_stage_index(c, "crossed") < 0) {
      perr_add(st, st->stages_line,
               "[stages]: key 'counting': required when 'order' does not "
               "name crossed (which stage counts as having crossed?)");
      return;
    }
    c->counting_stage = xstrdup("crossed");
  } else if (corridor_stage_index(c, c->counting_stage) < 0) {
    perr_add(st, st->stages_line,
             "[stages]: key 'counting': expected one of the stages of "
             "'order', got '%s'",
             c->counting_stage);
  }
}

/* Fills in what the file left out and checks what spans sections. */
static void
finish(struct pstate *st)
{
  struct corridor *c = st->c;

  if (st->corridor_line == 0)
    perr_add(st, 0, "missing required section [corridor]");
  if (c->name != NULL && c->log == NULL) {
    c->log = util_slug(c->name);
    if (*c->log == '\0')
      perr_add(st, st->corridor_line,
               "missing required key 'log' in [corridor] (the name has no "
               "letters or digits to derive it from)");
  }
  if (c->timezone == NULL) {
    c->timezone = xstrdup("UTC");
    c->zone = corridor_zone_utc();
  }
  if (!(c->critical_days <= c->severe_days &&
        c->severe_days <= c->warning_days))
    perr_add(st, st->alerts_line,
             "[alerts]: expected critical_days <= severe_days <= "
             "warning_days, got %d, %d, %d",
             c->critical_days, c->severe_days, c->warning_days);
  for (size_t i = 0; i < c->ncategories; i++) {
    struct corridor_category *k = &c->categories[i];
    if (k->name == NULL)
      k->name = xstrdup(k->id);
    if (k->unit == NULL)
      k->unit = xstrdup("t");
    if (k->need_unit == NULL)
      k->need_unit = xstrdup("kg");
  }
  for (size_t i = 0; i < c->nobligations; i++) {
    struct corridor_obligation *o = &c->obligations[i];
    if (o->text == NULL)
      o->text = xstrdup(o->id);
    if (o->measures == NULL)
      o->measures = list_of(measure_names, 3, &o->nmeasures);
    if (o->directions == NULL)
      o->directions = list_of(direction_names, 2, &o->ndirections);
  }
  finish_stages(st);
  check_references(st);
}

static int
perr_cmp(const void *pa, const void *pb)
{
  const struct perr *a = pa, *b = pb;

  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
has_error_at(const struct pstate *st, int line)
{
  for (size_t i = 0; i < st->nerrs; i++)
    if (st->errs[i].line == line)
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Public                                                              */

static void
set_defaults(struct corridor *c)
{
  c->restricted_weight = 0.5;
  c->dispute_tolerance = 0.10;
  c->min_public_count = 10;
  c->warning_days = 30;
  c->severe_days = 14;
  c->critical_days = 7;
}

struct corridor *
corridor_new_default(const char *name)
{
  struct corridor *c = xcalloc(1, sizeof *c);

  set_defaults(c);
  c->name = xstrdup(name ? name : "");
  c->log = util_slug(c->name);
  c->timezone = xstrdup("UTC");
  c->zone = corridor_zone_utc();
  default_stages(c);
  return c;
}

int
corridor_parse(const char *name, const char *text, size_t len,
               struct corridor **out, struct buf *err)
{
  struct pstate st;
  int r;

  *out = NULL;
  memset(&st, 0, sizeof st);
  st.file = name ? name : "corridor file";
  st.p = text;
  st.end = text + len;
  st.c = xcalloc(1, sizeof *st.c);
  set_defaults(st.c);
  st.kind = SECT_NONE;

  if (len > CORRIDOR_MAX_BYTES) {
    perr_add(&st, 0,
             "the file is larger than %d bytes; a corridor file is "
             "a few kilobytes",
             CORRIDOR_MAX_BYTES);
  } else {
    r = ini_parse_stream(read_line, &st, on_key, &st);
    if (st.kind != SECT_NONE && st.kind != SECT_SKIP)
      end_section(&st);
    if (r > 0 && !has_error_at(&st, r))
      perr_add(&st, r, "cannot read this line");
    else if (r < 0)
      perr_add(&st, 0, "cannot read the file (inih error %d)", r);
    finish(&st);
  }

  if (st.nerrs > 1)
    qsort(st.errs, st.nerrs, sizeof *st.errs, perr_cmp);
  for (size_t i = 0; i < st.nerrs; i++) {
    if (err != NULL)
      buf_printf(err, "%s\n", st.errs[i].msg);
    free(st.errs[i].msg);
  }
  if (st.nlost > 0 && err != NULL)
    buf_printf(err, "%s: %zu more problems not listed\n", st.file, st.nlost);
  r = (st.nerrs > 0) ? ERR_INVALID : OK;
  if (r == OK) {
    *out = st.c;
    st.c = NULL;
  }
  corridor_free(st.c);
  free(st.errs);
  free(st.long_value);
  return r;
}

int
corridor_load(const char *path, struct corridor **out, struct buf *err)
{
  struct stat sb;
  char *text = NULL;
  size_t len = 0;
  ssize_t got;
  int fd, r = ERR_IO;

  *out = NULL;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (err != NULL)
      buf_printf(err, "%s: cannot open: %s\n", path, strerror(errno));
    return ERR_IO;
  }
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (err != NULL)
      buf_printf(err, "%s: not a regular file\n", path);
    goto out;
  }
  /* Read one byte past the cap so that corridor_parse sees an oversize
     file as such. */
  text = xmalloc(CORRIDOR_MAX_BYTES + 2);
  for (;;) {
    got = read(fd, text + len, CORRIDOR_MAX_BYTES + 1 - len);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      if (err != NULL)
        buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
      goto out;
    }
    if (got == 0)
      break;
    len += (size_t)got;
    if (len > CORRIDOR_MAX_BYTES)
      break;
  }
  r = corridor_parse(path, text, len, out, err);
out:
  free(text);
  close(fd);
  return r;
}

void
corridor_free(struct corridor *c)
{
  if (c == NULL)
    return;
  free(c->name);
  free(c->log);
  free(c->timezone);
  corridor_zone_free(c->zone);
  free(c->inside);
  for (size_t i = 0; i < c->ncheckpoints; i++) {
    free(c->checkpoints[i].id);
    free(c->checkpoints[i].name);
    free(c->checkpoints[i].note);
  }
  free(c->checkpoints);
  for (size_t i = 0; i < c->ncategories; i++) {
    free(c->categories[i].id);
    free(c->categories[i].name);
    free(c->categories[i].unit);
    free(c->categories[i].need_unit);
  }
  free(c->categories);
  for (size_t i = 0; i < c->nobligations; i++) {
    struct corridor_obligation *o = &c->obligations[i];
    free(o->id);
    free(o->text);
    free_list(o->measures, o->nmeasures);
    free_list(o->directions, o->ndirections);
    free_list(o->checkpoints, o->ncheckpoints);
  }
  free(c->obligations);
  free_list(c->stages, c->nstages);
  free(c->counting_stage);
  for (size_t i = 0; i < c->npublish; i++)
    free(c->publish[i]);
  free(c->publish);
  for (size_t i = 0; i < c->nwitnesses; i++) {
    free(c->witnesses[i].id);
    free(c->witnesses[i].url);
    free(c->witnesses[i].key);
  }
  free(c->witnesses);
  free(c);
}

const struct corridor_checkpoint *
corridor_find_checkpoint(const struct corridor *c, const char *id)
{
  for (size_t i = 0; c != NULL && i < c->ncheckpoints; i++)
    if (strcmp(c->checkpoints[i].id, id) == 0)
      return &c->checkpoints[i];
  return NULL;
}

int
corridor_stage_index(const struct corridor *c, const char *stage)
{
  for (size_t i = 0; c != NULL && stage != NULL && i < c->nstages; i++)
    if (strcmp(c->stages[i], stage) == 0)
      return (int)i;
  return -1;
}

const struct corridor_category *
corridor_find_category(const struct corridor *c, const char *id)
{
  for (size_t i = 0; c != NULL && i < c->ncategories; i++)
    if (strcmp(c->categories[i].id, id) == 0)
      return &c->categories[i];
  return NULL;
}
