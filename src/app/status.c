/*
 * What the store holds: the census of its live records (per kind, per
 * source and grade, per checkpoint) and passage status, the page a new
 * user or a monitor reads first.
 */
#include "app/app.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

/* A count under a key, in a list kept in the order keys were first met. */
static double *
tally(struct app__tally *t, const char *key)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->v[i].key, key) == 0)
      return &t->v[i].n;
  t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
  t->v[t->n].key = xstrdup(key);
  t->v[t->n].n = 0;
  return &t->v[t->n++].n;
}

double
app__tally_get(const struct app__tally *t, const char *key)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->v[i].key, key) == 0)
      return t->v[i].n;
  return 0;
}

static void
tally_cleanup(struct app__tally *t)
{
  for (size_t i = 0; i < t->n; i++)
    free(t->v[i].key);
  free(t->v);
  memset(t, 0, sizeof *t);
}

void
app__census_cleanup(struct app__census *c)
{
  if (c == NULL)
    return;
  tally_cleanup(&c->sources);
  tally_cleanup(&c->grades);
  tally_cleanup(&c->checkpoints);
  memset(c, 0, sizeof *c);
}

/* "source\x1fgrade": the key of a source's records of one grade. */
static void
count_source(struct app__census *c, const char *source, const char *grade,
             double n)
{
  char *key = xasprintf("%s\x1f%s", source ? source : "", grade ? grade : "");

  *tally(&c->sources, source ? source : "") += n;
  *tally(&c->grades, key) += n;
  free(key);
}

static int
census_flow_day(void *ctx, const struct flow_row *row)
{
  struct app__census *c = ctx;
  double n = row->m[M_RECORDS];

  /* A row that corrections or withdrawals took back to zero counts no
   * record and covers no day. */
  if (fabs(n) < 1e-9)
    return OK;
  c->kinds[KIND_flow] += n;
  count_source(c, row->dim[DIM_SOURCE][0] ? row->dim[DIM_SOURCE] : NULL,
               row->dim[DIM_GRADE][0] ? row->dim[DIM_GRADE] : NULL, n);
  *tally(&c->checkpoints, row->dim[DIM_CHECKPOINT]) += n;
  if (!c->has_span || row->day < c->first)
    c->first = row->day;
  if (!c->has_span || row->day > c->last)
    c->last = row->day;
  c->has_span = 1;
  return OK;
}

/* A record other than a flow. The records that others name (checkpoints,
 * sources, actors) are no source's account of the corridor, and a
 * withdrawal of an import is no record's: neither is counted as such. */
static int
census_record(void *ctx, const struct record *rec, uint64_t seq)
{
  struct app__census *c = ctx;
  enum record_kind k = rec->kind->kind;
  const char *of = record_get(rec, "kind");

  (void)seq;
  if (k == KIND_withdrawal && of && strcmp(of, "import") == 0)
    return OK;
  c->kinds[k]++;
  if (!record_kind_internal(k) && k != KIND_checkpoint && k != KIND_source &&
      k != KIND_actor)
    count_source(c, record_get(rec, "source"), record_get(rec, "grade"), 1);
  return OK;
}

int
app__census(struct store *st, uint64_t as_of, struct app__census *out)
{
  int rc = OK;

  memset(out, 0, sizeof *out);
  /* Flows from the daily rollups, whose records are spread over days in
   * shares that add up to one a record: proportional to days, not to
   * records. The other kinds are few. */
  rc = store_each_flow_day_as_of(st, INT64_MIN / 2, INT64_MAX / 2, as_of,
                                 census_flow_day, out);
  for (int k = 0; k < KIND_COUNT && rc == OK; k++)
    if (k != KIND_flow)
      rc = store_each_live(st, (enum record_kind)k, as_of, census_record, out);
  out->kinds[KIND_flow] = round(out->kinds[KIND_flow]);
  return rc;
}

/*
 * The size and root of the last checkpoint the signer signed, from its
 * state beside the key (a signed checkpoint note, or its body), when
 * there is one: OK, ERR_NOTFOUND, or ERR_INVALID for a file that is
 * neither. The one place that knows the state's form: integrity-a's signer
 * (not merged yet) writes the signed note it handed out last to
 * KEY.state (its app__state_path), which this reads as it is; once it is
 * merged, status_key takes the path from app__state_path.
 */
static int
signer_state(const char *path, uint64_t *size, struct buf *root)
{
  struct ledger_checkpoint cp;
  struct ledger_note *note = NULL;
  const char *body;
  struct buf text, msg;
  size_t len;
  int rc;

  buf_init(&text);
  buf_init(&msg);
  if (access(path, F_OK) != 0) {
    rc = ERR_NOTFOUND;
    goto out;
  }
  if ((rc = app__read_file(path, LEDGER_NOTE_MAX, &text)) != OK)
    goto out;
  body = text.data ? text.data : "";
  len = text.len;
  if (ledger_note_parse(body, len, &note, &msg) == OK)
    body = ledger_note_text(note, &len);
  memset(&cp, 0, sizeof cp);
  rc = ledger_checkpoint_parse(body, len, &cp, &msg);
  if (rc == OK) {
    *size = cp.size;
    util_base64_encode(root, cp.root, sizeof cp.root);
  } else {
    rc = ERR_INVALID;
  }
  free(cp.origin);
out:
  ledger_note_free(note);
  buf_cleanup(&text);
  buf_cleanup(&msg);
  return rc;
}

/* {"path", "present"} of the signing key, and what it signed last. */
static void
status_key(struct app *app, json_t *o)
{
  char *key = app__key_path(app, NULL);
  char *state = app__state_path(key);
  json_t *k = json_object(), *s = json_null();
  uint64_t size = 0;
  struct buf root;
  int rc;

  buf_init(&root);
  json_object_set_new(k, "path", json_string(key));
  json_object_set_new(k, "present", json_boolean(access(key, F_OK) == 0));
  rc = signer_state(state, &size, &root);
  if (rc == OK) {
    s = json_object();
    json_object_set_new(s, "file", json_string(state));
    json_object_set_new(s, "tree_size", json_integer((json_int_t)size));
    json_object_set_new(s, "root", json_string(root.data));
  } else if (rc == ERR_INVALID) {
    s = json_object();
    json_object_set_new(s, "file", json_string(state));
    json_object_set_new(s, "unreadable", json_true());
  }
  json_object_set_new(o, "key", k);
  json_object_set_new(o, "last_signed", s);
  buf_cleanup(&root);
  free(state);
  free(key);
}

static int
add_checkpoint(void *ctx, const struct record *rec, uint64_t seq)
{
  json_t *cp = json_object();

  (void)seq;
  json_object_set_new(cp, "id", json_string(record_get(rec, "id")));
  json_object_set_new(cp, "name", json_string(record_get(rec, "name")));
  json_array_append_new(ctx, cp);
  return OK;
}

/* Each source: its records and how many of each grade. */
static json_t *
status_sources(struct store *st, const struct app__census *c)
{
  json_t *arr = json_array();
  struct app__names names;

  app__names_load(st, KIND_source, &names);
  for (size_t i = 0; i < c->sources.n; i++) {
    const char *id = c->sources.v[i].key;
    json_t *s = json_object(), *g = json_object();
    size_t len = strlen(id);
    json_object_set_new(s, "id", id[0] ? json_string(id) : json_null());
    json_object_set_new(s, "name",
                        id[0] && app__names_get(&names, id)
                            ? json_string(app__names_get(&names, id))
                            : json_null());
    json_object_set_new(s, "records",
                        json_integer((json_int_t)round(c->sources.v[i].n)));
    for (size_t j = 0; j < c->grades.n; j++) {
      const char *key = c->grades.v[j].key;
      if (strncmp(key, id, len) == 0 && key[len] == '\x1f')
        json_object_set_new(g, key[len + 1] ? key + len + 1 : "none",
                            json_integer((json_int_t)round(c->grades.v[j].n)));
    }
    json_object_set_new(s, "grades", g);
    json_array_append_new(arr, s);
  }
  app__names_cleanup(&names);
  return arr;
}

static json_t *
status_records(const struct app__census *c)
{
  json_t *o = json_object();

  for (int k = 0; k < KIND_COUNT; k++)
    if (!record_kind_internal((enum record_kind)k))
      json_object_set_new(o, record_kind_desc((enum record_kind)k)->name,
                          json_integer((json_int_t)c->kinds[k]));
  return o;
}

/* The imports: how many, how many withdrawn, the latest. */
struct imports {
  struct store *st;
  uint64_t n, withdrawn;
  char *latest;
};

static int
count_import(void *ctx, const struct store_entry *e)
{
  struct imports *im = ctx;
  uint64_t by;

  im->n++;
  if (store_superseded_by(im->st, KIND_import, e->id, &by) == OK)
    im->withdrawn++;
  free(im->latest);
  im->latest = xstrdup(e->id);
  return OK;
}

static int
status_imports(struct store *st, uint64_t as_of, json_t *o)
{
  struct imports im = {st, 0, 0, NULL};
  json_t *j = json_object();
  int rc;

  rc = store_each_entry(st, KIND_import, 0, as_of, count_import, &im);
  json_object_set_new(j, "count", json_integer((json_int_t)im.n));
  json_object_set_new(j, "withdrawn", json_integer((json_int_t)im.withdrawn));
  json_object_set_new(j, "latest",
                      im.latest ? json_string(im.latest) : json_null());
  json_object_set_new(o, "imports", j);
  free(im.latest);
  return rc;
}

static json_t *
status_corridor(const struct corridor *c)
{
  json_t *o = json_object();

  json_object_set_new(o, "name", json_string(c->name));
  json_object_set_new(o, "log", json_string(c->log));
  json_object_set_new(o, "timezone", json_string(c->timezone));
  json_object_set_new(o, "inside",
                      c->inside ? json_string(c->inside) : json_null());
  return o;
}

/* Everything but the key, from one snapshot. */
static int
status_body(struct store *st, uint64_t as_of, json_t *o)
{
  struct app__census c;
  json_t *cps = json_array(), *period = json_null();
  int rc;

  json_object_set_new(o, "tree_size", json_integer((json_int_t)as_of));
  json_object_set_new(o, "corridor", status_corridor(store_corridor(st)));
  rc = store_each_live(st, KIND_checkpoint, as_of, add_checkpoint, cps);
  json_object_set_new(o, "checkpoints", cps);
  if (rc == OK)
    rc = app__census(st, as_of, &c);
  if (rc != OK)
    return rc;
  json_object_set_new(o, "records", status_records(&c));
  json_object_set_new(o, "withdrawn",
                      json_integer((json_int_t)c.kinds[KIND_withdrawal]));
  if (c.has_span) {
    period = json_object();
    json_object_set_new(period, "from", app__day(c.first));
    json_object_set_new(period, "to", app__day(c.last));
  }
  json_object_set_new(o, "flow_period", period);
  json_object_set_new(o, "sources", status_sources(st, &c));
  app__census_cleanup(&c);
  return status_imports(st, as_of, o);
}

static void
keep_name(void *ctx, const char *id, const char *name)
{
  if (name)
    strmap_put(ctx, id, name);
}

void
app__names_load(struct store *st, enum record_kind kind, struct app__names *n)
{
  n->m = strmap_new();
  store_each_name(st, kind, keep_name, n->m);
}

const char *
app__names_get(const struct app__names *n, const char *id)
{
  return strmap_get(n->m, id);
}

void
app__names_cleanup(struct app__names *n)
{
  strmap_free(n->m);
  n->m = NULL;
}

int
app__as_of(struct store *st, uint64_t as_of, uint64_t *out,
           struct app_error *err)
{
  *out = as_of ? as_of : store_size(st);
  if (as_of > store_size(st))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "as-of",
                     "--as-of %llu: the log holds %llu entries",
                     (unsigned long long)as_of,
                     (unsigned long long)store_size(st));
  return OK;
}

int
app_json_write(const json_t *v, struct buf *out)
{
  static const char *const flat[] = {"record", "proof", "*.*", NULL};

  return util_json_write(v, UTIL_JSON_PRETTY, flat, out);
}

int
app_status(struct app *app, uint64_t as_of, json_t **out, struct app_error *err)
{
  struct store *st;
  json_t *o = NULL;
  int rc;

  *out = NULL;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_read_begin(st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  if ((rc = app__as_of(st, as_of, &as_of, err)) != OK) {
    store_read_end(st);
    return rc;
  }
  o = json_object();
  json_object_set_new(o, "db", json_string(app_db(app)));
  rc = status_body(st, as_of, o);
  store_read_end(st);
  if (rc != OK) {
    json_decref(o);
    return app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                     store_errmsg(st));
  }
  status_key(app, o);
  *out = o;
  return OK;
}
