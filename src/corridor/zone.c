/*
 * Time zones from the tz database, without the C library's process-wide
 * zone. A zone's TZif file (RFC 8536, since replaced by RFC 9636 with the
 * same format) is read once into its transition times and the POSIX TZ
 * rule of its footer, which governs every instant after the last
 * transition. An offset is then a binary search, or the rule evaluated for
 * the years around the instant: nothing global is read or written, so two
 * corridors in different zones, or many threads, never meet. Setting the
 * TZ variable and asking the C library for local time would make the zone
 * the process's, racing with every other thread and allowing one zone at a
 * time.
 *
 * Written from the RFC. The file is input: every count in it is checked
 * against a cap and against the bytes actually present before anything is
 * allocated, and every value against its range.
 */
#include "corridor/corridor.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Caps. A real zone file is a few kilobytes, with a few hundred
 * transitions, a dozen types and a footer of a few dozen bytes. */
#define ZONE_MAX_BYTES (256 * 1024)
#define ZONE_MAX_TIMES 20000
#define ZONE_MAX_TYPES 256 /* a transition names its type in one byte */
#define ZONE_MAX_CHARS 4096
#define ZONE_MAX_LEAPS 10000
#define ZONE_MAX_FOOTER 256
#define ZONE_MAX_NAME 64
#define ZONE_MAX_ABBR 32

#define HEADER_BYTES 44

/* RFC 8536 section 3.2: a UT offset SHOULD lie in [-89999, 93599]; holding
 * every offset to it keeps the arithmetic below far from overflow. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599

/* Instants are clamped to this before a POSIX rule is evaluated, so the
 * year fits in an int (about 35,000 years either side of 1970). */
#define FAR_SECONDS (INT64_C(1) << 40)

#define HOUR 3600

/* One end of the daylight-saving period of a POSIX TZ rule. */
struct rule_date {
  char kind;             /* 'J': Jn; 'N': n; 'M': Mm.w.d */
  int day;               /* J: 1..365, Feb 29 never counted; N: 0..365 */
  int month, week, wday; /* M: 1..12, 1..5 (5 = the last), 0..6 (Sunday) */
  int32_t time;          /* local time of day, -167 h .. 167 h */
};

/* A POSIX TZ string, e.g. "EST5EDT,M3.2.0,M11.1.0". */
struct posix_tz {
  int32_t std_off, dst_off; /* UT offsets, seconds east of Greenwich */
  int has_dst;
  struct rule_date start, end;
};

struct corridor_zone {
  size_t ntimes;
  int64_t *times;    /* transition times, strictly ascending */
  int32_t *offs;     /* the offset from times[i] on */
  int32_t first_off; /* time type 0's: before the first transition */
  int has_footer;
  struct posix_tz tail; /* from the last transition on, with has_footer */
};

/* ------------------------------------------------------------------ */
/* Calendar                                                            */

static int
is_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 0 for Sunday; day 0 (1970-01-01) was a Thursday. */
static int
weekday(int64_t days)
{
  return (int)(((days % 7) + 11) % 7);
}

/* The local time (seconds since 1970-01-01T00:00, days of 86,400 s) at
 * which a rule's date and time fall in year. */
static int64_t
rule_local(const struct rule_date *d, int year)
{
  int64_t day = util_days_from_civil(year, 1, 1);

  switch (d->kind) {
  case 'J':
    day += d->day - 1 + (is_leap(year) && d->day >= 60);
    break;
  case 'N':
    day += d->day;
    break;
  default: {
    int64_t first = util_days_from_civil(year, d->month, 1);
    int64_t next = d->month == 12 ? util_days_from_civil(year + 1, 1, 1)
                                  : util_days_from_civil(year, d->month + 1, 1);
    int64_t mday = (d->wday - weekday(first) + 7) % 7 + 7 * (d->week - 1);
    /* Week 5 means the last such weekday, which may be the fourth. */
    while (first + mday >= next)
      mday -= 7;
    day = first + mday;
  }
  }
  return day * 86400 + d->time;
}

/*
 * The offset a POSIX rule gives at utc: that of the latest change at or
 * before it. The changes of the years around utc's are all considered, as
 * a change's local time may reach a week into a neighbouring year (hours
 * up to 167). Of changes at the same instant the last considered wins, in
 * order of year and then of time: so a rule whose daylight saving time
 * ends as next year's begins (all-year DST, "EST5EDT,0/0,J365/25") stays
 * in daylight saving time.
 */
static long
posix_offset(const struct posix_tz *p, int64_t utc)
{
  int64_t best = INT64_MIN;
  long off = p->std_off;
  int y, m, d;

  if (!p->has_dst)
    return p->std_off;
  if (utc > FAR_SECONDS)
    utc = FAR_SECONDS;
  if (utc < -FAR_SECONDS)
    utc = -FAR_SECONDS;
  util_civil_from_days(floor_div(utc, 86400), &y, &m, &d);
  for (int year = y - 2; year <= y + 1; year++) {
    int64_t s = rule_local(&p->start, year) - p->std_off;
    int64_t e = rule_local(&p->end, year) - p->dst_off;
    int64_t t[2] = {s <= e ? s : e, s <= e ? e : s};
    long o[2] = {s <= e ? p->dst_off : p->std_off,
                 s <= e ? p->std_off : p->dst_off};
    for (int i = 0; i < 2; i++)
      if (t[i] <= utc && t[i] >= best) {
        best = t[i];
        off = o[i];
      }
  }
  return off;
}

/* ------------------------------------------------------------------ */
/* The POSIX TZ string of the footer                                   */

struct scan {
  const char *p, *end;
};

static int
at(const struct scan *s, char c)
{
  return s->p < s->end && *s->p == c;
}

static int
is_digit_at(const struct scan *s)
{
  return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int
is_alpha(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A number of at most maxdigits digits, at most max; 1 on success. */
static int
scan_num(struct scan *s, int maxdigits, int max, int *out)
{
  int n = 0, v = 0;

  while (is_digit_at(s) && n < maxdigits) {
    v = v * 10 + (*s->p++ - '0');
    n++;
  }
  if (n == 0 || is_digit_at(s) || v > max)
    return 0;
  *out = v;
  return 1;
}

/* A designation: three or more letters, or <...> of letters, digits, '+'
 * and '-'. Its text does not matter here, only its syntax. */
static int
scan_abbr(struct scan *s)
{
  const char *b;
  size_t n;

  if (at(s, '<')) {
    b = ++s->p;
    while (s->p < s->end &&
           (is_alpha(*s->p) || (*s->p >= '0' && *s->p <= '9') || *s->p == '+' ||
            *s->p == '-'))
      s->p++;
    n = (size_t)(s->p - b);
    if (!at(s, '>'))
      return 0;
    s->p++;
  } else {
    b = s->p;
    while (s->p < s->end && is_alpha(*s->p))
      s->p++;
    n = (size_t)(s->p - b);
  }
  return n >= 3 && n <= ZONE_MAX_ABBR;
}

/* [+-]hh[:mm[:ss]] with hh at most maxh, into seconds. */
static int
scan_hms(struct scan *s, int maxh, int32_t *out)
{
  int sign = 1, h, m = 0, sec = 0;

  if (at(s, '+') || at(s, '-'))
    sign = *s->p++ == '-' ? -1 : 1;
  if (!scan_num(s, 3, maxh, &h))
    return 0;
  if (at(s, ':')) {
    s->p++;
    if (!scan_num(s, 2, 59, &m))
      return 0;
    if (at(s, ':')) {
      s->p++;
      if (!scan_num(s, 2, 59, &sec))
        return 0;
    }
  }
  *out = sign * (h * HOUR + m * 60 + sec);
  return 1;
}

/* ,date[/time] where date is Jn, n or Mm.w.d. RFC 8536 section 3.3.1 lets
 * the hours of the time be negative and run to 167. */
static int
scan_rule_date(struct scan *s, struct rule_date *d)
{
  memset(d, 0, sizeof *d);
  if (!at(s, ','))
    return 0;
  s->p++;
  if (at(s, 'J')) {
    s->p++;
    d->kind = 'J';
    if (!scan_num(s, 3, 365, &d->day) || d->day < 1)
      return 0;
  } else if (at(s, 'M')) {
    s->p++;
    d->kind = 'M';
    if (!scan_num(s, 2, 12, &d->month) || d->month < 1 || !at(s, '.'))
      return 0;
    s->p++;
    if (!scan_num(s, 1, 5, &d->week) || d->week < 1 || !at(s, '.'))
      return 0;
    s->p++;
    if (!scan_num(s, 1, 6, &d->wday))
      return 0;
  } else {
    d->kind = 'N';
    if (!scan_num(s, 3, 365, &d->day))
      return 0;
  }
  d->time = 2 * HOUR;
  if (at(s, '/')) {
    s->p++;
    if (!scan_hms(s, 167, &d->time))
      return 0;
  }
  return 1;
}

/*
 * Parses a POSIX TZ string: std offset [dst [offset] ,start[/time],end[/
 * time]]. POSIX offsets count hours west, the opposite of a UT offset. A
 * daylight-saving designation without rules is refused: POSIX leaves its
 * rules to the implementation, and zic never writes one.
 */
static int
parse_posix(const char *text, size_t len, struct posix_tz *out)
{
  struct scan s = {text, text + len};
  int32_t west;

  memset(out, 0, sizeof *out);
  if (!scan_abbr(&s) || !scan_hms(&s, 24, &west))
    return 0;
  out->std_off = -west;
  if (s.p == s.end)
    return 1;
  if (!scan_abbr(&s))
    return 0;
  out->has_dst = 1;
  out->dst_off = out->std_off + HOUR;
  if (!at(&s, ',')) {
    if (!scan_hms(&s, 24, &west))
      return 0;
    out->dst_off = -west;
  }
  if (!scan_rule_date(&s, &out->start) || !scan_rule_date(&s, &out->end))
    return 0;
  return s.p == s.end;
}

/* ------------------------------------------------------------------ */
/* TZif                                                                */

struct reader {
  const uint8_t *p;
  size_t left;
};

struct header {
  char version; /* '\0' for version 1 */
  uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int64_t
be_time(const uint8_t *p, size_t size)
{
  uint64_t v = 0;

  for (size_t i = 0; i < size; i++)
    v = v << 8 | p[i];
  if (size == 4)
    return (int32_t)(uint32_t)v;
  return (int64_t)v;
}

/* The next n bytes, or NULL when fewer are left. */
static const uint8_t *
take(struct reader *r, size_t n)
{
  const uint8_t *p = r->p;

  if (n > r->left)
    return NULL;
  r->p += n;
  r->left -= n;
  return p;
}

/* Each reader below returns NULL, or what is wrong with the file. */
static const char *
read_header(struct reader *r, struct header *h)
{
  const uint8_t *p = take(r, HEADER_BYTES);

  if (p == NULL || memcmp(p, "TZif", 4) != 0)
    return _("a header is missing or cut short");
  h->version = (char)p[4];
  h->isutcnt = be32(p + 20);
  h->isstdcnt = be32(p + 24);
  h->leapcnt = be32(p + 28);
  h->timecnt = be32(p + 32);
  h->typecnt = be32(p + 36);
  h->charcnt = be32(p + 40);
  if (h->version != '\0' && (h->version < '2' || h->version > '9'))
    return _("the version is neither 1 (a NUL byte) nor a digit from 2 up");
  if (h->typecnt == 0 || h->typecnt > ZONE_MAX_TYPES)
    return _("the number of local time types is not 1 to 256");
  if (h->charcnt == 0 || h->charcnt > ZONE_MAX_CHARS)
    return _("the designations take no bytes or more than 4096");
  if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
      (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
    return _("the UT or standard indicators do not match the types");
  if (h->timecnt > ZONE_MAX_TIMES)
    return _("it holds more than 20000 transitions");
  if (h->leapcnt > ZONE_MAX_LEAPS)
    return _("it holds more than 10000 leap seconds");
  return NULL;
}

/* The bytes of a data block after its header, with times of tsize bytes.
 * The header's caps keep this far below SIZE_MAX. */
static size_t
block_bytes(const struct header *h, size_t tsize)
{
  return (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 +
         h->charcnt + (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt +
         h->isutcnt;
}

/* Reads the local time types' offsets into utoff, checking each type. */
static const char *
read_types(struct reader *r, const struct header *h, int32_t *utoff)
{
  const uint8_t *types = take(r, (size_t)h->typecnt * 6);

  for (uint32_t i = 0; i < h->typecnt; i++) {
    const uint8_t *t = types + 6 * (size_t)i;
    int32_t off = (int32_t)be32(t);
    if (off < UTOFF_MIN || off > UTOFF_MAX)
      return _("a local time type's offset is beyond -25 to +26 hours");
    if (t[4] > 1 || t[5] >= h->charcnt)
      return _("a local time type has a DST flag other than 0 or 1, or a "
               "designation outside the file");
    utoff[i] = off;
  }
  return NULL;
}

/*
 * Reads a data block into z: the transitions, each with its type's
 * offset, and type 0's offset. Leap-second records (the "right/" zones)
 * are checked for size and skipped: the offsets are the types', with
 * transitions compared as stored, as the C library's tm_gmtoff reports
 * them.
 */
static const char *
read_block(struct reader *r, const struct header *h, size_t tsize,
           struct corridor_zone *z)
{
  const uint8_t *times, *idx, *flags;
  int32_t utoff[ZONE_MAX_TYPES];
  const char *why;
  size_t nflags = (size_t)h->isstdcnt + h->isutcnt;

  if (block_bytes(h, tsize) > r->left)
    return _("it is shorter than its header says");
  times = take(r, (size_t)h->timecnt * tsize);
  idx = take(r, h->timecnt);
  why = read_types(r, h, utoff);
  if (why != NULL)
    return why;
  take(r, h->charcnt + (size_t)h->leapcnt * (tsize + 4));
  flags = take(r, nflags);
  for (size_t i = 0; i < nflags; i++)
    if (flags[i] > 1)
      return _("a UT or standard indicator is not 0 or 1");
  z->first_off = utoff[0];
  z->ntimes = h->timecnt;
  z->times = xmalloc((h->timecnt ? h->timecnt : 1) * sizeof *z->times);
  z->offs = xmalloc((h->timecnt ? h->timecnt : 1) * sizeof *z->offs);
  for (uint32_t i = 0; i < h->timecnt; i++) {
    z->times[i] = be_time(times + (size_t)i * tsize, tsize);
    if (idx[i] >= h->typecnt)
      return _("a transition names a local time type that is not there");
    if (i > 0 && z->times[i] <= z->times[i - 1])
      return _("the transitions are not in ascending order");
    z->offs[i] = utoff[idx[i]];
  }
  return NULL;
}

/* The footer: a POSIX TZ string between two newlines; empty means none. */
static const char *
read_footer(struct reader *r, struct corridor_zone *z)
{
  const uint8_t *nl;
  size_t len;

  if (r->left == 0 || r->p[0] != '\n')
    return _("the footer is missing");
  take(r, 1);
  nl = memchr(r->p, '\n',
              r->left < ZONE_MAX_FOOTER + 1 ? r->left : ZONE_MAX_FOOTER + 1);
  if (nl == NULL)
    return _("the footer does not end within 256 bytes");
  len = (size_t)(nl - r->p);
  if (len > 0 && !parse_posix((const char *)r->p, len, &z->tail))
    return _("the footer is not a TZ string such as 'EST5EDT,M3.2.0,M11.1.0'");
  z->has_footer = len > 0;
  return NULL;
}

static const char *
read_tzif(struct reader *r, struct corridor_zone *z)
{
  struct header h;
  const char *why;

  if (r->left > ZONE_MAX_BYTES)
    return _("it is larger than 256 KiB");
  why = read_header(r, &h);
  if (why != NULL)
    return why;
  if (h.version == '\0')
    return read_block(r, &h, 4, z);
  /* Version 2 and later repeat the data with 64-bit times after the
   * 32-bit block, then add the footer: only the second copy is read. */
  if (block_bytes(&h, 4) > r->left)
    return _("it is shorter than its header says");
  take(r, block_bytes(&h, 4));
  why = read_header(r, &h);
  if (why == NULL)
    why = read_block(r, &h, 8, z);
  if (why == NULL)
    why = read_footer(r, z);
  return why;
}

void
corridor_zone_free(struct corridor_zone *z)
{
  if (z == NULL)
    return;
  free(z->times);
  free(z->offs);
  free(z);
}

int
corridor_zone_parse(const void *data, size_t len, struct corridor_zone **out,
                    struct buf *err)
{
  struct reader r = {data, len};
  struct corridor_zone *z = xcalloc(1, sizeof *z);
  const char *why = read_tzif(&r, z);

  *out = NULL;
  if (why != NULL) {
    if (err != NULL)
      buf_printf(err, _("not a valid TZif file: %s"), why);
    corridor_zone_free(z);
    return ERR_INVALID;
  }
  *out = z;
  return OK;
}

struct corridor_zone *
corridor_zone_utc(void)
{
  struct corridor_zone *z = xcalloc(1, sizeof *z);

  z->times = xmalloc(sizeof *z->times);
  z->offs = xmalloc(sizeof *z->offs);
  return z;
}

/* A name that can only be a path inside the zone directory. */
static int
valid_zone_name(const char *name)
{
  size_t n = strlen(name);

  if (n == 0 || n > ZONE_MAX_NAME || name[0] == '/' || name[n - 1] == '/' ||
      strstr(name, "..") != NULL || strstr(name, "//") != NULL)
    return 0;
  for (const char *p = name; *p; p++) {
    char ch = *p;
    if (!(is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' ||
          ch == '-' || ch == '+'))
      return 0;
  }
  return 1;
}

/* Reads at most cap + 1 bytes of fd into a new buffer. */
static int
read_all(int fd, size_t cap, char **out, size_t *len)
{
  char *data = xmalloc(cap + 1);
  size_t n = 0;
  ssize_t got;

  for (;;) {
    got = read(fd, data + n, cap + 1 - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int e = errno;
      free(data);
      errno = e;
      return -1;
    }
    if (got == 0)
      break;
    n += (size_t)got;
    if (n > cap)
      break;
  }
  *out = data;
  *len = n;
  return 0;
}

int
corridor_zone_load(const char *name, struct corridor_zone **out,
                   struct buf *err)
{
  const char *dir = getenv("TZDIR");
  char path[512], *data = NULL;
  struct buf why;
  struct stat sb;
  size_t len = 0;
  int fd, r = ERR_NOTFOUND;

  *out = NULL;
  if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
    *out = corridor_zone_utc(); /* known without the tz database */
    return OK;
  }
  if (!valid_zone_name(name))
    return ERR_NOTFOUND;
  if (dir == NULL || *dir == '\0')
    dir = "/usr/share/zoneinfo";
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
    return ERR_NOTFOUND;
  /* O_NONBLOCK: a FIFO planted at the path must not hang the open. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP ||
                 errno == ENAMETOOLONG))
    return ERR_NOTFOUND;
  if (fd < 0) {
    /* There, but not for us (permissions, say): not "no such zone". */
    if (err != NULL)
      buf_printf(err, _("%s: cannot open: %s"), path, strerror(errno));
    return ERR_IO;
  }
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
    goto out;
  if (read_all(fd, ZONE_MAX_BYTES, &data, &len) != 0) {
    if (err != NULL)
      buf_printf(err, _("%s: cannot read: %s"), path, strerror(errno));
    r = ERR_IO;
    goto out;
  }
  /* Not TZif at all (zone.tab, a directory listing): no zone by the
   * name. TZif but malformed: a broken zone, said as such. */
  if (len < 4 || memcmp(data, "TZif", 4) != 0)
    goto out;
  buf_init(&why);
  r = corridor_zone_parse(data, len, out, &why);
  if (r != OK && err != NULL)
    buf_printf(err, "%s: %s", path, why.data);
  buf_cleanup(&why);
out:
  free(data);
  close(fd);
  return r;
}

long
corridor_zone_offset(const struct corridor_zone *z, int64_t utc)
{
  size_t lo = 0, hi;

  if (z->ntimes == 0)
    return z->has_footer ? posix_offset(&z->tail, utc) : z->first_off;
  if (utc < z->times[0])
    return z->first_off;
  /* The last transition at or before utc: times[lo] <= utc < times[hi]. */
  hi = z->ntimes;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (z->times[mid] <= utc)
      lo = mid;
    else
      hi = mid;
  }
  if (lo == z->ntimes - 1 && z->has_footer)
    return posix_offset(&z->tail, utc);
  return z->offs[lo];
}

long
corridor_utc_offset(const struct corridor *c, int64_t utc)
{
  if (c == NULL || c->zone == NULL)
    return 0;
  return corridor_zone_offset(c->zone, utc);
}

long
corridor_tz_offset(void *corridor, int64_t utc)
{
  return corridor_utc_offset(corridor, utc);
}
