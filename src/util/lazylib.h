/*
 * Libraries only some commands use (libpq, libcurl, libmicrohttpd), loaded
 * when one of them first needs it rather than at every start: with their
 * own dependencies (Kerberos, LDAP, GnuTLS, ...) they were about half of
 * the time a command took to start. Each is reached through a table of
 * its functions (store/postgres/pq.h, app/curl.h, util/mhd.h) that
 * util_lazy_load fills once.
 */
#ifndef PASSAGE_UTIL_LAZYLIB_H
#define PASSAGE_UTIL_LAZYLIB_H

#include <stddef.h>

#include "util/util.h"

/* A slot of a library's table: a pointer of the function's own type. */
#define UTIL_LAZY_SLOT(f) __typeof__(f) *f;

struct util_lazy_sym {
  const char *name;
  void **slot;
};

struct util_lazy_lib {
  const char *soname;  /* as linked against: "libpq.so.5" */
  const char *package; /* the Debian package that holds it */
  const struct util_lazy_sym *syms;
  size_t nsyms;
  int state; /* 0 not tried, 1 loaded, -1 failed */
  char why[256];
};

/* Opens the library and fills every slot, once (thread-safe); OK, or
 * ERR_NOTFOUND with err (when given) saying which library is missing,
 * what needs it (purpose) and which package to install. */
int util_lazy_load(struct util_lazy_lib *l, const char *purpose,
                   struct buf *err);

#endif
