/* stat_progress_vacuum: the progress of every running VACUUM. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "relname", PG_LABEL, NULL, NULL },
	{ "heap_blks_total", PG_GAUGE, "Total number of heap blocks in the table.", NULL },
	{ "heap_blks_scanned", PG_GAUGE, "Number of heap blocks scanned.", NULL },
	{ "heap_blks_vacuumed", PG_GAUGE, "Number of heap blocks vacuumed.", NULL },
	{ "index_vacuum_count", PG_GAUGE, "Number of completed index vacuum cycles.", NULL },
	{ "max_dead_tuples", PG_GAUGE,
	  "Number of dead tuples that we can store before needing to perform an index vacuum cycle.",
	  NULL },
	{ "num_dead_tuples", PG_GAUGE,
	  "Number of dead tuples collected since the last index vacuum cycle.", NULL },
};

/* PostgreSQL 17 renamed the dead tuple columns; jsonb reads either. */
static const struct pg_query_spec spec = PG_SPEC("pg_stat_progress_vacuum",
	"SELECT d.datname, COALESCE(c.relname, p.relid::text) AS relname, p.heap_blks_total,"
	" p.heap_blks_scanned, p.heap_blks_vacuumed, p.index_vacuum_count,"
	" COALESCE(to_jsonb(p)->>'max_dead_tuples', to_jsonb(p)->>'max_dead_tuple_bytes')::float8"
	" AS max_dead_tuples,"
	" COALESCE(to_jsonb(p)->>'num_dead_tuples', to_jsonb(p)->>'num_dead_item_ids')::float8"
	" AS num_dead_tuples"
	" FROM pg_stat_progress_vacuum p JOIN pg_database d ON d.oid = p.datid"
	" LEFT JOIN pg_class c ON c.oid = p.relid",
	columns);

static int stat_progress_vacuum_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_progress_vacuum_collector = {
	.name = "stat_progress_vacuum", .enabled_by_default = true,
	.collect = stat_progress_vacuum_collect,
};
