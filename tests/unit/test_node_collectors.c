/*
 * Tests of the procfs/sysfs node collectors (cpu, loadavg, meminfo, stat,
 * time, uname): their pure parsers on good, odd and garbage text, and each
 * collector's whole output over the fixture tree tests/fixtures/node.
 *
 * The fixture values (see tests/fixtures/node/README.core.md) are fixed;
 * the expected lines below are computed from them by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "expo.h"
#include "node.h"
#include "node_parse.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define MISSING FIXTURES_DIR "/node/does-not-exist"

/* ---- helpers ------------------------------------------------------------- */

/* Runs one collect() with the given roots into out; returns its result. */
static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, void *state, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .rootfs = "/" };
	struct collect_ctx ctx = { .config = &cfg, .state = state };
	struct expo w;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	int rc = c->collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	return rc;
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

/* A scratch procfs/sysfs tree under /tmp, for contents a test controls. */
struct tree {
	char dir[64];
};

static void tree_make(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/exbox-node-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
}

static void tree_write(struct tree *t, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void tree_remove(struct tree *t, const char *const *names)
{
	char path[128];

	for (; *names; names++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, *names);
		unlink(path);
	}
	assert_int_equal(rmdir(t->dir), 0);
}

/* ---- loadavg ------------------------------------------------------------- */

static void loadavg_parse_good(void **state)
{
	double l[3];

	(void)state;
	assert_int_equal(loadavg_parse("0.53 0.16 0.05 2/86 6242\n", l), 0);
	assert_true(l[0] == 0.53 && l[1] == 0.16 && l[2] == 0.05);
	/* Tabs, no newline, nothing after the averages. */
	assert_int_equal(loadavg_parse("\t12.00\t3.5  100", l), 0);
	assert_true(l[0] == 12.0 && l[1] == 3.5 && l[2] == 100.0);
}

static void loadavg_parse_garbage(void **state)
{
	double l[3];

	(void)state;
	assert_int_equal(loadavg_parse("", l), -EINVAL);
	assert_int_equal(loadavg_parse("0.1 0.2\n", l), -EINVAL);
	assert_int_equal(loadavg_parse("0.1 0.2x 0.3\n", l), -EINVAL);
	assert_int_equal(loadavg_parse("load average: 1 2 3", l), -EINVAL);
}

static void loadavg_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&loadavg_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_load1 1m load average.");
	test_assert_line(s, "# TYPE node_load1 gauge");
	test_assert_line(s, "node_load1 0.21");
	test_assert_line(s, "# HELP node_load5 5m load average.");
	test_assert_line(s, "node_load5 0.37");
	test_assert_line(s, "# HELP node_load15 15m load average.");
	test_assert_line(s, "# TYPE node_load15 gauge");
	test_assert_line(s, "node_load15 0.39");
	assert_before(s, "node_load15 ", "node_load5 ");
	buf_release(&out);
}

/* ---- meminfo ------------------------------------------------------------- */

static double mem_get(const struct meminfo *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(meminfo_key(m, i), key) == 0)
			return m->v[i].value;
	fail_msg("meminfo key missing: %s", key);
	return -1;
}

static void meminfo_parse_good(void **state)
{
	struct meminfo m = MEMINFO_INIT;

	(void)state;
	assert_int_equal(meminfo_parse("MemTotal:  16 kB\n"
				       "Active(anon):   2 kB\n"
				       "\n"
				       "HugePages_Total:   7\n"
				       "Cached: 3 kB\n"
				       "Cached: 4 kB\n",
				       &m), 0);
	assert_int_equal(m.n, 4);
	assert_true(mem_get(&m, "MemTotal_bytes") == 16384);
	assert_true(mem_get(&m, "Active_anon_bytes") == 2048);
	assert_true(mem_get(&m, "HugePages_Total") == 7);
	assert_true(mem_get(&m, "Cached_bytes") == 4096);	/* last wins */
	/* Sorted by key, bytewise, as upstream's output is. */
	assert_string_equal(meminfo_key(&m, 0), "Active_anon_bytes");
	assert_string_equal(meminfo_key(&m, 3), "MemTotal_bytes");
	meminfo_release(&m);
}

/* Keys repeated anywhere in the file: each one once, with its last value. */
static void meminfo_parse_last_wins(void **state)
{
	struct buf text = BUF_INIT;
	double last[10];
	bool seen[10] = { false };

	(void)state;
	srand(3);
	for (int line = 0; line < 300; line++) {
		int k = rand() % 10, v = rand() % 100000;
		buf_addf(&text, "Key%d: %d kB\n", k, v);
		last[k] = v * 1024.0;
		seen[k] = true;
	}
	struct meminfo m = MEMINFO_INIT;
	assert_int_equal(meminfo_parse(buf_cstr(&text), &m), 0);
	size_t keys = 0;
	for (int k = 0; k < 10; k++) {
		char key[32];
		snprintf(key, sizeof(key), "Key%d_bytes", k);
		if (!seen[k])
			continue;
		keys++;
		assert_true(mem_get(&m, key) == last[k]);
	}
	assert_int_equal(m.n, keys);
	for (size_t i = 1; i < m.n; i++)
		assert_true(strcmp(meminfo_key(&m, i - 1), meminfo_key(&m, i)) < 0);
	meminfo_release(&m);
	buf_release(&text);
}

static void meminfo_parse_odd_names(void **state)
{
	struct meminfo m = MEMINFO_INIT;

	(void)state;
	/* Upstream's greedy \((.*)\): first '(' to last ')'. */
	assert_int_equal(meminfo_parse("A(b)c: 1 kB\n"
				       "X(y)(z): 1\n"
				       "Bad-Name: 5 kB\n"
				       "Huge: 34359738367 kB\n",
				       &m), 0);
	assert_true(mem_get(&m, "A_bc_bytes") == 1024);
	assert_true(mem_get(&m, "Huge_bytes") == 35184372087808.0);
	/* "X_y)(z" and "Bad-Name" cannot be metric names: skipped. */
	assert_int_equal(m.n, 2);
	meminfo_release(&m);
}

static void meminfo_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"", "\n\n", "MemTotal:\n", "MemTotal: abc kB\n",
		"MemTotal: 1 kB extra\n", "MemTotal: 12kB\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct meminfo m = MEMINFO_INIT;
		assert_int_equal(meminfo_parse(bad[i], &m), -EINVAL);
		meminfo_release(&m);
	}
}

static void meminfo_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&meminfo_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_memory_MemTotal_bytes Memory information "
		       "field MemTotal_bytes.");
	test_assert_line(s, "# TYPE node_memory_MemTotal_bytes gauge");
	test_assert_line(s, "node_memory_MemTotal_bytes 8235249664");
	test_assert_line(s, "node_memory_MemAvailable_bytes 5906948096");
	test_assert_line(s, "# HELP node_memory_Active_anon_bytes Memory information "
		       "field Active_anon_bytes.");
	test_assert_line(s, "node_memory_Active_anon_bytes 1621192704");
	test_assert_line(s, "node_memory_Inactive_file_bytes 2103730176");
	test_assert_line(s, "# HELP node_memory_HugePages_Total Memory information "
		       "field HugePages_Total.");
	test_assert_line(s, "node_memory_HugePages_Total 0");
	test_assert_line(s, "node_memory_Hugepagesize_bytes 2097152");
	test_assert_line(s, "node_memory_VmallocTotal_bytes 35184372087808");
	/* A field no table knows still comes out. */
	test_assert_line(s, "node_memory_Unaccepted_bytes 0");
	assert_int_equal(count(s, "# TYPE "), 55);
	assert_before(s, "node_memory_ShmemPmdMapped_bytes ",
		      "node_memory_Shmem_bytes ");
	buf_release(&out);
}

/* ---- stat ---------------------------------------------------------------- */

static void stat_parse_good(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(stat_parse("cpu  1 2 3 4\n"
				    "intr 18446744073709551615 3 0 7\n"
				    "ctxt 254378\n"
				    "btime 1795507465\n"
				    "processes 3005\n"
				    "procs_running 2\n"
				    "procs_blocked 0\n"
				    "softirq 55 1 2 3 4 5 6 7 8 9 10\n",
				    &st), 0);
	assert_true(st.intr == UINT64_MAX);
	assert_true(st.ctxt == 254378);
	assert_true(st.btime == 1795507465);
	assert_true(st.processes == 3005);
	assert_true(st.procs_running == 2);
	assert_true(st.procs_blocked == 0);
}

static void stat_parse_odd(void **state)
{
	struct proc_stat st;

	(void)state;
	/* Missing lines are 0; a key without a value is skipped. */
	assert_int_equal(stat_parse("cpu 1\nbtime\nctxt\t9", &st), 0);
	assert_true(st.ctxt == 9 && st.btime == 0 && st.intr == 0);
}

static void stat_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"", "hello world\n", "ctxt abc\n", "ctxt -1\n",
		"ctxt 18446744073709551616\n", "btime 12x\n",
		"cpu 1\nintr 5 1 x\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proc_stat st;
		assert_int_equal(stat_parse(bad[i], &st), -EINVAL);
	}
}

static void stat_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&stat_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_boot_time_seconds Node boot time, in unixtime.");
	test_assert_line(s, "# TYPE node_boot_time_seconds gauge");
	test_assert_line(s, "node_boot_time_seconds 1418183276");
	test_assert_line(s, "# HELP node_context_switches_total Total number of "
		       "context switches.");
	test_assert_line(s, "# TYPE node_context_switches_total counter");
	test_assert_line(s, "node_context_switches_total 38014093");
	test_assert_line(s, "# HELP node_forks_total Total number of forks.");
	test_assert_line(s, "node_forks_total 26442");
	test_assert_line(s, "# HELP node_intr_total Total number of interrupts "
		       "serviced.");
	test_assert_line(s, "# TYPE node_intr_total counter");
	/* 18446744073709551000 is closest to the double 2^64. */
	test_assert_line(s, "node_intr_total 18446744073709551616");
	test_assert_line(s, "# HELP node_procs_blocked Number of processes blocked "
		       "waiting for I/O to complete.");
	test_assert_line(s, "node_procs_blocked 1");
	test_assert_line(s, "# HELP node_procs_running Number of processes in "
		       "runnable state.");
	test_assert_line(s, "# TYPE node_procs_running gauge");
	test_assert_line(s, "node_procs_running 2");
	buf_release(&out);
}

/* ---- cpu ----------------------------------------------------------------- */

static void cpu_parse_columns(void **state)
{
	struct cpu_stats s = CPU_STATS_INIT;

	(void)state;
	assert_int_equal(cpu_parse_stat("cpu  9 9 9 9 9 9 9 9 9 9\n"
					"cpu0 1 2 3 4 5 6 7 8 9 10\n"
					"cpu1 100 0 0 250 1 0 3\n"
					"cpu2 1 2 3 4 5 6 7 8 9 10 11 12\n"
					"intr 1 2 3\n",
					&s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].id, 0);
	assert_true(s.v[0].t[CPU_USER] == 0.01);
	assert_true(s.v[0].t[CPU_IDLE] == 0.04);
	assert_true(s.v[0].t[CPU_STEAL] == 0.08);
	assert_true(s.v[0].t[CPU_GUEST] == 0.09);
	assert_true(s.v[0].t[CPU_GUEST_NICE] == 0.1);
	/* An old kernel's seven columns: steal and guest are 0. */
	assert_int_equal(s.v[1].id, 1);
	assert_true(s.v[1].t[CPU_USER] == 1.0);
	assert_true(s.v[1].t[CPU_IDLE] == 2.5);
	assert_true(s.v[1].t[CPU_SOFTIRQ] == 0.03);
	assert_true(s.v[1].t[CPU_STEAL] == 0);
	assert_true(s.v[1].t[CPU_GUEST] == 0);
	assert_true(s.v[1].t[CPU_GUEST_NICE] == 0);
	/* Columns past guest_nice are ignored. */
	assert_true(s.v[2].t[CPU_GUEST_NICE] == 0.1);
	cpu_stats_release(&s);
}

static void cpu_parse_odd(void **state)
{
	struct cpu_stats s = CPU_STATS_INIT;

	(void)state;
	/* Ids out of order, repeated (last wins), a counter near 2^64. */
	assert_int_equal(cpu_parse_stat("cpu3 1\ncpu1 2\ncpu3 18446744073709551615\n"
					"cpu7\n", &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].id, 1);
	assert_true(s.v[0].t[CPU_USER] == 0.02);
	assert_int_equal(s.v[1].id, 3);
	assert_true(s.v[1].t[CPU_USER] == 18446744073709551615.0 / 100);
	cpu_stats_release(&s);
}

static void cpu_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"", "intr 1 2\n", "cpu0 1 x\n", "cpuX 1 2\n", "cpu0 -1\n",
		"cpu0 1.5\n", "cpu99999999999 1\n", "cpu0 18446744073709551616\n",
		"cpu0 1\ncpu1 1 2 3y\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cpu_stats s = CPU_STATS_INIT;
		assert_int_equal(cpu_parse_stat(bad[i], &s), -EINVAL);
		cpu_stats_release(&s);
	}
}

static void cpu_parse_sysfs(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(cpu_parse_sysfs_u64("12\n", &v), 0);
	assert_true(v == 12);
	assert_int_equal(cpu_parse_sysfs_u64(" 7 ", &v), 0);
	assert_true(v == 7);
	assert_int_equal(cpu_parse_sysfs_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(cpu_parse_sysfs_u64("18446744073709551616", &v), -EINVAL);
	assert_int_equal(cpu_parse_sysfs_u64("", &v), -EINVAL);
	assert_int_equal(cpu_parse_sysfs_u64("1 2", &v), -EINVAL);
	assert_int_equal(cpu_parse_sysfs_u64("-1", &v), -EINVAL);
}

static void cpu_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&cpu_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_cpu_seconds_total Seconds the CPUs spent in "
		       "each mode.");
	test_assert_line(s, "# TYPE node_cpu_seconds_total counter");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 444.9");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0.19");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 210.45");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10870.69");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 2.2");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0.01");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 34.1");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 478.69");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 11107.87");
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"1\",mode=\"softirq\"} 0.46");
	/* cpu1 has 8 columns in the fixture: no guest columns. */
	test_assert_line(s, "node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 0");
	assert_int_equal(count(s, "node_cpu_seconds_total{"), 16);
	test_assert_line(s, "# HELP node_cpu_guest_seconds_total Seconds the CPUs "
		       "spent in guests (VMs) for each mode.");
	test_assert_line(s, "# TYPE node_cpu_guest_seconds_total counter");
	test_assert_line(s, "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 0.44");
	test_assert_line(s, "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0.36");
	test_assert_line(s, "node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"} 0");
	test_assert_line(s, "node_cpu_guest_seconds_total{cpu=\"1\",mode=\"nice\"} 0");
	/* The aggregate "cpu" line is not a CPU. */
	assert_null(strstr(s, "cpu=\"\""));
	/* Modes sorted by name, as upstream's output has them. */
	assert_before(s, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
		      "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}");
	buf_release(&out);
}

static void cpu_collect_throttles(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&cpu_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_cpu_core_throttles_total Number of times "
		       "this CPU core has been throttled.");
	test_assert_line(s, "# TYPE node_cpu_core_throttles_total counter");
	test_assert_line(s, "node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 5");
	test_assert_line(s, "node_cpu_core_throttles_total{core=\"1\",package=\"0\"} 0");
	test_assert_line(s, "# HELP node_cpu_package_throttles_total Number of times "
		       "this CPU package has been throttled.");
	test_assert_line(s, "# TYPE node_cpu_package_throttles_total counter");
	/* Both CPUs are in package 0: one sample. */
	test_assert_line(s, "node_cpu_package_throttles_total{package=\"0\"} 30");
	assert_int_equal(count(s, "node_cpu_package_throttles_total{"), 1);
	/* Families in upstream's sorted order. */
	assert_before(s, "# TYPE node_cpu_core_throttles_total",
		      "# TYPE node_cpu_guest_seconds_total");
	assert_before(s, "# TYPE node_cpu_guest_seconds_total",
		      "# TYPE node_cpu_package_throttles_total");
	assert_before(s, "# TYPE node_cpu_package_throttles_total",
		      "# TYPE node_cpu_seconds_total");

	/* No thermal_throttle in sysfs: no throttle families at all. */
	assert_int_equal(run(&cpu_collector, PROC, MISSING, NULL, &out), 0);
	s = buf_cstr(&out);
	assert_null(strstr(s, "throttles"));
	assert_non_null(strstr(s, "node_cpu_seconds_total{"));
	buf_release(&out);
}

/* Counters never go down between scrapes; an idle jump back resets. */
static void cpu_collect_monotonic(void **state)
{
	static const char *const files[] = { "stat", NULL };
	struct buf out = BUF_INIT;
	struct tree t;
	void *st = NULL;

	(void)state;
	tree_make(&t);
	assert_int_equal(cpu_collector.init(NULL, &st), 0);

	tree_write(&t, "stat", "cpu 1\ncpu0 100 0 0 100000 500 0 0\n");
	assert_int_equal(run(&cpu_collector, t.dir, MISSING, st, &out), 0);
	test_assert_line(buf_cstr(&out),
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 5");

	/* iowait steps back: the kept value stays. */
	tree_write(&t, "stat", "cpu 1\ncpu0 200 0 0 100100 400 0 0\n");
	assert_int_equal(run(&cpu_collector, t.dir, MISSING, st, &out), 0);
	test_assert_line(buf_cstr(&out),
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 5");
	test_assert_line(buf_cstr(&out),
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 2");

	/* Idle falls by 3 s or more: a new CPU, start over. */
	tree_write(&t, "stat", "cpu 1\ncpu0 10 0 0 500 40 0 0\n");
	assert_int_equal(run(&cpu_collector, t.dir, MISSING, st, &out), 0);
	test_assert_line(buf_cstr(&out),
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 0.4");
	test_assert_line(buf_cstr(&out),
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 5");

	cpu_collector.release(st);
	tree_remove(&t, files);
	buf_release(&out);
}

/* ---- time ---------------------------------------------------------------- */

static void time_split(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(time_split_words("tsc hpet acpi_pm \n", &b), 3);
	assert_memory_equal(b.data, "tsc\0hpet\0acpi_pm\0", 17);
	buf_truncate(&b, 0);
	assert_int_equal(time_split_words(" \n", &b), 0);
	buf_release(&b);
}

static void time_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(run(&time_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_time_clocksource_available_info Available "
		       "clocksources read from '/sys/devices/system/clocksource'.");
	test_assert_line(s, "# TYPE node_time_clocksource_available_info gauge");
	test_assert_line(s, "node_time_clocksource_available_info{clocksource="
		       "\"acpi_pm\",device=\"0\"} 1");
	test_assert_line(s, "node_time_clocksource_available_info{clocksource="
		       "\"hpet\",device=\"0\"} 1");
	test_assert_line(s, "node_time_clocksource_available_info{clocksource="
		       "\"tsc\",device=\"0\"} 1");
	assert_before(s, "\"acpi_pm\"", "\"hpet\"");
	test_assert_line(s, "# HELP node_time_clocksource_current_info Current "
		       "clocksource read from '/sys/devices/system/clocksource'.");
	test_assert_line(s, "node_time_clocksource_current_info{clocksource=\"tsc\","
		       "device=\"0\"} 1");
	test_assert_line(s, "# HELP node_time_seconds System time in seconds since "
		       "epoch (1970).");
	test_assert_line(s, "# TYPE node_time_seconds gauge");
	test_assert_line(s, "# HELP node_time_zone_offset_seconds System time zone "
		       "offset in seconds.");
	test_assert_line(s, "node_time_zone_offset_seconds{time_zone=\"UTC\"} 0");

	const char *v = strstr(s, "\nnode_time_seconds ");
	assert_non_null(v);
	double now = strtod(v + strlen("\nnode_time_seconds "), NULL);
	assert_true(now > (double)time(NULL) - 5 && now < (double)time(NULL) + 5);
	buf_release(&out);
}

static void time_collect_no_clocksource(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(run(&time_collector, PROC, MISSING, NULL, &out), 0);
	assert_null(strstr(buf_cstr(&out), "clocksource"));
	assert_non_null(strstr(buf_cstr(&out), "\nnode_time_seconds "));
	buf_release(&out);
}

/* ---- uname --------------------------------------------------------------- */

static void uname_values(void **state)
{
	struct buf b = BUF_INIT;
	const char *v[UNAME_NLABELS];
	struct utsname u;

	(void)state;
	memset(&u, 0, sizeof(u));
	memcpy(u.sysname, "Linux", 5);
	memcpy(u.nodename, "vm", 2);
	memcpy(u.release, "6.1.0", 5);
	memcpy(u.version, "#1 SMP", 6);
	memcpy(u.machine, "x86_64", 6);
	memcpy(u.domainname, "(none)", 6);
	uname_label_values(&u, &b, v);
	assert_string_equal(v[UNAME_SYSNAME], "Linux");
	assert_string_equal(v[UNAME_NODENAME], "vm");
	assert_string_equal(v[UNAME_RELEASE], "6.1.0");
	assert_string_equal(v[UNAME_VERSION], "#1 SMP");
	assert_string_equal(v[UNAME_MACHINE], "x86_64");
	assert_string_equal(v[UNAME_DOMAINNAME], "(none)");

	/* A field filling its whole array is cut there, not overread. */
	memset(u.machine, 'm', sizeof(u.machine));
	uname_label_values(&u, &b, v);
	assert_int_equal(strlen(v[UNAME_MACHINE]), sizeof(u.machine));
	assert_string_equal(v[UNAME_NODENAME], "vm");
	buf_release(&b);
}

static void uname_collect_live(void **state)
{
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	assert_int_equal(run(&uname_collector, PROC, SYS, NULL, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_uname_info Labeled system information as "
		       "provided by the uname system call.");
	test_assert_line(s, "# TYPE node_uname_info gauge");
	buf_addf(&want, "node_uname_info{domainname=\"%s\",machine=\"%s\","
		 "nodename=\"%s\",release=\"%s\",sysname=\"%s\",",
		 u.domainname, u.machine, u.nodename, u.release, u.sysname);
	assert_non_null(strstr(s, buf_cstr(&want)));
	assert_int_equal(count(s, "\nnode_uname_info{"), 1);
	buf_release(&want);
	buf_release(&out);
}

/* ---- failures ------------------------------------------------------------ */

static void missing_procfs_fails(void **state)
{
	const struct collector *const need_proc[] = {
		&cpu_collector, &loadavg_collector, &meminfo_collector,
		&stat_collector,
	};
	struct buf out = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(need_proc) / sizeof(need_proc[0]); i++) {
		assert_int_equal(run(need_proc[i], MISSING, SYS, NULL, &out),
				 -ENOENT);
		assert_int_equal(out.len, 0);
	}
	buf_release(&out);
}

/* Malformed files fail the collector and write nothing at all. */
static void malformed_files_fail(void **state)
{
	static const char *const files[] = { "loadavg", "meminfo", "stat",
					     NULL };
	const struct collector *const cs[] = {
		&cpu_collector, &loadavg_collector, &meminfo_collector,
		&stat_collector,
	};
	struct buf out = BUF_INIT;
	struct tree t;

	(void)state;
	tree_make(&t);
	tree_write(&t, "loadavg", "0.1 zero\n");
	tree_write(&t, "meminfo", "MemTotal: lots kB\n");
	tree_write(&t, "stat", "cpu 1 2\ncpu0 1 2 three\nctxt x\n");
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		assert_int_equal(run(cs[i], t.dir, SYS, NULL, &out), -EINVAL);
		assert_int_equal(out.len, 0);
	}
	tree_remove(&t, files);
	buf_release(&out);
}

/* A clocksource directory without its files fails, as upstream does. */
static void time_broken_clocksource_fails(void **state)
{
	struct buf out = BUF_INIT;
	struct tree t;
	char path[160];

	(void)state;
	tree_make(&t);
	snprintf(path, sizeof(path), "%s/devices", t.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/devices/system", t.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/devices/system/clocksource", t.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/devices/system/clocksource/clocksource0",
		 t.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_true(run(&time_collector, PROC, t.dir, NULL, &out) < 0);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/devices/system/clocksource", t.dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/devices/system", t.dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/devices", t.dir);
	rmdir(path);
	assert_int_equal(rmdir(t.dir), 0);
	buf_release(&out);
}

/* ---- the collector table ------------------------------------------------- */

static void table_sorted_unique(void **state)
{
	(void)state;
	assert_true(node_collectors_count > 0);
	for (size_t i = 0; i < node_collectors_count; i++) {
		assert_non_null(node_collectors[i]);
		assert_non_null(node_collectors[i]->name);
		assert_non_null(node_collectors[i]->collect);
		if (i)
			assert_true(strcmp(node_collectors[i - 1]->name,
					   node_collectors[i]->name) < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loadavg_parse_good),
		cmocka_unit_test(loadavg_parse_garbage),
		cmocka_unit_test(loadavg_collect_fixture),
		cmocka_unit_test(meminfo_parse_good),
		cmocka_unit_test(meminfo_parse_last_wins),
		cmocka_unit_test(meminfo_parse_odd_names),
		cmocka_unit_test(meminfo_parse_garbage),
		cmocka_unit_test(meminfo_collect_fixture),
		cmocka_unit_test(stat_parse_good),
		cmocka_unit_test(stat_parse_odd),
		cmocka_unit_test(stat_parse_garbage),
		cmocka_unit_test(stat_collect_fixture),
		cmocka_unit_test(cpu_parse_columns),
		cmocka_unit_test(cpu_parse_odd),
		cmocka_unit_test(cpu_parse_garbage),
		cmocka_unit_test(cpu_parse_sysfs),
		cmocka_unit_test(cpu_collect_fixture),
		cmocka_unit_test(cpu_collect_throttles),
		cmocka_unit_test(cpu_collect_monotonic),
		cmocka_unit_test(time_split),
		cmocka_unit_test(time_collect_fixture),
		cmocka_unit_test(time_collect_no_clocksource),
		cmocka_unit_test(time_broken_clocksource_fails),
		cmocka_unit_test(uname_values),
		cmocka_unit_test(uname_collect_live),
		cmocka_unit_test(missing_procfs_fails),
		cmocka_unit_test(malformed_files_fail),
		cmocka_unit_test(table_sorted_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
