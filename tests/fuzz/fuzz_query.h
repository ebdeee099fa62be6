/*
 * What the harnesses of the server's query strings share (fuzz_http_query.c,
 * fuzz_http_import.c): a query split and percent-decoded as libmicrohttpd
 * decodes a request's, and read through struct http_args as the routes
 * read theirs.
 */
#ifndef PASSAGE_FUZZ_QUERY_H
#define PASSAGE_FUZZ_QUERY_H

#include <string.h>

#include "http/http_int.h"

#define MAX_PAIRS 64

struct pairs {
  char *key[MAX_PAIRS], *value[MAX_PAIRS]; /* value NULL: "key" alone */
  size_t n;
};

/* As libmicrohttpd reads a query: pairs split at '&', each at its first
 * '=', both sides percent-decoded ('+' is a space). The text is cut in
 * place. */
static void
split(char *text, struct pairs *p)
{
  char *s = text;

  p->n = 0;
  while (s && p->n < MAX_PAIRS) {
    char *amp = strchr(s, '&'), *eq;
    if (amp)
      *amp = '\0';
    eq = strchr(s, '=');
    if (eq)
      *eq = '\0';
    if (*s != '\0' || eq) {
      for (char *c = s; *c; c++)
        if (*c == '+')
          *c = ' ';
      MHD_http_unescape(s);
      p->key[p->n] = s;
      p->value[p->n] = NULL;
      if (eq) {
        for (char *c = eq + 1; *c; c++)
          if (*c == '+')
            *c = ' ';
        MHD_http_unescape(eq + 1);
        p->value[p->n] = eq + 1;
      }
      p->n++;
    }
    s = amp ? amp + 1 : NULL;
  }
}

/* The first value of name, as MHD_lookup_connection_value gives it. */
static const char *
get(void *ctx, const char *name)
{
  const struct pairs *p = ctx;

  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->key[i], name) == 0)
      return p->value[i];
  return NULL;
}

static void
each(void *ctx, const char *name, void (*fn)(void *fctx, const char *value),
     void *fctx)
{
  const struct pairs *p = ctx;

  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->key[i], name) == 0 && p->value[i])
      fn(fctx, p->value[i]);
}

#endif
