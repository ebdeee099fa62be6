/*
 * Time for the analysis's readers: where a record's time falls in the
 * corridor's local days. The offsets come from the store's time zone for
 * now; a view will carry its corridor's own offsets, and readers such as
 * the report will not change.
 */
#include "analysis/analysis.h"

int
analysis_time_bounds(const struct analysis *a, const char *canonical,
                     int64_t *begin, int64_t *finish)
{
  (void)a;
  return record_time_bounds(canonical, store_tz_offset, NULL, begin, finish);
}
