/* What the analysis answers share: the view, the period, the checks of a
 * query. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"

int
app__view(struct app *app, uint64_t as_of, struct analysis **a,
          struct app_error *err)
{
  struct store *st;
  struct buf msg;
  int rc;

  *a = NULL;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  buf_init(&msg);
  rc = analysis_open(st, as_of, a, &msg);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, "as-of", "%s",
              msg.data ? msg.data : util_strerror(rc));
  buf_cleanup(&msg);
  return rc;
}

int
app__period(struct analysis *a, const struct app_query *q, int64_t *from,
            int64_t *to, struct app_error *err)
{
  int64_t first, last;

  *from = q->from;
  *to = q->to;
  if (q->has_from && q->has_to)
    return OK;
  if (analysis_span(a, &first, &last) != OK)
    return app__fail(err, ERR_NOTFOUND, APP_ERROR_OPERATION, "from",
                     "no records yet: give --from and --to");
  if (!q->has_from)
    *from = first;
  if (!q->has_to)
    *to = last;
  if (*from > *to)
    *to = *from;
  return OK;
}

int
app_check_range(const struct app_query *q, struct app_error *err)
{
  if (q->has_from && q->has_to && q->from > q->to)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "from",
                     "--from is after --to");
  return OK;
}
