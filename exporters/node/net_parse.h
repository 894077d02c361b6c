/*
 * net_parse: the pure parsers behind the network protocol collectors
 * (netstat, sockstat, softnet, udp_queues).
 *
 * Each takes the text of one /proc/net file as a NUL-terminated string and
 * fills a plain struct; none touches the file system, so the unit tests and
 * the fuzzer call them directly. They return 0, or -EINVAL for text the
 * Go procfs code behind node_exporter 1.5 would reject; on error the output
 * holds nothing worth using (but may still be released).
 */
#ifndef EXPORTERBOX_NET_PARSE_H
#define EXPORTERBOX_NET_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "go_strconv.h"

/* ---- netstat.c: /proc/net/netstat, /proc/net/snmp, /proc/net/snmp6 ---- */

struct netstat_entry {
	size_t key;		/* offset of "Proto_Field" in names */
	size_t proto_len;	/* length of "Proto": where the '_' is */
	unsigned file;		/* which parse call added it */
	size_t seq;		/* insertion order: the later one wins */
	double value;
	bool valid;		/* the value parses as Go's ParseFloat would */
};

struct netstat {
	struct buf names;	/* keys, NUL-separated */
	struct netstat_entry *v;
	size_t n, cap;
	unsigned file;		/* parse calls so far */
	size_t seq;
};

#define NETSTAT_INIT { BUF_INIT, NULL, 0, 0, 0, 0 }

/*
 * Adds the fields of a netstat or snmp file (pairs of lines "Proto: A B" /
 * "Proto: 1 2", words split on single spaces) to st. A protocol replaces
 * everything st held for it before, as upstream's map merge does, so
 * parsing netstat and then snmp into one st gives upstream's view. A value
 * that is not a number is kept but marked invalid: upstream fails the
 * scrape on it only if it survives the merge.
 */
int netstat_parse(const char *text, struct netstat *st);

/*
 * Adds the fields of /proc/net/snmp6 ("Ip6InOctets   12" per line) to st:
 * the protocol is the name up to and including its first '6'; lines
 * without a '6' or with fewer than two words are skipped. A protocol seen
 * here replaces what earlier files gave for it.
 */
int netstat_parse_snmp6(const char *text, struct netstat *st);

/*
 * Sorts the entries by key (bytewise, as the registry sorts families) and
 * drops all but the last of each key.
 */
void netstat_finish(struct netstat *st);
const char *netstat_key(const struct netstat *st, size_t i);
void netstat_release(struct netstat *st);

/* ---- sockstat.c: /proc/net/sockstat and sockstat6 ---------------------- */

/* In the order upstream lists them (and so the order of its mem_bytes). */
enum sockstat_field {
	SOCKSTAT_INUSE, SOCKSTAT_ORPHAN, SOCKSTAT_TW, SOCKSTAT_ALLOC,
	SOCKSTAT_MEM, SOCKSTAT_MEMORY, SOCKSTAT_NFIELDS,
};

struct sockstat_proto {
	size_t name;		/* offset of the protocol name in names */
	int64_t v[SOCKSTAT_NFIELDS];
	unsigned have;		/* bit i: field i was on the line */
};

struct sockstat {
	bool have_used;		/* a "sockets:" line was there */
	int64_t used;
	struct buf names;
	struct sockstat_proto *v;
	size_t n, cap;
};

#define SOCKSTAT_INIT { false, 0, BUF_INIT, NULL, 0, 0 }

/*
 * Parses "PROTO: key value key value ..." lines (single-space separated,
 * values as Go's ParseInt with base 0 reads them: 010 is octal, 0x10 hex).
 * "inuse" is always reported (0 when absent), the other known keys only
 * when present; unknown keys are ignored.
 */
int sockstat_parse(const char *text, struct sockstat *out);
const char *sockstat_name(const struct sockstat *s, size_t i);
void sockstat_release(struct sockstat *s);

/* ---- softnet.c: /proc/net/softnet_stat --------------------------------- */

struct softnet_cpu {
	uint32_t processed, dropped, time_squeezed;
};

/*
 * One entry per line (at least 9 hex columns; the first three are kept).
 * *out is malloc'ed (NULL when no lines); free it.
 */
int softnet_parse(const char *text, struct softnet_cpu **out, size_t *n);

/* ---- udp_queues.c: /proc/net/udp and udp6 ------------------------------ */

struct udp_queues {
	uint64_t tx, rx;	/* summed, wrapping as upstream's uint64 does */
	uint64_t sockets;
};

/*
 * Sums the tx_queue:rx_queue column over the socket lines (the first line
 * is the header). Each line must carry at least 10 columns with well-formed
 * sl, addresses (4 or 16 bytes in hex), ports, state, uid and inode.
 */
int udp_queues_parse(const char *text, struct udp_queues *out);

#endif
