/*
 * Tests of the network collectors (netdev, netclass, arp): their pure
 * parsers on good, odd and garbage text, and each collector's output over
 * the fixture tree tests/fixtures/node (proc/net/dev, proc/net/arp,
 * sys/class/net/{lo,eth0,br0,we"ird\dev}).
 *
 * The expected lines were checked against Debian's node_exporter 1.5.0
 * run with --path.procfs/--path.sysfs on the same fixtures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "netdev_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"
#define MISSING FIXTURES_DIR "/node/does-not-exist"

#define HDR "Inter-|   Receive |  Transmit\n face |bytes packets ...\n"
#define ARP_HDR "IP address       HW type     Flags       HW address" \
	"            Mask     Device\n"

/* ---- helpers ------------------------------------------------------------- */

static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .rootfs = "/",
				   .netclass_ignored_devices = "^$" };

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

/* ---- netdev_parse ---------------------------------------------------------- */

static void test_netdev_parse_good(void **state)
{
	struct netdev_stats s = NETDEV_STATS_INIT;

	(void)state;
	assert_int_equal(netdev_parse(HDR
		"  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n"
		"  br-x:18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		&s), 0);
	assert_int_equal(s.n, 3);
	/* Sorted bytewise by name. */
	assert_string_equal(netdev_name(&s, 0), "br-x");
	assert_string_equal(netdev_name(&s, 1), "eth0");
	assert_string_equal(netdev_name(&s, 2), "lo");
	assert_true(s.v[0].v[NETDEV_RX_BYTES] == UINT64_MAX);
	for (int i = 0; i < NETDEV_NFIELDS; i++)
		assert_int_equal(s.v[1].v[i], i + 1);
	assert_int_equal(s.v[2].v[NETDEV_TX_BYTES], 100);
	netdev_stats_release(&s);
}

static void test_netdev_parse_odd(void **state)
{
	struct netdev_stats s = NETDEV_STATS_INIT;

	(void)state;
	/* Headers only, or nothing at all: no devices, no error. */
	assert_int_equal(netdev_parse(HDR, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(netdev_parse("", &s), 0);
	assert_int_equal(s.n, 0);
	netdev_stats_release(&s);

	/*
	 * The name is everything before the last colon, trimmed; extra
	 * numbers are ignored; a device seen twice keeps its last line;
	 * CRLF and a missing final newline are fine.
	 */
	assert_int_equal(netdev_parse(HDR
		"a:b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\n"
		"\t we\"ird\\dev :0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"a:b: 9 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
		&s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(netdev_name(&s, 0), "a:b");
	assert_int_equal(s.v[0].v[NETDEV_RX_BYTES], 9);
	assert_int_equal(s.v[0].v[NETDEV_TX_COMPRESSED], 16);
	assert_string_equal(netdev_name(&s, 1), "we\"ird\\dev");
	netdev_stats_release(&s);
}

static void test_netdev_parse_garbage(void **state)
{
	static const char *const bad[] = {
		HDR "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",	/* no colon */
		HDR "   : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",	/* no name */
		HDR "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",	/* 15 numbers */
		HDR "eth0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
		HDR "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n",
		HDR "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1.5\n",
		HDR "eth0: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
		HDR "\n",					/* blank line */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct netdev_stats s = NETDEV_STATS_INIT;
		assert_int_equal(netdev_parse(bad[i], &s), -EINVAL);
		netdev_stats_release(&s);
	}
}

/* ---- arp_parse -------------------------------------------------------------- */

static void test_arp_parse_good(void **state)
{
	struct arp_counts c = ARP_COUNTS_INIT;

	(void)state;
	assert_int_equal(arp_parse(ARP_HDR
		"192.0.2.1   0x1  0x2  02:fc:00:00:00:05  *  eth0\n"
		"10.0.0.1    0x1  0x0  00:00:00:00:00:00  *  br0\n"
		"192.0.2.2   0x1  0x2  02:fc:00:00:00:06  *  eth0\n", &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(arp_device(&c, 0), "br0");
	assert_int_equal(c.v[0].entries, 1);
	assert_string_equal(arp_device(&c, 1), "eth0");
	assert_int_equal(c.v[1].entries, 2);
	arp_counts_release(&c);
}

static void test_arp_parse_odd(void **state)
{
	struct arp_counts c = ARP_COUNTS_INIT;

	(void)state;
	/* Header only; empty file. */
	assert_int_equal(arp_parse(ARP_HDR, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(arp_parse("", &c), 0);
	assert_int_equal(c.n, 0);
	/* The device is the last word, however many there are; CRLF is a blank. */
	assert_int_equal(arp_parse(
		"192.0.2.1 0x1 0x2 02:fc:00:00:00:05 * extra we\"ird\\dev \r\n"
		"192.0.2.9 0x1 0x2 02:fc:00:00:00:09 * we\"ird\\dev", &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(arp_device(&c, 0), "we\"ird\\dev");
	assert_int_equal(c.v[0].entries, 2);
	arp_counts_release(&c);
}

static void test_arp_parse_garbage(void **state)
{
	static const char *const bad[] = {
		ARP_HDR "192.0.2.1 0x1 0x2 02:fc:00:00:00:05 eth0\n",	/* 5 words */
		ARP_HDR "\n",						/* blank line */
		"IP address\n",						/* short header */
		"garbage\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct arp_counts c = ARP_COUNTS_INIT;
		assert_int_equal(arp_parse(bad[i], &c), -EINVAL);
		arp_counts_release(&c);
	}
}

/* ---- netclass_parse_int, netclass_trim --------------------------------------- */

static void test_netclass_parse_int_good(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} good[] = {
		{ "1500\n", 1500 }, { "0x1003\n", 4099 }, { "0x0", 0 },
		{ "-1\n", -1 }, { "+5", 5 }, { "0", 0 }, { "010", 8 },
		{ "0o17", 15 }, { "0b101", 5 }, { "0XfF", 255 },
		{ "1_000", 1000 }, { "0x_1f", 31 }, { "0_7", 7 },
		{ " \t 12 \n", 12 },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t v = 42;
		assert_int_equal(netclass_parse_int(good[i].text, &v), 0);
		assert_true(v == good[i].want);
	}
}

static void test_netclass_parse_int_garbage(void **state)
{
	static const char *const bad[] = {
		"", "\n", "-", "+", "abc", "1 2", "08", "0x", "0b2", "1.5",
		"_1", "1_", "1__0", "0x_", "--1", "0xg", "12a",
	};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(netclass_parse_int(bad[i], &v), -EINVAL);
	assert_int_equal(netclass_parse_int("9223372036854775808", &v), -ERANGE);
	assert_int_equal(netclass_parse_int("-9223372036854775809", &v), -ERANGE);
	assert_int_equal(netclass_parse_int("99999999999999999999", &v), -ERANGE);
}

static void test_netclass_trim(void **state)
{
	/* ASCII blanks, NBSP (c2 a0) and an ideographic space (e3 80 80). */
	const char *text = " \t\xc2\xa0wan \xe2\x80\x93 \xc3\xbc \xe3\x80\x80\n";
	const char *s;
	size_t n;

	(void)state;
	n = netclass_trim(text, strlen(text), &s);
	assert_int_equal(n, strlen("wan \xe2\x80\x93 \xc3\xbc"));
	assert_memory_equal(s, "wan \xe2\x80\x93 \xc3\xbc", n);
	assert_int_equal(netclass_trim(" \n\t", 3, &s), 0);
	assert_int_equal(netclass_trim("", 0, &s), 0);
	/* A cut-off sequence is not a space. */
	n = netclass_trim("x\xe2\x80", 3, &s);
	assert_int_equal(n, 3);
}

/* ---- netdev_addr_scope, netdev_mask_bits ------------------------------------ */

static const char *scope_of(const char *text)
{
	unsigned char a[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, text, a), 1);
	return netdev_addr_scope(family, a);
}

static void test_netdev_addr_scope(void **state)
{
	(void)state;
	assert_string_equal(scope_of("127.0.0.1"), "link-local");
	assert_string_equal(scope_of("169.254.3.4"), "link-local");
	assert_string_equal(scope_of("224.0.0.251"), "link-local");
	assert_string_equal(scope_of("224.0.1.1"), "global");
	assert_string_equal(scope_of("192.0.2.2"), "global");
	assert_string_equal(scope_of("0.0.0.0"), "undefined");
	assert_string_equal(scope_of("255.255.255.255"), "undefined");
	assert_string_equal(scope_of("::1"), "link-local");
	assert_string_equal(scope_of("fe80::fc:ff:fe00:1"), "link-local");
	assert_string_equal(scope_of("febf::1"), "link-local");
	assert_string_equal(scope_of("fec0::1"), "global");
	assert_string_equal(scope_of("ff01::1"), "interface-local");
	assert_string_equal(scope_of("ff02::fb"), "link-local");
	assert_string_equal(scope_of("ff05::2"), "global");
	assert_string_equal(scope_of("fd00::2"), "global");
	assert_string_equal(scope_of("::"), "undefined");
	/* IPv4-mapped addresses are IPv4 to Go. */
	assert_string_equal(scope_of("::ffff:127.0.0.1"), "link-local");
	assert_string_equal(scope_of("::ffff:10.1.2.3"), "global");
}

static void test_netdev_mask_bits(void **state)
{
	static const unsigned char m24[4] = { 255, 255, 255, 0 };
	static const unsigned char m0[4] = { 0 };
	static const unsigned char m32[4] = { 255, 255, 255, 255 };
	static const unsigned char m20[4] = { 255, 255, 240, 0 };
	static const unsigned char hole[4] = { 255, 0, 255, 0 };
	static const unsigned char odd[4] = { 255, 255, 0xf8 | 0x01, 0 };
	static const unsigned char m64[16] = { 255, 255, 255, 255,
					       255, 255, 255, 255 };

	(void)state;
	assert_int_equal(netdev_mask_bits(m24, 4), 24);
	assert_int_equal(netdev_mask_bits(m0, 4), 0);
	assert_int_equal(netdev_mask_bits(m32, 4), 32);
	assert_int_equal(netdev_mask_bits(m20, 4), 20);
	assert_int_equal(netdev_mask_bits(hole, 4), 0);
	assert_int_equal(netdev_mask_bits(odd, 4), 0);
	assert_int_equal(netdev_mask_bits(m64, 16), 64);
}

/* ---- netdev collector --------------------------------------------------------- */

static void test_netdev_collect(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&netdev_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_network_receive_bytes_total Network device statistic receive_bytes.");
	test_assert_line(t, "# TYPE node_network_receive_bytes_total counter");
	test_assert_line(t, "node_network_receive_bytes_total{device=\"br0\"} 1024");
	test_assert_line(t, "node_network_receive_bytes_total{device=\"eth0\"} 18446744073709551616");
	test_assert_line(t, "node_network_receive_bytes_total{device=\"lo\"} 552658746");
	test_assert_line(t, "node_network_receive_bytes_total{device=\"we\\\"ird\\\\dev\"} 7");
	/* Every column of eth0 under its 1.5 name. */
	test_assert_line(t, "node_network_receive_packets_total{device=\"eth0\"} 1299");
	test_assert_line(t, "node_network_receive_errs_total{device=\"eth0\"} 1");
	test_assert_line(t, "node_network_receive_drop_total{device=\"eth0\"} 2");
	test_assert_line(t, "node_network_receive_fifo_total{device=\"eth0\"} 3");
	test_assert_line(t, "node_network_receive_frame_total{device=\"eth0\"} 4");
	test_assert_line(t, "node_network_receive_compressed_total{device=\"eth0\"} 5");
	test_assert_line(t, "node_network_receive_multicast_total{device=\"eth0\"} 6");
	test_assert_line(t, "node_network_transmit_bytes_total{device=\"eth0\"} 53840");
	test_assert_line(t, "node_network_transmit_packets_total{device=\"eth0\"} 655");
	test_assert_line(t, "node_network_transmit_errs_total{device=\"eth0\"} 7");
	test_assert_line(t, "node_network_transmit_drop_total{device=\"eth0\"} 8");
	test_assert_line(t, "node_network_transmit_fifo_total{device=\"eth0\"} 9");
	test_assert_line(t, "node_network_transmit_colls_total{device=\"eth0\"} 10");
	test_assert_line(t, "node_network_transmit_carrier_total{device=\"eth0\"} 11");
	test_assert_line(t, "node_network_transmit_compressed_total{device=\"eth0\"} 12");
	/* rx_nohandler from sysfs; 0 where the file is missing. */
	test_assert_line(t, "node_network_receive_nohandler_total{device=\"eth0\"} 3");
	test_assert_line(t, "node_network_receive_nohandler_total{device=\"br0\"} 0");
	assert_int_equal(count(t, "# TYPE "), 17);
	assert_int_equal(count(t, "\nnode_network_"), 17 * 4);
	/* Families in name order, devices in name order. */
	assert_before(t, "node_network_receive_nohandler_total{",
		      "node_network_receive_packets_total{");
	assert_before(t, "node_network_transmit_bytes_total{device=\"br0\"}",
		      "node_network_transmit_bytes_total{device=\"eth0\"}");
	buf_release(&out);
}

static void test_netdev_filters(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS };
	struct buf out = BUF_INIT;

	(void)state;
	cfg.netdev_device_exclude = "^(lo|br.*)$";
	assert_int_equal(test_run_collector(&netdev_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "device=\"lo\""), 0);
	assert_int_equal(count(buf_cstr(&out), "device=\"br0\""), 0);
	assert_int_equal(count(buf_cstr(&out), "device=\"eth0\""), 17);

	cfg.netdev_device_exclude = "";
	cfg.netdev_device_include = "^lo$";
	assert_int_equal(test_run_collector(&netdev_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "device=\"lo\""), 17);
	assert_int_equal(count(buf_cstr(&out), "device="), 17);

	/* Nothing left: no families at all, as upstream. */
	cfg.netdev_device_include = "^nothing$";
	assert_int_equal(test_run_collector(&netdev_collector, &cfg, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_netdev_detailed(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .netdev_detailed = true };
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(test_run_collector(&netdev_collector, &cfg, &out), 0);
	t = buf_cstr(&out);
	/* Upstream's netlink names, from statistics/ (0 where absent). */
	assert_int_equal(count(t, "# TYPE "), 24);
	test_assert_line(t, "node_network_receive_nohandler_total{device=\"eth0\"} 3");
	test_assert_line(t, "node_network_receive_errors_total{device=\"eth0\"} 0");
	test_assert_line(t, "# TYPE node_network_transmit_window_errors_total counter");
	assert_int_equal(count(t, "receive_errs_total"), 0);
	buf_release(&out);
}

/* True when this host has any IPv4 or IPv6 address (lo usually does). */
static bool host_has_addresses(void)
{
	struct ifaddrs *list;
	bool any = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (struct ifaddrs *i = list; i; i = i->ifa_next)
		if (i->ifa_addr && (i->ifa_addr->sa_family == AF_INET ||
				    i->ifa_addr->sa_family == AF_INET6))
			any = true;
	freeifaddrs(list);
	return any;
}

/* The host's own addresses (upstream reads them from the kernel too). */
static void test_netdev_address_info(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .netdev_address_info = true,
				   .netdev_device_include = "^nothing$" };
	static const char head[] =
		"# HELP node_network_address_info node network address by device\n"
		"# TYPE node_network_address_info gauge\n"
		"node_network_address_info{address=\"";
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(test_run_collector(&netdev_collector, &cfg, &out), 0);
	t = buf_cstr(&out);
	if (!host_has_addresses()) {
		assert_int_equal(out.len, 0);
		buf_release(&out);
		skip();
	}
	/* Not filtered by the device flags, and alone here. */
	assert_true(strncmp(t, head, strlen(head)) == 0);
	assert_int_equal(count(t, "# TYPE"), 1);
	if (strstr(t, "address=\"127.0.0.1\""))
		test_assert_line(t, "node_network_address_info{address=\"127.0.0.1\",device=\"lo\",netmask=\"8\",scope=\"link-local\"} 1");
	buf_release(&out);
}

static void test_netdev_missing(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&netdev_collector, MISSING, SYS, &out), -ENOENT);
	buf_release(&out);
}

static void test_netdev_bad_init(void **state)
{
	struct node_config cfg = { .netdev_device_include = "(" };
	void *st = NULL;

	(void)state;
	assert_int_equal(netdev_collector.init(&cfg, &st), -EINVAL);
	assert_null(st);
}

/* ---- arp collector ------------------------------------------------------------ */

static void test_arp_collect(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&arp_collector, PROC, SYS, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_arp_entries ARP entries by device\n"
		"# TYPE node_arp_entries gauge\n"
		"node_arp_entries{device=\"br0\"} 1\n"
		"node_arp_entries{device=\"eth0\"} 2\n"
		"node_arp_entries{device=\"we\\\"ird\\\\dev\"} 1\n");
	buf_release(&out);
}

static void test_arp_filters(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .arp_device_exclude = "eth" };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(test_run_collector(&arp_collector, &cfg, &out), 0);
	assert_int_equal(count(buf_cstr(&out), "eth0"), 0);
	test_assert_line(buf_cstr(&out), "node_arp_entries{device=\"br0\"} 1");

	cfg.arp_device_exclude = NULL;
	cfg.arp_device_include = "^eth";
	assert_int_equal(test_run_collector(&arp_collector, &cfg, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_arp_entries ARP entries by device\n"
		"# TYPE node_arp_entries gauge\n"
		"node_arp_entries{device=\"eth0\"} 2\n");
	buf_release(&out);
}

static void test_arp_broken(void **state)
{
	char *dir = test_make_dir("arp");
	struct buf out = BUF_INIT;

	(void)state;
	test_write_file(dir, "net/arp", ARP_HDR "192.0.2.1 0x1 0x2 eth0\n");
	assert_int_equal(run(&arp_collector, dir, SYS, &out), -EINVAL);
	assert_int_equal(run(&arp_collector, MISSING, SYS, &out), -ENOENT);
	buf_release(&out);
	test_remove_dir(dir);
}

/* ---- netclass collector ------------------------------------------------------- */

static void test_netclass_collect(void **state)
{
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(run(&netclass_collector, PROC, SYS, &out), 0);
	t = buf_cstr(&out);
	test_assert_line(t, "# HELP node_network_info Non-numeric data from /sys/class/net/<iface>, value is always 1.");
	test_assert_line(t, "# TYPE node_network_info gauge");
	test_assert_line(t, "node_network_info{address=\"00:00:00:00:00:00\",broadcast=\"00:00:00:00:00:00\",device=\"lo\",duplex=\"\",ifalias=\"\",operstate=\"unknown\"} 1");
	test_assert_line(t, "node_network_info{address=\"02:fc:00:00:00:01\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"eth0\",duplex=\"full\",ifalias=\"uplink\",operstate=\"up\"} 1");
	test_assert_line(t, "node_network_info{address=\"02:fc:00:00:00:09\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"we\\\"ird\\\\dev\",duplex=\"half\",ifalias=\"wan \xe2\x80\x93 \xc3\xbc\",operstate=\"dormant\"} 1");
	test_assert_line(t, "node_network_info{address=\"9a:3e:11:00:00:02\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"br0\",duplex=\"\",ifalias=\"\",operstate=\"down\"} 1");
	/* info sorts by its label values: address first. */
	assert_before(t, "device=\"lo\",duplex", "device=\"eth0\",duplex");
	assert_before(t, "device=\"eth0\",duplex", "device=\"br0\",duplex");

	test_assert_line(t, "# HELP node_network_up Value is 1 if operstate is 'up', 0 otherwise.");
	test_assert_line(t, "node_network_up{device=\"eth0\"} 1");
	test_assert_line(t, "node_network_up{device=\"br0\"} 0");
	test_assert_line(t, "node_network_up{device=\"we\\\"ird\\\\dev\"} 0");

	test_assert_line(t, "# HELP node_network_flags Network device property: flags");
	test_assert_line(t, "# TYPE node_network_flags gauge");
	test_assert_line(t, "node_network_flags{device=\"eth0\"} 4099");
	test_assert_line(t, "node_network_mtu_bytes{device=\"we\\\"ird\\\\dev\"} 1500");
	test_assert_line(t, "node_network_mtu_bytes{device=\"lo\"} 65536");
	test_assert_line(t, "# TYPE node_network_carrier_changes_total counter");
	test_assert_line(t, "node_network_carrier_changes_total{device=\"eth0\"} 2");
	test_assert_line(t, "node_network_carrier_up_changes_total{device=\"eth0\"} 1");
	test_assert_line(t, "node_network_carrier_down_changes_total{device=\"br0\"} 1");
	test_assert_line(t, "node_network_address_assign_type{device=\"br0\"} 3");
	test_assert_line(t, "node_network_device_id{device=\"eth0\"} 0");
	test_assert_line(t, "node_network_dormant{device=\"we\\\"ird\\\\dev\"} 1");
	test_assert_line(t, "node_network_iface_id{device=\"eth0\"} 2");
	test_assert_line(t, "node_network_iface_link{device=\"we\\\"ird\\\\dev\"} 5");
	test_assert_line(t, "node_network_iface_link_mode{device=\"lo\"} 0");
	test_assert_line(t, "node_network_name_assign_type{device=\"eth0\"} 4");
	test_assert_line(t, "node_network_net_dev_group{device=\"eth0\"} 0");
	test_assert_line(t, "node_network_protocol_type{device=\"lo\"} 772");
	test_assert_line(t, "node_network_transmit_queue_length{device=\"br0\"} 0");
	/* Speed: Mbit/s * 125000; the kernel's -1 kept by default. */
	test_assert_line(t, "node_network_speed_bytes{device=\"eth0\"} 125000000");
	test_assert_line(t, "node_network_speed_bytes{device=\"br0\"} -125000");
	test_assert_line(t, "node_network_speed_bytes{device=\"we\\\"ird\\\\dev\"} 1250000");

	/* Attributes a device cannot give are left out, the rest kept. */
	assert_int_equal(count(t, "node_network_carrier{device=\"br0\"}"), 0);
	assert_int_equal(count(t, "node_network_speed_bytes{device=\"lo\"}"), 0);
	assert_int_equal(count(t, "node_network_carrier{"), 2);
	/* bonding_masters is a file, not a device; br0/bridge is not read. */
	assert_int_equal(count(t, "bonding_masters"), 0);
	assert_int_equal(count(t, "node_network_up{"), 4);
	assert_int_equal(count(t, "# TYPE "), 19);
	/* Families in name order: info between iface_link_mode and mtu. */
	assert_before(t, "# TYPE node_network_iface_link_mode ",
		      "# TYPE node_network_info ");
	assert_before(t, "# TYPE node_network_info ",
		      "# TYPE node_network_mtu_bytes ");
	assert_before(t, "# TYPE node_network_speed_bytes ",
		      "# TYPE node_network_transmit_queue_length ");
	assert_before(t, "# TYPE node_network_transmit_queue_length ",
		      "# TYPE node_network_up ");
	buf_release(&out);
}

static void test_netclass_options(void **state)
{
	struct node_config cfg = { .procfs = PROC, .sysfs = SYS,
				   .netclass_ignored_devices = "^(lo|eth0)$",
				   .netclass_ignore_invalid_speed = true };
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_int_equal(test_run_collector(&netclass_collector, &cfg, &out), 0);
	t = buf_cstr(&out);
	assert_int_equal(count(t, "device=\"lo\""), 0);
	assert_int_equal(count(t, "device=\"eth0\""), 0);
	assert_int_equal(count(t, "node_network_speed_bytes{device=\"br0\"}"), 0);
	test_assert_line(t, "node_network_speed_bytes{device=\"we\\\"ird\\\\dev\"} 1250000");
	test_assert_line(t, "node_network_up{device=\"br0\"} 0");
	buf_release(&out);
}

/* A number that does not parse fails the collector, as upstream. */
static void test_netclass_broken(void **state)
{
	char *dir = test_make_dir("netclass");
	struct buf out = BUF_INIT;

	(void)state;
	test_write_file(dir, "class/net/eth9/mtu", "1500\n");
	test_write_file(dir, "class/net/eth9/operstate", "up\n");
	assert_int_equal(run(&netclass_collector, PROC, dir, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_network_info Non-numeric data from /sys/class/net/<iface>, value is always 1.\n"
		"# TYPE node_network_info gauge\n"
		"node_network_info{address=\"\",broadcast=\"\",device=\"eth9\",duplex=\"\",ifalias=\"\",operstate=\"up\"} 1\n"
		"# HELP node_network_mtu_bytes Network device property: mtu_bytes\n"
		"# TYPE node_network_mtu_bytes gauge\n"
		"node_network_mtu_bytes{device=\"eth9\"} 1500\n"
		"# HELP node_network_up Value is 1 if operstate is 'up', 0 otherwise.\n"
		"# TYPE node_network_up gauge\n"
		"node_network_up{device=\"eth9\"} 1\n");

	test_write_file(dir, "class/net/eth9/addr_len", "six\n");
	assert_int_equal(run(&netclass_collector, PROC, dir, &out), -EINVAL);
	assert_int_equal(run(&netclass_collector, PROC, MISSING, &out), -ENOENT);
	buf_release(&out);
	test_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netdev_parse_good),
		cmocka_unit_test(test_netdev_parse_odd),
		cmocka_unit_test(test_netdev_parse_garbage),
		cmocka_unit_test(test_arp_parse_good),
		cmocka_unit_test(test_arp_parse_odd),
		cmocka_unit_test(test_arp_parse_garbage),
		cmocka_unit_test(test_netclass_parse_int_good),
		cmocka_unit_test(test_netclass_parse_int_garbage),
		cmocka_unit_test(test_netclass_trim),
		cmocka_unit_test(test_netdev_addr_scope),
		cmocka_unit_test(test_netdev_mask_bits),
		cmocka_unit_test(test_netdev_collect),
		cmocka_unit_test(test_netdev_filters),
		cmocka_unit_test(test_netdev_detailed),
		cmocka_unit_test(test_netdev_address_info),
		cmocka_unit_test(test_netdev_missing),
		cmocka_unit_test(test_netdev_bad_init),
		cmocka_unit_test(test_arp_collect),
		cmocka_unit_test(test_arp_filters),
		cmocka_unit_test(test_arp_broken),
		cmocka_unit_test(test_netclass_collect),
		cmocka_unit_test(test_netclass_options),
		cmocka_unit_test(test_netclass_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
