/*
 * Availability: the share of a local day a checkpoint was open, from its
 * status timeline (sorted by checkpoint and time when the view loads it),
 * each state holding until the next change.
 */
#include "analysis/analysis_int.h"

#include <string.h>

int
analysis_availability(struct analysis *a, const char *checkpoint, int64_t day,
                      double *out, int *known)
{
  int64_t start = day * 86400, end = start + 86400;
  double w = a->c->restricted_weight, open = 0;
  int state = -1, at_start = 0;
  int64_t t = start;
  int rc;

  *out = 0;
  *known = 0;
  rc = analysis__load(a);
  if (rc != OK)
    return rc;
  /* Statuses are sorted by checkpoint and time: the state at the day's
   * start, then each change within the day. */
  for (size_t i = 0; i < a->nstatus; i++) {
    const struct span *s = &a->status[i];
    if (strcmp(s->checkpoint, checkpoint) != 0)
      continue;
    if (s->begin <= start) {
      state = s->state;
      at_start = 1;
      continue;
    }
    if (s->begin >= end)
      break;
    if (state >= 0)
      open += (double)(s->begin - t) * (state == 2 ? 1 : state == 1 ? w : 0);
    t = s->begin;
    state = s->state;
  }
  /* Known only when a status was recorded at or before the day's start. */
  if (!at_start)
    return OK;
  *known = 1;
  open += (double)(end - t) * (state == 2 ? 1 : state == 1 ? w : 0);
  *out = open / 86400.0;
  return OK;
}
