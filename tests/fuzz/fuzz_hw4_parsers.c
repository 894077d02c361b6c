/*
 * Fuzzes the parsers of the ipvs and hwmon collectors. The first byte
 * picks the parser; the rest is its input, NUL-terminated as the
 * collectors hand it over. Besides not crashing, each parser's promises
 * are checked: ipvs backends are bounded by the lines and their label
 * values are printable; hwmon names come out cleaned (only [a-z0-9:_], no
 * '_' at either end), file name splits point inside the name, and floats
 * accepted are never an overflow.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hw4_parse.h"

static size_t count_lines(const char *s)
{
	size_t lines = 1;

	for (; *s; s++)
		lines += *s == '\n';
	return lines;
}

static void fuzz_ipvs_stats(const char *s)
{
	struct ipvs_stats st;

	if (ipvs_parse_stats(s, &st) == 0 && count_lines(s) < 4)
		abort();
}

static void fuzz_ipvs_backends(const char *s)
{
	struct ipvs_backends b = IPVS_BACKENDS_INIT;

	if (ipvs_parse_backends(s, &b) == 0) {
		if (b.n >= count_lines(s) + 1)
			abort();
		for (size_t i = 0; i < b.n; i++)
			for (int l = 0; l < IPVS_NLABELS; l++)
				for (const char *v = ipvs_backend_value(&b, i, l); *v; v++)
					if (*v == '\n')
						abort();
	}
	ipvs_backends_release(&b);
}

static void fuzz_labels(const char *s)
{
	unsigned mask;

	if (ipvs_parse_label_list(s, &mask) == 0 && mask >> IPVS_NLABELS)
		abort();
}

static void fuzz_clean(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	const char *c = hwmon_clean_name(s, n, &b);
	size_t len = strlen(c);

	if (len != b.len || len > n)
		abort();
	if (len && (c[0] == '_' || c[len - 1] == '_'))
		abort();
	for (size_t i = 0; i < len; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') ||
		      c[i] == ':' || c[i] == '_'))
			abort();
	buf_release(&b);
}

static void fuzz_split(const char *s)
{
	struct hwmon_file f;
	size_t n = strlen(s);

	if (!hwmon_split_filename(s, &f))
		return;
	if (!f.type_len || f.type_len > n || f.prop < s || f.prop > s + n)
		abort();
	if (*f.prop && f.prop[-1] != '_')
		abort();
	if (f.num > INT64_MAX)
		abort();
}

static void fuzz_float(const char *s, size_t n)
{
	double v;

	if (hwmon_parse_float(s, n, &v) && isinf(v) && !memchr(s, 'i', n) &&
	    !memchr(s, 'I', n))
		abort();
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

	switch (data[0] % 6) {
	case 0:
		fuzz_ipvs_stats(s);
		break;
	case 1:
		fuzz_ipvs_backends(s);
		break;
	case 2:
		fuzz_labels(s);
		break;
	case 3:
		fuzz_clean(s, strlen(s));
		break;
	case 4:
		fuzz_split(s);
		break;
	case 5:
		fuzz_float(s, strlen(s));
		break;
	}
	free(s);
	return 0;
}
