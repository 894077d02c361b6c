/*
 * kafka_mock_cluster: a librdkafka mock cluster (a real Kafka protocol
 * endpoint on loopback) with a known scenario, for kafka-lag-exporter's tests.
 *
 *   kafka_mock_cluster [--brokers N] [--scale TOPICS PARTITIONS GROUPS]
 *
 * Prints "bootstrap HOST:PORT,..." and then "ready" on stdout, then reads
 * commands from stdin, one per line, answering "ok" or "error ...":
 *
 *   down ID | up ID         take broker ID down (connections refused) / back
 *   produce TOPIC PART N     append N messages (timestamps: now)
 *   commit GROUP TOPIC PART OFFSET
 *   vanish                   destroy the whole cluster (its ports close)
 *   quit                     (or end of input)
 *
 * The default scenario (three brokers) is what tests/integration/kafka_e2e.sh
 * asserts; message i of every partition has timestamp BASE_MS + i * 1000,
 * BASE_MS printed as "base_ms N".
 *
 *   orders   3 partitions, replication 3: 10, 20, 5 messages
 *   billing  2 partitions, replication 1: 7, 0 messages
 *   internal 1 partition:  3 messages
 *   g1: orders 0=4 1=20 2=0, billing 0=7      (lag 6 0 5 | 0)
 *   g2: orders 0=10                           (partitions 1, 2 uncommitted)
 *   other: orders 0=1                         (not in the tests' group filter)
 *
 * --scale makes TOPICS topics "t<i>" of PARTITIONS partitions with 10
 * messages each and GROUPS groups "group<j>", group j committing offset 5 on
 * every partition of topic j % TOPICS.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int64_t base_ms;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "kafka_mock_cluster: %s: %s\n", what, detail);
	exit(1);
}

static rd_kafka_t *new_client(rd_kafka_type_t type, const char *bootstrap,
			      const char *group)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
	if (bootstrap)
		rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
	if (group &&
	    (rd_kafka_conf_set(conf, "group.id", group, err, sizeof(err)) ||
	     rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err))))
		die("conf", err);
	rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));
	if (!rk)
		die("rd_kafka_new", err);
	return rk;
}

/* Queues n messages; flush: wait until they are all acknowledged. */
static int produce(rd_kafka_t *producer, const char *topic, int partition,
		   int first, int n, int64_t ts_base, bool flush)
{
	for (int i = 0; i < n; i++) {
		char value[32];
		snprintf(value, sizeof(value), "m%d", first + i);
		rd_kafka_resp_err_t err = rd_kafka_producev(
			producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
			RD_KAFKA_V_TIMESTAMP(ts_base + (int64_t)(first + i) * 1000),
			RD_KAFKA_V_VALUE(value, strlen(value)),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (err)
			return -1;
		rd_kafka_poll(producer, 0);
	}
	return flush && rd_kafka_flush(producer, 30000) ? -1 : 0;
}

static int commit(const char *bootstrap, const char *group, const char *topic,
		  int partition, int64_t offset)
{
	rd_kafka_t *c = new_client(RD_KAFKA_CONSUMER, bootstrap, group);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
	rd_kafka_resp_err_t err = rd_kafka_commit(c, l, 0);
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return err ? -1 : 0;
}

static void create_topic(rd_kafka_mock_cluster_t *mc, const char *topic,
			 int partitions, int replication)
{
	if (rd_kafka_mock_topic_create(mc, topic, partitions, replication))
		die("topic create", topic);
}

static void default_scenario(rd_kafka_mock_cluster_t *mc, rd_kafka_t *producer,
			     const char *bs)
{
	static const struct { const char *topic; int partition, messages; } data[] = {
		{ "orders", 0, 10 }, { "orders", 1, 20 }, { "orders", 2, 5 },
		{ "billing", 0, 7 }, { "internal", 0, 3 },
	};
	static const struct { const char *group, *topic; int partition; int64_t offset; } commits[] = {
		{ "g1", "orders", 0, 4 }, { "g1", "orders", 1, 20 }, { "g1", "orders", 2, 0 },
		{ "g1", "billing", 0, 7 }, { "g2", "orders", 0, 10 }, { "other", "orders", 0, 1 },
	};

	create_topic(mc, "orders", 3, 3);
	create_topic(mc, "billing", 2, 1);
	create_topic(mc, "internal", 1, 1);
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (produce(producer, data[i].topic, data[i].partition, 0, data[i].messages,
			    base_ms, true))
			die("produce", data[i].topic);
	for (size_t i = 0; i < sizeof(commits) / sizeof(commits[0]); i++)
		if (commit(bs, commits[i].group, commits[i].topic, commits[i].partition,
			   commits[i].offset))
			die("commit", commits[i].group);
}

static void scale_scenario(rd_kafka_mock_cluster_t *mc, rd_kafka_t *producer,
			   const char *bs, int topics, int partitions, int groups)
{
	char name[64];

	for (int t = 0; t < topics; t++) {
		snprintf(name, sizeof(name), "t%d", t);
		create_topic(mc, name, partitions, 1);
		for (int p = 0; p < partitions; p++)
			if (produce(producer, name, p, 0, 10, base_ms, false))
				die("produce", name);
	}
	if (rd_kafka_flush(producer, 120000))
		die("produce", "flush");
	rd_kafka_t *c = NULL;
	for (int g = 0; g < groups; g++) {
		char group[64];
		snprintf(group, sizeof(group), "group%d", g);
		snprintf(name, sizeof(name), "t%d", g % topics);
		c = new_client(RD_KAFKA_CONSUMER, bs, group);
		rd_kafka_topic_partition_list_t *l =
			rd_kafka_topic_partition_list_new(partitions);
		for (int p = 0; p < partitions; p++)
			rd_kafka_topic_partition_list_add(l, name, p)->offset = 5;
		if (rd_kafka_commit(c, l, 0))
			die("commit", group);
		rd_kafka_topic_partition_list_destroy(l);
		rd_kafka_consumer_close(c);
		rd_kafka_destroy(c);
	}
}

static void answer(int failed)
{
	puts(failed ? "error" : "ok");
	fflush(stdout);
}

/* Reads commands until quit or end of input. */
static void command_loop(rd_kafka_mock_cluster_t **mc, rd_kafka_t *producer,
			 const char *bs)
{
	char line[512], a[200], b[200];
	int id, n;
	long long off;

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "down %d", &id) == 1 && *mc)
			answer(rd_kafka_mock_broker_set_down(*mc, id) != 0);
		else if (sscanf(line, "up %d", &id) == 1 && *mc)
			answer(rd_kafka_mock_broker_set_up(*mc, id) != 0);
		else if (sscanf(line, "produce %199s %d %d", a, &id, &n) == 3 && *mc)
			answer(produce(producer, a, id, 0, n,
				       (int64_t)time(NULL) * 1000, true) != 0);
		else if (sscanf(line, "commit %199s %199s %d %lld", a, b, &id, &off) == 4 && *mc)
			answer(commit(bs, a, b, id, off) != 0);
		else if (strncmp(line, "vanish", 6) == 0 && *mc) {
			rd_kafka_mock_cluster_destroy(*mc);
			*mc = NULL;
			answer(0);
		} else if (strncmp(line, "quit", 4) == 0)
			return;
		else
			answer(1);
	}
}

/* A count from the command line: a whole number from 1 to 1,000,000. */
static int count_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > 1000000)
		die("not a count", s);
	return (int)v;
}

int main(int argc, char **argv)
{
	int brokers = 3, topics = 0, partitions = 0, groups = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc)
			brokers = count_arg(argv[++i]);
		else if (strcmp(argv[i], "--scale") == 0 && i + 3 < argc) {
			topics = count_arg(argv[++i]);
			partitions = count_arg(argv[++i]);
			groups = count_arg(argv[++i]);
		} else
			die("usage", "[--brokers N] [--scale TOPICS PARTITIONS GROUPS]");
	}
	base_ms = ((int64_t)time(NULL) - 3600) * 1000;

	/* The cluster's own handle; a second one produces through the protocol. */
	rd_kafka_t *owner = new_client(RD_KAFKA_PRODUCER, NULL, NULL);
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(owner, brokers);
	if (!mc)
		die("mock cluster", "cannot create");
	const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
	char *bootstrap = strdup(bs);
	rd_kafka_t *producer = new_client(RD_KAFKA_PRODUCER, bootstrap, NULL);

	if (topics > 0)
		scale_scenario(mc, producer, bootstrap, topics, partitions, groups);
	else
		default_scenario(mc, producer, bootstrap);
	printf("bootstrap %s\nbase_ms %" PRId64 "\nready\n", bootstrap, base_ms);
	fflush(stdout);
	command_loop(&mc, producer, bootstrap);

	rd_kafka_destroy(producer);
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(owner);
	free(bootstrap);
	return 0;
}
