/*
 * The libpq functions postgres-exporter uses, loaded from libpq.so.5 when
 * the applet starts (common/dynlib.h says why). A function missing here is
 * a link error, since the binary does not link libpq: add its line.
 */
#include "libpq_shim.h"

#include <string.h>

#include <libpq-fe.h>

#include "dynlib.h"

#define LIBPQ_FUNCTIONS(X, XV) \
	X(int, PQcancel, (PGcancel *cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
	XV(PQclear, (PGresult *res), (res)) \
	X(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname)) \
	XV(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions)) \
	X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
	X(int, PQconsumeInput, (PGconn *conn), (conn)) \
	X(PGresult *, PQcopyResult, (const PGresult *src, int flags), (src, flags)) \
	X(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
	X(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query)) \
	XV(PQfinish, (PGconn *conn), (conn)) \
	X(char *, PQfname, (const PGresult *res, int field_num), (res, field_num)) \
	X(int, PQfnumber, (const PGresult *res, const char *field_name), (res, field_name)) \
	XV(PQfreeCancel, (PGcancel *cancel), (cancel)) \
	XV(PQfreemem, (void *ptr), (ptr)) \
	X(PGcancel *, PQgetCancel, (PGconn *conn), (conn)) \
	X(PGresult *, PQgetResult, (PGconn *conn), (conn)) \
	X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
	X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
	X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
	X(int, PQisBusy, (PGconn *conn), (conn)) \
	X(int, PQnfields, (const PGresult *res), (res)) \
	X(int, PQntuples, (const PGresult *res), (res)) \
	X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
	X(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
	X(size_t, PQresultMemorySize, (const PGresult *res), (res)) \
	X(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
	X(int, PQsendPrepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
	X(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query)) \
	X(int, PQsendQueryPrepared, (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
	X(int, PQserverVersion, (const PGconn *conn), (conn)) \
	X(int, PQsetSingleRowMode, (PGconn *conn), (conn)) \
	X(int, PQsetvalue, (PGresult *res, int tup_num, int field_num, char *value, int len), (res, tup_num, field_num, value, len)) \
	X(int, PQsocket, (const PGconn *conn), (conn)) \
	X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))

/* Pipeline mode (libpq 14): optional, pg_plan.c batches only with it. */
#define LIBPQ_PIPELINE(X, XV) \
	X(int, PQenterPipelineMode, (PGconn *conn), (conn)) \
	X(int, PQexitPipelineMode, (PGconn *conn), (conn)) \
	X(int, PQpipelineSync, (PGconn *conn), (conn)) \
	X(int, PQsendFlushRequest, (PGconn *conn), (conn))

#define INDEX(ret, name, params, args) SYM_##name,
#define INDEX_V(name, params, args) SYM_##name,
enum { LIBPQ_FUNCTIONS(INDEX, INDEX_V) SYM_COUNT };

#define NAME(ret, name, params, args) #name,
#define NAME_V(name, params, args) #name,
static const char *const names[SYM_COUNT] = { LIBPQ_FUNCTIONS(NAME, NAME_V) };
static void *slots[SYM_COUNT];
static struct dynlib libpq = DYNLIB_INIT("libpq.so.5", names, slots, SYM_COUNT);

#define SHIM(ret, name, params, args) \
	ret name params { DYNLIB_FN(libpq, SYM_##name, name, fn); return fn args; }
#define SHIM_V(name, params, args) \
	void name params { DYNLIB_FN(libpq, SYM_##name, name, fn); fn args; }
LIBPQ_FUNCTIONS(SHIM, SHIM_V)

enum { LIBPQ_PIPELINE(INDEX, INDEX_V) PIPELINE_COUNT };
static const char *const pipeline_names[PIPELINE_COUNT] = { LIBPQ_PIPELINE(NAME, NAME_V) };
static void *pipeline_slots[PIPELINE_COUNT];
static struct dynlib libpq_pipeline =
	DYNLIB_INIT("libpq.so.5", pipeline_names, pipeline_slots, PIPELINE_COUNT);
#define PIPELINE_SHIM(ret, name, params, args) \
	ret name params { DYNLIB_FN(libpq_pipeline, SYM_##name, name, fn); return fn args; }
LIBPQ_PIPELINE(PIPELINE_SHIM, SHIM_V)

const char *libpq_load(void)
{
	return dynlib_load(&libpq) == 0 ? NULL : libpq.error;
}

bool libpq_pipeline_ok(void)
{
	return dynlib_load(&libpq_pipeline) == 0;
}
