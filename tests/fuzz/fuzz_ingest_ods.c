/*
 * Fuzzes the .ods reader (ods.c over book.c): the input is content.xml
 * itself, which holds every sheet; the first sheet and then the second are
 * read. Whatever the bytes, the reader must stop (repeated rows and
 * columns are capped), and keep a table's promises: fields NUL-terminated
 * at their length, at most CSV_MAX_FIELDS, row numbers increasing, an
 * error with its text. Broken promises abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/book.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void
read_sheet(struct archive *a, const char *want)
{
  struct book_sheets bs = {NULL, 0, 0};
  struct table *t = NULL;
  struct csv_record rec;
  unsigned long last = 0;
  size_t rows = 0;
  struct buf err;
  int rc;

  buf_init(&err);
  if (ingest__open_sheet(a, want, &t, &bs, &err) == OK) {
    while ((rc = t->read(t, &rec)) != 0) {
      if (rc < 0) {
        if (t->error == NULL || t->error[0] == '\0')
          abort();
        if (t->fatal)
          break;
        continue;
      }
      if (rc != 1 || rec.nfields > CSV_MAX_FIELDS || rec.line <= last)
        abort();
      last = rec.line;
      /* A repeated row is given at most BOOK_MAX_REPEAT times per
       * element, and the input is short: a bound that catches a loop. */
      if (++rows > 4u * BOOK_MAX_REPEAT)
        abort();
      for (size_t i = 0; i < rec.nfields; i++) {
        if (rec.field[i][rec.len[i]] != '\0')
          abort();
        for (size_t k = 0; k < rec.len[i]; k++)
          sink += (unsigned char)rec.field[i][k];
      }
    }
  } else if (err.len == 0) {
    abort();
  }
  ingest__table_free(t);
  ingest__book_sheets_free(&bs);
  buf_cleanup(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *names[] = {"content.xml"};
  const char *datas[] = {(const char *)data};
  size_t lens[] = {size};
  struct archive *a = ingest__archive_mem(1, names, datas, lens);

  read_sheet(a, NULL);
  read_sheet(a, "2");
  ingest__archive_free(a);
  return 0;
}
