/* passage pipeline: what waits between the stages goods are counted at. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const pipeline_help = N_(
    "usage: passage [--db PATH] pipeline [--from D1] [--to D2]\n"
    "                    [--checkpoint ID] [--measure M] [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "Per day, checkpoint and direction: what was counted at each of the\n"
    "corridor's stages ([stages] order; queued, inspected, crossed,\n"
    "delivered by default), whatever the outcome, sources reconciled in time\n"
    "as passage flow does, each stage on its own; the backlog at the end of\n"
    "the day (what entered the first stage and has neither passed the\n"
    "counting stage, crossed by default, nor turned back, as a running\n"
    "balance that never goes below zero); and, where flows carry a\n"
    "consignment id, the median and 90th-percentile dwell in hours between\n"
    "consecutive stages (a consignment's first record at one stage to its\n"
    "first at the next; median: the middle value or the mean of the two\n"
    "middle ones; 90th percentile: the ceil(0.9 n)-th smallest). Days with\n"
    "none of the measure counted, no step made and no backlog are left out;\n"
    "counts of a day on which nobody observed the measure are unknown.\n"
    "\n"
    "  --from, --to     the period, inclusive (default: all of it)\n"
    "  --checkpoint ID  one checkpoint (an id or a name)\n"
    "  --measure M      vehicles (default), persons, tonnes or records\n"
    "  --as-of N        as the log stood at tree size N\n"
    "  --format         table (default), csv, json\n"
    "JSON: {\"stages\": {\"order\", \"counting\"}, \"measure\", \"rows\":\n"
    "[{\"day\", \"checkpoint\", \"direction\", \"stages\": {STAGE: n},\n"
    "\"backlog\", \"dwell\": {\"A_to_B\": {\"consignments\", "
    "\"median_hours\",\n"
    "\"p90_hours\"}}}]}\n");

/* A step nobody made that day has no dwell: "-", not unknown. */
static void
pipeline_row(struct cli_table *t, const struct app_table *a, const json_t *r)
{
  char(*cells)[64] = xcalloc(a->ncols, sizeof *cells);
  const char **row = xcalloc(a->ncols, sizeof *row);

  for (size_t c = 0; c < a->ncols; c++) {
    const json_t *v = app_table_value(a, r, c);
    if (json_is_string(v))
      row[c] = json_string_value(v);
    else if (v == NULL && strncmp(a->cols[c].path, "dwell.", 6) == 0)
      row[c] = "-";
    else {
      cli_cell(v, a->cols[c].type, cells[c], sizeof cells[c]);
      row[c] = cells[c];
    }
  }
  cli_table_add(t, row);
  free(cells);
  free(row);
}

static void
pipeline_head(struct cli_table *t, const struct app_table *a)
{
  cli_answer_head(t, a, 0);
}

static void
pipeline_foot(struct cli_table *t, const struct app_table *a, size_t rows)
{
  const json_t *stages = json_object_get(a->json, "stages");

  printf(_("%s at each stage; the backlog waits between %s and %s\n"),
         json_string_value(json_object_get(a->json, "measure")),
         json_string_value(json_array_get(json_object_get(stages, "order"), 0)),
         json_string_value(json_object_get(stages, "counting")));
  cli_table_print(t, stdout);
  if (rows == 0)
    puts(_("(nothing counted at a stage, and no backlog, in this period)"));
}

int
cmd_pipeline(struct cli *cli, int argc, char **argv)
{
  static const struct cli_layout layout = {pipeline_head, pipeline_row,
                                           pipeline_foot};
  struct cli_args a = {.cmd = "pipeline", .help = pipeline_help, .cli = cli};
  struct app_query q = {0};
  const char *format;
  int rc, code;

  if ((rc = cli_parse(&a, "pipeline", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("pipeline", argc, argv)) != EXIT_OK)
    goto out;
  format = a.v[OPT_pipeline_format] ? a.v[OPT_pipeline_format] : "table";
  q.from = a.day[OPT_pipeline_from];
  q.to = a.day[OPT_pipeline_to];
  q.has_from = a.n[OPT_pipeline_from] > 0;
  q.has_to = a.n[OPT_pipeline_to] > 0;
  q.as_of = a.num[OPT_pipeline_as_of];
  q.checkpoint = a.v[OPT_pipeline_checkpoint];
  q.measure = a.v[OPT_pipeline_measure];
  if ((code = cli_answer_check("pipeline", format, &q)) == EXIT_OK)
    code = cli_answer(cli, "pipeline", app_pipeline, &q, format, &layout);
out:
  cli_args_cleanup(&a);
  return code;
}
