/*
 * Fuzzes the CSV reader: whatever the bytes, it must not crash, must stop,
 * and must keep its promises (fields NUL-terminated at their length and
 * free of NUL bytes, caps respected, record lines strictly increasing,
 * progress on every call). And a stream must read exactly as the same
 * bytes in memory: the first two bytes choose a record cap (1 to 31 bytes,
 * or the default), the size of each read (1 to 16 bytes) and how far the
 * window reaches past the cap (1 to 16 bytes), so that refills fall
 * everywhere; the rest is the CSV. Broken promises abort so the fuzzer and
 * the corpus replay both notice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct chunks {
  const char *data;
  size_t len, at, chunk;
};

static long
read_chunks(void *ctx, char *buf, size_t cap)
{
  struct chunks *c = ctx;
  size_t n = c->len - c->at;

  if (n > cap)
    n = cap;
  if (n > c->chunk)
    n = c->chunk;
  memcpy(buf, c->data + c->at, n);
  c->at += n;
  return (long)n;
}

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_ingest_csv: %s\n", what);
  abort();
}

/* Reads everything from r, checking its promises, into a dump. */
static void
read_all(struct csv_reader *r, size_t size, size_t max, struct buf *out)
{
  struct csv_record rec;
  unsigned long last_line = 0;
  size_t last_off = csv_reader_offset(r), off;
  int rc;

  while ((rc = csv_read(r, &rec)) != 0) {
    off = csv_reader_offset(r);
    /* Every call that returns something consumes at least one byte. */
    if (off <= last_off || off > size)
      fail("no progress, or past the end");
    last_off = off;
    if (rc == ERR_INVALID || rc == ERR_NOMEM) {
      if (csv_reader_error(r)[0] == '\0' || csv_reader_error_line(r) == 0 ||
          rec.nfields != 0 || rec.field != NULL)
        fail("an error without its words or line");
      buf_printf(out, "E%d %lu %zu %d %s\n", rc, csv_reader_error_line(r),
                 csv_reader_error_column(r), csv_reader_error_long_line(r),
                 csv_reader_error(r));
      continue;
    }
    if (rc != 1 || rec.nfields == 0 || rec.nfields > CSV_MAX_FIELDS)
      fail("a record with no fields, or too many");
    if (rec.line <= last_line)
      fail("lines going backwards");
    last_line = rec.line;
    buf_printf(out, "%lu:", rec.line);
    for (size_t i = 0; i < rec.nfields; i++) {
      if (rec.len[i] > CSV_MAX_FIELD || rec.len[i] > max ||
          rec.field[i][rec.len[i]] != '\0' ||
          memchr(rec.field[i], '\0', rec.len[i]) != NULL)
        fail("a field over a cap, unterminated, or holding a NUL");
      /* Reading every byte lets ASan see an out-of-bounds field. */
      buf_printf(out, "%zu[", rec.len[i]);
      buf_append(out, rec.field[i], rec.len[i]);
      buf_putc(out, ']');
    }
    buf_putc(out, '\n');
  }
  if (csv_reader_offset(r) != size)
    fail("not at the end at the end");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct csv_reader *r;
  struct buf mem, stream;
  struct chunks c;
  size_t max = CSV_MAX_RECORD;

  if (size >= 2) {
    if ((data[0] & 31) != 0)
      max = data[0] & 31;
    c.chunk = 1 + (data[1] & 15);
    c.data = (const char *)data + 2;
    c.len = size - 2;
    c.at = 0;
  } else {
    c.chunk = 1;
    c.data = (const char *)data;
    c.len = size;
    c.at = 0;
  }
  buf_init(&mem);
  buf_init(&stream);
  r = csv_reader_new(c.data, c.len);
  csv_reader_set_max_record(r, max);
  read_all(r, c.len, max, &mem);
  csv_reader_free(r);

  r = csv_reader_new_stream(read_chunks, &c);
  csv_reader_set_max_record(r, max);
  csv_reader_set_read_ahead(r, size >= 2 ? 1 + (size_t)(data[1] >> 4) : 1);
  read_all(r, c.len, max, &stream);
  csv_reader_free(r);
  if (mem.len != stream.len ||
      (mem.len && memcmp(mem.data, stream.data, mem.len) != 0)) {
    fprintf(stderr, "--- memory\n%s--- stream\n%s", mem.data ? mem.data : "",
            stream.data ? stream.data : "");
    fail("a stream reads otherwise than the same bytes in memory");
  }
  buf_cleanup(&mem);
  buf_cleanup(&stream);
  return 0;
}
