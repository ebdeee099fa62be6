/*
 * Availability: the share of a local day a checkpoint was open in one
 * direction, from its status timeline (sorted by checkpoint and time when
 * the view loads it), each state holding until the next change for that
 * direction; and the corridor's, the minimum over its route checkpoints.
 */
#include "analysis/analysis_int.h"

#include <string.h>

static double
weight(const struct analysis *a, int state)
{
  return state == 2 ? 1 : state == 1 ? a->c->restricted_weight : 0;
}

int
analysis_availability(struct analysis *a, const char *checkpoint, int dir,
                      int64_t day, double *out, int *known)
{
  int64_t start = day * 86400, end = start + 86400;
  double open = 0;
  int state = -1, at_start = 0;
  int64_t t = start;
  int rc;

  *out = 0;
  *known = 0;
  rc = analysis__load(a);
  if (rc != OK)
    return rc;
  /* Statuses are sorted by checkpoint and time (then log order): the
   * state at the day's start, then each change within the day. A status
   * for the other direction leaves this one's as it was. */
  for (size_t i = 0; i < a->nstatus; i++) {
    const struct span *s = &a->status[i];
    if (strcmp(s->checkpoint, checkpoint) != 0 ||
        (s->dir >= 0 && s->dir != dir))
      continue;
    if (s->begin <= start) {
      state = s->state;
      at_start = 1;
      continue;
    }
    if (s->begin >= end)
      break;
    if (state >= 0)
      open += (double)(s->begin - t) * weight(a, state);
    t = s->begin;
    state = s->state;
  }
  /* Known only when a status was recorded at or before the day's start. */
  if (!at_start)
    return OK;
  *known = 1;
  open += (double)(end - t) * weight(a, state);
  *out = open / 86400.0;
  return OK;
}

int
analysis_route(struct analysis *a, const char *checkpoint)
{
  int c;

  if (analysis__load(a) != OK || (c = analysis__cp(a, checkpoint)) < 0)
    return 0;
  return a->route[c];
}

int
analysis_corridor_availability(struct analysis *a, int dir, int64_t day,
                               double *out, int *known)
{
  double low = 1;
  int any = 0, rc;

  *out = 0;
  *known = 0;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  /* A road is only as open as its most closed checkpoint. */
  for (size_t i = 0; i < a->ncheckpoints; i++) {
    double share;
    int k;
    if (!a->route[i])
      continue;
    if ((rc = analysis_availability(a, a->checkpoints[i], dir, day, &share,
                                    &k)) != OK)
      return rc;
    if (!k)
      return OK;
    if (share < low)
      low = share;
    any = 1;
  }
  if (any) {
    *out = low;
    *known = 1;
  }
  return OK;
}
