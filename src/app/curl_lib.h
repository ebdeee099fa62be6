/*
 * libcurl, loaded when passage first reaches a witness or a remote log
 * over HTTP (util/lazylib.h).
 */
#ifndef PASSAGE_APP_CURL_LIB_H
#define PASSAGE_APP_CURL_LIB_H

/* Type-checked calls are macros of curl's own, which the table's cannot be. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "util/lazylib.h"
#include "util/util.h"

/* Every function the program calls, once: the table's slots and names. */
#define CURL_LIB_FUNCS(X)                                                      \
  X(curl_easy_cleanup)                                                         \
  X(curl_easy_getinfo)                                                         \
  X(curl_easy_init)                                                            \
  X(curl_easy_perform)                                                         \
  X(curl_easy_reset)                                                           \
  X(curl_easy_setopt)                                                          \
  X(curl_easy_strerror)                                                        \
  X(curl_global_init)                                                          \
  X(curl_slist_append)                                                         \
  X(curl_slist_free_all)

struct curl_lib {
  CURL_LIB_FUNCS(UTIL_LAZY_SLOT)
};

extern struct curl_lib app__curl;

/* Loads libcurl (OK), or ERR_NOTFOUND with err saying what to install. */
int app__curl_load(struct buf *err);

/* Every call through the table, but in curl_lib.c, which fills it. */
#ifndef PASSAGE_APP_CURL_LIB_TABLE
/* curl.h checks these two take three arguments with macros of their own. */
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define curl_easy_cleanup (app__curl.curl_easy_cleanup)
#define curl_easy_getinfo (app__curl.curl_easy_getinfo)
#define curl_easy_init (app__curl.curl_easy_init)
#define curl_easy_perform (app__curl.curl_easy_perform)
#define curl_easy_reset (app__curl.curl_easy_reset)
#define curl_easy_setopt (app__curl.curl_easy_setopt)
#define curl_easy_strerror (app__curl.curl_easy_strerror)
#define curl_global_init (app__curl.curl_global_init)
#define curl_slist_append (app__curl.curl_slist_append)
#define curl_slist_free_all (app__curl.curl_slist_free_all)
#endif

#endif
