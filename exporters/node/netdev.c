/*
 * netdev: per-device traffic counters, node_network_*_total{device}, as
 * node_exporter 1.5 reports them.
 *
 * Upstream 1.5 reads the counters over rtnetlink by default and renames
 * them to the old /proc/net/dev names. The kernel writes /proc/net/dev from
 * the same rtnl_link_stats64 and folds the detailed errors into its columns
 * exactly as upstream's renaming does (drop = dropped + missed, frame =
 * frame + length + over + crc, carrier = carrier + aborted + heartbeat +
 * window), so the file gives the same numbers. The one counter netlink has
 * and the file lacks, rx_nohandler, comes from sysfs.
 *
 * With --collector.netdev.enable-detailed-metrics upstream exposes the
 * netlink fields under their own names; each one is a file under
 * /sys/class/net/<dev>/statistics, which is where we read them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fsutil.h"
#include "log.h"
#include "netdev_parse.h"
#include "device_filter.h"
#include "node.h"
#include "node_parse.h"

#define DEV LABELS("device")
#define STAT(key) "node_network_" key "_total", \
	"Network device statistic " key ".", METRIC_COUNTER, DEV

/* Where a family's value comes from: a column, or a statistics file. */
#define FROM_SYSFS NETDEV_NFIELDS

struct netdev_family {
	struct metric_desc desc;
	int column;			/* enum netdev_field, or FROM_SYSFS */
	const char *file;		/* statistics/<file> when FROM_SYSFS */
};

/* Sorted by name, as node_exporter's output is. */
static const struct netdev_family legacy_families[] = {
	{ { STAT("receive_bytes") }, NETDEV_RX_BYTES, NULL },
	{ { STAT("receive_compressed") }, NETDEV_RX_COMPRESSED, NULL },
	{ { STAT("receive_drop") }, NETDEV_RX_DROP, NULL },
	{ { STAT("receive_errs") }, NETDEV_RX_ERRS, NULL },
	{ { STAT("receive_fifo") }, NETDEV_RX_FIFO, NULL },
	{ { STAT("receive_frame") }, NETDEV_RX_FRAME, NULL },
	{ { STAT("receive_multicast") }, NETDEV_RX_MULTICAST, NULL },
	{ { STAT("receive_nohandler") }, FROM_SYSFS, "rx_nohandler" },
	{ { STAT("receive_packets") }, NETDEV_RX_PACKETS, NULL },
	{ { STAT("transmit_bytes") }, NETDEV_TX_BYTES, NULL },
	{ { STAT("transmit_carrier") }, NETDEV_TX_CARRIER, NULL },
	{ { STAT("transmit_colls") }, NETDEV_TX_COLLS, NULL },
	{ { STAT("transmit_compressed") }, NETDEV_TX_COMPRESSED, NULL },
	{ { STAT("transmit_drop") }, NETDEV_TX_DROP, NULL },
	{ { STAT("transmit_errs") }, NETDEV_TX_ERRS, NULL },
	{ { STAT("transmit_fifo") }, NETDEV_TX_FIFO, NULL },
	{ { STAT("transmit_packets") }, NETDEV_TX_PACKETS, NULL },
};

/* Upstream's netlink field names and the sysfs files that hold them. */
static const struct netdev_family detailed_families[] = {
	{ { STAT("collisions") }, FROM_SYSFS, "collisions" },
	{ { STAT("multicast") }, FROM_SYSFS, "multicast" },
	{ { STAT("receive_bytes") }, FROM_SYSFS, "rx_bytes" },
	{ { STAT("receive_compressed") }, FROM_SYSFS, "rx_compressed" },
	{ { STAT("receive_crc_errors") }, FROM_SYSFS, "rx_crc_errors" },
	{ { STAT("receive_dropped") }, FROM_SYSFS, "rx_dropped" },
	{ { STAT("receive_errors") }, FROM_SYSFS, "rx_errors" },
	{ { STAT("receive_fifo_errors") }, FROM_SYSFS, "rx_fifo_errors" },
	{ { STAT("receive_frame_errors") }, FROM_SYSFS, "rx_frame_errors" },
	{ { STAT("receive_length_errors") }, FROM_SYSFS, "rx_length_errors" },
	{ { STAT("receive_missed_errors") }, FROM_SYSFS, "rx_missed_errors" },
	{ { STAT("receive_nohandler") }, FROM_SYSFS, "rx_nohandler" },
	{ { STAT("receive_over_errors") }, FROM_SYSFS, "rx_over_errors" },
	{ { STAT("receive_packets") }, FROM_SYSFS, "rx_packets" },
	{ { STAT("transmit_aborted_errors") }, FROM_SYSFS, "tx_aborted_errors" },
	{ { STAT("transmit_bytes") }, FROM_SYSFS, "tx_bytes" },
	{ { STAT("transmit_carrier_errors") }, FROM_SYSFS, "tx_carrier_errors" },
	{ { STAT("transmit_compressed") }, FROM_SYSFS, "tx_compressed" },
	{ { STAT("transmit_dropped") }, FROM_SYSFS, "tx_dropped" },
	{ { STAT("transmit_errors") }, FROM_SYSFS, "tx_errors" },
	{ { STAT("transmit_fifo_errors") }, FROM_SYSFS, "tx_fifo_errors" },
	{ { STAT("transmit_heartbeat_errors") }, FROM_SYSFS, "tx_heartbeat_errors" },
	{ { STAT("transmit_packets") }, FROM_SYSFS, "tx_packets" },
	{ { STAT("transmit_window_errors") }, FROM_SYSFS, "tx_window_errors" },
};

static const struct metric_desc address_info_desc = {
	.name = "node_network_address_info",
	.help = "node network address by device",
	.type = METRIC_GAUGE,
	.labels = LABELS("address", "device", "netmask", "scope"),
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parsing ------------------------------------------------------------ */

const char *netdev_name(const struct netdev_stats *s, size_t i)
{
	return s->names.data + s->v[i].name;
}

/* The entry for name, added (zeroed) when it is new. */
static struct netdev_stat *netdev_slot(struct netdev_stats *s,
				       const char *name, size_t len)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *have = netdev_name(s, i);
		if (strlen(have) == len && memcmp(have, name, len) == 0)
			return &s->v[i];
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct netdev_stat *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			abort();
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = (struct netdev_stat){ .name = s->names.len };
	buf_add(&s->names, name, len);
	buf_addc(&s->names, '\0');
	return &s->v[s->n++];
}

/* Parses one device line [s, end). */
static int netdev_parse_line(struct netdev_stats *out, const char *s,
			     const char *end)
{
	struct node_word w[NETDEV_NFIELDS];
	uint64_t v[NETDEV_NFIELDS];
	const char *colon = NULL, *name = s, *name_end;

	for (const char *p = s; p < end; p++)
		if (*p == ':')
			colon = p;	/* the last one, as upstream looks */
	if (!colon)
		return -EINVAL;
	name_end = colon;
	while (name < name_end && (node_is_blank(*name)))
		name++;
	while (name_end > name && node_is_blank(name_end[-1]))
		name_end--;
	if (name == name_end)
		return -EINVAL;
	/* Upstream reads the first sixteen words and ignores any more. */
	if (node_split_words(colon + 1, end, w, NETDEV_NFIELDS) < NETDEV_NFIELDS)
		return -EINVAL;
	for (int i = 0; i < NETDEV_NFIELDS; i++)
		if (!node_word_u64(w[i], &v[i]))
			return -EINVAL;
	memcpy(netdev_slot(out, name, (size_t)(name_end - name))->v, v,
	       sizeof(v));
	return 0;
}

static int stat_cmp(const void *a, const void *b, void *names)
{
	const struct netdev_stat *x = a, *y = b;

	return strcmp((const char *)names + x->name,
		      (const char *)names + y->name);
}

int netdev_parse(const char *text, struct netdev_stats *out)
{
	int line = 0, err = 0;

	for (const char *s = text; *s && !err; line++) {
		const char *end = node_line_end(s);

		if (line >= 2)	/* the two header lines */
			err = netdev_parse_line(out, s, end);
		s = *end ? end + 1 : end;
	}
	if (!err && out->n > 1)
		qsort_r(out->v, out->n, sizeof(*out->v), stat_cmp,
			out->names.data);
	return err;
}

void netdev_stats_release(struct netdev_stats *s)
{
	buf_release(&s->names);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- addresses ---------------------------------------------------------- */

static const unsigned char v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* Go's net.IP tests on an IPv4 address (a = its 4 bytes). */
static const char *scope_v4(const unsigned char *a)
{
	if (a[0] == 127 || (a[0] == 169 && a[1] == 254))
		return "link-local";	/* loopback, link-local unicast */
	if (a[0] == 224 && a[1] == 0 && a[2] == 0)
		return "link-local";	/* link-local multicast */
	if ((a[0] | a[1] | a[2] | a[3]) == 0 ||
	    (a[0] & a[1] & a[2] & a[3]) == 0xff)
		return "undefined";	/* unspecified, broadcast */
	return "global";
}

const char *netdev_addr_scope(int family, const unsigned char *a)
{
	static const unsigned char loopback[16] = { [15] = 1 };
	static const unsigned char zero[16];

	if (family == AF_INET)
		return scope_v4(a);
	if (memcmp(a, v4_mapped, sizeof(v4_mapped)) == 0)
		return scope_v4(a + 12);	/* Go sees these as IPv4 */
	if (!memcmp(a, loopback, 16) || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return "link-local";
	if (a[0] == 0xff && (a[1] & 0x0f) == 0x01)
		return "interface-local";
	if (a[0] == 0xff && (a[1] & 0x0f) == 0x02)
		return "link-local";
	if (!memcmp(a, zero, 16))
		return "undefined";
	return "global";
}

unsigned netdev_mask_bits(const unsigned char *mask, size_t len)
{
	unsigned ones = 0;
	size_t i = 0;

	for (; i < len && mask[i] == 0xff; i++)
		ones += 8;
	if (i < len) {
		unsigned char b = mask[i];
		while (b & 0x80) {
			ones++;
			b = (unsigned char)(b << 1);
		}
		if (b)
			return 0;	/* a hole: not a prefix */
		for (i++; i < len; i++)
			if (mask[i])
				return 0;
	}
	return ones;
}

struct addr_info {
	char address[INET6_ADDRSTRLEN];
	const char *device;		/* points into the ifaddrs list */
	char netmask[4];
	const char *scope;
};

/* The address bytes of an AF_INET or AF_INET6 socket address. */
static const unsigned char *sa_bytes(const struct sockaddr *sa)
{
	const void *p = sa;

	if (sa->sa_family == AF_INET)
		return (const unsigned char *)
		       &((const struct sockaddr_in *)p)->sin_addr;
	return ((const struct sockaddr_in6 *)p)->sin6_addr.s6_addr;
}

/* Fills one sample from an AF_INET or AF_INET6 entry; false for others. */
static bool addr_info_fill(const struct ifaddrs *ifa, struct addr_info *ai)
{
	int family = ifa->ifa_addr->sa_family;
	size_t len = family == AF_INET ? 4 : 16;
	const unsigned char *a;
	unsigned bits = 0;

	if (family != AF_INET && family != AF_INET6)
		return false;
	a = sa_bytes(ifa->ifa_addr);
	if (ifa->ifa_netmask && ifa->ifa_netmask->sa_family == family)
		bits = netdev_mask_bits(sa_bytes(ifa->ifa_netmask), len);
	ai->device = ifa->ifa_name;
	ai->scope = netdev_addr_scope(family, a);
	/* Go prints an IPv4-mapped address as plain IPv4. */
	if (family == AF_INET6 && !memcmp(a, v4_mapped, sizeof(v4_mapped)))
		inet_ntop(AF_INET, a + 12, ai->address, sizeof(ai->address));
	else
		inet_ntop(family, a, ai->address, sizeof(ai->address));
	snprintf(ai->netmask, sizeof(ai->netmask), "%u", bits);
	return true;
}

static int addr_info_cmp(const void *pa, const void *pb)
{
	const struct addr_info *x = pa, *y = pb;
	int c = strcmp(x->address, y->address);

	if (!c)
		c = strcmp(x->device, y->device);
	if (!c)
		c = strcmp(x->netmask, y->netmask);
	return c ? c : strcmp(x->scope, y->scope);
}

/*
 * node_network_address_info: every IPv4 and IPv6 address of every device
 * (upstream applies no device filter here), sorted by label values.
 */
static int address_info_write(struct expo *w)
{
	struct ifaddrs *list, *ifa;
	struct addr_info *v;
	size_t n = 0, cap = 0;

	if (getifaddrs(&list) != 0)
		return -errno;
	for (ifa = list; ifa; ifa = ifa->ifa_next)
		cap += ifa->ifa_addr != NULL;
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v)
		abort();
	for (ifa = list; ifa; ifa = ifa->ifa_next)
		if (ifa->ifa_addr && addr_info_fill(ifa, &v[n]))
			n++;
	qsort(v, n, sizeof(*v), addr_info_cmp);
	if (n)
		expo_family(w, &address_info_desc);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, 1, v[i].address, v[i].device, v[i].netmask,
			    v[i].scope);
	free(v);
	freeifaddrs(list);
	return 0;
}

/* ---- collecting --------------------------------------------------------- */

struct netdev_state {
	struct device_filter filter;
};

static bool netdev_ignored(const struct netdev_state *st, const char *dev)
{
	if (!st)
		return false;
	return device_filter_ignored(&st->filter, dev);
}

/*
 * A counter from <sysfs>/class/net/<dev>/statistics/<file>; 0 when it
 * cannot be read, as netlink reports a counter the kernel does not keep.
 */
static uint64_t read_statistic(const char *sysfs, const char *dev,
			       const char *file, struct buf *path,
			       struct buf *text)
{
	const char *p;
	uint64_t v = 0;

	/* A name no kernel gives a device must not walk the tree. */
	if (strchr(dev, '/') || !strcmp(dev, ".") || !strcmp(dev, ".."))
		return 0;
	fs_join(path, sysfs ? sysfs : "/sys", "class/net");
	buf_addf(path, "/%s/statistics/%s", dev, file);
	if (fs_read_file(buf_cstr(path), text, 4096))
		return 0;
	p = node_skip_blanks(buf_cstr(text));
	if (!node_parse_u64(&p, &v))
		return 0;
	return v;
}

/* Writes each family whole, devices in name order. */
static void netdev_write(struct expo *w, const struct node_config *cfg,
			 const struct netdev_stats *s, const bool *keep)
{
	const struct netdev_family *fam = legacy_families;
	size_t nfam = ARRAY_LEN(legacy_families);
	struct buf path = BUF_INIT, text = BUF_INIT;

	if (cfg->netdev_detailed) {
		fam = detailed_families;
		nfam = ARRAY_LEN(detailed_families);
	}
	for (size_t f = 0; f < nfam; f++) {
		expo_family(w, &fam[f].desc);
		for (size_t i = 0; i < s->n; i++) {
			const char *dev = netdev_name(s, i);
			uint64_t v;

			if (!keep[i])
				continue;
			if (fam[f].column == FROM_SYSFS)
				v = read_statistic(cfg->sysfs, dev, fam[f].file,
						   &path, &text);
			else
				v = s->v[i].v[fam[f].column];
			expo_sample(w, (double)v, dev);
		}
	}
	buf_release(&text);
	buf_release(&path);
}

static int netdev_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct netdev_stats s = NETDEV_STATS_INIT;
	bool *keep = NULL;
	size_t kept = 0;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs ? cfg->procfs : "/proc",
				   "net/dev"), &text, FS_READ_MAX);
	if (!err)
		err = netdev_parse(buf_cstr(&text), &s);
	if (!err && s.n) {
		keep = calloc(s.n, sizeof(*keep));
		if (!keep)
			abort();
		for (size_t i = 0; i < s.n; i++) {
			keep[i] = !netdev_ignored(ctx->state, netdev_name(&s, i));
			kept += keep[i];
		}
	}
	/* address_info sorts first, and comes even without devices. */
	if (!err && cfg->netdev_address_info)
		err = address_info_write(w);
	if (!err && kept)	/* no family without a sample, as upstream */
		netdev_write(w, cfg, &s, keep);
	free(keep);
	netdev_stats_release(&s);
	buf_release(&text);
	buf_release(&path);
	return err;
}

/* ---- life cycle ------------------------------------------------------------ */

static void netdev_release(void *state)
{
	struct netdev_state *st = state;

	if (!st)
		return;
	device_filter_release(&st->filter);
	free(st);
}

static int netdev_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	struct netdev_state *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	if (device_filter_init(&st->filter, cfg->netdev_device_include,
			       cfg->netdev_device_exclude, "collector.netdev")) {
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

const struct collector netdev_collector = {
	.name = "netdev",
	.enabled_by_default = true,
	.init = netdev_init,
	.collect = netdev_collect,
	.release = netdev_release,
};
