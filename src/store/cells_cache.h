/*
 * What a long-lived writer (the server's) keeps between its transactions
 * so that a commit does not read and parse again every record of the days
 * it touches (issue 13, item 1; issue 15, item 7): per (day, checkpoint)
 * the live flows reaching it as the day builder reads them, and every live
 * coverage record. cells.c says when what is held is true; this file only
 * holds it, within a budget of bytes, dropping the days least recently
 * used first.
 */
#ifndef PASSAGE_STORE_CELLS_CACHE_H
#define PASSAGE_STORE_CELLS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cells/cells.h"

struct cells_cache;

/* A cache of at most bytes (0: none, NULL). */
struct cells_cache *cells_cache_new(size_t bytes);
void cells_cache_free(struct cells_cache *c);
/* Drops everything. */
void cells_cache_clear(struct cells_cache *c);
/* The bytes held (0 for NULL), at most the budget; the held days dropped
 * so far, by a clear or to make room (each to be read again from the
 * store when next built). */
size_t cells_cache_bytes(const struct cells_cache *c);
uint64_t cells_cache_dropped(const struct cells_cache *c);

/* Whether records are held for (day, cp) (cp an interned text). */
int cells_cache_holds(struct cells_cache *c, int64_t day, const char *cp);
/* Calls fn with each record held for (day, cp), in sequence order, its
 * lines pointing into the cache (valid until the next put), until fn
 * returns other than 0; returns fn's last answer (0: none held). */
int cells_cache_each(struct cells_cache *c, int64_t day, const char *cp,
                     int (*fn)(void *ctx, const struct cells_rec *rec),
                     void *ctx);
/* Holds v[idx[0..n)] (and their lines) as (day, cp)'s records, in place
 * of what was held; a day larger than the whole budget is not held. */
void cells_cache_put_day(struct cells_cache *c, int64_t day, const char *cp,
                         const struct cells_rec *v, const size_t *idx,
                         size_t n);

/* The live coverage records held (NULL: none), with their checkpoints. */
const struct cells_cover *cells_cache_cover(const struct cells_cache *c,
                                            const char *const **cp, size_t *n);
void cells_cache_put_cover(struct cells_cache *c,
                           const struct cells_cover *cover,
                           const char *const *cp, size_t n);

#endif
