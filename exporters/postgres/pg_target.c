/*
 * pg_target: the one persistent connection per monitored server, shared by
 * the collectors of its scraper under a mutex, reconnected when lost, with
 * statement_timeout and lock_timeout set so a locked catalog cannot pile up
 * exporter sessions, and every query bounded by the scrape deadline.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pg.h"
#include "pg_guard.h"
#include "pg_plan.h"
#include "pg_reply.h"

struct pg_target *pg_target_new(const struct pg_config *cfg, const char *conninfo)
{
	struct pg_target *t = calloc(1, sizeof(*t));
	struct buf display = BUF_INIT;

	if (!t)
		abort();
	t->cfg = cfg;
	t->conninfo = strdup(conninfo);
	if (!t->conninfo)
		abort();
	pg_dsn_display(conninfo, &display);
	t->display = buf_detach(&display, NULL);
	pthread_mutex_init(&t->lock, NULL);
	atomic_init(&t->scrapes_reported, 0);
	atomic_init(&t->last_up, false);
	return t;
}

static void forget_prepared(struct pg_target *t)
{
	for (size_t i = 0; i < t->nprepared; i++)
		free(t->prepared[i].sql);
	t->nprepared = 0;
	t->no_prepare = false;
}

void pg_drop_connection(struct pg_target *t)
{
	if (t->conn)
		PQfinish(t->conn);
	t->conn = NULL;
	forget_prepared(t);
}

void pg_target_free(struct pg_target *t)
{
	if (!t)
		return;
	pg_drop_connection(t);
	pg_plan_release(t);
	pthread_mutex_destroy(&t->lock);
	free(t->conninfo);
	free(t->display);
	free(t);
}

/* libpq's messages end in newlines and may span lines: keep the first. */
static void first_line(const char *msg, char *out, size_t cap)
{
	size_t n = strcspn(msg ? msg : "", "\n");

	if (n >= cap)
		n = cap - 1;
	memcpy(out, msg ? msg : "", n);
	out[n] = '\0';
}

static int run_command(struct pg_target *t, double deadline, PGresult **out);

/*
 * After connecting, in one round trip: the session timeouts (0 keeps the
 * server's or the role's setting) and the version string for pg_static.
 * A failing SET fails the whole string, and the connection with it. Bounded
 * like the connection itself: a server that stalls here is not waited for.
 */
static int configure_session(struct pg_target *t)
{
	struct buf sql = BUF_INIT;
	PGresult *res = NULL;

	if (t->cfg->statement_timeout > 0)
		buf_addf(&sql, "SET statement_timeout = %ld; ",
			 (long)llround(t->cfg->statement_timeout * 1000));
	if (t->cfg->lock_timeout > 0)
		buf_addf(&sql, "SET lock_timeout = %ld; ", (long)llround(t->cfg->lock_timeout * 1000));
	buf_adds(&sql, "SELECT version()");
	int rc = PQsendQuery(t->conn, buf_cstr(&sql)) ? 0 : -EIO;
	buf_release(&sql);
	/* connect_timeout 0 is libpq's "for ever"; the setup still gets 10 s. */
	double deadline = monotonic_seconds() +
			  (t->cfg->connect_timeout > 0 ? t->cfg->connect_timeout : 10);
	if (rc == 0)
		rc = run_command(t, deadline, &res);
	if (rc != 0 || !t->conn) {
		PQclear(res);
		return rc ? rc : -EIO;
	}
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		 PQnfields(res) == 1;
	if (ok)
		snprintf(t->version, sizeof(t->version), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	t->server_version = PQserverVersion(t->conn);
	/* pg_guard counts a TCP socket's bytes; a Unix socket's rows are counted. */
	t->single_rows = pg_result_cap(t) != SIZE_MAX && !pg_guard_can_watch(PQsocket(t->conn));
	return ok ? 0 : -EIO;
}

/*
 * Connects (t->lock held). The DSN's own values win over our fallbacks:
 * connect_timeout comes before the expanded dbname, and application_name
 * is only libpq's fallback_application_name.
 */
static int connect_target(struct pg_target *t)
{
	char timeout[32];
	snprintf(timeout, sizeof(timeout), "%ld", (long)ceil(t->cfg->connect_timeout));
	const char *keys[] = { "connect_timeout", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { timeout, t->conninfo, t->cfg->application_name, NULL };

	t->conn = PQconnectdbParams(keys, vals, 1);
	if (!t->conn)
		abort();
	if (PQstatus(t->conn) != CONNECTION_OK) {
		char msg[200];
		first_line(PQerrorMessage(t->conn), msg, sizeof(msg));
		log_warn("cannot connect to postgres", "target", t->display, "err", msg);
		pg_drop_connection(t);
		return -ECONNREFUSED;
	}
	if (configure_session(t) != 0) {
		log_warn("cannot set session timeouts", "target", t->display);
		pg_drop_connection(t);
		return -EIO;
	}
	log_debug("connected to postgres", "target", t->display);
	return 0;
}

static void deadline_timespec(double mono_deadline, struct timespec *ts)
{
	double left = mono_deadline - monotonic_seconds();

	clock_gettime(CLOCK_REALTIME, ts);
	if (left < 0)
		left = 0;
	ts->tv_sec += (time_t)left;
	ts->tv_nsec += (long)((left - floor(left)) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* New scrape (a new deadline): reset the per-scrape bookkeeping; true if new. */
static bool note_scrape(struct pg_target *t, double deadline)
{
	if (t->scrape_deadline == deadline)
		return false;
	t->scrape_deadline = deadline;
	t->scrape_start = monotonic_seconds();
	t->scrape_error = false;
	t->scrapes++;
	return true;
}

/* Connects when not connected, once per scrape (t->lock held): 0 or -errno. */
static int ensure_connected(struct pg_target *t, double deadline)
{
	if (t->conn && PQstatus(t->conn) != CONNECTION_OK)
		pg_drop_connection(t);
	if (t->conn)
		return 0;
	/* One attempt per scrape: the other collectors fail at once. */
	int rc = -ECONNREFUSED;
	if (t->failed_connect_deadline != deadline)
		rc = connect_target(t);
	if (rc != 0) {
		t->failed_connect_deadline = deadline;
		t->scrape_error = true;
	}
	return rc;
}

int pg_session_begin(struct pg_session *s, const struct collect_ctx *ctx)
{
	struct pg_target *t = (struct pg_target *)ctx->config;
	struct timespec until;

	s->t = t;
	s->ctx = ctx;
	s->deadline = ctx->deadline;
	deadline_timespec(ctx->deadline, &until);
	if (pthread_mutex_timedlock(&t->lock, &until) != 0)
		return -ETIMEDOUT;
	bool first = note_scrape(t, ctx->deadline);
	int rc = ensure_connected(t, ctx->deadline);
	if (rc == 0 && first) {
		pg_plan_prefetch(t, ctx);
		/* A batch that lost the connection: the queries it did not answer get a new one. */
		if (monotonic_seconds() < ctx->deadline)
			rc = ensure_connected(t, ctx->deadline);
	}
	if (rc != 0) {
		pthread_mutex_unlock(&t->lock);
		/* Logged once by connect_target(): the collectors fail quietly (debug). */
		return -ENODATA;
	}
	return 0;
}

void pg_session_end(struct pg_session *s, int rc)
{
	if (rc != 0 && rc != -ENODATA)
		s->t->scrape_error = true;
	pthread_mutex_unlock(&s->t->lock);
}

int pg_server_version(const struct pg_session *s)
{
	return s->t->server_version;
}

void pg_drop_failed(struct pg_target *t, int rc)
{
	char cap[32];

	if (rc == -EFBIG) {
		snprintf(cap, sizeof(cap), "%zu", pg_result_cap(t));
		log_warn("result larger than --postgres.max-result-bytes, dropping the connection",
			 "target", t->display, "max_result_bytes", cap);
	} else if (rc == -ETIMEDOUT) {
		log_warn("query not cancelled in time, dropping the connection", "target",
			 t->display);
	}
	pg_drop_connection(t);
}

size_t pg_result_cap(const struct pg_target *t)
{
	return t->cfg->max_result_bytes > 0 ? (size_t)t->cfg->max_result_bytes : SIZE_MAX;
}

/*
 * Reads the reply to the command just sent into *out (a result or an
 * error result; caller PQclear()s). Past the deadline the query is
 * cancelled and its rest discarded; when that takes longer than
 * PG_CANCEL_GRACE, or the result outgrows the cap, or the connection fails,
 * the connection is dropped (the server ends the query when it next writes).
 */
static int run_command(struct pg_target *t, double deadline, PGresult **out)
{
	struct pg_reply rp = { .cap = pg_result_cap(t), .keep = true };
	struct pg_guard guard;
	bool cancelled = false;
	unsigned reads = 0;

	*out = NULL;
	pg_guard_init(&guard, PQsocket(t->conn), rp.cap);
	int rc = pg_reply_read(t->conn, &rp, deadline, &guard, &reads);
	if (rc == -ETIMEDOUT) {
		pg_reply_discard(&rp);
		rp.keep = false;
		double grace = monotonic_seconds() + PG_CANCEL_GRACE;
		/* Its first read too may fill a buffer sized for a long row. */
		pg_guard_arm(&guard);
		struct pg_cancel *k = pg_cancel_start(t->conn);
		cancelled = pg_reply_read(t->conn, &rp, grace, &guard, &reads) == 0 &&
			    pg_cancel_delivered(k, grace);
		pg_cancel_unref(k);
	}
	if (pg_guard_disarm(&guard))
		rc = -EFBIG;
	/* Whole (not counted row by row): libpq's memory for it, not only the bytes. */
	if (rc == 0 && !t->single_rows && rp.last && PQresultMemorySize(rp.last) > rp.cap)
		rc = -EFBIG;
	if (rc == 0) {
		*out = rp.last;
		rp.last = NULL;
		if (PQstatus(t->conn) != CONNECTION_OK)
			pg_drop_connection(t);
	} else if (rc != -ETIMEDOUT || !cancelled) {
		pg_drop_failed(t, rc);
	}
	pg_reply_discard(&rp);
	return rc;
}

static int send_failed(struct pg_target *t)
{
	char msg[200];

	first_line(PQerrorMessage(t->conn), msg, sizeof(msg));
	log_warn("cannot send query", "target", t->display, "err", msg);
	if (PQstatus(t->conn) != CONNECTION_OK)
		pg_drop_connection(t);
	return -EIO;
}

static bool has_sqlstate(const PGresult *r, const char *state)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s && !strcmp(s, state);
}

/*
 * A pooler that hands each transaction another server session (PgBouncer
 * in transaction mode) loses our statements or already has their names:
 * simple queries from then on, for this connection, said once per target.
 */
static void stop_preparing(struct pg_target *t, const PGresult *why)
{
	char msg[200];

	t->no_prepare = true;
	if (t->no_prepare_logged)
		return;
	t->no_prepare_logged = true;
	first_line(PQresultErrorMessage(why), msg, sizeof(msg));
	log_warn("prepared statements do not work on this connection (a pooler in "
		 "transaction mode?): running simple queries", "target", t->display, "err", msg);
}

/*
 * Behind a pooler, a server session can hold another exporter's statements
 * (pid 1 in every container, so not the pid): a name of plain counters
 * could run someone else's query. A random part per connection makes a
 * statement of ours either ours or absent (26000, and simple queries).
 */
static uint64_t random_nonce(void)
{
	uint64_t n;

	if (getrandom(&n, sizeof(n), 0) != (ssize_t)sizeof(n))
		n = (uint64_t)(monotonic_seconds() * 1e9) ^ ((uint64_t)getpid() << 32);
	return n;
}

struct pg_prepared *pg_prepared_find(struct pg_target *t, const char *sql)
{
	for (size_t i = 0; i < t->nprepared; i++)
		if (!strcmp(t->prepared[i].sql, sql))
			return &t->prepared[i];
	return NULL;
}

const char *pg_prepared_name(struct pg_target *t, size_t k)
{
	size_t i = t->nprepared + k;

	if (i >= PG_PREPARED_MAX)
		return NULL;
	if (i == 0)
		t->prepare_nonce = random_nonce();
	struct pg_prepared *p = &t->prepared[i];
	snprintf(p->name, sizeof(p->name), "exporterbox_%016" PRIx64 "_%zu", t->prepare_nonce, i);
	return p->name;
}

struct pg_prepared *pg_prepared_add(struct pg_target *t, const char *sql, bool plain)
{
	struct pg_prepared *p = &t->prepared[t->nprepared++];

	p->sql = strdup(sql);
	if (!p->sql)
		abort();
	p->plain = plain;
	return p;
}

/*
 * The statement's entry, prepared on first use (a parameterless statement
 * gets its generic plan at once, so later scrapes skip planning); *out
 * NULL: run it as a simple query.
 */
static int prepared_for(struct pg_target *t, const char *sql, double deadline,
			struct pg_prepared **out)
{
	*out = NULL;
	if (t->no_prepare)
		return 0;
	struct pg_prepared *known = pg_prepared_find(t, sql);
	if (known) {
		*out = known->plain ? NULL : known;
		return 0;
	}
	const char *name = pg_prepared_name(t, 0);
	if (!name)
		return 0;
	if (!PQsendPrepare(t->conn, name, sql, 0, NULL))
		return send_failed(t);
	PGresult *r;
	int rc = run_command(t, deadline, &r);
	if (rc != 0)
		return rc;
	if (!t->conn) {			/* lost meanwhile: the table is forgotten */
		PQclear(r);
		return -EIO;
	}
	/* A statement that cannot be prepared (say, a missing relation) runs as it is. */
	struct pg_prepared *p = pg_prepared_add(t, sql, PQresultStatus(r) != PGRES_COMMAND_OK);
	if (has_sqlstate(r, "42P05"))	/* duplicate_prepared_statement */
		stop_preparing(t, r);
	PQclear(r);
	*out = p->plain || t->no_prepare ? NULL : p;
	return 0;
}

static int execute(struct pg_target *t, const struct pg_prepared *p, const char *sql,
		   double deadline, PGresult **out)
{
	int sent = p ? PQsendQueryPrepared(t->conn, p->name, 0, NULL, NULL, NULL, 0) :
		       PQsendQuery(t->conn, sql);

	*out = NULL;
	if (!sent)
		return send_failed(t);
	if (t->single_rows)
		PQsetSingleRowMode(t->conn);
	return run_command(t, deadline, out);
}

/*
 * Runs sql prepared when it can (*prepared says whether it was); a
 * prepared statement that fails for being one runs again as a simple query.
 */
static int run_query(struct pg_target *t, const char *sql, double deadline, PGresult **out,
		     bool *prepared)
{
	struct pg_prepared *p;

	*out = NULL;
	*prepared = false;
	if (!t->conn)			/* lost by an earlier query of this session */
		return -EIO;
	int rc = prepared_for(t, sql, deadline, &p);
	if (rc != 0)
		return rc;
	rc = execute(t, p, sql, deadline, out);
	*prepared = p != NULL;
	if (rc != 0 || !p || !t->conn)
		return rc;
	if (has_sqlstate(*out, "26000"))	/* invalid_sql_statement_name: a pooler */
		stop_preparing(t, *out);
	else if (has_sqlstate(*out, "0A000"))	/* cached plan must not change result type */
		p->plain = true;
	else
		return 0;
	PQclear(*out);
	*prepared = false;
	return execute(t, NULL, sql, deadline, out);
}

int pg_session_query(struct pg_session *s, const char *sql, PGresult **res)
{
	char msg[200];
	PGresult *r = NULL;
	bool prepared = false;
	int rc = 0;

	*res = NULL;
	if (!pg_plan_take(s->t, s->ctx, sql, &r))
		rc = run_query(s->t, sql, s->deadline, &r, &prepared);
	if (rc == 0 && PQresultStatus(r) == PGRES_TUPLES_OK) {
		if (prepared)
			pg_plan_note(s->t, s->ctx, sql, r);
		*res = r;
		return 0;
	}
	if (rc == 0)
		first_line(PQresultErrorMessage(r), msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "%s", rc == -ETIMEDOUT ?
			 "canceled at the scrape deadline" : strerror(-rc));
	log_debug("query failed", "target", s->t->display, "err", msg);
	PQclear(r);
	return rc ? rc : -EIO;
}

int pg_collect_versioned(const struct collect_ctx *ctx, struct expo *w,
			 const struct pg_query_spec *specs, size_t n)
{
	struct pg_session s;
	const struct pg_query_spec *spec = NULL;
	PGresult *res;
	int rc = pg_session_begin(&s, ctx);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (s.t->server_version >= specs[i].min_version)
			spec = &specs[i];
	if (!spec) {
		pg_session_end(&s, 0);
		return 0;
	}
	rc = pg_session_query(&s, spec->sql, &res);
	if (rc == 0) {
		rc = pg_emit_rows(w, res, spec);
		PQclear(res);
	}
	pg_session_end(&s, rc);
	return rc;
}

int pg_collect_spec(const struct collect_ctx *ctx, struct expo *w,
		    const struct pg_query_spec *spec)
{
	return pg_collect_versioned(ctx, w, spec, 1);
}

/* Connects when no collector did this scrape (all disabled); t->lock held. */
static bool check_up_locked(struct pg_target *t)
{
	if (t->conn && PQstatus(t->conn) != CONNECTION_OK)
		pg_drop_connection(t);
	if (!t->conn && t->failed_connect_deadline != t->scrape_deadline)
		connect_target(t);
	return t->conn != NULL;
}

bool pg_target_up(struct pg_target *t)
{
	pthread_mutex_lock(&t->lock);
	bool up = t->conn && PQstatus(t->conn) == CONNECTION_OK;
	pthread_mutex_unlock(&t->lock);
	return up;
}

static const struct metric_desc up_desc = {
	"pg_up",
	"Whether the last scrape of metrics from PostgreSQL was able to connect to the server "
	"(1 for yes, 0 for no).",
	METRIC_GAUGE, NULL,
};
static const struct metric_desc static_desc = {
	"pg_static", "Version string as reported by postgres", METRIC_UNTYPED,
	LABELS("short_version", "version"),
};
static const struct metric_desc duration_desc = {
	"pg_exporter_last_scrape_duration_seconds",
	"Duration of the last scrape of metrics from PostgreSQL.", METRIC_GAUGE, NULL,
};
static const struct metric_desc error_desc = {
	"pg_exporter_last_scrape_error",
	"Whether the last scrape of metrics from PostgreSQL resulted in an error "
	"(1 for error, 0 for success).",
	METRIC_GAUGE, NULL,
};
static const struct metric_desc scrapes_desc = {
	"pg_exporter_scrapes_total", "Total number of times PostgreSQL was scraped for metrics.",
	METRIC_COUNTER, NULL,
};

/* "150004" -> "15.4.0", as upstream's semver of server_version_num. */
static void short_version(int num, char *out, size_t cap)
{
	if (num >= 100000)
		snprintf(out, cap, "%d.%d.0", num / 10000, num % 10000);
	else
		snprintf(out, cap, "%d.%d.%d", num / 10000, num / 100 % 100, num % 100);
}

/*
 * Called after the collectors. A scrape that ran no collector (all of them
 * disabled) still learns whether the server answers. When a collector is
 * stuck holding the connection, the last known state is reported.
 */
void pg_write_meta(void *target, struct expo *w)
{
	struct pg_target *t = target;
	bool up;
	double duration = 0;
	bool error = true;
	unsigned long scrapes;
	char shortv[32] = "", version[sizeof(t->version)];

	if (pthread_mutex_trylock(&t->lock) == 0) {
		if (t->scrape_start == 0)	/* no collector ran: it starts here */
			note_scrape(t, -monotonic_seconds());
		up = check_up_locked(t);
		atomic_store(&t->last_up, up);
		scrapes = t->scrapes;
		atomic_store(&t->scrapes_reported, scrapes);
		duration = monotonic_seconds() - t->scrape_start;
		error = t->scrape_error || !up;
		short_version(t->server_version, shortv, sizeof(shortv));
		memcpy(version, t->version, sizeof(version));
		t->scrape_start = 0;
		pg_plan_settle(t);
		pthread_mutex_unlock(&t->lock);
	} else {
		up = atomic_load(&t->last_up);
		scrapes = atomic_load(&t->scrapes_reported);
		version[0] = '\0';
	}
	expo_family(w, &duration_desc);
	expo_value(w, duration_seconds(duration));
	expo_family(w, &error_desc);
	expo_value(w, error ? 1 : 0);
	expo_family(w, &scrapes_desc);
	expo_value(w, (double)scrapes);
	if (version[0]) {
		expo_family(w, &static_desc);
		expo_sample(w, 1, shortv, version);
	}
	expo_family(w, &up_desc);
	expo_value(w, up ? 1 : 0);
}
