#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "applets.h"

/* busybox checks its applet table at build time; we check ours here. */
static void table_sorted_and_unique(void **state)
{
	(void)state;
	assert_int_equal(applets_count, 4);
	for (unsigned i = 1; i < applets_count; i++)
		assert_true(strcmp(applets[i - 1].name, applets[i].name) < 0);
	for (unsigned i = 0; i < applets_count; i++)
		for (unsigned j = 0; j < applets_count; j++) {
			assert_string_not_equal(applets[i].name, applets[j].alias);
			if (i != j) {
				assert_string_not_equal(applets[i].alias, applets[j].alias);
				assert_int_not_equal(applets[i].port, applets[j].port);
			}
		}
}

static void find_by_name_and_alias(void **state)
{
	(void)state;
	assert_ptr_equal(applet_find("node-exporter"), applet_find("node_exporter"));
	assert_int_equal(applet_find("postgres_exporter")->port, 9187);
	assert_int_equal(applet_find("redis-exporter")->port, 9121);
	assert_int_equal(applet_find("kafka_exporter")->port, 9308);
	assert_int_equal(applet_find("node-exporter")->port, 9100);
	assert_null(applet_find("exporterbox"));
	assert_null(applet_find("node"));
	assert_null(applet_find(""));
}

static int run(int argc, const char **argv)
{
	/* Applets see argv as main() does: mutable strings. */
	char copies[8][64];
	char *args[8];

	for (int i = 0; i < argc; i++) {
		snprintf(copies[i], sizeof(copies[i]), "%s", argv[i]);
		args[i] = copies[i];
	}
	fflush(stdout);
	return exporterbox_main(argc, args);
}

static void dispatch(void **state)
{
	(void)state;
	const char *unknown[] = { "exporterbox", "mysql-exporter" };
	assert_int_equal(run(2, unknown), APPLET_NOT_FOUND);
	const char *list[] = { "/usr/bin/exporterbox", "--list" };
	assert_int_equal(run(2, list), 0);
	const char *version[] = { "exporterbox", "--version" };
	assert_int_equal(run(2, version), 0);
	/* Through a link named after the applet, and as "exporterbox APPLET". */
	const char *linked[] = { "/usr/local/bin/redis_exporter", "--version" };
	assert_int_equal(run(2, linked), 0);
	const char *named[] = { "exporterbox", "node-exporter", "--version" };
	assert_int_equal(run(3, named), 0);
	const char *bad_flag[] = { "exporterbox", "node-exporter", "--no-such-flag" };
	assert_int_equal(run(3, bad_flag), 2);
	const char *bad_applet_flag[] = { "postgres-exporter", "--no-such-flag" };
	assert_int_equal(run(2, bad_applet_flag), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_sorted_and_unique),
		cmocka_unit_test(find_by_name_and_alias),
		cmocka_unit_test(dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
