/*
 * Tables to records, whatever holds the table (CSV, a sheet of a
 * workbook): the header row names the columns (a field's own name maps by
 * itself, --map says the rest), an HXL hashtag row under it maps what is
 * left by tag, and each further row's cells are applied to the fields they
 * map to (mapping.c) before the record is taken (rows.c).
 *
 * Title rows above the header (a report's name, its source) are skipped:
 * the first rows are held back until the header is known (--header-row,
 * or the first row that looks like one), then read again.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Rows held back while looking for the header among the first ones. */
#define HEAD_ROWS 12
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

static size_t
filled(const struct csv_record *r)
{
  size_t n = 0;

  for (size_t i = 0; i < r->nfields; i++)
    n += !blank(r->field[i]);
  return n;
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
char *
ingest__hxl_normal(const char *tag)
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
  char *t = ingest__hxl_normal(tag);

  buf_init(&b);
  for (size_t i = 0; i < k->nfields && found < 0; i++) {
    char *own;
    buf_reset(&b);
    record_hxl_tag(&k->fields[i], &b);
    own = ingest__hxl_normal(b.data);
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

/* A row kept as it was read (the reader reuses its buffers). */
static void
copy_row(struct csv_record *to, const struct csv_record *r)
{
  to->nfields = r->nfields;
  to->line = r->line;
  to->field = xcalloc(r->nfields ? r->nfields : 1, sizeof(char *));
  to->len = xcalloc(r->nfields ? r->nfields : 1, sizeof(size_t));
  for (size_t i = 0; i < r->nfields; i++) {
    to->field[i] = xstrndup(r->field[i], r->len[i]);
    to->len[i] = r->len[i];
  }
}

static void
free_row(struct csv_record *r)
{
  for (size_t i = 0; i < r->nfields; i++)
    free(r->field[i]);
  free(r->field);
  free(r->len);
  memset(r, 0, sizeof *r);
}

/* The rows of a table, the first ones held back and given again. */
struct held {
  struct csv_record row; /* a copy, when ok */
  int rc;                /* what the table's read returned */
  char *error;           /* ERR_INVALID: why */
  unsigned long error_line;
  size_t error_column;
  int fatal;
};

struct rows {
  struct table *t;
  struct held held[HEAD_ROWS];
  size_t nheld, next;
  int ended; /* the table said 0 or failed for good */
};

static void
rows_cleanup(struct rows *rs)
{
  for (size_t i = 0; i < rs->nheld; i++) {
    free_row(&rs->held[i].row);
    free(rs->held[i].error);
  }
}

/* Holds the next row back; 0 when there is none (the end, or the table
 * cannot be read further). */
static int
hold_one(struct rows *rs)
{
  struct held *h;
  struct csv_record r;

  if (rs->ended || rs->nheld == HEAD_ROWS)
    return 0;
  h = &rs->held[rs->nheld];
  memset(h, 0, sizeof *h);
  h->rc = rs->t->read(rs->t, &r);
  if (h->rc == 1) {
    copy_row(&h->row, &r);
  } else if (h->rc != 0) {
    h->error = xstrdup(rs->t->error ? rs->t->error : _("cannot be read"));
    h->error_line = rs->t->error_line;
    h->error_column = rs->t->error_column;
    h->fatal = rs->t->fatal;
  }
  rs->nheld++;
  if (h->rc == 0 || h->fatal)
    rs->ended = 1;
  return h->rc != 0;
}

/* The next row: a held one first. */
static int
next_row(struct rows *rs, struct csv_record *rec)
{
  if (rs->next < rs->nheld) {
    struct held *h = &rs->held[rs->next++];
    if (h->rc == 1)
      *rec = h->row;
    else if (h->rc != 0) {
      rs->t->error = h->error;
      rs->t->error_line = h->error_line;
      rs->t->error_column = h->error_column;
      rs->t->fatal = h->fatal;
    }
    return h->rc;
  }
  if (rs->ended)
    return 0;
  return rs->t->read(rs->t, rec);
}

/* 1 when a cell of r names a field or a column the options name. */
static int
names_something(const struct importer *imp, const struct csv_record *r)
{
  const struct ingest_opts *o = imp->o;

  for (size_t i = 0; i < imp->kind->nfields; i++)
    if (ingest__column_named(imp, r, imp->kind->fields[i].name) >= 0)
      return 1;
  for (size_t i = 0; i < o->nmaps; i++) {
    struct fieldmap fm = {NULL, 0};
    int ok = ingest__parse_map(imp, r, NULL, o->maps[i].value, &fm) == OK;
    for (size_t j = 0; j < fm.nparts; j++)
      free(fm.parts[j].text);
    free(fm.parts);
    if (ok && strchr(o->maps[i].value, '#') != o->maps[i].value)
      return 1;
  }
  for (size_t i = 0; i < o->nwheres; i++)
    if (ingest__column_named(imp, r, o->wheres[i].column) >= 0)
      return 1;
  return 0;
}

/*
 * Which held row is the header: the one --header-row names, or the first
 * that is no title. A title row names nothing the import knows while a
 * row below it does, or has at most half the cells of the fullest row
 * below it (a report's name, "Source: ..."). Returns its index, or -1.
 */
static long
find_header(struct importer *imp, struct rows *rs)
{
  size_t h = 0;

  while (imp->o->header_row) {
    for (size_t i = 0; i < rs->nheld; i++)
      if (rs->held[i].rc == 1 && rs->held[i].row.line >= imp->o->header_row)
        return (long)i;
    if (rs->ended)
      return -1;
    if (rs->nheld == HEAD_ROWS) { /* rows above the header: dropped */
      rows_cleanup(rs);
      rs->nheld = 0;
    }
    hold_one(rs);
  }
  while (hold_one(rs))
    ;
  for (; h + 1 < rs->nheld && rs->held[h].rc == 1; h++) {
    size_t f = filled(&rs->held[h].row), most = 0;
    int later = 0;
    if (names_something(imp, &rs->held[h].row))
      break;
    for (size_t j = h + 1; j < rs->nheld && rs->held[j].rc == 1; j++) {
      size_t fj = filled(&rs->held[j].row);
      most = fj > most ? fj : most;
      later = later || names_something(imp, &rs->held[j].row);
    }
    if (!later && f * 2 > most)
      break;
  }
  return rs->held[h].rc == 1 ? (long)h : -1;
}

/* Says that the header is not the first row, once. */
static int
say_header(struct importer *imp, const struct rows *rs, size_t h)
{
  const struct csv_record *first = &rs->held[0].row;
  unsigned long at = rs->held[h].row.line;
  struct buf m;
  int rc;

  buf_init(&m);
  if (imp->sheet)
    buf_printf(&m, _("sheet '%s': "), imp->sheet);
  if (h == 1 && imp->sheet)
    buf_printf(&m,
               _("the header is row %lu; the row above it looks like a "
                 "title"),
               at);
  else if (h == 1)
    buf_printf(&m,
               _("the header is line %lu; the line above it looks like a "
                 "title"),
               at);
  else if (imp->sheet)
    buf_printf(&m,
               ngettext("the header is row %lu; the %zu row above it looks "
                        "like a title",
                        "the header is row %lu; the %zu rows above it look "
                        "like titles",
                        (unsigned long)h),
               at, h);
  else
    buf_printf(&m,
               ngettext("the header is line %lu; the %zu line above it looks "
                        "like a title",
                        "the header is line %lu; the %zu lines above it look "
                        "like titles",
                        (unsigned long)h),
               at, h);
  for (size_t i = 0; i < first->nfields; i++)
    if (!blank(first->field[i])) {
      buf_printf(&m, " ('%.60s'%s)", first->field[i],
                 first->len[i] > 60 ? "..." : "");
      break;
    }
  buf_printf(&m, _("; --header-row %lu says so (docs/importing.md#header)"),
             at);
  rc = ingest__send_guess(imp, m.data);
  buf_cleanup(&m);
  return rc;
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
  copy_row(&c->header, header);
  c->fm = xcalloc(nf, sizeof *c->fm);
  c->used = xcalloc(header->nfields ? header->nfields : 1, sizeof *c->used);
}

static void
columns_cleanup(struct columns *c, size_t nf)
{
  free_row(&c->header);
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
map_header(struct importer *imp, struct columns *c,
           const struct csv_record *tags)
{
  const struct kind_desc *k = imp->kind;
  char *none = xcalloc(k->nfields, 1); /* --map field= : no column */

  for (size_t i = 0; i < imp->o->nmaps; i++) {
    int fi = record_field_index(k, imp->o->maps[i].key);
    if (imp->o->maps[i].value[0] == '\0') {
      none[fi] = 1;
      continue;
    }
    if (ingest__parse_map(imp, &c->header, tags, imp->o->maps[i].value,
                          &c->fm[fi]) != OK) {
      free(none);
      ingest__no_column(imp, "--map", imp->o->maps[i].key,
                        imp->o->maps[i].value, imp->o->maps[i].value,
                        &c->header);
      return ERR_USAGE;
    }
    for (size_t j = 0; j < c->fm[fi].nparts; j++)
      if (c->fm[fi].parts[j].column >= 0)
        c->used[c->fm[fi].parts[j].column] = 1;
  }
  for (size_t fi = 0; fi < k->nfields; fi++) {
    int col;
    if (c->fm[fi].nparts || none[fi])
      continue;
    col = ingest__column_named(imp, &c->header, k->fields[fi].name);
    if (col >= 0 && !c->used[col])
      map_column(c, fi, (size_t)col);
  }
  free(none);
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

/* Where each field is, for errors that name a cell. */
static void
note_cells(struct importer *imp, const struct columns *c)
{
  for (size_t fi = 0; fi < imp->kind->nfields; fi++) {
    imp->field_col[fi] = -1;
    for (size_t j = 0; j < c->fm[fi].nparts; j++)
      if (c->fm[fi].parts[j].column >= 0) {
        imp->field_col[fi] = c->fm[fi].parts[j].column;
        break;
      }
  }
}

/* The text a field gets from a row: its column's cell, or its template
 * filled in (missing when a column in it is empty or a word for missing). */
static const char *
field_text(const struct importer *imp, const struct fieldmap *fm,
           const struct csv_record *r, struct buf *tmp)
{
  int empty = 0;

  if (fm->nparts == 1 && fm->parts[0].column >= 0) {
    size_t c = (size_t)fm->parts[0].column;
    return c < r->nfields ? r->field[c] : "";
  }
  buf_reset(tmp);
  for (size_t j = 0; j < fm->nparts; j++) {
    const struct part *pt = &fm->parts[j];
    size_t c = (size_t)pt->column;
    if (pt->column < 0)
      buf_puts(tmp, pt->text);
    else if (c < r->nfields && r->field[c][0] &&
             !ingest__is_missing(imp, r->field[c], r->len[c]))
      buf_puts(tmp, r->field[c]);
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
  if (!ingest__preset_keep(imp, r)) {
    imp->skipped++;
    return OK;
  }
  record_reset(imp->cur);
  if (imp->o->rejects)
    raw_row(imp->cur_raw, r); /* only the rejects file shows it */
  for (size_t col = c->header.nfields; col < r->nfields; col++)
    if (!blank(r->field[col])) {
      /* A value under no column would be lost without a word. */
      char *exp = xasprintf(_("at most %zu cells, as in the header"),
                            c->header.nfields);
      char *got = xasprintf("%zu", r->nfields);
      char *m = xasprintf(_("expected %s, got %s"), exp, got);
      ingest__problem_add(&imp->prob, INGEST_ERR_RECORD, NULL, exp, got, m);
      free(exp);
      free(got);
      free(m);
      break;
    }
  for (size_t fi = 0; fi < imp->kind->nfields; fi++)
    if (c->fm[fi].nparts)
      ingest__apply(imp, imp->cur, (int)fi, 0,
                    field_text(imp, &c->fm[fi], r, tmp), 1);
  ingest__apply_sets(imp, imp->cur);
  ingest__preset_row(imp, imp->cur, r);
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
             const struct table *t)
{
  size_t col = t->error_column - 1;
  const char *text = t->error;
  int fi = field_of_column(imp, c, col);
  char *where;

  if (fi >= 0) {
    ingest__problem_text(&imp->prob, INGEST_ERR_FIELD,
                         imp->kind->fields[fi].name, text);
    return;
  }
  where = col < c->header.nfields
              ? xasprintf(_("column '%s': %s"), c->header.field[col], text)
              : xasprintf(_("column %zu: %s"), col + 1, text);
  ingest__problem_add(&imp->prob, INGEST_ERR_FIELD, NULL, NULL, NULL, where);
  free(where);
}

int
ingest__send_too_long(struct importer *imp, unsigned long line,
                      const char *what)
{
  char *m = xasprintf(_("%s; the rest of the input was not read (raise the "
                        "cap with --max-line BYTES)"),
                      what);
  int rc = ingest__send_error(imp, INGEST_ERR_SYNTAX, line, NULL, m);

  free(m);
  return rc;
}

/* A row the table could not read (a cell's own error is the field's). */
static int
bad_row(struct importer *imp, const struct columns *c, struct table *t)
{
  int rc;

  buf_reset(imp->cur_raw);
  if ((rc = ingest__flush(imp)) != OK)
    return rc;
  imp->row++;
  if (t->error_column > 0 && t->error && strncmp(t->error, "expected ", 9) == 0)
    cell_problem(imp, c, t);
  else
    ingest__problem_add(&imp->prob, INGEST_ERR_SYNTAX, NULL, NULL, NULL,
                        t->error);
  record_reset(imp->cur);
  return ingest__send_reject(imp, t->error_line, NULL);
}

/* A table that cannot be read any further: the import fails. */
static int
table_failed(struct importer *imp, struct table *t)
{
  int rc = ingest__flush(imp);

  if (rc == OK)
    rc = ingest__send_error(imp, INGEST_ERR_SYNTAX, t->error_line, NULL,
                            t->error);
  return rc == OK ? ERR_INVALID : rc;
}

/* Nothing to read: no row at all, or none at --header-row. */
static int
no_header(struct importer *imp, struct rows *rs)
{
  const char *m = _("empty file: expected a header row");
  char *own = NULL;
  struct held *h = NULL;
  unsigned long line = 0;
  int any = 0;

  /* No row read at all: the first that could not be read says why. */
  for (size_t i = 0; i < rs->nheld; i++) {
    any = any || rs->held[i].rc == 1;
    if (h == NULL && rs->held[i].rc < 0)
      h = &rs->held[i];
  }
  if (h && !any) {
    m = h->error;
    line = h->error_line;
    /* A cell's own error (a NUL byte) names its column. */
    if (h->error_column > 0 && strncmp(m, "expected ", 9) == 0)
      m = own = xasprintf(_("column %zu: %s"), h->error_column, h->error);
  } else if (imp->o->header_row) {
    own = xasprintf(_("no row at --header-row %lu: the file ends before it"),
                    imp->o->header_row);
    m = own;
  }
  ingest__send_error(imp, line ? INGEST_ERR_SYNTAX : INGEST_ERR_FILE, line,
                     NULL, m);
  free(own);
  /* The writer says so while this is still the input it names. */
  handoff_drain(imp->ho);
  return ERR_INVALID;
}

/* The header, the hashtag row and the mapping. Returns OK, or the import's
 * failure (reported). *got is the first data row's read (1, 0, <0). */
static int
read_header(struct importer *imp, struct rows *rs, struct columns *c,
            struct csv_record *r, int *got)
{
  struct csv_record tags = {0, NULL, NULL, 0};
  struct buf raw;
  long h = find_header(imp, rs);
  int rc;

  if (h < 0)
    return no_header(imp, rs);
  columns_init(c, &rs->held[h].row, imp->kind->nfields);
  if (h > 0 && !imp->o->header_row && (rc = say_header(imp, rs, (size_t)h)))
    return rc;
  rs->next = (size_t)h + 1;
  if (imp->o->rejects && !imp->header_sent) {
    buf_init(&raw);
    raw_row(&raw, &c->header);
    ingest__send_header(imp, raw.data);
    buf_cleanup(&raw);
  }
  *got = next_row(rs, r);
  if (*got == 1 && is_hashtag_row(r)) {
    copy_row(&tags, r); /* the next read may reuse r's buffers */
    *got = next_row(rs, r);
  }
  rc = ingest__preset_header(imp, &c->header, c->used, c->fm);
  if (rc == OK)
    rc = map_header(imp, c, tags.nfields ? &tags : NULL);
  if (rc == OK && tags.nfields)
    map_hashtags(imp, c, &tags);
  free_row(&tags);
  if (rc != OK)
    return rc;
  note_cells(imp, c);
  ingest__preset_mapped(imp, &c->header, c->fm);
  rc = ingest__check_required(imp, &c->header, c->fm, c->used,
                              *got == 1 ? r : NULL);
  if (rc == OK)
    rc = note_ignored(imp, c);
  return rc;
}

int
ingest__import_table(struct importer *imp, struct table *t, size_t len)
{
  struct rows rs;
  struct csv_record r;
  struct columns c;
  int rc, got = 0;
  struct buf tmp;
  const char *given = t->base; /* what was given back ends here */

  memset(&rs, 0, sizeof rs);
  memset(&c, 0, sizeof c);
  rs.t = t;
  buf_init(&tmp);
  free(imp->sheet); /* the writer has said all about the last input */
  imp->sheet = t->sheet ? xstrdup(t->sheet) : NULL;
  imp->sheet_no = t->sheet_no;
  imp->date1904 = t->date1904;
  if ((rc = read_header(imp, &rs, &c, &r, &got)) != OK)
    goto out;
  for (; got != 0 && rc == OK; got = next_row(&rs, &r)) {
    if (got < 0) {
      rc = t->fatal ? table_failed(imp, t) : bad_row(imp, &c, t);
      if (t->fatal)
        break;
      continue;
    }
    if (blank_row(&r))
      continue; /* ",,,,": what spreadsheets leave below the data */
    rc = read_row(imp, &c, &r, &tmp);
    if (rc == OK && (imp->row & 0xffff) == 0) {
      rc = ingest__send_progress(imp, t->offset(t), t->total ? t->total : len);
      if (t->base) {
        ingest__release_read(imp, given, t->base + t->offset(t));
        given = t->base + t->offset(t);
      }
    }
  }
  if (rc == OK)
    rc = ingest__preset_end(imp);
  rc = ingest__end_input(imp, rc, len);
out:
  columns_cleanup(&c, imp->kind->nfields);
  rows_cleanup(&rs);
  buf_cleanup(&tmp);
  return rc;
}

/* A CSV table: the CSV reader as a table. */
struct csv_table {
  struct table t;
  struct csv_reader *rd;
  char *message; /* a line over the cap: what to do, with the reader's */
};

/* A record whose first line is over the cap (an endless line: a file that
 * is not what it seems, a stream with no line ends) and an input that can
 * no longer be read end the table: the rest is not read. */
static int
csv_table_read(struct table *t, struct csv_record *rec)
{
  struct csv_table *ct = (struct csv_table *)t;
  int rc = csv_read(ct->rd, rec);

  if (rc < 0) {
    t->error = csv_reader_error(ct->rd);
    t->error_line = csv_reader_error_line(ct->rd);
    t->error_column = csv_reader_error_column(ct->rd);
    if (rc == ERR_NOMEM && csv_reader_error_long_line(ct->rd)) {
      free(ct->message);
      ct->message = xasprintf(_("%s; the rest of the input was not read "
                                "(raise the cap with --max-line BYTES)"),
                              t->error);
      t->error = ct->message;
      t->fatal = 1;
    } else if (rc == ERR_IO) {
      t->fatal = 1;
    }
  }
  return rc;
}

static size_t
csv_table_offset(const struct table *t)
{
  return csv_reader_offset(((const struct csv_table *)t)->rd);
}

static void
csv_table_free(struct table *t)
{
  csv_reader_free(((struct csv_table *)t)->rd);
  free(((struct csv_table *)t)->message);
  free(t);
}

struct table *
ingest__csv_table(const char *data, size_t len, char delim, size_t max_record)
{
  struct csv_table *ct = xcalloc(1, sizeof *ct);

  ct->rd = csv_reader_new(data, len);
  csv_reader_set_delimiter(ct->rd, delim);
  csv_reader_set_max_record(ct->rd, max_record);
  ct->t.read = csv_table_read;
  ct->t.offset = csv_table_offset;
  ct->t.free = csv_table_free;
  ct->t.base = data;
  return &ct->t;
}

void
ingest__table_free(struct table *t)
{
  if (t)
    t->free(t);
}

int
ingest__import_csv(struct importer *imp, const char *data, size_t len)
{
  struct text txt;
  struct table *t;
  int rc;

  if ((rc = ingest__csv_text(imp, data, len, &txt)) != OK)
    return rc;
  imp->delim = imp->o->delimiter ? imp->o->delimiter
                                 : ingest__detect_delimiter(txt.data, txt.len);
  if (!imp->o->delimiter && imp->delim != ',') {
    char *m = xasprintf(
        _("the fields are separated by %s (read from the header row); "
          "--delimiter says otherwise (docs/importing.md#delimiters)"),
        imp->delim == '\t'  ? _("tabs")
        : imp->delim == ';' ? "';'"
                            : "'|'");
    rc = ingest__send_guess(imp, m);
    free(m);
  }
  t = ingest__csv_table(txt.data, txt.len, imp->delim, imp->max_line);
  if (rc == OK)
    rc = ingest__import_table(imp, t, txt.len);
  ingest__table_free(t);
  ingest__text_release(&txt);
  return rc;
}
