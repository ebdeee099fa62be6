/*
 * The sitrep in Markdown, for people: headline first, then each section
 * with the records and sources behind its figures. "?" marks an unknown
 * figure, which is never counted as zero.
 */
#include "report/report_int.h"

#include <string.h>

#include "util/i18n.h"

static void
num(struct buf *b, int known, double v)
{
  char n[64];

  if (!known) {
    buf_putc(b, '?');
    return;
  }
  report__fmt_num(v, n, sizeof n);
  buf_puts(b, n);
}

static void
pct(struct buf *b, int known, double v)
{
  char n[64];

  if (!known) {
    buf_putc(b, '?');
    return;
  }
  report__fmt_pct(v, n, sizeof n);
  buf_puts(b, n);
}

static void
text(struct buf *b, const char *s)
{
  report__md_escape(b, s && s[0] ? s : "-");
}

/* "icrc (A2), acaps (B2)" */
static void
srcs(struct buf *b, const struct sr_srcset *set)
{
  if (set->n == 0)
    buf_putc(b, '-');
  for (size_t i = 0; i < set->n; i++) {
    if (i)
      buf_puts(b, ", ");
    report__md_escape(b, set->v[i].id);
    if (set->v[i].grade[0])
      buf_printf(b, " (%s)", set->v[i].grade);
  }
}

static void
source_grade(struct buf *b, const char *source, const char *grade)
{
  report__md_escape(b, source && source[0] ? source : _("no source"));
  if (grade && grade[0])
    buf_printf(b, " %s", grade);
}

/* "in: 3 persons, 2 vehicles, 12.5 tonnes; out: ..." */
static void
totals(const struct sitrep *s, struct buf *b)
{
  for (int d = 0; d < AD_COUNT; d++) {
    buf_printf(b, "%s%s: ", d ? "; " : "", report__dir_label(d));
    for (int p = 0; p < AP_COUNT; p++) {
      buf_puts(b, p ? ", " : "");
      num(b, s->total_known[d][p], s->total[d][p]);
      buf_printf(b, " %s", report__part_label(p));
    }
    if (s->total_partial[d])
      buf_printf(b, " (%s)", _("some checkpoint-days unknown"));
  }
  buf_putc(b, '.');
}

static void
headline(const struct sitrep *s, struct buf *b)
{
  const char *prev =
      s->period_days == 1 ? _("previous day") : _("previous week");

  buf_printf(b, "## %s\n\n", _("Headline"));
  buf_printf(b, "- **%s: ", _("Functioning index"));
  pct(b, s->index_known, s->index);
  buf_puts(b, "** (");
  if (!s->has_baseline)
    buf_puts(b, _("no baseline window in the corridor file"));
  else
    buf_printf(b,
               ngettext("%zu of %d day known", "%zu of %d days known",
                        (unsigned long)s->period_days),
               s->index_known_days, s->period_days);
  buf_printf(b, "; %s: ", prev);
  pct(b, s->prev_index_known, s->prev_index);
  buf_puts(b, ").");
  if (s->index_cps) {
    buf_printf(b, " %s: ", _("Counted at"));
    for (size_t i = 0; i < s->nindex_cps; i++) {
      if (i)
        buf_puts(b, ", ");
      text(b, report__cp_name(s, s->index_cps[i]));
    }
    buf_putc(b, '.');
  }
  buf_printf(b, "\n- **%s**: ", _("Availability"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    if (i)
      buf_puts(b, "; ");
    text(b, cp->name);
    buf_putc(b, ' ');
    pct(b, cp->avail_known, cp->avail);
    if (cp->state) {
      buf_puts(b, " (");
      buf_printf(b, _("%s since %s"), cp->state, cp->since ? cp->since : "?");
      buf_putc(b, ')');
    }
  }
  buf_printf(b, ".\n- **%s**: ", _("Passed at all checkpoints"));
  totals(s, b);
  buf_printf(b, "\n- **%s** (%s):\n\n", _("Flows vs baseline"),
             _("mean per known day at the index's checkpoints"));
  buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", _("direction"),
             _("measure"), _("per day"), _("baseline"), _("share"), prev,
             _("change"), _("sources"));
  buf_puts(b, "|---|---|--:|--:|--:|--:|--:|---|\n");
  for (int d = 0; d < AD_COUNT; d++) {
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[d][p];
      char ch[64];
      buf_printf(b, "| %s | %s | ", report__dir_label(d),
                 report__part_label(p));
      num(b, x->known_days > 0, x->per_day);
      buf_puts(b, " | ");
      num(b, x->base_known, x->baseline);
      buf_puts(b, " | ");
      pct(b, x->ratio_known, x->ratio);
      buf_puts(b, " | ");
      num(b, x->prev_known, x->prev_per_day);
      buf_puts(b, " | ");
      if (x->change_known) {
        report__fmt_change(x->change, ch, sizeof ch);
        buf_puts(b, ch);
      } else if (x->from_zero) {
        buf_puts(b, _("from 0"));
      } else {
        buf_putc(b, '?');
      }
      buf_puts(b, " | ");
      srcs(b, &x->src);
      buf_puts(b, " |\n");
    }
  }
  buf_putc(b, '\n');
}

static void
flow_table(const struct sitrep *s, struct buf *b)
{
  buf_printf(b, "## %s\n\n", _("Flows by direction and class"));
  buf_printf(b, "%s\n\n",
             _("Totals of the period at every checkpoint. Each day's figure "
               "is the best-graded source's, never a sum of sources."));
  if (s->by_cp.n == 0) {
    buf_printf(b, "%s\n\n", _("No checkpoint recorded."));
    return;
  }
  buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", _("checkpoint"),
             _("direction"), _("persons"), _("vehicles"), _("tonnes"),
             _("unknown days"), _("sources"), _("note"));
  buf_puts(b, "|---|---|--:|--:|--:|--:|---|---|\n");
  for (size_t i = 0; i < s->by_cp.n; i++) {
    const struct sr_flow *r = &s->by_cp.v[i];
    buf_puts(b, "| ");
    text(b, report__cp_name(s, r->a));
    buf_puts(b, " | ");
    text(b, r->b);
    for (int p = 0; p < AP_COUNT; p++) {
      int k = report__part_measure[p];
      buf_puts(b, " | ");
      num(b, r->known[k], r->m[k]);
    }
    buf_printf(b, " | %zu | ", r->unknown_days);
    srcs(b, &r->src);
    buf_printf(b, " | %s |\n", r->disputed ? _("disputed") : "");
  }
  buf_putc(b, '\n');
  if (s->by_vehicle.n) {
    buf_printf(b, "%s\n\n| %s | %s | %s |\n|---|---|--:|\n",
               _("Vehicles by type:"), _("direction"), _("vehicle"),
               _("vehicles"));
    for (size_t i = 0; i < s->by_vehicle.n; i++) {
      const struct sr_flow *r = &s->by_vehicle.v[i];
      buf_puts(b, "| ");
      text(b, r->a);
      buf_puts(b, " | ");
      text(b, r->b[0] ? r->b : _("unspecified"));
      buf_puts(b, " | ");
      num(b, r->known[AM_VEHICLES], r->m[AM_VEHICLES]);
      buf_puts(b, " |\n");
    }
    buf_putc(b, '\n');
  }
  if (s->by_cat.n) {
    buf_printf(b, "%s\n\n| %s | %s | %s |\n|---|---|--:|\n",
               _("Cargo by category:"), _("direction"), _("category"),
               _("tonnes"));
    for (size_t i = 0; i < s->by_cat.n; i++) {
      const struct sr_flow *r = &s->by_cat.v[i];
      buf_puts(b, "| ");
      text(b, r->a);
      buf_puts(b, " | ");
      text(b, r->b[0] ? r->b : _("unspecified"));
      buf_puts(b, " | ");
      num(b, r->known[AM_TONNES], r->m[AM_TONNES]);
      buf_puts(b, " |\n");
    }
    buf_putc(b, '\n');
  }
}

static void
status_table(const struct sitrep *s, struct buf *b)
{
  buf_printf(b, "## %s\n\n", _("Status timeline"));
  if (s->nstatus == 0) {
    buf_printf(b, "%s\n\n", _("No status recorded up to this date."));
    return;
  }
  buf_printf(b, "%s\n\n",
             _("Every change up to the report's date; a state holds until "
               "the next change. Changes within the period are in bold."));
  buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", _("at"),
             _("checkpoint"), _("state"), _("cause"), _("actor"),
             _("applies to"), _("source"), _("record"));
  buf_puts(b, "|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    const char *em = x->in_period ? "**" : "";
    buf_printf(b, "| %s", em);
    text(b, x->at);
    buf_printf(b, "%s | ", em);
    text(b, report__cp_name(s, x->checkpoint));
    buf_printf(b, " | %s", em);
    text(b, x->state);
    buf_printf(b, "%s | ", em);
    text(b, x->cause);
    buf_puts(b, " | ");
    text(b, x->actor);
    buf_puts(b, " | ");
    text(b, x->applies_to);
    buf_puts(b, " | ");
    source_grade(b, x->source, x->grade);
    buf_puts(b, " | `");
    buf_puts(b, x->id ? x->id : "");
    buf_puts(b, "` |\n");
  }
  buf_putc(b, '\n');
}

static void
events(const struct sitrep *s, struct buf *b)
{
  buf_printf(b, "## %s\n\n", _("Events in the period"));
  if (s->nevents == 0) {
    buf_printf(b, "%s\n\n", _("No event recorded in the period."));
    return;
  }
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    buf_puts(b, "- **");
    text(b, x->at);
    buf_puts(b, "** ");
    text(b, x->kind);
    if (x->place) {
      buf_puts(b, ", ");
      text(b, x->place);
    }
    buf_puts(b, ": ");
    text(b, x->summary);
    buf_puts(b, " (");
    source_grade(b, x->source, x->grade);
    buf_printf(b, ", `%s`)\n", x->id ? x->id : "");
  }
  buf_putc(b, '\n');
}

static void
ref(struct buf *b, const char *what, const struct sr_ref *r)
{
  buf_printf(b, "%s ", what);
  if (r->id == NULL) {
    buf_puts(b, _("from the corridor file"));
    return;
  }
  buf_printf(b, "`%s` (", r->id);
  source_grade(b, r->source, r->grade);
  if (r->basis) {
    buf_puts(b, ", ");
    text(b, r->basis);
  }
  buf_putc(b, ')');
}

static void
supply(const struct sitrep *s, struct buf *b)
{
  char d[16];

  report__fmt_day(s->date, d, sizeof d);
  buf_printf(b, "## %s\n\n", _("Supply outlook"));
  buf_printf(b,
             _("At the start of %s. Days of cover = stock / (population x "
               "need per person per day); the stock-out date is the "
               "first day the stock no longer covers that day's net use."),
             d);
  buf_puts(b, "\n\n");
  if (s->nsupply == 0) {
    buf_printf(b, "%s\n\n", _("No category has a need."));
    return;
  }
  buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", _("category"),
             _("stock"), _("need per day"), _("days of cover"),
             _("stock-out if nothing enters"), _("at the last 7 days' inflow"),
             _("at baseline inflow"), _("alert"));
  buf_puts(b, "|---|--:|--:|--:|---|---|---|---|\n");
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    int cover = report__cover_known(x);
    buf_puts(b, "| ");
    text(b, x->category);
    buf_puts(b, " | ");
    if (x->has_stock) {
      report__range(b, x->stock_low, x->stock_high);
      buf_printf(b, " %s", x->unit);
    } else {
      buf_putc(b, '?');
    }
    buf_puts(b, " | ");
    num(b, x->need_per_day > 0, x->need_per_day);
    buf_printf(b, " %s | ", x->unit);
    if (cover)
      report__range(b, x->cover_low, x->cover_high);
    else
      buf_putc(b, '?');
    for (int sc = 0; sc < AS_COUNT; sc++) {
      buf_puts(b, " | ");
      report__stockout(x, sc, b);
    }
    buf_printf(b, " | %s |\n",
               cover ? (x->alert ? analysis_alert_names[x->alert] : "-") : "?");
  }
  buf_printf(b, "\n%s\n\n", _("Records behind these figures:"));
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct sr_supply_refs *r = &s->supply_refs[i];
    buf_puts(b, "- ");
    text(b, s->supply[i].category);
    buf_puts(b, ": ");
    if (r->stock.id)
      ref(b, _("stock"), &r->stock);
    else
      buf_printf(b, "%s ?", _("stock"));
    buf_puts(b, "; ");
    if (r->population.id)
      ref(b, _("population"), &r->population);
    else
      buf_printf(b, "%s ?", _("population"));
    buf_puts(b, "; ");
    ref(b, _("need"), &r->need);
    buf_puts(b, ".\n");
  }
  buf_putc(b, '\n');
}

static void
compliance(const struct sitrep *s, struct buf *b)
{
  char from[16], to[16];

  report__fmt_day(s->comp_from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  buf_printf(b, "## %s\n\n", _("Compliance"));
  if (s->ncomp == 0) {
    buf_printf(b, "%s\n\n", _("The corridor file states no obligation."));
    return;
  }
  buf_printf(b,
             _("Each day from %s to %s is met, breached or unknown (no "
               "data); an unknown day ends a run of breaches."),
             from, to);
  buf_puts(b, "\n\n");
  buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", _("obligation"),
             _("met"), _("breached"), _("unknown"), _("longest breach"),
             _("current run"),
             s->period_days == 1 ? _("this day") : _("this week"));
  buf_puts(b, "|---|--:|--:|--:|--:|--:|---|\n");
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    size_t met, br, un;
    report__period_verdicts(s, x, &met, &br, &un);
    buf_printf(b, "| `%s` | %zu | %zu | %zu | %zu | %zu | ", x->ob->id,
               x->days_met, x->days_breached, x->days_unknown,
               x->longest_breach, x->current_run);
    buf_printf(b, _("%zu met, %zu breached, %zu unknown"), met, br, un);
    buf_puts(b, " |\n");
  }
  buf_putc(b, '\n');
  for (size_t i = 0; i < s->ncomp; i++) {
    buf_printf(b, "- `%s`: ", s->comp[i].ob->id);
    text(b, s->comp[i].ob->text);
    buf_putc(b, '\n');
  }
  buf_putc(b, '\n');
}

static void
quality(const struct sitrep *s, struct buf *b)
{
  static const char *const uses[SR_USE_COUNT] = {
      N_("flows"),  N_("status"),   N_("events"),
      N_("supply"), N_("coverage"), N_("baseline")};

  buf_printf(b, "## %s\n\n### %s\n\n", _("Data quality"), _("Sources"));
  buf_printf(b, "%s\n\n",
             _("Grades use the Admiralty code: reliability A (best) to F, "
               "credibility 1 (best) to 6."));
  if (s->nsources == 0) {
    buf_printf(b, "%s\n\n", _("No sourced record is used."));
  } else {
    buf_printf(b, "| %s | %s | %s | %s |\n|---|---|---|---|\n", _("source"),
               _("name"), _("grade"), _("used for"));
    for (size_t i = 0; i < s->nsources; i++) {
      const struct sr_source *x = &s->sources[i];
      int first = 1;
      buf_puts(b, "| `");
      buf_puts(b, x->id);
      buf_puts(b, "` | ");
      if (x->url) {
        buf_putc(b, '[');
        text(b, x->name ? x->name : x->id);
        buf_puts(b, "](<");
        buf_puts(b, x->url);
        buf_puts(b, ">)");
      } else {
        text(b, x->name ? x->name : _("not recorded"));
      }
      buf_printf(b, " | %s | ", x->grade[0] ? x->grade : "-");
      for (int u = 0; u < SR_USE_COUNT; u++) {
        if (x->used & (1u << u)) {
          buf_printf(b, "%s%s", first ? "" : ", ", _(uses[u]));
          first = 0;
        }
      }
      buf_puts(b, " |\n");
    }
    buf_putc(b, '\n');
  }
  buf_printf(b, "### %s\n\n", _("Disputed figures"));
  if (s->ndisputes == 0) {
    buf_printf(b, "%s\n\n",
               _("No figure of the period is disputed between sources."));
  } else {
    buf_printf(b, "%s\n\n",
               _("Sources differ by more than the corridor's tolerance; the "
                 "report uses the best-graded source's figure."));
    for (size_t i = 0; i < s->ndisputes; i++) {
      const struct sr_dispute *x = &s->disputes[i];
      buf_puts(b, "- ");
      text(b, x->day);
      buf_puts(b, ", ");
      text(b, report__cp_name(s, x->checkpoint));
      buf_printf(b, ", %s, %s: ", x->direction,
                 _(report__measure_name(x->measure)));
      num(b, x->known, x->value);
      buf_puts(b, " (");
      for (size_t k = 0; k < x->nvalues; k++) {
        char n[64];
        if (k)
          buf_puts(b, "; ");
        source_grade(b, x->values[k].source, x->values[k].grade);
        report__fmt_num(x->values[k].value, n, sizeof n);
        buf_printf(b, ": %s", n);
      }
      buf_puts(b, ")\n");
    }
    buf_putc(b, '\n');
  }
  buf_printf(b, "### %s\n\n", _("Unknown checkpoint-days"));
  buf_printf(b, "%s\n\n",
             _("A day is observed when a coverage record says so or a flow "
               "record covers it; otherwise its figures are unknown, not "
               "zero."));
  buf_printf(b, "| %s | %s |\n|---|--:|\n", _("checkpoint"), _("unknown days"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    buf_puts(b, "| ");
    text(b, cp->name);
    buf_puts(b, " | ");
    if (cp->observed_known)
      buf_printf(b, _("%zu of %d"), cp->unknown_days, s->period_days);
    else
      buf_putc(b, '?');
    buf_puts(b, " |\n");
  }
  buf_putc(b, '\n');
}

static void
verification(const struct sitrep *s, struct buf *b)
{
  struct buf cmd;
  unsigned long long n = (unsigned long long)s->size;

  buf_init(&cmd);
  report__reproduce(s, "md", &cmd);
  buf_printf(b, "## %s\n\n", _("Verification"));
  buf_printf(b,
             _("Computed from the log `%s` at tree size **%llu**, root "
               "hash (base64) `%s`."),
             s->c->log ? s->c->log : "", n, s->root);
  buf_puts(b, "\n\n");
  buf_printf(b, "- %s: `%s`\n",
             _("Reproduce exactly, whatever was recorded "
               "since"),
             cmd.data);
  buf_printf(b,
             _("- Check: the signed checkpoint of size %llu published with "
               "this report must show this root (`passage verify "
               "--checkpoint FILE` checks it against a store); `passage "
               "proof consistency --old %llu --new SIZE`, checked with "
               "`passage verify-proof`, shows that a later checkpoint "
               "extends it; `passage proof inclusion --id RECORD --size "
               "%llu` proves that a record named here is in it."),
             n, n, n);
  buf_puts(b, "\n");
  buf_cleanup(&cmd);
}

void
report__write_md(const struct sitrep *s, struct buf *b)
{
  buf_printf(b, "# %s: ", _("Situation report"));
  report__md_escape(b, s->c->name);
  buf_puts(b, "\n\n**");
  report__period_title(s, b);
  buf_puts(b, "** (");
  buf_printf(b, _("local days, %s"), s->c->timezone);
  buf_puts(b, "). ");
  buf_printf(b, _("Computed from the log at tree size %llu, root `%s`."),
             (unsigned long long)s->size, s->root);
  buf_puts(b, "\n\n");
  if (s->c->inside) {
    struct buf in;
    buf_init(&in);
    report__md_escape(&in, s->c->inside);
    buf_printf(b, _("*in* is toward the inside (%s), *out* away from it. "),
               in.data);
    buf_cleanup(&in);
  }
  buf_printf(b, "%s\n\n",
             _("? marks an unknown figure (not observed), never zero."));
  headline(s, b);
  flow_table(s, b);
  status_table(s, b);
  events(s, b);
  supply(s, b);
  compliance(s, b);
  quality(s, b);
  verification(s, b);
}
