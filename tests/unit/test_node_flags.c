/*
 * Tests of the optional families behind node_exporter 1.5's flags:
 * --collector.cpu.info with its flags/bugs include patterns (the cpuinfo
 * parser and the cpu collector's output) and --collector.stat.softirq,
 * over tests/fixtures/node/proc (cpuinfo, stat); and
 * --collector.netclass.netlink over this host's real links (netlink needs
 * no privilege to list them; parity_node.py --netlink checks the values).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "expo.h"
#include "node.h"
#include "node_parse.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"

static void test_cpuinfo_parse(void **state)
{
	struct cpu_infos c;
	(void)state;

	assert_int_equal(cpu_info_parse("\n\nprocessor\t: 0\nvendor_id\t: X\n"
					"model name\t: A: B\nflags\t\t: fpu aes\n"
					"power management:\n\nprocessor\t: 0x1\n"
					"core id\t\t: 7\n", &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].vendor, "X");
	/* Only the first ": " splits. */
	assert_string_equal(c.v[0].model_name, "A: B");
	assert_string_equal(c.v[0].flags, "fpu aes");
	/* Go's base-0 parse: 0x1 is CPU 1. */
	assert_string_equal(c.v[1].processor, "1");
	assert_string_equal(c.v[1].core_id, "7");
	assert_null(c.v[1].vendor);
	cpu_infos_release(&c);
}

static void test_cpuinfo_refuses(void **state)
{
	static const char *const bad[] = {
		"",				/* empty */
		"vendor_id : X\n",		/* does not start with processor */
		"processor : x\n",		/* not a number */
		"processor\t:0\n",		/* no ": " (upstream panics) */
		"processor : 0\ncpu MHz : fast\n",
		"processor : 0\nsiblings : -1\n",
		"processor : 0\nbogomips : \n",
	};
	struct cpu_infos c;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cpu_info_parse(bad[i], &c) != -EINVAL)
			fail_msg("taken: %s", bad[i]);
		cpu_infos_release(&c);
	}
}

static void test_cpu_info_families(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS, .rootfs = "/" };
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	/* Off by default. */
	assert_int_equal(test_run_collector(&cpu_collector, &cfg, &out), 0);
	assert_null(strstr(buf_cstr(&out), "node_cpu_info"));
	cfg.cpu_info = true;
	assert_int_equal(test_run_collector(&cpu_collector, &cfg, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_cpu_info{cachesize=\"8192 KB\",core=\"1\",cpu=\"1\","
			 "family=\"6\",microcode=\"0xb4\",model=\"142\",model_name="
			 "\"Intel(R) Core(TM) i7-8650U \\\"fixture\\\" \\\\ CPU @ 1.90GHz\","
			 "package=\"0\",stepping=\"10\",vendor=\"GenuineIntel\"} 1");
	assert_null(strstr(o, "node_cpu_flag_info"));
	/* An include pattern alone turns the info on, as upstream. */
	cfg.cpu_info = false;
	cfg.cpu_info_flags_include = "^(aes|vmx)$";
	cfg.cpu_info_bugs_include = "spectre";
	assert_int_equal(test_run_collector(&cpu_collector, &cfg, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_cpu_flag_info{flag=\"aes\"} 1");
	test_assert_line(o, "node_cpu_flag_info{flag=\"vmx\"} 1");
	assert_null(strstr(o, "flag=\"avx\""));
	test_assert_line(o, "node_cpu_bug_info{bug=\"spectre_v2\"} 1");
	assert_null(strstr(o, "cpu_meltdown"));
	assert_non_null(strstr(o, "node_cpu_info{"));
	/* aes twice in the first CPU's flags: one sample. */
	assert_null(strstr(strstr(o, "flag=\"aes\"") + 1, "flag=\"aes\""));
	/* A host without cpuinfo fails the collector, as upstream. */
	cfg.procfs = SYS;
	assert_int_not_equal(test_run_collector(&cpu_collector, &cfg, &out), 0);
	buf_release(&out);
}

static void test_softirq(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS, .rootfs = "/" };
	struct buf out = BUF_INIT;
	struct proc_stat st;
	(void)state;

	assert_int_equal(test_run_collector(&stat_collector, &cfg, &out), 0);
	assert_null(strstr(buf_cstr(&out), "softirq"));
	cfg.stat_softirq = true;
	assert_int_equal(test_run_collector(&stat_collector, &cfg, &out), 0);
	test_assert_line(buf_cstr(&out), "# TYPE node_softirqs_total counter");
	test_assert_line(buf_cstr(&out), "node_softirqs_total{vector=\"hi\"} 250191");
	test_assert_line(buf_cstr(&out), "node_softirqs_total{vector=\"rcu\"} 510875");
	test_assert_line(buf_cstr(&out), "node_softirqs_total{vector=\"net_rx\"} 211099");
	/* A short softirq line fails /proc/stat, whatever the flag. */
	assert_int_equal(stat_parse("cpu 1 2 3 4\nsoftirq 1 2 3\n", &st), -EINVAL);
	assert_int_equal(stat_parse("cpu 1\nsoftirq 1 2 3 4 5 6 7 8 9 10 11 x\n", &st), 0);
	assert_int_equal(st.softirq[9], 11);
	buf_release(&out);
}

static void test_netclass_netlink(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = "/nonexistent",
				   .rootfs = "/", .netclass_netlink = true };
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	/* sysfs is not read at all in this mode. */
	assert_int_equal(test_run_collector(&netclass_collector, &cfg, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "# HELP node_network_info Non-numeric data of <iface>, "
			 "value is always 1.");
	test_assert_line(o, "node_network_info{address=\"00:00:00:00:00:00\","
			 "broadcast=\"00:00:00:00:00:00\",device=\"lo\",duplex=\"\","
			 "ifalias=\"\",operstate=\"unknown\"} 1");
	test_assert_line(o, "node_network_up{device=\"lo\"} 0");
	test_assert_line(o, "node_network_mtu_bytes{device=\"lo\"} 65536");
	/* sysfs-only attributes are not there over netlink, as upstream. */
	assert_null(strstr(o, "node_network_address_assign_type"));
	assert_null(strstr(o, "node_network_name_assign_type"));
	cfg.netclass_ignored_devices = "^lo$";
	assert_int_equal(test_run_collector(&netclass_collector, &cfg, &out), 0);
	assert_null(strstr(buf_cstr(&out), "device=\"lo\""));
	buf_release(&out);
}

/*
 * By default netclass takes what RTM_GETLINK gives exactly as sysfs does
 * from netlink and reads only the rest from /sys/class/net: the output
 * must be the one of reading every file. Compared on this host's real
 * devices; a counter (carrier changes) may move between the two reads,
 * so a few tries are allowed.
 */
static void test_netclass_netlink_shortcut_same_as_sysfs(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = "/sys",
				   .rootfs = "/" };
	struct buf fast = BUF_INIT, slow = BUF_INIT;
	bool same = false;
	(void)state;

	for (int i = 0; i < 5 && !same; i++) {
		cfg.netclass_sysfs_only = false;
		assert_int_equal(test_run_collector(&netclass_collector, &cfg, &fast), 0);
		cfg.netclass_sysfs_only = true;
		assert_int_equal(test_run_collector(&netclass_collector, &cfg, &slow), 0);
		same = strcmp(buf_cstr(&fast), buf_cstr(&slow)) == 0;
	}
	assert_string_equal(buf_cstr(&fast), buf_cstr(&slow));
	/* Every device of this host is there, lo too. */
	test_assert_line(buf_cstr(&fast), "node_network_up{device=\"lo\"} 0");
	test_assert_line(buf_cstr(&fast), "node_network_mtu_bytes{device=\"lo\"} 65536");
	buf_release(&fast);
	buf_release(&slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuinfo_parse),
		cmocka_unit_test(test_cpuinfo_refuses),
		cmocka_unit_test(test_cpu_info_families),
		cmocka_unit_test(test_softirq),
		cmocka_unit_test(test_netclass_netlink),
		cmocka_unit_test(test_netclass_netlink_shortcut_same_as_sysfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
