/*
 * Tests of postgres-exporter's upstream extras, the pure parts: merging the
 * bodies of several data sources (server and constant labels, one family
 * header, --metric-prefix, OpenMetrics' # EOF), --constantLabels parsing,
 * DATA_SOURCE_NAME splitting (libpq host lists stay whole), the per-database
 * conninfo of --auto-discover-databases and its include/exclude lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_discover.h"
#include "pg_expo_merge.h"

static const char body_a[] =
	"# HELP pg_up Up.\n# TYPE pg_up gauge\npg_up 1\n"
	"# HELP pg_x X.\n# TYPE pg_x counter\npg_x{datname=\"a\\\"b\",server=\"mine\"} 2\n"
	"# HELP process_cpu_seconds_total CPU.\n# TYPE process_cpu_seconds_total counter\n"
	"process_cpu_seconds_total 0.5\n";
static const char body_b[] =
	"# HELP pg_x Other help.\n# TYPE pg_x counter\npg_x{datname=\"c\"} 3\n"
	"# HELP pg_up Up.\n# TYPE pg_up gauge\npg_up 0\n"
	"# HELP pg_only_b B.\n# TYPE pg_only_b gauge\npg_only_b{} 4\n";

static const char *const names[] = { "server", "env" };
static const char *const values_a[] = { "h:1", "p\"q" };
static const char *const values_b[] = { "h:2", "p\"q" };

static void merge_two(const char *prefix, const char *a, const char *b, struct buf *out)
{
	const struct pg_expo_part parts[] = {
		{ a, strlen(a), names, values_a, 2, 1 },
		{ b, strlen(b), names, values_b, 2, 1 },
	};
	pg_expo_merge(parts, 2, prefix, out);
}

static void merge_unions_families_and_labels(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	merge_two("pg", body_a, body_b, &out);
	assert_string_equal(buf_cstr(&out),
		"# HELP pg_up Up.\n# TYPE pg_up gauge\n"
		"pg_up{server=\"h:1\",env=\"p\\\"q\"} 1\npg_up{server=\"h:2\",env=\"p\\\"q\"} 0\n"
		"# HELP pg_x X.\n# TYPE pg_x counter\n"
		"pg_x{datname=\"a\\\"b\",server=\"mine\",env=\"p\\\"q\"} 2\n"
		"pg_x{datname=\"c\",server=\"h:2\",env=\"p\\\"q\"} 3\n"
		"# HELP process_cpu_seconds_total CPU.\n# TYPE process_cpu_seconds_total counter\n"
		"process_cpu_seconds_total{env=\"p\\\"q\"} 0.5\n"
		"# HELP pg_only_b B.\n# TYPE pg_only_b gauge\n"
		"pg_only_b{server=\"h:2\",env=\"p\\\"q\"} 4\n");
	buf_release(&out);
}

static void merge_renames_prefix_and_keeps_one_eof(void **state)
{
	struct buf out = BUF_INIT;
	const char a[] = "# HELP pg_up Up.\n# TYPE pg_up gauge\npg_up 1\n# EOF\n";
	const char b[] = "# HELP pg_up Up.\n# TYPE pg_up gauge\npg_up 0\n# EOF\n";

	(void)state;
	merge_two("pgx", a, b, &out);
	assert_string_equal(buf_cstr(&out),
		"# HELP pgx_up Up.\n# TYPE pgx_up gauge\n"
		"pgx_up{server=\"h:1\",env=\"p\\\"q\"} 1\npgx_up{server=\"h:2\",env=\"p\\\"q\"} 0\n"
		"# EOF\n");
	buf_release(&out);
}

static void merge_survives_malformed_input(void **state)
{
	static const char *const bad[] = {
		"x{a=\"unterminated 1", "{", "# HELP ", "# TYPE x", "no_newline 1", "x{a=\"\\", "\n\n#\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf out = BUF_INIT;
		merge_two("p", bad[i], "", &out);
		buf_release(&out);
	}
}

static void constant_labels_parse(void **state)
{
	const char *n[4], *v[4];
	struct buf err = BUF_INIT;
	char ok[] = " env = prod ,, team=db,empty=";

	(void)state;
	assert_int_equal(pg_parse_constant_labels(ok, n, v, 4, &err), 3);
	assert_string_equal(n[0], "env");
	assert_string_equal(v[0], "prod");
	assert_string_equal(n[1], "team");
	assert_string_equal(v[1], "db");
	assert_string_equal(n[2], "empty");
	assert_string_equal(v[2], "");
	char none[] = "";
	assert_int_equal(pg_parse_constant_labels(none, n, v, 4, &err), 0);
	static const char *const bad[] = { "novalue", "0x=1", "__name__=x", "a-b=1", "a=1,b", "a=1,a=2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[32];
		snprintf(text, sizeof(text), "%s", bad[i]);
		buf_truncate(&err, 0);
		assert_int_equal(pg_parse_constant_labels(text, n, v, 4, &err), -1);
		assert_null(strchr(buf_cstr(&err), '\n'));
	}
	char many[] = "a=1,b=2,c=3,d=4,e=5";
	assert_int_equal(pg_parse_constant_labels(many, n, v, 4, &err), -1);
	buf_release(&err);
}

static void expect_split(const char *s, size_t n, const char *const *want)
{
	struct pg_dsns d = { 0 };

	pg_dsn_split(s, &d);
	assert_int_equal(d.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(d.v[i], want[i]);
	pg_dsns_release(&d);
}

static void dsn_split_keeps_host_lists(void **state)
{
	(void)state;
	expect_split("postgresql://u@a:1,b:2/db?target_session_attrs=read-write", 1,
		     (const char *const[]){ "postgresql://u@a:1,b:2/db?target_session_attrs=read-write" });
	expect_split("host=a,b port=1,2 dbname=x", 1,
		     (const char *const[]){ "host=a,b port=1,2 dbname=x" });
	expect_split("postgresql://a/x,postgres://b/y, host=c", 3,
		     (const char *const[]){ "postgresql://a/x", "postgres://b/y", " host=c" });
	expect_split("", 1, (const char *const[]){ "" });
	/* A password holding ",x=": never split, so never half in a label. */
	expect_split("postgresql://user:pa,host=x@db/postgres", 1,
		     (const char *const[]){ "postgresql://user:pa,host=x@db/postgres" });
	expect_split("postgresql://u:p,a=b@h1,postgresql://v@h2/d", 2,
		     (const char *const[]){ "postgresql://u:p,a=b@h1", "postgresql://v@h2/d" });
	expect_split("host=a password='x,host=y\\' z' dbname=d,host=b", 2,
		     (const char *const[]){ "host=a password='x,host=y\\' z' dbname=d", "host=b" });
}

static void conninfo_with_dbname_quotes(void **state)
{
	struct buf b = BUF_INIT;
	const char *weird = "q\"uo'te\\d\xc3\xbc\xe2\x82\xac";

	(void)state;
	assert_int_equal(pg_conninfo_with_dbname("postgresql://u:p%27w@h:5/orig?sslmode=disable",
						 weird, &b), 0);
	PQconninfoOption *opts = PQconninfoParse(buf_cstr(&b), NULL);
	assert_non_null(opts);
	int seen = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = o->val ? o->val : "";
		if (!strcmp(o->keyword, "dbname"))
			seen += !strcmp(v, weird);
		else if (!strcmp(o->keyword, "password"))
			seen += !strcmp(v, "p'w");
		else if (!strcmp(o->keyword, "sslmode"))
			seen += !strcmp(v, "disable");
		else if (!strcmp(o->keyword, "port"))
			seen += !strcmp(v, "5");
	}
	assert_int_equal(seen, 4);
	PQconninfoFree(opts);
	buf_truncate(&b, 0);
	assert_int_equal(pg_conninfo_with_dbname("nosuch=1", "x", &b), -1);
	buf_release(&b);
}

static void database_lists(void **state)
{
	const char *inc[] = { "a", "b" }, *exc[] = { "b" };
	struct strlist in = { inc, 2 }, ex = { exc, 1 }, empty = { NULL, 0 };
	struct pg_config cfg = { .include_databases = &empty, .exclude_databases = &ex };

	(void)state;
	assert_true(pg_database_wanted(&cfg, "a"));
	assert_false(pg_database_wanted(&cfg, "b"));
	cfg.include_databases = &in;
	assert_true(pg_database_wanted(&cfg, "a"));
	assert_false(pg_database_wanted(&cfg, "b"));	/* excluded wins */
	assert_false(pg_database_wanted(&cfg, "c"));
}

static void dsn_server_fingerprint(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	unsetenv("PGHOST");
	unsetenv("PGPORT");
	pg_dsn_server("postgresql://u:secret@db.example:6543/app", &b);
	assert_string_equal(buf_cstr(&b), "db.example:6543");
	buf_truncate(&b, 0);
	pg_dsn_server("dbname=x password=secret", &b);
	assert_string_equal(buf_cstr(&b), "localhost:5432");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_unions_families_and_labels),
		cmocka_unit_test(merge_renames_prefix_and_keeps_one_eof),
		cmocka_unit_test(merge_survives_malformed_input),
		cmocka_unit_test(constant_labels_parse),
		cmocka_unit_test(dsn_split_keeps_host_lists),
		cmocka_unit_test(conninfo_with_dbname_quotes),
		cmocka_unit_test(database_lists),
		cmocka_unit_test(dsn_server_fingerprint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
