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
#include <time.h>

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

/* How a part's or a measure's figures read: persons, vehicles and records
 * whole, tonnes to one decimal below 10 (util_format_shown). */
static enum util_shown
part_shown(int part)
{
  return part == AP_TONNES ? UTIL_SHOWN_QUANTITY : UTIL_SHOWN_COUNT;
}

static enum util_shown
measure_shown(int measure)
{
  return measure == AM_TONNES ? UTIL_SHOWN_QUANTITY : UTIL_SHOWN_COUNT;
}

/* A part's share of its baseline as a reader works it out from the two
 * figures shown beside it, min(1, per day / baseline): a table must not
 * say "0 of 1,225 (0.1%)". Unknown when the analysis knows no share. */
static void
part_share(struct doc *d, const struct sr_part *x, int p)
{
  double now = util_shown_round(x->per_day, part_shown(p));
  double base = util_shown_round(x->baseline, part_shown(p));

  if (!x->ratio_known || base <= 0) {
    doc_pct(d, x->ratio_known, x->ratio);
    return;
  }
  doc_pct(d, 1, now < base ? now / base : 1);
}

/* A figure, marked "≈" when it holds an even share of a record longer
 * than the period it shows (the report's notes name the record and its
 * interval). */
static void
approx_num(struct doc *d, int known, double v, enum util_shown shown,
           int approximate)
{
  if (known && approximate)
    doc_words(d, "≈");
  doc_num(d, known, v, shown);
}

/* A part's change on the previous period, from the two figures shown (so
 * that "0 to 0" never reads -100%); "from 0" where the previous figure
 * shows 0 and this one does not; "same record" where both figures are
 * slices of one record spread over both periods (they differ only by the
 * spreading, so no change is computed); "?" where either is unknown. */
static void
part_change(struct doc *d, const struct sr_part *x, int p)
{
  double change;

  if (x->same_record) {
    doc_words(d, _("same record"));
    return;
  }
  if (!x->change_known && !x->from_zero) {
    doc_unknown(d);
    return;
  }
  if (util_shown_change(x->per_day, x->prev_per_day, part_shown(p), &change) ==
      OK)
    doc_change(d, change);
  else
    doc_words(d, _("from 0"));
}

/* A record's or the corridor's text: "-" when it has none. */
static void
text(struct doc *d, const char *s)
{
  doc_text(d, s && s[0] ? s : "-");
}

/* "Day 2023-06-20", "Week 2023-06-14 to 2023-06-20", "Month 2023-06" or,
 * for a month not over yet, "Month 2023-06 (2023-06-01 to 2023-06-20), 20
 * of 30 days": a partial period says so. */
static void
period_title(const struct sitrep *s, struct buf *out)
{
  char from[16], to[16];

  report__fmt_day(s->from, from, sizeof from);
  report__fmt_day(s->to, to, sizeof to);
  switch (s->kind) {
  case REPORT_PERIOD_DAY:
    buf_printf(out, _("Day %s"), to);
    break;
  case REPORT_PERIOD_WEEK:
    buf_printf(out, _("Week %s to %s"), from, to);
    break;
  case REPORT_PERIOD_MONTH:
    if (s->period_days == s->month_days)
      buf_printf(out, _("Month %.7s"), from);
    else
      buf_printf(out, _("Month %.7s (%s to %s), %d of %d days"), from, from, to,
                 s->period_days, s->month_days);
    break;
  default:
    buf_printf(out, _("Period %s to %s"), from, to);
  }
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

/* "previous day", "previous week", "previous 30 days": the period before,
 * of the same length. */
static void
previous_words(struct doc *d, const struct sitrep *s)
{
  if (s->kind == REPORT_PERIOD_DAY)
    doc_words(d, _("previous day"));
  else if (s->kind == REPORT_PERIOD_WEEK)
    doc_words(d, _("previous week"));
  else
    doc_wordsf(d,
               ngettext("previous %d day", "previous %d days",
                        (unsigned long)s->period_days),
               s->period_days);
}

/* "this day", "this week", "this month", "this period". */
static void
this_words(struct doc *d, const struct sitrep *s)
{
  static const char *const words[] = {N_("this day"), N_("this week"),
                                      N_("this month"), N_("this period")};

  doc_words(d, _(words[s->kind]));
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

/* A table's column: its label (N_), or the words that name it after the
 * report's period, and whether it holds figures. */
struct col {
  const char *label;
  void (*words)(struct doc *d, const struct sitrep *s);
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
    if (cols[i].words)
      cols[i].words(d, s);
    else
      doc_words(d, _(cols[i].label));
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
  doc_words(d, "; ");
  previous_words(d, s);
  doc_words(d, ": ");
  doc_pct(d, s->prev_index_known, s->prev_index);
}

/* The checkpoints the index counts, by name: "Shusha junction", "North
 * Gate and South Bridge", "every checkpoint"; each cut at clip characters
 * in the short form (0: whole). */
static void
counted_names(struct doc *d, const struct sitrep *s, size_t clip)
{
  if (s->index_cps == NULL) {
    doc_words(d, _("every checkpoint"));
    return;
  }
  for (size_t i = 0; i < s->nindex_cps; i++) {
    const char *name = cp_name(s, s->index_cps[i]);
    if (i)
      doc_words(d, i + 1 == s->nindex_cps ? _(" and ") : ", ");
    if (clip)
      doc_clipped(d, name, clip);
    else
      text(d, name);
  }
}

/* "Counted at: North Gate." */
static void
counted_at(struct doc *d, const struct sitrep *s)
{
  doc_words(d, _("Counted at"));
  doc_words(d, ": ");
  counted_names(d, s, 0);
  doc_words(d, ".");
}

/* " (1 of 7 days unknown)", or " +?" in the short form, for a figure
 * known on only some of the period's days. */
static void
unknown_part(struct doc *d, const struct sitrep *s, size_t known, int brief)
{
  if (known == 0 || known >= (size_t)s->period_days)
    return;
  if (brief)
    doc_words(d, " +?");
  else
    doc_wordsf(d,
               ngettext(" (%zu of %d day unknown)", " (%zu of %d days unknown)",
                        (unsigned long)s->period_days),
               (size_t)s->period_days - known, s->period_days);
}

/* What the index counted in the period, per direction: "in: 3 persons, 2
 * vehicles, 12.5 tonnes (1 of 7 days unknown); out: ...", the days
 * unknown after each figure when its parts were known on different days.
 * Never a sum over checkpoints along one route, which would count the
 * same people twice. */
static void
counted_totals(struct doc *d, const struct sitrep *s, int brief)
{
  for (int dir = 0; dir < AD_COUNT; dir++) {
    int same = 1;
    for (int p = 1; p < AP_COUNT; p++)
      same &= s->part[dir][p].known_days == s->part[dir][0].known_days;
    doc_wordsf(d, "%s%s%s ", dir ? "; " : "", dir_label(dir), brief ? "" : ":");
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[dir][p];
      if (p)
        doc_words(d, ", ");
      approx_num(d, x->known_days > 0, x->total, part_shown(p), x->approximate);
      doc_wordsf(d, " %s", part_label(p));
      if (!same)
        unknown_part(d, s, x->known_days, brief);
    }
    if (same)
      unknown_part(d, s, s->part[dir][0].known_days, brief);
  }
  if (!brief)
    doc_words(d, ".");
}

/* "**Counted by the index** at Shusha junction: " */
static void
counted_label(struct doc *d, const struct sitrep *s)
{
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Counted by the index"));
  doc_style(d, 0);
  doc_wordsf(d, " %s ", C_("place", "at"));
  counted_names(d, s, 0);
  doc_words(d, ": ");
}

/* One sentence per checkpoint and direction of s->uncounted[i..j): "100,417
 * persons and 21,103 vehicles left through Kornidzor, which the index does
 * not count." (clip: names cut in the short form). */
static void
uncounted_sentence(struct doc *d, const struct sitrep *s, size_t i, size_t j,
                   size_t clip)
{
  const struct sr_uncounted *u = &s->uncounted[i];
  const char *name = cp_name(s, u->checkpoint);

  for (size_t k = i; k < j; k++) {
    if (k > i)
      doc_words(d, k + 1 == j ? _(" and ") : ", ");
    doc_style(d, DOC_STRONG);
    approx_num(d, 1, s->uncounted[k].value, part_shown(s->uncounted[k].part),
               s->uncounted[k].approximate);
    doc_wordsf(d, " %s", part_label(s->uncounted[k].part));
    doc_style(d, 0);
  }
  doc_wordsf(d, " %s ",
             u->dir == AD_OUT ? _("left through") : _("entered through"));
  if (clip)
    doc_clipped(d, name, clip);
  else
    text(d, name);
  doc_wordsf(d, ", %s%s", _("which the index does not count"), clip ? "" : ".");
}

/* The end of the run of s->uncounted starting at i that is about one
 * checkpoint and direction. */
static size_t
uncounted_run(const struct sitrep *s, size_t i)
{
  size_t j = i + 1;

  while (j < s->nuncounted &&
         strcmp(s->uncounted[j].checkpoint, s->uncounted[i].checkpoint) == 0 &&
         s->uncounted[j].dir == s->uncounted[i].dir)
    j++;
  return j;
}

/* "mean per known day at Shusha junction" */
static void
per_day_at(struct doc *d, const struct sitrep *s)
{
  doc_wordsf(d, "%s ", _("mean per known day at"));
  counted_names(d, s, 0);
}

/* Availability. A checkpoint's figure for a day is the lower of its two
 * directions, the corridor's the minimum over its route checkpoints; where
 * the two directions differ in the period, each is given. */

static int
same_text(const char *a, const char *b)
{
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* 1 when one figure and one state say a checkpoint's period both ways. */
static int
same_both_ways(const struct sr_checkpoint *cp)
{
  const int *k = cp->avail_dir_known;
  const double *v = cp->avail_dir;

  if (k[AD_IN] != k[AD_OUT] || k[AD_IN] != cp->avail_known)
    return 0;
  if (k[AD_IN] && (v[AD_IN] - v[AD_OUT] > 1e-9 || v[AD_OUT] - v[AD_IN] > 1e-9 ||
                   v[AD_IN] - cp->avail > 1e-9))
    return 0;
  return same_text(cp->state_dir_id[AD_IN], cp->state_dir_id[AD_OUT]);
}

/* "open since 2024-02-07T18:00:00"; "now open" in the short form. */
static void
state_words(struct doc *d, const char *state, const char *since, int brief)
{
  if (brief)
    doc_wordsf(d, "%s %s", _("now"), state);
  else
    doc_wordsf(d, _("%s since %s"), state, since ? since : "?");
}

/* " (open since ...)" after a figure, when a state is recorded. */
static void
state_note(struct doc *d, const char *state, const char *since, int brief)
{
  if (state == NULL)
    return;
  doc_words(d, " (");
  state_words(d, state, since, brief);
  doc_words(d, ")");
}

/* The name a checkpoint's availability is given under: the corridor's own
 * says what it is; one off the route says that it does not count in it. */
static void
avail_name(struct doc *d, const struct sitrep *s,
           const struct sr_checkpoint *cp, int brief)
{
  if (cp == &s->corridor) {
    doc_words(d, brief ? _("corridor") : _("the corridor"));
    if (!brief)
      doc_wordsf(d, " (%s)", _("as open as its most closed route checkpoint"));
    return;
  }
  if (brief)
    doc_clipped(d, cp->name, 30);
  else
    text(d, cp->name);
  if (!cp->route)
    doc_wordsf(d, " (%s)", _("off the route"));
}

/* "100% (open since 2022-11-01)", or per direction "in 50% (restricted
 * since 2023-09-18), out 100% (open since 2023-09-24)". */
static void
avail_figures(struct doc *d, const struct sr_checkpoint *cp, int brief)
{
  if (same_both_ways(cp)) {
    doc_pct(d, cp->avail_known, cp->avail);
    state_note(d, cp->state_dir[AD_IN], cp->since_dir[AD_IN], brief);
    return;
  }
  for (int dir = 0; dir < AD_COUNT; dir++) {
    doc_wordsf(d, "%s%s ", dir ? ", " : "", dir_label(dir));
    doc_pct(d, cp->avail_dir_known[dir], cp->avail_dir[dir]);
    state_note(d, cp->state_dir[dir], cp->since_dir[dir], brief);
  }
}

/* The corridor first, then each checkpoint: "the corridor (...) in 50%,
 * out 100%; Kornidzor 100% (open since ...); ...". */
static void
availability_list(struct doc *d, const struct sitrep *s, int brief)
{
  for (size_t i = 0; i <= s->ncps; i++) {
    const struct sr_checkpoint *cp = i ? &s->cps[i - 1] : &s->corridor;
    doc_words(d, i ? "; " : " ");
    avail_name(d, s, cp, brief);
    doc_words(d, " ");
    avail_figures(d, cp, brief);
  }
}

/* Flows against the baseline, per direction and part of the index. */
static void
baseline_table(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("direction"), NULL, 0}, {N_("measure"), NULL, 0},
      {N_("per day"), NULL, 1},   {N_("baseline"), NULL, 1},
      {N_("share"), NULL, 1},     {NULL, previous_words, 1},
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
      approx_num(d, x->known_days > 0, x->per_day, part_shown(p),
                 x->approximate);
      doc_cell(d);
      doc_num(d, x->base_known, x->baseline, part_shown(p));
      doc_cell(d);
      part_share(d, x, p);
      doc_cell(d);
      doc_num(d, x->prev_known, x->prev_per_day, part_shown(p));
      doc_cell(d);
      part_change(d, x, p);
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
  for (size_t i = 0; i <= s->ncps; i++) {
    const struct sr_checkpoint *cp = i ? &s->cps[i - 1] : &s->corridor;
    int same = same_both_ways(cp);
    doc_keyfig(d);
    if (i)
      text(d, cp->name);
    else
      doc_words(d, _("Corridor"));
    doc_value(d);
    for (int dir = 0; dir < (same ? 1 : AD_COUNT); dir++) {
      if (!same)
        doc_wordsf(d, "%s%s ", dir ? ", " : "", dir_label(dir));
      doc_pct(d, same ? cp->avail_known : cp->avail_dir_known[dir],
              same ? cp->avail : cp->avail_dir[dir]);
    }
    doc_note(d);
    doc_words(d, _("available"));
    if (i == 0)
      doc_wordsf(d, ": %s", _("as open as its most closed route checkpoint"));
    else if (!cp->route)
      doc_wordsf(d, ", %s", _("off the route"));
    for (int dir = 0; dir < (same ? 1 : AD_COUNT); dir++) {
      if (cp->state_dir[dir] == NULL)
        continue;
      doc_words(d, "; ");
      if (!same)
        doc_wordsf(d, "%s ", dir_label(dir));
      state_words(d, cp->state_dir[dir], cp->since_dir[dir], 0);
    }
  }
  doc_flags(d, DOC_BREAK);
  doc_block(d, DOC_PARA, DOC_ASIDE);
  counted_at(d, s);
  doc_flags(d, DOC_BREAK);
  doc_block(d, DOC_PARA, DOC_PLAIN);
  counted_label(d, s);
  counted_totals(d, s, 0);
  doc_flags(d, DOC_BREAK);
  for (size_t i = 0; i < s->nuncounted; i = uncounted_run(s, i)) {
    doc_block(d, DOC_PARA, DOC_PLAIN);
    uncounted_sentence(d, s, i, uncounted_run(s, i), 0);
    doc_flags(d, DOC_BREAK);
  }
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Flows vs baseline"));
  doc_block(d, DOC_PARA, DOC_ASIDE);
  per_day_at(d, s);
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
  doc_words(d, "). ");
  counted_at(d, s);
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Availability"));
  doc_style(d, 0);
  doc_words(d, ":");
  availability_list(d, s, 0);
  doc_words(d, ".");
  doc_item(d);
  counted_label(d, s);
  counted_totals(d, s, 0);
  for (size_t i = 0; i < s->nuncounted; i = uncounted_run(s, i)) {
    doc_item(d);
    uncounted_sentence(d, s, i, uncounted_run(s, i), 0);
  }
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Flows vs baseline"));
  doc_style(d, 0);
  doc_words(d, " (");
  per_day_at(d, s);
  doc_words(d, "):");
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
  const struct analysis_index_day *day = s->days + s->chart_at;
  size_t n = s->ndays - s->chart_at;

  c->shown = (int)part_shown(p);
  {
    /* The title names where the index counts. */
    struct buf at;
    buf_init(&at);
    if (s->index_cps == NULL)
      buf_puts(&at, _("every checkpoint"));
    for (size_t i = 0; s->index_cps && i < s->nindex_cps; i++)
      buf_printf(&at, "%s%s",
                 i == 0                   ? ""
                 : i + 1 == s->nindex_cps ? _(" and ")
                                          : ", ",
                 cp_name(s, s->index_cps[i]));
    c->title = xasprintf(_("Daily %s at %s, in and out, against the baseline"),
                         part_label(p), at.data);
    buf_cleanup(&at);
  }
  c->id = xasprintf("unk-flow-%d", p);
  c->unknown = xstrdup(_("unknown (not observed)"));
  c->first_day = s->chart_from;
  c->ndays = n;
  c->bar_known = xcalloc(n ? n : 1, sizeof *c->bar_known);
  for (int dir = 0; dir < AD_COUNT; dir++) {
    c->key[dir] = xstrdup(analysis_direction_names[dir]);
    c->series[dir] = xstrdup(dir_label(dir));
    c->bar[dir] = xcalloc(n ? n : 1, sizeof *c->bar[dir]);
    for (size_t i = 0; i < n; i++)
      c->bar[dir][i] = day[i].flow[dir][p];
    if (s->part[dir][p].base_known) {
      c->ref += s->part[dir][p].baseline;
      c->ref_known = 1;
    }
  }
  /* A part's bar is known when both directions' flows of that part are
   * (a persons-only record leaves the vehicles bar unknown). */
  for (size_t i = 0; i < n; i++)
    c->bar_known[i] =
        day[i].flow_known[AD_IN][p] && day[i].flow_known[AD_OUT][p];
  /* The period, or the part of it the charts' days show. */
  c->shade_from =
      s->from > s->chart_from ? (size_t)(s->from - s->chart_from) : 0;
  c->shade_days = (size_t)(s->to - s->chart_from + 1) - c->shade_from;
  c->ref_label = xstrdup(_("baseline"));
}

static void
availability_chart(struct doc *d, const struct sitrep *s)
{
  struct doc_chart *c = doc_chart(d, DOC_CHART_STRIP);
  size_t at = s->chart_at, n = s->ndays - at;

  c->title = xstrdup(_("Availability of the corridor and each checkpoint, "
                       "day by day (the lower of the two directions)"));
  c->id = xstrdup("unk-avail");
  c->unknown = xstrdup(_("unknown"));
  c->first_day = s->chart_from;
  c->ndays = n;
  c->rows = xcalloc(s->ncps + 1, sizeof *c->rows);
  c->nrows = s->ncps + 1;
  /* The corridor first, as everywhere. */
  for (size_t i = 0; i <= s->ncps; i++) {
    const struct sr_checkpoint *cp = i ? &s->cps[i - 1] : &s->corridor;
    c->rows[i].label = xstrdup(i ? cp->name : _("Corridor"));
    c->rows[i].v = xcalloc(n ? n : 1, sizeof *c->rows[i].v);
    c->rows[i].known = xcalloc(n ? n : 1, sizeof *c->rows[i].known);
    memcpy(c->rows[i].v, cp->day_avail + at, n * sizeof(double));
    memcpy(c->rows[i].known, cp->day_known + at, n * sizeof(int));
  }
}

static void
cover_chart(struct doc *d, const struct sitrep *s)
{
  static const char *const levels[3] = {"critical", "severe", "warning"};
  struct doc_chart *c = doc_chart(d, DOC_CHART_RANGES);

  c->shown = UTIL_SHOWN_QUANTITY; /* days */
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

/* A row's days not observed throughout: one count when its classes
 * agree, else per class ("persons 0, vehicles 7, tonnes 7"): a head count
 * says nothing of trucks. */
static void
unknown_days_cell(struct doc *d, const struct sr_flow *r)
{
  int same = 1;

  for (int p = 1; p < AP_COUNT; p++)
    same &= r->unknown[report__part_measure[p]] ==
            r->unknown[report__part_measure[0]];
  if (same) {
    doc_count(d, r->unknown_days);
    return;
  }
  for (int p = 0; p < AP_COUNT; p++) {
    doc_wordsf(d, "%s%s ", p ? ", " : "", part_label(p));
    doc_count(d, r->unknown[report__part_measure[p]]);
  }
}

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
      approx_num(d, r->known[k], r->m[k], part_shown(p), r->approximate[k]);
    }
    doc_cell(d);
    unknown_days_cell(d, r);
    doc_cell(d);
    sources(d, &r->src);
    doc_cell(d);
    if (r->disputed)
      doc_flag(d, _("disputed"), "warning");
  }
  doc_flags(d, DOC_BREAK);
}

/* "19 vehicles, 0 persons, 361 tonnes": what waits. */
static void
backlog_figures(struct doc *d, const struct sr_backlog *b)
{
  for (int p = 0; p < AP_COUNT; p++) {
    if (p)
      doc_words(d, ", ");
    doc_num(d, 1, b->v[report__part_measure[p]], part_shown(p));
    doc_wordsf(d, " %s", part_label(p));
  }
}

/* The backlog at the end of the date, per checkpoint and direction. */
static void
backlog(struct doc *d, const struct sitrep *s)
{
  const char *first = s->c->nstages ? s->c->stages[0] : "";
  char day[16];

  report__fmt_day(s->date, day, sizeof day);
  doc_block(d, DOC_PARA, DOC_PLAIN);
  doc_style(d, DOC_STRONG);
  doc_words(d, _("Backlog"));
  doc_style(d, 0);
  doc_words(d, " ");
  doc_wordsf(d,
             _("at the end of %s (entered %s, not yet past %s nor turned "
               "back)"),
             day, first, s->c->counting_stage ? s->c->counting_stage : "");
  if (s->nbacklog == 0) {
    doc_words(d, ": ");
    doc_words(d, _("none recorded."));
    doc_flags(d, DOC_BREAK);
    return;
  }
  doc_words(d, ":");
  doc_block(d, DOC_LIST, DOC_PLAIN);
  for (size_t i = 0; i < s->nbacklog; i++) {
    doc_item(d);
    text(d, cp_name(s, s->backlog[i].checkpoint));
    doc_wordsf(d, ", %s: ", dir_label(s->backlog[i].dir));
    backlog_figures(d, &s->backlog[i]);
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
    approx_num(d, r->known[measure], r->m[measure], measure_shown(measure),
               r->approximate[measure]);
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
       _("Totals of the period per checkpoint, never added up: traffic "
         "along one route passes several checkpoints. Sources are "
         "reconciled in time: claims about the same time are never added "
         "(the best-graded counts), claims about different times are. "
         "Unknown days: days not observed throughout, per class where the "
         "classes differ."));
  checkpoint_table(d, s);
  class_table(d, s, &s->by_vehicle, _("Vehicles by type:"), vehicles,
              AM_VEHICLES);
  class_table(d, s, &s->by_cat, _("Cargo by category:"), cargo, AM_TONNES);
  backlog(d, s);
}

/* The status timeline. */

static void
status(struct doc *d, const struct sitrep *s, enum report_format fmt)
{
  static const struct col cols[] = {
      {N_("at"), NULL, 0},         {N_("checkpoint"), NULL, 0},
      {N_("direction"), NULL, 0},  {N_("state"), NULL, 0},
      {N_("cause"), NULL, 0},      {N_("actor"), NULL, 0},
      {N_("applies to"), NULL, 0}, {N_("source"), NULL, 0},
      {N_("record"), NULL, 0},
  };

  section(d, "status", _("Status timeline"));
  if (s->nstatus == 0) {
    para(d, DOC_PLAIN, _("No status recorded up to this date."));
    return;
  }
  /* HTML colours the rows of the period; Markdown sets their keys bold. */
  para(d, DOC_ASIDE,
       fmt == REPORT_HTML
           ? _("The state each checkpoint was in when the period began (its "
               "last change before it, for each direction), then every "
               "change up to the report's date; a state holds until the "
               "next change for its direction (both: each). Changes within "
               "the period are highlighted.")
           : _("The state each checkpoint was in when the period began (its "
               "last change before it, for each direction), then every "
               "change up to the report's date; a state holds until the "
               "next change for its direction (both: each). Changes within "
               "the period are in bold."));
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
    text(d, x->direction ? x->direction : "both");
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
  doc_range(d, x->has_stock, x->stock_low, x->stock_high, UTIL_SHOWN_QUANTITY);
  if (x->has_stock)
    doc_wordsf(d, " %s", unit);
  doc_cell(d);
  doc_num(d, x->need_per_day > 0, x->need_per_day, UTIL_SHOWN_QUANTITY);
  doc_wordsf(d, " %s", unit);
  doc_cell(d);
  doc_range(d, cover, x->cover_low, x->cover_high, UTIL_SHOWN_QUANTITY);
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

/* When an obligation is in force, if not always: its days are counted
 * from then. */
static void
in_force(struct doc *d, const struct corridor_obligation *ob)
{
  char from[16], until[16];

  if (ob->has_from)
    report__fmt_day(ob->from, from, sizeof from);
  if (ob->has_until)
    report__fmt_day(ob->until, until, sizeof until);
  if (ob->has_from && ob->has_until)
    doc_wordsf(d, _(" (in force %s to %s)"), from, until);
  else if (ob->has_from)
    doc_wordsf(d, _(" (in force from %s)"), from);
  else if (ob->has_until)
    doc_wordsf(d, _(" (in force until %s)"), until);
}

static void
compliance(struct doc *d, const struct sitrep *s)
{
  static const struct col cols[] = {
      {N_("obligation"), NULL, 0},  {N_("since"), NULL, 0},
      {N_("met"), NULL, 1},         {N_("breached"), NULL, 1},
      {N_("unknown"), NULL, 1},     {N_("longest breach"), NULL, 1},
      {N_("current run"), NULL, 1}, {NULL, this_words, 0},
  };
  size_t shown = 0;
  char to[16];

  for (size_t i = 0; i < s->ncomp; i++)
    shown += (size_t)report__ob_shown(s, i);
  report__fmt_day(s->to, to, sizeof to);
  section(d, "compliance", _("Compliance"));
  if (shown == 0) {
    para(d, DOC_PLAIN,
         s->ncomp ? _("No obligation of the corridor file is in force by "
                      "this date.")
                  : _("The corridor file states no obligation."));
    return;
  }
  /* Each obligation is counted from its own first day: the section's
   * start, or the day it came in force. */
  doc_block(d, DOC_PARA, DOC_ASIDE);
  doc_wordsf(d,
             _("Each day of an obligation in force, from the day in the "
               "since column to %s, is met, breached or unknown (no data); "
               "an unknown day ends a run of breaches."),
             to);
  table(d, s, cols, COUNT(cols));
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    const struct sr_verdicts *v = &s->comp_period[i];
    if (!report__ob_shown(s, i))
      continue;
    doc_row(d, 0);
    doc_cell(d);
    doc_style(d, DOC_KEY);
    doc_code(d, x->ob->id);
    doc_detail(d);
    text(d, x->ob->text);
    in_force(d, x->ob);
    doc_cell(d);
    doc_day(d, report__ob_since(s, i));
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
    if (v->not_in_force)
      doc_wordsf(d, _(", %zu not in force"), v->not_in_force);
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

/* The records behind the figures marked approximate, each once, by id. */
struct spreads {
  const struct sr_spread **v;
  size_t n, cap;
};

static void
spreads_add(struct spreads *l, const struct sr_spread *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    int seen = 0;
    for (size_t k = 0; k < l->n; k++)
      seen |= strcmp(l->v[k]->id, v[i].id) == 0;
    if (seen)
      continue;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = &v[i];
  }
}

static int
by_spread_id(const void *x, const void *y)
{
  const struct sr_spread *a = *(const struct sr_spread *const *)x;
  const struct sr_spread *b = *(const struct sr_spread *const *)y;

  return strcmp(a->id, b->id);
}

/* Every record a figure marked "≈" holds a share of: the index's parts'
 * and the checkpoint table's (the headline's other figures come from
 * them). Free l->v. */
static void
spreads_of(const struct sitrep *s, struct spreads *l)
{
  memset(l, 0, sizeof *l);
  for (int dir = 0; dir < AD_COUNT; dir++)
    for (int p = 0; p < AP_COUNT; p++)
      if (s->part[dir][p].approximate && s->part[dir][p].known_days > 0)
        spreads_add(l, s->part[dir][p].spread, s->part[dir][p].nspread);
  for (size_t i = 0; i < s->by_cp.n; i++) {
    const struct sr_flow *r = &s->by_cp.v[i];
    int any = 0;
    for (int p = 0; p < AP_COUNT; p++)
      any |= r->approximate[report__part_measure[p]] &&
             r->known[report__part_measure[p]];
    if (any)
      spreads_add(l, r->spread, r->nspread);
  }
  if (l->n > 1)
    qsort(l->v, l->n, sizeof *l->v, by_spread_id);
}

/* "`exodus-vehicles-0924-1001` (2023-09-24 to 2023-10-01)" */
static void
spread_record(struct doc *d, const struct sr_spread *x, int brief)
{
  if (brief)
    doc_clipped(d, x->id, 40);
  else
    doc_code(d, x->id);
  doc_words(d, " (");
  if (strcmp(x->start, x->end) == 0)
    text(d, x->start);
  else
    doc_wordsf(d, _("%s to %s"), x->start, x->end);
  doc_words(d, ")");
}

static void
approximate_list(struct doc *d, const struct sitrep *s)
{
  struct spreads l;

  spreads_of(s, &l);
  if (l.n) {
    doc_block(d, DOC_HEADING, DOC_PLAIN);
    doc_words(d, _("Approximate figures"));
    para(d, DOC_ASIDE,
         _("≈ marks a figure that holds an even share of a record longer "
           "than the period shown: the record's value times the part of its "
           "interval that falls in the period. Those records:"));
    doc_block(d, DOC_LIST, DOC_PLAIN);
    for (size_t i = 0; i < l.n; i++) {
      doc_item(d);
      spread_record(d, l.v[i], 0);
    }
    doc_flags(d, DOC_BREAK);
  }
  free(l.v);
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
    doc_num(d, x->known, x->value, measure_shown(x->measure));
    doc_style(d, 0);
    doc_words(d, " (");
    for (size_t k = 0; k < x->nvalues; k++) {
      if (k)
        doc_words(d, "; ");
      source_grade(d, x->values[k].source, x->values[k].grade);
      doc_words(d, ": ");
      doc_num(d, 1, x->values[k].value, measure_shown(x->measure));
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
  approximate_list(d, s);
  doc_block(d, DOC_HEADING, DOC_PLAIN);
  doc_words(d, _("Unknown checkpoint-days"));
  para(d, DOC_ASIDE,
       _("A class (persons, vehicles, tonnes) is observed at a checkpoint "
         "when a coverage record says so or a flow record giving that class "
         "covers the time; a day counts here when some class was not "
         "observed throughout it in both directions. What was not observed "
         "is unknown, not zero."));
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

/*
 * The witnesses of the report's tree (issue 12): those that cosigned its
 * checkpoint, or the smallest cosigned one that contains it, each with the
 * corridor's name for it, its key's name and when it cosigned.
 */
static void
witness_words(struct doc *d, const struct sitrep *s)
{
  unsigned long long n = (unsigned long long)s->size;

  if (s->nwitnesses == 0) {
    doc_marked(d, _("No witness has cosigned a checkpoint that contains "
                    "this tree yet (`passage log witness` asks the "
                    "corridor's witnesses)."));
    return;
  }
  if (s->cosigned_size == s->size && s->nwitnesses == 1)
    doc_marked(d, _("Cosigned by 1 witness (C2SP tlog-witness), having "
                    "checked that this tree extends every one it saw "
                    "before:"));
  else if (s->cosigned_size == s->size)
    doc_markedf(d,
                _("Cosigned by %zu witnesses (C2SP tlog-witness), each "
                  "having checked that this tree extends every one it "
                  "saw before:"),
                s->nwitnesses);
  else
    doc_markedf(d,
                _("Not cosigned at this size; the checkpoint of size %llu, "
                  "which contains the first %llu entries, is cosigned by "
                  "witnesses (C2SP tlog-witness), %zu of them:"),
                (unsigned long long)s->cosigned_size, n, s->nwitnesses);
  for (size_t i = 0; i < s->nwitnesses; i++) {
    const struct report_witness *w = &s->witnesses[i];
    time_t t = (time_t)w->time;
    char when[32];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    doc_words(d, i ? "; " : " ");
    if (w->id) {
      text(d, w->id);
      doc_words(d, " (");
    }
    doc_code(d, w->name);
    doc_wordsf(d, ", %s%s", when, w->id ? ")" : "");
  }
  doc_marked(d, _(". `passage verify --checkpoint FILE --witness VKEY "
                  "--quorum K` checks their cosignatures."));
}

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
  if (s->witnesses_listed) {
    doc_item(d);
    witness_words(d, s);
  }
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
  doc_wordsf(d, " %s ", C_("place", "at"));
  counted_names(d, s, 30);
  doc_words(d, " (");
  doc_wordsf(d, _("%zu/%d days known"), s->index_known_days, s->period_days);
  doc_wordsf(d, "; %s ", _("prev"));
  doc_pct(d, s->prev_index_known, s->prev_index);
  doc_words(d, ")");

  doc_line(d, DOC_KEEP);
  doc_wordsf(d, "%s ", _("Counted at"));
  counted_names(d, s, 30);
  doc_words(d, ": ");
  counted_totals(d, s, 1);
  for (size_t i = 0; i < s->nuncounted; i = uncounted_run(s, i)) {
    doc_line(d, DOC_KEEP);
    uncounted_sentence(d, s, i, uncounted_run(s, i), 30);
  }
}

static void
brief_flows(struct doc *d, const struct sitrep *s)
{
  for (int dir = 0; dir < AD_COUNT; dir++) {
    doc_line(d, P_FLOWS);
    doc_wordsf(d, "%s/%s %s %s ", dir_label(dir), _("day"), _("vs baseline"),
               C_("place", "at"));
    counted_names(d, s, 30);
    doc_words(d, ":");
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[dir][p];
      doc_wordsf(d, "%s %s ", p ? "," : "", part_label(p));
      approx_num(d, x->known_days > 0, x->per_day, part_shown(p),
                 x->approximate);
      doc_wordsf(d, " %s ", _("of"));
      doc_num(d, x->base_known, x->baseline, part_shown(p));
      doc_words(d, " (");
      part_share(d, x, p);
      if (x->change_known || x->from_zero) {
        doc_words(d, "; ");
        part_change(d, x, p);
        doc_wordsf(d, " %s", _("on prev"));
      }
      doc_words(d, ")");
    }
  }
  for (size_t i = 0; i < s->nbacklog; i++) {
    doc_line(d, P_FLOWS);
    doc_wordsf(d, "%s: ", _("Backlog"));
    doc_clipped(d, cp_name(s, s->backlog[i].checkpoint), 30);
    doc_wordsf(d, " %s ", dir_label(s->backlog[i].dir));
    backlog_figures(d, &s->backlog[i]);
  }
  doc_line(d, P_FLOWS);
  doc_wordsf(d, "%s:", _("Availability"));
  availability_list(d, s, 1);
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
    if (x->direction && strcmp(x->direction, "both") != 0)
      doc_wordsf(d, _(", %s only"),
                 dir_label(strcmp(x->direction, "in") == 0 ? AD_IN : AD_OUT));
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
    doc_range(d, 1, x->cover_low, x->cover_high, UTIL_SHOWN_QUANTITY);
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

  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    if (!report__ob_shown(s, i))
      continue;
    report__fmt_day(report__ob_since(s, i), from, sizeof from);
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
  {
    struct spreads l;
    spreads_of(s, &l);
    /* As dispensable as the sources: the full report names them too. */
    if (l.n) {
      doc_line(d, P_SOURCES);
      doc_wordsf(d, "%s:", _("≈ shares of longer records"));
      for (size_t i = 0; i < l.n; i++) {
        doc_words(d, i ? ", " : " ");
        spread_record(d, l.v[i], 1);
      }
    }
    free(l.v);
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
  if (s->witnesses_listed) {
    doc_line(d, DOC_KEEP);
    if (s->nwitnesses == 0)
      doc_words(d, _("Witnesses: none yet"));
    else
      doc_wordsf(d, _("Witnesses %zu at size %llu:"), s->nwitnesses,
                 (unsigned long long)s->cosigned_size);
    for (size_t i = 0; i < s->nwitnesses; i++) {
      doc_words(d, i ? ", " : " ");
      doc_clipped(
          d, s->witnesses[i].id ? s->witnesses[i].id : s->witnesses[i].name,
          30);
    }
  }
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
