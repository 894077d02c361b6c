/*
 * pg_probe: /probe?target=HOST:PORT/DB&auth_module=NAME, upstream's
 * multi-target endpoint. auth_modules come from --config.file (upstream's
 * YAML); a target must be on --probe.allowed-targets, so the endpoint cannot
 * be used to reach arbitrary hosts. Each target keeps one connection and one
 * scraper, cached across probes: at most 64, closed after --probe.target-idle-timeout
 * without a probe, and the least recently used one makes room when full.
 */
#ifndef EXPORTERBOX_PG_PROBE_H
#define EXPORTERBOX_PG_PROBE_H

#include "collector.h"
#include "flags.h"
#include "http.h"
#include "pg.h"

struct pg_probe_config {
	const char *config_file;
	struct strlist allowed;
	double idle_timeout;		/* seconds a target may go unprobed; 0: forever */
};

struct pg_auth_module {
	char *name, *username, *password;
	char **option_keys, **option_values;
	size_t noptions;
};

struct pg_auth_modules {
	struct pg_auth_module *m;
	size_t n;
};

/* Parses the config file's text. Returns 0, or -1 with one line in err. */
int pg_auth_modules_parse(const char *text, size_t len, struct pg_auth_modules *out,
			  struct buf *err);
void pg_auth_modules_release(struct pg_auth_modules *a);

/* Whether target's host and port are on the allowlist ("host:port" or "host"). */
bool pg_probe_allowed(const struct strlist *allowed, const char *conninfo);

struct pg_probe;
/* NULL after one line on stderr (an unreadable or invalid config file). */
struct pg_probe *pg_probe_new(const struct pg_probe_config *pc, const struct pg_config *cfg,
			      const struct collector *const *table, const bool *enabled, size_t n,
			      bool exporter_metrics);
void pg_probe_free(struct pg_probe *p);
void pg_probe_handle(void *cls, const struct http_request *req, struct http_response *resp);

#endif
