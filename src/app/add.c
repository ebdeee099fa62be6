/* add: one record given as field names and texts, stored as an imported
 * row would be. */
#include "app/app.h"

#include <string.h>

#include "app/app_int.h"

int
app_add(struct app *app, const struct app_add_query *q,
        const struct ingest_sink *sink, struct app_import_result *out,
        struct app_error *err)
{
  struct ingest_opts o;
  struct store *st;
  int rc;

  memset(out, 0, sizeof *out);
  ingest_opts_init(&o);
  o.create_missing = q->create_missing;
  o.allow_future = q->allow_future;
  if ((rc = app__input_kind(q->kind, &o.kind, err)) != OK ||
      (rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  rc = ingest_fields(st, &o, sink, q->names, q->values, q->n, &out->stats);
  rc = app__import_done(st, rc, out, err);
out:
  ingest_opts_cleanup(&o);
  return rc;
}
