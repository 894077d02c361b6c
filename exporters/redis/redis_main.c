/*
 * redis-exporter: a drop-in for oliver006/redis_exporter on hiredis.
 *
 * /metrics scrapes --redis.addr through one persistent connection;
 * /scrape?target= scrapes other servers (upstream's multi-target mode), each
 * with a persistent connection of its own, limited to --scrape.allowed-targets
 * when that is set.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "applets.h"
#include "flags.h"
#include "fsutil.h"
#include "http.h"
#include "log.h"
#include "redis.h"
#include "webconfig.h"
#include "webstate.h"

/*
 * Targets of /scrape kept with their connection. A full cache makes room
 * by closing the least recently used idle one; when all are in use, the
 * request is served with a connection of its own.
 */
#define MAX_CACHED_TARGETS 64

struct redis_flags {
	struct redis_options opt;
	struct http_config web;
	const char *addr, *password_file, *allowed, *log_format_go;
	double target_idle;		/* close /scrape targets idle this long; 0: never */
	const char *check_keys, *check_single_keys, *count_keys;
	/* upstream's own TLS and basic auth flags, mapped onto a web_config */
	const char *tls_cert, *tls_key, *tls_client_ca, *tls_min_version;
	const char *auth_user, *auth_password, *auth_hash;
	bool redis_only, debug;
};

static const char *const go_log_formats[] = { "", "txt", "json", NULL };

static void add_redis_flags(struct flagset *fs, struct redis_flags *rf)
{
	struct redis_options *o = &rf->opt;
	const struct flag flags[] = {
		{ "redis.addr", FLAG_STRING, &rf->addr, "redis://localhost:6379", "REDIS_ADDR",
		  "Address of the Redis instance to scrape" },
		{ "redis.user", FLAG_STRING, &o->user, "", "REDIS_USER",
		  "User name to use for authentication (Redis ACL for Redis 6.0 and newer)" },
		{ "redis.password", FLAG_STRING, &o->password, "", "REDIS_PASSWORD",
		  "Password of the Redis instance to scrape" },
		{ "redis.password-file", FLAG_STRING, &rf->password_file, "", "REDIS_PASSWORD_FILE",
		  "Password file of the Redis instance to scrape (JSON: URI to password, "
		  "or to {\"user\": ..., \"password\": ...})" },
		{ "namespace", FLAG_STRING, &o->ns, "redis", "REDIS_EXPORTER_NAMESPACE",
		  "Namespace for metrics" },
		{ "connection-timeout", FLAG_DURATION, &o->connection_timeout, "15s",
		  "REDIS_EXPORTER_CONNECTION_TIMEOUT", "Timeout for connection to Redis instance" },
		{ "check-keys", FLAG_STRING, &rf->check_keys, "", "REDIS_EXPORTER_CHECK_KEYS",
		  "Comma separated list of key-patterns to export value and length/size, searched for with SCAN" },
		{ "check-single-keys", FLAG_STRING, &rf->check_single_keys, "",
		  "REDIS_EXPORTER_CHECK_SINGLE_KEYS",
		  "Comma separated list of single keys to export value and length/size" },
		{ "count-keys", FLAG_STRING, &rf->count_keys, "", "REDIS_EXPORTER_COUNT_KEYS",
		  "Comma separated list of patterns to count (eg: 'db0=production_*,db3=sessions:*'), searched for with SCAN" },
		{ "check-keys-batch-size", FLAG_INT, &o->keys_batch, "1000",
		  "REDIS_EXPORTER_CHECK_KEYS_BATCH_SIZE",
		  "Approximate number of keys to process in each execution (SCAN COUNT)" },
		{ "redis.max-reply-bytes", FLAG_INT, &o->max_reply_bytes, "67108864",
		  "REDIS_EXPORTER_MAX_REPLY_BYTES",
		  "Largest reply a scrape reads from Redis (bytes read plus memory for it); larger ones fail the scrape. 0: no limit" },
		{ "include-system-metrics", FLAG_BOOL, &o->system_metrics, "false",
		  "REDIS_EXPORTER_INCL_SYSTEM_METRICS",
		  "Whether to include system metrics like e.g. redis_total_system_memory_bytes" },
		{ "include-config-metrics", FLAG_BOOL, &o->config_metrics, "false",
		  "REDIS_EXPORTER_INCL_CONFIG_METRICS", "Whether to include all config settings as metrics" },
		{ "redact-config-metrics", FLAG_BOOL, &o->redact_config, "true",
		  "REDIS_EXPORTER_REDACT_CONFIG_METRICS",
		  "Whether to redact config settings that include potentially sensitive information like passwords" },
		{ "include-metrics-for-empty-databases", FLAG_BOOL, &o->empty_databases, "true",
		  "REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES",
		  "Whether to emit db metrics (like db_keys) for empty databases" },
		{ "set-client-name", FLAG_BOOL, &o->set_client_name, "true",
		  "REDIS_EXPORTER_SET_CLIENT_NAME", "Whether to set client name to redis_exporter" },
		{ "redis-only-metrics", FLAG_BOOL, &rf->redis_only, "false",
		  "REDIS_EXPORTER_REDIS_ONLY_METRICS",
		  "Whether to leave out the exporter's own process metrics" },
		{ "scrape.allowed-targets", FLAG_STRING, &rf->allowed, "",
		  "REDIS_EXPORTER_ALLOWED_TARGETS",
		  "Comma separated list of targets /scrape may be asked for (empty: any)" },
		{ "scrape.target-idle-timeout", FLAG_DURATION, &rf->target_idle, "5m",
		  "REDIS_EXPORTER_TARGET_IDLE_TIMEOUT",
		  "Close the connection of a /scrape target not scraped for this long (0: keep it)" },
		{ "debug", FLAG_BOOL, &rf->debug, "false", "REDIS_EXPORTER_DEBUG",
		  "Output verbose debug information (as --log.level=debug)", NULL, true },
		{ "log-format", FLAG_STRING, &rf->log_format_go, "", "REDIS_EXPORTER_LOG_FORMAT",
		  "Upstream's log format flag: txt or json", go_log_formats, true },
		{ "tls-server-cert-file", FLAG_STRING, &rf->tls_cert, "",
		  "REDIS_EXPORTER_TLS_SERVER_CERT_FILE",
		  "Name of the server certificate file (including full path) if the web interface and telemetry should use TLS" },
		{ "tls-server-key-file", FLAG_STRING, &rf->tls_key, "",
		  "REDIS_EXPORTER_TLS_SERVER_KEY_FILE",
		  "Name of the server key file (including full path) if the web interface and telemetry should use TLS" },
		{ "tls-server-ca-cert-file", FLAG_STRING, &rf->tls_client_ca, "",
		  "REDIS_EXPORTER_TLS_SERVER_CA_CERT_FILE",
		  "Name of the CA certificate file (including full path) if the web interface and telemetry should require TLS client authentication" },
		{ "tls-server-min-version", FLAG_STRING, &rf->tls_min_version, "TLS1.2",
		  "REDIS_EXPORTER_TLS_SERVER_MIN_VERSION",
		  "Minimum TLS version that is acceptable by the web interface and telemetry when using TLS" },
		{ "basic-auth-username", FLAG_STRING, &rf->auth_user, "",
		  "REDIS_EXPORTER_BASIC_AUTH_USERNAME", "Username for basic authentication" },
		{ "basic-auth-password", FLAG_STRING, &rf->auth_password, "",
		  "REDIS_EXPORTER_BASIC_AUTH_PASSWORD", "Password for basic authentication" },
		{ "basic-auth-hash-password", FLAG_STRING, &rf->auth_hash, "",
		  "REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD",
		  "Bcrypt hash of the password for basic authentication (instead of --basic-auth-password)" },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
	http_add_flags(fs, &rf->web, ":9121", "REDIS_EXPORTER_WEB_LISTEN_ADDRESS");
}

/* ---- multi-target ---- */

/* Upstream's /scrape?check-keys=&check-single-keys=, replacing the flags'. */
struct key_override {
	const char *check_keys, *check_single_keys;	/* NULL: the flag's */
	struct redis_key_args keys, single_keys;	/* parsed, owned */
};

struct cached_target {
	char *name;			/* target= and key checks, as given */
	struct redis_options opt;	/* the flags' options, with the request's key checks */
	struct key_override keys;	/* owns what opt's key checks point to, if given */
	struct redis_target target;
	struct scraper scraper;
	unsigned users;			/* requests being served from it; app->lock */
	double last_used;		/* monotonic seconds; app->lock */
};

struct app {
	struct redis_flags *rf;
	struct redis_passwords passwords;
	atomic_ulong request_errors;
	pthread_mutex_t lock;		/* guards cache, users, last_used, stopping */
	struct cached_target *cache[MAX_CACHED_TARGETS];
	size_t ncache;
	pthread_cond_t wake;		/* the reaper's: stopping */
	bool stopping;
	pthread_t reaper;
};

static const struct collector *const redis_table[] = { &redis_collector };

/* enabled false: a scraper without the target (the /metrics of --redis.addr=""). */
static void key_override_release(struct key_override *ko)
{
	redis_key_args_release(&ko->keys);
	redis_key_args_release(&ko->single_keys);
}

/* Takes ko's parsed key checks (ko may be NULL). */
static int target_scraper_init_as(struct app *app, struct cached_target *ct,
				  struct redis_addr *a, bool enabled, struct key_override *ko)
{
	ct->opt = app->rf->opt;
	if (ko) {
		ct->keys = *ko;
		memset(ko, 0, sizeof(*ko));
		if (ct->keys.check_keys)
			ct->opt.check_keys = ct->keys.keys;
		if (ct->keys.check_single_keys)
			ct->opt.check_single_keys = ct->keys.single_keys;
	}
	redis_target_init(&ct->target, &ct->opt, a);
	if (scraper_init(&ct->scraper, app->rf->opt.ns, "exporterbox", &ct->target,
			 redis_table, &enabled, 1) != 0) {
		redis_target_release(&ct->target);
		key_override_release(&ct->keys);
		return -1;
	}
	ct->scraper.exporter_metrics = false; /* as upstream: /scrape has the target only */
	return 0;
}

static int target_scraper_init(struct app *app, struct cached_target *ct, struct redis_addr *a,
			       struct key_override *ko)
{
	return target_scraper_init_as(app, ct, a, true, ko);
}

static void cached_target_free(struct cached_target *ct)
{
	scraper_release(&ct->scraper);
	redis_target_release(&ct->target);
	key_override_release(&ct->keys);
	free(ct->name);
	free(ct);
}

/* Whether target is in the comma separated allowlist (empty: all are). */
static bool target_allowed(const char *allowed, const struct redis_addr *a)
{
	struct buf err = BUF_INIT;
	bool ok = !*allowed;

	for (const char *p = allowed; *p && !ok;) {
		size_t n = strcspn(p, ",");
		char *item = strndup(p, n);
		struct redis_addr b;
		if (!item)
			abort();
		if (redis_addr_parse(item, &b, &err) == 0) {
			ok = !strcmp(redis_addr_display(a), redis_addr_display(&b)) &&
			     a->db == b.db;
			redis_addr_release(&b);
		}
		free(item);
		p += n + (p[n] == ',');
	}
	buf_release(&err);
	return ok;
}

static void bad_request(struct app *app, struct http_response *resp, int status,
			const char *msg)
{
	atomic_fetch_add(&app->request_errors, 1);
	resp->status = status;
	buf_adds(&resp->body, msg);
	buf_addc(&resp->body, '\n');
}

/* Removes cache entry i; app->lock held. The caller frees it. */
static struct cached_target *cache_take_locked(struct app *app, size_t i)
{
	struct cached_target *ct = app->cache[i];

	app->cache[i] = app->cache[--app->ncache];
	return ct;
}

/* The least recently used entry no request is using, or -1; app->lock held. */
static long cache_lru_idle_locked(const struct app *app)
{
	long lru = -1;

	for (size_t i = 0; i < app->ncache; i++)
		if (!app->cache[i]->users && !scraper_busy(&app->cache[i]->scraper) &&
		    (lru < 0 || app->cache[i]->last_used < app->cache[lru]->last_used))
			lru = (long)i;
	return lru;
}

/*
 * Finds or makes the cached target, counted as in use until cache_put();
 * NULL when the cache is full of targets in use.
 */
static struct cached_target *cache_get(struct app *app, const char *name, struct redis_addr *a,
				       struct key_override *ko)
{
	struct cached_target *ct = NULL, *evicted = NULL;

	pthread_mutex_lock(&app->lock);
	for (size_t i = 0; i < app->ncache && !ct; i++)
		if (!strcmp(app->cache[i]->name, name))
			ct = app->cache[i];
	if (!ct && app->ncache == MAX_CACHED_TARGETS) {
		long lru = cache_lru_idle_locked(app);
		if (lru >= 0)
			evicted = cache_take_locked(app, (size_t)lru);
	}
	if (!ct && app->ncache < MAX_CACHED_TARGETS) {
		ct = calloc(1, sizeof(*ct));
		if (!ct || !(ct->name = strdup(name)))
			abort();
		if (target_scraper_init(app, ct, a, ko) != 0) {
			free(ct->name);
			free(ct);
			ct = NULL;
		} else {
			app->cache[app->ncache++] = ct;
		}
	}
	if (ct)
		ct->users++;
	pthread_mutex_unlock(&app->lock);
	if (evicted) {
		log_debug("closing the least recently used /scrape target", "target",
			  redis_addr_display(&evicted->target.addr));
		cached_target_free(evicted);
	}
	return ct;
}

static void cache_put(struct app *app, struct cached_target *ct)
{
	pthread_mutex_lock(&app->lock);
	ct->users--;
	ct->last_used = monotonic_seconds();
	pthread_mutex_unlock(&app->lock);
}

/* Closes the targets idle for longer than --scrape.target-idle-timeout. */
static void cache_sweep(struct app *app)
{
	struct cached_target *idle[MAX_CACHED_TARGETS];
	size_t n = 0;
	double now = monotonic_seconds();

	pthread_mutex_lock(&app->lock);
	for (size_t i = 0; i < app->ncache;) {
		const struct cached_target *ct = app->cache[i];
		if (!ct->users && !scraper_busy(&ct->scraper) &&
		    now - ct->last_used > app->rf->target_idle)
			idle[n++] = cache_take_locked(app, i);
		else
			i++;
	}
	pthread_mutex_unlock(&app->lock);
	for (size_t i = 0; i < n; i++) {
		log_debug("closing an idle /scrape target", "target",
			  redis_addr_display(&idle[i]->target.addr));
		cached_target_free(idle[i]);
	}
}

/* Sweeps the cache every half idle timeout (at most every 30 s) until stopped. */
static void *reaper_main(void *arg)
{
	struct app *app = arg;
	double every = app->rf->target_idle / 2;

	every = every < 0.1 ? 0.1 : every > 30 ? 30 : every;
	pthread_mutex_lock(&app->lock);
	while (!app->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long long ns = until.tv_nsec + (long long)(every * 1e9);
		until.tv_sec += (time_t)(ns / 1000000000);
		until.tv_nsec = (long)(ns % 1000000000);
		if (pthread_cond_timedwait(&app->wake, &app->lock, &until) != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&app->lock);
		cache_sweep(app);
		pthread_mutex_lock(&app->lock);
	}
	pthread_mutex_unlock(&app->lock);
	return NULL;
}

/* Parses the request's key checks; -1 with err set when one is bad. */
static int parse_key_override(const struct http_request *req, struct key_override *ko,
			      struct buf *err)
{
	memset(ko, 0, sizeof(*ko));
	ko->check_keys = http_query(req, "check-keys");
	ko->check_single_keys = http_query(req, "check-single-keys");
	if (ko->check_keys && !*ko->check_keys)
		ko->check_keys = NULL;
	if (ko->check_single_keys && !*ko->check_single_keys)
		ko->check_single_keys = NULL;
	if ((ko->check_keys && redis_key_args_parse(ko->check_keys, &ko->keys, err)) ||
	    (ko->check_single_keys &&
	     redis_key_args_parse(ko->check_single_keys, &ko->single_keys, err))) {
		key_override_release(ko);
		return -1;
	}
	return 0;
}

/* The cache key: the target and the request's key checks. */
static char *scrape_name(const char *target, const struct key_override *ko)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s\x1f%s\x1f%s", target, ko->check_keys ? ko->check_keys : "",
		 ko->check_single_keys ? ko->check_single_keys : "");
	return buf_detach(&name, NULL);
}

static void serve_uncached(struct app *app, const struct http_request *req,
			   struct http_response *resp, struct redis_addr *a,
			   struct key_override *ko)
{
	struct cached_target *tmp = calloc(1, sizeof(*tmp));

	if (!tmp || !(tmp->name = strdup("")))
		abort();
	if (target_scraper_init(app, tmp, a, ko) == 0) {
		http_serve_scrape(&tmp->scraper, req, resp);
		cached_target_free(tmp);
	} else {
		free(tmp->name);
		free(tmp);
		redis_addr_release(a);
		key_override_release(ko);
		resp->status = 500;
	}
}

static void serve_scrape(void *cls, const struct http_request *req, struct http_response *resp)
{
	struct app *app = cls;
	const char *target = http_query(req, "target");
	struct buf err = BUF_INIT;
	struct key_override ko;
	struct redis_addr a;

	if (!target || !*target) {
		bad_request(app, resp, 400, "'target' parameter must be specified");
		return;
	}
	if (redis_addr_parse(target, &a, &err) != 0) {
		bad_request(app, resp, 400, buf_cstr(&err));
		buf_release(&err);
		return;
	}
	buf_release(&err);
	if (!target_allowed(app->rf->allowed, &a)) {
		redis_addr_release(&a);
		bad_request(app, resp, 403, "target not in --scrape.allowed-targets");
		return;
	}
	if (parse_key_override(req, &ko, &err) != 0) {
		redis_addr_release(&a);
		bad_request(app, resp, 400, buf_cstr(&err));
		buf_release(&err);
		return;
	}
	char *name = scrape_name(target, &ko);
	struct cached_target *ct = cache_get(app, name, &a, &ko);
	free(name);
	if (ct) {
		/* what init did not take (a cache hit) is ours to free */
		redis_addr_release(&a);
		key_override_release(&ko);
		http_serve_scrape(&ct->scraper, req, resp);
		cache_put(app, ct);
		return;
	}
	/* A full cache: serve this one with a connection of its own. */
	serve_uncached(app, req, resp, &a, &ko);
}

/* ---- start-up ---- */

static int load_password_file(const char *path, struct redis_passwords *p)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	int rc = fs_read_file(path, &text, 1 << 20);

	if (rc != 0) {
		fprintf(stderr, "redis-exporter: cannot read --redis.password-file %s: %s\n", path,
			strerror(-rc));
		buf_release(&text);
		return -1;
	}
	rc = redis_passwords_parse(buf_cstr(&text), text.len, p, &err);
	if (rc != 0)
		fprintf(stderr, "redis-exporter: %s (%s)\n", buf_cstr(&err), path);
	buf_release(&text);
	buf_release(&err);
	return rc;
}

/* "TLS1.2" (upstream's spelling) as the web config's "TLS12". */
static int set_min_version(struct web_config *wc, const char *name)
{
	char compact[8];
	size_t n = 0;

	for (const char *p = name; *p && n + 1 < sizeof(compact); p++)
		if (*p != '.')
			compact[n++] = *p;
	compact[n] = '\0';
	return strlen(name) < sizeof(compact) ? web_config_set_min_version(wc, compact) : -1;
}

/* Checks what upstream checks; err gets one line naming the flags, never a secret. */
static int tls_auth_flags_valid(const struct redis_flags *rf, struct buf *err)
{
	bool cert = *rf->tls_cert, key = *rf->tls_key;

	if (cert != key)
		buf_adds(err, "--tls-server-cert-file and --tls-server-key-file go together");
	else if (*rf->tls_client_ca && !cert)
		buf_adds(err, "--tls-server-ca-cert-file needs --tls-server-cert-file and --tls-server-key-file");
	else if (*rf->auth_password && *rf->auth_hash)
		buf_adds(err, "--basic-auth-password and --basic-auth-hash-password are exclusive");
	else if (!*rf->auth_user != (!*rf->auth_password && !*rf->auth_hash))
		buf_adds(err, "--basic-auth-username and --basic-auth-password (or --basic-auth-hash-password) go together");
	else if ((cert || *rf->auth_user) && rf->web.config_file && *rf->web.config_file)
		buf_adds(err, "--web.config.file and the --tls-server-*/--basic-auth-* flags are exclusive");
	return err->len ? -1 : 0;
}

/*
 * upstream's --tls-server-* and --basic-auth-* flags as a web_config
 * (TLS, mTLS with RequireAndVerifyClientCert when a client CA is given,
 * one basic auth user). *used is false when none is set.
 */
static int build_web_config(const struct redis_flags *rf, struct web_config *wc, bool *used,
			    struct buf *err)
{
	*used = false;
	if (tls_auth_flags_valid(rf, err))
		return -1;
	if (*rf->tls_cert) {
		if (web_config_set_tls(wc, rf->tls_cert, rf->tls_key, rf->tls_client_ca) ||
		    (*rf->tls_client_ca &&
		     web_config_set_client_auth(wc, "RequireAndVerifyClientCert"))) {
			buf_adds(err, "out of memory");
			return -1;
		}
		if (set_min_version(wc, rf->tls_min_version)) {
			buf_addf(err, "invalid --tls-server-min-version '%s' (TLS1.0 ... TLS1.3)",
				 rf->tls_min_version);
			return -1;
		}
		*used = true;
	}
	if (*rf->auth_user) {
		int rc = *rf->auth_hash ?
			 web_config_add_user(wc, rf->auth_user, rf->auth_hash, err) :
			 web_config_add_user_password(wc, rf->auth_user, rf->auth_password, err);
		if (rc)
			return -1;
		*used = true;
	}
	/* loads the certificates now, so a bad file exits 2 at start-up */
	return *used ? web_state_check(NULL, wc, err) : 0;
}

static int parse_key_flags(struct redis_flags *rf)
{
	const struct {
		const char *flag, *value;
		struct redis_key_args *out;
	} keys[] = {
		{ "check-keys", rf->check_keys, &rf->opt.check_keys },
		{ "check-single-keys", rf->check_single_keys, &rf->opt.check_single_keys },
		{ "count-keys", rf->count_keys, &rf->opt.count_keys },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct buf err = BUF_INIT;
		int rc = redis_key_args_parse(keys[i].value, keys[i].out, &err);
		if (rc)
			fprintf(stderr, "redis-exporter: invalid --%s: %s\n", keys[i].flag,
				buf_cstr(&err));
		buf_release(&err);
		if (rc)
			return -1;
	}
	return 0;
}

static int check_max_reply(long max)
{
	if (max >= 0)
		return 0;
	fprintf(stderr, "redis-exporter: invalid --redis.max-reply-bytes %ld (0: no limit)\n", max);
	return -1;
}

static int check_namespace(const char *ns)
{
	struct buf name = BUF_INIT;

	buf_addf(&name, "%s_up", ns);
	bool ok = *ns && expo_valid_metric_name(buf_cstr(&name)) && !strchr(ns, ':');
	buf_release(&name);
	if (!ok)
		fprintf(stderr, "redis-exporter: invalid --namespace '%s'\n", ns);
	return ok ? 0 : -1;
}

/* Upstream's --debug and --log-format=txt|json over ours. */
static void apply_go_log_flags(struct redis_flags *rf)
{
	const char *format = rf->web.log_format;

	if (rf->log_format_go && !strcmp(rf->log_format_go, "json"))
		format = "json";
	else if (rf->log_format_go && !strcmp(rf->log_format_go, "txt"))
		format = "logfmt";
	log_setup(rf->debug ? "debug" : rf->web.log_level, format);
}

/*
 * addr NULL: --redis.addr="" as upstream has it for multi-target setups;
 * /metrics then serves the exporter's own metrics only.
 */
static int serve(struct app *app, struct redis_addr *addr, const struct web_config *web)
{
	struct cached_target main_target = { 0 };
	struct redis_addr none = { 0 };
	int code;

	if (target_scraper_init_as(app, &main_target, addr ? addr : &none, addr != NULL, NULL) != 0)
		return 1;
	main_target.scraper.exporter_metrics =
		!app->rf->redis_only && !app->rf->web.disable_exporter_metrics;
	if (addr)
		log_info("scraping", "target", redis_addr_display(&main_target.target.addr));
	else
		log_info("no --redis.addr: serving /scrape?target= only");
	const struct http_route routes[] = { { "/scrape", serve_scrape, app } };
	const struct http_server_options opt = {
		.applet = "redis-exporter",
		.title = "Redis Exporter",
		.cfg = &app->rf->web,
		.scraper = &main_target.scraper,
		.routes = routes,
		.nroutes = 1,
		.web = web,
	};
	code = http_serve_until_signal(&opt);
	scraper_release(&main_target.scraper);
	redis_target_release(&main_target.target);
	return code;
}

static int run(struct redis_flags *rf)
{
	struct app app = { .rf = rf };
	struct redis_addr addr;
	struct web_config wc;
	bool own_web;
	struct buf err = BUF_INIT;
	int code = 2;

	web_config_init(&wc);
	if (build_web_config(rf, &wc, &own_web, &err) != 0) {
		fprintf(stderr, "redis-exporter: %s\n", buf_cstr(&err));
		buf_release(&err);
		web_config_free(&wc);
		return 2;
	}

	bool has_addr = *rf->addr != '\0';

	if (has_addr && redis_addr_parse(rf->addr, &addr, &err) != 0) {
		fprintf(stderr, "redis-exporter: invalid --redis.addr: %s\n", buf_cstr(&err));
		buf_release(&err);
		web_config_free(&wc);
		return 2;
	}
	buf_release(&err);
	if (check_namespace(rf->opt.ns) || check_max_reply(rf->opt.max_reply_bytes) ||
	    parse_key_flags(rf) ||
	    (*rf->password_file && load_password_file(rf->password_file, &app.passwords))) {
		if (has_addr)
			redis_addr_release(&addr);
		goto out;
	}
	if (*rf->password_file)
		rf->opt.passwords = &app.passwords;
	rf->opt.request_errors = &app.request_errors;
	/*
	 * A fixed mmap threshold: large reply buffers (up to the reply cap) then
	 * live in their own mappings, grown by mremap and unmapped when freed.
	 * glibc's moving threshold would put later ones on the heap, where each
	 * growth may copy (twice the cap at the peak) and the space is kept.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	pthread_mutex_init(&app.lock, NULL);
	pthread_cond_init(&app.wake, NULL);
	apply_go_log_flags(rf);
	log_info("starting redis-exporter", "version", EXPORTERBOX_VERSION);
	bool reaping = rf->target_idle > 0 && !pthread_create(&app.reaper, NULL, reaper_main, &app);
	code = serve(&app, has_addr ? &addr : NULL, own_web ? &wc : NULL);
	pthread_mutex_lock(&app.lock);
	app.stopping = true;
	pthread_cond_signal(&app.wake);
	pthread_mutex_unlock(&app.lock);
	if (reaping)
		pthread_join(app.reaper, NULL);
	for (size_t i = 0; i < app.ncache; i++)
		cached_target_free(app.cache[i]);
	pthread_cond_destroy(&app.wake);
	pthread_mutex_destroy(&app.lock);
out:
	redis_passwords_release(&app.passwords);
	redis_key_args_release(&rf->opt.check_keys);
	redis_key_args_release(&rf->opt.check_single_keys);
	redis_key_args_release(&rf->opt.count_keys);
	web_config_free(&wc);
	return code;
}

int redis_main(int argc, char **argv)
{
	struct redis_flags rf = { 0 };
	struct flagset fs;
	int code;

	flagset_init(&fs, "redis-exporter",
		     "Redis metrics over a persistent connection, a drop-in for redis_exporter.");
	add_redis_flags(&fs, &rf);
	code = http_parse_flags(&fs, &rf.web, argc, argv);
	/* upstream's env twin of a common flag that has none */
	const char *path = getenv("REDIS_EXPORTER_WEB_TELEMETRY_PATH");
	if (code < 0 && path && *path && !flagset_given(&fs, "web.telemetry-path"))
		rf.web.telemetry_path = path;
	if (code < 0)
		code = run(&rf);
	flagset_release(&fs);
	return code;
}
