/*
 * pg_target: the one persistent connection per monitored server, shared by
 * the collectors of its scraper under a mutex, reconnected when lost, with
 * statement_timeout and lock_timeout set so a locked catalog cannot pile up
 * exporter sessions, and every query bounded by the scrape deadline.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
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

/* Seconds a cancelled query may take to end before the connection is dropped. */
#define CANCEL_GRACE 1.0

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

static void drop_connection(struct pg_target *t)
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
	drop_connection(t);
	pg_guard_stop();
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
		drop_connection(t);
		return -ECONNREFUSED;
	}
	if (configure_session(t) != 0) {
		log_warn("cannot set session timeouts", "target", t->display);
		drop_connection(t);
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

/* New scrape (a new deadline): reset the per-scrape bookkeeping. */
static void note_scrape(struct pg_target *t, double deadline)
{
	if (t->scrape_deadline == deadline)
		return;
	t->scrape_deadline = deadline;
	t->scrape_start = monotonic_seconds();
	t->scrape_error = false;
	t->scrapes++;
}

int pg_session_begin(struct pg_session *s, const struct collect_ctx *ctx)
{
	struct pg_target *t = (struct pg_target *)ctx->config;
	struct timespec until;

	s->t = t;
	s->deadline = ctx->deadline;
	deadline_timespec(ctx->deadline, &until);
	if (pthread_mutex_timedlock(&t->lock, &until) != 0)
		return -ETIMEDOUT;
	note_scrape(t, ctx->deadline);
	if (t->conn && PQstatus(t->conn) != CONNECTION_OK)
		drop_connection(t);
	if (!t->conn) {
		/* One attempt per scrape: the other collectors fail at once. */
		int rc = -ECONNREFUSED;
		if (t->failed_connect_deadline != ctx->deadline)
			rc = connect_target(t);
		if (rc != 0) {
			t->failed_connect_deadline = ctx->deadline;
			t->scrape_error = true;
			pthread_mutex_unlock(&t->lock);
			/* Logged once above: the collectors fail quietly (debug). */
			return -ENODATA;
		}
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

/*
 * One command's results as they arrive. Rows come one by one (single-row
 * mode) and are appended to one PGresult, so the collectors keep libpq's
 * API while the bytes held are checked against the cap as they grow. A
 * single huge row, which libpq buffers whole, is pg_guard's.
 */
struct reply {
	PGresult *rows;			/* the current statement's rows so far */
	PGresult *last;			/* the last statement's result, or an error */
	size_t mem, cap;
	bool keep;			/* false: discard everything (after a cancel) */
};

static void reply_discard(struct reply *rp)
{
	PQclear(rp->rows);
	PQclear(rp->last);
	rp->rows = rp->last = NULL;
}

/* Appends the one row of a PGRES_SINGLE_TUPLE result; -ENOMEM when libpq cannot. */
static int append_row(struct reply *rp, const PGresult *r)
{
	int nf = PQnfields(r);

	if (!rp->rows && !(rp->rows = PQcopyResult(r, PG_COPYRES_ATTRS)))
		return -ENOMEM;
	int row = PQntuples(rp->rows);
	rp->mem += 16 + (size_t)nf * 16;	/* libpq's per-row and per-value overhead */
	for (int f = 0; f < nf; f++) {
		bool null = PQgetisnull(r, 0, f);
		int len = null ? -1 : PQgetlength(r, 0, f);
		if (!PQsetvalue(rp->rows, row, f, null ? NULL : PQgetvalue(r, 0, f), len))
			return -ENOMEM;
		rp->mem += null ? 0 : (size_t)len + 1;
	}
	return 0;
}

/* An error stays the command's outcome; otherwise the newest result is. */
static void set_last(struct reply *rp, PGresult *r)
{
	ExecStatusType st = PQresultStatus(rp->last);

	if (rp->last && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		PQclear(r);
		return;
	}
	PQclear(rp->last);
	rp->last = r;
}

static int take_result(struct reply *rp, PGresult *r)
{
	int rc = 0;

	if (!rp->keep) {
		PQclear(r);
		return 0;
	}
	switch (PQresultStatus(r)) {
	case PGRES_SINGLE_TUPLE:
		rc = append_row(rp, r);
		PQclear(r);
		return rc;
	case PGRES_TUPLES_OK:		/* the end of a statement's rows */
		if (rp->rows) {
			PQclear(r);
			r = rp->rows;
			rp->rows = NULL;
		}
		set_last(rp, r);
		return 0;
	default:			/* a command's status, or an error */
		PQclear(rp->rows);
		rp->rows = NULL;
		set_last(rp, r);
		return 0;
	}
}

/*
 * Reads results until the command ends (0), the deadline passes
 * (-ETIMEDOUT), the cap is exceeded (-EFBIG) or the connection fails.
 * The guard (counting from when the query was sent) is armed only before
 * a second read: a reply that arrives in one read (most do) never wakes its
 * watcher, which cost 10 % of a scrape's CPU when armed for every query.
 * That first read is bounded anyway: it fills at most libpq's buffer, which
 * only ever grew to hold a message within the cap; libpq sizes its buffer
 * for a longer message, and reads on, only once it has read its length.
 */
static int pump(PGconn *conn, struct reply *rp, double deadline, struct pg_guard *guard)
{
	unsigned reads = 0;

	for (;;) {
		while (PQisBusy(conn)) {
			double left = deadline - monotonic_seconds();
			if (left <= 0)
				return -ETIMEDOUT;
			if (reads++ == 1)
				pg_guard_arm(guard);
			struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
			int ms = left > 1 ? 1000 : (int)(left * 1000) + 1;
			if (poll(&p, 1, ms) < 0 && errno != EINTR)
				return -EIO;
			if (!PQconsumeInput(conn))
				return -EIO;
		}
		PGresult *r = PQgetResult(conn);
		if (!r)
			return 0;
		int rc = take_result(rp, r);
		if (rc != 0)
			return rc;
		if (rp->mem > rp->cap)
			return -EFBIG;
	}
}

/*
 * PQcancel() blocks until the server closes the cancel connection, which a
 * hostile one never does: it runs on a detached thread of its own, at most
 * a few at a time (past that, the grace period runs out and the connection
 * is dropped instead). The connection is used again only once the cancel
 * was delivered: a cancel still on its way when the next query starts
 * would fail that one instead.
 */
#define MAX_CANCELS 4
static atomic_int cancels_in_flight;

struct cancel {
	PGcancel *c;
	atomic_bool delivered;	/* PQcancel() returned */
	atomic_int refs;	/* the thread and the query that asked */
};

static void cancel_unref(struct cancel *k)
{
	if (k && atomic_fetch_sub(&k->refs, 1) == 1) {
		PQfreeCancel(k->c);
		free(k);
	}
}

static void *cancel_thread(void *arg)
{
	struct cancel *k = arg;
	char err[256];

	PQcancel(k->c, err, sizeof(err));
	atomic_store(&k->delivered, true);
	atomic_fetch_sub(&cancels_in_flight, 1);
	cancel_unref(k);
	return NULL;
}

/* Sends a cancel for conn's query from a thread of its own; NULL if not sent. */
static struct cancel *start_cancel(PGconn *conn)
{
	pthread_attr_t attr;
	pthread_t th;
	struct cancel *k = NULL;

	if (atomic_fetch_add(&cancels_in_flight, 1) >= MAX_CANCELS)
		goto failed;
	k = calloc(1, sizeof(*k));
	if (!k || !(k->c = PQgetCancel(conn)))
		goto failed;
	atomic_init(&k->refs, 2);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &attr, cancel_thread, k);
	pthread_attr_destroy(&attr);
	if (err == 0)
		return k;
	PQfreeCancel(k->c);
failed:
	free(k);
	atomic_fetch_sub(&cancels_in_flight, 1);
	return NULL;
}

/* Whether the cancel was delivered by the deadline (polled: a rare path). */
static bool cancel_delivered(struct cancel *k, double deadline)
{
	while (k && !atomic_load(&k->delivered) && monotonic_seconds() < deadline)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	return k && atomic_load(&k->delivered);
}

static size_t result_cap(const struct pg_target *t)
{
	return t->cfg->max_result_bytes > 0 ? (size_t)t->cfg->max_result_bytes : SIZE_MAX;
}

/*
 * Reads the reply to the command just sent into *out (a result or an
 * error result; caller PQclear()s). Past the deadline the query is
 * cancelled and its rest discarded; when that takes longer than
 * CANCEL_GRACE, or the result outgrows the cap, or the connection fails,
 * the connection is dropped (the server ends the query when it next writes).
 */
static int run_command(struct pg_target *t, double deadline, PGresult **out)
{
	struct reply rp = { .cap = result_cap(t), .keep = true };
	struct pg_guard guard;
	bool cancelled = false;

	*out = NULL;
	pg_guard_init(&guard, PQsocket(t->conn), rp.cap);
	int rc = pump(t->conn, &rp, deadline, &guard);
	if (rc == -ETIMEDOUT) {
		reply_discard(&rp);
		rp.keep = false;
		double grace = monotonic_seconds() + CANCEL_GRACE;
		/* Its first read too may fill a buffer sized for a long row. */
		pg_guard_arm(&guard);
		struct cancel *k = start_cancel(t->conn);
		cancelled = pump(t->conn, &rp, grace, &guard) == 0 && cancel_delivered(k, grace);
		cancel_unref(k);
	}
	if (pg_guard_disarm(&guard))
		rc = -EFBIG;
	if (rc == 0) {
		*out = rp.last;
		rp.last = NULL;
		if (PQstatus(t->conn) != CONNECTION_OK)
			drop_connection(t);
	} else if (rc == -EFBIG) {
		char cap[32];
		snprintf(cap, sizeof(cap), "%zu", rp.cap);
		log_warn("result larger than --postgres.max-result-bytes, dropping the connection",
			 "target", t->display, "max_result_bytes", cap);
		drop_connection(t);
	} else if (rc != -ETIMEDOUT || !cancelled) {
		if (rc == -ETIMEDOUT)
			log_warn("query not cancelled in time, dropping the connection",
				 "target", t->display);
		drop_connection(t);
	}
	reply_discard(&rp);
	return rc;
}

static int send_failed(struct pg_target *t)
{
	char msg[200];

	first_line(PQerrorMessage(t->conn), msg, sizeof(msg));
	log_warn("cannot send query", "target", t->display, "err", msg);
	if (PQstatus(t->conn) != CONNECTION_OK)
		drop_connection(t);
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
	for (size_t i = 0; i < t->nprepared; i++)
		if (!strcmp(t->prepared[i].sql, sql)) {
			*out = t->prepared[i].plain ? NULL : &t->prepared[i];
			return 0;
		}
	if (t->nprepared == PG_PREPARED_MAX)
		return 0;
	if (t->nprepared == 0)
		t->prepare_nonce = random_nonce();
	struct pg_prepared *p = &t->prepared[t->nprepared];
	snprintf(p->name, sizeof(p->name), "exporterbox_%016" PRIx64 "_%zu", t->prepare_nonce,
		 t->nprepared);
	if (!PQsendPrepare(t->conn, p->name, sql, 0, NULL))
		return send_failed(t);
	PGresult *r;
	int rc = run_command(t, deadline, &r);
	if (rc != 0)
		return rc;
	if (!t->conn) {			/* lost meanwhile: the table is forgotten */
		PQclear(r);
		return -EIO;
	}
	p->sql = strdup(sql);
	if (!p->sql)
		abort();
	/* A statement that cannot be prepared (say, a missing relation) runs as it is. */
	p->plain = PQresultStatus(r) != PGRES_COMMAND_OK;
	t->nprepared++;
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
	PQsetSingleRowMode(t->conn);
	return run_command(t, deadline, out);
}

/*
 * Runs sql prepared when it can; a prepared statement that fails for being
 * one runs again as a simple query.
 */
static int run_query(struct pg_target *t, const char *sql, double deadline, PGresult **out)
{
	struct pg_prepared *p;

	*out = NULL;
	if (!t->conn)			/* lost by an earlier query of this session */
		return -EIO;
	int rc = prepared_for(t, sql, deadline, &p);
	if (rc != 0)
		return rc;
	rc = execute(t, p, sql, deadline, out);
	if (rc != 0 || !p || !t->conn)
		return rc;
	if (has_sqlstate(*out, "26000"))	/* invalid_sql_statement_name: a pooler */
		stop_preparing(t, *out);
	else if (has_sqlstate(*out, "0A000"))	/* cached plan must not change result type */
		p->plain = true;
	else
		return 0;
	PQclear(*out);
	return execute(t, NULL, sql, deadline, out);
}

int pg_session_query(struct pg_session *s, const char *sql, PGresult **res)
{
	char msg[200];
	PGresult *r;

	*res = NULL;
	int rc = run_query(s->t, sql, s->deadline, &r);
	if (rc == 0 && PQresultStatus(r) == PGRES_TUPLES_OK) {
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
		drop_connection(t);
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
		pthread_mutex_unlock(&t->lock);
	} else {
		up = atomic_load(&t->last_up);
		scrapes = atomic_load(&t->scrapes_reported);
		version[0] = '\0';
	}
	expo_family(w, &duration_desc);
	expo_value(w, duration);
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
