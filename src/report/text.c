/* Phrases shared by the Markdown, HTML and text forms of a sitrep. */
#include "report/report_int.h"

#include <string.h>

#include "util/i18n.h"

static const char *const part_labels[AP_COUNT] = {N_("persons"), N_("vehicles"),
                                                  N_("tonnes")};
static const char *const dir_labels[AD_COUNT] = {N_("in"), N_("out")};

const char *
report__part_label(int part)
{
  return _(part_labels[part]);
}

const char *
report__dir_label(int dir)
{
  return _(dir_labels[dir]);
}

void
report__period_title(const struct sitrep *s, struct buf *out)
{
  char from[16], to[16];

  report__fmt_day(s->from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  if (s->period_days == 1)
    buf_printf(out, _("Day %s"), to);
  else
    buf_printf(out, _("Week %s to %s"), from, to);
}

const char *
report__cp_name(const struct sitrep *s, const char *id)
{
  for (size_t i = 0; i < s->ncps; i++)
    if (id && strcmp(s->cps[i].id, id) == 0)
      return s->cps[i].name;
  return id ? id : "";
}

void
report__range(struct buf *out, double low, double high)
{
  char a[64], b[64];

  report__fmt_num(low, a, sizeof a);
  report__fmt_num(high, b, sizeof b);
  if (strcmp(a, b) == 0)
    buf_puts(out, a);
  else
    buf_printf(out, "%s-%s", a, b);
}

int
report__cover_known(const struct analysis_supply *x)
{
  return x->has_stock && x->need_per_day > 0;
}

void
report__stockout(const struct analysis_supply *x, int sc, struct buf *out)
{
  int have = sc == AS_NO_INFLOW       ? 1
             : sc == AS_RECENT_INFLOW ? x->has_inflow_7d
                                      : x->has_baseline_inflow;
  char a[16], b[16];

  if (!report__cover_known(x) || !have) {
    buf_puts(out, "?");
    return;
  }
  if (!x->has_stockout[sc][0] || !x->has_stockout[sc][1]) {
    /* The scenario's inflow covers the need: the stock does not fall. */
    buf_puts(out, _("none"));
    return;
  }
  report__fmt_day(x->stockout[sc][0], a, sizeof a);
  report__fmt_day(x->stockout[sc][1], b, sizeof b);
  if (strcmp(a, b) == 0)
    buf_puts(out, a);
  else
    buf_printf(out, _("%s to %s"), a, b);
}

void
report__period_verdicts(const struct sitrep *s,
                        const struct analysis_compliance *x, size_t *met,
                        size_t *breached, size_t *unknown)
{
  *met = *breached = *unknown = 0;
  for (int64_t d = s->from; d <= s->to; d++) {
    int v = x->verdict[d - s->comp_from];
    *met += v == AC_MET;
    *breached += v == AC_BREACHED;
    *unknown += v == AC_UNKNOWN;
  }
}
