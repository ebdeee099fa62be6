/*
 * Tests for the CSV reader. Small inputs are checked against a dump written
 * by hand: one line per csv_read() result, "LINE:[f1|f2]" for a record and
 * "ELINE:message" for an error, with \n, \r, \0, \\ and | escaped inside
 * fields. The real files in shared/data are checked against counts taken
 * with awk and Python's csv module (the commands are next to each number).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/csv.h"
#include "util/util.h"

/* A stream over bytes in memory, handing out at most chunk at a time. */
struct chunks {
  const char *data;
  size_t len, at, chunk;
  size_t fail_at; /* a read error there (errno EIO); 0 for none */
};

static long
read_chunks(void *ctx, char *buf, size_t cap)
{
  struct chunks *c = ctx;
  size_t n = c->len - c->at;

  if (c->fail_at && c->at >= c->fail_at) {
    errno = EIO;
    return -1;
  }
  if (n > cap)
    n = cap;
  if (n > c->chunk)
    n = c->chunk;
  if (c->fail_at && c->at + n > c->fail_at)
    n = c->fail_at - c->at;
  memcpy(buf, c->data + c->at, n);
  c->at += n;
  return (long)n;
}

/* How a reader is made: over memory (chunk 0) or a stream. */
struct how {
  size_t max;        /* record cap; 0 for the default */
  size_t chunk;      /* 0: bytes in memory; else bytes per read */
  size_t read_ahead; /* of the stream's window */
};

/* Reads everything, dumping as described above, and checks invariants. */
static char *
dump_how(const char *data, size_t len, const struct how *h)
{
  struct chunks c = {data, len, 0, h->chunk, 0};
  struct csv_reader *r = h->chunk ? csv_reader_new_stream(read_chunks, &c)
                                  : csv_reader_new(data, len);
  struct csv_record rec;
  struct buf b;
  int rc, guard = 0;

  if (h->max)
    csv_reader_set_max_record(r, h->max);
  if (h->read_ahead)
    csv_reader_set_read_ahead(r, h->read_ahead);
  buf_init(&b);
  while ((rc = csv_read(r, &rec)) != 0) {
    assert_true(++guard < 100000); /* the reader always makes progress */
    if (rc < 0) {
      assert_true(rc == ERR_INVALID || rc == ERR_NOMEM);
      assert_null(rec.field);
      buf_printf(&b, "E%lu:%s\n", csv_reader_error_line(r),
                 csv_reader_error(r));
      continue;
    }
    assert_int_equal(rc, 1);
    buf_printf(&b, "%lu:[", rec.line);
    for (size_t i = 0; i < rec.nfields; i++) {
      if (i > 0)
        buf_putc(&b, '|');
      assert_int_equal(rec.field[i][rec.len[i]], '\0');
      for (size_t k = 0; k < rec.len[i]; k++) {
        char ch = rec.field[i][k];
        if (ch == '\n')
          buf_puts(&b, "\\n");
        else if (ch == '\r')
          buf_puts(&b, "\\r");
        else if (ch == '\\' || ch == '|')
          buf_printf(&b, "\\%c", ch);
        else
          buf_putc(&b, ch);
      }
    }
    buf_puts(&b, "]\n");
  }
  assert_int_equal(csv_reader_offset(r), len);
  /* At the end it stays at the end. */
  assert_int_equal(csv_read(r, &rec), 0);
  assert_int_equal(rec.nfields, 0);
  csv_reader_free(r);
  return buf_take(&b);
}

static char *
dump(const char *data, size_t len)
{
  static const struct how memory = {0, 0, 0};

  return dump_how(data, len, &memory);
}

struct csv_case {
  const char *in;
  size_t len; /* 0: strlen(in) */
  const char *want;
};

static const struct csv_case cases[] = {
    /* Plain records, LF and CRLF, with and without a final line end. */
    {"a,b,c\n1,2,3\n", 0, "1:[a|b|c]\n2:[1|2|3]\n"},
    {"a,b,c\r\n1,2,3\r\n", 0, "1:[a|b|c]\n2:[1|2|3]\n"},
    {"a,b\n1,2", 0, "1:[a|b]\n2:[1|2]\n"},
    {"a,b\r\n1,2", 0, "1:[a|b]\n2:[1|2]\n"},
    {"x", 0, "1:[x]\n"},
    /* Old Mac line ends (lone CR), and all three mixed. */
    {"a,b\rc,d\r", 0, "1:[a|b]\n2:[c|d]\n"},
    {"a\rb\nc\r\nd", 0, "1:[a]\n2:[b]\n3:[c]\n4:[d]\n"},
    /* A UTF-8 byte-order mark is dropped; only at the very start. */
    {"\xEF\xBB\xBF"
     "a,b\n",
     0, "1:[a|b]\n"},
    {"\xEF\xBB\xBF", 0, ""},
    {"\xEF\xBB\xBF\xEF\xBB\xBF"
     "a\n",
     0,
     "1:[\xEF\xBB\xBF"
     "a]\n"},
    {"a\n\xEF\xBB\xBF"
     "b\n",
     0,
     "1:[a]\n2:[\xEF\xBB\xBF"
     "b]\n"},
    {"\xEF\xBB", 0, "1:[\xEF\xBB]\n"},
    /* After the mark, a CRLF that a stream's first window would cut in
     * two (found by fuzz_ingest_csv): still one line end. */
    {"\xEF\xBB\xBF\r\n\r\na\r\n", 0, "3:[a]\n"},
    /* Empty input and blank lines, which count as lines. */
    {"", 0, ""},
    {"\n", 0, ""},
    {"\r\n\r\n", 0, ""},
    {"a\n\n\nb\n", 0, "1:[a]\n4:[b]\n"},
    {"\n\na", 0, "3:[a]\n"},
    {"\r\n\r\na\r\n\r\n", 0, "3:[a]\n"},
    {"\r\r\na\r", 0, "3:[a]\n"},
    /* A line of spaces is a record with one field, not a blank line. */
    {"a\n \nb\n", 0, "1:[a]\n2:[ ]\n3:[b]\n"},
    {"\t\n", 0, "1:[\t]\n"},
    /* Empty fields and white space kept as written. */
    {",\n", 0, "1:[|]\n"},
    {",,\n", 0, "1:[||]\n"},
    {"a,\n", 0, "1:[a|]\n"},
    {",a", 0, "1:[|a]\n"},
    {" a , b ", 0, "1:[ a | b ]\n"},
    /* Quoted fields: commas, doubled quotes, empty. */
    {"a,\"b,c\",d\n", 0, "1:[a|b,c|d]\n"},
    {"\"say \"\"hi\"\"\"\n", 0, "1:[say \"hi\"]\n"},
    {"\"\"\"\"", 0, "1:[\"]\n"},
    {"\"\"\n", 0, "1:[]\n"},
    {"\"\",\"\"", 0, "1:[|]\n"},
    {"\"a\",", 0, "1:[a|]\n"},
    {"\"a\"\r\n\"b\"\r\n", 0, "1:[a]\n2:[b]\n"},
    {"\"a\"\r\"b\"", 0, "1:[a]\n2:[b]\n"},
    {"\"x y\" ,z", 0, "E1:unexpected character after closing quote\n"},
    /* Line breaks inside quotes; the lines after are numbered right. */
    {"\"line1\nline2\",x\nnext,y\n", 0, "1:[line1\\nline2|x]\n3:[next|y]\n"},
    {"\"a\r\nb\",c\r\nd,e\r\n", 0, "1:[a\\r\\nb|c]\n3:[d|e]\n"},
    {"\"x\ry\",z\nw\n", 0, "1:[x\\ry|z]\n3:[w]\n"},
    {"h\n\"1\n2\n3\",\"4\n\n5\"\nlast", 0,
     "1:[h]\n2:[1\\n2\\n3|4\\n\\n5]\n7:[last]\n"},
    {"\"\n\",\"\r\n\"\n\nz", 0, "1:[\\n|\\r\\n]\n5:[z]\n"},
    /* Bytes are bytes (high bit, backslash), except NUL: an error that
     * names the line, and the reading goes on at the next one. */
    {"a\0b,c\nd\n", 8,
     "E1:expected text without NUL bytes, got a NUL byte\n2:[d]\n"},
    {"x,\"\0\"\n", 6, "E1:expected text without NUL bytes, got a NUL byte\n"},
    {"\xC3\xA9t\xC3\xA9,\\\n", 0, "1:[\xC3\xA9t\xC3\xA9|\\\\]\n"},
    /* Errors, each followed by recovery at the next line. */
    {"a,b\"c,d\nok\n", 0, "E1:stray quote in unquoted field\n2:[ok]\n"},
    {"a,b\"\nok", 0, "E1:stray quote in unquoted field\n2:[ok]\n"},
    {"ok\nx\"\r\nok\r\n", 0,
     "1:[ok]\nE2:stray quote in unquoted field\n3:[ok]\n"},
    {"\"ab\"c,d\nok\n", 0,
     "E1:unexpected character after closing quote\n2:[ok]\n"},
    {"a,\"bc\nd,e\nf,g\n", 0,
     "E1:unterminated quoted field\n2:[d|e]\n3:[f|g]\n"},
    {"x\n\"a\nb\nc", 0, "1:[x]\nE2:unterminated quoted field\n3:[b]\n4:[c]\n"},
    {"\"a\nb\",c\nx,\"y\nz\n", 0,
     "1:[a\\nb|c]\nE3:unterminated quoted field\n4:[z]\n"},
    {"a,\"", 0, "E1:unterminated quoted field\n"},
    {"\"a\"\"", 0, "E1:unterminated quoted field\n"},
    /* A stray opening quote pairs with the next line's quote: the error
     * shows where the text stops making sense, and the lines it swallowed
     * are read again. */
    {"1,\"abc\n2,\"x\",y\n3,z\n", 0,
     "E2:unexpected character after closing quote\n2:[2|x|y]\n3:[3|z]\n"},
    {"a\"\n\"b\"\n", 0, "E1:stray quote in unquoted field\n2:[b]\n"},
};

static void
test_table(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct csv_case *c = &cases[i];
    size_t len = c->len ? c->len : strlen(c->in);
    char *got = dump(c->in, len);
    int same = strcmp(got, c->want) == 0;

    /* One free: gcc -O3 takes fail() for a call that returns. */
    if (!same)
      print_error("case %zu:\n--- got\n%s--- want\n%s", i, got, c->want);
    free(got);
    if (!same)
      fail();
  }
}

static void
test_api(void **state)
{
  struct csv_reader *r;
  struct csv_record rec;
  const char *text = "a,b\n\"c\nd\",e\n";

  (void)state;
  csv_reader_free(NULL);
  r = csv_reader_new(NULL, 0);
  assert_int_equal(csv_read(r, &rec), 0);
  assert_int_equal(csv_reader_offset(r), 0);
  assert_string_equal(csv_reader_error(r), "");
  csv_reader_free(r);

  r = csv_reader_new(text, strlen(text));
  assert_int_equal(csv_read(r, &rec), 1);
  assert_int_equal(rec.nfields, 2);
  assert_string_equal(rec.field[0], "a");
  assert_int_equal(rec.len[0], 1);
  assert_string_equal(rec.field[1], "b");
  assert_int_equal(rec.line, 1);
  assert_int_equal(csv_reader_offset(r), 4);
  assert_int_equal(csv_read(r, &rec), 1);
  assert_string_equal(rec.field[0], "c\nd");
  assert_int_equal(rec.len[0], 3);
  assert_string_equal(rec.field[1], "e");
  assert_int_equal(rec.line, 2);
  assert_int_equal(csv_reader_offset(r), strlen(text));
  assert_int_equal(csv_read(r, &rec), 0);
  csv_reader_free(r);

  /* The offset counts the byte-order mark. */
  r = csv_reader_new("\xEF\xBB\xBFx\n", 5);
  assert_int_equal(csv_read(r, &rec), 1);
  assert_int_equal(csv_reader_offset(r), 5);
  csv_reader_free(r);
}

/* n fields "0,1,2,...": the last is n-1. */
static char *
many_fields(size_t n, const char *tail)
{
  struct buf b;

  buf_init(&b);
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, i ? ",%zu" : "%zu", i);
  buf_puts(&b, tail);
  return buf_take(&b);
}

static void
test_field_cap(void **state)
{
  struct csv_reader *r;
  struct csv_record rec;
  char *ok = many_fields(CSV_MAX_FIELDS, "\nnext\n");
  char *over = many_fields(CSV_MAX_FIELDS + 1, "\nnext\n");
  char *empty = xcalloc(CSV_MAX_FIELDS + 2, 1);

  (void)state;
  r = csv_reader_new(ok, strlen(ok));
  assert_int_equal(csv_read(r, &rec), 1);
  assert_int_equal(rec.nfields, CSV_MAX_FIELDS);
  assert_string_equal(rec.field[CSV_MAX_FIELDS - 1], "1023");
  assert_int_equal(csv_read(r, &rec), 1);
  assert_string_equal(rec.field[0], "next");
  csv_reader_free(r);

  r = csv_reader_new(over, strlen(over));
  assert_int_equal(csv_read(r, &rec), ERR_INVALID);
  assert_string_equal(csv_reader_error(r), "more than 1024 fields");
  assert_int_equal(csv_reader_error_line(r), 1);
  assert_int_equal(csv_read(r, &rec), 1);
  assert_string_equal(rec.field[0], "next");
  assert_int_equal(rec.line, 2);
  csv_reader_free(r);

  /* 1024 commas make 1025 empty fields. */
  memset(empty, ',', CSV_MAX_FIELDS - 1);
  r = csv_reader_new(empty, strlen(empty));
  assert_int_equal(csv_read(r, &rec), 1);
  assert_int_equal(rec.nfields, CSV_MAX_FIELDS);
  csv_reader_free(r);
  empty[CSV_MAX_FIELDS - 1] = ',';
  r = csv_reader_new(empty, strlen(empty));
  assert_int_equal(csv_read(r, &rec), ERR_INVALID);
  assert_int_equal(csv_read(r, &rec), 0);
  csv_reader_free(r);

  free(ok);
  free(over);
  free(empty);
}

/*
 * Every case of the table read as a stream, in chunks of 1, 2, 3 and 64
 * bytes, with windows reaching 1, 2, 5 and 4096 bytes beyond the record
 * cap, and caps from 1 byte to the default: the same dump as the same
 * bytes in memory with the same cap, so that refilling the window between
 * records changes nothing (a record over a small cap is an error in both).
 */
static void
test_table_streams(void **state)
{
  static const size_t maxes[] = {1, 2, 3, 4, 8, 16, 0};
  static const size_t chunks[] = {1, 2, 3, 64};
  static const size_t aheads[] = {1, 2, 5, 4096};

  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct csv_case *c = &cases[i];
    size_t len = c->len ? c->len : strlen(c->in);
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
      struct how mem = {maxes[m], 0, 0};
      char *want = dump_how(c->in, len, &mem);
      for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++)
        for (size_t a = 0; a < sizeof aheads / sizeof aheads[0]; a++) {
          struct how h = {maxes[m], chunks[k], aheads[a]};
          char *got = dump_how(c->in, len, &h);
          int same = strcmp(got, want) == 0;
          if (!same)
            print_error("case %zu, cap %zu, chunk %zu, ahead %zu:\n--- "
                        "stream\n%s--- memory\n%s",
                        i, h.max, h.chunk, h.read_ahead, got, want);
          free(got);
          if (!same) {
            free(want);
            fail();
          }
        }
      free(want);
    }
  }
}

/* A cap of 10 bytes, worked by hand: a record of 10 bytes is read, of 11
 * is ERR_NOMEM, and the reading goes on at the next line. */
static void
test_record_cap(void **state)
{
  static const struct {
    const char *in, *want;
  } small[] = {
      {"a,xxxxxxxx\nok\n", "1:[a|xxxxxxxx]\n2:[ok]\n"},
      {"a,xxxxxxxxx\nok\n", "E1:record longer than 10 bytes\n2:[ok]\n"},
      /* Quotes and 8 line breaks: 10 bytes, "ok" on line 10. */
      {"\"\n\n\n\n\n\n\n\n\"\nok\n", "1:[\\n\\n\\n\\n\\n\\n\\n\\n]\n10:[ok]\n"},
      /* 9 line breaks: 11 bytes. Lines 2-9 are then blank, the closing
       * quote on line 10 opens a field that never closes, "ok" is line
       * 11. */
      {"\"\n\n\n\n\n\n\n\n\n\"\nok\n",
       "E1:record longer than 10 bytes: the quoted field opened on line 1 "
       "does not close within them\nE10:unterminated quoted field\n"
       "11:[ok]\n"},
      /* A first line over the cap is over the cap, whatever else is wrong
       * with it (here a stray quote, and a NUL byte). */
      {"ab\"cdefghijk\nok", "E1:record longer than 10 bytes\n2:[ok]\n"},
      {"a\"b\nok", "E1:stray quote in unquoted field\n2:[ok]\n"},
  };
  struct how h = {10, 0, 0};
  struct csv_reader *r;
  struct csv_record rec;
  const char *quoted = "\"\n\n\n\n\n\n\n\n\n\"\nok\n";

  (void)state;
  /* Over the cap inside quotes, the first line short: the next line can
   * be read at once. */
  r = csv_reader_new(quoted, strlen(quoted));
  csv_reader_set_max_record(r, 10);
  assert_int_equal(csv_read(r, &rec), ERR_NOMEM);
  assert_int_equal(csv_reader_error_long_line(r), 0);
  csv_reader_free(r);
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
    char *got = dump_how(small[i].in, strlen(small[i].in), &h);
    if (strcmp(got, small[i].want) != 0)
      print_error("case %zu:\n--- got\n%s--- want\n%s", i, got, small[i].want);
    assert_string_equal(got, small[i].want);
    free(got);
  }
}

/*
 * The default cap, 1 MiB: 1,048,576 bytes of x with a comma every 2,048
 * (at 2047, 4095, ..., 1048575: 512 commas, 513 fields of at most 2,047
 * bytes, under the field cap) is one record; one byte more is not.
 */
static void
test_record_cap_default(void **state)
{
  size_t max = CSV_MAX_RECORD;
  char *big = xmalloc(max + 64);
  struct csv_reader *r;
  struct csv_record rec;

  (void)state;
  for (int over = 0; over < 2; over++) {
    size_t n = max + (size_t)over;
    memset(big, 'x', n);
    for (size_t i = 2047; i < n; i += 2048)
      big[i] = ',';
    memcpy(big + n, "\nok\n", 5);
    r = csv_reader_new(big, n + 4);
    if (over) {
      assert_int_equal(csv_read(r, &rec), ERR_NOMEM);
      assert_string_equal(csv_reader_error(r),
                          "record longer than 1048576 bytes");
      assert_int_equal(csv_reader_error_line(r), 1);
      assert_int_equal(csv_reader_error_long_line(r), 1);
    } else {
      assert_int_equal(csv_read(r, &rec), 1);
      assert_int_equal(rec.nfields, 513);
      assert_int_equal(rec.len[0], 2047);
      assert_int_equal(rec.len[512], 0);
    }
    assert_int_equal(csv_read(r, &rec), 1);
    assert_string_equal(rec.field[0], "ok");
    assert_int_equal(rec.line, 2);
    csv_reader_free(r);
  }
  free(big);
}

/* A field of 65,536 bytes is read, of 65,537 refused (its column named);
 * in quotes the doubled quote counts once. */
static void
test_field_len_cap(void **state)
{
  size_t cap = CSV_MAX_FIELD;
  char *t = xmalloc(cap + 64);
  struct csv_reader *r;
  struct csv_record rec;

  (void)state;
  for (int over = 0; over < 2; over++) {
    /* "a," then cap (+1) x, then "\nok". */
    size_t n = 2 + cap + (size_t)over;
    memcpy(t, "a,", 2);
    memset(t + 2, 'x', cap + (size_t)over);
    memcpy(t + n, "\nok", 3);
    r = csv_reader_new(t, n + 3);
    if (over) {
      assert_int_equal(csv_read(r, &rec), ERR_INVALID);
      assert_string_equal(csv_reader_error(r),
                          "expected at most 65536 bytes in a field, got more");
      assert_int_equal(csv_reader_error_column(r), 2);
    } else {
      assert_int_equal(csv_read(r, &rec), 1);
      assert_int_equal(rec.len[1], cap);
    }
    assert_int_equal(csv_read(r, &rec), 1);
    assert_string_equal(rec.field[0], "ok");
    csv_reader_free(r);

    /* '"', cap - 1 (+1) x, '""', '"': cap (+1) bytes of text. */
    n = 1 + cap - 1 + (size_t)over + 3;
    t[0] = '"';
    memset(t + 1, 'x', cap - 1 + (size_t)over);
    memcpy(t + n - 3, "\"\"\"", 3);
    r = csv_reader_new(t, n);
    if (over) {
      assert_int_equal(csv_read(r, &rec), ERR_INVALID);
      assert_int_equal(csv_reader_error_column(r), 1);
    } else {
      assert_int_equal(csv_read(r, &rec), 1);
      assert_int_equal(rec.len[0], cap);
      assert_int_equal(rec.field[0][cap - 1], '"');
    }
    csv_reader_free(r);
  }
  free(t);
}

/* A NUL byte names its line and column; the record is not read. */
/*
 * The bytes the reader looks out for (quote, CR, NUL) first coming far into
 * the input, after 3,000 plain records: each search stops where its caller
 * stops looking, so each must still be found at its own line, in memory
 * and in a stream of 1,000-byte reads. Lines 3001-3005: a stray quote, a
 * quoted field ending at a lone CR, a CRLF record, a NUL byte, a record.
 */
static void
test_late_bytes(void **state)
{
  static const char tail[] = "x\"y\n\"q\"\"q\",w\rm,n\r\na\0b\nz\n";
  static const struct how stream = {0, 1000, 4096};
  struct buf in, want;
  char *got;

  (void)state;
  buf_init(&in);
  buf_init(&want);
  for (int i = 1; i <= 3000; i++) {
    buf_puts(&in, "r,1\n");
    buf_printf(&want, "%d:[r|1]\n", i);
  }
  buf_append(&in, tail, sizeof tail - 1);
  buf_puts(&want, "E3001:stray quote in unquoted field\n"
                  "3002:[q\"q|w]\n"
                  "3003:[m|n]\n"
                  "E3004:expected text without NUL bytes, got a NUL byte\n"
                  "3005:[z]\n");
  got = dump(in.data, in.len);
  assert_string_equal(got, want.data);
  free(got);
  got = dump_how(in.data, in.len, &stream);
  assert_string_equal(got, want.data);
  free(got);
  buf_cleanup(&in);
  buf_cleanup(&want);
}

static void
test_nul_column(void **state)
{
  struct csv_reader *r = csv_reader_new("h1,h2,h3\nx,1\0999,z\nok\n", 21);
  struct csv_record rec;

  (void)state;
  assert_int_equal(csv_read(r, &rec), 1);
  assert_int_equal(csv_read(r, &rec), ERR_INVALID);
  assert_int_equal(csv_reader_error_line(r), 2);
  assert_int_equal(csv_reader_error_column(r), 2);
  assert_int_equal(csv_read(r, &rec), 1);
  assert_string_equal(rec.field[0], "ok");
  assert_int_equal(rec.line, 3);
  csv_reader_free(r);
}

/* A stream that fails: what came before is read, then ERR_IO, then the
 * end. */
static void
test_read_error(void **state)
{
  const char *text = "a,b\nc,d\ne,f\n";
  struct chunks c = {text, strlen(text), 0, 3, 6};
  struct csv_reader *r = csv_reader_new_stream(read_chunks, &c);
  struct csv_record rec;

  (void)state;
  csv_reader_set_max_record(r, 2);
  csv_reader_set_read_ahead(r, 1);
  assert_int_equal(csv_read(r, &rec), ERR_NOMEM); /* "a,b": 3 bytes */
  csv_reader_free(r);

  /* The window reads up to byte 6 ("a,b\nc,"), then the read fails:
   * nothing of what may be cut short is handed out as a record. */
  c.at = 0;
  r = csv_reader_new_stream(read_chunks, &c);
  assert_int_equal(csv_read(r, &rec), ERR_IO);
  assert_string_equal(csv_reader_error(r), "cannot read: Input/output error");
  assert_int_equal(csv_read(r, &rec), 0);
  csv_reader_free(r);
  /* With a window smaller than the input, the records before it come. */
  c.at = 0;
  r = csv_reader_new_stream(read_chunks, &c);
  csv_reader_set_max_record(r, 3);
  csv_reader_set_read_ahead(r, 1);
  assert_int_equal(csv_read(r, &rec), 1); /* the window: "a,b\nc," */
  assert_string_equal(rec.field[1], "b");
  assert_int_equal(csv_read(r, &rec), ERR_IO);
  csv_reader_free(r);
}

/* An endless line (as from /dev/zero) stops at the cap, having read no
 * more than the window: the cap plus 2 plus the read-ahead. */
static long
read_endless(void *ctx, char *buf, size_t cap)
{
  size_t *total = ctx;

  memset(buf, 'x', cap);
  *total += cap;
  return (long)cap;
}

static void
test_endless_line(void **state)
{
  size_t total = 0;
  struct csv_reader *r = csv_reader_new_stream(read_endless, &total);
  struct csv_record rec;

  (void)state;
  csv_reader_set_read_ahead(r, 1000);
  assert_int_equal(csv_read(r, &rec), ERR_NOMEM);
  assert_string_equal(csv_reader_error(r), "record longer than 1048576 bytes");
  assert_int_equal(csv_reader_error_long_line(r), 1);
  assert_true(total <= CSV_MAX_RECORD + 2 + 1000);
  csv_reader_free(r);
}

/* Reads a file from shared/data into memory, or skips the test. */
static char *
load_data(const char *rel, size_t *len)
{
  const char *root = getenv("PASSAGE_SOURCE_DIR");
  char path[4096];
  FILE *f;
  char *data;
  long n;

  if (root == NULL)
    root = ".";
  snprintf(path, sizeof path, "%s/../shared/data/%s", root, rel);
  f = fopen(path, "rb");
  if (f == NULL) {
    print_message("%s absent; skipping\n", path);
    skip();
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  assert_true(n >= 0);
  data = xmalloc((size_t)n + 1);
  assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return data;
}

static void
test_gaza_cogat(void **state)
{
  size_t len;
  char *data = load_data("gaza-cogat/gaza_cogat_data_24sep2024.csv", &len);
  struct csv_reader *r = csv_reader_new(data, len);
  struct csv_record rec;
  unsigned long records = 0, dash = 0, figures = 0, sept = 0, y2023 = 0;
  int64_t first = INT64_MAX, last = INT64_MIN;
  double tons = 0;
  int rc;

  (void)state;
  while ((rc = csv_read(r, &rec)) == 1) {
    struct ptime t;
    int64_t day;
    double v;

    records++;
    assert_int_equal(rec.nfields, 6);
    assert_int_equal(rec.line, records); /* no quoted line breaks here */
    if (records == 1) {
      assert_string_equal(rec.field[1], "Date");
      assert_string_equal(rec.field[5], "Aid (tons)");
      continue;
    }
    if (util_parse_time(rec.field[1], rec.len[1], &t) != OK) {
      print_error("line %lu: date \"%s\"\n", rec.line, rec.field[1]);
      fail();
    }
    assert_int_equal(t.prec, TIME_DAY);
    day = util_days_from_civil(t.year, t.month, t.day);
    if (day < first)
      first = day;
    if (day > last)
      last = day;
    sept += strstr(rec.field[1], "Sept") != NULL;
    y2023 += t.year == 2023;
    rc = util_parse_number(rec.field[5], rec.len[5], &v);
    if (rc == ERR_MISSING) {
      dash++;
    } else {
      assert_int_equal(rc, OK);
      figures++;
      tons += v;
    }
  }
  assert_int_equal(rc, 0);
  /*
   * awk 'END{print NR}' FILE -> 52480. The brief said 52479: that is
   * wc -l, which misses the last line (the file has no final line end).
   * Index runs 1..52479, so 52479 data rows plus the header.
   */
  assert_int_equal(records, 52480);
  /* awk -F, -v RS='\r\n' 'NR>1 && $6=="-"{n++} END{print n}' -> 978 */
  assert_int_equal(dash, 978);
  /* awk -F, -v RS='\r\n' 'NR>1 && $6!="-"{s+=$6; k++}
   *     END{printf "%.2f %d\n", s, k}' -> 1033641.20 51501 */
  assert_int_equal(figures, 51501);
  assert_true(tons > 1033641.19 && tons < 1033641.21);
  /* grep -c ',[0-9]* Sept 2024,' FILE -> 2756 */
  assert_int_equal(sept, 2756);
  /* awk -F, -v RS='\r\n' 'NR>1{split($2,a," "); n[a[3]]++}
   *     END{for(y in n) print y, n[y]}' -> 2023 6687 */
  assert_int_equal(y2023, 6687);
  /* data/README.md: 2023-10-21 to 2024-09-17 */
  assert_int_equal(first, util_days_from_civil(2023, 10, 21));
  assert_int_equal(last, util_days_from_civil(2024, 9, 17));
  assert_int_equal(csv_reader_offset(r), len);
  csv_reader_free(r);
  free(data);
}

static void
test_black_sea_grain(void **state)
{
  size_t len;
  char *data =
      load_data("black-sea-grain/bsgi_voyages_jcc_to_2023-03-17.csv", &len);
  struct csv_reader *r = csv_reader_new(data, len);
  struct csv_record rec;
  unsigned long records = 0, no_inspection = 0;
  double tonnage = 0;
  int rc;

  (void)state;
  while ((rc = csv_read(r, &rec)) == 1) {
    struct ptime t;
    double v;

    records++;
    assert_int_equal(rec.nfields, 15);
    if (records == 1) {
      assert_string_equal(rec.field[7], "Tonnage");
      assert_string_equal(rec.field[9], "Inspection \xC4\xB0stanbul");
      continue;
    }
    assert_int_equal(util_parse_number(rec.field[7], rec.len[7], &v), OK);
    tonnage += v;
    assert_int_equal(util_parse_time(rec.field[8], rec.len[8], &t), OK);
    rc = util_parse_time(rec.field[9], rec.len[9], &t);
    if (rc == ERR_MISSING)
      no_inspection++;
    else
      assert_int_equal(rc, OK);
  }
  assert_int_equal(rc, 0);
  /* awk 'END{print NR}' FILE -> 937 (the README's 935 is off by one) */
  assert_int_equal(records, 937);
  /* Python: sum(float(row[7].replace(',', '')) for row in rows[1:])
   * -> 25012238; sum(row[9] == '' for row in rows[1:]) -> 34 */
  assert_true(tonnage == 25012238);
  assert_int_equal(no_inspection, 34);
  csv_reader_free(r);
  free(data);
}

static void
test_gaza_lshtm(void **state)
{
  size_t len;
  char *data = load_data("gaza-lshtm/gaza_food_trucks.csv", &len);
  struct csv_reader *r = csv_reader_new(data, len);
  struct csv_record rec;
  unsigned long records = 0;
  double trucks = 0;
  int rc;

  (void)state;
  while ((rc = csv_read(r, &rec)) == 1) {
    struct ptime a, b;
    double v;

    records++;
    assert_int_equal(rec.nfields, 4);
    if (records == 1) {
      assert_string_equal(rec.field[0], "date");
      continue;
    }
    /* "07 October 2023" and "07-Oct-23" name the same day. */
    assert_int_equal(util_parse_time(rec.field[0], rec.len[0], &a), OK);
    assert_int_equal(util_parse_time(rec.field[1], rec.len[1], &b), OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(util_parse_number(rec.field[2], rec.len[2], &v), OK);
    trucks += v;
  }
  assert_int_equal(rc, 0);
  /* awk 'END{print NR}' FILE -> 117 */
  assert_int_equal(records, 117);
  /* Python: sum(int(row[2]) for row in rows[1:]) -> 10192 */
  assert_true(trucks == 10192);
  csv_reader_free(r);
  free(data);
}

static void
test_texas_coordinates(void **state)
{
  size_t len;
  char *data =
      load_data("us-texas-mexico/TX-MX-Border-Crossings-Coordinates.csv", &len);
  struct csv_reader *r = csv_reader_new(data, len);
  struct csv_record rec;
  unsigned long records = 0;
  int rc;

  (void)state;
  /*
   * awk -F, '/^[0-9]+,/{printf "%s:%s ", NR, $1}' FILE gives the line each
   * record starts on; three addresses hold a line break, so after Order 4
   * (line 5) comes Order 5 on line 7.
   */
  while ((rc = csv_read(r, &rec)) == 1) {
    static const struct {
      unsigned long order, line;
    } starts[] = {{1, 2},   {4, 5},   {5, 7},   {19, 21},
                  {20, 23}, {26, 29}, {27, 31}, {34, 38}};

    records++;
    assert_int_equal(rec.nfields, 11);
    if (records == 1) {
      assert_string_equal(rec.field[0], "Order"); /* BOM dropped */
      continue;
    }
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
      if (strtoul(rec.field[0], NULL, 10) == starts[i].order)
        assert_int_equal(rec.line, starts[i].line);
    if (strcmp(rec.field[0], "4") == 0)
      assert_string_equal(rec.field[8], "805 S Santa Fe St\nEl Paso, TX 79901");
  }
  assert_int_equal(rc, 0);
  /* Python: len(list(csv.reader(f))) -> 35 */
  assert_int_equal(records, 35);
  csv_reader_free(r);
  free(data);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_api),
      cmocka_unit_test(test_field_cap),
      cmocka_unit_test(test_table_streams),
      cmocka_unit_test(test_record_cap),
      cmocka_unit_test(test_record_cap_default),
      cmocka_unit_test(test_field_len_cap),
      cmocka_unit_test(test_late_bytes),
      cmocka_unit_test(test_nul_column),
      cmocka_unit_test(test_read_error),
      cmocka_unit_test(test_endless_line),
      cmocka_unit_test(test_gaza_cogat),
      cmocka_unit_test(test_black_sea_grain),
      cmocka_unit_test(test_gaza_lshtm),
      cmocka_unit_test(test_texas_coordinates),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
