#define PASSAGE_STORE_PQ_LIB_TABLE
#include "store/postgres/pq_lib.h"

#include "util/i18n.h"
#include "util/lazylib.h"

struct pq_lib pq__lib;

static const struct util_lazy_sym syms[] = {
    {"PQbackendPID", (void **)&pq__lib.PQbackendPID},
    {"PQclear", (void **)&pq__lib.PQclear},
    {"PQcmdTuples", (void **)&pq__lib.PQcmdTuples},
    {"PQconnectdb", (void **)&pq__lib.PQconnectdb},
    {"PQconnectdbParams", (void **)&pq__lib.PQconnectdbParams},
    {"PQconninfo", (void **)&pq__lib.PQconninfo},
    {"PQconninfoFree", (void **)&pq__lib.PQconninfoFree},
    {"PQenterPipelineMode", (void **)&pq__lib.PQenterPipelineMode},
    {"PQerrorMessage", (void **)&pq__lib.PQerrorMessage},
    {"PQescapeIdentifier", (void **)&pq__lib.PQescapeIdentifier},
    {"PQexec", (void **)&pq__lib.PQexec},
    {"PQexecParams", (void **)&pq__lib.PQexecParams},
    {"PQexitPipelineMode", (void **)&pq__lib.PQexitPipelineMode},
    {"PQfinish", (void **)&pq__lib.PQfinish},
    {"PQfreemem", (void **)&pq__lib.PQfreemem},
    {"PQgetResult", (void **)&pq__lib.PQgetResult},
    {"PQgetisnull", (void **)&pq__lib.PQgetisnull},
    {"PQgetlength", (void **)&pq__lib.PQgetlength},
    {"PQgetvalue", (void **)&pq__lib.PQgetvalue},
    {"PQntuples", (void **)&pq__lib.PQntuples},
    {"PQparameterStatus", (void **)&pq__lib.PQparameterStatus},
    {"PQpipelineSync", (void **)&pq__lib.PQpipelineSync},
    {"PQputCopyData", (void **)&pq__lib.PQputCopyData},
    {"PQputCopyEnd", (void **)&pq__lib.PQputCopyEnd},
    {"PQreset", (void **)&pq__lib.PQreset},
    {"PQresultErrorField", (void **)&pq__lib.PQresultErrorField},
    {"PQresultErrorMessage", (void **)&pq__lib.PQresultErrorMessage},
    {"PQresultStatus", (void **)&pq__lib.PQresultStatus},
    {"PQsendPrepare", (void **)&pq__lib.PQsendPrepare},
    {"PQsendQueryParams", (void **)&pq__lib.PQsendQueryParams},
    {"PQsendQueryPrepared", (void **)&pq__lib.PQsendQueryPrepared},
    {"PQserverVersion", (void **)&pq__lib.PQserverVersion},
    {"PQsetNoticeReceiver", (void **)&pq__lib.PQsetNoticeReceiver},
    {"PQstatus", (void **)&pq__lib.PQstatus},
};

static struct util_lazy_lib lib = {
    PASSAGE_SONAME_PQ,          "libpq5", NULL, syms,
    sizeof syms / sizeof *syms, 0,        {0}};

int
pq__load(struct buf *err)
{
  lib.purpose = _("a store on PostgreSQL");
  return util_lazy_load(&lib, err);
}
