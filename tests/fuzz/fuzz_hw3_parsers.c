/*
 * Fuzzes the parsers behind the mdadm, edac, fibrechannel and tapestats
 * node collectors. The first byte picks the parser (mdstat for most
 * values: it is the one with real structure); the rest is its input,
 * NUL-terminated as the collectors hand it over. Besides not crashing,
 * the mdstat parser's promises are checked: every array has a name, a
 * known state, and failed/spare counts that cannot exceed the text's
 * length; a refused text still releases cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw3_parse.h"

static void fuzz_mdstat(const char *s, size_t len)
{
	struct md_stat m = MD_STAT_INIT;

	if (mdstat_parse(s, &m) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			const struct md_array *a = &m.v[i];

			if (!a->name || !*a->name || strlen(a->name) > len)
				abort();
			if (a->state > MD_OTHER)
				abort();
			if (a->disks_failed < 0 || a->disks_spare < 0 ||
			    (uint64_t)(a->disks_failed + a->disks_spare) > len)
				abort();
		}
	}
	md_stat_release(&m);
}

static void fuzz_uint(const char *s, int base)
{
	uint64_t v;

	/* A parsed attribute has at least one digit. */
	if (hw3_parse_uint(s, base, &v) == 0 && !strpbrk(s, "0123456789"))
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
	switch (data[0] % 4) {
	case 0:
		fuzz_uint(s, 10);
		break;
	case 1:
		fuzz_uint(s, 0);
		break;
	default:
		fuzz_mdstat(s, size - 1);
		break;
	}
	free(s);
	return 0;
}
