/*
 * Fuzzes the parsers behind the network collectors. The first byte picks
 * the parser; the rest is its input, NUL-terminated as the collectors hand
 * it over. Besides not crashing, each parser's promises are checked:
 * netdev and arp results are sorted by name without repeats, names are
 * non-empty and blank-free at their ends; a parsed integer prints back to
 * a number that parses to the same value; trimming never grows the text;
 * address scopes are one of four words and prefix lengths fit the mask.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdev_parse.h"

static void fuzz_netdev(const char *s)
{
	struct netdev_stats st = NETDEV_STATS_INIT;

	if (netdev_parse(s, &st) == 0) {
		for (size_t i = 0; i < st.n; i++) {
			const char *name = netdev_name(&st, i);
			size_t len = strlen(name);
			if (!len || name[0] == ' ' || name[len - 1] == ' ')
				abort();
			if (i && strcmp(netdev_name(&st, i - 1), name) >= 0)
				abort();
		}
	}
	netdev_stats_release(&st);
}

static void fuzz_arp(const char *s)
{
	struct arp_counts c = ARP_COUNTS_INIT;

	if (arp_parse(s, &c) == 0) {
		for (size_t i = 0; i < c.n; i++) {
			if (!*arp_device(&c, i) || c.v[i].entries == 0)
				abort();
			if (i && strcmp(arp_device(&c, i - 1), arp_device(&c, i)) >= 0)
				abort();
		}
	}
	arp_counts_release(&c);
}

static void fuzz_int(const char *s)
{
	char back[32];
	int64_t v, again;

	if (netclass_parse_int(s, &v) != 0)
		return;
	snprintf(back, sizeof(back), "%" PRId64, v);
	if (netclass_parse_int(back, &again) != 0 || again != v)
		abort();
}

static void fuzz_trim(const char *s, size_t len)
{
	const char *start;
	size_t n = netclass_trim(s, len, &start);

	if (start < s || start + n > s + len)
		abort();
	/* Trimming is idempotent. */
	if (netclass_trim(start, n, &start) != n)
		abort();
}

/* Raw bytes as an address and a netmask. */
static void fuzz_addr(const uint8_t *data, size_t size)
{
	unsigned char a[16] = { 0 };
	size_t len = size > 4 ? 16 : 4;
	const char *scope;
	unsigned bits;

	memcpy(a, data, size < 16 ? size : 16);
	scope = netdev_addr_scope(len == 4 ? AF_INET : AF_INET6, a);
	if (strcmp(scope, "link-local") && strcmp(scope, "interface-local") &&
	    strcmp(scope, "global") && strcmp(scope, "undefined"))
		abort();
	bits = netdev_mask_bits(a, len);
	if (bits > len * 8)
		abort();
	/* A prefix that is reported must be exactly the mask's ones. */
	for (unsigned i = 0; bits && i < len * 8; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) != (i < bits))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	switch (data[0] % 5) {
	case 0:
		fuzz_netdev(s);
		break;
	case 1:
		fuzz_arp(s);
		break;
	case 2:
		fuzz_int(s);
		break;
	case 3:
		fuzz_trim(s, size - 1);
		break;
	default:
		fuzz_addr(data + 1, size - 1);
		break;
	}
	free(s);
	return 0;
}
