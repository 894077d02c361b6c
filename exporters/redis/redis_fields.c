/*
 * redis_fields: upstream's metricMapGauges and metricMapCounters. Names get
 * `_total` only where upstream renames; the HELP of each is upstream's
 * generated "<name> metric". Fields of Redis 2.x to 7.x are all here (a
 * server simply lacks the ones of other versions); KeyDB's too.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis_fields.h"
#include "text.h"

#define G(f, m) { f, m, false }
#define C(f, m) { f, m, true }

const struct info_metric redis_info_metrics[] = {
	G("active_defrag_hits", "defrag_hits"),
	G("active_defrag_key_hits", "defrag_key_hits"),
	G("active_defrag_key_misses", "defrag_key_misses"),
	G("active_defrag_misses", "defrag_misses"),
	G("active_defrag_running", "active_defrag_running"),
	G("allocator_active", "allocator_active_bytes"),
	G("allocator_allocated", "allocator_allocated_bytes"),
	G("allocator_frag_bytes", "allocator_frag_bytes"),
	G("allocator_frag_ratio", "allocator_frag_ratio"),
	G("allocator_resident", "allocator_resident_bytes"),
	G("allocator_rss_bytes", "allocator_rss_bytes"),
	G("allocator_rss_ratio", "allocator_rss_ratio"),
	G("aof_base_size", "aof_base_size_bytes"),
	G("aof_buffer_length", "aof_buffer_length"),
	G("aof_current_rewrite_time_sec", "aof_current_rewrite_duration_sec"),
	G("aof_current_size", "aof_current_size_bytes"),
	G("aof_delayed_fsync", "aof_delayed_fsync"),
	G("aof_enabled", "aof_enabled"),
	G("aof_last_bgrewrite_status", "aof_last_bgrewrite_status"),
	G("aof_last_cow_size", "aof_last_cow_size_bytes"),
	G("aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"),
	G("aof_last_write_status", "aof_last_write_status"),
	G("aof_pending_bio_fsync", "aof_pending_bio_fsync"),
	G("aof_pending_rewrite", "aof_pending_rewrite"),
	G("aof_rewrite_buffer_length", "aof_rewrite_buffer_length"),
	G("aof_rewrite_in_progress", "aof_rewrite_in_progress"),
	G("aof_rewrite_scheduled", "aof_rewrite_scheduled"),
	G("blocked_clients", "blocked_clients"),
	G("client_biggest_input_buf", "client_biggest_input_buf"),
	G("client_longest_output_list", "client_longest_output_list"),
	G("client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"),
	G("client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"),
	G("clients_in_timeout_table", "clients_in_timeout_table"),
	G("cluster_stats_messages_received", "cluster_messages_received_total"),
	G("cluster_stats_messages_sent", "cluster_messages_sent_total"),
	G("connected_clients", "connected_clients"),
	G("connected_slaves", "connected_slaves"),
	G("current_client_thread", "current_client_thread"),
	C("dump_payload_sanitizations", "dump_payload_sanitizations"),
	C("evicted_keys", "evicted_keys_total"),
	C("expired_keys", "expired_keys_total"),
	G("expired_stale_perc", "expired_stale_percentage"),
	G("expired_time_cap_reached_count", "expired_time_cap_reached_total"),
	C("io_threaded_reads_processed", "io_threaded_reads_processed"),
	C("io_threaded_writes_processed", "io_threaded_writes_processed"),
	G("io_threads_active", "io_threads_active"),
	C("keyspace_hits", "keyspace_hits_total"),
	C("keyspace_misses", "keyspace_misses_total"),
	G("latest_fork_usec", "latest_fork_usec"),
	G("lazyfree_pending_objects", "lazyfree_pending_objects"),
	G("loading", "loading_dump_file"),
	G("long_lock_waits", "long_lock_waits_total"),
	G("master_repl_offset", "master_repl_offset"),
	G("maxfragmentationmemory_desired_reservation",
	  "memory_max_fragmentation_reservation_desired_bytes"),
	G("maxfragmentationmemory_reservation", "memory_max_fragmentation_reservation_bytes"),
	G("maxmemory", "memory_max_bytes"),
	G("maxmemory_desired_reservation", "memory_max_reservation_desired_bytes"),
	G("maxmemory_reservation", "memory_max_reservation_bytes"),
	G("mem_clients_normal", "mem_clients_normal"),
	G("mem_clients_slaves", "mem_clients_slaves"),
	G("mem_fragmentation_bytes", "mem_fragmentation_bytes"),
	G("mem_fragmentation_ratio", "mem_fragmentation_ratio"),
	G("mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"),
	G("migrate_cached_sockets", "migrate_cached_sockets_total"),
	G("module_fork_in_progress", "module_fork_in_progress"),
	G("module_fork_last_cow_size", "module_fork_last_cow_size"),
	G("number_of_cached_scripts", "number_of_cached_scripts"),
	G("process_id", "process_id"),
	G("pubsub_channels", "pubsub_channels"),
	G("pubsub_patterns", "pubsub_patterns"),
	G("rdb_bgsave_in_progress", "rdb_bgsave_in_progress"),
	G("rdb_changes_since_last_save", "rdb_changes_since_last_save"),
	G("rdb_current_bgsave_time_sec", "rdb_current_bgsave_duration_sec"),
	G("rdb_last_bgsave_status", "rdb_last_bgsave_status"),
	G("rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"),
	G("rdb_last_cow_size", "rdb_last_cow_size_bytes"),
	G("rdb_last_save_time", "rdb_last_save_timestamp_seconds"),
	C("rejected_connections", "rejected_connections_total"),
	G("repl_backlog_active", "repl_backlog_is_active"),
	G("repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"),
	G("repl_backlog_histlen", "repl_backlog_history_bytes"),
	G("repl_backlog_size", "replication_backlog_bytes"),
	G("second_repl_offset", "second_repl_offset"),
	G("server_threads", "server_threads_total"),
	G("slave_expires_tracked_keys", "slave_expires_tracked_keys"),
	G("slave_priority", "slave_priority"),
	G("sync_full", "replica_resyncs_full"),
	G("sync_partial_err", "replica_partial_resync_denied"),
	G("sync_partial_ok", "replica_partial_resync_accepted"),
	C("total_commands_processed", "commands_processed_total"),
	C("total_connections_received", "connections_received_total"),
	C("total_error_replies", "total_error_replies"),
	C("total_net_input_bytes", "net_input_bytes_total"),
	C("total_net_output_bytes", "net_output_bytes_total"),
	C("total_reads_processed", "total_reads_processed"),
	C("total_writes_processed", "total_writes_processed"),
	G("tracking_clients", "tracking_clients"),
	G("tracking_total_items", "tracking_total_items"),
	G("tracking_total_keys", "tracking_total_keys"),
	G("tracking_total_prefixes", "tracking_total_prefixes"),
	C("unexpected_error_replies", "unexpected_error_replies"),
	G("uptime_in_seconds", "uptime_in_seconds"),
	C("used_cpu_sys", "cpu_sys_seconds_total"),
	C("used_cpu_sys_children", "cpu_sys_children_seconds_total"),
	C("used_cpu_sys_main_thread", "cpu_sys_main_thread_seconds_total"),
	C("used_cpu_user", "cpu_user_seconds_total"),
	C("used_cpu_user_children", "cpu_user_children_seconds_total"),
	C("used_cpu_user_main_thread", "cpu_user_main_thread_seconds_total"),
	G("used_memory", "memory_used_bytes"),
	G("used_memory_dataset", "memory_used_dataset_bytes"),
	G("used_memory_lua", "memory_used_lua_bytes"),
	G("used_memory_overhead", "memory_used_overhead_bytes"),
	G("used_memory_peak", "memory_used_peak_bytes"),
	G("used_memory_rss", "memory_used_rss_bytes"),
	G("used_memory_scripts", "memory_used_scripts_bytes"),
	G("used_memory_startup", "memory_used_startup_bytes"),
};

const size_t redis_info_metrics_count =
	sizeof(redis_info_metrics) / sizeof(redis_info_metrics[0]);

static int compare_field(const void *key, const void *elem)
{
	return strcmp(key, ((const struct info_metric *)elem)->field);
}

const struct info_metric *redis_info_metric_find(const char *field)
{
	return bsearch(field, redis_info_metrics, redis_info_metrics_count,
		       sizeof(redis_info_metrics[0]), compare_field);
}

/*
 * The table by field hash, built once: INFO has a couple of hundred fields
 * a scrape, each looked up, and one probe beats a binary search's strcmps.
 */
#define BY_HASH_CAP 512		/* a power of two, over twice the table */

static uint16_t by_hash[BY_HASH_CAP];	/* index + 1; 0: free */
static pthread_once_t by_hash_once = PTHREAD_ONCE_INIT;

static void by_hash_build(void)
{
	_Static_assert(sizeof(redis_info_metrics) / sizeof(redis_info_metrics[0]) <
		       BY_HASH_CAP / 2, "grow BY_HASH_CAP");
	for (size_t i = 0; i < redis_info_metrics_count; i++) {
		const char *f = redis_info_metrics[i].field;
		size_t j = text_hash(f, strlen(f)) & (BY_HASH_CAP - 1);
		while (by_hash[j])
			j = (j + 1) & (BY_HASH_CAP - 1);
		by_hash[j] = (uint16_t)(i + 1);
	}
}

const struct info_metric *redis_info_metric_find_hashed(const char *field, uint64_t hash)
{
	pthread_once(&by_hash_once, by_hash_build);
	for (size_t j = hash & (BY_HASH_CAP - 1); by_hash[j]; j = (j + 1) & (BY_HASH_CAP - 1))
		if (!strcmp(redis_info_metrics[by_hash[j] - 1].field, field))
			return &redis_info_metrics[by_hash[j] - 1];
	return NULL;
}
