/*
 * libpq, loaded when a store on PostgreSQL is first opened (util/lazylib.h):
 * a command on a SQLite file never loads it.
 */
#ifndef PASSAGE_STORE_PQ_LIB_H
#define PASSAGE_STORE_PQ_LIB_H

#include <libpq-fe.h>

#include "util/lazylib.h"
#include "util/util.h"

/* Every function the program calls, once: the table's slots and names. */
#define PQ_LIB_FUNCS(X)                                                        \
  X(PQbackendPID)                                                              \
  X(PQclear)                                                                   \
  X(PQcmdTuples)                                                               \
  X(PQconnectdb)                                                               \
  X(PQconnectdbParams)                                                         \
  X(PQconninfo)                                                                \
  X(PQconninfoFree)                                                            \
  X(PQenterPipelineMode)                                                       \
  X(PQerrorMessage)                                                            \
  X(PQescapeIdentifier)                                                        \
  X(PQexec)                                                                    \
  X(PQexecParams)                                                              \
  X(PQexitPipelineMode)                                                        \
  X(PQfinish)                                                                  \
  X(PQfreemem)                                                                 \
  X(PQgetResult)                                                               \
  X(PQgetisnull)                                                               \
  X(PQgetlength)                                                               \
  X(PQgetvalue)                                                                \
  X(PQntuples)                                                                 \
  X(PQparameterStatus)                                                         \
  X(PQpipelineSync)                                                            \
  X(PQputCopyData)                                                             \
  X(PQputCopyEnd)                                                              \
  X(PQreset)                                                                   \
  X(PQresultErrorField)                                                        \
  X(PQresultErrorMessage)                                                      \
  X(PQresultStatus)                                                            \
  X(PQsendPrepare)                                                             \
  X(PQsendQueryParams)                                                         \
  X(PQsendQueryPrepared)                                                       \
  X(PQserverVersion)                                                           \
  X(PQsetNoticeReceiver)                                                       \
  X(PQstatus)

struct pq_lib {
  PQ_LIB_FUNCS(UTIL_LAZY_SLOT)
};

extern struct pq_lib pq__lib;

/* Loads libpq (OK), or ERR_NOTFOUND with err saying what to install. */
int pq__load(struct buf *err);

/* Every call through the table, but in pq_lib.c, which fills it. */
#ifndef PASSAGE_STORE_PQ_LIB_TABLE
#define PQbackendPID (pq__lib.PQbackendPID)
#define PQclear (pq__lib.PQclear)
#define PQcmdTuples (pq__lib.PQcmdTuples)
#define PQconnectdb (pq__lib.PQconnectdb)
#define PQconnectdbParams (pq__lib.PQconnectdbParams)
#define PQconninfo (pq__lib.PQconninfo)
#define PQconninfoFree (pq__lib.PQconninfoFree)
#define PQenterPipelineMode (pq__lib.PQenterPipelineMode)
#define PQerrorMessage (pq__lib.PQerrorMessage)
#define PQescapeIdentifier (pq__lib.PQescapeIdentifier)
#define PQexec (pq__lib.PQexec)
#define PQexecParams (pq__lib.PQexecParams)
#define PQexitPipelineMode (pq__lib.PQexitPipelineMode)
#define PQfinish (pq__lib.PQfinish)
#define PQfreemem (pq__lib.PQfreemem)
#define PQgetResult (pq__lib.PQgetResult)
#define PQgetisnull (pq__lib.PQgetisnull)
#define PQgetlength (pq__lib.PQgetlength)
#define PQgetvalue (pq__lib.PQgetvalue)
#define PQntuples (pq__lib.PQntuples)
#define PQparameterStatus (pq__lib.PQparameterStatus)
#define PQpipelineSync (pq__lib.PQpipelineSync)
#define PQputCopyData (pq__lib.PQputCopyData)
#define PQputCopyEnd (pq__lib.PQputCopyEnd)
#define PQreset (pq__lib.PQreset)
#define PQresultErrorField (pq__lib.PQresultErrorField)
#define PQresultErrorMessage (pq__lib.PQresultErrorMessage)
#define PQresultStatus (pq__lib.PQresultStatus)
#define PQsendPrepare (pq__lib.PQsendPrepare)
#define PQsendQueryParams (pq__lib.PQsendQueryParams)
#define PQsendQueryPrepared (pq__lib.PQsendQueryPrepared)
#define PQserverVersion (pq__lib.PQserverVersion)
#define PQsetNoticeReceiver (pq__lib.PQsetNoticeReceiver)
#define PQstatus (pq__lib.PQstatus)
#endif

#endif
