/*
 * Time for the analysis's readers: where a record's time falls in the
 * corridor's local days, by the view's corridor's own offsets, so that
 * readers such as the report never reach a time zone themselves.
 */
#include "analysis/analysis_int.h"

int
analysis_time_bounds(const struct analysis *a, const char *canonical,
                     int64_t *begin, int64_t *finish)
{
  return record_time_bounds(canonical, corridor_tz_offset, (void *)a->c, begin,
                            finish);
}
