/*
 * Fuzzes the parsers of /proc/net text used by the netstat, sockstat,
 * softnet and udp_queues collectors. The first byte picks the parser; the
 * rest is its input, NUL-terminated as the collectors hand it over. Besides
 * not crashing, each parser's promises are checked: netstat keys come out
 * sorted and unique with the '_' where proto_len says; sockstat fields
 * have inuse set; udp socket counts are bounded by the lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "net_parse.h"

static void check_netstat(const struct netstat *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const char *key = netstat_key(st, i);

		if (strlen(key) < st->v[i].proto_len + 1 ||
		    key[st->v[i].proto_len] != '_')
			abort();
		if (i && strcmp(netstat_key(st, i - 1), key) >= 0)
			abort();
	}
}

/*
 * The text is split at its first NUL-free '\f' into netstat and snmp6
 * parts, so one input exercises the cross-file replacement too.
 */
static void fuzz_netstat(char *s)
{
	struct netstat st = NETSTAT_INIT;
	char *six = strchr(s, '\f');
	int err;

	if (six)
		*six++ = '\0';
	err = netstat_parse(s, &st);
	if (!err && six)
		err = netstat_parse_snmp6(six, &st);
	if (!err) {
		netstat_finish(&st);
		check_netstat(&st);
	}
	netstat_release(&st);
}

static void fuzz_sockstat(const char *s)
{
	struct sockstat ss = SOCKSTAT_INIT;

	if (sockstat_parse(s, &ss) == 0)
		for (size_t i = 0; i < ss.n; i++)
			if (!(ss.v[i].have & (1u << SOCKSTAT_INUSE)) ||
			    ss.v[i].have >> SOCKSTAT_NFIELDS)
				abort();
	sockstat_release(&ss);
}

static void fuzz_softnet(const char *s)
{
	struct softnet_cpu *c;
	size_t n, lines = 1;

	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	if (softnet_parse(s, &c, &n) == 0 && n > lines)
		abort();
	free(c);
}

static void fuzz_udp(const char *s)
{
	struct udp_queues q;
	size_t lines = 1;

	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	if (udp_queues_parse(s, &q) == 0 && q.sockets >= lines)
		abort();
}

static void fuzz_numbers(const char *s, size_t n)
{
	uint64_t u;
	int64_t i;

	for (int base = 0; base <= 16; base += base ? 6 : 10)
		go_parse_uint(s, n, base, base == 16 ? 32 : 64, &u);
	go_parse_int(s, n, 0, &i);
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

	switch (data[0] % 5) {
	case 0:
		fuzz_netstat(s);
		break;
	case 1:
		fuzz_sockstat(s);
		break;
	case 2:
		fuzz_softnet(s);
		break;
	case 3:
		fuzz_udp(s);
		break;
	case 4:
		fuzz_numbers(s, strlen(s));
		break;
	}
	free(s);
	return 0;
}
