/*
 * The SQLite backend's ledger: entries, corrections and the Merkle tree's
 * nodes, all insert-only.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <string.h>

#define HASH_SIZE 32

int
store_sqlite__size(struct store_db *d, uint64_t *size)
{
  sqlite3_stmt *s;
  int rc;

  *size = 0;
  rc = store_sqlite__prepare(d, &d->size,
                             "SELECT coalesce(max(seq) + 1, 0) FROM entry",
                             N_("counting entries"));
  if (rc != OK)
    return rc;
  s = d->size;
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *size = (uint64_t)sqlite3_column_int64(s, 0);
  rc = rc == SQLITE_ROW ? OK : store_sqlite__fail(d, _("counting entries"));
  sqlite3_reset(s);
  return rc;
}

int
store_sqlite__put_entry(struct store_db *d, const struct store_entry *e)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(d, &d->ins_entry, store_sqlite__ins_entry,
                             N_("appending an entry"));
  if (rc != OK)
    return rc;
  s = d->ins_entry;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(e->seq));
  sqlite3_bind_int(s, 2, (int)e->kind);
  sqlite3_bind_text(s, 3, e->id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(s, 4, e->hash, HASH_SIZE, SQLITE_STATIC);
  sqlite3_bind_blob(s, 5, e->bytes, (int)e->len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_DONE)
    return OK;
  /* The (kind, id) index; a taken sequence number is a failure. */
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    return ERR_EXISTS;
  return store_sqlite__fail(d, _("appending an entry"));
}

/* Copies an entry row (seq, kind, id, bytes, hash) into the handle. */
static void
copy_entry(struct store_db *d, sqlite3_stmt *s, struct store_entry *out)
{
  size_t idlen = (size_t)sqlite3_column_bytes(s, 2);
  size_t len = (size_t)sqlite3_column_bytes(s, 3);
  const void *bytes = sqlite3_column_blob(s, 3);
  const void *id = sqlite3_column_text(s, 2);

  buf_reset(&d->entry_copy);
  buf_append(&d->entry_copy, id ? id : "", id ? idlen : 0);
  buf_putc(&d->entry_copy, '\0');
  if (len > 0)
    buf_append(&d->entry_copy, bytes, len);
  out->seq = (uint64_t)sqlite3_column_int64(s, 0);
  out->kind = (enum record_kind)sqlite3_column_int(s, 1);
  out->id = d->entry_copy.data;
  out->bytes = d->entry_copy.data + (id ? idlen : 0) + 1;
  out->len = len;
  out->hash = NULL;
  if (sqlite3_column_bytes(s, 4) == HASH_SIZE) {
    memcpy(d->entry_hash, sqlite3_column_blob(s, 4), HASH_SIZE);
    out->hash = d->entry_hash;
  }
}

int
store_sqlite__get_entry(struct store_db *d, enum record_kind kind,
                        const char *id, struct store_entry *out)
{
  sqlite3_stmt *s;
  int rc;

  memset(out, 0, sizeof *out);
  rc = store_sqlite__prepare(d, &d->get_entry,
                             "SELECT seq, kind, id, bytes, hash FROM entry "
                             "WHERE kind = ? AND id = ?",
                             N_("looking up an id"));
  if (rc != OK)
    return rc;
  s = d->get_entry;
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    copy_entry(d, s, out);
    rc = OK;
  } else if (rc == SQLITE_DONE) {
    rc = ERR_NOTFOUND;
  } else {
    rc = store_sqlite__fail(d, _("looking up an id"));
  }
  sqlite3_reset(s);
  return rc;
}

/* Walks the rows of s (seq, kind, id, bytes, hash), then finalizes it. */
static int
walk(struct store_db *d, sqlite3_stmt *s, const char *what,
     int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  int rc = OK;

  while (rc == OK) {
    int step = sqlite3_step(s);
    struct store_entry e;
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = store_sqlite__fail(d, what);
      break;
    }
    e.seq = (uint64_t)sqlite3_column_int64(s, 0);
    e.kind = (enum record_kind)sqlite3_column_int(s, 1);
    e.id = (const char *)sqlite3_column_text(s, 2);
    e.bytes = sqlite3_column_blob(s, 3);
    e.len = (size_t)sqlite3_column_bytes(s, 3);
    e.hash = sqlite3_column_bytes(s, 4) == HASH_SIZE ? sqlite3_column_blob(s, 4)
                                                     : NULL;
    rc = fn(ctx, &e);
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_entry(struct store_db *d, int kind, uint64_t start,
                         uint64_t end,
                         int (*fn)(void *ctx, const struct store_entry *e),
                         void *ctx)
{
  sqlite3_stmt *s = NULL;
  /* Entries of one kind are read in seq order too, the kind a filter
   * (+kind keeps the planner off the (kind, id) index): through that
   * index the rows come in id order, so SQLite sorted every entry of the
   * kind from start on before handing out the first, in memory, for a
   * page of 100 as for an export (68 ms and tens of MiB of a server
   * worker's heap for one page of the soak's records at 50,000 entries;
   * 691 MB for an export of 1 M). In seq order a reader that stops early
   * (a page) reads only what it hands out and what lies between. */
  const char *sql =
      kind < 0 ? "SELECT seq, kind, id, bytes, hash FROM entry WHERE seq >= ? "
                 "AND seq < ? ORDER BY seq"
               : "SELECT seq, kind, id, bytes, hash FROM entry WHERE seq >= ? "
                 "AND seq < ? AND +kind = ? ORDER BY seq";

  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading entries"));
  sqlite3_bind_int64(s, 1, store_sqlite__i64(start));
  sqlite3_bind_int64(s, 2, store_sqlite__i64(end));
  if (kind >= 0)
    sqlite3_bind_int(s, 3, kind);
  return walk(d, s, _("reading entries"), fn, ctx);
}

int
store_sqlite__each_live(struct store_db *d, enum record_kind kind,
                        uint64_t as_of,
                        int (*fn)(void *ctx, const struct store_entry *e),
                        void *ctx)
{
  sqlite3_stmt *s = NULL;

  /* The supersede table's key is (kind, id): one seek per entry. */
  if (sqlite3_prepare_v2(d->db,
                         "SELECT seq, kind, id, bytes, hash FROM entry e "
                         "WHERE kind = ?1 AND seq < ?2 AND NOT EXISTS "
                         "(SELECT 1 FROM supersede s WHERE s.kind = ?1 AND "
                         "s.id = e.id AND s.by_seq < ?2) ORDER BY seq",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading records"));
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_int64(s, 2, store_sqlite__i64(as_of));
  return walk(d, s, _("reading records"), fn, ctx);
}

int
store_sqlite__each_flow_overlap(struct store_db *d, const char *checkpoint,
                                int64_t from, int64_t to, uint64_t as_of,
                                int (*fn)(void *ctx,
                                          const struct store_entry *e),
                                void *ctx)
{
  sqlite3_stmt *s = NULL;
  /* With a checkpoint, the (checkpoint, start_b) index bounds the scan. */
  const char *sql =
      checkpoint
          ? "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM flow f "
            "JOIN entry e ON e.seq = f.seq WHERE f.checkpoint = ?5 AND "
            "f.start_b < ?1 AND f.end_f >= ?2 AND f.seq < ?3 AND NOT EXISTS "
            "(SELECT 1 FROM supersede s WHERE s.kind = ?4 AND s.id = e.id AND "
            "s.by_seq < ?3) ORDER BY f.seq"
          : "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM flow f "
            "JOIN entry e ON e.seq = f.seq WHERE f.start_b < ?1 AND "
            "f.end_f >= ?2 AND f.seq < ?3 AND NOT EXISTS "
            "(SELECT 1 FROM supersede s WHERE s.kind = ?4 AND s.id = e.id AND "
            "s.by_seq < ?3) ORDER BY f.seq";

  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading flows"));
  sqlite3_bind_int64(s, 1, to);
  sqlite3_bind_int64(s, 2, from);
  sqlite3_bind_int64(s, 3, store_sqlite__i64(as_of));
  sqlite3_bind_int(s, 4, (int)KIND_flow);
  if (checkpoint)
    sqlite3_bind_text(s, 5, checkpoint, -1, SQLITE_STATIC);
  return walk(d, s, _("reading flows"), fn, ctx);
}

int
store_sqlite__leaves(struct store_db *d, uint64_t start, uint64_t n,
                     uint8_t *out)
{
  int rc = store_sqlite__tree_leaves(&d->tree, start, n, out);

  return rc == ERR_STORE ? store_sqlite__fail(d, _("reading leaf hashes")) : rc;
}

int
store_sqlite__put_node(struct store_db *d, unsigned level, uint64_t index,
                       const uint8_t hash[HASH_SIZE])
{
  int rc = store_sqlite__tree_put(&d->tree, level, index, hash);

  return rc == ERR_STORE ? store_sqlite__fail(d, _("writing tree nodes")) : rc;
}

int
store_sqlite__get_node(struct store_db *d, unsigned level, uint64_t index,
                       uint8_t out[HASH_SIZE])
{
  int rc = store_sqlite__tree_node(&d->tree, level, index, out);

  return rc == ERR_STORE ? store_sqlite__fail(d, _("reading tree nodes")) : rc;
}

int
store_sqlite__put_supersede(struct store_db *d, enum record_kind kind,
                            const char *id, uint64_t by_seq)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(
      d, &d->ins_supersede,
      "INSERT INTO supersede(kind, id, by_seq) VALUES(?,?,?)",
      N_("recording a correction"));
  if (rc != OK)
    return rc;
  s = d->ins_supersede;
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, store_sqlite__i64(by_seq));
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? OK
                           : store_sqlite__fail(d, _("recording a correction"));
}

int
store_sqlite__get_supersede(struct store_db *d, enum record_kind kind,
                            const char *id, uint64_t *by_seq)
{
  sqlite3_stmt *s;
  int rc;

  *by_seq = 0;
  rc = store_sqlite__prepare(
      d, &d->get_supersede,
      "SELECT by_seq FROM supersede WHERE kind = ? AND id = ?",
      N_("reading corrections"));
  if (rc != OK)
    return rc;
  s = d->get_supersede;
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *by_seq = (uint64_t)sqlite3_column_int64(s, 0);
    rc = OK;
  } else {
    rc = rc == SQLITE_DONE ? ERR_NOTFOUND
                           : store_sqlite__fail(d, _("reading corrections"));
  }
  sqlite3_reset(s);
  return rc;
}

/* A record's bounds in its query table tb. The parts of each_changed_span's
 * query below: the records of [?1, ?2) with their bounds, and the records
 * they supersede, found by id through entry_id; CROSS JOIN keeps SQLite
 * reading from the range (the planner went through every entry of the
 * kind first, once per row of the range: minutes at 1M). */
#define SPAN_OF(tb) "start_b, coalesce(" tb ".end_f, " tb ".start_f)"

int
store_sqlite__each_changed_span(struct store_db *d, uint64_t from, uint64_t to,
                                int (*fn)(void *ctx, int target, int64_t begin,
                                          int64_t finish),
                                void *ctx)
{
  static const char sql[] = "SELECT 0, " SPAN_OF(
      "flow") " FROM flow WHERE seq >= ?1 AND seq < ?2 "
              "UNION ALL SELECT 0, " SPAN_OF(
                  "coverage") " FROM coverage WHERE seq >= "
                              "?1 AND seq < ?2 "
                              "UNION ALL SELECT 1, t." SPAN_OF(
                                  "t") " FROM flow f CROSS JOIN entry e ON "
                                       "e.kind = ?3 AND e.id = f.supersedes "
                                       "CROSS JOIN flow t ON t.seq = e.seq "
                                       "WHERE f.seq >= ?1 AND f.seq < ?2 AND "
                                       "f.supersedes IS NOT NULL "
                                       "UNION ALL SELECT 1, t." SPAN_OF(
                                           "t") " FROM coverage c CROSS JOIN "
                                                "entry e ON "
                                                "e.kind = ?4 AND e.id = "
                                                "c.supersedes CROSS JOIN "
                                                "coverage t ON t.seq = "
                                                "e.seq "
                                                "WHERE c.seq >= ?1 AND c.seq < "
                                                "?2 AND c.supersedes IS NOT "
                                                "NULL "
                                                "UNION ALL SELECT 1, "
                                                "t." SPAN_OF(
                                                    "t") " FROM withdrawal w "
                                                         "CROSS JOIN "
                                                         "entry e ON e.kind = "
                                                         "?3 AND e.id = "
                                                         "w.supersedes CROSS "
                                                         "JOIN flow t ON "
                                                         "t.seq = e.seq "
                                                         "WHERE w.seq >= ?1 "
                                                         "AND w.seq < ?2 AND "
                                                         "w.kind = 'flow' "
                                                         "UNION ALL SELECT 1, "
                                                         "t." SPAN_OF(
                                                             "t") " FROM "
                                                                  "withdrawal "
                                                                  "w CROSS "
                                                                  "JOIN "
                                                                  "entry e ON "
                                                                  "e.kind = ?4 "
                                                                  "AND e.id = "
                                                                  "w."
                                                                  "supersedes "
                                                                  "CROSS JOIN "
                                                                  "coverage t "
                                                                  "ON t.seq = "
                                                                  "e.seq WHERE "
                                                                  "w.seq >= ?1 "
                                                                  "AND w.seq < "
                                                                  "?2 AND "
                                                                  "w.kind = "
                                                                  "'coverage'";
  sqlite3_stmt *s = NULL;
  int rc = OK;

  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading what changed"));
  sqlite3_bind_int64(s, 1, store_sqlite__i64(from));
  sqlite3_bind_int64(s, 2, store_sqlite__i64(to));
  sqlite3_bind_int(s, 3, (int)KIND_flow);
  sqlite3_bind_int(s, 4, (int)KIND_coverage);
  while (rc == OK) {
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = store_sqlite__fail(d, _("reading what changed"));
      break;
    }
    if (sqlite3_column_type(s, 1) == SQLITE_NULL ||
        sqlite3_column_type(s, 2) == SQLITE_NULL)
      continue; /* a time no day holds */
    rc = fn(ctx, sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1),
            sqlite3_column_int64(s, 2));
  }
  sqlite3_finalize(s);
  return rc;
}
