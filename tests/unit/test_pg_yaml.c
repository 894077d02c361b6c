/*
 * Tests of postgres-exporter's YAML parsers: --extend.query-path
 * (upstream's queries.yaml) and --config.file's auth_modules; good files,
 * odd ones, and garbage that must fail with one line instead of crashing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_probe.h"

static const char queries_yaml[] =
	"pg_replication:\n"
	"  query: \"SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE 1 END AS lag\"\n"
	"  master: true\n"
	"  metrics:\n"
	"    - lag:\n"
	"        usage: \"GAUGE\"\n"
	"        description: \"Replication lag behind master in seconds\"\n"
	"pg_postmaster:\n"
	"  query: |\n"
	"    SELECT datname, pg_postmaster_start_time as start_time_seconds\n"
	"    FROM pg_database\n"
	"  cache_seconds: 30\n"
	"  metrics:\n"
	"    - datname:\n"
	"        usage: LABEL\n"
	"        description: db\n"
	"    - start_time_seconds:\n"
	"        usage: \"counter\"\n"
	"        description: \"Time at which postmaster started\"\n"
	"    - skipped:\n"
	"        usage: \"DISCARD\"\n"
	"    - took:\n"
	"        usage: \"DURATION\"\n";

static void parses_upstream_example(void **state)
{
	struct pg_user_queries q;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(pg_user_queries_parse(queries_yaml, strlen(queries_yaml), &q, &err), 0);
	assert_int_equal(q.n, 2);
	assert_string_equal(q.q[0].name, "pg_replication");
	assert_int_equal(q.q[0].nmetrics, 1);
	assert_string_equal(q.q[0].metrics[0].column, "lag");
	assert_int_equal(q.q[0].metrics[0].kind, PG_GAUGE);
	assert_string_equal(q.q[0].metrics[0].help, "Replication lag behind master in seconds");
	assert_string_equal(q.q[1].spec.prefix, "pg_postmaster");
	assert_non_null(strstr(q.q[1].sql, "FROM pg_database"));
	assert_int_equal(q.q[1].spec.ncols, 4);
	assert_string_equal(q.q[1].cols[3].metric, "took_milliseconds");
	assert_int_equal(q.q[1].cols[3].kind, PG_GAUGE);
	assert_string_equal(q.q[1].cols[0].metric, "datname");
	assert_int_equal(q.q[1].cols[0].kind, PG_LABEL);
	assert_int_equal(q.q[1].cols[1].kind, PG_COUNTER);	/* usage is case-blind */
	assert_int_equal(q.q[1].cols[2].kind, PG_DISCARD);
	assert_string_equal(q.q[1].metrics[2].help, "skipped");	/* no description */
	pg_user_queries_release(&q);
	buf_release(&err);
}

static void expect_parse_error(const char *text, const char *needle)
{
	struct pg_user_queries q;
	struct buf err = BUF_INIT;

	assert_int_equal(pg_user_queries_parse(text, strlen(text), &q, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), needle));
	assert_null(strchr(buf_cstr(&err), '\n'));
	assert_int_equal(q.n, 0);
	buf_release(&err);
}

static void rejects_bad_files(void **state)
{
	(void)state;
	expect_parse_error("a: [1, 2\n", "yaml error at line");
	expect_parse_error("- just\n- a list\n", "not a mapping");
	expect_parse_error("pg_x:\n  metrics: []\n", "needs a query");
	expect_parse_error("pg_x:\n  query: SELECT 1\n", "needs a query");
	expect_parse_error("pg_x:\n  query: SELECT 1\n  metrics:\n    - a:\n        usage: HISTO\n",
			   "usage must be");
	expect_parse_error("pg_x:\n  query: SELECT 1\n  metrics:\n    - plain\n", "one-key mapping");
	expect_parse_error("\"bad name\":\n  query: SELECT 1\n  metrics: []\n", "not a valid metric");
	/* A name with a newline still makes a one-line error. */
	expect_parse_error("pg_x:\n  query: SELECT 1\n  metrics:\n    - \"a\\nb\":\n        usage: X\n",
			   "metric a?b: usage");
}

static void empty_file_has_no_queries(void **state)
{
	struct pg_user_queries q;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(pg_user_queries_parse("", 0, &q, &err), 0);
	assert_int_equal(q.n, 0);
	pg_user_queries_release(&q);
	buf_release(&err);
}

static void auth_modules(void **state)
{
	static const char text[] =
		"auth_modules:\n"
		"  foo1:\n"
		"    type: userpass\n"
		"    userpass:\n"
		"      username: first\n"
		"      password: firstpass\n"
		"    options:\n"
		"      sslmode: disable\n"
		"  foo2:\n"
		"    type: userpass\n"
		"    userpass:\n"
		"      username: second\n";
	struct pg_auth_modules a;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(pg_auth_modules_parse(text, strlen(text), &a, &err), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.m[0].name, "foo1");
	assert_string_equal(a.m[0].username, "first");
	assert_string_equal(a.m[0].password, "firstpass");
	assert_int_equal(a.m[0].noptions, 1);
	assert_string_equal(a.m[0].option_keys[0], "sslmode");
	assert_string_equal(a.m[0].option_values[0], "disable");
	assert_string_equal(a.m[1].password, "");
	pg_auth_modules_release(&a);

	const char *bad = "auth_modules:\n  x:\n    type: tls\n";
	assert_int_equal(pg_auth_modules_parse(bad, strlen(bad), &a, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "type must be userpass"));
	const char *none = "other: 1\n";
	assert_int_equal(pg_auth_modules_parse(none, strlen(none), &a, &err), 0);
	assert_int_equal(a.n, 0);
	pg_auth_modules_release(&a);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_upstream_example),
		cmocka_unit_test(rejects_bad_files),
		cmocka_unit_test(empty_file_has_no_queries),
		cmocka_unit_test(auth_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
