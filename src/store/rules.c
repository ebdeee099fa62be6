/*
 * The corridor's rules in the log. Each version of the corridor is an
 * entry of kind STORE_KIND_CORRIDOR whose bytes are the canonical JSON of
 * {"record": "corridor", "version": N, ...corridor_to_json...}, so that
 * whoever holds the log holds the rules every figure was computed with,
 * and recomputes them as of any tree size: the version in force at a size
 * is the latest corridor entry below it. A store made before the rules
 * were logged (schema 5 and before) has its corridor only in meta; that copy is
 * in force until the first corridor entry, and verify says it is not in the
 * log.
 *
 * An amendment may change whatever the log's records do not depend on.
 * What they do depend on is refused: a checkpoint or category that records
 * name cannot be dropped (or renamed, which is a drop and an addition);
 * the log origin cannot change once the log holds records (every signed
 * checkpoint names it); the time zone cannot change once records with
 * times are stored (their local days are fixed in the query tables and
 * rollups).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

/* Meta keys of an older store's corridor copy. */
static const char *const meta_keys[] = {"corridor", "corridor_file",
                                        "corridor_name"};

static struct store_version *
add_version(struct store *st)
{
  struct store_version *v;

  st->versions = util_grow(st->versions, &st->capversions, st->nversions + 1,
                           sizeof *st->versions);
  v = &st->versions[st->nversions++];
  memset(v, 0, sizeof *v);
  return v;
}

void
store__versions_free(struct store *st)
{
  for (size_t i = 0; i < st->nversions; i++) {
    corridor_free(st->versions[i].c);
    free(st->versions[i].categories);
    free(st->versions[i].stages);
  }
  free(st->versions);
  st->versions = NULL;
  st->nversions = st->capversions = 0;
  st->corridor = NULL;
  st->categories = NULL;
  st->stages = NULL;
}

/* The canonical bytes of version n of c, appended to out. */
int
store__corridor_bytes(const struct corridor *c, unsigned n, struct buf *out)
{
  json_t *j = corridor_to_json(c);
  int rc;

  json_object_set_new(j, "record", json_string("corridor"));
  json_object_set_new(j, "version", json_integer((json_int_t)n));
  rc = util_jcs_encode(j, out);
  json_decref(j);
  return rc;
}

int
store__corridor_parse(const char *bytes, size_t len, uint64_t seq,
                      unsigned *version, struct corridor **out, struct buf *err)
{
  json_error_t jerr;
  json_t *j = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &jerr);
  json_t *rec, *ver;
  char name[48];
  int rc;

  *out = NULL;
  *version = 0;
  if (j == NULL) {
    buf_printf(err, _("not JSON: %s"), jerr.text);
    return ERR_INVALID;
  }
  rec = json_object_get(j, "record");
  ver = json_object_get(j, "version");
  if (!json_is_string(rec) || strcmp(json_string_value(rec), "corridor") ||
      !json_is_integer(ver) || json_integer_value(ver) < 1 ||
      json_integer_value(ver) > (json_int_t)UINT32_MAX) {
    buf_puts(err,
             _("expected {\"record\": \"corridor\", \"version\": N, ...}"));
    json_decref(j);
    return ERR_INVALID;
  }
  *version = (unsigned)json_integer_value(ver);
  json_object_del(j, "record");
  json_object_del(j, "version");
  snprintf(name, sizeof name, _("entry %llu"), (unsigned long long)seq);
  rc = corridor_from_json(name, j, out, err);
  json_decref(j);
  if (rc == OK) {
    struct buf again;
    buf_init(&again);
    if (store__corridor_bytes(*out, *version, &again) != OK ||
        again.len != len || memcmp(again.data, bytes, len) != 0) {
      buf_puts(err, _("its bytes are not the canonical form of its rules"));
      corridor_free(*out);
      *out = NULL;
      rc = ERR_INVALID;
    }
    buf_cleanup(&again);
  }
  return rc;
}

int
store_corridor_entry_parse(const char *bytes, size_t len, uint64_t seq,
                           unsigned *version, struct corridor **out,
                           struct buf *err)
{
  return store__corridor_parse(bytes, len, seq, version, out, err);
}

/* Parses version v (from meta or from its entry) if not parsed yet. */
static int
parse_version(struct store *st, struct store_version *v)
{
  struct store_entry e;
  struct buf why;
  unsigned n;
  char id[16];
  int rc;

  if (v->c != NULL)
    return OK;
  buf_init(&why);
  if (v->meta) {
    char *text = NULL, *name = NULL;
    rc = st->be->get_meta(st->db, "corridor", &text);
    if (rc == OK && text[0] == '\0') {
      st->be->get_meta(st->db, "corridor_name", &name);
      v->c = corridor_new_default(name ? name : "corridor");
    } else if (rc == OK) {
      st->be->get_meta(st->db, "corridor_file", &name);
      rc = corridor_parse(name ? name : "corridor", text, strlen(text), &v->c,
                          &why);
      if (rc != OK)
        store__set_error(st, _("the stored corridor file is invalid: %s"),
                         why.data ? why.data : "");
    }
    free(text);
    free(name);
  } else {
    snprintf(id, sizeof id, "%u", v->version);
    rc = st->be->get_entry(st->db, (enum record_kind)STORE_KIND_CORRIDOR, id,
                           &e);
    if (rc == OK)
      rc = store__corridor_parse(e.bytes, e.len, e.seq, &n, &v->c, &why);
    if (rc != OK && rc != ERR_STORE && rc != ERR_RETRY)
      store__set_error(st,
                       _("the corridor of entry %llu cannot be read: %s (run "
                         "'passage verify')"),
                       (unsigned long long)v->seq, why.data ? why.data : "");
    if (rc != OK)
      rc = rc == ERR_RETRY ? rc : ERR_STORE;
  }
  buf_cleanup(&why);
  if (rc != OK)
    return rc;
  v->categories = xcalloc(v->c->ncategories + 1, sizeof(char *));
  for (size_t i = 0; i < v->c->ncategories; i++)
    v->categories[i] = v->c->categories[i].id;
  v->stages = xcalloc(v->c->nstages + 1, sizeof(char *));
  for (size_t i = 0; i < v->c->nstages; i++)
    v->stages[i] = v->c->stages[i];
  return OK;
}

/* Appends the logged versions after the last one known; the latest is
 * parsed and becomes the store's corridor. */
static int
find_versions(struct store *st)
{
  unsigned next = 1;
  struct store_entry e;
  char id[16];
  int rc;

  if (st->nversions > 0)
    next = st->versions[st->nversions - 1].version + 1;
  for (;;) {
    snprintf(id, sizeof id, "%u", next);
    rc = st->be->get_entry(st->db, (enum record_kind)STORE_KIND_CORRIDOR, id,
                           &e);
    if (rc == ERR_NOTFOUND)
      break;
    if (rc != OK)
      return rc;
    add_version(st)->seq = e.seq;
    st->versions[st->nversions - 1].version = next++;
  }
  if (st->nversions == 0)
    return ERR_NOTFOUND;
  rc = parse_version(st, &st->versions[st->nversions - 1]);
  if (rc == OK) {
    st->corridor = st->versions[st->nversions - 1].c;
    st->categories = st->versions[st->nversions - 1].categories;
    st->stages = st->versions[st->nversions - 1].stages;
  }
  return rc;
}

int
store__load_versions(struct store *st)
{
  char *text = NULL;
  int rc;

  store__versions_free(st);
  rc = st->be->get_meta(st->db, "corridor", &text);
  free(text);
  if (rc == OK) {
    struct store_version *v = add_version(st);
    v->meta = 1;
  } else if (rc != ERR_NOTFOUND) {
    return rc;
  }
  rc = find_versions(st);
  if (rc == ERR_NOTFOUND)
    store__set_error(
        st, _("%s is not initialised: run 'passage init --corridor FILE'"),
        st->path);
  return rc;
}

int
store__refresh_versions(struct store *st)
{
  int rc;

  if (st->nversions == 0)
    return store__load_versions(st);
  rc = find_versions(st);
  return rc == ERR_NOTFOUND ? OK : rc;
}

const struct corridor *
store_corridor(const struct store *st)
{
  return st->corridor;
}

const char *const *
store_categories(const struct store *st)
{
  return (const char *const *)st->categories;
}

void
store_record_ctx(const struct store *st, struct record_ctx *ctx)
{
  memset(ctx, 0, sizeof *ctx);
  ctx->categories = (const char *const *)st->categories;
  ctx->stages = (const char *const *)st->stages;
  ctx->counting_stage = st->corridor ? st->corridor->counting_stage : NULL;
}

/* The version in force at tree size size: the latest entry below it, or
 * the meta copy (or, for the empty tree, the first version). */
static struct store_version *
version_at(struct store *st, uint64_t size)
{
  struct store_version *in_force = NULL;

  for (size_t i = 0; i < st->nversions; i++)
    if (st->versions[i].meta || st->versions[i].seq < size)
      in_force = &st->versions[i];
  return in_force ? in_force : st->nversions ? &st->versions[0] : NULL;
}

int
store_corridor_at(struct store *st, uint64_t size, const struct corridor **out)
{
  struct store_version *v = version_at(st, size);
  int rc;

  *out = NULL;
  if (v == NULL) {
    store__set_error(st, _("%s is not initialised"), st->path);
    return ERR_NOTFOUND;
  }
  if ((rc = parse_version(st, v)) != OK)
    return rc;
  *out = v->c;
  return OK;
}

int
store_corridor_version(struct store *st, uint64_t size,
                       struct store_corridor_info *out)
{
  struct store_version *v = version_at(st, size);

  memset(out, 0, sizeof *out);
  if (v == NULL)
    return ERR_NOTFOUND;
  out->version = v->version;
  out->logged = !v->meta;
  out->seq = v->meta ? 0 : v->seq;
  for (size_t i = 0; i < st->nversions; i++)
    if (!st->versions[i].meta) {
      out->first_logged = st->versions[i].seq;
      out->has_logged = 1;
      break;
    }
  return OK;
}

int
store_corridor_bytes(struct store *st, uint64_t size, struct buf *out)
{
  struct store_version *v = version_at(st, size);
  struct store_entry e;
  char id[16];
  int rc;

  if (v == NULL) {
    store__set_error(st, _("%s is not initialised"), st->path);
    return ERR_NOTFOUND;
  }
  if (v->meta) {
    if ((rc = parse_version(st, v)) != OK)
      return rc;
    return store__corridor_bytes(v->c, 0, out);
  }
  snprintf(id, sizeof id, "%u", v->version);
  rc = st->be->get_entry(st->db, (enum record_kind)STORE_KIND_CORRIDOR, id, &e);
  if (rc == ERR_NOTFOUND) {
    store__set_error(st,
                     _("the corridor entry of version %u is gone (run "
                       "'passage verify')"),
                     v->version);
    return ERR_STORE;
  }
  if (rc == OK)
    buf_append(out, e.bytes, e.len);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Appending a version                                                 */

/* Appends an entry that is not a record: its bytes, hash and tree nodes. */
static int
emit_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
  struct store *st = ctx;

  return st->be->put_node(st->db, level, index, hash);
}

static int
put_plain_entry(struct store *st, int kind, const char *id, const char *bytes,
                size_t len)
{
  uint8_t hash[LEDGER_HASH_SIZE];
  struct store_entry e = {st->size, (enum record_kind)kind, id, bytes, len,
                          hash};
  int rc;

  ledger_leaf_hash(bytes, len, hash);
  rc = st->be->put_entry(st->db, &e);
  if (rc == ERR_EXISTS) {
    store__set_error(st, _("entry %s of kind %d is stored already"), id, kind);
    return ERR_STORE;
  }
  if (rc != OK)
    return store__tx_error(st, rc);
  rc = ledger_frontier_append(st->frontier, hash, emit_node, st);
  if (rc != OK)
    return store__tx_error(st, rc);
  st->size = e.seq + 1;
  st->tx_bytes += len;
  return OK;
}

/* How many of the store's entries are corridor versions. */
static uint64_t
logged_versions(const struct store *st)
{
  uint64_t n = 0;

  for (size_t i = 0; i < st->nversions; i++)
    n += !st->versions[i].meta;
  return n;
}

/* One entry whose record names value in a field that refers to a
 * checkpoint (checkpoint set) or a category: OK with *seq and *kind, then
 * for a checkpoint its own record; ERR_NOTFOUND, or a failure. */
static int
first_use(struct store *st, const char *value, int checkpoint, uint64_t *seq,
          enum record_kind *kind)
{
  struct store_entry e;
  int rc;

  for (int k = 0; k < KIND_COUNT; k++) {
    const struct kind_desc *d = record_kind_desc((enum record_kind)k);
    for (size_t fi = 0; fi < d->nfields; fi++) {
      const struct field_desc *f = &d->fields[fi];
      int refers = checkpoint ? (f->type == FT_REF || f->type == FT_REFLIST) &&
                                    f->ref == KIND_checkpoint
                              : f->type == FT_CATEGORY;
      if (!refers || (f->flags & FF_INPUT))
        continue;
      rc = st->be->uses(st->db, (enum record_kind)k, fi, value, seq);
      if (rc != ERR_NOTFOUND) {
        *kind = (enum record_kind)k;
        return rc;
      }
    }
  }
  if (!checkpoint)
    return ERR_NOTFOUND;
  rc = st->be->get_entry(st->db, KIND_checkpoint, value, &e);
  *seq = e.seq;
  *kind = KIND_checkpoint;
  return rc;
}

/* Refuses to drop what records name: checkpoints (checkpoint set) or
 * categories of old that c lacks. */
static int
check_dropped(struct store *st, const struct corridor *old,
              const struct corridor *c, int checkpoint)
{
  size_t n = checkpoint ? old->ncheckpoints : old->ncategories;
  enum record_kind kind = KIND_flow;
  uint64_t seq = 0;
  int rc;

  for (size_t i = 0; i < n; i++) {
    const char *id =
        checkpoint ? old->checkpoints[i].id : old->categories[i].id;
    if (checkpoint ? corridor_find_checkpoint(c, id) != NULL
                   : corridor_find_category(c, id) != NULL)
      continue;
    rc = first_use(st, id, checkpoint, &seq, &kind);
    if (rc == ERR_NOTFOUND)
      continue;
    if (rc != OK)
      return store__tx_error(st, rc);
    if (kind == KIND_checkpoint)
      store__set_error(st,
                       _("the new corridor file drops checkpoint '%s', whose "
                         "record is entry %llu of the log: the log keeps it "
                         "for good, and the analysis counts every checkpoint "
                         "it holds; keep its [checkpoint %s] section (its "
                         "other keys may change). An id cannot be renamed "
                         "either, since it is what records refer to"),
                       id, (unsigned long long)seq, id);
    else
      store__set_error(st,
                       _("the new corridor file drops %s '%s', which records "
                         "name (the first is a %s, entry %llu), and the log "
                         "keeps them for good: keep its [%s %s] section (its "
                         "other keys may change). An id cannot be renamed "
                         "either, since it is what the records refer to"),
                       checkpoint ? "checkpoint" : "category", id,
                       record_kind_desc(kind)->title, (unsigned long long)seq,
                       checkpoint ? "checkpoint" : "category", id);
    return ERR_INVALID;
  }
  return OK;
}

/* Refuses to drop a stage of old's [stages] that a flow names: the
 * pipeline orders a consignment's records by the stages in force, and a
 * stage no longer in it would leave them out. */
static int
check_dropped_stages(struct store *st, const struct corridor *old,
                     const struct corridor *c)
{
  int fi = record_field_index(record_kind_desc(KIND_flow), "stage");
  uint64_t seq = 0;
  int rc;

  for (size_t i = 0; fi >= 0 && i < old->nstages; i++) {
    if (corridor_stage_index(c, old->stages[i]) >= 0)
      continue;
    rc = st->be->uses(st->db, KIND_flow, (size_t)fi, old->stages[i], &seq);
    if (rc == ERR_NOTFOUND)
      continue;
    if (rc != OK)
      return store__tx_error(st, rc);
    store__set_error(st,
                     _("the new corridor file drops the stage '%s' from "
                       "[stages] order, which flows name (the first is entry "
                       "%llu), and the log keeps them for good: keep it in "
                       "the order (others may be added, the counting stage "
                       "may change)"),
                     old->stages[i], (unsigned long long)seq);
    return ERR_INVALID;
  }
  return OK;
}

/* 1 when the store holds a record of a kind with a time field. */
static int
timed_records(struct store *st, int *any)
{
  *any = 0;
  for (int k = 0; k < KIND_COUNT && !*any; k++) {
    const struct kind_desc *d = record_kind_desc((enum record_kind)k);
    uint64_t n = 0;
    int timed = 0, rc;
    for (size_t fi = 0; fi < d->nfields; fi++)
      timed |= d->fields[fi].type == FT_TIME;
    if (!timed)
      continue;
    if ((rc = st->be->count(st->db, STORE_TABLE_ROWS, (enum record_kind)k,
                            &n)) != OK)
      return rc;
    *any = n > 0;
  }
  return OK;
}

/* What an amendment may not change. */
static int
check_amendment(struct store *st, const struct corridor *old,
                const struct corridor *c)
{
  int rc, timed;

  if (strcmp(old->log, c->log) != 0 && st->size > logged_versions(st)) {
    store__set_error(st,
                     _("the log origin cannot change from '%s' to '%s': the "
                       "log holds records already, and every checkpoint "
                       "signed of it names '%s', which parties check "
                       "signatures and proofs against"),
                     old->log, c->log, old->log);
    return ERR_INVALID;
  }
  if (strcmp(old->timezone, c->timezone) != 0) {
    if ((rc = timed_records(st, &timed)) != OK)
      return store__tx_error(st, rc);
    if (timed) {
      store__set_error(st,
                       _("the time zone cannot change from %s to %s once "
                         "records with times are stored: their local days "
                         "were fixed by %s in the query tables and rollups, "
                         "and every published figure would move; start a new "
                         "store for another zone"),
                       old->timezone, c->timezone, old->timezone);
      return ERR_INVALID;
    }
  }
  if ((rc = check_dropped(st, old, c, 1)) != OK ||
      (rc = check_dropped_stages(st, old, c)) != OK)
    return rc;
  return check_dropped(st, old, c, 0);
}

int
store_put_corridor(struct store *st, const struct corridor *c,
                   enum store_put_result *result)
{
  const struct store_version *last =
      st->nversions ? &st->versions[st->nversions - 1] : NULL;
  unsigned version = last ? last->version + 1 : 1;
  struct buf bytes, now;
  char id[16];
  int rc;

  *result = STORE_ADDED;
  if (!st->in_tx)
    return ERR_USAGE;
  if (st->tx_failed != OK)
    return st->tx_failed;
  buf_init(&bytes);
  buf_init(&now);
  if (last != NULL) {
    store__corridor_bytes(st->corridor, last->version, &now);
    store__corridor_bytes(c, last->version, &bytes);
    /* The same rules append nothing, unless they are only in meta: then
     * the amendment is what publishes them. */
    if (!last->meta && bytes.len == now.len &&
        memcmp(bytes.data, now.data, now.len) == 0) {
      *result = STORE_UNCHANGED;
      rc = OK;
      goto out;
    }
    if ((rc = check_amendment(st, st->corridor, c)) != OK)
      goto out;
    buf_reset(&bytes);
  }
  if ((rc = store__corridor_bytes(c, version, &bytes)) != OK) {
    store__set_error(st, _("the corridor cannot be written as JSON"));
    goto out;
  }
  snprintf(id, sizeof id, "%u", version);
  rc = put_plain_entry(st, STORE_KIND_CORRIDOR, id, bytes.data, bytes.len);
  if (rc == OK) {
    st->tx_corridor = 1;
    store__cells_rules(st, c);
  }
out:
  buf_cleanup(&bytes);
  buf_cleanup(&now);
  return rc;
}

int
store__check_meta(struct store *st, const char **key)
{
  char *v = NULL;
  int rc;

  *key = NULL;
  for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++) {
    rc = st->be->get_meta(st->db, meta_keys[i], &v);
    free(v);
    v = NULL;
    if (rc == OK) {
      *key = meta_keys[i];
      return OK;
    }
    if (rc != ERR_NOTFOUND)
      return rc;
  }
  return ERR_NOTFOUND;
}
