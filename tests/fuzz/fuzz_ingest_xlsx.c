/*
 * Fuzzes the .xlsx reader (xlsx.c over book.c): the input is the parts of
 * a workbook, separated by lines "--" (workbook.xml, styles.xml,
 * sharedStrings.xml, then the sheet; a part left out is a plain one), so
 * the fuzzer reaches the XML handlers without having to build a ZIP
 * archive; an input that begins "PK" is opened as a ZIP archive instead.
 * Whatever the bytes, the reader must stop, and keep its promises: fields
 * NUL-terminated at their length, at most CSV_MAX_FIELDS of them, row
 * numbers increasing, an error with its text. Broken promises abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/book.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static const char rels[] =
    "<Relationships><Relationship Id=\"a\" Type=\"x/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
static const char wbrels[] =
    "<Relationships><Relationship Id=\"r1\" Type=\"x/worksheet\" "
    "Target=\"worksheets/s1.xml\"/><Relationship Id=\"r2\" Type=\"x/styles\" "
    "Target=\"styles.xml\"/><Relationship Id=\"r3\" "
    "Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";
static const char plain_workbook[] =
    "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"r1\"/>"
    "</sheets></workbook>";
static const char *const plain[4] = {
    plain_workbook,
    "<styleSheet><cellXfs><xf numFmtId=\"14\"/></cellXfs></styleSheet>",
    "<sst><si><t>a</t></si></sst>", "<worksheet><sheetData/></worksheet>"};

/* Reads every row of the sheet, checking what a table promises. */
static void
read_all(struct archive *a)
{
  struct book_sheets bs = {NULL, 0, 0};
  struct table *t = NULL;
  struct csv_record rec;
  unsigned long last = 0;
  struct buf err;
  int rc;

  buf_init(&err);
  if (ingest__open_sheet(a, NULL, &t, &bs, &err) == OK) {
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
      for (size_t i = 0; i < rec.nfields; i++) {
        if (rec.field[i][rec.len[i]] != '\0')
          abort();
        for (size_t k = 0; k < rec.len[i]; k++)
          sink += (unsigned char)rec.field[i][k];
      }
    }
  } else if (err.len == 0) {
    abort(); /* a failure says why */
  }
  ingest__table_free(t);
  ingest__book_sheets_free(&bs);
  buf_cleanup(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *names[] = {"_rels/.rels",          "xl/_rels/workbook.xml.rels",
                         "xl/workbook.xml",      "xl/styles.xml",
                         "xl/sharedStrings.xml", "xl/worksheets/s1.xml"};
  const char *datas[6] = {rels, wbrels, plain[0], plain[1], plain[2], plain[3]};
  size_t lens[6];
  const char *p = (const char *)data, *end = p + size;
  struct archive *a;
  struct buf err;

  if (size >= 2 && memcmp(data, "PK", 2) == 0) {
    buf_init(&err);
    if (ingest__archive_open((const char *)data, size, &a, &err) == OK) {
      read_all(a);
      ingest__archive_free(a);
    }
    buf_cleanup(&err);
    return 0;
  }
  for (int i = 0; i < 6; i++)
    lens[i] = strlen(datas[i]);
  for (int part = 2; part < 6 && p <= end; part++) {
    const char *sep = memmem(p, (size_t)(end - p), "\n--\n", 4);
    const char *stop = sep ? sep : end;
    datas[part] = p;
    lens[part] = (size_t)(stop - p);
    if (sep == NULL)
      break;
    p = sep + 4;
  }
  a = ingest__archive_mem(6, names, datas, lens);
  read_all(a);
  ingest__archive_free(a);
  return 0;
}
