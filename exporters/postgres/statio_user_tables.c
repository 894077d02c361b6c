/* statio_user_tables: buffer cache reads and hits of user tables, their indexes and TOAST. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "schemaname", PG_LABEL, NULL, NULL },
	{ "relname", PG_LABEL, NULL, NULL },
	{ "heap_blks_read", PG_COUNTER, "Number of disk blocks read from this table",
	  "heap_blocks_read" },
	{ "heap_blks_hit", PG_COUNTER, "Number of buffer hits in this table", "heap_blocks_hit" },
	{ "idx_blks_read", PG_COUNTER, "Number of disk blocks read from all indexes on this table",
	  "idx_blocks_read" },
	{ "idx_blks_hit", PG_COUNTER, "Number of buffer hits in all indexes on this table",
	  "idx_blocks_hit" },
	{ "toast_blks_read", PG_COUNTER,
	  "Number of disk blocks read from this table's TOAST table (if any)", "toast_blocks_read" },
	{ "toast_blks_hit", PG_COUNTER, "Number of buffer hits in this table's TOAST table (if any)",
	  "toast_blocks_hit" },
	{ "tidx_blks_read", PG_COUNTER,
	  "Number of disk blocks read from this table's TOAST table indexes (if any)",
	  "tidx_blocks_read" },
	{ "tidx_blks_hit", PG_COUNTER,
	  "Number of buffer hits in this table's TOAST table indexes (if any)", "tidx_blocks_hit" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_statio_user_tables",
	"SELECT current_database() AS datname, schemaname, relname, heap_blks_read,"
	" heap_blks_hit, COALESCE(idx_blks_read, 0) AS idx_blks_read,"
	" COALESCE(idx_blks_hit, 0) AS idx_blks_hit,"
	" COALESCE(toast_blks_read, 0) AS toast_blks_read,"
	" COALESCE(toast_blks_hit, 0) AS toast_blks_hit,"
	" COALESCE(tidx_blks_read, 0) AS tidx_blks_read,"
	" COALESCE(tidx_blks_hit, 0) AS tidx_blks_hit FROM pg_statio_user_tables",
	columns);

static int statio_user_tables_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_per_database(ctx, w, &spec);
}

const struct collector pg_statio_user_tables_collector = {
	.name = "statio_user_tables", .enabled_by_default = true,
	.collect = statio_user_tables_collect,
};
