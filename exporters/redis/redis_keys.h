/*
 * redis_keys: --check-keys, --check-single-keys and --count-keys.
 */
#ifndef EXPORTERBOX_REDIS_KEYS_H
#define EXPORTERBOX_REDIS_KEYS_H

#include "redis.h"

/* True when pattern has a glob character (then it is SCANned for). */
bool redis_key_is_pattern(const char *pattern);

/*
 * Writes key_size, key_value and keys_count for the configured keys over
 * conn (a redisContext *; SELECTs around and back to home_db). A broken
 * connection stops it (the caller sees conn->err), and so does the scrape's
 * deadline (CLOCK_MONOTONIC seconds; 0: none): then what was found so far
 * is written.
 */
void redis_keys_write(struct redis_writer *rw, void *conn, const struct redis_options *opt,
		      long home_db, double deadline);

#endif
