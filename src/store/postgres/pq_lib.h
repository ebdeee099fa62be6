/*
 * libpq, loaded when a store on PostgreSQL is first opened (util/lazylib.h):
 * a command on a SQLite file never loads it.
 */
#ifndef PASSAGE_STORE_PQ_LIB_H
#define PASSAGE_STORE_PQ_LIB_H

#include <libpq-fe.h>

#include "util/util.h"

struct pq_lib {
  __typeof__(PQbackendPID) *PQbackendPID;
  __typeof__(PQclear) *PQclear;
  __typeof__(PQcmdTuples) *PQcmdTuples;
  __typeof__(PQconnectdb) *PQconnectdb;
  __typeof__(PQconnectdbParams) *PQconnectdbParams;
  __typeof__(PQconninfo) *PQconninfo;
  __typeof__(PQconninfoFree) *PQconninfoFree;
  __typeof__(PQenterPipelineMode) *PQenterPipelineMode;
  __typeof__(PQerrorMessage) *PQerrorMessage;
  __typeof__(PQescapeIdentifier) *PQescapeIdentifier;
  __typeof__(PQexec) *PQexec;
  __typeof__(PQexecParams) *PQexecParams;
  __typeof__(PQexitPipelineMode) *PQexitPipelineMode;
  __typeof__(PQfinish) *PQfinish;
  __typeof__(PQfreemem) *PQfreemem;
  __typeof__(PQgetResult) *PQgetResult;
  __typeof__(PQgetisnull) *PQgetisnull;
  __typeof__(PQgetlength) *PQgetlength;
  __typeof__(PQgetvalue) *PQgetvalue;
  __typeof__(PQntuples) *PQntuples;
  __typeof__(PQparameterStatus) *PQparameterStatus;
  __typeof__(PQpipelineSync) *PQpipelineSync;
  __typeof__(PQputCopyData) *PQputCopyData;
  __typeof__(PQputCopyEnd) *PQputCopyEnd;
  __typeof__(PQreset) *PQreset;
  __typeof__(PQresultErrorField) *PQresultErrorField;
  __typeof__(PQresultErrorMessage) *PQresultErrorMessage;
  __typeof__(PQresultStatus) *PQresultStatus;
  __typeof__(PQsendPrepare) *PQsendPrepare;
  __typeof__(PQsendQueryParams) *PQsendQueryParams;
  __typeof__(PQsendQueryPrepared) *PQsendQueryPrepared;
  __typeof__(PQserverVersion) *PQserverVersion;
  __typeof__(PQsetNoticeReceiver) *PQsetNoticeReceiver;
  __typeof__(PQstatus) *PQstatus;
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
