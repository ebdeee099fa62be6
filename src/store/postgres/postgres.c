/*
 * The PostgreSQL backend: the connection (made from a postgresql:// URL,
 * libpq's environment variables and service files), the database and
 * schema made on demand, transactions and meta, and the struct
 * store_backend. One log across servers: the write transaction locks the
 * log's head row (SELECT ... FOR UPDATE), so one writer at a time numbers
 * entries from the size it holds and moves it at commit; the unique index
 * on (kind, id) keeps an id that two servers receive at once to one entry.
 * conn.c talks to the server, write.c gathers and sends the writes,
 * schema.c makes the tables; entries.c, rows.c and tokens.c are the data.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Connecting ---- */

/* The server's notices below a warning (a migration's "already exists,
 * skipping") are not for the user; libpq would print them all. */
static void
notice(void *ctx, const PGresult *r)
{
  const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

  (void)ctx;
  if (sev && (strcmp(sev, "NOTICE") == 0 || strcmp(sev, "INFO") == 0 ||
              strcmp(sev, "LOG") == 0 || strcmp(sev, "DEBUG") == 0))
    return;
  fprintf(stderr, "%s", PQresultErrorMessage(r));
}

static PGconn *
connect_to(const char *location)
{
  /* The URL's own settings win over the fallback name; the encoding is
   * ours to choose. */
  const char *const keys[] = {"fallback_application_name", "dbname",
                              "client_encoding", NULL};
  const char *const values[] = {"passage", location, "UTF8", NULL};
  PGconn *c = PQconnectdbParams(keys, values, 1);

  if (c)
    PQsetNoticeReceiver(c, notice, NULL);
  return c;
}

/* The failed connection's settings with dbname replaced: the maintenance
 * database of the same server, as the same user. */
static PGconn *
connect_beside(PGconn *failed, const char *dbname, char **target)
{
  PQconninfoOption *opts = PQconninfo(failed);
  const char *keys[64], *values[64];
  PGconn *c = NULL;
  int n = 0;

  *target = NULL;
  for (PQconninfoOption *o = opts; o && o->keyword && n < 62; o++) {
    if (o->val == NULL || o->val[0] == '\0')
      continue;
    if (strcmp(o->keyword, "dbname") == 0) {
      *target = xstrdup(o->val);
      continue;
    }
    keys[n] = o->keyword;
    values[n++] = o->val;
  }
  keys[n] = "dbname";
  values[n++] = dbname;
  keys[n] = NULL;
  values[n] = NULL;
  if (*target)
    c = PQconnectdbParams(keys, values, 0);
  PQconninfoFree(opts);
  return c;
}

/*
 * The database named by the location does not exist (or cannot be
 * reached): made when it is absent and create is set, as init does on a
 * server where the user may create databases. OK when it was made.
 */
static int
create_database(PGconn *failed, struct buf *err)
{
  char *target = NULL, *sql = NULL, *q;
  PGconn *c = connect_beside(failed, "postgres", &target);
  const char *params[1];
  PGresult *r = NULL;
  int rc = ERR_IO;

  if (c == NULL || PQstatus(c) != CONNECTION_OK)
    goto out;
  params[0] = target;
  r = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL,
                   params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 0)
    goto out; /* it exists: the failure was another */
  PQclear(r);
  q = PQescapeIdentifier(c, target, strlen(target));
  sql = xasprintf("CREATE DATABASE %s ENCODING 'UTF8' LC_COLLATE 'C' "
                  "LC_CTYPE 'C' TEMPLATE template0",
                  q ? q : "\"\"");
  PQfreemem(q);
  r = PQexec(c, sql);
  if (PQresultStatus(r) == PGRES_COMMAND_OK) {
    rc = OK;
  } else {
    buf_reset(err);
    buf_printf(err, _("there is no database '%s' and it cannot be made: %s"),
               target, PQresultErrorMessage(r));
    rc = ERR_STORE;
  }
out:
  PQclear(r);
  PQfinish(c);
  free(target);
  free(sql);
  return rc;
}

/* The first name of a search_path value that is not "$user", unquoted, a
 * new string; NULL when there is none. */
static char *
first_schema(const char *path)
{
  const char *p = path;

  while (*p) {
    struct buf name;
    while (*p == ' ' || *p == ',')
      p++;
    if (!*p)
      break;
    buf_init(&name);
    if (*p == '"') {
      for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
        if (p[0] == '"')
          p++;
        buf_putc(&name, *p);
      }
      if (*p)
        p++;
    } else {
      while (*p && *p != ',' && *p != ' ')
        buf_putc(&name, *p++);
    }
    if (name.len > 0 && strcmp(name.data, "$user") != 0)
      return buf_take(&name);
    buf_cleanup(&name);
  }
  return NULL;
}

/* With create set, the schema of the search path is made when none of
 * its names exists (a location such as
 * postgresql://host/db?options=-csearch_path%3Dmission names one). */
static int
ensure_schema(struct store_db *d)
{
  PGresult *r = NULL;
  char *name = NULL, *q, *sql;
  const char *list[1];
  int rc;

  rc = pg__send_sql(d,
                    "SELECT current_schema() IS NULL, "
                    "current_setting('search_path')",
                    NULL, PG_KEEP);
  if (rc == OK)
    rc = pg__wait(d, &r, _("finding the store's schema"));
  if (rc != OK)
    return rc;
  if (PQgetvalue(r, 0, 0)[0] != 0)
    name = first_schema(pg__text(r, 0, 1, NULL));
  PQclear(r);
  if (name == NULL)
    return OK;
  q = PQescapeIdentifier(d->conn, name, strlen(name));
  sql = xasprintf("CREATE SCHEMA IF NOT EXISTS %s", q ? q : "\"\"");
  PQfreemem(q);
  list[0] = sql;
  rc = pg__exec(d, list, 1, _("making the store's schema"));
  free(sql);
  free(name);
  return rc;
}

/* The location for messages: its password, if it holds one, hidden. */
static char *
shown(const char *location)
{
  const char *s = strstr(location, "://");
  const char *at, *colon, *slash;

  if (s == NULL || (at = strchr(s + 3, '@')) == NULL)
    return xstrdup(location);
  colon = memchr(s + 3, ':', (size_t)(at - s - 3));
  slash = memchr(s + 3, '/', (size_t)(at - s - 3));
  if (colon == NULL || slash != NULL)
    return xstrdup(location);
  return xasprintf("%.*s:***%s", (int)(colon - location), location, at);
}

static void
pg_close(struct store_db *d)
{
  if (d == NULL)
    return;
  if (d->conn && PQstatus(d->conn) == CONNECTION_OK && !d->broken &&
      (d->in_tx || d->in_read) &&
      pg__send_sql(d, "ROLLBACK", NULL, PG_QUIET) == OK)
    pg__wait(d, NULL, "closing");
  PQfinish(d->conn);
  pg__undefine(d);
  pg__rows_cleanup(d);
  pg__idmap_cleanup(&d->cache);
  free(d->leaves);
  free(d->nodes);
  free(d->keep);
  free(d->keep_stmt);
  buf_cleanup(&d->entry_copy);
  buf_cleanup(&d->row_copy);
  buf_cleanup(&d->flow_day_last);
  buf_cleanup(&d->flow_day_key);
  free(d->location);
  free(d);
}

static int
pg_open(const char *location, const struct store_options *o, struct buf *err,
        struct store_db **out)
{
  struct store_db *d;
  char *where;
  int create = o->create;
  int rc = OK;

  *out = NULL;
  if (pq__load(err) != OK)
    return ERR_STORE;
  d = xcalloc(1, sizeof *d);
  where = shown(location);
  d->err = err;
  /* The most a writer waits for the log's head: SQLite's busy timeout. */
  d->busy_ms = o->busy_timeout_ms ? o->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
  d->location = xstrdup(location);
  buf_init(&d->entry_copy);
  buf_init(&d->row_copy);
  buf_init(&d->flow_day_last);
  buf_init(&d->flow_day_key);
  pg__rows_init(d);
  pg__idmap_init(&d->cache);
  d->leaves = xcalloc(PG_LEAF_SLOTS, sizeof *d->leaves);
  d->nodes = xcalloc(PG_NODE_SLOTS, sizeof *d->nodes);
  pg__define(d);
  d->conn = connect_to(location);
  if (PQstatus(d->conn) != CONNECTION_OK && create) {
    rc = create_database(d->conn, err);
    if (rc == ERR_STORE)
      goto out; /* it said why */
    if (rc == OK) {
      PQfinish(d->conn);
      d->conn = connect_to(location);
    }
    rc = OK;
  }
  if (PQstatus(d->conn) != CONNECTION_OK) {
    buf_reset(err);
    buf_printf(err, _("cannot connect to %s: %s"), where,
               PQerrorMessage(d->conn));
    while (err->len > 0 && err->data[err->len - 1] == '\n')
      err->data[--err->len] = '\0';
    rc = ERR_IO;
    goto out;
  }
  rc = pg__session(d);
  if (rc == OK && create)
    rc = ensure_schema(d);
out:
  free(where);
  if (rc != OK) {
    pg_close(d);
    return rc;
  }
  *out = d;
  return OK;
}

/* ---- Transactions ---- */

/* The write transaction: the log's head row locked, so no other writer
 * appends until commit or rollback. READ COMMITTED: every statement after
 * the lock sees what the writer before committed. */
static int begin_once(struct store_db *d);

static int
pg_begin(struct store_db *d)
{
  int rc = begin_once(d);

  /* A connection found lost at begin loses nothing: begin again on a
   * new one. */
  if (rc != OK && d->broken)
    rc = begin_once(d);
  /* Lost again on the new one (ended while it was being made, as a
   * database going down ends every session): still nothing written, and
   * the caller may try again after a pause (app_batch_commit does). */
  if (rc != OK && d->broken)
    rc = ERR_RETRY;
  return rc;
}

static int
begin_once(struct store_db *d)
{
  PGresult *r = NULL;
  int rc;

  if ((rc = pg__usable(d)) != OK)
    return rc;
  rc = pg__send_sql(d, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, PG_CHECK);
  if (rc == OK) {
    char set[64];
    snprintf(set, sizeof set, "SET LOCAL lock_timeout = %u", d->busy_ms);
    rc = pg__send_sql(d, set, NULL, PG_CHECK);
  }
  if (rc == OK)
    rc = pg__send(d, ST_HEAD_LOCK, NULL, PG_KEEP);
  if (rc == OK)
    rc = pg__wait(d, &r, _("starting a write transaction"));
  if (rc == OK && PQntuples(r) != 1)
    rc = pg__fail(d, ERR_STORE, _("starting a write transaction"),
                  _("the log_head table has no row: the store is damaged"));
  if (rc != OK) {
    PQclear(r);
    if (!d->broken && pg__send_sql(d, "ROLLBACK", NULL, PG_QUIET) == OK)
      pg__wait(d, NULL, _("rolling back"));
    if (rc == ERR_RETRY &&
        strstr(d->err->data ? d->err->data : "", "lock") != NULL) {
      buf_reset(d->err);
      buf_printf(d->err,
                 _("the store is locked by another writer: it kept the log's "
                   "head; waited %g s for it to let go (wait longer with "
                   "--busy-timeout SECONDS, or try again when it is done)"),
                 d->busy_ms / 1000.0);
    } else if (strstr(d->err->data ? d->err->data : "",
                      "read-only transaction") != NULL) {
      /* A hot standby, or default_transaction_read_only: nothing was
       * written, and the writer is to be pointed at the primary. */
      buf_printf(d->err, "%s",
                 _(" (the database takes no writes: a standby, or "
                   "read-only by its settings; write through the "
                   "primary, e.g. with target_session_attrs=read-write "
                   "in the location)"));
      rc = ERR_STORE;
    }
    return rc;
  }
  d->tx_size = (uint64_t)pg__int8(r, 0, 0);
  PQclear(r);
  d->next_seq = d->tx_size;
  d->in_tx = 1;
  d->dirty = 0;
  pg__discard(d);
  return OK;
}

static int
pg_commit(struct store_db *d)
{
  struct pg_params p;
  int rc;

  if ((rc = pg__usable(d)) != OK)
    return rc;
  rc = pg__flush(d, 0);
  if (rc == OK && d->next_seq != d->tx_size) {
    pg__params_init(&p);
    pg__param_int8(&p, (int64_t)d->next_seq);
    rc = pg__send(d, ST_MOVE_HEAD, &p, PG_CHECK);
  }
  if (rc == OK)
    rc = pg__send_sql(d, "COMMIT", NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__wait(d, NULL, "committing");
  if (rc != OK)
    return rc; /* the front rolls back */
  d->in_tx = 0;
  pg__tx_cache(d, 1);
  pg__discard(d);
  return OK;
}

static void
pg_rollback(struct store_db *d)
{
  /* The error buffer holds why the front rolls back. */
  pg__rollback_keeping(d);
  d->in_tx = 0;
  pg__tx_cache(d, 0);
  pg__discard(d);
}

static int
pg_savepoint(struct store_db *d)
{
  return pg__savepoint(d);
}

static int
pg_release(struct store_db *d, int undo)
{
  return pg__release(d, undo);
}

/* REPEATABLE READ: the snapshot is the first statement's, taken here. A
 * connection found lost is made again, once. */
static int
pg_read_begin(struct store_db *d)
{
  int rc = OK;

  for (int attempt = 0; attempt < 2; attempt++) {
    if ((rc = pg__usable(d)) != OK)
      return rc;
    rc = pg__send_sql(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                      NULL, PG_CHECK);
    if (rc == OK)
      rc = pg__send_sql(d, "SELECT 1", NULL, PG_CHECK);
    if (rc == OK)
      rc = pg__wait(d, NULL, _("starting a read transaction"));
    if (rc == OK || !d->broken)
      break;
  }
  /* Lost twice: the database is going down or failing over, which
   * passes (503, not 500). */
  if (rc != OK && d->broken)
    rc = ERR_RETRY;
  if (rc == OK)
    d->in_read = 1;
  return rc;
}

static void
pg_read_end(struct store_db *d)
{
  struct buf keep;

  d->in_read = 0;
  if (d->broken || PQstatus(d->conn) != CONNECTION_OK)
    return;
  buf_init(&keep);
  buf_puts(&keep, d->err->data ? d->err->data : "");
  if (pg__send_sql(d, "COMMIT", NULL, PG_QUIET) == OK)
    pg__wait(d, NULL, _("ending a read transaction"));
  buf_reset(d->err);
  buf_puts(d->err, keep.data ? keep.data : "");
  buf_cleanup(&keep);
}

/* ---- Meta ---- */

static int
pg_get_meta(struct store_db *d, const char *key, char **out)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  *out = NULL;
  pg__params_init(&p);
  pg__param_text(&p, key, strlen(key));
  /* What is derived is in cells_meta (cells.c), a table of schema 8:
   * the front reads it only once the store is migrated. */
  if ((rc = pg__query(d,
                      pg__is_cells_meta(key) ? ST_GET_CELLS_META : ST_GET_META,
                      &p, &r, _("reading meta"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    size_t n;
    const char *v = pg__text(r, 0, 0, &n);
    *out = xstrndup(v ? v : "", v ? n : 0);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

/* Sent with the transaction's other writes, in order; a failure is read
 * at the next wait (the commit's at the latest). */
static int
send_meta(struct store_db *d, int st, const char *key, const char *value)
{
  struct pg_params p;

  pg__params_init(&p);
  pg__param_text(&p, key, strlen(key));
  pg__param_text(&p, value, strlen(value));
  d->dirty = 1;
  return pg__send(d, st, &p, PG_CHECK);
}

static int
pg_set_meta(struct store_db *d, const char *key, const char *value)
{
  return send_meta(d, ST_SET_META, key, value);
}

/* What is derived goes to cells_meta (cells.c), replacing what it held. */
static int
pg_replace_meta(struct store_db *d, const char *key, const char *value)
{
  return send_meta(d, ST_PUT_CELLS_META, key, value);
}

static int
pg_schema_version(struct store_db *d, int *version, int *empty)
{
  return pg__schema_version(d, version, empty);
}

static int
pg_create_schema(struct store_db *d)
{
  return pg__create_schema(d);
}

static int
pg_upgrade(struct store_db *d, int from)
{
  return pg__upgrade(d, from);
}

static int
pg_grant(struct store_db *d, const char *role)
{
  return pg__grant(d, role);
}

const struct store_backend store__postgres_backend = {
    .name = "PostgreSQL",
    .open = pg_open,
    .close = pg_close,
    .schema_version = pg_schema_version,
    .create_schema = pg_create_schema,
    .upgrade = pg_upgrade,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .get_meta = pg_get_meta,
    .set_meta = pg_set_meta,
    .size = pg__size,
    .put_entry = pg__put_entry,
    .get_entry = pg__get_entry,
    .each_entry = pg__each_entry,
    .each_live = pg__each_live,
    .each_live_row = pg__each_live_row,
    .each_value = pg__each_value,
    .each_flow_overlap = pg__each_flow_overlap,
    .leaves = pg__leaves,
    .put_node = pg__put_node,
    .get_node = pg__get_node,
    .put_row = pg__put_row,
    .get_row = pg__get_row,
    .each_cargo = pg__each_cargo,
    .each_name = pg__each_name,
    .put_supersede = pg__put_supersede,
    .get_supersede = pg__get_supersede,
    .add_flow_day = pg__add_flow_day,
    .each_flow_day = pg__each_flow_day,
    .flow_day_span = pg__flow_day_span,
    .uses = pg__uses,
    .count = pg__count,
    .put_token = pg__put_token,
    .find_token = pg__find_token,
    .each_token = pg__each_token,
    .revoke_token = pg__revoke_token,
    .put_writer = pg__put_writer,
    .get_writer = pg__get_writer,
    .each_writer = pg__each_writer,
    .put_checkpoint = pg__put_checkpoint,
    .get_checkpoint = pg__get_checkpoint,
    .put_cosignature = pg__put_cosignature,
    .each_cosignature = pg__each_cosignature,
    .witness_size = pg__witness_size,
    .next_cosigned = pg__next_cosigned,
    .expect = pg__expect,
    .grant = pg_grant,
    .each_changed_span = pg__each_changed_span,
    .each_flow_checkpoint = pg__each_flow_checkpoint,
    .replace_meta = pg_replace_meta,
    .put_code = pg__put_code,
    .each_code = pg__each_code,
    .put_cells = pg__put_cells,
    .clear_cells = pg__clear_cells,
    .each_cells = pg__each_cells,
    .each_flow_near = pg__each_flow_near,
    .get_saved = pg__get_saved,
    .put_saved = pg__put_saved,
    .each_saved = pg__each_saved,
};
