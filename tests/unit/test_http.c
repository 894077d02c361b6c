#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "http.h"
#include "log.h"
#include "webstate.h"

/* A collector that blocks until the test opens its gate. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_is_open;
static atomic_int gate_entered;

static void gate_open(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_is_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static const struct metric_desc ok_desc = {
	"test_ok", "A value with a \"quoted\" help.", METRIC_GAUGE, LABELS("who"),
};

static int ok_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	expo_family(w, &ok_desc);
	/* Enough samples for the body to be worth compressing. */
	for (int i = 0; i < 50; i++) {
		char who[16];
		snprintf(who, sizeof(who), "sample%d", i);
		expo_sample(w, i, who);
	}
	return 0;
}

static int gated_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	atomic_fetch_add(&gate_entered, 1);
	pthread_mutex_lock(&gate_lock);
	while (!gate_is_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	return 0;
}

static const struct metric_desc big_desc = {
	"test_big", "Enough samples for a body of several deflate blocks.", METRIC_GAUGE,
	LABELS("who"),
};

/* ~190 KiB of text, label values less regular than a counter's. */
static int big_collect(const struct collect_ctx *ctx, struct expo *w)
{
	uint64_t x = 88172645463325252ULL;

	(void)ctx;
	expo_family(w, &big_desc);
	for (int i = 0; i < 4000; i++) {
		char who[40];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		snprintf(who, sizeof(who), "big-%04d-%016llx", i, (unsigned long long)x);
		expo_sample(w, i, who);
	}
	return 0;
}

static const struct collector c_gated = { "gated", true, NULL, gated_collect, NULL };
static const struct collector c_big = { "big", true, NULL, big_collect, NULL };
static const struct collector c_ok = { "ok", true, NULL, ok_collect, NULL };

static void probe(void *cls, const struct http_request *req, struct http_response *resp)
{
	(void)cls;
	const char *target = http_query(req, "target");
	buf_addf(&resp->body, "probed %s\n", target ? target : "(none)");
}

static struct scraper scraper;
static struct http_config cfg;
static struct http_server *server;
static unsigned port;
static const char *listen_addrs[] = { "127.0.0.1:0" };
static const struct http_route routes[] = { { "/probe", probe, NULL } };
static const struct http_server_options options = {
	.applet = "test-exporter",
	.title = "Test <Exporter>",
	.cfg = &cfg,
	.scraper = &scraper,
	.routes = routes,
	.nroutes = 1,
};

static int start_server(void **state)
{
	const struct collector *table[] = { &c_gated, &c_ok, &c_big };
	const bool enabled[] = { true, true, true };

	(void)state;
	log_setup("error", "logfmt");
	cfg = (struct http_config){
		.listen = { listen_addrs, 1 },
		.telemetry_path = "/metrics",
		.max_requests = 1,
		.scrape_timeout = 10,
		.timeout_offset = 0.5,
		.connection_timeout = 10,
		.max_connections = 16,
	};
	if (scraper_init(&scraper, "test", "test_exporter", NULL, table, enabled, 3))
		return -1;
	scraper.exporter_metrics = false;
	server = http_start(&options);
	if (!server)
		return -1;
	port = http_port(server, 0);
	return port ? 0 : -1;
}

static int stop_server(void **state)
{
	(void)state;
	gate_open();
	http_stop(server);
	scraper_release(&scraper);
	return 0;
}

struct reply {
	int status;
	struct buf head;	/* status line and headers */
	struct buf body;
};

static void reply_release(struct reply *r)
{
	buf_release(&r->head);
	buf_release(&r->body);
}

/* Sends raw request text and reads the whole reply (Connection: close). */
static void send_raw(const char *request, struct reply *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct buf all = BUF_INIT;
	char chunk[4096];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&all, chunk, (size_t)n);
	close(fd);
	const char *text = buf_cstr(&all);
	const char *split = strstr(text, "\r\n\r\n");
	assert_non_null(split);
	buf_add(&r->head, text, (size_t)(split - text) + 2);
	buf_add(&r->body, split + 4, all.len - (size_t)(split + 4 - text));
	r->status = (int)strtol(text + strlen("HTTP/1.1 "), NULL, 10);
	buf_release(&all);
}

static void get(const char *method, const char *path, const char *headers, struct reply *r)
{
	struct buf req = BUF_INIT;

	buf_addf(&req, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n",
		 method, path, headers ? headers : "");
	send_raw(buf_cstr(&req), r);
	buf_release(&req);
}

static const char *header(const struct reply *r, const char *name)
{
	static char value[256];
	size_t len = strlen(name);

	for (const char *p = buf_cstr(&r->head); (p = strstr(p, "\r\n")); ) {
		p += 2;
		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			const char *v = p + len + 1 + (p[len + 1] == ' ');
			size_t vlen = strcspn(v, "\r");
			snprintf(value, sizeof(value), "%.*s", (int)vlen, v);
			return value;
		}
	}
	return NULL;
}

static void metrics_text(void **state)
{
	struct reply r;

	(void)state;
	get("GET", "/metrics?collect[]=ok", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(buf_cstr(&r.body), "test_ok{who=\"sample7\"} 7\n"));
	assert_non_null(strstr(buf_cstr(&r.body), "test_scrape_collector_success{collector=\"ok\"} 1\n"));
	assert_null(strstr(buf_cstr(&r.body), "collector=\"gated\""));
	assert_null(header(&r, "Content-Encoding"));
	reply_release(&r);
}

static void metrics_openmetrics(void **state)
{
	struct reply r;

	(void)state;
	get("GET", "/metrics?collect%5B%5D=ok",
	    "Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_non_null(strstr(buf_cstr(&r.body), "# HELP test_ok A value with a \\\"quoted\\\" help.\n"));
	assert_string_equal(buf_cstr(&r.body) + r.body.len - 6, "# EOF\n");
	reply_release(&r);
}

static void metrics_gzip(void **state)
{
	struct reply plain, gz;
	unsigned char out[1 << 16];
	z_stream zs = { 0 };

	(void)state;
	get("GET", "/metrics?collect[]=ok", NULL, &plain);
	get("GET", "/metrics?collect[]=ok", "Accept-Encoding: deflate, gzip\r\n", &gz);
	assert_int_equal(gz.status, 200);
	assert_string_equal(header(&gz, "Content-Encoding"), "gzip");
	assert_int_equal((unsigned char)gz.body.data[0], 0x1f);
	assert_int_equal((unsigned char)gz.body.data[1], 0x8b);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)gz.body.data;
	zs.avail_in = (uInt)gz.body.len;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	inflateEnd(&zs);
	/* Same families; durations differ between two scrapes, so compare a prefix. */
	const char *first_meta = strstr(buf_cstr(&plain.body), "# HELP test_scrape");
	assert_non_null(first_meta);
	size_t prefix = (size_t)(first_meta - buf_cstr(&plain.body));
	assert_true(sizeof(out) - zs.avail_out > prefix);
	assert_memory_equal(out, plain.body.data, prefix);
	assert_true(gz.body.len < plain.body.len);
	reply_release(&plain);
	reply_release(&gz);
}

/* The whole gzip stream in gz, inflated into out. */
static void gunzip(const char *gz, size_t len, struct buf *out)
{
	z_stream zs = { 0 };
	char chunk[16384];
	int rc;

	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)gz;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = (Bytef *)chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
		buf_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0);
	inflateEnd(&zs);
}

/*
 * Three gzip scrapes of a body of several deflate blocks on one kept
 * connection (its thread's compressor state used again, as Prometheus'
 * connection uses it): each inflates to the plain body's families.
 */
static void metrics_gzip_kept_connection(void **state)
{
	static const char one[] =
		"GET /metrics?collect[]=big HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n";
	struct reply plain, all;
	struct buf req = BUF_INIT;

	(void)state;
	get("GET", "/metrics?collect[]=big", NULL, &plain);
	const char *meta = strstr(buf_cstr(&plain.body), "# HELP test_scrape");
	assert_non_null(meta);
	size_t families = (size_t)(meta - buf_cstr(&plain.body));
	assert_true(families > 150000);
	for (int i = 0; i < 3; i++)
		buf_addf(&req, "%s%s\r\n", one, i == 2 ? "Connection: close\r\n" : "");
	send_raw(buf_cstr(&req), &all);
	/* send_raw split off the first head; the rest is body, head, body, head, body. */
	const char *at = all.body.data, *end = all.body.data + all.body.len;
	const char *head = buf_cstr(&all.head);
	for (int i = 0; i < 3; i++) {
		const char *len_at = strcasestr(head, "\r\nContent-Length: ");
		assert_non_null(len_at);
		assert_non_null(strcasestr(head, "\r\nContent-Encoding: gzip\r\n"));
		size_t len = strtoul(len_at + strlen("\r\nContent-Length: "), NULL, 10);
		assert_true(len > 0 && len <= (size_t)(end - at));
		struct buf text = BUF_INIT;
		gunzip(at, len, &text);
		assert_true(text.len > families);
		assert_memory_equal(text.data, plain.body.data, families);
		buf_release(&text);
		at += len;
		if (i < 2) {
			const char *split = strstr(at, "\r\n\r\n");
			assert_non_null(split);
			assert_true(strncmp(at, "HTTP/1.1 200", 12) == 0);
			head = at;
			at = split + 4;
		}
	}
	assert_true(at == end);
	buf_release(&req);
	reply_release(&plain);
	reply_release(&all);
}

static void routes_and_methods(void **state)
{
	struct reply r;

	(void)state;
	get("HEAD", "/metrics?collect[]=ok", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	reply_release(&r);

	get("POST", "/metrics", "Content-Length: 3\r\n", &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	reply_release(&r);

	get("DELETE", "/", NULL, &r);
	assert_int_equal(r.status, 405);
	reply_release(&r);

	get("GET", "/nope", NULL, &r);
	assert_int_equal(r.status, 404);
	reply_release(&r);

	get("GET", "/metrics/extra", NULL, &r);
	assert_int_equal(r.status, 404);
	reply_release(&r);

	get("GET", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_cstr(&r.body), "<a href=\"/metrics\">"));
	assert_non_null(strstr(buf_cstr(&r.body), "<title>Test &lt;Exporter&gt;</title>"));
	assert_non_null(strstr(buf_cstr(&r.body), "<a href=\"/probe\">"));
	reply_release(&r);

	get("GET", "/-/healthy", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	get("GET", "/-/ready", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_release(&r);

	get("GET", "/probe?target=db%3A5432", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_cstr(&r.body), "probed db:5432\n");
	reply_release(&r);
}

/* Prometheus keeps its connection: two requests on one, both answered. */
static void keep_alive(void **state)
{
	struct reply r;
	const char *text, *second;

	(void)state;
	send_raw("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n"
		 "GET /-/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_null(strcasestr(buf_cstr(&r.head), "Connection: close"));
	text = buf_cstr(&r.body);
	second = strstr(text, "HTTP/1.1 200");
	assert_non_null(second);
	assert_null(strstr(second + 1, "HTTP/1.1 200"));
	reply_release(&r);

	/* A GET announcing a body it never sends is answered at once, not held. */
	send_raw("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	reply_release(&r);
}

static void bad_filter_is_400(void **state)
{
	struct reply r;

	(void)state;
	get("GET", "/metrics?collect[]=nope", NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(buf_cstr(&r.body),
		"couldn't create filtered metrics handler: missing collector: nope\n");
	reply_release(&r);
}

static void hostile_requests(void **state)
{
	struct reply r;
	struct buf big = BUF_INIT;

	(void)state;
	/* A header far beyond the connection memory limit. */
	buf_adds(&big, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Junk: ");
	for (int i = 0; i < 200000; i++)
		buf_addc(&big, 'a');
	buf_adds(&big, "\r\n\r\n");
	send_raw(buf_cstr(&big), &r);
	assert_true(r.status == 431 || r.status == 413 || r.status == 400);
	reply_release(&r);
	buf_release(&big);

	send_raw("BREW /coffee HTCPCP/1.0\r\n\r\n", &r);
	assert_true(r.status >= 400);
	reply_release(&r);

	/* The server still answers afterwards. */
	get("GET", "/-/healthy", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_release(&r);
}

struct background {
	pthread_t tid;
	struct reply r;
	const char *headers;
};

static void *get_gated(void *arg)
{
	struct background *b = arg;
	get("GET", "/metrics?collect[]=gated&collect[]=ok", b->headers, &b->r);
	return NULL;
}

/* Last: leaves the gated collector's gate open. */
static void deadline_and_request_limit(void **state)
{
	struct background slow = { .headers = "X-Prometheus-Scrape-Timeout-Seconds: 30\r\n" };
	struct reply r;

	(void)state;
	pthread_create(&slow.tid, NULL, get_gated, &slow);
	for (int i = 0; i < 10000 && atomic_load(&gate_entered) == 0; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&gate_entered), 1);

	/* --web.max-requests=1 and one scrape in flight: 503. */
	get("GET", "/metrics?collect[]=ok", NULL, &r);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(buf_cstr(&r.body), "Limit of concurrent requests reached (1)"));
	reply_release(&r);

	gate_open();
	pthread_join(slow.tid, NULL);
	assert_int_equal(slow.r.status, 200);
	assert_non_null(strstr(buf_cstr(&slow.r.body), "collector=\"gated\"} 1\n"));
	reply_release(&slow.r);
}

static void listen_addresses(void **state)
{
	struct buf host = BUF_INIT;
	unsigned p;

	(void)state;
	assert_int_equal(http_parse_listen_address(":9100", &host, &p), 0);
	assert_string_equal(buf_cstr(&host), "");
	assert_int_equal(p, 9100);
	assert_int_equal(http_parse_listen_address("127.0.0.1:80", &host, &p), 0);
	assert_string_equal(buf_cstr(&host), "127.0.0.1");
	assert_int_equal(http_parse_listen_address("[::1]:9187", &host, &p), 0);
	assert_string_equal(buf_cstr(&host), "::1");
	assert_int_equal(p, 9187);
	assert_int_equal(http_parse_listen_address("localhost:0", &host, &p), 0);
	assert_int_equal(p, 0);
	const char *bad[] = { "9100", "::1:9100", "[::1]9100", "host:", "host:99999",
			      "host:12ab", "[::1", ":-1", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(http_parse_listen_address(bad[i], &host, &p), -1);
	buf_release(&host);
}

static void gzip_negotiation(void **state)
{
	(void)state;
	assert_true(http_accepts_gzip("gzip"));
	assert_true(http_accepts_gzip("deflate, gzip;q=0.5"));
	assert_true(http_accepts_gzip("GZIP"));
	assert_true(http_accepts_gzip("*"));
	assert_false(http_accepts_gzip("gzip;q=0"));
	assert_false(http_accepts_gzip("deflate, br"));
	assert_false(http_accepts_gzip("gzipx"));
	assert_false(http_accepts_gzip(""));
	assert_false(http_accepts_gzip(NULL));
}

/*
 * Basic auth and headers from a web_config an applet built from its own
 * flags (http_server_options.web), on a second server.
 */
static void auth_from_applet_flags(void **state)
{
	/* Test-only: bcrypt (cost 4) of "s3cret-scrape". */
	static const char hash[] = "$2y$04$FvZKrfQ3CgXJHiNriVsBhuJYClxCsTumSXeVb4LwSHJW1ojgcEoti";
	struct web_config web;
	struct buf err = BUF_INIT;
	struct http_server_options opt = options;
	struct reply r;

	(void)state;
	web_config_init(&web);
	assert_int_equal(web_config_add_user(&web, "alice", hash, &err), 0);
	assert_int_equal(web_config_add_header(&web, "X-Content-Type-Options", "nosniff", &err), 0);
	assert_int_equal(web_state_check(NULL, &web, &err), 0);
	opt.web = &web;
	struct http_server *srv = http_start(&opt);
	assert_non_null(srv);
	unsigned main_port = port;
	port = http_port(srv, 0);

	get("GET", "/metrics?collect[]=ok", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(header(&r, "WWW-Authenticate"), "Basic");
	assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(buf_cstr(&r.body), "Unauthorized\n");
	reply_release(&r);
	get("GET", "/", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n", &r);	/* alice:wrong */
	assert_int_equal(r.status, 401);
	reply_release(&r);
	get("GET", "/", "Authorization: Basic Y2Fyb2w6czNjcmV0LXNjcmFwZQ==\r\n", &r); /* carol */
	assert_int_equal(r.status, 401);
	reply_release(&r);
	get("GET", "/", "Authorization: Basic !!!\r\n", &r);
	assert_int_equal(r.status, 401);
	reply_release(&r);
	get("GET", "/metrics?collect[]=ok",
	    "Authorization: Basic YWxpY2U6czNjcmV0LXNjcmFwZQ==\r\n", &r); /* alice:s3cret-scrape */
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
	assert_non_null(strstr(buf_cstr(&r.body), "test_ok{who=\"sample7\"} 7\n"));
	reply_release(&r);

	http_stop(srv);
	port = main_port;
	/* The main server has no web config: no auth asked. */
	get("GET", "/-/healthy", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(header(&r, "X-Content-Type-Options"));
	reply_release(&r);
	web_config_free(&web);
	buf_release(&err);
}

/* --web.config.file is checked at start: a bad file exits 2, a good one goes on. */
static void web_config_flag(void **state)
{
	char dir[] = "/tmp/test_http.XXXXXX", path[64];
	struct http_config hc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	const char *const cases[][2] = {
		{ "http_server_config: {headers: {X-Frame-Options: deny}}\n", "-1" },
		{ "tls_server_config: {cert_fil: a}\n", "2" },
		{ "tls_server_config: {cert_file: /nonexistent.crt, key_file: /nonexistent.key}\n", "2" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct flagset fs;
		char arg[96];
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(cases[i][0], f);
		fclose(f);
		snprintf(arg, sizeof(arg), "--web.config.file=%s", path);
		char *argv[] = { "test", arg, "--log.level=error", NULL };
		flagset_init(&fs, "test", "test");
		http_add_flags(&fs, &hc, ":0", NULL);
		assert_int_equal(http_parse_flags(&fs, &hc, 3, argv), atoi(cases[i][1]));
		flagset_release(&fs);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listen_addresses),
		cmocka_unit_test(gzip_negotiation),
		cmocka_unit_test(metrics_text),
		cmocka_unit_test(metrics_openmetrics),
		cmocka_unit_test(metrics_gzip),
		cmocka_unit_test(metrics_gzip_kept_connection),
		cmocka_unit_test(routes_and_methods),
		cmocka_unit_test(keep_alive),
		cmocka_unit_test(bad_filter_is_400),
		cmocka_unit_test(hostile_requests),
		cmocka_unit_test(deadline_and_request_limit),
		cmocka_unit_test(auth_from_applet_flags),
		cmocka_unit_test(web_config_flag),
	};
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
