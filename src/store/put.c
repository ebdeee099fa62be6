/*
 * The store's write path: a record becomes an entry with the next sequence
 * number, its query row, its tree nodes and its rollups, or is found to be
 * there already (the same bytes: unchanged; other bytes: a conflict), or is
 * a correction of an earlier record. The rules are here; the backend only
 * writes and reads back (backend.h).
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

void
store__row_from_record(const struct record *rec, uint64_t seq,
                       const struct corridor *c, struct store_row *row)
{
  const struct kind_desc *k = rec->kind;
  const char *parsed = NULL; /* the time that b and e are the bounds of */
  int64_t b = 0, e = 0;

  row->kind = k->kind;
  row->seq = seq;
  row->ncargo = 0;
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    const struct record_value *v = &rec->v[i];
    struct store_value *sv = &row->v[i];
    memset(sv, 0, sizeof *sv);
    if ((f->flags & (FF_CARGO | FF_INPUT)) || !v->set)
      continue;
    sv->set = 1;
    if (f->type == FT_COUNT || f->type == FT_NUMBER) {
      sv->num = v->num;
      continue;
    }
    sv->text = record_text(rec, v);
    sv->len = v->len;
    if (f->type == FT_TIME) {
      /* An end is most often its start again: parse that once. */
      if (parsed == NULL || strcmp(parsed, sv->text) != 0) {
        parsed = sv->text;
        record_time_bounds(parsed, corridor_tz_offset, (void *)c, &b, &e);
      }
      sv->bounds_set = 1;
      sv->begin = b;
      sv->end = e;
    }
  }
  if (k->kind != KIND_flow)
    return;
  for (size_t i = 0; i < rec->ncargo; i++) {
    const struct cargo_line *cl = &rec->cargo[i];
    struct store_cargo *sc = &row->cargo[i];
    double t = record_cargo_tonnes(rec, i);
    sc->category = record_text(rec, &cl->category);
    sc->quantity_set = cl->quantity.set;
    sc->quantity = cl->quantity.set ? cl->quantity.num : 0;
    sc->unit = record_text(rec, &cl->unit);
    sc->tonnes_set = t >= 0;
    sc->tonnes = t >= 0 ? t : 0;
  }
  row->ncargo = rec->ncargo;
}

int
store__target_kind(const struct record *rec)
{
  const char *k;
  int kind;

  if (rec->kind->kind != KIND_withdrawal)
    return (int)rec->kind->kind;
  k = record_get(rec, "kind");
  kind = k ? record_kind_by_name(k) : -1;
  return kind == KIND_withdrawal ? -1 : kind;
}

static int
emit_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
  struct store *st = ctx;

  return st->be->put_node(st->db, level, index, hash);
}

/* Compares a record's bytes with the entry already stored under its id:
 * the unique index said it is there. */
static int
existing(struct store *st, const struct record *rec, const char *id,
         const char *bytes, size_t len, enum store_put_result *result)
{
  struct store_entry e;
  int rc;

  rc = st->be->get_entry(st->db, rec->kind->kind, id, &e);
  if (rc == ERR_NOTFOUND) {
    store__set_error(st, _("looking up an id: %s '%s' is stored and is not"),
                     rec->kind->name, id);
    return ERR_STORE;
  }
  if (rc != OK)
    return store__tx_error(st, rc);
  if (e.len == len && memcmp(e.bytes, bytes, len) == 0) {
    *result = STORE_UNCHANGED;
    return OK;
  }
  store__set_error(st,
                   _("%s '%s' is already stored (entry %llu) with different "
                     "content; to correct it, add a record with a new id and "
                     "supersedes=%s"),
                   rec->kind->name, id, (unsigned long long)e.seq, id);
  return ERR_CONFLICT;
}

/* The source named in a stored entry's bytes, as a new string ("" when it
 * names none). */
static char *
entry_source(const struct store_entry *e)
{
  json_t *root = json_loadb(e->bytes, e->len, 0, NULL);
  const char *src = json_string_value(json_object_get(root, "source"));
  char *out = xstrdup(src ? src : "");

  json_decref(root);
  return out;
}

/*
 * Only a source corrects its own account. A record that names another
 * source's record in supersedes would replace that source's figure with
 * its own (a party's C3 silently taking the place of the monitors' A1):
 * it is a competing claim, and reconciliation weighs competing claims.
 */
static int
same_source(struct store *st, const struct record *rec, const char *target,
            const struct store_entry *old_e)
{
  const char *mine = record_get(rec, "source");
  char *theirs = entry_source(old_e);
  int rc = OK;

  if (mine == NULL)
    mine = "";
  if (strcmp(mine, theirs) != 0) {
    store__set_error(
        st,
        _("supersedes: %s '%s' is from %s%s%s, this record from "
          "%s%s%s; only a record of the same source may correct "
          "it: another source's account is a competing claim, to "
          "be added without supersedes"),
        rec->kind->name, target, theirs[0] ? "source '" : _("no source"),
        theirs, theirs[0] ? "'" : "", mine[0] ? "source '" : _("no source"),
        mine, mine[0] ? "'" : "");
    rc = ERR_INVALID;
  }
  free(theirs);
  return rc;
}

/*
 * A correction: the superseded record must exist, be of the same source
 * and not be superseded already (corrections form a chain, never a fork).
 * Its flows leave the rollups. A withdrawal supersedes a record of the
 * kind it names.
 */
static int
supersede(struct store *st, const struct record *rec, const char *target,
          uint64_t seq)
{
  const struct store_backend *be = st->be;
  int tk = store__target_kind(rec);
  enum record_kind kind = (enum record_kind)tk;
  const char *name = tk >= 0 ? record_kind_desc(kind)->name : "";
  struct store_entry old_e;
  struct record old;
  struct record_ctx rctx;
  struct buf e;
  uint64_t by = 0;
  int rc;

  if (tk < 0) {
    store__set_error(st, _("kind: a withdrawal names the kind of a record "
                           "other than a withdrawal"));
    return ERR_INVALID;
  }
  rc = be->get_supersede(st->db, kind, target, &by);
  if (rc == OK) {
    store__set_error(st,
                     _("supersedes: %s '%s' is already superseded (by entry "
                       "%llu); supersede the newer record instead"),
                     name, target, (unsigned long long)by);
    return ERR_INVALID;
  }
  if (rc != ERR_NOTFOUND)
    return store__tx_error(st, rc);
  rc = be->get_entry(st->db, kind, target, &old_e);
  if (rc == ERR_NOTFOUND) {
    store__set_error(st, _("supersedes: no %s with id '%s'"), name, target);
    return ERR_INVALID;
  }
  if (rc != OK)
    return store__tx_error(st, rc);
  if ((rc = same_source(st, rec, target, &old_e)) != OK)
    return rc;
  record_init(&old, kind);
  buf_init(&e);
  store__stored_ctx(st, &rctx);
  if (kind == KIND_flow || kind == KIND_coverage)
    rc = record_from_json(&old, kind, &rctx, old_e.bytes, old_e.len, &e);
  buf_cleanup(&e);
  if (rc != OK) {
    record_cleanup(&old);
    store__set_error(st, _("supersedes: the stored %s '%s' cannot be read"),
                     name, target);
    return ERR_STORE;
  }
  rc = be->put_supersede(st->db, kind, target, seq);
  if (rc == OK && kind == KIND_flow)
    rollup_add_record(st->rollup, &old, -1, st->corridor);
  if (rc == OK)
    store__cells_touch(st, &old, old_e.seq, 1); /* its days lose it */
  record_cleanup(&old);
  return store__tx_error(st, rc);
}

/* Writes the correction inside a savepoint, which undoes its entry when
 * the correction is refused. */
static int
put_correction(struct store *st, const struct record *rec, const char *target,
               uint64_t seq)
{
  struct buf keep;
  int rc;

  rc = supersede(st, rec, target, seq);
  if (rc == OK)
    return store__tx_error(st, st->be->release(st->db, 0));
  if (st->tx_failed != OK)
    return rc;
  buf_init(&keep);
  buf_puts(&keep, store_errmsg(st));
  if (st->be->release(st->db, 1) == OK)
    store__set_error(st, "%s", keep.data ? keep.data : "");
  buf_cleanup(&keep);
  return rc;
}

/* Outputs list the corridor's own availability as the checkpoint
 * "corridor" (issue 8, item 4): a checkpoint of that id would be read as
 * the corridor, so none may take it, whoever stores it (the corridor
 * file, an import, add or the server). */
static int
reserved_id(struct store *st, const struct record *rec, const char *id)
{
  if (rec->kind->kind != KIND_checkpoint || strcmp(id, "corridor") != 0)
    return OK;
  store__set_error(st, _("field 'id': 'corridor' is reserved for the corridor "
                         "as a whole (outputs list its own availability under "
                         "that id); give the checkpoint another id"));
  return ERR_INVALID;
}

int
store_put(struct store *st, const struct record *rec, const char *bytes,
          size_t len, enum store_put_result *result)
{
  uint8_t hash[LEDGER_HASH_SIZE];

  ledger_leaf_hash(bytes, len, hash);
  return store_put_hashed(st, rec, bytes, len, hash, result);
}

int
store_put_hashed(struct store *st, const struct record *rec, const char *bytes,
                 size_t len, const uint8_t hash[LEDGER_HASH_SIZE],
                 enum store_put_result *result)
{
  const struct store_backend *be = st->be;
  const char *id = record_get(rec, "id");
  const char *target = record_get(rec, "supersedes");
  struct store_entry e = {st->size, rec->kind->kind, id, bytes, len, hash};
  int rc;

  *result = STORE_ADDED;
  if (!st->in_tx || id == NULL)
    return ERR_USAGE;
  if (st->tx_failed != OK)
    return st->tx_failed;
  if ((rc = reserved_id(st, rec, id)) != OK)
    return rc;
  if ((rc = store__tx_spill(st)) != OK)
    return store__tx_error(st, rc);
  /* Whatever path a record came by: an entry longer than an entry
   * bundle's 16-bit length could never be published as tiles. */
  if (len > LEDGER_ENTRY_MAX) {
    store__set_error(st,
                     _("%s '%s' is %zu bytes as a log entry; an entry holds at "
                       "most %u bytes (the 16-bit length of a tlog-tiles entry "
                       "bundle)"),
                     rec->kind->name, id, len, (unsigned)LEDGER_ENTRY_MAX);
    return ERR_INVALID;
  }
  /* A correction may be refused after its entry is written: only then is a
   * savepoint worth its cost. */
  if (target && (rc = be->savepoint(st->db)) != OK)
    return store__tx_error(st, rc);
  rc = be->put_entry(st->db, &e);
  if (rc != OK) {
    if (target && st->tx_failed == OK && rc != ERR_RETRY)
      be->release(st->db, 0); /* nothing was written */
    if (rc == ERR_EXISTS)
      return existing(st, rec, id, bytes, len, result);
    return store__tx_error(st, rc);
  }
  if (target && (rc = put_correction(st, rec, target, e.seq)) != OK)
    return rc;
  store__row_from_record(rec, e.seq, st->corridor, &st->row);
  if ((rc = be->put_row(st->db, &st->row)) != OK)
    return store__tx_error(st, rc);
  if (st->writer && (rc = be->put_writer(st->db, e.seq, st->writer)) != OK)
    return store__tx_error(st, rc);
  if (rec->kind->kind == KIND_flow)
    rollup_add_record(st->rollup, rec, 1, st->corridor);
  store__cells_touch(st, rec, e.seq, 0);
  rc = ledger_frontier_append(st->frontier, hash, emit_node, st);
  if (rc != OK)
    return store__tx_error(st, rc);
  st->size = e.seq + 1;
  st->tx_bytes += len;
  return OK;
}
