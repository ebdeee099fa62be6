#include "util/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/i18n.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int
open_lib(struct util_lazy_lib *l)
{
  void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

  if (h == NULL) {
    const char *e = dlerror();
    snprintf(l->why, sizeof l->why, "%s", e ? e : l->soname);
    return -1;
  }
  for (size_t i = 0; i < l->nsyms; i++) {
    void *f = dlsym(h, l->syms[i].name);
    if (f == NULL) {
      snprintf(l->why, sizeof l->why, "%s: no %s", l->soname, l->syms[i].name);
      return -1; /* left open: what was found is never called */
    }
    *l->syms[i].slot = f;
  }
  return 1;
}

int
util_lazy_load(struct util_lazy_lib *l, const char *purpose, struct buf *err)
{
  int state;

  pthread_mutex_lock(&lock);
  if (l->state == 0)
    l->state = open_lib(l);
  state = l->state;
  pthread_mutex_unlock(&lock);
  if (state > 0)
    return OK;
  if (err)
    buf_printf(err,
               _("%s needs the library %s, which cannot be loaded (%s); "
                 "install it (on Debian: apt-get install %s)"),
               purpose, l->soname, l->why, l->package);
  return ERR_NOTFOUND;
}
