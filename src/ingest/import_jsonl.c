/*
 * JSON Lines to records: each non-blank line one JSON object, read by the
 * record module (which knows the fields), then its references resolved and
 * the --set constants applied as for a CSV row.
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
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

int
ingest__import_jsonl(struct importer *imp, const char *data, size_t len)
{
  const char *p = data, *end = data + len;
  unsigned long line = 0;
  int rc = OK;

  if (imp->o->rejects && !imp->header_sent)
    rc = ingest__send_header(imp, "record");
  while (p < end && rc == OK) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    const char *s = p;
    line++;
    p += n + (nl ? 1 : 0);
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
      rc = ingest__send_progress(imp, (size_t)(p - data), len);
  }
  return ingest__end_input(imp, rc, len);
}
