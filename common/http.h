/*
 * http: the web side every applet shares, on libmicrohttpd.
 *
 * Serves the telemetry path (scrapes through a scraper), a small landing page
 * at "/", /-/healthy and /-/ready, extra routes an applet adds (/probe,
 * /scrape), 404 elsewhere and 405 for methods other than GET and HEAD.
 * Responses are gzip-compressed when the client accepts it. At most
 * max_requests scrapes run at once; more get 503. Each connection has an idle
 * timeout, a deadline for its request line and headers (slowloris) and a
 * memory cap, and the daemon a connection limit, so slow or hostile clients
 * cannot hold threads or memory.
 */
#ifndef EXPORTERBOX_HTTP_H
#define EXPORTERBOX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "collector.h"
#include "flags.h"
#include "webconfig.h"

struct http_request;

struct http_response {
	int status;
	const char *content_type;	/* static string */
	struct buf body;		/* owned by the response */
};

/* Handles one request; resp starts as 200, text/plain, empty. */
typedef void (*http_handler)(void *cls, const struct http_request *req,
			     struct http_response *resp);

/* The first value of a query argument, or NULL. */
const char *http_query(const struct http_request *req, const char *key);
/* Every value of a repeated query argument (collect[]=a&collect[]=b). */
size_t http_query_all(const struct http_request *req, const char *key,
		      const char **out, size_t max);
const char *http_header(const struct http_request *req, const char *name);
/* Deadline for work done for this request (CLOCK_MONOTONIC seconds). */
double http_deadline(const struct http_request *req);

/* The web flags every applet has; filled by flagset_parse(). */
struct http_config {
	struct strlist listen;		/* --web.listen-address (repeatable) */
	const char *telemetry_path;	/* --web.telemetry-path */
	long max_requests;		/* --web.max-requests; 0: no limit */
	bool disable_exporter_metrics;	/* --web.disable-exporter-metrics */
	const char *config_file;	/* --web.config.file: TLS, basic auth (webconfig.h) */
	double scrape_timeout;		/* --web.scrape-timeout: when Prometheus sends none */
	double timeout_offset;		/* --web.timeout-offset: subtracted from it */
	long connection_timeout;	/* --web.connection-timeout seconds (idle) */
	long max_connections;		/* --web.max-connections */
	long read_header_timeout;	/* --web.read-header-timeout seconds; 0: none */
	const char *log_level;		/* --log.level */
	const char *log_format;		/* --log.format */
};

/*
 * Adds the web and log flags to fs with upstream's names; default_listen is
 * the applet's default ":9100". listen_env names the environment variable
 * upstream reads for the listen address (NULL when it has none).
 */
void http_add_flags(struct flagset *fs, struct http_config *cfg,
		    const char *default_listen, const char *listen_env);

struct http_server;

struct http_route {
	const char *path;		/* exact match */
	http_handler fn;
	void *cls;
};

struct http_server_options {
	const char *applet;		/* "node-exporter", for the landing page */
	const char *title;		/* "Node Exporter" */
	const struct http_config *cfg;
	struct scraper *scraper;	/* serves the telemetry path */
	const struct http_route *routes;	/* extra routes (/probe, ...) */
	size_t nroutes;
	/*
	 * Optional: the HTTP status for a telemetry-path scrape, asked after
	 * it (e.g. 503 while the target is down, when a flag asks for it);
	 * 0 keeps 200. The body is served either way.
	 */
	int (*scrape_status)(void *cls);
	void *scrape_status_cls;
	/*
	 * Optional: serves the telemetry path instead of the scraper (within
	 * --web.max-requests), for an applet that merges several scrapers'
	 * bodies; scrape_status still applies to a 200.
	 */
	http_handler metrics_handler;
	void *metrics_cls;
	/*
	 * Optional: TLS and basic auth built by the applet from flags of its
	 * own (webconfig.h setters), used when --web.config.file is empty;
	 * check it with web_state_check() at start-up. Must outlive the server.
	 */
	const struct web_config *web;
};

/*
 * Serves one scrape of s for req exactly as the telemetry path does (format
 * negotiation, collect[]/exclude[], deadline): for routes such as /probe
 * that scrape a scraper of their own.
 */
void http_serve_scrape(struct scraper *s, const struct http_request *req,
		       struct http_response *resp);

/*
 * Binds every listen address and starts serving. Returns NULL after logging
 * one clear line (address in use, bad address, ...).
 */
struct http_server *http_start(const struct http_server_options *opt);
void http_stop(struct http_server *srv);
/* The port listener i is bound to (for --web.listen-address=...:0). */
unsigned http_port(const struct http_server *srv, size_t i);

/* Parses "host:port", ":port", "[v6]:port" into host (may be "") and port. */
int http_parse_listen_address(const char *addr, struct buf *host, unsigned *port);

/* Whether an Accept-Encoding header admits gzip (q > 0). */
bool http_accepts_gzip(const char *accept_encoding);

/*
 * The common applet start-up: parses flags and sets up logging. Returns -1
 * to go on, or the exit code: 0 after --help or --version, 2 after printing
 * one line about a bad flag.
 */
int http_parse_flags(struct flagset *fs, const struct http_config *cfg,
		     int argc, char **argv);

/* Serves until SIGINT or SIGTERM; returns the process exit code. */
int http_serve_until_signal(const struct http_server_options *opt);

/*
 * Blocks SIGINT and SIGTERM in the calling thread and so in every thread it
 * starts later. main() calls it before any applet starts a thread: a thread
 * with them unblocked may be the one a stop signal is delivered to (valgrind
 * picks any such thread), and would die of it instead of letting
 * http_serve_until_signal() shut down.
 */
void http_block_stop_signals(void);

#endif
