/*
 * pg_servers: the data sources the telemetry path scrapes. One per DSN that
 * DATA_SOURCE_NAME lists, each with its own connection, scraper and (with
 * --auto-discover-databases) discovery. With several, every series carries
 * server="host:port" (upstream's fingerprint) and their bodies are merged
 * into one exposition; --constantLabels and --metric-prefix go through the
 * same merge. With one data source and neither option, the scraper serves
 * the telemetry path directly.
 */
#ifndef EXPORTERBOX_PG_SERVERS_H
#define EXPORTERBOX_PG_SERVERS_H

#include "http.h"
#include "pg.h"

struct pg_servers_options {
	const struct pg_config *cfg;
	const bool *enabled;		/* one per pg_collectors[] entry */
	bool exporter_metrics;		/* process_* and build info (once) */
	bool auto_discover;
	const char *prefix;		/* --metric-prefix ("pg": unchanged) */
	const char *const *const_names;	/* --constantLabels */
	const char *const *const_values;
	size_t nconst;
};

struct pg_servers;

/* NULL when a scraper cannot be built (logged). */
struct pg_servers *pg_servers_new(const struct pg_dsns *dsns, const struct pg_servers_options *o);
void pg_servers_free(struct pg_servers *s);

/* The first data source's scraper (the telemetry path's when not merged). */
struct scraper *pg_servers_scraper(struct pg_servers *s);
/* Whether the telemetry path must go through pg_servers_handle(). */
bool pg_servers_merged(const struct pg_servers *s);
void pg_servers_handle(void *cls, const struct http_request *req, struct http_response *resp);
/* http's scrape_status: 503 while any data source is down. */
int pg_servers_status(void *cls);

#endif
