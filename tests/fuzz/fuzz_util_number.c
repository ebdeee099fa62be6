/*
 * Fuzzes the number parser: an accepted number is finite and reads back
 * bit for bit from its %.17g text; a refused one leaves the output 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  double v = 1, w = 1;
  char buf[64];
  int r = util_parse_number((const char *)data, size, &v);

  if (r != OK) {
    if ((r != ERR_INVALID && r != ERR_MISSING) || v != 0)
      abort();
    return 0;
  }
  if (!isfinite(v))
    abort();
  snprintf(buf, sizeof buf, "%.17g", v);
  if (util_parse_number(buf, strlen(buf), &w) != OK ||
      memcmp(&v, &w, sizeof v) != 0)
    abort();
  return 0;
}
