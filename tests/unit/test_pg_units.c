/*
 * Tests of postgres-exporter's pure parts: pg_settings' unit rules (as
 * upstream's normaliseUnit), value parsing, DSN display and checks (no
 * secrets), conninfo quoting, and the /probe allowlist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_probe.h"

static void expect_unit(const char *setting, const char *unit, double want,
			const char *want_suffix)
{
	double v = 0;
	const char *suffix = NULL;

	assert_int_equal(pg_setting_normalise(setting, unit, &v, &suffix), 0);
	assert_string_equal(suffix, want_suffix);
	assert_true(v == want);
}

static void settings_time_units_to_seconds(void **state)
{
	(void)state;
	expect_unit("1500", "ms", 1.5, "seconds");
	expect_unit("30", "s", 30, "seconds");
	expect_unit("1", "min", 60, "seconds");
	expect_unit("2", "h", 7200, "seconds");
	expect_unit("1", "d", 86400, "seconds");
}

static void settings_sizes_are_powers_of_two(void **state)
{
	(void)state;
	expect_unit("16384", "8kB", 134217728, "bytes");	/* shared_buffers 128MB */
	expect_unit("4096", "kB", 4194304, "bytes");
	expect_unit("1", "MB", 1048576, "bytes");
	expect_unit("1", "GB", 1073741824.0, "bytes");
	expect_unit("1", "TB", 1099511627776.0, "bytes");
	expect_unit("1", "16kB", 16384, "bytes");
	expect_unit("1", "32kB", 32768, "bytes");
	expect_unit("1", "16MB", 16777216, "bytes");
	expect_unit("1", "32MB", 33554432, "bytes");
	expect_unit("1", "64MB", 67108864, "bytes");
	expect_unit("100", "B", 100, "bytes");
}

static void settings_minus_one_untouched(void **state)
{
	(void)state;
	expect_unit("-1", "ms", -1, "seconds");
	expect_unit("-1", "kB", -1, "bytes");
	expect_unit("-1", "", -1, "");
}

static void settings_plain_and_real(void **state)
{
	(void)state;
	expect_unit("100", "", 100, "");
	expect_unit("0.9", "", 0.9, "");
	expect_unit("2.5e3", "", 2500, "");
}

static void settings_rejects_unknown(void **state)
{
	double v;
	const char *suffix;

	(void)state;
	assert_int_equal(pg_setting_normalise("1", "furlong", &v, &suffix), -1);
	assert_int_equal(pg_setting_normalise("on", "", &v, &suffix), -1);
	assert_int_equal(pg_setting_normalise("", "ms", &v, &suffix), -1);
	assert_int_equal(pg_setting_normalise("12abc", "kB", &v, &suffix), -1);
	assert_int_equal(pg_setting_normalise("t", "", &v, &suffix), -1);
}

static void values_parse(void **state)
{
	bool ok;

	(void)state;
	assert_true(pg_parse_value("t", &ok) == 1 && ok);
	assert_true(pg_parse_value("f", &ok) == 0 && ok);
	assert_true(pg_parse_value("-12.5", &ok) == -12.5 && ok);
	assert_true(isnan(pg_parse_value("NaN", &ok)) && ok);
	pg_parse_value("", &ok);
	assert_false(ok);
	pg_parse_value("1 2", &ok);
	assert_false(ok);
	pg_parse_value("-", &ok);
	assert_false(ok);
	pg_parse_value("12-", &ok);
	assert_false(ok);
}

/* Same bits as strtod's; integers of up to 15 digits take a path of their own. */
static void expect_as_strtod(const char *s)
{
	bool ok;
	double want = strtod(s, NULL), got = pg_parse_value(s, &ok);

	if (!ok || memcmp(&want, &got, sizeof(want)) != 0)
		fail_msg("\"%s\": %.17g, strtod %.17g", s, got, want);
}

static void integers_parse_as_strtod(void **state)
{
	static const char *const edges[] = {
		"0", "-0", "7", "-7", "000123", "-000", "999999999999999", "-999999999999999",
		"1000000000000000", "9007199254740993", "18446744073709551615", "+5", " 5",
		"1e3", "12.0", "-12.5",
	};
	char s[24];

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		expect_as_strtod(edges[i]);
	srand(7);
	for (int i = 0; i < 200000; i++) {
		int digits = 1 + rand() % 18, at = 0;
		if (rand() % 4 == 0)
			s[at++] = '-';
		for (int d = 0; d < digits; d++)
			s[at++] = (char)('0' + rand() % 10);
		s[at] = '\0';
		expect_as_strtod(s);
	}
}

static void dsn_display_hides_secrets(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	pg_dsn_display("postgresql://alice:s3cret@db.example:6543/app?sslmode=prefer", &b);
	assert_string_equal(buf_cstr(&b), "db.example:6543/app");
	buf_truncate(&b, 0);
	pg_dsn_display("host=/run/pg user=bob password=s3cret dbname=x", &b);
	assert_string_equal(buf_cstr(&b), "/run/pg:/x");
	buf_truncate(&b, 0);
	pg_dsn_display("", &b);
	assert_string_equal(buf_cstr(&b), ":/");
	buf_release(&b);
}

static void dsn_check_errors_name_no_secret(void **state)
{
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(pg_dsn_check("postgresql://u:s3cret@h/db", &err), 0);
	assert_int_equal(pg_dsn_check("host=h sslmode=prefer target_session_attrs=any", &err), 0);
	assert_int_equal(pg_dsn_check("", &err), 0);
	assert_int_equal(pg_dsn_check("postgresql://u:s3cret@[::1/db", &err), -1);
	assert_null(strstr(buf_cstr(&err), "s3cret"));
	buf_truncate(&err, 0);
	assert_int_equal(pg_dsn_check("password=s3cret nosuch=1", &err), -1);
	assert_null(strstr(buf_cstr(&err), "s3cret"));
	buf_truncate(&err, 0);
	assert_int_equal(pg_dsn_check("password='s3cret", &err), -1);
	assert_null(strstr(buf_cstr(&err), "s3cret"));
	buf_release(&err);
}

static void conninfo_quoting_round_trips(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	pg_conninfo_add(&b, "host", "127.0.0.1");
	pg_conninfo_add(&b, "password", "it's a \\ test");
	PQconninfoOption *opts = PQconninfoParse(buf_cstr(&b), NULL);
	assert_non_null(opts);
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password"))
			assert_string_equal(o->val, "it's a \\ test");
	PQconninfoFree(opts);
	buf_release(&b);
}

static void probe_allowlist(void **state)
{
	const char *allowed[] = { "db1:5432", "db2" };
	struct strlist list = { allowed, 2 };
	struct strlist none = { NULL, 0 };

	(void)state;
	assert_true(pg_probe_allowed(&list, "host=db1 port=5432"));
	assert_true(pg_probe_allowed(&list, "host=db1"));	/* default port */
	assert_false(pg_probe_allowed(&list, "host=db1 port=5433"));
	assert_true(pg_probe_allowed(&list, "postgresql://db2:7777/x"));
	assert_false(pg_probe_allowed(&list, "postgresql://evil:5432/x"));
	/* libpq would connect to hostaddr, or to a service file's host. */
	assert_false(pg_probe_allowed(&list, "host=db1 hostaddr=10.9.9.9 port=5432"));
	assert_false(pg_probe_allowed(&list, "postgresql://db2:7777/x?hostaddr=169.254.169.254"));
	assert_false(pg_probe_allowed(&list, "host=db1 service=evil"));
	assert_false(pg_probe_allowed(&list, "host=db1,evil port=5432"));
	assert_false(pg_probe_allowed(&list, "port=5432"));	/* local socket */
	assert_false(pg_probe_allowed(&none, "host=db1 port=5432"));
	assert_false(pg_probe_allowed(&list, "host='unterminated"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_time_units_to_seconds),
		cmocka_unit_test(settings_sizes_are_powers_of_two),
		cmocka_unit_test(settings_minus_one_untouched),
		cmocka_unit_test(settings_plain_and_real),
		cmocka_unit_test(settings_rejects_unknown),
		cmocka_unit_test(values_parse),
		cmocka_unit_test(integers_parse_as_strtod),
		cmocka_unit_test(dsn_display_hides_secrets),
		cmocka_unit_test(dsn_check_errors_name_no_secret),
		cmocka_unit_test(conninfo_quoting_round_trips),
		cmocka_unit_test(probe_allowlist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
