/*
 * Tests of the network protocol collectors (netstat, sockstat, softnet,
 * udp_queues): their pure parsers on good, odd and garbage text, and each
 * collector's whole output over tests/fixtures/node/proc/net, whose values
 * the expected lines below are worked out from by hand (and were checked
 * against node_exporter 1.5 run on the same tree).
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
#include <unistd.h>

#include "expo.h"
#include "net_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"

/* ---- helpers ------------------------------------------------------------- */

/* Runs one collect() over procfs into out; returns its result. */
static int run(const struct collector *c, const char *procfs,
	       const char *netstat_fields, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = "/sys",
				   .rootfs = "/",
				   .netstat_fields = netstat_fields };

	return test_run_collector(c, &cfg, out);
}

/* Parses netstat, snmp and snmp6 texts (NULL: skipped) and sorts. */
static int netstat_all(const char *netstat, const char *snmp,
		       const char *snmp6, struct netstat *st)
{
	int err = 0;

	if (netstat)
		err = netstat_parse(netstat, st);
	if (!err && snmp)
		err = netstat_parse(snmp, st);
	if (!err && snmp6)
		err = netstat_parse_snmp6(snmp6, st);
	if (!err)
		netstat_finish(st);
	return err;
}

/* The index of key in st, failing the test when it is not there. */
static size_t netstat_find(const struct netstat *st, const char *key)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(netstat_key(st, i), key) == 0)
			return i;
	fail_msg("key not found: %s", key);
	return 0;
}

/* ---- Go number rules ------------------------------------------------------ */

static bool go_uint(const char *s, int base, unsigned bits, uint64_t *v)
{
	return go_parse_uint(s, strlen(s), base, bits, v);
}

static void test_go_numbers(void **state)
{
	uint64_t u;
	int64_t i;

	(void)state;
	assert_true(go_uint("18446744073709551615", 10, 64, &u));
	assert_true(u == UINT64_MAX);
	assert_false(go_uint("18446744073709551616", 10, 64, &u));
	assert_true(go_uint("ffffffff", 16, 32, &u));
	assert_true(u == 0xffffffffu);
	assert_false(go_uint("100000000", 16, 32, &u));
	assert_false(go_uint("0x10", 16, 64, &u));	/* no prefix with a base */
	assert_true(go_uint("0x10", 0, 64, &u));
	assert_int_equal(u, 16);
	assert_true(go_uint("010", 0, 64, &u));
	assert_int_equal(u, 8);
	assert_true(go_uint("0b101", 0, 64, &u));
	assert_int_equal(u, 5);
	assert_true(go_uint("1_000", 0, 64, &u));
	assert_int_equal(u, 1000);
	assert_false(go_uint("1__0", 0, 64, &u));
	assert_false(go_uint("_1", 0, 64, &u));
	assert_false(go_uint("1_", 0, 64, &u));
	assert_false(go_uint("1_0", 10, 64, &u));
	assert_false(go_uint("", 0, 64, &u));
	assert_false(go_uint("0x", 0, 64, &u));
	assert_false(go_uint("-1", 0, 64, &u));
	assert_true(go_uint("0", 0, 64, &u));
	assert_int_equal(u, 0);

	assert_true(go_parse_int("-9223372036854775808", 20, 0, &i));
	assert_true(i == INT64_MIN);
	assert_false(go_parse_int("9223372036854775808", 19, 0, &i));
	assert_true(go_parse_int("+12", 3, 0, &i));
	assert_int_equal(i, 12);
	assert_false(go_parse_int("-", 1, 0, &i));
}

/* ---- netstat parser ------------------------------------------------------- */

static void test_netstat_parse_good(void **state)
{
	struct netstat st = NETSTAT_INIT;
	size_t i;

	(void)state;
	assert_int_equal(netstat_all(
		"TcpExt: SyncookiesSent ListenDrops\nTcpExt: 1 2\n"
		"IpExt: InOctets OutOctets\nIpExt: 6286396970 18446744073709551615\n",
		"Ip: Forwarding DefaultTTL\nIp: 1 64\n"
		"Tcp: MaxConn CurrEstab\nTcp: -1 3\n",
		"Ip6InOctets     \t718\nIcmp6InMsgs\t12\n", &st), 0);
	assert_int_equal(st.n, 10);
	/* Sorted bytewise, as the registry sorts: '6' < 'E' < '_'. */
	assert_string_equal(netstat_key(&st, 0), "Icmp6_InMsgs");
	assert_string_equal(netstat_key(&st, 1), "Ip6_InOctets");
	assert_string_equal(netstat_key(&st, 2), "IpExt_InOctets");
	assert_string_equal(netstat_key(&st, 9), "Tcp_MaxConn");
	i = netstat_find(&st, "IpExt_OutOctets");
	assert_true(st.v[i].valid);
	assert_true(st.v[i].value == 18446744073709551615.0);
	assert_int_equal(st.v[i].proto_len, 5);
	i = netstat_find(&st, "Tcp_MaxConn");
	assert_true(st.v[i].value == -1.0);
	i = netstat_find(&st, "Ip6_InOctets");
	assert_true(st.v[i].value == 718.0);
	assert_int_equal(st.v[i].proto_len, 3);
	netstat_release(&st);
}

static void test_netstat_parse_odd(void **state)
{
	struct netstat st = NETSTAT_INIT;
	size_t i;

	(void)state;
	/* A protocol in a later file (or later in one) replaces the earlier
	 * one whole; a field repeated in one line keeps its last value. */
	assert_int_equal(netstat_all(
		"Ip: A B\nIp: 1 2\nTcp: X X\nTcp: 5 6\n",
		"Ip: C\nIp: 3\nUdp: Q\nUdp: 7\nUdp: R\nUdp: 8\n",
		"Udp6InDatagrams 4\nIp6X 1\nbogus\nNoSix 9\nIp6X 2\n"
		"Udp6Y junk\n", &st), 0);
	assert_int_equal(st.n, 6);
	assert_string_equal(netstat_key(&st, 0), "Ip6_X");
	assert_true(st.v[0].value == 2.0);
	assert_string_equal(netstat_key(&st, 1), "Ip_C");
	assert_string_equal(netstat_key(&st, 2), "Tcp_X");
	assert_true(st.v[2].value == 6.0);
	assert_string_equal(netstat_key(&st, 3), "Udp6_InDatagrams");
	assert_string_equal(netstat_key(&st, 4), "Udp6_Y");
	assert_false(st.v[4].valid);	/* kept: the collector fails on it */
	assert_string_equal(netstat_key(&st, 5), "Udp_R");
	netstat_release(&st);

	/* snmp6 replaces a protocol an earlier file had. */
	st = (struct netstat)NETSTAT_INIT;
	assert_int_equal(netstat_all("Icmp6: A B\nIcmp6: 1 2\n", NULL,
				     "Icmp6InMsgs 3\n", &st), 0);
	assert_int_equal(st.n, 1);
	i = netstat_find(&st, "Icmp6_InMsgs");
	assert_true(st.v[i].value == 3.0);
	netstat_release(&st);

	/* A bad value replaced later never counts; a header alone is fine;
	 * CRLF ends lines as it does for Go's scanner. */
	st = (struct netstat)NETSTAT_INIT;
	assert_int_equal(netstat_all("Ip: A\r\nIp: x\r\nIp: A\nIp: 1\nTcp:",
				     NULL, NULL, &st), 0);
	assert_int_equal(st.n, 1);
	assert_true(st.v[0].valid);
	netstat_release(&st);

	/* Empty text: nothing, no error. */
	st = (struct netstat)NETSTAT_INIT;
	assert_int_equal(netstat_all("", NULL, "", &st), 0);
	assert_int_equal(st.n, 0);
	netstat_release(&st);
}

static void test_netstat_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"Ip: A B\nIp: 1\n",		/* count mismatch */
		"Ip: A B\n",			/* no value line */
		"Ip: A\nIp: 1\n\n",		/* empty header line */
		"Ip: A  B\nIp: 1 2\n",		/* split on single spaces */
	};
	struct netstat st = NETSTAT_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(netstat_parse(bad[i], &st), -EINVAL);
		netstat_release(&st);
	}
	/* Values strtod takes but Go's ParseFloat does not. */
	static const char *const not_float[] = {
		"Ip: A\nIp: 0x10\n", "Ip: A\nIp: nan(1)\n",
		"Ip: A\nIp: -nan\n", "Ip: A\nIp: 1e999\n",
		"Ip: A\nIp: \t1\n", "Ip: A\nIp: 1x\n",
	};
	for (size_t i = 0; i < sizeof(not_float) / sizeof(not_float[0]);
	     i++) {
		st = (struct netstat)NETSTAT_INIT;
		assert_int_equal(netstat_parse(not_float[i], &st), 0);
		assert_int_equal(st.n, 1);
		assert_false(st.v[0].valid);
		netstat_release(&st);
	}
	st = (struct netstat)NETSTAT_INIT;
	assert_int_equal(netstat_parse("Ip: A B\nIp: +Inf NaN\n", &st), 0);
	assert_true(st.v[0].valid && isinf(st.v[0].value));
	assert_true(st.v[1].valid && isnan(st.v[1].value));
	netstat_release(&st);
}

/* ---- sockstat parser ------------------------------------------------------ */

static void test_sockstat_parse_good(void **state)
{
	struct sockstat s = SOCKSTAT_INIT;

	(void)state;
	assert_int_equal(sockstat_parse(
		"sockets: used 229\n"
		"TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1\n"
		"FRAG: inuse 0 memory 0\n", &s), 0);
	assert_true(s.have_used);
	assert_int_equal(s.used, 229);
	assert_int_equal(s.n, 2);
	assert_string_equal(sockstat_name(&s, 0), "TCP");
	assert_int_equal(s.v[0].have, 0x1f);
	assert_int_equal(s.v[0].v[SOCKSTAT_ALLOC], 17);
	assert_int_equal(s.v[0].v[SOCKSTAT_MEM], 1);
	assert_string_equal(sockstat_name(&s, 1), "FRAG");
	assert_int_equal(s.v[1].have,
			 (1u << SOCKSTAT_INUSE) | (1u << SOCKSTAT_MEMORY));
	sockstat_release(&s);
}

static void test_sockstat_parse_odd(void **state)
{
	struct sockstat s = SOCKSTAT_INIT;

	(void)state;
	/* Base 0 as Go reads it, unknown keys ignored (but parsed), inuse
	 * reported even when absent, last of a repeated key wins, no colon. */
	assert_int_equal(sockstat_parse(
		"sockets: used 010\n"
		"TCP: inuse 0x10 mem 1_0 bogus 3 mem 11\n"
		"FOO bar -1\n", &s), 0);
	assert_int_equal(s.used, 8);
	assert_int_equal(s.v[0].v[SOCKSTAT_INUSE], 16);
	assert_int_equal(s.v[0].v[SOCKSTAT_MEM], 11);
	assert_string_equal(sockstat_name(&s, 1), "FOO");
	assert_int_equal(s.v[1].have, 1u << SOCKSTAT_INUSE);
	assert_int_equal(s.v[1].v[SOCKSTAT_INUSE], 0);
	sockstat_release(&s);

	/* sockets without "used": 0. */
	s = (struct sockstat)SOCKSTAT_INIT;
	assert_int_equal(sockstat_parse("sockets: x 5\n", &s), 0);
	assert_true(s.have_used);
	assert_int_equal(s.used, 0);
	sockstat_release(&s);
}

static void test_sockstat_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"TCP: inuse\n",			/* too short */
		"TCP: inuse 1 tw\n",		/* odd pairs */
		"TCP: inuse x\n",		/* not a number */
		"TCP: inuse 1 \n",		/* trailing space */
		"TCP: inuse 1\n\nUDP: inuse 2\n",	/* empty line */
		"TCP: inuse 99999999999999999999\n",	/* overflow */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sockstat s = SOCKSTAT_INIT;

		assert_int_equal(sockstat_parse(bad[i], &s), -EINVAL);
		sockstat_release(&s);
	}
}

/* ---- softnet parser ------------------------------------------------------- */

static void test_softnet_parse(void **state)
{
	struct softnet_cpu *c;
	size_t n;

	(void)state;
	assert_int_equal(softnet_parse(
		"00049279 00000000 00000001 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"ffffffff 0000000a 0000002F 0 0 0 0 0 0\n", &c, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].processed, 0x49279);
	assert_int_equal(c[0].time_squeezed, 1);
	assert_int_equal(c[1].processed, 0xffffffffu);
	assert_int_equal(c[1].dropped, 10);
	assert_int_equal(c[1].time_squeezed, 47);
	free(c);

	assert_int_equal(softnet_parse("", &c, &n), 0);
	assert_int_equal(n, 0);
	free(c);

	/* Too few columns, an empty line, more than 32 bits, not hex. */
	static const char *const bad[] = {
		"1 2 3 4 5 6 7 8\n",
		"1 2 3 4 5 6 7 8 9\n\n",
		"100000000 0 0 0 0 0 0 0 0\n",
		"0x1 0 0 0 0 0 0 0 0\n",
		"1 g 0 0 0 0 0 0 0\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(softnet_parse(bad[i], &c, &n), -EINVAL);
		free(c);
	}
}

/* ---- udp parser ----------------------------------------------------------- */

#define UDP_HDR "   sl  local_address rem_address   st tx_queue rx_queue tr " \
		"tm->when retrnsmt   uid  timeout inode ref pointer drops\n"

static void test_udp_queues_parse(void **state)
{
	struct udp_queues q;

	(void)state;
	assert_int_equal(udp_queues_parse(UDP_HDR
		"  406: 0100007F:0035 00000000:0000 07 00000010:00000500 "
		"00:00000000 00000000   101        0 19823 2 0000000000000000 0\n"
		" 1020: 00000000:14E9 00000000:0000 07 00000001:00000a00 "
		"00:00000000 00000000   108        0 22002\n", &q), 0);
	assert_int_equal(q.tx, 0x11);
	assert_int_equal(q.rx, 0xf00);
	assert_int_equal(q.sockets, 2);

	/* IPv6 addresses; sums wrap as uint64. */
	assert_int_equal(udp_queues_parse(UDP_HDR
		" 0: 00000000000000000000000000000000:14E9 "
		"00000000000000000000000000000000:0000 07 "
		"ffffffffffffffff:00000300 00:0 0 0 0 1\n"
		" 1: 00000000000000000000000000000000:14E9 "
		"00000000000000000000000000000000:0000 07 "
		"00000002:00000300 00:0 0 0 0 1\n", &q), 0);
	assert_int_equal(q.tx, 1);
	assert_int_equal(q.rx, 0x600);

	/* Header only, or nothing at all: zero sockets. */
	assert_int_equal(udp_queues_parse(UDP_HDR, &q), 0);
	assert_int_equal(q.sockets, 0);
	assert_int_equal(udp_queues_parse("", &q), 0);

	static const char *const bad[] = {
		UDP_HDR " 1: 0100007F:0035 00000000:0000 07 1:1 0 0 0 0\n",
		UDP_HDR " 1: 0100007F0000:0035 00000000:0000 07 1:1 0 0 0 0 0\n",
		UDP_HDR " 1: 0100007F:0035 00000000:0000 07 11 0 0 0 0 0\n",
		UDP_HDR " 1 0100007F:0035 00000000:0000 07 1:1 0 0 0 0 0\n",
		UDP_HDR " 1: 0100007F:0035 00000000:0000 07 1:1 0 0 x 0 0\n",
		UDP_HDR " 1: 0100007F:0035 00000000:0000 07 1:1 0 0 0 0 -1\n",
		UDP_HDR " 1: 0100007F:0035 00000000:0000 zz 1:1 0 0 0 0 0\n",
		UDP_HDR " 1: 0100007G:0035 00000000:0000 07 1:1 0 0 0 0 0\n",
		UDP_HDR " 1: 0100007F:0035 00000000:0000 07 1:1:1 0 0 0 0 0\n",
		UDP_HDR "\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(udp_queues_parse(bad[i], &q), -EINVAL);
}

/* ---- collectors over the fixtures ----------------------------------------- */

static void test_netstat_collector(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&netstat_collector, PROC,
			     "^(Ip(6|Ext)_(InOctets|OutOctets)|Tcp_MaxConn|"
			     "TcpExt_TCP.*|Icmp6_InErrors)$", &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_netstat_Icmp6_InErrors Statistic Icmp6InErrors.\n"
		"# TYPE node_netstat_Icmp6_InErrors untyped\n"
		"node_netstat_Icmp6_InErrors 1\n"
		"# HELP node_netstat_Ip6_InOctets Statistic Ip6InOctets.\n"
		"# TYPE node_netstat_Ip6_InOctets untyped\n"
		"node_netstat_Ip6_InOctets 18446744073709551616\n"
		"# HELP node_netstat_Ip6_OutOctets Statistic Ip6OutOctets.\n"
		"# TYPE node_netstat_Ip6_OutOctets untyped\n"
		"node_netstat_Ip6_OutOctets 45000\n"
		"# HELP node_netstat_IpExt_InOctets Statistic IpExtInOctets.\n"
		"# TYPE node_netstat_IpExt_InOctets untyped\n"
		"node_netstat_IpExt_InOctets 6286396970\n"
		"# HELP node_netstat_IpExt_OutOctets Statistic IpExtOutOctets.\n"
		"# TYPE node_netstat_IpExt_OutOctets untyped\n"
		"node_netstat_IpExt_OutOctets 2786264347\n"
		"# HELP node_netstat_TcpExt_TCPFutureCounter Statistic TcpExtTCPFutureCounter.\n"
		"# TYPE node_netstat_TcpExt_TCPFutureCounter untyped\n"
		"node_netstat_TcpExt_TCPFutureCounter 18446744073709551616\n"
		"# HELP node_netstat_TcpExt_TCPSynRetrans Statistic TcpExtTCPSynRetrans.\n"
		"# TYPE node_netstat_TcpExt_TCPSynRetrans untyped\n"
		"node_netstat_TcpExt_TCPSynRetrans 7\n"
		"# HELP node_netstat_TcpExt_TCPTimeouts Statistic TcpExtTCPTimeouts.\n"
		"# TYPE node_netstat_TcpExt_TCPTimeouts untyped\n"
		"node_netstat_TcpExt_TCPTimeouts 115\n"
		"# HELP node_netstat_Tcp_MaxConn Statistic TcpMaxConn.\n"
		"# TYPE node_netstat_Tcp_MaxConn untyped\n"
		"node_netstat_Tcp_MaxConn -1\n");
	buf_release(&out);
}

/* netstat and snmp must exist; snmp6 need not; a bad value fails. */
static void test_netstat_collector_files(void **state)
{
	char *dir = test_make_dir("exporterbox-netstat");
	struct buf out = BUF_INIT;

	(void)state;
	test_write_file(dir, "net/netstat", "TcpExt: ListenDrops\nTcpExt: 3\n");
	assert_int_equal(run(&netstat_collector, dir, ".*", &out), -ENOENT);
	test_write_file(dir, "net/snmp", "Ip: Forwarding\nIp: 1\n");
	assert_int_equal(run(&netstat_collector, dir, "Listen", &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_netstat_TcpExt_ListenDrops Statistic TcpExtListenDrops.\n"
		"# TYPE node_netstat_TcpExt_ListenDrops untyped\n"
		"node_netstat_TcpExt_ListenDrops 3\n");
	/* Upstream reads every value before filtering. */
	test_write_file(dir, "net/snmp6", "Ip6InOctets bad\n");
	assert_int_equal(run(&netstat_collector, dir, "Listen", &out),
			 -EINVAL);
	test_write_file(dir, "net/snmp", "Ip: A B\nIp: 1\n");
	assert_int_equal(run(&netstat_collector, dir, ".*", &out), -EINVAL);
	buf_release(&out);
	test_remove_dir(dir);
}

/* One collect() with a state kept across calls (the scraper's way). */
static int collect_with(const struct collector *c, void *st,
			const struct node_config *cfg, struct buf *out)
{
	struct collect_ctx ctx = { .config = cfg, .state = st };
	struct expo w;
	int rc;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	rc = c->collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	return rc;
}

/*
 * The collector remembers the last scrape's sort order: every scrape of a
 * long-lived state must equal a fresh one's, with the values changing, the
 * counters staying, and the counters changing (added, removed, reordered,
 * a protocol moving between files).
 */
static void test_netstat_collector_remembers_order(void **state)
{
	static const char *const netstat[] = {
		"TcpExt: B A C\nTcpExt: 1 2 3\nIpExt: X\nIpExt: 9\n",
		"TcpExt: B A C\nTcpExt: 4 5 -6\nIpExt: X\nIpExt: 10\n",
		"TcpExt: B A C\nTcpExt: 4 5 6\nIpExt: X\nIpExt: 10\n",
		"TcpExt: C B A\nTcpExt: 4 5 6\nIpExt: X\nIpExt: 10\n",
		"TcpExt: C B E\nTcpExt: 4 5 6\nIpExt: X\nIpExt: 10\n",
		"TcpExt: C A B D\nTcpExt: 7 8 9 1\nIpExt: X\nIpExt: 0.5\n",
		"TcpExt: C A\nTcpExt: 7 8\nIp: X\nIp: 3\n",
		"TcpExt: C A\nTcpExt: 7 8\nIp: X\nIp: 3\n",
		"TcpExt: B A C\nTcpExt: 1 2 3\nIpExt: X\nIpExt: 9\n",
	};
	static const char *const patterns[] = { ".*", "^(TcpExt_[AC]|Ip6_.*|IpExt_X)$" };
	char *dir = test_make_dir("exporterbox-netstat-order");
	struct buf kept = BUF_INIT, fresh = BUF_INIT;

	(void)state;
	test_write_file(dir, "net/snmp", "Ip: Forwarding Y\nIp: 1 2\n");
	test_write_file(dir, "net/snmp6", "Ip6InOctets 5\nIp6OutOctets 6\n");
	for (size_t p = 0; p < 2; p++) {
		struct node_config cfg = { .procfs = dir, .netstat_fields = patterns[p] };
		void *st = NULL;

		assert_int_equal(netstat_collector.init(&cfg, &st), 0);
		for (size_t i = 0; i < sizeof(netstat) / sizeof(netstat[0]); i++) {
			test_write_file(dir, "net/netstat", netstat[i]);
			for (int again = 0; again < 2; again++) {
				assert_int_equal(collect_with(&netstat_collector, st,
							      &cfg, &kept), 0);
				assert_int_equal(run(&netstat_collector, dir, patterns[p],
						     &fresh), 0);
				assert_string_equal(buf_cstr(&kept), buf_cstr(&fresh));
			}
		}
		/* A bad value still fails a scrape that reuses the order. */
		test_write_file(dir, "net/netstat", "TcpExt: B A C\nTcpExt: 1 x 3\nIpExt: X\nIpExt: 9\n");
		assert_int_equal(collect_with(&netstat_collector, st, &cfg, &kept),
				 -EINVAL);
		netstat_collector.release(st);
	}
	buf_release(&kept);
	buf_release(&fresh);
	test_remove_dir(dir);
}

static void test_netstat_bad_pattern(void **state)
{
	struct node_config cfg = { .procfs = PROC, .netstat_fields = "(" };
	void *st = NULL;

	(void)state;
	assert_int_equal(netstat_collector.init(&cfg, &st), -EINVAL);
	assert_null(st);
}

static void test_sockstat_collector(void **state)
{
	struct buf out = BUF_INIT, want = BUF_INIT;
	long page = sysconf(_SC_PAGESIZE);

	(void)state;
	assert_int_equal(run(&sockstat_collector, PROC, NULL, &out), 0);
#define G(name, help, v) \
	"# HELP node_sockstat_" name " " help "\n" \
	"# TYPE node_sockstat_" name " gauge\n" \
	"node_sockstat_" name " " v "\n"
#define S(p, s, v) G(p "_" s, "Number of " p " sockets in state " s ".", v)
	buf_adds(&want, S("FRAG6", "inuse", "0") S("FRAG6", "memory", "0")
		 S("FRAG", "inuse", "0") S("FRAG", "memory", "0")
		 S("RAW6", "inuse", "1") S("RAW", "inuse", "0")
		 S("TCP6", "inuse", "17") S("TCP", "alloc", "17")
		 S("TCP", "inuse", "4") S("TCP", "mem", "1"));
	buf_addf(&want, S("TCP", "mem_bytes", "%ld"), page);
	buf_adds(&want, S("TCP", "orphan", "0") S("TCP", "tw", "4")
		 S("UDP6", "inuse", "9") S("UDPLITE6", "inuse", "0")
		 S("UDPLITE", "inuse", "0") S("UDP", "inuse", "0")
		 S("UDP", "mem", "0") S("UDP", "mem_bytes", "0")
		 G("sockets_used", "Number of IPv4 sockets in use.", "229"));
#undef S
#undef G
	assert_string_equal(buf_cstr(&out), buf_cstr(&want));
	buf_release(&want);
	buf_release(&out);
}

/* Both files may be missing; a bad one fails the collector. */
static void test_sockstat_collector_files(void **state)
{
	char *dir = test_make_dir("exporterbox-sockstat");
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&sockstat_collector, dir, NULL, &out), 0);
	assert_int_equal(out.len, 0);
	test_write_file(dir, "net/sockstat6", "TCP6: inuse 2\n");
	assert_int_equal(run(&sockstat_collector, dir, NULL, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_sockstat_TCP6_inuse Number of TCP6 sockets in state inuse.\n"
		"# TYPE node_sockstat_TCP6_inuse gauge\n"
		"node_sockstat_TCP6_inuse 2\n");
	test_write_file(dir, "net/sockstat", "TCP: inuse\n");
	assert_int_equal(run(&sockstat_collector, dir, NULL, &out), -EINVAL);
	buf_release(&out);
	test_remove_dir(dir);
}

static void test_softnet_collector(void **state)
{
	struct buf out = BUF_INIT;
	char *dir;

	(void)state;
	assert_int_equal(run(&softnet_collector, PROC, NULL, &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_softnet_dropped_total Number of dropped packets\n"
		"# TYPE node_softnet_dropped_total counter\n"
		"node_softnet_dropped_total{cpu=\"0\"} 0\n"
		"node_softnet_dropped_total{cpu=\"1\"} 0\n"
		"node_softnet_dropped_total{cpu=\"2\"} 10\n"
		"# HELP node_softnet_processed_total Number of processed packets\n"
		"# TYPE node_softnet_processed_total counter\n"
		"node_softnet_processed_total{cpu=\"0\"} 299641\n"
		"node_softnet_processed_total{cpu=\"1\"} 916354\n"
		"node_softnet_processed_total{cpu=\"2\"} 4294967295\n"
		"# HELP node_softnet_times_squeezed_total Number of times processing packets ran out of quota\n"
		"# TYPE node_softnet_times_squeezed_total counter\n"
		"node_softnet_times_squeezed_total{cpu=\"0\"} 1\n"
		"node_softnet_times_squeezed_total{cpu=\"1\"} 18\n"
		"node_softnet_times_squeezed_total{cpu=\"2\"} 47\n");

	/* Eleven CPUs: the label sorts as a string, "10" before "2". */
	dir = test_make_dir("exporterbox-softnet");
	assert_int_equal(run(&softnet_collector, dir, NULL, &out), -ENOENT);
	struct buf text = BUF_INIT;
	for (int i = 0; i < 11; i++)
		buf_addf(&text, "%08x 0 0 0 0 0 0 0 0\n", i);
	test_write_file(dir, "net/softnet_stat", buf_cstr(&text));
	assert_int_equal(run(&softnet_collector, dir, NULL, &out), 0);
	assert_non_null(strstr(buf_cstr(&out),
		"node_softnet_dropped_total{cpu=\"1\"} 0\n"
		"node_softnet_dropped_total{cpu=\"10\"} 0\n"
		"node_softnet_dropped_total{cpu=\"2\"} 0\n"));
	assert_non_null(strstr(buf_cstr(&out),
		"node_softnet_processed_total{cpu=\"10\"} 10\n"));
	buf_release(&text);
	buf_release(&out);
	test_remove_dir(dir);
}

#define UDP_HELP "# HELP node_udp_queues Number of allocated memory in the " \
		 "kernel for UDP datagrams in bytes.\n" \
		 "# TYPE node_udp_queues gauge\n"

static void test_udp_queues_collector(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&udp_queues_collector, PROC, NULL, &out), 0);
	assert_string_equal(buf_cstr(&out), UDP_HELP
		"node_udp_queues{ip=\"v4\",queue=\"rx\"} 3840\n"
		"node_udp_queues{ip=\"v4\",queue=\"tx\"} 17\n"
		"node_udp_queues{ip=\"v6\",queue=\"rx\"} 768\n"
		"node_udp_queues{ip=\"v6\",queue=\"tx\"} 0\n");
	buf_release(&out);
}

/* One file missing is fine; both missing is "no data", a failure. */
static void test_udp_queues_collector_files(void **state)
{
	char *dir = test_make_dir("exporterbox-udp");
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&udp_queues_collector, dir, NULL, &out),
			 -ENODATA);
	test_write_file(dir, "net/udp6", UDP_HDR);
	assert_int_equal(run(&udp_queues_collector, dir, NULL, &out), 0);
	assert_string_equal(buf_cstr(&out), UDP_HELP
		"node_udp_queues{ip=\"v6\",queue=\"rx\"} 0\n"
		"node_udp_queues{ip=\"v6\",queue=\"tx\"} 0\n");
	test_write_file(dir, "net/udp", UDP_HDR "garbage\n");
	assert_int_equal(run(&udp_queues_collector, dir, NULL, &out),
			 -EINVAL);
	buf_release(&out);
	test_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_numbers),
		cmocka_unit_test(test_netstat_parse_good),
		cmocka_unit_test(test_netstat_parse_odd),
		cmocka_unit_test(test_netstat_parse_garbage),
		cmocka_unit_test(test_sockstat_parse_good),
		cmocka_unit_test(test_sockstat_parse_odd),
		cmocka_unit_test(test_sockstat_parse_garbage),
		cmocka_unit_test(test_softnet_parse),
		cmocka_unit_test(test_udp_queues_parse),
		cmocka_unit_test(test_netstat_collector),
		cmocka_unit_test(test_netstat_collector_files),
		cmocka_unit_test(test_netstat_collector_remembers_order),
		cmocka_unit_test(test_netstat_bad_pattern),
		cmocka_unit_test(test_sockstat_collector),
		cmocka_unit_test(test_sockstat_collector_files),
		cmocka_unit_test(test_softnet_collector),
		cmocka_unit_test(test_udp_queues_collector),
		cmocka_unit_test(test_udp_queues_collector_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
