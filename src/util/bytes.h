/*
 * Compact bytes written and read back (the kept day cells, saved flow
 * rows): unsigned LEB128 integers, signed ones zigzagged first, doubles as
 * their 8 bytes little-endian, so that a figure read back is the one
 * written to the last bit and the same values are always the same bytes.
 */
#ifndef PASSAGE_UTIL_BYTES_H
#define PASSAGE_UTIL_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

void util_bytes_put_u8(struct buf *b, unsigned v);
void util_bytes_put_uint(struct buf *b, uint64_t v);
void util_bytes_put_int(struct buf *b, int64_t v);
void util_bytes_put_double(struct buf *b, double v);

/* A reader of [p, end): past the end, or an integer over 64 bits, sets
 * bad and gives 0. */
struct util_bytes {
  const unsigned char *p, *end;
  int bad;
};

unsigned util_bytes_u8(struct util_bytes *r);
uint64_t util_bytes_uint(struct util_bytes *r);
int64_t util_bytes_int(struct util_bytes *r);
double util_bytes_double(struct util_bytes *r);
/* A count of things that each take at least min bytes: more than the bytes
 * left can hold sets bad. */
size_t util_bytes_count(struct util_bytes *r, size_t min);

#endif
