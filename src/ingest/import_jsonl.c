/*
 * JSON Lines to records: each non-blank line one JSON object, read by the
 * record module (which knows the fields), then its references resolved and
 * the --set constants applied as for a CSV row.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* After a JSON line is parsed: references must exist (or be created). */
static void
check_refs(struct importer *imp, struct record *rec)
{
  for (size_t fi = 0; fi < rec->kind->nfields; fi++) {
    const struct field_desc *f = &rec->kind->fields[fi];
    char *text;
    if ((f->type != FT_REF && f->type != FT_REFLIST) || !rec->v[fi].set)
      continue;
    text = xstrdup(record_text(rec, &rec->v[fi]));
    rec->v[fi].set = 0;
    ingest__apply(imp, rec, (int)fi, 0, text, 0);
    free(text);
  }
}

/* Keeps each problem record_from_json finds apart. */
static void
json_problem(void *ctx, const char *field, const char *text)
{
  struct importer *imp = ctx;

  ingest__problem_said(&imp->prob, field ? INGEST_ERR_FIELD : INGEST_ERR_SYNTAX,
                       field, text);
}

/* Builds imp->cur from the line s (n bytes) and takes it. */
static int
read_line(struct importer *imp, unsigned long line, const char *s, size_t n)
{
  imp->row++;
  imp->line = line;
  record_reset(imp->cur);
  buf_reset(imp->cur_raw);
  if (imp->o->rejects)
    util_csv_cell(imp->cur_raw, s, n);
  /* Each problem reaches imp->prob through json_problem; the text in err
   * is not needed. */
  buf_reset(&imp->err);
  if (record_from_json_problems(imp->cur, (int)imp->o->kind, &imp->ctx, s, n,
                                &imp->err, json_problem, imp) == OK) {
    check_refs(imp, imp->cur);
    ingest__apply_sets(imp, imp->cur);
  }
  return ingest__take_row(imp, line);
}

/* A stream's window beyond the line cap: about how much is read at once. */
#define READ_AHEAD (1u << 20)

/* The lines of an input: all its bytes in memory, or a stream read
 * through a window of the line cap and more. */
struct lines {
  struct source *src;
  const char *p, *end; /* what is unread of the bytes in memory */
  char *win;
  size_t cap, base; /* the window's size, and its start's offset */
  int eof, err;     /* all of it is in memory; errno of a failed read */
};

static void
refill(struct lines *l)
{
  size_t keep = (size_t)(l->end - l->p), have;
  long got;

  if (l->win == NULL)
    l->win = xmalloc(l->cap); /* keep is 0: p is "" */
  else
    l->base += (size_t)(l->p - l->win);
  memmove(l->win, l->p, keep);
  have = keep;
  while (have < l->cap && !l->eof) {
    got = ingest__source_read(l->src, l->win + have, l->cap - have);
    if (got <= 0) {
      l->err = got < 0 ? errno : 0;
      l->eof = 1;
    } else {
      have += (size_t)got;
    }
  }
  l->p = l->win;
  l->end = l->win + have;
}

/*
 * The next line, without its LF: returns 1 with *s and *n; 0 at the end;
 * ERR_NOMEM for a line over max bytes (having seen max + 1 of them);
 * ERR_IO when the stream cannot be read (errno in l->err).
 */
static int
next_line(struct lines *l, size_t max, const char **s, size_t *n)
{
  for (;;) {
    size_t avail = (size_t)(l->end - l->p);
    const char *nl = memchr(l->p, '\n', avail < max + 1 ? avail : max + 1);
    if (nl) {
      *s = l->p;
      *n = (size_t)(nl - l->p);
      l->p = nl + 1;
      return 1;
    }
    if (avail > max)
      return ERR_NOMEM;
    /* After a failed read the last line may be cut anywhere. */
    if (l->err)
      return ERR_IO;
    if (l->eof) {
      if (avail == 0)
        return 0;
      *s = l->p;
      *n = avail;
      l->p = l->end;
      return 1;
    }
    refill(l);
  }
}

/* How many bytes of the input have been read as lines. */
static size_t
lines_offset(const struct lines *l, const struct source *src)
{
  if (src->data)
    return (size_t)(l->p - src->data);
  return l->win ? l->base + (size_t)(l->p - l->win) : 0;
}

int
ingest__import_jsonl(struct importer *imp, struct source *src)
{
  struct lines l = {src, "", "", NULL, 0, 0, 1, 0};
  unsigned long line = 0;
  const char *s;
  size_t n;
  int rc = OK, got;

  if (src->data) {
    l.p = src->data;
    l.end = src->data + src->len;
  } else {
    l.eof = 0;
    l.cap = imp->max_line + 1 + READ_AHEAD;
  }
  if (imp->o->rejects && !imp->header_sent)
    rc = ingest__send_header(imp, "record");
  while (rc == OK && (got = next_line(&l, imp->max_line, &s, &n)) != 0) {
    line++;
    if (got == ERR_NOMEM) {
      char *m = xasprintf(_("line longer than %zu bytes"), imp->max_line);
      rc = ingest__send_too_long(imp, line, m);
      free(m);
      break; /* the import fails; what is held is still judged */
    }
    if (got == ERR_IO) {
      char *m = xasprintf(_("cannot read: %s"), strerror(l.err));
      rc = ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, m);
      free(m);
      rc = rc != OK ? rc : ERR_IO;
      break;
    }
    while (n && isspace((unsigned char)s[n - 1]))
      n--;
    while (n && isspace((unsigned char)*s)) {
      s++;
      n--;
    }
    if (n == 0)
      continue;
    rc = read_line(imp, line, s, n);
    if (rc == OK && (imp->row & 0xffff) == 0)
      rc = ingest__send_progress(imp, lines_offset(&l, src), src->total);
  }
  free(l.win);
  return ingest__end_input(imp, rc, src->total);
}
