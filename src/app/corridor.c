/*
 * The corridor's rules: the version in force (show, and the rules an
 * export publishes) and a new version (amend). The rules are entries of
 * the log (store_put_corridor); amending appends one, with a checkpoint
 * record for each checkpoint the log has none of yet, in one transaction.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "util/i18n.h"

void
app_corridor_result_cleanup(struct app_corridor_result *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->nadded; i++)
    free(r->added[i]);
  free(r->added);
  memset(r, 0, sizeof *r);
}

int
app_check_corridor_format(const char *text, enum app_corridor_form *form,
                          struct app_error *err)
{
  if (text == NULL || strcmp(text, "ini") == 0)
    *form = APP_CORRIDOR_INI;
  else if (strcmp(text, "json") == 0)
    *form = APP_CORRIDOR_JSON;
  else
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                     "--format: expected ini or json, got '%s'", text);
  return OK;
}

/* Which version is in force at q's size, in one line for people. */
static void
describe(const struct store_corridor_info *in, const struct corridor *c,
         uint64_t size, struct buf *out)
{
  if (in->logged)
    buf_printf(out,
               _("version %u of the rules of %s, entry %llu of the log, in "
                 "force at tree size %llu"),
               in->version, c->log, (unsigned long long)in->seq,
               (unsigned long long)size);
  else
    buf_printf(out,
               _("the rules of %s as this store kept them before they were "
                 "logged (not in the log: 'passage corridor amend FILE' "
                 "publishes them), in force at tree size %llu"),
               c->log, (unsigned long long)size);
}

int
app_corridor_show(struct app *app, const struct app_corridor_query *q,
                  struct buf *out, struct app_corridor_result *res,
                  struct app_error *err)
{
  struct store_corridor_info in;
  const struct corridor *c = NULL;
  enum app_corridor_form form = APP_CORRIDOR_INI; /* set by the check */
  struct store *st;
  struct buf line;
  uint64_t size;
  int rc;

  memset(res, 0, sizeof *res);
  if ((rc = app_check_corridor_format(q->format, &form, err)) != OK)
    return rc;
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  size = q->as_of ? q->as_of : store_size(st);
  if (q->as_of > store_size(st)) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "as-of",
                   "--as-of %llu: the log holds only %llu entries",
                   (unsigned long long)q->as_of,
                   (unsigned long long)store_size(st));
    goto out;
  }
  rc = store_corridor_at(st, size, &c);
  if (rc == OK)
    rc = store_corridor_version(st, size, &in);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
    goto out;
  }
  res->version = in.version;
  res->entry = in.seq;
  res->logged = in.logged;
  res->size = size;
  if (form == APP_CORRIDOR_JSON) {
    /* The entry's bytes, as the log holds them (and `log entries` prints
     * them): canonical, so that a party can hash them. */
    if ((rc = store_corridor_bytes(st, size, out)) != OK) {
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
      goto out;
    }
    buf_putc(out, '\n');
  } else {
    buf_init(&line);
    describe(&in, c, size, &line);
    buf_printf(out, "; %s\n", line.data);
    corridor_to_ini(c, out);
    buf_cleanup(&line);
  }
out:
  app__snapshot_end(app);
  return rc;
}

/* A checkpoint of the corridor as the record init makes of it. */
static int
checkpoint_record(const struct corridor_checkpoint *cp, struct record *r,
                  struct buf *bytes, struct buf *why)
{
  struct app_checkpoint_fields f;
  int rc = OK;

  app__checkpoint_fields(cp, &f);
  for (size_t i = 0; i < f.n && rc == OK; i++) {
    int fi = record_field_index(r->kind, f.names[i]);
    rc = record_set(r, NULL, fi, 0, f.values[i], strlen(f.values[i]), why);
  }
  if (rc == OK)
    rc = record_finish(r, why);
  if (rc == OK)
    record_canonical(r, bytes);
  return rc;
}

/* The corridor's checkpoints that the log has no record of yet, as
 * records appended in the transaction; their ids go to res. */
static int
add_checkpoints(struct store *st, const struct corridor *c,
                struct app_corridor_result *res, struct app_error *err)
{
  enum store_put_result put;
  struct buf bytes, why;
  struct record r;
  int rc = OK;

  buf_init(&bytes);
  buf_init(&why);
  record_init(&r, KIND_checkpoint);
  for (size_t i = 0; i < c->ncheckpoints && rc == OK; i++) {
    const struct corridor_checkpoint *cp = &c->checkpoints[i];
    int has = store_has(st, KIND_checkpoint, cp->id);
    if (has < 0) {
      rc = has;
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
      break;
    }
    if (has)
      continue;
    record_reset(&r);
    buf_reset(&bytes);
    buf_reset(&why);
    rc = checkpoint_record(cp, &r, &bytes, &why);
    if (rc != OK) {
      app__fail(err, rc, APP_ERROR_OPERATION, "corridor", "[checkpoint %s]: %s",
                cp->id, why.data ? why.data : "");
      break;
    }
    rc = store_put(st, &r, bytes.data, bytes.len, &put);
    if (rc != OK) {
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
      break;
    }
    res->added = util_grow(res->added, &res->capadded, res->nadded + 1,
                           sizeof *res->added);
    res->added[res->nadded++] = xstrdup(cp->id);
  }
  record_cleanup(&r);
  buf_cleanup(&bytes);
  buf_cleanup(&why);
  return rc;
}

/* Reads and checks the file before the store is touched. */
static int
load(const char *path, struct corridor **c, struct app_error *err)
{
  struct buf msg;
  int rc;

  buf_init(&msg);
  rc = corridor_load(path, c, &msg);
  if (rc != OK) {
    if (msg.len && msg.data[msg.len - 1] == '\n')
      msg.data[--msg.len] = '\0';
    app__fail(err, rc, rc == ERR_INVALID ? APP_ERROR_INPUT : APP_ERROR_PROGRAM,
              "corridor", "%s", msg.len ? msg.data : util_strerror(rc));
  }
  buf_cleanup(&msg);
  return rc;
}

int
app_corridor_amend(struct app *app, const char *path,
                   struct app_corridor_result *res, struct app_error *err)
{
  struct store_corridor_info in;
  enum store_put_result put;
  struct corridor *c = NULL;
  struct store *st;
  int rc;

  memset(res, 0, sizeof *res);
  if (path == NULL)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "corridor",
                     "amend needs the new corridor FILE");
  if ((rc = load(path, &c, err)) != OK)
    return rc;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  if ((rc = store_begin(st)) != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
    goto out;
  }
  rc = store_put_corridor(st, c, &put);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
  else if (put == STORE_UNCHANGED)
    res->unchanged = 1;
  else
    rc = add_checkpoints(st, c, res, err);
  if (rc != OK) {
    store_rollback(st);
    goto out;
  }
  if ((rc = store_commit(st)) != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
    goto out;
  }
  store_corridor_version(st, store_size(st), &in);
  res->version = in.version;
  res->entry = in.seq;
  res->logged = in.logged;
  res->size = store_size(st);
out:
  if (rc != OK)
    app_corridor_result_cleanup(res);
  corridor_free(c);
  return rc;
}

int
app_corridor_export(struct app *app, const struct app_sink *out,
                    struct app_error *err)
{
  struct app_corridor_query q = {"json", 0};
  struct app_corridor_result res;
  struct buf bytes;
  int rc;

  buf_init(&bytes);
  rc = app_corridor_show(app, &q, &bytes, &res, err);
  if (rc == OK && (rc = out->write(out->ctx, bytes.data, bytes.len)) != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, NULL);
  app_corridor_result_cleanup(&res);
  buf_cleanup(&bytes);
  return rc;
}
