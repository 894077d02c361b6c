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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ib_parse_state),
		cmocka_unit_test(test_ib_parse_rate),
		cmocka_unit_test(test_ib_collector),
		cmocka_unit_test(test_ib_missing_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
