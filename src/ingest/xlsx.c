/*
 * One sheet of an Office Open XML workbook (.xlsx) as a table.
 *
 * The parts, found through the package's relationships as ECMA-376 says
 * (never by a guessed file name): _rels/.rels names the workbook;
 * workbook.xml lists the sheets (name, relationship) and says whether
 * serial dates count from 1900 or 1904; its .rels file names each sheet's
 * part, the shared strings and the styles. styles.xml says which cell
 * formats are dates: the built-in ones (14-22, 27-36, 45-47, 50-58) and
 * custom codes with d, m, y, h or s outside quotes and brackets.
 * sharedStrings.xml is held in memory, capped (BOOK_MAX_SHARED); the sheet
 * itself is streamed a row at a time.
 *
 * A cell becomes the text a CSV of the same sheet would hold: a shared or
 * inline string as it is (rich text runs joined, phonetic runs left out,
 * _xHHHH_ escapes decoded), a number in its shortest exact form, a number
 * formatted as a date as an ISO date ("2023-10-07", with its time when the
 * format shows one), a boolean TRUE or FALSE, an error as written (#N/A),
 * a formula by its cached value. A row's number is the sheet's.
 */
#include "ingest/book.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How a cell format shows a number. */
enum shows { SHOWS_NUMBER, SHOWS_DATE, SHOWS_DATETIME, SHOWS_TIME };

/* --- relationships ------------------------------------------------------ */

struct rel {
  char *id, *type, *target;
};

struct rels {
  struct rel *v;
  size_t n;
};

static void XMLCALL
rels_start(void *ud, const char *name, const char **atts)
{
  struct rels *rs = ud;
  const char *id = ingest__xml_attr(atts, "Id");
  const char *type = ingest__xml_attr(atts, "Type");
  const char *target = ingest__xml_attr(atts, "Target");

  if (strcmp(ingest__xml_local(name), "Relationship") != 0 || !id || !target)
    return;
  if (rs->n >= 10000)
    return; /* no real package has so many */
  rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
  rs->v[rs->n].id = xstrdup(id);
  rs->v[rs->n].type = xstrdup(type ? type : "");
  rs->v[rs->n].target = xstrdup(target);
  rs->n++;
}

static void
rels_free(struct rels *rs)
{
  for (size_t i = 0; i < rs->n; i++) {
    free(rs->v[i].id);
    free(rs->v[i].type);
    free(rs->v[i].target);
  }
  free(rs->v);
  memset(rs, 0, sizeof *rs);
}

/* 1 when a relationship's type ends with "/" kind. */
static int
rel_is(const struct rel *r, const char *kind)
{
  size_t n = strlen(r->type), k = strlen(kind);

  return n > k && r->type[n - k - 1] == '/' &&
         strcmp(r->type + n - k, kind) == 0;
}

/* The part a target names, from the folder of the part that names it:
 * "worksheets/sheet1.xml" from "xl/" is "xl/worksheets/sheet1.xml";
 * "/xl/styles.xml" is "xl/styles.xml"; ".." steps up. */
static char *
part_path(const char *dir, const char *target)
{
  struct buf b;
  char *out, *seg, *save = NULL, *copy;
  char **parts = NULL;
  size_t n = 0;

  buf_init(&b);
  if (target[0] != '/')
    buf_puts(&b, dir);
  buf_puts(&b, target);
  copy = buf_take(&b);
  for (seg = strtok_r(copy, "/", &save); seg;
       seg = strtok_r(NULL, "/", &save)) {
    if (strcmp(seg, ".") == 0)
      continue;
    if (strcmp(seg, "..") == 0) {
      n -= n > 0;
      continue;
    }
    parts = xrealloc(parts, (n + 1) * sizeof *parts);
    parts[n++] = seg;
  }
  buf_init(&b);
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
  out = b.data ? buf_take(&b) : xstrdup("");
  free(parts);
  free(copy);
  return out;
}

/* The folder of a part, with its slash: "xl/" for "xl/workbook.xml". */
static char *
dir_of(const char *part)
{
  const char *slash = strrchr(part, '/');

  return xstrndup(part, slash ? (size_t)(slash - part + 1) : 0);
}

/* The relationships of part: "xl/_rels/workbook.xml.rels". */
static int
read_rels(struct archive *a, const char *part, struct rels *rs, struct buf *err)
{
  char *dir = dir_of(part);
  char *path = xasprintf("%s_rels/%s.rels", dir, part + strlen(dir));
  int rc = ingest__xml_parse_all(a, path, rs, rels_start, NULL, NULL, err);

  free(dir);
  free(path);
  return rc;
}

/* --- the workbook ------------------------------------------------------- */

struct workbook {
  struct book_sheets *bs;
  char **rids; /* per sheet: its relationship */
  int date1904;
};

static void XMLCALL
workbook_start(void *ud, const char *name, const char **atts)
{
  struct workbook *wb = ud;
  const char *local = ingest__xml_local(name);

  if (strcmp(local, "workbookPr") == 0) {
    const char *d = ingest__xml_attr(atts, "date1904");
    wb->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
  } else if (strcmp(local, "sheet") == 0 && wb->bs->n < 10000) {
    const char *sn = ingest__xml_attr(atts, "name");
    const char *rid = NULL;
    for (size_t i = 0; atts[i]; i += 2)
      if (strchr(atts[i], ':') && strcmp(ingest__xml_local(atts[i]), "id") == 0)
        rid = atts[i + 1];
    ingest__book_sheets_add(wb->bs, sn ? sn : "");
    wb->rids = xrealloc(wb->rids, wb->bs->n * sizeof *wb->rids);
    wb->rids[wb->bs->n - 1] = xstrdup(rid ? rid : "");
  }
}

/* --- styles ------------------------------------------------------------- */

struct styles {
  int in_xfs;
  struct fmt {
    int id;
    char *code;
  } * fmts;
  size_t nfmts;
  unsigned char *shows; /* per xf: enum shows */
  size_t nxfs;
};

static enum shows
builtin_shows(int id)
{
  if (id >= 14 && id <= 17)
    return SHOWS_DATE;
  if (id == 22)
    return SHOWS_DATETIME;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
    return SHOWS_TIME;
  if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58))
    return SHOWS_DATE; /* the East Asian date formats */
  return SHOWS_NUMBER;
}

/* What a custom format code shows: its first section's tokens outside
 * quotes, [brackets] (but [h], [m], [s] are elapsed time), escapes (\x)
 * and fills or spaces (*x, _x). */
static enum shows
code_shows(const char *code)
{
  int date = 0, time = 0, month = 0;

  for (const char *p = code; *p && *p != ';'; p++) {
    char c = (char)tolower((unsigned char)*p);
    if (*p == '"') {
      while (p[1] && p[1] != '"')
        p++;
      if (p[1])
        p++;
    } else if (*p == '\\' || *p == '*' || *p == '_') {
      if (p[1])
        p++;
    } else if (*p == '[') {
      const char *q = strchr(p, ']');
      if (q == NULL)
        break;
      if (strchr("hms", tolower((unsigned char)p[1])))
        time = 1;
      p = q;
    } else if (c == 'd' || c == 'y') {
      date = 1;
    } else if (c == 'h' || c == 's') {
      time = 1;
    } else if (c == 'm') {
      month = 1;
    } else if (c == 'a' && strncasecmp(p, "am/pm", 5) == 0) {
      time = 1;
      p += 4;
    }
  }
  if (month && !time)
    date = 1; /* "mmm-yy", "mm/dd": a month; with h or s it is minutes */
  if (date && time)
    return SHOWS_DATETIME;
  if (date)
    return SHOWS_DATE;
  return time ? SHOWS_TIME : SHOWS_NUMBER;
}

static void XMLCALL
styles_start(void *ud, const char *name, const char **atts)
{
  struct styles *st = ud;
  const char *local = ingest__xml_local(name);

  if (strcmp(local, "numFmt") == 0 && st->nfmts < 10000) {
    const char *id = ingest__xml_attr(atts, "numFmtId");
    const char *code = ingest__xml_attr(atts, "formatCode");
    if (id && code) {
      st->fmts = xrealloc(st->fmts, (st->nfmts + 1) * sizeof *st->fmts);
      st->fmts[st->nfmts].id = atoi(id);
      st->fmts[st->nfmts].code = xstrdup(code);
      st->nfmts++;
    }
  } else if (strcmp(local, "cellXfs") == 0) {
    st->in_xfs = 1;
  } else if (strcmp(local, "xf") == 0 && st->in_xfs && st->nxfs < 100000) {
    const char *id = ingest__xml_attr(atts, "numFmtId");
    int fid = id ? atoi(id) : 0;
    enum shows s = builtin_shows(fid);
    for (size_t i = 0; i < st->nfmts; i++)
      if (st->fmts[i].id == fid)
        s = code_shows(st->fmts[i].code);
    st->shows = xrealloc(st->shows, st->nxfs + 1);
    st->shows[st->nxfs++] = (unsigned char)s;
  }
}

static void XMLCALL
styles_end(void *ud, const char *name)
{
  struct styles *st = ud;

  if (strcmp(ingest__xml_local(name), "cellXfs") == 0)
    st->in_xfs = 0;
}

static void
styles_free(struct styles *st)
{
  for (size_t i = 0; i < st->nfmts; i++)
    free(st->fmts[i].code);
  free(st->fmts);
  free(st->shows);
  memset(st, 0, sizeof *st);
}

/* --- strings ------------------------------------------------------------ */

static int
hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
put_utf8(struct buf *b, unsigned cp)
{
  if (cp < 0x80) {
    buf_putc(b, (char)cp);
  } else if (cp < 0x800) {
    buf_putc(b, (char)(0xC0 | (cp >> 6)));
    buf_putc(b, (char)(0x80 | (cp & 0x3F)));
  } else {
    buf_putc(b, (char)(0xE0 | (cp >> 12)));
    buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
    buf_putc(b, (char)(0x80 | (cp & 0x3F)));
  }
}

/* Decodes ST_Xstring's escapes in place of n bytes at s into out:
 * "_x000D_" is a carriage return, "_x005F_" an underscore. */
static void
xstring(const char *s, size_t n, struct buf *out)
{
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '_' && i + 6 < n && s[i + 1] == 'x' && s[i + 6] == '_') {
      int v = 0, ok = 1;
      for (int k = 2; k < 6; k++) {
        int h = hexval(s[i + k]);
        ok &= h >= 0;
        v = v * 16 + (h < 0 ? 0 : h);
      }
      if (ok && v != 0 && (v < 0xD800 || v > 0xDFFF)) {
        put_utf8(out, (unsigned)v);
        i += 6;
        continue;
      }
    }
    buf_putc(out, s[i]);
  }
}

struct shared {
  struct buf text; /* every string, each with its NUL */
  size_t *off;
  size_t n, cap;
  struct buf cur; /* the string being read */
  int in_si, in_t, in_rph;
  int over; /* a cap was hit */
  struct xml_in *x;
};

static void XMLCALL
shared_start(void *ud, const char *name, const char **atts)
{
  struct shared *sh = ud;
  const char *local = ingest__xml_local(name);

  (void)atts;
  if (strcmp(local, "si") == 0) {
    sh->in_si = 1;
    buf_reset(&sh->cur);
  } else if (strcmp(local, "rPh") == 0) {
    sh->in_rph = 1;
  } else if (strcmp(local, "t") == 0 && sh->in_si && !sh->in_rph) {
    sh->in_t = 1;
  }
}

static void XMLCALL
shared_end(void *ud, const char *name)
{
  struct shared *sh = ud;
  const char *local = ingest__xml_local(name);

  if (strcmp(local, "t") == 0) {
    sh->in_t = 0;
  } else if (strcmp(local, "rPh") == 0) {
    sh->in_rph = 0;
  } else if (strcmp(local, "si") == 0 && sh->in_si) {
    sh->in_si = 0;
    if (sh->n == BOOK_MAX_STRINGS ||
        sh->text.len + sh->cur.len + 1 > BOOK_MAX_SHARED) {
      sh->over = 1;
      ingest__xml_abort(sh->x);
      return;
    }
    sh->off = util_grow(sh->off, &sh->cap, sh->n + 1, sizeof *sh->off);
    sh->off[sh->n++] = sh->text.len;
    xstring(sh->cur.data ? sh->cur.data : "", sh->cur.len, &sh->text);
    buf_putc(&sh->text, '\0');
  }
}

static void XMLCALL
shared_text(void *ud, const char *s, int len)
{
  struct shared *sh = ud;

  if (!sh->in_t)
    return;
  if (sh->cur.len + (size_t)len > BOOK_MAX_CELL) {
    sh->over = 1;
    ingest__xml_abort(sh->x);
    return;
  }
  buf_append(&sh->cur, s, (size_t)len);
}

static int
read_shared(struct archive *a, const char *part, struct shared *sh,
            struct buf *err)
{
  int rc;

  sh->x = ingest__xml_open(a, part, sh, shared_start, shared_end, shared_text);
  if (sh->x == NULL)
    return OK; /* a workbook without strings */
  while ((rc = ingest__xml_run(sh->x)) == 1)
    ;
  if (sh->over) {
    buf_printf(err,
               _("the workbook's shared strings are over the cap of %u MiB or "
                 "%u strings: save the sheet as CSV"),
               BOOK_MAX_SHARED >> 20, BOOK_MAX_STRINGS);
    rc = ERR_NOMEM;
  } else if (rc < 0) {
    buf_printf(err, "%s: %s", part, ingest__xml_error(sh->x));
  }
  ingest__xml_free(sh->x);
  sh->x = NULL;
  buf_cleanup(&sh->cur);
  return rc < 0 ? rc : OK;
}

/* --- the sheet ---------------------------------------------------------- */

struct xlsx {
  struct table t;
  struct xml_in *x;
  struct shared sh;
  struct styles st;
  struct sheet_row row;
  unsigned long rownum; /* the row being read */
  int in_data, in_row, ready;
  /* the cell being read */
  int in_cell, in_v, in_is_t, in_rph;
  long col, next_col;
  char type[12];
  long style;
  struct buf v;   /* its value's text */
  struct buf out; /* what it becomes */
  char error[200];
  unsigned long error_line;
};

/* "B14" -> column 1; -1 when it is no reference. */
static long
ref_column(const char *r)
{
  long c = 0;
  int k = 0;

  for (; isalpha((unsigned char)*r) && k < 4; r++, k++)
    c = c * 26 + (toupper((unsigned char)*r) - 'A' + 1);
  return k == 0 || k > 3 ? -1 : c - 1;
}

static void XMLCALL
sheet_start(void *ud, const char *name, const char **atts)
{
  struct xlsx *s = ud;
  const char *local = ingest__xml_local(name);

  if (strcmp(local, "sheetData") == 0) {
    s->in_data = 1;
  } else if (strcmp(local, "row") == 0 && s->in_data) {
    const char *r = ingest__xml_attr(atts, "r");
    unsigned long n = r ? strtoul(r, NULL, 10) : 0;
    /* Rows go down (a sheet has at most 1,048,576): a number that does
     * not is the next row's. */
    s->rownum = n > s->rownum && n <= (1ul << 31) ? n : s->rownum + 1;
    s->in_row = 1;
    s->next_col = 0;
    ingest__row_reset(&s->row);
  } else if (strcmp(local, "c") == 0 && s->in_row) {
    const char *r = ingest__xml_attr(atts, "r");
    const char *t = ingest__xml_attr(atts, "t");
    const char *st = ingest__xml_attr(atts, "s");
    s->in_cell = 1;
    s->col = r ? ref_column(r) : -1;
    if (s->col < 0)
      s->col = s->next_col;
    snprintf(s->type, sizeof s->type, "%s", t ? t : "n");
    s->style = st ? atol(st) : 0;
    buf_reset(&s->v);
  } else if (s->in_cell && strcmp(local, "v") == 0) {
    s->in_v = 1;
  } else if (s->in_cell && strcmp(local, "rPh") == 0) {
    s->in_rph = 1;
  } else if (s->in_cell && strcmp(local, "t") == 0 && !s->in_rph) {
    s->in_is_t = 1;
  }
}

/* The cell read, as text, into s->out. */
static void
cell_text(struct xlsx *s)
{
  const char *v = s->v.data ? s->v.data : "";
  enum shows shows = SHOWS_NUMBER;
  char iso[40];
  double d;

  buf_reset(&s->out);
  if (strcmp(s->type, "s") == 0) {
    char *end;
    unsigned long i = strtoul(v, &end, 10);
    if (*v && *end == '\0' && i < s->sh.n)
      buf_puts(&s->out, s->sh.text.data + s->sh.off[i]);
    else if (!s->row.bad) {
      s->row.bad = 1;
      snprintf(
          s->row.error, sizeof s->row.error,
          _("a cell names shared string '%.20s', which the workbook lacks"), v);
    }
  } else if (strcmp(s->type, "inlineStr") == 0 || strcmp(s->type, "str") == 0) {
    xstring(v, s->v.len, &s->out);
  } else if (strcmp(s->type, "b") == 0) {
    buf_puts(&s->out, strcmp(v, "1") == 0 ? "TRUE" : v[0] ? "FALSE" : "");
  } else if (strcmp(s->type, "e") == 0 || strcmp(s->type, "d") == 0) {
    buf_puts(&s->out, v);
  } else {
    if (s->style >= 0 && (size_t)s->style < s->st.nxfs)
      shows = (enum shows)s->st.shows[s->style];
    if (shows != SHOWS_NUMBER && util_parse_number(v, s->v.len, &d) == OK &&
        (shows == SHOWS_TIME ? d >= 0 && d < 1 : 1) &&
        (shows == SHOWS_TIME
             ? ingest__serial_date(d + 1, 1, 1, 0, iso, sizeof iso) == OK
             : ingest__serial_date(d, s->t.date1904, shows == SHOWS_DATETIME,
                                   shows == SHOWS_DATE, iso,
                                   sizeof iso) == OK)) {
      /* A time of day alone: its clock ("10:30:00"), which a template
       * "{Date} {Time}" joins to a date. */
      buf_puts(&s->out, shows == SHOWS_TIME ? iso + 11 : iso);
    } else if (*v) {
      ingest__number_text(v, &s->out);
    }
  }
}

static void XMLCALL
sheet_end(void *ud, const char *name)
{
  struct xlsx *s = ud;
  const char *local = ingest__xml_local(name);

  if (strcmp(local, "v") == 0) {
    s->in_v = 0;
  } else if (strcmp(local, "t") == 0) {
    s->in_is_t = 0;
  } else if (strcmp(local, "rPh") == 0) {
    s->in_rph = 0;
  } else if (strcmp(local, "c") == 0 && s->in_cell) {
    s->in_cell = 0;
    cell_text(s);
    ingest__row_put(&s->row, (size_t)s->col, s->out.data ? s->out.data : "",
                    s->out.len);
    s->next_col = s->col + 1;
  } else if (strcmp(local, "row") == 0 && s->in_row) {
    s->in_row = 0;
    s->ready = 1;
    ingest__xml_suspend(s->x);
  } else if (strcmp(local, "sheetData") == 0) {
    s->in_data = 0;
  }
}

static void XMLCALL
sheet_chars(void *ud, const char *text, int len)
{
  struct xlsx *s = ud;

  if (!(s->in_v || s->in_is_t) || s->row.bad)
    return;
  if (s->v.len + (size_t)len > BOOK_MAX_CELL) {
    s->row.bad = 1;
    snprintf(s->row.error, sizeof s->row.error,
             _("a cell longer than %u bytes"), BOOK_MAX_CELL);
    return;
  }
  buf_append(&s->v, text, (size_t)len);
}

static int
xlsx_read(struct table *t, struct csv_record *rec)
{
  struct xlsx *s = (struct xlsx *)t;
  int rc;

  memset(rec, 0, sizeof *rec);
  s->ready = 0;
  rc = ingest__xml_run(s->x);
  if (rc < 0) {
    snprintf(s->error, sizeof s->error, _("sheet '%s': %s"), t->sheet,
             ingest__xml_error(s->x));
    t->error = s->error;
    t->error_line = s->rownum;
    t->fatal = 1;
    return ERR_INVALID;
  }
  if (!s->ready)
    return 0;
  if (s->row.bad) {
    snprintf(s->error, sizeof s->error, _("row %lu: %s"), s->rownum,
             s->row.error);
    t->error = s->error;
    t->error_line = s->rownum;
    return ERR_INVALID;
  }
  ingest__row_record(&s->row, rec, s->rownum);
  return 1;
}

static size_t
xlsx_offset(const struct table *t)
{
  return ingest__xml_read(((const struct xlsx *)t)->x);
}

static void
xlsx_free(struct table *t)
{
  struct xlsx *s = (struct xlsx *)t;

  ingest__xml_free(s->x);
  buf_cleanup(&s->sh.text);
  free(s->sh.off);
  styles_free(&s->st);
  ingest__row_cleanup(&s->row);
  buf_cleanup(&s->v);
  buf_cleanup(&s->out);
  free((char *)t->sheet);
  free(s);
}

/* The workbook's part, from the package's relationships. */
static char *
workbook_part(struct archive *a, struct buf *err)
{
  struct rels rs = {NULL, 0};
  char *part = NULL;

  if (read_rels(a, "", &rs, err) == OK)
    for (size_t i = 0; i < rs.n && part == NULL; i++)
      if (rel_is(&rs.v[i], "officeDocument"))
        part = part_path("", rs.v[i].target);
  rels_free(&rs);
  buf_reset(err);
  return part ? part : xstrdup("xl/workbook.xml");
}

/* Reads the sheet list, the styles and the strings; opens sheet i. */
static int
open_parts(struct archive *a, const char *want, struct xlsx *s,
           struct book_sheets *bs, struct buf *err)
{
  char *wbpart = workbook_part(a, err), *dir = dir_of(wbpart), *sheet = NULL;
  struct workbook wb = {bs, NULL, 0};
  struct rels rs = {NULL, 0};
  long i;
  int rc;

  rc = ingest__xml_parse_all(a, wbpart, &wb, workbook_start, NULL, NULL, err);
  if (rc == ERR_NOTFOUND)
    buf_printf(err, _("no workbook part '%s'"), wbpart);
  if (rc == OK && (rc = read_rels(a, wbpart, &rs, err)) == ERR_NOTFOUND)
    buf_printf(err, _("no relationships for the workbook part '%s'"), wbpart);
  if (rc != OK || (i = ingest__book_pick(bs, want, err)) < 0) {
    rc = rc != OK ? rc : ERR_INVALID;
    goto out;
  }
  for (size_t k = 0; k < rs.n; k++) {
    char *p = part_path(dir, rs.v[k].target);
    if (rel_is(&rs.v[k], "styles"))
      ingest__xml_parse_all(a, p, &s->st, styles_start, styles_end, NULL, err);
    else if (rel_is(&rs.v[k], "sharedStrings") && s->sh.n == 0 &&
             (rc = read_shared(a, p, &s->sh, err)) != OK) {
      free(p);
      goto out;
    } else if (strcmp(rs.v[k].id, wb.rids[i]) == 0 && sheet == NULL) {
      sheet = rel_is(&rs.v[k], "worksheet") ? xstrdup(p) : xstrdup("");
    }
    free(p);
  }
  buf_reset(err);
  if (sheet == NULL || sheet[0] == '\0') {
    buf_printf(err, _("sheet '%s' is %s"), bs->names[i],
               sheet ? _("a chart or dialog, not a table of cells")
                     : _("missing from the workbook"));
    rc = ERR_INVALID;
    goto out;
  }
  s->x = ingest__xml_open(a, sheet, s, sheet_start, sheet_end, sheet_chars);
  if (s->x == NULL) {
    buf_printf(err, _("sheet '%s' is missing from the workbook (%s)"),
               bs->names[i], sheet);
    rc = ERR_INVALID;
    goto out;
  }
  s->t.sheet = xstrdup(bs->names[i]);
  s->t.sheet_no = (int)i + 1;
  s->t.total = ingest__xml_size(s->x);
  s->t.date1904 = wb.date1904;
  bs->chosen = (size_t)i;
out:
  for (size_t k = 0; k < bs->n && wb.rids; k++)
    free(wb.rids[k]);
  free(wb.rids);
  rels_free(&rs);
  free(sheet);
  free(dir);
  free(wbpart);
  return rc;
}

int
ingest__xlsx_open(struct archive *a, const char *want, struct table **out,
                  struct book_sheets *bs, struct buf *err)
{
  struct xlsx *s = xcalloc(1, sizeof *s);
  int rc;

  s->t.read = xlsx_read;
  s->t.offset = xlsx_offset;
  s->t.free = xlsx_free;
  buf_init(&s->sh.text);
  buf_init(&s->sh.cur);
  buf_init(&s->v);
  buf_init(&s->out);
  buf_init(&s->row.arena);
  rc = open_parts(a, want, s, bs, err);
  if (rc != OK) {
    xlsx_free(&s->t);
    return rc == ERR_NOTFOUND ? ERR_INVALID : rc;
  }
  *out = &s->t;
  return OK;
}
