/*
 * Figures as people read them: the one place that decides how a count, a
 * quantity, a share or a change is rounded for the CLI's tables and the
 * Markdown, HTML and text reports (CSV and JSON keep every digit, through
 * util_format_figure). Each figure is rounded once, here, from the full
 * figure it was computed as.
 */
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double
util_shown_round(double v, enum util_shown kind)
{
  double r;

  if (!isfinite(v) || fabs(v) >= 1e15)
    return v;
  if (kind == UTIL_SHOWN_COUNT) {
    r = round(v);
  } else {
    /* 9.96 reads 10.0 with one decimal: from 10 up a quantity is whole. */
    r = round(v * 10) / 10;
    if (fabs(r) >= 10)
      r = round(v);
  }
  return r == 0 ? 0 : r; /* no "-0" */
}

void
util_format_shown(double v, enum util_shown kind, char *buf, size_t size)
{
  /* util_format_human writes at most two decimals and drops trailing
   * zeros, so a figure rounded to one or none reads as it is. */
  util_format_human(util_shown_round(v, kind), buf, size);
}

double
util_shown_share(double share)
{
  double p = share * 100;

  if (!isfinite(p))
    return share;
  p = round(p * 10) / 10;
  return (p == 0 ? 0 : p) / 100;
}

void
util_format_share(double share, char *buf, size_t size)
{
  double p = share * 100;

  if (!isfinite(p)) {
    snprintf(buf, size, "?");
    return;
  }
  /* A share that is not nothing never reads as nothing. */
  if (p > 0 && p < 0.05) {
    snprintf(buf, size, "<0.1%%");
    return;
  }
  p = util_shown_share(share) * 100;
  if (p == floor(p))
    snprintf(buf, size, "%.0f%%", p);
  else
    snprintf(buf, size, "%.1f%%", p);
}

void
util_format_change(double change, char *buf, size_t size)
{
  char pct[64];

  util_format_share(fabs(change), pct, sizeof pct);
  if (strcmp(pct, "0%") == 0)
    snprintf(buf, size, "0%%");
  else
    snprintf(buf, size, "%s%s", change < 0 ? "-" : "+", pct);
}

int
util_shown_change(double now, double before, enum util_shown kind,
                  double *change)
{
  double a = util_shown_round(now, kind), b = util_shown_round(before, kind);

  *change = 0;
  if (b == 0)
    return a == 0 ? OK : ERR_MISSING; /* nothing to nothing; from 0 */
  *change = a / b - 1;
  return OK;
}
