/* Reports: the situation report. */
#include "app/app.h"

#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "report/report.h"

int
app_check_period(const char *text, int *days, struct app_error *err)
{
  if (strcmp(text, "day") == 0)
    *days = 1;
  else if (strcmp(text, "week") == 0)
    *days = 7;
  else
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "period",
                     "--period: expected day or week, got '%s'", text);
  return OK;
}

int
app_report_sitrep(struct app *app, const struct app_sitrep_query *q,
                  struct buf *out, struct app_error *err)
{
  struct report_sitrep_query rq = {q->date, q->period_days};
  const char *format = q->format ? q->format : "md";
  struct analysis *a = NULL;
  struct store *st;
  struct buf msg;
  int fmt, rc;

  if (!q->has_date)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "date",
                     "sitrep needs --date D");
  if ((fmt = report_format_by_name(format)) < 0)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                     "--format: expected md, html, json or txt, got '%s'",
                     format);
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  buf_init(&msg);
  rc = analysis_open(st, q->as_of, &a, &msg);
  if (rc == OK)
    rc = report_sitrep(a, &rq, (enum report_format)fmt, out, &msg);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
              msg.data ? msg.data : util_strerror(rc));
  analysis_free(a);
  buf_cleanup(&msg);
  return rc;
}
