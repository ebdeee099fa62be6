/*
 * The hand-over between an import's reading and writing threads (see
 * handoff.h). One mutex guards the queue; the reader fills a batch of its
 * own without locking, and each side takes the lock once per batch.
 */
#include "ingest/handoff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A batch is handed over at this many items or arena bytes: enough that
 * the threads rarely meet at the lock, few enough to stay in the cache
 * from one thread to the other. */
#define BATCH_ITEMS 256
#define BATCH_BYTES (256 * 1024)
/* Batches waiting for the writer at most: a few smooth out uneven rows
 * while bounding memory. */
#define DEPTH 4

struct handoff {
  handoff_fn fn;
  void *ctx;
  int threaded;
  pthread_mutex_t mu;
  pthread_cond_t to_writer; /* a batch waits, or the reader is done */
  pthread_cond_t to_reader; /* a batch was carried out */
  struct batch *fill;       /* the reader's */
  struct batch *queue[DEPTH];
  size_t head, nqueued; /* queue[head] is the oldest */
  struct batch *spare[DEPTH + 1];
  size_t nspare;
  int busy; /* the writer is carrying a batch out */
  int done; /* the reader has handed over its last batch */
  int rc;   /* the first error fn returned */
  int (*read)(void *rctx);
  void *rctx;
  int read_rc;
};

struct item *
batch_add(struct batch *b, enum item_type type)
{
  struct item *it;

  if (b->n == b->cap) {
    b->cap = b->cap ? 2 * b->cap : 64;
    b->items = xrealloc(b->items, b->cap * sizeof *b->items);
  }
  it = &b->items[b->n++];
  memset(it, 0, sizeof *it);
  it->type = type;
  return it;
}

struct span
batch_put(struct batch *b, const void *p, size_t n)
{
  struct span s = {b->arena.len, n};

  buf_append(&b->arena, p, n);
  return s;
}

struct span
batch_puts(struct batch *b, const char *s)
{
  size_t n = strlen(s);
  struct span sp = batch_put(b, s, n + 1);

  sp.len = n;
  return sp;
}

const char *
batch_at(const struct batch *b, struct span s)
{
  return b->arena.data ? b->arena.data + s.off : "";
}

struct span
batch_put_record(struct batch *b, const struct record *r)
{
  struct span s = {b->arena.len, 0};

  record_pack(r, &b->arena);
  s.len = b->arena.len - s.off;
  return s;
}

int
batch_get_record(const struct batch *b, struct span s, struct record *r)
{
  return record_unpack(r, batch_at(b, s), s.len);
}

static struct batch *
batch_new(void)
{
  struct batch *b = xcalloc(1, sizeof *b);

  buf_init(&b->arena);
  return b;
}

static void
batch_reset(struct batch *b)
{
  b->n = 0;
  buf_reset(&b->arena);
}

static void
batch_free(struct batch *b)
{
  if (b == NULL)
    return;
  free(b->items);
  buf_cleanup(&b->arena);
  free(b);
}

struct handoff *
handoff_new(handoff_fn fn, void *ctx)
{
  struct handoff *h = xcalloc(1, sizeof *h);

  h->fn = fn;
  h->ctx = ctx;
  h->fill = batch_new();
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->to_writer, NULL);
  pthread_cond_init(&h->to_reader, NULL);
  return h;
}

void
handoff_free(struct handoff *h)
{
  if (h == NULL)
    return;
  batch_free(h->fill);
  for (size_t i = 0; i < h->nspare; i++)
    batch_free(h->spare[i]);
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->to_writer);
  pthread_cond_destroy(&h->to_reader);
  free(h);
}

/* Hands the reader's batch over (or carries it out, unthreaded). */
static int
send(struct handoff *h)
{
  struct batch *b = h->fill;
  int rc;

  if (!h->threaded) {
    if (h->rc == OK && b->n > 0)
      h->rc = h->fn(h->ctx, b);
    batch_reset(b);
    return h->rc;
  }
  pthread_mutex_lock(&h->mu);
  while (h->nqueued == DEPTH && h->rc == OK)
    pthread_cond_wait(&h->to_reader, &h->mu);
  rc = h->rc;
  if (rc == OK && b->n > 0) {
    h->queue[(h->head + h->nqueued) % DEPTH] = b;
    h->nqueued++;
    pthread_cond_signal(&h->to_writer);
    h->fill = h->nspare > 0 ? h->spare[--h->nspare] : NULL;
  }
  pthread_mutex_unlock(&h->mu);
  if (h->fill == NULL)
    h->fill = batch_new();
  else if (h->fill == b)
    batch_reset(b); /* dropped after an error, or empty */
  return rc;
}

struct batch *
handoff_batch(struct handoff *h)
{
  return h->fill;
}

int
handoff_ready(struct handoff *h)
{
  if (h->fill->n < BATCH_ITEMS && h->fill->arena.len < BATCH_BYTES)
    return OK;
  return send(h);
}

int
handoff_drain(struct handoff *h)
{
  int rc = send(h);

  if (!h->threaded)
    return rc;
  pthread_mutex_lock(&h->mu);
  while (h->nqueued > 0 || h->busy)
    pthread_cond_wait(&h->to_reader, &h->mu);
  rc = h->rc;
  pthread_mutex_unlock(&h->mu);
  return rc;
}

/* The reading thread: reads, hands over what is left, and says so. */
static void *
reader(void *arg)
{
  struct handoff *h = arg;

  h->read_rc = h->read(h->rctx);
  send(h);
  pthread_mutex_lock(&h->mu);
  h->done = 1;
  pthread_cond_signal(&h->to_writer);
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

/* The writing thread: carries out batches until the reader is done and
 * none is left. After an error the rest is dropped: a single thread would
 * have stopped there. */
static void
write_batches(struct handoff *h)
{
  pthread_mutex_lock(&h->mu);
  for (;;) {
    struct batch *b;
    int rc;
    while (h->nqueued == 0 && !h->done)
      pthread_cond_wait(&h->to_writer, &h->mu);
    if (h->nqueued == 0)
      break;
    b = h->queue[h->head];
    h->head = (h->head + 1) % DEPTH;
    h->nqueued--;
    h->busy = 1;
    rc = h->rc;
    pthread_mutex_unlock(&h->mu);
    if (rc == OK)
      rc = h->fn(h->ctx, b);
    batch_reset(b);
    pthread_mutex_lock(&h->mu);
    if (h->rc == OK)
      h->rc = rc;
    h->spare[h->nspare++] = b;
    h->busy = 0;
    pthread_cond_signal(&h->to_reader);
  }
  pthread_mutex_unlock(&h->mu);
}

int
handoff_run(struct handoff *h, int (*read)(void *rctx), void *rctx)
{
  pthread_t t;
  int rc;

  h->read = read;
  h->rctx = rctx;
  h->done = 0;
  h->threaded = 1;
  if (pthread_create(&t, NULL, reader, h) != 0) {
    h->threaded = 0; /* slower, not wrong */
    rc = read(rctx);
    send(h);
    return rc;
  }
  write_batches(h);
  pthread_join(t, NULL);
  h->threaded = 0;
  return h->read_rc;
}
