/*
 * The writer: one thread owns the store's write handle. Requests hand it
 * what they parsed and are suspended; it gathers everything queued, stores
 * it in one transaction with one sync (group commit: durability costs one
 * sync per group, not per request), then answers each request and resumes
 * its connection. Imports run here too, one at a time, between groups.
 */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* The most batches one transaction gathers. */
#define GROUP_MAX 512

enum job_kind { JOB_BATCH, JOB_IMPORT };

struct job {
  enum job_kind kind;
  struct request *r;
  struct app_batch *batch;
  /* An import: the query, with copies of what it points to. */
  struct app_import_query q;
  char **texts;
  size_t ntexts;
  struct job *next;
};

struct http_writer {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct job *head, *tail;
  size_t depth;
  int stop;
  struct app *app;
  struct app_memory memory; /* after the last group, under lock */
};

static void
job_free(struct job *j)
{
  if (j == NULL)
    return;
  app_batch_free(j->batch);
  for (size_t i = 0; i < j->ntexts; i++)
    free(j->texts[i]);
  free(j->texts);
  free((void *)j->q.maps);
  free((void *)j->q.sets);
  free((void *)j->q.values);
  free(j);
}

/* Hands the answer to the request's thread and wakes its connection. */
static void
answer(struct request *r, unsigned status, struct MHD_Response *resp,
       size_t len)
{
  r->pending = resp;
  r->pending_status = status;
  r->bytes = len;
  MHD_resume_connection(r->conn);
}

static void
answer_error(struct request *r, const struct app_error *e)
{
  enum http_error_id id = http_error_of(e->code);
  size_t len;
  struct MHD_Response *resp =
      http_error_response(id, e->field, http_error_message(r, id, e), &len);

  answer(r, http_error_status(id), resp, len);
}

static void
answer_batch(struct http_server *s, struct job *j)
{
  struct app_error err = {0};
  json_t *body = NULL;
  size_t len, n = app_batch_size(j->batch);
  int rc = app_batch_answer(j->batch, &body, &err);

  if (body) {
    enum http_error_id id = http_error_of(rc);
    /* The response first: its length is known only once it is made (an
     * argument beside the call would be read before it). */
    struct MHD_Response *resp = http_json_response(body, &len);
    answer(j->r, rc == OK ? 200 : http_error_status(id), resp, len);
  } else {
    answer_error(j->r, &err);
  }
  http_metrics_records(s->metrics, app_batch_accepted(j->batch),
                       rc == OK ? 0 : n);
  json_decref(body);
  app_error_cleanup(&err);
}

/* Stores the batches of a group and answers each. */
static void
run_group(struct http_server *s, struct job **jobs, size_t n)
{
  struct app_batch *batches[GROUP_MAX];
  struct app_error err = {0};

  for (size_t i = 0; i < n; i++)
    batches[i] = jobs[i]->batch;
  app_batch_commit(s->writer->app, batches, n, &err);
  for (size_t i = 0; i < n; i++)
    answer_batch(s, jobs[i]);
  app_error_cleanup(&err);
}

/* ---- Imports ---- */

struct import_report {
  json_t *errors, *notes;
};

static json_t *
opt_str(const char *s)
{
  return s ? json_string(s) : json_null();
}

static void
on_import_error(void *ctx, const struct ingest_error *e)
{
  struct import_report *ir = ctx;
  json_t *o = json_object();

  json_object_set_new(o, "file", opt_str(e->file));
  json_object_set_new(o, "line", json_integer((json_int_t)e->line));
  json_object_set_new(o, "row", json_integer((json_int_t)e->row));
  json_object_set_new(o, "id", opt_str(e->id));
  json_object_set_new(o, "field", opt_str(e->field));
  json_object_set_new(o, "expected", opt_str(e->expected));
  json_object_set_new(o, "got", opt_str(e->got));
  json_object_set_new(o, "message", opt_str(e->message));
  json_array_append_new(ir->errors, o);
}

static const char *const note_kinds[] = {"ignored_columns", "more_errors",
                                         "unknown", "unlabelled"};

static void
on_import_note(void *ctx, const struct ingest_note *n)
{
  struct import_report *ir = ctx;
  json_t *o = json_object(), *names = json_array();

  json_object_set_new(o, "kind", json_string(note_kinds[n->kind]));
  json_object_set_new(o, "subject", opt_str(n->subject));
  for (size_t i = 0; i < n->nnames; i++)
    json_array_append_new(names, json_string(n->names[i]));
  json_object_set_new(o, "names", names);
  json_object_set_new(o, "count", json_integer((json_int_t)n->count));
  json_array_append_new(ir->notes, o);
}

static void
run_import(struct http_server *s, struct job *j)
{
  struct import_report ir = {json_array(), json_array()};
  struct ingest_sink sink = {on_import_error, on_import_note, NULL, &ir};
  struct app_import_result res;
  struct app_error err = {0}, unset = {0};
  struct app *app = s->writer->app;
  json_t *body;
  size_t len;
  int rc;

  memset(&res, 0, sizeof res);
  j->q.data = j->r->body.data ? j->r->body.data : "";
  j->q.len = j->r->body.len;
  j->q.who = &j->r->who;
  rc = app_set_writer(app, j->r->who.name, &err);
  /* An import is one transaction: when the store asks for it again (a
   * lock, a conflict, a connection lost), it is made again from the
   * body, a few times, as a group of batches is (app_batch_commit). */
  for (int tries = 0; rc == OK; tries++) {
    rc = app_import(app, &j->q, &sink, &res, &err);
    if (rc != ERR_RETRY || tries == 3)
      break;
    json_array_clear(ir.errors);
    json_array_clear(ir.notes);
    memset(&res, 0, sizeof res);
    app_error_cleanup(&err);
    rc = OK;
  }
  app_set_writer(app, NULL, &unset);
  if (rc != OK && err.message && json_array_size(ir.errors) == 0) {
    answer_error(j->r, &err);
  } else {
    /* The import's own entry in the log (import-N), or null when it
     * added nothing and so was not recorded. */
    json_t *imp = rc == OK && res.stats.import_seq != UINT64_MAX
                      ? json_sprintf("import-%llu",
                                     (unsigned long long)res.stats.import_seq)
                      : json_null();
    body = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:o,s:I,s:O,s:O}", "rows",
        (json_int_t)res.stats.rows, "added", (json_int_t)res.stats.added,
        "unchanged", (json_int_t)res.stats.unchanged, "rejected",
        (json_int_t)res.stats.rejected, "created",
        (json_int_t)res.stats.created, "import", imp, "tree_size",
        (json_int_t)res.size, "errors", ir.errors, "notes", ir.notes);
    /* Problems the upload's content has, reported row by row or as a
     * mapping no column answers, are the upload's: 422, whether the
     * importer called them invalid data or a request to change. */
    int status = rc == OK ? 200
                 : (rc == ERR_INVALID || rc == ERR_USAGE) &&
                         json_array_size(ir.errors) > 0
                     ? 422
                     : http_error_status(http_error_of(rc));
    struct MHD_Response *resp = http_json_response(body, &len);
    answer(j->r, status, resp, len);
    json_decref(body);
  }
  http_metrics_records(s->metrics, rc == OK ? res.stats.added : 0,
                       rc == OK ? res.stats.rejected : res.stats.rows);
  json_decref(ir.errors);
  json_decref(ir.notes);
  app_error_cleanup(&err);
  app_error_cleanup(&unset);
}

/* ---- The thread ---- */

/* Takes what is queued: a group of batches, or one import. */
static size_t
take(struct http_writer *w, struct job **jobs)
{
  size_t n = 0;

  if (w->head && w->head->kind == JOB_IMPORT) {
    jobs[n++] = w->head;
    w->head = w->head->next;
  } else {
    while (w->head && w->head->kind == JOB_BATCH && n < GROUP_MAX) {
      jobs[n++] = w->head;
      w->head = w->head->next;
    }
  }
  if (w->head == NULL)
    w->tail = NULL;
  w->depth -= n;
  return n;
}

/* Gives the kernel back what the threads freed, at most once a second:
 * glibc keeps a thread's freed memory in its arena, so each worker's
 * largest answer so far stayed in the server's RSS (18 of 82 MiB five
 * minutes into the soak, docs/RELIABILITY.md). */
static void
trim_now_and_then(struct timespec *last)
{
#ifdef __GLIBC__
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec - last->tv_sec < 1)
    return;
  *last = now;
  malloc_trim(0);
#else
  (void)last;
#endif
}

/* Large blocks (a busy day's records, an answer's buffers) are mapped
 * and unmapped on their own: glibc's default raises its mapping
 * threshold to the largest block freed so far, and from then on such
 * blocks, each a little larger than the last as the day grows, are carved
 * from the arenas and leave holes there. In a 6-minute soak this took the
 * server's largest RSS from 54 to 36 MiB at the same latency
 * (docs/RELIABILITY.md). */
static void
map_large_blocks(void)
{
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

/* What the caches hold after a group, for /metrics (http_writer_memory). */
static void
publish_memory(struct http_writer *w)
{
  struct app_memory m;

  app_memory(w->app, &m);
  pthread_mutex_lock(&w->lock);
  w->memory = m;
  pthread_mutex_unlock(&w->lock);
}

static void *
writer_main(void *arg)
{
  struct timespec trimmed = {0, 0};
  struct http_server *s = arg;
  struct http_writer *w = s->writer;
  struct job *jobs[GROUP_MAX];
  size_t n;

  for (;;) {
    pthread_mutex_lock(&w->lock);
    while (w->head == NULL && !w->stop)
      pthread_cond_wait(&w->cond, &w->lock);
    if (w->head == NULL && w->stop) {
      pthread_mutex_unlock(&w->lock);
      break;
    }
    n = take(w, jobs);
    pthread_mutex_unlock(&w->lock);
    if (jobs[0]->kind == JOB_IMPORT)
      run_import(s, jobs[0]);
    else
      run_group(s, jobs, n);
    for (size_t i = 0; i < n; i++)
      job_free(jobs[i]);
    publish_memory(w);
    http_hub_poke(s);
    http_keeper_poke(s);
    trim_now_and_then(&trimmed);
  }
  return NULL;
}

int
http_writer_start(struct http_server *s)
{
  struct http_writer *w = xcalloc(1, sizeof *w);
  struct app_error err = {0};

  map_large_blocks();
  w->app = app_new_writer(s->cfg->db);
  if (app_open(w->app, &err) != OK) {
    fprintf(stderr, "passage: %s\n", err.message ? err.message : "no store");
    app_error_cleanup(&err);
    app_free(w->app);
    free(w);
    return ERR_STORE;
  }
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  s->writer = w;
  if (pthread_create(&w->thread, NULL, writer_main, s) != 0) {
    fprintf(stderr, "passage serve: cannot start the writer thread\n");
    app_free(w->app);
    free(w);
    s->writer = NULL;
    return ERR_IO;
  }
  return OK;
}

void
http_writer_stop(struct http_server *s)
{
  struct http_writer *w = s->writer;

  if (w == NULL)
    return;
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  app_free(w->app);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  free(w);
  s->writer = NULL;
}

void
http_writer_memory(struct http_server *s, struct app_memory *m)
{
  struct http_writer *w = s->writer;

  pthread_mutex_lock(&w->lock);
  *m = w->memory;
  pthread_mutex_unlock(&w->lock);
}

size_t
http_writer_depth(struct http_server *s)
{
  struct http_writer *w = s->writer;
  size_t d;

  pthread_mutex_lock(&w->lock);
  d = w->depth;
  pthread_mutex_unlock(&w->lock);
  return d;
}

static enum MHD_Result
submit(struct request *r, struct job *j)
{
  struct http_writer *w = r->srv->writer;

  j->r = r;
  /* Suspended before the writer may see it: its resume must find the
   * connection suspended. */
  MHD_suspend_connection(r->conn);
  pthread_mutex_lock(&w->lock);
  if (w->tail)
    w->tail->next = j;
  else
    w->head = j;
  w->tail = j;
  w->depth++;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  return MHD_YES;
}

enum MHD_Result
http_writer_post(struct request *r, struct app_batch *b)
{
  struct job *j = xcalloc(1, sizeof *j);

  j->kind = JOB_BATCH;
  j->batch = b;
  return submit(r, j);
}

/* Copies n texts into j, returning the array of copies. */
static const char *const *
keep_texts(struct job *j, const char *const *v, size_t n)
{
  const char **out = xcalloc(n + 1, sizeof *out);

  j->texts = xrealloc(j->texts, (j->ntexts + n) * sizeof *j->texts);
  for (size_t i = 0; i < n; i++)
    out[i] = v[i] ? (j->texts[j->ntexts++] = xstrdup(v[i])) : NULL;
  return out;
}

enum MHD_Result
http_writer_import(struct request *r, const struct app_import_query *q)
{
  struct job *j = xcalloc(1, sizeof *j);
  const char *one[4] = {q->kind, q->format, q->name, NULL};
  const char *const *kept;

  j->kind = JOB_IMPORT;
  j->q = *q;
  kept = keep_texts(j, one, 3);
  j->q.kind = kept[0];
  j->q.format = kept[1];
  j->q.name = kept[2];
  free((void *)kept);
  j->q.maps = keep_texts(j, q->maps, q->nmaps);
  j->q.sets = keep_texts(j, q->sets, q->nsets);
  j->q.values = keep_texts(j, q->values, q->nvalues);
  j->q.rejects = NULL;
  j->q.files = NULL;
  j->q.nfiles = 0;
  return submit(r, j);
}
