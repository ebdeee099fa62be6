/*
 * Fuzzes the CSV reader: whatever the bytes, it must not crash, must stop,
 * and must keep its promises (fields NUL-terminated at their length, caps
 * respected, record lines strictly increasing, progress on every call).
 * Broken promises abort so the fuzzer and the corpus replay both notice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct csv_reader *r = csv_reader_new((const char *)data, size);
  struct csv_record rec;
  unsigned long last_line = 0;
  size_t last_off = csv_reader_offset(r), off;
  int rc;

  while ((rc = csv_read(r, &rec)) != 0) {
    off = csv_reader_offset(r);
    /* Every call that returns something consumes at least one byte. */
    if (off <= last_off || off > size)
      abort();
    last_off = off;
    if (rc == ERR_INVALID) {
      if (csv_reader_error(r)[0] == '\0' || csv_reader_error_line(r) == 0 ||
          rec.nfields != 0 || rec.field != NULL)
        abort();
      continue;
    }
    if (rc != 1 || rec.nfields == 0 || rec.nfields > CSV_MAX_FIELDS)
      abort();
    if (rec.line <= last_line)
      abort();
    last_line = rec.line;
    for (size_t i = 0; i < rec.nfields; i++) {
      if (rec.len[i] > CSV_MAX_RECORD || rec.field[i][rec.len[i]] != '\0')
        abort();
      /* Touch every byte so ASan sees an out-of-bounds field. */
      for (size_t k = 0; k < rec.len[i]; k++)
        sink += (unsigned char)rec.field[i][k];
    }
  }
  if (csv_reader_offset(r) != size)
    abort();
  csv_reader_free(r);
  return 0;
}
