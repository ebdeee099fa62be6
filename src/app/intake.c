/*
 * Intake: records posted by devices, each batch all or nothing, stored by
 * one writer in groups (one transaction and one sync for every batch
 * queued), and never doubled: an id given again with the same bytes is a
 * duplicate that gets its original receipt, with other bytes a conflict.
 * The store's unique index decides both (store_put), never a look-up made
 * before the insert.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

/* One record of a batch: where its packed form and canonical bytes lie in
 * the batch's buffers, and what the store said of it. */
struct item {
  size_t pack_off, pack_len;
  size_t bytes_off, bytes_len;
  size_t id_off; /* in ids, NUL-terminated */
  uint8_t hash[LEDGER_HASH_SIZE];
  enum record_kind kind;
  uint64_t seq;
  int added;
};

struct app_batch {
  char *writer; /* the token's name, or NULL */
  struct item *items;
  size_t n, cap;
  struct buf pack, bytes, ids;
  /* The outcome, once decided. */
  int decided;
  int rc;         /* OK, ERR_CONFLICT, ERR_INVALID, or the store's */
  json_t *errors; /* ERR_CONFLICT, ERR_INVALID */
  struct app_error err;
  uint64_t tree_size;
  size_t accepted, duplicates;
};

static struct app_batch *
batch_new(const struct app_principal *who)
{
  struct app_batch *b = xcalloc(1, sizeof *b);

  b->writer = who && who->name ? xstrdup(who->name) : NULL;
  buf_init(&b->pack);
  buf_init(&b->bytes);
  buf_init(&b->ids);
  return b;
}

void
app_batch_free(struct app_batch *b)
{
  if (b == NULL)
    return;
  free(b->writer);
  free(b->items);
  buf_cleanup(&b->pack);
  buf_cleanup(&b->bytes);
  buf_cleanup(&b->ids);
  json_decref(b->errors);
  app_error_cleanup(&b->err);
  free(b);
}

size_t
app_batch_size(const struct app_batch *b)
{
  return b->n;
}

size_t
app_batch_accepted(const struct app_batch *b)
{
  return b->decided && b->rc == OK ? b->accepted : 0;
}

/* ---- Parsing, on the request's thread ---- */

/* An error of the batch's 422 or 409 answer. */
static void
add_error(json_t *errors, size_t index, const char *id, const char *field,
          const char *expected, const char *got, const char *message)
{
  json_t *e = json_object();

  json_object_set_new(e, "index", json_integer((json_int_t)index));
  json_object_set_new(e, "id", id ? json_string(id) : json_null());
  json_object_set_new(e, "field", field ? json_string(field) : json_null());
  json_object_set_new(e, "expected",
                      expected ? json_string(expected) : json_null());
  json_object_set_new(e, "got", got ? json_string(got) : json_null());
  json_object_set_new(e, "message", json_string(message));
  json_array_append_new(errors, e);
}

/*
 * One problem as the record module words it ("field 'x': expected A, got
 * 'B'"), split into its field, what was expected and what was got: the
 * first ", got " ends what is expected (our words), what follows is the
 * sender's and may hold anything.
 */
static void
add_problem(json_t *errors, size_t index, const char *id, const char *field,
            const char *text)
{
  const char *rest = text, *end, *sep;
  char *name = NULL, *expected = NULL, *got = NULL;
  size_t n;

  if (strncmp(text, "field '", 7) == 0 &&
      (end = strstr(text + 7, "': ")) != NULL) {
    name = xstrndup(text + 7, (size_t)(end - text - 7));
    rest = end + 3;
  }
  if (strncmp(rest, "expected ", 9) == 0 &&
      (sep = strstr(rest + 9, ", got ")) != NULL) {
    expected = xstrndup(rest + 9, (size_t)(sep - rest - 9));
    rest = sep + 6;
    n = strlen(rest);
    got = n >= 2 && rest[0] == '\'' && rest[n - 1] == '\''
              ? xstrndup(rest + 1, n - 2)
              : xstrdup(rest);
  }
  add_error(errors, index, id, field ? field : name, expected, got, text);
  free(name);
  free(expected);
  free(got);
}

struct problem_ctx {
  json_t *errors;
  size_t index;
  const char *id;
};

static void
on_problem(void *ctx, const char *field, const char *text)
{
  struct problem_ctx *p = ctx;

  add_problem(p->errors, p->index, p->id, field, text);
}

/* record_finish's problems, "; " between them (its own wording, with
 * values it validated: none holds "; "). */
static void
add_finish_problems(json_t *errors, size_t index, const char *id,
                    const char *text)
{
  while (text && *text) {
    const char *sep = strstr(text, "; ");
    size_t n = sep ? (size_t)(sep - text) : strlen(text);
    char *one = xstrndup(text, n);
    add_problem(errors, index, id, NULL, one);
    free(one);
    text = sep ? sep + 2 : NULL;
  }
}

int
app__may_write(const struct app_principal *who, const struct record *rec)
{
  const char *cp;

  if (who->checkpoints == NULL)
    return 1;
  if ((cp = record_get(rec, "checkpoint")) == NULL)
    return 0;
  for (size_t i = 0; who->checkpoints[i]; i++)
    if (strcmp(who->checkpoints[i], cp) == 0)
      return 1;
  return 0;
}

/* Keeps rec (valid) in b: packed, its canonical bytes and their hash. */
static void
keep(struct app_batch *b, const struct record *rec)
{
  struct item *it;
  const char *id = record_get(rec, "id");

  b->items = util_grow(b->items, &b->cap, b->n + 1, sizeof *b->items);
  it = &b->items[b->n++];
  memset(it, 0, sizeof *it);
  it->kind = rec->kind->kind;
  it->pack_off = b->pack.len;
  record_pack(rec, &b->pack);
  it->pack_len = b->pack.len - it->pack_off;
  it->bytes_off = b->bytes.len;
  record_canonical(rec, &b->bytes);
  it->bytes_len = b->bytes.len - it->bytes_off;
  ledger_leaf_hash(b->bytes.data + it->bytes_off, it->bytes_len, it->hash);
  it->id_off = b->ids.len;
  buf_append(&b->ids, id, strlen(id) + 1);
}

/*
 * The kind a record names: "record" (the JSON Lines form), or else
 * "kind". An event has a field called kind of its own (incident, ...): it
 * names its record kind with "record".
 */
static int
record_kind_of(json_t *obj, json_t *errors, size_t index, const char *id)
{
  json_t *k = json_object_get(obj, "record");
  int kind;

  if (k == NULL)
    k = json_object_get(obj, "kind");
  kind = json_is_string(k) ? record_kind_by_name(json_string_value(k)) : -1;
  if (kind < 0) {
    char *got = json_is_string(k)
                    ? xstrdup(json_string_value(k))
                    : json_dumps(k ? k : json_null(), JSON_ENCODE_ANY);
    char *msg = xasprintf(_("field 'kind': expected a kind of record (flow, "
                            "status, event, ...), got '%s'"),
                          got);
    add_error(errors, index, id, "kind",
              _("a kind of record (flow, status, "
                "event, ...)"),
              got, msg);
    free(msg);
    free(got);
  }
  return kind;
}

/*
 * Reads record index of the batch: its kind, its fields as the record
 * module validates them, its id. Returns OK (kept in b), ERR_INVALID
 * (problems added to errors) or ERR_DENIED (who may not write it).
 */
static int
parse_one(struct app_batch *b, const struct app_principal *who,
          const struct record_ctx *ctx, json_t *obj, size_t index,
          json_t *errors, struct record *rec, struct app_error *err)
{
  json_t *idv = json_object_get(obj, "id");
  const char *id = json_is_string(idv) ? json_string_value(idv) : NULL;
  struct problem_ctx pc = {errors, index, id};
  struct buf e;
  char *text;
  int kind, rc;

  if ((kind = record_kind_of(obj, errors, index, id)) < 0)
    return ERR_INVALID;
  if (json_object_get(obj, "record") == NULL)
    json_object_del(obj, "kind");
  text = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
  buf_init(&e);
  record_reset(rec);
  rc = record_from_json_problems(rec, kind, ctx, text, strlen(text), &e,
                                 on_problem, &pc);
  free(text);
  if (rc == OK) {
    buf_reset(&e);
    if ((rc = record_finish(rec, &e)) != OK)
      add_finish_problems(errors, index, id, e.data);
  }
  buf_cleanup(&e);
  if (rc != OK)
    return ERR_INVALID;
  if (record_get(rec, "id") == NULL) {
    add_error(errors, index, NULL, "id", _("an id made on the device (a UUID)"),
              NULL,
              _("field 'id': expected an id made on the device (a UUID): "
                "without it a retry could not be told from a new record"));
    return ERR_INVALID;
  }
  if (!app__may_write(who, rec))
    return app__fail(err, ERR_DENIED, APP_ERROR_OPERATION, "checkpoint",
                     "record %zu: this token may write only for checkpoints "
                     "it names, not for '%s'",
                     index,
                     record_get(rec, "checkpoint")
                         ? record_get(rec, "checkpoint")
                         : "(none)");
  keep(b, rec);
  return OK;
}

/* The body's shape: {"records": [...]} and nothing else. */
static int
records_of(const char *body, size_t len, json_t **root, json_t **records,
           struct app_error *err)
{
  json_error_t je;
  const char *key;
  json_t *v;
  int rc;

  /* As JSON from users is read: at most 32 levels, numbers a double
   * holds (1e-400 is not 0). */
  rc = util_json_load(body, len, JSON_REJECT_DUPLICATES, root, &je);
  if (rc != OK)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "body",
                     "the body is %s: %s (line %d, column %d)",
                     rc == ERR_INVALID ? "not JSON" : "refused", je.text,
                     je.line, je.column);
  if (!json_is_object(*root))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "body",
                     "expected an object {\"records\": [...]}");
  json_object_foreach(*root, key, v)
  {
    if (strcmp(key, "records") != 0)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, key,
                       "unknown member '%s': expected only \"records\"", key);
  }
  *records = json_object_get(*root, "records");
  if (!json_is_array(*records))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "records",
                     "expected \"records\": an array of records");
  if (json_array_size(*records) > APP_BATCH_MAX)
    return app__fail(err, ERR_NOMEM, APP_ERROR_REQUEST, "records",
                     "at most %d records in one request, got %zu",
                     APP_BATCH_MAX, json_array_size(*records));
  return OK;
}

int
app_batch_parse(struct app *app, const struct app_principal *who,
                const char *body, size_t len, struct app_batch **out,
                json_t **problems, struct app_error *err)
{
  struct app_batch *b = NULL;
  struct record_ctx ctx = {0};
  int64_t now;
  json_t *root = NULL, *records = NULL, *errors = json_array(), *obj;
  struct record *rec = NULL;
  struct store *st;
  size_t i;
  int rc, bad = 0;

  *out = NULL;
  *problems = NULL;
  if ((rc = app_allow(app, who, APP_ACT_WRITE, NULL, err)) != OK ||
      (rc = records_of(body, len, &root, &records, err)) != OK ||
      (rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  /* As an import validates a row: the corridor's categories and stages,
   * and no time more than a day after the clock (it cannot have been
   * observed yet; the API has no --allow-future). */
  store_record_ctx(st, &ctx);
  now = (int64_t)time(NULL);
  ctx.not_after = now + 86400;
  ctx.utc_offset = corridor_utc_offset(store_corridor(st), now);
  b = batch_new(who);
  rec = xmalloc(sizeof *rec);
  record_init(rec, KIND_flow);
  json_array_foreach(records, i, obj)
  {
    if (!json_is_object(obj)) {
      add_error(errors, i, NULL, NULL, _("an object"), NULL,
                _("expected a record: an object with kind, id and fields"));
      bad = 1;
      continue;
    }
    rc = parse_one(b, who, &ctx, obj, i, errors, rec, err);
    if (rc == ERR_DENIED)
      goto out;
    if (rc != OK)
      bad = 1;
  }
  rc = OK;
  if (bad) {
    *problems = json_pack("{s:O}", "errors", errors);
    rc = app__fail(err, ERR_INVALID, APP_ERROR_INPUT, NULL,
                   "%zu invalid record(s): nothing was stored",
                   json_array_size(errors));
    goto out;
  }
  *out = b;
  b = NULL;
out:
  if (rec)
    record_cleanup(rec);
  free(rec);
  json_decref(root);
  json_decref(errors);
  app_batch_free(b);
  return rc;
}

/* ---- Storing, on the writer's thread ---- */

/* The stored entry of kind and id: its sequence number and leaf hash. */
static int stored(struct store *st, enum record_kind kind, const char *id,
                  uint64_t *seq, uint8_t hash[LEDGER_HASH_SIZE]);

struct one_entry {
  uint8_t *hash;
};

static int
copy_hash(void *ctx, const struct store_entry *e)
{
  struct one_entry *o = ctx;

  if (e->hash)
    memcpy(o->hash, e->hash, LEDGER_HASH_SIZE);
  return OK;
}

/* The stored entry of kind and id: its sequence number and leaf hash. */
static int
stored(struct store *st, enum record_kind kind, const char *id, uint64_t *seq,
       uint8_t hash[LEDGER_HASH_SIZE])
{
  struct one_entry o = {hash};
  int rc;

  memset(hash, 0, LEDGER_HASH_SIZE);
  if ((rc = store_find_entry(st, (int)kind, id, seq)) != OK)
    return rc;
  return store_each_entry(st, (int)kind, *seq, *seq + 1, copy_hash, &o);
}

static json_t *
hash_json(const uint8_t hash[LEDGER_HASH_SIZE])
{
  struct buf b;
  json_t *s;

  buf_init(&b);
  util_base64_encode(&b, hash, LEDGER_HASH_SIZE);
  s = json_string(b.data);
  buf_cleanup(&b);
  return s;
}

/* Whether every reference rec makes names a record the store holds (or
 * that the same transaction wrote before it): *held 0 with an error in
 * errors for each that does not. Returns OK, or the store's failure: a
 * look-up that failed (a connection lost) is no answer, and must not
 * refuse a valid record as if it named nothing
 * (tests/reliability/partition.sh). */
static int
check_refs(struct store *st, const struct record *rec, size_t index,
           json_t *errors, int *held)
{
  struct store_entry e;
  int ok = 1, rc = OK;

  for (size_t fi = 0; fi < rec->kind->nfields; fi++) {
    const struct field_desc *f = &rec->kind->fields[fi];
    const char *v = record_text(rec, &rec->v[fi]);
    if ((f->type != FT_REF && f->type != FT_REFLIST) || v == NULL)
      continue;
    for (const char *p = v; *p && rc == OK;) {
      const char *c = f->type == FT_REFLIST ? strchr(p, ',') : NULL;
      size_t n = c ? (size_t)(c - p) : strlen(p);
      char *one = xstrndup(p, n);
      int r = store_get_entry(st, f->ref, one, &e);
      if (r != OK && r != ERR_NOTFOUND)
        rc = r;
      if (r == ERR_NOTFOUND) {
        const char *kname = record_kind_desc(f->ref)->name;
        char *expected = xasprintf(_("the id of a %s the store holds"), kname);
        char *msg = xasprintf(_("field '%s': expected %s, got '%s'"), f->name,
                              expected, one);
        add_error(errors, index, record_get(rec, "id"), f->name, expected, one,
                  msg);
        free(expected);
        free(msg);
        ok = 0;
      }
      free(one);
      p += n + (c ? 1 : 0);
    }
  }
  *held = ok;
  return rc;
}

/*
 * Puts the items of b into the open transaction. Returns OK when every
 * record was stored or found; ERR_INVALID or ERR_CONFLICT (b->errors
 * filled, every record looked at) when b must be left out; or the
 * store's failure.
 */
static int
put_batch(struct store *st, struct app_batch *b, struct record *rec)
{
  json_t *invalid = json_array(), *conflicts = json_array();
  int rc = OK;

  b->accepted = b->duplicates = 0;
  store_set_writer(st, b->writer);
  for (size_t i = 0; i < b->n && rc == OK; i++) {
    struct item *it = &b->items[i];
    const char *id = b->ids.data + it->id_off;
    enum store_put_result res;
    uint8_t hash[LEDGER_HASH_SIZE];
    if (record_unpack(rec, b->pack.data + it->pack_off, it->pack_len) != OK)
      abort(); /* packed by this batch a moment ago: a bug */
    int held;
    if ((rc = check_refs(st, rec, i, invalid, &held)) != OK)
      break;
    if (!held)
      continue;
    rc = store_put_hashed(st, rec, b->bytes.data + it->bytes_off, it->bytes_len,
                          it->hash, &res);
    if (rc == OK && res == STORE_ADDED) {
      it->seq = store_size(st) - 1;
      it->added = 1;
      b->accepted++;
    } else if (rc == OK) {
      it->added = 0;
      b->duplicates++;
      rc = stored(st, it->kind, id, &it->seq, hash);
    } else if (rc == ERR_CONFLICT) {
      json_t *e = json_object();
      json_object_set_new(e, "index", json_integer((json_int_t)i));
      json_object_set_new(e, "id", json_string(id));
      json_object_set_new(e, "message", json_string(store_errmsg(st)));
      rc = stored(st, it->kind, id, &it->seq, hash);
      json_object_set_new(e, "stored_leaf_hash", hash_json(hash));
      json_array_append_new(conflicts, e);
    } else if (rc == ERR_INVALID) {
      add_error(invalid, i, id, "supersedes", NULL, NULL, store_errmsg(st));
      rc = OK;
    }
  }
  if (rc == OK && json_array_size(invalid) > 0) {
    rc = ERR_INVALID;
    b->errors = json_pack("{s:O}", "errors", invalid);
  } else if (rc == OK && json_array_size(conflicts) > 0) {
    rc = ERR_CONFLICT;
    b->errors = json_pack("{s:O}", "errors", conflicts);
  }
  json_decref(invalid);
  json_decref(conflicts);
  return rc;
}

static void
decide(struct app_batch *b, int rc)
{
  b->decided = 1;
  b->rc = rc;
}

/* Every batch still open shares the store's failure. */
static int
fail_open(struct app_batch *const *batches, size_t n, struct store *st, int rc,
          struct app_error *err)
{
  const char *msg = store_errmsg(st);

  for (size_t i = 0; i < n; i++) {
    if (batches[i]->decided)
      continue;
    decide(batches[i], rc);
    app__fail(&batches[i]->err, rc, APP_ERROR_PROGRAM, NULL, "%s",
              msg[0] ? msg : util_strerror(rc));
  }
  return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s",
                   msg[0] ? msg : util_strerror(rc));
}

/* Announces the ids of every open batch to the store: on a server one
 * look-up for the whole group rather than one per record (store_expect). */
static int
expect_group(struct store *st, struct app_batch *const *batches, size_t n)
{
  enum record_kind *kinds;
  const char **ids;
  size_t total = 0, k = 0;
  int rc;

  for (size_t i = 0; i < n; i++)
    if (!batches[i]->decided)
      total += batches[i]->n;
  if (total == 0)
    return OK;
  kinds = xcalloc(total, sizeof *kinds);
  ids = xcalloc(total, sizeof *ids);
  for (size_t i = 0; i < n; i++) {
    const struct app_batch *b = batches[i];
    for (size_t j = 0; !b->decided && j < b->n; j++) {
      kinds[k] = b->items[j].kind;
      ids[k++] = b->ids.data + b->items[j].id_off;
    }
  }
  rc = store_expect(st, total, kinds, ids);
  free(kinds);
  free(ids);
  return rc;
}

/*
 * One pass: every open batch into one transaction. Returns OK when it
 * committed; ERR_INVALID when a batch was left out (the pass is to be made
 * again without it); or the store's failure (rolled back).
 */
static int
one_pass(struct store *st, struct app_batch *const *batches, size_t n,
         struct record *rec)
{
  int rc, left_out = 0;

  if ((rc = store_begin(st)) != OK)
    return rc;
  if ((rc = expect_group(st, batches, n)) != OK) {
    store_rollback(st);
    return rc;
  }
  for (size_t i = 0; i < n; i++) {
    struct app_batch *b = batches[i];
    if (b->decided)
      continue;
    rc = put_batch(st, b, rec);
    if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
      decide(b, rc);
      left_out = 1;
      continue;
    }
    if (rc != OK) {
      store_rollback(st);
      return rc;
    }
  }
  if (left_out) {
    store_rollback(st);
    return ERR_INVALID;
  }
  if ((rc = store_commit(st)) != OK)
    return rc;
  for (size_t i = 0; i < n; i++)
    if (!batches[i]->decided) {
      decide(batches[i], OK);
      batches[i]->tree_size = store_size(st);
    }
  return OK;
}

int
app_batch_commit(struct app *writer, struct app_batch *const *batches, size_t n,
                 struct app_error *err)
{
  struct record *rec;
  struct store *st;
  int rc, retries = 0;

  if ((rc = app__store(writer, 0, &st, err)) != OK) {
    for (size_t i = 0; i < n; i++)
      if (!batches[i]->decided) {
        decide(batches[i], rc);
        app__fail(&batches[i]->err, rc, APP_ERROR_PROGRAM, NULL, "%s",
                  err->message ? err->message : util_strerror(rc));
      }
    return rc;
  }
  rec = xmalloc(sizeof *rec);
  record_init(rec, KIND_flow);
  /* Each pass leaves out at least one batch or ends: at most n + 1 passes,
   * and three more when the store asks for the transaction again (SQLite:
   * locked by another process past its busy timeout; PostgreSQL: the
   * log's head locked past the lock timeout by another server, a
   * serialization failure, a connection lost and made again). The whole
   * group is replayed, after a pause that grows (0.1, 0.4, 1.6 s): what a
   * lost commit had stored is found again, and answered as duplicates. */
  for (;;) {
    rc = one_pass(st, batches, n, rec);
    if (rc == ERR_INVALID)
      continue;
    if (rc == ERR_RETRY && ++retries <= 3) {
      struct timespec pause = {0, 0};
      pause.tv_nsec = 100000000L << (2 * (retries - 1));
      pause.tv_sec = pause.tv_nsec / 1000000000L;
      pause.tv_nsec %= 1000000000L;
      nanosleep(&pause, NULL);
      continue;
    }
    break;
  }
  store_set_writer(st, NULL);
  if (rc != OK)
    rc = fail_open(batches, n, st, rc, err);
  record_cleanup(rec);
  free(rec);
  return rc;
}

int
app_batch_answer(const struct app_batch *b, json_t **body,
                 struct app_error *err)
{
  json_t *receipts;

  *body = NULL;
  if (!b->decided)
    return app__fail(err, ERR_USAGE, APP_ERROR_PROGRAM, NULL,
                     "the batch was not committed");
  if (b->rc == ERR_CONFLICT || b->rc == ERR_INVALID) {
    *body = json_incref(b->errors);
    return app__fail(err, b->rc, APP_ERROR_INPUT, NULL,
                     b->rc == ERR_CONFLICT
                         ? "an id is stored with other content: nothing "
                           "was stored"
                         : "invalid record(s): nothing was stored");
  }
  if (b->rc != OK)
    return app__fail(err, b->rc, b->err.kind, b->err.field, "%s",
                     b->err.message ? b->err.message : util_strerror(b->rc));
  receipts = json_array();
  for (size_t i = 0; i < b->n; i++) {
    const struct item *it = &b->items[i];
    json_t *r = json_object();
    json_object_set_new(r, "id", json_string(b->ids.data + it->id_off));
    json_object_set_new(r, "seq", json_integer((json_int_t)it->seq));
    json_object_set_new(r, "leaf_hash", hash_json(it->hash));
    json_array_append_new(receipts, r);
  }
  *body = json_pack("{s:I,s:I,s:I,s:o}", "accepted", (json_int_t)b->accepted,
                    "duplicates", (json_int_t)b->duplicates, "tree_size",
                    (json_int_t)b->tree_size, "receipts", receipts);
  return OK;
}
