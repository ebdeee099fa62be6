/*
 * What the import harnesses (fuzz_ingest_import.c for CSV with HXL and the
 * mapping, fuzz_ingest_jsonl.c for JSON Lines) share: a fresh store in
 * memory for every input (so that an input does the same whatever ran
 * before it, and a crash replays), import options chosen from the input's
 * first two bytes, and the promises every import must keep whatever the
 * bytes: only OK, ERR_INVALID or ERR_USAGE; all or nothing; the store's
 * own check (store_audit) passing afterwards; every error with a message.
 */
#ifndef PASSAGE_FUZZ_IMPORT_H
#define PASSAGE_FUZZ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "store/store.h"

static void
fuzz_fail(const char *what)
{
  fprintf(stderr, "fuzz import: %s\n", what);
  abort();
}

/* The corridor: Baku's zone (offsets and their changes), a category of
 * its own, two checkpoints by name and slug, a source, an actor. */
static const char fuzz_corridor[] = "[corridor]\n"
                                    "name = Fuzz corridor\n"
                                    "timezone = Asia/Baku\n"
                                    "[category water]\n"
                                    "unit = m3\n";
static const char fuzz_refs[] = "id,name\n"
                                "north-gate,North Gate\n"
                                "south-bridge,South Bridge\n";

static struct store *
fuzz_store(void)
{
  struct store *st;
  struct buf err;
  struct ingest_opts o;
  struct ingest_stats stats;
  static const enum record_kind kinds[] = {KIND_checkpoint, KIND_source,
                                           KIND_actor};

  buf_init(&err);
  if (store_open(":memory:", 1, &st, &err) != OK ||
      store_init(st, "fuzz.ini", fuzz_corridor) != OK)
    fuzz_fail("cannot make the store");
  buf_cleanup(&err);
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    ingest_opts_init(&o);
    o.kind = kinds[i];
    if (ingest_buffer(st, &o, NULL, "refs.csv", fuzz_refs, strlen(fuzz_refs),
                      &stats) != OK)
      fuzz_fail("cannot store the references");
  }
  return st;
}

/* Every error comes with its words; parts count up to their number. */
static void
fuzz_on_error(void *ctx, const struct ingest_error *e)
{
  (void)ctx;
  if (e->message == NULL || e->nparts == 0 || e->part >= e->nparts)
    fuzz_fail("an error without a message, or parts out of order");
  if (e->kind == INGEST_ERR_STORE || e->kind == INGEST_ERR_IO)
    fuzz_fail("the store or the input failed on bytes in memory");
}

static void
fuzz_on_note(void *ctx, const struct ingest_note *n)
{
  (void)ctx;
  for (size_t i = 0; i < n->nnames; i++)
    if (n->names[i] == NULL)
      fuzz_fail("a note without a name");
}

/* Option texts a user may give, by kind of option; a field a kind lacks
 * makes ingest_add_* refuse it, which is fine. */
static const char *const fuzz_maps[] = {
    "start=Date,checkpoint=Crossing,vehicles=Trucks",
    "start={Year}-{Month}-{Day},direction=Way",
    "quantity=Tonnes,category=Item,unit=Unit",
    "at=When,low=Min,high=Max,category=What",
    "persons=People,vehicle=Type,end={Date} {Time}",
    "id=Ref,name=Name,lat=Lat,lon=Lon,km=Km",
    "at=Date,state=Status,cause=Why,actor=Who",
    "count=Count,note={A}/{B}",
};
static const char *const fuzz_sets[] = {
    "direction=in",  "source=north-gate,grade=B2",
    "vehicle=truck", "category=water,unit=m3",
    "state=closed",  "basis=estimated",
};
static const char *const fuzz_labels[] = {
    "direction:Entering=in,Leaving=out",
    "category:Flour=food,Diesel=fuel,Eau=water",
    "vehicle:Lorry=truck,Walk=none",
    "state:Shut=closed,Partly\\, open=restricted",
};

static char fuzz_dir[] = "/tmp/passage-fuzz-XXXXXX";
static char fuzz_path[64];

static void
fuzz_remove_file(void)
{
  unlink(fuzz_path);
  rmdir(fuzz_dir);
}

/* Imports the bytes from a file of a folder of this process's own. */
static int
fuzz_from_file(struct store *st, const struct ingest_opts *o,
               const struct ingest_sink *sink, const char *text, size_t len,
               struct ingest_stats *stats)
{
  char *path = fuzz_path;
  const char *files[1] = {path};
  FILE *f;

  if (path[0] == '\0') {
    if (mkdtemp(fuzz_dir) == NULL)
      fuzz_fail("no temporary folder");
    snprintf(fuzz_path, sizeof fuzz_path, "%s/input", fuzz_dir);
    atexit(fuzz_remove_file);
  }
  if ((f = fopen(path, "wb")) == NULL || fwrite(text, 1, len, f) != len ||
      fclose(f) != 0)
    fuzz_fail("cannot write the input's file");
  return ingest_files(st, o, sink, files, 1, stats);
}

/*
 * passage add with the first line's cells as field names and the
 * second's as their values: the same promises as an import.
 */
static void
fuzz_fields(struct store *st, const struct ingest_opts *o,
            const struct ingest_sink *sink, const char *text, size_t len)
{
  char *copy = xstrndup(text, len), *lines[2], *names[16], *values[16];
  size_t n = 0;
  uint64_t before = store_size(st);
  struct ingest_stats stats;
  int rc;

  lines[0] = copy;
  lines[1] = strchr(copy, '\n');
  if (lines[1] == NULL) {
    free(copy);
    return;
  }
  *lines[1]++ = '\0';
  for (char *a = lines[0], *b = lines[1]; a && b && n < 16; n++) {
    names[n] = strsep(&a, ",");
    values[n] = strsep(&b, ",\n");
  }
  rc = ingest_fields(st, o, sink, (const char *const *)names,
                     (const char *const *)values, n, &stats);
  if (rc != OK && rc != ERR_INVALID)
    fuzz_fail("an add failed otherwise than on its fields");
  if (store_size(st) != before + (rc == OK ? stats.added + stats.created : 0))
    fuzz_fail("an add stored other than what it says it added");
  free(copy);
}

static const enum record_kind fuzz_kinds[] = {
    KIND_flow,  KIND_status,     KIND_event,      KIND_coverage,
    KIND_stock, KIND_need,       KIND_population, KIND_indicator,
    KIND_flow,  KIND_checkpoint, KIND_source,     KIND_actor,
};

/*
 * Imports the bytes after the first two in format, with options from
 * those two: byte 0 the kind (low 4 bits) and whether to create missing
 * references, allow future times, set a small line cap; byte 1 which map,
 * set and label options to add, and (bit 7) whether the first line of the
 * data is itself a --map option.
 */
static int
fuzz_import(const uint8_t *data, size_t size, enum ingest_format format)
{
  struct store *st;
  struct ingest_opts o;
  struct ingest_stats stats;
  struct ingest_sink sink = {fuzz_on_error, fuzz_on_note, NULL, NULL};
  struct buf err;
  const char *text;
  size_t len;
  uint64_t before, bad;
  uint8_t a, b;
  int rc;

  if (size < 2)
    return 0;
  a = data[0];
  b = data[1];
  text = (const char *)data + 2;
  len = size - 2;
  st = fuzz_store();
  before = store_size(st);
  buf_init(&err);
  ingest_opts_init(&o);
  o.kind = fuzz_kinds[(a & 15) % (sizeof fuzz_kinds / sizeof fuzz_kinds[0])];
  o.format = format;
  o.create_missing = (a >> 4) & 1;
  o.allow_future = (a >> 5) & 1;
  o.max_line = (a >> 6) & 1 ? 64 : 0;
  o.now = 1700000000;
  o.max_errors = (a >> 7) & 1 ? 1 : 0;
  if (b & 1)
    ingest_add_maps(&o, fuzz_maps[(b >> 1) & 7], &err);
  if (b & 16)
    ingest_add_sets(&o, fuzz_sets[((b >> 1) & 7) % 6], &err);
  if (b & 32)
    ingest_add_labels(&o, fuzz_labels[(b >> 2) & 3], &err);
  if ((b & 128) && len > 0) {
    /* The first line is a --map option text, the rest the data. */
    const char *nl = memchr(text, '\n', len);
    size_t n = nl ? (size_t)(nl - text) : len;
    char *spec = xstrndup(text, n);
    ingest_add_maps(&o, spec, &err);
    free(spec);
    text += nl ? n + 1 : n;
    len -= nl ? n + 1 : n;
  }
  /* An input of odd length is read from a file, as a stream; of even
   * length from memory. */
  rc = len % 2 ? fuzz_from_file(st, &o, &sink, text, len, &stats)
               : ingest_buffer(st, &o, &sink, "fuzz", text, len, &stats);
  if (rc != OK && rc != ERR_INVALID && rc != ERR_USAGE)
    fuzz_fail("an import failed otherwise than on its input");
  if (rc == OK && store_size(st) != before + stats.added + stats.created)
    fuzz_fail("stored other than what it says it added");
  if (rc != OK && store_size(st) != before)
    fuzz_fail("a failed import stored something");
  if (stats.added + stats.unchanged + stats.rejected > stats.rows)
    fuzz_fail("more rows accounted for than read");
  if (format == INGEST_CSV)
    fuzz_fields(st, &o, &sink, text, len);
  if (store_audit(st, &bad, NULL, NULL) != OK) {
    fprintf(stderr, "%s\n", store_errmsg(st));
    fuzz_fail("the store fails its own check after an import");
  }
  ingest_opts_cleanup(&o);
  buf_cleanup(&err);
  store_close(st);
  return 0;
}

#endif
