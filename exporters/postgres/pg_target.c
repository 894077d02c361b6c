/*
 * pg_target: the one persistent connection per monitored server, shared by
 * the collectors of its scraper under a mutex, reconnected when lost, with
 * statement_timeout and lock_timeout set so a locked catalog cannot pile up
 * exporter sessions, and every query bounded by the scrape deadline.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pg.h"

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

void pg_target_free(struct pg_target *t)
{
	if (!t)
		return;
	if (t->conn)
		PQfinish(t->conn);
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

static void drop_connection(struct pg_target *t)
{
	if (t->conn)
		PQfinish(t->conn);
	t->conn = NULL;
}

/*
 * After connecting, in one round trip: the session timeouts (0 keeps the
 * server's or the role's setting) and the version string for pg_static.
 * A failing SET fails the whole string, and the connection with it.
 */
static int configure_session(struct pg_target *t)
{
	struct buf sql = BUF_INIT;

	if (t->cfg->statement_timeout > 0)
		buf_addf(&sql, "SET statement_timeout = %ld; ",
			 (long)llround(t->cfg->statement_timeout * 1000));
	if (t->cfg->lock_timeout > 0)
		buf_addf(&sql, "SET lock_timeout = %ld; ", (long)llround(t->cfg->lock_timeout * 1000));
	buf_adds(&sql, "SELECT version()");
	PGresult *res = PQexec(t->conn, buf_cstr(&sql));
	buf_release(&sql);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
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

/* Waits for the reply until the deadline; cancels the query past it. */
static int wait_reply(PGconn *conn, double deadline)
{
	while (PQisBusy(conn)) {
		double left = deadline - monotonic_seconds();
		if (left <= 0) {
			char err[64];
			PGcancel *c = PQgetCancel(conn);
			if (c) {
				PQcancel(c, err, sizeof(err));
				PQfreeCancel(c);
			}
			return -ETIMEDOUT;
		}
		struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
		int ms = left > 1 ? 1000 : (int)(left * 1000) + 1;
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -EIO;
		if (!PQconsumeInput(conn))
			return -EIO;
	}
	return 0;
}

/* Takes the last result, discarding the rest (after a cancel, too). */
static PGresult *drain(PGconn *conn)
{
	PGresult *last = NULL, *r;

	while ((r = PQgetResult(conn)) != NULL) {
		PQclear(last);
		last = r;
	}
	return last;
}

int pg_session_query(struct pg_session *s, const char *sql, PGresult **res)
{
	PGconn *conn = s->t->conn;
	char msg[200];

	*res = NULL;
	if (!PQsendQuery(conn, sql)) {
		first_line(PQerrorMessage(conn), msg, sizeof(msg));
		log_warn("cannot send query", "target", s->t->display, "err", msg);
		if (PQstatus(conn) != CONNECTION_OK)
			drop_connection(s->t);
		return -EIO;
	}
	int rc = wait_reply(conn, s->deadline);
	if (rc == -ETIMEDOUT && wait_reply(conn, monotonic_seconds() + CANCEL_GRACE) != 0) {
		/* Not even the cancel was answered: give the connection up. */
		log_warn("query not cancelled in time, dropping the connection",
			 "target", s->t->display);
		drop_connection(s->t);
		return -ETIMEDOUT;
	}
	PGresult *r = drain(conn);
	if (rc == 0 && PQresultStatus(r) == PGRES_TUPLES_OK) {
		*res = r;
		return 0;
	}
	first_line(rc ? "canceled at the scrape deadline" : PQresultErrorMessage(r), msg,
		   sizeof(msg));
	log_debug("query failed", "target", s->t->display, "err", msg);
	PQclear(r);
	if (PQstatus(conn) != CONNECTION_OK)
		drop_connection(s->t);
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
