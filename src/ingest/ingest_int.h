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
  struct handoff *ho;
  const struct input *inputs;
  size_t ninputs;
  const char *file; /* the input being read, for messages */

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

  /* The writing thread's. */
  struct strmap *missing[NREF]; /* unknown references, in order seen */
  struct strmap **unlabelled;   /* per field: labels with no --values */
  int failed;                   /* an invalid row: the import will roll back */
  FILE *rej;
  char *rej_tmp;
  struct record wrec; /* the writer's copy of a record to store */
  struct buf msg;     /* a row's messages joined, for the rejects file */
  size_t fail_row;    /* the row being read when the store failed */
};

/* importer.c */
void ingest__error(struct importer *imp, enum ingest_error_kind kind,
                   const char *file, const char *message);

/* mapping.c */
char **ingest__split(const char *spec, char sep, size_t *n);
char *ingest__trimmed(const char *s);
char *ingest__lower(const char *s);
void ingest__mapping_init(struct importer *imp);
void ingest__mapping_cleanup(struct importer *imp);
/* Parses a --map value against the header: a column name, or a template
 * with {Column}s. Returns OK or ERR_USAGE (no such column). */
int ingest__parse_map(const struct csv_record *header, const char *spec,
                      struct fieldmap *fm);
void ingest__fieldmaps_free(struct fieldmap *fm, size_t n);
int ingest__column_of(const struct csv_record *header, const char *name);
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

/* import_csv.c, import_jsonl.c: read one input. */
int ingest__import_csv(struct importer *imp, const char *data, size_t len);
int ingest__import_jsonl(struct importer *imp, const char *data, size_t len);

#endif
