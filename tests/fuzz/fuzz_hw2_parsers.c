/*
 * Fuzzes the parsers of the cpufreq, nvme, powersupplyclass and bonding
 * collectors (hw2_parse.h). The first byte picks the parser, the rest is
 * the attribute's text. Beyond memory safety it checks what the writers
 * rely on: a trimmed value has no blanks at its ends, a number that parses
 * is made of what Go would take, and split words are whole, non-empty
 * words.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw2_parse.h"

static bool is_blank(char c)
{
	return c && strchr(" \t\n\v\f\r", c) != NULL;
}

static void fuzz_trim(const char *s)
{
	struct buf b = BUF_INIT;
	const char *start;
	size_t len = hw2_trim(s, &start);

	if (len > strlen(s) || start < s || start + len > s + strlen(s))
		abort();
	if (len && (is_blank(start[0]) || is_blank(start[len - 1])))
		abort();
	if (strlen(hw2_trim_into(s, &b)) != len)
		abort();
	buf_release(&b);
}

static void fuzz_u64(const char *s)
{
	const char *start;
	size_t len = hw2_trim(s, &start);
	uint64_t v;

	if (hw2_parse_u64(s, &v) != 0)
		return;
	if (!len || strspn(start, "0123456789") < len)
		abort();
}

/* A value that parses prints back to text that parses to the same value. */
static void fuzz_i64(const char *s)
{
	char again[32];
	int64_t v, w;

	if (hw2_parse_i64(s, &v) != 0)
		return;
	snprintf(again, sizeof(again), "%" PRId64, v);
	if (hw2_parse_i64(again, &w) != 0 || w != v)
		abort();
}

static void fuzz_words(const char *s)
{
	struct buf b = BUF_INIT;
	size_t n = hw2_split_words(s, &b);
	const char *w = b.len ? b.data : "";
	size_t seen = 0;

	for (const char *p = w; p < w + b.len; p += strlen(p) + 1, seen++) {
		if (!*p)
			abort();
		for (const char *q = p; *q; q++)
			if (is_blank(*q))
				abort();
	}
	if (seen != n)
		abort();
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 4) {
	case 0:
		fuzz_trim(s);
		break;
	case 1:
		fuzz_u64(s);
		break;
	case 2:
		fuzz_i64(s);
		break;
	case 3:
		fuzz_words(s);
		break;
	}
	free(s);
	return 0;
}
