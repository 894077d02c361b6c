/*
 * stat_replication: one row per WAL sender on a primary: its position, its
 * byte lag, and the write/flush/replay lag in seconds the seed's alerts use
 * (upstream discards those three columns).
 */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "application_name", PG_LABEL, NULL, NULL },
	{ "client_addr", PG_LABEL, NULL, NULL },
	{ "state", PG_LABEL, NULL, NULL },
	{ "sync_state", PG_LABEL, NULL, NULL },
	{ "slot_name", PG_LABEL, NULL, NULL },
	{ "pg_current_wal_lsn_bytes", PG_GAUGE, "WAL position in bytes", NULL },
	{ "pg_wal_lsn_diff", PG_GAUGE, "Lag in bytes between master and slave", NULL },
	{ "write_lag", PG_GAUGE,
	  "Time elapsed between flushing recent WAL locally and receiving notification that this "
	  "standby server has written it, in seconds", NULL },
	{ "flush_lag", PG_GAUGE,
	  "Time elapsed between flushing recent WAL locally and receiving notification that this "
	  "standby server has written and flushed it, in seconds", NULL },
	{ "replay_lag", PG_GAUGE,
	  "Time elapsed between flushing recent WAL locally and receiving notification that this "
	  "standby server has written, flushed and applied it, in seconds", NULL },
};

/*
 * The lags are NULL while a standby is idle (caught up): 0 then, so the
 * alert's series does not vanish.
 */
static const struct pg_query_spec spec = PG_SPEC("pg_stat_replication",
	"SELECT r.application_name, COALESCE(host(r.client_addr), '') AS client_addr, r.state,"
	" r.sync_state, COALESCE(s.slot_name, '') AS slot_name,"
	" CASE WHEN pg_is_in_recovery() THEN NULL"
	" ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END AS pg_current_wal_lsn_bytes,"
	" CASE WHEN pg_is_in_recovery() THEN NULL"
	" ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) END AS pg_wal_lsn_diff,"
	" COALESCE(EXTRACT(EPOCH FROM r.write_lag), 0) AS write_lag,"
	" COALESCE(EXTRACT(EPOCH FROM r.flush_lag), 0) AS flush_lag,"
	" COALESCE(EXTRACT(EPOCH FROM r.replay_lag), 0) AS replay_lag"
	" FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid",
	columns);

static int stat_replication_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_replication_collector = {
	.name = "stat_replication", .enabled_by_default = true,
	.collect = stat_replication_collect,
};
