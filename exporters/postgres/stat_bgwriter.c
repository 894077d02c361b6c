/*
 * stat_bgwriter: background writer and checkpoint counters. PostgreSQL 17
 * moved the checkpoint and backend columns out (to pg_stat_checkpointer and
 * pg_stat_io): from 17 on only the bgwriter's own families are written.
 */
#include "pg.h"

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

static const struct pg_query_spec specs[] = {
	PG_SPEC("pg_stat_bgwriter",
		"SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time,"
		" checkpoint_sync_time, buffers_checkpoint, buffers_clean, maxwritten_clean,"
		" buffers_backend, buffers_backend_fsync, buffers_alloc,"
		" EXTRACT(EPOCH FROM stats_reset) AS stats_reset FROM pg_stat_bgwriter",
		columns),
	/* A missing result column writes no family. */
	PG_SPEC_SINCE(170000, "pg_stat_bgwriter",
		"SELECT buffers_clean, maxwritten_clean, buffers_alloc,"
		" EXTRACT(EPOCH FROM stats_reset) AS stats_reset FROM pg_stat_bgwriter",
		columns),
};

static int stat_bgwriter_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_versioned(ctx, w, specs, sizeof(specs) / sizeof(specs[0]));
}

const struct collector pg_stat_bgwriter_collector = {
	.name = "stat_bgwriter", .enabled_by_default = true, .collect = stat_bgwriter_collect,
};
