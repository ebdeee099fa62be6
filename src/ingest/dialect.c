/*
 * CSV as people save it, and cells as people write them.
 *
 * The file: its character set (UTF-8; UTF-16 by its byte-order mark, or
 * anything iconv reads with --encoding, transcoded into a temporary file
 * so that memory does not grow with the input; a file that is not UTF-8 is
 * refused with the --encoding it most likely needs) and its delimiter (the
 * commonest of ',', ';', tab and '|' in the header row, outside quotes).
 *
 * The cells, for the fields that need it: a number with a decimal comma
 * (--decimal-comma), a date in a given order or pattern (--date-format), a
 * spreadsheet's serial date (--date-format serial, or a five-digit number
 * between 1950 and 2099 where a date is expected, said once), words for
 * missing (--missing). What the options would fix but were not given for is
 * hinted (teach.c sums it up): a decimal comma, a day/month order, "n/a".
 *
 * Nothing here changes what a cell read before: each rule applies only to
 * text the plain reading refuses, or when an option asks for it.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* A five-digit number where a date is expected is taken for a serial date
 * only between these (1950-01-01 and 2099-12-31, 1900 date system): a
 * count mapped there by mistake is more likely small, and anything outside
 * is refused as before. */
#define SERIAL_GUESS_MIN 18264
#define SERIAL_GUESS_MAX 73050
/* The largest serial a spreadsheet holds: 9999-12-31. */
#define SERIAL_MAX 2958465.0

/* --- options ----------------------------------------------------------- */

int
ingest_add_missing(struct ingest_opts *o, const char *spec, struct buf *err)
{
  size_t n;
  char **items = ingest__split(spec, ',', &n);

  (void)err;
  for (size_t i = 0; i < n; i++) {
    char *w = ingest__trimmed(items[i]);
    free(items[i]);
    if (w[0] == '\0') {
      free(w);
      continue;
    }
    o->missing = xrealloc(o->missing, (o->nmissing + 1) * sizeof *o->missing);
    o->missing[o->nmissing++] = w;
  }
  free(items);
  return OK;
}

/* Checks a strftime-style pattern: only the directives we read. */
static int
check_pattern(const char *p, struct buf *err)
{
  int day = 0, month = 0, year = 0;

  for (; *p; p++) {
    if (*p != '%')
      continue;
    p++;
    switch (*p) {
    case 'd':
    case 'e':
      day++;
      break;
    case 'm':
    case 'b':
    case 'B':
    case 'h':
      month++;
      break;
    case 'Y':
    case 'y':
      year++;
      break;
    case 'H':
    case 'M':
    case 'S':
    case '%':
      break;
    default:
      buf_printf(err,
                 _("--date-format: '%%%c' is not read (use %%d %%e %%m %%b %%B "
                   "%%Y %%y %%H %%M %%S)"),
                 *p ? *p : ' ');
      return ERR_USAGE;
    }
  }
  if (day != 1 || month != 1 || year != 1) {
    buf_puts(err, _("--date-format: a pattern needs a day, a month and a year "
                    "(%d, %m or %b, %Y or %y), each once"));
    return ERR_USAGE;
  }
  return OK;
}

int
ingest_set_date_format(struct ingest_opts *o, const char *spec, struct buf *err)
{
  static const char *const orders[] = {"DMY", "MDY", "YMD", "serial", NULL};

  for (const char *const *a = orders; *a; a++)
    if (strcasecmp(spec, *a) == 0) {
      free(o->date_format);
      o->date_format = xstrdup(*a);
      return OK;
    }
  if (strchr(spec, '%') == NULL) {
    buf_printf(err,
               _("--date-format: expected DMY, MDY, YMD, serial or a pattern "
                 "like '%%d.%%m.%%Y', got '%s'"),
               spec);
    return ERR_USAGE;
  }
  if (check_pattern(spec, err) != OK)
    return ERR_USAGE;
  free(o->date_format);
  o->date_format = xstrdup(spec);
  return OK;
}

int
ingest_set_delimiter(struct ingest_opts *o, const char *spec, struct buf *err)
{
  if (strcasecmp(spec, "tab") == 0 || strcmp(spec, "\\t") == 0)
    spec = "\t";
  else if (strcasecmp(spec, "comma") == 0)
    spec = ",";
  else if (strcasecmp(spec, "semicolon") == 0)
    spec = ";";
  else if (strcasecmp(spec, "pipe") == 0)
    spec = "|";
  if (strlen(spec) != 1 || strchr("\"\r\n", spec[0])) {
    buf_printf(err,
               _("--delimiter: expected one character (',', ';', tab, '|'), "
                 "got '%s'"),
               spec);
    return ERR_USAGE;
  }
  o->delimiter = spec[0];
  return OK;
}

/* iconv's name for what users call an encoding. */
static const char *
iconv_name(const char *name)
{
  if (strcasecmp(name, "latin1") == 0 || strcasecmp(name, "latin-1") == 0)
    return "ISO-8859-1";
  if (strcasecmp(name, "cp1252") == 0 || strcasecmp(name, "windows1252") == 0)
    return "WINDOWS-1252";
  if (strcasecmp(name, "utf16") == 0)
    return "UTF-16";
  return name;
}

int
ingest_set_encoding(struct ingest_opts *o, const char *name, struct buf *err)
{
  iconv_t cd = iconv_open("UTF-8", iconv_name(name));

  if (cd == (iconv_t)-1) {
    buf_printf(err,
               _("--encoding: '%s' is not an encoding iconv knows (try latin1, "
                 "cp1252, UTF-16, or see 'iconv --list')"),
               name);
    return ERR_USAGE;
  }
  iconv_close(cd);
  free(o->encoding);
  o->encoding = xstrdup(name);
  return OK;
}

/* --- the importer's dialect state ------------------------------------- */

void
ingest__dialect_init(struct importer *imp)
{
  const char *f = imp->o->date_format;

  memset(&imp->datefmt, 0, sizeof imp->datefmt);
  if (f && strcmp(f, "serial") == 0)
    imp->datefmt.serial = 1;
  else if (f && strchr(f, '%'))
    imp->datefmt.pattern = xstrdup(f);
  else if (f)
    imp->datefmt.order = f[0];
  imp->said = xcalloc(imp->kind->nfields, sizeof *imp->said);
  imp->field_col = xcalloc(imp->kind->nfields, sizeof *imp->field_col);
  for (size_t i = 0; i < imp->kind->nfields; i++)
    imp->field_col[i] = -1;
  imp->delim = ',';
}

void
ingest__dialect_cleanup(struct importer *imp)
{
  free(imp->datefmt.pattern);
  free(imp->said);
  free(imp->field_col);
}

int
ingest__is_missing(const struct importer *imp, const char *s, size_t n)
{
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  for (size_t i = 0; i < imp->o->nmissing; i++)
    if (strlen(imp->o->missing[i]) == n &&
        strncasecmp(imp->o->missing[i], s, n) == 0)
      return 1;
  return 0;
}

/* --- the file's text -------------------------------------------------- */

/* The length of the UTF-8 sequence at s (n bytes left), or 0 when it is
 * not one. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
  size_t k;
  unsigned c = s[0];

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    k = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    k = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    k = 4;
  else
    return 0;
  if (n < k)
    return 0;
  for (size_t i = 1; i < k; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
      (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
    return 0; /* overlong, surrogate, beyond U+10FFFF */
  return k;
}

/* The offset of the first byte that is not UTF-8, or len; what was read
 * of a mapped input given back as it goes, CHUNK_UTF8 bytes at a time
 * (imp NULL: not). */
#define CHUNK_UTF8 ((size_t)4 << 20)
static size_t
first_not_utf8(struct importer *imp, const char *data, size_t len)
{
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;

  while (i < len) {
    size_t from = i, end = len - i > CHUNK_UTF8 ? i + CHUNK_UTF8 : len;
    while (i < end) {
      size_t k;
      if (s[i] < 0x80) {
        i++;
        continue;
      }
      if ((k = utf8_len(s + i, len - i)) == 0)
        return i;
      i += k;
    }
    if (imp)
      ingest__release_read(imp, data + from, data + i);
  }
  return len;
}

static unsigned long
line_at(const char *data, size_t off)
{
  unsigned long line = 1;

  for (size_t i = 0; i < off; i++)
    line += data[i] == '\n';
  return line;
}

/* Refuses bytes that are not UTF-8, naming the encoding they look like. */
static int
not_utf8(struct importer *imp, const char *data, size_t len, size_t bad)
{
  const unsigned char *s = (const unsigned char *)data;
  int c1 = 0; /* bytes 0x80-0x9F: Windows-1252's letters and quotes */
  const char *name;
  char *m;

  for (size_t i = 0; i < len; i++)
    if (s[i] >= 0x80 && s[i] <= 0x9F && utf8_len(s + i, len - i) == 0) {
      c1 = 1;
      break;
    }
  name = c1 ? "cp1252" : "latin1";
  m = xasprintf(_("not UTF-8 text (line %lu has the byte 0x%02X); it looks "
                  "like %s: give --encoding %s, or the file's own encoding "
                  "(docs/importing.md#encodings)"),
                line_at(data, bad), s[bad], c1 ? "Windows-1252" : "Latin-1",
                name);
  ingest__send_error(imp, INGEST_ERR_FILE, 0, NULL, m);
  free(m);
  return ERR_INVALID;
}

/*
 * Transcodes len bytes at data from the encoding from into UTF-8, into an
 * unlinked temporary file that is then mapped: the copy costs disk, not
 * memory, whatever the size of the input.
 */
static int
transcode(struct importer *imp, const char *from, const char *data, size_t len,
          struct text *out)
{
  iconv_t cd = iconv_open("UTF-8", from);
  FILE *f = tmpfile();
  char chunk[65536], *in = (char *)data;
  size_t left = len, total = 0;
  int rc = OK;

  if (cd == (iconv_t)-1 || f == NULL) {
    ingest__send_error(imp, INGEST_ERR_IO, 0, NULL,
                       _("cannot transcode: no room for a temporary file"));
    rc = ERR_IO;
    goto out;
  }
  while (left > 0 || in != NULL) {
    char *o = chunk;
    size_t room = sizeof chunk;
    size_t r = iconv(cd, left ? &in : NULL, left ? &left : NULL, &o, &room);
    if (r == (size_t)-1 && errno != E2BIG) {
      char *m = xasprintf(_("not %s text (line %lu cannot be read as it); "
                            "give the file's own --encoding "
                            "(docs/importing.md#encodings)"),
                          from, line_at(data, len - left));
      ingest__send_error(imp, INGEST_ERR_FILE, 0, NULL, m);
      free(m);
      rc = ERR_INVALID;
      goto out;
    }
    if (fwrite(chunk, 1, (size_t)(o - chunk), f) != (size_t)(o - chunk)) {
      ingest__send_error(imp, INGEST_ERR_IO, 0, NULL,
                         _("cannot transcode: the temporary file is full"));
      rc = ERR_IO;
      goto out;
    }
    total += (size_t)(o - chunk);
    if (left == 0 && r != (size_t)-1)
      in = NULL; /* flushed the shift state too */
  }
  if (fflush(f) != 0) {
    rc = ERR_IO;
    goto out;
  }
  out->len = total;
  out->data = "";
  if (total) {
    void *m = mmap(NULL, total, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    if (m == MAP_FAILED) {
      rc = ERR_IO;
      goto out;
    }
    out->map = m;
    out->maplen = total;
    out->data = m;
  }
out:
  if (cd != (iconv_t)-1)
    iconv_close(cd);
  if (f)
    fclose(f); /* the mapping outlives the file */
  return rc;
}

int
ingest__csv_text(struct importer *imp, const char *data, size_t len,
                 struct text *out)
{
  const unsigned char *s = (const unsigned char *)data;
  const char *from = imp->o->encoding ? iconv_name(imp->o->encoding) : NULL;
  size_t bad;

  memset(out, 0, sizeof *out);
  out->data = data;
  out->len = len;
  if (from == NULL && len >= 2 && s[0] == 0xFF && s[1] == 0xFE)
    from = "UTF-16"; /* with its byte-order mark: iconv reads the order */
  else if (from == NULL && len >= 2 && s[0] == 0xFE && s[1] == 0xFF)
    from = "UTF-16";
  if (from && strcasecmp(from, "UTF-8") != 0)
    return transcode(imp, from, data, len, out);
  if ((bad = first_not_utf8(imp, data, len)) < len)
    return not_utf8(imp, data, len, bad);
  return OK;
}

void
ingest__text_release(struct text *t)
{
  if (t->map)
    munmap(t->map, t->maplen);
  memset(t, 0, sizeof *t);
}

char
ingest__detect_delimiter(const char *s, size_t n)
{
  static const char cand[] = {',', ';', '\t', '|'};
  size_t count[4] = {0, 0, 0, 0}, best = 0;
  int quoted = 0;

  if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
    s += 3;
    n -= 3;
  }
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      quoted = !quoted;
    else if (!quoted && (s[i] == '\n' || s[i] == '\r'))
      break;
    else if (!quoted)
      for (int k = 0; k < 4; k++)
        count[k] += s[i] == cand[k];
  }
  for (int k = 1; k < 4; k++)
    if (count[k] > count[best])
      best = (size_t)k;
  return cand[best];
}

/* --- dates ------------------------------------------------------------- */

static int
month_named(const char *s, size_t n)
{
  static const char *const full[12] = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};

  if (n == 4 && strncasecmp(s, "sept", 4) == 0)
    return 9;
  for (int m = 0; m < 12; m++)
    if ((n == 3 && strncasecmp(s, full[m], 3) == 0) ||
        (n == strlen(full[m]) && strncasecmp(s, full[m], n) == 0))
      return m + 1;
  return 0;
}

/* Digits at *p (at most max, at least one): their value, or -1. */
static int
digits(const char **p, const char *e, int max, int *count)
{
  int v = 0, k = 0;

  while (*p < e && k < max && isdigit((unsigned char)**p)) {
    v = v * 10 + (**p - '0');
    (*p)++;
    k++;
  }
  *count = k;
  return k ? v : -1;
}

/* A clock after a date: [ T]H[H]:MM[:SS]; appended to out as ISO. */
static int
clock_part(const char *p, const char *e, struct buf *out)
{
  int h, m, s = -1, k;

  if (p == e)
    return OK;
  if (*p == 'T' || *p == ' ') {
    while (p < e && (*p == 'T' || *p == ' '))
      p++;
  } else {
    return ERR_INVALID;
  }
  if ((h = digits(&p, e, 2, &k)) < 0 || p == e || *p++ != ':' ||
      (m = digits(&p, e, 2, &k)) < 0 || k != 2)
    return ERR_INVALID;
  if (p < e && *p == ':') {
    p++;
    if ((s = digits(&p, e, 2, &k)) < 0 || k != 2)
      return ERR_INVALID;
  }
  if (p != e)
    return ERR_INVALID;
  buf_printf(out, " %02d:%02d", h, m);
  if (s >= 0)
    buf_printf(out, ":%02d", s);
  return OK;
}

static int
year_of(int v, int k)
{
  if (k == 2)
    return v >= 69 ? 1900 + v : 2000 + v; /* as strptime's %y */
  return k == 4 ? v : -1;
}

/*
 * A numeric date in the given order ('D', 'M', 'Y'): three groups of
 * digits separated by one of / . - or a space, then maybe a time. A first
 * group of four digits is a year whatever the order (2023-01-05).
 */
static int
ordered_date(int order, const char *s, size_t n, struct buf *out)
{
  const char *p = s, *e = s + n;
  int v[3], k[3], d, m, y;
  char sep = 0;

  for (int i = 0; i < 3; i++) {
    if (i) {
      if (p == e || !strchr("/.- ", *p) || (sep && *p != sep))
        return ERR_INVALID;
      sep = *p++;
    }
    if ((v[i] = digits(&p, e, 4, &k[i])) < 0)
      return ERR_INVALID;
  }
  if (k[0] == 4) {
    y = v[0];
    m = v[1];
    d = v[2];
  } else if (order == 'Y' || k[0] > 2 || k[1] > 2) {
    return ERR_INVALID;
  } else {
    d = order == 'M' ? v[1] : v[0];
    m = order == 'M' ? v[0] : v[1];
    y = year_of(v[2], k[2]);
  }
  if (y < 0 || (k[0] == 4 && (k[1] > 2 || k[2] > 2)))
    return ERR_INVALID;
  buf_reset(out);
  buf_printf(out, "%04d-%02d-%02d", y, m, d);
  return clock_part(p, e, out);
}

/* A month's name at *p ("Jan", "January", "Sept"), or -1. */
static int
month_at(const char **p, const char *e)
{
  const char *w = *p;
  int m;

  while (*p < e && isalpha((unsigned char)**p))
    (*p)++;
  m = month_named(w, (size_t)(*p - w));
  if (m && *p < e && **p == '.')
    (*p)++; /* "Jan." */
  return m ? m : -1;
}

/* A date read by a strftime-style pattern. */
static int
pattern_date(const char *pat, const char *s, size_t n, struct buf *out)
{
  const char *p = s, *e = s + n;
  int d = -1, m = -1, y = -1, hh = -1, mm = -1, ss = -1, k, v = 0;

  for (; *pat && v >= 0; pat++) {
    if (*pat == ' ') {
      while (p < e && isspace((unsigned char)*p))
        p++;
      continue;
    }
    if (*pat != '%' || pat[1] == '%') {
      pat += *pat == '%';
      if (p == e || *p != *pat)
        return ERR_INVALID;
      p++;
      continue;
    }
    switch (*++pat) {
    case 'e':
      while (p < e && *p == ' ')
        p++;
      /* fall through */
    case 'd':
      v = d = digits(&p, e, 2, &k);
      break;
    case 'm':
      v = m = digits(&p, e, 2, &k);
      break;
    case 'Y':
      y = digits(&p, e, 4, &k);
      v = y = k == 4 ? y : -1;
      break;
    case 'y':
      v = y = digits(&p, e, 2, &k);
      v = y = k == 2 ? year_of(y, 2) : -1;
      break;
    case 'H':
      v = hh = digits(&p, e, 2, &k);
      break;
    case 'M':
      v = mm = digits(&p, e, 2, &k);
      break;
    case 'S':
      v = ss = digits(&p, e, 2, &k);
      break;
    default: /* b, B, h: a month's name */
      v = m = month_at(&p, e);
    }
  }
  if (v < 0 || p != e || d < 0 || m < 0 || y < 0)
    return ERR_INVALID;
  buf_reset(out);
  buf_printf(out, "%04d-%02d-%02d", y, m, d);
  if (hh >= 0 && mm >= 0)
    buf_printf(out, " %02d:%02d", hh, mm);
  if (hh >= 0 && mm >= 0 && ss >= 0)
    buf_printf(out, ":%02d", ss);
  return OK;
}

int
ingest__serial_date(double serial, int date1904, int with_time, int date_only,
                    char *out, size_t size)
{
  double days, frac;
  int64_t day, secs;
  int y, m, d;

  if (!(serial >= 0 && serial <= SERIAL_MAX))
    return ERR_INVALID;
  days = floor(serial);
  frac = serial - days;
  secs = (int64_t)llround(frac * 86400.0);
  if (secs >= 86400) {
    days += 1;
    secs = 0;
  }
  if (date1904)
    day = (int64_t)days + util_days_from_civil(1904, 1, 1);
  else if (days >= 61)
    day = (int64_t)days + util_days_from_civil(1899, 12, 30);
  else if (days >= 1 && days < 60)
    day = (int64_t)days + util_days_from_civil(1899, 12, 31);
  else
    return ERR_INVALID; /* 0 and 60: Lotus's 1900-01-00 and 1900-02-29 */
  util_civil_from_days(day, &y, &m, &d);
  if (y < 1000)
    return ERR_INVALID;
  if (date_only || (!with_time && secs == 0))
    snprintf(out, size, "%04d-%02d-%02d", y, m, d);
  else
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
  return OK;
}

/* The number at s if it is a plain one ("45206", "45206.5"), else -1. */
static double
plain_number(const char *s, size_t n)
{
  size_t i = 0, dots = 0;
  double v;

  if (n == 0 || n > 24)
    return -1;
  for (; i < n; i++) {
    if (s[i] == '.')
      dots++;
    else if (!isdigit((unsigned char)s[i]))
      return -1;
  }
  if (dots > 1 || s[0] == '.' || util_parse_number(s, n, &v) != OK)
    return -1;
  return v;
}

/* Says once per field and input that its numbers were read as serials. */
static void
say_serial(struct importer *imp, int fi, const char *s, size_t n,
           const char *as)
{
  char *m;

  if (imp->said[fi] & SAID_SERIAL)
    return;
  imp->said[fi] |= SAID_SERIAL;
  m = xasprintf(_("field '%s': numbers like %.*s are read as spreadsheet "
                  "serial dates (%.*s is %s); --date-format serial says so "
                  "(docs/importing.md#dates)"),
                imp->kind->fields[fi].name, (int)n, s, (int)n, s, as);
  ingest__send_guess(imp, m);
  free(m);
}

/* "2023/01/05" and "2023.01.05" are year, month, day in any order of
 * reading; "05.01.2023" is day.month.year, as everywhere dots are written
 * so (said once). */
static const char *
dotted_date(struct importer *imp, int fi, const char *s, size_t n,
            struct buf *out)
{
  const char *dot = memchr(s, '.', n);
  char *m;

  if (ordered_date('Y', s, n, out) == OK)
    return out->data;
  if (dot == NULL || dot - s > 2 || ordered_date('D', s, n, out) != OK)
    return NULL;
  if (!(imp->said[fi] & SAID_DOTTED)) {
    imp->said[fi] |= SAID_DOTTED;
    m = xasprintf(_("field '%s': dates like '%.*s' are read as day.month.year; "
                    "--date-format DMY says so, MDY reads them the other way "
                    "(docs/importing.md#dates)"),
                  imp->kind->fields[fi].name, (int)n, s);
    ingest__send_guess(imp, m);
    free(m);
  }
  return out->data;
}

const char *
ingest__cell_time(struct importer *imp, int fi, const char *s, size_t n,
                  struct buf *out)
{
  const struct datefmt *df = &imp->datefmt;
  struct ptime t;
  double v;
  char iso[40];

  if (df->pattern && pattern_date(df->pattern, s, n, out) == OK)
    return out->data;
  if (df->order && ordered_date(df->order, s, n, out) == OK)
    return out->data;
  if (df->serial && (v = plain_number(s, n)) >= 0 &&
      ingest__serial_date(v, imp->date1904, 0, 0, iso, sizeof iso) == OK) {
    buf_reset(out);
    buf_puts(out, iso);
    return out->data;
  }
  if (util_parse_time(s, n, &t) == OK)
    return NULL; /* as it always read */
  v = plain_number(s, n);
  if (!df->serial && v >= SERIAL_GUESS_MIN && v <= SERIAL_GUESS_MAX &&
      ingest__serial_date(v, imp->date1904, 0, 0, iso, sizeof iso) == OK) {
    say_serial(imp, fi, s, n, iso);
    buf_reset(out);
    buf_puts(out, iso);
    return out->data;
  }
  if (!df->order && !df->pattern)
    return dotted_date(imp, fi, s, n, out);
  return NULL;
}

/* --- numbers ----------------------------------------------------------- */

/* Skips a no-break space (U+00A0) or narrow one (U+202F) at s[i]. */
static size_t
nbsp_len(const char *s, size_t i, size_t n)
{
  const unsigned char *u = (const unsigned char *)s;

  if (i + 1 < n && u[i] == 0xC2 && u[i + 1] == 0xA0)
    return 2;
  if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] == 0xAF)
    return 3;
  return 0;
}

/*
 * A number written with a decimal comma as the record module reads it:
 * "1.234,5" and "1 234,5" as "1234.5". Thousands ('.', a space or a
 * no-break space, one kind per number) come in groups of three. OK, or
 * ERR_INVALID when the text is no such number.
 */
static int
comma_number(const char *s, size_t n, struct buf *out)
{
  size_t i = 0, group = 0, intdigits = 0;
  int sep = 0, comma = 0, grouped = 0;

  buf_reset(out);
  if (i < n && (s[i] == '-' || s[i] == '+'))
    buf_putc(out, s[i++]);
  for (; i < n; i++) {
    size_t nb = nbsp_len(s, i, n);
    char c = s[i];
    if (isdigit((unsigned char)c)) {
      buf_putc(out, c);
      group++;
      intdigits += !comma;
      continue;
    }
    if (!comma && (c == '.' || c == ' ' || nb)) {
      int this = nb ? 'n' : c;
      if ((sep && this != sep) || group == 0 || (grouped && group != 3) ||
          (!grouped && group > 3))
        return ERR_INVALID;
      sep = this;
      grouped = 1;
      group = 0;
      i += nb ? nb - 1 : 0;
      continue;
    }
    if (c == ',' && !comma) {
      if (group == 0 || (grouped && group != 3))
        return ERR_INVALID;
      comma = 1;
      buf_putc(out, '.');
      group = 0;
      continue;
    }
    return ERR_INVALID;
  }
  if (intdigits == 0 || (grouped && !comma && group != 3) ||
      (comma && group == 0))
    return ERR_INVALID;
  return OK;
}

/* The same text with no-break spaces as plain ones. */
static int
plain_spaces(const char *s, size_t n, struct buf *out)
{
  int any = 0;

  buf_reset(out);
  for (size_t i = 0; i < n; i++) {
    size_t nb = nbsp_len(s, i, n);
    if (nb) {
      buf_putc(out, ' ');
      i += nb - 1;
      any = 1;
    } else {
      buf_putc(out, s[i]);
    }
  }
  return any;
}

const char *
ingest__cell_number(struct importer *imp, int fi, const char *s, size_t n,
                    struct buf *out, int *refuse)
{
  double v;

  *refuse = 0;
  if (imp->o->decimal == INGEST_DECIMAL_COMMA) {
    if (comma_number(s, n, out) == OK)
      return out->data;
    *refuse = 2; /* "7.5" under --decimal-comma: '.' groups thousands */
    return NULL;
  }
  if (memchr(s, ',', n) && imp->o->decimal == INGEST_DECIMAL_AUTO &&
      imp->delim != ',' && !imp->sheet) {
    /* A file delimited otherwise than by commas comes from where a comma
     * may well be the decimal mark: "1,234" is then 1.234, not 1234. */
    *refuse = 1;
    ingest__send_hint(imp, HINT_COMMA_UNKNOWN, fi, s, 0);
    return NULL;
  }
  if (util_parse_number(s, n, &v) != OK && plain_spaces(s, n, out))
    return out->data;
  return NULL;
}

/* Words people write for "no figure". */
static int
looks_missing(const char *s, size_t n)
{
  static const char *const words[] = {"n/a",  "na",      "null", "none", "nil",
                                      "nan",  "#n/a",    "..",   "?",    "x",
                                      "n.a.", "unknown", NULL};

  for (const char *const *w = words; *w; w++)
    if (strlen(*w) == n && strncasecmp(*w, s, n) == 0)
      return 1;
  return 0;
}

/* Which order a date "12/01/2023" (or with dashes) shows, if any: SEEN_DMY when
 * its first number can only be a day, SEEN_MDY when its second can only be; -1
 * when it is no such date. */
static int
slashed_date(const char *s, size_t n)
{
  const char *p = s, *e = s + n;
  int a, b, y, k1, k2, k3;

  char sep = n ? s[0] : 0;

  if ((a = digits(&p, e, 2, &k1)) < 0 || p == e || (*p != '/' && *p != '-'))
    return -1;
  sep = *p++;
  if ((b = digits(&p, e, 2, &k2)) < 0 || p == e || *p++ != sep ||
      (y = digits(&p, e, 4, &k3)) < 0 || (k3 != 2 && k3 != 4))
    return -1;
  if (p != e && *p != ' ' && *p != 'T')
    return -1;
  if (a > 12 && b <= 12)
    return SEEN_DMY;
  if (b > 12 && a <= 12)
    return SEEN_MDY;
  return 0;
}

void
ingest__cell_refused(struct importer *imp, int fi, const char *s, size_t n)
{
  const struct field_desc *f = &imp->kind->fields[fi];
  struct buf tmp;
  int seen;

  if (looks_missing(s, n)) {
    ingest__send_hint(imp, HINT_MISSING, fi, s, 0);
    return;
  }
  buf_init(&tmp);
  if ((f->type == FT_NUMBER || f->type == FT_COUNT) &&
      imp->o->decimal != INGEST_DECIMAL_COMMA && memchr(s, ',', n) &&
      comma_number(s, n, &tmp) == OK)
    ingest__send_hint(imp, HINT_DECIMAL_COMMA, fi, s, 0);
  else if (f->type == FT_TIME && !imp->datefmt.order && !imp->datefmt.pattern &&
           (seen = slashed_date(s, n)) >= 0)
    ingest__send_hint(imp, HINT_DATE_ORDER, fi, s, (unsigned)seen);
  buf_cleanup(&tmp);
}

void
ingest__column_letters(size_t c, char *out)
{
  char tmp[8];
  int k = 0;

  c++;
  while (c > 0 && k < 7) {
    tmp[k++] = (char)('A' + (c - 1) % 26);
    c = (c - 1) / 26;
  }
  for (int i = 0; i < k; i++)
    out[i] = tmp[k - 1 - i];
  out[k] = '\0';
}
