/*
 * The snapshot of a Kafka cluster and its rendering into danielqsj/
 * kafka_exporter's families (names, labels and HELP as upstream), plus ours.
 * Every family is written whole, one after another, so nothing is split.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_lag.h"

void kl_snapshot_free(struct kl_snapshot *s)
{
	for (size_t i = 0; i < s->nbrokers; i++)
		free(s->brokers[i].address);
	for (size_t i = 0; i < s->ntopics; i++) {
		free(s->topics[i].name);
		free(s->topics[i].parts);
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		free(s->groups[i].name);
		free(s->groups[i].commits);
	}
	free(s->brokers);
	free(s->topics);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}

int64_t kl_lag(int64_t newest, int64_t committed)
{
	if (newest < 0 || committed < 0)
		return -1;
	return newest > committed ? newest - committed : 0;
}

long kl_find_topic(const struct kl_snapshot *s, const char *name)
{
	size_t lo = 0, hi = s->ntopics;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->topics[mid].name, name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long kl_find_partition(const struct kl_topic *t, int32_t id)
{
	/* Partitions are 0..n-1 in practice: try the direct slot first. */
	if (id >= 0 && (size_t)id < t->nparts && t->parts[id].id == id)
		return id;
	for (size_t i = 0; i < t->nparts; i++)
		if (t->parts[i].id == id)
			return (long)i;
	return -1;
}

/*
 * A family with the constant labels (--kafka.labels) appended to its own, as
 * upstream's const labels are.
 */
struct family {
	struct expo *w;
	const struct kl_labels *cl;
	struct metric_desc desc;
	const char *names[4 + KL_MAX_CONST_LABELS];
};

static void family_start(struct family *f, const char *name, const char *help,
			 const char *const *labels)
{
	size_t n = 0;

	for (; labels && labels[n]; n++)
		f->names[n] = labels[n];
	for (size_t i = 0; i < f->cl->n; i++)
		f->names[n++] = f->cl->names[i];
	f->names[n] = NULL;
	f->desc = (struct metric_desc){ name, help, METRIC_GAUGE, n ? f->names : NULL };
	expo_family(f->w, &f->desc);
}

/* A sample: up to three label values of the family, then the constant ones. */
static void sample(struct family *f, double v, const char *a, const char *b,
		   const char *c)
{
	const char *values[4 + KL_MAX_CONST_LABELS];
	size_t n = 0;

	if (a)
		values[n++] = a;
	if (b)
		values[n++] = b;
	if (c)
		values[n++] = c;
	for (size_t i = 0; i < f->cl->n; i++)
		values[n++] = f->cl->values[i];
	values[n] = NULL;
	expo_samplev(f->w, n ? values : NULL, v);
}

static void render_brokers(const struct kl_snapshot *s, struct family *f)
{
	char id[16];

	family_start(f, "kafka_brokers", "Number of Brokers in the Kafka Cluster.", NULL);
	sample(f, (double)s->nbrokers, NULL, NULL, NULL);
	family_start(f, "kafka_broker_info", "Information about the Kafka Broker.",
		     LABELS("id", "address"));
	for (size_t i = 0; i < s->nbrokers; i++) {
		snprintf(id, sizeof(id), "%d", (int)s->brokers[i].id);
		sample(f, 1, id, s->brokers[i].address, NULL);
	}
}

enum part_field { NEWEST, OLDEST, LEADER, REPLICAS, ISR, PREFERRED, UNDER_REPLICATED };

static const struct {
	const char *name, *help;
	enum part_field field;
} part_families[] = {
	{ "kafka_topic_partition_current_offset",
	  "Current Offset of a Broker at Topic/Partition", NEWEST },
	{ "kafka_topic_partition_oldest_offset",
	  "Oldest Offset of a Broker at Topic/Partition", OLDEST },
	{ "kafka_topic_partition_leader", "Leader Broker ID of this Topic/Partition", LEADER },
	{ "kafka_topic_partition_replicas", "Number of Replicas for this Topic/Partition",
	  REPLICAS },
	{ "kafka_topic_partition_in_sync_replica",
	  "Number of In-Sync Replicas for this Topic/Partition", ISR },
	{ "kafka_topic_partition_leader_is_preferred",
	  "1 if Topic/Partition is using the Preferred Broker", PREFERRED },
	{ "kafka_topic_partition_under_replicated_partition",
	  "1 if Topic/Partition is under Replicated", UNDER_REPLICATED },
};

/* The value of field for p; false when it is not known (no sample). */
static bool part_value(const struct kl_partition *p, enum part_field field, double *v)
{
	switch (field) {
	case NEWEST: *v = (double)p->newest; return p->newest >= 0;
	case OLDEST: *v = (double)p->oldest; return p->oldest >= 0;
	case LEADER: *v = p->leader; return p->leader >= 0;
	case REPLICAS: *v = p->nreplicas; return true;
	case ISR: *v = p->nisr; return true;
	case PREFERRED:
		*v = p->leader >= 0 && p->leader == p->preferred_leader;
		return true;
	case UNDER_REPLICATED: *v = p->nisr < p->nreplicas; return true;
	}
	return false;
}

static void render_topics(const struct kl_snapshot *s, struct family *f)
{
	char part[16];
	double v;

	family_start(f, "kafka_topic_partitions", "Number of partitions for this Topic",
		     LABELS("topic"));
	for (size_t t = 0; t < s->ntopics; t++)
		sample(f, (double)s->topics[t].nparts, s->topics[t].name, NULL, NULL);
	for (size_t k = 0; k < sizeof(part_families) / sizeof(part_families[0]); k++) {
		family_start(f, part_families[k].name, part_families[k].help,
			     LABELS("topic", "partition"));
		for (size_t t = 0; t < s->ntopics; t++)
			for (size_t i = 0; i < s->topics[t].nparts; i++) {
				const struct kl_partition *p = &s->topics[t].parts[i];
				if (!part_value(p, part_families[k].field, &v))
					continue;
				snprintf(part, sizeof(part), "%d", (int)p->id);
				sample(f, v, s->topics[t].name, part, NULL);
			}
	}
}

static const struct kl_partition *commit_partition(const struct kl_snapshot *s,
						    const struct kl_commit *c)
{
	return &s->topics[c->topic].parts[c->part];
}

enum commit_field { COMMITTED, LAG, LAG_SECONDS };

/* Per-partition group families: committed partitions only. */
static void render_commits(const struct kl_snapshot *s, struct family *f,
			   enum commit_field field)
{
	char part[16];

	for (size_t g = 0; g < s->ngroups; g++)
		for (size_t i = 0; i < s->groups[g].ncommits; i++) {
			const struct kl_commit *c = &s->groups[g].commits[i];
			const struct kl_partition *p = commit_partition(s, c);
			int64_t lag = kl_lag(p->newest, c->offset);
			double v = field == COMMITTED ? (double)c->offset :
				   field == LAG ? (double)lag : c->lag_seconds;
			if (c->offset < 0 || (field == LAG && lag < 0) ||
			    (field == LAG_SECONDS && !isfinite(v)))
				continue;
			snprintf(part, sizeof(part), "%d", (int)p->id);
			sample(f, v, s->groups[g].name, s->topics[c->topic].name, part);
		}
}

enum sum_field { COMMITTED_SUM, LAG_SUM, UNCOMMITTED };

/*
 * Per-topic sums of a group, over the partitions it has committed (lag only
 * where the log-end offset is known too). Topics the group has committed
 * nothing on are not shown, as upstream.
 */
static void render_sums(const struct kl_snapshot *s, struct family *f, enum sum_field field)
{
	for (size_t g = 0; g < s->ngroups; g++) {
		const struct kl_group *grp = &s->groups[g];
		for (size_t i = 0; i < grp->ncommits;) {
			size_t topic = grp->commits[i].topic;
			double sum = 0;
			bool consumed = false;
			for (; i < grp->ncommits && grp->commits[i].topic == topic; i++) {
				const struct kl_commit *c = &grp->commits[i];
				int64_t lag = kl_lag(commit_partition(s, c)->newest, c->offset);
				consumed |= c->offset >= 0;
				if (field == COMMITTED_SUM && c->offset >= 0)
					sum += (double)c->offset;
				else if (field == LAG_SUM && lag >= 0)
					sum += (double)lag;
				else if (field == UNCOMMITTED && c->offset < 0)
					sum++;
			}
			if (consumed)
				sample(f, sum, grp->name, s->topics[topic].name, NULL);
		}
	}
}

static void render_groups(const struct kl_snapshot *s, struct family *f)
{
	family_start(f, "kafka_consumergroup_current_offset",
		     "Current Offset of a ConsumerGroup at Topic/Partition",
		     LABELS("consumergroup", "topic", "partition"));
	render_commits(s, f, COMMITTED);
	family_start(f, "kafka_consumergroup_current_offset_sum",
		     "Current Offset of a ConsumerGroup at Topic for all partitions",
		     LABELS("consumergroup", "topic"));
	render_sums(s, f, COMMITTED_SUM);
	family_start(f, "kafka_consumergroup_lag",
		     "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
		     LABELS("consumergroup", "topic", "partition"));
	render_commits(s, f, LAG);
	family_start(f, "kafka_consumergroup_lag_sum",
		     "Current Approximate Lag of a ConsumerGroup at Topic for all partitions",
		     LABELS("consumergroup", "topic"));
	render_sums(s, f, LAG_SUM);
	family_start(f, "kafka_consumer_lag_sum",
		     "Current Approximate Lag of a ConsumerGroup at Topic for all partitions "
		     "(the same value as kafka_consumergroup_lag_sum).",
		     LABELS("consumergroup", "topic"));
	render_sums(s, f, LAG_SUM);
	family_start(f, "kafka_consumergroup_uncommitted_partitions",
		     "Partitions of a Topic the ConsumerGroup consumes but has no committed offset on.",
		     LABELS("consumergroup", "topic"));
	render_sums(s, f, UNCOMMITTED);
	if (s->lag_seconds) {
		family_start(f, "kafka_consumergroup_lag_seconds",
			     "Age in seconds of the message at the committed offset of a "
			     "ConsumerGroup at Topic/Partition; 0 when caught up.",
			     LABELS("consumergroup", "topic", "partition"));
		render_commits(s, f, LAG_SECONDS);
	}
	family_start(f, "kafka_consumergroup_members", "Amount of members in a consumer group",
		     LABELS("consumergroup"));
	for (size_t g = 0; g < s->ngroups; g++)
		if (s->groups[g].members >= 0)
			sample(f, (double)s->groups[g].members, s->groups[g].name, NULL, NULL);
}

void kl_render(const struct kl_snapshot *s, const struct kl_labels *cl, struct expo *w)
{
	struct family f = { .w = w, .cl = cl };

	if (!s->up)
		return;
	render_brokers(s, &f);
	render_topics(s, &f);
	render_groups(s, &f);
}
