/*
 * migrate: a store's schema brought to this build's version (and a
 * server's role given its privileges), or a store copied into a new one,
 * SQLite to PostgreSQL or back, entry by entry through the store's own
 * rules (store_copy), and the copy proved: the source verified before,
 * the copy after, the same size and root, and the same sitrep of the
 * whole history, byte for byte, in every format compared.
 */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

/* The formats of the sitrep compared: the published form and every
 * figure to its last digit. */
static const char *const sitrep_formats[] = {"md", "json"};

int
app_migrate_schema(struct app *app, const char *const *roles, size_t nroles,
                   struct app_migrate_result *out, struct app_error *err)
{
  struct store *st;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rc = app__store(app, 1, &st, err)) != OK)
    return rc;
  for (size_t i = 0; i < nroles; i++)
    if ((rc = store_grant(st, roles[i])) != OK)
      return app__fail(
          err, rc, rc == ERR_USAGE ? APP_ERROR_OPERATION : APP_ERROR_PROGRAM,
          "grant", "%s", store_errmsg(st));
  out->version = STORE_SCHEMA_VERSION;
  out->backend = store_backend_name(st);
  out->entries = store_size(st);
  return OK;
}

/* Audits st, naming it (the source, the copy) in what went wrong. */
static int
audit(struct store *st, const char *which, const char *where,
      struct app_error *err)
{
  uint64_t bad;

  if (store_audit(st, &bad, NULL, NULL) == OK)
    return OK;
  return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                   "%s (%s) does not verify: %s", which, where,
                   store_errmsg(st));
}

/* The same size and root on both sides; the root in out. */
static int
same_root(struct store *src, struct store *dst, struct app_migrate_result *out,
          struct app_error *err)
{
  uint8_t a[LEDGER_HASH_SIZE], b[LEDGER_HASH_SIZE];
  struct ledger_source ls, ld;

  store_ledger_source(src, &ls);
  store_ledger_source(dst, &ld);
  if (store_size(src) != store_size(dst))
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                     "the copy holds %llu entries, the source %llu",
                     (unsigned long long)store_size(dst),
                     (unsigned long long)store_size(src));
  if (ledger_root(&ls, store_size(src), a) != OK ||
      ledger_root(&ld, store_size(dst), b) != OK)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                     "the tree's root cannot be computed");
  if (memcmp(a, b, sizeof a) != 0)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                     "the copy's root differs from the source's");
  {
    struct buf text;
    buf_init(&text);
    util_base64_encode(&text, a, sizeof a);
    snprintf(out->root, sizeof out->root, "%s", text.data);
    buf_cleanup(&text);
  }
  out->entries = store_size(src);
  return OK;
}

/* The sitrep of every day with flows, from both sides, byte for byte. */
static int
same_sitreps(struct app *src, struct app *dst, struct store *st,
             struct app_migrate_result *out, struct app_error *err)
{
  struct app_sitrep_query q = {0};
  struct buf a, b;
  int rc = OK;

  if (store_flow_day_span(st, &q.from, &q.to) != OK)
    return OK; /* no flows, no sitrep to compare */
  q.has_from = q.has_to = 1;
  out->from = q.from;
  out->to = q.to;
  buf_init(&a);
  buf_init(&b);
  for (size_t i = 0; i < sizeof sitrep_formats / sizeof *sitrep_formats; i++) {
    q.format = sitrep_formats[i];
    buf_reset(&a);
    buf_reset(&b);
    if ((rc = app_report_sitrep(src, &q, &a, err)) != OK ||
        (rc = app_report_sitrep(dst, &q, &b, err)) != OK)
      break;
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
      rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                     "the copy's sitrep (%s) differs from the source's",
                     sitrep_formats[i]);
      break;
    }
    out->sitreps++;
  }
  buf_cleanup(&a);
  buf_cleanup(&b);
  return rc;
}

int
app_migrate_copy(const char *from, const char *to,
                 void (*progress)(void *ctx, uint64_t done), void *ctx,
                 struct app_migrate_result *out, struct app_error *err)
{
  struct app *src = app_new(from), *dst = app_new(to);
  struct store *s = NULL, *d = NULL;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rc = app__store(src, 0, &s, err)) != OK ||
      (rc = audit(s, _("the source"), from, err)) != OK)
    goto out;
  if ((rc = app__store(dst, 1, &d, err)) != OK)
    goto out;
  if ((rc = store_copy(s, d, progress, ctx)) != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(d));
    goto out;
  }
  out->backend = store_backend_name(d);
  out->version = STORE_SCHEMA_VERSION;
  if ((rc = audit(d, _("the copy"), to, err)) != OK ||
      (rc = same_root(s, d, out, err)) != OK ||
      (rc = same_sitreps(src, dst, s, out, err)) != OK)
    goto out;
out:
  app_free(src);
  app_free(dst);
  return rc;
}
