/* init: a new store from a corridor file, its checkpoints the first records
 * of the log. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ingest/ingest.h"

void
app_init_result_cleanup(struct app_init_result *r)
{
  if (r == NULL)
    return;
  free(r->corridor);
  free(r->timezone);
  memset(r, 0, sizeof *r);
}

/* Reads and checks the corridor file before anything is created. */
static int
read_corridor(const char *path, struct buf *text, struct corridor **c,
              struct app_error *err)
{
  struct buf msg;
  int rc;

  /* Past the cap the file is not read on: corridor_parse refuses what
   * was read, in its own words. */
  rc = app__read_file(path, CORRIDOR_MAX_BYTES, text);
  if (rc != OK && rc != ERR_NOMEM)
    return app__fail(err, ERR_IO, APP_ERROR_OPERATION, "corridor",
                     "cannot read %s", path);
  buf_init(&msg);
  rc = corridor_parse(path, text->data ? text->data : "", text->len, c, &msg);
  if (rc != OK) {
    if (msg.len && msg.data[msg.len - 1] == '\n')
      msg.data[--msg.len] = '\0';
    app__fail(err, ERR_INVALID, APP_ERROR_INPUT, "corridor", "%s",
              msg.len ? msg.data : "invalid corridor file");
  }
  buf_cleanup(&msg);
  return rc == OK ? OK : ERR_INVALID;
}

/* A checkpoint's problems, as the CLI words an import's: "FILE:LINE: ...",
 * a row's parts joined by "; ", one line each. */
static void
keep_error(void *ctx, const struct ingest_error *e)
{
  struct buf *b = ctx;

  if (e->part > 0)
    buf_puts(b, "; ");
  else {
    if (b->len)
      buf_putc(b, '\n');
    if (e->file && e->line)
      buf_printf(b, "%s:%lu: ", e->file, e->line);
    else if (e->file)
      buf_printf(b, "%s: ", e->file);
  }
  buf_puts(b, e->message);
}

void
app__checkpoint_fields(const struct corridor_checkpoint *cp,
                       struct app_checkpoint_fields *f)
{
  size_t n = 0;

  f->names[n] = "id", f->values[n++] = cp->id;
  f->names[n] = "name", f->values[n++] = cp->name;
  if (cp->has_lat) {
    util_format_number(cp->lat, f->num[0], sizeof f->num[0]);
    f->names[n] = "lat", f->values[n++] = f->num[0];
  }
  if (cp->has_lon) {
    util_format_number(cp->lon, f->num[1], sizeof f->num[1]);
    f->names[n] = "lon", f->values[n++] = f->num[1];
  }
  if (cp->has_km) {
    util_format_number(cp->km, f->num[2], sizeof f->num[2]);
    f->names[n] = "km", f->values[n++] = f->num[2];
  }
  if (cp->note)
    f->names[n] = "note", f->values[n++] = cp->note;
  /* Only "no" is written: a checkpoint without the field is on the route,
   * and the records of corridors made before it existed keep their bytes. */
  if (!cp->route)
    f->names[n] = "route", f->values[n++] = "no";
  f->n = n;
}

/* Stores one of the corridor's checkpoints as a checkpoint record. */
static int
add_checkpoint(struct store *st, const struct corridor_checkpoint *cp,
               struct buf *problems)
{
  struct ingest_sink sink = {keep_error, NULL, NULL, problems};
  struct app_checkpoint_fields f;
  struct ingest_stats stats;
  struct ingest_opts o;
  int rc;

  app__checkpoint_fields(cp, &f);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  rc = ingest_fields(st, &o, &sink, f.names, f.values, f.n, &stats);
  ingest_opts_cleanup(&o);
  return rc;
}

int
app_init(struct app *app, const char *corridor_path,
         struct app_init_result *out, struct app_error *err)
{
  struct corridor *c = NULL;
  struct store *st = NULL;
  struct buf text;
  char *file = NULL;
  int rc = OK;

  memset(out, 0, sizeof *out);
  buf_init(&text);
  /* A store's corridor is its rules, and a store is initialised once: a
   * default one made silently could not be replaced. */
  if (corridor_path == NULL) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "corridor",
                   "--corridor FILE is needed (every figure depends on the "
                   "corridor file); to start one:\n"
                   "  passage corridor template > corridor.ini   (then edit "
                   "it)\n"
                   "  passage init --corridor corridor.ini");
    goto out;
  }
  if ((rc = read_corridor(corridor_path, &text, &c, err)) != OK)
    goto out;
  if ((file = store_file_path(app->db)) != NULL && access(file, F_OK) == 0)
    rc = ERR_EXISTS;
  free(file);
  /* Made under a temporary name and renamed into place whole (file.c):
   * a failed or killed init leaves nothing at the store's path. */
  if (rc == OK && (rc = app__init_begin(app, err)) != OK)
    goto out;
  if (rc == OK && (rc = app__store(app, 1, &st, err)) != OK)
    goto made;
  if (rc == OK)
    rc = store_init(st, corridor_path, text.data ? text.data : "");
  /* A file that exists, or a store on a server initialised before. */
  if (rc == ERR_EXISTS) {
    app__fail(err, ERR_EXISTS, APP_ERROR_OPERATION, "db",
              "%s exists already; a store is initialised once (choose "
              "another --db)",
              app->init_db ? app->init_db : app->db);
    goto made;
  }
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
    goto made;
  }
  for (size_t i = 0; i < c->ncheckpoints && rc == OK; i++) {
    struct buf problems;
    buf_init(&problems);
    rc = add_checkpoint(st, &c->checkpoints[i], &problems);
    if (rc != OK)
      app__fail(err, rc, APP_ERROR_INPUT, "corridor", "%s",
                problems.len ? problems.data : util_strerror(rc));
    buf_cleanup(&problems);
  }
  if (rc == OK) {
    out->corridor = xstrdup(store_corridor(st)->name);
    out->timezone = xstrdup(store_corridor(st)->timezone);
    out->checkpoints = c->ncheckpoints;
  }
made:
  rc = app__init_end(app, rc, err);
out:
  corridor_free(c);
  buf_cleanup(&text);
  return rc;
}

const char *
app_corridor_template(void)
{
  return corridor_template();
}
