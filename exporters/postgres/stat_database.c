/*
 * stat_database: every column of pg_stat_database per database, as the
 * server version has them (checksums: 12, sessions: 14); the "Unknown
 * metric" help and untyped type are upstream's for the columns its map did
 * not describe.
 */
#include "pg.h"

#define UNKNOWN "Unknown metric from pg_stat_database"

static const struct pg_column columns[] = {
	{ "datid", PG_LABEL, NULL, NULL },
	{ "datname", PG_LABEL, NULL, NULL },
	{ "numbackends", PG_GAUGE,
	  "Number of backends currently connected to this database. This is the only column in "
	  "this view that returns a value reflecting current state; all other columns return the "
	  "accumulated values since the last reset.", NULL },
	{ "xact_commit", PG_COUNTER,
	  "Number of transactions in this database that have been committed", NULL },
	{ "xact_rollback", PG_COUNTER,
	  "Number of transactions in this database that have been rolled back", NULL },
	{ "blks_read", PG_COUNTER, "Number of disk blocks read in this database", NULL },
	{ "blks_hit", PG_COUNTER,
	  "Number of times disk blocks were found already in the buffer cache, so that a read was "
	  "not necessary (this only includes hits in the PostgreSQL buffer cache, not the "
	  "operating system's file system cache)", NULL },
	{ "tup_returned", PG_COUNTER, "Number of rows returned by queries in this database", NULL },
	{ "tup_fetched", PG_COUNTER, "Number of rows fetched by queries in this database", NULL },
	{ "tup_inserted", PG_COUNTER, "Number of rows inserted by queries in this database", NULL },
	{ "tup_updated", PG_COUNTER, "Number of rows updated by queries in this database", NULL },
	{ "tup_deleted", PG_COUNTER, "Number of rows deleted by queries in this database", NULL },
	{ "conflicts", PG_COUNTER,
	  "Number of queries canceled due to conflicts with recovery in this database. (Conflicts "
	  "occur only on standby servers; see pg_stat_database_conflicts for details.)", NULL },
	{ "temp_files", PG_COUNTER,
	  "Number of temporary files created by queries in this database. All temporary files are "
	  "counted, regardless of why the temporary file was created (e.g., sorting or hashing), "
	  "and regardless of the log_temp_files setting.", NULL },
	{ "temp_bytes", PG_COUNTER,
	  "Total amount of data written to temporary files by queries in this database. All "
	  "temporary files are counted, regardless of why the temporary file was created, and "
	  "regardless of the log_temp_files setting.", NULL },
	{ "deadlocks", PG_COUNTER, "Number of deadlocks detected in this database", NULL },
	{ "blk_read_time", PG_COUNTER,
	  "Time spent reading data file blocks by backends in this database, in milliseconds",
	  NULL },
	{ "blk_write_time", PG_COUNTER,
	  "Time spent writing data file blocks by backends in this database, in milliseconds",
	  NULL },
	{ "stats_reset", PG_COUNTER, "Time at which these statistics were last reset", NULL },
	{ "checksum_failures", PG_UNTYPED, UNKNOWN, NULL },
	{ "checksum_last_failure", PG_UNTYPED, UNKNOWN, NULL },
	{ "session_time", PG_UNTYPED, UNKNOWN, NULL },
	{ "active_time", PG_UNTYPED, UNKNOWN, NULL },
	{ "idle_in_transaction_time", PG_UNTYPED, UNKNOWN, NULL },
	{ "sessions", PG_UNTYPED, UNKNOWN, NULL },
	{ "sessions_abandoned", PG_UNTYPED, UNKNOWN, NULL },
	{ "sessions_fatal", PG_UNTYPED, UNKNOWN, NULL },
	{ "sessions_killed", PG_UNTYPED, UNKNOWN, NULL },
};

#define COMMON_COLUMNS \
	"SELECT datid, COALESCE(datname, '') AS datname, numbackends, xact_commit," \
	" xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted," \
	" tup_updated, tup_deleted, conflicts, temp_files, temp_bytes, deadlocks," \
	" blk_read_time, blk_write_time, EXTRACT(EPOCH FROM stats_reset) AS stats_reset"
#define CHECKSUM_COLUMNS \
	", checksum_failures, EXTRACT(EPOCH FROM checksum_last_failure) AS checksum_last_failure"
#define SESSION_COLUMNS \
	", session_time, active_time, idle_in_transaction_time, sessions, sessions_abandoned," \
	" sessions_fatal, sessions_killed"

/*
 * The row of shared objects (datid 0, no datname) is upstream's too:
 * datname "". A column the query lacks writes no family.
 */
static const struct pg_query_spec specs[] = {
	PG_SPEC("pg_stat_database", COMMON_COLUMNS " FROM pg_stat_database", columns),
	PG_SPEC_SINCE(120000, "pg_stat_database",
		      COMMON_COLUMNS CHECKSUM_COLUMNS " FROM pg_stat_database", columns),
	PG_SPEC_SINCE(140000, "pg_stat_database",
		      COMMON_COLUMNS CHECKSUM_COLUMNS SESSION_COLUMNS " FROM pg_stat_database",
		      columns),
};

static int stat_database_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_versioned(ctx, w, specs, sizeof(specs) / sizeof(specs[0]));
}

const struct collector pg_stat_database_collector = {
	.name = "stat_database", .enabled_by_default = true, .collect = stat_database_collect,
};
