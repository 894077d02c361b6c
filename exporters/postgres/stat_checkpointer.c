/* stat_checkpointer: PostgreSQL 17's checkpoint counters (nothing to report before). */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "num_timed", PG_COUNTER, "Number of scheduled checkpoints due to timeout",
	  "num_timed_total" },
	{ "num_requested", PG_COUNTER,
	  "Number of requested checkpoints that have been performed", "num_requested_total" },
	{ "restartpoints_timed", PG_COUNTER,
	  "Number of scheduled restartpoints due to timeout or after a failed attempt to perform it",
	  "restartpoints_timed_total" },
	{ "restartpoints_req", PG_COUNTER, "Number of requested restartpoints",
	  "restartpoints_req_total" },
	{ "restartpoints_done", PG_COUNTER,
	  "Number of restartpoints that have been performed", "restartpoints_done_total" },
	{ "write_time", PG_COUNTER,
	  "Total amount of time that has been spent in the portion of processing checkpoints and "
	  "restartpoints where files are written to disk, in milliseconds", "write_time_total" },
	{ "sync_time", PG_COUNTER,
	  "Total amount of time that has been spent in the portion of processing checkpoints and "
	  "restartpoints where files are synchronized to disk, in milliseconds", "sync_time_total" },
	{ "buffers_written", PG_COUNTER,
	  "Number of buffers written during checkpoints and restartpoints", "buffers_written_total" },
	{ "stats_reset", PG_COUNTER, "Time at which these statistics were last reset",
	  "stats_reset_total" },
};

static const struct pg_query_spec spec = PG_SPEC_SINCE(170000, "pg_stat_checkpointer",
	"SELECT num_timed, num_requested, restartpoints_timed, restartpoints_req,"
	" restartpoints_done, write_time, sync_time, buffers_written,"
	" EXTRACT(EPOCH FROM stats_reset) AS stats_reset FROM pg_stat_checkpointer",
	columns);

static int stat_checkpointer_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

/* On PostgreSQL 16 and older it succeeds with nothing: stat_bgwriter has the columns. */
const struct collector pg_stat_checkpointer_collector = {
	.name = "stat_checkpointer", .enabled_by_default = true,
	.collect = stat_checkpointer_collect,
};
