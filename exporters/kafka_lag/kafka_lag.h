/*
 * kafka_lag: the internals of kafka-lag-exporter, shared by its files and
 * reachable from tests and fuzzers.
 *
 * A background thread collects the cluster (metadata, log-end and oldest
 * offsets, consumer groups and their commits) into a kl_snapshot on a refresh
 * interval; scrapes render the latest snapshot and never talk to Kafka.
 */
#ifndef EXPORTERBOX_KAFKA_LAG_H
#define EXPORTERBOX_KAFKA_LAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "expo.h"
#include "flags.h"

/* At most this many --kafka.labels pairs (they go on every series). */
#define KL_MAX_CONST_LABELS 8

struct kl_labels {
	char *names[KL_MAX_CONST_LABELS];
	char *values[KL_MAX_CONST_LABELS];
	size_t n;
};

struct kl_config {
	struct strlist servers;		/* --kafka.server */
	struct strlist properties;	/* --kafka.config KEY=VALUE */
	const char *kafka_version;	/* accepted, unused: librdkafka negotiates */
	bool sasl_enabled;
	const char *sasl_username;
	const char *sasl_password;
	const char *sasl_mechanism;
	bool tls_enabled;
	const char *tls_ca_file, *tls_cert_file, *tls_key_file, *tls_server_name;
	bool tls_insecure_skip_verify;
	const char *topic_filter, *topic_exclude;
	const char *group_filter, *group_exclude;
	const char *labels;		/* --kafka.labels "a=b,c=d" */
	double interval;		/* --collect.interval seconds */
	double timeout;			/* --collect.timeout: per Kafka request */
	bool lag_seconds;		/* --collect.lag-seconds */
};

/* ---- pure parsers (kafka_parse.c) ---- */

/*
 * Splits "KEY=VALUE" at the first '='. Returns 0 with key and value filled
 * (the key trimmed of nothing: librdkafka names have no spaces), or -1 with
 * a one-line reason in err when there is no '=' or the key is empty.
 */
int kl_split_property(const char *kv, struct buf *key, struct buf *value,
		      struct buf *err);

/*
 * Parses --kafka.labels as upstream does ("a=b,c=d": pairs split at ',',
 * then '='; an item without '=' is skipped), but rejects invalid label
 * names, names the series already use, and more than KL_MAX_CONST_LABELS
 * pairs. Returns 0, or -1 with a reason in err. kl_labels_free() releases.
 */
int kl_parse_labels(const char *s, struct kl_labels *out, struct buf *err);
void kl_labels_free(struct kl_labels *l);

/*
 * The group names a regular expression spells out literally, for clusters
 * that cannot list groups: "g1|g2", "^(orders|billing)$", "^a$|^b$",
 * "(?:x\.y)" give their alternatives. Returns how many names were appended to
 * out (each NUL-terminated, one after another), 0 when the pattern is not a
 * plain alternation of literals (".*", "g[0-9]", "a+").
 */
size_t kl_filter_literals(const char *pattern, struct buf *out);

/*
 * Whether pattern is exactly "^(a|b|...)$" or "^a$|^b$|..." over the n
 * names in lits (kl_filter_literals' output), each of letters, digits and
 * "_-:/@,=%~#" only: it then matches those names and nothing else, and the
 * collector matches it by name. That is how groups are spelled out for
 * clusters that cannot list them, and glibc compiles 200 such alternatives
 * into about 1 MB (kafka_collect.c).
 */
bool kl_filter_names_only(const char *pattern, const struct buf *lits, size_t n);

/* ---- the snapshot (kafka_snapshot.c) ---- */

#define KL_NO_OFFSET (-1)

struct kl_partition {
	int32_t id;
	int32_t leader;			/* -1: none */
	int32_t preferred_leader;	/* first replica, -1: none */
	int nreplicas, nisr;
	int64_t newest, oldest;		/* KL_NO_OFFSET: not known */
};

struct kl_topic {
	char *name;
	struct kl_partition *parts;	/* sorted by id */
	size_t nparts;
};

struct kl_broker {
	int32_t id;
	char *address;			/* "host:port" */
};

/* One committed offset of a group (or its absence). */
struct kl_commit {
	size_t topic;			/* index into snapshot topics */
	size_t part;			/* index into that topic's parts */
	int64_t offset;			/* KL_NO_OFFSET: nothing committed */
	double lag_seconds;		/* NaN: not known */
};

struct kl_group {
	char *name;
	long members;			/* -1: not known (cannot describe) */
	struct kl_commit *commits;	/* sorted by topic, then partition */
	size_t ncommits;
};

struct kl_snapshot {
	bool up;			/* metadata answered */
	bool lag_seconds;		/* render kafka_consumergroup_lag_seconds */
	double collected_at;		/* CLOCK_MONOTONIC seconds */
	double duration;		/* seconds the collection took */
	struct kl_broker *brokers;
	size_t nbrokers;
	struct kl_topic *topics;	/* sorted by name */
	size_t ntopics;
	struct kl_group *groups;	/* sorted by name */
	size_t ngroups;
};

void kl_snapshot_free(struct kl_snapshot *s);

/*
 * The lag of a commit against the log-end offset: newest - committed,
 * never below 0 (a commit seen before a log-end read after it can only be
 * behind it; clamping also hides truncated logs). -1 when either is unknown.
 */
int64_t kl_lag(int64_t newest, int64_t committed);

/* Writes every Kafka family of s (not kafka_up and the self-metrics). */
void kl_render(const struct kl_snapshot *s, const struct kl_labels *cl,
	       struct expo *w);

/* The index of the topic called name in s (sorted), or -1. */
long kl_find_topic(const struct kl_snapshot *s, const char *name);
/* The index of partition id in t, or -1. */
long kl_find_partition(const struct kl_topic *t, int32_t id);

/* ---- collection against a cluster (kafka_collect.c) ---- */

struct kl_collector;

/*
 * Builds the librdkafka client from cfg (no connection yet). Returns NULL
 * with a one-line reason in err for a bad property or flag.
 */
struct kl_collector *kl_collector_new(const struct kl_config *cfg, struct buf *err);
void kl_collector_free(struct kl_collector *c);
/* Collects the whole cluster into out (zeroed by the caller). */
void kl_collect(struct kl_collector *c, struct kl_snapshot *out);

#endif
