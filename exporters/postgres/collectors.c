/* The collector table: one line per collector, in upstream's alphabetical order. */
#include "pg.h"

extern const struct collector pg_database_collector, pg_database_wraparound_collector,
	pg_locks_collector, pg_long_running_transactions_collector, pg_postmaster_collector,
	pg_replication_collector, pg_replication_slot_collector, pg_roles_collector,
	pg_settings_collector, pg_stat_activity_collector, pg_stat_archiver_collector,
	pg_stat_bgwriter_collector, pg_stat_checkpointer_collector, pg_stat_database_collector,
	pg_stat_database_conflicts_collector, pg_stat_progress_vacuum_collector,
	pg_stat_replication_collector, pg_stat_statements_collector,
	pg_stat_user_tables_collector, pg_stat_wal_receiver_collector,
	pg_statio_user_indexes_collector, pg_statio_user_tables_collector, pg_user_queries_collector,
	pg_wal_collector;

const struct collector *const pg_collectors[] = {
	&pg_database_collector,
	&pg_database_wraparound_collector,
	&pg_locks_collector,
	&pg_long_running_transactions_collector,
	&pg_postmaster_collector,
	&pg_replication_collector,
	&pg_replication_slot_collector,
	&pg_roles_collector,
	&pg_settings_collector,
	&pg_stat_activity_collector,
	&pg_stat_archiver_collector,
	&pg_stat_bgwriter_collector,
	&pg_stat_checkpointer_collector,
	&pg_stat_database_collector,
	&pg_stat_database_conflicts_collector,
	&pg_stat_progress_vacuum_collector,
	&pg_stat_replication_collector,
	&pg_stat_statements_collector,
	&pg_stat_user_tables_collector,
	&pg_stat_wal_receiver_collector,
	&pg_statio_user_indexes_collector,
	&pg_statio_user_tables_collector,
	&pg_user_queries_collector,
	&pg_wal_collector,
};

const size_t pg_collectors_count = sizeof(pg_collectors) / sizeof(pg_collectors[0]);
