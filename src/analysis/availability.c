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

/* The first status of checkpoint cp in the sorted timeline whose begin is
 * after t (of checkpoint order, then time): binary search, the timeline
 * being sorted by checkpoint, then time. */
static size_t
first_after(const struct analysis *a, const char *cp, int64_t t)
{
  size_t lo = 0, hi = a->nstatus;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const struct span *s = &a->status[mid];
    int c = strcmp(s->checkpoint, cp);
    if (c < 0 || (c == 0 && s->begin <= t))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int
applies(const struct span *s, const char *cp, int dir)
{
  return strcmp(s->checkpoint, cp) == 0 && (s->dir < 0 || s->dir == dir);
}

int
analysis_availability(struct analysis *a, const char *checkpoint, int dir,
                      int64_t day, double *out, int *known)
{
  int64_t start = day * 86400, end = start + 86400;
  double open = 0;
  int state = -1;
  int64_t t = start;
  size_t i;
  int rc;

  *out = 0;
  *known = 0;
  rc = analysis__statuses(a, start, end);
  if (rc != OK)
    return rc;
  /* The state at the day's start: the last status of the checkpoint for
   * this direction (or both) at or before it; a status for the other
   * direction leaves this one's as it was. Known only when there is one.
   * Then each change within the day. The timeline is sorted by
   * checkpoint and time (then log order), so both are found by search
   * rather than by a walk over every status of the history. */
  i = first_after(a, checkpoint, start);
  for (size_t j = i; j-- > 0;) {
    const struct span *s = &a->status[j];
    if (strcmp(s->checkpoint, checkpoint) != 0)
      break;
    if (s->dir < 0 || s->dir == dir) {
      state = s->state;
      break;
    }
  }
  if (state < 0)
    return OK;
  for (; i < a->nstatus && a->status[i].begin < end; i++) {
    const struct span *s = &a->status[i];
    if (!applies(s, checkpoint, dir)) {
      if (strcmp(s->checkpoint, checkpoint) != 0)
        break;
      continue;
    }
    open += (double)(s->begin - t) * weight(a, state);
    t = s->begin;
    state = s->state;
  }
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
