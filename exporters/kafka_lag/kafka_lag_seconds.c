/*
 * Lag in seconds: the timestamp of the message at a committed offset, read
 * with the collector's consumer handle (--collect.lag-seconds).
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "kafka_collect.h"


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
void kl_collect_lag_seconds(struct kl_collector *c, struct kl_snapshot *s)
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
