/*
 * stat_bgwriter: background writer and checkpoint counters. PostgreSQL 17
 * moved the checkpoint columns to pg_stat_checkpointer: read through jsonb,
 * a column the server lacks is NULL and writes no sample.
 */
#include "pg.h"

#define COL(c) "(to_jsonb(s)->>'" c "')::float8 AS " c

static const struct pg_column columns[] = {
	{ "checkpoints_timed", PG_COUNTER,
	  "Number of scheduled checkpoints that have been performed", "checkpoints_timed_total" },
	{ "checkpoints_req", PG_COUNTER,
	  "Number of requested checkpoints that have been performed", "checkpoints_req_total" },
	{ "checkpoint_write_time", PG_COUNTER,
	  "Total amount of time that has been spent in the portion of checkpoint processing where "
	  "files are written to disk, in milliseconds", "checkpoint_write_time_total" },
	{ "checkpoint_sync_time", PG_COUNTER,
	  "Total amount of time that has been spent in the portion of checkpoint processing where "
	  "files are synchronized to disk, in milliseconds", "checkpoint_sync_time_total" },
	{ "buffers_checkpoint", PG_COUNTER, "Number of buffers written during checkpoints",
	  "buffers_checkpoint_total" },
	{ "buffers_clean", PG_COUNTER, "Number of buffers written by the background writer",
	  "buffers_clean_total" },
	{ "maxwritten_clean", PG_COUNTER,
	  "Number of times the background writer stopped a cleaning scan because it had written "
	  "too many buffers", "maxwritten_clean_total" },
	{ "buffers_backend", PG_COUNTER, "Number of buffers written directly by a backend",
	  "buffers_backend_total" },
	{ "buffers_backend_fsync", PG_COUNTER,
	  "Number of times a backend had to execute its own fsync call (normally the background "
	  "writer handles those even when the backend does its own write)",
	  "buffers_backend_fsync_total" },
	{ "buffers_alloc", PG_COUNTER, "Number of buffers allocated", "buffers_alloc_total" },
	{ "stats_reset", PG_COUNTER, "Time at which these statistics were last reset",
	  "stats_reset_total" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_stat_bgwriter",
	"SELECT " COL("checkpoints_timed") ", " COL("checkpoints_req") ", "
	COL("checkpoint_write_time") ", " COL("checkpoint_sync_time") ", "
	COL("buffers_checkpoint") ", buffers_clean, maxwritten_clean, "
	COL("buffers_backend") ", " COL("buffers_backend_fsync") ", buffers_alloc,"
	" EXTRACT(EPOCH FROM stats_reset) AS stats_reset FROM pg_stat_bgwriter s",
	columns);

static int stat_bgwriter_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_bgwriter_collector = {
	.name = "stat_bgwriter", .enabled_by_default = true, .collect = stat_bgwriter_collect,
};
