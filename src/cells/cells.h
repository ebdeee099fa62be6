/*
 * cells: reconciled daily cells, the figures of one day at one checkpoint
 * as the analysis defines them (docs/analysis.md), kept by the store beside
 * the entries (issue 13) and read by the analysis instead of the records.
 *
 * Three parts, none of which reads a store:
 *   - the reconciler (reconcile.c): one stream's claims in, its shares,
 *     disputed pieces and day cells out;
 *   - the day builder (build.c): the live flow records and coverage records
 *     of one checkpoint overlapping one local day in, that day's cells out:
 *     every stream (direction, outcome, class; per stage for the pipeline)
 *     reconciled, its shares summed by the records' other dimensions
 *     ("parts"), its disputed pieces with every source's claim, the records
 *     that reach outside the day, and which classes were observed all day;
 *   - the codec (codec.c): a day's cells as bytes, strings as the integer
 *     codes of a dictionary, so that the store keeps one row per day and
 *     checkpoint and the auditor compares them byte for byte.
 *
 * The builder's output depends on the records and the rules only, never on
 * the order of codes or of the caller's memory: the store computing a day
 * at ingest and the analysis computing it again as of an older tree size
 * get the same figures to the last bit, so a published figure is
 * reproduced exactly.
 */
#ifndef PASSAGE_CELLS_H
#define PASSAGE_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* -- A map from tuples of words to dense indexes (tmap.c) -- */

struct tmap;
struct tmap *tmap_new(size_t words);
void tmap_free(struct tmap *m);
/* The index of key, adding it when absent (*added says which; may be
 * NULL). */
size_t tmap_put(struct tmap *m, const uint64_t *key, int *added);
/* 1 and the index when key is there, else 0. */
int tmap_get(const struct tmap *m, const uint64_t *key, size_t *index);
/* Empties m, keeping its memory. */
void tmap_clear(struct tmap *m);
size_t tmap_count(const struct tmap *m);
const uint64_t *tmap_key(const struct tmap *m, size_t index);

/* -- Spans of local seconds, [begin, end) (span.c) -- */

struct cells_span {
  int64_t begin, end;
};
/* Sorts v and merges the spans that overlap or touch, in place; returns
 * how many are left. */
size_t cells_span_merge(struct cells_span *v, size_t n);
/* v minus u, both merged; into out (room for nv + nu); returns the count. */
size_t cells_span_subtract(const struct cells_span *v, size_t nv,
                           const struct cells_span *u, size_t nu,
                           struct cells_span *out);

/* -- The reconciler (reconcile.c) -- */

/* Admiralty grades: < 0 when x is better than y ("A1" best; NULL or ""
 * ungraded, below "F6"). */
int cells_grade_cmp(const char *x, const char *y);

/* One record's claim in a stream: what it gives of one class at one
 * checkpoint, in one direction, of one outcome. */
struct recon_item {
  int64_t begin,
      end; /* local seconds, [begin, end); end <= begin: an instant */
  const char *source; /* interned: one pointer per source */
  const char *grade;  /* "" or NULL when ungraded */
  double value;
};

/* What an item adds to one local day. */
struct recon_share {
  size_t item;
  int64_t day;
  double own;  /* its share of the day: value x overlap / length; an
                * instant's whole value on its day */
  double won;  /* the part of own in pieces its source's claim won */
  int counted; /* its source won some piece of it on the day */
};

/* One source's claim, over a piece or over a day's disputed pieces. */
struct recon_claim {
  const char *source;
  const char *grade; /* the worst grade of the records that make it */
  double value;
  int64_t length; /* the longest of those records, in seconds (instant 0) */
};

/* A disputed piece: its claims, in grade then source id order. */
struct recon_piece {
  int64_t day, begin, end; /* begin == end: an instant no interval covers */
  const char *winner;
  size_t claim, nclaims; /* into recon_out.claims */
};

/* A share that takes part in a disputed piece. */
struct recon_link {
  size_t share, piece;
};

/* A stream's day. */
struct recon_cell {
  int64_t day;
  double value; /* the sum of the day's pieces: their winners' claims */
  int disputed;
  int approximate; /* a share counted comes from an item reaching outside
                    * the day */
  size_t winner, nwinners; /* into winners: whose claims count, by id */
  size_t claim, nclaims;   /* into cell_claims: each source's value over the
                            * day's disputed pieces, in grade then id order */
};

struct recon_out {
  struct recon_share *shares; /* per item, in time order */
  size_t nshares, capshares;
  struct recon_piece *pieces; /* the disputed ones, in time order */
  size_t npieces, cappieces;
  struct recon_claim *claims;
  size_t nclaims, capclaims;
  struct recon_link *links;
  size_t nlinks, caplinks;
  struct recon_cell *cells; /* days with a claim, in order */
  size_t ncells, capcells;
  struct recon_claim *cell_claims;
  size_t ncell_claims, capcell_claims;
  const char **winners;
  size_t nwinners, capwinners;
};

/*
 * Reconciles one stream's items[0..n) over the local days from..to
 * (docs/analysis.md, "Sources are reconciled in time"): the timeline is
 * cut at every interval's start and end and at every local midnight; an
 * instant cuts nothing and falls in the piece that holds it ([a, b)
 * half-open), or, where no interval is, in a piece of its own moment. In
 * each piece each source's claim is the sum of its items' parts (an
 * interval's value x piece / length; an instant's whole value); the best
 * claim counts: better grade, then shorter record, then source id. The
 * piece is disputed when disputable is set and another claim differs from
 * it by more than tolerance x its value. Replaces out's contents (keeping
 * its memory); free with cells_recon_cleanup.
 */
void cells_reconcile(const struct recon_item *items, size_t n, int64_t from,
                     int64_t to, double tolerance, int disputable,
                     struct recon_out *out);
void cells_recon_cleanup(struct recon_out *out);

/* -- A day's cells (build.c, codec.c) -- */

/* A flow's dimensions, in store.h's order of enum flow_dim from
 * DIM_CHECKPOINT (DIM_CHECKPOINT + CD_x is the same dimension). */
enum {
  CD_CHECKPOINT,
  CD_DIRECTION,
  CD_VEHICLE,
  CD_CATEGORY,
  CD_OPERATOR,
  CD_PURPOSE,
  CD_SOURCE,
  CD_GRADE,
  CD_STAGE,
  CD_OUTCOME,
  CD_COUNT
};
/* The classes of a stream, in analysis.h's order of AM_*. */
enum { CM_RECORDS, CM_VEHICLES, CM_PERSONS, CM_TONNES, CM_COUNT };

/* A cargo line in a mass unit. */
struct cells_line {
  const char *category; /* interned */
  double tonnes;
};

/*
 * A live flow record as the builder reads it. Strings are interned by the
 * caller (equal strings are one pointer), "" for a dimension the record
 * has none of; dim[CD_CATEGORY] is its first cargo line's category,
 * whatever the line's unit. lines are its cargo lines in a mass unit.
 */
struct cells_rec {
  uint64_t seq;
  int64_t begin, end; /* local seconds; end <= begin: an instant */
  const char *dim[CD_COUNT];
  int has_persons, has_vehicles;
  double persons, vehicles;
  const struct cells_line *lines;
  size_t nlines;
};

/* A live coverage record of the checkpoint, in local seconds. */
struct cells_cover {
  int64_t begin, end;
  int observed; /* 1: observed; 0: not_observed or denied */
};

/* What of the corridor's rules a day's cells depend on. */
struct cells_rules {
  double tolerance;     /* dispute_tolerance */
  const char *passed;   /* "passed", interned as the records' strings */
  const char *counting; /* the counting stage, interned likewise */
};

/* Stream families: the flow query's streams (outcome passed only at the
 * counting stage, every stage of another outcome in one stream) and the
 * pipeline's (each stage its own stream). One stream may be both. */
enum { CELLS_FLOW = 1, CELLS_STAGE = 2 };

/* What a stream's records of one set of dimensions add to the day. */
struct cells_part {
  const char *dim[CD_COUNT]; /* every dimension of its records; for tonnes
                              * CD_CATEGORY is the line's */
  double own;                /* the sum of their shares of the day */
  double won;     /* the part of own in pieces their sources' claims won */
  int counted;    /* some of it won */
  int linked;     /* some of it is in a disputed piece */
  size_t spread;  /* into cells_day.spreads: its records that reach */
  size_t nspread; /* outside the day, by sequence number */
};

/* A record reaching outside the day. */
struct cells_spread {
  uint64_t seq;
  int64_t begin, end;
  int counted; /* its source won some piece of it on the day */
};

/* A source's claim over a disputed piece. */
struct cells_claim {
  const char *source, *grade;
  double value;
};

/* A disputed piece: its claims (by grade, then source id) and the parts
 * whose records take part in it. */
struct cells_piece {
  size_t claim, nclaims; /* into cells_day.claims */
  size_t link, nlinks;   /* into cells_day.links: part indexes */
};

/* One stream of the day: direction, outcome and class, and the stage when
 * its records have only one. */
struct cells_stream {
  const char *direction, *outcome;
  const char *stage;     /* NULL: its records are of several stages */
  const char *cls;       /* tonnes: the category; else NULL */
  int measure;           /* CM_* */
  int family;            /* CELLS_FLOW | CELLS_STAGE */
  size_t part, nparts;   /* into cells_day.parts, in order of appearance */
  size_t piece, npieces; /* into cells_day.pieces, in time order */
};

/* The cells of one local day at one checkpoint. */
struct cells_day {
  int64_t day;
  const char *checkpoint;
  /* Per direction ([0] "in", [1] any other): bit m set when class m (CM_*)
   * was observed throughout the day: coverage said so, or intervals of
   * records giving the class (any outcome, stage or source) cover it. */
  unsigned observed[2];
  struct cells_stream *streams;
  size_t nstreams, capstreams;
  struct cells_part *parts;
  size_t nparts, capparts;
  struct cells_spread *spreads;
  size_t nspreads, capspreads;
  struct cells_piece *pieces;
  size_t npieces, cappieces;
  struct cells_claim *claims;
  size_t nclaims, capclaims;
  size_t *links;
  size_t nlinks, caplinks;
};

void cells_day_init(struct cells_day *d);
void cells_day_cleanup(struct cells_day *d);
/* Empties d, keeping its memory. */
void cells_day_reset(struct cells_day *d);
/* A copy of d in arrays of its own, each of the size it holds: a day kept
 * for long takes no more memory than it needs, and the decoder's arrays
 * are reused, not grown again, for the next day. */
struct cells_day *cells_day_copy(const struct cells_day *d);
/* 1 when d holds nothing: no stream and nothing observed (a store keeps no
 * row for it). */
int cells_day_empty(const struct cells_day *d);

/* The builder's working memory, reused from day to day. */
struct cells_builder;
struct cells_builder *cells_builder_new(void);
void cells_builder_free(struct cells_builder *b);

/*
 * The cells of local day `day` at checkpoint (interned) from recs[0..n),
 * the live flow records at the checkpoint, in sequence order, and
 * cover[0..ncover), its live coverage records; records and coverage that
 * do not reach the day are skipped. Every stream is reconciled over that
 * day alone. Replaces out's contents.
 */
void cells_build(struct cells_builder *b, int64_t day, const char *checkpoint,
                 const struct cells_rec *recs, size_t n,
                 const struct cells_cover *cover, size_t ncover,
                 const struct cells_rules *rules, struct cells_day *out);

/*
 * Appends d's cells to out as bytes: every string as code(ctx, s), a
 * positive integer (the dictionary's; equal strings equal codes), NULL as
 * 0. The day and checkpoint are not written: they are the row's key.
 */
void cells_encode(const struct cells_day *d,
                  uint32_t (*code)(void *ctx, const char *s), void *ctx,
                  struct buf *out);
/*
 * Reads bytes[0..len) written by cells_encode into d (replacing its
 * contents) as the cells of day at checkpoint (the row's key), each code
 * as text(ctx, code) (NULL for 0). ERR_INVALID when the bytes are not
 * cells or name a code text() does not know (returns NULL for a code
 * other than 0): d is then reset.
 */
int cells_decode(struct cells_day *d, int64_t day, const char *checkpoint,
                 const void *bytes, size_t len,
                 const char *(*text)(void *ctx, uint32_t code), void *ctx);

#endif
