/*
 * Tests of the infiniband, bcache and btrfs collectors: their pure parsers
 * on good, odd and garbage text, and each collector over
 * tests/fixtures/node/sys (class/infiniband, fs/bcache, fs/btrfs). The
 * expected lines were checked against node_exporter 1.5 run on the same
 * tree (tests/integration/parity_node.py --fixtures keeps that true).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "btrfs_ioctl.h"
#include "expo.h"
#include "node.h"
#include "sys_parse.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"

static int collect(const struct collector *c, const char *sysfs,
		   struct buf *out)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = sysfs,
				   .rootfs = "/" };

	return test_run_collector(c, &cfg, out);
}

/* Writes text to dir/rel, making the directories on the way. */
static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ---- infiniband ----------------------------------------------------------- */

static void test_ib_parse_state(void **state)
{
	uint64_t id;
	(void)state;

	assert_int_equal(ib_parse_state("4: ACTIVE\n", &id), 0);
	assert_int_equal(id, 4);
	assert_int_equal(ib_parse_state(" 5 :LinkUp", &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(ib_parse_state("ACTIVE\n", &id), -EINVAL);
	assert_int_equal(ib_parse_state("4: A: B\n", &id), -EINVAL);
	assert_int_equal(ib_parse_state("4294967296: A\n", &id), -EINVAL);
	assert_int_equal(ib_parse_state("-1: A\n", &id), -EINVAL);
}

static void test_ib_parse_rate(void **state)
{
	uint64_t r;
	(void)state;

	assert_int_equal(ib_parse_rate("40 Gb/sec (4X QDR)\n", &r), 0);
	assert_int_equal(r, 5000000000u);
	assert_int_equal(ib_parse_rate("2.5 Gb/sec (1X SDR)\n", &r), 0);
	assert_int_equal(r, 312500000u);
	/* No blank after the number: refused, as upstream's SplitAfterN. */
	assert_int_equal(ib_parse_rate("40\n", &r), -EINVAL);
	assert_int_equal(ib_parse_rate("x Gb/sec\n", &r), -EINVAL);
	assert_int_equal(ib_parse_rate("1e60 Gb/sec\n", &r), -EINVAL);
}

static void test_ib_collector(void **state)
{
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	assert_int_equal(collect(&infiniband_collector, SYS, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_infiniband_info{board_id=\"SM_1141000001000\","
			 "device=\"mlx4_0\",firmware_version=\"2.31.5050\","
			 "hca_type=\"MT4099\"} 1");
	/* mlx5_0 has no hca_type: an empty label, as upstream. */
	test_assert_line(o, "node_infiniband_info{board_id=\"x\",device=\"mlx5_0\","
			 "firmware_version=\"14.28.2006\",hca_type=\"\"} 1");
	test_assert_line(o, "node_infiniband_state_id{device=\"mlx4_0\",port=\"2\"} 1");
	test_assert_line(o, "node_infiniband_rate_bytes_per_second{device=\"mlx5_0\","
			 "port=\"1\"} 3125000000");
	/* Data counters count 4-byte words; near 2^64 after the product. */
	test_assert_line(o, "node_infiniband_port_data_received_bytes_total{"
			 "device=\"mlx4_0\",port=\"1\"} 18446744073709551616");
	test_assert_line(o, "node_infiniband_legacy_data_received_bytes_total{"
			 "device=\"mlx4_0\",port=\"1\"} 20008");
	test_assert_line(o, "node_infiniband_vl15_dropped_total{device=\"mlx4_0\","
			 "port=\"2\"} 2021");
	/* "N/A (no PMA)" is skipped, not an error. */
	assert_null(strstr(o, "symbol_error_total{device=\"mlx4_0\",port=\"2\"}"));
	buf_release(&out);
}

static void test_ib_missing_and_bad(void **state)
{
	char *dir = test_make_dir("ib");
	struct buf out = BUF_INIT;
	(void)state;

	/* No class directory: no data. */
	assert_int_equal(collect(&infiniband_collector, dir, &out), -ENODATA);
	put(dir, "class/infiniband/d0/fw_ver", "1\n");
	/* A device without board_id: upstream's procfs 0.8 gives up. */
	assert_int_equal(collect(&infiniband_collector, dir, &out), -ENODATA);
	put(dir, "class/infiniband/d0/board_id", "b\n");
	put(dir, "class/infiniband/d0/ports/1/state", "4: ACTIVE\n");
	put(dir, "class/infiniband/d0/ports/1/phys_state", "5: LinkUp\n");
	put(dir, "class/infiniband/d0/ports/1/rate", "10 Gb/sec\n");
	put(dir, "class/infiniband/d0/ports/1/counters/link_downed", "0x10\n");
	assert_int_equal(collect(&infiniband_collector, dir, &out), 0);
	test_assert_line(buf_cstr(&out),
			 "node_infiniband_link_downed_total{device=\"d0\",port=\"1\"} 16");
	put(dir, "class/infiniband/d0/ports/1/counters/link_downed", "abc\n");
	assert_int_equal(collect(&infiniband_collector, dir, &out), -EINVAL);
	put(dir, "class/infiniband/d0/ports/1/counters/link_downed", "1\n");
	put(dir, "class/infiniband/d0/ports/x/state", "4: ACTIVE\n");
	assert_int_equal(collect(&infiniband_collector, dir, &out), -EINVAL);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- bcache --------------------------------------------------------------- */

#define BCACHE_SET "deaddd54-c735-46d5-868e-f331c5fd7c74"

static uint64_t dehumanize(const char *s)
{
	uint64_t v = 0;

	assert_int_equal(bcache_dehumanize(s, strlen(s), &v), 0);
	return v;
}

static void test_bcache_dehumanize(void **state)
{
	int64_t sv;
	uint64_t v;
	(void)state;

	assert_int_equal(dehumanize("512"), 512);
	/* bch_hprint's fraction is tenths of 1024ths: 1 + 5 / 10.24. */
	assert_int_equal(dehumanize("1.5k"), 1524);
	assert_int_equal(dehumanize("2.0M"), 2097152);
	assert_int_equal(dehumanize("1.2T"), 1314259992576u);
	/* An unknown unit multiplies by 0, as upstream's map lookup. */
	assert_int_equal(dehumanize("5x"), 0);
	/* Past 2^64 and negative: Go's amd64 float conversion. */
	assert_int_equal(dehumanize("99999999999999999999999"), UINT64_C(1) << 63);
	assert_int_equal(dehumanize("-5"), UINT64_MAX - 4);
	assert_int_equal(bcache_dehumanize("", 0, &v), -EINVAL);
	assert_int_equal(bcache_dehumanize(".5k", 3, &v), -EINVAL);
	assert_int_equal(bcache_dehumanize("inf", 3, &v), -EINVAL);
	assert_int_equal(bcache_dehumanize_signed("-427.5k", 7, &sv), 0);
	assert_int_equal(sv, -437748);
}

static void test_bcache_parse_files(void **state)
{
	struct bcache_writeback wb;
	uint64_t unused, meta;
	(void)state;

	assert_int_equal(bcache_parse_writeback(
		"rate:\t\t1.1M/sec\ndirty:\t\t20.4G\ntarget:\t\t20.4G\n"
		"proportional:\t-427.5k\nintegral:\t790.0k\n"
		"change:\t\t321.5k/sec\nnext io:\t17ms\n", &wb), 0);
	assert_int_equal(wb.rate, 1150976);
	assert_int_equal(wb.target, 21894266880u);
	assert_int_equal(wb.proportional, -437748);
	assert_int_equal(wb.change, 329204);
	assert_int_equal(wb.next_io, 17);
	assert_int_equal(bcache_parse_writeback("next io:\tabcms\n", &wb), -EINVAL);
	assert_int_equal(bcache_parse_writeback("rate:\n", &wb), -EINVAL);
	assert_int_equal(bcache_parse_priority("Unused:\t\t99%\nClean:\t0%\n"
					       "Metadata:\t1%\n", &unused, &meta), 0);
	assert_int_equal(unused, 99);
	assert_int_equal(meta, 1);
	assert_int_equal(bcache_parse_priority("Unused: x%\n", &unused, &meta),
			 -EINVAL);
}

static void test_bcache_collector(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS, .rootfs = "/" };
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	assert_int_equal(test_run_collector(&bcache_collector, &cfg, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_bcache_average_key_size_sectors{uuid=\"" BCACHE_SET "\"} 1524");
	test_assert_line(o, "node_bcache_cache_read_races_total{uuid=\"" BCACHE_SET
			 "\"} 9223372036854775808");
	test_assert_line(o, "node_bcache_btree_read_average_duration_seconds{uuid=\""
			 BCACHE_SET "\"} 1.305e-06");
	test_assert_line(o, "node_bcache_bypassed_bytes_total{backing_device=\"bdev0\","
			 "uuid=\"" BCACHE_SET "\"} 30");
	test_assert_line(o, "node_bcache_written_bytes_total{cache_device=\"cache0\","
			 "uuid=\"" BCACHE_SET "\"} 1314259992576");
	/* Only with --collector.bcache.priorityStats. */
	assert_null(strstr(o, "priority_stats"));
	cfg.bcache_priority_stats = true;
	assert_int_equal(test_run_collector(&bcache_collector, &cfg, &out), 0);
	test_assert_line(buf_cstr(&out), "node_bcache_priority_stats_unused_percent{"
			 "cache_device=\"cache0\",uuid=\"" BCACHE_SET "\"} 99");
	buf_release(&out);
}

static void test_bcache_missing(void **state)
{
	char *dir = test_make_dir("bcache");
	struct buf out = BUF_INIT;
	(void)state;

	/* No bcache: nothing, and success (upstream's empty glob). */
	assert_int_equal(collect(&bcache_collector, dir, &out), 0);
	assert_int_equal(out.len, 0);
	/* A set missing its files fails. */
	put(dir, "fs/bcache/a-b/average_key_size", "1\n");
	assert_int_equal(collect(&bcache_collector, dir, &out), -ENOENT);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- btrfs ---------------------------------------------------------------- */

#define BTRFS_A "0abb23a9-579b-43e6-ad30-227ef47fcb9d"
#define BTRFS_B "11111111-2222-3333-4444-555555555555"

static void test_btrfs_collector(void **state)
{
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	assert_int_equal(collect(&btrfs_collector, SYS, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_btrfs_info{label=\"fixture\",uuid=\"" BTRFS_A "\"} 1");
	/* metadata_uuid names the second; its label is trimmed and escaped. */
	test_assert_line(o, "node_btrfs_info{label=\"my \\\"odd\\\" label\\\\\","
			 "uuid=\"" BTRFS_B "\"} 1");
	test_assert_line(o, "node_btrfs_device_size_bytes{device=\"loop25\",uuid=\""
			 BTRFS_A "\"} 10737418240");
	/* raid5 over three devices stores 3/2 bytes per byte. */
	test_assert_line(o, "node_btrfs_allocation_ratio{block_group_type=\"data\","
			 "mode=\"raid5\",uuid=\"" BTRFS_A "\"} 1.5");
	test_assert_line(o, "node_btrfs_allocation_ratio{block_group_type=\"data\","
			 "mode=\"raid1c3\",uuid=\"" BTRFS_B "\"} 0");
	test_assert_line(o, "node_btrfs_reserved_bytes{block_group_type=\"data\","
			 "uuid=\"" BTRFS_B "\"} 0");
	test_assert_line(o, "node_btrfs_reserved_bytes{block_group_type=\"system\","
			 "uuid=\"" BTRFS_B "\"} 18446744073709551616");
	/* No devices directory: upstream's reader then reads the top-level
	 * numbers as 0. */
	test_assert_line(o, "node_btrfs_global_rsv_size_bytes{uuid=\"" BTRFS_B "\"} 0");
	test_assert_line(o, "node_btrfs_global_rsv_size_bytes{uuid=\"" BTRFS_A "\"} 16777216");
	buf_release(&out);
}

static void test_btrfs_errors(void **state)
{
	char *dir = test_make_dir("btrfs");
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(collect(&btrfs_collector, dir, &out), 0);
	assert_int_equal(out.len, 0);
	/* Only the last allocation directory's error counts. */
	put(dir, "fs/btrfs/a-b/allocation/system/raid1/used_bytes", "5\n");
	assert_int_equal(collect(&btrfs_collector, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_btrfs_used_bytes{block_group_type="
			 "\"system\",mode=\"raid1\",uuid=\"a-b\"} 5");
	put(dir, "fs/btrfs/c-d/allocation/data/x", "1\n");
	assert_int_equal(collect(&btrfs_collector, dir, &out), -ENOENT);
	buf_release(&out);
	test_remove_dir(dir);
}

/* A btrfs mount that is no btrfs (ioctls refused) is skipped, as upstream
 * skips it: the sysfs device sizes stay. */
static void test_btrfs_ioctl_skips(void **state)
{
	char *proc = test_make_dir("btrfs-proc");
	char mounts[1024];
	struct node_config cfg = { .procfs = proc, .sysfs = SYS, .rootfs = "/" };
	struct btrfs_ioctl_list l;
	struct buf out = BUF_INIT;
	(void)state;

	snprintf(mounts, sizeof(mounts),
		 "/dev/loop9 %s btrfs rw 0 0\n/dev/loop9 /nonexistent btrfs rw 0 0\n",
		 proc);
	put(proc, "1/mounts", mounts);
	btrfs_ioctl_scan(&cfg, &l);
	assert_int_equal(l.n, 0);
	btrfs_ioctl_release(&l);
	assert_int_equal(test_run_collector(&btrfs_collector, &cfg, &out), 0);
	test_assert_line(buf_cstr(&out), "node_btrfs_device_size_bytes{device=\"loop25\","
			 "uuid=\"" BTRFS_A "\"} 10737418240");
	assert_null(strstr(buf_cstr(&out), "btrfs_dev_uuid"));
	buf_release(&out);
	test_remove_dir(proc);
}

static void test_btrfs_ioctl_find(void **state)
{
	struct btrfs_ioctl_fs fs = { .fsid = "0abb23a9579b43e6ad30227ef47fcb9d" };
	struct btrfs_ioctl_list l = { &fs, 1 };
	(void)state;

	/* Matched by the sysfs UUID without its dashes, as upstream. */
	assert_ptr_equal(btrfs_ioctl_find(&l, BTRFS_A), &fs);
	assert_null(btrfs_ioctl_find(&l, BTRFS_B));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ib_parse_state),
		cmocka_unit_test(test_ib_parse_rate),
		cmocka_unit_test(test_ib_collector),
		cmocka_unit_test(test_ib_missing_and_bad),
		cmocka_unit_test(test_bcache_dehumanize),
		cmocka_unit_test(test_bcache_parse_files),
		cmocka_unit_test(test_bcache_collector),
		cmocka_unit_test(test_bcache_missing),
		cmocka_unit_test(test_btrfs_collector),
		cmocka_unit_test(test_btrfs_errors),
		cmocka_unit_test(test_btrfs_ioctl_skips),
		cmocka_unit_test(test_btrfs_ioctl_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
