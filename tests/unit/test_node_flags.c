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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "expo.h"
#include "netclass.h"
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

/* A veth pair (loading veth, unlike dummy or ifb, adds no device to the
 * host); the peer is hidden by the test's ignore pattern. */
#define ADD_LINK(name, peer) "ip link add " name " type veth peer name " peer

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The integer in /sys/class/net/<dev>/<attr> ("0x1003" or "7"). */
static long sys_attr(const char *dev, const char *attr)
{
	char path[256], text[64] = "";
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	return strtol(text, NULL, 0);
}

/* Asserts that out has dev's flags and ifindex as sysfs has them now. */
static void assert_device(const struct buf *out, const char *dev)
{
	char line[200];

	snprintf(line, sizeof(line), "node_network_flags{device=\"%s\"} %ld", dev,
		 sys_attr(dev, "flags"));
	test_assert_line(buf_cstr(out), line);
	snprintf(line, sizeof(line), "node_network_iface_id{device=\"%s\"} %ld", dev,
		 sys_attr(dev, "ifindex"));
	test_assert_line(buf_cstr(out), line);
}

static void scrape_kept(const struct node_config *cfg, void *st, struct buf *out)
{
	struct collect_ctx ctx = { .config = cfg, .state = st };
	struct expo w;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	assert_int_equal(netclass_collector.collect(&ctx, &w), 0);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
}

/*
 * Attribute files kept between scrapes, in a network namespace of our own
 * with its own sysfs (as in a container): a device's values stay current,
 * and when a device is renamed and another takes its name, the name's
 * series follow the device that has the name now. Last in main(): the
 * namespaces stay.
 */
static void test_netclass_kept_files_follow_renames(void **state)
{
	/* Only the test's d* devices: a new namespace may hold fallback
	 * tunnels (tunl0, sit0, ...) when their modules are loaded. */
	struct node_config cfg = { .procfs = PROC, .sysfs = "/sys", .rootfs = "/",
				   .netclass_ignored_devices = "^[^d]" };
	struct buf out = BUF_INIT;
	struct rlimit fds;
	void *st = NULL;
	(void)state;

	/* Sets are kept only under a descriptor limit of 1,024 or more. */
	if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < 1024 && fds.rlim_max >= 1024) {
		fds.rlim_cur = 1024;
		setrlimit(RLIMIT_NOFILE, &fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &fds) != 0 || fds.rlim_cur < 1024 ||
	    unshare(CLONE_NEWNET | CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) != 0 ||
	    system(ADD_LINK("d0", "p0") " 2>/dev/null") != 0) {
		print_message("skipped: no network namespace of our own, no veth or ip(8), "
			      "or fewer than 1,024 descriptors\n");
		skip();
	}
	assert_int_equal(netclass_collector.init(&cfg, &st), 0);
	scrape_kept(&cfg, st, &out);
	assert_device(&out, "d0");
	assert_int_equal(netclass_kept_devices(st), 1);	/* d0 */

	sh("ip link set d0 up");
	assert_true(sys_attr("d0", "flags") & 1);	/* IFF_UP: a new value */
	scrape_kept(&cfg, st, &out);
	assert_device(&out, "d0");

	sh("ip link set d0 down && ip link set d0 name d9 && " ADD_LINK("d0", "p1")
	   " && ip link set d0 up");
	scrape_kept(&cfg, st, &out);
	assert_device(&out, "d0");
	assert_device(&out, "d9");
	assert_int_equal(netclass_kept_devices(st), 2);	/* d0 anew, d9 */
	scrape_kept(&cfg, st, &out);
	assert_device(&out, "d0");
	assert_device(&out, "d9");
	assert_int_equal(netclass_kept_devices(st), 2);

	sh("ip link del d9");
	scrape_kept(&cfg, st, &out);
	assert_null(strstr(buf_cstr(&out), "device=\"d9\""));
	assert_device(&out, "d0");
	assert_int_equal(netclass_kept_devices(st), 1);

	netclass_collector.release(st);
	buf_release(&out);
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
		cmocka_unit_test(test_netclass_kept_files_follow_renames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
