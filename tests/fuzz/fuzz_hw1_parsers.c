/*
 * Fuzzes the parsers of the thermal_zone, rapl, schedstat and dmi
 * collectors (hw1_parse.h). The first byte picks the parser, the rest is
 * the file's text. Beyond memory safety it checks what the writers rely
 * on: trimmed text has no space at either end, a rapl family name is a
 * valid metric name, a cleaned path has no "//" or "/./", a schedstat CPU
 * is all digits, and the DMI value is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "hw1_parse.h"
#include "text.h"

static void fuzz_trim(const char *s, size_t n)
{
	const char *p;
	size_t len = hw1_trim_space(s, n, &p);

	if (p < s || p + len > s + n)
		abort();
	if (len && (hw1_is_space_seq((const unsigned char *)p, 1) ||
		    hw1_is_space_seq((const unsigned char *)p + len - 1, 1)))
		abort();
}

static void fuzz_numbers(const char *s)
{
	int64_t v;
	uint64_t u;

	(void)thermal_parse_int(s, &v);
	(void)thermal_parse_uint(s, &u);
	(void)rapl_parse_uint(s, &u);
}

static void fuzz_rapl_name(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t base;
	int64_t index;

	if (rapl_split_index(s, n, &base, &index) && base >= n)
		abort();
	rapl_family_name(s, n, &b);
	if (!expo_valid_metric_name(buf_cstr(&b)) || strchr(buf_cstr(&b), ':'))
		abort();
	buf_truncate(&b, 0);
	rapl_clean_path(s, &b);
	if (!b.len || strstr(buf_cstr(&b), "//") || strstr(buf_cstr(&b), "/./"))
		abort();
	buf_release(&b);
}

static void fuzz_schedstat(const char *s, size_t n)
{
	struct schedstat st = SCHEDSTAT_INIT;

	schedstat_parse(s, n, &st);
	for (size_t i = 0; i < st.n; i++) {
		const char *cpu = schedstat_cpu_name(&st, i);

		if (!*cpu || strspn(cpu, "0123456789") != strlen(cpu))
			abort();
	}
	schedstat_release(&st);
}

static void fuzz_dmi(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	dmi_valid_utf8(s, n, &b);
	for (size_t i = 0; i < b.len;) {
		size_t k = text_utf8_len((const unsigned char *)b.data + i,
					 b.len - i);

		/* A NUL of the input is kept: it is valid UTF-8. */
		if (!k && b.data[i])
			abort();
		i += k ? k : 1;
	}
	(void)dmi_label_for_file(s);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	s = malloc(n + 1);
	if (!s)
		return 0;
	memcpy(s, data + 1, n);
	s[n] = '\0';
	switch (data[0] % 5) {
	case 0:
		fuzz_trim(s, n);
		break;
	case 1:
		fuzz_numbers(s);
		break;
	case 2:
		fuzz_rapl_name(s, n);
		break;
	case 3:
		fuzz_schedstat(s, n);
		break;
	default:
		fuzz_dmi(s, n);
		break;
	}
	free(s);
	return 0;
}
