/*
 * Tests of the filefd, entropy, vmstat, pressure and diskstats collectors:
 * their pure parsers (disk_parse.h) on good, odd and garbage text, and each
 * collector's output over the fixture tree tests/fixtures/node.
 *
 * Fixtures (values fixed; the expected lines below follow from them and
 * were checked against Debian's node_exporter 1.5.0 run on the same tree):
 *   proc/sys/fs/file-nr            1024 0 1631329
 *   proc/sys/kernel/random/        entropy_avail 3967, poolsize 4096
 *   proc/vmstat                    pgfault 2^64-1, oom_kill 3; thp_fault_*
 *                                  contain "fault" but the default pattern
 *                                  is anchored, so they stay out
 *   proc/pressure/                 cpu without a "full" line (pre-5.13),
 *                                  memory full total 2^64-1 us
 *   proc/diskstats                 loop0, ram0, sda1, nvme0n1p1 (excluded by
 *                                  default), sda (20 columns: flush), sdb
 *                                  (14: before 4.18), nvme0n1 (18: discards),
 *                                  dm-0 (counters near 2^64), mmcblk0p1 (an
 *                                  old 7-column partition line: skipped)
 *   udev/b8:0 b8:16 b259:0 b253:0  ATA disk, ext4 (ID_SERIAL only), NVMe
 *                                  (quote and backslash, ID_MODEL twice),
 *                                  device mapper
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "expo.h"
#include "node.h"

#define PROC FIXTURES_DIR "/node/proc"
#define UDEV FIXTURES_DIR "/node/udev"
#define MISSING FIXTURES_DIR "/node/does-not-exist"
#define DEFAULT_VMSTAT "^(oom_kill|pgpg|pswp|pg.*fault).*"
#define DEFAULT_DISK_EXCLUDE "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"

/* ---- helpers ------------------------------------------------------------- */

static struct node_config config(const char *procfs)
{
	return (struct node_config){
		.procfs = procfs, .sysfs = "/sys", .rootfs = "/",
		.udev_data = UDEV, .vmstat_fields = DEFAULT_VMSTAT,
		.diskstats_device_exclude = DEFAULT_DISK_EXCLUDE,
		.diskstats_device_include = "",
	};
}

static int run(const struct collector *c, const char *procfs, struct buf *out)
{
	struct node_config cfg = config(procfs);

	return test_run_collector(c, &cfg, out);
}

static void assert_no(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected: %s\n--- in ---\n%s", needle, text);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void assert_before(const char *text, const char *a, const char *b)
{
	const char *pa = strstr(text, a), *pb = strstr(text, b);

	assert_non_null(pa);
	assert_non_null(pb);
	assert_true(pa < pb);
}

/* ---- the shared float parser ---------------------------------------------- */

static void parse_float_cases(void **state)
{
	double v;

	(void)state;
	assert_true(disk_parse_float("12", 2, &v) && v == 12);
	assert_true(disk_parse_float("-1.5e3", 6, &v) && v == -1500);
	assert_true(disk_parse_float("0x1p4", 5, &v) && v == 16);
	assert_true(disk_parse_float("+Inf", 4, &v) && isinf(v));
	assert_true(disk_parse_float("1e-400", 6, &v) && v == 0);
	assert_true(disk_parse_float("7 rest", 1, &v) && v == 7);
	assert_false(disk_parse_float("", 0, &v));
	assert_false(disk_parse_float(" 1", 2, &v));
	assert_false(disk_parse_float("1 ", 2, &v));
	assert_false(disk_parse_float("0x10", 4, &v));
	assert_false(disk_parse_float("nan(1)", 6, &v));
	assert_false(disk_parse_float("1e400", 5, &v));
	assert_false(disk_parse_float("12abc", 5, &v));
}

/* ---- filefd -------------------------------------------------------------- */

static void filefd_parse_good_odd_garbage(void **state)
{
	double a, m;

	(void)state;
	assert_int_equal(filefd_parse("1024\t0\t1631329\n", &a, &m), 0);
	assert_true(a == 1024 && m == 1631329);
	/* Blanks around, a fourth value: both fine upstream. */
	assert_int_equal(filefd_parse("  5\tx\t9\t7 \n\n", &a, &m), 0);
	assert_true(a == 5 && m == 9);
	assert_int_equal(filefd_parse("", &a, &m), -EINVAL);
	assert_int_equal(filefd_parse("1024\t0\n", &a, &m), -EINVAL);
	/* Spaces do not separate: upstream splits on tabs only. */
	assert_int_equal(filefd_parse("1024 0 1631329\n", &a, &m), -EINVAL);
	assert_int_equal(filefd_parse("1024\t0\tmany\n", &a, &m), -EINVAL);
}

static void filefd_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&filefd_collector, PROC, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_filefd_allocated File descriptor statistics: allocated.");
	test_assert_line(s, "# TYPE node_filefd_allocated gauge");
	test_assert_line(s, "node_filefd_allocated 1024");
	test_assert_line(s, "# HELP node_filefd_maximum File descriptor statistics: maximum.");
	test_assert_line(s, "# TYPE node_filefd_maximum gauge");
	test_assert_line(s, "node_filefd_maximum 1631329");
	assert_int_equal(run(&filefd_collector, MISSING, &out), -ENOENT);
	buf_release(&out);
}

/* ---- entropy ------------------------------------------------------------- */

static void entropy_parse_cases(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(entropy_parse_value("3967\n", &v), 0);
	assert_true(v == 3967);
	assert_int_equal(entropy_parse_value(" 18446744073709551615 \n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(entropy_parse_value("", &v), -EINVAL);
	assert_int_equal(entropy_parse_value("-1\n", &v), -EINVAL);
	assert_int_equal(entropy_parse_value("12 13\n", &v), -EINVAL);
	assert_int_equal(entropy_parse_value("18446744073709551616", &v), -EINVAL);
}

static void entropy_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&entropy_collector, PROC, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_entropy_available_bits Bits of available entropy.\n"
		"# TYPE node_entropy_available_bits gauge\n"
		"node_entropy_available_bits 3967\n"
		"# HELP node_entropy_pool_size_bits Bits of entropy pool.\n"
		"# TYPE node_entropy_pool_size_bits gauge\n"
		"node_entropy_pool_size_bits 4096\n");
	assert_int_equal(run(&entropy_collector, MISSING, &out), -ENOENT);
	buf_release(&out);
}

/* ---- vmstat -------------------------------------------------------------- */

static void vmstat_parse_good(void **state)
{
	struct vmstat vm = VMSTAT_INIT;

	(void)state;
	assert_int_equal(vmstat_parse("nr_free_pages 977769\npgfault\t12 extra\n"
				      "oom_kill 3", &vm), 0);
	assert_int_equal(vm.n, 3);
	assert_string_equal(vmstat_name(&vm, 0), "nr_free_pages");
	assert_true(vm.v[0].value == 977769);
	assert_string_equal(vmstat_name(&vm, 1), "pgfault");
	assert_true(vm.v[1].value == 12);
	assert_string_equal(vmstat_name(&vm, 2), "oom_kill");
	vmstat_release(&vm);
	assert_int_equal(vmstat_parse("", &vm), 0);
	assert_int_equal(vm.n, 0);
	vmstat_release(&vm);
}

static void vmstat_parse_garbage(void **state)
{
	struct vmstat vm = VMSTAT_INIT;

	(void)state;
	/* A bad value anywhere fails the file, even an unselected field. */
	assert_int_equal(vmstat_parse("pgfault 1\nnr_x lots\n", &vm), -EINVAL);
	vmstat_release(&vm);
	assert_int_equal(vmstat_parse("pgfault 1\n\npgpgin 2\n", &vm), -EINVAL);
	vmstat_release(&vm);
	assert_int_equal(vmstat_parse("pgfault\n", &vm), -EINVAL);
	vmstat_release(&vm);
}

static void vmstat_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&vmstat_collector, PROC, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "# HELP node_vmstat_oom_kill /proc/vmstat information field oom_kill.");
	test_assert_line(s, "# TYPE node_vmstat_oom_kill untyped");
	test_assert_line(s, "node_vmstat_oom_kill 3");
	test_assert_line(s, "node_vmstat_pgfault 18446744073709551616");
	test_assert_line(s, "node_vmstat_pgmajfault 7306");
	test_assert_line(s, "node_vmstat_pgpgin 1004");
	test_assert_line(s, "node_vmstat_pgpgout 2048");
	test_assert_line(s, "node_vmstat_pswpin 0");
	test_assert_line(s, "node_vmstat_pswpout 0");
	assert_int_equal(count(s, "# TYPE "), 7);
	assert_no(s, "thp_fault");
	assert_no(s, "nr_free_pages");
	/* Sorted by name, as upstream's registry writes them. */
	assert_before(s, "node_vmstat_oom_kill ", "node_vmstat_pgfault ");
	assert_before(s, "node_vmstat_pgpgout ", "node_vmstat_pswpin ");
	buf_release(&out);
}

static void vmstat_collect_pattern(void **state)
{
	struct node_config cfg = config(PROC);
	struct buf out = BUF_INIT;
	void *st = NULL;

	(void)state;
	cfg.vmstat_fields = "^thp_";
	assert_int_equal(test_run_collector(&vmstat_collector, &cfg, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_vmstat_thp_fault_alloc /proc/vmstat information field thp_fault_alloc.\n"
		"# TYPE node_vmstat_thp_fault_alloc untyped\n"
		"node_vmstat_thp_fault_alloc 17\n"
		"# HELP node_vmstat_thp_fault_fallback /proc/vmstat information field thp_fault_fallback.\n"
		"# TYPE node_vmstat_thp_fault_fallback untyped\n"
		"node_vmstat_thp_fault_fallback 2\n");
	cfg.vmstat_fields = "(";
	assert_int_equal(vmstat_collector.init(&cfg, &st), -EINVAL);
	assert_null(st);
	buf_release(&out);
}

/* ---- pressure ------------------------------------------------------------ */

static void pressure_parse_good_odd(void **state)
{
	struct psi_stats st;

	(void)state;
	assert_int_equal(pressure_parse(
		"some avg10=0.10 avg60=2.50 avg300=1.22 total=14036781\n", &st), 0);
	assert_true(st.some.present && !st.full.present);
	assert_true(st.some.total == 14036781 && st.some.avg60 == 2.5);
	assert_int_equal(pressure_parse(
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n"
		"else whatever\n", &st), 0);
	assert_true(st.full.present && st.full.total == UINT64_MAX);
	assert_true(st.full.avg10 == 1.0);
	assert_int_equal(pressure_parse("", &st), 0);
	assert_false(st.some.present);
}

static void pressure_parse_garbage(void **state)
{
	struct psi_stats st;

	(void)state;
	assert_int_equal(pressure_parse("some total=5\n", &st), -EINVAL);
	assert_int_equal(pressure_parse(
		"some avg10=x avg60=0 avg300=0 total=1\n", &st), -EINVAL);
	assert_int_equal(pressure_parse(
		"full avg10=0 avg60=0 avg300=0 total=-1\n", &st), -EINVAL);
	assert_int_equal(pressure_parse(
		"some avg10=0 avg60=0 avg300=0 total=18446744073709551616\n", &st),
		-EINVAL);
	assert_int_equal(pressure_parse(
		"some avg60=0 avg10=0 avg300=0 total=1\n", &st), -EINVAL);
}

static void pressure_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&pressure_collector, PROC, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_pressure_cpu_waiting_seconds_total Total time in seconds that processes have waited for CPU time\n"
		"# TYPE node_pressure_cpu_waiting_seconds_total counter\n"
		"node_pressure_cpu_waiting_seconds_total 14.036781000000001\n"
		"# HELP node_pressure_io_stalled_seconds_total Total time in seconds no process could make progress due to IO congestion\n"
		"# TYPE node_pressure_io_stalled_seconds_total counter\n"
		"node_pressure_io_stalled_seconds_total 159.229614\n"
		"# HELP node_pressure_io_waiting_seconds_total Total time in seconds that processes have waited due to IO congestion\n"
		"# TYPE node_pressure_io_waiting_seconds_total counter\n"
		"node_pressure_io_waiting_seconds_total 159.886802\n"
		"# HELP node_pressure_memory_stalled_seconds_total Total time in seconds no process could make progress due to memory congestion\n"
		"# TYPE node_pressure_memory_stalled_seconds_total counter\n"
		"node_pressure_memory_stalled_seconds_total 18446744073709.55\n"
		"# HELP node_pressure_memory_waiting_seconds_total Total time in seconds that processes have waited for memory\n"
		"# TYPE node_pressure_memory_waiting_seconds_total counter\n"
		"node_pressure_memory_waiting_seconds_total 0\n");
	/* No PSI on this kernel: no data, as upstream's ErrNoData. */
	assert_int_equal(run(&pressure_collector, MISSING, &out), -ENODATA);
	buf_release(&out);
}

static void pressure_collect_missing_full(void **state)
{
	char *dir = test_make_dir("exbox-pressure");
	const char *some = "some avg10=0 avg60=0 avg300=0 total=1000000\n";
	struct buf out = BUF_INIT;

	(void)state;
	test_write_file(dir, "pressure/cpu", some);
	test_write_file(dir, "pressure/io", some);
	test_write_file(dir, "pressure/memory", some);
	/* io without "full": upstream dereferences nil there. */
	assert_int_equal(run(&pressure_collector, dir, &out), -EINVAL);
	test_write_file(dir, "pressure/io",
			"some avg10=0 avg60=0 avg300=0 total=1000000\n"
			"full avg10=0 avg60=0 avg300=0 total=2000000\n");
	test_write_file(dir, "pressure/memory",
			"full avg10=0 avg60=0 avg300=0 total=3\n"
			"some avg10=0 avg60=0 avg300=0 total=4\n");
	assert_int_equal(run(&pressure_collector, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_pressure_cpu_waiting_seconds_total 1");
	test_assert_line(buf_cstr(&out), "node_pressure_io_stalled_seconds_total 2");
	test_assert_line(buf_cstr(&out), "node_pressure_memory_stalled_seconds_total 3e-06");
	test_assert_line(buf_cstr(&out), "node_pressure_memory_waiting_seconds_total 4e-06");
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- diskstats parsers ----------------------------------------------------- */

static void diskstats_parse_columns(void **state)
{
	struct disk_stats ds = DISK_STATS_INIT;

	(void)state;
	assert_int_equal(diskstats_parse(
		"   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
		"   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11\n"
		" 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
		" 179       1 mmcblk0p1 5 6 7 8\n"
		"\n"
		"   9       0 md0\t1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
		&ds), 0);
	assert_int_equal(ds.n, 4);
	assert_string_equal(disk_stat_name(&ds, 0), "sda");
	assert_int_equal(ds.v[0].nfields, 17);
	assert_true(ds.v[0].major == 8 && ds.v[0].minor == 0);
	assert_true(ds.v[0].v[DISK_FLUSH_TICKS] == 17);
	assert_string_equal(disk_stat_name(&ds, 1), "sdb");
	assert_int_equal(ds.v[1].nfields, 11);
	assert_true(ds.v[1].v[DISK_IO_WEIGHTED_TICKS] == 11);
	assert_string_equal(disk_stat_name(&ds, 2), "nvme0n1");
	assert_int_equal(ds.v[2].nfields, 15);
	assert_true(ds.v[2].major == 259);
	/* Counters past the 17th are ignored, as Sscanf's format ends there. */
	assert_string_equal(disk_stat_name(&ds, 3), "md0");
	assert_int_equal(ds.v[3].nfields, 17);
	disk_stats_release(&ds);
}

static void diskstats_parse_limits(void **state)
{
	struct disk_stats ds = DISK_STATS_INIT;

	(void)state;
	assert_int_equal(diskstats_parse(
		"4294967295 4294967295 x 18446744073709551615 0 0 0 0 0 0 0 0 0 0\n",
		&ds), 0);
	assert_int_equal(ds.n, 1);
	assert_true(ds.v[0].major == UINT32_MAX && ds.v[0].v[0] == UINT64_MAX);
	disk_stats_release(&ds);
	assert_int_equal(diskstats_parse("", &ds), 0);
	assert_int_equal(ds.n, 0);
	disk_stats_release(&ds);
}

static void diskstats_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"8 0 sda 1 2 3 x 5 6 7 8 9 10 11\n",
		"8 0 sda 18446744073709551616 2 3 4 5 6 7 8 9 10 11\n",
		"4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
		"-8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
		/* A short line is skipped, but not when its numbers are bad. */
		"8 x sda\n",
		"major minor name\n",
	};
	struct disk_stats ds = DISK_STATS_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(diskstats_parse(bad[i], &ds), -EINVAL);
		disk_stats_release(&ds);
	}
}

static void udev_parse_cases(void **state)
{
	struct disk_udev u = DISK_UDEV_INIT;

	(void)state;
	disk_udev_parse("S:disk/by-id/x\nE:ID_MODEL=a=b\r\nE:ID_PATH\n"
			"E:ID_WWN=\nE:ID_SERIAL=long\nE:ID_MODEL=last\n"
			"ID_REVISION=not-a-property\n E:ID_FS_TYPE=no\nE:", &u);
	assert_string_equal(disk_udev_get(&u, UDEV_ID_MODEL), "last");
	assert_false(u.set[UDEV_ID_PATH]);
	assert_true(u.set[UDEV_ID_WWN]);
	assert_string_equal(disk_udev_get(&u, UDEV_ID_WWN), "");
	assert_string_equal(disk_udev_get(&u, UDEV_ID_REVISION), "");
	assert_false(u.set[UDEV_ID_FS_TYPE]);
	assert_false(u.set[UDEV_ID_SERIAL_SHORT]);
	disk_udev_release(&u);
	disk_udev_parse("E:ID_MODEL=a=b\r\n", &u);
	assert_string_equal(disk_udev_get(&u, UDEV_ID_MODEL), "a=b");
	disk_udev_release(&u);
	disk_udev_parse("", &u);
	assert_string_equal(disk_udev_get(&u, UDEV_ID_MODEL), "");
	disk_udev_release(&u);
}

/* ---- diskstats collector --------------------------------------------------- */

static void diskstats_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&diskstats_collector, PROC, &out), 0);
	const char *s = buf_cstr(&out);

	test_assert_line(s, "# HELP node_disk_reads_completed_total The total number of reads completed successfully.");
	test_assert_line(s, "# TYPE node_disk_reads_completed_total counter");
	test_assert_line(s, "node_disk_reads_completed_total{device=\"sda\"} 25354637");
	test_assert_line(s, "node_disk_reads_completed_total{device=\"sdb\"} 326552");
	test_assert_line(s, "node_disk_reads_completed_total{device=\"dm-0\"} 18446744073709551616");
	test_assert_line(s, "node_disk_read_bytes_total{device=\"sda\"} 513713216512");
	test_assert_line(s, "node_disk_read_bytes_total{device=\"dm-0\"} 9.44473296573929e+21");
	test_assert_line(s, "node_disk_read_time_seconds_total{device=\"sda\"} 18492.372");
	test_assert_line(s, "node_disk_read_time_seconds_total{device=\"nvme0n1\"} 21.650000000000002");
	test_assert_line(s, "node_disk_read_time_seconds_total{device=\"dm-0\"} 4294967295");
	test_assert_line(s, "node_disk_written_bytes_total{device=\"sdb\"} 1010127360");
	test_assert_line(s, "node_disk_write_time_seconds_total{device=\"sda\"} 63877.96");
	test_assert_line(s, "# TYPE node_disk_io_now gauge");
	test_assert_line(s, "node_disk_io_now{device=\"nvme0n1\"} 2");
	test_assert_line(s, "node_disk_io_time_seconds_total{device=\"sdb\"} 60.730000000000004");
	test_assert_line(s, "node_disk_io_time_weighted_seconds_total{device=\"sdb\"} 67.07000000000001");
	test_assert_line(s, "# HELP node_disk_writes_merged_total The number of writes merged.");
	test_assert_line(s, "# HELP node_disk_io_time_weighted_seconds_total The weighted # of seconds spent doing I/Os.");

	/* Discards from 18 columns on (not sdb's 14), flushes from 20 (sda). */
	test_assert_line(s, "node_disk_discards_completed_total{device=\"nvme0n1\"} 100");
	test_assert_line(s, "node_disk_discarded_sectors_total{device=\"nvme0n1\"} 409600");
	test_assert_line(s, "node_disk_discard_time_seconds_total{device=\"sda\"} 0.04");
	assert_no(s, "node_disk_discards_completed_total{device=\"sdb\"}");
	test_assert_line(s, "# HELP node_disk_flush_requests_total The total number of flush requests completed successfully");
	test_assert_line(s, "node_disk_flush_requests_total{device=\"sda\"} 1500");
	test_assert_line(s, "node_disk_flush_requests_time_seconds_total{device=\"sda\"} 0.25");
	assert_int_equal(count(s, "node_disk_flush_requests_total{"), 1);
	assert_int_equal(count(s, "node_disk_io_now{"), 4);

	/* Excluded by default, and the skipped short line. */
	assert_no(s, "loop0");
	assert_no(s, "ram0");
	assert_no(s, "sda1");
	assert_no(s, "nvme0n1p1");
	assert_no(s, "mmcblk0p1");

	/* udev: serial from ID_SERIAL_SHORT only (1.5), last ID_MODEL wins. */
	test_assert_line(s, "# HELP node_disk_info Info of /sys/block/<block_device>.");
	test_assert_line(s, "# TYPE node_disk_info gauge");
	test_assert_line(s, "node_disk_info{device=\"sda\",major=\"8\",minor=\"0\","
		    "model=\"WDC_WD10EZEX-08WN4A0\",path=\"pci-0000:00:1f.2-ata-1\","
		    "revision=\"01.01A01\",serial=\"WD-WCC6Y3KJ1234\","
		    "wwn=\"0x50014ee2b5f6a1b2\"} 1");
	test_assert_line(s, "node_disk_info{device=\"sdb\",major=\"8\",minor=\"16\","
		    "model=\"QEMU_HARDDISK\",path=\"\",revision=\"2.5+\","
		    "serial=\"\",wwn=\"\"} 1");
	test_assert_line(s, "node_disk_info{device=\"nvme0n1\",major=\"259\",minor=\"0\","
		    "model=\"Samsung SSD 970 EVO Plus 1TB\","
		    "path=\"pci-0000:01:00.0-nvme-1\",revision=\"\","
		    "serial=\"S46\\\\NX0K=900\",wwn=\"eui.0025385881b0a6d3\"} 1");
	test_assert_line(s, "node_disk_info{device=\"dm-0\",major=\"253\",minor=\"0\","
		    "model=\"\",path=\"\",revision=\"\",serial=\"\",wwn=\"\"} 1");
	test_assert_line(s, "# HELP node_disk_filesystem_info Info about disk filesystem.");
	test_assert_line(s, "node_disk_filesystem_info{device=\"dm-0\",type=\"xfs\","
		    "usage=\"\",uuid=\"\",version=\"\"} 1");
	test_assert_line(s, "node_disk_filesystem_info{device=\"sdb\",type=\"ext4\","
		    "usage=\"filesystem\",uuid=\"1c2f56ce-5fa8-4cc4-8f4a-2f5c9d1b3e77\","
		    "version=\"1.0\"} 1");
	test_assert_line(s, "# HELP node_disk_device_mapper_info Info about disk device mapper.");
	test_assert_line(s, "node_disk_device_mapper_info{device=\"dm-0\",lv_layer=\"\","
		    "lv_name=\"root\",name=\"vg0-root\",uuid=\"LVM-abc\",vg_name=\"vg0\"} 1");
	test_assert_line(s, "# HELP node_disk_ata_rotation_rate_rpm ATA disk rotation rate in RPMs (0 for SSDs).");
	test_assert_line(s, "node_disk_ata_rotation_rate_rpm{device=\"sda\"} 7200");
	test_assert_line(s, "node_disk_ata_write_cache{device=\"sda\"} 1");
	test_assert_line(s, "node_disk_ata_write_cache_enabled{device=\"sda\"} 1");
	assert_int_equal(count(s, "node_disk_ata_write_cache{"), 1);

	/* Families sorted by name, samples by device. */
	assert_before(s, "# HELP node_disk_ata_write_cache ", "# HELP node_disk_ata_write_cache_enabled");
	assert_before(s, "# HELP node_disk_discards_merged_total", "# HELP node_disk_filesystem_info");
	assert_before(s, "# HELP node_disk_info", "# HELP node_disk_io_now");
	assert_before(s, "# HELP node_disk_writes_merged_total", "# HELP node_disk_written_bytes_total");
	assert_before(s, "node_disk_io_now{device=\"dm-0\"}", "node_disk_io_now{device=\"nvme0n1\"}");
	assert_before(s, "node_disk_io_now{device=\"sda\"}", "node_disk_io_now{device=\"sdb\"}");
	assert_int_equal(count(s, "# HELP "), 23);
	buf_release(&out);
}

static void diskstats_collect_no_udev(void **state)
{
	struct node_config cfg = config(PROC);
	struct buf out = BUF_INIT;

	(void)state;
	cfg.udev_data = MISSING;
	assert_int_equal(test_run_collector(&diskstats_collector, &cfg, &out), 0);
	const char *s = buf_cstr(&out);
	test_assert_line(s, "node_disk_info{device=\"sda\",major=\"8\",minor=\"0\","
		    "model=\"\",path=\"\",revision=\"\",serial=\"\",wwn=\"\"} 1");
	assert_no(s, "filesystem_info");
	assert_no(s, "ata_");
	assert_no(s, "device_mapper");
	buf_release(&out);
}

static void diskstats_collect_filters(void **state)
{
	struct node_config cfg = config(PROC);
	struct buf out = BUF_INIT;
	void *st = NULL;

	(void)state;
	/* 1.5: include works only with the exclude default cleared. */
	cfg.diskstats_device_include = "^(sd|loop)";
	assert_int_equal(diskstats_collector.init(&cfg, &st), -EINVAL);
	assert_null(st);

	cfg.diskstats_device_exclude = "";
	assert_int_equal(test_run_collector(&diskstats_collector, &cfg, &out), 0);
	const char *s = buf_cstr(&out);
	assert_int_equal(count(s, "node_disk_io_now{"), 4);
	test_assert_line(s, "node_disk_io_now{device=\"loop0\"} 0");
	test_assert_line(s, "node_disk_io_now{device=\"sda1\"} 9");
	assert_no(s, "nvme0n1");

	cfg.diskstats_device_include = "";
	cfg.diskstats_device_exclude = "";
	assert_int_equal(test_run_collector(&diskstats_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "node_disk_io_now{"), 8);

	cfg.diskstats_device_exclude = "[";
	assert_int_equal(diskstats_collector.init(&cfg, &st), -EINVAL);
	buf_release(&out);
}

static void diskstats_collect_errors(void **state)
{
	char *dir = test_make_dir("exbox-diskstats");
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&diskstats_collector, MISSING, &out), -ENOENT);
	test_write_file(dir, "diskstats", "8 0 sda 1 2 3 4 5 6 7 8 9 10 eleven\n");
	assert_int_equal(run(&diskstats_collector, dir, &out), -EINVAL);
	/* Nothing left after filtering: no families at all, and success. */
	test_write_file(dir, "diskstats", "7 0 loop0 1 2 3 4 5 6 7 8 9 10 11\n");
	assert_int_equal(run(&diskstats_collector, dir, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
	test_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_float_cases),
		cmocka_unit_test(filefd_parse_good_odd_garbage),
		cmocka_unit_test(filefd_collect_fixture),
		cmocka_unit_test(entropy_parse_cases),
		cmocka_unit_test(entropy_collect_fixture),
		cmocka_unit_test(vmstat_parse_good),
		cmocka_unit_test(vmstat_parse_garbage),
		cmocka_unit_test(vmstat_collect_fixture),
		cmocka_unit_test(vmstat_collect_pattern),
		cmocka_unit_test(pressure_parse_good_odd),
		cmocka_unit_test(pressure_parse_garbage),
		cmocka_unit_test(pressure_collect_fixture),
		cmocka_unit_test(pressure_collect_missing_full),
		cmocka_unit_test(diskstats_parse_columns),
		cmocka_unit_test(diskstats_parse_limits),
		cmocka_unit_test(diskstats_parse_garbage),
		cmocka_unit_test(udev_parse_cases),
		cmocka_unit_test(diskstats_collect_fixture),
		cmocka_unit_test(diskstats_collect_no_udev),
		cmocka_unit_test(diskstats_collect_filters),
		cmocka_unit_test(diskstats_collect_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
