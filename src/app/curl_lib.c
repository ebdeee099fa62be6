#define PASSAGE_APP_CURL_LIB_TABLE
#include "app/curl_lib.h"

#include "util/i18n.h"
#include "util/lazylib.h"

struct curl_lib app__curl;

static const struct util_lazy_sym syms[] = {
    {"curl_easy_cleanup", (void **)&app__curl.curl_easy_cleanup},
    {"curl_easy_getinfo", (void **)&app__curl.curl_easy_getinfo},
    {"curl_easy_init", (void **)&app__curl.curl_easy_init},
    {"curl_easy_perform", (void **)&app__curl.curl_easy_perform},
    {"curl_easy_reset", (void **)&app__curl.curl_easy_reset},
    {"curl_easy_setopt", (void **)&app__curl.curl_easy_setopt},
    {"curl_easy_strerror", (void **)&app__curl.curl_easy_strerror},
    {"curl_global_init", (void **)&app__curl.curl_global_init},
    {"curl_slist_append", (void **)&app__curl.curl_slist_append},
    {"curl_slist_free_all", (void **)&app__curl.curl_slist_free_all},
};

static struct util_lazy_lib lib = {
    PASSAGE_SONAME_CURL,        "libcurl4", NULL, syms,
    sizeof syms / sizeof *syms, 0,          {0}};

int
app__curl_load(struct buf *err)
{
  lib.purpose = _("reaching a witness or a remote log");
  return util_lazy_load(&lib, err);
}
