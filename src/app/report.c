/* Reports: the situation report. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
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

/* The witnesses a sitrep names (issue 12): their cosignatures of the
 * checkpoint of its tree size, or of the smallest cosigned tree that
 * contains it, each checked here with its key from the corridor (one that
 * the corridor does not name cannot be checked, and is left out). */
struct witnesses {
  struct store *st;
  const struct corridor *c;
  const char *note; /* the checkpoint cosigned */
  struct report_witness *w;
  size_t n;
};

static int
add_witness(void *ctx, const struct store_cosignature *cs)
{
  struct witnesses *x = ctx;
  struct ledger_verifier *v = NULL;
  struct ledger_note *n = NULL;
  struct buf whole;
  uint64_t t = 0;

  buf_init(&whole);
  buf_puts(&whole, x->note);
  buf_puts(&whole, cs->line);
  for (size_t i = 0; i < x->c->nwitnesses; i++) {
    const char *key = x->c->witnesses[i].key;
    if (ledger_verifier_parse(key, strlen(key), &v, NULL) != OK)
      continue;
    if (ledger_verifier_key_hash(v) == cs->key_hash &&
        strcmp(ledger_verifier_name(v), cs->witness) == 0 &&
        ledger_note_parse(whole.data, whole.len, &n, NULL) == OK &&
        ledger_note_verify(n, v, &t, NULL) == OK) {
      x->w = xrealloc(x->w, (x->n + 1) * sizeof *x->w);
      x->w[x->n].id = x->c->witnesses[i].id;
      x->w[x->n].name = xstrdup(cs->witness);
      x->w[x->n].key_hash = cs->key_hash;
      x->w[x->n].time = t;
      x->n++;
    }
    ledger_note_free(n);
    ledger_verifier_free(v);
    n = NULL;
    v = NULL;
  }
  buf_cleanup(&whole);
  return OK;
}

static void
find_witnesses(struct store *st, uint64_t size, struct witnesses *x,
               uint64_t *cosigned)
{
  struct buf note;
  uint64_t at = 0;

  memset(x, 0, sizeof *x);
  *cosigned = 0;
  x->st = st;
  x->c = store_corridor(st);
  buf_init(&note);
  /* A tree of 0 entries has no checkpoint worth naming. */
  if (size > 0 && store_next_cosigned(st, size, &at) == OK &&
      store_get_checkpoint(st, at, 0, NULL, &note) == OK) {
    x->note = note.data;
    store_each_cosignature(st, at, add_witness, x);
    if (x->n)
      *cosigned = at;
  }
  buf_cleanup(&note);
  x->note = NULL;
}

static void
free_witnesses(struct witnesses *x)
{
  for (size_t i = 0; i < x->n; i++)
    free((char *)x->w[i].name);
  free(x->w);
}

int
app_report_sitrep(struct app *app, const struct app_sitrep_query *q,
                  struct buf *out, struct app_error *err)
{
  struct witnesses wx = {0};
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
  if (rc == OK) {
    find_witnesses(st, analysis_as_of(a), &wx, &rq.cosigned_size);
    rq.witnesses = wx.w;
    rq.nwitnesses = wx.n;
    rq.listed = store_corridor(st)->nwitnesses > 0;
    rc = report_sitrep(a, &rq, (enum report_format)fmt, out, &msg);
  }
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
              msg.data ? msg.data : util_strerror(rc));
  analysis_free(a);
  free_witnesses(&wx);
  buf_cleanup(&msg);
  return rc;
}
