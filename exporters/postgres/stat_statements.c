/*
 * stat_statements: the 100 statements with the most execution time, from
 * the pg_stat_statements extension (a server without it fails this
 * collector only).
 */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "user", PG_LABEL, NULL, NULL },
	{ "datname", PG_LABEL, NULL, NULL },
	{ "queryid", PG_LABEL, NULL, NULL },
	{ "calls", PG_COUNTER, "Number of times executed", "calls_total" },
	{ "total_time", PG_COUNTER, "Total time spent in the statement, in seconds",
	  "seconds_total" },
	{ "rows", PG_COUNTER, "Total number of rows retrieved or affected by the statement",
	  "rows_total" },
	{ "block_read_time", PG_COUNTER,
	  "Total time the statement spent reading blocks, in seconds",
	  "block_read_seconds_total" },
	{ "block_write_time", PG_COUNTER,
	  "Total time the statement spent writing blocks, in seconds",
	  "block_write_seconds_total" },
};

/* PostgreSQL 13 renamed total_time; 17 renamed blk_*_time: jsonb reads either. */
static const struct pg_query_spec spec = PG_SPEC("pg_stat_statements",
	"SELECT r.rolname AS user, d.datname, s.queryid::text AS queryid, s.calls,"
	" COALESCE(j->>'total_exec_time', j->>'total_time')::float8 / 1000.0 AS total_time,"
	" s.rows,"
	" COALESCE(j->>'shared_blk_read_time', j->>'blk_read_time')::float8 / 1000.0"
	" AS block_read_time,"
	" COALESCE(j->>'shared_blk_write_time', j->>'blk_write_time')::float8 / 1000.0"
	" AS block_write_time"
	" FROM pg_stat_statements s, to_jsonb(s) AS j, pg_roles r, pg_database d"
	" WHERE r.oid = s.userid AND d.oid = s.dbid"
	" ORDER BY COALESCE(j->>'total_exec_time', j->>'total_time')::float8 DESC LIMIT 100",
	columns);

static int stat_statements_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_statements_collector = {
	.name = "stat_statements", .enabled_by_default = false,
	.collect = stat_statements_collect,
};
