/* stat_wal_receiver: a replica's WAL receiver: positions, timeline, last message times. */
#include "pg.h"

#define TS(c) "EXTRACT(EPOCH FROM " c ") AS " c

static const struct pg_column columns[] = {
	{ "upstream_host", PG_LABEL, NULL, NULL },
	{ "slot_name", PG_LABEL, NULL, NULL },
	{ "status", PG_LABEL, NULL, NULL },
	{ "receive_start_lsn", PG_COUNTER, "First write-ahead log location used when WAL receiver "
	  "is started represented as a decimal", NULL },
	{ "receive_start_tli", PG_GAUGE, "First timeline number used when WAL receiver is started",
	  NULL },
	{ "flushed_lsn", PG_COUNTER, "Last write-ahead log location already received and flushed "
	  "to disk, the initial value of this field being the first log location used when WAL "
	  "receiver is started represented as a decimal", NULL },
	{ "received_tli", PG_GAUGE, "Timeline number of last write-ahead log location received and "
	  "flushed to disk", NULL },
	{ "last_msg_send_time", PG_COUNTER, "Send time of last message received from origin WAL "
	  "sender", NULL },
	{ "last_msg_receipt_time", PG_COUNTER, "Send time of last message received from origin WAL "
	  "sender", NULL },
	{ "latest_end_lsn", PG_COUNTER, "Last write-ahead log location reported to origin WAL "
	  "sender as integer", NULL },
	{ "latest_end_time", PG_COUNTER, "Time of last write-ahead log location reported to origin "
	  "WAL sender", NULL },
	{ "upstream_node", PG_GAUGE, "Node ID of the upstream node", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_stat_wal_receiver",
	"SELECT COALESCE(sender_host, '') AS upstream_host, COALESCE(slot_name, '') AS slot_name,"
	" status, pg_wal_lsn_diff(receive_start_lsn, '0/0') AS receive_start_lsn,"
	" receive_start_tli, pg_wal_lsn_diff(flushed_lsn, '0/0') AS flushed_lsn, received_tli, "
	TS("last_msg_send_time") ", " TS("last_msg_receipt_time") ","
	" pg_wal_lsn_diff(latest_end_lsn, '0/0') AS latest_end_lsn, " TS("latest_end_time") ","
	" substring(slot_name FROM 'repmgr_slot_([0-9]*)')::int AS upstream_node"
	" FROM pg_catalog.pg_stat_wal_receiver",
	columns);

static int stat_wal_receiver_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_wal_receiver_collector = {
	.name = "stat_wal_receiver", .enabled_by_default = false,
	.collect = stat_wal_receiver_collect,
};
