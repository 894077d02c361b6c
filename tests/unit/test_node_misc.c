/*
 * Tests of the os, selinux, conntrack and timex node collectors: their pure
 * parsers on good, odd and garbage text, and each collector's output over
 * the fixture tree tests/fixtures/node (rootfs/etc/os-release,
 * rootfs/usr/lib/os-release, proc/sys/net/netfilter, proc/net/stat).
 *
 * The expected lines are those Debian's node_exporter 1.5.0 printed for the
 * same fixtures (--path.rootfs, --path.procfs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "expo.h"
#include "misc_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define ROOTFS FIXTURES_DIR "/node/rootfs"
#define MISSING FIXTURES_DIR "/node/does-not-exist"

/* ---- helpers ------------------------------------------------------------- */

/* Runs one collect() with the given roots into out; returns its result. */
static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, const char *rootfs, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .rootfs = rootfs };
	struct collect_ctx ctx = { .config = &cfg };
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

/* Parses s as os-release; returns the parser's result. */
static int os_parse(const char *s, struct os_release *r)
{
	return os_release_parse(s, strlen(s), r);
}

/* The value of field f after parsing s, which must succeed. */
static void assert_os_value(const char *s, enum os_field f, const char *want)
{
	struct os_release r;

	os_release_init(&r);
	if (os_parse(s, &r) != 0)
		fail_msg("parse failed: %s", s);
	if (strcmp(os_release_get(&r, f), want))
		fail_msg("%s: got \"%s\", want \"%s\"", s,
			 os_release_get(&r, f), want);
	os_release_release(&r);
}

static void assert_os_garbage(const char *s)
{
	struct os_release r;

	os_release_init(&r);
	if (os_parse(s, &r) != -EINVAL)
		fail_msg("accepted: %s", s);
	os_release_release(&r);
}

/* ---- os: parser ----------------------------------------------------------- */

static void os_parse_good(void **state)
{
	struct os_release r;
	const char *text =
		"NAME=\"Debian GNU/Linux\"\n"
		"VERSION_ID=\"12\"\n"
		"VERSION=\"12 (bookworm)\"\n"
		"VERSION_CODENAME=bookworm\n"
		"ID=debian\n"
		"HOME_URL=\"https://www.debian.org/\"\n";

	(void)state;
	os_release_init(&r);
	assert_int_equal(os_parse(text, &r), 0);
	assert_string_equal(os_release_get(&r, OS_NAME), "Debian GNU/Linux");
	assert_string_equal(os_release_get(&r, OS_VERSION_ID), "12");
	assert_string_equal(os_release_get(&r, OS_VERSION), "12 (bookworm)");
	assert_string_equal(os_release_get(&r, OS_VERSION_CODENAME),
			    "bookworm");
	assert_string_equal(os_release_get(&r, OS_ID), "debian");
	/* Keys not in the file stay empty. */
	assert_string_equal(os_release_get(&r, OS_ID_LIKE), "");
	assert_string_equal(os_release_get(&r, OS_BUILD_ID), "");
	/* A second parse starts from nothing. */
	assert_int_equal(os_parse("ID=other\n", &r), 0);
	assert_string_equal(os_release_get(&r, OS_NAME), "");
	assert_string_equal(os_release_get(&r, OS_ID), "other");
	os_release_release(&r);
}

static void os_parse_quoting(void **state)
{
	(void)state;
	/* Single quotes are literal, backslashes included. */
	assert_os_value("NAME='a\\nb \"c\"'\n", OS_NAME, "a\\nb \"c\"");
	/* Double quotes take JSON's escapes. */
	assert_os_value("NAME=\"q\\\" b\\\\ s\\/ n\\n t\\t\"", OS_NAME,
			"q\" b\\ s/ n\n t\t");
	assert_os_value("NAME=\"\\b\\f\\r\"", OS_NAME, "\b\f\r");
	assert_os_value("NAME=\"caf\\u00e9 \\u00E9\"", OS_NAME,
			"caf\xc3\xa9 \xc3\xa9");
	assert_os_value("NAME=\"\\ud83d\\ude00!\"", OS_NAME,
			"\xf0\x9f\x98\x80!");
	/* A surrogate not followed by its pair's other half: U+FFFD. */
	assert_os_value("NAME=\"\\udc00\\u0041\"", OS_NAME, "\xef\xbf\xbd");
	/* Quoted and bare parts join; inner blanks stay. */
	assert_os_value("NAME=\"a\"'b'c  d\n", OS_NAME, "abc  d");
	/* An unquoted '#' starts a comment and drops the blanks before it. */
	assert_os_value("NAME=x  # note\n", OS_NAME, "x");
	assert_os_value("NAME=x#y\n", OS_NAME, "x");
	assert_os_value("NAME=\"x # y\"  # z\n", OS_NAME, "x # y");
	assert_os_value("NAME=#all comment\n", OS_NAME, "");
	/* Blanks around key and value go. */
	assert_os_value("  NAME =  spaced out  \n", OS_NAME, "spaced out");
	assert_os_value("NAME=\n", OS_NAME, "");
	/* UTF-8 passes through unquoted. */
	assert_os_value("NAME=\xc3\xa9t\xc3\xa9\n", OS_NAME,
			"\xc3\xa9t\xc3\xa9");
}

static void os_parse_lines(void **state)
{
	(void)state;
	/* CRLF, blank and white-space-only lines, indented comments. */
	assert_os_value("# c\r\n\r\n   \n\t# indented\nID=x\r\nNAME=n\r\n",
			OS_ID, "x");
	/* "export " is dropped; "export" alone is an ordinary key. */
	assert_os_value("export ID=e\n", OS_ID, "e");
	assert_os_value("export=1\nID=k\n", OS_ID, "k");
	/* The last of a repeated key wins. */
	assert_os_value("ID=a\nID=b\n", OS_ID, "b");
	/* No newline at the end. */
	assert_os_value("NAME=a\nID=last", OS_ID, "last");
	/* Keys may hold '.', '/' and digits after the first letter. */
	assert_os_value("X.Y/Z_1=v\nID=ok\n", OS_ID, "ok");
	/* Unicode white space is trimmed too (U+00A0, U+3000). */
	assert_os_value("\xc2\xa0ID=nb\xe3\x80\x80\n", OS_ID, "nb");
	/* Missing VERSION_ID: empty. */
	assert_os_value("NAME=a\n", OS_VERSION_ID, "");
}

static void os_parse_garbage(void **state)
{
	(void)state;
	assert_os_garbage("garbage\nNAME=a\n");
	assert_os_garbage("=x\n");
	assert_os_garbage("1A=x\n");
	assert_os_garbage("[A=x\n");
	assert_os_garbage("A B=x\n");
	assert_os_garbage("export\tNAME=a\n");
	assert_os_garbage("NAME=a\tb\n");
	assert_os_garbage("NAME=\"open\n");
	assert_os_garbage("NAME='open\n");
	assert_os_garbage("NAME=\"a\\$b\"\n");
	assert_os_garbage("NAME=\"a\\`b\"\n");
	assert_os_garbage("NAME=\"\\u12\"\n");
	assert_os_garbage("NAME=\"\\u12g4\"\n");
	assert_os_garbage("NAME=\"\\ud83dx\"\n");
	assert_os_garbage("NAME=\"\\ud83d\\u12\"\n");
	assert_os_garbage("NAME=\"\\\n");
	assert_os_garbage("NAME=\"\\\xc3\xa9\"\n");
	assert_os_garbage("NAME=a\x01\n");

	/* A line bufio.Scanner cannot hold fails the whole file. */
	struct buf big = BUF_INIT;
	struct os_release r;

	buf_adds(&big, "NAME=");
	for (int i = 0; i < 65536; i++)
		buf_addc(&big, 'x');
	os_release_init(&r);
	assert_int_equal(os_release_parse(big.data, big.len, &r), -EINVAL);
	buf_truncate(&big, 65535);
	assert_int_equal(os_release_parse(big.data, big.len, &r), 0);
	assert_int_equal(strlen(os_release_get(&r, OS_NAME)), 65530);
	/* A NUL byte is a control character, not the end of the text. */
	assert_int_equal(os_release_parse("ID=a\0b\n", 7, &r), -EINVAL);
	os_release_release(&r);
	buf_release(&big);
}

static void os_version(void **state)
{
	double v = -1;

	(void)state;
	assert_int_equal(os_version_parse("12", &v), 0);
	assert_true(v == 12);
	assert_int_equal(os_version_parse("22.04", &v), 0);
	assert_true(v == 22.04);
	assert_int_equal(os_version_parse("22.04.3", &v), 0);
	assert_true(v == 22.04);
	assert_int_equal(os_version_parse("12abc", &v), 0);
	assert_true(v == 12);
	assert_int_equal(os_version_parse("7.", &v), 0);
	assert_true(v == 7);
	/* Only the matched prefix: no exponent, no hex. */
	assert_int_equal(os_version_parse("1.5e3", &v), 0);
	assert_true(v == 1.5);
	assert_int_equal(os_version_parse("0x10", &v), 0);
	assert_true(v == 0);
	assert_int_equal(os_version_parse(".5", &v), 0);
	assert_true(v == 0);
	assert_int_equal(os_version_parse("", &v), 0);
	assert_true(v == 0);
	assert_int_equal(os_version_parse("rolling", &v), 0);
	assert_true(v == 0);

	char huge[400];
	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(os_version_parse(huge, &v), -ERANGE);
}

/* ---- os: collector -------------------------------------------------------- */

static void os_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&os_collector, PROC, SYS, ROOTFS, &out), 0);
	const char *t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_os_info A metric with a constant '1' value "
		    "labeled by build_id, id, id_like, image_id, image_version, "
		    "name, pretty_name, variant, variant_id, version, "
		    "version_codename, version_id.");
	test_assert_line(t, "# TYPE node_os_info gauge");
	test_assert_line(t, "node_os_info{build_id=\"20240101\",id=\"exbox\","
		    "id_like=\"debian ubuntu\",image_id=\"\",image_version=\"\","
		    "name=\"Exporterbox Linux\","
		    "pretty_name=\"Exporterbox Linux 22.04.3 LTS\","
		    "variant=\"Server\\\\Edition\",variant_id=\"server\","
		    "version=\"22.04.3 LTS (Jammy \\\"Fixture\\\")\","
		    "version_codename=\"jammy\",version_id=\"22.04\"} 1");
	test_assert_line(t, "# HELP node_os_version Metric containing the "
		    "major.minor part of the OS version.");
	test_assert_line(t, "# TYPE node_os_version gauge");
	test_assert_line(t, "node_os_version{id=\"exbox\",id_like=\"debian ubuntu\","
		    "name=\"Exporterbox Linux\"} 22.04");
	assert_int_equal(count(t, "\n"), 6);
	buf_release(&out);
}

static void os_collect_fallback(void **state)
{
	struct buf out = BUF_INIT;
	char *root = test_make_dir("test_node_misc");

	(void)state;
	test_write_file(root, "usr/lib/os-release",
			"NAME=\"Fallback Linux\"\nID=fallback\nVERSION_ID=9\n");
	assert_int_equal(run(&os_collector, PROC, SYS, root, &out), 0);
	test_assert_line(buf_cstr(&out),
		    "node_os_version{id=\"fallback\",id_like=\"\","
		    "name=\"Fallback Linux\"} 9");
	/* Without VERSION_ID there is no version gauge. */
	test_write_file(root, "etc/os-release", "NAME=Rolling\nID=r\n");
	assert_int_equal(run(&os_collector, PROC, SYS, root, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "node_os_info{"), 1);
	assert_int_equal(count(buf_cstr(&out), "node_os_version"), 0);
	assert_int_equal(count(buf_cstr(&out), "name=\"Rolling\""), 1);
	/* A broken etc/os-release fails: no fallback past a parse error. */
	test_write_file(root, "etc/os-release", "this is not os-release\n");
	assert_int_equal(run(&os_collector, PROC, SYS, root, &out), -EINVAL);
	buf_release(&out);
	test_remove_dir(root);
}

static void os_collect_missing(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&os_collector, PROC, SYS, MISSING, &out),
			 -ENODATA);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

/* ---- selinux ---------------------------------------------------------------- */

static void selinux_config(void **state)
{
	(void)state;
	assert_int_equal(selinux_config_mode("SELINUX=enforcing\n"),
			 SELINUX_ENFORCING);
	assert_int_equal(selinux_config_mode(
				 "# SELINUX=enforcing\n; c\n\n"
				 "SELINUXTYPE=targeted\n"
				 "SELINUX=\"permissive\"\n"),
			 SELINUX_PERMISSIVE);
	assert_int_equal(selinux_config_mode("  SELINUX=permissive \r\n"),
			 SELINUX_PERMISSIVE);
	/* The first SELINUX= line wins. */
	assert_int_equal(selinux_config_mode(
				 "SELINUX=enforcing\nSELINUX=permissive\n"),
			 SELINUX_ENFORCING);
	assert_int_equal(selinux_config_mode("SELINUX=disabled\n"),
			 SELINUX_DISABLED);
	assert_int_equal(selinux_config_mode("SELINUX=Enforcing\n"),
			 SELINUX_DISABLED);
	assert_int_equal(selinux_config_mode("SELINUX = enforcing\n"),
			 SELINUX_DISABLED);
	assert_int_equal(selinux_config_mode(""), SELINUX_DISABLED);
	assert_int_equal(selinux_config_mode("garbage"), SELINUX_DISABLED);
}

static void selinux_enforce(void **state)
{
	(void)state;
	assert_int_equal(selinux_parse_enforce("1"), 1);
	assert_int_equal(selinux_parse_enforce("0"), 0);
	assert_int_equal(selinux_parse_enforce("+1"), 1);
	/* Atoi takes the whole text: a newline is an error (-1). */
	assert_int_equal(selinux_parse_enforce("1\n"), -1);
	assert_int_equal(selinux_parse_enforce(""), -1);
	assert_int_equal(selinux_parse_enforce("-"), -1);
	assert_int_equal(selinux_parse_enforce(" 1"), -1);
	assert_int_equal(selinux_parse_enforce("enforcing"), -1);
	assert_int_equal(selinux_parse_enforce("99999999999999999999"), -1);
}

static void selinux_mounts(void **state)
{
	struct buf mnt = BUF_INIT;
	const char *text =
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"23 22 0:21 / /sys rw shared:2 - sysfs sysfs rw\n"
		"24 23 0:22 / /sys/fs/selinux rw shared:3 - selinuxfs selinuxfs rw\n"
		"short - selinuxfs \n"
		"25 22 0:23 / /mnt/sel\\040fs rw - selinuxfs none rw";
	const char *cur = text;

	(void)state;
	assert_true(selinux_next_mount(&cur, &mnt));
	assert_string_equal(buf_cstr(&mnt), "/sys/fs/selinux");
	/* The short line has no fifth field; octal escapes stay as written. */
	assert_true(selinux_next_mount(&cur, &mnt));
	assert_string_equal(buf_cstr(&mnt), "/mnt/sel\\040fs");
	assert_false(selinux_next_mount(&cur, &mnt));
	cur = "";
	assert_false(selinux_next_mount(&cur, &mnt));
	buf_release(&mnt);

	assert_true(selinux_fs_listed("nodev\tsysfs\nnodev\tselinuxfs\n"));
	assert_false(selinux_fs_listed("nodev\tsysfs\nnodev\tselinuxfs"));
	assert_false(selinux_fs_listed("nodev\tsysfs\n"));

	assert_true(selinux_label_is_kernel("kernel", 6));
	assert_true(selinux_label_is_kernel("kernel\0", 7));
	assert_false(selinux_label_is_kernel("kernel\n", 7));
	assert_false(selinux_label_is_kernel("system_u:system_r:init_t:s0\0",
					     28));
	assert_false(selinux_label_is_kernel("", 0));
}

static void selinux_output(void **state)
{
	struct buf out = BUF_INIT;
	struct expo w;
	struct selinux_status st = { true, SELINUX_ENFORCING, SELINUX_PERMISSIVE };

	(void)state;
	expo_init(&w, &out, EXPO_TEXT);
	selinux_write(&w, &st);
	expo_release(&w);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_selinux_config_mode Configured SELinux enforcement mode\n"
		"# TYPE node_selinux_config_mode gauge\n"
		"node_selinux_config_mode 1\n"
		"# HELP node_selinux_current_mode Current SELinux enforcement mode\n"
		"# TYPE node_selinux_current_mode gauge\n"
		"node_selinux_current_mode 0\n"
		"# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
		"# TYPE node_selinux_enabled gauge\n"
		"node_selinux_enabled 1\n");

	/* The fixture tree has no selinuxfs: only "enabled 0". */
	assert_int_equal(run(&selinux_collector, PROC, SYS, ROOTFS, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n"
		"# TYPE node_selinux_enabled gauge\n"
		"node_selinux_enabled 0\n");
	buf_release(&out);
}

/* ---- conntrack -------------------------------------------------------------- */

#define CT_HEADER "entries searched found new invalid ignore delete " \
	"delete_list insert insert_failed drop early_drop icmp_error " \
	"expect_new expect_create expect_delete search_restart\n"

static void conntrack_parse(void **state)
{
	struct conntrack_stats st;

	(void)state;
	assert_int_equal(conntrack_parse_stat(
		CT_HEADER
		"0000002a 00000000 00000010 00000000 00000003 000000ff 00000000 "
		"00000000 00000100 00000001 00000002 00000004 00000000 00000000 "
		"00000000 00000000 0000000a\n"
		"0000002a\t00000000 0000000F 00000000 00000001 00000001 00000000 "
		"00000000 00000001 00000000 00000003 00000000 00000000 00000000 "
		"00000000 00000000 00000014\r\n", &st), 0);
	assert_int_equal(st.found, 31);
	assert_int_equal(st.invalid, 4);
	assert_int_equal(st.ignore, 256);
	assert_int_equal(st.insert, 257);
	assert_int_equal(st.insert_failed, 1);
	assert_int_equal(st.drop, 5);
	assert_int_equal(st.early_drop, 4);
	assert_int_equal(st.search_restart, 30);

	/* Sums wrap as Go's uint64 does. */
	assert_int_equal(conntrack_parse_stat(
		"h\n"
		"0 0 ffffffffffffffff 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"0 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0", &st), 0);
	assert_int_equal(st.found, 1);

	/* No rows (or no text at all): zeros. */
	assert_int_equal(conntrack_parse_stat(CT_HEADER, &st), 0);
	assert_int_equal(st.found + st.search_restart, 0);
	assert_int_equal(conntrack_parse_stat("", &st), 0);
}

static void conntrack_parse_garbage(void **state)
{
	struct conntrack_stats st;
	const char *bad[] = {
		/* 16 fields: procfs 0.8 wants exactly 17 */
		"h\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"h\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"h\n0x1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"h\n-1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"h\ng 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"h\n10000000000000000 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* a blank line is a row without fields */
		"h\n\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (conntrack_parse_stat(bad[i], &st) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void conntrack_collect_fixture(void **state)
{
	struct buf out = BUF_INIT;
	static const char *const want[] = {
		"# HELP node_nf_conntrack_entries Number of currently allocated "
		"flow entries for connection tracking.",
		"# TYPE node_nf_conntrack_entries gauge",
		"node_nf_conntrack_entries 123",
		"# HELP node_nf_conntrack_entries_limit Maximum size of "
		"connection tracking table.",
		"node_nf_conntrack_entries_limit 65536",
		"# HELP node_nf_conntrack_stat_drop Number of packets dropped "
		"due to conntrack failure.",
		"node_nf_conntrack_stat_drop 5",
		"# HELP node_nf_conntrack_stat_early_drop Number of dropped "
		"conntrack entries to make room for new ones, if maximum table "
		"size was reached.",
		"node_nf_conntrack_stat_early_drop 4",
		"# HELP node_nf_conntrack_stat_found Number of searched entries "
		"which were successful.",
		"node_nf_conntrack_stat_found 31",
		"# HELP node_nf_conntrack_stat_ignore Number of packets seen "
		"which are already connected to a conntrack entry.",
		"node_nf_conntrack_stat_ignore 256",
		"# HELP node_nf_conntrack_stat_insert Number of entries inserted "
		"into the list.",
		"node_nf_conntrack_stat_insert 257",
		"# HELP node_nf_conntrack_stat_insert_failed Number of entries "
		"for which list insertion was attempted but failed.",
		"node_nf_conntrack_stat_insert_failed 1",
		"# HELP node_nf_conntrack_stat_invalid Number of packets seen "
		"which can not be tracked.",
		"node_nf_conntrack_stat_invalid 4",
		"# HELP node_nf_conntrack_stat_search_restart Number of conntrack "
		"table lookups which had to be restarted due to hashtable "
		"resizes.",
		"# TYPE node_nf_conntrack_stat_search_restart gauge",
		"node_nf_conntrack_stat_search_restart 30",
	};

	(void)state;
	assert_int_equal(run(&conntrack_collector, PROC, SYS, ROOTFS, &out), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		test_assert_line(buf_cstr(&out), want[i]);
	assert_int_equal(count(buf_cstr(&out), "# TYPE"), 10);
	assert_int_equal(count(buf_cstr(&out), " gauge\n"), 10);
	buf_release(&out);
}

static void conntrack_collect_missing(void **state)
{
	struct buf out = BUF_INIT;
	char *proc = test_make_dir("test_node_misc");

	(void)state;
	/* Module not loaded: no data, no output. */
	assert_int_equal(run(&conntrack_collector, MISSING, SYS, ROOTFS, &out),
			 -ENODATA);
	assert_int_equal(out.len, 0);
	/* Count and max but no stat file: a failure, and nothing written. */
	test_write_file(proc, "sys/net/netfilter/nf_conntrack_count", "1\n");
	test_write_file(proc, "sys/net/netfilter/nf_conntrack_max", "2\n");
	assert_int_equal(run(&conntrack_collector, proc, SYS, ROOTFS, &out),
			 -ENOENT);
	assert_int_equal(out.len, 0);
	/* A count that is not a number. */
	test_write_file(proc, "net/stat/nf_conntrack", CT_HEADER);
	test_write_file(proc, "sys/net/netfilter/nf_conntrack_count", "x\n");
	assert_int_equal(run(&conntrack_collector, proc, SYS, ROOTFS, &out),
			 -EINVAL);
	test_write_file(proc, "sys/net/netfilter/nf_conntrack_count", " 7 \n");
	assert_int_equal(run(&conntrack_collector, proc, SYS, ROOTFS, &out), 0);
	test_assert_line(buf_cstr(&out), "node_nf_conntrack_entries 7");
	test_assert_line(buf_cstr(&out), "node_nf_conntrack_stat_found 0");
	buf_release(&out);
	test_remove_dir(proc);
}

/* ---- timex ------------------------------------------------------------------ */

static void timex_units(void **state)
{
	struct timex t;
	double v[TIMEX_NMETRICS];

	(void)state;
	memset(&t, 0, sizeof(t));
	t.offset = -2500;
	t.freq = 655360;		/* 10 ppm */
	t.maxerror = 16000000;
	t.esterror = 1500;
	t.status = STA_PLL;
	t.constant = 7;
	t.tick = 10000;
	t.ppsfreq = -65536;		/* -1 ppm */
	t.jitter = 300;
	t.shift = 4;
	t.stabil = 131072;		/* 2 ppm */
	t.jitcnt = 1;
	t.calcnt = 2;
	t.errcnt = 3;
	t.stbcnt = 4;
	t.tai = 37;
	timex_convert(TIME_OK, &t, v);
	assert_true(v[TIMEX_OFFSET] == -2500 / 1e6);
	assert_true(v[TIMEX_FREQUENCY_ADJUSTMENT] == 1 + 10 / 1e6);
	assert_true(v[TIMEX_MAXERROR] == 16);
	assert_true(v[TIMEX_ESTIMATED_ERROR] == 0.0015);
	assert_true(v[TIMEX_STATUS] == STA_PLL);
	assert_true(v[TIMEX_LOOP_CONSTANT] == 7);
	assert_true(v[TIMEX_TICK] == 0.01);
	assert_true(v[TIMEX_PPS_FREQUENCY] == -1 / 1e6);
	assert_true(v[TIMEX_PPS_JITTER] == 300 / 1e6);
	assert_true(v[TIMEX_PPS_SHIFT] == 4);
	assert_true(v[TIMEX_PPS_STABILITY] == 2 / 1e6);
	assert_true(v[TIMEX_PPS_JITTER_TOTAL] == 1);
	assert_true(v[TIMEX_PPS_CALIBRATION] == 2);
	assert_true(v[TIMEX_PPS_ERROR] == 3);
	assert_true(v[TIMEX_PPS_STABILITY_EXCEEDED] == 4);
	assert_true(v[TIMEX_TAI_OFFSET] == 37);
	assert_true(v[TIMEX_SYNC_STATUS] == 1);

	/* STA_NANO: offset and jitter are nanoseconds; the rest is not. */
	t.status = STA_PLL | STA_NANO;
	timex_convert(TIME_ERROR, &t, v);
	assert_true(v[TIMEX_OFFSET] == -2500 / 1e9);
	assert_true(v[TIMEX_PPS_JITTER] == 300 / 1e9);
	assert_true(v[TIMEX_MAXERROR] == 16);
	assert_true(v[TIMEX_STATUS] == (STA_PLL | STA_NANO));
	assert_true(v[TIMEX_SYNC_STATUS] == 0);
	/* Only TIME_ERROR means unsynchronised. */
	timex_convert(TIME_WAIT, &t, v);
	assert_true(v[TIMEX_SYNC_STATUS] == 1);
}

static void timex_collect_host(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&timex_collector, PROC, SYS, ROOTFS, &out), 0);
	const char *t = buf_cstr(&out);
	assert_int_equal(count(t, "# TYPE node_timex_"), 17);
	assert_int_equal(count(t, " counter\n"), 4);
	test_assert_line(t, "# TYPE node_timex_pps_jitter_total counter");
	test_assert_line(t, "# HELP node_timex_sync_status Is clock synchronized "
		    "to a reliable server (1 = yes, 0 = no).");
	test_assert_line(t, "# HELP node_timex_offset_seconds Time offset in "
		    "between local system and reference clock.");
	test_assert_line(t, "# HELP node_timex_pps_stability_hertz Pulse per "
		    "second stability, average of recent frequency changes.");
	assert_true(strstr(t, "\nnode_timex_sync_status 0\n") ||
		    strstr(t, "\nnode_timex_sync_status 1\n"));
	/* Sorted as upstream prints them. */
	assert_true(strstr(t, "node_timex_estimated_error_seconds") <
		    strstr(t, "node_timex_tick_seconds"));
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(os_parse_good),
		cmocka_unit_test(os_parse_quoting),
		cmocka_unit_test(os_parse_lines),
		cmocka_unit_test(os_parse_garbage),
		cmocka_unit_test(os_version),
		cmocka_unit_test(os_collect_fixture),
		cmocka_unit_test(os_collect_fallback),
		cmocka_unit_test(os_collect_missing),
		cmocka_unit_test(selinux_config),
		cmocka_unit_test(selinux_enforce),
		cmocka_unit_test(selinux_mounts),
		cmocka_unit_test(selinux_output),
		cmocka_unit_test(conntrack_parse),
		cmocka_unit_test(conntrack_parse_garbage),
		cmocka_unit_test(conntrack_collect_fixture),
		cmocka_unit_test(conntrack_collect_missing),
		cmocka_unit_test(timex_units),
		cmocka_unit_test(timex_collect_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
