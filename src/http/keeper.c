/*
 * The keeper: one thread that signs the log's new tree heads and gathers
 * the witnesses' cosignatures, so that /checkpoint and the tiles follow
 * the log without anyone running `passage log witness`. It runs only when
 * the server holds the log's key. After the writer's commits (and every
 * --sign-interval seconds, for what other processes commit) it asks app
 * to sign the new tree (app_log_sign_new, at most once every
 * --sign-interval seconds) and to ask the witnesses when they are due
 * (app_log_witness_due, at most once every --witness-interval). Asking a
 * witness may wait on the network for a minute or more: that is why this
 * is a thread of its own and never the writer's.
 */
#include "http/http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long a stop waits for a witness that is still answering. */
#define STOP_WAIT 5

struct http_keeper {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stop;
  int dirty; /* the writer committed since the last look */
  int done;  /* the thread has returned */
  struct app *app;
  char *key; /* the key's path as given, or NULL: beside the store */
  unsigned sign_interval, witness_interval;
  int quiet;
};

static void
keeper_free(struct http_keeper *k)
{
  if (k == NULL)
    return;
  app_free(k->app);
  free(k->key);
  pthread_mutex_destroy(&k->lock);
  pthread_cond_destroy(&k->cond);
  free(k);
}

static void
say_witnesses(const struct http_keeper *k, const struct app_witness_result *w)
{
  if (k->quiet)
    return;
  for (size_t i = 0; i < w->n; i++) {
    const struct app_witness_outcome *o = &w->w[i];
    if (o->ok)
      fprintf(stderr,
              "passage serve: witness %s cosigned the tree of %llu entries "
              "(from %llu)\n",
              o->name, (unsigned long long)w->size, (unsigned long long)o->old);
    else
      fprintf(stderr,
              "passage serve: witness %s did not cosign the tree of %llu "
              "entries: %s\n",
              o->name, (unsigned long long)w->size,
              o->message ? o->message : "no answer");
  }
}

/* One look: sign what is new, then ask the witnesses if they are due. */
static void
keep(struct http_keeper *k)
{
  struct app_witness_result w = {0};
  struct app_error err = {0};
  uint64_t size = 0;
  int ran = 0;

  if (app_refresh(k->app, &err) != OK ||
      app_log_sign_new(k->app, k->key, &ran, &size, &err) != OK)
    fprintf(stderr, "passage serve: cannot sign the log's tree: %s\n",
            err.message ? err.message : util_strerror(err.code));
  else if (ran && !k->quiet)
    fprintf(stderr, "passage serve: signed the tree of %llu entries\n",
            (unsigned long long)size);
  app_error_cleanup(&err);
  if (app_log_witness_due(k->app, k->key, k->witness_interval, &ran, &w,
                          &err) != OK)
    fprintf(stderr, "passage serve: cannot ask the witnesses: %s\n",
            err.message ? err.message : util_strerror(err.code));
  else if (ran)
    say_witnesses(k, &w);
  app_witness_result_cleanup(&w);
  app_error_cleanup(&err);
}

static void
deadline(struct timespec *ts, double seconds)
{
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += (time_t)seconds;
  ts->tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

static void *
keeper_main(void *arg)
{
  struct http_keeper *k = arg;
  double next = 0; /* when the next look may be, on the monotonic clock */
  struct timespec until;

  for (;;) {
    pthread_mutex_lock(&k->lock);
    /* A commit is looked at once the interval since the last look has
     * passed; without one, a look every second interval finds what other
     * processes committed and the witnesses that are due again (a look
     * with nothing new costs a read of the store's head). */
    for (;;) {
      double wait = next - http_now();
      if (!k->dirty)
        wait += k->sign_interval;
      if (k->stop || wait <= 0)
        break;
      deadline(&until, wait);
      pthread_cond_timedwait(&k->cond, &k->lock, &until);
    }
    if (k->stop) {
      pthread_mutex_unlock(&k->lock);
      break;
    }
    k->dirty = 0;
    pthread_mutex_unlock(&k->lock);
    keep(k);
    next = http_now() + k->sign_interval;
  }
  pthread_mutex_lock(&k->lock);
  k->done = 1;
  pthread_cond_broadcast(&k->cond);
  pthread_mutex_unlock(&k->lock);
  return NULL;
}

int
http_keeper_start(struct http_server *s)
{
  const struct http_config *c = s->cfg;
  struct http_keeper *k = xcalloc(1, sizeof *k);
  struct app_error err = {0};
  struct app_key key = {0};

  k->app = app_new_server(c->db);
  k->key = c->key ? xstrdup(c->key) : NULL;
  k->sign_interval = c->sign_interval ? c->sign_interval : 5;
  k->witness_interval = c->witness_interval ? c->witness_interval : 60;
  k->quiet = c->quiet;
  pthread_mutex_init(&k->lock, NULL);
  pthread_cond_init(&k->cond, NULL);
  /* Without the key there is nothing to sign: the server still serves
   * what others kept (passage log witness, log tiles). */
  if (app_key_public(k->app, c->key, 0, &key, &err) != OK) {
    fprintf(stderr,
            "passage serve: %s: the server signs no checkpoint and asks no "
            "witness\n",
            err.message ? err.message : "no signing key");
    app_error_cleanup(&err);
    keeper_free(k);
    return OK;
  }
  app_key_cleanup(&key);
  if (pthread_create(&k->thread, NULL, keeper_main, k) != 0) {
    fprintf(stderr, "passage serve: cannot start the keeper thread\n");
    keeper_free(k);
    return ERR_IO;
  }
  s->keeper = k;
  return OK;
}

void
http_keeper_poke(struct http_server *s)
{
  struct http_keeper *k = s->keeper;

  if (k == NULL)
    return;
  pthread_mutex_lock(&k->lock);
  k->dirty = 1;
  pthread_cond_signal(&k->cond);
  pthread_mutex_unlock(&k->lock);
}

void
http_keeper_stop(struct http_server *s)
{
  struct http_keeper *k = s->keeper;
  struct timespec until;
  int done;

  if (k == NULL)
    return;
  s->keeper = NULL;
  pthread_mutex_lock(&k->lock);
  k->stop = 1;
  pthread_cond_broadcast(&k->cond);
  deadline(&until, STOP_WAIT);
  while (!k->done &&
         pthread_cond_timedwait(&k->cond, &k->lock, &until) != ETIMEDOUT)
    ;
  done = k->done;
  pthread_mutex_unlock(&k->lock);
  if (!done) {
    /* A witness still holds the thread on the network: the process ends
     * without it (what it had not kept is asked again next time). */
    fprintf(stderr,
            "passage serve: a witness has not answered in %d s: "
            "stopping without it\n",
            STOP_WAIT);
    pthread_detach(k->thread);
    return;
  }
  pthread_join(k->thread, NULL);
  keeper_free(k);
}
