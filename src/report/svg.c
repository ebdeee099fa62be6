/*
 * The HTML sitrep's charts, drawn here as inline SVG: no script, no font
 * or image to fetch, and each mark carries a <title> with its figure, which
 * browsers show on hover and screen readers read. Unknown days are drawn
 * as hatched grey, never as an empty (zero) bar. Coordinates are written
 * with one decimal in the C locale.
 */
#include "report/report_int.h"

#include <math.h>
#include <string.h>

#include "util/i18n.h"

#define W 640.0   /* width of every chart, in user units */
#define LEFT 46.0 /* room for the y axis labels */
#define RIGHT 8.0

/* The hatch used for unknown, defined once per chart (ids are per chart
 * so that each <svg> stands alone). */
static void
defs(struct buf *b, const char *id)
{
  buf_printf(b,
             "<defs><pattern id=\"%s\" width=\"6\" height=\"6\" "
             "patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
             "fill=\"#eee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
             "stroke=\"#999\" stroke-width=\"2\"/></pattern></defs>",
             id);
}

static void
open_svg(struct buf *b, double h, const char *label)
{
  buf_printf(b,
             "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
             "aria-label=\"",
             W, h);
  report__html_escape(b, label);
  buf_puts(b, "\">");
}

static void
title(struct buf *b, const char *text)
{
  buf_puts(b, "<title>");
  report__html_escape(b, text);
  buf_puts(b, "</title>");
}

/* A round number at or above v for an axis: 1, 1.5, 2, 3, 4, 5, 6 or 8
 * times a power of ten. */
static double
nice_max(double v)
{
  double p, m;

  if (!(v > 0))
    return 1;
  p = pow(10, floor(log10(v)));
  m = v / p;
  return (m <= 1     ? 1
          : m <= 1.5 ? 1.5
          : m <= 2   ? 2
          : m <= 3   ? 3
          : m <= 4   ? 4
          : m <= 5   ? 5
          : m <= 6   ? 6
          : m <= 8   ? 8
                     : 10) *
         p;
}

static void
short_day(int64_t day, char *buf, size_t size)
{
  char d[16];

  report__fmt_day(day, d, sizeof d);
  snprintf(buf, size, "%s", d + 5); /* MM-DD */
}

void
report__svg_flows(const struct sitrep *s, int part, struct buf *b)
{
  const double h = 170, top = 18, bottom = 150;
  size_t n = s->ndays;
  double max = 0, base = 0, slot = (W - LEFT - RIGHT) / (double)(n ? n : 1);
  int base_known = 0;
  char idbuf[32], num[64], label[256];
  struct buf t;

  buf_init(&t);
  for (int d = 0; d < AD_COUNT; d++) {
    if (s->part[d][part].base_known) {
      base += s->part[d][part].baseline;
      base_known = 1;
    }
  }
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    if (!s->days[i].known)
      continue;
    for (int d = 0; d < AD_COUNT; d++)
      v += s->days[i].flow[d][part];
    if (v > max)
      max = v;
  }
  if (base > max)
    max = base;
  max = nice_max(max * 1.05);
  snprintf(idbuf, sizeof idbuf, "unk-flow-%d", part);
  snprintf(label, sizeof label, _("Daily %s, in and out, against the baseline"),
           report__part_label(part));
  open_svg(b, h, label);
  defs(b, idbuf);
  /* The period, shaded. */
  for (size_t i = 0; i < n; i++) {
    if (s->days[i].day == s->from) {
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"#fff4c2\"/>",
                 LEFT + slot * (double)i, top, slot * s->period_days,
                 bottom - top);
    }
  }
  /* Axis: 0 and the top. */
  report__fmt_num(max, num, sizeof num);
  buf_printf(b,
             "<g class=\"axis\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
             "y2=\"%.1f\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
             "y2=\"%.1f\" class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"end\">0</text><text x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"end\">%s</text>",
             LEFT, bottom, W - RIGHT, bottom, LEFT, top, W - RIGHT, top,
             LEFT - 4, bottom + 4, LEFT - 4, top + 4, num);
  for (size_t i = 0; i<n; i += n> 10 ? 7 : 1) {
    char d[16];
    short_day(s->days[i].day, d, sizeof d);
    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>",
               LEFT + slot * (double)i, bottom + 14, d);
  }
  buf_puts(b, "</g>");
  for (size_t i = 0; i < n; i++) {
    const struct analysis_index_day *x = &s->days[i];
    double x0 = LEFT + slot * (double)i + slot * 0.1, w = slot * 0.8;
    char day[16];
    report__fmt_day(x->day, day, sizeof day);
    buf_reset(&t);
    if (!x->known) {
      buf_printf(&t, "%s: %s", day, _("unknown (not observed)"));
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"url(#%s)\">",
                 x0, top, w, bottom - top, idbuf);
      title(b, t.data);
      buf_puts(b, "</rect>");
      continue;
    }
    {
      double y = bottom;
      buf_printf(&t, "%s:", day);
      for (int d = 0; d < AD_COUNT; d++) {
        double v = x->flow[d][part], hh = (bottom - top) * v / max;
        report__fmt_num(v, num, sizeof num);
        buf_printf(&t, " %s %s", report__dir_label(d), num);
        if (hh <= 0)
          continue;
        y -= hh;
        buf_printf(b,
                   "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                   "height=\"%.1f\"/>",
                   d == AD_IN ? "in" : "out", x0, y, w, hh);
      }
      /* An invisible full-height mark carries the figures for hover. */
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"transparent\">",
                 x0, top, w, bottom - top);
      title(b, t.data);
      buf_puts(b, "</rect>");
    }
  }
  if (base_known) {
    double y = bottom - (bottom - top) * base / max;
    report__fmt_num(base, num, sizeof num);
    buf_printf(b,
               "<line class=\"baseline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
               "y2=\"%.1f\">",
               LEFT, y, W - RIGHT, y);
    buf_reset(&t);
    buf_printf(&t, "%s: %s", _("baseline"), num);
    title(b, t.data);
    buf_printf(b,
               "</line><text class=\"baseline-label\" x=\"%.1f\" "
               "y=\"%.1f\" text-anchor=\"end\">",
               W - RIGHT, y - 3);
    report__html_escape(b, t.data);
    buf_puts(b, "</text>");
  }
  buf_puts(b, "</svg>\n");
  buf_cleanup(&t);
}

void
report__svg_availability(const struct sitrep *s, struct buf *b)
{
  const double row = 20, top = 6, lab = 130;
  size_t n = s->ndays;
  double h = top + row * (double)s->ncps + 22;
  double slot = (W - lab - RIGHT) / (double)(n ? n : 1);
  char num[64];
  struct buf t;

  buf_init(&t);
  open_svg(b, h, _("Availability of each checkpoint, day by day"));
  defs(b, "unk-avail");
  for (size_t c = 0; c < s->ncps; c++) {
    const struct sr_checkpoint *cp = &s->cps[c];
    double y = top + row * (double)c;
    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", lab - 6,
               y + row * 0.65);
    report__html_escape(b, cp->name);
    buf_puts(b, "</text>");
    for (size_t i = 0; i < n; i++) {
      double x = lab + slot * (double)i, v = cp->day_avail[i];
      char day[16], fill[32];
      report__fmt_day(s->days_from + (int64_t)i, day, sizeof day);
      buf_reset(&t);
      if (!cp->day_known[i]) {
        snprintf(fill, sizeof fill, "url(#unk-avail)");
        buf_printf(&t, "%s, %s: %s", cp->name, day, _("unknown"));
      } else {
        /* Red (closed) to green (open) through amber. */
        int r = v < 0.5 ? 198 : (int)(198 - (v - 0.5) * 2 * (198 - 46));
        int g = v < 0.5 ? (int)(40 + v * 2 * (160 - 40))
                        : (int)(160 - (v - 0.5) * 2 * (160 - 125));
        int bl = v < 0.5 ? 40 : (int)(40 + (v - 0.5) * 2 * (50 - 40));
        snprintf(fill, sizeof fill, "#%02x%02x%02x", r, g, bl);
        report__fmt_pct(v, num, sizeof num);
        buf_printf(&t, "%s, %s: %s", cp->name, day, num);
      }
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\">",
                 x, y + 2, slot, row - 4, fill);
      title(b, t.data);
      buf_puts(b, "</rect>");
    }
  }
  {
    double y = top + row * (double)s->ncps + 14;
    buf_puts(b, "<g class=\"axis\">");
    for (size_t i = 0; i<n; i += n> 10 ? 7 : 1) {
      char d[16];
      short_day(s->days_from + (int64_t)i, d, sizeof d);
      buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>",
                 lab + slot * (double)i, y, d);
    }
    buf_puts(b, "</g>");
  }
  buf_puts(b, "</svg>\n");
  buf_cleanup(&t);
}

void
report__svg_cover(const struct sitrep *s, struct buf *b)
{
  const double row = 24, top = 8, lab = 110;
  const struct corridor *c = s->c;
  double max = c->warning_days * 2.0, h, span;
  char num[64];
  struct buf t;

  buf_init(&t);
  for (size_t i = 0; i < s->nsupply; i++)
    if (report__cover_known(&s->supply[i]) && s->supply[i].cover_high > max)
      max = s->supply[i].cover_high;
  max = nice_max(max);
  span = W - lab - RIGHT - 120; /* room for the figures on the right */
  h = top + row * (double)s->nsupply + 24;
  open_svg(b, h, _("Days of cover per category, low to high"));
  defs(b, "unk-cover");
  /* The alert thresholds. */
  {
    const int th[3] = {c->critical_days, c->severe_days, c->warning_days};
    const char *cls[3] = {"critical", "severe", "warning"};
    for (int k = 0; k < 3; k++) {
      double x = lab + span * th[k] / max;
      buf_printf(b,
                 "<line class=\"th %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                 "y2=\"%.1f\"/><text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
                 "text-anchor=\"middle\">%d</text>",
                 cls[k], x, top, x, h - 18, x, h - 6, th[k]);
    }
  }
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    double y = top + row * (double)i;
    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", lab - 6,
               y + row * 0.65);
    report__html_escape(b, x->category);
    buf_puts(b, "</text>");
    buf_reset(&t);
    if (!report__cover_known(x)) {
      buf_printf(&t, "%s: %s", x->category, _("unknown"));
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"url(#unk-cover)\">",
                 lab, y + 4, span, row - 8);
      title(b, t.data);
      buf_printf(b, "</rect><text x=\"%.1f\" y=\"%.1f\">?</text>",
                 lab + span + 4, y + row * 0.65);
      continue;
    }
    {
      double lo = x->cover_low < max ? x->cover_low : max;
      double hi = x->cover_high < max ? x->cover_high : max;
      report__range(&t, x->cover_low, x->cover_high);
      buf_printf(b,
                 "<rect class=\"cover-low %s\" x=\"%.1f\" y=\"%.1f\" "
                 "width=\"%.1f\" height=\"%.1f\"/>",
                 analysis_alert_names[x->alert], lab, y + 4, span * lo / max,
                 row - 8);
      buf_printf(b,
                 "<rect class=\"cover-range\" x=\"%.1f\" y=\"%.1f\" "
                 "width=\"%.1f\" height=\"%.1f\">",
                 lab + span * lo / max, y + 4, span * (hi - lo) / max, row - 8);
      buf_puts(b, "<title>");
      report__html_escape(b, x->category);
      buf_puts(b, ": ");
      report__html_escape(b, t.data);
      buf_printf(b, " %s</title></rect>", _("days of cover"));
      buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", lab + span + 4,
                 y + row * 0.65);
      report__html_escape(b, t.data);
      buf_printf(b, " %s</text>", _("days"));
    }
  }
  report__fmt_num(max, num, sizeof num);
  buf_printf(b,
             "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"middle\">%s</text>",
             lab + span, h - 6, num);
  buf_puts(b, "</svg>\n");
  buf_cleanup(&t);
}
