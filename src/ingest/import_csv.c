/*
 * CSV rows to records: the header row names the columns (a field's own
 * name maps by itself, --map says the rest), an HXL hashtag row under it
 * maps what is left by tag, and each further row's cells are applied to
 * the fields they map to (mapping.c) before the record is taken (rows.c).
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The reader's caps are the import's (csv.h stands alone). */
_Static_assert(CSV_MAX_RECORD == INGEST_MAX_LINE, "line caps differ");
_Static_assert(CSV_MAX_FIELD == INGEST_MAX_FIELD, "field caps differ");

static int
blank(const char *s)
{
  for (; *s; s++)
    if (!isspace((unsigned char)*s))
      return 0;
  return 1;
}

/* A row whose cells are all empty or blank holds nothing to record. */
static int
blank_row(const struct csv_record *r)
{
  for (size_t i = 0; i < r->nfields; i++)
    if (!blank(r->field[i]))
      return 0;
  return 1;
}

static int
is_hashtag_row(const struct csv_record *r)
{
  int any = 0;

  for (size_t i = 0; i < r->nfields; i++) {
    const char *s = r->field[i];
    while (*s == ' ')
      s++;
    if (*s == '\0')
      continue;
    if (*s != '#')
      return 0;
    any = 1;
  }
  return any;
}

static int
by_string(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An HXL hashtag in one spelling: HXL ignores case, spaces and the order
 * of attributes, so "#indicator +num +Vehicles" is "#indicator+num+vehicles"
 * is "#indicator+vehicles+num". */
static char *
hxl_normal(const char *tag)
{
  char *t = xmalloc(strlen(tag) + 1), *o = t, *attrs[64];
  size_t n = 0;
  struct buf b;

  for (const char *p = tag; *p; p++)
    if (!isspace((unsigned char)*p))
      *o++ = (char)tolower((unsigned char)*p);
  *o = '\0';
  for (char *p = strchr(t, '+'); p && n < 64; p = strchr(p + 1, '+')) {
    *p = '\0';
    attrs[n++] = p + 1;
  }
  qsort(attrs, n, sizeof *attrs, by_string);
  buf_init(&b);
  buf_puts(&b, t);
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "+%s", attrs[i]);
  free(t);
  return buf_take(&b);
}

static int
hxl_field(const struct kind_desc *k, const char *tag)
{
  struct buf b;
  int found = -1;
  char *t = hxl_normal(tag);

  buf_init(&b);
  for (size_t i = 0; i < k->nfields && found < 0; i++) {
    char *own;
    buf_reset(&b);
    record_hxl_tag(&k->fields[i], &b);
    own = hxl_normal(b.data);
    if (strcmp(own, t) == 0)
      found = (int)i;
    free(own);
  }
  buf_cleanup(&b);
  free(t);
  return found;
}

static void
raw_row(struct buf *b, const struct csv_record *r)
{
  buf_reset(b);
  for (size_t i = 0; i < r->nfields; i++) {
    if (i)
      buf_putc(b, ',');
    util_csv_cell(b, r->field[i], r->len[i]);
  }
}

/* The columns of a file and the fields they map to. */
struct columns {
  struct csv_record header; /* a copy: the reader reuses its buffers */
  struct fieldmap *fm;      /* per field */
  int *used;                /* per column: some field reads it */
};

static void
columns_init(struct columns *c, const struct csv_record *header, size_t nf)
{
  memset(c, 0, sizeof *c);
  c->header.nfields = header->nfields;
  c->header.field = xcalloc(header->nfields, sizeof(char *));
  c->header.len = xcalloc(header->nfields, sizeof(size_t));
  for (size_t i = 0; i < header->nfields; i++) {
    c->header.field[i] = xstrdup(header->field[i]);
    c->header.len[i] = header->len[i];
  }
  c->fm = xcalloc(nf, sizeof *c->fm);
  c->used = xcalloc(header->nfields ? header->nfields : 1, sizeof *c->used);
}

static void
columns_cleanup(struct columns *c, size_t nf)
{
  for (size_t i = 0; i < c->header.nfields; i++)
    free(c->header.field[i]);
  free(c->header.field);
  free(c->header.len);
  free(c->used);
  if (c->fm)
    ingest__fieldmaps_free(c->fm, nf);
}

/* Maps field fi to column c alone. */
static void
map_column(struct columns *c, size_t fi, size_t col)
{
  c->fm[fi].parts = xcalloc(1, sizeof *c->fm[fi].parts);
  c->fm[fi].parts[0].column = (int)col;
  c->fm[fi].nparts = 1;
  c->used[col] = 1;
}

/* The --map options, then the columns named like a field. Returns OK, or
 * ERR_USAGE when a --map names a column the file lacks. */
static int
map_header(struct importer *imp, struct columns *c)
{
  const struct kind_desc *k = imp->kind;

  for (size_t i = 0; i < imp->o->nmaps; i++) {
    int fi = record_field_index(k, imp->o->maps[i].key);
    if (ingest__parse_map(&c->header, imp->o->maps[i].value, &c->fm[fi]) !=
        OK) {
      struct buf m;
      buf_init(&m);
      buf_printf(&m, "--map %s=%s: no such column (the columns are:",
                 imp->o->maps[i].key, imp->o->maps[i].value);
      for (size_t col = 0; col < c->header.nfields; col++)
        buf_printf(&m, "%s '%s'", col ? "," : "", c->header.field[col]);
      buf_puts(&m, ")");
      ingest__send_error(imp, INGEST_ERR_MAP, 0, imp->o->maps[i].key, m.data);
      buf_cleanup(&m);
      return ERR_USAGE;
    }
    for (size_t j = 0; j < c->fm[fi].nparts; j++)
      if (c->fm[fi].parts[j].column >= 0)
        c->used[c->fm[fi].parts[j].column] = 1;
  }
  for (size_t fi = 0; fi < k->nfields; fi++) {
    int col;
    if (c->fm[fi].nparts)
      continue;
    col = ingest__column_of(&c->header, k->fields[fi].name);
    if (col >= 0 && !c->used[col])
      map_column(c, fi, (size_t)col);
  }
  return OK;
}

/* Maps what is left by the tags of an HXL hashtag row. */
static void
map_hashtags(struct importer *imp, struct columns *c,
             const struct csv_record *r)
{
  for (size_t col = 0; col < r->nfields && col < c->header.nfields; col++) {
    int fi;
    if (c->used[col] || (fi = hxl_field(imp->kind, r->field[col])) < 0 ||
        c->fm[fi].nparts)
      continue;
    map_column(c, (size_t)fi, col);
  }
}

/* Says which columns no field reads. */
static int
note_ignored(struct importer *imp, const struct columns *c)
{
  const char **names = xcalloc(c->header.nfields + 1, sizeof *names);
  size_t n = 0;
  int rc = OK;

  for (size_t col = 0; col < c->header.nfields; col++)
    if (!c->used[col])
      names[n++] = c->header.field[col];
  if (n)
    rc = ingest__send_ignored(imp, names, n);
  free(names);
  return rc;
}

/* The text a field gets from a row: its column's cell, or its template
 * filled in (missing when a column in it is empty). */
static const char *
field_text(const struct fieldmap *fm, const struct csv_record *r,
           struct buf *tmp)
{
  int empty = 0;

  if (fm->nparts == 1 && fm->parts[0].column >= 0) {
    size_t c = (size_t)fm->parts[0].column;
    return c < r->nfields ? r->field[c] : "";
  }
  buf_reset(tmp);
  for (size_t j = 0; j < fm->nparts; j++) {
    const struct part *pt = &fm->parts[j];
    if (pt->column < 0)
      buf_puts(tmp, pt->text);
    else if ((size_t)pt->column < r->nfields && r->field[pt->column][0])
      buf_puts(tmp, r->field[pt->column]);
    else
      empty = 1;
  }
  return empty || tmp->data == NULL ? "" : tmp->data;
}

/* Builds imp->cur from a data row and takes it. */
static int
read_row(struct importer *imp, const struct columns *c,
         const struct csv_record *r, struct buf *tmp)
{
  imp->row++;
  imp->line = r->line;
  record_reset(imp->cur);
  if (imp->o->rejects)
    raw_row(imp->cur_raw, r); /* only the rejects file shows it */
  for (size_t col = c->header.nfields; col < r->nfields; col++)
    if (!blank(r->field[col])) {
      /* A value under no column would be lost without a word. */
      char *exp =
          xasprintf("at most %zu cells, as in the header", c->header.nfields);
      char *got = xasprintf("%zu", r->nfields);
      char *m = xasprintf("expected %s, got %s", exp, got);
      ingest__problem_add(&imp->prob, INGEST_ERR_RECORD, NULL, exp, got, m);
      free(exp);
      free(got);
      free(m);
      break;
    }
  for (size_t fi = 0; fi < imp->kind->nfields; fi++)
    if (c->fm[fi].nparts)
      ingest__apply(imp, imp->cur, (int)fi, 0, field_text(&c->fm[fi], r, tmp),
                    1);
  ingest__apply_sets(imp, imp->cur);
  return ingest__take_row(imp, r->line);
}

/* The field that column col (from 0) is read into, or -1. */
static int
field_of_column(const struct importer *imp, const struct columns *c, size_t col)
{
  for (size_t fi = 0; c->fm && fi < imp->kind->nfields; fi++)
    for (size_t j = 0; j < c->fm[fi].nparts; j++)
      if (c->fm[fi].parts[j].column == (int)col)
        return (int)fi;
  return -1;
}

/*
 * The reader's error about one cell (a NUL byte, a cell too long) as a
 * problem of the field the cell is read into, or of its column: "field
 * 'quantity': expected text without NUL bytes, got a NUL byte".
 */
static void
cell_problem(struct importer *imp, const struct columns *c,
             struct csv_reader *rd)
{
  size_t col = csv_reader_error_column(rd) - 1;
  const char *text = csv_reader_error(rd);
  int fi = field_of_column(imp, c, col);
  char *where;

  if (fi >= 0) {
    ingest__problem_text(&imp->prob, INGEST_ERR_FIELD,
                         imp->kind->fields[fi].name, text);
    return;
  }
  where = col < c->header.nfields
              ? xasprintf("column '%s': %s", c->header.field[col], text)
              : xasprintf("column %zu: %s", col + 1, text);
  ingest__problem_add(&imp->prob, INGEST_ERR_FIELD, NULL, NULL, NULL, where);
  free(where);
}

int
ingest__send_too_long(struct importer *imp, unsigned long line,
                      const char *what)
{
  char *m = xasprintf("%s; the rest of the input was not read (raise the "
                      "cap with --max-line BYTES)",
                      what);
  int rc = ingest__send_error(imp, INGEST_ERR_SYNTAX, line, NULL, m);

  free(m);
  return rc;
}

/*
 * A row the CSV reader could not read. Returns OK to read on, the
 * writer's error, or (a line over the cap, the input unreadable)
 * ERR_INVALID or ERR_IO once that is said: then the input is read no
 * further.
 */
static int
bad_row(struct importer *imp, const struct columns *c, struct csv_reader *rd,
        int got)
{
  int rc;

  buf_reset(imp->cur_raw);
  if ((rc = ingest__flush(imp)) != OK)
    return rc;
  if (got == ERR_IO) {
    rc = ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, csv_reader_error(rd));
    return rc != OK ? rc : ERR_IO;
  }
  if (got == ERR_NOMEM && csv_reader_error_long_line(rd)) {
    rc = ingest__send_too_long(imp, csv_reader_error_line(rd),
                               csv_reader_error(rd));
    return rc != OK ? rc : ERR_INVALID;
  }
  imp->row++;
  if (csv_reader_error_column(rd) > 0 && got == ERR_INVALID &&
      strncmp(csv_reader_error(rd), "expected ", 9) == 0)
    cell_problem(imp, c, rd);
  else
    ingest__problem_add(&imp->prob, INGEST_ERR_SYNTAX, NULL, NULL, NULL,
                        csv_reader_error(rd));
  record_reset(imp->cur);
  return ingest__send_reject(imp, csv_reader_error_line(rd), NULL);
}

/* The reader of an input, with the import's line cap. */
static struct csv_reader *
reader_of(struct importer *imp, struct source *src)
{
  struct csv_reader *rd = src->data
                              ? csv_reader_new(src->data, src->len)
                              : csv_reader_new_stream(ingest__source_read, src);

  csv_reader_set_max_record(rd, imp->max_line);
  return rd;
}

/*
 * The header row: returns 1, or what the input's reading returns without
 * one (said, failing the import; the next input is still read): OK, or
 * ERR_IO or the writer's error, which end the import.
 */
static int
read_header(struct importer *imp, struct csv_reader *rd, struct csv_record *r)
{
  int got = csv_read(rd, r), rc;
  char *m = NULL;

  if (got == 1)
    return 1;
  if (got == ERR_IO) {
    rc = ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, csv_reader_error(rd));
    return rc != OK ? rc : ERR_IO;
  }
  if (got == 0)
    rc = ingest__send_error(imp, INGEST_ERR_FILE, 0, NULL,
                            "empty file: expected a header row");
  else if (got == ERR_NOMEM && csv_reader_error_long_line(rd))
    rc = ingest__send_too_long(imp, csv_reader_error_line(rd),
                               csv_reader_error(rd));
  else {
    if (csv_reader_error_column(rd) > 0 &&
        strncmp(csv_reader_error(rd), "expected ", 9) == 0)
      m = xasprintf("column %zu: %s", csv_reader_error_column(rd),
                    csv_reader_error(rd));
    rc = ingest__send_error(imp, INGEST_ERR_SYNTAX, csv_reader_error_line(rd),
                            NULL, m ? m : csv_reader_error(rd));
    free(m);
  }
  /* The writer says so while this is still the input it names. */
  return rc != OK ? rc : handoff_drain(imp->ho);
}

int
ingest__import_csv(struct importer *imp, struct source *src)
{
  struct csv_reader *rd = reader_of(imp, src);
  struct csv_record r;
  struct columns c;
  int rc = OK, got;
  struct buf tmp, raw;

  memset(&c, 0, sizeof c);
  buf_init(&tmp);
  buf_init(&raw);
  if ((got = read_header(imp, rd, &r)) != 1) {
    rc = got;
    goto out;
  }
  columns_init(&c, &r, imp->kind->nfields);
  if (imp->o->rejects && !imp->header_sent) {
    raw_row(&raw, &c.header);
    ingest__send_header(imp, raw.data);
  }
  if ((rc = map_header(imp, &c)) != OK)
    goto out;
  got = csv_read(rd, &r);
  if (got == 1 && is_hashtag_row(&r)) {
    map_hashtags(imp, &c, &r);
    got = csv_read(rd, &r);
  }
  rc = note_ignored(imp, &c);
  for (; got != 0 && rc == OK; got = csv_read(rd, &r)) {
    if (got < 0) {
      rc = bad_row(imp, &c, rd, got);
      continue;
    }
    if (blank_row(&r))
      continue; /* ",,,,": what spreadsheets leave below the data */
    rc = read_row(imp, &c, &r, &tmp);
    if (rc == OK && (imp->row & 0xffff) == 0)
      rc = ingest__send_progress(imp, csv_reader_offset(rd), src->total);
  }
  /* A line over the cap is said; the held rows are still to be judged. */
  if (rc == ERR_INVALID)
    rc = ingest__end_input(imp, OK, src->total);
  else
    rc = ingest__end_input(imp, rc, src->total);
out:
  columns_cleanup(&c, imp->kind->nfields);
  csv_reader_free(rd);
  buf_cleanup(&tmp);
  buf_cleanup(&raw);
  return rc;
}
