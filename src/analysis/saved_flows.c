/*
 * A flow query's rows kept in the saved state (saved.c), for the queries
 * every report makes of the same days: those of the whole baseline window,
 * which the index, compliance, the sources and the supply outlook each
 * read, and which would otherwise be read again from every day's cells by
 * every report. A row of the saved state holds one query's rows under a key
 * that names the query (a digest of its text), the day it starts and the day it
 * ends; it is read under the saved state's rule (nothing appended since changes
 * a day up to the query's last), and `passage verify` runs the query again and
 * compares the bytes (analysis__flows_check).
 *
 * The bytes: the query as a line of JSON, then each row, in the order the
 * query gave them (row_bytes, in util/bytes.h's integers and doubles), so
 * that a row read back is the row computed to the last bit.
 */
#include "analysis/analysis_int.h"

#include "util/bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#define WHAT "flows/1:"
/* Past this, a query's rows are not saved: reading them back would cost
 * about what the cells do. */
#define MAX_BYTES ((size_t)4 << 20)

/* A text as JSON; a text jansson refuses (not UTF-8) sets *bad, and the
 * rows are then not saved. */
static json_t *
text_of(const char *s, int *bad)
{
  json_t *j = s ? json_string(s) : json_null();

  if (j == NULL) {
    *bad = 1;
    j = json_null();
  }
  return j;
}

static void
dump_line(json_t *j, struct buf *out)
{
  char *s = json_dumps(j, JSON_COMPACT);

  buf_puts(out, s ? s : "null");
  buf_putc(out, '\n');
  free(s);
  json_decref(j);
}

/* The query as its first line says it. */
static void
query_line(const struct analysis_flow_query *q, int every_stage,
           struct buf *out, int *bad)
{
  json_t *j = json_object(), *dims = json_array(), *cps = json_null();

  for (size_t i = 0; i < q->ndims; i++)
    json_array_append_new(dims, json_integer(q->dims[i]));
  if (q->checkpoints) {
    cps = json_array();
    for (const char *const *c = q->checkpoints; *c; c++)
      json_array_append_new(cps, text_of(*c, bad));
  }
  json_object_set_new(j, "from", json_integer(q->from));
  json_object_set_new(j, "to", json_integer(q->to));
  json_object_set_new(j, "dims", dims);
  json_object_set_new(j, "source", text_of(q->source, bad));
  json_object_set_new(j, "outcome", text_of(q->outcome, bad));
  json_object_set_new(j, "checkpoints", cps);
  json_object_set_new(j, "own", json_integer(q->own_figures != 0));
  json_object_set_new(j, "complete", json_integer(q->complete != 0));
  json_object_set_new(j, "stages", json_integer(every_stage != 0));
  dump_line(j, out);
}

/* A text of the rows: 1 + its length, then its bytes (0: none). */
static void
put_text(struct buf *b, const char *s)
{
  size_t n = s ? strlen(s) : 0;

  util_bytes_put_uint(b, s ? n + 1 : 0);
  buf_append(b, s ? s : "", n);
}

static void
row_bytes(const struct analysis_flow_query *q,
          const struct analysis_flow_row *row, struct buf *out)
{
  for (size_t i = 0; i < q->ndims; i++)
    put_text(out, row->dim[q->dims[i]]);
  for (int k = 0; k < AM_COUNT; k++) {
    util_bytes_put_double(out, row->m[k]);
    util_bytes_put_uint(out, (row->known[k] != 0) | (row->approximate[k] != 0)
                                                        << 1);
    util_bytes_put_uint(out, row->unknown[k]);
  }
  util_bytes_put_uint(out, row->unknown_days);
  util_bytes_put_uint(out, row->disputed != 0);
  util_bytes_put_uint(out, row->nsources);
  for (size_t i = 0; i < row->nsources; i++) {
    const struct analysis_source_value *s = &row->sources[i];
    put_text(out, s->source);
    put_text(out, s->grade);
    util_bytes_put_uint(out, (uint64_t)s->measure);
    util_bytes_put_double(out, s->value);
  }
  util_bytes_put_uint(out, row->nspread);
  for (size_t i = 0; i < row->nspread; i++) {
    const struct analysis_spread *s = &row->spread[i];
    put_text(out, s->id);
    put_text(out, s->start);
    put_text(out, s->end);
    util_bytes_put_uint(out, (uint64_t)s->measure);
  }
}

struct dec {
  struct analysis *a;
  struct util_bytes r;
  struct buf text;
};

static const char *
get_text(struct dec *x)
{
  uint64_t n = util_bytes_uint(&x->r);

  if (n == 0 || x->r.bad)
    return NULL;
  if (n - 1 > (uint64_t)(x->r.end - x->r.p)) {
    x->r.bad = 1;
    return NULL;
  }
  buf_reset(&x->text);
  buf_append(&x->text, x->r.p, (size_t)(n - 1));
  buf_putc(&x->text, '\0');
  x->r.p += n - 1;
  return analysis__intern(x->a, x->text.data);
}

struct rows {
  struct analysis_flow_row *v;
  size_t n, cap;
};

static void
rows_free(struct rows *r)
{
  for (size_t i = 0; i < r->n; i++) {
    free((void *)r->v[i].sources);
    free((void *)r->v[i].spread);
  }
  free(r->v);
}

static void
get_row(struct dec *x, const struct analysis_flow_query *q,
        struct analysis_flow_row *row)
{
  struct analysis_source_value *sv;
  struct analysis_spread *sp;

  memset(row, 0, sizeof *row);
  for (size_t i = 0; i < q->ndims; i++)
    row->dim[q->dims[i]] = get_text(x);
  for (int k = 0; k < AM_COUNT; k++) {
    uint64_t flags;
    row->m[k] = util_bytes_double(&x->r);
    flags = util_bytes_uint(&x->r);
    row->known[k] = (flags & 1) != 0;
    row->approximate[k] = (flags & 2) != 0;
    row->unknown[k] = (size_t)util_bytes_uint(&x->r);
  }
  row->unknown_days = (size_t)util_bytes_uint(&x->r);
  row->disputed = util_bytes_uint(&x->r) != 0;
  row->nsources = util_bytes_count(&x->r, 11);
  row->sources = sv = xcalloc(row->nsources + 1, sizeof *sv);
  for (size_t i = 0; i < row->nsources && !x->r.bad; i++) {
    sv[i].source = get_text(x);
    sv[i].grade = get_text(x);
    sv[i].measure = (int)util_bytes_uint(&x->r);
    sv[i].value = util_bytes_double(&x->r);
  }
  row->nspread = util_bytes_count(&x->r, 4);
  row->spread = sp = xcalloc(row->nspread + 1, sizeof *sp);
  for (size_t i = 0; i < row->nspread && !x->r.bad; i++) {
    sp[i].id = get_text(x);
    sp[i].start = get_text(x);
    sp[i].end = get_text(x);
    sp[i].measure = (int)util_bytes_uint(&x->r);
  }
}

/* Hands over the rows of bytes after its first line: 1, with fn's code in
 * *rc; 0 (before any row) when they are not rows of q. */
static int
emit_rows(struct analysis *a, const struct analysis_flow_query *q,
          const char *p, const char *end,
          int (*fn)(void *ctx, const struct analysis_flow_row *row), void *ctx,
          int *rc)
{
  struct dec x = {
      a, {(const unsigned char *)p, (const unsigned char *)end, 0}, {0}};
  struct rows rows = {NULL, 0, 0};
  int served;

  /* All read before the first is handed over: bad bytes are then found
   * before the caller has seen anything, and the query counts instead. */
  buf_init(&x.text);
  while (x.r.p < x.r.end && !x.r.bad) {
    rows.v = util_grow(rows.v, &rows.cap, rows.n + 1, sizeof *rows.v);
    get_row(&x, q, &rows.v[rows.n++]);
  }
  served = !x.r.bad;
  *rc = OK;
  for (size_t r = 0; served && *rc == OK && r < rows.n; r++)
    *rc = fn(ctx, &rows.v[r]);
  rows_free(&rows);
  buf_cleanup(&x.text);
  return served;
}

/* The key's name of the query whose first line is line[0..n). */
static void
what_of(const char *line, size_t n, char *out, size_t size)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  size_t at;

  EVP_Digest(line, n, md, &len, EVP_sha256(), NULL);
  at = (size_t)snprintf(out, size, "%s", WHAT);
  for (unsigned i = 0; i < 8 && i < len && at + 2 < size; i++, at += 2)
    snprintf(out + at, size - at, "%02x", md[i]);
}

static int
worth_saving(const struct analysis *a, const struct analysis_flow_query *q)
{
  const struct corridor *c = a->c;

  return !a->saved_check && c && c->has_baseline &&
         q->from == c->baseline_from && q->to == c->baseline_to;
}

static const char *
intern_or_null(struct analysis *a, const json_t *j)
{
  return json_is_string(j) ? analysis__intern(a, json_string_value(j)) : NULL;
}

int
analysis__flows_from_saved(struct analysis *a,
                           const struct analysis_flow_query *q, int every_stage,
                           int (*fn)(void *ctx,
                                     const struct analysis_flow_row *row),
                           void *ctx, struct analysis__flows_rec *rec, int *rc)
{
  struct buf saved;
  size_t first;
  int served = 0;

  memset(rec, 0, sizeof *rec);
  if (!worth_saving(a, q))
    return 0;
  rec->a = a;
  rec->q = q;
  rec->fn = fn;
  rec->ctx = ctx;
  buf_init(&rec->bytes);
  query_line(q, every_stage, &rec->bytes, &rec->bad);
  first = rec->bytes.len;
  what_of(rec->bytes.data, first, rec->what, sizeof rec->what);
  buf_init(&saved);
  if (analysis__saved_get(a, rec->what, q->from, q->to, q->to, &saved) == OK &&
      saved.len >= first && memcmp(saved.data, rec->bytes.data, first) == 0)
    served = emit_rows(a, q, saved.data + first, saved.data + saved.len, fn,
                       ctx, rc);
  buf_cleanup(&saved);
  if (!served)
    rec->on = 1; /* counted now: recorded as handed over, and kept */
  else
    buf_cleanup(&rec->bytes);
  return served;
}

int
analysis__flows_record(void *ctx, const struct analysis_flow_row *row)
{
  struct analysis__flows_rec *rec = ctx;

  if (rec->bytes.len <= MAX_BYTES)
    row_bytes(rec->q, row, &rec->bytes);
  return rec->fn(rec->ctx, row);
}

void
analysis__flows_keep(struct analysis__flows_rec *rec, int rc)
{
  if (!rec->on)
    return;
  if (rc == OK && !rec->bad && rec->bytes.len <= MAX_BYTES)
    analysis__saved_keep(rec->a, rec->what, rec->q->from, rec->q->to,
                         rec->bytes.data, rec->bytes.len);
  buf_cleanup(&rec->bytes);
  rec->on = 0;
}

int
analysis__flows_is_saved(const char *what)
{
  return strncmp(what, WHAT, strlen(WHAT)) == 0;
}

static int
append_row(void *ctx, const struct analysis_flow_row *row)
{
  struct analysis__flows_rec *rec = ctx;

  row_bytes(rec->q, row, &rec->bytes);
  return OK;
}

/* The query a saved row's first line names, into q (its arrays in *dims
 * and *cps, for the caller to free). */
static int
parse_query(struct analysis *a, const json_t *j, struct analysis_flow_query *q,
            int *every_stage, int **dims, const char ***cps)
{
  const json_t *d = json_object_get(j, "dims"), *c;

  memset(q, 0, sizeof *q);
  *dims = NULL;
  *cps = NULL;
  if (!json_is_object(j) || !json_is_array(d) ||
      !json_is_integer(json_object_get(j, "from")) ||
      !json_is_integer(json_object_get(j, "to")))
    return ERR_INVALID;
  q->from = json_integer_value(json_object_get(j, "from"));
  q->to = json_integer_value(json_object_get(j, "to"));
  *dims = xcalloc(json_array_size(d) + 1, sizeof **dims);
  for (size_t i = 0; i < json_array_size(d); i++) {
    json_int_t v = json_integer_value(json_array_get(d, i));
    if (v < 0 || v >= DIM_COUNT)
      return ERR_INVALID;
    (*dims)[i] = (int)v;
  }
  q->dims = *dims;
  q->ndims = json_array_size(d);
  q->source = intern_or_null(a, json_object_get(j, "source"));
  q->outcome = intern_or_null(a, json_object_get(j, "outcome"));
  c = json_object_get(j, "checkpoints");
  if (json_is_array(c)) {
    *cps = xcalloc(json_array_size(c) + 1, sizeof **cps);
    for (size_t i = 0; i < json_array_size(c); i++)
      if (((*cps)[i] = intern_or_null(a, json_array_get(c, i))) == NULL)
        return ERR_INVALID;
    q->checkpoints = *cps;
  }
  q->own_figures = (int)json_integer_value(json_object_get(j, "own"));
  q->complete = (int)json_integer_value(json_object_get(j, "complete"));
  *every_stage = (int)json_integer_value(json_object_get(j, "stages"));
  return q->to < q->from ? ERR_INVALID : OK;
}

int
analysis__flows_check(struct analysis *a, const char *what, const char *bytes,
                      size_t len)
{
  const char *nl = memchr(bytes, '\n', len);
  struct analysis__flows_rec rec;
  struct analysis_flow_query q;
  char want[sizeof rec.what];
  int every_stage = 0, *dims = NULL, rc;
  const char **cps = NULL;
  json_t *j;

  if (nl == NULL)
    return ERR_VERIFY;
  what_of(bytes, (size_t)(nl - bytes) + 1, want, sizeof want);
  if (strcmp(want, what) != 0)
    return ERR_VERIFY;
  if ((j = json_loadb(bytes, (size_t)(nl - bytes), 0, NULL)) == NULL)
    return ERR_VERIFY;
  rc = parse_query(a, j, &q, &every_stage, &dims, &cps);
  json_decref(j);
  memset(&rec, 0, sizeof rec);
  rec.q = &q;
  buf_init(&rec.bytes);
  if (rc == OK) {
    query_line(&q, every_stage, &rec.bytes, &rec.bad);
    rc = analysis__flows(a, &q, every_stage, append_row, &rec);
  } else {
    rc = ERR_VERIFY;
  }
  if (rc == OK &&
      (rec.bad || rec.bytes.len != len || memcmp(rec.bytes.data, bytes, len)))
    rc = ERR_VERIFY;
  buf_cleanup(&rec.bytes);
  free(dims);
  free(cps);
  return rc;
}
