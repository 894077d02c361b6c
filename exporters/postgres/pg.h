/*
 * postgres-exporter's internal interface: the configuration, the target (one
 * persistent libpq connection shared by every collector of a scraper), the
 * table-driven row mapper most collectors are written in, and the pure
 * parsers the tests and fuzzers call directly.
 */
#ifndef EXPORTERBOX_PG_H
#define EXPORTERBOX_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "collector.h"
#include "expo.h"
#include "flags.h"

struct pg_user_queries;
struct pg_discovery;

struct pg_config {
	double statement_timeout;	/* seconds; 0: server default */
	double lock_timeout;		/* seconds; 0: server default */
	double connect_timeout;		/* seconds, when the DSN sets none */
	long max_result_bytes;		/* largest result a query may return; 0: no limit */
	const char *application_name;	/* fallback_application_name */
	const struct pg_user_queries *user_queries;	/* --extend.query-path */
	const struct strlist *include_databases;	/* --include-databases; empty: all */
	const struct strlist *exclude_databases;	/* --exclude-databases */
};

/* Statements prepared on the current connection (forgotten when it drops). */
#define PG_PREPARED_MAX 64

struct pg_prepared {
	char *sql;			/* owned copy: the key */
	char name[40];			/* "exporterbox_<nonce>_<n>" */
	bool plain;			/* preparing it failed: run as a simple query */
};

/*
 * A statement a collector of the target ran in an earlier scrape: the next
 * scrape sends them all at once (pg_plan.c).
 */
#define PG_PLAN_MAX 64

struct pg_planned {
	const struct collector *collector;	/* which ran it */
	char *sql;			/* owned */
	size_t bytes;			/* its last result's size: the batch stays within the cap */
	PGresult *res;			/* fetched for plan_deadline's scrape, not taken yet */
	bool leaving;			/* failed on its own: unplanned after this scrape */
	double seconds;			/* its share of the batch's time */
};

/*
 * One monitored server. `lock` serializes every use of `conn`: libpq
 * connections are not thread-safe and the scraper runs collectors on
 * parallel workers, so each collector holds the lock for its queries.
 */
struct pg_target {
	const struct pg_config *cfg;
	char *conninfo;			/* owned; may hold a password: never logged */
	char *display;			/* owned; host:port/db without secrets */
	pthread_mutex_t lock;
	PGconn *conn;			/* NULL while disconnected */
	int server_version;		/* PQserverVersion(), 0 unknown */
	char version[160];		/* SELECT version() */
	double scrape_deadline;		/* the scrape the counters below belong to */
	double scrape_start;
	double failed_connect_deadline;	/* scrape whose connect already failed */
	bool scrape_error;
	unsigned long scrapes;
	atomic_ulong scrapes_reported;	/* for a scrape that finds the lock held */
	atomic_bool last_up;
	struct pg_prepared prepared[PG_PREPARED_MAX];
	size_t nprepared;
	uint64_t prepare_nonce;		/* random, per connection: see prepared_for */
	bool no_prepare;		/* this connection runs simple queries only */
	bool no_prepare_logged;		/* said once per target, not per reconnect */
	bool single_rows;		/* the cap counts rows (pg_reply.h): a Unix socket */
	struct pg_planned plan[PG_PLAN_MAX];	/* kept across reconnects */
	size_t nplan;
	double plan_deadline;		/* the scrape the fetched results are for */
	bool plan_flush;		/* the last batch was slow: see pg_plan.c */
	struct pg_discovery *discovery;	/* --auto-discover-databases, or NULL; not owned */
};

/* Takes ownership of nothing: copies conninfo. */
struct pg_target *pg_target_new(const struct pg_config *cfg, const char *conninfo);
void pg_target_free(struct pg_target *t);

/*
 * A collector's turn on the connection: pg_session_begin() takes the lock
 * (waiting no longer than the scrape deadline: -ETIMEDOUT) and connects
 * when needed (once per scrape; when that fails it is logged once and every
 * collector gets -ENODATA, a quiet success 0). The first session of a
 * scrape also sends the statements the scrape's collectors ran last time,
 * all at once (pg_plan.c). pg_session_query() takes its result from that
 * batch, or runs the statement within the deadline (cancelled server-side
 * when it passes); pg_session_end() releases the lock and records the
 * collector's result for pg_exporter_last_scrape_error.
 */
struct pg_session {
	struct pg_target *t;
	const struct collect_ctx *ctx;
	double deadline;
};

int pg_session_begin(struct pg_session *s, const struct collect_ctx *ctx);
/*
 * Returns PGRES_TUPLES_OK results in *res (caller PQclear()s), or -errno:
 * -EFBIG for a result larger than cfg->max_result_bytes (the connection is
 * then dropped). Each statement is prepared once per connection and read
 * row by row into one PGresult, so the cap holds while the rows arrive.
 */
int pg_session_query(struct pg_session *s, const char *sql, PGresult **res);
void pg_session_end(struct pg_session *s, int rc);
int pg_server_version(const struct pg_session *s);

/* Writes the applet's own families (pg_up, pg_static, pg_exporter_*). */
void pg_write_meta(void *target, struct expo *w);
/* True while the target answers (for the opt-in 503). */
bool pg_target_up(struct pg_target *t);

/* One column of a query's result, as a label or as a metric family. */
enum pg_col_kind { PG_LABEL, PG_GAUGE, PG_COUNTER, PG_UNTYPED, PG_DISCARD };

struct pg_column {
	const char *column;		/* result column name */
	enum pg_col_kind kind;
	const char *help;
	const char *metric;		/* family suffix; NULL: the column name */
};

struct pg_query_spec {
	const char *prefix;		/* "pg_stat_database" */
	const char *sql;
	const struct pg_column *cols;
	size_t ncols;
	int min_version;		/* older servers: nothing to report, success */
};

#define PG_SPEC(prefix, sql, cols) \
	{ (prefix), (sql), (cols), sizeof(cols) / sizeof((cols)[0]), 0 }
#define PG_SPEC_SINCE(version, prefix, sql, cols) \
	{ (prefix), (sql), (cols), sizeof(cols) / sizeof((cols)[0]), (version) }

/*
 * Writes one family per metric column of spec over the rows of res; label
 * columns become labels in spec order. Rows repeating an earlier row's label
 * values are dropped (a duplicate series would fail the scrape); NULL
 * metric values are NaN (as upstream), a missing metric column no family (older
 * servers lack some). Returns -EPROTO when a label column is missing.
 */
int pg_emit_rows(struct expo *w, const PGresult *res, const struct pg_query_spec *spec);
/* The same over several results of spec's query (one per database): one family each. */
int pg_emit_results(struct expo *w, const PGresult *const *res, size_t n,
		    const struct pg_query_spec *spec);

/* Runs spec's query on the target and emits it: a whole simple collector. */
int pg_collect_spec(const struct collect_ctx *ctx, struct expo *w,
		    const struct pg_query_spec *spec);
/*
 * A per-database collector: spec's query on the target's database and, with
 * --auto-discover-databases, on every discovered database too, written as
 * one family set. Only the target's own database can fail the collector; a
 * discovered database that fails is logged and left out.
 */
int pg_collect_per_database(const struct collect_ctx *ctx, struct expo *w,
			    const struct pg_query_spec *spec);
/*
 * The same with one spec per server version: runs the last of specs (in
 * ascending min_version) the server is new enough for; none: success, nothing.
 */
int pg_collect_versioned(const struct collect_ctx *ctx, struct expo *w,
			 const struct pg_query_spec *specs, size_t n);

/* A text value as a sample value: numbers, t/f, NULL -> NaN. */
double pg_parse_value(const char *s, bool *ok);

/*
 * pg_settings: upstream's unit rules. Converts setting (text) with unit
 * into *value and the name suffix ("", "seconds", "bytes"). Returns 0, or -1
 * for a value that is not a number or a unit upstream does not know.
 */
int pg_setting_normalise(const char *setting, const char *unit, double *value,
			 const char **suffix);

/* --extend.query-path: upstream's queries.yaml. */
struct pg_user_metric {
	char *column;
	enum pg_col_kind kind;
	char *help;
	char *metric;			/* family suffix: <column>_milliseconds for DURATION */
};

struct pg_user_query {
	char *name;			/* top-level key: the metric prefix */
	char *sql;
	struct pg_user_metric *metrics;
	size_t nmetrics;
	struct pg_column *cols;		/* built from metrics for pg_emit_rows */
	struct pg_query_spec spec;
	char *prefix;			/* "pg_" is not added: upstream uses the key */
	bool master;			/* only on the data source's own database */
};

struct pg_user_queries {
	struct pg_user_query *q;
	size_t n;
};

/* Parses queries.yaml text. Returns 0, or -1 with one line in err. */
int pg_user_queries_parse(const char *text, size_t len, struct pg_user_queries *out,
			  struct buf *err);
void pg_user_queries_release(struct pg_user_queries *q);

/* s without leading and trailing blanks (cut in place). */
char *pg_trim(char *s);
/* Appends s for a one-line message: control characters become '?'. */
void pg_add_printable(struct buf *out, const char *s);
/* A DSN for logs: host, port and database only, never user or password. */
void pg_dsn_display(const char *conninfo, struct buf *out);
/* Checks a DSN parses as libpq would; one line without secrets in err. */
int pg_dsn_check(const char *conninfo, struct buf *err);

/* Data source names, one per monitored server. */
struct pg_dsns {
	char **v;
	size_t n;
};

/*
 * The data sources from DATA_SOURCE_NAME (several when it lists them,
 * comma-separated), or DATA_SOURCE_URI + _USER + _PASS (one; each may be
 * *_FILE), or "" (libpq's PG* variables). Returns 0, or -1 with one line in
 * err that never holds the password.
 */
int pg_dsn_from_env(struct pg_dsns *dsns, struct buf *err);
/*
 * Appends s's DSNs to out: a comma followed by a URI scheme or "keyword="
 * starts the next one; other commas belong to the DSN (libpq host lists).
 */
void pg_dsn_split(const char *s, struct pg_dsns *out);
void pg_dsns_release(struct pg_dsns *d);
/* upstream's `server` label: host:port, with libpq's defaults. */
void pg_dsn_server(const char *conninfo, struct buf *out);
/* Appends key='value' to a conninfo string, quoted as libpq reads it. */
void pg_conninfo_add(struct buf *out, const char *key, const char *value);

extern const struct collector *const pg_collectors[];
extern const size_t pg_collectors_count;

#endif
