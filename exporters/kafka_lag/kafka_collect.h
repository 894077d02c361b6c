/*
 * kafka_collect: what the collection's files share (not for tests): the
 * collector's state, allocation helpers that abort on OOM, and the phases
 * kl_collect() runs in order (kafka_collect.c: metadata and offsets;
 * kafka_groups.c: groups and their commits; kafka_lag_seconds.c).
 */
#ifndef EXPORTERBOX_KAFKA_COLLECT_H
#define EXPORTERBOX_KAFKA_COLLECT_H

#include <regex.h>
#include <stdbool.h>

#include <librdkafka/rdkafka.h>

#include "buf.h"
#include "kafka_lag.h"

struct kl_collector {
	const struct kl_config *cfg;
	rd_kafka_t *rk;
	rd_kafka_conf_t *group_conf;	/* copied for each group's own handle */
	regex_t topic_filter, topic_exclude, group_filter, group_exclude;
	struct buf literals;		/* --group.filter's literal names, NUL-separated */
	size_t nliterals;
	bool group_names_only;		/* --group.filter is exactly those names */
	int timeout_ms;
};

char *kl_xstrdup(const char *s);
void *kl_xcalloc(size_t n, size_t size);
/* Whether name passes a filter and its exclude. */
bool kl_wanted(const regex_t *filter, const regex_t *exclude, const char *name);
/* Whether group passes --group.filter and --group.exclude. */
bool kl_group_wanted(const struct kl_collector *c, const char *name);

/* Groups (listed or literal), members, and their committed offsets. */
void kl_collect_groups(struct kl_collector *c, struct kl_snapshot *s);
/* kafka_consumergroup_lag_seconds for every commit that is behind. */
void kl_collect_lag_seconds(struct kl_collector *c, struct kl_snapshot *s);

#endif
