/*
 * Workbooks, private to ingest: a ZIP archive of XML entries (book.c), an
 * entry parsed by expat as it is inflated and suspended where a handler
 * says (after each row of a sheet), and the readers that make one sheet
 * of an .xlsx (xlsx.c) or .ods (ods.c) a table.
 */
#ifndef PASSAGE_INGEST_BOOK_H
#define PASSAGE_INGEST_BOOK_H

#include <expat.h>

#include "ingest/ingest_int.h"

/* Caps, so that no workbook can make memory grow without bound. */
#define BOOK_MAX_SHARED (64u << 20)  /* bytes of an .xlsx's shared strings */
#define BOOK_MAX_STRINGS (4u << 20)  /* how many of them */
#define BOOK_MAX_CELL CSV_MAX_RECORD /* bytes of one cell, and of a row */
#define BOOK_MAX_REPEAT 100000u      /* an .ods row repeated, when not empty */

struct archive;

/* The ZIP archive of len bytes at data (kept by the caller while in use):
 * OK, or ERR_INVALID with why in err. */
int ingest__archive_open(const char *data, size_t len, struct archive **out,
                         struct buf *err);
/* An archive of n entries in memory: names[i] holds lens[i] bytes at
 * datas[i]; all borrowed. */
struct archive *ingest__archive_mem(size_t n, const char **names,
                                    const char **datas, const size_t *lens);
void ingest__archive_free(struct archive *a);
/* 1 when the archive holds an entry of that name (any case). */
int ingest__archive_has(struct archive *a, const char *name);

/* An entry parsed as it is read. */
struct xml_in;
/* Opens entry name for parsing with these handlers (user data ud); NULL
 * when there is no such entry. */
struct xml_in *ingest__xml_open(struct archive *a, const char *name, void *ud,
                                XML_StartElementHandler start,
                                XML_EndElementHandler end,
                                XML_CharacterDataHandler text);
/* Parses on until a handler calls ingest__xml_suspend (1), the entry ends
 * (0), or it cannot go on (ERR_INVALID broken XML or a handler's
 * ingest__xml_abort, ERR_IO a damaged archive, ERR_NOMEM; the text in
 * ingest__xml_error). */
int ingest__xml_run(struct xml_in *x);
void ingest__xml_suspend(struct xml_in *x);
void ingest__xml_abort(struct xml_in *x);
const char *ingest__xml_error(const struct xml_in *x);
/* Bytes of the entry read so far, and in all (0 when not known). */
size_t ingest__xml_read(const struct xml_in *x);
size_t ingest__xml_size(const struct xml_in *x);
void ingest__xml_free(struct xml_in *x);
/* The whole entry at once (a small one): OK, ERR_NOTFOUND, or the error
 * of ingest__xml_run with the entry's name and why in err. */
int ingest__xml_parse_all(struct archive *a, const char *name, void *ud,
                          XML_StartElementHandler start,
                          XML_EndElementHandler end,
                          XML_CharacterDataHandler text, struct buf *err);
/* An element's or attribute's name without its namespace prefix. */
const char *ingest__xml_local(const char *name);
/* The value of the attribute whose local name is local, or NULL. */
const char *ingest__xml_attr(const char **atts, const char *local);

/* The sheets of a workbook, in order. */
struct book_sheets {
  char **names;
  size_t n;
  size_t chosen;
};
void ingest__book_sheets_add(struct book_sheets *bs, const char *name);
void ingest__book_sheets_free(struct book_sheets *bs);
/* The sheet want names (its name, in any case, or its number from 1;
 * NULL: the first): its index, or -1 with why in err. */
long ingest__book_pick(const struct book_sheets *bs, const char *want,
                       struct buf *err);

/*
 * Opens the sheet want (as ingest__book_pick) of the workbook in a as a
 * table (*out, for ingest__table_free), with the workbook's sheets in bs.
 * OK, or ERR_INVALID with why in err (not a workbook, no such sheet, the
 * workbook's parts broken).
 */
int ingest__open_sheet(struct archive *a, const char *want, struct table **out,
                       struct book_sheets *bs, struct buf *err);
int ingest__xlsx_open(struct archive *a, const char *want, struct table **out,
                      struct book_sheets *bs, struct buf *err);
int ingest__ods_open(struct archive *a, const char *want, struct table **out,
                     struct book_sheets *bs, struct buf *err);

/* A row of a sheet being built, cell by cell. */
struct sheet_row {
  struct buf arena;  /* each cell's text and a NUL */
  size_t *off, *len; /* per column: where its text is; len 0 when empty */
  size_t ncols, cap; /* columns used, room */
  char **field;      /* handed out as a csv_record */
  int bad;           /* the row broke a cap: why in error */
  char error[96];
};
void ingest__row_reset(struct sheet_row *r);
/* Puts n bytes of text at column c (from 0); a cap broken marks the row
 * bad. */
void ingest__row_put(struct sheet_row *r, size_t c, const char *text, size_t n);
/* The row as a csv_record (valid until the next reset). */
void ingest__row_record(struct sheet_row *r, struct csv_record *rec,
                        unsigned long line);
void ingest__row_cleanup(struct sheet_row *r);
/* A number's text as we write numbers ("0.28" for 0.28000000000000003). */
void ingest__number_text(const char *v, struct buf *out);

#endif
