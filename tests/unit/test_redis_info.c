/*
 * redis-exporter's pure parts: the INFO parser and writer over captured
 * replies (7.0 primary and replica from a real redis-server; 5.0 and 6.2
 * written from the documentation), hostile input, addresses, the password
 * file and key arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redis.h"
#include "redis_fields.h"
#include "test_util.h"
#include "text.h"

static char *read_fixture(const char *name, size_t *len)
{
	char path[512];
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/redis/%s", FIXTURES_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, len);
}

static const struct info_options default_opts = {
	.db_count = 16, .empty_databases = true, .system_metrics = false, .now = 1800000000,
};

/* Renders INFO text as the collector does; the writer must see no error. */
static void render(const char *text, size_t len, const struct info_options *o, struct buf *out)
{
	struct redis_info info;
	struct redis_writer rw;
	struct expo w;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	rw_init(&rw, &w, "redis");
	redis_info_parse(text, len, &info);
	redis_info_write(&rw, &info, o);
	redis_info_release(&info);
	rw_release(&rw);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
}

static void render_fixture(const char *name, const struct info_options *o, struct buf *out)
{
	size_t len;
	char *text = read_fixture(name, &len);
	render(text, len, o, out);
	free(text);
}

static void assert_no_line_prefix(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, n))
			fail_msg("unexpected line starting %s", prefix);
}

static void test_fields_table_sorted(void **state)
{
	(void)state;
	for (size_t i = 1; i < redis_info_metrics_count; i++)
		assert_true(strcmp(redis_info_metrics[i - 1].field, redis_info_metrics[i].field) < 0);
	assert_non_null(redis_info_metric_find("used_memory"));
	assert_null(redis_info_metric_find("no_such_field"));
	/* the hashed lookup finds every entry, and only those */
	for (size_t i = 0; i < redis_info_metrics_count; i++) {
		const char *f = redis_info_metrics[i].field;
		assert_ptr_equal(redis_info_metric_find_hashed(f, text_hash(f, strlen(f))),
				 &redis_info_metrics[i]);
	}
	assert_null(redis_info_metric_find_hashed("no_such_field",
						  text_hash("no_such_field", 13)));
}

static void test_v7_primary(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	render_fixture("info_7.0_primary.txt", &default_opts, &out);
	const char *t = buf_cstr(&out);
	test_assert_line(t, "# HELP redis_memory_used_bytes memory_used_bytes metric");
	test_assert_line(t, "# TYPE redis_memory_used_bytes gauge");
	test_assert_line(t, "# TYPE redis_expired_keys_total counter");
	test_assert_line(t, "redis_memory_max_bytes 0");
	test_assert_line(t, "redis_db_keys{db=\"db0\"} 2");
	test_assert_line(t, "redis_db_keys{db=\"db3\"} 1");
	test_assert_line(t, "redis_db_keys{db=\"db15\"} 0");
	test_assert_line(t, "redis_db_keys_expiring{db=\"db7\"} 0");
	test_assert_line(t, "redis_aof_last_bgrewrite_status 1");
	test_assert_line(t, "redis_cluster_enabled 0");
	test_assert_line(t, "# TYPE redis_latency_percentiles_usec summary");
	test_assert_line(t, "# TYPE redis_commands_total counter");
	test_assert_line(t, "redis_connected_slaves 1");
	test_assert_line(t, "redis_connected_slave_lag_seconds{slave_ip=\"127.0.0.1\","
			    "slave_port=\"42599\",slave_state=\"online\"} 1");
	assert_non_null(strstr(t, "redis_instance_info{role=\"master\",redis_version=\"7.0.15\""));
	assert_non_null(strstr(t, "redis_latency_percentiles_usec{cmd=\"info\",quantile=\"99.9\"}"));
	assert_non_null(strstr(t, "redis_latency_percentiles_usec_count{cmd=\"info\"}"));
	assert_non_null(strstr(t, "redis_start_time_seconds "));
	/* not exported without --include-system-metrics; no slave_info on a master */
	assert_no_line_prefix(t, "redis_total_system_memory_bytes");
	assert_no_line_prefix(t, "redis_slave_info");
	assert_no_line_prefix(t, "redis_used_memory"); /* only upstream's names */
	buf_release(&out);
}

static void test_v7_replica(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	render_fixture("info_7.0_replica.txt", &default_opts, &out);
	const char *t = buf_cstr(&out);
	assert_non_null(strstr(t, "redis_master_link_up{master_host=\"127.0.0.1\",master_port=\""));
	assert_non_null(strstr(t, "redis_slave_info{master_host=\"127.0.0.1\""));
	assert_non_null(strstr(t, "read_only=\"1\"} 1"));
	assert_non_null(strstr(t, "redis_instance_info{role=\"slave\""));
	assert_non_null(strstr(t, "redis_slave_repl_offset{"));
	buf_release(&out);
}

static void test_v5_primary(void **state)
{
	struct buf out = BUF_INIT;
	struct info_options o = default_opts;
	(void)state;

	o.system_metrics = true;
	render_fixture("info_5.0_primary.txt", &o, &out);
	const char *t = buf_cstr(&out);
	test_assert_line(t, "redis_memory_max_bytes 104857600");
	test_assert_line(t, "redis_total_system_memory_bytes 8363204608");
	test_assert_line(t, "redis_latest_fork_seconds 0.0015");
	test_assert_line(t, "redis_rdb_last_bgsave_status 1");
	test_assert_line(t, "redis_aof_last_write_status 0");
	test_assert_line(t, "redis_expired_keys_total 345");
	test_assert_line(t, "redis_evicted_keys_total 17");
	test_assert_line(t, "redis_client_recent_max_input_buffer_bytes 4");
	test_assert_line(t, "redis_commands_total{cmd=\"set\"} 61");
	test_assert_line(t, "redis_commands_duration_seconds_total{cmd=\"set\"} 0.003139");
	test_assert_line(t, "redis_db_avg_ttl_seconds{db=\"db0\"} 60");
	test_assert_line(t, "redis_db_avg_ttl_seconds{db=\"db2\"} 0");
	test_assert_line(t, "redis_db_keys{db=\"db1\"} 0");
	test_assert_line(t, "redis_connected_slave_offset_bytes{slave_ip=\"10.0.0.3\","
			    "slave_port=\"6380\",slave_state=\"wait_bgsave\"} 0");
	test_assert_line(t, "redis_connected_slave_lag_seconds{slave_ip=\"10.0.0.3\","
			    "slave_port=\"6380\",slave_state=\"wait_bgsave\"} 5");
	test_assert_line(t, "redis_start_time_seconds 1799913600");
	/* 5.0 has no rejected/failed calls, no latency or error stats */
	assert_no_line_prefix(t, "# TYPE redis_commands_rejected_calls_total");
	assert_no_line_prefix(t, "# TYPE redis_latency_percentiles_usec");
	assert_no_line_prefix(t, "# TYPE redis_errors_total");
	buf_release(&out);
}

static void test_v62_replica(void **state)
{
	struct buf out = BUF_INIT;
	struct info_options o = default_opts;
	(void)state;

	o.empty_databases = false;
	render_fixture("info_6.2_replica.txt", &o, &out);
	const char *t = buf_cstr(&out);
	test_assert_line(t, "redis_master_link_up{master_host=\"10.0.0.1\",master_port=\"6379\"} 0");
	test_assert_line(t, "redis_master_sync_in_progress{master_host=\"10.0.0.1\","
			    "master_port=\"6379\"} 1");
	test_assert_line(t, "redis_master_last_io_seconds_ago{master_host=\"10.0.0.1\","
			    "master_port=\"6379\"} -1");
	test_assert_line(t, "redis_slave_info{master_host=\"10.0.0.1\",master_port=\"6379\","
			    "read_only=\"1\"} 1");
	test_assert_line(t, "redis_errors_total{err=\"WRONGTYPE\"} 1");
	test_assert_line(t, "redis_commands_rejected_calls_total{cmd=\"get\"} 1");
	test_assert_line(t, "redis_commands_failed_calls_total{cmd=\"client|setname\"} 0");
	test_assert_line(t, "redis_cpu_user_main_thread_seconds_total 2.4");
	test_assert_line(t, "redis_total_error_replies 3");
	test_assert_line(t, "redis_db_keys{db=\"db1\"} 7");
	/* --include-metrics-for-empty-databases=false: no zero fill */
	assert_no_line_prefix(t, "redis_db_keys{db=\"db0\"}");
	buf_release(&out);
}

/* Odd, broken and adversarial replies: never a crash, never a bad body. */
static void test_hostile(void **state)
{
	static const char *const inputs[] = {
		"",
		"#",
		"# \n:\n::\nx\n",
		"no newline at all",
		"# Server\r\nuptime_in_seconds:abc\r\nused_memory: 12\r\nused_memory:13\r\n",
		"# Keyspace\ndb0:keys=abc,expires=1\ndb1:keys=1\ndb2:\ndb3:keys=1,expires=2,avg_ttl=x\n",
		"# Server\ndb_keys:5\ndb0:7\ndb-x:1\ndb_x:2\n# Keyspace\ndb0:keys=1,expires=0\n",
		"# Commandstats\ncmdstat_:calls=1,usec=1\ncmdstat_x:calls=\ncmdstat_y:usec=5\n"
		"# Latencystats\nlatency_percentiles_usec_x:p50=\nlatency_percentiles_usec_:p=1,=2\n",
		"# Replication\nrole:slave\nslave0:garbage\nslave1:ip=\"\\\n,offset=1\n"
		"master_link_status:up\nmaster_99999999999999999999_host:x\n",
		"# Errorstats\nerrorstat_:count=1\nerrorstat_E\xff\xfe:count=2\nerrorstat_X:count=\n",
		"# Stats\nexpired_keys:1e400\nevicted_keys:-inf\nkeyspace_hits:nan\n"
		"cluster_a-b:1\ncluster_a_b:2\ncluster_\xc3\xa9:3\n",
		"# Unknown Future Section\nshiny_new_field:42\nother:thing:with:colons\n",
	};
	struct buf out = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		render(inputs[i], strlen(inputs[i]), &default_opts, &out);
		assert_non_null(strstr(buf_cstr(&out), "redis_db_keys{db=\"db15\"} 0"));
	}
	/* NUL bytes inside the reply end the line at the NUL, nothing more */
	render("used_memory:5\0junk\nexpired_keys:2\n", 34, &default_opts, &out);
	test_assert_line(buf_cstr(&out), "redis_expired_keys_total 2");
	buf_release(&out);
}

static void test_duplicate_key_keeps_first(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	const char *text = "# Memory\nused_memory:1\nused_memory:2\n# Keyspace\ndb0:keys=1,expires=0\n"
			   "db0:keys=9,expires=9\n";
	render(text, strlen(text), &default_opts, &out);
	test_assert_line(buf_cstr(&out), "redis_memory_used_bytes 1");
	test_assert_line(buf_cstr(&out), "redis_db_keys{db=\"db0\"} 1");
	buf_release(&out);
}

/* redis_info_get: a hash lookup; first of repeated keys, NULL when absent. */
static void test_info_get(void **state)
{
	struct buf text = BUF_INIT;
	struct redis_info info;
	(void)state;

	for (int i = 0; i < 2000; i++)
		buf_addf(&text, "field_%d:%d\r\n", i, i);
	buf_adds(&text, "field_7:again\r\n  spaced : x \r\nempty:\r\n");
	buf_add(&text, "x\0y:1\r\n", 7);
	redis_info_parse(text.data, text.len, &info);
	assert_int_equal(info.n, 2002);
	assert_string_equal(redis_info_get(&info, "field_0"), "0");
	assert_string_equal(redis_info_get(&info, "field_1999"), "1999");
	assert_string_equal(redis_info_get(&info, "field_7"), "7");
	assert_string_equal(redis_info_get(&info, "spaced "), " x");
	assert_string_equal(redis_info_get(&info, "empty"), "");
	assert_null(redis_info_get(&info, "field_2000"));
	assert_null(redis_info_get(&info, "x"));	/* a NUL ends the line's text */
	redis_info_release(&info);
	buf_release(&text);
}

static void test_value_rule(void **state)
{
	double v;
	(void)state;

	assert_true(redis_info_value("ok", &v) && v == 1);
	assert_true(redis_info_value("true", &v) && v == 1);
	assert_true(redis_info_value("err", &v) && v == 0);
	assert_true(redis_info_value("fail", &v) && v == 0);
	assert_true(redis_info_value("false", &v) && v == 0);
	assert_true(redis_info_value("-1.5", &v) && v == -1.5);
	assert_false(redis_info_value("", &v));
	assert_false(redis_info_value(" 1", &v));
	assert_false(redis_info_value("1x", &v));
	assert_false(redis_info_value("up", &v));
	/* plain integers skip strtod: the same values as strtod gives */
	assert_true(redis_info_value("-5", &v) && v == -5);
	assert_true(redis_info_value("007", &v) && v == 7);
	assert_true(redis_info_value("999999999999999", &v) && v == 999999999999999.0);
	assert_true(redis_info_value("12345678901234567890", &v) && v == 12345678901234567890.0);
	assert_true(redis_info_value("1e3", &v) && v == 1000);
	assert_true(redis_info_value("0x10", &v) && v == 16);
	assert_false(redis_info_value("-", &v));
	assert_false(redis_info_value("5 ", &v));
	assert_false(redis_info_value("12345678901234567x", &v));
}

static void expect_addr(const char *s, bool unix_socket, const char *host, int port, long db,
			const char *user, const char *password, const char *display)
{
	struct redis_addr a;
	struct buf err = BUF_INIT;

	assert_int_equal(redis_addr_parse(s, &a, &err), 0);
	assert_int_equal(a.unix_socket, unix_socket);
	assert_string_equal(a.host, host);
	if (!unix_socket)
		assert_int_equal(a.port, port);
	assert_int_equal(a.db, db);
	if (user)
		assert_string_equal(a.user, user);
	else
		assert_null(a.user);
	if (password)
		assert_string_equal(a.password, password);
	else
		assert_null(a.password);
	assert_string_equal(redis_addr_display(&a), display);
	redis_addr_release(&a);
	buf_release(&err);
}

static void expect_addr_error(const char *s, const char *needle)
{
	struct redis_addr a;
	struct buf err = BUF_INIT;

	assert_int_equal(redis_addr_parse(s, &a, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), needle));
	assert_null(strstr(buf_cstr(&err), "s3cret"));
	buf_release(&err);
}

static void test_addr(void **state)
{
	(void)state;
	expect_addr("redis://localhost:6379", false, "localhost", 6379, 0, NULL, NULL,
		    "redis://localhost:6379");
	expect_addr("10.0.0.1", false, "10.0.0.1", 6379, 0, NULL, NULL, "redis://10.0.0.1:6379");
	expect_addr("host:7000", false, "host", 7000, 0, NULL, NULL, "redis://host:7000");
	expect_addr("redis://:s3cret@h:1/3", false, "h", 1, 3, NULL, "s3cret", "redis://h:1");
	expect_addr("redis://bob:p%40ss@h", false, "h", 6379, 0, "bob", "p@ss", "redis://h:6379");
	expect_addr("redis://u:a@b@h:2", false, "h", 2, 0, "u", "a@b", "redis://h:2");
	expect_addr("redis://[::1]:6380/2", false, "::1", 6380, 2, NULL, NULL, "redis://[::1]:6380");
	expect_addr("redis://h?db=4", false, "h", 6379, 4, NULL, NULL, "redis://h:6379");
	expect_addr("unix:///run/redis.sock?db=5", true, "/run/redis.sock", 0, 5, NULL, NULL,
		    "unix:///run/redis.sock");
	expect_addr("redis://", false, "localhost", 6379, 0, NULL, NULL, "redis://localhost:6379");
	expect_addr_error("rediss://:s3cret@h:6379", "TLS");
	expect_addr_error("", "empty");
	expect_addr_error("http://h", "scheme");
	expect_addr_error("redis://h:0", "port");
	expect_addr_error("redis://h:99999", "port");
	expect_addr_error("redis://h:12x", "port");
	expect_addr_error("redis://h/abc", "database");
	expect_addr_error("redis://[::1", "[");
	expect_addr_error("unix://relative", "absolute");
	expect_addr_error("redis://u:s3cret%zz@h", "escape");
}

/* Whether a scrape of this address may run on the requesting thread. */
static bool runs_in_time(const char *addr)
{
	struct redis_target t = { 0 };
	struct buf err = BUF_INIT;

	assert_int_equal(redis_addr_parse(addr, &t.addr, &err), 0);
	bool yes = redis_collector.returns_in_time(&t, NULL);
	redis_addr_release(&t.addr);
	buf_release(&err);
	return yes;
}

/* Only addresses that need no DNS lookup (getaddrinfo has no timeout). */
static void test_returns_in_time(void **state)
{
	struct redis_target none = { 0 };

	(void)state;
	assert_true(runs_in_time("redis://127.0.0.1:6379"));
	assert_true(runs_in_time("redis://[::1]:6380/2"));
	assert_false(runs_in_time("redis://localhost:6379")); /* may ask DNS */
	assert_true(runs_in_time("unix:///run/redis.sock"));
	assert_false(runs_in_time("redis://cache.example.com:6379"));
	assert_false(runs_in_time("host:7000"));
	assert_false(runs_in_time("redis://127.0.0.1.example:6379"));
	assert_false(redis_collector.returns_in_time(&none, NULL));
}

static void test_passwords(void **state)
{
	struct redis_passwords p;
	struct buf err = BUF_INIT;
	(void)state;

	const char *json = " {\"redis://h1:6379\": \"p1\", \"redis://h2:6380\": "
			   "{\"user\": \"alice\", \"password\": \"p\\u00e92\\n\"},"
			   "\"h3\":\"\"}\n";
	assert_int_equal(redis_passwords_parse(json, strlen(json), &p, &err), 0);
	assert_int_equal(p.n, 3);
	const struct redis_credential *c = redis_passwords_find(&p, "redis://h1:6379");
	assert_non_null(c);
	assert_string_equal(c->password, "p1");
	assert_null(c->user);
	c = redis_passwords_find(&p, "h2:6380"); /* by normal form */
	assert_non_null(c);
	assert_string_equal(c->user, "alice");
	assert_string_equal(c->password, "p\xc3\xa9" "2\n");
	assert_non_null(redis_passwords_find(&p, "redis://h3:6379"));
	assert_null(redis_passwords_find(&p, "redis://h4:6379"));
	redis_passwords_release(&p);

	static const char *const bad[] = {
		"", "[]", "{", "{\"a\"}", "{\"a\":1}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x",
		"{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":{\"pw\":\"s3cret\"}}",
		"{\"a\":\"b\\u0000c\"}", "{\"a\":\"s3cret", "{\"a\":\"\x01\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_truncate(&err, 0);
		assert_int_equal(redis_passwords_parse(bad[i], strlen(bad[i]), &p, &err), -1);
		assert_int_equal(p.n, 0);
		assert_non_null(strstr(buf_cstr(&err), "password file"));
		assert_null(strstr(buf_cstr(&err), "s3cret"));
	}
	buf_release(&err);
}

static void test_key_args(void **state)
{
	struct redis_key_args k;
	struct buf err = BUF_INIT;
	(void)state;

	assert_int_equal(redis_key_args_parse("db3=sess:*, plain ,db0=a=b,,", &k, &err), 0);
	assert_int_equal(k.n, 3);
	assert_int_equal(k.v[0].db, 3);
	assert_string_equal(k.v[0].pattern, "sess:*");
	assert_int_equal(k.v[1].db, 0);
	assert_string_equal(k.v[1].pattern, "plain");
	assert_string_equal(k.v[2].pattern, "a=b");
	redis_key_args_release(&k);
	assert_int_equal(redis_key_args_parse("", &k, &err), 0);
	assert_int_equal(k.n, 0);
	assert_int_equal(redis_key_args_parse("dbx=a", &k, &err), -1);
	assert_int_equal(redis_key_args_parse("db=a", &k, &err), -1);
	assert_int_equal(redis_key_args_parse("db1=", &k, &err), -1);
	assert_int_equal(redis_key_args_parse("x=a", &k, &err), -1);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_table_sorted),
		cmocka_unit_test(test_v7_primary),
		cmocka_unit_test(test_v7_replica),
		cmocka_unit_test(test_v5_primary),
		cmocka_unit_test(test_v62_replica),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_duplicate_key_keeps_first),
		cmocka_unit_test(test_info_get),
		cmocka_unit_test(test_value_rule),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_returns_in_time),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_key_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
