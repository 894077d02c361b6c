/*
 * Collection of a Kafka cluster into a snapshot with librdkafka, in the
 * order that keeps lag honest: metadata, then the groups' committed offsets,
 * then the log-end offsets (read after the commits, so lag is never below
 * the truth), then, when asked, the timestamps of the committed messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "collector.h"
#include "kafka_lag.h"
#include "log.h"
#include "regex.h"

/* Threads fetching committed offsets, one group at a time each. */
#define COMMIT_WORKERS 4
/*
 * Partitions per rd_kafka_committed() call: it merges its answer into the
 * list in quadratic time (70 ms for 5,000 partitions), so large lists go in
 * chunks.
 */
#define COMMIT_CHUNK 500

struct kl_collector {
	const struct kl_config *cfg;
	rd_kafka_t *rk;
	rd_kafka_conf_t *group_conf;	/* copied for each group's own handle */
	regex_t topic_filter, topic_exclude, group_filter, group_exclude;
	struct buf literals;		/* --group.filter's literal names, NUL-separated */
	size_t nliterals;
	int timeout_ms;
};

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

struct kl_collector *kl_collector_new(const struct kl_config *cfg, struct buf *err)
{
	struct kl_collector *c = calloc(1, sizeof(*c));
	char errstr[512];
	int compiled = 0;

	if (!c)
		abort();
	c->cfg = cfg;
	c->timeout_ms = (int)(cfg->timeout * 1000);
	if (compile(&c->topic_filter, "topic.filter", cfg->topic_filter, err) ||
	    (compiled++, compile(&c->topic_exclude, "topic.exclude", cfg->topic_exclude, err)) ||
	    (compiled++, compile(&c->group_filter, "group.filter", cfg->group_filter, err)) ||
	    (compiled++, compile(&c->group_exclude, "group.exclude", cfg->group_exclude, err)))
		goto free_regexes;
	compiled++;
	c->nliterals = kl_filter_literals(cfg->group_filter, &c->literals);
	rd_kafka_conf_t *conf = build_conf(cfg, err);
	if (!conf)
		goto free_regexes;
	c->group_conf = rd_kafka_conf_dup(conf);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!c->rk) {
		buf_addf(err, "cannot create the Kafka client: %s", errstr);
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

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void *xcalloc(size_t n, size_t size)
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

static bool wanted(const regex_t *filter, const regex_t *exclude, const char *name)
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
	s->brokers = xcalloc((size_t)md->broker_cnt, sizeof(*s->brokers));
	for (int i = 0; i < md->broker_cnt; i++) {
		snprintf(addr, sizeof(addr), "%s:%d", md->brokers[i].host, md->brokers[i].port);
		s->brokers[s->nbrokers++] = (struct kl_broker){ md->brokers[i].id, xstrdup(addr) };
	}
	s->topics = xcalloc((size_t)md->topic_cnt, sizeof(*s->topics));
	for (int i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[i];
		if (mt->err || !wanted(&c->topic_filter, &c->topic_exclude, mt->topic))
			continue;
		struct kl_topic *t = &s->topics[s->ntopics++];
		t->name = xstrdup(mt->topic);
		t->parts = xcalloc((size_t)mt->partition_cnt, sizeof(*t->parts));
		for (int p = 0; p < mt->partition_cnt; p++)
			copy_partition(&t->parts[t->nparts++], &mt->partitions[p]);
		qsort(t->parts, t->nparts, sizeof(*t->parts), cmp_partition);
	}
	qsort(s->topics, s->ntopics, sizeof(*s->topics), cmp_topic);
	rd_kafka_metadata_destroy(md);
	return 0;
}

static void add_group(struct kl_snapshot *s, size_t *cap, const regex_t *filter,
		      const regex_t *exclude, const char *name, long members)
{
	if (!wanted(filter, exclude, name))
		return;
	if (s->ngroups == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		s->groups = realloc(s->groups, *cap * sizeof(*s->groups));
		if (!s->groups)
			abort();
	}
	s->groups[s->ngroups++] = (struct kl_group){ .name = xstrdup(name), .members = members };
}

/*
 * The groups and their member counts from ListGroups and DescribeGroups sent
 * to every broker (librdkafka's rd_kafka_list_groups). Where the brokers
 * cannot list groups (librdkafka's mock cluster, old brokers), the names
 * --group.filter spells out, members not known.
 */
static void list_groups(struct kl_collector *c, struct kl_snapshot *s)
{
	const struct rd_kafka_group_list *list = NULL;
	size_t cap = 0;
	rd_kafka_resp_err_t err = rd_kafka_list_groups(c->rk, NULL, &list, c->timeout_ms);

	if (list) {
		for (int i = 0; i < list->group_cnt; i++)
			add_group(s, &cap, &c->group_filter, &c->group_exclude,
				  list->groups[i].group, list->groups[i].member_cnt);
		rd_kafka_group_list_destroy(list);
	}
	if (err && err != RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
		log_warn("cannot list consumer groups", "err", rd_kafka_err2str(err));
	/* Nothing listed (cannot list, or no broker answered): the literal names. */
	if (!err || s->ngroups > 0)
		return;
	for (size_t i = 0, off = 0; i < c->nliterals; i++) {
		const char *name = c->literals.data + off;
		add_group(s, &cap, &c->group_filter, &c->group_exclude, name, -1);
		off += strlen(name) + 1;
	}
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct kl_group *)a)->name, ((const struct kl_group *)b)->name);
}

/* Every partition of the snapshot's topics. */
static rd_kafka_topic_partition_list_t *all_partitions(const struct kl_snapshot *s)
{
	size_t n = 0;

	for (size_t t = 0; t < s->ntopics; t++)
		n += s->topics[t].nparts;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
	for (size_t t = 0; t < s->ntopics; t++)
		for (size_t i = 0; i < s->topics[t].nparts; i++)
			rd_kafka_topic_partition_list_add(l, s->topics[t].name,
							  s->topics[t].parts[i].id);
	return l;
}

static int cmp_commit(const void *a, const void *b)
{
	const struct kl_commit *x = a, *y = b;
	if (x->topic != y->topic)
		return (x->topic > y->topic) - (x->topic < y->topic);
	return (x->part > y->part) - (x->part < y->part);
}

/*
 * The group's commits from an OffsetFetch answer: every partition of each
 * topic it has committed anything on, KL_NO_OFFSET where it has not.
 */
static void store_commits(const struct kl_snapshot *s, struct kl_group *g,
			  const rd_kafka_topic_partition_list_t *l)
{
	struct kl_commit *found = xcalloc((size_t)l->cnt, sizeof(*found));
	size_t nfound = 0, total = 0;

	for (int i = 0; i < l->cnt; i++) {
		long t = kl_find_topic(s, l->elems[i].topic);
		long p = t < 0 ? -1 : kl_find_partition(&s->topics[t], l->elems[i].partition);
		if (p < 0 || l->elems[i].err || l->elems[i].offset < 0)
			continue;
		found[nfound++] = (struct kl_commit){ (size_t)t, (size_t)p, l->elems[i].offset, NAN };
	}
	qsort(found, nfound, sizeof(*found), cmp_commit);
	for (size_t i = 0; i < nfound; i++)
		if (i == 0 || found[i].topic != found[i - 1].topic)
			total += s->topics[found[i].topic].nparts;
	g->commits = xcalloc(total, sizeof(*g->commits));
	for (size_t i = 0; i < nfound;) {
		size_t t = found[i].topic;
		for (size_t p = 0; p < s->topics[t].nparts; p++) {
			bool have = i < nfound && found[i].topic == t && found[i].part == p;
			g->commits[g->ncommits++] = (struct kl_commit){
				t, p, have ? found[i].offset : KL_NO_OFFSET, NAN };
			i += have;
		}
	}
	free(found);
}

/* What the commit workers share; each takes the next group from `next`. */
struct commit_job {
	struct kl_collector *c;
	struct kl_snapshot *s;
	const rd_kafka_topic_partition_list_t *parts;
	double deadline;
	atomic_size_t next;
	atomic_size_t skipped;
};

/*
 * One group's committed offsets through a short-lived consumer handle with
 * the group's id (rd_kafka_committed). Not the batched admin
 * ListConsumerGroupOffsets: in librdkafka up to at least 2.15 a
 * coordinator-bound admin request that meets a broker going down can abort
 * the whole process (confluentinc/librdkafka#5397, open); the consumer's
 * own OffsetFetch path does not have that bug. A handle costs about 2 ms on
 * loopback.
 */
static int fetch_committed(struct commit_job *job, struct kl_group *g)
{
	char errstr[256];
	int left_ms = (int)((job->deadline - monotonic_seconds()) * 1000);
	rd_kafka_conf_t *conf = rd_kafka_conf_dup(job->c->group_conf);

	if (left_ms <= 0 ||
	    rd_kafka_conf_set(conf, "group.id", g->name, errstr, sizeof(errstr))) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(job->parts);
	rd_kafka_resp_err_t err = 0;
	for (int start = 0; !err && start < l->cnt; start += COMMIT_CHUNK) {
		rd_kafka_topic_partition_list_t chunk = {
			.cnt = l->cnt - start < COMMIT_CHUNK ? l->cnt - start : COMMIT_CHUNK,
			.size = 0, .elems = l->elems + start };
		left_ms = (int)((job->deadline - monotonic_seconds()) * 1000);
		err = left_ms > 0 ? rd_kafka_committed(rk, &chunk, left_ms)
				  : RD_KAFKA_RESP_ERR__TIMED_OUT;
	}
	if (err)
		log_warn("cannot fetch committed offsets", "consumergroup", g->name,
			 "err", rd_kafka_err2str(err));
	else
		store_commits(job->s, g, l);
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return err ? -1 : 0;
}

static void *commit_worker(void *arg)
{
	struct commit_job *job = arg;

	for (size_t i; (i = atomic_fetch_add(&job->next, 1)) < job->s->ngroups;)
		if (fetch_committed(job, &job->s->groups[i]) != 0)
			atomic_fetch_add(&job->skipped, 1);
	return NULL;
}

/* Committed offsets of every group, COMMIT_WORKERS groups at a time. */
static void collect_commits(struct kl_collector *c, struct kl_snapshot *s)
{
	struct commit_job job = { .c = c, .s = s, .parts = all_partitions(s),
				  .deadline = monotonic_seconds() + c->cfg->timeout };
	pthread_t workers[COMMIT_WORKERS];
	size_t started = 0;

	atomic_init(&job.next, 0);
	atomic_init(&job.skipped, 0);
	if (job.parts->cnt > 0)
		for (; started < COMMIT_WORKERS && started < s->ngroups; started++)
			if (pthread_create(&workers[started], NULL, commit_worker, &job) != 0)
				break;
	if (job.parts->cnt > 0 && started == 0)
		commit_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	if (atomic_load(&job.skipped)) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", atomic_load(&job.skipped));
		log_warn("committed offsets missing for some groups", "groups", n);
	}
	rd_kafka_topic_partition_list_destroy((rd_kafka_topic_partition_list_t *)job.parts);
}

static void collect_groups(struct kl_collector *c, struct kl_snapshot *s)
{
	list_groups(c, s);
	if (s->ngroups == 0)
		return;
	qsort(s->groups, s->ngroups, sizeof(*s->groups), cmp_group);
	/* Literal names may repeat ("a|a"): keep one of each. */
	size_t kept = 0;
	for (size_t i = 0; i < s->ngroups; i++) {
		if (kept && strcmp(s->groups[kept - 1].name, s->groups[i].name) == 0) {
			free(s->groups[i].name);
			continue;
		}
		s->groups[kept++] = s->groups[i];
	}
	s->ngroups = kept;
	collect_commits(c, s);
}

/*
 * Log-end (OFFSET_END) or oldest (OFFSET_BEGINNING) offsets of every
 * partition, one ListOffsets request per leader broker, so that a leader
 * that does not answer costs its own partitions only.
 */
static void collect_offsets(struct kl_collector *c, struct kl_snapshot *s, bool newest)
{
	for (size_t b = 0; b < s->nbrokers; b++) {
		int32_t leader = s->brokers[b].id;
		rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
		for (size_t t = 0; t < s->ntopics; t++)
			for (size_t i = 0; i < s->topics[t].nparts; i++)
				if (s->topics[t].parts[i].leader == leader)
					rd_kafka_topic_partition_list_add(
						l, s->topics[t].name, s->topics[t].parts[i].id)
						->offset = newest ? RD_KAFKA_OFFSET_END
								  : RD_KAFKA_OFFSET_BEGINNING;
		rd_kafka_resp_err_t err =
			l->cnt ? rd_kafka_offsets_for_times(c->rk, l, c->timeout_ms) : 0;
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

/* ---- lag in seconds: the timestamp of the message at a committed offset ---- */

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One round: assigns each partition that still has a commit without a
 * timestamp (at most one offset per partition per round) and reads one
 * message from each. Returns how many commits it resolved.
 */
static size_t lag_seconds_round(struct kl_collector *c, struct kl_snapshot *s, double deadline)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	size_t resolved = 0;

	for (size_t g = 0; g < s->ngroups; g++)
		for (size_t i = 0; i < s->groups[g].ncommits; i++) {
			struct kl_commit *k = &s->groups[g].commits[i];
			const struct kl_topic *t = &s->topics[k->topic];
			if (!isnan(k->lag_seconds) || kl_lag(t->parts[k->part].newest, k->offset) <= 0 ||
			    rd_kafka_topic_partition_list_find(l, t->name, t->parts[k->part].id))
				continue;
			rd_kafka_topic_partition_list_add(l, t->name, t->parts[k->part].id)->offset =
				k->offset;
		}
	if (l->cnt == 0 || rd_kafka_assign(c->rk, l)) {
		rd_kafka_topic_partition_list_destroy(l);
		return 0;
	}
	for (int pending = l->cnt; pending > 0 && monotonic_seconds() < deadline;) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 100);
		if (!m)
			continue;
		rd_kafka_topic_partition_t *want = m->err ? NULL :
			rd_kafka_topic_partition_list_find(l, rd_kafka_topic_name(m->rkt), m->partition);
		if (want && want->offset >= 0 && m->offset >= want->offset) {
			int64_t ts = rd_kafka_message_timestamp(m, NULL);
			/* No timestamp (old message format): never resolvable. */
			double age = ts < 0 ? INFINITY : wall_seconds() - (double)ts / 1000;
			for (size_t g = 0; g < s->ngroups; g++)
				for (size_t i = 0; i < s->groups[g].ncommits; i++) {
					struct kl_commit *k = &s->groups[g].commits[i];
					const struct kl_topic *t = &s->topics[k->topic];
					if (k->offset == want->offset && t->parts[k->part].id == m->partition &&
					    strcmp(t->name, want->topic) == 0) {
						k->lag_seconds = age > 0 ? age : 0;
						resolved++;
					}
				}
			want->offset = -1;
			pending--;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_assign(c->rk, NULL);
	rd_kafka_topic_partition_list_destroy(l);
	return resolved;
}

/*
 * Lag in seconds for every commit: 0 where the group is caught up, else the
 * age of the message at its committed offset (one fetch per partition and
 * distinct offset, bounded by the collection timeout).
 */
static void collect_lag_seconds(struct kl_collector *c, struct kl_snapshot *s)
{
	double deadline = monotonic_seconds() + c->cfg->timeout;

	for (size_t g = 0; g < s->ngroups; g++)
		for (size_t i = 0; i < s->groups[g].ncommits; i++) {
			struct kl_commit *k = &s->groups[g].commits[i];
			int64_t lag = kl_lag(s->topics[k->topic].parts[k->part].newest, k->offset);
			if (lag == 0)
				k->lag_seconds = 0;
		}
	while (monotonic_seconds() < deadline && lag_seconds_round(c, s, deadline) > 0)
		;
}

void kl_collect(struct kl_collector *c, struct kl_snapshot *s)
{
	double start = monotonic_seconds();

	s->lag_seconds = c->cfg->lag_seconds;
	if (collect_metadata(c, s) == 0) {
		s->up = true;
		collect_groups(c, s);
		collect_offsets(c, s, true);
		collect_offsets(c, s, false);
		if (c->cfg->lag_seconds)
			collect_lag_seconds(c, s);
	}
	s->collected_at = monotonic_seconds();
	s->duration = s->collected_at - start;
}
