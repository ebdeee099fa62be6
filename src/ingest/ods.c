/*
 * One sheet of an OpenDocument spreadsheet (.ods) as a table.
 *
 * content.xml holds every sheet (table:table, named by table:name) one
 * after another; a first pass lists their names, a second streams the
 * chosen one a row at a time. A cell's value is in its attributes by
 * office:value-type (float, percentage and currency in office:value, date
 * in office:date-value, time in office:time-value, boolean in
 * office:boolean-value), a string in its text:p paragraphs (joined by line
 * breaks; text:s, text:tab and text:line-break are what they stand for).
 * A cell or row may stand for several (table:number-columns-repeated,
 * table:number-rows-repeated): empty ones only move the count on, so the
 * million empty rows and thousand empty columns a sheet ends with cost
 * nothing; repeated cells with a value are written out, up to the cap of
 * columns, and repeated rows with a value up to BOOK_MAX_REPEAT.
 */
#include "ingest/book.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- the names of the sheets ------------------------------------------ */

struct names {
  struct book_sheets *bs;
};

static void XMLCALL
names_start(void *ud, const char *name, const char **atts)
{
  struct names *n = ud;
  const char *tn;

  if (strcmp(ingest__xml_local(name), "table") != 0 || n->bs->n >= 10000)
    return;
  tn = ingest__xml_attr(atts, "name");
  ingest__book_sheets_add(n->bs, tn ? tn : "");
}

/* --- the sheet ---------------------------------------------------------- */

struct ods {
  struct table t;
  struct xml_in *x;
  struct sheet_row row;
  long want;            /* the sheet read, by its place */
  long table;           /* tables met so far */
  int depth;            /* inside the sheet read: nesting of tables */
  unsigned long rownum; /* rows passed, the current one included */
  unsigned long repeat; /* the current row's copies still to give */
  size_t col;
  int in_row, in_cell, in_p, ready;
  unsigned long cell_repeat;
  struct buf value; /* the cell's value, from its attributes */
  struct buf text;  /* or its paragraphs */
  int has_value, paragraphs;
  int notes; /* inside office:annotation */
  char error[200];
};

/* "PT10H30M00S" as "10:30:00" (a fraction of a second dropped). Each part
 * is digits alone, capped, so no text can overflow it. */
static void
duration_clock(const char *v, struct buf *out)
{
  unsigned long part[3] = {0, 0, 0}; /* H, M, S */
  const char *p = strchr(v, 'T');

  if (p == NULL) {
    buf_puts(out, v);
    return;
  }
  for (p++; *p;) {
    unsigned long x = 0;
    const char *start = p;
    while (*p >= '0' && *p <= '9') {
      x = x < 1000000 ? x * 10 + (unsigned long)(*p - '0') : x;
      p++;
    }
    if (p == start)
      break;
    if (*p == '.' || *p == ',') /* a fraction: of the seconds */
      while (*++p >= '0' && *p <= '9')
        ;
    if (*p == 'H')
      part[0] = x;
    else if (*p == 'M')
      part[1] = x;
    else if (*p == 'S')
      part[2] = x;
    else
      break;
    p++;
  }
  buf_printf(out, "%02lu:%02lu:%02lu", part[0], part[1], part[2]);
}

static void
cell_value(struct ods *o, const char **atts)
{
  const char *type = ingest__xml_attr(atts, "value-type");
  const char *v;

  buf_reset(&o->value);
  o->has_value = 0;
  if (type == NULL)
    return;
  if (strcmp(type, "float") == 0 || strcmp(type, "percentage") == 0 ||
      strcmp(type, "currency") == 0) {
    if ((v = ingest__xml_attr(atts, "value")) != NULL) {
      ingest__number_text(v, &o->value);
      o->has_value = 1;
    }
  } else if (strcmp(type, "date") == 0) {
    if ((v = ingest__xml_attr(atts, "date-value")) != NULL) {
      /* ISO already; midnight written out is a whole day here too. */
      size_t n = strlen(v);
      if (n > 10 && strcmp(v + 10, "T00:00:00") == 0)
        n = 10;
      buf_append(&o->value, v, n);
      o->has_value = 1;
    }
  } else if (strcmp(type, "time") == 0) {
    if ((v = ingest__xml_attr(atts, "time-value")) != NULL) {
      duration_clock(v, &o->value);
      o->has_value = 1;
    }
  } else if (strcmp(type, "boolean") == 0) {
    if ((v = ingest__xml_attr(atts, "boolean-value")) != NULL) {
      buf_puts(&o->value, strcmp(v, "true") == 0 ? "TRUE" : "FALSE");
      o->has_value = 1;
    }
  } else if ((v = ingest__xml_attr(atts, "string-value")) != NULL) {
    buf_puts(&o->value, v);
    o->has_value = 1;
  }
}

static unsigned long
repeated(const char **atts, const char *local)
{
  const char *r = ingest__xml_attr(atts, local);
  unsigned long n = r ? strtoul(r, NULL, 10) : 1;

  return n ? n : 1;
}

static void
text_append(struct ods *o, const char *s, size_t n)
{
  if (o->text.len + n > BOOK_MAX_CELL) {
    if (!o->row.bad) {
      o->row.bad = 1;
      snprintf(o->row.error, sizeof o->row.error,
               _("a cell longer than %u bytes"), BOOK_MAX_CELL);
    }
    return;
  }
  buf_append(&o->text, s, n);
}

static void XMLCALL
ods_start(void *ud, const char *qname, const char **atts)
{
  struct ods *o = ud;
  const char *name = ingest__xml_local(qname);

  if (strcmp(name, "table") == 0) {
    if (o->depth)
      o->depth++;
    else if (o->table++ == o->want)
      o->depth = 1;
    return;
  }
  if (o->depth != 1)
    return;
  if (strcmp(name, "annotation") == 0) {
    o->notes++; /* a comment on the cell: not its text */
  } else if (o->notes) {
    return;
  } else if (strcmp(name, "table-row") == 0) {
    o->in_row = 1;
    o->col = 0;
    o->repeat = repeated(atts, "number-rows-repeated");
    ingest__row_reset(&o->row);
  } else if (o->in_row && (strcmp(name, "table-cell") == 0 ||
                           strcmp(name, "covered-table-cell") == 0)) {
    o->in_cell = 1;
    o->cell_repeat = repeated(atts, "number-columns-repeated");
    o->paragraphs = 0;
    buf_reset(&o->text);
    cell_value(o, atts);
  } else if (o->in_cell && strcmp(name, "p") == 0) {
    if (o->paragraphs++)
      text_append(o, "\n", 1);
    o->in_p = 1;
  } else if (o->in_p && strcmp(name, "s") == 0) {
    unsigned long n = repeated(atts, "c");
    for (unsigned long i = 0; i < n && i < 1024; i++)
      text_append(o, " ", 1);
  } else if (o->in_p && strcmp(name, "tab") == 0) {
    text_append(o, "\t", 1);
  } else if (o->in_p && strcmp(name, "line-break") == 0) {
    text_append(o, "\n", 1);
  }
}

/* Puts the cell read, as often as it is repeated. */
static void
put_cell(struct ods *o)
{
  const struct buf *b = o->has_value ? &o->value : &o->text;
  const char *s = b->data ? b->data : "";

  if (b->len == 0) {
    o->col += o->cell_repeat; /* empty: only the count moves on */
    return;
  }
  for (unsigned long i = 0; i < o->cell_repeat && !o->row.bad; i++)
    ingest__row_put(&o->row, o->col++, s, b->len);
}

static void XMLCALL
ods_end(void *ud, const char *qname)
{
  struct ods *o = ud;
  const char *name = ingest__xml_local(qname);

  if (strcmp(name, "table") == 0) {
    if (o->depth)
      o->depth--;
    return;
  }
  if (o->depth != 1)
    return;
  if (strcmp(name, "annotation") == 0) {
    o->notes -= o->notes > 0;
  } else if (o->notes) {
    return;
  } else if (strcmp(name, "p") == 0) {
    o->in_p = 0;
  } else if (o->in_cell && (strcmp(name, "table-cell") == 0 ||
                            strcmp(name, "covered-table-cell") == 0)) {
    o->in_cell = 0;
    put_cell(o);
  } else if (strcmp(name, "table-row") == 0 && o->in_row) {
    o->in_row = 0;
    if (o->row.ncols == 0 && !o->row.bad) {
      o->rownum += o->repeat; /* empty rows: counted, not given */
      return;
    }
    if (o->repeat > BOOK_MAX_REPEAT && !o->row.bad) {
      o->row.bad = 1;
      snprintf(o->row.error, sizeof o->row.error,
               _("a row repeated %lu times (at most %u)"), o->repeat,
               BOOK_MAX_REPEAT);
      o->repeat = 1;
    }
    o->ready = 1;
    ingest__xml_suspend(o->x);
  }
}

static void XMLCALL
ods_chars(void *ud, const char *s, int len)
{
  struct ods *o = ud;

  if (o->depth == 1 && o->in_p && !o->notes && !o->has_value)
    text_append(o, s, (size_t)len);
}

static int
ods_read(struct table *t, struct csv_record *rec)
{
  struct ods *o = (struct ods *)t;
  int rc;

  memset(rec, 0, sizeof *rec);
  if (o->ready && o->repeat > 1) {
    o->repeat--; /* the same row again */
  } else {
    o->ready = 0;
    rc = ingest__xml_run(o->x);
    if (rc < 0) {
      snprintf(o->error, sizeof o->error, _("sheet '%s': %s"), t->sheet,
               ingest__xml_error(o->x));
      t->error = o->error;
      t->error_line = o->rownum + 1;
      t->fatal = 1;
      return ERR_INVALID;
    }
    if (!o->ready)
      return 0;
  }
  o->rownum++;
  if (o->row.bad) {
    snprintf(o->error, sizeof o->error, _("row %lu: %s"), o->rownum,
             o->row.error);
    t->error = o->error;
    t->error_line = o->rownum;
    return ERR_INVALID;
  }
  ingest__row_record(&o->row, rec, o->rownum);
  return 1;
}

static size_t
ods_offset(const struct table *t)
{
  return ingest__xml_read(((const struct ods *)t)->x);
}

static void
ods_free(struct table *t)
{
  struct ods *o = (struct ods *)t;

  ingest__xml_free(o->x);
  ingest__row_cleanup(&o->row);
  buf_cleanup(&o->value);
  buf_cleanup(&o->text);
  free((char *)t->sheet);
  free(o);
}

int
ingest__ods_open(struct archive *a, const char *want, struct table **out,
                 struct book_sheets *bs, struct buf *err)
{
  struct names n = {bs};
  struct ods *o;
  long i;
  int rc;

  rc =
      ingest__xml_parse_all(a, "content.xml", &n, names_start, NULL, NULL, err);
  if (rc != OK || (i = ingest__book_pick(bs, want, err)) < 0)
    return ERR_INVALID;
  o = xcalloc(1, sizeof *o);
  o->t.read = ods_read;
  o->t.offset = ods_offset;
  o->t.free = ods_free;
  o->want = i;
  buf_init(&o->value);
  buf_init(&o->text);
  buf_init(&o->row.arena);
  o->x = ingest__xml_open(a, "content.xml", o, ods_start, ods_end, ods_chars);
  o->t.sheet = xstrdup(bs->names[i]);
  o->t.sheet_no = (int)i + 1;
  o->t.total = o->x ? ingest__xml_size(o->x) : 0;
  bs->chosen = (size_t)i;
  *out = &o->t;
  return OK;
}
