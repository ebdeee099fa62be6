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

/* A row the CSV reader could not read. */
static int
bad_row(struct importer *imp, struct csv_reader *rd)
{
  int rc;

  buf_reset(imp->cur_raw);
  if ((rc = ingest__flush(imp)) != OK)
    return rc;
  imp->row++;
  ingest__problem_add(&imp->prob, INGEST_ERR_SYNTAX, NULL, NULL, NULL,
                      csv_reader_error(rd));
  record_reset(imp->cur);
  return ingest__send_reject(imp, csv_reader_error_line(rd), NULL);
}

int
ingest__import_csv(struct importer *imp, const char *data, size_t len)
{
  struct csv_reader *rd = csv_reader_new(data, len);
  struct csv_record r;
  struct columns c;
  int rc = OK, got;
  struct buf tmp, raw;

  memset(&c, 0, sizeof c);
  buf_init(&tmp);
  buf_init(&raw);
  got = csv_read(rd, &r);
  if (got <= 0) {
    ingest__send_error(imp, got < 0 ? INGEST_ERR_SYNTAX : INGEST_ERR_FILE,
                       got < 0 ? csv_reader_error_line(rd) : 0, NULL,
                       got < 0 ? csv_reader_error(rd)
                               : "empty file: expected a header row");
    /* The writer says so while this is still the input it names. */
    rc = handoff_drain(imp->ho);
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
      rc = bad_row(imp, rd);
      continue;
    }
    if (blank_row(&r))
      continue; /* ",,,,": what spreadsheets leave below the data */
    rc = read_row(imp, &c, &r, &tmp);
    if (rc == OK && (imp->row & 0xffff) == 0)
      rc = ingest__send_progress(imp, csv_reader_offset(rd), len);
  }
  rc = ingest__end_input(imp, rc, len);
out:
  columns_cleanup(&c, imp->kind->nfields);
  csv_reader_free(rd);
  buf_cleanup(&tmp);
  buf_cleanup(&raw);
  return rc;
}
