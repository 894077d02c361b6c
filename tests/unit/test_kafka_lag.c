/*
 * Tests of kafka-lag-exporter's pure parts: --kafka.config and --kafka.labels
 * parsing, the literal group names of --group.filter, lag arithmetic, and
 * the rendering of a hand-built snapshot (exact lines, constant labels,
 * uncommitted partitions kept out of sums, unknown values left out).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_lag.h"
#include "test_util.h"

/* ---- --kafka.config ------------------------------------------------------ */

static void test_split_property(void **state)
{
	struct buf k = BUF_INIT, v = BUF_INIT, err = BUF_INIT;
	(void)state;

	assert_int_equal(kl_split_property("socket.timeout.ms=5000", &k, &v, &err), 0);
	assert_string_equal(buf_cstr(&k), "socket.timeout.ms");
	assert_string_equal(buf_cstr(&v), "5000");
	buf_truncate(&k, 0);
	buf_truncate(&v, 0);
	/* The value keeps later '=' (base64 secrets end in them). */
	assert_int_equal(kl_split_property("a=b=c=", &k, &v, &err), 0);
	assert_string_equal(buf_cstr(&k), "a");
	assert_string_equal(buf_cstr(&v), "b=c=");
	assert_int_equal(kl_split_property("novalue", &k, &v, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "KEY=VALUE"));
	buf_truncate(&err, 0);
	assert_int_equal(kl_split_property("=x", &k, &v, &err), -1);
	buf_release(&k);
	buf_release(&v);
	buf_release(&err);
}

/* ---- --kafka.labels ------------------------------------------------------ */

static void test_labels_upstream_rules(void **state)
{
	struct kl_labels l;
	struct buf err = BUF_INIT;
	(void)state;

	assert_int_equal(kl_parse_labels("", &l, &err), 0);
	assert_int_equal(l.n, 0);
	/* Items without '=' are skipped; "a=b=c" keeps "b", as upstream's Split. */
	assert_int_equal(kl_parse_labels("cluster=prod,junk,dc=a=b,empty=", &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.names[0], "cluster");
	assert_string_equal(l.values[0], "prod");
	assert_string_equal(l.names[1], "dc");
	assert_string_equal(l.values[1], "a");
	assert_string_equal(l.names[2], "empty");
	assert_string_equal(l.values[2], "");
	kl_labels_free(&l);
	buf_release(&err);
}

static void test_labels_rejected(void **state)
{
	static const char *const bad[] = {
		"1x=a", "my-label=a", "topic=a", "consumergroup=x", "a=1,a=2",
		"a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1", "=a",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kl_labels l;
		struct buf err = BUF_INIT;
		assert_int_equal(kl_parse_labels(bad[i], &l, &err), -1);
		assert_non_null(strstr(buf_cstr(&err), "--kafka.labels"));
		assert_int_equal(l.n, 0);
		buf_release(&err);
	}
}

/* ---- literal group names of --group.filter ------------------------------- */

/* The names joined with ' ', or "" for none. */
static void literals(const char *pattern, struct buf *joined)
{
	struct buf out = BUF_INIT;
	size_t n = kl_filter_literals(pattern, &out);

	buf_truncate(joined, 0);
	for (size_t i = 0, off = 0; i < n; i++) {
		buf_addf(joined, "%s%s", i ? " " : "", out.data + off);
		off += strlen(out.data + off) + 1;
	}
	buf_release(&out);
}

static void test_filter_literals(void **state)
{
	static const char *const cases[][2] = {
		{ "g1|g2", "g1 g2" },
		{ "^(orders|billing)$", "orders billing" },
		{ "^(?:orders|billing)$", "orders billing" },
		{ "(a|b)", "a b" },
		{ "^a$|^b$", "a b" },
		{ "single", "single" },
		{ "^my\\.group-1$", "my.group-1" },
		{ "svc_a|team/b|x:y", "svc_a team/b x:y" },
		{ ".*", "" },
		{ "", "" },
		{ "g[0-9]", "" },
		{ "a+|b", "" },
		{ "(a)|(b)", "" },
		{ "^(a|b)x$", "" },
		{ "a||b", "" },
		{ "^$", "" },
		{ "(a|b", "" },
		{ "a\\", "" },
		{ "^(a|b\\)$", "" },
	};
	struct buf got = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		literals(cases[i][0], &got);
		if (strcmp(buf_cstr(&got), cases[i][1]) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i][0], buf_cstr(&got),
				 cases[i][1]);
	}
	buf_release(&got);
}

/* Which filters the collector matches by name instead of by regex. */
static void test_filter_names_only(void **state)
{
	static const struct {
		const char *pattern;
		bool names_only;
	} cases[] = {
		{ "^(g1|g2)$", true },
		{ "^g1$|^g2$", true },
		{ "^(svc_a|team/b|x:y)$", true },
		{ "^(single)$", true },
		{ "g1|g2", false },		/* unanchored: also "xg1y" */
		{ "^(g1|g2)", false },
		{ "(g1|g2)$", false },
		{ "^g1|g2$", false },
		{ "^(?:g1|g2)$", false },	/* same meaning, left to the regex */
		{ "^(my\\.group)$", false },	/* an escape: left to the regex */
		{ "(?i)^(g1|g2)$", false },
		{ "^(g[0-9]|g2)$", false },
		{ ".*", false },
		{ "", false },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf lits = BUF_INIT;
		size_t n = kl_filter_literals(cases[i].pattern, &lits);
		if (kl_filter_names_only(cases[i].pattern, &lits, n) != cases[i].names_only)
			fail_msg("%s: names only %d, want %d", cases[i].pattern,
				 !cases[i].names_only, cases[i].names_only);
		buf_release(&lits);
	}
}

/* ---- lag ---------------------------------------------------------------- */

static void test_lag(void **state)
{
	(void)state;
	assert_int_equal(kl_lag(10, 4), 6);
	assert_int_equal(kl_lag(10, 10), 0);
	/* A commit past the log end (read before it) is not negative lag. */
	assert_int_equal(kl_lag(10, 12), 0);
	assert_int_equal(kl_lag(KL_NO_OFFSET, 4), -1);
	assert_int_equal(kl_lag(10, KL_NO_OFFSET), -1);
	assert_int_equal(kl_lag(0, 0), 0);
}

/* ---- rendering ---------------------------------------------------------- */

static char *xs(const char *s)
{
	return strdup(s);
}

/*
 * Two topics; "orders" p0..p2 with log ends 10, 20, unknown (leader down);
 * group g1 commits 4, 25, 1 on orders and nothing on "audit"; g2 commits p0
 * only (p1, p2 uncommitted) and has 2 members.
 */
static void build_snapshot(struct kl_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->up = true;
	s->lag_seconds = true;
	s->nbrokers = 2;
	s->brokers = calloc(2, sizeof(*s->brokers));
	s->brokers[0] = (struct kl_broker){ 1, xs("k1:9092") };
	s->brokers[1] = (struct kl_broker){ 2, xs("k2:9092") };
	s->ntopics = 2;
	s->topics = calloc(2, sizeof(*s->topics));
	s->topics[0].name = xs("audit");
	s->topics[0].nparts = 1;
	s->topics[0].parts = calloc(1, sizeof(struct kl_partition));
	s->topics[0].parts[0] = (struct kl_partition){ 0, 2, 2, 2, 1, 3, 0 };
	s->topics[1].name = xs("orders");
	s->topics[1].nparts = 3;
	s->topics[1].parts = calloc(3, sizeof(struct kl_partition));
	s->topics[1].parts[0] = (struct kl_partition){ 0, 1, 1, 2, 2, 10, 2 };
	s->topics[1].parts[1] = (struct kl_partition){ 1, 1, 2, 2, 2, 20, 0 };
	s->topics[1].parts[2] = (struct kl_partition){ 2, -1, 2, 2, 1, KL_NO_OFFSET,
						       KL_NO_OFFSET };
	s->ngroups = 2;
	s->groups = calloc(2, sizeof(*s->groups));
	s->groups[0] = (struct kl_group){ xs("g1"), -1, calloc(3, sizeof(struct kl_commit)), 3 };
	s->groups[0].commits[0] = (struct kl_commit){ 1, 0, 4, 12.5 };
	s->groups[0].commits[1] = (struct kl_commit){ 1, 1, 25, 0 };
	s->groups[0].commits[2] = (struct kl_commit){ 1, 2, 1, NAN };
	s->groups[1] = (struct kl_group){ xs("g2"), 2, calloc(3, sizeof(struct kl_commit)), 3 };
	s->groups[1].commits[0] = (struct kl_commit){ 1, 0, 10, 0 };
	s->groups[1].commits[1] = (struct kl_commit){ 1, 1, KL_NO_OFFSET, NAN };
	s->groups[1].commits[2] = (struct kl_commit){ 1, 2, KL_NO_OFFSET, NAN };
}

static void render(const struct kl_snapshot *s, const struct kl_labels *cl, struct buf *out)
{
	struct expo w;

	expo_init(&w, out, EXPO_TEXT);
	kl_render(s, cl, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
}

static void test_render_values(void **state)
{
	static const char *const want[] = {
		"kafka_brokers 2",
		"kafka_broker_info{id=\"2\",address=\"k2:9092\"} 1",
		"kafka_topic_partitions{topic=\"orders\"} 3",
		"kafka_topic_partition_current_offset{topic=\"orders\",partition=\"1\"} 20",
		"kafka_topic_partition_oldest_offset{topic=\"orders\",partition=\"0\"} 2",
		"kafka_topic_partition_leader{topic=\"audit\",partition=\"0\"} 2",
		"kafka_topic_partition_replicas{topic=\"orders\",partition=\"2\"} 2",
		"kafka_topic_partition_in_sync_replica{topic=\"orders\",partition=\"2\"} 1",
		"kafka_topic_partition_leader_is_preferred{topic=\"orders\",partition=\"0\"} 1",
		"kafka_topic_partition_leader_is_preferred{topic=\"orders\",partition=\"1\"} 0",
		"kafka_topic_partition_leader_is_preferred{topic=\"orders\",partition=\"2\"} 0",
		"kafka_topic_partition_under_replicated_partition{topic=\"orders\",partition=\"2\"} 1",
		"kafka_topic_partition_under_replicated_partition{topic=\"audit\",partition=\"0\"} 1",
		"kafka_consumergroup_current_offset{consumergroup=\"g1\",topic=\"orders\",partition=\"2\"} 1",
		"kafka_consumergroup_current_offset_sum{consumergroup=\"g1\",topic=\"orders\"} 30",
		"kafka_consumergroup_current_offset_sum{consumergroup=\"g2\",topic=\"orders\"} 10",
		"kafka_consumergroup_lag{consumergroup=\"g1\",topic=\"orders\",partition=\"0\"} 6",
		"kafka_consumergroup_lag{consumergroup=\"g1\",topic=\"orders\",partition=\"1\"} 0",
		"kafka_consumergroup_lag{consumergroup=\"g2\",topic=\"orders\",partition=\"0\"} 0",
		"kafka_consumergroup_lag_sum{consumergroup=\"g1\",topic=\"orders\"} 6",
		"kafka_consumergroup_lag_sum{consumergroup=\"g2\",topic=\"orders\"} 0",
		"kafka_consumer_lag_sum{consumergroup=\"g1\",topic=\"orders\"} 6",
		"kafka_consumergroup_uncommitted_partitions{consumergroup=\"g1\",topic=\"orders\"} 0",
		"kafka_consumergroup_uncommitted_partitions{consumergroup=\"g2\",topic=\"orders\"} 2",
		"kafka_consumergroup_lag_seconds{consumergroup=\"g1\",topic=\"orders\",partition=\"0\"} 12.5",
		"kafka_consumergroup_members{consumergroup=\"g2\"} 2",
	};
	static const char *const absent[] = {
		/* Leader down: no log end, so no lag and no current offset. */
		"kafka_topic_partition_current_offset{topic=\"orders\",partition=\"2\"}",
		"kafka_topic_partition_leader{topic=\"orders\",partition=\"2\"}",
		"kafka_consumergroup_lag{consumergroup=\"g1\",topic=\"orders\",partition=\"2\"}",
		/* Uncommitted partitions: no -1 anywhere. */
		"kafka_consumergroup_lag{consumergroup=\"g2\",topic=\"orders\",partition=\"1\"}",
		"kafka_consumergroup_current_offset{consumergroup=\"g2\",topic=\"orders\",partition=\"1\"}",
		" -1\n",
		/* Topics a group never committed on, members not known. */
		"consumergroup=\"g1\",topic=\"audit\"",
		"kafka_consumergroup_members{consumergroup=\"g1\"}",
		"kafka_consumergroup_lag_seconds{consumergroup=\"g1\",topic=\"orders\",partition=\"2\"}",
	};
	struct kl_snapshot s;
	struct kl_labels none = { .n = 0 };
	struct buf out = BUF_INIT;
	(void)state;

	build_snapshot(&s);
	render(&s, &none, &out);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		test_assert_line(buf_cstr(&out), want[i]);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (strstr(buf_cstr(&out), absent[i]))
			fail_msg("unexpected: %s\n%s", absent[i], buf_cstr(&out));
	kl_snapshot_free(&s);
	buf_release(&out);
}

static void test_render_const_labels(void **state)
{
	struct kl_snapshot s;
	struct kl_labels cl;
	struct buf out = BUF_INIT, err = BUF_INIT;
	(void)state;

	build_snapshot(&s);
	assert_int_equal(kl_parse_labels("cluster=a\"b,env=prod", &cl, &err), 0);
	render(&s, &cl, &out);
	test_assert_line(buf_cstr(&out), "kafka_brokers{cluster=\"a\\\"b\",env=\"prod\"} 2");
	test_assert_line(buf_cstr(&out),
			 "kafka_consumer_lag_sum{consumergroup=\"g1\",topic=\"orders\","
			 "cluster=\"a\\\"b\",env=\"prod\"} 6");
	kl_labels_free(&cl);
	kl_snapshot_free(&s);
	buf_release(&out);
	buf_release(&err);
}

static void test_render_down_and_no_lag_seconds(void **state)
{
	struct kl_snapshot s;
	struct kl_labels none = { .n = 0 };
	struct buf out = BUF_INIT;
	(void)state;

	build_snapshot(&s);
	s.lag_seconds = false;
	render(&s, &none, &out);
	assert_null(strstr(buf_cstr(&out), "lag_seconds"));
	buf_truncate(&out, 0);
	s.up = false;
	render(&s, &none, &out);
	assert_int_equal(out.len, 0);
	kl_snapshot_free(&s);
	buf_release(&out);
}

/*
 * danielqsj/kafka_exporter's families (kafka_exporter.go): name, HELP and
 * label names exactly as upstream declares them. Ours must match every one
 * (kafka_consumergroupzookeeper_lag_zookeeper is upstream's ZooKeeper mode,
 * which we do not have).
 */
static const struct {
	const char *name, *help, *labels;
} upstream[] = {
	{ "kafka_brokers", "Number of Brokers in the Kafka Cluster.", "" },
	{ "kafka_broker_info", "Information about the Kafka Broker.", "id,address" },
	{ "kafka_topic_partitions", "Number of partitions for this Topic", "topic" },
	{ "kafka_topic_partition_current_offset", "Current Offset of a Broker at Topic/Partition",
	  "topic,partition" },
	{ "kafka_topic_partition_oldest_offset", "Oldest Offset of a Broker at Topic/Partition",
	  "topic,partition" },
	{ "kafka_topic_partition_leader", "Leader Broker ID of this Topic/Partition",
	  "topic,partition" },
	{ "kafka_topic_partition_replicas", "Number of Replicas for this Topic/Partition",
	  "topic,partition" },
	{ "kafka_topic_partition_in_sync_replica",
	  "Number of In-Sync Replicas for this Topic/Partition", "topic,partition" },
	{ "kafka_topic_partition_leader_is_preferred",
	  "1 if Topic/Partition is using the Preferred Broker", "topic,partition" },
	{ "kafka_topic_partition_under_replicated_partition",
	  "1 if Topic/Partition is under Replicated", "topic,partition" },
	{ "kafka_consumergroup_current_offset",
	  "Current Offset of a ConsumerGroup at Topic/Partition", "consumergroup,topic,partition" },
	{ "kafka_consumergroup_current_offset_sum",
	  "Current Offset of a ConsumerGroup at Topic for all partitions", "consumergroup,topic" },
	{ "kafka_consumergroup_lag", "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
	  "consumergroup,topic,partition" },
	{ "kafka_consumergroup_lag_sum",
	  "Current Approximate Lag of a ConsumerGroup at Topic for all partitions",
	  "consumergroup,topic" },
	{ "kafka_consumergroup_members", "Amount of members in a consumer group", "consumergroup" },
};

/* The label names of the first sample of family name in text, comma-joined. */
static void first_sample_labels(const char *text, const char *name, struct buf *out)
{
	struct buf prefix = BUF_INIT;
	buf_addf(&prefix, "\n%s", name);
	const char *p = strstr(text, buf_cstr(&prefix));
	for (; p; p = strstr(p + 1, buf_cstr(&prefix))) {
		char next = p[prefix.len];
		if (next == '{' || next == ' ')
			break;
	}
	buf_release(&prefix);
	assert_non_null(p);
	p += strlen(name) + 1;
	buf_truncate(out, 0);
	if (*p != '{')
		return;
	for (p++; *p && *p != '}';) {
		const char *eq = strchr(p, '=');
		buf_addf(out, "%s%.*s", out->len ? "," : "", (int)(eq - p), p);
		p = eq + 2;
		while (*p && *p != '"')
			p += *p == '\\' ? 2 : 1;
		p += *p == '"';
		p += *p == ',';
	}
}

static void test_upstream_families(void **state)
{
	struct kl_snapshot s;
	struct kl_labels none = { .n = 0 };
	struct buf out = BUF_INIT, line = BUF_INIT, labels = BUF_INIT;
	(void)state;

	build_snapshot(&s);
	render(&s, &none, &out);
	for (size_t i = 0; i < sizeof(upstream) / sizeof(upstream[0]); i++) {
		buf_truncate(&line, 0);
		buf_addf(&line, "# HELP %s %s", upstream[i].name, upstream[i].help);
		test_assert_line(buf_cstr(&out), buf_cstr(&line));
		buf_truncate(&line, 0);
		buf_addf(&line, "# TYPE %s gauge", upstream[i].name);
		test_assert_line(buf_cstr(&out), buf_cstr(&line));
		first_sample_labels(buf_cstr(&out), upstream[i].name, &labels);
		assert_string_equal(buf_cstr(&labels), upstream[i].labels);
	}
	/* The seed's alert name, with the same labels as upstream's sum. */
	first_sample_labels(buf_cstr(&out), "kafka_consumer_lag_sum", &labels);
	assert_string_equal(buf_cstr(&labels), "consumergroup,topic");
	kl_snapshot_free(&s);
	buf_release(&out);
	buf_release(&line);
	buf_release(&labels);
}

static void test_find(void **state)
{
	struct kl_snapshot s;
	(void)state;

	build_snapshot(&s);
	assert_int_equal(kl_find_topic(&s, "audit"), 0);
	assert_int_equal(kl_find_topic(&s, "orders"), 1);
	assert_int_equal(kl_find_topic(&s, "nope"), -1);
	assert_int_equal(kl_find_partition(&s.topics[1], 2), 2);
	assert_int_equal(kl_find_partition(&s.topics[1], 7), -1);
	assert_int_equal(kl_find_partition(&s.topics[1], -1), -1);
	kl_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_property),
		cmocka_unit_test(test_labels_upstream_rules),
		cmocka_unit_test(test_labels_rejected),
		cmocka_unit_test(test_filter_literals),
		cmocka_unit_test(test_filter_names_only),
		cmocka_unit_test(test_lag),
		cmocka_unit_test(test_render_values),
		cmocka_unit_test(test_render_const_labels),
		cmocka_unit_test(test_render_down_and_no_lag_seconds),
		cmocka_unit_test(test_upstream_families),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
