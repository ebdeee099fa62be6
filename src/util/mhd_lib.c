#define PASSAGE_UTIL_MHD_LIB_TABLE
#include "util/mhd_lib.h"

#include "util/i18n.h"

struct mhd_lib util_mhd;

#define SYM(f) {#f, (void **)&util_mhd.f},
static const struct util_lazy_sym syms[] = {MHD_LIB_FUNCS(SYM)};

static struct util_lazy_lib lib = {
    .soname = PASSAGE_SONAME_MHD,
    .package = "libmicrohttpd12",
    .syms = syms,
    .nsyms = sizeof syms / sizeof *syms,
};

int
util_mhd_load(struct buf *err)
{
  return util_lazy_load(&lib, _("an HTTP server"), err);
}
