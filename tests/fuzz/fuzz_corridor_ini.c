/*
 * Fuzzes the corridor file parser: any bytes must give either a corridor
 * whose references hold, or ERR_INVALID with at least one message, and
 * never a crash, leak or sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corridor/corridor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_corridor_ini: %s\n", what);
  abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct corridor *c = NULL;
  struct buf err;
  int r;

  buf_init(&err);
  r = corridor_parse("fuzz.ini", (const char *)data, size, &c, &err);
  if (r == OK) {
    if (c == NULL || err.len != 0 || c->name == NULL || c->log == NULL ||
        c->timezone == NULL || c->zone == NULL)
      fail("OK without a complete corridor");
    if (corridor_utc_offset(c, 0) < -89999 || corridor_utc_offset(c, 0) > 93599)
      fail("an offset beyond -25 to +26 hours");
    if (!(c->critical_days <= c->severe_days &&
          c->severe_days <= c->warning_days))
      fail("alert thresholds out of order");
    if (c->has_baseline && c->baseline_from > c->baseline_to)
      fail("baseline reversed");
    for (size_t i = 0; i < c->ncheckpoints; i++)
      if (c->checkpoints[i].name == NULL ||
          corridor_find_checkpoint(c, c->checkpoints[i].id) !=
              &c->checkpoints[i])
        fail("checkpoint without a name or a duplicate id");
    for (size_t i = 0; i < c->ncategories; i++)
      if (corridor_find_category(c, c->categories[i].id) == NULL ||
          c->categories[i].unit == NULL)
        fail("category lookup");
    for (size_t i = 0; i < c->nobligations; i++) {
      const struct corridor_obligation *o = &c->obligations[i];
      if (o->text == NULL || o->nmeasures == 0 || o->ndirections == 0)
        fail("obligation without defaults");
      for (size_t j = 0; j < o->ncheckpoints; j++)
        if (corridor_find_checkpoint(c, o->checkpoints[j]) == NULL)
          fail("obligation names an unknown checkpoint");
    }
  } else {
    if (r != ERR_INVALID || c != NULL || err.len == 0 ||
        err.data[err.len - 1] != '\n')
      fail("failure without a message");
  }
  corridor_free(c);
  buf_cleanup(&err);
  return 0;
}
