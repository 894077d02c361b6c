/* replication_slot: position, activity and WAL safety of each replication slot. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "slot_name", PG_LABEL, NULL, NULL },
	{ "slot_type", PG_LABEL, NULL, NULL },
	{ "current_wal_lsn", PG_GAUGE, "current wal lsn value", "slot_current_wal_lsn" },
	{ "confirmed_flush_lsn", PG_GAUGE, "last lsn confirmed flushed to the replication slot",
	  "slot_confirmed_flush_lsn" },
	{ "active", PG_GAUGE, "whether the replication slot is active or not", "slot_is_active" },
	{ "safe_wal_size", PG_GAUGE,
	  "number of bytes that can be written to WAL such that this slot is not in danger of "
	  "getting in state lost", "safe_wal_size_bytes" },
};

/* Positions in bytes from 0/0; a replica has no current LSN of its own. */
static const struct pg_query_spec spec = PG_SPEC("pg_replication_slot",
	"SELECT slot_name, slot_type,"
	" CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')"
	" ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END AS current_wal_lsn,"
	" COALESCE(pg_wal_lsn_diff(confirmed_flush_lsn, '0/0'), 0) AS confirmed_flush_lsn,"
	" active, (to_jsonb(s)->>'safe_wal_size')::float8 AS safe_wal_size"
	" FROM pg_replication_slots s",
	columns);

static int replication_slot_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_replication_slot_collector = {
	.name = "replication_slot", .enabled_by_default = true,
	.collect = replication_slot_collect,
};
