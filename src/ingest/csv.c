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
 */
#include "ingest/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/*
 * The next position of one byte value: no occurrence in [from, pos), and
 * pos is an occurrence or the end of data. Queries move forward almost
 * always; a rewind after an error searches only the part not yet seen.
 */
struct scan {
  const char *from, *pos;
  int ch;
};

struct csv_reader {
  const char *data, *p, *end;
  unsigned long line;     /* the line p is on */
  unsigned long rec_line; /* the line the current record started on */
  struct scan nl, cr, quote;
  /* Field text of the current record, each followed by a NUL. */
  char *arena;
  size_t arena_len, arena_cap;
  size_t off[CSV_MAX_FIELDS];
  size_t len[CSV_MAX_FIELDS];
  char *field[CSV_MAX_FIELDS];
  size_t nfields;
  char err[96];
  unsigned long err_line;
  char delim; /* between fields: ',' unless csv_reader_set_delimiter */
};

static const char *
scan_next(struct scan *s, const char *p, const char *end)
{
  const char *x;

  if (p >= s->from && p <= s->pos)
    return s->pos;
  if (p < s->from) {
    /* Rewound: only [p, from) is unknown. */
    x = memchr(p, s->ch, (size_t)(s->from - p));
    if (x != NULL)
      s->pos = x;
    s->from = p;
    return s->pos;
  }
  x = memchr(p, s->ch, (size_t)(end - p));
  s->pos = x != NULL ? x : end;
  s->from = p;
  return s->pos;
}

static void
scan_init(struct scan *s, int ch, const char *end)
{
  s->ch = ch;
  s->from = end;
  s->pos = end;
}

/* The end of the line p is on: the first CR or LF at or after p, or end. */
static const char *
line_end(struct csv_reader *r, const char *p)
{
  const char *nl, *cr;

  if (p == r->end)
    return p;
  nl = scan_next(&r->nl, p, r->end);
  cr = scan_next(&r->cr, p, r->end);
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

struct csv_reader *
csv_reader_new(const char *data, size_t len)
{
  struct csv_reader *r = xcalloc(1, sizeof *r);

  if (data == NULL) {
    data = ""; /* NULL + 0 is undefined; an empty string is not */
    len = 0;
  }
  r->data = data;
  r->p = data;
  r->end = data + len;
  r->line = 1;
  /* A UTF-8 byte-order mark, as Excel writes, is not part of the data. */
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    r->p += 3;
  scan_init(&r->nl, '\n', r->end);
  scan_init(&r->cr, '\r', r->end);
  scan_init(&r->quote, '"', r->end);
  r->arena_cap = 4096;
  r->arena = xmalloc(r->arena_cap);
  r->delim = ',';
  return r;
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
csv_reader_offset(const struct csv_reader *r)
{
  return (size_t)(r->p - r->data);
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
  return ERR_INVALID;
}

static int
fail_too_long(struct csv_reader *r, unsigned long line)
{
  return fail(r, line, "record longer than %u bytes", CSV_MAX_RECORD);
}

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
    if (q == r->end)
      return fail(r, open_line, "unterminated quoted field");
    /* Check the cap before copying, so a huge field costs no memory. */
    if ((size_t)(q + 1 - rec) > CSV_MAX_RECORD)
      return fail_too_long(r, r->rec_line);
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
      return fail(r, r->line, "more than %d fields", CSV_MAX_FIELDS);
    field_begin(r);
    if (p < r->end && *p == '"') {
      rc = read_quoted(r, &p, rec);
      if (rc != OK)
        return rc;
      if (p < r->end && *p != r->delim && *p != '\n' && *p != '\r')
        return fail(r, r->line, "unexpected character after closing quote");
    } else {
      if (p > le)
        le = line_end(r, p); /* a quoted field took us to a later line */
      c = memchr(p, r->delim, (size_t)(le - p));
      if (c == NULL)
        c = le;
      q = scan_next(&r->quote, p, r->end);
      if (q < c)
        return fail(r, r->line, "stray quote in unquoted field");
      if ((size_t)(c - rec) > CSV_MAX_RECORD)
        return fail_too_long(r, r->rec_line);
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

int
csv_read(struct csv_reader *r, struct csv_record *rec)
{
  const char *start;
  unsigned long start_line;
  int rc;

  memset(rec, 0, sizeof *rec);
  /* Blank lines are skipped; each still counts as a line. */
  while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
    r->p = skip_eol(r, r->p);
    r->line++;
  }
  if (r->p == r->end)
    return 0;

  start = r->p;
  start_line = r->line;
  r->rec_line = start_line;
  r->nfields = 0;
  r->arena_len = 0;
  rc = read_record(r, start);
  if (rc != OK) {
    /* Resume at the line after the one the record started on. */
    r->p = skip_eol(r, line_end(r, start));
    r->line = start_line + 1;
    r->nfields = 0;
    return rc;
  }
  for (size_t i = 0; i < r->nfields; i++)
    r->field[i] = r->arena + r->off[i];
  rec->nfields = r->nfields;
  rec->field = r->field;
  rec->len = r->len;
  rec->line = start_line;
  return 1;
}
