#define PASSAGE_APP_CURL_LIB_TABLE
#include "app/curl_lib.h"

#include "util/i18n.h"

struct curl_lib app__curl;

#define SYM(f) {#f, (void **)&app__curl.f},
static const struct util_lazy_sym syms[] = {CURL_LIB_FUNCS(SYM)};

static struct util_lazy_lib lib = {
    .soname = PASSAGE_SONAME_CURL,
    .package = "libcurl4",
    .syms = syms,
    .nsyms = sizeof syms / sizeof *syms,
};

int
app__curl_load(struct buf *err)
{
  return util_lazy_load(&lib, _("reaching a witness or a remote log"), err);
}
