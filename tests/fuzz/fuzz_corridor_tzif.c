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

/* Appends n as a 4-byte big-endian count. */
static void
put_be32(struct buf *b, uint32_t n)
{
  char c[4] = {(char)(n >> 24), (char)(n >> 16), (char)(n >> 8), (char)n};

  buf_append(b, c, 4);
}

/* A version 2 header and its data: no transitions, one type (UTC). */
static void
put_block(struct buf *b)
{
  static const char ttinfo[6] = {0, 0, 0, 0, 0, 0};

  buf_append(b, "TZif2", 5);
  buf_append(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
  put_be32(b, 0); /* isutcnt */
  put_be32(b, 0); /* isstdcnt */
  put_be32(b, 0); /* leapcnt */
  put_be32(b, 0); /* timecnt */
  put_be32(b, 1); /* typecnt */
  put_be32(b, 4); /* charcnt */
  buf_append(b, ttinfo, sizeof ttinfo);
  buf_append(b, "UTC", 4);
}

/*
 * An input starting with 'F' is the footer of a minimal valid TZif file
 * (RFC 8536 section 3.3: a POSIX TZ string, such as
 * "<+04>-4" or "EST5EDT,M3.2.0,M11.1.0"), so that the TZ string parser and
 * the rules it reads are reached without the fuzzer first finding a whole
 * file's layout.
 */
static int
footer_only(const uint8_t *data, size_t size, struct corridor_zone **z,
            struct buf *err)
{
  struct buf b;
  int r;

  buf_init(&b);
  put_block(&b);
  put_block(&b);
  buf_putc(&b, '\n');
  buf_append(&b, data + 1, size - 1);
  buf_putc(&b, '\n');
  r = corridor_zone_parse(b.data, b.len, z, err);
  buf_cleanup(&b);
  return r;
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
  r = size > 0 && data[0] == 'F' ? footer_only(data, size, &z, &err)
                                 : corridor_zone_parse(data, size, &z, &err);
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
