/* replication: whether this server is a replica and how far behind it replays. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "lag", PG_GAUGE, "Replication lag behind master in seconds", "lag_seconds" },
	{ "is_replica", PG_GAUGE, "Indicates if the server is a replica", NULL },
	{ "last_replay", PG_GAUGE, "Age of last replay in seconds", "last_replay_seconds" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_replication",
	"SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
	" WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
	" ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag,"
	" CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica,"
	" GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) AS last_replay",
	columns);

static int replication_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_replication_collector = {
	.name = "replication", .enabled_by_default = true, .collect = replication_collect,
};
