/* long_running_transactions: how many transactions are open past a minute, and the oldest. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "transactions", PG_GAUGE, "Current number of long running transactions", NULL },
	{ "oldest_timestamp_seconds", PG_GAUGE,
	  "The current maximum transaction age in seconds", "age_in_seconds" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_long_running_transactions",
	"SELECT count(*) AS transactions,"
	" COALESCE(MAX(EXTRACT(EPOCH FROM clock_timestamp() - xact_start)), 0)"
	" AS oldest_timestamp_seconds"
	" FROM pg_catalog.pg_stat_activity"
	" WHERE state IS DISTINCT FROM 'idle' AND query NOT LIKE 'autovacuum:%'"
	" AND xact_start < now() - interval '1 minute'",
	columns);

static int long_running_transactions_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_long_running_transactions_collector = {
	.name = "long_running_transactions", .enabled_by_default = false,
	.collect = long_running_transactions_collect,
};
