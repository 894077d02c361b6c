#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
	(void)state;
	/* FNV-1a's published test vectors. */
	assert_true(text_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(text_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(text_hash("foobar", 6) == 0x85944171f73967e8ULL);
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
