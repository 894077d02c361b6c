/*
 * Collection of a Kafka cluster into a snapshot with librdkafka, in the
 * order that keeps lag honest: metadata, then the groups' committed offsets
 * (kafka_groups.c), then the log-end offsets (read after the commits, so lag
 * is never below the truth), then, when asked, the timestamps of the
 * committed messages (kafka_lag_seconds.c). Also the client's configuration
 * from the flags.
 */
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "collector.h"
#include "kafka_collect.h"
#include "log.h"
#include "regex.h"

static void log_librdkafka(const rd_kafka_t *rk, int level, const char *fac, const char *msg)
{
	(void)rk;
	(void)level;
	log_debug("librdkafka", "facility", fac, "msg", msg);
}

static int set_property(rd_kafka_conf_t *conf, const char *key, const char *value,
			struct buf *err)
{
	char errstr[256];

	if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) == RD_KAFKA_CONF_OK)
		return 0;
	/* librdkafka's message may quote the value: not for secrets. */
	bool secret = strstr(key, "password") || strstr(key, "secret");
	buf_addf(err, "invalid Kafka property %s%s%s", key, secret ? "" : ": ",
		 secret ? "" : errstr);
	return -1;
}

static const char *sasl_mechanism_name(const char *flag)
{
	static const char *const map[][2] = {
		{ "", "PLAIN" }, { "plain", "PLAIN" }, { "scram-sha256", "SCRAM-SHA-256" },
		{ "scram-sha512", "SCRAM-SHA-512" }, { "gssapi", "GSSAPI" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(flag, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Upstream's SASL and TLS flags as librdkafka properties. */
static int set_security(rd_kafka_conf_t *conf, const struct kl_config *cfg, struct buf *err)
{
	const char *proto = cfg->sasl_enabled ? (cfg->tls_enabled ? "sasl_ssl" : "sasl_plaintext")
					      : (cfg->tls_enabled ? "ssl" : "plaintext");
	int rc = set_property(conf, "security.protocol", proto, err);

	if (cfg->sasl_enabled) {
		const char *mech = sasl_mechanism_name(cfg->sasl_mechanism);
		if (!mech) {
			buf_addf(err, "invalid --sasl.mechanism \"%.32s\": can only be plain, "
				 "scram-sha256, scram-sha512 or gssapi", cfg->sasl_mechanism);
			return -1;
		}
		rc = rc ? rc : set_property(conf, "sasl.mechanisms", mech, err);
		if (cfg->sasl_username[0])
			rc = rc ? rc : set_property(conf, "sasl.username", cfg->sasl_username, err);
		if (cfg->sasl_password[0])
			rc = rc ? rc : set_property(conf, "sasl.password", cfg->sasl_password, err);
	}
	if (cfg->tls_enabled) {
		if (cfg->tls_ca_file[0])
			rc = rc ? rc : set_property(conf, "ssl.ca.location", cfg->tls_ca_file, err);
		if (cfg->tls_cert_file[0])
			rc = rc ? rc : set_property(conf, "ssl.certificate.location",
						    cfg->tls_cert_file, err);
		if (cfg->tls_key_file[0])
			rc = rc ? rc : set_property(conf, "ssl.key.location", cfg->tls_key_file, err);
		if (cfg->tls_insecure_skip_verify)
			rc = rc ? rc : set_property(conf, "enable.ssl.certificate.verification",
						    "false", err);
	}
	return rc;
}

static rd_kafka_conf_t *build_conf(const struct kl_config *cfg, struct buf *err)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	struct buf servers = BUF_INIT, key = BUF_INIT, value = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < cfg->servers.n; i++)
		buf_addf(&servers, "%s%s", i ? "," : "", cfg->servers.v[i]);
	rc = set_property(conf, "bootstrap.servers", buf_cstr(&servers), err);
	rc = rc ? rc : set_property(conf, "client.id", "kafka_exporter", err);
	rc = rc ? rc : set_property(conf, "enable.auto.commit", "false", err);
	rc = rc ? rc : set_security(conf, cfg, err);
	/* Assigning partitions (the lag-seconds fetch) wants a group; it never joins it. */
	if (cfg->lag_seconds)
		rc = rc ? rc : set_property(conf, "group.id", "kafka-lag-exporter", err);
	/* --kafka.config last: it overrides what the flags above set. */
	for (size_t i = 0; rc == 0 && i < cfg->properties.n; i++) {
		buf_truncate(&key, 0);
		buf_truncate(&value, 0);
		rc = kl_split_property(cfg->properties.v[i], &key, &value, err);
		rc = rc ? rc : set_property(conf, buf_cstr(&key), buf_cstr(&value), err);
	}
	buf_release(&servers);
	buf_release(&key);
	buf_release(&value);
	if (rc) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, log_librdkafka);
	return conf;
}

static int compile(regex_t *re, const char *flag, const char *pattern, struct buf *err)
{
	struct buf why = BUF_INIT;
	int rc = re_compile(re, pattern, &why);

	if (rc)
		buf_addf(err, "invalid --%s: %s", flag, buf_cstr(&why));
	buf_release(&why);
	return rc;
}

/* Whether a name is free of characters that mean something in a regex. */
static bool plain_name(const char *name)
{
	if (!name[0])
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("_-:/@,=%~#", *name))
			return false;
	return true;
}

bool kl_filter_names_only(const char *pattern, const struct buf *lits, size_t n)
{
	struct buf grouped = BUF_INIT, anchored = BUF_INIT;
	bool plain = n > 0;

	buf_adds(&grouped, "^(");
	for (size_t i = 0, off = 0; plain && i < n; i++) {
		const char *name = lits->data + off;
		plain = plain_name(name);
		buf_addf(&grouped, "%s%s", i ? "|" : "", name);
		buf_addf(&anchored, "%s^%s$", i ? "|" : "", name);
		off += strlen(name) + 1;
	}
	buf_adds(&grouped, ")$");
	plain = plain && (strcmp(pattern, buf_cstr(&grouped)) == 0 ||
			  strcmp(pattern, buf_cstr(&anchored)) == 0);
	buf_release(&grouped);
	buf_release(&anchored);
	return plain;
}

bool kl_group_wanted(const struct kl_collector *c, const char *name)
{
	if (!c->group_names_only)
		return kl_wanted(&c->group_filter, &c->group_exclude, name);
	if (re_matches(&c->group_exclude, name))
		return false;
	for (size_t i = 0, off = 0; i < c->nliterals; i++) {
		const char *lit = c->literals.data + off;
		if (strcmp(lit, name) == 0)
			return true;
		off += strlen(lit) + 1;
	}
	return false;
}

struct kl_collector *kl_collector_new(const struct kl_config *cfg, struct buf *err)
{
	struct kl_collector *c = calloc(1, sizeof(*c));
	char errstr[512];
	int compiled = 0;

	if (!c)
		abort();
	/*
	 * Buffers from 128 kB up (the rendered body, 3.3 MB at 5,000
	 * partitions, and each scrape's copies of it) are mapped on their own
	 * and unmapped when freed, rather than glibc raising the threshold after
	 * the first such free and keeping them in an arena for good.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	c->cfg = cfg;
	c->timeout_ms = (int)(cfg->timeout * 1000);
	c->nliterals = kl_filter_literals(cfg->group_filter, &c->literals);
	c->group_names_only = kl_filter_names_only(cfg->group_filter, &c->literals, c->nliterals);
	/* A names-only filter is matched by name; its regex stands unused. */
	if (compile(&c->topic_filter, "topic.filter", cfg->topic_filter, err) ||
	    (compiled++, compile(&c->topic_exclude, "topic.exclude", cfg->topic_exclude, err)) ||
	    (compiled++, compile(&c->group_filter, "group.filter",
				 c->group_names_only ? "^$" : cfg->group_filter, err)) ||
	    (compiled++, compile(&c->group_exclude, "group.exclude", cfg->group_exclude, err)))
		goto free_regexes;
	compiled++;
	rd_kafka_conf_t *conf = build_conf(cfg, err);
	if (!conf)
		goto free_regexes;
	c->group_conf = rd_kafka_conf_dup(conf);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!c->rk) {
		buf_addf(err, "cannot create the Kafka client: %s", errstr);
		rd_kafka_conf_destroy(conf);	/* librdkafka owns it only on success */
		rd_kafka_conf_destroy(c->group_conf);
		goto free_regexes;
	}
	return c;

free_regexes:
	if (compiled > 0)
		regfree(&c->topic_filter);
	if (compiled > 1)
		regfree(&c->topic_exclude);
	if (compiled > 2)
		regfree(&c->group_filter);
	if (compiled > 3)
		regfree(&c->group_exclude);
	buf_release(&c->literals);
	free(c);
	return NULL;
}

void kl_collector_free(struct kl_collector *c)
{
	if (!c)
		return;
	/* A consumer handle is closed before it is destroyed (librdkafka's rule). */
	rd_kafka_consumer_close(c->rk);
	rd_kafka_destroy(c->rk);
	rd_kafka_conf_destroy(c->group_conf);
	regfree(&c->topic_filter);
	regfree(&c->topic_exclude);
	regfree(&c->group_filter);
	regfree(&c->group_exclude);
	buf_release(&c->literals);
	free(c);
}

char *kl_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

void *kl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static int cmp_topic(const void *a, const void *b)
{
	return strcmp(((const struct kl_topic *)a)->name, ((const struct kl_topic *)b)->name);
}

static int cmp_partition(const void *a, const void *b)
{
	int32_t x = ((const struct kl_partition *)a)->id, y = ((const struct kl_partition *)b)->id;
	return (x > y) - (x < y);
}

static void copy_partition(struct kl_partition *p, const rd_kafka_metadata_partition_t *m)
{
	p->id = m->id;
	p->leader = m->leader;
	p->preferred_leader = m->replica_cnt > 0 ? m->replicas[0] : -1;
	p->nreplicas = m->replica_cnt;
	p->nisr = m->isr_cnt;
	p->newest = p->oldest = KL_NO_OFFSET;
}

bool kl_wanted(const regex_t *filter, const regex_t *exclude, const char *name)
{
	return re_matches(filter, name) && !re_matches(exclude, name);
}

/* Brokers and the filtered topics from one Metadata request. */
static int collect_metadata(struct kl_collector *c, struct kl_snapshot *s)
{
	const struct rd_kafka_metadata *md;
	char addr[300];
	rd_kafka_resp_err_t err = rd_kafka_metadata(c->rk, 1, NULL, &md, c->timeout_ms);

	if (err) {
		log_warn("kafka metadata request failed", "err", rd_kafka_err2str(err));
		return -1;
	}
	s->brokers = kl_xcalloc((size_t)md->broker_cnt, sizeof(*s->brokers));
	for (int i = 0; i < md->broker_cnt; i++) {
		snprintf(addr, sizeof(addr), "%s:%d", md->brokers[i].host, md->brokers[i].port);
		s->brokers[s->nbrokers++] = (struct kl_broker){ md->brokers[i].id, kl_xstrdup(addr) };
	}
	s->topics = kl_xcalloc((size_t)md->topic_cnt, sizeof(*s->topics));
	for (int i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[i];
		if (mt->err || !kl_wanted(&c->topic_filter, &c->topic_exclude, mt->topic))
			continue;
		struct kl_topic *t = &s->topics[s->ntopics++];
		t->name = kl_xstrdup(mt->topic);
		t->parts = kl_xcalloc((size_t)mt->partition_cnt, sizeof(*t->parts));
		for (int p = 0; p < mt->partition_cnt; p++)
			copy_partition(&t->parts[t->nparts++], &mt->partitions[p]);
		qsort(t->parts, t->nparts, sizeof(*t->parts), cmp_partition);
	}
	qsort(s->topics, s->ntopics, sizeof(*s->topics), cmp_topic);
	rd_kafka_metadata_destroy(md);
	return 0;
}

/*
 * Log-end (OFFSET_END) or oldest (OFFSET_BEGINNING) offsets of every
 * partition, one ListOffsets request per leader broker, so that a leader
 * that does not answer costs its own partitions only. A step's requests
 * share one --collect.timeout (each still gets OFFSETS_FLOOR_MS, which a
 * broker that is up needs far less than), and the oldest-offsets step skips
 * the brokers whose log-end request failed (failed[], one per broker): with
 * the whole cluster gone, a full timeout per broker and step held
 * `kafka_up 0` back by a minute and more.
 */
#define OFFSETS_FLOOR_MS 1000
static void collect_offsets(struct kl_collector *c, struct kl_snapshot *s, bool newest,
			    bool *failed)
{
	double deadline = monotonic_seconds() + c->timeout_ms / 1000.0;

	for (size_t b = 0; b < s->nbrokers; b++) {
		int32_t leader = s->brokers[b].id;
		if (!newest && failed[b])
			continue;
		int left_ms = (int)((deadline - monotonic_seconds()) * 1000);
		left_ms = left_ms > OFFSETS_FLOOR_MS ? left_ms : OFFSETS_FLOOR_MS;
		left_ms = left_ms < c->timeout_ms ? left_ms : c->timeout_ms;
		rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
		for (size_t t = 0; t < s->ntopics; t++)
			for (size_t i = 0; i < s->topics[t].nparts; i++)
				if (s->topics[t].parts[i].leader == leader)
					rd_kafka_topic_partition_list_add(
						l, s->topics[t].name, s->topics[t].parts[i].id)
						->offset = newest ? RD_KAFKA_OFFSET_END
								  : RD_KAFKA_OFFSET_BEGINNING;
		rd_kafka_resp_err_t err =
			l->cnt ? rd_kafka_offsets_for_times(c->rk, l, left_ms) : 0;
		if (newest)
			failed[b] = err != 0;
		if (err) {
			char id[16];
			snprintf(id, sizeof(id), "%d", (int)leader);
			log_warn("cannot list offsets", "broker", id, "err", rd_kafka_err2str(err));
		}
		for (int i = 0; !err && i < l->cnt; i++) {
			long t = kl_find_topic(s, l->elems[i].topic);
			long p = t < 0 ? -1 : kl_find_partition(&s->topics[t], l->elems[i].partition);
			if (p < 0 || l->elems[i].err || l->elems[i].offset < 0)
				continue;
			struct kl_partition *part = &s->topics[t].parts[p];
			*(newest ? &part->newest : &part->oldest) = l->elems[i].offset;
		}
		rd_kafka_topic_partition_list_destroy(l);
	}
}

/* Seconds since *mark as "%.3f" into out; moves the mark. */
static void lap(double *mark, char out[24])
{
	double now = monotonic_seconds();
	snprintf(out, 24, "%.3f", now - *mark);
	*mark = now;
}

void kl_collect(struct kl_collector *c, struct kl_snapshot *s)
{
	double start = monotonic_seconds(), mark = start;
	char md[24] = "-", groups[24] = "-", newest[24] = "-", oldest[24] = "-", ls[24] = "-";

	s->lag_seconds = c->cfg->lag_seconds;
	if (collect_metadata(c, s) == 0) {
		s->up = true;
		lap(&mark, md);
		kl_collect_groups(c, s);
		lap(&mark, groups);
		bool *failed = calloc(s->nbrokers ? s->nbrokers : 1, sizeof(*failed));
		if (!failed)
			abort();
		collect_offsets(c, s, true, failed);
		lap(&mark, newest);
		collect_offsets(c, s, false, failed);
		lap(&mark, oldest);
		free(failed);
		if (c->cfg->lag_seconds) {
			kl_collect_lag_seconds(c, s);
			lap(&mark, ls);
		}
	}
	s->collected_at = monotonic_seconds();
	s->duration = s->collected_at - start;
	/*
	 * The collection's garbage (librdkafka's per-group handles, OffsetFetch
	 * answers) lies in holes of the heap that free() keeps: give the pages
	 * back before the snapshot's lifetime (0.8 MB at 5,000 partitions).
	 */
	malloc_trim(0);
	/* Where a collection's time goes, for tuning at scale. */
	log_debug("collection phases (s)", "metadata", md, "groups", groups, "log_end", newest,
		  "oldest", oldest, "lag_seconds", ls);
}
