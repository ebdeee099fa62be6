/*
 * The sitrep as one self-contained HTML file: inline CSS, charts as inline
 * SVG (svg.c), no script and nothing fetched, so it can be mailed, opened
 * offline, read on a phone and printed. The figures are those of the
 * Markdown form; "?" marks an unknown figure.
 */
#include "report/report_int.h"

#include <string.h>

#include "util/i18n.h"

static const char css[] =
    ":root{--in:#1f6fb2;--out:#e07b00;--ink:#1b1b1b;--muted:#5c5c5c;"
    "--rule:#d8d8d8;--hi:#fff4c2}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Noto Sans',Arial,sans-serif;color:var(--ink);background:#fff}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem}\n"
    "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 "
    ".5rem;border-bottom:2px solid var(--ink);padding-bottom:.2rem}"
    "h3{font-size:1rem;margin:1rem 0 .4rem}\n"
    ".meta,.note{color:var(--muted);font-size:.9rem}\n"
    ".kpi{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0}\n"
    ".kpi div{border:1px solid var(--rule);border-radius:6px;padding:"
    ".5rem .8rem;min-width:10rem}\n"
    ".kpi b{display:block;font-size:1.6rem}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem "
    "0}\n"
    "th,td{border-bottom:1px solid var(--rule);padding:.25rem .4rem;"
    "text-align:left;vertical-align:top}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "tr.hi td{background:var(--hi);font-weight:600}\n"
    ".unknown{color:var(--muted)}\n"
    ".alert-warning{color:#8a5a00;font-weight:600}.alert-severe{color:"
    "#b34700;font-weight:700}.alert-critical{color:#b00020;font-weight:700}"
    "\n"
    "code{font-size:.85em;word-break:break-all}\n"
    "svg.chart{width:100%;height:auto;font-size:11px;margin:.3rem 0}\n"
    "svg .in{fill:var(--in)}svg .out{fill:var(--out)}\n"
    "svg .axis line{stroke:#888}svg .axis .grid{stroke:#ddd}svg .axis text,"
    "svg text.axis{fill:var(--muted)}\n"
    "svg .baseline{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:5 3}"
    "svg .baseline-label{fill:var(--ink)}\n"
    "svg .th{stroke-width:1;stroke-dasharray:3 2}svg .th.critical{stroke:"
    "#b00020}svg .th.severe{stroke:#b34700}svg .th.warning{stroke:#8a5a00}\n"
    "svg .cover-low{fill:#2e7d32}svg .cover-low.warning{fill:#c49000}"
    "svg .cover-low.severe{fill:#d35400}svg .cover-low.critical{fill:"
    "#b00020}svg .cover-range{fill:#9e9e9e;opacity:.5}\n"
    ".legend span{display:inline-block;margin-right:1rem}.legend i{display:"
    "inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:"
    "middle}\n"
    "footer{margin-top:2rem;border-top:1px solid var(--rule);padding-top:"
    ".5rem}\n"
    "@media (max-width:40rem){body{font-size:14px}main{padding:.6rem}"
    ".kpi div{min-width:45%}}\n"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}"
    ".scroll{overflow:visible}section{break-inside:avoid-page}"
    "h2{break-after:avoid}table{page-break-inside:auto}tr{break-inside:"
    "avoid}a{color:inherit;text-decoration:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@page{margin:1.5cm}}\n";

static void
esc(struct buf *b, const char *s)
{
  report__html_escape(b, s && s[0] ? s : "-");
}

/* Writes a sentence shared with the Markdown form as HTML: `code`,
 * **bold** and *emphasis* become elements, the rest is escaped. */
static void
md_inline(struct buf *b, const char *text)
{
  int code = 0, bold = 0, em = 0;

  for (const char *p = text; p && *p; p++) {
    if (!code && p[0] == '\\' && p[1]) {
      char c[2] = {p[1], 0};
      report__html_escape(b, c);
      p++;
    } else if (*p == '`') {
      buf_puts(b, code ? "</code>" : "<code>");
      code = !code;
    } else if (!code && p[0] == '*' && p[1] == '*') {
      buf_puts(b, bold ? "</b>" : "<b>");
      bold = !bold;
      p++;
    } else if (!code && p[0] == '*') {
      buf_puts(b, em ? "</i>" : "<i>");
      em = !em;
    } else {
      char c[2] = {*p, 0};
      report__html_escape(b, c);
    }
  }
}

static void
num(struct buf *b, int known, double v)
{
  char n[64];

  if (!known) {
    buf_puts(b, "<span class=\"unknown\">?</span>");
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
    buf_puts(b, "<span class=\"unknown\">?</span>");
    return;
  }
  report__fmt_pct(v, n, sizeof n);
  buf_puts(b, n);
}

static void
source_grade(struct buf *b, const char *source, const char *grade)
{
  esc(b, source && source[0] ? source : _("no source"));
  if (grade && grade[0]) {
    buf_putc(b, ' ');
    esc(b, grade);
  }
}

static void
th(struct buf *b, const char *label, int numeric)
{
  buf_puts(b, numeric ? "<th class=\"n\">" : "<th>");
  esc(b, label);
  buf_puts(b, "</th>");
}

static void
section(struct buf *b, const char *id, const char *heading)
{
  buf_printf(b, "<section id=\"%s\"><h2>", id);
  esc(b, heading);
  buf_puts(b, "</h2>\n");
}

static void
headline(const struct sitrep *s, struct buf *b)
{
  const char *prev =
      s->period_days == 1 ? _("previous day") : _("previous week");

  section(b, "headline", _("Headline"));
  buf_puts(b, "<div class=\"kpi\"><div>");
  esc(b, _("Functioning index"));
  buf_puts(b, "<b>");
  pct(b, s->index_known, s->index);
  buf_puts(b, "</b><span class=\"note\">");
  if (!s->has_baseline)
    esc(b, _("no baseline window in the corridor file"));
  else
    buf_printf(b,
               ngettext("%zu of %d day known", "%zu of %d days known",
                        (unsigned long)s->period_days),
               s->index_known_days, s->period_days);
  buf_puts(b, "; ");
  esc(b, prev);
  buf_puts(b, ": ");
  pct(b, s->prev_index_known, s->prev_index);
  buf_puts(b, "</span></div>");
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    buf_puts(b, "<div>");
    esc(b, cp->name);
    buf_puts(b, "<b>");
    pct(b, cp->avail_known, cp->avail);
    buf_puts(b, "</b><span class=\"note\">");
    esc(b, _("available"));
    if (cp->state) {
      struct buf t;
      buf_init(&t);
      buf_printf(&t, _("%s since %s"), cp->state, cp->since ? cp->since : "?");
      buf_puts(b, "; ");
      esc(b, t.data);
      buf_cleanup(&t);
    }
    buf_puts(b, "</span></div>");
  }
  buf_puts(b, "</div>\n");
  if (s->index_cps) {
    buf_puts(b, "<p class=\"note\">");
    esc(b, _("Counted at"));
    buf_puts(b, ": ");
    for (size_t i = 0; i < s->nindex_cps; i++) {
      if (i)
        buf_puts(b, ", ");
      esc(b, report__cp_name(s, s->index_cps[i]));
    }
    buf_puts(b, ".</p>\n");
  }
  buf_puts(b, "<p><b>");
  esc(b, _("Passed at all checkpoints"));
  buf_puts(b, "</b>: ");
  for (int d = 0; d < AD_COUNT; d++) {
    buf_puts(b, d ? "; " : "");
    esc(b, report__dir_label(d));
    buf_puts(b, ": ");
    for (int p = 0; p < AP_COUNT; p++) {
      buf_puts(b, p ? ", " : "");
      num(b, s->total_known[d][p], s->total[d][p]);
      buf_putc(b, ' ');
      esc(b, report__part_label(p));
    }
    if (s->total_partial[d]) {
      buf_puts(b, " (");
      esc(b, _("some checkpoint-days unknown"));
      buf_putc(b, ')');
    }
  }
  buf_puts(b, ".</p>\n<h3>");
  esc(b, _("Flows vs baseline"));
  buf_puts(b, "</h3><p class=\"note\">");
  esc(b, _("mean per known day at the index's checkpoints"));
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("direction"), 0);
  th(b, _("measure"), 0);
  th(b, _("per day"), 1);
  th(b, _("baseline"), 1);
  th(b, _("share"), 1);
  th(b, prev, 1);
  th(b, _("change"), 1);
  th(b, _("sources"), 0);
  buf_puts(b, "</tr>\n");
  for (int d = 0; d < AD_COUNT; d++) {
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[d][p];
      char ch[64];
      buf_puts(b, "<tr><td>");
      esc(b, report__dir_label(d));
      buf_puts(b, "</td><td>");
      esc(b, report__part_label(p));
      buf_puts(b, "</td><td class=\"n\">");
      num(b, x->known_days > 0, x->per_day);
      buf_puts(b, "</td><td class=\"n\">");
      num(b, x->base_known, x->baseline);
      buf_puts(b, "</td><td class=\"n\">");
      pct(b, x->ratio_known, x->ratio);
      buf_puts(b, "</td><td class=\"n\">");
      num(b, x->prev_known, x->prev_per_day);
      buf_puts(b, "</td><td class=\"n\">");
      if (x->change_known) {
        report__fmt_change(x->change, ch, sizeof ch);
        buf_puts(b, ch);
      } else if (x->from_zero) {
        buf_puts(b, _("from 0"));
      } else {
        buf_puts(b, "<span class=\"unknown\">?</span>");
      }
      buf_puts(b, "</td><td>");
      for (size_t k = 0; k < x->src.n; k++) {
        if (k)
          buf_puts(b, ", ");
        source_grade(b, x->src.v[k].id, x->src.v[k].grade);
      }
      if (x->src.n == 0)
        buf_putc(b, '-');
      buf_puts(b, "</td></tr>\n");
    }
  }
  buf_puts(b, "</table></div></section>\n");
}

static void
charts(const struct sitrep *s, struct buf *b)
{
  char from[16], to[16];

  report__fmt_day(s->chart_from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  section(b, "charts", _("The last 30 days"));
  buf_puts(b, "<p class=\"note legend\"><span><i style=\"background:"
              "var(--in)\"></i>");
  esc(b, report__dir_label(AD_IN));
  buf_puts(b, "</span><span><i style=\"background:var(--out)\"></i>");
  esc(b, report__dir_label(AD_OUT));
  buf_puts(b, "</span><span><i style=\"background:#eee;border:1px dashed "
              "#999\"></i>");
  esc(b, _("unknown (not observed)"));
  buf_puts(b, "</span><span><i style=\"background:var(--hi)\"></i>");
  esc(b, _("the report's period"));
  buf_puts(b, "</span>");
  buf_printf(b, " %s - %s</p>\n", from, to);
  for (int p = 0; p < AP_COUNT; p++) {
    buf_puts(b, "<h3>");
    buf_printf(b, _("Daily %s, in and out, against the baseline"),
               report__part_label(p));
    buf_puts(b, "</h3>\n");
    report__svg_flows(s, p, b);
  }
  buf_puts(b, "<h3>");
  esc(b, _("Availability of each checkpoint, day by day"));
  buf_puts(b, "</h3>\n");
  report__svg_availability(s, b);
  buf_puts(b, "<h3>");
  esc(b, _("Days of cover per category, low to high"));
  buf_puts(b, "</h3>\n");
  report__svg_cover(s, b);
  buf_puts(b, "</section>\n");
}

static void
flow_table(const struct sitrep *s, struct buf *b)
{
  section(b, "flows", _("Flows by direction and class"));
  buf_puts(b, "<p class=\"note\">");
  esc(b, _("Totals of the period at every checkpoint. Each day's figure is "
           "the best-graded source's, never a sum of sources."));
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("checkpoint"), 0);
  th(b, _("direction"), 0);
  th(b, _("persons"), 1);
  th(b, _("vehicles"), 1);
  th(b, _("tonnes"), 1);
  th(b, _("unknown days"), 1);
  th(b, _("sources"), 0);
  th(b, _("note"), 0);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->by_cp.n; i++) {
    const struct sr_flow *r = &s->by_cp.v[i];
    buf_puts(b, "<tr><td>");
    esc(b, report__cp_name(s, r->a));
    buf_puts(b, "</td><td>");
    esc(b, r->b);
    for (int p = 0; p < AP_COUNT; p++) {
      int k = report__part_measure[p];
      buf_puts(b, "</td><td class=\"n\">");
      num(b, r->known[k], r->m[k]);
    }
    buf_printf(b, "</td><td class=\"n\">%zu</td><td>", r->unknown_days);
    for (size_t k = 0; k < r->src.n; k++) {
      if (k)
        buf_puts(b, ", ");
      source_grade(b, r->src.v[k].id, r->src.v[k].grade);
    }
    if (r->src.n == 0)
      buf_putc(b, '-');
    buf_puts(b, "</td><td>");
    if (r->disputed) {
      buf_puts(b, "<span class=\"alert-warning\">");
      esc(b, _("disputed"));
      buf_puts(b, "</span>");
    }
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</table></div>\n");
  if (s->by_vehicle.n) {
    buf_puts(b, "<h3>");
    esc(b, _("Vehicles by type:"));
    buf_puts(b, "</h3><div class=\"scroll\"><table><tr>");
    th(b, _("direction"), 0);
    th(b, _("vehicle"), 0);
    th(b, _("vehicles"), 1);
    buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < s->by_vehicle.n; i++) {
      const struct sr_flow *r = &s->by_vehicle.v[i];
      buf_puts(b, "<tr><td>");
      esc(b, r->a);
      buf_puts(b, "</td><td>");
      esc(b, r->b[0] ? r->b : _("unspecified"));
      buf_puts(b, "</td><td class=\"n\">");
      num(b, r->known[AM_VEHICLES], r->m[AM_VEHICLES]);
      buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table></div>\n");
  }
  if (s->by_cat.n) {
    buf_puts(b, "<h3>");
    esc(b, _("Cargo by category:"));
    buf_puts(b, "</h3><div class=\"scroll\"><table><tr>");
    th(b, _("direction"), 0);
    th(b, _("category"), 0);
    th(b, _("tonnes"), 1);
    buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < s->by_cat.n; i++) {
      const struct sr_flow *r = &s->by_cat.v[i];
      buf_puts(b, "<tr><td>");
      esc(b, r->a);
      buf_puts(b, "</td><td>");
      esc(b, r->b[0] ? r->b : _("unspecified"));
      buf_puts(b, "</td><td class=\"n\">");
      num(b, r->known[AM_TONNES], r->m[AM_TONNES]);
      buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table></div>\n");
  }
  buf_puts(b, "</section>\n");
}

static void
status_table(const struct sitrep *s, struct buf *b)
{
  section(b, "status", _("Status timeline"));
  if (s->nstatus == 0) {
    buf_puts(b, "<p>");
    esc(b, _("No status recorded up to this date."));
    buf_puts(b, "</p></section>\n");
    return;
  }
  buf_puts(b, "<p class=\"note\">");
  esc(b, _("Every change up to the report's date; a state holds until the "
           "next change. Changes within the period are highlighted."));
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("at"), 0);
  th(b, _("checkpoint"), 0);
  th(b, _("state"), 0);
  th(b, _("cause"), 0);
  th(b, _("actor"), 0);
  th(b, _("applies to"), 0);
  th(b, _("source"), 0);
  th(b, _("record"), 0);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    buf_puts(b, x->in_period ? "<tr class=\"hi\"><td>" : "<tr><td>");
    esc(b, x->at);
    buf_puts(b, "</td><td>");
    esc(b, report__cp_name(s, x->checkpoint));
    buf_puts(b, "</td><td>");
    esc(b, x->state);
    buf_puts(b, "</td><td>");
    esc(b, x->cause);
    buf_puts(b, "</td><td>");
    esc(b, x->actor);
    buf_puts(b, "</td><td>");
    esc(b, x->applies_to);
    buf_puts(b, "</td><td>");
    source_grade(b, x->source, x->grade);
    buf_puts(b, "</td><td><code>");
    esc(b, x->id);
    buf_puts(b, "</code></td></tr>\n");
  }
  buf_puts(b, "</table></div></section>\n");
}

static void
events(const struct sitrep *s, struct buf *b)
{
  section(b, "events", _("Events in the period"));
  if (s->nevents == 0) {
    buf_puts(b, "<p>");
    esc(b, _("No event recorded in the period."));
    buf_puts(b, "</p></section>\n");
    return;
  }
  buf_puts(b, "<ul>\n");
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    buf_puts(b, "<li><b>");
    esc(b, x->at);
    buf_puts(b, "</b> ");
    esc(b, x->kind);
    if (x->place) {
      buf_puts(b, ", ");
      esc(b, x->place);
    }
    buf_puts(b, ": ");
    esc(b, x->summary);
    buf_puts(b, " <span class=\"note\">(");
    source_grade(b, x->source, x->grade);
    buf_puts(b, ", <code>");
    esc(b, x->id);
    buf_puts(b, "</code>)</span></li>\n");
  }
  buf_puts(b, "</ul></section>\n");
}

static void
ref(struct buf *b, const char *what, const struct sr_ref *r)
{
  esc(b, what);
  buf_putc(b, ' ');
  if (r == NULL) {
    buf_putc(b, '?');
    return;
  }
  if (r->id == NULL) {
    esc(b, _("from the corridor file"));
    return;
  }
  buf_puts(b, "<code>");
  esc(b, r->id);
  buf_puts(b, "</code> (");
  source_grade(b, r->source, r->grade);
  if (r->basis) {
    buf_puts(b, ", ");
    esc(b, r->basis);
  }
  buf_putc(b, ')');
}

static void
supply(const struct sitrep *s, struct buf *b)
{
  char d[16];

  report__fmt_day(s->date, d, sizeof d);
  section(b, "supply", _("Supply outlook"));
  buf_puts(b, "<p class=\"note\">");
  {
    struct buf t;
    buf_init(&t);
    buf_printf(&t,
               _("At the start of %s. Days of cover = stock / (population x "
                 "need per person per day); the stock-out date is the first "
                 "day the stock no longer covers that day's net use."),
               d);
    esc(b, t.data);
    buf_cleanup(&t);
  }
  buf_puts(b, "</p>\n");
  if (s->nsupply == 0) {
    buf_puts(b, "<p>");
    esc(b, _("No category has a need."));
    buf_puts(b, "</p></section>\n");
    return;
  }
  buf_puts(b, "<div class=\"scroll\"><table><tr>");
  th(b, _("category"), 0);
  th(b, _("stock"), 1);
  th(b, _("need per day"), 1);
  th(b, _("days of cover"), 1);
  th(b, _("stock-out if nothing enters"), 0);
  th(b, _("at the last 7 days' inflow"), 0);
  th(b, _("at baseline inflow"), 0);
  th(b, _("alert"), 0);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    int cover = report__cover_known(x);
    buf_puts(b, "<tr><td>");
    esc(b, x->category);
    buf_puts(b, "</td><td class=\"n\">");
    if (x->has_stock) {
      report__range(b, x->stock_low, x->stock_high);
      buf_putc(b, ' ');
      esc(b, x->unit);
    } else {
      buf_puts(b, "<span class=\"unknown\">?</span>");
    }
    buf_puts(b, "</td><td class=\"n\">");
    num(b, x->need_per_day > 0, x->need_per_day);
    buf_putc(b, ' ');
    esc(b, x->unit);
    buf_puts(b, "</td><td class=\"n\">");
    if (cover)
      report__range(b, x->cover_low, x->cover_high);
    else
      buf_puts(b, "<span class=\"unknown\">?</span>");
    for (int sc = 0; sc < AS_COUNT; sc++) {
      buf_puts(b, "</td><td>");
      report__stockout(x, sc, b);
    }
    buf_puts(b, "</td><td>");
    if (!cover)
      buf_puts(b, "<span class=\"unknown\">?</span>");
    else if (x->alert == AA_NONE)
      buf_putc(b, '-');
    else
      buf_printf(b, "<span class=\"alert-%s\">%s</span>",
                 analysis_alert_names[x->alert],
                 analysis_alert_names[x->alert]);
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</table></div><p class=\"note\">");
  esc(b, _("Records behind these figures:"));
  buf_puts(b, "</p><ul class=\"note\">\n");
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct sr_supply_refs *r = &s->supply_refs[i];
    buf_puts(b, "<li>");
    esc(b, s->supply[i].category);
    buf_puts(b, ": ");
    if (r->stock.id)
      ref(b, _("stock"), &r->stock);
    else
      ref(b, _("stock"), NULL);
    buf_puts(b, "; ");
    if (r->population.id)
      ref(b, _("population"), &r->population);
    else
      ref(b, _("population"), NULL);
    buf_puts(b, "; ");
    ref(b, _("need"), &r->need);
    buf_puts(b, "</li>\n");
  }
  buf_puts(b, "</ul></section>\n");
}

static void
compliance(const struct sitrep *s, struct buf *b)
{
  char from[16], to[16];

  report__fmt_day(s->comp_from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  section(b, "compliance", _("Compliance"));
  if (s->ncomp == 0) {
    buf_puts(b, "<p>");
    esc(b, _("The corridor file states no obligation."));
    buf_puts(b, "</p></section>\n");
    return;
  }
  buf_puts(b, "<p class=\"note\">");
  buf_printf(b,
             _("Each day from %s to %s is met, breached or unknown (no "
               "data); an unknown day ends a run of breaches."),
             from, to);
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("obligation"), 0);
  th(b, _("met"), 1);
  th(b, _("breached"), 1);
  th(b, _("unknown"), 1);
  th(b, _("longest breach"), 1);
  th(b, _("current run"), 1);
  th(b, s->period_days == 1 ? _("this day") : _("this week"), 0);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    size_t met, br, un;
    report__period_verdicts(s, x, &met, &br, &un);
    buf_puts(b, "<tr><td><b><code>");
    esc(b, x->ob->id);
    buf_puts(b, "</code></b><br><span class=\"note\">");
    esc(b, x->ob->text);
    buf_printf(b,
               "</span></td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
               "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td "
               "class=\"n\">%zu</td><td>",
               x->days_met, x->days_breached, x->days_unknown,
               x->longest_breach, x->current_run);
    buf_printf(b, _("%zu met, %zu breached, %zu unknown"), met, br, un);
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</table></div></section>\n");
}

static void
quality(const struct sitrep *s, struct buf *b)
{
  static const char *const uses[SR_USE_COUNT] = {
      N_("flows"),  N_("status"),   N_("events"),
      N_("supply"), N_("coverage"), N_("baseline")};

  section(b, "quality", _("Data quality"));
  buf_puts(b, "<h3>");
  esc(b, _("Sources"));
  buf_puts(b, "</h3><p class=\"note\">");
  esc(b, _("Grades use the Admiralty code: reliability A (best) to F, "
           "credibility 1 (best) to 6."));
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("source"), 0);
  th(b, _("name"), 0);
  th(b, _("grade"), 0);
  th(b, _("used for"), 0);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->nsources; i++) {
    const struct sr_source *x = &s->sources[i];
    int first = 1;
    buf_puts(b, "<tr><td><code>");
    esc(b, x->id);
    buf_puts(b, "</code></td><td>");
    if (x->url) {
      /* A link to read the source, not something the page loads. */
      buf_puts(b, "<a href=\"");
      report__html_escape(b, x->url);
      buf_puts(b, "\">");
      esc(b, x->name ? x->name : x->id);
      buf_puts(b, "</a>");
    } else {
      esc(b, x->name ? x->name : _("not recorded"));
    }
    buf_puts(b, "</td><td>");
    esc(b, x->grade);
    buf_puts(b, "</td><td>");
    for (int u = 0; u < SR_USE_COUNT; u++) {
      if (x->used & (1u << u)) {
        if (!first)
          buf_puts(b, ", ");
        esc(b, _(uses[u]));
        first = 0;
      }
    }
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</table></div><h3>");
  esc(b, _("Disputed figures"));
  buf_puts(b, "</h3>\n");
  if (s->ndisputes == 0) {
    buf_puts(b, "<p>");
    esc(b, _("No figure of the period is disputed between sources."));
    buf_puts(b, "</p>\n");
  } else {
    buf_puts(b, "<p class=\"note\">");
    esc(b, _("Sources differ by more than the corridor's tolerance; the "
             "report uses the best-graded source's figure."));
    buf_puts(b, "</p><ul>\n");
    for (size_t i = 0; i < s->ndisputes; i++) {
      const struct sr_dispute *x = &s->disputes[i];
      buf_puts(b, "<li>");
      esc(b, x->day);
      buf_puts(b, ", ");
      esc(b, report__cp_name(s, x->checkpoint));
      buf_puts(b, ", ");
      esc(b, x->direction);
      buf_puts(b, ", ");
      esc(b, _(report__measure_name(x->measure)));
      buf_puts(b, ": <b>");
      num(b, x->known, x->value);
      buf_puts(b, "</b> (");
      for (size_t k = 0; k < x->nvalues; k++) {
        char n[64];
        if (k)
          buf_puts(b, "; ");
        source_grade(b, x->values[k].source, x->values[k].grade);
        report__fmt_num(x->values[k].value, n, sizeof n);
        buf_printf(b, ": %s", n);
      }
      buf_puts(b, ")</li>\n");
    }
    buf_puts(b, "</ul>\n");
  }
  buf_puts(b, "<h3>");
  esc(b, _("Unknown checkpoint-days"));
  buf_puts(b, "</h3><p class=\"note\">");
  esc(b, _("A day is observed when a coverage record says so or a flow "
           "record covers it; otherwise its figures are unknown, not zero."));
  buf_puts(b, "</p><div class=\"scroll\"><table><tr>");
  th(b, _("checkpoint"), 0);
  th(b, _("unknown days"), 1);
  buf_puts(b, "</tr>\n");
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    buf_puts(b, "<tr><td>");
    esc(b, cp->name);
    buf_puts(b, "</td><td class=\"n\">");
    if (cp->observed_known)
      buf_printf(b, _("%zu of %d"), cp->unknown_days, s->period_days);
    else
      buf_puts(b, "<span class=\"unknown\">?</span>");
    buf_puts(b, "</td></tr>\n");
  }
  buf_puts(b, "</table></div></section>\n");
}

static void
verification(const struct sitrep *s, struct buf *b)
{
  struct buf cmd, t;
  unsigned long long n = (unsigned long long)s->size;

  buf_init(&cmd);
  buf_init(&t);
  report__reproduce(s, "html", &cmd);
  buf_puts(b, "<footer id=\"verification\"><h2>");
  esc(b, _("Verification"));
  buf_puts(b, "</h2><p>");
  buf_printf(&t,
             _("Computed from the log `%s` at tree size **%llu**, root "
               "hash (base64) `%s`."),
             s->c->log ? s->c->log : "", n, s->root);
  md_inline(b, t.data);
  buf_puts(b, "</p><ul><li>");
  esc(b, _("Reproduce exactly, whatever was recorded since"));
  buf_puts(b, ": <code>");
  esc(b, cmd.data);
  buf_puts(b, "</code></li><li>");
  buf_reset(&t);
  buf_printf(&t,
             _("- Check: the signed checkpoint of size %llu published with "
               "this report must show this root (`passage verify "
               "--checkpoint FILE` checks it against a store); `passage "
               "proof consistency --old %llu --new SIZE`, checked with "
               "`passage verify-proof`, shows that a later checkpoint "
               "extends it; `passage proof inclusion --id RECORD --size "
               "%llu` proves that a record named here is in it."),
             n, n, n);
  md_inline(b, strncmp(t.data, "- ", 2) == 0 ? t.data + 2 : t.data);
  buf_puts(b, "</li></ul></footer>\n");
  buf_cleanup(&cmd);
  buf_cleanup(&t);
}

void
report__write_html(const struct sitrep *s, struct buf *b)
{
  struct buf title;

  buf_init(&title);
  buf_printf(&title, "%s: %s, ", _("Situation report"), s->c->name);
  report__period_title(s, &title);
  buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
  /* TRANSLATORS: the language code of this translation, for HTML. */
  esc(b, _("en"));
  buf_puts(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, "
              "initial-scale=1\">\n<title>");
  esc(b, title.data);
  buf_puts(b, "</title>\n<style>\n");
  buf_puts(b, css);
  buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<header><h1>");
  esc(b, _("Situation report"));
  buf_puts(b, ": ");
  esc(b, s->c->name);
  buf_puts(b, "</h1>\n<p><b>");
  buf_reset(&title);
  report__period_title(s, &title);
  esc(b, title.data);
  buf_puts(b, "</b> (");
  buf_reset(&title);
  buf_printf(&title, _("local days, %s"), s->c->timezone);
  esc(b, title.data);
  buf_puts(b, ")</p>\n<p class=\"meta\">");
  buf_reset(&title);
  buf_printf(&title, _("Computed from the log at tree size %llu, root `%s`."),
             (unsigned long long)s->size, s->root);
  md_inline(b, title.data);
  buf_puts(b, " ");
  if (s->c->inside) {
    /* The corridor's own text must not be read as marks. */
    buf_reset(&title);
    report__md_escape(&title, s->c->inside);
    {
      struct buf t;
      buf_init(&t);
      buf_printf(&t, _("*in* is toward the inside (%s), *out* away from it. "),
                 title.data);
      md_inline(b, t.data);
      buf_cleanup(&t);
    }
  }
  esc(b, _("? marks an unknown figure (not observed), never zero."));
  buf_puts(b, "</p>\n</header>\n");
  headline(s, b);
  charts(s, b);
  flow_table(s, b);
  status_table(s, b);
  events(s, b);
  supply(s, b);
  compliance(s, b);
  quality(s, b);
  verification(s, b);
  buf_puts(b, "</main>\n</body>\n</html>\n");
  buf_cleanup(&title);
}
