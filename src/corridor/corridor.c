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
#include "util/i18n.h"

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

/* Hard caps: a real corridor file is a few kilobytes (and the file's own,
 * CORRIDOR_MAX_BYTES, is in corridor.h). */
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

/* The sections (indexes into sections[] below), then the reader's two
 * states outside any. */
enum sect {
  SECT_CORRIDOR,
  SECT_CHECKPOINT,
  SECT_CATEGORY,
  SECT_OBLIGATION,
  SECT_WITNESS,
  SECT_STAGES,
  SECT_ALERTS,
  SECT_PUBLISH,
  NSECT,
  SECT_NONE, /* before the first section */
  SECT_SKIP, /* a section already reported as wrong: keys ignored */
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

/*
 * The sections: one line each, and everything else (the reader, the JSON
 * form of the log's corridor entry, the INI form of `corridor show`,
 * freeing) walks this table and the key tables, so that a key or a section
 * added here is read, logged, shown and freed by construction. A single
 * section ([corridor]) keeps its keys in struct corridor itself; a keyed
 * one ([checkpoint ID]) is an array of structs in it, each with its id and
 * line.
 */
struct section {
  const char *type;    /* the header's word */
  const char *member;  /* its member in the JSON form */
  const char *example; /* an id, for the message of a missing one */
  const struct keydef *keys;
  size_t nkeys;
  int need_name; /* 'name' (keys[0]) is required */
  int keyed;
  size_t array, count, size, id, line; /* keyed: where the array lies */
};

#define SINGLE(t, m, k, need)                                                  \
  {                                                                            \
    t, m, NULL, k, NKEYS(k), need, 0, 0, 0, 0, 0, 0                            \
  }
#define KEYED(t, m, ex, s, k, arr, n, need)                                    \
  {                                                                            \
    t, m, ex, k, NKEYS(k), need, 1, offsetof(struct corridor, arr),            \
        offsetof(struct corridor, n), sizeof(struct s),                        \
        offsetof(struct s, id), offsetof(struct s, line)                       \
  }

static const struct section sections[NSECT] = {
    [SECT_CORRIDOR] = SINGLE("corridor", "corridor", corridor_keys, 1),
    [SECT_CHECKPOINT] =
        KEYED("checkpoint", "checkpoints", "kerem-shalom", corridor_checkpoint,
              checkpoint_keys, checkpoints, ncheckpoints, 1),
    [SECT_CATEGORY] = KEYED("category", "categories", "food", corridor_category,
                            category_keys, categories, ncategories, 0),
    [SECT_OBLIGATION] =
        KEYED("obligation", "obligations", "free-movement", corridor_obligation,
              obligation_keys, obligations, nobligations, 0),
    [SECT_WITNESS] = KEYED("witness", "witnesses", "icrc", corridor_witness,
                           witness_keys, witnesses, nwitnesses, 0),
    [SECT_STAGES] = SINGLE("stages", "stages", stages_keys, 0),
    [SECT_ALERTS] = SINGLE("alerts", "alerts", alerts_keys, 0),
    [SECT_PUBLISH] = SINGLE("publish", "publish", publish_keys, 0),
};

/* The array of a keyed section, its count, and element i. */
static char **
sect_array(const struct section *sec, const struct corridor *c)
{
  return (char **)((char *)c + sec->array);
}

static size_t *
sect_count(const struct section *sec, const struct corridor *c)
{
  return (size_t *)((char *)c + sec->count);
}

static char *
sect_elem(const struct section *sec, const struct corridor *c, size_t i)
{
  return *sect_array(sec, c) + i * sec->size;
}

static const char *
elem_id(const struct section *sec, const char *el)
{
  return *(char *const *)(el + sec->id);
}

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
    return _("a non-empty text");
  case V_LOG:
    return _("a log name without spaces or '+', such as "
             "'example.org/gaza-crossings'");
  case V_TZ:
    return _("an IANA time zone name such as 'Asia/Gaza' or 'UTC'");
  case V_BASELINE:
    return _("two dates FROM..TO such as '2023-08-01..2023-09-30'");
  case V_LAT:
    return _("a number between -90 and 90");
  case V_LON:
    return _("a number between -180 and 180");
  case V_NONNEG:
    return _("a number of 0 or more");
  case V_SHARE:
    return _("a number between 0 and 1");
  case V_COUNT:
    return _("a whole number of 0 or more");
  case V_DAYS:
    return _("a whole number of days between 1 and 3650");
  case V_UNIT:
    return _("a unit written as one word, such as 't', 'kg' or 'l'");
  case V_MEASURES:
    return _("a comma-separated list from persons, vehicles, tonnes, each at "
             "most once");
  case V_DIRECTIONS:
    return _("a comma-separated list from in, out, each at most once");
  case V_IDS:
    return _("a comma-separated list of checkpoint ids, each at most once");
  case V_URL:
    return _("the witness's submission prefix, an http:// or https:// URL "
             "such as 'https://witness.example.org/passage'");
  case V_VKEY:
    return _("the witness's verifier key, as 'passage key public --key FILE "
             "--cosignature' prints it (NAME+HASH+KEY, key type 0x04)");
  case V_STAGES:
    return _("a comma-separated list of stage names (lower-case letters, "
             "digits, '_' and '-', such as queued, inspected, crossed, "
             "delivered), each at most once");
  case V_PUBLISH:
    return _("a comma-separated list from flows, index, availability, "
             "compliance, supply, pipeline, events, each at most once");
  case V_DATE:
    return _("a date such as '2023-02-22'");
  case V_YESNO:
    return _("yes or no");
  }
  return _("a value");
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
  int single_line[NSECT]; /* single sections: the line seen at, or 0 */

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
  int json;         /* read from the JSON form, which has no lines */
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
  if (line > 0 && !st->json)
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

  perr_add(st, st->lineno, _("key '%s': expected %s, got '%.*s%s'%s%s%s"), key,
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
  /* "name" is keys[0] where it is required. */
  if (st->kind < NSECT && sections[st->kind].need_name && !(st->seen & 1u))
    perr_add(st, st->sect_line, _("missing required key 'name' in [%s]"),
             st->label);
  for (size_t i = 0; st->kind == SECT_WITNESS && i < NKEYS(witness_keys); i++)
    if (!(st->seen & (1u << i)))
      perr_add(st, st->sect_line, _("missing required key '%s' in [%s]"),
               witness_keys[i].key, st->label);
  st->kind = SECT_SKIP;
  st->seen = 0;
}

/* Returns the line of the keyed section's element with this id, or 0
 * (also 1 for one read from JSON, which has no lines). */
static int
find_section(const struct pstate *st, const struct section *sec, const char *id)
{
  size_t n = *sect_count(sec, st->c);

  for (size_t i = 0; i < n; i++) {
    const char *el = sect_elem(sec, st->c, i);
    if (strcmp(elem_id(sec, el), id) == 0) {
      int line = *(const int *)(el + sec->line);
      return line > 0 ? line : 1;
    }
  }
  return 0;
}

static void
begin_keyed(struct pstate *st, enum sect kind, const char *id, size_t idlen)
{
  const struct section *sec = &sections[kind];
  char **array = sect_array(sec, st->c), *el, *idz;
  size_t *n = sect_count(sec, st->c);
  int first, more, qn;

  if (idlen == 0) {
    perr_add(st, st->lineno, _("section [%s] needs an id, as in [%s %s]"),
             sec->type, sec->type, sec->example);
    return;
  }
  if (!valid_id(id, idlen)) {
    qn = quote_len(id, idlen, &more);
    perr_add(st, st->lineno,
             _("section [%s]: id '%.*s%s' must match [a-z0-9][a-z0-9._-]* "
               "(lower-case letters, digits, '.', '_' and '-', starting with a "
               "letter or digit, at most %d characters)"),
             st->label, qn, id, more ? "..." : "", CORRIDOR_MAX_ID);
    return;
  }
  if (kind == SECT_CHECKPOINT && idlen == 8 && memcmp(id, "corridor", 8) == 0) {
    /* Outputs list the corridor's own availability under this name. */
    perr_add(st, st->lineno,
             _("section [%s]: the id 'corridor' is reserved for the corridor "
               "as a whole; choose another"),
             st->label);
    return;
  }
  idz = xstrndup(id, idlen);
  first = find_section(st, sec, idz);
  if (first) {
    perr_add(st, st->lineno, _("duplicate section [%s] (first at line %d)"),
             st->label, first);
    free(idz);
    return;
  }
  *array = xrealloc(*array, (*n + 1) * sec->size);
  el = *array + *n * sec->size;
  memset(el, 0, sec->size);
  *(char **)(el + sec->id) = idz;
  *(int *)(el + sec->line) = st->lineno;
  if (kind == SECT_CHECKPOINT)
    ((struct corridor_checkpoint *)el)->route = 1; /* on the road */
  st->index = (*n)++;
  st->keys = sec->keys;
  st->nkeys = sec->nkeys;
  st->kind = kind;
}

static void
begin_single(struct pstate *st, enum sect kind, size_t idlen)
{
  const struct section *sec = &sections[kind];
  int *seen_line = &st->single_line[kind];

  if (idlen > 0) {
    perr_add(st, st->lineno, _("section [%s] takes no id, got [%s]"), sec->type,
             st->label);
    return;
  }
  if (*seen_line) {
    perr_add(st, st->lineno, _("duplicate section [%s] (first at line %d)"),
             sec->type, *seen_line);
    return;
  }
  *seen_line = st->lineno > 0 ? st->lineno : 1;
  st->kind = kind;
  st->keys = sec->keys;
  st->nkeys = sec->nkeys;
}

/* Starts the section whose header holds s[0..n) between the brackets. */
static void
begin_section(struct pstate *st, const char *s, size_t n)
{
  const char *type, *id;
  size_t typelen, idlen;
  struct buf known;
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
      perr_add(st, st->lineno, _("too many sections (at most %d)"),
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
  for (int k = 0; k < NSECT; k++) {
    const struct section *sec = &sections[k];
    if (strlen(sec->type) != typelen || memcmp(sec->type, type, typelen) != 0)
      continue;
    if (sec->keyed)
      begin_keyed(st, (enum sect)k, id, idlen);
    else
      begin_single(st, (enum sect)k, idlen);
    return;
  }
  buf_init(&known);
  for (int k = 0; k < NSECT; k++)
    buf_printf(&known, "%s[%s%s]",
               k == 0           ? ""
               : k == NSECT - 1 ? " or "
                                : ", ",
               sections[k].type, sections[k].keyed ? " ID" : "");
  perr_add(st, st->lineno, _("unknown section [%s]; expected %s"), st->label,
           known.data);
  buf_cleanup(&known);
}

/* ------------------------------------------------------------------ */
/* The line reader                                                     */

/* Returns 1 when the line s[0..n) is well-formed text, else reports it. */
static int
check_line(struct pstate *st, const char *s, size_t n)
{
  const unsigned char *u = (const unsigned char *)s;

  if (n > CORRIDOR_MAX_LINE) {
    perr_add(st, st->lineno, _("line longer than %d bytes"), CORRIDOR_MAX_LINE);
    return 0;
  }
  for (size_t i = 0; i < n;) {
    size_t len;
    if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f) {
      perr_add(st, st->lineno, _("control character 0x%02x in the line"), u[i]);
      return 0;
    }
    len = utf8_len(u + i, n - i);
    if (len == 0) {
      perr_add(st, st->lineno,
               _("the line is not valid UTF-8 (save the file as UTF-8)"));
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
        perr_add(st, st->lineno, _("unexpected text after ']': '%.*s%s'"), qn,
                 close + 1, more ? "..." : "");
      } else {
        perr_add(st, st->lineno,
                 _("expected ']' at the end of the section header"));
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
    perr_add(
        st, st->lineno,
        _("expected 'key = value', '[section]' or a comment, got '%.*s%s'"), qn,
        s, more ? "..." : "");
    return;
  }
  keylen = (size_t)(sep - s);
  while (keylen > 0 && is_blank(s[keylen - 1]))
    keylen--;
  if (keylen == 0) {
    perr_add(st, st->lineno, _("expected a key before '%c'"), *sep);
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
    perr_add(st, st->lineno, _("key '%.*s%s' is too long"), qn, s,
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
  const struct section *sec = &sections[st->kind];

  return sec->keyed ? sect_elem(sec, st->c, st->index) : (char *)st->c;
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
  snprintf(expected, sizeof expected,
           until ? _("a date on or after from (%s)")
                 : _("a date on or before until (%s)"),
           day);
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
    perr_add(st, st->lineno, _("key '%s' comes before the first section"), key);
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
    perr_add(st, st->lineno, _("unknown key '%s' in [%s]"), key, st->label);
    return 1;
  }
  if (st->seen & (1u << i)) {
    perr_add(st, st->lineno, _("duplicate key '%s' in [%s] (first at line %d)"),
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
    bad_value(st, key, _("the first date on or before the second"), value);
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
                 _("key 'checkpoints': expected checkpoint ids defined in "
                   "this file, got '%s'"),
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
      perr_add(st, st->single_line[SECT_STAGES],
               _("[stages]: key 'counting': required when 'order' does not "
                 "name crossed (which stage counts as having crossed?)"));
      return;
    }
    c->counting_stage = xstrdup("crossed");
  } else if (corridor_stage_index(c, c->counting_stage) < 0) {
    perr_add(st, st->single_line[SECT_STAGES],
             _("[stages]: key 'counting': expected one of the stages of "
               "'order', got '%s'"),
             c->counting_stage);
  }
}

/* Fills in what the file left out and checks what spans sections. */
static void
finish(struct pstate *st)
{
  struct corridor *c = st->c;

  if (st->single_line[SECT_CORRIDOR] == 0)
    perr_add(st, 0, _("missing required section [corridor]"));
  if (c->name != NULL && c->log == NULL) {
    c->log = util_slug(c->name);
    if (*c->log == '\0')
      perr_add(st, st->single_line[SECT_CORRIDOR],
               _("missing required key 'log' in [corridor] (the name has no "
                 "letters or digits to derive it from)"));
  }
  if (c->timezone == NULL) {
    c->timezone = xstrdup("UTC");
    c->zone = corridor_zone_utc();
  }
  if (!(c->critical_days <= c->severe_days &&
        c->severe_days <= c->warning_days))
    perr_add(st, st->single_line[SECT_ALERTS],
             _("[alerts]: expected critical_days <= severe_days <= "
               "warning_days, got %d, %d, %d"),
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

/* Hands the corridor over, or lists the problems found (sorted by line,
 * then as found) one a line in err. */
static int
conclude(struct pstate *st, struct corridor **out, struct buf *err)
{
  int r;

  if (st->nerrs > 1)
    qsort(st->errs, st->nerrs, sizeof *st->errs, perr_cmp);
  for (size_t i = 0; i < st->nerrs; i++) {
    if (err != NULL)
      buf_printf(err, "%s\n", st->errs[i].msg);
    free(st->errs[i].msg);
  }
  if (st->nlost > 0 && err != NULL)
    buf_printf(err,
               ngettext("%s: %zu more problems not listed\n",
                        "%s: %zu more problems not listed\n",
                        (unsigned long)st->nlost),
               st->file, st->nlost);
  r = (st->nerrs > 0) ? ERR_INVALID : OK;
  if (r == OK) {
    *out = st->c;
    st->c = NULL;
  }
  corridor_free(st->c);
  free(st->errs);
  free(st->long_value);
  return r;
}

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

/*
 * A corridor file may also be the JSON form of a log's corridor entry (as
 * `passage corridor show --format json` and `log entries` print it), so
 * that a party can rebuild a store from a published log alone: its
 * "record" and "version" members are the entry's, the rest the rules.
 */
static int
parse_entry(const char *name, const char *text, size_t len,
            struct corridor **out, struct buf *err)
{
  const char *file = name ? name : _("corridor file");
  json_error_t jerr;
  json_t *j, *rec;
  int r;

  *out = NULL;
  j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL) {
    if (err != NULL)
      buf_printf(err, _("%s:%d: not JSON: %s\n"), file, jerr.line, jerr.text);
    return ERR_INVALID;
  }
  rec = json_object_get(j, "record");
  if (rec != NULL && !(json_is_string(rec) &&
                       strcmp(json_string_value(rec), "corridor") == 0)) {
    if (err != NULL)
      buf_printf(err, _("%s: a log entry of another kind, not a corridor\n"),
                 file);
    json_decref(j);
    return ERR_INVALID;
  }
  json_object_del(j, "record");
  json_object_del(j, "version");
  r = corridor_from_json(file, j, out, err);
  json_decref(j);
  return r;
}

int
corridor_parse(const char *name, const char *text, size_t len,
               struct corridor **out, struct buf *err)
{
  struct pstate st;
  size_t lead = 0;
  int r;

  *out = NULL;
  while (lead < len &&
         (is_blank(text[lead]) || text[lead] == '\n' || text[lead] == '\r'))
    lead++;
  if (lead < len && text[lead] == '{' && len <= CORRIDOR_MAX_BYTES)
    return parse_entry(name, text, len, out, err);
  memset(&st, 0, sizeof st);
  st.file = name ? name : _("corridor file");
  st.p = text;
  st.end = text + len;
  st.c = xcalloc(1, sizeof *st.c);
  set_defaults(st.c);
  st.kind = SECT_NONE;

  if (len > CORRIDOR_MAX_BYTES) {
    perr_add(&st, 0,
             _("the file is larger than %d bytes; a corridor file is "
               "a few kilobytes"),
             CORRIDOR_MAX_BYTES);
  } else {
    r = ini_parse_stream(read_line, &st, on_key, &st);
    if (st.kind != SECT_NONE && st.kind != SECT_SKIP)
      end_section(&st);
    if (r > 0 && !has_error_at(&st, r))
      perr_add(&st, r, _("cannot read this line"));
    else if (r < 0)
      perr_add(&st, 0, _("cannot read the file (inih error %d)"), r);
    finish(&st);
  }

  return conclude(&st, out, err);
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
      buf_printf(err, _("%s: cannot open: %s\n"), path, strerror(errno));
    return ERR_IO;
  }
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (err != NULL)
      buf_printf(err, _("%s: not a regular file\n"), path);
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
        buf_printf(err, _("%s: cannot read: %s\n"), path, strerror(errno));
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

/* Frees the values of a section's keys in the struct at base. */
static void
free_values(const struct section *sec, char *base)
{
  for (size_t i = 0; i < sec->nkeys; i++) {
    const struct keydef *k = &sec->keys[i];
    switch (k->type) {
    case V_TEXT:
    case V_LOG:
    case V_TZ:
    case V_UNIT:
    case V_URL:
    case V_VKEY:
      free(*(char **)(base + k->off));
      break;
    case V_MEASURES:
    case V_DIRECTIONS:
    case V_IDS:
    case V_STAGES:
    case V_PUBLISH:
      free_list(*(char ***)(base + k->off), *(size_t *)(base + k->aux));
      break;
    case V_BASELINE:
    case V_LAT:
    case V_LON:
    case V_NONNEG:
    case V_SHARE:
    case V_COUNT:
    case V_DAYS:
    case V_DATE:
    case V_YESNO:
      break;
    }
  }
}

void
corridor_free(struct corridor *c)
{
  if (c == NULL)
    return;
  for (int k = 0; k < NSECT; k++) {
    const struct section *sec = &sections[k];
    if (!sec->keyed) {
      free_values(sec, (char *)c);
      continue;
    }
    for (size_t i = 0; i < *sect_count(sec, c); i++) {
      char *el = sect_elem(sec, c, i);
      free(*(char **)(el + sec->id));
      free_values(sec, el);
    }
    free(*sect_array(sec, c));
  }
  corridor_zone_free(c->zone);
  free(c);
}

/* ------------------------------------------------------------------ */
/* The JSON form (the log's corridor entry) and the file form          */

/* The value of key k in the struct at base as JSON; NULL when absent. */
static json_t *
value_json(const struct keydef *k, const char *base)
{
  switch (k->type) {
  case V_TEXT:
  case V_LOG:
  case V_TZ:
  case V_UNIT:
  case V_URL:
  case V_VKEY: {
    const char *v = *(char *const *)(base + k->off);
    return v ? json_string(v) : NULL;
  }
  case V_DATE: {
    char day[16];
    if (!*(const int *)(base + k->aux))
      return NULL;
    util_format_day(*(const long long *)(base + k->off), day, sizeof day);
    return json_string(day);
  }
  case V_YESNO:
    return json_boolean(*(const int *)(base + k->off));
  case V_BASELINE: {
    const struct corridor *c = (const struct corridor *)base;
    char from[16], to[16];
    if (!c->has_baseline)
      return NULL;
    util_format_day(c->baseline_from, from, sizeof from);
    util_format_day(c->baseline_to, to, sizeof to);
    return json_pack("{s:s,s:s}", "from", from, "to", to);
  }
  case V_LAT:
  case V_LON:
  case V_NONNEG:
  case V_SHARE:
    if (k->aux != NO_AUX && !*(const int *)(base + k->aux))
      return NULL;
    return json_real(*(const double *)(base + k->off));
  case V_COUNT:
    return json_integer(*(const long *)(base + k->off));
  case V_DAYS:
    return json_integer(*(const int *)(base + k->off));
  case V_MEASURES:
  case V_DIRECTIONS:
  case V_IDS:
  case V_STAGES:
  case V_PUBLISH: {
    char *const *list = *(char **const *)(base + k->off);
    size_t n = *(const size_t *)(base + k->aux);
    json_t *a;
    if (n == 0)
      return NULL;
    a = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(a, json_string(list[i]));
    return a;
  }
  }
  return NULL;
}

/* A section's keys at base as a JSON object (with the id, when keyed). */
static json_t *
section_json(const struct section *sec, const char *base)
{
  json_t *o = json_object();

  if (sec->keyed)
    json_object_set_new(o, "id", json_string(elem_id(sec, base)));
  for (size_t i = 0; i < sec->nkeys; i++) {
    json_t *v = value_json(&sec->keys[i], base);
    if (v != NULL)
      json_object_set_new(o, sec->keys[i].key, v);
  }
  return o;
}

json_t *
corridor_to_json(const struct corridor *c)
{
  json_t *root = json_object();

  for (int k = 0; k < NSECT; k++) {
    const struct section *sec = &sections[k];
    json_t *v;
    if (!sec->keyed) {
      json_object_set_new(root, sec->member, section_json(sec, (char *)c));
      continue;
    }
    v = json_array();
    for (size_t i = 0; i < *sect_count(sec, c); i++)
      json_array_append_new(v, section_json(sec, sect_elem(sec, c, i)));
    json_object_set_new(root, sec->member, v);
  }
  return root;
}

/*
 * Text that a line "key = TEXT" of a corridor file gives back unchanged:
 * UTF-8 (jansson's strings are) without control characters, nothing the
 * reader strips (blanks at either end) or takes for a comment (a ';' at
 * the start or after a blank), and short enough for a line. 1 when
 * s[0..n) is such text.
 */
static int
file_safe(const char *s, size_t n)
{
  if (n == 0 || n > CORRIDOR_MAX_LINE - 128 || memchr(s, '\0', n) ||
      is_blank(s[0]) || is_blank(s[n - 1]) || s[0] == ';')
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char u = (unsigned char)s[i];
    if (u < 0x20 || u == 0x7f || (s[i] == ';' && is_blank(s[i - 1])))
      return 0;
  }
  return 1;
}

/*
 * The text a corridor file holds for the JSON value v of key k, appended
 * to out, so that both forms go through one set of checks: 1 when v has
 * k's JSON type and can be written in a file, else 0.
 */
static int
value_text(const struct keydef *k, const json_t *v, struct buf *out)
{
  char num[32];

  switch (k->type) {
  case V_TEXT:
  case V_LOG:
  case V_TZ:
  case V_UNIT:
  case V_URL:
  case V_VKEY:
  case V_DATE:
    if (!json_is_string(v) ||
        !file_safe(json_string_value(v), json_string_length(v)))
      return 0;
    buf_append(out, json_string_value(v), json_string_length(v));
    return 1;
  case V_BASELINE: {
    const json_t *from = json_object_get(v, "from"),
                 *to = json_object_get(v, "to");
    if (!json_is_object(v) || json_object_size(v) != 2 ||
        !json_is_string(from) || !json_is_string(to) ||
        !file_safe(json_string_value(from), json_string_length(from)) ||
        !file_safe(json_string_value(to), json_string_length(to)))
      return 0;
    buf_printf(out, "%s..%s", json_string_value(from), json_string_value(to));
    return 1;
  }
  case V_LAT:
  case V_LON:
  case V_NONNEG:
  case V_SHARE:
  case V_COUNT:
  case V_DAYS:
    if (!json_is_number(v))
      return 0;
    util_format_number(json_number_value(v), num, sizeof num);
    buf_puts(out, num);
    return 1;
  case V_YESNO:
    if (!json_is_boolean(v))
      return 0;
    buf_puts(out, json_is_true(v) ? "yes" : "no");
    return 1;
  case V_MEASURES:
  case V_DIRECTIONS:
  case V_IDS:
  case V_STAGES:
  case V_PUBLISH:
    if (!json_is_array(v) || json_array_size(v) == 0)
      return 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
      const json_t *e = json_array_get(v, i);
      if (!json_is_string(e) ||
          !file_safe(json_string_value(e), json_string_length(e)) ||
          strchr(json_string_value(e), ','))
        return 0;
      buf_printf(out, "%s%s", i ? ", " : "", json_string_value(e));
    }
    return 1;
  }
  return 0;
}

/* What a JSON value is, for messages: its text, cut. */
static void
bad_json(struct pstate *st, const struct keydef *k, const json_t *v)
{
  char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

  bad_value_why(st, k->key, expected_text(k->type), text ? text : "?",
                _("in the JSON form"));
  free(text);
}

/* The member names of o, sorted (jansson walks an object in hash order):
 * problems are then listed in the order of the canonical bytes. A new
 * array of borrowed names; *n says how many. */
static const char **
sorted_keys(const json_t *o, size_t *n)
{
  const char **keys = xcalloc(json_object_size(o) + 1, sizeof *keys);
  const char *key;
  json_t *v;

  *n = 0;
  json_object_foreach((json_t *)o, key, v) keys[(*n)++] = key;
  qsort(keys, *n, sizeof *keys, str_cmp);
  return keys;
}

/* Feeds the members of o to the current section as keys ("id" excepted in
 * a keyed one: it made the header). */
static void
feed_keys(struct pstate *st, const json_t *o, int keyed)
{
  size_t nkeys;
  const char **keys = sorted_keys(o, &nkeys);
  struct buf text;

  buf_init(&text);
  for (size_t m = 0; m < nkeys; m++) {
    const char *key = keys[m];
    const json_t *v = json_object_get(o, key);
    const struct keydef *k = NULL;
    if (keyed && strcmp(key, "id") == 0)
      continue;
    if (st->kind == SECT_SKIP)
      break;
    for (size_t i = 0; i < st->nkeys; i++)
      if (strcmp(st->keys[i].key, key) == 0)
        k = &st->keys[i];
    buf_reset(&text);
    if (k != NULL && !value_text(k, v, &text)) {
      bad_json(st, k, v);
      continue;
    }
    /* An unknown key is reported by on_key as in a file. */
    on_key(st, NULL, key, text.data ? text.data : "");
  }
  buf_cleanup(&text);
  free(keys);
}

/* One section's members: an object, or an array of objects with ids. */
static void
feed_section(struct pstate *st, const struct section *sec, const json_t *v)
{
  struct buf head;

  buf_init(&head);
  if (!sec->keyed) {
    if (!json_is_object(v))
      perr_add(st, 0, _("member '%s': expected an object"), sec->member);
    else {
      begin_section(st, sec->type, strlen(sec->type));
      feed_keys(st, v, 0);
    }
  } else if (!json_is_array(v)) {
    perr_add(st, 0, _("member '%s': expected an array"), sec->member);
  }
  for (size_t i = 0; sec->keyed && i < json_array_size(v); i++) {
    const json_t *e = json_array_get(v, i), *id = json_object_get(e, "id");
    if (!json_is_object(e) || !json_is_string(id)) {
      perr_add(st, 0, _("member '%s': expected objects with an \"id\""),
               sec->member);
      break;
    }
    buf_reset(&head);
    buf_printf(&head, "%s %s", sec->type, json_string_value(id));
    begin_section(st, head.data, head.len);
    feed_keys(st, e, 1);
  }
  if (st->kind != SECT_NONE && st->kind != SECT_SKIP)
    end_section(st);
  buf_cleanup(&head);
}

int
corridor_from_json(const char *name, const json_t *v, struct corridor **out,
                   struct buf *err)
{
  struct pstate st;
  const char **keys;
  size_t nkeys;

  *out = NULL;
  memset(&st, 0, sizeof st);
  st.file = name ? name : "corridor";
  st.json = 1;
  st.c = xcalloc(1, sizeof *st.c);
  set_defaults(st.c);
  st.kind = SECT_NONE;
  if (!json_is_object(v)) {
    perr_add(&st, 0, _("expected a JSON object"));
    return conclude(&st, out, err);
  }
  keys = sorted_keys(v, &nkeys);
  for (size_t m = 0; m < nkeys; m++) {
    int k;
    for (k = 0; k < NSECT && strcmp(sections[k].member, keys[m]) != 0; k++)
      ;
    if (k == NSECT)
      perr_add(&st, 0, _("unknown member '%s'"), keys[m]);
    else
      feed_section(&st, &sections[k], json_object_get(v, keys[m]));
  }
  free(keys);
  finish(&st);
  return conclude(&st, out, err);
}

void
corridor_to_ini(const struct corridor *c, struct buf *out)
{
  struct buf text, keys;
  int first = 1;

  buf_init(&text);
  buf_init(&keys);
  for (int k = 0; k < NSECT; k++) {
    const struct section *sec = &sections[k];
    size_t n = sec->keyed ? *sect_count(sec, c) : 1;
    for (size_t i = 0; i < n; i++) {
      const char *base = sec->keyed ? sect_elem(sec, c, i) : (const char *)c;
      buf_reset(&keys);
      for (size_t j = 0; j < sec->nkeys; j++) {
        const struct keydef *kd = &sec->keys[j];
        json_t *v = value_json(kd, base);
        buf_reset(&text);
        if (v != NULL && value_text(kd, v, &text))
          buf_printf(&keys, "%s = %s\n", kd->key, text.data);
        json_decref(v);
      }
      /* A single section with nothing set ([publish] by default) is
       * left out: its absence says the same. */
      if (!sec->keyed && keys.len == 0)
        continue;
      if (!first)
        buf_putc(out, '\n');
      first = 0;
      if (sec->keyed)
        buf_printf(out, "[%s %s]\n", sec->type, elem_id(sec, base));
      else
        buf_printf(out, "[%s]\n", sec->type);
      if (keys.len > 0)
        buf_append(out, keys.data, keys.len);
    }
  }
  buf_cleanup(&keys);
  buf_cleanup(&text);
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
