/*
 * ingest: users' files as they are (CSV with an optional HXL hashtag row,
 * JSON Lines) and single records typed on the command line, mapped onto a
 * record kind, validated, and stored in one transaction per import.
 */
#ifndef PASSAGE_INGEST_H
#define PASSAGE_INGEST_H

#include <stdio.h>

#include "record/record.h"
#include "store/store.h"

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
  int jsonl;                /* JSON Lines rather than CSV */
  struct ingest_pair *maps; /* --map field=Column */
  size_t nmaps;
  struct ingest_pair *sets; /* --set field=value */
  size_t nsets;
  struct ingest_label *labels; /* --values field:Label=value */
  size_t nlabels;
  int create_missing;  /* create unknown checkpoints, sources, actors */
  const char *rejects; /* --skip-invalid: where rejected rows go */
  int progress;        /* draw a progress bar on msg */
  size_t max_errors;   /* how many errors to print; 0 means 20 */
  FILE *msg;           /* errors and notes; stderr when NULL */
};

struct ingest_stats {
  size_t rows;      /* data rows read */
  size_t added;     /* new entries */
  size_t unchanged; /* already stored, same content */
  size_t rejected;  /* invalid rows (skipped with --skip-invalid) */
  size_t created;   /* checkpoints, sources, actors made by --create-missing */
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
 * Imports files into st in one transaction: all or nothing, unless
 * o->rejects is set, in which case valid rows are stored and each invalid
 * row is written to that CSV file with its line and reason. Errors go to
 * o->msg as "FILE:LINE: field 'x': expected ..., got '...'". Returns OK,
 * ERR_INVALID (the data was invalid; nothing stored), ERR_USAGE (a --map
 * names a column the file lacks), ERR_IO or ERR_STORE.
 */
int ingest_files(struct store *st, const struct ingest_opts *o,
                 char *const *files, size_t nfiles, struct ingest_stats *stats);

/*
 * Stores one record given as field names and texts (passage add). Same
 * validation and messages as a one-row file named "command line".
 */
int ingest_fields(struct store *st, const struct ingest_opts *o,
                  char *const *names, char *const *values, size_t n,
                  struct ingest_stats *stats);

#endif
