/*
 * The local days that the entries appended after a view's size changed
 * (issue 13, item 5: --as-of N). The store's kept day cells are true of
 * the whole log; a day that no entry after N touched holds the same live
 * records at N, so its kept cells serve the view of N, and only the days
 * changed since are built from the view's own records (days.c). A day is
 * changed when a flow or coverage record appended after N reaches it, or
 * one that such a record corrects or withdraws did. Days are marked whole
 * (every checkpoint) and generously (an interval's last day even when it
 * ends at midnight): a day marked that did not change is only built, which
 * costs time, never a figure.
 *
 * What changed is read from the query rows (store_each_changed_span);
 * a backend that cannot say (PostgreSQL, which keeps no day cells either)
 * builds every day of such a view, as before.
 *
 * The kept cells cannot serve when the corridor's rules changed after N
 * (another version: records may be read otherwise), nor are they worth it
 * when more than half the log came after N (the days would nearly all be
 * built anyway, after reading every entry since).
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / DAY : -((-seconds + DAY - 1) / DAY);
}

/* Marks the days from b's to f's. */
static void
mark_span(struct analysis *a, int64_t b, int64_t f)
{
  if (f < b)
    f = b;
  for (int64_t d = day_floor(b); d <= day_floor(f); d++) {
    uint64_t key = (uint64_t)d;
    int added;
    tmap_put(a->changed, &key, &added);
  }
}

/* From the query rows: a record added after N is read under the corridor
 * of N (the same version); one it supersedes may have been written under
 * an older one, whose time zone was another: a day either side too. */
static int
mark_row(void *ctx, int target, int64_t b, int64_t f)
{
  struct analysis *a = ctx;

  if (target && f - b > a->changed_span)
    a->changed_span = f - b;
  mark_span(a, target ? b - DAY : b, target ? f + DAY : f);
  return OK;
}

int
analysis__changed_load(struct analysis *a)
{
  const struct corridor *now = NULL;
  uint64_t size = store_size(a->st);
  int rc;

  if (a->changed_state != 0)
    return OK;
  a->changed = tmap_new(1);
  a->changed_state = -1;
  if (a->as_of >= size)
    return OK; /* nothing after it: analysis__days reads the kept days */
  if ((rc = store_corridor_at(a->st, size, &now)) != OK)
    return rc;
  if (now != a->c || size - a->as_of > size / 2)
    return OK;
  rc = store_each_changed_span(a->st, a->as_of, size, mark_row, a);
  if (rc == OK)
    a->changed_state = 1;
  return rc == ERR_NOTFOUND ? OK : rc;
}

int
analysis__day_changed(const struct analysis *a, int64_t day)
{
  uint64_t key = (uint64_t)day;
  size_t i;

  return a->changed_state < 0 || tmap_get(a->changed, &key, &i);
}
