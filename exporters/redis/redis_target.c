/*
 * redis_target: one Redis server, one persistent hiredis connection, and
 * the collector that scrapes it.
 *
 * The connection is made on the first scrape and kept; a scrape that finds
 * it broken (server restarted, idle timeout) reconnects once and retries,
 * so a server that comes back is scraped again at once. The commands of a
 * scrape are pipelined: one round trip for CONFIG, INFO, LATENCY, SLOWLOG.
 * A target that cannot be reached yields <ns>_up 0 with the reason in
 * exporter_last_scrape_error{err}; the reason names the address without
 * user info and never holds a password.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "redis.h"
#include "redis_keys.h"

void redis_target_init(struct redis_target *t, const struct redis_options *opt,
		       struct redis_addr *addr)
{
	memset(t, 0, sizeof(*t));
	t->opt = opt;
	t->addr = *addr;
	memset(addr, 0, sizeof(*addr));
	pthread_mutex_init(&t->lock, NULL);
	t->config_multi_ok = true;
	t->was_up = true;

	/* The URI's own credentials win, then the password file, then flags. */
	const struct redis_credential *c = NULL;
	if (opt->passwords)
		c = redis_passwords_find(opt->passwords, redis_addr_display(&t->addr));
	t->user = t->addr.user ? t->addr.user : c && c->user ? c->user : opt->user;
	t->password = t->addr.password ? t->addr.password : c ? c->password : opt->password;
}

static void drop_connection(struct redis_target *t)
{
	if (t->conn)
		redisFree(t->conn);
	t->conn = NULL;
}

void redis_target_release(struct redis_target *t)
{
	drop_connection(t);
	redis_addr_release(&t->addr);
	pthread_mutex_destroy(&t->lock);
}

/*
 * The socket timeout for what is left of the scrape, cut down to tenths of
 * a second: scrapes with the same timeout then find it set already and
 * save two setsockopt calls each.
 */
static struct timeval timeout_until(const struct redis_target *t, double deadline)
{
	double left = deadline - monotonic_seconds();

	if (t->opt->connection_timeout > 0 && t->opt->connection_timeout < left)
		left = t->opt->connection_timeout;
	if (left > 0.2)
		left = floor(left * 10) / 10;
	if (left < 0.001)
		left = 0.001;
	return (struct timeval){ (time_t)left,
				 (suseconds_t)((left - floor(left)) * 1e6) };
}

/*
 * Limits hiredis 0.14 lacks, for the replies of one scrape (set by fetch()
 * on the worker thread that reads them): its reader takes any bulk length
 * or element count a server announces (no maxelements before 1.0), and its
 * timeout is per read, so a server dribbling bytes would hold the worker
 * for ever. Here a reply may cost at most max_bytes (bytes read plus the
 * objects built from them) and must be in by the deadline; either ends it
 * with an error, and the connection is dropped.
 */
struct reply_limits {
	bool active;
	size_t max_bytes;
	size_t used;		/* bytes read and allocated for the reply so far */
	bool exceeded;
	double deadline;
};

static _Thread_local struct reply_limits limits;
static redisReplyObjectFunctions *hiredis_functions;	/* the reader's defaults */

/* Charges n bytes to the reply; false once over the limit. */
static bool charge(size_t n)
{
	if (!limits.active || !limits.max_bytes)
		return true;
	limits.used += n;
	if (limits.used > limits.max_bytes)
		limits.exceeded = true;
	return !limits.exceeded;
}

/* Each object costs its struct and malloc's overhead, plus what it holds. */
#define OBJECT_COST (sizeof(redisReply) + 16)

static void *capped_string(const redisReadTask *task, char *str, size_t len)
{
	return charge(OBJECT_COST + len) ? hiredis_functions->createString(task, str, len) : NULL;
}

static void *capped_array(const redisReadTask *task, int elements)
{
	size_t n = elements > 0 ? (size_t)elements : 0;
	return charge(OBJECT_COST + n * sizeof(redisReply *)) ?
	       hiredis_functions->createArray(task, elements) : NULL;
}

static void *capped_integer(const redisReadTask *task, long long value)
{
	return charge(OBJECT_COST) ? hiredis_functions->createInteger(task, value) : NULL;
}

static void *capped_nil(const redisReadTask *task)
{
	return charge(OBJECT_COST) ? hiredis_functions->createNil(task) : NULL;
}

static void capped_free(void *obj)
{
	hiredis_functions->freeObject(obj);
}

static redisReplyObjectFunctions capped_functions = {
	capped_string, capped_array, capped_integer, capped_nil, capped_free,
};

static pthread_once_t hiredis_functions_once = PTHREAD_ONCE_INIT;

/* hiredis's own table, the same static one for every reader it makes. */
static void load_hiredis_functions(void)
{
	redisReader *r = redisReaderCreate();

	if (!r)
		abort();
	hiredis_functions = r->fn;
	redisReaderFree(r);
}

/* Makes c's reader build replies through the capped functions. */
static void cap_reader(redisContext *c)
{
	/* once, not on first use: connections are made on several threads */
	pthread_once(&hiredis_functions_once, load_hiredis_functions);
	c->reader->fn = &capped_functions;
}

static int reply_error(redisContext *c, const char *msg)
{
	c->err = REDIS_ERR_OTHER;
	snprintf(c->errstr, sizeof(c->errstr), "%s", msg);
	return REDIS_ERR;
}

/*
 * Waits until c's socket is ready for events, no later than the scrape's
 * deadline: the socket timeout is per read and was set for the time left
 * when the scrape began, so a read started just before the deadline could
 * otherwise wait that long again. REDIS_OK when ready (or no limits).
 */
static int wait_ready(redisContext *c, short events)
{
	if (!limits.active)
		return REDIS_OK;
	for (;;) {
		double left = limits.deadline - monotonic_seconds();
		if (left <= 0)
			return reply_error(c, "reply not complete by the scrape deadline");
		struct pollfd p = { .fd = c->fd, .events = events };
		int n = poll(&p, 1, (int)ceil(left * 1000));
		if (n > 0)
			return REDIS_OK; /* ready, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return reply_error(c, strerror(errno));
	}
}

/* redisGetReply (blocking) under the limits. */
static int get_reply(redisContext *c, void **reply)
{
	int done = 0;

	*reply = NULL;
	limits.used = 0;
	limits.exceeded = false;
	if (redisGetReplyFromReader(c, reply) != REDIS_OK)
		goto failed;
	while (!*reply && !done)
		if (wait_ready(c, POLLOUT) != REDIS_OK || redisBufferWrite(c, &done) != REDIS_OK)
			return REDIS_ERR;
	while (!*reply) {
		if (wait_ready(c, POLLIN) != REDIS_OK)
			return REDIS_ERR;
		size_t before = c->reader->len;
		if (redisBufferRead(c) != REDIS_OK)
			return REDIS_ERR;
		if (!charge(c->reader->len - before) ||
		    redisGetReplyFromReader(c, reply) != REDIS_OK)
			goto failed;
	}
	return REDIS_OK;
failed:
	if (limits.exceeded) {
		char msg[96];
		snprintf(msg, sizeof(msg), "reply larger than --redis.max-reply-bytes (%zu)",
			 limits.max_bytes);
		return reply_error(c, msg);
	}
	return REDIS_ERR;
}

void *redis_command(void *conn, int argc, const char **argv)
{
	redisContext *c = conn;
	void *reply = NULL;

	if (c->err)
		return NULL;
	if (redisAppendCommandArgv(c, argc, argv, NULL) == REDIS_OK)
		get_reply(c, &reply);
	return reply;
}

/* redis_command, with err saying why it failed. */
static redisReply *command(redisContext *c, int argc, const char **argv, struct buf *err)
{
	redisReply *r = redis_command(c, argc, argv);

	if (!r)
		buf_addf(err, "%s: %s", argv[0], c->errstr[0] ? c->errstr : "connection lost");
	return r;
}

/* AUTH, SELECT and CLIENT SETNAME on a new connection. */
static int handshake(struct redis_target *t, redisContext *c, struct buf *err)
{
	const char *argv[3];
	redisReply *r;

	if (t->password && *t->password) {
		int argc = 0;
		argv[argc++] = "AUTH";
		if (t->user && *t->user)
			argv[argc++] = t->user;
		argv[argc++] = t->password;
		if (!(r = command(c, argc, argv, err)))
			return -1;
		bool failed = r->type == REDIS_REPLY_ERROR;
		if (failed)
			buf_addf(err, "authenticate to %s: %s", redis_addr_display(&t->addr),
				 r->str);
		freeReplyObject(r);
		if (failed)
			return -1;
	}
	if (t->addr.db) {
		char db[24];
		snprintf(db, sizeof(db), "%ld", t->addr.db);
		argv[0] = "SELECT";
		argv[1] = db;
		if (!(r = command(c, 2, argv, err)))
			return -1;
		bool failed = r->type == REDIS_REPLY_ERROR;
		if (failed)
			buf_addf(err, "select db %s on %s: %s", db, redis_addr_display(&t->addr),
				 r->str);
		freeReplyObject(r);
		if (failed)
			return -1;
	}
	if (t->opt->set_client_name) {
		argv[0] = "CLIENT";
		argv[1] = "SETNAME";
		argv[2] = "redis_exporter";
		if (!(r = command(c, 3, argv, err)))
			return -1;
		freeReplyObject(r); /* an old server without it is no reason to fail */
	}
	return 0;
}

static void set_timeout(struct redis_target *t, struct timeval tv)
{
	if (tv.tv_sec == t->timeout.tv_sec && tv.tv_usec == t->timeout.tv_usec)
		return;
	redisSetTimeout(t->conn, tv);
	t->timeout = tv;
}

static int connect_target(struct redis_target *t, double deadline, struct buf *err)
{
	struct timeval tv = timeout_until(t, deadline);
	redisContext *c = t->addr.unix_socket
		? redisConnectUnixWithTimeout(t->addr.host, tv)
		: redisConnectWithTimeout(t->addr.host, t->addr.port, tv);

	if (!c || c->err) {
		buf_addf(err, "connect %s: %s", redis_addr_display(&t->addr),
			 c ? c->errstr : "out of memory");
		if (c)
			redisFree(c);
		return -1;
	}
	redisSetTimeout(c, tv);
	t->timeout = tv;
	cap_reader(c);
	if (handshake(t, c, err) != 0) {
		redisFree(c);
		return -1;
	}
	t->conn = c;
	return 0;
}

enum { R_CONFIG, R_INFO, R_LATENCY, R_SLOWLOG_LEN, R_SLOWLOG_GET, R_COUNT };

struct replies {
	redisReply *r[R_COUNT];
};

static void replies_release(struct replies *rs)
{
	for (int i = 0; i < R_COUNT; i++)
		if (rs->r[i])
			freeReplyObject(rs->r[i]);
	memset(rs, 0, sizeof(*rs));
}

/* Sends the scrape's commands in one write and reads the replies. */
static int pipeline(struct redis_target *t, struct replies *rs, struct buf *err)
{
	static const char *config_multi[] = {
		"CONFIG", "GET", "maxmemory", "maxclients", "io-threads", "databases",
	};
	static const char *config_all[] = { "CONFIG", "GET", "*" };
	static const char *info[] = { "INFO", "ALL" };
	static const char *latency[] = { "LATENCY", "LATEST" };
	static const char *slowlog_len[] = { "SLOWLOG", "LEN" };
	static const char *slowlog_get[] = { "SLOWLOG", "GET", "1" };
	redisContext *c = t->conn;
	bool multi = t->config_multi_ok && !t->opt->config_metrics;

	if (multi)
		redisAppendCommandArgv(c, 6, config_multi, NULL);
	else
		redisAppendCommandArgv(c, 3, config_all, NULL);
	redisAppendCommandArgv(c, 2, info, NULL);
	redisAppendCommandArgv(c, 2, latency, NULL);
	redisAppendCommandArgv(c, 2, slowlog_len, NULL);
	redisAppendCommandArgv(c, 3, slowlog_get, NULL);
	for (int i = 0; i < R_COUNT; i++) {
		void *reply = NULL;
		if (get_reply(c, &reply) != REDIS_OK) {
			buf_addf(err, "read from %s: %s", redis_addr_display(&t->addr),
				 c->errstr[0] ? c->errstr : "connection lost");
			replies_release(rs);
			return -1;
		}
		rs->r[i] = reply;
	}
	/* Before 7.0 CONFIG GET takes one pattern: fall back to "*" for good. */
	if (multi && rs->r[R_CONFIG]->type == REDIS_REPLY_ERROR &&
	    strstr(rs->r[R_CONFIG]->str, "wrong number of arguments")) {
		t->config_multi_ok = false;
		freeReplyObject(rs->r[R_CONFIG]);
		if (!(rs->r[R_CONFIG] = command(c, 3, config_all, err))) {
			replies_release(rs);
			return -1;
		}
	}
	return 0;
}

/*
 * Connects when needed and runs the pipeline; a reused connection that
 * fails is replaced once, so a restarted server is scraped at once.
 */
static int fetch(struct redis_target *t, double deadline, struct replies *rs,
		 double *connect_seconds, struct buf *err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = t->conn != NULL;
		if (!reused) {
			double start = monotonic_seconds();
			int rc = connect_target(t, deadline, err);
			*connect_seconds = monotonic_seconds() - start;
			if (rc != 0)
				return -1;
		} else {
			set_timeout(t, timeout_until(t, deadline));
		}
		if (pipeline(t, rs, err) == 0)
			return 0;
		drop_connection(t);
		if (!reused)
			return -1;
		buf_truncate(err, 0);
	}
	return -1;
}

static bool is_array(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_ARRAY;
}

static const char *reply_str(const redisReply *r)
{
	return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? r->str
										   : NULL;
}

/* ---- CONFIG ---- */

static bool redacted(const char *key)
{
	static const char *const secret[] = {
		"masterauth", "requirepass", "tls-key-file-pass", "tls-client-key-file-pass",
		"masteruser",
	};
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (!strcmp(key, secret[i]))
			return true;
	return false;
}

/* config_maxmemory, config_maxclients, config_io_threads: upstream's three. */
static bool config_exported(const char *key)
{
	return !strcmp(key, "maxmemory") || !strcmp(key, "maxclients") ||
	       !strcmp(key, "io-threads");
}

static void write_config(struct redis_writer *rw, const struct redis_target *t,
			 const redisReply *r, long *databases)
{
	struct buf name = BUF_INIT;

	if (!is_array(r) || r->elements % 2)
		return;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const char *key = reply_str(r->element[i]), *val = reply_str(r->element[i + 1]);
		double v;
		char *end;
		if (!key || !val)
			continue;
		if (!strcmp(key, "databases")) {
			long n = strtol(val, &end, 10);
			if (*val && !*end && n > 0)
				*databases = n < 65536 ? n : 65536;
		}
		if (!config_exported(key) || !redis_info_value(val, &v))
			continue;
		buf_truncate(&name, 0);
		buf_adds(&name, "config_");
		for (const char *p = key; *p; p++)
			buf_addc(&name, *p == '-' ? '_' : *p);
		rw_value(rw, buf_cstr(&name), NULL, METRIC_GAUGE, v);
	}
	buf_release(&name);
	if (!t->opt->config_metrics)
		return;
	if (rw_family(rw, "config_key_value", "Config key and value", METRIC_GAUGE,
		      LABELS("key", "value")))
		for (size_t i = 0; i + 1 < r->elements; i += 2) {
			const char *key = reply_str(r->element[i]);
			const char *val = reply_str(r->element[i + 1]);
			if (key && val && !(t->opt->redact_config && redacted(key)))
				expo_sample(rw->w, 1, key, val);
		}
	if (rw_family(rw, "config_value", "Config key and value as metric", METRIC_GAUGE,
		      LABELS("key")))
		for (size_t i = 0; i + 1 < r->elements; i += 2) {
			const char *key = reply_str(r->element[i]);
			const char *val = reply_str(r->element[i + 1]);
			double v;
			char *end;
			if (!key || !val || (t->opt->redact_config && redacted(key)) || !*val)
				continue;
			v = strtod(val, &end);
			if (!*end)
				expo_sample(rw->w, v, key);
		}
}

/* ---- LATENCY LATEST, SLOWLOG ---- */

/* Each event: [name, unix time of the latest spike, latest ms, max ms]. */
static void write_latency_latest(struct redis_writer *rw, const redisReply *r)
{
	static const char *const names[] = { "latency_spike_last", "latency_spike_duration_seconds" };
	static const char *const helps[] = {
		"When the latency spike last occurred",
		"Length of the last latency spike in seconds",
	};

	if (!is_array(r) || !r->elements)
		return;
	for (int f = 0; f < 2; f++) {
		if (!rw_family(rw, names[f], helps[f], METRIC_GAUGE, LABELS("event_name")))
			continue;
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *e = r->element[i];
			if (!is_array(e) || e->elements < 3 || !reply_str(e->element[0]) ||
			    e->element[1]->type != REDIS_REPLY_INTEGER ||
			    e->element[2]->type != REDIS_REPLY_INTEGER)
				continue;
			double v = f == 0 ? (double)e->element[1]->integer
					  : (double)e->element[2]->integer / 1000;
			expo_sample(rw->w, v, e->element[0]->str);
		}
	}
}

static void write_slowlog(struct redis_writer *rw, const redisReply *len, const redisReply *get)
{
	double last_id = 0, last_duration = 0;

	if (len && len->type == REDIS_REPLY_INTEGER)
		rw_value(rw, "slowlog_length", "Total slowlog", METRIC_GAUGE,
			 (double)len->integer);
	if (is_array(get) && get->elements && is_array(get->element[0]) &&
	    get->element[0]->elements >= 3 &&
	    get->element[0]->element[0]->type == REDIS_REPLY_INTEGER &&
	    get->element[0]->element[2]->type == REDIS_REPLY_INTEGER) {
		last_id = (double)get->element[0]->element[0]->integer;
		last_duration = (double)get->element[0]->element[2]->integer / 1e6;
	}
	rw_value(rw, "slowlog_last_id", "Last id of slowlog", METRIC_GAUGE, last_id);
	rw_value(rw, "last_slow_execution_duration_seconds",
		 "The amount of time needed for last slow execution, in seconds",
		 METRIC_GAUGE, last_duration);
}

/* ---- CLUSTER INFO (cluster mode only: one more round trip) ---- */

static void write_cluster_info(struct redis_writer *rw, struct redis_target *t,
			       const struct info_options *o)
{
	static const char *argv[] = { "CLUSTER", "INFO" };
	struct buf err = BUF_INIT;
	redisReply *r = command(t->conn, 2, argv, &err);

	if (r && r->type == REDIS_REPLY_STRING) {
		struct redis_info parsed;
		redis_info_parse(r->str, r->len, &parsed);
		redis_info_write_scalars(rw, &parsed, o);
		redis_info_release(&parsed);
	} else {
		log_debug("CLUSTER INFO failed", "target", redis_addr_display(&t->addr), "err",
			  r && r->type == REDIS_REPLY_ERROR ? r->str : buf_cstr(&err));
	}
	if (r)
		freeReplyObject(r);
	buf_release(&err);
}

/* ---- one scrape ---- */

static double unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything but the meta families; returns 0, or -1 with err set. */
static int scrape_target(struct redis_target *t, struct redis_writer *rw, double deadline,
			 double *connect_seconds, struct buf *err)
{
	struct replies rs = { 0 };
	long databases = 0;

	if (fetch(t, deadline, &rs, connect_seconds, err) != 0)
		return -1;
	const redisReply *info = rs.r[R_INFO];
	if (info->type == REDIS_REPLY_ERROR || !reply_str(info)) {
		buf_addf(err, "INFO on %s: %s", redis_addr_display(&t->addr),
			 info->type == REDIS_REPLY_ERROR ? info->str : "unexpected reply type");
		replies_release(&rs);
		return -1;
	}
	write_config(rw, t, rs.r[R_CONFIG], &databases);

	struct redis_info parsed;
	redis_info_parse(info->str, info->len, &parsed);
	const char *cluster = redis_info_get(&parsed, "cluster_enabled");
	struct info_options o = {
		.db_count = cluster && !strcmp(cluster, "1") ? 1 : databases ? databases : 16,
		.empty_databases = t->opt->empty_databases,
		.system_metrics = t->opt->system_metrics,
		.now = unix_now(),
	};
	if (cluster && !strcmp(cluster, "1"))
		write_cluster_info(rw, t, &o);
	redis_info_write(rw, &parsed, &o);
	redis_info_release(&parsed);

	write_latency_latest(rw, rs.r[R_LATENCY]);
	write_slowlog(rw, rs.r[R_SLOWLOG_LEN], rs.r[R_SLOWLOG_GET]);
	replies_release(&rs);
	/* Leave a tenth of the time left for the rest of the body. */
	double now = monotonic_seconds();
	redis_keys_write(rw, t->conn, t->opt, t->addr.db, deadline - (deadline - now) / 10);
	rw_value(rw, "last_key_groups_scrape_duration_milliseconds",
		 "Duration of the last key group metrics scrape in milliseconds",
		 METRIC_GAUGE, 0);
	if (t->conn && ((redisContext *)t->conn)->err) {
		/* CLUSTER INFO or a key check lost it (or hit a limit): reconnect next time */
		log_warn("scrape cut short, reconnecting on the next one", "target",
			 redis_addr_display(&t->addr), "err", ((redisContext *)t->conn)->errstr);
		drop_connection(t);
	}
	return 0;
}

static void write_meta(struct redis_writer *rw, struct redis_target *t, bool up,
		       const char *err, double seconds, double connect_seconds)
{
	const char *names[] = { "" };

	if (rw_family(rw, "exporter_last_scrape_error", "The last scrape error status.",
		      METRIC_GAUGE, LABELS("err")))
		expo_sample(rw->w, up ? 0 : 1, err);
	rw_value(rw, "up", "Information about the Redis instance", METRIC_GAUGE, up);
	rw_value(rw, "exporter_last_scrape_duration_seconds", NULL, METRIC_GAUGE,
		 duration_seconds(seconds));
	rw_value(rw, "exporter_last_scrape_connect_time_seconds", NULL, METRIC_GAUGE,
		 duration_seconds(connect_seconds));
	rw_value(rw, "exporter_scrapes_total", "Current total redis scrapes.", METRIC_COUNTER,
		 (double)t->scrapes);
	if (rw_family(rw, "exporter_scrape_duration_seconds",
		      "Durations of scrapes by the exporter", METRIC_SUMMARY, NULL)) {
		expo_sample_raw(rw->w, "_sum", names, names, 0, t->scrape_sum);
		expo_sample_raw(rw->w, "_count", names, names, 0, (double)t->scrape_count);
	}
	if (rw_family(rw, "exporter_build_info", "redis exporter build_info", METRIC_GAUGE,
		      LABELS("version", "commit_sha", "build_date", "golang_version")))
		expo_sample(rw->w, 1, EXPORTERBOX_VERSION, "", "", "");
	rw_value(rw, "target_scrape_request_errors_total", "Errors in requests to the exporter",
		 METRIC_COUNTER,
		 t->opt->request_errors ? (double)atomic_load(t->opt->request_errors) : 0);
}

/* Logs a change of state at warn/info; a target that stays down at debug. */
static void log_outcome(struct redis_target *t, bool up, const char *err)
{
	const char *target = redis_addr_display(&t->addr);

	if (!up)
		log_kv(t->was_up ? LOG_WARN : LOG_DEBUG, "scrape failed: target down", "target",
		       target, "err", err, (const char *)0);
	else if (!t->was_up)
		log_info("target is up again", "target", target);
	t->was_up = up;
}

static int redis_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct redis_target *t = (struct redis_target *)ctx->config;
	struct redis_writer rw;
	struct buf err = BUF_INIT;
	double start = monotonic_seconds(), connect_seconds = 0;

	pthread_mutex_lock(&t->lock);
	t->scrapes++;
	rw_init(&rw, w, t->opt->ns);
	/*
	 * Every reply of the scrape (pipeline, CLUSTER INFO, key checks) under
	 * the limits, a little before the deadline so redis_up 0 is still written.
	 */
	limits = (struct reply_limits){ .active = true, .deadline = ctx->deadline - 0.25,
					.max_bytes = (size_t)t->opt->max_reply_bytes };
	bool up = scrape_target(t, &rw, ctx->deadline, &connect_seconds, &err) == 0;
	limits.active = false;
	double seconds = monotonic_seconds() - start;
	t->scrape_sum += seconds;
	t->scrape_count++;
	log_outcome(t, up, buf_cstr(&err));
	write_meta(&rw, t, up, buf_cstr(&err), seconds, connect_seconds);
	rw_release(&rw);
	pthread_mutex_unlock(&t->lock);
	buf_release(&err);
	return 0;
}

/*
 * Every socket wait of a scrape is bounded by its deadline (the connect by
 * its timeout, each read and write by wait_ready); a name lookup
 * (getaddrinfo, on each connect) is not. A socket path or an IP literal
 * needs none, so the scrape may run on the requesting thread. Not even
 * "localhost": without an IPv4 line in /etc/hosts, or with dns before
 * files in nsswitch.conf, glibc asks DNS.
 */
static bool redis_returns_in_time(const void *config, void *state)
{
	const struct redis_target *t = config;
	struct in6_addr ip;

	(void)state;
	if (!t->addr.host)
		return false;
	return t->addr.unix_socket || inet_pton(AF_INET, t->addr.host, &ip) == 1 ||
	       inet_pton(AF_INET6, t->addr.host, &ip) == 1;
}

const struct collector redis_collector = {
	.name = "redis",
	.enabled_by_default = true,
	.collect = redis_collect,
	.returns_in_time = redis_returns_in_time,
};
