/*
 * stat_activity: connections per database and state, and the age of the
 * oldest open transaction, zero-filled for every database and state so
 * alerts never see a series vanish.
 */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "state", PG_LABEL, NULL, NULL },
	{ "count", PG_GAUGE, "number of connections in this state", NULL },
	{ "max_tx_duration", PG_GAUGE,
	  "max duration in seconds any active transaction has been running", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_stat_activity",
	"SELECT pg_database.datname, tmp.state, COALESCE(count, 0) AS count,"
	" COALESCE(max_tx_duration, 0) AS max_tx_duration"
	" FROM (VALUES ('active'), ('idle'), ('idle in transaction'),"
	" ('idle in transaction (aborted)'), ('fastpath function call'), ('disabled'))"
	" AS tmp(state) CROSS JOIN pg_database"
	" LEFT JOIN (SELECT datname, state, count(*) AS count,"
	" MAX(EXTRACT(EPOCH FROM now() - xact_start))::float AS max_tx_duration"
	" FROM pg_stat_activity GROUP BY datname, state) AS tmp2"
	" ON tmp.state = tmp2.state AND pg_database.datname = tmp2.datname ORDER BY 1, 2",
	columns);

static int stat_activity_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_activity_collector = {
	.name = "stat_activity", .enabled_by_default = true, .collect = stat_activity_collect,
};
