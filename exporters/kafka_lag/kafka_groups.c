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
 * Partitions per rd_kafka_committed() call. librdkafka matches each answer
 * to its request in quadratic time (strcmp per pair), and each call is a
 * round trip through three threads: for one group of 5,000 partitions on
 * loopback, chunks of 5,000 cost 70 ms, 500 cost 10 ms, 100 5.5 ms, 50
 * 7.8 ms. Chunks are built as they go, so a worker holds a few kB.
 */
#define COMMIT_CHUNK 100

static void add_group(const struct kl_collector *c, struct kl_snapshot *s, size_t *cap,
		      const char *name, long members)
{
	if (!kl_group_wanted(c, name))
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
			add_group(c, s, &cap, list->groups[i].group, list->groups[i].member_cnt);
		rd_kafka_group_list_destroy(list);
	}
	if (err && err != RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
		log_warn("cannot list consumer groups", "err", rd_kafka_err2str(err));
	/* Nothing listed (cannot list, or no broker answered): the literal names. */
	if (!err || s->ngroups > 0)
		return;
	for (size_t i = 0, off = 0; i < c->nliterals; i++) {
		const char *name = c->literals.data + off;
		add_group(c, s, &cap, name, -1);
		off += strlen(name) + 1;
	}
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct kl_group *)a)->name, ((const struct kl_group *)b)->name);
}

static int cmp_commit(const void *a, const void *b)
{
	const struct kl_commit *x = a, *y = b;
	if (x->topic != y->topic)
		return (x->topic > y->topic) - (x->topic < y->topic);
	return (x->part > y->part) - (x->part < y->part);
}

/* The commits found so far for one group, in no order. */
struct found {
	struct kl_commit *v;
	size_t n, cap;
};

static void found_add(struct found *f, size_t topic, size_t part, int64_t offset)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (!f->v)
			abort();
	}
	f->v[f->n++] = (struct kl_commit){ topic, part, offset, NAN };
}

/*
 * The group's commits: every partition of each topic it has committed
 * anything on, KL_NO_OFFSET where it has not. Consumes found.
 */
static void store_commits(const struct kl_snapshot *s, struct kl_group *g, struct found *f)
{
	size_t total = 0;

	qsort(f->v, f->n, sizeof(*f->v), cmp_commit);
	for (size_t i = 0; i < f->n; i++)
		if (i == 0 || f->v[i].topic != f->v[i - 1].topic)
			total += s->topics[f->v[i].topic].nparts;
	g->commits = kl_xcalloc(total, sizeof(*g->commits));
	for (size_t i = 0; i < f->n;) {
		size_t t = f->v[i].topic;
		for (size_t p = 0; p < s->topics[t].nparts; p++) {
			bool have = i < f->n && f->v[i].topic == t && f->v[i].part == p;
			g->commits[g->ncommits++] = (struct kl_commit){
				t, p, have ? f->v[i].offset : KL_NO_OFFSET, NAN };
			i += have;
		}
	}
	free(f->v);
	*f = (struct found){ 0 };
}

/* What the commit workers share; each takes the next group from `next`. */
struct commit_job {
	struct kl_collector *c;
	struct kl_snapshot *s;
	double deadline;
	atomic_size_t next;
	atomic_size_t skipped;
};

/* A position in the snapshot's partitions: topic t, its partition index p. */
struct cursor {
	size_t t, p;
};

/* The next COMMIT_CHUNK partitions from *at on (NULL at the end); moves *at. */
static rd_kafka_topic_partition_list_t *next_chunk(const struct kl_snapshot *s, struct cursor *at)
{
	rd_kafka_topic_partition_list_t *l = NULL;

	for (; at->t < s->ntopics; at->t++, at->p = 0)
		for (; at->p < s->topics[at->t].nparts; at->p++) {
			if (l && l->cnt == COMMIT_CHUNK)
				return l;
			if (!l)
				l = rd_kafka_topic_partition_list_new(COMMIT_CHUNK);
			rd_kafka_topic_partition_list_add(l, s->topics[at->t].name,
							  s->topics[at->t].parts[at->p].id);
		}
	return l;
}

/* Keeps the committed offsets of an OffsetFetch answer. */
static void add_answer(const struct kl_snapshot *s, const rd_kafka_topic_partition_list_t *l,
		       struct found *f)
{
	for (int i = 0; i < l->cnt; i++) {
		long t = kl_find_topic(s, l->elems[i].topic);
		long p = t < 0 ? -1 : kl_find_partition(&s->topics[t], l->elems[i].partition);
		if (p >= 0 && !l->elems[i].err && l->elems[i].offset >= 0)
			found_add(f, (size_t)t, (size_t)p, l->elems[i].offset);
	}
}

/* A consumer handle whose group.id is the group's, or NULL. */
static rd_kafka_t *group_handle(const struct commit_job *job, const char *group)
{
	char errstr[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_dup(job->c->group_conf);

	if (rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr))) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk)
		rd_kafka_conf_destroy(conf);
	return rk;
}

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
	struct cursor at = { 0, 0 };
	struct found f = { 0 };
	rd_kafka_topic_partition_list_t *l = next_chunk(job->s, &at);

	if (!l)
		return 0;	/* no partitions: nothing to ask */
	bool in_time = monotonic_seconds() < job->deadline;
	rd_kafka_t *rk = in_time ? group_handle(job, g->name) : NULL;
	rd_kafka_resp_err_t err = rk ? 0 : in_time ? RD_KAFKA_RESP_ERR__FAIL
					     : RD_KAFKA_RESP_ERR__TIMED_OUT;
	for (; l; l = err ? NULL : next_chunk(job->s, &at)) {
		int left_ms = (int)((job->deadline - monotonic_seconds()) * 1000);
		if (!err)
			err = left_ms > 0 ? rd_kafka_committed(rk, l, left_ms)
					  : RD_KAFKA_RESP_ERR__TIMED_OUT;
		if (!err)
			add_answer(job->s, l, &f);
		rd_kafka_topic_partition_list_destroy(l);
	}
	if (err) {
		log_warn("cannot fetch committed offsets", "consumergroup", g->name,
			 "err", rd_kafka_err2str(err));
		free(f.v);
	} else {
		store_commits(job->s, g, &f);
	}
	if (rk) {
		rd_kafka_consumer_close(rk);
		rd_kafka_destroy(rk);
	}
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
	struct commit_job job = { .c = c, .s = s,
				  .deadline = monotonic_seconds() + c->cfg->timeout };
	pthread_t workers[COMMIT_WORKERS];
	size_t started = 0;

	atomic_init(&job.next, 0);
	atomic_init(&job.skipped, 0);
	for (; started < COMMIT_WORKERS && started < s->ngroups; started++)
		if (pthread_create(&workers[started], NULL, commit_worker, &job) != 0)
			break;
	if (started == 0)
		commit_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	if (atomic_load(&job.skipped)) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", atomic_load(&job.skipped));
		log_warn("committed offsets missing for some groups", "groups", n);
	}
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
