/* stat_database_conflicts: queries canceled by recovery conflicts, per database and cause. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datid", PG_LABEL, NULL, NULL },
	{ "datname", PG_LABEL, NULL, NULL },
	{ "confl_tablespace", PG_COUNTER,
	  "Number of queries in this database that have been canceled due to dropped tablespaces",
	  NULL },
	{ "confl_lock", PG_COUNTER,
	  "Number of queries in this database that have been canceled due to lock timeouts", NULL },
	{ "confl_snapshot", PG_COUNTER,
	  "Number of queries in this database that have been canceled due to old snapshots", NULL },
	{ "confl_bufferpin", PG_COUNTER,
	  "Number of queries in this database that have been canceled due to pinned buffers", NULL },
	{ "confl_deadlock", PG_COUNTER,
	  "Number of queries in this database that have been canceled due to deadlocks", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_stat_database_conflicts",
	"SELECT datid, datname, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin,"
	" confl_deadlock FROM pg_stat_database_conflicts",
	columns);

static int stat_database_conflicts_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_database_conflicts_collector = {
	.name = "stat_database_conflicts", .enabled_by_default = true,
	.collect = stat_database_conflicts_collect,
};
