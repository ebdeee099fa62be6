/*
 * The PostgreSQL backend's conversation with the server: parameters and
 * results in binary form, statements sent in libpq's pipeline mode and
 * their answers read at a sync, the mapping of failures to our codes, a
 * connection reset after a failure, and scans through cursors.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows a cursor hands over at a time: a few MB of entries. */
#define SCAN_ROWS 4096

/* ---- Binary values ---- */

void
pg__put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

void
pg__put64(unsigned char *p, uint64_t v)
{
  pg__put32(p, (uint32_t)(v >> 32));
  pg__put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const unsigned char *p)
{
  uint64_t v = 0;

  for (int i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

Oid
pg__oid(enum pg_type t)
{
  static const Oid oids[] = {16, 23, 20, 701, 25, 17};

  return oids[t];
}

Oid
pg__array_oid(enum pg_type t)
{
  static const Oid oids[] = {1000, 1007, 1016, 1022, 1009, 1001};

  return oids[t];
}

void
pg__params_init(struct pg_params *p)
{
  p->n = 0;
}

static int
slot(struct pg_params *p, enum pg_type t)
{
  int i = p->n++;

  if (i >= PG_MAXP)
    abort(); /* our own statements never have this many: a bug */
  p->fmt[i] = 1;
  p->type[i] = pg__oid(t);
  return i;
}

void
pg__param_int4(struct pg_params *p, int32_t v)
{
  int i = slot(p, PT_INT4);

  pg__put32(p->num[i], (uint32_t)v);
  p->v[i] = (const char *)p->num[i];
  p->len[i] = 4;
}

void
pg__param_int8(struct pg_params *p, int64_t v)
{
  int i = slot(p, PT_INT8);

  pg__put64(p->num[i], (uint64_t)v);
  p->v[i] = (const char *)p->num[i];
  p->len[i] = 8;
}

void
pg__param_float8(struct pg_params *p, double v)
{
  int i = slot(p, PT_FLOAT8);
  uint64_t bits;

  memcpy(&bits, &v, sizeof bits);
  pg__put64(p->num[i], bits);
  p->v[i] = (const char *)p->num[i];
  p->len[i] = 8;
}

void
pg__param_text(struct pg_params *p, const char *s, size_t n)
{
  int i = slot(p, PT_TEXT);

  p->v[i] = s ? s : "";
  p->len[i] = (int)n;
}

void
pg__param_bytea(struct pg_params *p, const void *b, size_t n)
{
  int i = slot(p, PT_BYTEA);

  p->v[i] = b ? b : "";
  p->len[i] = (int)n;
}

void
pg__param_null(struct pg_params *p, enum pg_type t)
{
  int i = slot(p, t);

  p->v[i] = NULL;
  p->len[i] = 0;
}

void
pg__param_array(struct pg_params *p, enum pg_type t, const char *data, size_t n)
{
  int i = slot(p, t);

  p->type[i] = pg__array_oid(t);
  p->v[i] = data;
  p->len[i] = (int)n;
}

int64_t
pg__i64(uint64_t v)
{
  return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

int
pg__null(const PGresult *r, int row, int col)
{
  return PQgetisnull(r, row, col);
}

int64_t
pg__int8(const PGresult *r, int row, int col)
{
  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
    return 0;
  return (int64_t)get64((const unsigned char *)PQgetvalue(r, row, col));
}

int32_t
pg__int4(const PGresult *r, int row, int col)
{
  const unsigned char *p;

  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 4)
    return 0;
  p = (const unsigned char *)PQgetvalue(r, row, col);
  return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
                   ((uint32_t)p[2] << 8) | p[3]);
}

double
pg__float8(const PGresult *r, int row, int col)
{
  uint64_t bits;
  double v;

  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
    return 0;
  bits = get64((const unsigned char *)PQgetvalue(r, row, col));
  memcpy(&v, &bits, sizeof v);
  return v;
}

const char *
pg__text(const PGresult *r, int row, int col, size_t *len)
{
  if (len)
    *len = 0;
  if (PQgetisnull(r, row, col))
    return NULL;
  if (len)
    *len = (size_t)PQgetlength(r, row, col);
  return PQgetvalue(r, row, col); /* libpq ends every value with a NUL */
}

/* ---- Failures ---- */

int
pg__code(const char *state)
{
  if (state == NULL)
    return ERR_STORE;
  /* A serialization failure, a deadlock, a lock not granted in time, a
   * unique index that another transaction beat us to: the transaction is
   * lost, and may be made again. */
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
      strcmp(state, "55P03") == 0 || strcmp(state, "23505") == 0)
    return ERR_RETRY;
  if (strcmp(state, "53100") == 0) /* disk_full */
    return ERR_NOSPACE;
  return ERR_STORE;
}

int
pg__fail(struct store_db *d, int code, const char *what, const char *msg)
{
  size_t n = msg ? strlen(msg) : 0;

  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
    n--;
  buf_reset(d->err);
  buf_printf(d->err, "%s: %.*s", what, (int)n, msg ? msg : "");
  return code;
}

/* The connection failed under us: what is sent is lost, and a write
 * transaction with it (the caller may make it again once reconnected). */
static int
broken(struct store_db *d, const char *what)
{
  int code = d->in_tx ? ERR_RETRY : ERR_STORE;

  d->broken = 1;
  d->nkeep = d->headkeep = 0;
  d->syncs = 0;
  return pg__fail(d, code, what, PQerrorMessage(d->conn));
}

/* ---- The pipeline ---- */

static void
push(struct store_db *d, int keep, int stmt)
{
  if (d->headkeep == d->nkeep)
    d->headkeep = d->nkeep = 0;
  if (d->nkeep == d->capkeep) {
    size_t cap = d->capkeep;
    d->keep = util_grow(d->keep, &cap, d->nkeep + 1, sizeof *d->keep);
    cap = d->capkeep;
    d->keep_stmt =
        util_grow(d->keep_stmt, &cap, d->nkeep + 1, sizeof *d->keep_stmt);
    d->capkeep = cap;
  }
  d->keep[d->nkeep] = (unsigned char)keep;
  d->keep_stmt[d->nkeep++] = stmt;
}

void
pg__stmt(struct store_db *d, int st, char *sql)
{
  free(d->st[st].sql);
  free(d->st[st].name);
  d->st[st].sql = sql;
  d->st[st].name = xasprintf("passage_%d", st);
  d->st[st].prepared = 0;
}

int
pg__send(struct store_db *d, int st, const struct pg_params *p, int keep)
{
  struct pg_stmt *s = &d->st[st];
  int n = p ? p->n : 0;

  if (d->broken)
    return broken(d, _("sending a statement"));
  if (!s->prepared) {
    if (!PQsendPrepare(d->conn, s->name, s->sql, n, p ? p->type : NULL))
      return broken(d, _("preparing a statement"));
    push(d, 0, st);
    s->prepared = 1;
  }
  if (!PQsendQueryPrepared(d->conn, s->name, n, p ? p->v : NULL,
                           p ? p->len : NULL, p ? p->fmt : NULL, 1))
    return broken(d, _("sending a statement"));
  push(d, keep, -1);
  return OK;
}

int
pg__send_sql(struct store_db *d, const char *sql, const struct pg_params *p,
             int keep)
{
  int n = p ? p->n : 0;

  if (d->broken)
    return broken(d, _("sending a statement"));
  if (!PQsendQueryParams(d->conn, sql, n, p ? p->type : NULL, p ? p->v : NULL,
                         p ? p->len : NULL, p ? p->fmt : NULL, 1))
    return broken(d, _("sending a statement"));
  push(d, keep, -1);
  return OK;
}

int
pg__sync_later(struct store_db *d)
{
  if (d->broken)
    return broken(d, _("sending a statement"));
  if (!PQpipelineSync(d->conn))
    return broken(d, _("sending a statement"));
  d->syncs++;
  return OK;
}

/* The first failure among the answers read, kept until they all are. */
struct failure {
  int code;
  char *msg;
};

static void
note_failure(struct failure *f, const PGresult *r)
{
  const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);

  if (f->msg)
    return;
  f->code = pg__code(PQresultErrorField(r, PG_DIAG_SQLSTATE));
  if (primary == NULL)
    f->msg = xstrdup(PQresultErrorMessage(r));
  else if (detail)
    f->msg = xasprintf("%s (%s)", primary, detail);
  else
    f->msg = xstrdup(primary);
}

/* One answer: its status checked, kept when it is to be. */
static void
take(struct store_db *d, PGresult *r, struct failure *f, PGresult **kept)
{
  ExecStatusType s = PQresultStatus(r);
  int keep = 0, stmt = -1;

  if (d->headkeep < d->nkeep) {
    keep = d->keep[d->headkeep];
    stmt = d->keep_stmt[d->headkeep++];
  }
  if (s == PGRES_FATAL_ERROR || s == PGRES_BAD_RESPONSE ||
      s == PGRES_PIPELINE_ABORTED) {
    if (stmt >= 0)
      d->st[stmt].prepared = 0; /* the server has not got it */
    if (s != PGRES_PIPELINE_ABORTED && keep != PG_QUIET)
      note_failure(f, r);
    PQclear(r);
    return;
  }
  if (keep == PG_KEEP && kept) {
    PQclear(*kept);
    *kept = r;
    return;
  }
  PQclear(r);
}

int
pg__wait(struct store_db *d, PGresult **out, const char *what)
{
  struct failure f = {OK, NULL};
  PGresult *kept = NULL;
  int nulls = 0, rc;

  if (out)
    *out = NULL;
  /* The connection lost: broken()'s code (ERR_RETRY inside a write
   * transaction, which the caller makes again) and message. */
  if ((rc = pg__sync_later(d)) != OK)
    return rc;
  while (d->syncs > 0) {
    PGresult *r = PQgetResult(d->conn);
    if (r == NULL) {
      /* One NULL ends each statement's answers; two in a row mean libpq
       * awaits nothing more: the connection is gone or out of step. */
      if (PQstatus(d->conn) != CONNECTION_OK || ++nulls > 1) {
        PQclear(kept);
        free(f.msg);
        return broken(d, what);
      }
      continue;
    }
    nulls = 0;
    if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
      d->syncs--;
      PQclear(r);
      continue;
    }
    take(d, r, &f, &kept);
  }
  d->nkeep = d->headkeep = 0;
  if (f.msg) {
    int code = pg__fail(d, f.code, what, f.msg);
    free(f.msg);
    PQclear(kept);
    return code;
  }
  if (out)
    *out = kept;
  else
    PQclear(kept);
  return OK;
}

/* 1 when a failed statement may be sent again on a new connection: the
 * connection was lost outside any transaction (the database restarted,
 * or failed over), so nothing was lost with it. */
static int
again(const struct store_db *d, int rc, int attempt)
{
  return rc != OK && d->broken && attempt == 0 && !d->in_tx && !d->in_read &&
         !d->scan_tx;
}

/* Statement st (or, st < 0, the SQL text sql) with p, its result in *out;
 * asked again once on a new connection when the first was lost: reads
 * and the writes made in a transaction of their own (tokens) change
 * nothing when asked twice. */
static int
ask(struct store_db *d, int st, const char *sql, const struct pg_params *p,
    PGresult **out, const char *what)
{
  int rc;

  for (int attempt = 0;; attempt++) {
    *out = NULL;
    if ((rc = pg__usable(d)) != OK)
      return rc;
    rc = st >= 0 ? pg__send(d, st, p, PG_KEEP)
                 : pg__send_sql(d, sql, p, PG_KEEP);
    if (rc == OK)
      rc = pg__wait(d, out, what);
    if (!again(d, rc, attempt))
      return rc;
  }
}

int
pg__query(struct store_db *d, int st, const struct pg_params *p, PGresult **out,
          const char *what)
{
  return ask(d, st, NULL, p, out, what);
}

int
pg__query_sql(struct store_db *d, const char *sql, const struct pg_params *p,
              PGresult **out, const char *what)
{
  return ask(d, -1, sql, p, out, what);
}

int
pg__exec(struct store_db *d, const char *const *sql, size_t n, const char *what)
{
  int rc = pg__usable(d);

  for (size_t i = 0; i < n && rc == OK; i++)
    rc = pg__send_sql(d, sql[i], NULL, 0);
  return rc == OK ? pg__wait(d, NULL, what) : rc;
}

int
pg__session(struct store_db *d)
{
  const char *enc = PQparameterStatus(d->conn, "server_encoding");

  d->broken = 0;
  d->nkeep = d->headkeep = 0;
  d->syncs = 0;
  for (int i = 0; i < ST_COUNT; i++)
    d->st[i].prepared = 0;
  if (PQserverVersion(d->conn) < 120000)
    return pg__fail(d, ERR_STORE, "connecting",
                    _("Passage needs PostgreSQL 12 or later"));
  if (enc == NULL || strcmp(enc, "UTF8") != 0) {
    char *m = xasprintf(_("the database's encoding is %s; Passage stores "
                          "UTF-8: create it with ENCODING 'UTF8'"),
                        enc ? enc : "unknown");
    int rc = pg__fail(d, ERR_STORE, "connecting", m);
    free(m);
    return rc;
  }
  /* A commit is acknowledged only once it is on disk: a server whose
   * default is synchronous_commit = off (make check's fast cluster, a
   * tuned benchmark) would lose acknowledged records when PostgreSQL
   * dies (tests/reliability/crash-database.sh lost 100 of 37,440 so).
   * Only off is raised: every other value waits for the local flush. */
  PGresult *r = PQexec(d->conn, "SELECT set_config('synchronous_commit', "
                                "'on', false) WHERE current_setting("
                                "'synchronous_commit') = 'off'");
  int synced = PQresultStatus(r) == PGRES_TUPLES_OK;
  PQclear(r);
  if (!synced)
    return pg__fail(d, ERR_STORE, "connecting", PQerrorMessage(d->conn));
  if (!PQenterPipelineMode(d->conn))
    return pg__fail(d, ERR_STORE, "connecting", PQerrorMessage(d->conn));
  return OK;
}

int
pg__usable(struct store_db *d)
{
  if (!d->broken && PQstatus(d->conn) == CONNECTION_OK)
    return OK;
  if (d->in_tx || d->in_read || d->scan_tx) {
    d->broken = 1;
    return pg__fail(d, d->in_tx ? ERR_RETRY : ERR_STORE,
                    _("the connection to the database was lost"),
                    PQerrorMessage(d->conn));
  }
  /* Between transactions a new connection loses nothing: a server
   * outlives a restart or failover of the database. */
  PQreset(d->conn);
  if (PQstatus(d->conn) != CONNECTION_OK) {
    /* The database is down or out of reach: that passes (a restart, a
     * failover), so the caller may try again, and the server answers 503
     * rather than 500 (tests/reliability/crash-database.sh). */
    d->broken = 1;
    return pg__fail(d, ERR_RETRY, _("reconnecting to the database"),
                    PQerrorMessage(d->conn));
  }
  /* The new connection may be ended in turn before it is ready (the
   * database still going down, or its sessions ended again): that
   * passes too, and nothing was sent on it. */
  int rc = pg__session(d);
  if (rc != OK && PQstatus(d->conn) != CONNECTION_OK) {
    d->broken = 1;
    rc = ERR_RETRY;
  }
  return rc;
}

void
pg__rollback_keeping(struct store_db *d)
{
  struct buf keep;

  if (d->broken || PQstatus(d->conn) != CONNECTION_OK ||
      pg__send_sql(d, "ROLLBACK", NULL, PG_QUIET) != OK)
    return;
  buf_init(&keep);
  buf_puts(&keep, d->err->data ? d->err->data : "");
  pg__wait(d, NULL, _("rolling back"));
  buf_reset(d->err);
  buf_puts(d->err, keep.data ? keep.data : "");
  buf_cleanup(&keep);
}

/* ---- Scans ---- */

/* Ends a scan: closes its cursor and the snapshot it opened, without
 * waiting for the answers (the next wait reads them). */
static void
end_scan(struct store_db *d, const char *cursor, int own)
{
  char sql[64];

  if (d->broken)
    return;
  snprintf(sql, sizeof sql, "CLOSE %s", cursor);
  pg__send_sql(d, sql, NULL, PG_QUIET);
  pg__sync_later(d);
  /* After a sync of its own: a failure above skips the rest of its part
   * of the pipeline, and the snapshot must end all the same. */
  if (own) {
    pg__send_sql(d, "COMMIT", NULL, PG_QUIET);
    pg__sync_later(d);
  }
}

static int scan(struct store_db *d, const char *sql, const struct pg_params *p,
                int (*row)(void *ctx, const PGresult *r, int i), void *ctx,
                const char *what, int *rows);

int
pg__scan(struct store_db *d, const char *sql, const struct pg_params *p,
         int (*row)(void *ctx, const PGresult *r, int i), void *ctx,
         const char *what)
{
  int rows = 0, rc = scan(d, sql, p, row, ctx, what, &rows);

  /* Lost before a row was handed over: asked again on a new one. */
  if (rows == 0 && again(d, rc, 0))
    rc = scan(d, sql, p, row, ctx, what, &rows);
  return rc;
}

static int
scan(struct store_db *d, const char *sql, const struct pg_params *p,
     int (*row)(void *ctx, const PGresult *r, int i), void *ctx,
     const char *what, int *rows)
{
  PGresult *res = NULL;
  char cursor[32], fetch[64];
  char *declare;
  int own = 0, rc, n = SCAN_ROWS;

  if ((rc = pg__usable(d)) != OK)
    return rc;
  /* What the transaction wrote must be in the database to be read. */
  if (d->in_tx && (rc = pg__flush(d, 0)) != OK)
    return rc;
  snprintf(cursor, sizeof cursor, "passage_scan_%d", d->scan_depth);
  snprintf(fetch, sizeof fetch, "FETCH %d FROM %s", SCAN_ROWS, cursor);
  declare = xasprintf("DECLARE %s NO SCROLL CURSOR FOR %s", cursor, sql);
  if (!d->in_tx && !d->in_read && !d->scan_tx) {
    /* One snapshot for every batch of rows: the scan sees one state. */
    own = 1;
    rc = pg__send_sql(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                      NULL, 0);
  }
  if (rc == OK)
    rc = pg__send_sql(d, declare, p, 0);
  free(declare);
  if (own)
    d->scan_tx = 1;
  d->scan_depth++;
  while (rc == OK && n == SCAN_ROWS) {
    if ((rc = pg__send_sql(d, fetch, NULL, 1)) != OK ||
        (rc = pg__wait(d, &res, what)) != OK)
      break;
    n = PQntuples(res);
    for (int i = 0; i < n && rc == OK; i++, (*rows)++)
      rc = row(ctx, res, i);
    PQclear(res);
    res = NULL;
  }
  d->scan_depth--;
  if (own)
    d->scan_tx = 0;
  end_scan(d, cursor, own);
  return rc;
}
