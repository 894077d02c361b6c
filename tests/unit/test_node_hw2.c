/*
 * Tests of the cpufreq, nvme, powersupplyclass and bonding collectors:
 * their pure parsers (hw2_parse.h) on good, odd and garbage text, and each
 * collector's output over the fixture tree tests/fixtures/node
 * (sys/devices/system/cpu/cpu{0,1}/cpufreq, sys/class/nvme,
 * sys/class/power_supply) or over scratch trees for the error paths and
 * for bonding (a bond directory in the fixture's class/net would become a
 * netclass device).
 *
 * The expected lines were checked against Debian's node_exporter 1.5.0
 * run with --path.sysfs on the same trees.
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
#include "hw2_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define MISSING FIXTURES_DIR "/node/does-not-exist"

/* ---- helpers ------------------------------------------------------------- */

static int run(const struct collector *c, const char *sysfs, struct buf *out)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = sysfs,
				   .rootfs = "/", .powersupply_ignored = "^$" };

	return test_run_collector(c, &cfg, out);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Asserts that a comes before b in text (both present). */
static void assert_before(const char *text, const char *a, const char *b)
{
	const char *pa = strstr(text, a), *pb = strstr(text, b);

	assert_non_null(pa);
	assert_non_null(pb);
	assert_true(pa < pb);
}

/* ---- parsers ------------------------------------------------------------- */

static void test_trim(void **state)
{
	const char *s;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(hw2_trim(" \t x y \r\n", &s), 3);
	assert_memory_equal(s, "x y", 3);
	assert_int_equal(hw2_trim("", &s), 0);
	assert_int_equal(hw2_trim(" \n\v\f", &s), 0);
	assert_string_equal(hw2_trim_into("  Samsung SSD   \n", &b), "Samsung SSD");
	assert_string_equal(hw2_trim_into("x", &b), "x");
	buf_release(&b);
}

static void test_parse_u64(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(hw2_parse_u64("1200000\n", &v), 0);
	assert_true(v == 1200000);
	assert_int_equal(hw2_parse_u64(" 7 ", &v), 0);
	assert_true(v == 7);
	assert_int_equal(hw2_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hw2_parse_u64("18446744073709551616", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64(" \n", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("12x", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("+1", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("1 2", &v), -EINVAL);
	assert_int_equal(hw2_parse_u64("<unsupported>", &v), -EINVAL);
}

static void test_parse_i64(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(hw2_parse_i64("98\n", &v), 0);
	assert_true(v == 98);
	assert_int_equal(hw2_parse_i64("-50", &v), 0);
	assert_true(v == -50);
	/* Base 0, as Go's ParseInt(s, 0, 64): prefixes and underscores. */
	assert_int_equal(hw2_parse_i64("0x10", &v), 0);
	assert_true(v == 16);
	assert_int_equal(hw2_parse_i64("010", &v), 0);
	assert_true(v == 8);
	assert_int_equal(hw2_parse_i64("1_000", &v), 0);
	assert_true(v == 1000);
	assert_int_equal(hw2_parse_i64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(hw2_parse_i64("9223372036854775808", &v), -EINVAL);
	assert_int_equal(hw2_parse_i64("abc", &v), -EINVAL);
	assert_int_equal(hw2_parse_i64("", &v), -EINVAL);
	assert_int_equal(hw2_parse_i64("09", &v), -EINVAL);
	assert_int_equal(hw2_parse_i64("1__0", &v), -EINVAL);
}

static void test_split_words(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(hw2_split_words(" bond0\tbond1 \nbond2\n", &b), 3);
	assert_memory_equal(b.data, "bond0\0bond1\0bond2\0", 18);
	buf_truncate(&b, 0);
	assert_int_equal(hw2_split_words("", &b), 0);
	assert_int_equal(hw2_split_words(" \n\r\n", &b), 0);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

/* ---- cpufreq ------------------------------------------------------------- */

static void test_cpufreq_collect(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&cpufreq_collector, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_cpu_frequency_hertz Current cpu thread frequency in hertz.");
	test_assert_line(t, "# TYPE node_cpu_frequency_hertz gauge");
	test_assert_line(t, "node_cpu_frequency_hertz{cpu=\"0\"} 1200000000");
	/* cpu1 has no cpuinfo_cur_freq: left out, the rest kept. */
	assert_int_equal(count(t, "node_cpu_frequency_hertz{"), 1);
	test_assert_line(t, "# HELP node_cpu_frequency_max_hertz Maximum cpu thread frequency in hertz.");
	test_assert_line(t, "node_cpu_frequency_max_hertz{cpu=\"0\"} 3300000000");
	test_assert_line(t, "node_cpu_frequency_max_hertz{cpu=\"1\"} 3300000000");
	test_assert_line(t, "# HELP node_cpu_frequency_min_hertz Minimum cpu thread frequency in hertz.");
	test_assert_line(t, "node_cpu_frequency_min_hertz{cpu=\"1\"} 800000000");
	test_assert_line(t, "# HELP node_cpu_scaling_frequency_hertz Current scaled CPU thread frequency in hertz.");
	test_assert_line(t, "node_cpu_scaling_frequency_hertz{cpu=\"0\"} 1219917000");
	test_assert_line(t, "node_cpu_scaling_frequency_hertz{cpu=\"1\"} 1200195000");
	test_assert_line(t, "# HELP node_cpu_scaling_frequency_max_hertz Maximum scaled CPU thread frequency in hertz.");
	test_assert_line(t, "node_cpu_scaling_frequency_max_hertz{cpu=\"1\"} 3300000000");
	test_assert_line(t, "# HELP node_cpu_scaling_frequency_min_hertz Minimum scaled CPU thread frequency in hertz.");
	test_assert_line(t, "# TYPE node_cpu_scaling_frequency_min_hertz gauge");
	test_assert_line(t, "node_cpu_scaling_frequency_min_hertz{cpu=\"0\"} 800000000");
	test_assert_line(t, "node_cpu_scaling_frequency_min_hertz{cpu=\"1\"} 1000000000");
	assert_int_equal(count(t, "# TYPE "), 6);
	/* 1.5 has no governor family. */
	assert_int_equal(count(t, "governor"), 0);
	assert_before(t, "# TYPE node_cpu_frequency_max_hertz ",
		      "# TYPE node_cpu_frequency_min_hertz ");
	assert_before(t, "node_cpu_scaling_frequency_min_hertz{cpu=\"0\"}",
		      "node_cpu_scaling_frequency_min_hertz{cpu=\"1\"}");
	buf_release(&out);
}

/* Writes a complete cpufreq directory for cpuN under dir. */
static void write_cpufreq(const char *dir, const char *cpu)
{
	static const char *const files[][2] = {
		{ "scaling_cur_freq", "1000\n" },
		{ "cpuinfo_transition_latency", "0\n" },
		{ "scaling_available_governors", "performance\n" },
		{ "scaling_driver", "acpi-cpufreq\n" },
		{ "scaling_governor", "performance\n" },
		{ "related_cpus", "0\n" },
		{ "scaling_setspeed", "<unsupported>\n" },
	};
	char rel[256];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "devices/system/cpu/%s/cpufreq/%s",
			 cpu, files[i][0]);
		test_write_file(dir, rel, files[i][1]);
	}
}

static void test_cpufreq_errors(void **state)
{
	char *dir = test_make_dir("hw2-cpufreq");
	struct buf out = BUF_INIT, path = BUF_INIT;

	(void)state;
	/* No CPUs at all: nothing, and no failure (as upstream). */
	assert_int_equal(run(&cpufreq_collector, MISSING, &out), 0);
	assert_int_equal(out.len, 0);

	/* A CPU without cpufreq is skipped; cpu10 sorts before cpu2. */
	write_cpufreq(dir, "cpu10");
	write_cpufreq(dir, "cpu2");
	test_write_file(dir, "devices/system/cpu/cpu3/online", "1\n");
	assert_int_equal(run(&cpufreq_collector, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_cpu_scaling_frequency_hertz{cpu=\"10\"} 1000000");
	test_assert_line(buf_cstr(&out), "node_cpu_scaling_frequency_hertz{cpu=\"2\"} 1000000");
	assert_before(buf_cstr(&out), "{cpu=\"10\"}", "{cpu=\"2\"}");
	assert_int_equal(count(buf_cstr(&out), "cpu=\"3\""), 0);
	assert_int_equal(count(buf_cstr(&out), "# TYPE "), 1);

	/* A number that does not parse fails the collector. */
	test_write_file(dir, "devices/system/cpu/cpu2/cpufreq/scaling_max_freq", " 12x\n");
	assert_int_equal(run(&cpufreq_collector, dir, &out), -EINVAL);
	test_write_file(dir, "devices/system/cpu/cpu2/cpufreq/scaling_max_freq", "12\n");
	assert_int_equal(run(&cpufreq_collector, dir, &out), 0);
	/* So does an unparsable unexposed one. */
	test_write_file(dir, "devices/system/cpu/cpu2/cpufreq/cpuinfo_transition_latency", "x\n");
	assert_int_equal(run(&cpufreq_collector, dir, &out), -EINVAL);
	test_write_file(dir, "devices/system/cpu/cpu2/cpufreq/cpuinfo_transition_latency", "1\n");

	/* A missing string attribute fails it too (upstream reads them all). */
	buf_addf(&path, "%s/devices/system/cpu/cpu10/cpufreq/scaling_driver", dir);
	assert_int_equal(remove(buf_cstr(&path)), 0);
	assert_int_equal(run(&cpufreq_collector, dir, &out), -ENOENT);

	buf_release(&path);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- nvme ---------------------------------------------------------------- */

static void test_nvme_collect(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&nvme_collector, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_nvme_info Non-numeric data from /sys/class/nvme/<device>, value is always 1.");
	test_assert_line(t, "# TYPE node_nvme_info gauge");
	test_assert_line(t, "node_nvme_info{device=\"nvme0\",firmware_revision=\"1B2QEXP7\",model=\"Samsung SSD 970 PRO 512GB\",serial=\"S680HF8N190894I\",state=\"live\"} 1");
	test_assert_line(t, "node_nvme_info{device=\"nvme1\",firmware_revision=\"EDA7602Q\",model=\"Micron \\\"MTFD\\\" \\\\ 2TB\",serial=\"21023B4C5A1D\",state=\"resetting\"} 1");
	assert_before(t, "device=\"nvme0\"", "device=\"nvme1\"");
	assert_int_equal(count(t, "\n"), 4);
	buf_release(&out);
}

static void test_nvme_errors(void **state)
{
	char *dir = test_make_dir("hw2-nvme");
	struct buf out = BUF_INIT, path = BUF_INIT;

	(void)state;
	assert_int_equal(run(&nvme_collector, MISSING, &out), -ENODATA);
	test_write_file(dir, "class/nvme/nvme0/firmware_rev", "F1\n");
	test_write_file(dir, "class/nvme/nvme0/model", "M\n");
	test_write_file(dir, "class/nvme/nvme0/serial", "S\n");
	/* A missing attribute is "no data" to upstream. */
	assert_int_equal(run(&nvme_collector, dir, &out), -ENODATA);
	test_write_file(dir, "class/nvme/nvme0/state", "live\n");
	assert_int_equal(run(&nvme_collector, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_nvme_info{device=\"nvme0\",firmware_revision=\"F1\",model=\"M\",serial=\"S\",state=\"live\"} 1");
	/* An entry that is not a directory fails it. */
	test_write_file(dir, "class/nvme/junk", "");
	assert_int_equal(run(&nvme_collector, dir, &out), -ENOTDIR);
	buf_addf(&path, "%s/class/nvme/junk", dir);
	assert_int_equal(remove(buf_cstr(&path)), 0);
	/* An empty class directory: success, nothing written. */
	test_remove_dir(dir);
	dir = test_make_dir("hw2-nvme");
	test_write_file(dir, "class/nvme/.keep", "");
	buf_truncate(&path, 0);
	buf_addf(&path, "%s/class/nvme/.keep", dir);
	assert_int_equal(remove(buf_cstr(&path)), 0);
	assert_int_equal(run(&nvme_collector, dir, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&path);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- powersupplyclass ---------------------------------------------------- */

static void test_powersupply_collect(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&powersupplyclass_collector, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_power_supply_capacity capacity value of /sys/class/power_supply/<power_supply>.");
	test_assert_line(t, "# TYPE node_power_supply_capacity gauge");
	test_assert_line(t, "node_power_supply_capacity{power_supply=\"BAT0\"} 98");
	test_assert_line(t, "node_power_supply_online{power_supply=\"AC\"} 1");
	test_assert_line(t, "node_power_supply_cyclecount{power_supply=\"BAT0\"} 0");
	/* Micro units to base units, tenths of a degree to degrees. */
	test_assert_line(t, "node_power_supply_energy_full{power_supply=\"BAT0\"} 50.06");
	test_assert_line(t, "node_power_supply_energy_watthour{power_supply=\"BAT0\"} 49.45");
	test_assert_line(t, "node_power_supply_power_watt{power_supply=\"BAT0\"} 4.83");
	test_assert_line(t, "node_power_supply_voltage_volt{power_supply=\"BAT0\"} 12.229");
	test_assert_line(t, "node_power_supply_voltage_min_design{power_supply=\"BAT0\"} 10.8");
	test_assert_line(t, "node_power_supply_charge_ampere{power_supply=\"BAT0\"} 1.4e-05");
	test_assert_line(t, "node_power_supply_temp_celsius{power_supply=\"BAT0\"} 30.5");
	test_assert_line(t, "node_power_supply_temp_alert_min_celsius{power_supply=\"BAT0\"} -5");
	test_assert_line(t, "node_power_supply_time_to_empty_seconds{power_supply=\"BAT0\"} 7200");
	test_assert_line(t, "node_power_supply_time_to_full_seconds{power_supply=\"BAT0\"} 60");
	/* current_now is "0x10": Go's base 0 reads 16 µA. */
	test_assert_line(t, "node_power_supply_current_ampere{power_supply=\"BAT0\"} 1.6e-05");
	test_assert_line(t, "# HELP node_power_supply_info info of /sys/class/power_supply/<power_supply>.");
	test_assert_line(t, "# TYPE node_power_supply_info gauge");
	test_assert_line(t, "node_power_supply_info{power_supply=\"AC\",type=\"Mains\"} 1");
	test_assert_line(t, "node_power_supply_info{capacity_level=\"Normal\",charge_type=\"Fast\",health=\"Good\",manufacturer=\"LGC\",model_name=\"LNV-45N1\",power_supply=\"BAT0\",scope=\"System\",serial_number=\"38109\",status=\"Discharging\",technology=\"Li-ion\",type=\"Battery\",usb_type=\"[SDP] DCP\"} 1");
	/* Fewer labels first, as upstream sorts inconsistent label sets. */
	assert_before(t, "power_supply=\"AC\",type", "capacity_level=\"Normal\"");
	/* *_avg and unknown files (alarm, uevent) are never exposed. */
	assert_int_equal(count(t, "_avg"), 0);
	assert_int_equal(count(t, "alarm"), 0);
	assert_int_equal(count(t, "uevent"), 0);
	assert_int_equal(count(t, "# TYPE "), 50);
	assert_before(t, "# TYPE node_power_supply_energy_watthour ",
		      "# TYPE node_power_supply_info ");
	assert_before(t, "# TYPE node_power_supply_info ",
		      "# TYPE node_power_supply_input_current_limit ");
	assert_before(t, "# TYPE node_power_supply_temp_ambient_min_celsius ",
		      "# TYPE node_power_supply_temp_celsius ");
	assert_before(t, "# TYPE node_power_supply_voltage_ocv ",
		      "# TYPE node_power_supply_voltage_volt ");
	buf_release(&out);
}

static void test_powersupply_ignored(void **state)
{
	struct node_config cfg = { .sysfs = SYS, .powersupply_ignored = "^BAT" };
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(test_run_collector(&powersupplyclass_collector, &cfg, &out), 0);
	t = buf_cstr(&out);
	assert_int_equal(count(t, "BAT0"), 0);
	test_assert_line(t, "node_power_supply_online{power_supply=\"AC\"} 1");
	test_assert_line(t, "node_power_supply_info{power_supply=\"AC\",type=\"Mains\"} 1");
	assert_int_equal(count(t, "# TYPE "), 2);
	buf_release(&out);
}

static void test_powersupply_errors(void **state)
{
	char *dir = test_make_dir("hw2-ps");
	struct node_config cfg = { .sysfs = dir, .powersupply_ignored = "^bad" };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&powersupplyclass_collector, MISSING, &out), -ENODATA);
	test_write_file(dir, "class/power_supply/usb/online", " 12 \n");
	test_write_file(dir, "class/power_supply/usb/model_name", "\n");
	test_write_file(dir, "class/power_supply/usb/manufacturer", "ACME \xff\n");
	test_write_file(dir, "class/power_supply/usb/device/online", "x\n");
	assert_int_equal(run(&powersupplyclass_collector, dir, &out), 0);
	/* Empty values drop their label; subdirectories are not read. */
	test_assert_line(buf_cstr(&out), "node_power_supply_info{manufacturer=\"ACME \xef\xbf\xbd\",power_supply=\"usb\"} 1");
	test_assert_line(buf_cstr(&out), "node_power_supply_online{power_supply=\"usb\"} 12");
	/* A bad number fails it, even in a supply that is then ignored. */
	test_write_file(dir, "class/power_supply/bad/voltage_avg", "abc\n");
	assert_int_equal(test_run_collector(&powersupplyclass_collector, &cfg, &out), -EINVAL);
	test_write_file(dir, "class/power_supply/bad/voltage_avg", "-1\n");
	assert_int_equal(test_run_collector(&powersupplyclass_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "bad"), 0);
	/* An entry that is not a directory fails it. */
	test_write_file(dir, "class/power_supply/junk", "");
	assert_int_equal(run(&powersupplyclass_collector, dir, &out), -ENOTDIR);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- bonding ------------------------------------------------------------- */

/* bond1 lists nothing; bond0 has two slaves up (one under the older
 * slave_ name is down). */
static char *make_bonds(void)
{
	char *dir = test_make_dir("hw2-bond");

	test_write_file(dir, "class/net/bonding_masters", "bond1 bond0\n");
	test_write_file(dir, "class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n");
	test_write_file(dir, "class/net/bond0/lower_eth0/bonding_slave/mii_status", " up \n");
	test_write_file(dir, "class/net/bond0/slave_eth1/bonding_slave/mii_status", "down\n");
	test_write_file(dir, "class/net/bond0/lower_eth2/bonding_slave/mii_status", "up\n");
	test_write_file(dir, "class/net/bond1/bonding/slaves", "\n");
	return dir;
}

static void test_bonding_collect(void **state)
{
	char *dir = make_bonds();
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&bonding_collector, dir, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_bonding_active Number of active slaves per bonding interface.");
	test_assert_line(t, "# TYPE node_bonding_active gauge");
	test_assert_line(t, "node_bonding_active{master=\"bond0\"} 2");
	test_assert_line(t, "node_bonding_active{master=\"bond1\"} 0");
	test_assert_line(t, "# HELP node_bonding_slaves Number of configured slaves per bonding interface.");
	test_assert_line(t, "# TYPE node_bonding_slaves gauge");
	test_assert_line(t, "node_bonding_slaves{master=\"bond0\"} 3");
	test_assert_line(t, "node_bonding_slaves{master=\"bond1\"} 0");
	assert_before(t, "# TYPE node_bonding_active ", "# TYPE node_bonding_slaves ");
	assert_before(t, "active{master=\"bond0\"}", "active{master=\"bond1\"}");
	assert_int_equal(count(t, "\n"), 8);
	buf_release(&out);
	test_remove_dir(dir);
}

static void test_bonding_errors(void **state)
{
	char *dir = make_bonds();
	struct buf out = BUF_INIT, path = BUF_INIT;

	(void)state;
	assert_int_equal(run(&bonding_collector, MISSING, &out), -ENODATA);
	/* The fixture lists bond0 but has no such directory. */
	assert_int_equal(run(&bonding_collector, SYS, &out), -ENODATA);
	/* A slave without mii_status under either name: no data. */
	buf_addf(&path, "%s/class/net/bond0/lower_eth2/bonding_slave/mii_status", dir);
	assert_int_equal(remove(buf_cstr(&path)), 0);
	assert_int_equal(run(&bonding_collector, dir, &out), -ENODATA);
	/* No masters at all: success, nothing written. */
	test_write_file(dir, "class/net/bonding_masters", " \n");
	assert_int_equal(run(&bonding_collector, dir, &out), 0);
	assert_int_equal(out.len, 0);
	/* A master that is a file: a real error. */
	test_write_file(dir, "class/net/bonding_masters", "lo\n");
	test_write_file(dir, "class/net/lo", "");
	assert_int_equal(run(&bonding_collector, dir, &out), -ENOTDIR);
	buf_release(&path);
	buf_release(&out);
	test_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_cpufreq_collect),
		cmocka_unit_test(test_cpufreq_errors),
		cmocka_unit_test(test_nvme_collect),
		cmocka_unit_test(test_nvme_errors),
		cmocka_unit_test(test_powersupply_collect),
		cmocka_unit_test(test_powersupply_ignored),
		cmocka_unit_test(test_powersupply_errors),
		cmocka_unit_test(test_bonding_collect),
		cmocka_unit_test(test_bonding_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
