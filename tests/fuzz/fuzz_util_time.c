/*
 * Fuzzes the date parser and the day arithmetic. Any accepted text must
 * come back unchanged through util_format_time and util_parse_time, with
 * every part in range, and the day number of its date must convert back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_days(const uint8_t *data, size_t size)
{
  int64_t days = 0;
  int y, m, d;
  char buf[64];

  /* Arbitrary day numbers and civil dates must be defined behaviour. */
  memcpy(&days, data, size < sizeof days ? size : sizeof days);
  util_civil_from_days(days, &y, &m, &d);
  if (m < 1 || m > 12 || d < 1 || d > 31)
    abort();
  util_format_day(days, buf, sizeof buf);
  (void)util_days_from_civil((int)days, (int)(days >> 16), (int)(days >> 32));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct ptime t, u;
  char buf[64];
  int y, m, d;

  check_days(data, size);
  if (util_parse_time((const char *)data, size, &t) != OK)
    return 0;
  if (t.year < 1000 || t.year > 9999 || t.month < 1 || t.month > 12 ||
      t.day < 1 || t.day > 31 || t.hour < 0 || t.hour > 23 || t.min < 0 ||
      t.min > 59 || t.sec < 0 || t.sec > 59 || t.prec < TIME_YEAR ||
      t.prec > TIME_SECOND || t.offset_min < -18 * 60 || t.offset_min > 18 * 60)
    abort();
  util_civil_from_days(util_days_from_civil(t.year, t.month, t.day), &y, &m,
                       &d);
  if (y != t.year || m != t.month || d != t.day)
    abort();
  util_format_time(&t, buf, sizeof buf);
  if (util_parse_time(buf, strlen(buf), &u) != OK)
    abort();
  if (t.prec == TIME_MINUTE)
    t.prec = TIME_SECOND; /* the canonical form always prints seconds */
  if (memcmp(&t, &u, sizeof t) != 0)
    abort();
  return 0;
}
