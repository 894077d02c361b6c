#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static size_t u8(const char *s, size_t n)
{
	return text_utf8_len((const unsigned char *)s, n);
}

static void utf8(void **state)
{
	(void)state;
	assert_int_equal(u8("a", 1), 1);
	assert_int_equal(u8("\xc3\xa9", 2), 2);		/* é */
	assert_int_equal(u8("\xe2\x82\xac", 3), 3);		/* € */
	assert_int_equal(u8("\xf0\x9f\x98\x80", 4), 4);	/* 😀 */
	assert_int_equal(u8("\xe2\x82\xac", 2), 0);		/* cut short by n */
	assert_int_equal(u8("\xe2\x82", 4), 0);		/* cut short by the NUL */
	assert_int_equal(u8("\x80", 1), 0);			/* stray continuation */
	assert_int_equal(u8("\xc0\xaf", 2), 0);		/* overlong '/' */
	assert_int_equal(u8("\xe0\x80\xaf", 3), 0);		/* overlong, 3 bytes */
	assert_int_equal(u8("\xed\xa0\x80", 3), 0);		/* surrogate D800 */
	assert_int_equal(u8("\xf4\x90\x80\x80", 4), 0);	/* past U+10FFFF */
	assert_int_equal(u8("", 0), 0);
}

static void hash(void **state)
{
	char a[64], b[64];

	(void)state;
	/* The same bytes hash alike wherever they lie (unaligned words). */
	memcpy(a, "pg_settings_max_connections", 28);
	memcpy(b + 3, "pg_settings_max_connections", 28);
	assert_true(text_hash(a, 27) == text_hash(b + 3, 27));
	/* Only the n bytes count, not what follows. */
	assert_true(text_hash("abcdefghij", 9) == text_hash("abcdefghiX", 9));
	/* One length: any difference, in a word or the tail, changes it. */
	for (size_t len = 1; len <= 24; len++)
		for (size_t i = 0; i < len; i++) {
			memset(a, 'x', len);
			memset(b, 'x', len);
			b[i] = 'y';
			assert_true(text_hash(a, len) != text_hash(b, len));
		}
	/* The length counts: a trailing NUL byte makes another string. */
	assert_true(text_hash("ab\0", 3) != text_hash("ab", 2));
	assert_true(text_hash("", 0) != text_hash("\0", 1));
	/* Names of one table spread over the low bits (a table's slots). */
	unsigned seen = 0;
	for (int i = 0; i < 64; i++) {
		char name[32];
		snprintf(name, sizeof(name), "node_cpu_seconds_%d", i);
		seen |= 1u << (text_hash(name, strlen(name)) & 31);
	}
	assert_true(__builtin_popcount(seen) >= 24);
}

static void u64(void **state)
{
	char out[TEXT_U64_MAX];

	(void)state;
	assert_string_equal(text_u64(out, 0), "0");
	assert_string_equal(text_u64(out, 10), "10");
	assert_string_equal(text_u64(out, UINT64_MAX), "18446744073709551615");
}

/* Words of digits (up to 21), signs and other bytes: accepted ones read as strtod reads them. */
static void integers_as_strtod(void **state)
{
	static const char *const edges[] = {
		"0", "-0", "7", "007", "-12", "9007199254740993", "18446744073709551615",
		"9999999999999999999", "99999999999999999999", "+5", "-", "", "1e3", "1.5",
		"12a", " 1",
	};
	char s[32];
	double got;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		size_t len = strlen(edges[i]);
		bool digits = len > 0 && strspn(edges[i] + (edges[i][0] == '-'), "0123456789") ==
					    len - (edges[i][0] == '-') && len - (edges[i][0] == '-') > 0;
		bool took = text_parse_integer(edges[i], len, &got);
		/* Taken exactly when it is 1 to 19 digits after an optional '-'. */
		assert_int_equal(took, digits && len - (edges[i][0] == '-') <= 19);
		if (took) {
			double want = strtod(edges[i], NULL);
			assert_memory_equal(&got, &want, sizeof(got));
		}
	}
	srand(5);
	for (int round = 0; round < 300000; round++) {
		size_t len = 0, digits = 1 + (size_t)rand() % 21;
		if (rand() % 3 == 0)
			s[len++] = '-';
		for (size_t d = 0; d < digits; d++)
			s[len++] = (char)('0' + rand() % 10);
		if (rand() % 50 == 0)
			s[rand() % len] = "+-.eX "[rand() % 6];
		s[len] = '\0';
		if (!text_parse_integer(s, len, &got))
			continue;
		char *end;
		double want = strtod(s, &end);
		assert_true(*end == '\0');
		if (memcmp(&got, &want, sizeof(got)) != 0)
			fail_msg("\"%s\": %.17g, strtod %.17g", s, got, want);
	}
	/* The length bounds the word: the digits after it are not read. */
	assert_true(text_parse_integer("123456", 3, &got) && got == 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8),
		cmocka_unit_test(hash),
		cmocka_unit_test(u64),
		cmocka_unit_test(integers_as_strtod),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
