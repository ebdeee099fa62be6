/*
 * Fuzzes the TZif reader: any bytes must give either a zone whose offsets
 * stay within the range RFC 8536 allows at every instant asked, or
 * ERR_INVALID with a reason, and never a crash, leak or sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corridor/corridor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_corridor_tzif: %s\n", what);
  abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int64_t at[] = {
      INT64_MIN,  -(INT64_C(1) << 40) - 1, -2208988800, -1, 0, 1, 1700000000,
      3794173200, INT64_C(1) << 40,        INT64_MAX,
  };
  struct corridor_zone *z = NULL;
  struct buf err;
  int r;

  buf_init(&err);
  r = corridor_zone_parse(data, size, &z, &err);
  if (r == OK) {
    if (z == NULL || err.len != 0)
      fail("OK without a zone, or with a message");
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
      long off = corridor_zone_offset(z, at[i]);
      if (off < -89999 || off > 93599)
        fail("an offset beyond -25 to +26 hours");
    }
    /* Instants taken from the input, to land near its own transitions. */
    for (size_t i = 0; i + 8 <= size && i < 4096; i += 8) {
      int64_t t = 0;
      memcpy(&t, data + i, 8);
      (void)corridor_zone_offset(z, t);
    }
  } else if (r != ERR_INVALID || z != NULL || err.len == 0) {
    fail("failure without a reason");
  }
  corridor_zone_free(z);
  buf_cleanup(&err);
  return 0;
}
