#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"

static const char *num(double v)
{
	static char out[EXPO_NUMBER_MAX];
	expo_format_number(out, v);
	return out;
}

static void numbers_special(void **state)
{
	(void)state;
	assert_string_equal(num(NAN), "NaN");
	assert_string_equal(num(INFINITY), "+Inf");
	assert_string_equal(num(-INFINITY), "-Inf");
	assert_string_equal(num(-0.0), "0");
}

static void numbers_integers_have_no_exponent(void **state)
{
	(void)state;
	assert_string_equal(num(0), "0");
	assert_string_equal(num(-1), "-1");
	assert_string_equal(num(25276518400.0), "25276518400");
	assert_string_equal(num(1795507465.0), "1795507465");
	assert_string_equal(num(9007199254740992.0), "9007199254740992");
	/* A counter near 2^64 keeps its integer spelling. */
	assert_string_equal(num(18446744073709551615.0), "18446744073709551616");
	/* Beyond 2^64 an exponent is the honest spelling. */
	assert_string_equal(num(1e30), "1e+30");
}

static void numbers_shortest_round_trip(void **state)
{
	(void)state;
	assert_string_equal(num(0.5), "0.5");
	assert_string_equal(num(0.1), "0.1");
	assert_string_equal(num(0.53), "0.53");
	assert_string_equal(num(1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(num(1e-9), "1e-09");
	assert_string_equal(num(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(num(1.7976931348623157e308), "1.7976931348623157e+308");
	for (double v = 1e-7; v < 1e7; v *= 3.3) {
		char out[EXPO_NUMBER_MAX];
		expo_format_number(out, v);
		assert_true(strtod(out, NULL) == v);
	}
}

/*
 * The reference: printf's spelling, the formatter before its fast paths
 * (the fast paths must never change a byte of it).
 */
static size_t reference_number(char out[EXPO_NUMBER_MAX], double v)
{
	int n;

	if (isnan(v))
		return (size_t)snprintf(out, EXPO_NUMBER_MAX, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, EXPO_NUMBER_MAX, v > 0 ? "+Inf" : "-Inf");
	if (v == trunc(v) && fabs(v) <= 18446744073709551616.0) {
		if (fabs(v) < 9007199254740992.0)
			n = snprintf(out, EXPO_NUMBER_MAX, "%lld", (long long)v);
		else
			n = snprintf(out, EXPO_NUMBER_MAX, "%.0f", v);
		if (n == 2 && out[0] == '-' && out[1] == '0')
			n = snprintf(out, EXPO_NUMBER_MAX, "0");
		return (size_t)n;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(out, EXPO_NUMBER_MAX, "%.*g", prec, v);
		if (prec == 17 || strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

static void check_same(double v)
{
	char got[EXPO_NUMBER_MAX], want[EXPO_NUMBER_MAX];
	size_t gn = expo_format_number(got, v);
	size_t wn = reference_number(want, v);

	if (gn != wn || strcmp(got, want) != 0) {
		print_error("%a: got \"%s\" (%zu), want \"%s\" (%zu)\n", v, got,
			    gn, want, wn);
		fail();
	}
}

/* splitmix64: a fixed, portable sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const double pow10_table[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Decimals with few digits: the values the fast path takes. */
static double random_decimal(uint64_t *s)
{
	uint64_t r = next_random(s);
	unsigned digits = 1 + (unsigned)(r % 17);	/* up to 17 digits */
	unsigned scale = (unsigned)((r >> 8) % 23);	/* / 10^0 .. 10^22 */
	uint64_t m = next_random(s) % (uint64_t)pow10_table[digits];
	double v = (double)m / pow10_table[scale];

	return (r >> 16) & 1 ? -v : v;
}

/* Neighbours of a value: one and two ulps either side. */
static void check_with_neighbours(double v)
{
	check_same(v);
	check_same(nextafter(v, INFINITY));
	check_same(nextafter(v, -INFINITY));
	check_same(nextafter(nextafter(v, INFINITY), INFINITY));
	check_same(nextafter(nextafter(v, -INFINITY), -INFINITY));
}

static void numbers_match_printf_randomized(void **state)
{
	uint64_t seed = 20261124;
	(void)state;

	for (int i = 0; i < 600000; i++) {
		uint64_t bits = next_random(&seed);
		double v;
		memcpy(&v, &bits, sizeof(v));
		check_same(v);				/* any bit pattern */
		check_with_neighbours(random_decimal(&seed));
		/* counter-like: an integer over a power of ten */
		check_same((double)(next_random(&seed) >> (next_random(&seed) % 64)) /
			   pow10_table[next_random(&seed) % 23]);
	}
}

static void numbers_match_printf_at_edges(void **state)
{
	(void)state;
	/* around 1e-4 (printf's switch to an exponent) and the 15-digit end */
	for (int d = 0; d <= 22; d++)
		for (int k = -3; k <= 3; k++) {
			check_with_neighbours(1e-4 + k * 1e-20);
			check_with_neighbours(pow10_table[d] + k);
			check_with_neighbours(pow10_table[d] / 1e22 + k * 1e-25);
			check_with_neighbours((pow10_table[d] - 1) / pow10_table[d]);
			check_with_neighbours(99999999999999.5 + k);
			check_with_neighbours(999999999999999.5 / pow10_table[d]);
			check_with_neighbours(0.00009999999999999999 * (k + 4));
		}
	for (uint64_t m = 1; m < 200000; m++)
		for (int d = 1; d <= 6; d++)
			check_same((double)m / pow10_table[d]);
	/* carries (9.99..9 rounding to 10), halves that 17 digits cannot
	 * call, the extremes */
	check_with_neighbours(1e23);
	check_with_neighbours(9.9999999999999995e22);
	check_with_neighbours(0.99999999999999994);
	check_with_neighbours(9.9999999999999991e-5);
	check_with_neighbours(1.7976931348623157e308);
	check_with_neighbours(2.2250738585072014e-308);
	check_with_neighbours(123456789012345.05);
	check_with_neighbours(1.00000000000000505);
	for (int k = 1; k < 2000; k++)
		check_same(k * 4.9406564584124654e-324);
	check_same(9007199254740993.0);
	check_same(-9007199254740991.0);
	check_same(0.1 + 0.2);
	check_same(5e-324);
	check_same(-0.0);
	/* pinned spellings the fast path produces */
	assert_string_equal(num(0.05), "0.05");
	assert_string_equal(num(-1234.5678), "-1234.5678");
	assert_string_equal(num(0.0001), "0.0001");
	assert_string_equal(num(0.00012), "0.00012");
	assert_string_equal(num(0.00001), "1e-05");
	assert_string_equal(num(12345678901234.5), "12345678901234.5");
	assert_string_equal(num(123456789012345.6), "123456789012345.6");
	assert_string_equal(num(1.000000000000001), "1.000000000000001");
	assert_string_equal(num(1764000000.123456789), "1764000000.1234567");
}

static void label_escaping(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	expo_escape_label(&b, "a\"b\\c\nd\te");
	assert_string_equal(buf_cstr(&b), "a\\\"b\\\\c\\nd\te");
	buf_truncate(&b, 0);
	expo_escape_label(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(buf_cstr(&b), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	buf_truncate(&b, 0);
	/* Invalid UTF-8: a stray byte, an overlong form, a truncated sequence. */
	expo_escape_label(&b, "a\xff" "b\xc0\xaf" "c\xe2\x82");
	assert_string_equal(buf_cstr(&b),
			    "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd");
	buf_release(&b);
}

static void help_escaping(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	expo_escape_help(&b, "say \"hi\"\\\n", EXPO_TEXT);
	assert_string_equal(buf_cstr(&b), "say \"hi\"\\\\\\n");
	buf_truncate(&b, 0);
	expo_escape_help(&b, "say \"hi\"", EXPO_OPENMETRICS);
	assert_string_equal(buf_cstr(&b), "say \\\"hi\\\"");
	buf_release(&b);
}

/* The escaping rules, byte by byte: what the word-at-a-time scan must equal. */
static void reference_escape(struct buf *b, const unsigned char *p, bool quote)
{
	while (*p) {
		if (*p == '\\') {
			buf_add(b, "\\\\", 2);
		} else if (*p == '\n') {
			buf_add(b, "\\n", 2);
		} else if (*p == '"') {
			buf_add(b, quote ? "\\\"" : "\"", quote ? 2 : 1);
		} else if (*p < 0x80) {
			buf_addc(b, (char)*p);
		} else {
			/* Valid UTF-8 sequences kept whole, any other byte U+FFFD. */
			size_t len = *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3 :
				     *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
			bool ok = len > 0;
			for (size_t i = 1; ok && i < len; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok && len == 3)
				ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] > 0x9f);
			if (ok && len == 4)
				ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] > 0x8f);
			if (ok) {
				buf_add(b, p, len);
				p += len;
				continue;
			}
			buf_add(b, "\xef\xbf\xbd", 3);
		}
		p++;
	}
}

/*
 * Random strings of mostly plain bytes with every kind of special one at
 * every offset of an eight-byte word: both escapes equal the reference.
 */
static void escaping_matches_reference(void **state)
{
	static const unsigned char specials[] = {
		'\\', '"', '\n', '\t', 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac,
		0xf0, 0x9f, 0x98, 0xff, 0xc0, 0xed, 0xa0,
	};
	unsigned char s[48];
	struct buf got = BUF_INIT, want = BUF_INIT;

	(void)state;
	srand(11);
	for (int round = 0; round < 300000; round++) {
		size_t len = (size_t)rand() % (sizeof(s) - 1);
		for (size_t i = 0; i < len; i++)
			s[i] = rand() % 6 ? (unsigned char)(' ' + rand() % 95)
					  : specials[(size_t)rand() % sizeof(specials)];
		s[len] = '\0';
		bool quote = round % 2;
		buf_truncate(&got, 0);
		buf_truncate(&want, 0);
		if (quote)
			expo_escape_label(&got, (const char *)s);
		else
			expo_escape_help(&got, (const char *)s, EXPO_TEXT);
		reference_escape(&want, s, quote);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data ? got.data : "", want.data ? want.data : "", got.len);
	}
	buf_release(&got);
	buf_release(&want);
}

static const struct metric_desc fs_size = {
	"node_filesystem_size_bytes", "Filesystem size in bytes.", METRIC_GAUGE,
	LABELS("device", "fstype", "mountpoint"),
};
static const struct metric_desc forks = {
	"node_forks_total", "Total number of forks.", METRIC_COUNTER, NULL,
};

static void family_and_samples(void **state)
{
	struct buf b = BUF_INIT;
	struct expo w;

	(void)state;
	expo_init(&w, &b, EXPO_TEXT);
	expo_family(&w, &fs_size);
	expo_sample(&w, 1024, "/dev/vda", "ext4", "/");
	expo_sample(&w, 2048, "tmpfs", "tmpfs", "/mnt/a \"b\"");
	expo_family(&w, &forks);
	expo_value(&w, 3005);
	expo_finish(&w);
	assert_string_equal(buf_cstr(&b),
		"# HELP node_filesystem_size_bytes Filesystem size in bytes.\n"
		"# TYPE node_filesystem_size_bytes gauge\n"
		"node_filesystem_size_bytes{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/\"} 1024\n"
		"node_filesystem_size_bytes{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/mnt/a \\\"b\\\"\"} 2048\n"
		"# HELP node_forks_total Total number of forks.\n"
		"# TYPE node_forks_total counter\n"
		"node_forks_total 3005\n");
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	buf_release(&b);
}

static void label_count_mismatch_is_dropped(void **state)
{
	struct buf b = BUF_INIT;
	struct expo w;

	(void)state;
	expo_init(&w, &b, EXPO_TEXT);
	expo_family(&w, &fs_size);
	size_t header = b.len;
	expo_sample(&w, 1, "only-one");
	expo_value(&w, 2);
	assert_int_equal(b.len, header);
	assert_int_equal(w.errors, 2);
	expo_release(&w);
	buf_release(&b);
}

static void duplicate_family_is_dropped(void **state)
{
	struct buf b = BUF_INIT;
	struct expo w;

	(void)state;
	expo_init(&w, &b, EXPO_TEXT);
	expo_family(&w, &forks);
	expo_value(&w, 1);
	size_t before = b.len;
	expo_family(&w, &forks);
	expo_value(&w, 2);
	assert_int_equal(b.len, before);
	assert_int_equal(w.errors, 1);
	/* Many families: the seen-set grows and still finds every duplicate. */
	char names[600][32];
	struct metric_desc d[600];
	for (int i = 0; i < 600; i++) {
		snprintf(names[i], sizeof(names[i]), "family_%d", i);
		d[i] = (struct metric_desc){ names[i], NULL, METRIC_GAUGE, NULL };
		expo_family(&w, &d[i]);
	}
	assert_int_equal(w.errors, 1);
	for (int i = 0; i < 600; i += 7)
		expo_family(&w, &d[i]);
	assert_int_equal(w.errors, 1 + 86);
	expo_release(&w);
	buf_release(&b);
}

static void openmetrics(void **state)
{
	static const struct metric_desc plain_counter = {
		"pg_stat_database_xact_commit", "Transactions committed.", METRIC_COUNTER, NULL,
	};
	static const struct metric_desc untyped = {
		"some_value", NULL, METRIC_UNTYPED, NULL,
	};
	struct buf b = BUF_INIT;
	struct expo w;

	(void)state;
	expo_init(&w, &b, EXPO_OPENMETRICS);
	expo_family(&w, &forks);
	expo_value(&w, 7);
	expo_family(&w, &plain_counter);
	expo_value(&w, 8);
	expo_family(&w, &untyped);
	expo_value(&w, 9);
	expo_finish(&w);
	assert_string_equal(buf_cstr(&b),
		"# HELP node_forks Total number of forks.\n"
		"# TYPE node_forks counter\n"
		"node_forks_total 7\n"
		"# HELP pg_stat_database_xact_commit Transactions committed.\n"
		"# TYPE pg_stat_database_xact_commit unknown\n"
		"pg_stat_database_xact_commit 8\n"
		"# TYPE some_value unknown\n"
		"some_value 9\n"
		"# EOF\n");
	expo_release(&w);
	buf_release(&b);
}

static void raw_samples(void **state)
{
	static const struct metric_desc h = {
		"req_seconds", "Request latency.", METRIC_HISTOGRAM, NULL,
	};
	const char *names[] = { "path", "le" };
	const char *values[] = { "/a", "+Inf" };
	struct buf b = BUF_INIT;
	struct expo w;

	(void)state;
	expo_init(&w, &b, EXPO_TEXT);
	expo_family(&w, &h);
	expo_sample_raw(&w, "_bucket", names, values, 2, 3);
	expo_sample_raw(&w, "_sum", names, values, 1, 0.25);
	assert_string_equal(buf_cstr(&b),
		"# HELP req_seconds Request latency.\n"
		"# TYPE req_seconds histogram\n"
		"req_seconds_bucket{path=\"/a\",le=\"+Inf\"} 3\n"
		"req_seconds_sum{path=\"/a\"} 0.25\n");
	expo_release(&w);
	buf_release(&b);
}

static void negotiation(void **state)
{
	(void)state;
	assert_int_equal(expo_negotiate(NULL), EXPO_TEXT);
	assert_int_equal(expo_negotiate("text/plain"), EXPO_TEXT);
	assert_int_equal(expo_negotiate("*/*"), EXPO_TEXT);
	/* What Prometheus 2.x sends when it prefers OpenMetrics. */
	assert_int_equal(expo_negotiate(
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
		"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
		EXPO_OPENMETRICS);
	assert_int_equal(expo_negotiate("text/plain;q=0.5, Application/OpenMetrics-Text"),
			 EXPO_OPENMETRICS);
	assert_int_equal(expo_negotiate("application/openmetrics-text;q=0,text/plain"),
			 EXPO_TEXT);
	assert_string_equal(expo_content_type(EXPO_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
}

static void names(void **state)
{
	(void)state;
	assert_true(expo_valid_metric_name("node_load1"));
	assert_true(expo_valid_metric_name("job:rate5m:sum"));
	assert_false(expo_valid_metric_name("1abc"));
	assert_false(expo_valid_metric_name(""));
	assert_false(expo_valid_metric_name("a-b"));
	assert_true(expo_valid_label_name("_x9"));
	assert_false(expo_valid_label_name("a:b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_special),
		cmocka_unit_test(numbers_integers_have_no_exponent),
		cmocka_unit_test(numbers_shortest_round_trip),
		cmocka_unit_test(numbers_match_printf_randomized),
		cmocka_unit_test(numbers_match_printf_at_edges),
		cmocka_unit_test(label_escaping),
		cmocka_unit_test(help_escaping),
		cmocka_unit_test(escaping_matches_reference),
		cmocka_unit_test(family_and_samples),
		cmocka_unit_test(label_count_mismatch_is_dropped),
		cmocka_unit_test(duplicate_family_is_dropped),
		cmocka_unit_test(openmetrics),
		cmocka_unit_test(raw_samples),
		cmocka_unit_test(negotiation),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
