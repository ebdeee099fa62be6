/*
 * CSV reader, private to ingest. RFC 4180 with what real spreadsheets add: a
 * UTF-8 byte-order mark, CRLF or LF line ends, quoted fields holding commas,
 * doubled quotes and line breaks, and a last line without a line end.
 */
#ifndef PASSAGE_INGEST_CSV_H
#define PASSAGE_INGEST_CSV_H

#include <stddef.h>

/* Hard caps: a record beyond them is an error, never a crash. */
#define CSV_MAX_FIELDS 1024
#define CSV_MAX_RECORD (1u << 20) /* bytes in one record */

struct csv_reader;

/* One record. Fields are NUL-terminated copies owned by the reader, valid
 * until the next csv_read() or csv_reader_free(). */
struct csv_record {
  size_t nfields;
  char **field;
  size_t *len;
  unsigned long line; /* 1-based line number where the record starts */
};

/* A reader over len bytes at data, which the caller keeps alive and
 * unchanged while the reader is in use. */
struct csv_reader *csv_reader_new(const char *data, size_t len);
void csv_reader_free(struct csv_reader *r);
/* Fields are separated by delim (',' unless set here; ';', tab and '|' are
 * what spreadsheets also write). Set it before the first csv_read(). A
 * double quote, CR or LF cannot be one. */
void csv_reader_set_delimiter(struct csv_reader *r, char delim);

/*
 * Reads the next record into *rec. Returns 1 when a record was read, 0 at the
 * end of the data, or ERR_INVALID (a quote not closed before the end, a
 * stray quote inside an unquoted field, more than CSV_MAX_FIELDS fields, a
 * record over CSV_MAX_RECORD bytes) with csv_reader_error() describing it and
 * the line where it happened. After an error the reader may be used again:
 * it resumes at the next line. Blank lines are skipped.
 */
int csv_read(struct csv_reader *r, struct csv_record *rec);

/* The text of the last error, e.g. "unterminated quoted field". */
const char *csv_reader_error(const struct csv_reader *r);
/* The line of the last error. */
unsigned long csv_reader_error_line(const struct csv_reader *r);
/* How many bytes of input have been consumed (for progress bars). */
size_t csv_reader_offset(const struct csv_reader *r);

#endif
