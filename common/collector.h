/*
 * collector: the collector descriptor and the scrape runner.
 *
 * A collector is a static descriptor, one per file:
 *
 *   const struct collector loadavg_collector = {
 *           .name = "loadavg", .enabled_by_default = true,
 *           .collect = loadavg_collect,
 *   };
 *
 * init() runs once at start-up (optional), collect() on every scrape,
 * release() at shutdown (optional). collect() writes whole families into the
 * writer it is given and returns 0, or a negative errno; a failed collector's
 * output is dropped entirely (no half-written families) and it is reported as
 * <ns>_scrape_collector_success{collector} 0 with one log line. -ENODATA
 * means "nothing to report on this host" (upstream's ErrNoData): success 0
 * too, but logged at debug level only.
 *
 * The runner hands every collector of a scrape to its own worker thread (from
 * a pool kept across scrapes) and waits for them until the scrape's deadline. A collector still running then (a stale
 * NFS mount, a wedged server) is reported as failed and the rest of the scrape
 * is served; its thread finishes in the background and frees its own output,
 * and until it does that collector is reported as failed at once instead of
 * being started again.
 *
 * Scrapes that arrive while an identical one (same collectors, same format)
 * is running wait for it and share its body (single-flight), so two
 * Prometheus replicas cost one collection.
 */
#ifndef EXPORTERBOX_COLLECTOR_H
#define EXPORTERBOX_COLLECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "expo.h"

struct run;

struct collect_ctx {
	const void *config;	/* the applet's configuration */
	void *state;		/* what init() returned, or NULL */
	double deadline;	/* CLOCK_MONOTONIC seconds; collectors that wait may use it */
	/* Set by the runner (NULL in a test's ctx): see collect_ctx_runs(). */
	const struct collector *collector;	/* the one this ctx runs */
	const struct run *run;
	double *seconds_moved;	/* added to its measured duration */
};

struct collector {
	const char *name;
	bool enabled_by_default;
	int (*init)(const void *config, void **state);
	int (*collect)(const struct collect_ctx *ctx, struct expo *w);
	void (*release)(void *state);
	/*
	 * Optional. True when collect() returns by ctx->deadline on its own
	 * (every wait in it is bounded by the deadline): a scrape of this
	 * collector alone then runs it on the requesting thread, saving two
	 * thread wake-ups, instead of on a worker the runner can abandon.
	 */
	bool (*returns_in_time)(const void *config, void *state);
};

/* Runtime view of one collector of an applet. */
struct collector_slot {
	const struct collector *c;
	bool enabled;
	void *state;
	pthread_mutex_t busy;	/* held while a collect() runs */
	atomic_bool stuck;	/* a run was abandoned at its deadline */
	size_t last_out;	/* bytes its last good run wrote (under busy) */
};

struct scrape_request {
	enum expo_format format;
	double deadline;		/* CLOCK_MONOTONIC seconds */
	const char *const *include;	/* collect[] names, or NULL (all enabled) */
	size_t ninclude;
	const char *const *exclude;	/* exclude[] names, or NULL */
	size_t nexclude;
};

/*
 * Writes families that belong to the applet rather than to a collector
 * (pg_up, build info, ...). Called on every scrape, after the collectors.
 */
typedef void (*scraper_extra_fn)(void *cls, struct expo *w);

struct scraper {
	const char *ns;			/* "node": <ns>_scrape_collector_* */
	const char *exporter_name;	/* "node_exporter": <name>_build_info */
	const void *config;
	struct collector_slot *slots;
	size_t nslots;
	bool exporter_metrics;		/* process_* and build info */
	scraper_extra_fn extra;
	void *extra_cls;
	pthread_mutex_t lock;		/* guards flights */
	struct flight *flights;
	struct pool *pool;		/* worker threads, reused across scrapes */
	char duration_name[96], success_name[96];
	char duration_help[128], success_help[128];
};

/*
 * Builds the scraper from a collector table. enabled[i] says whether table[i]
 * is on. Runs each enabled collector's init(); one that fails is logged and
 * disabled. Returns 0, or -1 when no memory.
 */
int scraper_init(struct scraper *s, const char *ns, const char *exporter_name,
		 const void *config, const struct collector *const *table,
		 const bool *enabled, size_t n);
void scraper_release(struct scraper *s);

/*
 * Workers a scrape starts with (default: one per CPU). Collectors that take
 * turns on one resource (a database connection) gain nothing from more and
 * pay a hand-over between threads per collector; the pool still grows past
 * n when a collector stalls. Call before the first scrape.
 */
void scraper_set_workers(struct scraper *s, unsigned n);

/*
 * For collectors that all take turns on one resource (a database
 * connection): one worker, and no more when a collector stalls, since each
 * added worker would only wait for the same resource (a thread started per
 * slow scrape). A stalled collector's run fails the rest at the deadline.
 * Call before the first scrape.
 */
void scraper_set_serial(struct scraper *s);

/*
 * Whether a collector abandoned at a deadline is still running: its thread
 * uses the scraper's config and state, so the scraper (and what it points
 * to) must not be released yet.
 */
bool scraper_busy(const struct scraper *s);

/*
 * Validates a request's collector filter. Returns 0, or -1 with a one-line
 * reason in err (unknown or disabled collector), as node_exporter answers 400.
 */
int scraper_check_filter(const struct scraper *s,
			 const struct scrape_request *req, struct buf *err);

/*
 * Runs (or joins) a scrape and copies the exposition body into out.
 */
void scraper_scrape(struct scraper *s, const struct scrape_request *req,
		    struct buf *out);

/* Scrape requests running or waiting on a collection right now. */
unsigned scraper_requests_in_flight(struct scraper *s);

/*
 * Whether c is one of the collectors of ctx's scrape (false without a run).
 * Collectors sharing a resource may do part of each other's work: a
 * database connection running every collector's query in one round trip.
 */
bool collect_ctx_runs(const struct collect_ctx *ctx, const struct collector *c);
/*
 * Moves seconds into (or, negative, out of) the running collector's
 * reported duration: work done by one collector for another is reported
 * as the other's, so <ns>_scrape_collector_duration_seconds still says
 * which collector is slow.
 */
void collect_ctx_move_seconds(const struct collect_ctx *ctx, double seconds);

/* CLOCK_MONOTONIC now, in seconds. */
double monotonic_seconds(void);

/*
 * A duration rounded to whole nanoseconds, as Go's Duration.Seconds() has
 * it: it then prints as short as upstream's (0.000123456, not
 * 0.00012345600000000987) and without printf's slow path.
 */
double duration_seconds(double seconds);

#endif
