/*
 * Fuzzes the number parser and the number formatters.
 *
 * - The bytes as text: an accepted number is finite and not below DBL_MIN
 *   unless 0 (an underflow is ERR_RANGE, never a silent 0), and reads back
 *   bit for bit from its %.17g text and from its ECMAScript form
 *   (util_format_number, what the canonical bytes hold); a refused one
 *   leaves the output 0.
 * - The first 8 bytes as a double: util_format_number must give text that
 *   parses back to the same double (the shortest round trip RFC 8785
 *   relies on), and the figures for people and for CSV must be texts that
 *   parse.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *text)
{
  fprintf(stderr, "fuzz_util_number: %s: '%s'\n", what, text);
  abort();
}

/* text must parse back to exactly v (0 and -0 alike: "-0" prints "0"). */
static void
reads_back(double v, const char *text)
{
  double w = 1;

  if (util_parse_number(text, strlen(text), &w) != OK)
    fail("a formatted number does not parse", text);
  if (v == 0 ? w != 0 : memcmp(&v, &w, sizeof v) != 0)
    fail("a formatted number reads back as another", text);
}

static void
check_double(double v)
{
  char buf[64];
  double w;

  util_format_human(v, buf, sizeof buf);
  if (!isfinite(v))
    return;
  util_format_figure(v, buf, sizeof buf);
  if (fabs(v) < 1e300 && util_parse_number(buf, strlen(buf), &w) != OK)
    fail("a CSV figure does not parse", buf);
  util_format_number(v, buf, sizeof buf);
  if (v != 0 && fabs(v) < DBL_MIN) {
    if (util_parse_number(buf, strlen(buf), &w) != ERR_RANGE)
      fail("a subnormal is not refused", buf);
    return;
  }
  reads_back(v, buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  double v = 1, raw;
  char buf[64];
  int r = util_parse_number((const char *)data, size, &v);

  if (r != OK) {
    if ((r != ERR_INVALID && r != ERR_MISSING && r != ERR_RANGE) || v != 0)
      abort();
  } else {
    if (!isfinite(v) || (v != 0 && fabs(v) < DBL_MIN))
      abort();
    snprintf(buf, sizeof buf, "%.17g", v);
    reads_back(v, buf);
    util_format_number(v, buf, sizeof buf);
    reads_back(v, buf);
  }
  if (size >= sizeof raw) {
    memcpy(&raw, data, sizeof raw);
    check_double(raw);
  }
  return 0;
}
