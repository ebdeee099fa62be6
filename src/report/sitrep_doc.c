/*
 * The sitrep as a document (doc.h): every heading, sentence, plural and
 * label of the Markdown, HTML and text forms is written here, once, and so
 * is every rule of what a figure shows: "?" for a figure nobody observed
 * (never 0), "-" for a value a record leaves empty, "from 0" for a change
 * from nothing. The renderers only lay it out.
 *
 * The full form (md, html) and the short form (txt, one message of at most
 * REPORT_TXT_MAX characters, its lines ranked by what may go first) say
 * different things and are built apart. The full form is one document for
 * both markups but where they have always read differently (the masthead;
 * the headline, key figures side by side in HTML and a list in Markdown;
 * the note on highlighted rows; the full stops of one list), and the
 * command that reproduces the report names its format. DOC_BREAK marks
 * where the HTML source starts a new line.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "report/doc.h"
#include "util/i18n.h"

static const char *const part_labels[AP_COUNT] = {N_("persons"), N_("vehicles"),
                                                  N_("tonnes")};
static const char *const dir_labels[AD_COUNT] = {N_("in"), N_("out")};

static const char *
part_label(int part)
{
  return _(part_labels[part]);
}

static const char *
dir_label(int dir)
{
  return _(dir_labels[dir]);
}

/* A record's or the corridor's text: "-" when it has none. */
static void
text(struct doc *d, const char *s)
{
  doc_text(d, s && s[0] ? s : "-");
}

/* "Week 2023-06-14 to 2023-06-20" or "Day 2023-06-20". */
static void
period_title(const struct sitrep *s, struct buf *out)
{
  char from[16], to[16];

  report__fmt_day(s->from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  if (s->period_days == 1)
    buf_printf(out, _("Day %s"), to);
  else
    buf_printf(out, _("Week %s to %s"), from, to);
}

static void
period_words(struct doc *d, const struct sitrep *s)
{
  struct buf t;

  buf_init(&t);
  period_title(s, &t);
  doc_words(d, t.data);
  buf_cleanup(&t);
}

static const char *
previous_label(const struct sitrep *s)
{
  return s->period_days == 1 ? _("previous day") : _("previous week");
}

/* The name of a checkpoint, or its id. */
static const char *
cp_name(const struct sitrep *s, const char *id)
{
  for (size_t i = 0; i < s->ncps; i++)
    if (id && strcmp(s->cps[i].id, id) == 0)
      return s->cps[i].name;
  return id ? id : "";
}

/* A source and its grade; "no source" for a record without one. */
static void
source_grade(struct doc *d, const char *source, const char *grade)
{
  doc_source(d, source && source[0] ? source : _("no source"), grade);
}

/* The sources behind a figure, "-" when none. */
static void
sources(struct doc *d, const struct sr_srcset *set)
{
  if (set->n == 0)
    doc_words(d, "-");
  for (size_t i = 0; i < set->n; i++) {
    if (i)
      doc_words(d, ", ");
    doc_style(d, DOC_LISTED);
    doc_source(d, set->v[i].id, set->v[i].grade);
    doc_style(d, 0);
  }
}

/* A scenario's stock-out: "2023-07-15 to 2023-08-01", "none" (the inflow
 * covers the need) or "?" (unknown). */
static void
stockout(struct doc *d, const struct analysis_supply *x, int sc)
{
  int have = sc == AS_NO_INFLOW       ? 1
             : sc == AS_RECENT_INFLOW ? x->has_inflow_7d
                                      : x->has_baseline_inflow;
  char a[16], b[16];

  if (!report__cover_known(x) || !have) {
    doc_words(d, "?");
    return;
  }
  if (!x->has_stockout[sc][0] || !x->has_stockout[sc][1]) {
    /* The scenario's inflow covers the need: the stock does not fall. */
    doc_words(d, _("none"));
    return;
  }
  report__fmt_day(x->stockout[sc][0], a, sizeof a);
  report__fmt_day(x->stockout[sc][1], b, sizeof b);
  if (strcmp(a, b) == 0)
    doc_words(d, a);
  else
    doc_wordsf(d, _("%s to %s"), a, b);
}

/* A table's column: its label (N_), the label it takes instead when the
 * report covers a week, and whether it holds figures. */
struct col {
  const char *label, *week;
  int numeric;
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* A table of the columns cols[0..n). */
static void
table(struct doc *d, const struct sitrep *s, const struct col *cols, size_t n)
{
  doc_block(d, DOC_TABLE, DOC_PLAIN);
  for (size_t i = 0; i < n; i++) {
    doc_column(d, cols[i].numeric);
    doc_words(d, _(s->period_days > 1 && cols[i].week ? cols[i].week
                                                      : cols[i].label));
  }
}

static void
section(struct doc *d, const char *id, const char *heading)
{
  doc_section(d, DOC_SECTION, id);
  doc_words(d, heading);
}

static void
para(struct doc *d, int style, const char *words)
{
  doc_block(d, DOC_PARA, style);
  doc_words(d, words);
}

/* The masthead. */

static void
masthead(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  const char *computed =
      _("Computed from the log at tree size %llu, root `%s`.");
  unsigned long long n = (unsigned long long)s->size;

  doc_section(d, DOC_HEADER, "");
  doc_words(d, _("Situation report"));
  doc_words(d, ": ");
  text(d, s->c->name);
  doc_block(d, DOC_PARA, DOC_PLAIN);
  doc_style(d, DOC_STRONG);
  period_words(d, s);
  doc_style(d, 0);
  doc_words(d, " (");
  doc_wordsf(d, _("local days, %s"), s->c->timezone);
  /* HTML gives what the report was computed from a line of its own. */
  if (fmt == REPORT_HTML) {
    doc_words(d, ")");
    doc_flags(d, DOC_BREAK);
    doc_block(d, DOC_PARA, DOC_META);
    doc_markedf(d, computed, n, s->root);
    doc_words(d, " ");
  } else {
    doc_words(d, "). ");
    doc_markedf(d, computed, n, s->root);
    doc_block(d, DOC_PARA, DOC_PLAIN);
  }
  if (s->c->inside) {
    /* The corridor's own text must not be read as marks. */
    struct buf in;
    buf_init(&in);
    report__md_escape(&in, s->c->inside);
    doc_markedf(d, _("*in* is toward the inside (%s), *out* away from it. "),
                in.data);
    buf_cleanup(&in);
  }
  doc_words(d, _("? marks an unknown figure (not observed), never zero."));
  doc_flags(d, DOC_BREAK);
}

/* The headline. */

/* "6 of 7 days known; previous week: 50%" */
static void
index_note(struct doc *d, const struct sitrep *s)
{
  if (!s->has_baseline)
    doc_words(d, _("no baseline window in the corridor file"));
  else
    doc_wordsf(d,
               ngettext("%zu of %d day known", "%zu of %d days known",
                        (unsigned long)s->period_days),
               s->index_known_days, s->period_days);
  doc_wordsf(d, "; %s: ", previous_label(s));
  doc_pct(d, s->prev_index_known, s->prev_index);
}

/* "Counted at: North Gate." */
static void
counted_at(struct doc *d, const struct sitrep *s)
{
  doc_words(d, _("Counted at"));
  doc_words(d, ": ");
  for (size_t i = 0; i < s->nindex_cps; i++) {
    if (i)
      doc_words(d, ", ");
    text(d, cp_name(s, s->index_cps[i]));
  }
  doc_words(d, ".");
}

/* "open since 2024-02-07T18:00:00" */
static void
state_since(struct doc *d, const struct sr_checkpoint *cp)
{
  doc_wordsf(d, _("%s since %s"), cp->state, cp->since ? cp->since : "?");
}

/* "in: 3 persons, 2 vehicles, 12.5 tonnes; out: ..." */
static void
totals(struct doc *d, const struct sitrep *s)
{
  for (int dir = 0; dir < AD_COUNT; dir++) {
    doc_wordsf(d, "%s%s: ", dir ? "; " : "", dir_label(dir));
    for (int p = 0; p < AP_COUNT; p++) {
      if (p)
        doc_words(d, ", ");
      doc_num(d, s->total_known[dir][p], s->total[dir][p]);
      doc_wordsf(d, " %s", part_label(p));
    }
    if (s->total_partial[dir])
      doc_wordsf(d, " (%s)", _("some checkpoint-days unknown"));
  }
  doc_words(d, ".");
}

static void
passed_label(struct doc *d)
{
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Passed at all checkpoints"));
  doc_style(d, 0);
  doc_words(d, ": ");
}

/* Flows against the baseline, per direction and part of the index. */
static void
baseline_table(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("direction"), NULL, 0}, {N_("measure"), NULL, 0},
      {N_("per day"), NULL, 1},   {N_("baseline"), NULL, 1},
      {N_("share"), NULL, 1},     {N_("previous day"), N_("previous week"), 1},
      {N_("change"), NULL, 1},    {N_("sources"), NULL, 0},
  };

  table(d, s, cols, COUNT(cols));
  for (int dir = 0; dir < AD_COUNT; dir++) {
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[dir][p];
      doc_row(d, 0);
      doc_cell(d);
      doc_words(d, dir_label(dir));
      doc_cell(d);
      doc_words(d, part_label(p));
      doc_cell(d);
      doc_num(d, x->known_days > 0, x->per_day);
      doc_cell(d);
      doc_num(d, x->base_known, x->baseline);
      doc_cell(d);
      doc_pct(d, x->ratio_known, x->ratio);
      doc_cell(d);
      doc_num(d, x->prev_known, x->prev_per_day);
      doc_cell(d);
      if (x->change_known)
        doc_change(d, x->change);
      else if (x->from_zero)
        doc_words(d, _("from 0"));
      else
        doc_unknown(d);
      doc_cell(d);
      sources(d, &x->src);
    }
  }
}

/* HTML: the index and each checkpoint's availability as key figures. */
static void
headline_figures(struct doc *d, const struct sitrep *s)
{
  doc_block(d, DOC_KEYFIGS, DOC_PLAIN);
  doc_keyfig(d);
  doc_words(d, _("Functioning index"));
  doc_value(d);
  doc_pct(d, s->index_known, s->index);
  doc_note(d);
  index_note(d, s);
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    doc_keyfig(d);
    text(d, cp->name);
    doc_value(d);
    doc_pct(d, cp->avail_known, cp->avail);
    doc_note(d);
    doc_words(d, _("available"));
    if (cp->state) {
      doc_words(d, "; ");
      state_since(d, cp);
    }
  }
  doc_flags(d, DOC_BREAK);
  if (s->index_cps) {
    doc_block(d, DOC_PARA, DOC_ASIDE);
    counted_at(d, s);
    doc_flags(d, DOC_BREAK);
  }
  doc_block(d, DOC_PARA, DOC_PLAIN);
  passed_label(d);
  totals(d, s);
  doc_flags(d, DOC_BREAK);
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Flows vs baseline"));
  para(d, DOC_ASIDE, _("mean per known day at the index's checkpoints"));
}

/* Markdown: the same as a list. */
static void
headline_list(struct doc *d, const struct sitrep *s)
{
  doc_block(d, DOC_LIST, DOC_PLAIN);
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Functioning index"));
  doc_words(d, ": ");
  doc_pct(d, s->index_known, s->index);
  doc_style(d, 0);
  doc_words(d, " (");
  index_note(d, s);
  doc_words(d, ").");
  if (s->index_cps) {
    doc_words(d, " ");
    counted_at(d, s);
  }
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Availability"));
  doc_style(d, 0);
  doc_words(d, ": ");
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    if (i)
      doc_words(d, "; ");
    text(d, cp->name);
    doc_words(d, " ");
    doc_pct(d, cp->avail_known, cp->avail);
    if (cp->state) {
      doc_words(d, " (");
      state_since(d, cp);
      doc_words(d, ")");
    }
  }
  doc_words(d, ".");
  doc_item(d);
  passed_label(d);
  totals(d, s);
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Flows vs baseline"));
  doc_style(d, 0);
  doc_wordsf(d, " (%s):", _("mean per known day at the index's checkpoints"));
}

static void
headline(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  section(d, "headline", _("Headline"));
  if (fmt == REPORT_HTML)
    headline_figures(d, s);
  else
    headline_list(d, s);
  baseline_table(d, s);
}

/* The charts of the last days (drawn by the forms that can). */

static void
legend(struct doc *d, const struct sitrep *s)
{
  doc_block(d, DOC_LEGEND, DOC_PLAIN);
  doc_swatch(d, analysis_direction_names[AD_IN], dir_label(AD_IN));
  doc_swatch(d, analysis_direction_names[AD_OUT], dir_label(AD_OUT));
  doc_swatch(d, "unknown", _("unknown (not observed)"));
  doc_swatch(d, "period", _("the report's period"));
  doc_words(d, " ");
  doc_day(d, s->chart_from);
  doc_words(d, " - ");
  doc_day(d, s->to);
  doc_flags(d, DOC_BREAK);
}

/* Each day's flow of one part, in and out, against the baseline. */
static void
flow_chart(struct doc *d, const struct sitrep *s, int p)
{
  struct doc_chart *c = doc_chart(d, DOC_CHART_BARS);

  c->title =
      xasprintf(_("Daily %s, in and out, against the baseline"), part_label(p));
  c->id = xasprintf("unk-flow-%d", p);
  c->unknown = xstrdup(_("unknown (not observed)"));
  c->first_day = s->days_from;
  c->ndays = s->ndays;
  c->bar_known = xcalloc(s->ndays ? s->ndays : 1, sizeof *c->bar_known);
  for (int dir = 0; dir < AD_COUNT; dir++) {
    c->key[dir] = xstrdup(analysis_direction_names[dir]);
    c->series[dir] = xstrdup(dir_label(dir));
    c->bar[dir] = xcalloc(s->ndays ? s->ndays : 1, sizeof *c->bar[dir]);
    for (size_t i = 0; i < s->ndays; i++)
      c->bar[dir][i] = s->days[i].flow[dir][p];
    if (s->part[dir][p].base_known) {
      c->ref += s->part[dir][p].baseline;
      c->ref_known = 1;
    }
  }
  for (size_t i = 0; i < s->ndays; i++)
    c->bar_known[i] = s->days[i].known;
  if (s->from >= s->days_from) {
    c->shade_from = (size_t)(s->from - s->days_from);
    c->shade_days = (size_t)s->period_days;
  }
  c->ref_label = xstrdup(_("baseline"));
}

static void
availability_chart(struct doc *d, const struct sitrep *s)
{
  struct doc_chart *c = doc_chart(d, DOC_CHART_STRIP);
  size_t n = s->ndays ? s->ndays : 1;

  c->title = xstrdup(_("Availability of each checkpoint, day by day"));
  c->id = xstrdup("unk-avail");
  c->unknown = xstrdup(_("unknown"));
  c->first_day = s->days_from;
  c->ndays = s->ndays;
  c->rows = xcalloc(s->ncps ? s->ncps : 1, sizeof *c->rows);
  c->nrows = s->ncps;
  for (size_t i = 0; i < s->ncps; i++) {
    c->rows[i].label = xstrdup(s->cps[i].name);
    c->rows[i].v = xcalloc(n, sizeof *c->rows[i].v);
    c->rows[i].known = xcalloc(n, sizeof *c->rows[i].known);
    memcpy(c->rows[i].v, s->cps[i].day_avail, s->ndays * sizeof(double));
    memcpy(c->rows[i].known, s->cps[i].day_known, s->ndays * sizeof(int));
  }
}

static void
cover_chart(struct doc *d, const struct sitrep *s)
{
  static const char *const levels[3] = {"critical", "severe", "warning"};
  struct doc_chart *c = doc_chart(d, DOC_CHART_RANGES);

  c->title = xstrdup(_("Days of cover per category, low to high"));
  c->id = xstrdup("unk-cover");
  c->unknown = xstrdup(_("unknown"));
  c->rows = xcalloc(s->nsupply ? s->nsupply : 1, sizeof *c->rows);
  c->nrows = s->nsupply;
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    c->rows[i].label = xstrdup(x->category);
    c->rows[i].range_known = report__cover_known(x);
    c->rows[i].low = x->cover_low;
    c->rows[i].high = x->cover_high;
    c->rows[i].level = xstrdup(analysis_alert_names[x->alert]);
  }
  c->axis_min = s->c->warning_days * 2.0;
  c->threshold[0] = s->c->critical_days;
  c->threshold[1] = s->c->severe_days;
  c->threshold[2] = s->c->warning_days;
  for (int k = 0; k < 3; k++)
    c->threshold_level[k] = xstrdup(levels[k]);
  c->range_label = xstrdup(_("days of cover"));
  c->range_unit = xstrdup(_("days"));
}

static void
charts(struct doc *d, const struct sitrep *s)
{
  section(d, "charts", _("The last 30 days"));
  legend(d, s);
  for (int p = 0; p < AP_COUNT; p++)
    flow_chart(d, s, p);
  availability_chart(d, s);
  cover_chart(d, s);
}

/* Flows. */

static void
checkpoint_table(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("checkpoint"), NULL, 0}, {N_("direction"), NULL, 0},
      {N_("persons"), NULL, 1},    {N_("vehicles"), NULL, 1},
      {N_("tonnes"), NULL, 1},     {N_("unknown days"), NULL, 1},
      {N_("sources"), NULL, 0},    {N_("note"), NULL, 0},
  };

  table(d, s, cols, COUNT(cols));
  doc_empty(d);
  doc_words(d, _("No checkpoint recorded."));
  for (size_t i = 0; i < s->by_cp.n; i++) {
    const struct sr_flow *r = &s->by_cp.v[i];
    doc_row(d, 0);
    doc_cell(d);
    text(d, cp_name(s, r->a));
    doc_cell(d);
    text(d, r->b);
    for (int p = 0; p < AP_COUNT; p++) {
      int k = report__part_measure[p];
      doc_cell(d);
      doc_num(d, r->known[k], r->m[k]);
    }
    doc_cell(d);
    doc_count(d, r->unknown_days);
    doc_cell(d);
    sources(d, &r->src);
    doc_cell(d);
    if (r->disputed)
      doc_flag(d, _("disputed"), "warning");
  }
  doc_flags(d, DOC_BREAK);
}

/* Flows by direction and a class (vehicle type, cargo category). */
static void
class_table(struct doc *d, const struct sitrep *s, const struct sr_flows *f,
            const char *caption, const struct col cols[3], int measure)
{
  if (f->n == 0)
    return;
  table(d, s, cols, 3);
  doc_caption(d);
  doc_words(d, caption);
  for (size_t i = 0; i < f->n; i++) {
    const struct sr_flow *r = &f->v[i];
    doc_row(d, 0);
    doc_cell(d);
    text(d, r->a);
    doc_cell(d);
    text(d, r->b[0] ? r->b : _("unspecified"));
    doc_cell(d);
    doc_num(d, r->known[measure], r->m[measure]);
  }
  doc_flags(d, DOC_BREAK);
}

static void
flows(struct doc *d, const struct sitrep *s)
{
  static const struct col vehicles[] = {{N_("direction"), NULL, 0},
                                        {N_("vehicle"), NULL, 0},
                                        {N_("vehicles"), NULL, 1}};
  static const struct col cargo[] = {{N_("direction"), NULL, 0},
                                     {N_("category"), NULL, 0},
                                     {N_("tonnes"), NULL, 1}};

  section(d, "flows", _("Flows by direction and class"));
  para(d, DOC_ASIDE,
       _("Totals of the period at every checkpoint. Each day's figure is the "
         "best-graded source's, never a sum of sources."));
  checkpoint_table(d, s);
  class_table(d, s, &s->by_vehicle, _("Vehicles by type:"), vehicles,
              AM_VEHICLES);
  class_table(d, s, &s->by_cat, _("Cargo by category:"), cargo, AM_TONNES);
}

/* The status timeline. */

static void
status(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  static const struct col cols[] = {
      {N_("at"), NULL, 0},     {N_("checkpoint"), NULL, 0},
      {N_("state"), NULL, 0},  {N_("cause"), NULL, 0},
      {N_("actor"), NULL, 0},  {N_("applies to"), NULL, 0},
      {N_("source"), NULL, 0}, {N_("record"), NULL, 0},
  };

  section(d, "status", _("Status timeline"));
  if (s->nstatus == 0) {
    para(d, DOC_PLAIN, _("No status recorded up to this date."));
    return;
  }
  /* HTML colours the rows of the period; Markdown sets their keys bold. */
  para(d, DOC_ASIDE,
       fmt == REPORT_HTML
           ? _("Every change up to the report's date; a state holds until "
               "the next change. Changes within the period are highlighted.")
           : _("Every change up to the report's date; a state holds until "
               "the next change. Changes within the period are in bold."));
  table(d, s, cols, COUNT(cols));
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    int mark = x->in_period ? DOC_MARK : 0;
    doc_row(d, x->in_period);
    doc_cell(d);
    doc_style(d, mark);
    text(d, x->at);
    doc_cell(d);
    text(d, cp_name(s, x->checkpoint));
    doc_cell(d);
    doc_style(d, mark);
    text(d, x->state);
    doc_cell(d);
    text(d, x->cause);
    doc_cell(d);
    text(d, x->actor);
    doc_cell(d);
    text(d, x->applies_to);
    doc_cell(d);
    source_grade(d, x->source, x->grade);
    doc_cell(d);
    doc_code(d, x->id);
  }
}

/* Events. */

static void
events(struct doc *d, const struct sitrep *s)
{
  section(d, "events", _("Events in the period"));
  if (s->nevents == 0) {
    para(d, DOC_PLAIN, _("No event recorded in the period."));
    return;
  }
  doc_block(d, DOC_LIST, DOC_PLAIN);
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    doc_item(d);
    doc_style(d, DOC_STRONG);
    text(d, x->at);
    doc_style(d, 0);
    doc_words(d, " ");
    text(d, x->kind);
    if (x->place) {
      doc_words(d, ", ");
      text(d, x->place);
    }
    doc_words(d, ": ");
    text(d, x->summary);
    doc_words(d, " ");
    doc_style(d, DOC_NOTE);
    doc_words(d, "(");
    source_grade(d, x->source, x->grade);
    doc_words(d, ", ");
    doc_code(d, x->id);
    doc_words(d, ")");
  }
}

/* Supply. */

/* "stock `stock-food-1` (agency B2, estimated)": the record behind a
 * figure; without one, "?" or, for a need, the corridor file. */
static void
ref(struct doc *d, const char *what, const struct sr_ref *r, int corridor)
{
  doc_wordsf(d, "%s ", what);
  if (r->id == NULL) {
    doc_words(d, corridor ? _("from the corridor file") : "?");
    return;
  }
  doc_code(d, r->id);
  doc_words(d, " (");
  source_grade(d, r->source, r->grade);
  if (r->basis) {
    doc_words(d, ", ");
    text(d, r->basis);
  }
  doc_words(d, ")");
}

static void
supply_row(struct doc *d, const struct analysis_supply *x)
{
  const char *unit = x->unit ? x->unit : "";
  int cover = report__cover_known(x);

  doc_row(d, 0);
  doc_cell(d);
  text(d, x->category);
  doc_cell(d);
  doc_range(d, x->has_stock, x->stock_low, x->stock_high);
  if (x->has_stock)
    doc_wordsf(d, " %s", unit);
  doc_cell(d);
  doc_num(d, x->need_per_day > 0, x->need_per_day);
  doc_wordsf(d, " %s", unit);
  doc_cell(d);
  doc_range(d, cover, x->cover_low, x->cover_high);
  for (int sc = 0; sc < AS_COUNT; sc++) {
    doc_cell(d);
    stockout(d, x, sc);
  }
  doc_cell(d);
  if (!cover)
    doc_unknown(d);
  else if (x->alert == AA_NONE)
    doc_words(d, "-");
  else
    doc_flag(d, analysis_alert_names[x->alert], analysis_alert_names[x->alert]);
}

static void
supply(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  static const struct col cols[] = {
      {N_("category"), NULL, 0},
      {N_("stock"), NULL, 1},
      {N_("need per day"), NULL, 1},
      {N_("days of cover"), NULL, 1},
      {N_("stock-out if nothing enters"), NULL, 0},
      {N_("at the last 7 days' inflow"), NULL, 0},
      {N_("at baseline inflow"), NULL, 0},
      {N_("alert"), NULL, 0},
  };
  char day[16];

  report__fmt_day(s->date, day, sizeof day);
  section(d, "supply", _("Supply outlook"));
  doc_block(d, DOC_PARA, DOC_ASIDE);
  doc_wordsf(d,
             _("At the start of %s. Days of cover = stock / (population x "
               "need per person per day); the stock-out date is the first "
               "day the stock no longer covers that day's net use."),
             day);
  doc_flags(d, DOC_BREAK);
  if (s->nsupply == 0) {
    para(d, DOC_PLAIN, _("No category has a need."));
    return;
  }
  table(d, s, cols, COUNT(cols));
  for (size_t i = 0; i < s->nsupply; i++)
    supply_row(d, &s->supply[i]);
  para(d, DOC_ASIDE, _("Records behind these figures:"));
  doc_block(d, DOC_LIST, DOC_ASIDE);
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct sr_supply_refs *r = &s->supply_refs[i];
    doc_item(d);
    text(d, s->supply[i].category);
    doc_words(d, ": ");
    ref(d, _("stock"), &r->stock, 0);
    doc_words(d, "; ");
    ref(d, _("population"), &r->population, 0);
    doc_words(d, "; ");
    ref(d, _("need"), &r->need, 1);
    /* The Markdown list has always ended each item as a sentence. */
    if (fmt != REPORT_HTML)
      doc_words(d, ".");
  }
}

/* Compliance. */

static void
compliance(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("obligation"), NULL, 0},
      {N_("met"), NULL, 1},
      {N_("breached"), NULL, 1},
      {N_("unknown"), NULL, 1},
      {N_("longest breach"), NULL, 1},
      {N_("current run"), NULL, 1},
      {N_("this day"), N_("this week"), 0},
  };
  char from[16], to[16];

  report__fmt_day(s->comp_from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  section(d, "compliance", _("Compliance"));
  if (s->ncomp == 0) {
    para(d, DOC_PLAIN, _("The corridor file states no obligation."));
    return;
  }
  doc_block(d, DOC_PARA, DOC_ASIDE);
  doc_wordsf(d,
             _("Each day from %s to %s is met, breached or unknown (no "
               "data); an unknown day ends a run of breaches."),
             from, to);
  table(d, s, cols, COUNT(cols));
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    const struct sr_verdicts *v = &s->comp_period[i];
    doc_row(d, 0);
    doc_cell(d);
    doc_style(d, DOC_KEY);
    doc_code(d, x->ob->id);
    doc_detail(d);
    text(d, x->ob->text);
    doc_cell(d);
    doc_count(d, x->days_met);
    doc_cell(d);
    doc_count(d, x->days_breached);
    doc_cell(d);
    doc_count(d, x->days_unknown);
    doc_cell(d);
    doc_count(d, x->longest_breach);
    doc_cell(d);
    doc_count(d, x->current_run);
    doc_cell(d);
    doc_wordsf(d, _("%zu met, %zu breached, %zu unknown"), v->met, v->breached,
               v->unknown);
  }
}

/* Data quality. */

static void
source_table(struct doc *d, const struct sitrep *s)
{
  static const char *const uses[SR_USE_COUNT] = {
      N_("flows"),  N_("status"),   N_("events"),
      N_("supply"), N_("coverage"), N_("baseline")};
  static const struct col cols[] = {
      {N_("source"), NULL, 0},
      {N_("name"), NULL, 0},
      {N_("grade"), NULL, 0},
      {N_("used for"), NULL, 0},
  };

  table(d, s, cols, COUNT(cols));
  doc_empty(d);
  doc_words(d, _("No sourced record is used."));
  for (size_t i = 0; i < s->nsources; i++) {
    const struct sr_source *x = &s->sources[i];
    const char *name = x->name ? x->name : x->id;
    int first = 1;
    doc_row(d, 0);
    doc_cell(d);
    doc_code(d, x->id);
    doc_cell(d);
    if (x->url)
      doc_link(d, name && name[0] ? name : "-", x->url);
    else
      text(d, x->name ? x->name : _("not recorded"));
    doc_cell(d);
    doc_words(d, x->grade[0] ? x->grade : "-");
    doc_cell(d);
    for (int u = 0; u < SR_USE_COUNT; u++) {
      if (x->used & (1u << u)) {
        doc_wordsf(d, "%s%s", first ? "" : ", ", _(uses[u]));
        first = 0;
      }
    }
  }
}

static void
dispute_list(struct doc *d, const struct sitrep *s)
{
  doc_block(d, DOC_LIST, DOC_PLAIN);
  for (size_t i = 0; i < s->ndisputes; i++) {
    const struct sr_dispute *x = &s->disputes[i];
    doc_item(d);
    text(d, x->day);
    doc_words(d, ", ");
    text(d, cp_name(s, x->checkpoint));
    doc_wordsf(d, ", %s, %s: ", x->direction,
               _(report__measure_name(x->measure)));
    doc_style(d, DOC_KEY);
    doc_num(d, x->known, x->value);
    doc_style(d, 0);
    doc_words(d, " (");
    for (size_t k = 0; k < x->nvalues; k++) {
      if (k)
        doc_words(d, "; ");
      source_grade(d, x->values[k].source, x->values[k].grade);
      doc_words(d, ": ");
      doc_num(d, 1, x->values[k].value);
    }
    doc_words(d, ")");
  }
  doc_flags(d, DOC_BREAK);
}

static void
quality(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("checkpoint"), NULL, 0},
      {N_("unknown days"), NULL, 1},
  };

  section(d, "quality", _("Data quality"));
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Sources"));
  para(d, DOC_ASIDE,
       _("Grades use the Admiralty code: reliability A (best) to F, "
         "credibility 1 (best) to 6."));
  source_table(d, s);
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Disputed figures"));
  doc_flags(d, DOC_BREAK);
  if (s->ndisputes == 0) {
    para(d, DOC_PLAIN,
         _("No figure of the period is disputed between sources."));
    doc_flags(d, DOC_BREAK);
  } else {
    para(d, DOC_ASIDE,
         _("Sources differ by more than the corridor's tolerance; the "
           "report uses the best-graded source's figure."));
    dispute_list(d, s);
  }
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Unknown checkpoint-days"));
  para(d, DOC_ASIDE,
       _("A day is observed when a coverage record says so or a flow "
         "record covers it; otherwise its figures are unknown, not zero."));
  table(d, s, cols, COUNT(cols));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    doc_row(d, 0);
    doc_cell(d);
    text(d, cp->name);
    doc_cell(d);
    if (cp->observed_known)
      doc_wordsf(d, _("%zu of %d"), cp->unknown_days, s->period_days);
    else
      doc_unknown(d);
  }
}

/* Verification. */

static void
verification(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  const char *check;
  struct buf cmd, t;
  unsigned long long n = (unsigned long long)s->size;

  buf_init(&cmd);
  buf_init(&t);
  report__reproduce(s, report_format_names[fmt], &cmd);
  doc_section(d, DOC_FOOTER, "verification");
  doc_words(d, _("Verification"));
  doc_block(d, DOC_PARA, DOC_PLAIN);
  doc_markedf(d,
              _("Computed from the log `%s` at tree size **%llu**, root "
                "hash (base64) `%s`."),
              s->c->log ? s->c->log : "", n, s->root);
  doc_block(d, DOC_LIST, DOC_PLAIN);
  doc_item(d);
  doc_words(d, _("Reproduce exactly, whatever was recorded since"));
  doc_words(d, ": ");
  doc_code(d, cmd.data);
  doc_item(d);
  buf_printf(&t,
             _("- Check: the signed checkpoint of size %llu published with "
               "this report must show this root (`passage verify "
               "--checkpoint FILE` checks it against a store); `passage "
               "proof consistency --old %llu --new SIZE`, checked with "
               "`passage verify-proof`, shows that a later checkpoint "
               "extends it; `passage proof inclusion --id RECORD --size "
               "%llu` proves that a record named here is in it."),
             n, n, n);
  /* The translated sentence carries its list mark; the list gives it. */
  check = strncmp(t.data, "- ", 2) == 0 ? t.data + 2 : t.data;
  doc_marked(d, check);
  buf_cleanup(&cmd);
  buf_cleanup(&t);
}

/* The short form: one line each, with a priority. */

enum {
  P_SOURCES = 1, /* dropped first */
  P_EVENT,
  P_QUALITY,
  P_COMPLIANCE,
  P_STATUS,
  P_SUPPLY,
  P_FLOWS,
};

static void
brief_headline(struct doc *d, const struct sitrep *s)
{
  doc_line(d, DOC_KEEP);
  doc_wordsf(d, "%s ", _("SITREP"));
  doc_clipped(d, s->c->name, 60);
  doc_words(d, ", ");
  period_words(d, s);

  doc_line(d, DOC_KEEP);
  doc_wordsf(d, "%s ", _("Index"));
  doc_pct(d, s->index_known, s->index);
  doc_words(d, " (");
  doc_wordsf(d, _("%zu/%d days known"), s->index_known_days, s->period_days);
  doc_wordsf(d, "; %s ", _("prev"));
  doc_pct(d, s->prev_index_known, s->prev_index);
  doc_words(d, ")");

  doc_line(d, DOC_KEEP);
  doc_wordsf(d, "%s:", _("Passed, all checkpoints"));
  for (int dir = 0; dir < AD_COUNT; dir++) {
    doc_wordsf(d, "%s %s", dir ? ";" : "", dir_label(dir));
    for (int p = 0; p < AP_COUNT; p++) {
      doc_wordsf(d, "%s ", p ? "," : "");
      doc_num(d, s->total_known[dir][p], s->total[dir][p]);
      doc_wordsf(d, " %s", part_label(p));
    }
    if (s->total_partial[dir])
      doc_words(d, " +?");
  }
}

static void
brief_flows(struct doc *d, const struct sitrep *s)
{
  for (int dir = 0; dir < AD_COUNT; dir++) {
    doc_line(d, P_FLOWS);
    doc_wordsf(d, "%s/%s %s:", dir_label(dir), _("day"), _("vs baseline"));
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[dir][p];
      doc_wordsf(d, "%s %s ", p ? "," : "", part_label(p));
      doc_num(d, x->known_days > 0, x->per_day);
      doc_wordsf(d, " %s ", _("of"));
      doc_num(d, x->base_known, x->baseline);
      doc_words(d, " (");
      doc_pct(d, x->ratio_known, x->ratio);
      if (x->change_known) {
        doc_words(d, "; ");
        doc_change(d, x->change);
        doc_wordsf(d, " %s", _("on prev"));
      }
      doc_words(d, ")");
    }
  }
  doc_line(d, P_FLOWS);
  doc_wordsf(d, "%s:", _("Availability"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    doc_wordsf(d, "%s ", i ? "," : "");
    doc_clipped(d, cp->name, 30);
    doc_words(d, " ");
    doc_pct(d, cp->avail_known, cp->avail);
    if (cp->state)
      doc_wordsf(d, " (%s %s)", _("now"), cp->state);
  }
}

static void
brief_status(struct doc *d, const struct sitrep *s)
{
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    if (!x->in_period)
      continue;
    doc_line(d, P_STATUS);
    doc_wordsf(d, "%s %s ", _("Change"), x->at ? x->at : "?");
    doc_clipped(d, cp_name(s, x->checkpoint), 30);
    doc_wordsf(d, " %s", x->state ? x->state : "?");
    if (x->cause)
      doc_wordsf(d, " (%s)", x->cause);
  }
}

static void
brief_supply(struct doc *d, const struct sitrep *s)
{
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    doc_line(d, P_SUPPLY);
    if (!report__cover_known(x)) {
      doc_wordsf(d, _("%s: cover unknown"), x->category);
      continue;
    }
    doc_wordsf(d, "%s: ", x->category);
    doc_range(d, 1, x->cover_low, x->cover_high);
    doc_wordsf(d, " %s; %s ", _("days of cover"), C_("stock", "out"));
    stockout(d, x, AS_NO_INFLOW);
    doc_wordsf(d, " %s", _("if nothing enters"));
    if (x->alert)
      doc_wordsf(d, " [%s]", analysis_alert_names[x->alert]);
  }
}

static void
brief_compliance(struct doc *d, const struct sitrep *s)
{
  char from[16];

  report__fmt_day(s->comp_from, from, sizeof from);
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    doc_line(d, P_COMPLIANCE);
    doc_clipped(d, x->ob->id, 40);
    doc_wordsf(d,
               _(": since %s breached %zu d, met %zu, unknown %zu; run "
                 "%zu"),
               from, x->days_breached, x->days_met, x->days_unknown,
               x->current_run);
  }
}

static void
brief_quality(struct doc *d, const struct sitrep *s)
{
  doc_line(d, P_QUALITY);
  doc_wordsf(d, "%s:", _("Unknown days"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    doc_wordsf(d, "%s ", i ? "," : "");
    doc_clipped(d, cp->name, 30);
    if (cp->observed_known)
      doc_wordsf(d, " %zu/%d", cp->unknown_days, s->period_days);
    else
      doc_words(d, " ?");
  }
  if (s->ndisputes) {
    doc_line(d, P_QUALITY);
    doc_wordsf(d, _("Disputed figures: %zu (see the full report)"),
               s->ndisputes);
  }
  if (s->nsources) {
    doc_line(d, P_SOURCES);
    doc_wordsf(d, "%s:", _("Sources"));
    for (size_t i = 0; i < s->nsources; i++) {
      doc_words(d, i ? ", " : " ");
      doc_source(d, s->sources[i].id, s->sources[i].grade);
    }
  }
}

static void
brief_events(struct doc *d, const struct sitrep *s)
{
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    doc_line(d, P_EVENT);
    doc_wordsf(d, "%s %s: ", x->at ? x->at : "?", x->kind ? x->kind : "");
    doc_clipped(d, x->summary, 90);
  }
}

/* Even the shortest message says what it was computed from. */
static void
brief_log(struct doc *d, const struct sitrep *s)
{
  doc_line(d, DOC_KEEP);
  doc_wordsf(d, _("Log size %llu root %s"), (unsigned long long)s->size,
             s->root);
  doc_line(d, DOC_KEEP);
  doc_words(d, _("Check: passage proof, passage verify-proof"));
}

struct doc *
report__sitrep_doc(const struct sitrep *s, enum report_format fmt)
{
  struct buf title;
  struct doc *d;

  buf_init(&title);
  buf_printf(&title, "%s: %s, ", _("Situation report"), s->c->name);
  period_title(s, &title);
  /* TRANSLATORS: the language code of this translation, for HTML. */
  d = doc_new(title.data, _("en"));
  buf_cleanup(&title);
  if (fmt == REPORT_TXT) {
    brief_headline(d, s);
    brief_flows(d, s);
    brief_status(d, s);
    brief_supply(d, s);
    brief_compliance(d, s);
    brief_quality(d, s);
    brief_events(d, s);
    brief_log(d, s);
    return d;
  }
  masthead(d, s, fmt);
  headline(d, s, fmt);
  charts(d, s);
  flows(d, s);
  status(d, s, fmt);
  events(d, s);
  supply(d, s, fmt);
  compliance(d, s);
  quality(d, s);
  verification(d, s, fmt);
  return d;
}
