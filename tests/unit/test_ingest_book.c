/*
 * Tests for the workbook readers (xlsx.c, ods.c) over archives of entries
 * in memory, so that each case is its XML as written here. A sheet is
 * dumped one line per row, "ROW:[c1|c2|...]", or "EROW:message" for a row
 * that cannot be read and "FATAL:message" when the sheet cannot be read
 * further; the expected dumps are worked out by hand from the XML (serial
 * dates by the arithmetic in each comment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/book.h"

#define MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL                                                                    \
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships\"><Relationship Id=\"rId1\" Type=\"" REL
    "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char wbrels[] =
    "<Relationships xmlns=\"x\">"
    "<Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL "/worksheet\" "
    "Target=\"/xl/worksheets/two.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL "/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" REL "/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId5\" Type=\"" REL "/chartsheet\" "
    "Target=\"chartsheets/c1.xml\"/></Relationships>";

/* xf 0 General; 1 the built-in date 14; 2 "yyyy-mm-dd hh:mm" (a date and
 * time); 3 "[h]:mm" (elapsed time: a clock); 4 "0.00\" m\"" (a number: the
 * m is quoted text); 5 "mmm-yy" (a month: a date). */
static const char styles[] =
    "<styleSheet xmlns=\"" MAIN "\"><numFmts>"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[h]:mm\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"0.00&quot; m&quot;\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"mmm-yy\"/></numFmts>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"167\"/>"
    "</cellXfs></styleSheet>";

static const char shared[] =
    "<sst xmlns=\"" MAIN "\"><si><t>Date</t></si><si><t>Trucks</t></si>"
    "<si><r><t>a </t></r><r><t>b</t></r><rPh><t>X</t></rPh></si>"
    "<si><t>tab_x0009_here _x005F_x0041_</t></si></sst>";

/* A workbook whose first sheet is sheet1.xml (data), second two.xml. */
static char *
dump_xlsx(const char *sheet1, const char *date1904, const char *want)
{
  const char *names[] = {"_rels/.rels",
                         "xl/workbook.xml",
                         "xl/_rels/workbook.xml.rels",
                         "xl/styles.xml",
                         "xl/sharedStrings.xml",
                         "xl/worksheets/sheet1.xml",
                         "xl/worksheets/two.xml"};
  char *wb = xasprintf("<workbook xmlns=\"" MAIN "\" xmlns:r=\"" REL "\">"
                       "<workbookPr%s/><sheets>"
                       "<sheet name=\"Data\" sheetId=\"7\" r:id=\"rId1\"/>"
                       "<sheet name=\"Two\" sheetId=\"8\" r:id=\"rId2\"/>"
                       "<sheet name=\"Chart\" sheetId=\"9\" r:id=\"rId5\"/>"
                       "</sheets></workbook>",
                       date1904);
  const char *two = "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>"
                    "second</t></is></c></row></sheetData></worksheet>";
  const char *datas[] = {rels, wb, wbrels, styles, shared, sheet1, two};
  size_t lens[7];
  struct archive *a;
  struct book_sheets bs = {NULL, 0, 0};
  struct table *t = NULL;
  struct csv_record rec;
  struct buf b, err;
  int rc;

  for (int i = 0; i < 7; i++)
    lens[i] = strlen(datas[i]);
  a = ingest__archive_mem(7, names, datas, lens);
  buf_init(&b);
  buf_init(&err);
  if (ingest__open_sheet(a, want, &t, &bs, &err) != OK) {
    buf_printf(&b, "OPEN:%s\n", err.data);
    goto out;
  }
  buf_printf(&b, "SHEET:%s %d of %zu\n", t->sheet, t->sheet_no, bs.n);
  while ((rc = t->read(t, &rec)) != 0) {
    if (rc < 0) {
      buf_printf(&b, "%s%lu:%s\n", t->fatal ? "FATAL" : "E", t->error_line,
                 t->error);
      if (t->fatal)
        break;
      continue;
    }
    buf_printf(&b, "%lu:[", rec.line);
    for (size_t i = 0; i < rec.nfields; i++)
      buf_printf(&b, "%s%s", i ? "|" : "", rec.field[i]);
    buf_puts(&b, "]\n");
  }
out:
  ingest__table_free(t);
  ingest__archive_free(a);
  ingest__book_sheets_free(&bs);
  buf_cleanup(&err);
  free(wb);
  return buf_take(&b);
}

#define SHEET(rows)                                                            \
  "<worksheet xmlns=\"" MAIN "\"><sheetData>" rows "</sheetData></worksheet>"

static void
test_xlsx_cells(void **state)
{
  /* Row 1: shared strings. Row 3 (r="3"; row 2 is absent): 45206 under
   * format 14 is 1899-12-30 + 45206 days = 2023-10-07; 45206.75 under
   * "yyyy-mm-dd hh:mm" has its time, 18:00; 0.5 under "[h]:mm" is a clock;
   * 3.5 under "0.00\" m\"" is a number (the m is quoted); 45200 under
   * "mmm-yy" is a date, 2023-10-01; 73.995639999999995 is written
   * shortest, 73.99564; booleans; an error as written; a formula's cached
   * value. Row 4: cells without r follow on from the last (B, then C); D
   * skipped; the rich string joins its runs without the phonetic one; the
   * escapes _x0009_ (a tab) and _x005F_ (an underscore) are decoded. */
  char *got = dump_xlsx(
      SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
            "<c r=\"B1\" t=\"s\"><v>1</v></c></row>"
            "<row r=\"3\"><c r=\"A3\" s=\"1\"><v>45206</v></c>"
            "<c r=\"B3\" s=\"2\"><v>45206.75</v></c>"
            "<c r=\"C3\" s=\"3\"><v>0.5</v></c>"
            "<c r=\"D3\" s=\"4\"><v>3.5</v></c>"
            "<c r=\"E3\" s=\"5\"><v>45200</v></c>"
            "<c r=\"F3\"><v>73.995639999999995</v></c>"
            "<c r=\"G3\" t=\"b\"><v>1</v></c><c r=\"H3\" t=\"b\"><v>0</v></c>"
            "<c r=\"I3\" t=\"e\"><v>#DIV/0!</v></c>"
            "<c r=\"J3\"><f>1+1</f><v>2</v></c></row>"
            "<row><c r=\"A4\" t=\"inlineStr\"><is><t>x</t></is></c>"
            "<c t=\"s\"><v>2</v></c><c t=\"s\"><v>3</v></c>"
            "<c r=\"E4\"><v>1E-3</v></c></row>"),
      "", NULL);

  assert_string_equal(got, "SHEET:Data 1 of 3\n"
                           "1:[Date|Trucks]\n"
                           "3:[2023-10-07|2023-10-07T18:00:00|12:00:00|3.5|"
                           "2023-10-01|73.99564|TRUE|FALSE|#DIV/0!|2]\n"
                           "4:[x|a b|tab\there _x0041_||0.001]\n");
  free(got);
  (void)state;
}

static void
test_xlsx_1904(void **state)
{
  /* From 1904-01-01: 0 is that day, 45206 is 45206 days later,
   * 2027-10-08 (1,462 days after the 1900 system's 2023-10-07). */
  char *got = dump_xlsx(SHEET("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c>"
                              "<c r=\"B1\" s=\"1\"><v>45206</v></c></row>"),
                        " date1904=\"1\"", NULL);

  assert_string_equal(got, "SHEET:Data 1 of 3\n1:[1904-01-01|2027-10-08]\n");
  free(got);
  (void)state;
}

static void
test_xlsx_1900_quirks(void **state)
{
  /* The 1900 system's serial 1 is 1900-01-01 and 59 is 1900-02-28; 60 is
   * Lotus's 1900-02-29, which never was: left as the number; 61 is
   * 1900-03-01. */
  char *got = dump_xlsx(
      SHEET("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>1</v></c>"
            "<c r=\"B1\" s=\"1\"><v>59</v></c><c r=\"C1\" s=\"1\"><v>60</v></c>"
            "<c r=\"D1\" s=\"1\"><v>61</v></c></row>"),
      "", NULL);

  assert_string_equal(
      got, "SHEET:Data 1 of 3\n1:[1900-01-01|1900-02-28|60|1900-03-01]\n");
  free(got);
  (void)state;
}

static void
test_xlsx_bad_rows(void **state)
{
  /* A shared string that is not there spoils its row only; a cell past
   * the 1024th column (AMK is the 1025th) too; then broken XML ends the
   * sheet. */
  char *got =
      dump_xlsx(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row>"
                      "<row r=\"2\"><c r=\"AMK2\"><v>1</v></c></row>"
                      "<row r=\"3\"><c r=\"A3\"><v>3</v></c></row>"
                      "<row r=\"4\"><c r=\"A4\"><v>4</v></row>"),
                "", NULL);

  assert_string_equal(got, "SHEET:Data 1 of 3\n"
                           "E1:row 1: a cell names shared string '99', which "
                           "the workbook lacks\n"
                           "E2:row 2: more than 1024 columns\n"
                           "3:[3]\n"
                           "FATAL4:sheet 'Data': broken XML at line 1: "
                           "mismatched tag\n");
  free(got);
  (void)state;
}

static void
test_xlsx_sheets(void **state)
{
  char *got = dump_xlsx(SHEET(""), "", "two");

  /* By name in any case, with its part named by an absolute target. */
  assert_string_equal(got, "SHEET:Two 2 of 3\n1:[second]\n");
  free(got);
  got = dump_xlsx(SHEET(""), "", "2");
  assert_string_equal(got, "SHEET:Two 2 of 3\n1:[second]\n");
  free(got);
  got = dump_xlsx(SHEET(""), "", "Chart");
  assert_string_equal(got, "OPEN:sheet 'Chart' is a chart or dialog, not a "
                           "table of cells\n");
  free(got);
  got = dump_xlsx(SHEET(""), "", "Summary");
  assert_string_equal(got, "OPEN:no sheet 'Summary' (the sheets are: 'Data', "
                           "'Two', 'Chart'); --sheet takes a name or a number "
                           "from 1 (docs/importing.md#spreadsheets)\n");
  free(got);
  (void)state;
}

static char *
dump_ods(const char *tables, const char *want)
{
  const char *names[] = {"mimetype", "content.xml"};
  char *content =
      xasprintf("<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" "
                "xmlns:text=\"x\"><office:body><office:spreadsheet>%s"
                "</office:spreadsheet></office:body></office:document-content>",
                tables);
  const char *datas[] = {"application/vnd.oasis.opendocument.spreadsheet",
                         content};
  size_t lens[] = {strlen(datas[0]), strlen(content)};
  struct archive *a = ingest__archive_mem(2, names, datas, lens);
  struct book_sheets bs = {NULL, 0, 0};
  struct table *t = NULL;
  struct csv_record rec;
  struct buf b, err;
  int rc;

  buf_init(&b);
  buf_init(&err);
  if (ingest__open_sheet(a, want, &t, &bs, &err) != OK) {
    buf_printf(&b, "OPEN:%s\n", err.data);
  } else {
    buf_printf(&b, "SHEET:%s %d of %zu\n", t->sheet, t->sheet_no, bs.n);
    while ((rc = t->read(t, &rec)) != 0) {
      if (rc < 0) {
        buf_printf(&b, "E%lu:%s\n", t->error_line, t->error);
        if (t->fatal)
          break;
        continue;
      }
      buf_printf(&b, "%lu:[", rec.line);
      for (size_t i = 0; i < rec.nfields; i++)
        buf_printf(&b, "%s%s", i ? "|" : "", rec.field[i]);
      buf_puts(&b, "]\n");
    }
  }
  ingest__table_free(t);
  ingest__archive_free(a);
  ingest__book_sheets_free(&bs);
  buf_cleanup(&err);
  free(content);
  return buf_take(&b);
}

static void
test_ods_cells(void **state)
{
  /* Row 1: a float whatever its text shows; a date; a time PT10H30M as a
   * clock; a boolean; a string with text:s c=2 (two spaces) and a comment
   * that is no part of it; two paragraphs joined by a line break. Row 2
   * is three empty rows (counted, not given), so the next is row 5,
   * repeated twice; a cell repeated three times with a value; 1,000 empty
   * cells at the end cost nothing. */
  char *got = dump_ods(
      "<table:table table:name=\"S\">"
      "<table:table-row>"
      "<table:table-cell office:value-type=\"float\" office:value=\"1234.5\">"
      "<text:p>1 234,50</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"date\" "
      "office:date-value=\"2023-10-07\"><text:p>07/10/23</text:p>"
      "</table:table-cell>"
      "<table:table-cell office:value-type=\"time\" "
      "office:time-value=\"PT10H30M00S\"/>"
      "<table:table-cell office:value-type=\"boolean\" "
      "office:boolean-value=\"true\"/>"
      "<table:table-cell office:value-type=\"string\"><text:p>a<text:s "
      "text:c=\"2\"/>b</text:p><office:annotation><text:p>note</text:p>"
      "</office:annotation></table:table-cell>"
      "<table:table-cell><text:p>one</text:p><text:p>two</text:p>"
      "</table:table-cell></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"3\"><table:table-cell "
      "table:number-columns-repeated=\"1000\"/></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"2\">"
      "<table:table-cell table:number-columns-repeated=\"3\" "
      "office:value-type=\"float\" office:value=\"7\"/>"
      "<table:table-cell table:number-columns-repeated=\"1000\"/>"
      "</table:table-row></table:table>"
      "<table:table table:name=\"Other\"/>",
      NULL);

  assert_string_equal(got, "SHEET:S 1 of 2\n"
                           "1:[1234.5|2023-10-07|10:30:00|TRUE|a  b|one\ntwo]\n"
                           "5:[7|7|7]\n"
                           "6:[7|7|7]\n");
  free(got);
  got = dump_ods("<table:table table:name=\"S\"/>"
                 "<table:table table:name=\"Other\"><table:table-row>"
                 "<table:table-cell table:number-columns-repeated=\"1025\" "
                 "office:value-type=\"float\" office:value=\"1\"/>"
                 "</table:table-row></table:table>",
                 "other");
  assert_string_equal(got, "SHEET:Other 2 of 2\nE1:row 1: more than 1024 "
                           "columns\n");
  free(got);
  (void)state;
}

static void
test_serial_and_letters(void **state)
{
  char out[40], col[8];
  static const struct {
    size_t c;
    const char *want;
  } cols[] = {{0, "A"},    {25, "Z"},    {26, "AA"},
              {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}};

  (void)state;
  /* 45207.25 is 2023-10-08 and a quarter day: 06:00. */
  assert_int_equal(ingest__serial_date(45207.25, 0, 0, 0, out, sizeof out), OK);
  assert_string_equal(out, "2023-10-08T06:00:00");
  assert_int_equal(ingest__serial_date(45207.25, 0, 0, 1, out, sizeof out), OK);
  assert_string_equal(out, "2023-10-08");
  /* 0.999999999 rounds to the next midnight. */
  assert_int_equal(
      ingest__serial_date(45206.999999999, 0, 1, 0, out, sizeof out), OK);
  assert_string_equal(out, "2023-10-08T00:00:00");
  assert_int_equal(ingest__serial_date(-1, 0, 0, 0, out, sizeof out),
                   ERR_INVALID);
  assert_int_equal(ingest__serial_date(3e6, 0, 0, 0, out, sizeof out),
                   ERR_INVALID);
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
    ingest__column_letters(cols[i].c, col);
    assert_string_equal(col, cols[i].want);
  }
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_xlsx_cells),
      cmocka_unit_test(test_xlsx_1904),
      cmocka_unit_test(test_xlsx_1900_quirks),
      cmocka_unit_test(test_xlsx_bad_rows),
      cmocka_unit_test(test_xlsx_sheets),
      cmocka_unit_test(test_ods_cells),
      cmocka_unit_test(test_serial_and_letters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
