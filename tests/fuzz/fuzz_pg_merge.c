/*
 * Fuzzes postgres-exporter's exposition merge (several data sources,
 * --constantLabels, --metric-prefix) and --constantLabels parsing: any two
 * bodies (the input split at its first NUL) merge without a crash and
 * without a family header written twice, and every label pair parsed is a
 * valid label name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "pg_expo_merge.h"

static void check_headers_unique(const struct buf *out)
{
	const char *p = out->data, *end = out->data + out->len;
	const char *seen[64];
	size_t lens[64], n = 0;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 7 && !memcmp(p, "# TYPE ", 7)) {
			const char *sp = memchr(p + 7, ' ', len - 7);
			len = sp ? (size_t)(sp - p) : len;	/* "# TYPE name" */
			for (size_t i = 0; i < n; i++)
				if (lens[i] == len && !memcmp(seen[i], p, len))
					abort();
			if (n < 64) {
				seen[n] = p;
				lens[n++] = len;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	static const char *const names[] = { "server", "env" };
	static const char *const values[] = { "h:1", "v\"\\\n" };
	const struct pg_expo_part parts[] = {
		{ text, first, names, values, 2, 1 },
		{ text + (nul ? first + 1 : size), nul ? size - first - 1 : 0, names, values, 2, 1 },
	};
	struct buf out = BUF_INIT;

	pg_expo_merge(parts, 2, "x", &out);
	check_headers_unique(&out);
	buf_release(&out);

	char *copy = malloc(first + 1);
	const char *n[8], *v[8];
	struct buf err = BUF_INIT;
	if (!copy)
		abort();
	memcpy(copy, data, first);
	copy[first] = '\0';
	int got = pg_parse_constant_labels(copy, n, v, 8, &err);
	for (int i = 0; i < got; i++)
		if (!expo_valid_label_name(n[i]))
			abort();
	buf_release(&err);
	free(copy);
	return 0;
}
