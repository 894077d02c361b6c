/*
 * Tests of the thermal_zone, rapl, schedstat and dmi node collectors: their
 * pure parsers (hw1_parse.h) on good, odd and garbage text, and each
 * collector's output over the fixture tree tests/fixtures/node
 * (sys/class/thermal, sys/class/powercap, proc/schedstat,
 * sys/class/dmi/id).
 *
 * The expected lines are those Debian's node_exporter 1.5.0 printed for the
 * same fixtures (numbers spelled as our writer spells them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "hw1_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define MISSING FIXTURES_DIR "/node/does-not-exist"
#define POWERCAP SYS "/class/powercap"

/* ---- helpers ------------------------------------------------------------- */

static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs };

	return test_run_collector(c, &cfg, out);
}

static size_t count_lines(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		n += *t == '\n';
	return n;
}

static const char *trim(const char *s, size_t *len)
{
	const char *p;

	*len = hw1_trim_space(s, strlen(s), &p);
	return p;
}

/* ---- shared trim ---------------------------------------------------------- */

static void trim_space_go(void **state)
{
	size_t n;
	const char *p;

	(void)state;
	p = trim("  abc \n", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "abc", 3);
	/* U+00A0 and U+3000 are space to Go; U+00A9 is not. */
	p = trim("\xc2\xa0x y\xe3\x80\x80", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "x y", 3);
	p = trim("\xc2\xa9", &n);
	assert_int_equal(n, 2);
	p = trim(" \t\n", &n);
	assert_int_equal(n, 0);
	p = trim("", &n);
	assert_int_equal(n, 0);
	/* A cut-short sequence is not a space. */
	p = trim("a\xe2\x80", &n);
	assert_int_equal(n, 3);
}

/* ---- thermal_zone ---------------------------------------------------------- */

static void thermal_parse_numbers(void **state)
{
	int64_t v;
	uint64_t u;

	(void)state;
	assert_int_equal(thermal_parse_int("49925\n", &v), 0);
	assert_int_equal(v, 49925);
	assert_int_equal(thermal_parse_int(" -1500 ", &v), 0);
	assert_int_equal(v, -1500);
	assert_int_equal(thermal_parse_int("+7", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(thermal_parse_int("9223372036854775808", &v), -EINVAL);
	assert_int_equal(thermal_parse_int("-9223372036854775808", &v), 0);
	assert_int_equal(thermal_parse_int("0x10", &v), -EINVAL);
	assert_int_equal(thermal_parse_int("1_000", &v), -EINVAL);
	assert_int_equal(thermal_parse_int("", &v), -EINVAL);
	assert_int_equal(thermal_parse_int("12 3", &v), -EINVAL);
	assert_int_equal(thermal_parse_uint("10\n", &u), 0);
	assert_int_equal(u, 10);
	assert_int_equal(thermal_parse_uint("-1", &u), -EINVAL);
	assert_int_equal(thermal_parse_uint("abc", &u), -EINVAL);
}

static void thermal_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&thermal_zone_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_cooling_device_cur_state Current throttle "
		    "state of the cooling device");
	test_assert_line(t, "# TYPE node_cooling_device_cur_state gauge");
	test_assert_line(t, "node_cooling_device_cur_state{name=\"0\","
		    "type=\"Processor\"} 1");
	test_assert_line(t, "node_cooling_device_cur_state{name=\"1\","
		    "type=\"intel_powerclamp\"} -1");
	test_assert_line(t, "# HELP node_cooling_device_max_state Maximum throttle "
		    "state of the cooling device");
	test_assert_line(t, "# TYPE node_cooling_device_max_state gauge");
	test_assert_line(t, "node_cooling_device_max_state{name=\"0\","
		    "type=\"Processor\"} 3");
	test_assert_line(t, "node_cooling_device_max_state{name=\"1\","
		    "type=\"intel_powerclamp\"} 50");
	test_assert_line(t, "# HELP node_thermal_zone_temp Zone temperature in "
		    "Celsius");
	test_assert_line(t, "# TYPE node_thermal_zone_temp gauge");
	test_assert_line(t, "node_thermal_zone_temp{type=\"acpitz\",zone=\"1\"} -1.5");
	/* procfs 0.8 does not skip a disabled zone. */
	test_assert_line(t, "node_thermal_zone_temp{type=\"iwlwifi_1\",zone=\"10\"} 44");
	test_assert_line(t, "node_thermal_zone_temp{type=\"x86_pkg_temp\","
		    "zone=\"0\"} 49.925");
	assert_int_equal(count_lines(t), 13);
	/* Sorted as upstream prints: by type, then zone. */
	assert_true(strstr(t, "acpitz") < strstr(t, "iwlwifi_1"));
	assert_true(strstr(t, "iwlwifi_1") < strstr(t, "x86_pkg_temp"));
	buf_release(&out);
}

static void thermal_collect_errors(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw1-thermal");
	char sys[512];

	(void)state;
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	/* No thermal class: nothing, and no failure. */
	assert_int_equal(run(&thermal_zone_collector, PROC, MISSING, &out), 0);
	assert_int_equal(out.len, 0);

	test_write_file(dir, "sys/class/thermal/thermal_zone0/type", "t\n");
	test_write_file(dir, "sys/class/thermal/thermal_zone0/temp", "1000\n");
	/* policy is required. */
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), -ENOENT);
	test_write_file(dir, "sys/class/thermal/thermal_zone0/policy", "p\n");
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), 0);
	test_assert_line(buf_cstr(&out), "node_thermal_zone_temp{type=\"t\",zone=\"0\"} 1");
	/* passive is optional, but must parse when present. */
	test_write_file(dir, "sys/class/thermal/thermal_zone0/passive", "abc\n");
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), -EINVAL);
	test_write_file(dir, "sys/class/thermal/thermal_zone0/passive", "0\n");
	test_write_file(dir, "sys/class/thermal/thermal_zone0/temp", "hot\n");
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), -EINVAL);
	test_write_file(dir, "sys/class/thermal/thermal_zone0/temp", "1000\n");
	/* A cooling device lacking cur_state fails the collector. */
	test_write_file(dir, "sys/class/thermal/cooling_device0/type", "fan\n");
	test_write_file(dir, "sys/class/thermal/cooling_device0/max_state", "3\n");
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), -ENOENT);
	test_write_file(dir, "sys/class/thermal/cooling_device0/cur_state", "2\n");
	assert_int_equal(run(&thermal_zone_collector, PROC, sys, &out), 0);
	test_assert_line(buf_cstr(&out),
		    "node_cooling_device_cur_state{name=\"0\",type=\"fan\"} 2");
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- rapl ------------------------------------------------------------------ */

static void rapl_split(void **state)
{
	size_t base;
	int64_t index;

	(void)state;
	assert_true(rapl_split_index("package-0", 9, &base, &index));
	assert_int_equal(base, 7);
	assert_int_equal(index, 0);
	assert_true(rapl_split_index("x-+3", 4, &base, &index));
	assert_int_equal(base, 1);
	assert_int_equal(index, 3);
	assert_true(rapl_split_index("n--2", 4, &base, &index) == false);
	assert_int_equal(base, 4);
	assert_false(rapl_split_index("core", 4, &base, &index));
	assert_false(rapl_split_index("q-0x1", 5, &base, &index));
	assert_false(rapl_split_index("z-99999999999999999999", 22, &base,
				      &index));
	assert_false(rapl_split_index("a-", 2, &base, &index));
	assert_false(rapl_split_index("a-b-1", 5, &base, &index));
}

static void rapl_names(void **state)
{
	static const char *const cases[][2] = {
		{ "package", "node_rapl_package_joules_total" },
		{ "psys-x-y", "node_rapl_psys_x_y_joules_total" },
		{ "a.b_-c", "node_rapl_a_b_c_joules_total" },
		{ "pkg-_1", "node_rapl_pkg_1_joules_total" },
		{ "__x..y__", "node_rapl___x_y___joules_total" },
		{ "\xc3\x9cn\xc3\xaf", "node_rapl__n__joules_total" },
		{ "a\xc3\xa9", "node_rapl_a__joules_total" },
		{ "", "node_rapl__joules_total" },
	};
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_truncate(&b, 0);
		rapl_family_name(cases[i][0], strlen(cases[i][0]), &b);
		assert_string_equal(buf_cstr(&b), cases[i][1]);
	}
	buf_release(&b);
}

static void rapl_clean(void **state)
{
	static const char *const cases[][2] = {
		{ "", "." }, { "./a//b/../c/", "a/c" }, { "/../x", "/x" },
		{ "../../a", "../../a" }, { "a/../..", ".." }, { "/", "/" },
		{ "abc/./def", "abc/def" }, { "//a", "/a" }, { "a/b/../../..", ".." },
		{ "/sys/class/powercap/intel-rapl:0", "/sys/class/powercap/intel-rapl:0" },
	};
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_truncate(&b, 0);
		rapl_clean_path(cases[i][0], &b);
		assert_string_equal(buf_cstr(&b), cases[i][1]);
	}
	buf_release(&b);
}

static void rapl_parse_counter(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(rapl_parse_uint(" 3 \n", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(rapl_parse_uint("18446744073709551615", &v), 0);
	assert_int_equal(rapl_parse_uint("18446744073709551616", &v), -EINVAL);
	assert_int_equal(rapl_parse_uint("-1", &v), -EINVAL);
	assert_int_equal(rapl_parse_uint("", &v), -EINVAL);
}

static void rapl_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&rapl_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_rapl_core_joules_total Current RAPL core "
		    "value in joules");
	test_assert_line(t, "# TYPE node_rapl_core_joules_total counter");
	test_assert_line(t, "node_rapl_core_joules_total{index=\"0\",path=\""
		    POWERCAP "/intel-rapl:0:0\"} 118821.284256");
	test_assert_line(t, "# HELP node_rapl_dram_joules_total Current RAPL dram "
		    "value in joules");
	test_assert_line(t, "node_rapl_dram_joules_total{index=\"0\",path=\""
		    POWERCAP "/intel-rapl:0:1\"} 1.5");
	test_assert_line(t, "# HELP node_rapl_package_joules_total Current RAPL "
		    "package value in joules");
	test_assert_line(t, "# TYPE node_rapl_package_joules_total counter");
	test_assert_line(t, "node_rapl_package_joules_total{index=\"0\",path=\""
		    POWERCAP "/intel-rapl:0\"} 240422.366267");
	assert_int_equal(count_lines(t), 9);
	buf_release(&out);
}

static void rapl_collect_zone_label(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .rapl_zone_label = true };
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(test_run_collector(&rapl_collector, &cfg, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_rapl_joules_total Current RAPL value in "
		    "joules");
	test_assert_line(t, "# TYPE node_rapl_joules_total counter");
	test_assert_line(t, "node_rapl_joules_total{index=\"0\",path=\"" POWERCAP
		    "/intel-rapl:0\",rapl_zone=\"package\"} 240422.366267");
	test_assert_line(t, "node_rapl_joules_total{index=\"0\",path=\"" POWERCAP
		    "/intel-rapl:0:0\",rapl_zone=\"core\"} 118821.284256");
	test_assert_line(t, "node_rapl_joules_total{index=\"0\",path=\"" POWERCAP
		    "/intel-rapl:0:1\",rapl_zone=\"dram\"} 1.5");
	assert_int_equal(count_lines(t), 5);
	buf_release(&out);
}

/* Duplicate names count up; clashing family names keep the first help. */
static void rapl_collect_duplicates(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw1-rapl");
	char sys[512];
	static const char *const zones[][2] = {
		{ "a", "dram" }, { "b", "dram" }, { "c", "package-2" },
		{ "d", "package" }, { "e", "x.y" }, { "f", "x-y" },
	};

	(void)state;
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	assert_int_equal(run(&rapl_collector, PROC, MISSING, &out), -ENODATA);
	for (size_t i = 0; i < 6; i++) {
		char rel[256], text[64];

		snprintf(rel, sizeof(rel), "sys/class/powercap/%s/name", zones[i][0]);
		snprintf(text, sizeof(text), "%s\n", zones[i][1]);
		test_write_file(dir, rel, text);
		snprintf(rel, sizeof(rel), "sys/class/powercap/%s/energy_uj",
			 zones[i][0]);
		test_write_file(dir, rel, "2000000\n");
		snprintf(rel, sizeof(rel),
			 "sys/class/powercap/%s/max_energy_range_uj", zones[i][0]);
		test_write_file(dir, rel, "5\n");
	}
	test_write_file(dir, "sys/class/powercap/intel-rapl/enabled", "1\n");
	assert_int_equal(run(&rapl_collector, PROC, sys, &out), 0);
	const char *t = buf_cstr(&out);
	char line[1024];

	snprintf(line, sizeof(line), "node_rapl_dram_joules_total{index=\"1\","
		 "path=\"%s/class/powercap/b\"} 2", sys);
	test_assert_line(t, line);
	snprintf(line, sizeof(line), "node_rapl_package_joules_total{index=\"3\","
		 "path=\"%s/class/powercap/d\"} 2", sys);
	test_assert_line(t, line);
	test_assert_line(t, "# HELP node_rapl_x_y_joules_total Current RAPL x.y "
		    "value in joules");
	assert_null(strstr(t, "/class/powercap/f\""));
	assert_int_equal(count_lines(t), 6 + 5);
	/* A bad max_energy_range_uj fails the collector. */
	test_write_file(dir, "sys/class/powercap/a/max_energy_range_uj", "x\n");
	assert_int_equal(run(&rapl_collector, PROC, sys, &out), -EINVAL);
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- schedstat ------------------------------------------------------------- */

static void schedstat_parse_lines(void **state)
{
	struct schedstat st = SCHEDSTAT_INIT;
	const char *text =
		"version 15\n"
		"cpu3 1 2 3 4 5 6 7 8 9\n"
		"xcpu4 1 2 3 4 5 6 70 80 90 100\n"
		"cpu5 1 2 3 4 5 6 7 8\n"
		"cpu6  1 2 3 4 5 6 7 8 9\n"
		"foo cpu7 1 2 3 4 5 6 7 8 9x cpu8 1 2 3 4 5 6 7 8 9\n"
		"cpu9 1 2 3 4 5 6 18446744073709551616 8 9\n"
		"cpucpu11 1 2 3 4 5 6 7 8 9";

	(void)state;
	schedstat_parse(text, strlen(text), &st);
	assert_int_equal(st.n, 4);
	assert_string_equal(schedstat_cpu_name(&st, 0), "3");
	assert_int_equal(st.v[0].running_ns, 7);
	assert_int_equal(st.v[0].waiting_ns, 8);
	assert_int_equal(st.v[0].timeslices, 9);
	assert_string_equal(schedstat_cpu_name(&st, 1), "4");
	assert_int_equal(st.v[1].running_ns, 70);
	assert_string_equal(schedstat_cpu_name(&st, 2), "7");
	assert_string_equal(schedstat_cpu_name(&st, 3), "11");
	schedstat_release(&st);

	schedstat_parse("", 0, &st);
	assert_int_equal(st.n, 0);
	schedstat_release(&st);
}

/* bufio.Scanner stops at a line of 64 KiB; lines before it count. */
static void schedstat_parse_long_line(void **state)
{
	struct schedstat st = SCHEDSTAT_INIT;
	const char *head = "cpu0 1 2 3 4 5 6 7 8 9\n";
	const char *tail = "\ncpu1 1 2 3 4 5 6 7 8 9\n";
	size_t hl = strlen(head), tl = strlen(tail);
	char *text = malloc(hl + 65536 + tl + 1);

	(void)state;
	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'x', 65535);
	memcpy(text + hl + 65535, tail, tl + 1);
	schedstat_parse(text, strlen(text), &st);
	assert_int_equal(st.n, 2);
	schedstat_release(&st);
	memset(text + hl, 'x', 65536);
	memcpy(text + hl + 65536, tail, tl + 1);
	schedstat_parse(text, strlen(text), &st);
	assert_int_equal(st.n, 1);
	schedstat_release(&st);
	free(text);
}

static void schedstat_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&schedstat_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_schedstat_running_seconds_total Number of "
		    "seconds CPU spent running a process.");
	test_assert_line(t, "# TYPE node_schedstat_running_seconds_total counter");
	test_assert_line(t, "node_schedstat_running_seconds_total{cpu=\"0\"} "
		    "2045936.778163039");
	test_assert_line(t, "node_schedstat_running_seconds_total{cpu=\"1\"} "
		    "1904686.152592476");
	test_assert_line(t, "# HELP node_schedstat_timeslices_total Number of "
		    "timeslices executed by CPU.");
	test_assert_line(t, "# TYPE node_schedstat_timeslices_total counter");
	test_assert_line(t, "node_schedstat_timeslices_total{cpu=\"0\"} 4767485306");
	test_assert_line(t, "node_schedstat_timeslices_total{cpu=\"1\"} 5145567945");
	test_assert_line(t, "# HELP node_schedstat_waiting_seconds_total Number of "
		    "seconds spent by processing waiting for this CPU.");
	test_assert_line(t, "# TYPE node_schedstat_waiting_seconds_total counter");
	test_assert_line(t, "node_schedstat_waiting_seconds_total{cpu=\"0\"} "
		    "343796.328169361");
	test_assert_line(t, "node_schedstat_waiting_seconds_total{cpu=\"1\"} "
		    "364107.263788241");
	/* cpu12's running time overflows: the line is skipped. */
	assert_null(strstr(t, "cpu=\"12\""));
	assert_int_equal(count_lines(t), 12);
	assert_int_equal(run(&schedstat_collector, MISSING, SYS, &out),
			 -ENODATA);
	buf_release(&out);
}

/* CPUs sort as strings; a CPU seen twice keeps its first line. */
static void schedstat_collect_order(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw1-sched");

	(void)state;
	test_write_file(dir, "schedstat",
			"cpu2 0 0 0 0 0 0 2000000000 0 2\n"
			"cpu10 0 0 0 0 0 0 10 0 10\n"
			"cpu2 0 0 0 0 0 0 5 0 5\n");
	assert_int_equal(run(&schedstat_collector, dir, SYS, &out), 0);
	const char *t = buf_cstr(&out);

	test_assert_line(t, "node_schedstat_running_seconds_total{cpu=\"2\"} 2");
	test_assert_line(t, "node_schedstat_timeslices_total{cpu=\"10\"} 10");
	assert_true(strstr(t, "{cpu=\"10\"}") < strstr(t, "{cpu=\"2\"}"));
	assert_int_equal(count_lines(t), 12);
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- dmi ------------------------------------------------------------------- */

static void dmi_utf8(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	dmi_valid_utf8("Dell \xffInc.\xfe\xfd", 11, &b);
	assert_string_equal(buf_cstr(&b), "Dell \xef\xbf\xbdInc.\xef\xbf\xbd");
	buf_truncate(&b, 0);
	dmi_valid_utf8("\xc3\xa9t\xc3", 4, &b);
	assert_string_equal(buf_cstr(&b), "\xc3\xa9t\xef\xbf\xbd");
	buf_truncate(&b, 0);
	dmi_valid_utf8("", 0, &b);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void dmi_labels(void **state)
{
	(void)state;
	assert_string_equal(dmi_label_for_file("sys_vendor"), "system_vendor");
	assert_string_equal(dmi_label_for_file("bios_date"), "bios_date");
	assert_null(dmi_label_for_file("chassis_type"));
	assert_null(dmi_label_for_file("modalias"));
	assert_null(dmi_label_for_file("system_vendor"));
}

static void dmi_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&dmi_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_dmi_info A metric with a constant '1' "
		    "value labeled by bios_date, bios_release, bios_vendor, "
		    "bios_version, board_asset_tag, board_name, board_serial, "
		    "board_vendor, board_version, chassis_asset_tag, "
		    "chassis_serial, chassis_vendor, chassis_version, "
		    "product_family, product_name, product_serial, product_sku, "
		    "product_uuid, product_version, system_vendor if provided "
		    "by DMI.");
	test_assert_line(t, "# TYPE node_dmi_info gauge");
	/* product_version is a symbolic link: upstream skips it. */
	test_assert_line(t, "node_dmi_info{bios_date=\"04/12/2021\","
		    "bios_release=\"1.13\",bios_vendor=\"Dell Inc.\","
		    "bios_version=\"2.2.4\",board_asset_tag=\"\","
		    "board_name=\"07PXPY\","
		    "board_serial=\".7N62AI2.GRTCL6944100GP.\","
		    "board_vendor=\"Dell Inc.\",board_version=\"A01\","
		    "chassis_asset_tag=\"\",chassis_serial=\"7N62AI2\","
		    "chassis_vendor=\"Dell Inc.\","
		    "chassis_version=\"Dell \xef\xbf\xbdInc.\xef\xbf\xbd\","
		    "product_family=\"PowerEdge\","
		    "product_name=\"PowerEdge R6515\","
		    "product_serial=\"7N62AI2\","
		    "product_sku=\"SKU=NotProvided;ModelName=PowerEdge R6515\","
		    "product_uuid=\"83340ca8-cb49-4474-8c29-d2088ca84dd9\","
		    "system_vendor=\"Dell Inc.\"} 1");
	assert_int_equal(count_lines(t), 3);
	buf_release(&out);
}

static void dmi_collect_missing(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw1-dmi");
	char sys[512];

	(void)state;
	assert_int_equal(run(&dmi_collector, PROC, MISSING, &out), -ENODATA);
	assert_int_equal(out.len, 0);
	/* Only unknown files: no data either. */
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	test_write_file(dir, "sys/class/dmi/id/chassis_type", "23\n");
	assert_int_equal(run(&dmi_collector, PROC, sys, &out), -ENODATA);
	test_write_file(dir, "sys/class/dmi/id/sys_vendor", " QEMU \n");
	assert_int_equal(run(&dmi_collector, PROC, sys, &out), 0);
	test_assert_line(buf_cstr(&out), "node_dmi_info{system_vendor=\"QEMU\"} 1");
	test_remove_dir(dir);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trim_space_go),
		cmocka_unit_test(thermal_parse_numbers),
		cmocka_unit_test(thermal_collect_fixture),
		cmocka_unit_test(thermal_collect_errors),
		cmocka_unit_test(rapl_split),
		cmocka_unit_test(rapl_names),
		cmocka_unit_test(rapl_clean),
		cmocka_unit_test(rapl_parse_counter),
		cmocka_unit_test(rapl_collect_fixture),
		cmocka_unit_test(rapl_collect_zone_label),
		cmocka_unit_test(rapl_collect_duplicates),
		cmocka_unit_test(schedstat_parse_lines),
		cmocka_unit_test(schedstat_parse_long_line),
		cmocka_unit_test(schedstat_collect_fixture),
		cmocka_unit_test(schedstat_collect_order),
		cmocka_unit_test(dmi_utf8),
		cmocka_unit_test(dmi_labels),
		cmocka_unit_test(dmi_collect_fixture),
		cmocka_unit_test(dmi_collect_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
