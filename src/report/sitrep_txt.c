/*
 * The sitrep as one short plain-text message for a low-bandwidth channel
 * (SMS, satellite messenger): at most REPORT_TXT_MAX characters. Lines
 * carry a priority; when the whole is too long, the least important lines
 * go first (sources, then events, ...), and the tree head always stays, so
 * that even the shortest message says what it was computed from.
 */
#include "report/report_int.h"

#include <string.h>

#include "util/i18n.h"

/* Priorities: lower is dropped first. */
enum {
  P_SOURCES = 1,
  P_EVENT,
  P_QUALITY,
  P_COMPLIANCE,
  P_STATUS,
  P_SUPPLY,
  P_FLOWS,
  P_KEEP
};

struct line {
  char *text;
  int prio;
  size_t chars; /* with its line break */
};

struct lines {
  struct line *v;
  size_t n, cap;
};

static void
add(struct lines *l, int prio, struct buf *b)
{
  if (b->len) {
    if (l->n == l->cap) {
      l->cap = l->cap ? 2 * l->cap : 32;
      l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].chars = report_utf8_length(b->data, b->len) + 1;
    l->v[l->n].text = buf_take(b);
    l->v[l->n].prio = prio;
    l->n++;
  }
  buf_reset(b);
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

/* Appends at most max characters of s, with "..." when cut; line breaks
 * become spaces unless lines is set. */
static void
clip_text(struct buf *b, const char *s, size_t max, int lines)
{
  size_t chars = 0, i = 0;

  for (; s && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80 && chars++ == max) {
      buf_puts(b, "...");
      return;
    }
    if (!lines && (c == '\n' || c == '\r' || c == '\t'))
      c = ' ';
    buf_putc(b, (char)c);
  }
}

static void
clip(struct buf *b, const char *s, size_t max)
{
  clip_text(b, s, max, 0);
}

static void
headline(const struct sitrep *s, struct lines *l, struct buf *b)
{
  buf_printf(b, "%s ", _("SITREP"));
  clip(b, s->c->name, 60);
  buf_puts(b, ", ");
  report__period_title(s, b);
  add(l, P_KEEP, b);

  buf_printf(b, "%s ", _("Index"));
  pct(b, s->index_known, s->index);
  buf_puts(b, " (");
  buf_printf(b, _("%zu/%d days known"), s->index_known_days, s->period_days);
  buf_printf(b, "; %s ", _("prev"));
  pct(b, s->prev_index_known, s->prev_index);
  buf_putc(b, ')');
  add(l, P_KEEP, b);

  buf_printf(b, "%s:", _("Passed, all checkpoints"));
  for (int d = 0; d < AD_COUNT; d++) {
    buf_printf(b, "%s %s", d ? ";" : "", report__dir_label(d));
    for (int p = 0; p < AP_COUNT; p++) {
      buf_printf(b, "%s ", p ? "," : "");
      num(b, s->total_known[d][p], s->total[d][p]);
      buf_printf(b, " %s", report__part_label(p));
    }
    if (s->total_partial[d])
      buf_puts(b, " +?");
  }
  add(l, P_KEEP, b);

  for (int d = 0; d < AD_COUNT; d++) {
    buf_printf(b, "%s/%s %s:", report__dir_label(d), _("day"),
               _("vs baseline"));
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[d][p];
      char ch[64];
      buf_printf(b, "%s %s ", p ? "," : "", report__part_label(p));
      num(b, x->known_days > 0, x->per_day);
      buf_printf(b, " %s ", _("of"));
      num(b, x->base_known, x->baseline);
      buf_puts(b, " (");
      pct(b, x->ratio_known, x->ratio);
      if (x->change_known) {
        report__fmt_change(x->change, ch, sizeof ch);
        buf_printf(b, "; %s %s", ch, _("on prev"));
      }
      buf_putc(b, ')');
    }
    add(l, P_FLOWS, b);
  }

  buf_printf(b, "%s:", _("Availability"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    buf_printf(b, "%s ", i ? "," : "");
    clip(b, cp->name, 30);
    buf_putc(b, ' ');
    pct(b, cp->avail_known, cp->avail);
    if (cp->state)
      buf_printf(b, " (%s %s)", _("now"), cp->state);
  }
  add(l, P_FLOWS, b);
}

static void
status(const struct sitrep *s, struct lines *l, struct buf *b)
{
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    if (!x->in_period)
      continue;
    buf_printf(b, "%s %s ", _("Change"), x->at ? x->at : "?");
    clip(b, report__cp_name(s, x->checkpoint), 30);
    buf_printf(b, " %s", x->state ? x->state : "?");
    if (x->cause)
      buf_printf(b, " (%s)", x->cause);
    add(l, P_STATUS, b);
  }
}

static void
events(const struct sitrep *s, struct lines *l, struct buf *b)
{
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    buf_printf(b, "%s %s: ", x->at ? x->at : "?", x->kind ? x->kind : "");
    clip(b, x->summary, 90);
    add(l, P_EVENT, b);
  }
}

static void
supply(const struct sitrep *s, struct lines *l, struct buf *b)
{
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    if (!report__cover_known(x)) {
      buf_printf(b, _("%s: cover unknown"), x->category);
    } else {
      buf_printf(b, "%s: ", x->category);
      report__range(b, x->cover_low, x->cover_high);
      buf_printf(b, " %s; %s ", _("days of cover"), _("out"));
      report__stockout(x, AS_NO_INFLOW, b);
      buf_printf(b, " %s", _("if nothing enters"));
      if (x->alert)
        buf_printf(b, " [%s]", analysis_alert_names[x->alert]);
    }
    add(l, P_SUPPLY, b);
  }
}

static void
compliance(const struct sitrep *s, struct lines *l, struct buf *b)
{
  char from[16];

  report__fmt_day(s->comp_from, from, sizeof from);
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    clip(b, x->ob->id, 40);
    buf_printf(b,
               _(": since %s breached %zu d, met %zu, unknown %zu; run "
                 "%zu"),
               from, x->days_breached, x->days_met, x->days_unknown,
               x->current_run);
    add(l, P_COMPLIANCE, b);
  }
}

static void
quality(const struct sitrep *s, struct lines *l, struct buf *b)
{
  buf_printf(b, "%s:", _("Unknown days"));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    buf_printf(b, "%s ", i ? "," : "");
    clip(b, cp->name, 30);
    if (cp->observed_known)
      buf_printf(b, " %zu/%d", cp->unknown_days, s->period_days);
    else
      buf_puts(b, " ?");
  }
  add(l, P_QUALITY, b);
  if (s->ndisputes) {
    buf_printf(b, _("Disputed figures: %zu (see the full report)"),
               s->ndisputes);
    add(l, P_QUALITY, b);
  }
  if (s->nsources) {
    buf_printf(b, "%s:", _("Sources"));
    for (size_t i = 0; i < s->nsources; i++) {
      buf_printf(b, "%s %s", i ? "," : "", s->sources[i].id);
      if (s->sources[i].grade[0])
        buf_printf(b, " %s", s->sources[i].grade);
    }
    add(l, P_SOURCES, b);
  }
}

void
report__write_txt(const struct sitrep *s, struct buf *out)
{
  struct lines l;
  struct buf b, all;
  size_t chars = 0;

  memset(&l, 0, sizeof l);
  buf_init(&b);
  buf_init(&all);
  headline(s, &l, &b);
  status(s, &l, &b);
  supply(s, &l, &b);
  compliance(s, &l, &b);
  quality(s, &l, &b);
  events(s, &l, &b);
  buf_printf(&b, _("Log size %llu root %s"), (unsigned long long)s->size,
             s->root);
  add(&l, P_KEEP, &b);
  buf_printf(&b, "%s", _("Check: passage proof, passage verify-proof"));
  add(&l, P_KEEP, &b);

  /* Drop the least important lines, the last of them first, until the
   * message fits. */
  for (size_t i = 0; i < l.n; i++)
    chars += l.v[i].chars;
  for (int prio = P_SOURCES; prio < P_KEEP && chars > REPORT_TXT_MAX; prio++) {
    for (size_t i = l.n; i-- > 0 && chars > REPORT_TXT_MAX;) {
      if (l.v[i].text && l.v[i].prio == prio) {
        chars -= l.v[i].chars;
        free(l.v[i].text);
        l.v[i].text = NULL;
      }
    }
  }
  for (size_t i = 0; i < l.n; i++) {
    if (l.v[i].text) {
      buf_puts(&all, l.v[i].text);
      buf_putc(&all, '\n');
    }
    free(l.v[i].text);
  }
  free(l.v);
  /* Only a corridor of very many checkpoints gets here: cut at a
   * character boundary. */
  if (report_utf8_length(all.data ? all.data : "", all.len) > REPORT_TXT_MAX) {
    struct buf cut;
    buf_init(&cut);
    clip_text(&cut, all.data, REPORT_TXT_MAX - 4, 1);
    buf_putc(&cut, '\n');
    buf_reset(&all);
    buf_puts(&all, cut.data);
    buf_cleanup(&cut);
  }
  if (all.len)
    buf_append(out, all.data, all.len);
  buf_cleanup(&all);
  buf_cleanup(&b);
}
