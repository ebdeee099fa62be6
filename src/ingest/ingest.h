/*
 * ingest: users' data as they are (CSV with an optional HXL hashtag row, in
 * the dialects spreadsheets and field tools write; workbooks: Office Open
 * XML .xlsx and OpenDocument .ods; JSON Lines), read from files or from
 * bytes in memory, and single records
 * typed on the command line, mapped onto a record kind, validated, and
 * stored in one transaction per import; and records written back out in
 * those formats (export).
 *
 * Nothing here prints. What an import has to say (each invalid row, the
 * summary of unknown names, progress) goes to a sink of callbacks the
 * caller provides: the CLI formats it for a terminal, the server as JSON.
 */
#ifndef PASSAGE_INGEST_H
#define PASSAGE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

struct store; /* store/store.h */

enum ingest_format {
  INGEST_CSV,   /* CSV; on import an HXL hashtag row is recognised */
  INGEST_HXL,   /* CSV with a row of HXL hashtags under the header; on
                   import the same as INGEST_CSV */
  INGEST_JSONL, /* JSON Lines: one JSON object a line */
  INGEST_XLSX,  /* an Office Open XML workbook; one sheet is read */
  INGEST_ODS,   /* an OpenDocument spreadsheet; one sheet is read */
};
/* With INGEST_CSV, INGEST_HXL, INGEST_XLSX or INGEST_ODS the input's own
 * bytes decide: a ZIP archive holding a workbook is read as one, anything
 * else as CSV. */

/* How a comma inside a number is read. */
enum ingest_decimal {
  INGEST_DECIMAL_AUTO,  /* in a file delimited by ',' the comma groups
                           thousands ("66,564"); under any other delimiter
                           its role is unknown and such a number is refused
                           with a hint */
  INGEST_DECIMAL_POINT, /* --decimal-point: '.' is the decimal mark, ','
                           groups thousands */
  INGEST_DECIMAL_COMMA, /* --decimal-comma: ',' is the decimal mark; '.',
                           spaces and no-break spaces group thousands
                           ("12,5", "1.234,5", "1 234,5") */
};

/* Exports of field data-collection tools, read by their conventions. */
enum ingest_preset {
  INGEST_PRESET_NONE,
  INGEST_PRESET_KOBO, /* KoboToolbox: _uuid, _submission_time,
                         _validation_status, groups as group/field */
  INGEST_PRESET_ODK,  /* ODK Central: KEY, meta-instanceID, SubmissionDate,
                         ReviewState, groups as group-field */
};

/* --where COLUMN=VALUE|VALUE2: only rows whose cell is one of the values;
 * COLUMN!=VALUE|VALUE2: only rows whose cell is none of them. */
struct ingest_where {
  char *column;
  char **values;
  size_t nvalues;
  int negated;
};

struct ingest_pair {
  char *key;   /* a field name */
  char *value; /* a column, a template "{Year}-{Month}", or a constant */
};

struct ingest_label {
  char *field;
  char *label; /* the publisher's label */
  char *value; /* ours */
};

struct ingest_opts {
  enum record_kind kind;
  enum ingest_format format; /* of the input; INGEST_CSV by default */
  struct ingest_pair *maps;  /* --map field=Column */
  size_t nmaps;
  struct ingest_pair *sets; /* --set field=value */
  size_t nsets;
  struct ingest_label *labels; /* --values field:Label=value */
  size_t nlabels;
  int create_missing;  /* create unknown checkpoints, sources, actors */
  const char *rejects; /* --skip-invalid: where rejected rows go */
  size_t max_errors;   /* errors handed to the sink, 0 meaning 20; later
                          ones are counted (ingest_stats.errors) only */
  size_t max_line;     /* --max-line: bytes in one CSV record or JSON line,
                          0 meaning INGEST_MAX_LINE; at most
                          INGEST_MAX_LINE_LIMIT */
  int allow_future;    /* --allow-future: accept times more than a day
                          after the clock (plans, scenarios) */
  int64_t now;         /* the clock for that rule (seconds since the
                          epoch), 0 meaning the machine's: for tests */

  /* How the file is written (docs/importing.md). Zero is "as usual, or
   * detected, with a note saying what was guessed". */
  const char *sheet; /* a workbook's sheet: its name, or its number
                        from 1; NULL: the first */
  char delimiter;    /* CSV: ',', ';', '\t', '|', ...; 0: detected
                        from the header row */
  enum ingest_decimal decimal;
  char *date_format;        /* DMY, MDY, YMD, serial, or a pattern like
                               "%d.%m.%Y" (ingest_set_date_format) */
  char *encoding;           /* the input's character set for iconv ("latin1",
                               "cp1252", "UTF-16"); NULL: UTF-8, or UTF-16 by
                               its byte-order mark */
  unsigned long header_row; /* the header's row (line) from 1; 0: the first
                               row, or the first after title rows */
  char **missing;           /* cells that mean "missing", besides empty and
                               "-" (any case) */
  size_t nmissing;
  enum ingest_preset preset;
  int only_validated; /* with a preset: rows approved in the tool only */
  struct ingest_where *wheres;
  size_t nwheres;
  /*
   * ingest_files and ingest_buffer: when record_at is set (a UTC time as
   * util_parse_time reads it), an import that added entries ends with an
   * entry of kind import in the same transaction, after them: the inputs'
   * names and SHA-256, options (the mapping options as given, or NULL),
   * record_at, the range of entries it added and the counts; its id is
   * import-N, N its own place in the log.
   */
  const char *record_at;
  const char *options;
};

/*
 * Caps on what an import reads. A CSV record or a JSON line over the line
 * cap stops the reading of its input there: the rest is not read, and
 * the import fails, since the input cannot be checked as a whole (a line
 * that long is a file that is not what it seems, or an endless stream).
 * A CSV field over INGEST_MAX_FIELD bytes is an invalid row.
 */
#define INGEST_MAX_LINE (1u << 20)         /* 1 MiB */
#define INGEST_MAX_LINE_LIMIT (256u << 20) /* what --max-line may ask */
#define INGEST_MAX_FIELD (1u << 16)        /* 64 KiB */

struct ingest_stats {
  uint64_t import_seq; /* the import's own entry (record_at), or UINT64_MAX */
  size_t rows;         /* data rows read */
  size_t added;        /* new entries */
  size_t unchanged;    /* already stored, same content */
  size_t rejected;     /* invalid rows (skipped with --skip-invalid) */
  size_t created; /* checkpoints, sources, actors made by --create-missing */
  size_t errors;  /* invalid rows and other problems of the input, all of
                     them, including those past max_errors */
  size_t skipped; /* data rows left out by --where or --only-validated
                     (counted in rows too) */
};

/* What is wrong, for a client that acts on it (the server's status codes,
 * a form that marks a field). */
enum ingest_error_kind {
  /* About one row (line, row, maybe id and field): */
  INGEST_ERR_FIELD,      /* a field's value is invalid, or the field is not
                            one of the kind's */
  INGEST_ERR_RECORD,     /* the record as a whole: a required field missing,
                            end before start, cells beyond the header */
  INGEST_ERR_REFERENCE,  /* names a checkpoint, source or actor that does
                            not exist (or could not be created) */
  INGEST_ERR_LABEL,      /* a label with no --values mapping */
  INGEST_ERR_SYNTAX,     /* the CSV or JSON cannot be read there */
  INGEST_ERR_CONFLICT,   /* the store holds the id with other content */
  INGEST_ERR_SUPERSEDES, /* supersedes names no record of the kind, or one
                            superseded already */
  /* About the input as a whole: */
  INGEST_ERR_FILE, /* nothing to read: an empty file, no header row, not
                      a workbook, no such sheet, not UTF-8 */
  INGEST_ERR_MAP,  /* a --map (or --where) names a column the file lacks,
                      or no column gives a required field */
  INGEST_ERR_IO,   /* a file cannot be read, the rejects not written */
  INGEST_ERR_STORE /* the store failed: the import ends (ERR_STORE), or
                      is to be tried again (ERR_RETRY) */
};

/*
 * One problem. A row with several problems (two bad cells, say) gives
 * nparts errors in a row, part 0 to nparts - 1, in the order found, all
 * with the same file, line, row and id; a caller that shows one line per
 * row joins their messages with "; ". The strings are valid during the
 * call only.
 */
struct ingest_error {
  enum ingest_error_kind kind;
  const char *file;     /* the input's name; NULL when about no input (the
                           store failed to begin or commit) */
  unsigned long line;   /* where the row starts, from 1; 0 when about the
                           input as a whole or a command line's fields */
  size_t row;           /* the data row, from 1; 0 when not about a row */
  const char *id;       /* the row's record id when known, else NULL */
  const char *field;    /* the field at fault, or NULL */
  const char *expected; /* what the field should hold ("a date"), or NULL */
  const char *got;      /* what it held, as quoted in message (shortened,
                           without the quotes), or NULL */
  const char *message;  /* this problem in words, e.g. "field 'start':
                           expected a date, got '2023-02-30'" */
  size_t part, nparts;
  const char *sheet; /* a workbook's: the sheet's name (line is then its row
                        number); NULL for CSV and JSON Lines */
  const char *cell;  /* in a sheet, the cell of field ("B14"), or NULL */
};

/* What an import says besides errors: notes and its closing summary. */
enum ingest_note_kind {
  INGEST_NOTE_IGNORED_COLUMNS, /* file: subject (the kind) has no field for
                                  these columns; names: the columns */
  INGEST_NOTE_MORE_ERRORS,     /* count errors past max_errors not handed
                                  over */
  INGEST_NOTE_UNKNOWN,         /* references to no existing record; subject:
                                  the kind; names: as written, first seen
                                  first */
  INGEST_NOTE_UNLABELLED,      /* subject: a field; names: its labels that
                                  no --values maps and that are none of the
                                  field's values (categories, ...), counts:
                                  the rows of each; message: what to add */
  INGEST_NOTE_GUESS,           /* file: the input; message: what was guessed
                                  about it (the delimiter, the header row,
                                  the sheet, serial dates), said once, or
                                  what is worth knowing (rows a tool marks
                                  not approved) */
  INGEST_NOTE_HINT,            /* subject: a field; count: its cells that an
                                  option would read (message names it) */
};

struct ingest_note {
  enum ingest_note_kind kind;
  const char *file; /* IGNORED_COLUMNS, GUESS: the input's name; else
                       NULL */
  const char *subject;
  const char *const *names;
  size_t nnames;
  size_t count;         /* MORE_ERRORS, HINT */
  const size_t *counts; /* UNLABELLED: per name, or NULL */
  /* The whole line as the CLI prints it, ending with the section of
   * docs/importing.md to read; NULL for IGNORED_COLUMNS, MORE_ERRORS and
   * UNKNOWN, which the front end words itself. */
  const char *message;
};

struct ingest_progress {
  const char *file;   /* the input being read */
  size_t done, total; /* bytes read of the input's bytes */
  size_t rows;        /* data rows read so far */
  int final;          /* the input has been read to its end */
};

/*
 * Where an import reports. Any callback may be NULL (then that is not
 * reported). They run on the thread that called ingest_files(),
 * ingest_buffer() or ingest_fields(), one at a time, in the order a single
 * thread reading and storing row after row would have said things.
 */
struct ingest_sink {
  void (*error)(void *ctx, const struct ingest_error *e);
  void (*note)(void *ctx, const struct ingest_note *n);
  void (*progress)(void *ctx, const struct ingest_progress *p);
  void *ctx;
};

void ingest_opts_init(struct ingest_opts *o);
void ingest_opts_cleanup(struct ingest_opts *o);

/*
 * Parse the option texts "field=Column,field2=Column 2" (--map, --set) and
 * "field:Label=value,Label2=value2" (--values) into o, checking field names
 * against o->kind. A comma or '=' inside a label is written "\," or "\=".
 * Return OK or ERR_USAGE with a message in err.
 */
int ingest_add_maps(struct ingest_opts *o, const char *spec, struct buf *err);
int ingest_add_sets(struct ingest_opts *o, const char *spec, struct buf *err);
int ingest_add_labels(struct ingest_opts *o, const char *spec, struct buf *err);

/*
 * The dialect options, each checked as it is set: OK, or ERR_USAGE with a
 * message in err naming the option. --missing 'n/a,NA,null' (a list, added
 * to what is there); --where 'Column=value|value2' (repeatable; each must
 * hold; 'Column!=value' keeps the rows whose cell is none of the values);
 * --date-format DMY|MDY|YMD|serial|PATTERN (strftime-style: %d %e
 * %m %b %B %Y %y %H %M %S and literal text); --delimiter ',', ';', 'tab',
 * '|' or any one character but a quote or a line break; --encoding NAME
 * (one iconv knows); --preset kobo|odk.
 */
int ingest_add_missing(struct ingest_opts *o, const char *spec,
                       struct buf *err);
int ingest_add_where(struct ingest_opts *o, const char *spec, struct buf *err);
int ingest_set_date_format(struct ingest_opts *o, const char *spec,
                           struct buf *err);
int ingest_set_delimiter(struct ingest_opts *o, const char *spec,
                         struct buf *err);
int ingest_set_encoding(struct ingest_opts *o, const char *name,
                        struct buf *err);
int ingest_set_preset(struct ingest_opts *o, const char *name, struct buf *err);

/*
 * Imports files ("-" is standard input) into st in one transaction: all or
 * nothing, unless o->rejects is set, in which case valid rows are stored
 * and each invalid row is written to that CSV file with its line and
 * reason. Every row is checked, and each problem goes to sink (which may be
 * NULL). Returns OK, ERR_INVALID (the data was invalid, or a line over the
 * cap stopped the reading; nothing stored), ERR_USAGE (a --map names a
 * column the file lacks, o->max_line over INGEST_MAX_LINE_LIMIT), ERR_IO,
 * ERR_STORE, or ERR_RETRY: the store lost the transaction to another
 * writer (a serialization failure, a lock not granted in time) and nothing
 * was stored; the same import may be run again. A failure of the store
 * ends the import at once, whatever row it met. Memory stays bounded
 * whatever the inputs' size: JSON Lines are read as streams, CSV files and
 * workbooks mapped (standard input is copied to a temporary file first, up
 * to an endless line, so that its rows get the ids the same bytes in a
 * file would). The files are read on a thread of their own while this one
 * stores.
 */
int ingest_files(struct store *st, const struct ingest_opts *o,
                 const struct ingest_sink *sink, const char *const *files,
                 size_t nfiles, struct ingest_stats *stats);

/*
 * Derived ids. A row without an id gets DIGEST-ROW: the first 12 hex digits
 * of its input's SHA-256 and its data row number (a workbook's row
 * DIGEST-sS-ROW, S the sheet's number), so that importing a file again adds
 * nothing. Once imports of that file were withdrawn (passage withdraw: N of
 * them), its rows get DIGEST.G-ROW (DIGEST.G-sS-ROW), G = N + 1, so that
 * the file imported again after a withdrawal (with the options corrected,
 * or as it was) adds its records again, and once only.
 */

/*
 * The same import from len bytes at data (an upload), called name in
 * errors and notes. Ids derived from the content are those the same bytes
 * in a file would get. data stays the caller's and must not change during
 * the call.
 */
int ingest_buffer(struct store *st, const struct ingest_opts *o,
                  const struct ingest_sink *sink, const char *name,
                  const void *data, size_t len, struct ingest_stats *stats);

/*
 * Stores one record given as field names and texts (passage add). Same
 * validation and errors as a one-row file named "command line" (errors
 * have line 0).
 */
int ingest_fields(struct store *st, const struct ingest_opts *o,
                  const struct ingest_sink *sink, const char *const *names,
                  const char *const *values, size_t n,
                  struct ingest_stats *stats);

/*
 * Where an export's bytes go: called with each piece in order. Returns OK
 * to go on; anything else stops the export, which returns it.
 */
typedef int (*ingest_write_fn)(void *ctx, const char *data, size_t len);

/*
 * Writes every record of kind in st, in log order, to write(wctx):
 * INGEST_CSV a header row of field names and a row per record (a flow with
 * several cargo lines a row per line, with the same id); INGEST_HXL the
 * same with a row of HXL hashtags under the header; INGEST_JSONL each
 * record's canonical bytes, exactly as they are hashed in the log, a line
 * each. What is written imports back unchanged. The bytes come in pieces
 * of whole rows, some 64 KiB each (the last smaller). Returns OK;
 * ERR_INVALID when a stored entry cannot be read as its kind, or
 * ERR_STORE, with a message appended to err (the rows before it are
 * written); or what write returned, which stops the export (err
 * untouched).
 */
int ingest_export(struct store *st, enum record_kind kind,
                  enum ingest_format format, ingest_write_fn write, void *wctx,
                  struct buf *err);

/*
 * One page of an export: the records of kind (every kind when kind < 0,
 * JSON Lines only) from entry start on, those keep accepts (keep NULL:
 * all; it sees each record as read back), at most limit of them (0: no
 * limit), written as ingest_export writes them (CSV and HXL with their
 * header rows on every page). *next is the entry the next page starts
 * at, or 0 when no record is left. Returns as ingest_export; ERR_USAGE
 * for CSV or HXL of every kind.
 */
typedef int (*ingest_keep_fn)(void *ctx, const struct record *rec);
int ingest_export_page(struct store *st, int kind, enum ingest_format format,
                       uint64_t start, uint64_t limit, ingest_keep_fn keep,
                       void *kctx, ingest_write_fn write, void *wctx,
                       uint64_t *next, struct buf *err);

#endif
