/*
 * passage show: one record, what became of it (the corrections that
 * superseded it, a withdrawal), the import that brought it, and the proof
 * that its entry is in the tree, from one snapshot.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"

/* The entry at seq, kept as its kind, id and bytes (parsed). */
struct one {
  uint64_t seq;
  int found;
  enum record_kind kind;
  char *id;
  json_t *record;
};

static int
take_one(void *ctx, const struct store_entry *e)
{
  struct one *o = ctx;

  o->found = 1;
  o->seq = e->seq;
  o->kind = e->kind;
  o->id = xstrdup(e->id ? e->id : "");
  o->record = json_loadb(e->bytes, e->len, 0, NULL);
  return OK;
}

static int
entry_at(struct store *st, uint64_t seq, struct one *o)
{
  int rc;

  memset(o, 0, sizeof *o);
  rc = store_each_entry(st, -1, seq, seq + 1, take_one, o);
  if (rc == OK && (!o->found || o->record == NULL))
    rc = ERR_STORE;
  return rc;
}

static void
one_cleanup(struct one *o)
{
  free(o->id);
  json_decref(o->record);
  memset(o, 0, sizeof *o);
}

/* The corrections after the record of kind with this id, oldest first;
 * *state says where the chain ends. */
static int
chain(struct store *st, enum record_kind kind, const char *id, json_t *arr,
      const char **state)
{
  char *cur = xstrdup(id);
  uint64_t by;
  int rc;

  *state = "live";
  while ((rc = store_superseded_by(st, kind, cur, &by)) == OK) {
    struct one o;
    json_t *c = json_object();
    if ((rc = entry_at(st, by, &o)) != OK) {
      json_decref(c);
      break;
    }
    json_object_set_new(c, "entry", json_integer((json_int_t)by));
    json_object_set_new(c, "kind", json_string(record_kind_desc(o.kind)->name));
    json_object_set_new(c, "id", json_string(o.id));
    if (o.kind == KIND_withdrawal)
      json_object_set(c, "reason", json_object_get(o.record, "reason"));
    json_array_append_new(arr, c);
    *state = o.kind == KIND_withdrawal ? "withdrawn" : "corrected";
    free(cur);
    cur = xstrdup(o.id);
    kind = o.kind == KIND_withdrawal ? kind : o.kind;
    one_cleanup(&o);
    if (strcmp(*state, "withdrawn") == 0) {
      rc = ERR_NOTFOUND;
      break;
    }
  }
  free(cur);
  return rc == ERR_NOTFOUND ? OK : rc;
}

/* The import whose range holds entry seq. */
struct finder {
  struct store *st;
  uint64_t seq;
  json_t *found;
};

static int
find_in_import(void *ctx, const struct store_entry *e)
{
  struct finder *f = ctx;
  struct app__import im;
  json_t *o;

  if (app__import_from_entry(f->st, e, &im) != OK)
    return OK; /* the auditor's to name */
  if (f->seq >= im.first && f->seq < im.first + im.entries) {
    o = json_object();
    json_object_set_new(o, "id", json_string(im.id));
    json_object_set_new(o, "entry", json_integer((json_int_t)im.seq));
    json_object_set_new(o, "at", json_string(im.at ? im.at : ""));
    json_object_set_new(o, "files", json_string(im.files ? im.files : ""));
    json_object_set_new(o, "sha256", json_string(im.sha256 ? im.sha256 : ""));
    json_object_set_new(o, "options",
                        im.options ? json_string(im.options) : json_null());
    f->found = o;
  }
  app__import_cleanup(&im);
  /* The first import after the entry is the only one whose range can hold
   * it: an import's range ends at its own entry. */
  return 1;
}

static json_t *
brought_by(struct store *st, uint64_t seq)
{
  struct finder f = {st, seq, NULL};

  /* Its import comes after it in the log. */
  store_each_entry(st, KIND_import, seq + 1, UINT64_MAX, find_in_import, &f);
  return f.found ? f.found : json_null();
}

/* The record's history and import, in o. */
static int
show_body(struct store *st, uint64_t seq, json_t *o)
{
  json_t *corr = json_array();
  const char *state = "live";
  struct one rec;
  int rc;

  if ((rc = entry_at(st, seq, &rec)) != OK) {
    json_decref(corr);
    return rc;
  }
  json_object_set_new(o, "kind", json_string(record_kind_desc(rec.kind)->name));
  json_object_set_new(o, "id", json_string(rec.id));
  json_object_set_new(o, "entry", json_integer((json_int_t)seq));
  json_object_set(o, "record", rec.record);
  rc = chain(st, rec.kind, rec.id, corr, &state);
  json_object_set_new(o, "state", json_string(state));
  json_object_set(o, "supersedes",
                  json_object_get(rec.record, "supersedes")
                      ? json_object_get(rec.record, "supersedes")
                      : json_null());
  json_object_set_new(o, "superseded_by", corr);
  json_object_set_new(o, "import", brought_by(st, seq));
  one_cleanup(&rec);
  return rc;
}

int
app_show(struct app *app, const char *id, const char *kind, json_t **out,
         struct app_error *err)
{
  struct app_inclusion_query pq = {0};
  json_t *o = NULL, *proof = NULL;
  struct store *st;
  uint64_t seq;
  int rc;

  *out = NULL;
  if (id == NULL || id[0] == '\0')
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "id",
                     "which record? give its id");
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_read_begin(st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  if ((rc = app_find_entry(app, kind, id, &seq, err)) != OK)
    goto out;
  o = json_object();
  if ((rc = show_body(st, seq, o)) != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s (run passage verify)",
              store_errmsg(st));
    goto out;
  }
  pq.index = seq;
  pq.has_index = 1;
  if ((rc = app_prove_inclusion(app, &pq, &proof, err)) != OK)
    goto out;
  json_object_set_new(o, "proof", proof);
  *out = o;
  o = NULL;
out:
  store_read_end(st);
  json_decref(o);
  return rc;
}
