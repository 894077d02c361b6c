/*
 * Tests of the nfs, nfsd, xfs and zfs collectors: their pure parsers on
 * good, odd and garbage text, and each collector over tests/fixtures/node
 * (proc/net/rpc, sys/fs/xfs, proc/fs/xfs, proc/spl/kstat/zfs). The
 * expected lines were checked against node_exporter 1.5 run on the same
 * trees (tests/integration/parity_node.py --fixtures keeps that true).
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
#include "nfs_parse.h"
#include "xfs_parse.h"
#include "zfs_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"

static int collect(const struct collector *c, const char *procfs,
		   const char *sysfs, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .rootfs = "/" };

	return test_run_collector(c, &cfg, out);
}

/* ---- nfs / nfsd ------------------------------------------------------------ */

static void test_nfs_parse_client(void **state)
{
	struct nfs_rpc_stats s;
	(void)state;

	assert_int_equal(nfs_parse_rpc("net 1 2 3 4\nrpc 5 6 7\n"
				       "proc4 3 9 10 11\n", false, &s), 0);
	assert_int_equal(s.net[3], 4);
	assert_int_equal(s.rpc[0], 5);
	/* A short v4 list (older kernel) is padded with zeros. */
	assert_int_equal(s.proc4[2], 11);
	assert_int_equal(s.proc4[3], 0);
	/* Absent lines are zeros; an empty file is no error. */
	assert_int_equal(s.proc3[0], 0);
	assert_int_equal(nfs_parse_rpc("", false, &s), 0);
	/* CRLF endings are taken, as bufio.Scanner takes them. */
	assert_int_equal(nfs_parse_rpc("rpc 5 6 7\r\n", false, &s), 0);
	assert_int_equal(s.rpc[2], 7);
}

static void test_nfs_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"net 1 2 3\n",			/* too few */
		"rpc 1 2 3 4 5\n",		/* the server's rpc line */
		"\n",				/* a blank line */
		"net\n",			/* key only */
		"bogus 1 2\n",			/* unknown key */
		"net 1 2 3 -4\n",		/* a sign */
		"net 1 2 3 18446744073709551616\n", /* past 2^64-1 */
		"proc2 3 1 2 3\n",		/* fewer than 18 procedures */
		"proc3 22 1 2\n",		/* count and values disagree */
		"rc 1 2 3\n",			/* a server line */
	};
	struct nfs_rpc_stats s;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nfs_parse_rpc(bad[i], false, &s) != -EINVAL)
			fail_msg("taken: %s", bad[i]);
}

static void test_nfsd_parse_server(void **state)
{
	struct nfs_rpc_stats s;
	(void)state;

	/* th: only the first two words count; the rest are floats. */
	assert_int_equal(nfs_parse_rpc("th 8 1 0.000 1.5\nproc4 2 3 4\n",
				       true, &s), 0);
	assert_int_equal(s.th[0], 8);
	assert_int_equal(s.th[1], 1);
	assert_int_equal(nfs_parse_rpc("th 8\n", true, &s), -EINVAL);
	assert_int_equal(nfs_parse_rpc("proc4 3 1 2 3\n", true, &s), -EINVAL);
	assert_int_equal(nfs_parse_rpc("proc4ops 2 1 2\n", true, &s), -EINVAL);
	assert_int_equal(nfs_parse_rpc("ra 1 2\n", true, &s), -EINVAL);
}

static void test_nfs_requests_sorted(void **state)
{
	struct nfs_rpc_stats s = { 0 };
	struct nfs_request req[NFS_REQUESTS_MAX];
	unsigned n;
	(void)state;

	n = nfs_requests(&s, false, req);
	assert_int_equal(n, 18 + 22 + 59);
	for (unsigned i = 1; i < n; i++)
		assert_true(strcmp(req[i - 1].method, req[i].method) < 0 ||
			    (!strcmp(req[i - 1].method, req[i].method) &&
			     req[i - 1].proto < req[i].proto));
	/* The server has no Null of v2/v3 and 33 of its 39 v4 operations. */
	assert_int_equal(nfs_requests(&s, true, req), 17 + 21 + 33);
}

static void test_nfs_collector(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(collect(&nfs_collector, PROC, SYS, &out), 0);
	test_assert_line(buf_cstr(&out), "node_nfs_connections_total 73");
	test_assert_line(buf_cstr(&out), "node_nfs_packets_total{protocol=\"tcp\"} 72");
	test_assert_line(buf_cstr(&out), "node_nfs_packets_total{protocol=\"udp\"} 71");
	test_assert_line(buf_cstr(&out),
			 "node_nfs_requests_total{method=\"Null\",proto=\"2\"} 200");
	test_assert_line(buf_cstr(&out),
			 "node_nfs_requests_total{method=\"Commit\",proto=\"3\"} 321");
	test_assert_line(buf_cstr(&out),
			 "node_nfs_requests_total{method=\"Clone\",proto=\"4\"} 458");
	test_assert_line(buf_cstr(&out),
			 "node_nfs_requests_total{method=\"LayoutGet\",proto=\"4\"} 444");
	test_assert_line(buf_cstr(&out), "node_nfs_rpcs_total 18446744073709551616");
	test_assert_line(buf_cstr(&out), "node_nfs_rpc_retransmissions_total 81");
	test_assert_line(buf_cstr(&out),
			 "node_nfs_rpc_authentication_refreshes_total 82");
	buf_release(&out);
}

static void test_nfsd_collector(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(collect(&nfsd_collector, PROC, SYS, &out), 0);
	test_assert_line(buf_cstr(&out), "node_nfsd_server_threads 8");
	test_assert_line(buf_cstr(&out), "node_nfsd_read_ahead_cache_size_blocks 32");
	test_assert_line(buf_cstr(&out), "node_nfsd_read_ahead_cache_not_found_total 17");
	test_assert_line(buf_cstr(&out), "node_nfsd_reply_cache_nocache_total 12");
	test_assert_line(buf_cstr(&out), "node_nfsd_file_handles_stale_total 13");
	test_assert_line(buf_cstr(&out), "node_nfsd_disk_bytes_written_total 15");
	test_assert_line(buf_cstr(&out), "node_nfsd_rpc_errors_total{error=\"cInt\"} 34");
	test_assert_line(buf_cstr(&out),
			 "node_nfsd_requests_total{method=\"Access\",proto=\"4\"} 703");
	test_assert_line(buf_cstr(&out),
			 "node_nfsd_requests_total{method=\"RelLockOwner\",proto=\"4\"} 737");
	assert_null(strstr(buf_cstr(&out), "method=\"Null\""));
	assert_null(strstr(buf_cstr(&out), "PutPubFH"));
	buf_release(&out);
}

/* Without the files: ErrNoData, nothing written. */
static void test_nfs_absent(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(collect(&nfs_collector, SYS, SYS, &out), -ENODATA);
	assert_int_equal(out.len, 0);
	assert_int_equal(collect(&nfsd_collector, SYS, SYS, &out), -ENODATA);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

/* ---- xfs ------------------------------------------------------------------ */

static void test_xfs_parse(void **state)
{
	struct xfs_stats s;
	(void)state;

	assert_int_equal(xfs_parse_stats("extent_alloc 1 2 3 4\nrw 10 20\n"
					 "vnodes 1 2 3 4 5 6 7\nsingle\n"
					 "rmapbt_mem 5\nxpc 18446744073709551615 0 0\n",
					 &s), 0);
	assert_int_equal(s.v[XFS_EXTENT_ALLOC][3], 4);
	assert_int_equal(s.v[XFS_RW][0], 10);
	assert_int_equal(s.v[XFS_VNODES][6], 7);
	assert_int_equal(s.v[XFS_IG][0], 0);
	assert_int_equal(xfs_parse_stats("", &s), 0);
}

static void test_xfs_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"rw 1 2 3\n",			/* wrong count */
		"qm 4294967296\n",		/* past 32 bits, any line */
		"zzz abc\n",			/* not a number */
		"xpc 1 2\n",			/* xpc has three */
		"xpc 18446744073709551616 1 1\n",
		"push_ail 1\n",
		"vnodes 1 2 3 4 5 6\n",
		"debug 1 2\n",
		"rw 0x10 1\n",			/* decimal only */
		"rw +1 2\n",
	};
	struct xfs_stats s;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xfs_parse_stats(bad[i], &s) != -EINVAL)
			fail_msg("taken: %s", bad[i]);
}

static void test_xfs_collector(void **state)
{
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	assert_int_equal(collect(&xfs_collector, PROC, SYS, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "node_xfs_extent_allocation_extents_allocated_total"
			 "{device=\"sda1\"} 4294967295");
	test_assert_line(o, "node_xfs_write_calls_total{device=\"sda1\"} 1051");
	test_assert_line(o, "node_xfs_read_calls_total{device=\"sda1\"} 1052");
	test_assert_line(o, "node_xfs_inode_operation_attribute_changes_total"
			 "{device=\"sda1\"} 1033");
	/* dm-0 is an older kernel's file: absent lines are 0. */
	test_assert_line(o, "node_xfs_vnode_remove_total{device=\"dm-0\"} 7");
	test_assert_line(o, "node_xfs_block_mapping_reads_total{device=\"dm-0\"} 0");
	/* The global stats directory is not a device. */
	assert_null(strstr(o, "device=\"stats\""));
	buf_release(&out);
}

/* ---- zfs ------------------------------------------------------------------ */

struct zfs_seen {
	char names[8][32];
	char datasets[8][32];
	uint64_t values[8];
	int n;
};

static void zfs_record(void *arg, const char *name, size_t len,
		       const char *dataset, uint64_t value)
{
	struct zfs_seen *s = arg;

	if (s->n == 8)
		return;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%.*s", (int)len, name);
	snprintf(s->datasets[s->n], sizeof(s->datasets[0]), "%s",
		 dataset ? dataset : "(none)");
	s->values[s->n++] = value;
}

static void test_zfs_parse_kstat(void **state)
{
	struct zfs_seen s = { 0 };
	(void)state;

	/* Only uint64 rows (type 4), after the header. */
	assert_int_equal(zfs_parse_kstat("13 1 0x01 3 144 1 2\n"
					 "name type data\nhits 4 5\nneg 3 -1\n"
					 "str 7 x\nshort 4\nbig 4 18446744073709551615\n",
					 0, zfs_record, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "hits");
	assert_int_equal(s.values[1], UINT64_MAX);
	assert_int_equal(zfs_parse_kstat("hits 4 5\n", 0, zfs_record, &s), -EINVAL);
	assert_int_equal(zfs_parse_kstat("name type data\nhits 4 x\n", 0,
					 zfs_record, &s), -EINVAL);
	/* objset: the dataset named by its row; none before it. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(zfs_parse_kstat("name type data\nw 4 1\n"
					 "dataset_name 7 tank/home\nr 4 2\n", 1,
					 zfs_record, &s), 0);
	assert_string_equal(s.datasets[0], "(none)");
	assert_string_equal(s.datasets[1], "tank/home");
}

static void test_zfs_parse_pool(void **state)
{
	struct zfs_seen s = { 0 };
	char st[16];
	(void)state;

	assert_int_equal(zfs_parse_pool_io("12 3 0x00 1 80 2 3\n"
		"nread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n"
		"1 2 3 4 5 6 7 8 9 10 11 12\n", zfs_record, &s), 0);
	assert_int_equal(s.n, 8);
	assert_string_equal(s.names[2], "reads");
	assert_int_equal(s.values[2], 3);
	/* A row shorter than its header (upstream panics) or not numbers. */
	assert_int_equal(zfs_parse_pool_io("nread a b c d e f g h i j k\n1 2\n",
					   zfs_record, &s), -EINVAL);
	assert_int_equal(zfs_parse_pool_io("nread a b c d e f g h i j k\n"
					   "1 2 3 4 5 6 7 8 9 10 11 x\n",
					   zfs_record, &s), -EINVAL);
	zfs_parse_pool_state("SUSPENDED\r\n", st, sizeof(st));
	assert_string_equal(st, "suspended");
	zfs_parse_pool_state("", st, sizeof(st));
	assert_string_equal(st, "");
}

static void test_zfs_collector(void **state)
{
	struct buf out = BUF_INIT;
	const char *o;
	(void)state;

	assert_int_equal(collect(&zfs_collector, PROC, SYS, &out), 0);
	o = buf_cstr(&out);
	test_assert_line(o, "# HELP node_zfs_arc_hits kstat.zfs.misc.arcstats.hits");
	test_assert_line(o, "# TYPE node_zfs_arc_hits untyped");
	test_assert_line(o, "node_zfs_arc_arc_meta_used 18446744073709551616");
	/* '-' in a kstat name becomes '_'; int64 and string rows are not read. */
	test_assert_line(o, "node_zfs_fm_erpt_dropped 18");
	test_assert_line(o, "node_zfs_arc_anon_evictable_data 7");
	assert_null(strstr(o, "arc_no_grow"));
	test_assert_line(o, "node_zfs_zpool_nread{zpool=\"tank\"} 1884160");
	test_assert_line(o, "node_zfs_zpool_dataset_writes{dataset=\"tank/home\","
			 "zpool=\"tank\"} 40");
	test_assert_line(o, "node_zfs_zpool_state{state=\"degraded\",zpool=\"pool2\"} 1");
	test_assert_line(o, "node_zfs_zpool_state{state=\"online\",zpool=\"pool2\"} 0");
	buf_release(&out);
	/* No ZFS module: no data. */
	assert_int_equal(collect(&zfs_collector, SYS, SYS, &out), -ENODATA);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfs_parse_client),
		cmocka_unit_test(test_nfs_parse_refuses),
		cmocka_unit_test(test_nfsd_parse_server),
		cmocka_unit_test(test_nfs_requests_sorted),
		cmocka_unit_test(test_nfs_collector),
		cmocka_unit_test(test_nfsd_collector),
		cmocka_unit_test(test_nfs_absent),
		cmocka_unit_test(test_xfs_parse),
		cmocka_unit_test(test_xfs_parse_refuses),
		cmocka_unit_test(test_xfs_collector),
		cmocka_unit_test(test_zfs_parse_kstat),
		cmocka_unit_test(test_zfs_parse_pool),
		cmocka_unit_test(test_zfs_collector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
