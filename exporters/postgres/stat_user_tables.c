/* stat_user_tables: scans, row changes, vacuum/analyze times and sizes of user tables. */
#include "pg.h"

#define TS(c) "COALESCE(EXTRACT(EPOCH FROM " c "), 0) AS " c

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "schemaname", PG_LABEL, NULL, NULL },
	{ "relname", PG_LABEL, NULL, NULL },
	{ "seq_scan", PG_COUNTER, "Number of sequential scans initiated on this table", NULL },
	{ "seq_tup_read", PG_COUNTER, "Number of live rows fetched by sequential scans", NULL },
	{ "idx_scan", PG_COUNTER, "Number of index scans initiated on this table", NULL },
	{ "idx_tup_fetch", PG_COUNTER, "Number of live rows fetched by index scans", NULL },
	{ "n_tup_ins", PG_COUNTER, "Number of rows inserted", NULL },
	{ "n_tup_upd", PG_COUNTER, "Number of rows updated", NULL },
	{ "n_tup_del", PG_COUNTER, "Number of rows deleted", NULL },
	{ "n_tup_hot_upd", PG_COUNTER,
	  "Number of rows HOT updated (i.e., with no separate index update required)", NULL },
	{ "n_live_tup", PG_GAUGE, "Estimated number of live rows", NULL },
	{ "n_dead_tup", PG_GAUGE, "Estimated number of dead rows", NULL },
	{ "n_mod_since_analyze", PG_GAUGE, "Estimated number of rows changed since last analyze",
	  NULL },
	{ "last_vacuum", PG_GAUGE,
	  "Last time at which this table was manually vacuumed (not counting VACUUM FULL)", NULL },
	{ "last_autovacuum", PG_GAUGE,
	  "Last time at which this table was vacuumed by the autovacuum daemon", NULL },
	{ "last_analyze", PG_GAUGE, "Last time at which this table was manually analyzed", NULL },
	{ "last_autoanalyze", PG_GAUGE,
	  "Last time at which this table was analyzed by the autovacuum daemon", NULL },
	{ "vacuum_count", PG_COUNTER,
	  "Number of times this table has been manually vacuumed (not counting VACUUM FULL)", NULL },
	{ "autovacuum_count", PG_COUNTER,
	  "Number of times this table has been vacuumed by the autovacuum daemon", NULL },
	{ "analyze_count", PG_COUNTER, "Number of times this table has been manually analyzed",
	  NULL },
	{ "autoanalyze_count", PG_COUNTER,
	  "Number of times this table has been analyzed by the autovacuum daemon", NULL },
	{ "index_size", PG_GAUGE, "Total disk space used by this index, in bytes",
	  "index_size_bytes" },
	{ "table_size", PG_GAUGE, "Total disk space used by this table, in bytes",
	  "table_size_bytes" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_stat_user_tables",
	"SELECT current_database() AS datname, schemaname, relname, seq_scan, seq_tup_read,"
	" COALESCE(idx_scan, 0) AS idx_scan, COALESCE(idx_tup_fetch, 0) AS idx_tup_fetch,"
	" n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup,"
	" n_mod_since_analyze, " TS("last_vacuum") ", " TS("last_autovacuum") ", "
	TS("last_analyze") ", " TS("last_autoanalyze") ", vacuum_count, autovacuum_count,"
	" analyze_count, autoanalyze_count, pg_indexes_size(relid) AS index_size,"
	" pg_table_size(relid) AS table_size FROM pg_stat_user_tables",
	columns);

static int stat_user_tables_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_per_database(ctx, w, &spec);
}

const struct collector pg_stat_user_tables_collector = {
	.name = "stat_user_tables", .enabled_by_default = true,
	.collect = stat_user_tables_collect,
};
