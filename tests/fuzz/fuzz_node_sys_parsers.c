/*
 * Fuzzes the sysfs attribute parsers of the infiniband and bcache
 * collectors, and the cpu collector's /proc/cpuinfo parser. The first byte picks the parser; the rest is its input,
 * NUL-terminated as the collectors hand it over. Besides not crashing,
 * the parsers' promises are checked: a state id fits 32 bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node_parse.h"
#include "sys_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v;
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
		if (ib_parse_state(s, &v) == 0 && v > UINT32_MAX)
			abort();
		break;
	case 1:
		(void)ib_parse_rate(s, &v);
		break;
	case 2: {
		int64_t sv;

		(void)bcache_dehumanize(s, strlen(s), &v);
		(void)bcache_dehumanize_signed(s, strlen(s), &sv);
		break;
	}
	case 3: {
		struct bcache_writeback wb;

		(void)bcache_parse_writeback(s, &wb);
		break;
	}
	case 4: {
		uint64_t meta;

		(void)bcache_parse_priority(s, &v, &meta);
		break;
	}
	case 5: {
		struct cpu_infos c;

		if (cpu_info_parse(s, &c) == 0 && (!c.n || !c.v[0].processor))
			abort();
		cpu_infos_release(&c);
		break;
	}
	}
	free(s);
	return 0;
}
