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
  else if (strcmp(text, "month") == 0)
    *days = APP_PERIOD_MONTH;
  else
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "period",
                     "--period: expected day, week or month, got '%s'", text);
  return OK;
}

/* The report's period from q: --date with --period, or --from and --to. */
static int
sitrep_period(const struct app_sitrep_query *q, struct report_sitrep_query *rq,
              struct app_error *err)
{
  int y, m, d;

  memset(rq, 0, sizeof *rq);
  if (q->has_from || q->has_to) {
    if (q->has_date || q->has_period)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "from",
                       "give --date (and --period), or --from and --to, "
                       "not both");
    if (!q->has_from || !q->has_to)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                       q->has_from ? "to" : "from",
                       "a period needs both --from and --to");
    if (q->from > q->to)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "from",
                       "--from is after --to");
    if (q->to - q->from + 1 > REPORT_MAX_DAYS)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "from",
                       "a report covers at most %d days", REPORT_MAX_DAYS);
    rq->from = q->from;
    rq->to = q->to;
    rq->kind = REPORT_PERIOD_RANGE;
    return OK;
  }
  if (!q->has_date)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "date",
                     "sitrep needs --date D (or --from D1 --to D2)");
  rq->to = q->date;
  if (q->period_days == APP_PERIOD_MONTH) {
    /* The month containing the date, from its first day. */
    util_civil_from_days(q->date, &y, &m, &d);
    rq->from = util_days_from_civil(y, m, 1);
    rq->kind = REPORT_PERIOD_MONTH;
  } else {
    rq->from = q->date - (q->period_days == 7 ? 6 : 0);
    rq->kind = q->period_days == 7 ? REPORT_PERIOD_WEEK : REPORT_PERIOD_DAY;
  }
  return OK;
}

int
app_report_sitrep(struct app *app, const struct app_sitrep_query *q,
                  struct buf *out, struct app_error *err)
{
  struct report_sitrep_query rq;
  const char *format = q->format ? q->format : "md";
  struct analysis *a = NULL;
  struct store *st;
  struct buf msg;
  int fmt, rc;

  if ((rc = sitrep_period(q, &rq, err)) != OK)
    return rc;
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
