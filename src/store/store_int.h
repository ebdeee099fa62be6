/* Private to the store module. */
#ifndef PASSAGE_STORE_INT_H
#define PASSAGE_STORE_INT_H

#include "store/store.h"

/*
 * Daily flow rollups accumulated in memory during a transaction and added to
 * the rollup table at commit, so that a bulk import costs one upsert per
 * (day, dimensions) rather than one per record.
 */
struct rollup;

/* The rollup table's dimensions after the day, in key and column order. */
#define ROLLUP_NKEY 10
extern const enum flow_dim rollup_key_dims[ROLLUP_NKEY];

struct rollup *rollup_new(void);
void rollup_free(struct rollup *ru);
void rollup_clear(struct rollup *ru);
/* Adds sign times the record's contributions, spread over its local days. */
void rollup_add_record(struct rollup *ru, const struct record *rec, int sign,
                       record_tz_fn tz);
/* Calls fn for each accumulated row. */
int rollup_each(struct rollup *ru,
                int (*fn)(void *ctx, const struct flow_row *row), void *ctx);
/* The same in the order of the rollup table's key, in which SQLite adds
 * rows fastest: at the end of the table, rather than all over it. */
int rollup_each_sorted(struct rollup *ru,
                       int (*fn)(void *ctx, const struct flow_row *row),
                       void *ctx);
size_t rollup_count(const struct rollup *ru);
/* Adds sign times a row's sums under its key (for comparing rollups). */
void rollup_add_row(struct rollup *ru, const struct flow_row *row, int sign);

/* What store_audit needs of the store's insides. */
struct sqlite3;
struct sqlite3 *store__db(struct store *st);
void store__set_error(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The corridor's UTC offset in seconds at a UTC instant (uses TZ). */
long store__tz_offset(void *ctx, int64_t utc);

#endif
