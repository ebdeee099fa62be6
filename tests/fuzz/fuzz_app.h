/*
 * What the harnesses of the server's writes share (fuzz_app_batch.c,
 * fuzz_http_import.c): an app over a fresh store in memory for every input,
 * of the HTTP cases' corridor (tests/http/fixture): checkpoints a and b, a
 * source un-1. The harness defines fail().
 */
#ifndef PASSAGE_FUZZ_APP_H
#define PASSAGE_FUZZ_APP_H

#include <string.h>

#include "app/app_int.h"
#include "ingest/ingest.h"

static void fail(const char *what);

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "log = example.org/test-corridor\n"
                               "timezone = UTC\n"
                               "baseline = 2023-01-01..2023-01-07\n"
                               "min_public_count = 10\n"
                               "[publish]\n"
                               "public = flows, events\n"
                               "[checkpoint a]\n"
                               "name = Alpha\n"
                               "lat = 39.5\n"
                               "lon = 46.5\n"
                               "km = 0\n"
                               "[checkpoint b]\n"
                               "name = Bravo\n"
                               "lat = 39.6\n"
                               "lon = 46.6\n"
                               "km = 12\n";

/* The corridor's checkpoints as passage init stores them (records), and a
 * source. */
static const char checkpoints[] = "id,name,lat,lon,km\n"
                                  "a,Alpha,39.5,46.5,0\n"
                                  "b,Bravo,39.6,46.6,12\n";
static const char sources[] = "id,name\n"
                              "un-1,UN monitors\n";

/* An app over a fresh store in memory. */
static struct app *
fresh_app(void)
{
  struct app *app = app_new(":memory:");
  struct ingest_stats stats;
  struct ingest_opts o;
  struct buf err;

  buf_init(&err);
  if (store_open(":memory:", 1, &app->st, &err) != OK ||
      store_init(app->st, "corridor.ini", corridor) != OK)
    fail("cannot make the store");
  buf_cleanup(&err);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  if (ingest_buffer(app->st, &o, NULL, "checkpoints.csv", checkpoints,
                    strlen(checkpoints), &stats) != OK)
    fail("cannot store the checkpoints");
  o.kind = KIND_source;
  if (ingest_buffer(app->st, &o, NULL, "sources.csv", sources, strlen(sources),
                    &stats) != OK)
    fail("cannot store the source");
  ingest_opts_cleanup(&o);
  return app;
}

#endif
