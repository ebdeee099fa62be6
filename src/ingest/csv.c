/*
 * CSV reader (see csv.h for the contract).
 *
 * Speed comes from never looking at ordinary bytes one at a time: the
 * positions of the next line feed, carriage return and double quote are
 * found with memchr and remembered (struct scan), so a file without quotes
 * is searched for quotes once in all, and an unquoted field is found with
 * one memchr for its comma. Only the inside of quoted fields is walked
 * byte by byte, to count the line breaks it holds.
 *
 * Decisions the contract leaves open:
 * - A line ends at CRLF, LF or a lone CR (old Mac exports); line numbers
 *   count all three, including those inside quoted fields.
 * - A blank line is one with nothing before its line end. A line of spaces
 *   is a record with one field of spaces: the reader does not trim, and
 *   whether " " means "missing" is for the caller's column rules.
 * - After an error the reader resumes at the line after the one where the
 *   failed record started. For an error on a single line that is simply the
 *   next line; for a quote that was never meant to open a field (the usual
 *   cause of errors across lines) it gives back the lines it swallowed.
 * - A record's size is its raw bytes from its first byte up to (not
 *   including) its final line end.
 *
 * A stream is read into a window that always holds, before a record is
 * parsed, at least max_record + 2 bytes from the record's start (or all
 * that is left): so a record within the cap, with its CRLF, is always
 * whole in the window, and the parser below never knows it is not looking
 * at the whole input. A parse that reaches the window's end before the
 * input's has gone past the cap. The window is refilled only between
 * records, by moving what is left to its front and reading behind it.
 */
#include "ingest/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/util.h"

/*
 * The next position of one byte value: no occurrence in [from, pos), and
 * pos is an occurrence (hit) or as far as was searched. Queries move
 * forward almost always; a rewind after an error searches only the part
 * not yet seen. Each query is bounded by where its caller stops looking,
 * so that a byte that never comes (a file without quotes) is not searched
 * for through the whole input at once, which would bring every page of a
 * mapped file into memory before the first record.
 */
struct scan {
  const char *from, *pos;
  int ch;
  int hit;
};

/* A stream's window beyond the record cap, by default: about how much is
 * read at a time. */
#define CSV_READ_AHEAD (4u << 20)

struct csv_reader {
  const char *data, *p, *end; /* the bytes in memory: all, or the window */
  size_t base;                /* the input's offset of data */
  size_t max_record;
  size_t read_ahead;
  /* A stream: where the bytes come from, and the window. */
  csv_read_fn fn;
  void *fctx;
  char *win;
  size_t win_cap;
  int eof;            /* everything is in memory (always, without a stream) */
  int read_err;       /* errno of a failed read, not reported yet */
  int skipping;       /* after a record over the cap: find the line's end */
  int long_line;      /* the last error's first line was over the cap */
  int bom_seen;       /* the start has been checked for a byte-order mark */
  unsigned long line; /* the line p is on */
  unsigned long rec_line; /* the line the current record started on */
  struct scan nl, cr, quote, nul;
  /* Field text of the current record, each followed by a NUL. */
  char *arena;
  size_t arena_len, arena_cap;
  size_t off[CSV_MAX_FIELDS];
  size_t len[CSV_MAX_FIELDS];
  char *field[CSV_MAX_FIELDS];
  size_t nfields;
  char err[160];
  unsigned long err_line;
  char delim; /* between fields: ',' unless csv_reader_set_delimiter */
  size_t err_column;
};

/* The first occurrence in [p, bound), or bound. */
static const char *
scan_next(struct scan *s, const char *p, const char *bound)
{
  const char *x;

  if (p < s->from) {
    /* Rewound: only [p, from) is unknown. */
    const char *upto = s->from < bound ? s->from : bound;
    x = memchr(p, s->ch, (size_t)(upto - p));
    if (x != NULL) {
      s->from = p;
      s->pos = x;
      s->hit = 1;
      return x;
    }
    if (upto == bound)
      return bound;
    s->from = p;
  } else if (p > s->pos) {
    s->from = s->pos = p;
    s->hit = 0;
  }
  if (s->hit)
    return s->pos < bound ? s->pos : bound;
  if (bound <= s->pos)
    return bound;
  x = memchr(s->pos, s->ch, (size_t)(bound - s->pos));
  s->hit = x != NULL;
  s->pos = x != NULL ? x : bound;
  return s->pos;
}

static void
scan_init(struct scan *s, int ch, const char *end)
{
  s->ch = ch;
  s->from = end;
  s->pos = end;
  s->hit = 1; /* the end of data stands for one */
}

/* The end of the line p is on: the first CR or LF at or after p, or end. */
static const char *
line_end(struct csv_reader *r, const char *p)
{
  const char *nl, *cr;

  if (p == r->end)
    return p;
  nl = scan_next(&r->nl, p, r->end);
  cr = scan_next(&r->cr, p, nl);
  return cr < nl ? cr : nl;
}

/* Steps over the line end at p (CRLF, LF or CR), if any. */
static const char *
skip_eol(struct csv_reader *r, const char *p)
{
  if (p < r->end && *p == '\r')
    p++;
  else if (p < r->end && *p == '\n')
    return p + 1;
  else
    return p;
  if (p < r->end && *p == '\n')
    p++;
  return p;
}

static void
scans_init(struct csv_reader *r)
{
  scan_init(&r->nl, '\n', r->end);
  scan_init(&r->cr, '\r', r->end);
  scan_init(&r->quote, '"', r->end);
  scan_init(&r->nul, '\0', r->end);
}

/* A UTF-8 byte-order mark, as Excel writes, is not part of the data.
 * Returns 1 when one was skipped. */
static int
skip_bom(struct csv_reader *r)
{
  if (r->bom_seen || (r->end - r->p < 3 && !r->eof))
    return 0;
  r->bom_seen = 1;
  if (r->end - r->p >= 3 && memcmp(r->p, "\xEF\xBB\xBF", 3) == 0) {
    r->p += 3;
    return 1;
  }
  return 0;
}

static struct csv_reader *
reader_new(void)
{
  struct csv_reader *r = xcalloc(1, sizeof *r);

  r->data = r->p = r->end = ""; /* NULL + 0 is undefined; "" + 0 is not */
  r->max_record = CSV_MAX_RECORD;
  r->read_ahead = CSV_READ_AHEAD;
  r->line = 1;
  r->arena_cap = 4096;
  r->arena = xmalloc(r->arena_cap);
  r->delim = ',';
  return r;
}

struct csv_reader *
csv_reader_new(const char *data, size_t len)
{
  struct csv_reader *r = reader_new();

  if (data != NULL) {
    r->data = r->p = data;
    r->end = data + len;
  }
  r->eof = 1;
  skip_bom(r);
  scans_init(r);
  return r;
}

struct csv_reader *
csv_reader_new_stream(csv_read_fn fn, void *ctx)
{
  struct csv_reader *r = reader_new();

  r->fn = fn;
  r->fctx = ctx;
  return r;
}

void
csv_reader_set_max_record(struct csv_reader *r, size_t max)
{
  r->max_record = max ? max : 1;
}

void
csv_reader_set_read_ahead(struct csv_reader *r, size_t bytes)
{
  r->read_ahead = bytes ? bytes : 1;
}

void
csv_reader_set_delimiter(struct csv_reader *r, char delim)
{
  r->delim = delim;
}

void
csv_reader_free(struct csv_reader *r)
{
  if (r == NULL)
    return;
  free(r->win);
  free(r->arena);
  free(r);
}

const char *
csv_reader_error(const struct csv_reader *r)
{
  return r->err;
}

unsigned long
csv_reader_error_line(const struct csv_reader *r)
{
  return r->err_line;
}

size_t
csv_reader_error_column(const struct csv_reader *r)
{
  return r->err_column;
}

int
csv_reader_error_long_line(const struct csv_reader *r)
{
  return r->long_line;
}

size_t
csv_reader_offset(const struct csv_reader *r)
{
  return r->base + (size_t)(r->p - r->data);
}

/*
 * Makes sure the window holds max_record + 2 bytes from p, or the rest of
 * the stream: moves what is left to the front and reads behind it. Does
 * nothing while that holds already, and never for bytes in memory.
 */
static void
fill(struct csv_reader *r)
{
  size_t keep = (size_t)(r->end - r->p), have;
  long got;

  if (r->eof || keep >= r->max_record + 2)
    return;
  if (r->win == NULL) {
    r->win_cap = r->max_record + 2 + r->read_ahead;
    r->win = xmalloc(r->win_cap);
  }
  memmove(r->win, r->p, keep);
  r->base += (size_t)(r->p - r->data);
  r->data = r->p = r->win;
  have = keep;
  while (have < r->win_cap) {
    got = r->fn(r->fctx, r->win + have, r->win_cap - have);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      r->read_err = got < 0 ? (errno ? errno : EIO) : 0;
      r->eof = 1;
      break;
    }
    have += (size_t)got;
  }
  r->end = r->win + have;
  scans_init(r);
  /* Skipping the mark takes from what the window was to hold. */
  if (skip_bom(r))
    fill(r);
}

/*
 * Grows the arena to hold n more bytes. The caller has checked the record
 * cap first, and field text is never longer than its raw bytes, so the
 * arena stays below CSV_MAX_RECORD plus one NUL per field.
 */
static void
arena_grow(struct csv_reader *r, size_t n)
{
  size_t cap = r->arena_cap;

  while (cap < r->arena_len + n)
    cap *= 2;
  r->arena = xrealloc(r->arena, cap);
  r->arena_cap = cap;
}

/* Appends n bytes and keeps room for one more (a quote or the NUL). */
static inline void
arena_append(struct csv_reader *r, const char *s, size_t n)
{
  if (r->arena_len + n + 1 > r->arena_cap)
    arena_grow(r, n + 1);
  memcpy(r->arena + r->arena_len, s, n);
  r->arena_len += n;
}

static inline void
field_begin(struct csv_reader *r)
{
  r->off[r->nfields] = r->arena_len;
}

static inline void
field_end(struct csv_reader *r)
{
  size_t i = r->nfields;

  r->len[i] = r->arena_len - r->off[i];
  r->arena[r->arena_len++] = '\0'; /* room kept by arena_append */
  r->nfields++;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct csv_reader *r, unsigned long line, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(r->err, sizeof r->err, fmt, ap);
  va_end(ap);
  r->err_line = line;
  r->err_column = 0;
  return ERR_INVALID;
}

/* An error about the field being read (its column is nfields + 1). */
static int
fail_field(struct csv_reader *r, const char *what)
{
  fail(r, r->line, "%s", what);
  r->err_column = r->nfields + 1;
  return ERR_INVALID;
}

static int
fail_too_long(struct csv_reader *r, unsigned long line)
{
  fail(r, line, _("record longer than %zu bytes"), r->max_record);
  return ERR_NOMEM;
}

/* Over the cap inside quotes: most likely a quote that never closes. */
static int
fail_quote_too_long(struct csv_reader *r, unsigned long open_line)
{
  fail(r, r->rec_line,
       _("record longer than %zu bytes: the quoted field opened on line %lu "
         "does not close within them"),
       r->max_record, open_line);
  return ERR_NOMEM;
}

static const char *const nul_byte =
    N_("expected text without NUL bytes, got a NUL byte");
static const char *const long_field =
    N_("expected at most 65536 bytes in a field, got more");

/* Counts the line ends in the n bytes at s (CRLF counts once). */
static unsigned long
count_lines(const char *s, size_t n)
{
  unsigned long k = 0;

  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\n')
      k++;
    else if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
      k++;
  }
  return k;
}

/*
 * Reads a quoted field starting at the opening quote *pp. On success *pp is
 * just past the closing quote and r->line counts the line ends inside.
 */
static int
read_quoted(struct csv_reader *r, const char **pp, const char *rec)
{
  const char *p = *pp + 1, *q;
  unsigned long open_line = r->line;

  for (;;) {
    q = scan_next(&r->quote, p, r->end);
    /* No closing quote within the cap is over the cap, whether the input
     * ends after it or (the window ending before the stream) may go on:
     * the same answer however far the window reaches. */
    if (q == r->end) {
      if (!r->eof || (size_t)(r->end - rec) > r->max_record)
        return fail_quote_too_long(r, open_line);
      return fail(r, open_line, _("unterminated quoted field"));
    }
    /* Check the caps before copying, so a huge field costs no memory. */
    if ((size_t)(q + 1 - rec) > r->max_record)
      return fail_quote_too_long(r, open_line);
    if (r->arena_len - r->off[r->nfields] + (size_t)(q - p) > CSV_MAX_FIELD)
      return fail_field(r, _(long_field));
    if (scan_next(&r->nul, p, q) < q)
      return fail_field(r, _(nul_byte));
    arena_append(r, p, (size_t)(q - p));
    r->line += count_lines(p, (size_t)(q - p));
    if (q + 1 < r->end && q[1] == '"') {
      r->arena[r->arena_len++] = '"'; /* "" stands for one quote */
      p = q + 2;
      continue;
    }
    *pp = q + 1;
    return OK;
  }
}

/*
 * Parses one record starting at r->p, which is not at a line end. On
 * success r->p is past the record's line end.
 */
static int
read_record(struct csv_reader *r, const char *rec)
{
  const char *p = rec, *le = line_end(r, rec), *c, *q;
  int rc;

  for (;;) {
    if (r->nfields == CSV_MAX_FIELDS)
      return fail(r, r->line, _("more than %d fields"), CSV_MAX_FIELDS);
    field_begin(r);
    if (p < r->end && *p == '"') {
      rc = read_quoted(r, &p, rec);
      if (rc != OK)
        return rc;
      if (p < r->end && *p != r->delim && *p != '\n' && *p != '\r')
        return fail(r, r->line, _("unexpected character after closing quote"));
    } else {
      if (p > le)
        le = line_end(r, p); /* a quoted field took us to a later line */
      c = memchr(p, r->delim, (size_t)(le - p));
      if (c == NULL)
        c = le;
      /* The cap first: past it, the window may end before the field. */
      if ((size_t)(c - rec) > r->max_record)
        return fail_too_long(r, r->rec_line);
      q = scan_next(&r->quote, p, c);
      if (q < c)
        return fail_field(r, _("stray quote in unquoted field"));
      if ((size_t)(c - p) > CSV_MAX_FIELD)
        return fail_field(r, _(long_field));
      if (scan_next(&r->nul, p, c) < c)
        return fail_field(r, _(nul_byte));
      arena_append(r, p, (size_t)(c - p));
      p = c;
    }
    field_end(r);
    if (p < r->end && *p == r->delim) {
      p++;
      continue;
    }
    break;
  }
  if (p < r->end)
    r->line++;
  r->p = skip_eol(r, p);
  return OK;
}

/*
 * Moves past the end of the line p is on, reading on as needed: after a
 * record over the cap, whose line may be longer than the window.
 */
static void
skip_line(struct csv_reader *r)
{
  const char *le = line_end(r, r->p);

  while (!r->eof && r->end - le < 2) {
    /* The line, or its CRLF, may go on past the window: keep only what
     * may be its line end and read on. */
    r->p = le;
    fill(r);
    le = line_end(r, r->p);
  }
  r->p = skip_eol(r, le);
  r->skipping = 0;
}

/* Skips blank lines; each still counts as a line. */
static void
skip_blank(struct csv_reader *r)
{
  for (;;) {
    if (r->end - r->p < 2)
      fill(r);
    if (r->p == r->end || (*r->p != '\n' && *r->p != '\r'))
      return;
    r->p = skip_eol(r, r->p);
    r->line++;
  }
}

/* After an error: resume at the line after the one the record began on. */
static int
resume(struct csv_reader *r, const char *start, unsigned long start_line,
       int rc)
{
  const char *le = line_end(r, start);

  /* Whatever the first error, a first line over the cap is over the cap:
   * the same answer however far the window reached. */
  r->long_line = (size_t)(le - start) > r->max_record;
  if (rc != ERR_NOMEM && r->long_line)
    rc = fail_too_long(r, start_line);
  r->line = start_line + 1;
  r->nfields = 0;
  if (!r->eof && r->end - le < 2) {
    r->p = le;
    r->skipping = 1;
  } else {
    r->p = skip_eol(r, le);
  }
  return rc;
}

int
csv_read(struct csv_reader *r, struct csv_record *rec)
{
  const char *start;
  unsigned long start_line;
  int rc;

  memset(rec, 0, sizeof *rec);
  r->long_line = 0;
  if (r->skipping)
    skip_line(r);
  skip_blank(r);
  fill(r);
  /* What came before a failed read may be cut anywhere: none of it is
   * handed out as a record. */
  if (r->read_err) {
    fail(r, r->line, _("cannot read: %s"), strerror(r->read_err));
    r->read_err = 0;
    r->p = r->end;
    return ERR_IO;
  }
  if (r->p == r->end)
    return 0;

  start = r->p;
  start_line = r->line;
  r->rec_line = start_line;
  r->nfields = 0;
  r->arena_len = 0;
  rc = read_record(r, start);
  if (rc != OK)
    return resume(r, start, start_line, rc);
  for (size_t i = 0; i < r->nfields; i++)
    r->field[i] = r->arena + r->off[i];
  rec->nfields = r->nfields;
  rec->field = r->field;
  rec->len = r->len;
  rec->line = start_line;
  return 1;
}
