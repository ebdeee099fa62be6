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
#define CSV_MAX_RECORD (1u << 20) /* bytes in one record, by default */
#define CSV_MAX_FIELD (1u << 16)  /* bytes in one field (unquoted) */

struct csv_reader;

/*
 * Where a stream's bytes come from: reads up to cap bytes into buf and
 * returns how many (0 at the end), or -1 with errno set when the input
 * cannot be read.
 */
typedef long (*csv_read_fn)(void *ctx, char *buf, size_t cap);

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
/*
 * A reader over a stream (a file, a pipe), read with fn(ctx) as records
 * are needed, so that memory stays bounded whatever the stream's length:
 * a window of about 2 * max_record + 4 MiB. What csv_read returns is the
 * same as for the whole stream's bytes in memory.
 */
struct csv_reader *csv_reader_new_stream(csv_read_fn fn, void *ctx);
/* Sets the record cap (CSV_MAX_RECORD unless set; at least 1), before the
 * first csv_read(). */
void csv_reader_set_max_record(struct csv_reader *r, size_t max);
/* Sets how far a stream's window reaches beyond the record cap (4 MiB
 * unless set; at least 1), before the first csv_read(): small windows let
 * tests and fuzzing see many refills. */
void csv_reader_set_read_ahead(struct csv_reader *r, size_t bytes);
void csv_reader_free(struct csv_reader *r);
/* Fields are separated by delim (',' unless set here; ';', tab and '|' are
 * what spreadsheets also write). Set it before the first csv_read(). A
 * double quote, CR or LF cannot be one. */
void csv_reader_set_delimiter(struct csv_reader *r, char delim);

/*
 * Reads the next record into *rec. Returns 1 when a record was read, 0 at the
 * end of the data, or an error with csv_reader_error() describing it and
 * the line where it happened:
 * - ERR_INVALID: a quote not closed before the end, a stray quote inside an
 *   unquoted field, more than CSV_MAX_FIELDS fields, a field over
 *   CSV_MAX_FIELD bytes, a NUL byte (which would cut the text short
 *   wherever it is read as a string);
 * - ERR_NOMEM: a record over the record cap, which is also what a record
 *   whose first line alone is over the cap is, whatever else is wrong in
 *   it (so that the answer does not depend on how much was read ahead);
 * - ERR_IO: a stream could not be read (errno's text in the message); the
 *   reader is then at its end, and what it had read but not handed out
 *   is dropped (it may end anywhere).
 * After an error the reader may be used again: it resumes at the next
 * line (after a record over the cap, reading on to find it). Blank lines
 * are skipped.
 */
int csv_read(struct csv_reader *r, struct csv_record *rec);

/* The text of the last error, e.g. "unterminated quoted field". */
const char *csv_reader_error(const struct csv_reader *r);
/* The line of the last error. */
unsigned long csv_reader_error_line(const struct csv_reader *r);
/* The field (column) of the last error, from 1, when it is about one
 * field (a NUL byte, a field too long, a stray quote); else 0. */
size_t csv_reader_error_column(const struct csv_reader *r);
/*
 * 1 when the last error's record had a first line over the record cap by
 * itself (ERR_NOMEM): the next csv_read() reads on, keeping nothing, to
 * the end of that line, however long it is. A caller that must stop at
 * the cap (an endless line from a pipe or /dev/zero) stops here.
 */
int csv_reader_error_long_line(const struct csv_reader *r);
/* How many bytes of input have been consumed (for progress bars). */
size_t csv_reader_offset(const struct csv_reader *r);

#endif
