/*
 * netdev_parse: the pure parsers behind the network collectors (netdev,
 * netclass, arp).
 *
 * Each takes the text of one file as a NUL-terminated string; none touches
 * the file system, so the unit tests and the fuzzer call them directly.
 * They return 0, or -EINVAL for text that is not what the kernel writes;
 * on error the output holds nothing worth using (but must still be
 * released).
 */
#ifndef EXPORTERBOX_NETDEV_PARSE_H
#define EXPORTERBOX_NETDEV_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* ---- netdev.c: /proc/net/dev ------------------------------------------- */

/* The sixteen columns of /proc/net/dev, in the file's order. */
enum netdev_field {
	NETDEV_RX_BYTES, NETDEV_RX_PACKETS, NETDEV_RX_ERRS, NETDEV_RX_DROP,
	NETDEV_RX_FIFO, NETDEV_RX_FRAME, NETDEV_RX_COMPRESSED,
	NETDEV_RX_MULTICAST,
	NETDEV_TX_BYTES, NETDEV_TX_PACKETS, NETDEV_TX_ERRS, NETDEV_TX_DROP,
	NETDEV_TX_FIFO, NETDEV_TX_COLLS, NETDEV_TX_CARRIER,
	NETDEV_TX_COMPRESSED,
	NETDEV_NFIELDS,
};

struct netdev_stat {
	size_t name;			/* where its name starts in names */
	uint64_t v[NETDEV_NFIELDS];
};

struct netdev_stats {
	struct buf names;		/* device names, NUL-separated */
	struct netdev_stat *v;
	size_t n, cap;
};

#define NETDEV_STATS_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses /proc/net/dev: two header lines, then "name: 16 numbers" per
 * device. As the Go procfs library does, the name is everything before the
 * line's last colon with blanks trimmed, and a device seen twice keeps its
 * last line. -EINVAL on a line without a colon, an empty name, fewer than
 * sixteen numbers or a bad one. The result is sorted by name (bytewise);
 * free it with netdev_stats_release().
 */
int netdev_parse(const char *text, struct netdev_stats *out);
const char *netdev_name(const struct netdev_stats *s, size_t i);
void netdev_stats_release(struct netdev_stats *s);

/*
 * For node_network_address_info: the scope upstream gives an address
 * (family AF_INET or AF_INET6, addr its 4 or 16 bytes): "link-local" for
 * loopback, link-local unicast and link-local multicast, "interface-local"
 * for ff01::/16, "global" for other unicast and multicast, else
 * "undefined" (0.0.0.0, ::, 255.255.255.255). And the prefix length of a
 * netmask of len bytes, as Go's Mask.Size() counts it (0 when the mask is
 * not contiguous ones).
 */
const char *netdev_addr_scope(int family, const unsigned char *addr);
unsigned netdev_mask_bits(const unsigned char *mask, size_t len);

/* ---- arp.c: /proc/net/arp ------------------------------------------------ */

struct arp_count {
	size_t device;			/* where its name starts in names */
	uint64_t entries;
};

struct arp_counts {
	struct buf names;
	struct arp_count *v;
	size_t n, cap;
};

#define ARP_COUNTS_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Counts the entries of /proc/net/arp per device (the last column). Every
 * line, the header included, must have at least six words, as upstream
 * demands; the header is the line whose first word is "IP". Sorted by
 * device; free with arp_counts_release().
 */
int arp_parse(const char *text, struct arp_counts *out);
const char *arp_device(const struct arp_counts *c, size_t i);
void arp_counts_release(struct arp_counts *c);

/* ---- netclass.c: /sys/class/net/<iface>/<attribute> --------------------- */

/*
 * Parses a numeric attribute as Go's strconv.ParseInt(TrimSpace(s), 0, 64)
 * does: optional sign, then decimal, 0x hex ("0x1003" from flags), 0o or a
 * leading 0 for octal, 0b binary, '_' between digits. -EINVAL on anything
 * else, -ERANGE outside int64.
 */
int netclass_parse_int(const char *text, int64_t *out);

/*
 * The string value of an attribute: text with leading and trailing
 * whitespace dropped, as upstream's SysReadFile trims it. Returns the
 * length, and sets *start to where the value begins in text.
 */
size_t netclass_trim(const char *text, size_t len, const char **start);

#endif
