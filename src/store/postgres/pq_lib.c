#define PASSAGE_STORE_PQ_LIB_TABLE
#include "store/postgres/pq_lib.h"

#include "util/i18n.h"

struct pq_lib pq__lib;

#define SYM(f) {#f, (void **)&pq__lib.f},
static const struct util_lazy_sym syms[] = {PQ_LIB_FUNCS(SYM)};

static struct util_lazy_lib lib = {
    .soname = PASSAGE_SONAME_PQ,
    .package = "libpq5",
    .syms = syms,
    .nsyms = sizeof syms / sizeof *syms,
};

int
pq__load(struct buf *err)
{
  return util_lazy_load(&lib, _("a store on PostgreSQL"), err);
}
