/*
 * A document's charts (struct doc_chart) as inline SVG, for render_html:
 * no script, no font or image to fetch, and each mark carries a <title>
 * with its figure, which browsers show on hover and screen readers read.
 * Unknown days are drawn as hatched grey, never as an empty (zero) bar.
 * Coordinates are written with one decimal in the C locale. The words on
 * a chart come with it.
 */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every chart is drawn twice, for two widths of page: a wide form of 640
 * user units, and a narrow one of 340 for a phone (about 370 px across at
 * 390 px, so that its 11-unit text is 11 px or more there; the wide form's
 * would be 6). The stylesheet (render_html.c) shows one: the narrow one on
 * screens under 40rem, the wide one elsewhere and in print. Their ids
 * differ, since a pattern in a hidden chart cannot fill a shown one.
 */
#define WIDE 640.0
#define NARROW 340.0
#define LEFT 46.0 /* room for the y axis labels */
#define RIGHT 8.0

/* The form being drawn: its width, the id of its hatch, its class. */
struct form {
  double w;
  char id[80];
  const char *cls;
};

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
open_svg(struct buf *b, const struct form *f, double h, const char *label)
{
  buf_printf(b,
             "<svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
             "aria-label=\"",
             f->cls, f->w, h);
  report__html_escape(b, label);
  buf_puts(b, "\">");
}

/* A row's label, shortened with an ellipsis past max characters (the
 * narrow form's room); its marks' titles keep it whole. */
static void
row_label(struct buf *b, const char *s, size_t max)
{
  size_t chars = 0, i = 0;
  char *cut;

  for (; s[i]; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars > max)
      break;
  if (s[i] == '\0') {
    report__html_escape(b, s);
    return;
  }
  /* Back to the start of the last character kept, to leave room for the
   * ellipsis. */
  while (i > 0 && ((unsigned char)s[--i] & 0xc0) == 0x80)
    ;
  cut = xstrndup(s, i);
  report__html_escape(b, cut);
  buf_puts(b, "\xe2\x80\xa6");
  free(cut);
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

/* The days under a chart, MM-DD, every one or every seventh, each under
 * the middle of its day (so that the last stays inside the chart). */
static void
day_labels(struct buf *b, int64_t first, size_t n, double x0, double slot,
           double y)
{
  for (size_t i = 0; i<n; i += n> 10 ? 7 : 1) {
    char d[16];
    report__fmt_day(first + (int64_t)i, d, sizeof d);
    buf_printf(b,
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
               x0 + slot * ((double)i + 0.5), y, d + 5);
  }
}

/* The bar chart's frame: the plot runs from TOP to BOTTOM. */
#define BAR_H 170.0
#define BAR_TOP 18.0
#define BAR_BOTTOM 150.0

/* The top of the bar chart's scale: the tallest known day or the line. */
static double
bars_max(const struct doc_chart *c)
{
  double max = 0;

  for (size_t i = 0; i < c->ndays; i++) {
    double v = 0;
    if (!c->bar_known[i])
      continue;
    for (int k = 0; k < 2; k++)
      v += c->bar[k][i];
    if (v > max)
      max = v;
  }
  if (c->ref > max)
    max = c->ref;
  return nice_max(max * 1.05);
}

/* One day: its two series stacked, or the hatch when unknown; a mark over
 * the whole height carries the figures. */
static void
bar(const struct doc_chart *c, const struct form *f, size_t i, double slot,
    double max, struct buf *b)
{
  const double top = BAR_TOP, bottom = BAR_BOTTOM;
  double x0 = LEFT + slot * (double)i + slot * 0.1, w = slot * 0.8;
  double y = bottom;
  char day[16], num[64];
  struct buf t;

  buf_init(&t);
  report__fmt_day(c->first_day + (int64_t)i, day, sizeof day);
  if (!c->bar_known[i]) {
    buf_printf(&t, "%s: %s", day, c->unknown);
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"url(#%s)\">",
               x0, top, w, bottom - top, f->id);
  } else {
    buf_printf(&t, "%s:", day);
    for (int k = 0; k < 2; k++) {
      double v = c->bar[k][i], hh = (bottom - top) * v / max;
      report__fmt_num(v, (enum util_shown)c->shown, num, sizeof num);
      buf_printf(&t, " %s %s", c->series[k], num);
      if (hh <= 0)
        continue;
      y -= hh;
      buf_printf(b,
                 "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%.1f\"/>",
                 c->key[k], x0, y, w, hh);
    }
    /* An invisible full-height mark carries the figures for hover. */
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"transparent\">",
               x0, top, w, bottom - top);
  }
  title(b, t.data);
  buf_puts(b, "</rect>");
  buf_cleanup(&t);
}

/* The reference line (the baseline), labelled. */
static void
ref_line(const struct doc_chart *c, const struct form *f, double max,
         struct buf *b)
{
  double y = BAR_BOTTOM - (BAR_BOTTOM - BAR_TOP) * c->ref / max;
  char num[64];
  struct buf t;

  buf_init(&t);
  report__fmt_num(c->ref, (enum util_shown)c->shown, num, sizeof num);
  buf_printf(b,
             "<line class=\"baseline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
             "y2=\"%.1f\">",
             LEFT, y, f->w - RIGHT, y);
  buf_printf(&t, "%s: %s", c->ref_label, num);
  title(b, t.data);
  buf_printf(b,
             "</line><text class=\"baseline-label\" x=\"%.1f\" "
             "y=\"%.1f\" text-anchor=\"end\">",
             f->w - RIGHT, y - 3);
  report__html_escape(b, t.data);
  buf_puts(b, "</text>");
  buf_cleanup(&t);
}

static void
bars(const struct doc_chart *c, const struct form *f, struct buf *b)
{
  const double top = BAR_TOP, bottom = BAR_BOTTOM, W = f->w;
  size_t n = c->ndays;
  double max = bars_max(c), slot = (W - LEFT - RIGHT) / (double)(n ? n : 1);
  char num[64];

  open_svg(b, f, BAR_H, c->title);
  defs(b, f->id);
  /* The period, shaded. */
  if (c->shade_days && c->shade_from < n)
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"#fff4c2\"/>",
               LEFT + slot * (double)c->shade_from, top,
               slot * (double)c->shade_days, bottom - top);
  /* Axis: 0 and the top. */
  report__fmt_num(max, (enum util_shown)c->shown, num, sizeof num);
  buf_printf(b,
             "<g class=\"axis\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
             "y2=\"%.1f\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
             "y2=\"%.1f\" class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"end\">0</text><text x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"end\">%s</text>",
             LEFT, bottom, W - RIGHT, bottom, LEFT, top, W - RIGHT, top,
             LEFT - 4, bottom + 4, LEFT - 4, top + 4, num);
  day_labels(b, c->first_day, n, LEFT, slot, bottom + 14);
  buf_puts(b, "</g>");
  for (size_t i = 0; i < n; i++)
    bar(c, f, i, slot, max, b);
  if (c->ref_known)
    ref_line(c, f, max, b);
  buf_puts(b, "</svg>\n");
}

/* A share from red (0, closed) to green (1, open) through amber. */
static void
share_colour(double v, char *fill, size_t size)
{
  int r = v < 0.5 ? 198 : (int)(198 - (v - 0.5) * 2 * (198 - 46));
  int g = v < 0.5 ? (int)(40 + v * 2 * (160 - 40))
                  : (int)(160 - (v - 0.5) * 2 * (160 - 125));
  int bl = v < 0.5 ? 40 : (int)(40 + (v - 0.5) * 2 * (50 - 40));

  snprintf(fill, size, "#%02x%02x%02x", r, g, bl);
}

static void
strip(const struct doc_chart *c, const struct form *f, struct buf *b)
{
  const double row = 20, top = 6, W = f->w, lab = W < WIDE ? 100 : 130;
  size_t n = c->ndays;
  double h = top + row * (double)c->nrows + 22;
  double slot = (W - lab - RIGHT) / (double)(n ? n : 1);
  char num[64];
  struct buf t;

  buf_init(&t);
  open_svg(b, f, h, c->title);
  defs(b, f->id);
  for (size_t r = 0; r < c->nrows; r++) {
    const struct doc_chart_row *x = &c->rows[r];
    double y = top + row * (double)r;
    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", lab - 6,
               y + row * 0.65);
    row_label(b, x->label, (size_t)((lab - 6) / 6.2));
    buf_puts(b, "</text>");
    for (size_t i = 0; i < n; i++) {
      char day[16], fill[96];
      report__fmt_day(c->first_day + (int64_t)i, day, sizeof day);
      buf_reset(&t);
      if (!x->known[i]) {
        snprintf(fill, sizeof fill, "url(#%s)", f->id);
        buf_printf(&t, "%s, %s: %s", x->label, day, c->unknown);
      } else {
        share_colour(x->v[i], fill, sizeof fill);
        report__fmt_pct(x->v[i], num, sizeof num);
        buf_printf(&t, "%s, %s: %s", x->label, day, num);
      }
      buf_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\">",
                 lab + slot * (double)i, y + 2, slot, row - 4, fill);
      title(b, t.data);
      buf_puts(b, "</rect>");
    }
  }
  buf_puts(b, "<g class=\"axis\">");
  day_labels(b, c->first_day, n, lab, slot, top + row * (double)c->nrows + 14);
  buf_puts(b, "</g></svg>\n");
  buf_cleanup(&t);
}

/* A row of a range chart: a bar to the low end, a lighter one to the high
 * end, and the range in figures on the right. */
static void
range_row(const struct doc_chart *c, const struct form *f,
          const struct doc_chart_row *x, double y, double lab, double span,
          double max, struct buf *b)
{
  const double row = 24;
  double lo = x->low < max ? x->low : max, hi = x->high < max ? x->high : max;
  struct buf t;

  buf_init(&t);
  buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", lab - 6,
             y + row * 0.65);
  row_label(b, x->label, (size_t)((lab - 6) / 6.2));
  buf_puts(b, "</text>");
  if (!x->range_known) {
    buf_printf(&t, "%s: %s", x->label, c->unknown);
    buf_printf(b,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"url(#%s)\">",
               lab, y + 4, span, row - 8, f->id);
    title(b, t.data);
    buf_printf(b, "</rect><text x=\"%.1f\" y=\"%.1f\">?</text>", lab + span + 4,
               y + row * 0.65);
    buf_cleanup(&t);
    return;
  }
  report__fmt_range(&t, x->low, x->high, (enum util_shown)c->shown);
  buf_printf(b,
             "<rect class=\"cover-low %s\" x=\"%.1f\" y=\"%.1f\" "
             "width=\"%.1f\" height=\"%.1f\"/>",
             x->level, lab, y + 4, span * lo / max, row - 8);
  buf_printf(b,
             "<rect class=\"cover-range\" x=\"%.1f\" y=\"%.1f\" "
             "width=\"%.1f\" height=\"%.1f\"><title>",
             lab + span * lo / max, y + 4, span * (hi - lo) / max, row - 8);
  report__html_escape(b, x->label);
  buf_puts(b, ": ");
  report__html_escape(b, t.data);
  buf_putc(b, ' ');
  report__html_escape(b, c->range_label);
  buf_printf(b, "</title></rect><text x=\"%.1f\" y=\"%.1f\">", lab + span + 4,
             y + row * 0.65);
  report__html_escape(b, t.data);
  buf_putc(b, ' ');
  report__html_escape(b, c->range_unit);
  buf_puts(b, "</text>");
  buf_cleanup(&t);
}

static void
ranges(const struct doc_chart *c, const struct form *f, struct buf *b)
{
  const double row = 24, top = 8, W = f->w, lab = W < WIDE ? 80 : 110;
  double max = c->axis_min, h, span;
  char num[64];

  for (size_t i = 0; i < c->nrows; i++)
    if (c->rows[i].range_known && c->rows[i].high > max)
      max = c->rows[i].high;
  max = nice_max(max);
  /* Room for the figures on the right. */
  span = W - lab - RIGHT - (W < WIDE ? 96 : 120);
  h = top + row * (double)c->nrows + 24;
  open_svg(b, f, h, c->title);
  defs(b, f->id);
  for (int k = 0; k < 3; k++) {
    double x = lab + span * c->threshold[k] / max;
    buf_printf(b,
               "<line class=\"th %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
               "y2=\"%.1f\"/><text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
               "text-anchor=\"middle\">%d</text>",
               c->threshold_level[k], x, top, x, h - 18, x, h - 6,
               c->threshold[k]);
  }
  for (size_t i = 0; i < c->nrows; i++)
    range_row(c, f, &c->rows[i], top + row * (double)i, lab, span, max, b);
  report__fmt_num(max, (enum util_shown)c->shown, num, sizeof num);
  buf_printf(b,
             "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
             "text-anchor=\"middle\">%s</text>",
             lab + span, h - 6, num);
  buf_puts(b, "</svg>\n");
}

static void
render_form(const struct doc_chart *c, const struct form *f, struct buf *out)
{
  switch (c->kind) {
  case DOC_CHART_BARS:
    bars(c, f, out);
    break;
  case DOC_CHART_STRIP:
    strip(c, f, out);
    break;
  case DOC_CHART_RANGES:
    ranges(c, f, out);
    break;
  }
}

void
report__render_svg(const struct doc_chart *c, struct buf *out)
{
  struct form wide = {WIDE, "", "wide"}, narrow = {NARROW, "", "narrow"};

  snprintf(wide.id, sizeof wide.id, "%s", c->id);
  snprintf(narrow.id, sizeof narrow.id, "%s-n", c->id);
  render_form(c, &wide, out);
  render_form(c, &narrow, out);
}
