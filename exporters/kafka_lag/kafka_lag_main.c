/*
 * kafka-lag-exporter: consumer lag and topic metrics of a Kafka cluster, a
 * drop-in for danielqsj/kafka_exporter on librdkafka.
 *
 * One background thread collects the cluster every --collect.interval into a
 * snapshot; a scrape renders the latest snapshot (cached per format until
 * the next collection) and never waits on Kafka. The exporter starts and
 * serves whether or not a broker answers, and keeps retrying.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "applets.h"
#include "collector.h"
#include "flags.h"
#include "http.h"
#include "kafka_lag.h"
#include "librdkafka_shim.h"
#include "log.h"
#include "webconfig.h"

/* Largest --sasl.password-file read; a password is far smaller. */
#define PASSWORD_FILE_MAX 4096

/*
 * librdkafka allocates a whole response frame as soon as its 4-byte length
 * arrives, up to receive.message.max.bytes (100 MB by default): a broker, or
 * anything listening on its port, could make us hold 100 MB per connection.
 * 16 MiB is far above what a collection reads (metadata of 100,000
 * partitions is a few MB); fetch.max.bytes must stay 512 bytes below it.
 * Applied first, so --kafka.config overrides them.
 */
static const char *const safe_properties[] = {
	"receive.message.max.bytes=16777216",
	"fetch.max.bytes=16776192",
};
#define NSAFE (sizeof(safe_properties) / sizeof(safe_properties[0]))

struct kl_state {
	const struct kl_config *cfg;
	struct kl_labels labels;
	struct kl_collector *collector;
	pthread_t thread;
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t wake;		/* signalled to stop */
	bool stop;
	struct kl_snapshot *snap;	/* the latest collection, or NULL before the first */
	struct buf rendered[2];		/* snap rendered, per expo_format */
	bool have_rendered[2];
};

static void *collect_loop(void *arg)
{
	struct kl_state *st = arg;

	pthread_mutex_lock(&st->lock);
	while (!st->stop) {
		pthread_mutex_unlock(&st->lock);
		struct kl_snapshot *s = calloc(1, sizeof(*s));
		if (!s)
			abort();
		kl_collect(st->collector, s);
		pthread_mutex_lock(&st->lock);
		if (st->snap) {
			kl_snapshot_free(st->snap);
			free(st->snap);
		}
		st->snap = s;
		st->have_rendered[0] = st->have_rendered[1] = false;

		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double next = (double)until.tv_nsec / 1e9 + st->cfg->interval;
		until.tv_sec += (time_t)next;
		until.tv_nsec = (long)((next - (double)(time_t)next) * 1e9);
		while (!st->stop && pthread_cond_timedwait(&st->wake, &st->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* The one collector: copies the latest snapshot's rendering into the scrape. */
static int kafka_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct kl_state *st = (struct kl_state *)ctx->config;
	int f = w->format == EXPO_OPENMETRICS;

	pthread_mutex_lock(&st->lock);
	if (st->snap && !st->have_rendered[f]) {
		struct expo cache;
		buf_truncate(&st->rendered[f], 0);
		expo_init(&cache, &st->rendered[f], w->format);
		kl_render(st->snap, &st->labels, &cache);
		expo_release(&cache);
		st->have_rendered[f] = true;
	}
	if (st->snap)
		buf_add(w->out, st->rendered[f].data, st->rendered[f].len);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static const struct collector kafka_collector = {
	.name = "kafka", .enabled_by_default = true, .collect = kafka_collect,
};

static const struct metric_desc up_desc = {
	"kafka_up", "Whether the last collection reached the Kafka cluster (metadata answered).",
	METRIC_GAUGE, NULL };
static const struct metric_desc age_desc = {
	"kafka_snapshot_age_seconds",
	"Seconds since the collection the served Kafka series come from ended.",
	METRIC_GAUGE, NULL };
static const struct metric_desc duration_desc = {
	"kafka_collection_duration_seconds",
	"Seconds the last collection of the Kafka cluster took.", METRIC_GAUGE, NULL };

static void write_self_metrics(void *cls, struct expo *w)
{
	struct kl_state *st = cls;

	pthread_mutex_lock(&st->lock);
	bool up = st->snap && st->snap->up;
	double collected_at = st->snap ? st->snap->collected_at : 0;
	double duration = st->snap ? st->snap->duration : 0;
	bool have = st->snap != NULL;
	pthread_mutex_unlock(&st->lock);

	expo_family(w, &up_desc);
	expo_value(w, up);
	if (!have)
		return;
	expo_family(w, &age_desc);
	expo_value(w, duration_seconds(monotonic_seconds() - collected_at));
	expo_family(w, &duration_desc);
	expo_value(w, duration_seconds(duration));
}

struct kl_flags {
	struct kl_config cfg;
	struct http_config web;
	const char *sasl_password_file;	/* --sasl.password-file */
	struct buf password;		/* read from it; wiped at exit */
	const char **properties;	/* safe_properties, then --kafka.config */
	struct strlist given;		/* --kafka.config's own list (the flagset's) */
	/* Upstream flags accepted for drop-in command lines, without effect here. */
	const char *unused_str[16];
	bool unused_bool[8];
	long unused_int[2];
};

static void add_kafka_flags(struct flagset *fs, struct kl_flags *kf)
{
	struct kl_config *c = &kf->cfg;
	const char **us = kf->unused_str;
	bool *ub = kf->unused_bool;
	const struct flag flags[] = {
		{ "kafka.server", FLAG_LIST, &c->servers, "kafka:9092", NULL,
		  "Address (host:port) of Kafka server." },
		{ "kafka.version", FLAG_STRING, &c->kafka_version, "2.0.0", NULL,
		  "Kafka broker version (accepted; librdkafka negotiates the protocol)." },
		{ "kafka.config", FLAG_LIST, &c->properties, NULL, NULL,
		  "A librdkafka property KEY=VALUE passed to the client (repeatable)." },
		{ "kafka.labels", FLAG_STRING, &c->labels, "", NULL, "Kafka cluster name" },
		{ "sasl.enabled", FLAG_BOOL, &c->sasl_enabled, "false", NULL,
		  "Connect using SASL/PLAIN, default is false." },
		{ "sasl.username", FLAG_STRING, &c->sasl_username, "", NULL, "SASL user name." },
		{ "sasl.password", FLAG_STRING, &c->sasl_password, "", NULL, "SASL user password." },
		{ "sasl.password-file", FLAG_STRING, &kf->sasl_password_file, "", NULL,
		  "File holding the SASL user password (one trailing newline ignored); "
		  "not visible in the process list, unlike --sasl.password." },
		{ "sasl.mechanism", FLAG_STRING, &c->sasl_mechanism, "", NULL,
		  "The SASL mechanism: plain, scram-sha256, scram-sha512 or gssapi." },
		{ "tls.enabled", FLAG_BOOL, &c->tls_enabled, "false", NULL,
		  "Connect to Kafka using TLS, default is false." },
		{ "tls.server-name", FLAG_STRING, &c->tls_server_name, "", NULL,
		  "Accepted; librdkafka verifies the broker's own host name." },
		{ "tls.ca-file", FLAG_STRING, &c->tls_ca_file, "", NULL,
		  "The optional certificate authority file for Kafka TLS client authentication." },
		{ "tls.cert-file", FLAG_STRING, &c->tls_cert_file, "", NULL,
		  "The optional certificate file for Kafka client authentication." },
		{ "tls.key-file", FLAG_STRING, &c->tls_key_file, "", NULL,
		  "The optional key file for Kafka client authentication." },
		{ "tls.insecure-skip-tls-verify", FLAG_BOOL, &c->tls_insecure_skip_verify, "false",
		  NULL, "If true, the server's certificate will not be checked for validity." },
		{ "topic.filter", FLAG_STRING, &c->topic_filter, ".*", NULL,
		  "Regex that determines which topics to collect." },
		{ "topic.exclude", FLAG_STRING, &c->topic_exclude, "^$", NULL,
		  "Regex that determines which topics to exclude." },
		{ "group.filter", FLAG_STRING, &c->group_filter, ".*", NULL,
		  "Regex that determines which consumer groups to collect." },
		{ "group.exclude", FLAG_STRING, &c->group_exclude, "^$", NULL,
		  "Regex that determines which consumer groups to exclude." },
		{ "collect.interval", FLAG_DURATION, &c->interval, "15s", NULL,
		  "How often the cluster is collected in the background; scrapes serve the latest." },
		{ "collect.timeout", FLAG_DURATION, &c->timeout, "10s", NULL,
		  "Timeout of each Kafka request of a collection." },
		{ "collect.lag-seconds", FLAG_BOOL, &c->lag_seconds, "false", NULL,
		  "Export kafka_consumergroup_lag_seconds (reads the message at each committed offset)." },
		/* Upstream's, accepted so that its command lines keep working. */
		{ "refresh.metadata", FLAG_STRING, &us[0], "30s", NULL,
		  "Accepted; metadata is read on every collection.", NULL, true },
		{ "sasl.handshake", FLAG_BOOL, &ub[0], "true", NULL, "Accepted.", NULL, true },
		{ "sasl.service-name", FLAG_STRING, &us[1], "", NULL, "Accepted.", NULL, true },
		{ "sasl.kerberos-config-path", FLAG_STRING, &us[2], "", NULL, "Accepted.", NULL, true },
		{ "sasl.realm", FLAG_STRING, &us[3], "", NULL, "Accepted.", NULL, true },
		{ "sasl.kerberos-auth-type", FLAG_STRING, &us[4], "", NULL, "Accepted.", NULL, true },
		{ "sasl.keytab-path", FLAG_STRING, &us[5], "", NULL, "Accepted.", NULL, true },
		{ "sasl.disable-PA-FX-FAST", FLAG_BOOL, &ub[1], "false", NULL, "Accepted.", NULL, true },
		{ "use.consumelag.zookeeper", FLAG_BOOL, &ub[2], "false", NULL, "Accepted.", NULL, true },
		{ "zookeeper.server", FLAG_STRING, &us[6], "localhost:2181", NULL, "Accepted.", NULL,
		  true },
		{ "offset.show-all", FLAG_BOOL, &ub[3], "true", NULL, "Accepted.", NULL, true },
		{ "concurrent.enable", FLAG_BOOL, &ub[4], "false", NULL, "Accepted.", NULL, true },
		{ "topic.workers", FLAG_INT, &kf->unused_int[0], "100", NULL, "Accepted.", NULL, true },
		{ "kafka.allow-auto-topic-creation", FLAG_BOOL, &ub[5], "false", NULL, "Accepted.",
		  NULL, true },
		{ "verbosity", FLAG_INT, &kf->unused_int[1], "0", NULL, "Accepted.", NULL, true },
		{ "log.enable-sarama", FLAG_BOOL, &ub[6], "false", NULL, "Accepted.", NULL, true },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
	http_add_flags(fs, &kf->web, ":9308", NULL);
}

static int start_collection(struct kl_state *st)
{
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->wake, NULL);
	if (pthread_create(&st->thread, NULL, collect_loop, st) == 0)
		return 0;
	log_error("cannot start the collection thread");
	return -1;
}

static void stop_collection(struct kl_state *st)
{
	pthread_mutex_lock(&st->lock);
	st->stop = true;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->thread, NULL);
	if (st->snap) {
		kl_snapshot_free(st->snap);
		free(st->snap);
	}
	buf_release(&st->rendered[0]);
	buf_release(&st->rendered[1]);
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->lock);
}

static int serve(struct kl_flags *kf, struct kl_state *st)
{
	const struct collector *const table[] = { &kafka_collector };
	const bool enabled[] = { true };
	struct scraper scraper;

	if (start_collection(st) != 0)
		return 1;
	if (scraper_init(&scraper, "kafka", "kafka_exporter", st, table, enabled, 1) != 0) {
		stop_collection(st);
		return 1;
	}
	scraper.exporter_metrics = !kf->web.disable_exporter_metrics;
	scraper.extra = write_self_metrics;
	scraper.extra_cls = st;
	const struct http_server_options opt = {
		.applet = "kafka-lag-exporter",
		.title = "Kafka Exporter",
		.cfg = &kf->web,
		.scraper = &scraper,
	};
	int code = http_serve_until_signal(&opt);
	scraper_release(&scraper);
	stop_collection(st);
	return code;
}

/*
 * --sasl.password-file into kf->password, which then stands for
 * --sasl.password. The path may be printed, never what the file holds.
 */
static int read_password_file(struct kl_flags *kf, struct buf *err)
{
	const char *path = kf->sasl_password_file;

	if (!*path)
		return 0;
	if (*kf->cfg.sasl_password) {
		buf_adds(err, "--sasl.password and --sasl.password-file exclude each other: give one");
		return -1;
	}
	int e = web_read_file(path, &kf->password, PASSWORD_FILE_MAX);
	if (e < 0) {
		buf_addf(err, "cannot read --sasl.password-file %s: %s", path,
			 e == -EINVAL ? "not a regular file" : strerror(-e));
		web_one_line(err, 0);	/* the path is the user's, line breaks and all */
		return -1;
	}
	size_t n = kf->password.len;
	if (n && kf->password.data[n - 1] == '\n')
		n--;
	if (n && kf->password.data[n - 1] == '\r')
		n--;
	buf_truncate(&kf->password, n);
	kf->cfg.sasl_password = buf_cstr(&kf->password);
	return 0;
}

/* Puts safe_properties in front of --kafka.config's, which win. */
static void add_safe_properties(struct kl_flags *kf)
{
	struct strlist *p = &kf->cfg.properties;

	kf->properties = calloc(NSAFE + p->n, sizeof(*kf->properties));
	if (!kf->properties)
		abort();
	memcpy(kf->properties, safe_properties, sizeof(safe_properties));
	if (p->n)
		memcpy(kf->properties + NSAFE, p->v, p->n * sizeof(*p->v));
	kf->given = *p;
	p->v = kf->properties;
	p->n += NSAFE;
}

/* Start-up checks beyond the flag syntax: one line and exit 2 on failure. */
static int prepare(struct kl_flags *kf, struct kl_state *st)
{
	struct buf err = BUF_INIT;

	add_safe_properties(kf);

	if (kf->cfg.interval <= 0 || kf->cfg.timeout <= 0)
		buf_adds(&err, "--collect.interval and --collect.timeout must be positive");
	else if (read_password_file(kf, &err) == 0 &&
		 kl_parse_labels(kf->cfg.labels, &st->labels, &err) == 0 &&
		 !(st->collector = kl_collector_new(&kf->cfg, &err)))
		kl_labels_free(&st->labels);
	if (err.len)
		fprintf(stderr, "kafka-lag-exporter: %s\n", buf_cstr(&err));
	int rc = err.len ? -1 : 0;
	buf_release(&err);
	return rc;
}

int kafka_lag_main(int argc, char **argv)
{
	struct kl_flags kf = { 0 };
	struct kl_state st = { .cfg = &kf.cfg };
	struct flagset fs;

	/*
	 * librdkafka's threads (and ours fetching commits) would each get a
	 * malloc arena that keeps its peak: two arenas halve the RSS of a
	 * 5,000-partition cluster (41 to 24 MB in the scale run).
	 */
	mallopt(M_ARENA_MAX, 2);
	flagset_init(&fs, "kafka-lag-exporter",
		     "Kafka consumer lag and topic metrics, a drop-in for kafka_exporter.");
	add_kafka_flags(&fs, &kf);
	int code = http_parse_flags(&fs, &kf.web, argc, argv);
	const char *no_librdkafka = code < 0 ? librdkafka_load() : NULL;
	if (no_librdkafka) {
		fprintf(stderr, "kafka-lag-exporter: %s\n", no_librdkafka);
		code = 1;
	}
	if (code < 0 && prepare(&kf, &st) != 0)
		code = 2;
	if (code < 0) {
		log_info("starting kafka-lag-exporter", "version", EXPORTERBOX_VERSION);
		code = serve(&kf, &st);
		kl_collector_free(st.collector);
		kl_labels_free(&st.labels);
	}
	if (kf.password.data)
		explicit_bzero(kf.password.data, kf.password.len);
	buf_release(&kf.password);
	if (kf.properties) {
		kf.cfg.properties = kf.given;	/* the flagset frees its own array */
		free(kf.properties);
	}
	flagset_release(&fs);
	return code;
}
