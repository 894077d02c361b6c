/*
 * Consumer groups: their names and member counts, and their committed
 * offsets, for the snapshot (phase 2 and 3 of a collection).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "kafka_collect.h"
#include "log.h"

/* Threads fetching committed offsets, one group at a time each. */
#define COMMIT_WORKERS 4
/*
 * Partitions per rd_kafka_committed() call: it merges its answer into the
 * list in quadratic time (70 ms for 5,000 partitions), so large lists go in
 * chunks.
 */
#define COMMIT_CHUNK 500

static void add_group(struct kl_snapshot *s, size_t *cap, const regex_t *filter,
		      const regex_t *exclude, const char *name, long members)
{
	if (!kl_wanted(filter, exclude, name))
		return;
	if (s->ngroups == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		s->groups = realloc(s->groups, *cap * sizeof(*s->groups));
		if (!s->groups)
			abort();
	}
	s->groups[s->ngroups++] = (struct kl_group){ .name = kl_xstrdup(name), .members = members };
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
	struct kl_commit *found = kl_xcalloc((size_t)l->cnt, sizeof(*found));
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
	g->commits = kl_xcalloc(total, sizeof(*g->commits));
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

void kl_collect_groups(struct kl_collector *c, struct kl_snapshot *s)
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
