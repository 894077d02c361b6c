#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "webstate.h"

#define MAX_LISTENERS 16
#define MAX_FILTER_VALUES 64
#define GZIP_MIN_BYTES 256

/*
 * A connection watched by the header guard. MHD's connection timeout is an
 * idle timeout, so a client dribbling a byte a second keeps its thread for
 * ever (slowloris); the guard shuts down a connection whose request line and
 * headers are not in by their deadline, as Go's ReadHeaderTimeout does.
 */
struct conn_watch {
	struct conn_watch *prev, *next;
	int fd;
	double deadline;		/* monotonic seconds; 0: none (in a handler) */
};

struct header_guard {
	pthread_mutex_t lock;		/* guards the list and stop */
	pthread_cond_t wake;
	struct conn_watch *head;
	pthread_t thread;
	bool running, stop;
	double timeout;			/* --web.read-header-timeout */
	double idle;			/* --web.connection-timeout; 0: none */
};

struct http_server {
	const struct http_server_options *opt;
	struct MHD_Daemon *daemons[MAX_LISTENERS];
	size_t ndaemons;
	atomic_long in_flight;		/* scrapes being served */
	struct web_state *web;		/* TLS, basic auth, headers; NULL: none */
	struct header_guard guard;
};

struct http_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	double deadline;
	const struct web_config *web;	/* in force for this request, or NULL */
};

static const char *const log_levels[] = { "debug", "info", "warn", "error", NULL };
static const char *const log_formats[] = { "logfmt", "json", NULL };

void http_add_flags(struct flagset *fs, struct http_config *cfg,
		    const char *default_listen, const char *listen_env)
{
	const struct flag flags[] = {
		{ "web.listen-address", FLAG_LIST, &cfg->listen, default_listen, listen_env,
		  "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses." },
		{ "web.telemetry-path", FLAG_STRING, &cfg->telemetry_path, "/metrics", NULL,
		  "Path under which to expose metrics." },
		{ "web.max-requests", FLAG_INT, &cfg->max_requests, "40", NULL,
		  "Maximum number of parallel scrape requests. Use 0 to disable." },
		{ "web.disable-exporter-metrics", FLAG_BOOL, &cfg->disable_exporter_metrics, "false", NULL,
		  "Exclude metrics about the exporter itself (process_*, build info)." },
		{ "web.config.file", FLAG_STRING, &cfg->config_file, "", NULL,
		  "Path to configuration file that can enable TLS or authentication. See: https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md" },
		{ "web.scrape-timeout", FLAG_DURATION, &cfg->scrape_timeout, "10s", NULL,
		  "Scrape deadline when the client sends no X-Prometheus-Scrape-Timeout-Seconds header." },
		{ "web.timeout-offset", FLAG_DURATION, &cfg->timeout_offset, "0.5s", NULL,
		  "Subtracted from X-Prometheus-Scrape-Timeout-Seconds, to leave time to answer." },
		{ "web.connection-timeout", FLAG_INT, &cfg->connection_timeout, "30", NULL,
		  "Seconds an idle or slow connection is kept before it is closed." },
		{ "web.max-connections", FLAG_INT, &cfg->max_connections, "64", NULL,
		  "Maximum number of open HTTP connections (each holds a thread)." },
		{ "web.read-header-timeout", FLAG_INT, &cfg->read_header_timeout, "10", NULL,
		  "Seconds a client may take to send a request line and headers (TLS handshake included); 0: no limit." },
		{ "log.level", FLAG_STRING, &cfg->log_level, "info", NULL,
		  "Only log messages with the given severity or above. One of: [debug, info, warn, error]",
		  log_levels },
		{ "log.format", FLAG_STRING, &cfg->log_format, "logfmt", NULL,
		  "Output format of log messages. One of: [logfmt, json]", log_formats },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
}

const char *http_query(const struct http_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct query_values {
	const char *key;
	const char **out;
	size_t n, max;
};

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct query_values *q = cls;

	(void)kind;
	if (strcmp(key, q->key) == 0 && value && q->n < q->max)
		q->out[q->n++] = value;
	return MHD_YES;
}

size_t http_query_all(const struct http_request *req, const char *key,
		      const char **out, size_t max)
{
	struct query_values q = { key, out, 0, max };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_value, &q);
	return q.n;
}

const char *http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

double http_deadline(const struct http_request *req)
{
	return req->deadline;
}

/* Whether a comma-separated header admits token with q > 0. */
static bool header_accepts(const char *header, const char *token)
{
	size_t tlen = strlen(token);

	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = p + strcspn(p, ",");
		size_t len = strcspn(p, ";, \t");
		if ((len == tlen && strncasecmp(p, token, tlen) == 0) ||
		    (len == 1 && *p == '*')) {
			const char *q = strstr(p, "q=");
			if (!q || q > end || strtod(q + 2, NULL) > 0)
				return true;
		}
		p = end;
	}
	return false;
}

bool http_accepts_gzip(const char *accept_encoding)
{
	return accept_encoding && header_accepts(accept_encoding, "gzip");
}

/*
 * gzip by ISA-L's igzip at level 0, in one call per body: the cheapest of
 * the deflates in Debian's archive we measured (zlib, libdeflate, igzip),
 * and its 80 KiB of state stay cheap when the caches are cold, as they are
 * between two scrapes. For an 85 KiB postgres
 * body with the caches flushed before each call: 62 us, against 230 us for
 * libdeflate's level 1 and ~450 us for zlib's; the body comes out ~15 %
 * larger than libdeflate's (17 against 15 KiB). One state per connection
 * thread, kept for its next response: Prometheus keeps its connection.
 */
static pthread_key_t gzip_state_key;
static pthread_once_t gzip_state_key_once = PTHREAD_ONCE_INIT;

static void gzip_state_key_make(void)
{
	pthread_key_create(&gzip_state_key, free);
}

static struct isal_zstream *thread_gzip_state(void)
{
	pthread_once(&gzip_state_key_once, gzip_state_key_make);
	struct isal_zstream *z = pthread_getspecific(gzip_state_key);
	if (z)
		return z;
	/* Zeroed: igzip reads fields of its state that its init leaves alone. */
	z = calloc(1, sizeof(*z));
	if (z && pthread_setspecific(gzip_state_key, z) != 0) {
		free(z);
		z = NULL;
	}
	return z;
}

/* Compresses in into out as a gzip stream; returns 0 or -1 (then send it plain). */
static int gzip_buf(const struct buf *in, struct buf *out)
{
	struct isal_zstream *z = thread_gzip_state();

	if (!z || in->len > UINT32_MAX / 2)
		return -1;
	/* Level 0 never grows a body by more than its block headers. */
	size_t room = in->len + in->len / 8 + 1024;
	buf_grow(out, room);
	isal_deflate_stateless_init(z);
	z->level = 0;
	z->gzip_flag = IGZIP_GZIP;
	z->end_of_stream = 1;
	z->flush = NO_FLUSH;
	z->next_in = (uint8_t *)in->data;
	z->avail_in = (uint32_t)in->len;
	z->next_out = (uint8_t *)out->data + out->len;
	z->avail_out = (uint32_t)room;
	if (isal_deflate_stateless(z) != COMP_OK)
		return -1;
	out->len += room - z->avail_out;
	return 0;
}

static enum MHD_Result send_response(const struct http_request *req,
				     struct http_response *resp)
{
	struct buf gz = BUF_INIT;
	struct buf *body = &resp->body;
	bool gzipped = false;

	if (resp->body.len >= GZIP_MIN_BYTES &&
	    http_accepts_gzip(http_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING)) &&
	    gzip_buf(&resp->body, &gz) == 0) {
		body = &gz;
		gzipped = true;
	}
	size_t len;
	char *data = buf_detach(body, &len);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		buf_release(&gz);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gzipped)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (resp->status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (resp->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic");
	for (size_t i = 0; req->web && i < req->web->nheaders; i++)
		MHD_add_response_header(r, req->web->headers[i].name, req->web->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	buf_release(&gz);
	buf_release(&resp->body);
	return ret;
}

/* Appends s with HTML's special characters escaped. */
static void add_html(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s);
		}
	}
}

static void landing_page(const struct http_server *srv, struct http_response *resp)
{
	const struct http_server_options *opt = srv->opt;
	struct buf *b = &resp->body;

	resp->content_type = "text/html; charset=utf-8";
	buf_adds(b, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>");
	add_html(b, opt->title);
	buf_adds(b, "</title></head>\n<body>\n<h1>");
	add_html(b, opt->title);
	buf_adds(b, "</h1>\n<p>");
	add_html(b, opt->applet);
	buf_adds(b, " (exporterbox " EXPORTERBOX_VERSION ")</p>\n<ul>\n<li><a href=\"");
	add_html(b, opt->cfg->telemetry_path);
	buf_adds(b, "\">Metrics</a></li>\n");
	for (size_t i = 0; i < srv->opt->nroutes; i++) {
		buf_adds(b, "<li><a href=\"");
		add_html(b, srv->opt->routes[i].path);
		buf_adds(b, "\">");
		add_html(b, srv->opt->routes[i].path);
		buf_adds(b, "</a></li>\n");
	}
	buf_adds(b, "<li><a href=\"/-/healthy\">Health</a></li>\n</ul>\n</body>\n</html>\n");
}

/*
 * The scrape deadline: Prometheus says how long it will wait; answer a
 * little before that so it gets a body (with success 0 for the slow
 * collectors) instead of a timeout.
 */
static double scrape_deadline(const struct http_config *cfg, const char *header)
{
	double budget = cfg->scrape_timeout;

	if (header) {
		char *end;
		double t = strtod(header, &end);
		if (end != header && t > 0 && t < 86400) {
			budget = t - cfg->timeout_offset;
			if (budget < t / 2)
				budget = t / 2;
		}
	}
	return monotonic_seconds() + budget;
}

void http_serve_scrape(struct scraper *s, const struct http_request *req,
		       struct http_response *resp)
{
	const char *include[MAX_FILTER_VALUES], *exclude[MAX_FILTER_VALUES];
	struct scrape_request sr = {
		.format = expo_negotiate(http_header(req, MHD_HTTP_HEADER_ACCEPT)),
		.deadline = req->deadline,
		.include = include,
		.ninclude = http_query_all(req, "collect[]", include, MAX_FILTER_VALUES),
		.exclude = exclude,
		.nexclude = http_query_all(req, "exclude[]", exclude, MAX_FILTER_VALUES),
	};

	if (scraper_check_filter(s, &sr, &resp->body)) {
		resp->status = MHD_HTTP_BAD_REQUEST;
		buf_addc(&resp->body, '\n');
		return;
	}
	resp->content_type = expo_content_type(sr.format);
	scraper_scrape(s, &sr, &resp->body);
}

static void serve_metrics(struct http_server *srv, const struct http_request *req,
			  struct http_response *resp)
{
	if (srv->opt->metrics_handler)
		srv->opt->metrics_handler(srv->opt->metrics_cls, req, resp);
	else
		http_serve_scrape(srv->opt->scraper, req, resp);
	if (resp->status == MHD_HTTP_OK && srv->opt->scrape_status) {
		int status = srv->opt->scrape_status(srv->opt->scrape_status_cls);
		if (status)
			resp->status = status;
	}
}

/* Serves the telemetry path within --web.max-requests. */
static void serve_limited(struct http_server *srv, const struct http_request *req,
			  struct http_response *resp)
{
	long limit = srv->opt->cfg->max_requests;
	long now = atomic_fetch_add(&srv->in_flight, 1) + 1;

	if (limit > 0 && now > limit) {
		resp->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		buf_addf(&resp->body,
			 "Limit of concurrent requests reached (%ld), try again later.\n", limit);
	} else {
		serve_metrics(srv, req, resp);
	}
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void route(struct http_server *srv, const struct http_request *req,
		  struct http_response *resp)
{
	const char *path = req->path;

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		resp->status = MHD_HTTP_METHOD_NOT_ALLOWED;
		buf_adds(&resp->body, "Method Not Allowed\n");
		return;
	}
	if (strcmp(path, srv->opt->cfg->telemetry_path) == 0) {
		serve_limited(srv, req, resp);
		return;
	}
	for (size_t i = 0; i < srv->opt->nroutes; i++)
		if (strcmp(path, srv->opt->routes[i].path) == 0) {
			srv->opt->routes[i].fn(srv->opt->routes[i].cls, req, resp);
			return;
		}
	if (strcmp(path, "/") == 0) {
		landing_page(srv, resp);
	} else if (strcmp(path, "/-/healthy") == 0 || strcmp(path, "/-/ready") == 0) {
		buf_adds(&resp->body, "OK\n");
	} else {
		resp->status = MHD_HTTP_NOT_FOUND;
		buf_adds(&resp->body, "404 page not found\n");
	}
}

/* sa as "host:port" or "[v6]:port" in addr; returns the port. */
static unsigned peer_address(const struct sockaddr *sa, char *addr, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "";
	unsigned port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
		snprintf(addr, size, "[%s]:%u", host, port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
		snprintf(addr, size, "%s:%u", host, port);
	}
	return port;
}

/*
 * Basic auth when the web config has users. The password is wiped after the
 * check and never logged; neither is the Authorization header.
 */
static bool authorized(struct http_server *srv, const struct http_request *req)
{
	char *password = NULL;

	if (!req->web || req->web->nusers == 0)
		return true;
	char *user = MHD_basic_auth_get_username_password(req->conn, &password);
	bool ok = user && password &&
		  web_auth_check(web_state_auth_cache(srv->web), req->web, user, password);
	if (!ok) {
		char remote[INET6_ADDRSTRLEN + 16] = "unknown";
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr)
			peer_address(ci->client_addr, remote, sizeof(remote));
		log_warn("basic auth failed", "user", user ? user : "(none)", "remote", remote);
	}
	if (password) {
		explicit_bzero(password, strlen(password));
		MHD_free(password);
	}
	if (user)
		MHD_free(user);
	return ok;
}

/* ---- header guard (see struct conn_watch) ---- */

static struct conn_watch *watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Sets w's deadline under the lock; earlier_only keeps an earlier one. */
static void watch_set(struct header_guard *g, struct conn_watch *w, double deadline,
		      bool earlier_only)
{
	if (!w)
		return;
	pthread_mutex_lock(&g->lock);
	if (!earlier_only || w->deadline == 0 || deadline < w->deadline)
		w->deadline = deadline;
	pthread_mutex_unlock(&g->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	struct header_guard *g = &srv->guard;
	struct conn_watch *w = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED && srv->web && web_state_tls(srv->web)) {
		/* The web config version its TLS handshake used may go now. */
		const union MHD_ConnectionInfo *tls =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		if (tls)
			web_state_session_closed(srv->web, tls->tls_session);
	}
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = ci ? calloc(1, sizeof(*w)) : NULL;
		if (!w)
			return;		/* unwatched: MHD's idle timeout still applies */
		w->fd = ci->connect_fd;
		w->deadline = monotonic_seconds() + g->timeout;
		pthread_mutex_lock(&g->lock);
		w->next = g->head;
		if (g->head)
			g->head->prev = w;
		g->head = w;
		pthread_mutex_unlock(&g->lock);
		*socket_context = w;
		return;
	}
	if (!w)
		return;
	/* Called before MHD closes the fd, so the guard never touches a reused one. */
	pthread_mutex_lock(&g->lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		g->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&g->lock);
	free(w);
	*socket_context = NULL;
}

/* The request line is in: the headers have the timeout from now at most. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct header_guard *g = &((struct http_server *)cls)->guard;

	(void)uri;
	watch_set(g, watch_of(conn), monotonic_seconds() + g->timeout, true);
	return NULL;
}

/*
 * A response is done: the connection may now sit idle (MHD's idle timeout
 * closes it), but the next request must be in within idle + timeout, so
 * dribbling its request line does not keep the thread either.
 */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct header_guard *g = &((struct http_server *)cls)->guard;

	(void)con_cls;
	(void)toe;
	watch_set(g, watch_of(conn), g->idle > 0 ? monotonic_seconds() + g->idle + g->timeout : 0,
		  false);
}

static void *guard_main(void *arg)
{
	struct header_guard *g = arg;
	struct timespec ts;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		double now = monotonic_seconds();
		for (struct conn_watch *w = g->head; w; w = w->next) {
			if (w->deadline == 0 || w->deadline > now)
				continue;
			/* EOF for MHD's thread, which then closes the connection */
			shutdown(w->fd, SHUT_RDWR);
			w->deadline = 0;
			log_debug("request headers too slow: connection closed");
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static int guard_start(struct header_guard *g, const struct http_config *cfg)
{
	pthread_condattr_t attr;

	g->timeout = (double)cfg->read_header_timeout;
	g->idle = (double)cfg->connection_timeout;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (g->timeout <= 0)
		return 0;
	if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
		log_error("cannot start the header guard thread");
		return -1;
	}
	g->running = true;
	return 0;
}

/* After the daemons are stopped (no callbacks left). */
static void guard_stop(struct header_guard *g)
{
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
		g->running = false;
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
}

/* A GET or HEAD without a body: worth waiting for MHD's second call. */
static bool keep_alive_candidate(struct MHD_Connection *conn, const char *method)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return false;
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return false;
	return !length || strcmp(length, "0") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;

	(void)version;
	(void)upload_data;
	/* The headers are in: the scrape has its own deadline. */
	watch_set(&srv->guard, watch_of(conn), 0, false);
	/*
	 * libmicrohttpd calls once when the headers are in and again when the
	 * body is: a response queued on the first call ends the connection
	 * ("Connection: close"), so a bodiless GET or HEAD is answered on the
	 * second and the connection kept alive. Anything else (other methods,
	 * a request announcing a body) is answered at once and the connection
	 * closed, so no client can hold a thread by dribbling a body; the body
	 * is never read (no route takes one).
	 */
	static char waiting, answered;	/* what *con_cls says */
	if (*con_cls == &answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!*con_cls && keep_alive_candidate(conn, method)) {
		*con_cls = &waiting;
		return MHD_YES;
	}
	*upload_data_size = 0;
	*con_cls = &answered;
	/* Held until the response is queued: a reload meanwhile cannot free it. */
	struct web_live *web = srv->web ? web_state_acquire(srv->web) : NULL;
	const struct http_request req = {
		.conn = conn,
		.method = method,
		.path = url,
		.deadline = scrape_deadline(srv->opt->cfg,
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    "X-Prometheus-Scrape-Timeout-Seconds")),
		.web = web ? web_live_config(web) : NULL,
	};
	struct http_response resp = {
		.status = MHD_HTTP_OK,
		.content_type = "text/plain; charset=utf-8",
	};
	if (authorized(srv, &req)) {
		route(srv, &req, &resp);
	} else {
		resp.status = MHD_HTTP_UNAUTHORIZED;
		buf_adds(&resp.body, "Unauthorized\n");
	}
	enum MHD_Result ret = send_response(&req, &resp);
	if (web)
		web_state_release(srv->web, web);
	return ret;
}

int http_parse_listen_address(const char *addr, struct buf *host, unsigned *port)
{
	const char *colon;

	buf_truncate(host, 0);
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':')
			return -1;
		buf_add(host, addr + 1, (size_t)(close - addr - 1));
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return -1; /* bare IPv6 needs brackets */
		buf_add(host, addr, (size_t)(colon - addr));
	}
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end || errno || p > 65535)
		return -1;
	buf_add(host, "", 0); /* NUL-terminate even when empty */
	*port = (unsigned)p;
	return 0;
}

static int bind_one(const struct addrinfo *ai, bool dual_stack)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1, zero = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? &zero : &one,
			   sizeof(int));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/*
 * Opens a listening socket for "host:port". An empty host listens on every
 * address, IPv6 and IPv4 alike, as Go's ":9100" does. Returns the socket or
 * a negative errno (EAI errors as -EINVAL, with the reason logged).
 */
static int listen_on(const char *addr)
{
	struct buf host = BUF_INIT;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char service[8];
	unsigned port;
	int fd = -EINVAL;

	if (http_parse_listen_address(addr, &host, &port) != 0) {
		log_error("invalid listen address", "address", addr);
		goto out;
	}
	snprintf(service, sizeof(service), "%u", port);
	bool any = host.len == 0;
	hints.ai_family = any ? AF_INET6 : AF_UNSPEC;
	int gai = getaddrinfo(any ? NULL : buf_cstr(&host), service, &hints, &res);
	if (gai != 0 && any) {
		hints.ai_family = AF_INET; /* no IPv6 on this host */
		gai = getaddrinfo(NULL, service, &hints, &res);
	}
	if (gai != 0) {
		log_error("cannot resolve listen address", "address", addr,
			  "err", gai_strerror(gai));
		goto out;
	}
	fd = bind_one(res, any);
	if (fd == -EAFNOSUPPORT && any) {
		freeaddrinfo(res);
		res = NULL;
		hints.ai_family = AF_INET;
		if (getaddrinfo(NULL, service, &hints, &res) == 0)
			fd = bind_one(res, false);
	}
	if (fd < 0)
		log_error("cannot listen", "address", addr, "err", strerror(-fd));
out:
	if (res)
		freeaddrinfo(res);
	buf_release(&host);
	return fd;
}

/*
 * The address a listening socket is bound to, as "host:port" or
 * "[v6]:port" in addr; returns the port (0 when unknown).
 */
static unsigned bound_address(int fd, char *addr, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	snprintf(addr, size, "unknown");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return peer_address((const struct sockaddr *)&ss, addr, size);
}

/* MHD hands us a printf format and its arguments. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT;

	(void)cls;
	buf_vaddf(&msg, fmt, ap);
	while (msg.len && msg.data[msg.len - 1] == '\n')
		buf_truncate(&msg, msg.len - 1);
	log_debug("http server", "detail", buf_cstr(&msg));
	buf_release(&msg);
}

static struct MHD_Daemon *start_daemon(struct http_server *srv, int fd)
{
	const struct http_config *cfg = srv->opt->cfg;
	unsigned limit = cfg->max_connections > 0 ? (unsigned)cfg->max_connections : 64;

	/* A thread per connection: a slow scrape holds only its own thread. */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	bool tls = srv->web && web_state_tls(srv->web);

	/* The certificate comes from the callback, so it can change while serving. */
	return MHD_start_daemon(
		flags | (tls ? MHD_USE_TLS : 0),
		0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* must come first */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
		MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_line, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		/* Without TLS the list ends here. */
		tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END,
		web_state_cert_callback,
		MHD_OPTION_HTTPS_PRIORITIES, tls ? web_state_priorities(srv->web) : NULL,
		MHD_OPTION_END);
}

/* The web config of --web.config.file, or of the applet's own flags. */
static int start_web(struct http_server *srv)
{
	const char *path = srv->opt->cfg->config_file;
	struct buf err = BUF_INIT;

	if ((!path || !*path) && !srv->opt->web)
		return 0;
	srv->web = web_state_start(path, srv->opt->web, &err);
	if (!srv->web) {
		log_error("invalid web config", "err", buf_cstr(&err));
		buf_release(&err);
		return -1;
	}
	if (web_state_tls(srv->web))
		web_state_activate(srv->web);
	return 0;
}

struct http_server *http_start(const struct http_server_options *opt)
{
	struct http_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->opt = opt;
	if (guard_start(&srv->guard, opt->cfg) != 0 || start_web(srv) != 0)
		goto fail;
	if (opt->cfg->listen.n > MAX_LISTENERS) {
		log_error("too many listen addresses", "max", "16");
		goto fail;
	}
	for (size_t i = 0; i < opt->cfg->listen.n; i++) {
		int fd = listen_on(opt->cfg->listen.v[i]);
		if (fd < 0)
			goto fail;
		struct MHD_Daemon *d = start_daemon(srv, fd);
		if (!d) {
			close(fd);
			log_error("cannot start http server", "address", opt->cfg->listen.v[i]);
			goto fail;
		}
		srv->daemons[srv->ndaemons++] = d;
		char bound[INET6_ADDRSTRLEN + 16];
		bound_address(fd, bound, sizeof(bound));
		log_info("listening on", "address", bound, "tls",
			 srv->web && web_state_tls(srv->web) ? "true" : "false");
	}
	return srv;
fail:
	http_stop(srv);
	return NULL;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* MHD closes the listening socket it was given. */
	for (size_t i = 0; i < srv->ndaemons; i++)
		MHD_stop_daemon(srv->daemons[i]);
	guard_stop(&srv->guard);
	web_state_stop(srv->web);
	free(srv);
}

unsigned http_port(const struct http_server *srv, size_t i)
{
	char addr[INET6_ADDRSTRLEN + 16];

	if (i >= srv->ndaemons)
		return 0;
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemons[i], MHD_DAEMON_INFO_LISTEN_FD);
	return info ? bound_address(info->listen_fd, addr, sizeof(addr)) : 0;
}

static void stop_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGTERM);
}

void http_block_stop_signals(void)
{
	sigset_t stop;

	stop_signals(&stop);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
}

int http_serve_until_signal(const struct http_server_options *opt)
{
	sigset_t stop;
	int sig = 0;

	/* Blocked in every thread (see http.h); this one waits for them. */
	http_block_stop_signals();
	stop_signals(&stop);
	signal(SIGPIPE, SIG_IGN);

	struct http_server *srv = http_start(opt);
	if (!srv)
		return 1;
	sigwait(&stop, &sig);
	log_info("shutting down", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_stop(srv);
	return 0;
}

int http_parse_flags(struct flagset *fs, const struct http_config *cfg,
		     int argc, char **argv)
{
	struct buf out = BUF_INIT;
	int code = -1;

	switch (flagset_parse(fs, argc, argv, &out)) {
	case FLAGS_HELP:
		flagset_usage(fs, &out);
		fputs(buf_cstr(&out), stdout);
		code = 0;
		break;
	case FLAGS_VERSION:
		printf("%s (exporterbox) version %s\n  platform: linux/%s\n",
		       fs->prog, EXPORTERBOX_VERSION, process_build_arch());
		code = 0;
		break;
	case FLAGS_ERROR:
		fprintf(stderr, "%s: %s (see --help)\n", fs->prog, buf_cstr(&out));
		code = 2;
		break;
	case FLAGS_OK:
		log_setup(cfg->log_level, cfg->log_format);
		log_set_caller(fs->prog);
		buf_truncate(&out, 0);
		if (cfg->config_file && cfg->config_file[0] &&
		    web_state_check(cfg->config_file, NULL, &out) != 0) {
			fprintf(stderr, "%s: %s\n", fs->prog, buf_cstr(&out));
			code = 2;
		}
		break;
	}
	buf_release(&out);
	return code;
}
