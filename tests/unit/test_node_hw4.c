/*
 * Tests of the ipvs and hwmon collectors: their pure parsers on good, odd
 * and garbage text, and each collector's whole output over
 * tests/fixtures/node (proc/net/ip_vs*, sys/class/hwmon), line for line.
 * The expected expositions were checked against node_exporter 1.5 run on
 * the same trees (it spells large integers with exponents; the values are
 * the same).
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
#include "hw4_parse.h"
#include "node.h"
#include "test_util.h"

#define PROC FIXTURES_DIR "/node/proc"
#define SYS FIXTURES_DIR "/node/sys"

/* ---- helpers ------------------------------------------------------------- */

/*
 * Runs one collector (init, collect, release) over the given roots and
 * backend labels into out; returns what collect() (or a failed init())
 * returned.
 */
static int run(const struct collector *c, const char *procfs,
	       const char *sysfs, const char *ipvs_labels, struct buf *out)
{
	struct node_config cfg = { .procfs = procfs, .sysfs = sysfs,
				   .rootfs = "/",
				   .ipvs_backend_labels = ipvs_labels };
	struct collect_ctx ctx = { .config = &cfg };
	struct expo w;
	int rc;

	if (c->init) {
		rc = c->init(&cfg, &ctx.state);
		if (rc)
			return rc;
	}
	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	rc = c->collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	if (c->release)
		c->release(ctx.state);
	return rc;
}

/* Fails with the first differing line when got is not want. */
static void assert_lines(const char *got, const char *want)
{
	size_t line = 1;

	while (*got && *want) {
		size_t g = strcspn(got, "\n"), w = strcspn(want, "\n");

		if (g != w || memcmp(got, want, g))
			fail_msg("line %zu:\n got  %.*s\n want %.*s", line,
				 (int)g, got, (int)w, want);
		got += g + (got[g] != '\0');
		want += w + (want[w] != '\0');
		line++;
	}
	if (*got || *want)
		fail_msg("line %zu: %s", line, *got ? "extra output" : "missing output");
}

/* ---- ipvs parsers --------------------------------------------------------- */

static void test_ipvs_parse_stats(void **state)
{
	struct ipvs_stats s;

	(void)state;
	assert_int_equal(ipvs_parse_stats(
		"   Total Incoming Outgoing         Incoming         Outgoing\n"
		"   Conns  Packets  Packets            Bytes            Bytes\n"
		" 16AA370 E33656E5        0     51D8C8883AB3                0\n",
		&s), 0);
	assert_true(s.connections == 23765872);
	assert_true(s.incoming_packets == 3811989221u);
	assert_true(s.outgoing_packets == 0);
	assert_true(s.incoming_bytes == 89991519156915u);
	assert_true(s.outgoing_bytes == 0);
	assert_int_equal(ipvs_parse_stats("a\nb\nffffffffffffffff 1 2 3 4\n", &s), 0);
	assert_true(s.connections == UINT64_MAX);
	/* Upstream wants four parts split at newlines. */
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4 5", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4\n", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4 5 6\n", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4 5g\n", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4 0x5\n", &s), -EINVAL);
	assert_int_equal(ipvs_parse_stats("a\nb\n1 2 3 4 10000000000000000\n", &s),
			 -EINVAL);
}

static void test_ipvs_parse_backends(void **state)
{
	struct ipvs_backends b = IPVS_BACKENDS_INIT;

	(void)state;
	assert_int_equal(ipvs_parse_backends(
		"IP Virtual Server version 1.2.1 (size=4096)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
		"UDP  0a000001:0035 rr\n"
		"  -> C0A82A16:0CEA      Tunnel  100    248        2\n"
		"  -> short line\n"
		"whatever goes here\n"
		"TCP  [2620:0000:0000:0000:0000:0000:0000:0001]:0050 sed\n"
		"  -> [0000:0000:0000:0000:0000:ffff:c0a8:0101]:0050 Masq 3 5 6\n"
		"  -> [0001:0000:0000:0002:0000:0000:0003:0004]:1f90 Masq 1 0 0\n"
		"FWM  10001000 wlc\n"
		"\n"
		"  -> [0000:0000:0000:0000:0000:0000:0000:0000]:0000 Route 0 0 1\n",
		&b), 0);
	assert_int_equal(b.n, 4);
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_LOCAL_ADDRESS), "10.0.0.1");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_LOCAL_PORT), "53");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_LOCAL_MARK), "");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_PROTO), "UDP");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_REMOTE_ADDRESS), "192.168.42.22");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_REMOTE_PORT), "3306");
	assert_true(b.v[0].weight == 100 && b.v[0].active == 248 &&
		    b.v[0].inactive == 2);
	assert_string_equal(ipvs_backend_value(&b, 1, IPVS_LOCAL_ADDRESS), "2620::1");
	assert_string_equal(ipvs_backend_value(&b, 1, IPVS_REMOTE_ADDRESS), "192.168.1.1");
	assert_string_equal(ipvs_backend_value(&b, 1, IPVS_REMOTE_PORT), "80");
	/* The first of two equal zero runs is the one written "::". */
	assert_string_equal(ipvs_backend_value(&b, 2, IPVS_REMOTE_ADDRESS), "1::2:0:0:3:4");
	assert_string_equal(ipvs_backend_value(&b, 2, IPVS_REMOTE_PORT), "8080");
	assert_string_equal(ipvs_backend_value(&b, 3, IPVS_LOCAL_ADDRESS), "");
	assert_string_equal(ipvs_backend_value(&b, 3, IPVS_LOCAL_PORT), "0");
	assert_string_equal(ipvs_backend_value(&b, 3, IPVS_LOCAL_MARK), "10001000");
	assert_string_equal(ipvs_backend_value(&b, 3, IPVS_PROTO), "FWM");
	assert_string_equal(ipvs_backend_value(&b, 3, IPVS_REMOTE_ADDRESS), "::");
	ipvs_backends_release(&b);

	/* Backends before any service have empty local labels. */
	assert_int_equal(ipvs_parse_backends("-> 01020304:0001 Route 1 2 3\n", &b), 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_PROTO), "");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_LOCAL_PORT), "0");
	assert_string_equal(ipvs_backend_value(&b, 0, IPVS_REMOTE_ADDRESS), "1.2.3.4");
	ipvs_backends_release(&b);
}

static void test_ipvs_parse_backends_garbage(void **state)
{
	static const char *const bad[] = {
		"TCP\n",				/* upstream indexes past it */
		"oneword\n",
		"TCP  C0A80016:0CEAX wlc\n",		/* 14 bytes */
		"TCP  C0A8001G:0CEA wlc\n",
		"TCP  C0A80016:0CEG wlc\n",
		"TCP  [2620:0000:0000:0000:0000:0000:0000:000g]:0050 sed\n",
		"UDP  C0A80016:0CEA rr\n -> C0A82A16:0CEA Tunnel x 1 2\n",
		"UDP  C0A80016:0CEA rr\n -> C0A82A16:0CEA Tunnel 1 -1 2\n",
		"UDP  C0A80016:0CEA rr\n -> C0A82A16:0CEA Tunnel 1 1 99999999999999999999\n",
		"UDP  C0A80016:0CEA rr\n -> C0A82A1:0CEA Tunnel 1 1 1\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct ipvs_backends b = IPVS_BACKENDS_INIT;

		if (ipvs_parse_backends(bad[i], &b) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		ipvs_backends_release(&b);
	}
}

static void test_ipvs_parse_label_list(void **state)
{
	unsigned mask;

	(void)state;
	assert_int_equal(ipvs_parse_label_list(
		"local_address,local_port,remote_address,remote_port,proto,local_mark",
		&mask), 0);
	assert_int_equal(mask, (1u << IPVS_NLABELS) - 1);
	assert_int_equal(ipvs_parse_label_list(",proto,,remote_port,", &mask), 0);
	assert_int_equal(mask, (1u << IPVS_PROTO) | (1u << IPVS_REMOTE_PORT));
	assert_int_equal(ipvs_parse_label_list("", &mask), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(ipvs_parse_label_list("proto,bogus", &mask), -EINVAL);
	assert_int_equal(ipvs_parse_label_list("proto ", &mask), -EINVAL);
}

/* ---- hwmon parsers -------------------------------------------------------- */

static void test_hwmon_clean_name(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(hwmon_clean_name("Package id 0", 12, &b), "package_id_0");
	assert_string_equal(hwmon_clean_name("coretemp\n", 9, &b), "coretemp");
	assert_string_equal(hwmon_clean_name("pci0000:00", 10, &b), "pci0000:00");
	assert_string_equal(hwmon_clean_name("coretemp.0", 10, &b), "coretemp_0");
	assert_string_equal(hwmon_clean_name("__+12V__", 8, &b), "12v");
	/* One '_' per character, stray bytes counted one by one. */
	assert_string_equal(hwmon_clean_name("a\xc3\xa9z", 4, &b), "a_z");
	assert_string_equal(hwmon_clean_name("a\xff\xfez", 4, &b), "a__z");
	assert_string_equal(hwmon_clean_name("___", 3, &b), "");
	assert_string_equal(hwmon_clean_name("", 0, &b), "");
	buf_release(&b);
}

/* Splits name; checks type, number and property, or that it is refused. */
static void split_is(const char *name, const char *type, uint64_t num,
		     const char *prop)
{
	struct hwmon_file f;
	bool ok = hwmon_split_filename(name, &f);

	if (!type) {
		if (ok)
			fail_msg("accepted: %s", name);
		return;
	}
	if (!ok)
		fail_msg("refused: %s", name);
	assert_int_equal(f.type_len, strlen(type));
	assert_memory_equal(name, type, f.type_len);
	assert_true(f.num == num);
	assert_string_equal(f.prop, prop);
}

static void test_hwmon_split_filename(void **state)
{
	(void)state;
	split_is("temp1_input", "temp", 1, "input");
	split_is("in0", "in", 0, "");
	split_is("fan01_min", "fan", 1, "min");
	split_is("beep_enable", "beep_enable", 0, "");
	split_is("update_interval", "update_interval", 0, "");
	split_is("power1_average_interval_max", "power", 1, "average_interval_max");
	split_is("temp_1x", "temp", 0, "1x");	/* the regexp backtracks */
	split_is("name", "name", 0, "");
	split_is("temp9223372036854775807_x", "temp", INT64_MAX, "x");
	split_is("temp9223372036854775808_x", NULL, 0, NULL);
	split_is("temp12x", NULL, 0, NULL);
	split_is("temp1_", NULL, 0, NULL);
	split_is("1temp", NULL, 0, NULL);
	split_is("", NULL, 0, NULL);
	split_is("temp1_a\nb", NULL, 0, NULL);
	split_is("te\nmp", "te\nmp", 0, "");
}

/* Parses s; checks the value, or (want NAN with ok false) refusal. */
static void float_is(const char *s, bool ok, double want)
{
	double v = -1;

	if (hwmon_parse_float(s, strlen(s), &v) != ok)
		fail_msg("%s: %s", ok ? "refused" : "accepted", s);
	if (!ok)
		return;
	if (isnan(want))
		assert_true(isnan(v));
	else
		assert_true(v == want);
}

static void test_hwmon_parse_float(void **state)
{
	(void)state;
	float_is("55000", true, 55000);
	float_is("-12.5", true, -12.5);
	float_is("1.5e3", true, 1500);
	float_is(".5", true, 0.5);
	float_is("5.", true, 5);
	float_is("0x1p4", true, 16);
	float_is("0x1.8P1", true, 3);
	float_is("1_0", true, 10);
	float_is("Inf", true, INFINITY);
	float_is("-infinity", true, -INFINITY);
	float_is("NaN", true, NAN);
	float_is("1e-400", true, 0);
	float_is("", false, 0);
	float_is(" 5", false, 0);
	float_is("5 ", false, 0);
	float_is(".", false, 0);
	float_is("1e", false, 0);
	float_is("0x10", false, 0);
	float_is("+nan", false, 0);
	float_is("infin", false, 0);
	float_is("_1", false, 0);
	float_is("1__0", false, 0);
	float_is("1e400", false, 0);
	float_is("garbage", false, 0);
}

/* ---- collectors ---------------------------------------------------------- */

/* The whole expositions over the fixture trees. */
static const char ipvs_expected[] =
	"# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.\n"
	"# TYPE node_ipvs_backend_connections_active gauge\n"
	"node_ipvs_backend_connections_active{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_connections_active{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.60\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_connections_active{local_address=\"\",local_mark=\"10001001\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 7\n"
	"node_ipvs_backend_connections_active{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 248\n"
	"node_ipvs_backend_connections_active{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 248\n"
	"node_ipvs_backend_connections_active{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.0.1\",remote_port=\"53\"} 0\n"
	"node_ipvs_backend_connections_active{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 1499\n"
	"node_ipvs_backend_connections_active{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 1498\n"
	"node_ipvs_backend_connections_active{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"192.168.1.1\",remote_port=\"80\"} 5\n"
	"node_ipvs_backend_connections_active{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"2620::2\",remote_port=\"80\"} 0\n"
	"node_ipvs_backend_connections_active{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"fe80::a00:1\",remote_port=\"8080\"} 3\n"
	"# HELP node_ipvs_backend_connections_inactive The current inactive connections by local and remote address.\n"
	"# TYPE node_ipvs_backend_connections_inactive gauge\n"
	"node_ipvs_backend_connections_inactive{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_connections_inactive{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.60\",remote_port=\"3306\"} 1\n"
	"node_ipvs_backend_connections_inactive{local_address=\"\",local_mark=\"10001001\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 9\n"
	"node_ipvs_backend_connections_inactive{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 1\n"
	"node_ipvs_backend_connections_inactive{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 2\n"
	"node_ipvs_backend_connections_inactive{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.0.1\",remote_port=\"53\"} 7\n"
	"node_ipvs_backend_connections_inactive{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_connections_inactive{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 2\n"
	"node_ipvs_backend_connections_inactive{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"192.168.1.1\",remote_port=\"80\"} 6\n"
	"node_ipvs_backend_connections_inactive{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"2620::2\",remote_port=\"80\"} 0\n"
	"node_ipvs_backend_connections_inactive{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"fe80::a00:1\",remote_port=\"8080\"} 4\n"
	"# HELP node_ipvs_backend_weight The current backend weight by local and remote address.\n"
	"# TYPE node_ipvs_backend_weight gauge\n"
	"node_ipvs_backend_weight{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_weight{local_address=\"\",local_mark=\"10001000\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.60\",remote_port=\"3306\"} 0\n"
	"node_ipvs_backend_weight{local_address=\"\",local_mark=\"10001001\",local_port=\"0\",proto=\"FWM\",remote_address=\"192.168.50.59\",remote_port=\"3306\"} 5\n"
	"node_ipvs_backend_weight{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 100\n"
	"node_ipvs_backend_weight{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 100\n"
	"node_ipvs_backend_weight{local_address=\"192.168.0.22\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.0.1\",remote_port=\"53\"} 1\n"
	"node_ipvs_backend_weight{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.21\",remote_port=\"3306\"} 50\n"
	"node_ipvs_backend_weight{local_address=\"192.168.0.57\",local_mark=\"\",local_port=\"3306\",proto=\"TCP\",remote_address=\"192.168.42.22\",remote_port=\"3306\"} 100\n"
	"node_ipvs_backend_weight{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"192.168.1.1\",remote_port=\"80\"} 3\n"
	"node_ipvs_backend_weight{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"2620::2\",remote_port=\"80\"} 1\n"
	"node_ipvs_backend_weight{local_address=\"2620::1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"fe80::a00:1\",remote_port=\"8080\"} 2\n"
	"# HELP node_ipvs_connections_total The total number of connections made.\n"
	"# TYPE node_ipvs_connections_total counter\n"
	"node_ipvs_connections_total 23765872\n"
	"# HELP node_ipvs_incoming_bytes_total The total amount of incoming data.\n"
	"# TYPE node_ipvs_incoming_bytes_total counter\n"
	"node_ipvs_incoming_bytes_total 89991519156915\n"
	"# HELP node_ipvs_incoming_packets_total The total number of incoming packets.\n"
	"# TYPE node_ipvs_incoming_packets_total counter\n"
	"node_ipvs_incoming_packets_total 3811989221\n"
	"# HELP node_ipvs_outgoing_bytes_total The total amount of outgoing data.\n"
	"# TYPE node_ipvs_outgoing_bytes_total counter\n"
	"node_ipvs_outgoing_bytes_total 0\n"
	"# HELP node_ipvs_outgoing_packets_total The total number of outgoing packets.\n"
	"# TYPE node_ipvs_outgoing_packets_total counter\n"
	"node_ipvs_outgoing_packets_total 0\n";

static const char ipvs_subset_expected[] =
	"# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.\n"
	"# TYPE node_ipvs_backend_connections_active gauge\n"
	"node_ipvs_backend_connections_active{proto=\"FWM\",remote_port=\"3306\"} 7\n"
	"node_ipvs_backend_connections_active{proto=\"TCP\",remote_port=\"3306\"} 3493\n"
	"node_ipvs_backend_connections_active{proto=\"TCP\",remote_port=\"80\"} 5\n"
	"node_ipvs_backend_connections_active{proto=\"TCP\",remote_port=\"8080\"} 3\n"
	"node_ipvs_backend_connections_active{proto=\"UDP\",remote_port=\"53\"} 0\n"
	"# HELP node_ipvs_backend_connections_inactive The current inactive connections by local and remote address.\n"
	"# TYPE node_ipvs_backend_connections_inactive gauge\n"
	"node_ipvs_backend_connections_inactive{proto=\"FWM\",remote_port=\"3306\"} 10\n"
	"node_ipvs_backend_connections_inactive{proto=\"TCP\",remote_port=\"3306\"} 5\n"
	"node_ipvs_backend_connections_inactive{proto=\"TCP\",remote_port=\"80\"} 6\n"
	"node_ipvs_backend_connections_inactive{proto=\"TCP\",remote_port=\"8080\"} 4\n"
	"node_ipvs_backend_connections_inactive{proto=\"UDP\",remote_port=\"53\"} 7\n"
	"# HELP node_ipvs_backend_weight The current backend weight by local and remote address.\n"
	"# TYPE node_ipvs_backend_weight gauge\n"
	"node_ipvs_backend_weight{proto=\"FWM\",remote_port=\"3306\"} 5\n"
	"node_ipvs_backend_weight{proto=\"TCP\",remote_port=\"3306\"} 350\n"
	"node_ipvs_backend_weight{proto=\"TCP\",remote_port=\"80\"} 4\n"
	"node_ipvs_backend_weight{proto=\"TCP\",remote_port=\"8080\"} 2\n"
	"node_ipvs_backend_weight{proto=\"UDP\",remote_port=\"53\"} 1\n"
	"# HELP node_ipvs_connections_total The total number of connections made.\n"
	"# TYPE node_ipvs_connections_total counter\n"
	"node_ipvs_connections_total 23765872\n"
	"# HELP node_ipvs_incoming_bytes_total The total amount of incoming data.\n"
	"# TYPE node_ipvs_incoming_bytes_total counter\n"
	"node_ipvs_incoming_bytes_total 89991519156915\n"
	"# HELP node_ipvs_incoming_packets_total The total number of incoming packets.\n"
	"# TYPE node_ipvs_incoming_packets_total counter\n"
	"node_ipvs_incoming_packets_total 3811989221\n"
	"# HELP node_ipvs_outgoing_bytes_total The total amount of outgoing data.\n"
	"# TYPE node_ipvs_outgoing_bytes_total counter\n"
	"node_ipvs_outgoing_bytes_total 0\n"
	"# HELP node_ipvs_outgoing_packets_total The total number of outgoing packets.\n"
	"# TYPE node_ipvs_outgoing_packets_total counter\n"
	"node_ipvs_outgoing_packets_total 0\n";

static const char hwmon_expected[] =
	"# HELP node_hwmon_beep_enabled Hardware beep enabled\n"
	"# TYPE node_hwmon_beep_enabled gauge\n"
	"node_hwmon_beep_enabled{chip=\"nct6775\",sensor=\"beep_enable0\"} 1\n"
	"# HELP node_hwmon_chip_names Annotation metric for human-readable chip names\n"
	"# TYPE node_hwmon_chip_names gauge\n"
	"node_hwmon_chip_names{chip=\"nct6775\",chip_name=\"nct6775\"} 1\n"
	"node_hwmon_chip_names{chip=\"pci0000:00_0000:00:01_0\",chip_name=\"amdgpu\"} 1\n"
	"node_hwmon_chip_names{chip=\"platform_coretemp_0\",chip_name=\"coretemp\"} 1\n"
	"node_hwmon_chip_names{chip=\"power_meter\",chip_name=\"power_meter\"} 1\n"
	"# HELP node_hwmon_curr_amps Hardware monitor for current (input)\n"
	"# TYPE node_hwmon_curr_amps gauge\n"
	"node_hwmon_curr_amps{chip=\"nct6775\",sensor=\"curr1\"} 1.5\n"
	"# HELP node_hwmon_energy_joule_total Hardware monitor for joules used so far (input)\n"
	"# TYPE node_hwmon_energy_joule_total counter\n"
	"node_hwmon_energy_joule_total{chip=\"nct6775\",sensor=\"energy1\"} 123.456789\n"
	"# HELP node_hwmon_fan_div Hardware monitor fan element div\n"
	"# TYPE node_hwmon_fan_div gauge\n"
	"node_hwmon_fan_div{chip=\"nct6775\",sensor=\"fan1\"} 8\n"
	"# HELP node_hwmon_fan_fault Hardware sensor fault status (fan)\n"
	"# TYPE node_hwmon_fan_fault gauge\n"
	"node_hwmon_fan_fault{chip=\"nct6775\",sensor=\"fan2\"} 1\n"
	"# HELP node_hwmon_fan_min_rpm Hardware monitor for fan revolutions per minute (min)\n"
	"# TYPE node_hwmon_fan_min_rpm gauge\n"
	"node_hwmon_fan_min_rpm{chip=\"nct6775\",sensor=\"fan1\"} 300\n"
	"# HELP node_hwmon_fan_rpm Hardware monitor for fan revolutions per minute (input)\n"
	"# TYPE node_hwmon_fan_rpm gauge\n"
	"node_hwmon_fan_rpm{chip=\"nct6775\",sensor=\"fan1\"} 1250\n"
	"node_hwmon_fan_rpm{chip=\"nct6775\",sensor=\"fan2\"} 0\n"
	"# HELP node_hwmon_fan_target_rpm Hardware monitor for fan revolutions per minute (target)\n"
	"# TYPE node_hwmon_fan_target_rpm gauge\n"
	"node_hwmon_fan_target_rpm{chip=\"nct6775\",sensor=\"fan1\"} 1200\n"
	"# HELP node_hwmon_humidity Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (input)\n"
	"# TYPE node_hwmon_humidity gauge\n"
	"node_hwmon_humidity{chip=\"nct6775\",sensor=\"humidity1\"} 0.0455\n"
	"# HELP node_hwmon_in_alarm Hardware sensor alarm status (in)\n"
	"# TYPE node_hwmon_in_alarm gauge\n"
	"node_hwmon_in_alarm{chip=\"nct6775\",sensor=\"in0\"} 0\n"
	"# HELP node_hwmon_in_beep_enabled Hardware monitor sensor has beeping enabled\n"
	"# TYPE node_hwmon_in_beep_enabled gauge\n"
	"node_hwmon_in_beep_enabled{chip=\"nct6775\",sensor=\"in0\"} 0\n"
	"# HELP node_hwmon_in_max_volts Hardware monitor for voltage (max)\n"
	"# TYPE node_hwmon_in_max_volts gauge\n"
	"node_hwmon_in_max_volts{chip=\"nct6775\",sensor=\"in0\"} 1.744\n"
	"# HELP node_hwmon_in_min_volts Hardware monitor for voltage (min)\n"
	"# TYPE node_hwmon_in_min_volts gauge\n"
	"node_hwmon_in_min_volts{chip=\"nct6775\",sensor=\"in0\"} 0\n"
	"# HELP node_hwmon_in_volts Hardware monitor for voltage (input)\n"
	"# TYPE node_hwmon_in_volts gauge\n"
	"node_hwmon_in_volts{chip=\"nct6775\",sensor=\"in0\"} 1.032\n"
	"node_hwmon_in_volts{chip=\"nct6775\",sensor=\"in1\"} 12.096\n"
	"node_hwmon_in_volts{chip=\"pci0000:00_0000:00:01_0\",sensor=\"in0\"} 0.8\n"
	"# HELP node_hwmon_intrusion_alarm Hardware sensor alarm status (intrusion)\n"
	"# TYPE node_hwmon_intrusion_alarm gauge\n"
	"node_hwmon_intrusion_alarm{chip=\"nct6775\",sensor=\"intrusion0\"} 1\n"
	"# HELP node_hwmon_power_accuracy Hardware monitor power meter accuracy, as a ratio\n"
	"# TYPE node_hwmon_power_accuracy gauge\n"
	"node_hwmon_power_accuracy{chip=\"power_meter\",sensor=\"power1\"} 1\n"
	"# HELP node_hwmon_power_average_interval_seconds Hardware monitor power usage update interval (average_interval)\n"
	"# TYPE node_hwmon_power_average_interval_seconds gauge\n"
	"node_hwmon_power_average_interval_seconds{chip=\"power_meter\",sensor=\"power1\"} 1\n"
	"# HELP node_hwmon_power_average_watt Hardware monitor for power usage in watts (average)\n"
	"# TYPE node_hwmon_power_average_watt gauge\n"
	"node_hwmon_power_average_watt{chip=\"pci0000:00_0000:00:01_0\",sensor=\"power1\"} 25\n"
	"node_hwmon_power_average_watt{chip=\"power_meter\",sensor=\"power1\"} 345\n"
	"# HELP node_hwmon_power_cap_watt Hardware monitor for power usage in watts (cap)\n"
	"# TYPE node_hwmon_power_cap_watt gauge\n"
	"node_hwmon_power_cap_watt{chip=\"power_meter\",sensor=\"power1\"} 500\n"
	"# HELP node_hwmon_power_is_battery_watt Hardware monitor for power usage in watts (is_battery)\n"
	"# TYPE node_hwmon_power_is_battery_watt gauge\n"
	"node_hwmon_power_is_battery_watt{chip=\"power_meter\",sensor=\"power1\"} 0\n"
	"# HELP node_hwmon_pwm Hardware monitor pwm element \n"
	"# TYPE node_hwmon_pwm gauge\n"
	"node_hwmon_pwm{chip=\"nct6775\",sensor=\"pwm1\"} 128\n"
	"# HELP node_hwmon_pwm_enable Hardware monitor pwm element enable\n"
	"# TYPE node_hwmon_pwm_enable gauge\n"
	"node_hwmon_pwm_enable{chip=\"nct6775\",sensor=\"pwm1\"} 2\n"
	"# HELP node_hwmon_sensor_label Label for given chip and sensor\n"
	"# TYPE node_hwmon_sensor_label gauge\n"
	"node_hwmon_sensor_label{chip=\"nct6775\",label=\"+12V\",sensor=\"in1\"} 1\n"
	"node_hwmon_sensor_label{chip=\"pci0000:00_0000:00:01_0\",label=\"edge\",sensor=\"temp1\"} 1\n"
	"node_hwmon_sensor_label{chip=\"pci0000:00_0000:00:01_0\",label=\"vddgfx\",sensor=\"in0\"} 1\n"
	"node_hwmon_sensor_label{chip=\"platform_coretemp_0\",label=\"Core 0\",sensor=\"temp2\"} 1\n"
	"node_hwmon_sensor_label{chip=\"platform_coretemp_0\",label=\"Core 1\",sensor=\"temp3\"} 1\n"
	"node_hwmon_sensor_label{chip=\"platform_coretemp_0\",label=\"Package id 0\",sensor=\"temp1\"} 1\n"
	"# HELP node_hwmon_temp_celsius Hardware monitor for temperature (input)\n"
	"# TYPE node_hwmon_temp_celsius gauge\n"
	"node_hwmon_temp_celsius{chip=\"hwmon4\",sensor=\"temp1\"} 30\n"
	"node_hwmon_temp_celsius{chip=\"nct6775\",sensor=\"temp7\"} 38.5\n"
	"node_hwmon_temp_celsius{chip=\"pci0000:00_0000:00:01_0\",sensor=\"temp1\"} 45\n"
	"node_hwmon_temp_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 55\n"
	"node_hwmon_temp_celsius{chip=\"platform_coretemp_0\",sensor=\"temp2\"} 54\n"
	"node_hwmon_temp_celsius{chip=\"platform_coretemp_0\",sensor=\"temp3\"} 52.5\n"
	"# HELP node_hwmon_temp_crit_alarm_celsius Hardware monitor for temperature (crit_alarm)\n"
	"# TYPE node_hwmon_temp_crit_alarm_celsius gauge\n"
	"node_hwmon_temp_crit_alarm_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 0\n"
	"# HELP node_hwmon_temp_crit_celsius Hardware monitor for temperature (crit)\n"
	"# TYPE node_hwmon_temp_crit_celsius gauge\n"
	"node_hwmon_temp_crit_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 100\n"
	"node_hwmon_temp_crit_celsius{chip=\"platform_coretemp_0\",sensor=\"temp2\"} 100\n"
	"# HELP node_hwmon_temp_max_celsius Hardware monitor for temperature (max)\n"
	"# TYPE node_hwmon_temp_max_celsius gauge\n"
	"node_hwmon_temp_max_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 84\n"
	"node_hwmon_temp_max_celsius{chip=\"platform_coretemp_0\",sensor=\"temp2\"} 84\n"
	"# HELP node_hwmon_temp_type Hardware monitor temp element type\n"
	"# TYPE node_hwmon_temp_type gauge\n"
	"node_hwmon_temp_type{chip=\"nct6775\",sensor=\"temp7\"} 4\n"
	"# HELP node_hwmon_update_interval_seconds Hardware monitor update interval\n"
	"# TYPE node_hwmon_update_interval_seconds gauge\n"
	"node_hwmon_update_interval_seconds{chip=\"nct6775\",sensor=\"update_interval0\"} 1\n"
	"# HELP node_hwmon_voltage_regulator_version Hardware voltage regulator\n"
	"# TYPE node_hwmon_voltage_regulator_version gauge\n"
	"node_hwmon_voltage_regulator_version{chip=\"nct6775\",sensor=\"vrm0\"} 12.4\n";

static void test_ipvs_collector(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&ipvs_collector, PROC, SYS, NULL, &out), 0);
	assert_lines(buf_cstr(&out), ipvs_expected);
	assert_int_equal(run(&ipvs_collector, PROC, SYS,
			     "local_address,local_port,remote_address,"
			     "remote_port,proto,local_mark", &out), 0);
	assert_lines(buf_cstr(&out), ipvs_expected);
	/* Fewer labels: backends that now look alike are summed. */
	assert_int_equal(run(&ipvs_collector, PROC, SYS, "remote_port,proto",
			     &out), 0);
	assert_lines(buf_cstr(&out), ipvs_subset_expected);
	assert_int_equal(run(&ipvs_collector, PROC, SYS, "proto,nope", &out),
			 -EINVAL);
	buf_release(&out);
}

static void test_ipvs_collector_files(void **state)
{
	char *dir = test_make_dir("hw4-ipvs");
	struct buf out = BUF_INIT;

	(void)state;
	/* No ip_vs_stats: IPVS is not loaded, no data. */
	assert_int_equal(run(&ipvs_collector, dir, SYS, NULL, &out), -ENODATA);
	/* Stats alone are not enough: upstream needs ip_vs too. */
	test_write_file(dir, "net/ip_vs_stats", "a\nb\n1 2 3 4 5\n");
	assert_int_equal(run(&ipvs_collector, dir, SYS, NULL, &out), -ENOENT);
	test_write_file(dir, "net/ip_vs", "IP Virtual Server version 1.2.1\n");
	assert_int_equal(run(&ipvs_collector, dir, SYS, "", &out), 0);
	assert_lines(buf_cstr(&out),
		"# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.\n"
		"# TYPE node_ipvs_backend_connections_active gauge\n"
		"# HELP node_ipvs_backend_connections_inactive The current inactive connections by local and remote address.\n"
		"# TYPE node_ipvs_backend_connections_inactive gauge\n"
		"# HELP node_ipvs_backend_weight The current backend weight by local and remote address.\n"
		"# TYPE node_ipvs_backend_weight gauge\n"
		"# HELP node_ipvs_connections_total The total number of connections made.\n"
		"# TYPE node_ipvs_connections_total counter\n"
		"node_ipvs_connections_total 1\n"
		"# HELP node_ipvs_incoming_bytes_total The total amount of incoming data.\n"
		"# TYPE node_ipvs_incoming_bytes_total counter\n"
		"node_ipvs_incoming_bytes_total 4\n"
		"# HELP node_ipvs_incoming_packets_total The total number of incoming packets.\n"
		"# TYPE node_ipvs_incoming_packets_total counter\n"
		"node_ipvs_incoming_packets_total 2\n"
		"# HELP node_ipvs_outgoing_bytes_total The total amount of outgoing data.\n"
		"# TYPE node_ipvs_outgoing_bytes_total counter\n"
		"node_ipvs_outgoing_bytes_total 5\n"
		"# HELP node_ipvs_outgoing_packets_total The total number of outgoing packets.\n"
		"# TYPE node_ipvs_outgoing_packets_total counter\n"
		"node_ipvs_outgoing_packets_total 3\n");
	/* With no labels at all, every backend is one sample. */
	test_write_file(dir, "net/ip_vs",
			"TCP  C0A80016:0CEA wlc\n"
			"  -> C0A82A16:0CEA Tunnel 100 248 2\n"
			"FWM  1 wlc\n"
			"  -> C0A82A16:0CEA Route 1 2 3\n");
	assert_int_equal(run(&ipvs_collector, dir, SYS, "", &out), 0);
	assert_non_null(strstr(buf_cstr(&out),
			       "\nnode_ipvs_backend_connections_active 250\n"));
	assert_non_null(strstr(buf_cstr(&out), "\nnode_ipvs_backend_weight 101\n"));
	test_write_file(dir, "net/ip_vs", "TCP\n");
	assert_int_equal(run(&ipvs_collector, dir, SYS, NULL, &out), -EINVAL);
	test_write_file(dir, "net/ip_vs_stats", "a\nb\n1 2 3 4\n");
	assert_int_equal(run(&ipvs_collector, dir, SYS, NULL, &out), -EINVAL);
	buf_release(&out);
	test_remove_dir(dir);
}

static void test_hwmon_collector(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&hwmon_collector, PROC, SYS, NULL, &out), 0);
	assert_lines(buf_cstr(&out), hwmon_expected);
	buf_release(&out);
}

static void test_hwmon_collector_files(void **state)
{
	char *dir = test_make_dir("hw4-hwmon");
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(run(&hwmon_collector, PROC, dir, NULL, &out), -ENODATA);
	/* Two chips named alike: the first one's sample stands. */
	test_write_file(dir, "class/hwmon/hwmon0/name", "acpitz\n");
	test_write_file(dir, "class/hwmon/hwmon0/temp1_input", "27800\n");
	test_write_file(dir, "class/hwmon/hwmon0/temp1_label", "a\xff\xfe" "b\n");
	test_write_file(dir, "class/hwmon/hwmon1/name", "acpitz\n");
	test_write_file(dir, "class/hwmon/hwmon1/temp1_input", "29800\n");
	test_write_file(dir, "class/hwmon/hwmon1/in3", "500\n");
	test_write_file(dir, "class/hwmon/hwmon1/in3_input", "600\n");
	test_write_file(dir, "class/hwmon/hwmon1/temp2_input", "6_00\n");
	test_write_file(dir, "class/hwmon/hwmon1/in5_input", "bad\n");
	test_write_file(dir, "class/hwmon/hwmon1/temp_1x", "5\n");
	test_write_file(dir, "class/hwmon/README", "not a chip\n");
	assert_int_equal(run(&hwmon_collector, PROC, dir, NULL, &out), 0);
	assert_lines(buf_cstr(&out),
		"# HELP node_hwmon_chip_names Annotation metric for human-readable chip names\n"
		"# TYPE node_hwmon_chip_names gauge\n"
		"node_hwmon_chip_names{chip=\"acpitz\",chip_name=\"acpitz\"} 1\n"
		"# HELP node_hwmon_in_input_volts Hardware monitor for voltage (input)\n"
		"# TYPE node_hwmon_in_input_volts gauge\n"
		"node_hwmon_in_input_volts{chip=\"acpitz\",sensor=\"in3\"} 0.6\n"
		"# HELP node_hwmon_in_volts Hardware monitor for voltage ()\n"
		"# TYPE node_hwmon_in_volts gauge\n"
		"node_hwmon_in_volts{chip=\"acpitz\",sensor=\"in3\"} 0.5\n"
		"# HELP node_hwmon_sensor_label Label for given chip and sensor\n"
		"# TYPE node_hwmon_sensor_label gauge\n"
		"node_hwmon_sensor_label{chip=\"acpitz\",label=\"a\xef\xbf\xbd" "b\",sensor=\"temp1\"} 1\n"
		"# HELP node_hwmon_temp_1x_celsius Hardware monitor for temperature (1x)\n"
		"# TYPE node_hwmon_temp_1x_celsius gauge\n"
		"node_hwmon_temp_1x_celsius{chip=\"acpitz\",sensor=\"temp0\"} 0.005\n"
		"# HELP node_hwmon_temp_celsius Hardware monitor for temperature (input)\n"
		"# TYPE node_hwmon_temp_celsius gauge\n"
		"node_hwmon_temp_celsius{chip=\"acpitz\",sensor=\"temp1\"} 27.8\n"
		"node_hwmon_temp_celsius{chip=\"acpitz\",sensor=\"temp2\"} 0.6\n");
	buf_release(&out);
	test_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipvs_parse_stats),
		cmocka_unit_test(test_ipvs_parse_backends),
		cmocka_unit_test(test_ipvs_parse_backends_garbage),
		cmocka_unit_test(test_ipvs_parse_label_list),
		cmocka_unit_test(test_hwmon_clean_name),
		cmocka_unit_test(test_hwmon_split_filename),
		cmocka_unit_test(test_hwmon_parse_float),
		cmocka_unit_test(test_ipvs_collector),
		cmocka_unit_test(test_ipvs_collector_files),
		cmocka_unit_test(test_hwmon_collector),
		cmocka_unit_test(test_hwmon_collector_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
