/*
 * Tests of the mdadm, edac, fibrechannel and tapestats node collectors:
 * the mdstat parser on good, odd and refused text, the attribute parser,
 * and each collector's output over the fixture tree tests/fixtures/node
 * (proc/mdstat, sys/devices/system/edac, sys/class/fc_host,
 * sys/class/scsi_tape) and over scratch trees for the failure cases.
 *
 * The expected lines are those Debian's node_exporter 1.5.0 printed for the
 * same fixtures (our writer spells large integers without an exponent).
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
#include "hw3_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define MISSING FIXTURES_DIR "/node/does-not-exist"

/* ---- helpers ------------------------------------------------------------- */

static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .tapestats_ignored = "^$" };

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

/* ---- mdstat parser ---------------------------------------------------------- */

static int md_parse(const char *s, struct md_stat *m)
{
	*m = (struct md_stat)MD_STAT_INIT;
	return mdstat_parse(s, m);
}

static void test_mdstat_parse_arrays(void **state)
{
	static const char text[] =
		"Personalities : [raid1] [raid6] [raid5] [raid4]\n"
		"md127 : active (auto-read-only) raid1 sdb2[0] sdc2[1] hda[4](S)\n"
		"      4190208 blocks super 1.2 [2/2] [UU]\n"
		"      resync=PENDING\n"
		"\n"
		"md6 : active raid5 sdb2[2](F) sdc[1](S) sda2[0] sdd[3]\n"
		"      195310144 blocks level 5, 64k chunk [3/2] [U_U]\n"
		"      bitmap: 0/2 pages [0KB], 65536KB chunk\n"
		"      [=>....]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec\n"
		"\n"
		"md8 : active linear sda1[1] sdb1[0]\n"
		"      2095104 blocks super 1.2 0k rounding\n"
		"\n"
		"unused devices: <none>\n";
	struct md_stat m;

	(void)state;
	assert_int_equal(md_parse(text, &m), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.v[0].name, "md127");
	assert_int_equal(m.v[0].state, MD_RESYNC);
	assert_int_equal(m.v[0].blocks_synced, 0);
	assert_int_equal(m.v[0].disks_spare, 1);
	assert_string_equal(m.v[1].name, "md6");
	assert_int_equal(m.v[1].state, MD_RECOVERING);
	assert_int_equal(m.v[1].disks_total, 3);
	assert_int_equal(m.v[1].disks_active, 2);
	assert_int_equal(m.v[1].disks_failed, 1);
	assert_int_equal(m.v[1].blocks_total, 195310144);
	assert_int_equal(m.v[1].blocks_synced, 16775552);
	assert_int_equal(m.v[2].state, MD_ACTIVE);
	assert_int_equal(m.v[2].disks_total, 2);
	assert_int_equal(m.v[2].blocks_synced, 2095104);
	md_stat_release(&m);
}

/* The third word decides the state unless a sync line overrides it. */
static void test_mdstat_parse_states(void **state)
{
	struct md_stat m;

	(void)state;
	assert_int_equal(md_parse("md1 : readonly raid1 a[0] b[1]\n"
				  "  10 blocks [2/2] [UU]\n\n\n", &m), 0);
	assert_int_equal(m.v[0].state, MD_OTHER);
	md_stat_release(&m);
	assert_int_equal(md_parse("md1 : inactive a[0](S)\n  10 blocks\n\n\n",
				  &m), 0);
	assert_int_equal(m.v[0].state, MD_INACTIVE);
	assert_int_equal(m.v[0].disks_total, 0);
	assert_int_equal(m.v[0].blocks_synced, 10);
	md_stat_release(&m);
	/* The last brackets after "N blocks " count (Go's greedy ".*"). */
	assert_int_equal(md_parse("md1 : active raid1 a[0]\n"
				  "  10 blocks [9/9] [UU] x [3/1] [U__]\n"
				  "  [=>] check = 1.5% (4/10) finish=1.0min speed=5K/sec\n\n",
				  &m), 0);
	assert_int_equal(m.v[0].disks_total, 3);
	assert_int_equal(m.v[0].disks_active, 1);
	assert_int_equal(m.v[0].state, MD_CHECK);
	assert_int_equal(m.v[0].blocks_synced, 4);
	md_stat_release(&m);
}

/* Text node_exporter 1.5 refuses (checked against it). */
static void test_mdstat_parse_refused(void **state)
{
	static const char *const bad[] = {
		/* too few lines after the device line */
		"md1 : active raid1 a[0] b[1]\n  10 blocks [2/2] [UU]\n",
		/* fewer than three words */
		"md1 :\n  10 blocks [2/2] [UU]\n\n\n",
		/* size is not a number */
		"md1 : active raid1 a[0]\n  ten blocks [2/2] [UU]\n\n\n",
		/* no disk brackets */
		"md1 : active raid1 a[0]\n  10 blocks [2/2]\n\n\n",
		/* a recovery without finish= */
		"md1 : active raid1 a[0]\n  10 blocks [2/1] [U_]\n"
		"  recovery = 8.5% (1/10)\n\n",
		/* a recovery without its blocks */
		"md1 : active raid1 a[0]\n  10 blocks [2/1] [U_]\n"
		"  recovery = 8.5% finish=1min speed=1K/s\n\n",
		/* a disk count past int64 */
		"md1 : active raid1 a[0]\n  10 blocks [99999999999999999999/1] [U]\n\n\n",
	};
	struct md_stat m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (md_parse(bad[i], &m) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		md_stat_release(&m);
	}
	assert_int_equal(md_parse("", &m), 0);
	assert_int_equal(m.n, 0);
	md_stat_release(&m);
}

static void test_parse_uint(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hw3_parse_uint(" 12\n\n", 10, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(hw3_parse_uint("0x10\n", 0, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(hw3_parse_uint("0xffffffffffffffff\n", 0, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hw3_parse_uint("0x10", 10, &v), -EINVAL);
	assert_int_equal(hw3_parse_uint("+5", 0, &v), -EINVAL);
	assert_int_equal(hw3_parse_uint("", 10, &v), -EINVAL);
	assert_int_equal(hw3_parse_uint("18446744073709551616", 10, &v), -EINVAL);
}

/* ---- mdadm -------------------------------------------------------------- */

static void test_mdadm_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&mdadm_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_md_blocks Total number of blocks on device.");
	test_assert_line(t, "# TYPE node_md_blocks gauge");
	test_assert_line(t, "node_md_blocks{device=\"md5\"} 7813735424");
	test_assert_line(t, "node_md_blocks_synced{device=\"md1\"} 83014528");
	test_assert_line(t, "node_md_blocks_synced{device=\"md4\"} 0");
	test_assert_line(t, "node_md_blocks_synced{device=\"md5\"} 484432128");
	test_assert_line(t, "# HELP node_md_disks Number of active/failed/spare disks of device.");
	test_assert_line(t, "node_md_disks{device=\"md1\",state=\"spare\"} 1");
	test_assert_line(t, "node_md_disks{device=\"md2\",state=\"failed\"} 1");
	test_assert_line(t, "node_md_disks{device=\"md3\",state=\"active\"} 3");
	test_assert_line(t, "# HELP node_md_disks_required Total number of disks of device.");
	test_assert_line(t, "node_md_disks_required{device=\"md1\"} 4");
	test_assert_line(t, "node_md_disks_required{device=\"md2\"} 0");
	test_assert_line(t, "# HELP node_md_state Indicates the state of md-device.");
	test_assert_line(t, "node_md_state{device=\"md1\",state=\"recovering\"} 1");
	test_assert_line(t, "node_md_state{device=\"md2\",state=\"inactive\"} 1");
	test_assert_line(t, "node_md_state{device=\"md4\",state=\"resync\"} 1");
	test_assert_line(t, "node_md_state{device=\"md5\",state=\"check\"} 1");
	test_assert_line(t, "node_md_state{device=\"md5\",state=\"active\"} 0");
	test_assert_line(t, "node_md_state{device=\"md6\",state=\"active\"} 1");
	assert_int_equal(count(t, "node_md_state{"), 7 * 5);
	/* Families in name order, as upstream's registry prints them. */
	assert_true(strstr(t, "node_md_blocks{") < strstr(t, "node_md_blocks_synced{"));
	assert_true(strstr(t, "node_md_disks_required{") < strstr(t, "node_md_state{"));
	buf_release(&out);
}

static void test_mdadm_missing_and_bad(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw3-md");

	(void)state;
	assert_int_equal(run(&mdadm_collector, MISSING, SYS, &out), -ENODATA);
	put(dir, "mdstat", "md1 : active raid1 a[0]\n  10 blocks [2/2] [UU]\n");
	assert_int_equal(run(&mdadm_collector, dir, SYS, &out), -EINVAL);
	/* An array named twice: upstream keeps the first. */
	put(dir, "mdstat", "md1 : active raid1 a[0]\n  10 blocks [2/2] [UU]\n\n"
	    "md1 : active raid1 a[0]\n  11 blocks [2/2] [UU]\n\n\n");
	assert_int_equal(run(&mdadm_collector, dir, SYS, &out), 0);
	test_assert_line(buf_cstr(&out), "node_md_blocks{device=\"md1\"} 10");
	assert_int_equal(count(buf_cstr(&out), "node_md_blocks{"), 1);
	put(dir, "mdstat", "Personalities : [raid1]\nunused devices: <none>\n");
	assert_int_equal(run(&mdadm_collector, dir, SYS, &out), 0);
	assert_int_equal(out.len, 0);
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- edac --------------------------------------------------------------- */

static void test_edac_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&edac_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_edac_correctable_errors_total Total correctable memory errors.");
	test_assert_line(t, "# TYPE node_edac_correctable_errors_total counter");
	test_assert_line(t, "node_edac_correctable_errors_total{controller=\"1\"} 2");
	test_assert_line(t, "# HELP node_edac_csrow_correctable_errors_total Total correctable memory errors for this csrow.");
	test_assert_line(t, "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"10\"} 70");
	test_assert_line(t, "node_edac_csrow_correctable_errors_total{controller=\"1\",csrow=\"unknown\"} 5");
	test_assert_line(t, "# HELP node_edac_csrow_uncorrectable_errors_total Total uncorrectable memory errors for this csrow.");
	test_assert_line(t, "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"2\"} 2");
	test_assert_line(t, "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"unknown\"} 5");
	test_assert_line(t, "# HELP node_edac_uncorrectable_errors_total Total uncorrectable memory errors.");
	test_assert_line(t, "node_edac_uncorrectable_errors_total{controller=\"1\"} 1");
	/* Sorted as strings: "10" before "2". */
	assert_true(strstr(t, "csrow=\"10\"") < strstr(t, "csrow=\"2\""));
	assert_int_equal(count(t, "node_edac_csrow_correctable_errors_total{"), 8);
	buf_release(&out);
}

static void test_edac_missing_and_bad(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw3-edac");

	(void)state;
	/* No controllers: nothing, and success, as upstream. */
	assert_int_equal(run(&edac_collector, PROC, MISSING, &out), 0);
	assert_int_equal(out.len, 0);
	put(dir, "devices/system/edac/mc/mc0/ce_count", "1\n");
	assert_int_not_equal(run(&edac_collector, PROC, dir, &out), 0);
	put(dir, "devices/system/edac/mc/mc0/ce_noinfo_count", "0\n");
	put(dir, "devices/system/edac/mc/mc0/ue_count", "x\n");
	put(dir, "devices/system/edac/mc/mc0/ue_noinfo_count", "0\n");
	assert_int_not_equal(run(&edac_collector, PROC, dir, &out), 0);
	put(dir, "devices/system/edac/mc/mc0/ue_count", "3\n");
	assert_int_equal(run(&edac_collector, PROC, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_edac_uncorrectable_errors_total{controller=\"0\"} 3");
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- fibrechannel ----------------------------------------------------------- */

static void test_fibrechannel_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&fibrechannel_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_fibrechannel_info Non-numeric data from /sys/class/fc_host/<host>, value is always 1.");
	test_assert_line(t, "# TYPE node_fibrechannel_info gauge");
	test_assert_line(t, "node_fibrechannel_info{dev_loss_tmo=\"30\",fabric_name=\"0\","
		    "fc_host=\"host0\",port_id=\"000002\",port_name=\"1000e0071bce95f2\","
		    "port_state=\"Online\",port_type=\"NPort (fabric via point-to-point)\","
		    "speed=\"16 Gbit\",supported_classes=\"Class 3\","
		    "supported_speeds=\"4 Gbit, 8 Gbit, 16 Gbit\",symbolic_name=\"Emulex "
		    "SN1100E2P FV12.4.270.3 DV12.4.0.0. HN:gotest. OS:Linux\"} 1");
	test_assert_line(t, "# HELP node_fibrechannel_loss_of_sync_total Number of failures on either bit or transmission word boundaries");
	test_assert_line(t, "# TYPE node_fibrechannel_loss_of_sync_total counter");
	test_assert_line(t, "node_fibrechannel_loss_of_sync_total{fc_host=\"host0\"} 2");
	test_assert_line(t, "node_fibrechannel_seconds_since_last_reset_total{fc_host=\"host0\"} 77");
	test_assert_line(t, "node_fibrechannel_invalid_tx_words_total{fc_host=\"host0\"} 1");
	test_assert_line(t, "node_fibrechannel_tx_words_total{fc_host=\"host0\"} 7");
	/* All ones means "not supported": no sample, no family. */
	assert_no(t, "dumped_frames");
	assert_int_equal(count(t, "# TYPE "), 14);
	buf_release(&out);
}

/* Copies the fixture host's attributes into dir/class/fc_host/host0. */
static void fc_scratch_host(const char *dir)
{
	static const char *const attrs[] = {
		"speed", "port_state", "port_type", "symbolic_name", "node_name",
		"port_id", "port_name", "fabric_name", "dev_loss_tmo",
		"supported_classes", "supported_speeds",
	};
	char rel[128];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(rel, sizeof(rel), "class/fc_host/host0/%s", attrs[i]);
		put(dir, rel, "0xab\n");
	}
}

static void test_fibrechannel_missing_and_bad(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw3-fc");
	char path[512];
	int rc;

	(void)state;
	assert_int_equal(run(&fibrechannel_collector, PROC, MISSING, &out),
			 -ENODATA);
	fc_scratch_host(dir);
	/* No statistics directory: "no data", as upstream. */
	assert_int_equal(run(&fibrechannel_collector, PROC, dir, &out),
			 -ENODATA);
	put(dir, "class/fc_host/host0/statistics/rx_frames", "12\n");
	put(dir, "class/fc_host/host0/statistics/fcp_input_requests", "zz\n");
	assert_int_equal(run(&fibrechannel_collector, PROC, dir, &out), 0);
	/* Missing counters are 0; ids lose two bytes ("0x"), others not. */
	test_assert_line(buf_cstr(&out), "node_fibrechannel_rx_frames_total{fc_host=\"host0\"} 12");
	test_assert_line(buf_cstr(&out), "node_fibrechannel_nos_total{fc_host=\"host0\"} 0");
	assert_true(strstr(buf_cstr(&out), "port_id=\"ab\",port_name=\"ab\",port_state=\"0xab\""));
	/* A counter that is not a number: upstream crashes, we fail. */
	put(dir, "class/fc_host/host0/statistics/rx_frames", "12x\n");
	assert_int_equal(run(&fibrechannel_collector, PROC, dir, &out), -EINVAL);
	put(dir, "class/fc_host/host0/statistics/rx_frames", "0\n");
	/* A missing attribute fails the collector (not "no data"). */
	snprintf(path, sizeof(path), "%s/class/fc_host/host0/speed", dir);
	assert_int_equal(unlink(path), 0);
	rc = run(&fibrechannel_collector, PROC, dir, &out);
	assert_true(rc < 0 && rc != -ENODATA);
	test_remove_dir(dir);
	buf_release(&out);
}

/* ---- tapestats ------------------------------------------------------------ */

static void test_tapestats_fixture(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&tapestats_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_tape_io_now The number of I/Os currently outstanding to this device.");
	test_assert_line(t, "# TYPE node_tape_io_now gauge");
	test_assert_line(t, "node_tape_io_now{device=\"st0\"} 4");
	test_assert_line(t, "# TYPE node_tape_io_time_seconds_total counter");
	test_assert_line(t, "node_tape_io_time_seconds_total{device=\"st0\"} 1.3e-08");
	test_assert_line(t, "node_tape_io_time_seconds_total{device=\"st1\"} 9.4052355");
	test_assert_line(t, "node_tape_read_time_seconds_total{device=\"st0\"} 1.0930000000000002e-06");
	test_assert_line(t, "node_tape_write_time_seconds_total{device=\"st1\"} 0.00032476900000000003");
	test_assert_line(t, "node_tape_residual_total{device=\"st1\"} 12028");
	test_assert_line(t, "node_tape_writes_completed_total{device=\"st0\"} 29524");
	test_assert_line(t, "node_tape_written_bytes_total{device=\"st1\"} 36085");
	test_assert_line(t, "# HELP node_tape_residual_total The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.");
	/* nst0 and st0a are aliases, not drives. */
	assert_no(t, "nst0");
	assert_no(t, "st0a");
	assert_int_equal(count(t, "{device="), 20);
	buf_release(&out);
}

static void test_tapestats_ignored(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .tapestats_ignored = "^st1$" };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(test_run_collector(&tapestats_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "{device=\"st0\"}"), 10);
	assert_no(buf_cstr(&out), "st1");
	/* Go's empty pattern matches every name. */
	cfg.tapestats_ignored = "";
	assert_int_equal(test_run_collector(&tapestats_collector, &cfg, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_tapestats_missing_and_bad(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("hw3-tape");

	(void)state;
	assert_int_equal(run(&tapestats_collector, PROC, MISSING, &out),
			 -ENODATA);
	put(dir, "class/scsi_tape/st3/device", "x\n");
	assert_int_equal(run(&tapestats_collector, PROC, dir, &out), -ENODATA);
	put(dir, "class/scsi_tape/st3/stats/read_cnt", " 0x10\n\n");
	assert_int_equal(run(&tapestats_collector, PROC, dir, &out), 0);
	test_assert_line(buf_cstr(&out), "node_tape_reads_completed_total{device=\"st3\"} 16");
	test_assert_line(buf_cstr(&out), "node_tape_io_now{device=\"st3\"} 0");
	put(dir, "class/scsi_tape/st3/stats/read_cnt", "+5\n");
	assert_int_equal(run(&tapestats_collector, PROC, dir, &out), -EINVAL);
	test_remove_dir(dir);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdstat_parse_arrays),
		cmocka_unit_test(test_mdstat_parse_states),
		cmocka_unit_test(test_mdstat_parse_refused),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_mdadm_fixture),
		cmocka_unit_test(test_mdadm_missing_and_bad),
		cmocka_unit_test(test_edac_fixture),
		cmocka_unit_test(test_edac_missing_and_bad),
		cmocka_unit_test(test_fibrechannel_fixture),
		cmocka_unit_test(test_fibrechannel_missing_and_bad),
		cmocka_unit_test(test_tapestats_fixture),
		cmocka_unit_test(test_tapestats_ignored),
		cmocka_unit_test(test_tapestats_missing_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
