#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The invariant buf.h promises after every call. */
static void assert_invariant(const struct buf *b)
{
	if (!b->data) {
		assert_int_equal(b->len, 0);
		assert_int_equal(b->cap, 0);
		return;
	}
	assert_true(b->len < b->cap);
	assert_int_equal(b->data[b->len], '\0');
}

static void test_empty(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_null(b.data);
	assert_string_equal(buf_cstr(&b), "");
	buf_truncate(&b, 0);
	buf_truncate(&b, 10);
	assert_invariant(&b);
	buf_release(&b);
	assert_invariant(&b);
}

static void test_add_and_grow(void **state)
{
	struct buf b = BUF_INIT;
	char want[1001];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		buf_addc(&b, (char)('a' + i % 26));
		want[i] = (char)('a' + i % 26);
		assert_invariant(&b);
	}
	want[1000] = '\0';
	assert_int_equal(b.len, 1000);
	assert_string_equal(b.data, want);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_add_binary(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	assert_invariant(&b);
	buf_add(&b, NULL, 0);
	assert_int_equal(b.len, 3);
	buf_adds(&b, "cd");
	assert_memory_equal(b.data, "a\0bcd", 6);
	buf_release(&b);
}

static void test_add_nothing_allocates_terminator(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_add(&b, "", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_invariant(&b);
	buf_release(&b);
}

static void test_addf(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_addf(&b, "%s=%d", "x", 42);
	assert_string_equal(buf_cstr(&b), "x=42");
	buf_addf(&b, "%c%.2f", ' ', 1.5);
	assert_string_equal(buf_cstr(&b), "x=42 1.50");
	assert_invariant(&b);
	buf_release(&b);
}

/* Past the first 64 bytes: vsnprintf must be retried on a grown buffer. */
static void test_addf_long(void **state)
{
	struct buf b = BUF_INIT;
	char big[5000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_adds(&b, "head:");
	buf_addf(&b, "[%s]%d", big, 7);
	assert_int_equal(b.len, 5 + 1 + 4999 + 1 + 1);
	assert_memory_equal(b.data, "head:[xxx", 9);
	assert_string_equal(b.data + b.len - 2, "]7");
	assert_invariant(&b);
	/* Exactly filling the space left must not lose the last byte. */
	for (int i = 0; i < 300; i++) {
		size_t before = b.len;

		buf_addf(&b, "%0*d", i % 70, 0);
		assert_int_equal(b.len, before + (size_t)(i % 70 ? i % 70 : 1));
		assert_invariant(&b);
	}
	buf_release(&b);
}

static void test_truncate(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "hello world");
	buf_truncate(&b, 5);
	assert_string_equal(buf_cstr(&b), "hello");
	assert_int_equal(b.len, 5);
	buf_truncate(&b, 50);
	assert_string_equal(buf_cstr(&b), "hello");
	buf_adds(&b, "!");
	assert_string_equal(buf_cstr(&b), "hello!");
	buf_truncate(&b, 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_invariant(&b);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *p;

	(void)state;
	buf_adds(&b, "abc");
	p = buf_detach(&b, &len);
	assert_string_equal(p, "abc");
	assert_int_equal(len, 3);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(p);

	/* An empty buffer still hands out a string the caller can free. */
	p = buf_detach(&b, NULL);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	assert_invariant(&b);

	/* Reusable afterwards. */
	buf_adds(&b, "again");
	assert_string_equal(buf_cstr(&b), "again");
	buf_release(&b);
}

/* Every length from 0 to 40, at eight offsets. */
static void test_add_every_length(void **state)
{
	char src[64], want[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)('A' + i % 26 + (i / 26) * 7);
	for (size_t start = 0; start < 8; start++) {
		struct buf b = BUF_INIT;
		size_t len = 0;
		buf_add(&b, "........", start);
		memcpy(want, "........", start);
		len = start;
		for (size_t n = 0; n <= 40; n++) {
			buf_add(&b, src + n % 7, n);
			memcpy(want + len, src + n % 7, n);
			len += n;
			assert_int_equal(b.len, len);
			assert_memory_equal(b.data, want, len);
			assert_int_equal(b.data[len], '\0');
			assert_invariant(&b);
		}
		buf_release(&b);
	}
}

static void test_grow_reserves(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_grow(&b, 1000);
	assert_true(b.cap >= 1001);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");	/* reserving keeps it a string */
	assert_invariant(&b);
	char *before = b.data;
	for (int i = 0; i < 1000; i++)
		buf_addc(&b, 'z');
	assert_ptr_equal(b.data, before);	/* no reallocation was needed */
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_and_grow),
		cmocka_unit_test(test_add_binary),
		cmocka_unit_test(test_add_nothing_allocates_terminator),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_addf_long),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_grow_reserves),
		cmocka_unit_test(test_add_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
