/*
 * The import's inside, shared by the files of src/ingest and nothing else:
 *
 *   mapping.c      --map / --set / --values, templates, a cell to a field
 *                  (label translation, reference resolution)
 *   import_csv.c   CSV rows (the header, the HXL hashtag row) to records
 *   import_jsonl.c JSON Lines to records
 *   rows.c         the reading thread's side: a row's record held, merged,
 *                  validated and handed over (handoff.h)
 *   writer.c       the writing thread's side: storing, reporting, rejects
 *   importer.c     the entry points, the inputs, the transaction
 *   problems.c     a row's problems, kept apart for the sink
 *   export.c       records back out as CSV, HXL or JSON Lines
 *   csv.c          the CSV reader (csv.h); handoff.c the two threads
 *   dialect.c      CSV as people save it: encodings, delimiters; cells as
 *                  people write them: decimal commas, date orders, serial
 *                  dates, words for missing
 *   teach.c        errors that teach: required fields no column gives,
 *                  labels that match nothing, hints naming the option
 *   book.c         workbooks: the ZIP container, XML streamed through expat
 *   xlsx.c, ods.c  a sheet of an .xlsx or .ods workbook as a table
 *   presets.c      KoboToolbox and ODK Central exports; --where
 */
#ifndef PASSAGE_INGEST_INT_H
#define PASSAGE_INGEST_INT_H

#include <stdio.h>

#include "ingest/csv.h"
#include "ingest/handoff.h"
#include "ingest/ingest.h"
#include "store/store.h"

/* The kinds that records refer to by id, with --create-missing. The lists
 * of names for the summary are numbered: 0 to NREF - 1 the unknown
 * references of each kind, NREF + fi the unmapped labels of field fi. */
enum { REF_CHECKPOINT, REF_SOURCE, REF_ACTOR, NREF };
extern const enum record_kind ingest__ref_kinds[NREF];
/* The index of kind k among them, or -1. */
int ingest__ref_index(enum record_kind k);

/*
 * A table's rows, whatever holds them: CSV, or one sheet of a workbook.
 * import_csv.c reads any table the same way (header, HXL row, mapping).
 */
struct table {
  /* Reads the next row into *rec (valid until the next call): 1, 0 at
   * the end, or ERR_INVALID: the row cannot be read (error and error_line
   * say why) and reading goes on after it, unless fatal is set (then the
   * input cannot be read any further). */
  int (*read)(struct table *t, struct csv_record *rec);
  size_t (*offset)(const struct table *t); /* bytes consumed, for progress */
  void (*free)(struct table *t);
  const char *error;
  unsigned long error_line;
  size_t error_column; /* the cell the error is about, from 1; 0: the row */
  int fatal;
  const char *sheet; /* a workbook's sheet: its name; NULL for CSV */
  int sheet_no;      /* its number in the workbook, from 1 */
  int date1904;      /* the workbook counts serial dates from 1904 */
  size_t total;      /* what offset counts up to; 0: the input's bytes */
  const char *base;  /* the bytes offset counts in, if they are in memory */
};
void ingest__table_free(struct table *t);

/* A CSV table over len bytes at data with fields separated by delim, its
 * records at most max_record bytes (a longer one ends the table: fatal). */
struct table *ingest__csv_table(const char *data, size_t len, char delim,
                                size_t max_record);

/* Problems an option of the dialect would fix, for one summary line each
 * (teach.c). */
enum hint {
  HINT_DECIMAL_COMMA, /* "12,5", "1.234,5": --decimal-comma */
  HINT_COMMA_UNKNOWN, /* "1,234" under ';' or tab: --decimal-comma or
                         --decimal-point */
  HINT_MISSING,       /* "n/a", "NA", "null" where a value goes: --missing */
  HINT_DATE_ORDER,    /* "12/01/2023": --date-format DMY or MDY */
  NHINT
};
/* Evidence a date order hint carries: a value that can only be DMY, or
 * only MDY. */
enum { SEEN_DMY = 1, SEEN_MDY = 2 };

/* A date format from --date-format, compiled. */
struct datefmt {
  int order;     /* 0, or 'D' (DMY), 'M' (MDY), 'Y' (YMD) */
  int serial;    /* Excel serial numbers */
  char *pattern; /* strftime-style, or NULL */
};

/* Names counted in the order first met (labels and their rows). */
struct tally {
  struct strmap *index; /* name -> its position, in decimal */
  size_t *count;
  size_t cap;
};
void ingest__tally_add(struct tally *t, const char *name);
void ingest__tally_free(struct tally *t);

/* One problem of a row, as the sink will get it (struct ingest_error).
 * Strings are owned; field, expected and got may be NULL. */
struct problem {
  enum ingest_error_kind kind;
  char *field, *expected, *got, *message;
};

/* The problems of the row being read. */
struct problems {
  struct problem *v;
  size_t n, cap;
};

void ingest__problems_init(struct problems *p);
void ingest__problems_reset(struct problems *p);
void ingest__problems_cleanup(struct problems *p);
/* Adds a problem; message is its whole text, copied like the rest. */
void ingest__problem_add(struct problems *p, enum ingest_error_kind kind,
                         const char *field, const char *expected,
                         const char *got, const char *message);
/*
 * Adds the problem "field 'F': TEXT" (or TEXT alone when field is NULL),
 * taking expected and got from TEXT when it reads "expected X, got Y", as
 * the record module words a bad value.
 */
void ingest__problem_text(struct problems *p, enum ingest_error_kind kind,
                          const char *field, const char *text);
/*
 * Adds a problem worded by the record module: message is "field 'F': TEXT"
 * or TEXT, with expected and got taken from TEXT as above. field, when
 * known, is F; otherwise F is read from the message.
 */
void ingest__problem_said(struct problems *p, enum ingest_error_kind kind,
                          const char *field, const char *message);
/* Adds each problem of a record_finish() text ("field 'x': ...; ..."). */
void ingest__problems_finish(struct problems *p, const char *text);
/* Appends the problems' messages joined by "; ", as one line shows them. */
void ingest__problems_join(const struct problem *v, size_t n, struct buf *out);
/* Appends the problems to out as bytes that ingest__problems_unpack reads
 * back (for the hand-over). */
void ingest__problems_pack(const struct problems *p, struct buf *out);
/* Reads n problems packed at data into v (n of them, allocated by the
 * caller); the strings point into data. */
void ingest__problems_unpack(const char *data, size_t n,
                             struct ingest_error *v);

/* A mapped field: a column, or a template of literal text and columns. */
struct part {
  int column; /* -1 for literal text */
  char *text;
};

struct fieldmap {
  struct part *parts;
  size_t nparts;
};

/* One input: a file to load, or bytes in memory. */
struct input {
  const char *name; /* for messages */
  const char *path; /* a file to read ("-": standard input), or NULL */
  const char *data; /* otherwise the bytes */
  size_t len;
};

/* source.c: an input's bytes, in memory or read as a stream. */
struct source {
  const char *data; /* bytes in memory, or NULL for a stream */
  size_t len;
  int fd;          /* a stream's file (a copy of a pipe); -1 in memory */
  size_t total;    /* the input's bytes in all, for progress */
  size_t left;     /* of a stream's, not read yet */
  size_t max_line; /* the line cap, up to which a pipe is copied */
  int lf_only;     /* lines end at LF only (JSON Lines), else CR or LF */
  char sha256[65]; /* the content's SHA-256 in hex (the import's record) */
};

/*
 * Opens an input: bytes in memory as they are; a file, standard input or
 * a pipe to be read with ingest__source_read(), its content hashed first
 * (a pipe copied to a temporary file on the way, up to an endless line).
 * Returns OK or ERR_IO with errno set.
 */
int ingest__source_open(struct source *src, const struct input *in,
                        size_t max_line, int lf_only);
/* A csv_read_fn over an opened stream (ctx is the source). */
long ingest__source_read(void *ctx, char *buf, size_t cap);
void ingest__source_close(struct source *src);
/* The SHA-256 of n bytes at data in hex into out. */
void ingest__digest(const char *data, size_t n, char out[65]);

/*
 * An import runs on two threads (see handoff.h). The reading thread owns
 * the parsing state; the writing thread, through the items it is handed,
 * owns the store, the sink, the rejects file, the statistics and the lists
 * of unknown names. The reading thread touches those only after
 * handoff_drain(), when the writer has caught up and waits.
 */
struct importer {
  struct store *st;
  const struct ingest_opts *o;
  struct ingest_sink sink;
  struct ingest_stats *stats;
  const struct kind_desc *kind;
  size_t max_line; /* o->max_line, or INGEST_MAX_LINE */
  struct handoff *ho;
  const struct input *inputs;
  size_t ninputs;
  const char *file; /* the input being read, for messages */
  /* The input being read, set by the reader while the writer waits (each
   * input begins with the writer caught up), read by the writer. */
  char *sheet;            /* a workbook's sheet (a copy), or NULL */
  int sheet_no;           /* its number, for derived ids */
  int *field_col;         /* per field: the column it reads first, or -1 */
  struct datefmt datefmt; /* --date-format, compiled */

  /* The reading thread's. */
  struct record_ctx ctx;
  struct strmap *ids[NREF];   /* known ids */
  struct strmap *names[NREF]; /* lower-case name -> id */
  struct strmap *labels;      /* "field\x1flabel" -> value */
  char *labelled;             /* per field: 1 when it has --values */
  char digest[32];            /* the input's content hash, for derived ids,
                                and its generation (ingest.h) */
  struct strmap *withdrawn;   /* SHA-256 -> imports withdrawn, read-only */
  struct buf shas;            /* each input's SHA-256 in hex, a line each */
  uint64_t first;             /* the log's size when the import began */
  size_t row;                 /* data row number within the input, from 1 */
  unsigned long line;         /* where the row being read starts */
  int header_sent;            /* the rejects file has its header row */
  /* A flow row with an explicit id is held until the next row shows
   * whether it continues the record with another cargo line. */
  struct record recs[2];
  struct record *cur, *pending;
  unsigned long pending_line;
  struct buf raw[2], *cur_raw, *pending_raw;
  struct problems prob;  /* the row being read */
  struct problems fprob; /* the held record's, when it is validated */
  struct buf err;
  int late_progress; /* the last input's final progress is still due */
  struct ingest_progress late;
  /* The dialect of the input being read (dialect.c). */
  char delim;             /* its CSV delimiter */
  int date1904;           /* its serial dates count from 1904 */
  unsigned *said;         /* per field: guesses said once (SAID_*) */
  size_t skipped;         /* rows left out by --where, --only-validated */
  size_t unapproved;      /* rows a preset's tool marks not approved */
  struct preset_cols *pc; /* the preset's and --where's columns */
  /* The input's file as mapped (import_one), for ingest__release_read. */
  const char *map;
  size_t map_len;

  /* The writing thread's. */
  struct strmap *missing[NREF]; /* unknown references, in order seen */
  struct tally *unlabelled;     /* per field: labels matching nothing */
  struct hint_tally *hints;     /* [hint * nfields + field] */
  size_t shown;                 /* errors counted against max_errors */
  int failed;                   /* an invalid row: the import will roll back */
  int denied; /* a record opts.admit refused (the reader's side) */
  FILE *rej;  /* rej_file.f while a rejects file is open */
  struct util_file rej_file; /* written atomically (util_file_open) */
  struct record wrec;        /* the writer's copy of a record to store */
  struct buf msg;            /* a row's messages joined, for the rejects file */
  size_t fail_row;           /* the row being read when the store failed */
};

/* A hint's tally, the writer's. */
struct hint_tally {
  size_t count;
  char *example;        /* the first cell */
  struct strmap *words; /* HINT_MISSING: the distinct cells */
  unsigned long line;
  unsigned flags; /* SEEN_* */
};

/* Guesses said once per field and input (importer.said). */
enum { SAID_SERIAL = 1, SAID_DOTTED = 2 };

/* importer.c */
/* The whole pages of the mapped input within [from, upto), which the
 * reader has passed, given back (nothing outside it), so that a file read
 * through is not held in the process's memory whole (madvise
 * MADV_DONTNEED: read again from the file, should anything look back). */
void ingest__release_read(struct importer *imp, const char *from,
                          const char *upto);
void ingest__error(struct importer *imp, enum ingest_error_kind kind,
                   const char *file, const char *message);

/* mapping.c */
char **ingest__split(const char *spec, char sep, size_t *n);
char *ingest__trimmed(const char *s);
char *ingest__lower(const char *s);
void ingest__mapping_init(struct importer *imp);
void ingest__mapping_cleanup(struct importer *imp);
/* Parses a --map value against the header: a column name, an HXL hashtag
 * of the file's hashtag row (tags, or NULL), or a template with
 * {Column}s. Returns OK or ERR_USAGE (no such column). */
int ingest__parse_map(const struct importer *imp,
                      const struct csv_record *header,
                      const struct csv_record *tags, const char *spec,
                      struct fieldmap *fm);
void ingest__fieldmaps_free(struct fieldmap *fm, size_t n);
int ingest__column_of(const struct csv_record *header, const char *name);
/* The same, also matching a header "group/name" by its last part when the
 * preset's tool writes groups so (presets.c). */
int ingest__column_named(const struct importer *imp,
                         const struct csv_record *header, const char *name);
/* An HXL hashtag in one spelling (case, spaces, order of attributes). */
char *ingest__hxl_normal(const char *tag);
/*
 * Sets field fi of rec from a cell's text: translates a publisher's label
 * (--values, when translate), resolves references (creating them with
 * --create-missing), then lets the record module parse the value. A
 * problem is added to imp->prob. Returns OK or ERR_INVALID.
 */
int ingest__apply(struct importer *imp, struct record *rec, int fi, size_t line,
                  const char *text, int translate);
/* Applies the --set constants. */
int ingest__apply_sets(struct importer *imp, struct record *rec);

/* rows.c: the reading thread's side. Each returns OK, or the writer's
 * error: then stop reading. */
int ingest__take_row(struct importer *imp, unsigned long line);
int ingest__flush(struct importer *imp);
int ingest__send_reject(struct importer *imp, unsigned long line,
                        const struct buf *raw);
int ingest__send_error(struct importer *imp, enum ingest_error_kind kind,
                       unsigned long line, const char *field,
                       const char *message);
int ingest__send_note(struct importer *imp, int list, const char *name);
int ingest__send_created(struct importer *imp, const struct record *rec);
int ingest__send_ignored(struct importer *imp, const char *const *names,
                         size_t n);
int ingest__send_header(struct importer *imp, const char *row);
int ingest__send_progress(struct importer *imp, size_t done, size_t total);
/* A guess about the input, said as a note (INGEST_NOTE_GUESS). */
int ingest__send_guess(struct importer *imp, const char *message);
/* A cell an option would read (enum hint) of field fi; flags SEEN_*. */
int ingest__send_hint(struct importer *imp, enum hint h, int fi,
                      const char *cell, unsigned flags);
/* Ends an input: flushes the held record (when rc is OK), waits for the
 * writer and reports the final progress. Returns rc or the writer's error. */
int ingest__end_input(struct importer *imp, int rc, size_t len);

/* writer.c: the writing thread's side. */
int ingest__consume(void *ctx, const struct batch *b);
int ingest__open_rejects(struct importer *imp);
int ingest__close_rejects(struct importer *imp, int keep);
/* Hands the n parts of one problem to the sink: counted against
 * max_errors unless counted is 0. */
void ingest__deliver(struct importer *imp, struct ingest_error *parts, size_t n,
                     int counted);
/* The summary at the end: errors past the cap, unknown names. */
void ingest__summarise(struct importer *imp);

/* import_csv.c, import_jsonl.c, book.c: read one input. A CSV file or a
 * workbook is read whole (mapped: a pipe's copy too, see source.c); JSON
 * Lines as a stream. */
int ingest__import_csv(struct importer *imp, const char *data, size_t len);
int ingest__import_jsonl(struct importer *imp, struct source *src);
int ingest__import_book(struct importer *imp, const char *data, size_t len);
/* Says that a line over the cap stopped the reading of the input
 * (an error that fails the import). */
int ingest__send_too_long(struct importer *imp, unsigned long line,
                          const char *what);
/* Reads the rows of table t (of an input of len bytes) into records. */
int ingest__import_table(struct importer *imp, struct table *t, size_t len);

/* dialect.c */
void ingest__dialect_init(struct importer *imp);
void ingest__dialect_cleanup(struct importer *imp);
/* 1 when the n bytes at s are a word for missing (--missing). */
int ingest__is_missing(const struct importer *imp, const char *s, size_t n);
/* The CSV text of an input as UTF-8: the bytes themselves, or transcoded
 * (--encoding, a UTF-16 byte-order mark) into memory that *release frees
 * (call ingest__text_release). Returns OK, or ERR_INVALID after telling
 * the sink (not UTF-8, an encoding iconv cannot read). */
struct text {
  const char *data;
  size_t len;
  void *map; /* a transcoded copy, mapped; NULL when data is the input */
  size_t maplen;
};
int ingest__csv_text(struct importer *imp, const char *data, size_t len,
                     struct text *out);
void ingest__text_release(struct text *t);
/* The delimiter of the first row of n bytes at s: ',', ';', '\t' or '|'. */
char ingest__detect_delimiter(const char *s, size_t n);
/*
 * A cell for field f (a time or a number) as the record module reads it:
 * rewritten into out by the dialect (--date-format, --decimal-comma, a
 * serial date) and returned, or NULL when the text is to be read as it is.
 * A guess is said here (once); a cell an option would read is hinted.
 */
const char *ingest__cell_time(struct importer *imp, int fi, const char *s,
                              size_t n, struct buf *out);
const char *ingest__cell_number(struct importer *imp, int fi, const char *s,
                                size_t n, struct buf *out, int *refuse);
/* (ingest__cell_number sets *refuse to 1 for a comma of unknown role, 2
 * for a number that is not written with a decimal comma under
 * --decimal-comma.) */
/* After the record module refused cell s of field fi: hints the option
 * that would read it, if any. */
void ingest__cell_refused(struct importer *imp, int fi, const char *s,
                          size_t n);
/* A serial date (days since 1899-12-30, or 1904-01-01) as ISO text into
 * out (at least 32 bytes): with its time of day when the serial has one or
 * with_time is set, without when date_only. OK or ERR_INVALID. */
int ingest__serial_date(double serial, int date1904, int with_time,
                        int date_only, char *out, size_t size);
/* "A".."XFD" for column index c (from 0) into out (at least 8 bytes). */
void ingest__column_letters(size_t c, char *out);

/* teach.c */
/* OK, or ERR_USAGE after telling the sink which required fields no column
 * gives, the file's columns, and the --map or --set that would. first is
 * the first data row (or NULL), for guessing a date column. */
int ingest__check_required(struct importer *imp,
                           const struct csv_record *header,
                           const struct fieldmap *fm, const int *used,
                           const struct csv_record *first);
/* "--map key=value" (or --where) naming column, which the file lacks: the
 * columns there are, one spelt nearly so. */
void ingest__no_column(struct importer *imp, const char *option,
                       const char *key, const char *value, const char *column,
                       const struct csv_record *header);
/* The summary lines of labels and hints (writer.c's summary). */
void ingest__summarise_labels(struct importer *imp);
void ingest__summarise_hints(struct importer *imp);

/* presets.c */
struct preset_cols;
/* Finds the preset's and --where's columns in the header, marks them used.
 * OK, or ERR_USAGE after telling the sink (--where names no column). */
int ingest__preset_header(struct importer *imp, const struct csv_record *header,
                          int *used, struct fieldmap *fm);
/* Says when a form's start and end columns map to a flow's by name. */
void ingest__preset_mapped(struct importer *imp,
                           const struct csv_record *header,
                           const struct fieldmap *fm);
/* 0 when --where or --only-validated leaves row r out. */
int ingest__preset_keep(struct importer *imp, const struct csv_record *r);
/* What the preset adds to a row's record: its id from the submission's
 * uuid, the submission time in the note. */
void ingest__preset_row(struct importer *imp, struct record *rec,
                        const struct csv_record *r);
/* Notes at the end of an input (rows not approved but imported). */
int ingest__preset_end(struct importer *imp);
void ingest__preset_free(struct importer *imp);

#endif
