/*
 * Spans of local seconds: merging and subtracting them, for coverage (what
 * was observed, minus what was said not to be) in the day builder and in
 * the analysis's view.
 */
#include "cells/cells.h"

#include <stdlib.h>

static int
by_begin(const void *x, const void *y)
{
  const struct cells_span *p = x, *q = y;

  if (p->begin != q->begin)
    return p->begin < q->begin ? -1 : 1;
  return p->end < q->end ? -1 : p->end > q->end;
}

size_t
cells_span_merge(struct cells_span *v, size_t n)
{
  size_t k = 0;

  if (n == 0)
    return 0;
  qsort(v, n, sizeof *v, by_begin);
  for (size_t i = 1; i < n; i++) {
    if (v[i].begin <= v[k].end) {
      if (v[i].end > v[k].end)
        v[k].end = v[i].end;
    } else {
      v[++k] = v[i];
    }
  }
  return k + 1;
}

size_t
cells_span_subtract(const struct cells_span *v, size_t nv, const struct cells_span *u, size_t nu,
         struct cells_span *out)
{
  size_t n = 0, j = 0;

  for (size_t i = 0; i < nv; i++) {
    int64_t s = v[i].begin;
    while (j < nu && u[j].end <= s)
      j++;
    for (size_t k = j; k < nu && u[k].begin < v[i].end; k++) {
      if (u[k].begin > s)
        out[n++] = (struct cells_span){s, u[k].begin};
      if (u[k].end > s)
        s = u[k].end;
    }
    if (s < v[i].end)
      out[n++] = (struct cells_span){s, v[i].end};
  }
  return n;
}
