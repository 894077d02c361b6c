#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8),
		cmocka_unit_test(hash),
		cmocka_unit_test(u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
