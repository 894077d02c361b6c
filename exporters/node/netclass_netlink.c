/*
 * netclass_netlink: the netclass collector's devices over netlink
 * (--collector.netclass.netlink), as node_exporter 1.5's netlink mode reads
 * them: one RTM_GETLINK dump for the link attributes, and ethtool's generic
 * netlink family (ETHTOOL_MSG_LINKMODES_GET) for speed and duplex; a kernel
 * without that family just leaves those out, as upstream does.
 *
 * Upstream's quirks are kept: node_network_dormant carries the link mode,
 * node_network_iface_link is the ifindex when the kernel omits IFLA_LINK,
 * and the carrier counters are reported (0) on kernels without them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netclass.h"
#include "netdev_parse.h"
#include "regex.h"

#define NL_BUF_SIZE 32768

/* <linux/if.h>'s IFF_DORMANT, which glibc's <net/if.h> lacks. */
#define NC_IFF_DORMANT (1u << 17)

/* The operstate names upstream indexes by IFLA_OPERSTATE. */
static const char *const operstates[] = {
	"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant",
	"up",
};

struct nl_list {
	struct nc_iface *v;
	size_t n, cap;
	const regex_t *ignored;
};

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* ---- one request, its (multi-part) answer ------------------------------- */

typedef int (*nl_msg_fn)(const struct nlmsghdr *h, void *arg);

/* NLMSG_OK / NLMSG_NEXT without their signed/unsigned mix. */
static bool msg_ok(const struct nlmsghdr *h, size_t left)
{
	return left >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	       h->nlmsg_len <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *h, size_t *left)
{
	size_t step = NLMSG_ALIGN(h->nlmsg_len);

	*left = step < *left ? *left - step : 0;
	return (const struct nlmsghdr *)((const char *)h + step);
}

/* Sends req on a new socket of protocol and hands each answer to fn. */
static int nl_transact(int protocol, const void *req, size_t len, nl_msg_fn fn,
		       void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char *buf = malloc(NL_BUF_SIZE);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	int rc = 0;
	bool done = false;

	if (!buf)
		abort();
	if (fd < 0 || sendto(fd, req, len, 0, (struct sockaddr *)&kernel,
			     sizeof(kernel)) < 0)
		rc = -errno;
	while (!rc && !done) {
		ssize_t got = recv(fd, buf, NL_BUF_SIZE, 0);

		if (got < 0) {
			if (errno != EINTR)
				rc = -errno;
			continue;
		}
		size_t left = (size_t)got;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		     !rc && !done && msg_ok(h, left); h = msg_next(h, &left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				rc = e->error;
				done = true;
			} else {
				rc = fn(h, arg);
				done = !(h->nlmsg_flags & NLM_F_MULTI);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* ---- RTM_GETLINK ------------------------------------------------------------ */

/* "aa:bb:..." as Go's net.HardwareAddr prints it; "" when there is none. */
static char *hw_address(const struct rtattr *a)
{
	size_t n = a ? RTA_PAYLOAD(a) : 0;
	const unsigned char *b = a ? RTA_DATA(a) : NULL;
	char *s = calloc(3 * n + 1, 1);

	if (!s)
		abort();
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		s[3 * i] = hex[b[i] >> 4];
		s[3 * i + 1] = hex[b[i] & 15];
		s[3 * i + 2] = i + 1 < n ? ':' : '\0';
	}
	return s;
}

static uint32_t attr_u32(const struct rtattr *a)
{
	uint32_t v = 0;

	if (a && RTA_PAYLOAD(a) >= sizeof(v))
		memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

static uint8_t attr_u8(const struct rtattr *a)
{
	return a && RTA_PAYLOAD(a) >= 1 ? *(const uint8_t *)RTA_DATA(a) : 0;
}

/* A string attribute, NUL or not: a new string. */
static char *attr_str(const struct rtattr *a)
{
	size_t n = RTA_PAYLOAD(a);
	char *s = strndup(RTA_DATA(a), n);

	if (!s)
		abort();
	return s;
}

static struct nc_iface *list_add(struct nl_list *l, char *name)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n] = (struct nc_iface){ .name = name };
	return &l->v[l->n++];
}

static void set_num(struct nc_iface *nc, enum nc_num i, int64_t v)
{
	nc->num[i] = v;
	nc->have[i] = true;
}

static int on_link(const struct nlmsghdr *h, void *arg)
{
	struct nl_list *l = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *at[IFLA_MAX + 1] = { 0 };
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct nc_iface *nc;
	uint8_t oper;

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type <= IFLA_MAX)
			at[a->rta_type] = a;
	if (!at[IFLA_IFNAME])
		return 0;
	char *name = attr_str(at[IFLA_IFNAME]);
	if (l->ignored && re_matches(l->ignored, name)) {
		free(name);
		return 0;
	}
	nc = list_add(l, name);
	oper = attr_u8(at[IFLA_OPERSTATE]);
	nc->str[NC_ADDRESS] = hw_address(at[IFLA_ADDRESS]);
	nc->str[NC_BROADCAST] = hw_address(at[IFLA_BROADCAST]);
	nc->str[NC_IFALIAS] = at[IFLA_IFALIAS] ? attr_str(at[IFLA_IFALIAS])
					       : dup_or_die("");
	nc->str[NC_OPERSTATE] = dup_or_die(oper < 7 ? operstates[oper] : "unknown");
	set_num(nc, NC_CARRIER, attr_u8(at[IFLA_CARRIER]));
	set_num(nc, NC_CARRIER_CHANGES, attr_u32(at[IFLA_CARRIER_CHANGES]));
	set_num(nc, NC_CARRIER_UP, attr_u32(at[IFLA_CARRIER_UP_COUNT]));
	set_num(nc, NC_CARRIER_DOWN, attr_u32(at[IFLA_CARRIER_DOWN_COUNT]));
	set_num(nc, NC_FLAGS, ifi->ifi_flags);
	set_num(nc, NC_IFINDEX, ifi->ifi_index);
	set_num(nc, NC_LINK_MODE, attr_u8(at[IFLA_LINKMODE]));
	set_num(nc, NC_DORMANT, attr_u8(at[IFLA_LINKMODE]));
	set_num(nc, NC_IFLINK, attr_u32(at[IFLA_LINK]) ? attr_u32(at[IFLA_LINK])
						       : (uint32_t)ifi->ifi_index);
	set_num(nc, NC_MTU, attr_u32(at[IFLA_MTU]));
	set_num(nc, NC_NETDEV_GROUP, attr_u32(at[IFLA_GROUP]));
	set_num(nc, NC_TX_QUEUE_LEN, attr_u32(at[IFLA_TXQLEN]));
	set_num(nc, NC_TYPE, ifi->ifi_type);
	return 0;
}

static int read_links(struct nl_list *l)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC },
	};

	return nl_transact(NETLINK_ROUTE, &req, sizeof(req), on_link, l);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nc_iface *)a)->name,
		      ((const struct nc_iface *)b)->name);
}

/* ---- RTM_GETLINK as /sys/class/net shows it ---------------------------------- */

/*
 * sysfs prints these with "%d" from the kernel's int or unsigned fields,
 * so a value past INT_MAX reads back negative there: the same here.
 */
static void set_sysfs_num(struct nc_iface *nc, enum nc_num i,
			  const struct rtattr *a)
{
	if (a)
		set_num(nc, i, (int32_t)attr_u32(a));
}

/*
 * A string attribute as a read of its sysfs file gives it: the text and
 * its newline, cut at the one read's size, trimmed.
 */
static char *sysfs_text(const char *text, size_t len)
{
	char raw[NC_ATTR_READ_MAX];
	const char *start;

	if (len >= sizeof(raw)) {	/* the newline is past the read */
		memcpy(raw, text, sizeof(raw));
		len = sizeof(raw);
	} else {
		memcpy(raw, text, len);
		raw[len++] = '\n';
	}
	len = netclass_trim(raw, len, &start);
	char *s = strndup(start, len);
	if (!s)
		abort();
	return s;
}

/*
 * One device's attributes that RTM_GETLINK gives exactly as sysfs would
 * (net/core/net-sysfs.c against rtnl_fill_ifinfo): the numbers with their
 * sysfs spelling's sign, carrier whatever the device's state (sysfs has
 * it only while the device is up: the caller knows from flags), iflink
 * as the ifindex when the kernel leaves IFLA_LINK out (it does exactly
 * when they are equal), operstate by the kernel's table (past its end
 * sysfs has none), address and broadcast as sysfs_format_mac prints them.
 */
static int on_link_sysfs(const struct nlmsghdr *h, void *arg)
{
	struct nl_list *l = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *at[IFLA_MAX + 1] = { 0 };
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct nc_iface *nc;
	uint8_t oper;

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type <= IFLA_MAX)
			at[a->rta_type] = a;
	if (!at[IFLA_IFNAME])
		return 0;
	nc = list_add(l, attr_str(at[IFLA_IFNAME]));
	nc->str[NC_ADDRESS] = hw_address(at[IFLA_ADDRESS]);
	nc->str[NC_BROADCAST] = hw_address(at[IFLA_BROADCAST]);
	if (at[IFLA_IFALIAS])
		nc->str[NC_IFALIAS] = sysfs_text(RTA_DATA(at[IFLA_IFALIAS]),
						 strnlen(RTA_DATA(at[IFLA_IFALIAS]),
							 RTA_PAYLOAD(at[IFLA_IFALIAS])));
	oper = attr_u8(at[IFLA_OPERSTATE]);
	if (at[IFLA_OPERSTATE] && oper < 7)
		nc->str[NC_OPERSTATE] = dup_or_die(operstates[oper]);
	if (at[IFLA_CARRIER])
		set_num(nc, NC_CARRIER, attr_u8(at[IFLA_CARRIER]));
	set_sysfs_num(nc, NC_CARRIER_CHANGES, at[IFLA_CARRIER_CHANGES]);
	set_sysfs_num(nc, NC_CARRIER_UP, at[IFLA_CARRIER_UP_COUNT]);
	set_sysfs_num(nc, NC_CARRIER_DOWN, at[IFLA_CARRIER_DOWN_COUNT]);
	/* dev_get_flags() sets IFF_DORMANT from netif_dormant() while the
	 * device runs, the value of sysfs's dormant then. */
	set_num(nc, NC_DORMANT, (ifi->ifi_flags & NC_IFF_DORMANT) != 0);
	set_num(nc, NC_IFINDEX, ifi->ifi_index);
	if (at[IFLA_LINK])
		set_sysfs_num(nc, NC_IFLINK, at[IFLA_LINK]);
	else
		set_num(nc, NC_IFLINK, ifi->ifi_index);
	if (at[IFLA_LINKMODE])
		set_num(nc, NC_LINK_MODE, attr_u8(at[IFLA_LINKMODE]));
	set_sysfs_num(nc, NC_MTU, at[IFLA_MTU]);
	set_sysfs_num(nc, NC_NETDEV_GROUP, at[IFLA_GROUP]);
	set_sysfs_num(nc, NC_TX_QUEUE_LEN, at[IFLA_TXQLEN]);
	set_num(nc, NC_TYPE, ifi->ifi_type);
	return 0;
}

long netclass_netlink_sysfs_view(struct nc_iface **out)
{
	/* Without the statistics (RTEXT_FILTER_SKIP_STATS: none of them is
	 * used here), summing them per CPU being most of the dump's cost. A
	 * kernel that predates the flag ignores it. */
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		struct rtattr ext;
		uint32_t ext_mask;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC },
		.ext = { .rta_len = RTA_LENGTH(sizeof(uint32_t)),
			 .rta_type = IFLA_EXT_MASK },
		.ext_mask = RTEXT_FILTER_SKIP_STATS,
	};
	struct nl_list l = { 0 };
	int rc = nl_transact(NETLINK_ROUTE, &req, sizeof(req), on_link_sysfs, &l);

	if (rc) {
		for (size_t i = 0; i < l.n; i++)
			netclass_iface_release(&l.v[i]);
		free(l.v);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), name_cmp);
	*out = l.v;
	return (long)l.n;
}

/* ---- ethtool link modes ------------------------------------------------------ */

/* Go's stringer for mdlayher/ethtool's Duplex. */
static char *duplex_name(uint8_t d)
{
	char s[24];

	if (d == DUPLEX_HALF)
		return dup_or_die("Half");
	if (d == DUPLEX_FULL)
		return dup_or_die("Full");
	if (d == DUPLEX_UNKNOWN)
		return dup_or_die("Unknown");
	snprintf(s, sizeof(s), "Duplex(%u)", d);
	return dup_or_die(s);
}

static const struct nlattr *nla_next(const struct nlattr *a, int *left)
{
	int step = NLA_ALIGN(a->nla_len);

	*left -= step;
	return (const struct nlattr *)((const char *)a + step);
}

static bool nla_ok(const struct nlattr *a, int left)
{
	return left >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= left;
}

#define NLA_DATA(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

static int on_family(const struct nlmsghdr *h, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	int left = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (const struct nlattr *a = (const void *)((const char *)g + GENL_HDRLEN);
	     nla_ok(a, left); a = nla_next(a, &left))
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    NLA_LEN(a) >= 2)
			memcpy(arg, NLA_DATA(a), 2);
	return 0;
}

/* Appends a string attribute to a request buffer at *len. */
static void put_str(char *buf, size_t *len, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)(buf + *len);
	size_t n = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy((char *)a + NLA_HDRLEN, s, n);
	*len += NLA_ALIGN(a->nla_len);
}

/* The ethtool family's id; -ENOENT when the kernel has none. */
static int ethtool_family(uint16_t *id)
{
	char req[128] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN);
	int rc;

	*id = 0;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_str(req, &len, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	*h = (struct nlmsghdr){ .nlmsg_len = (uint32_t)len, .nlmsg_type = GENL_ID_CTRL,
				.nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 };
	rc = nl_transact(NETLINK_GENERIC, req, len, on_family, id);
	if (!rc && !*id)
		rc = -ENOENT;
	return rc;
}

/* The device name in an ETHTOOL_A_LINKMODES_HEADER nest. */
static const char *header_name(const struct nlattr *nest)
{
	int left = NLA_LEN(nest);

	for (const struct nlattr *a = NLA_DATA(nest); nla_ok(a, left);
	     a = nla_next(a, &left))
		if ((a->nla_type & NLA_TYPE_MASK) == ETHTOOL_A_HEADER_DEV_NAME &&
		    NLA_LEN(a) > 0 && memchr(NLA_DATA(a), '\0', (size_t)NLA_LEN(a)))
			return NLA_DATA(a);
	return NULL;
}

static struct nc_iface *find_iface(struct nl_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static int on_linkmodes(const struct nlmsghdr *h, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	int left = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	const char *name = NULL;
	uint32_t speed = 0;
	uint8_t duplex = 0;
	bool have_speed = false;
	struct nc_iface *nc;

	for (const struct nlattr *a = (const void *)((const char *)g + GENL_HDRLEN);
	     nla_ok(a, left); a = nla_next(a, &left)) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type == ETHTOOL_A_LINKMODES_HEADER)
			name = header_name(a);
		else if (type == ETHTOOL_A_LINKMODES_SPEED && NLA_LEN(a) >= 4) {
			memcpy(&speed, NLA_DATA(a), 4);
			have_speed = true;
		} else if (type == ETHTOOL_A_LINKMODES_DUPLEX && NLA_LEN(a) >= 1)
			duplex = *(const uint8_t *)NLA_DATA(a);
	}
	nc = name ? find_iface(arg, name) : NULL;
	if (!nc)
		return 0;
	free(nc->str[NC_DUPLEX]);
	nc->str[NC_DUPLEX] = duplex_name(duplex);
	if (have_speed)
		set_num(nc, NC_SPEED, speed);
	return 0;
}

/* Speed and duplex of the devices that have link modes. */
static int read_link_modes(struct nl_list *l)
{
	char req[128] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *nest;
	uint16_t id;
	int rc = ethtool_family(&id);

	if (rc)
		return rc;
	g->cmd = ETHTOOL_MSG_LINKMODES_GET;
	g->version = ETHTOOL_GENL_VERSION;
	nest = (struct nlattr *)(req + len);
	nest->nla_type = NLA_F_NESTED | ETHTOOL_A_LINKMODES_HEADER;
	nest->nla_len = NLA_HDRLEN;
	len += NLA_HDRLEN;
	*h = (struct nlmsghdr){ .nlmsg_len = (uint32_t)len, .nlmsg_type = id,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
				.nlmsg_seq = 1 };
	return nl_transact(NETLINK_GENERIC, req, len, on_linkmodes, l);
}

/* ---- together --------------------------------------------------------------- */

long netclass_netlink_read(const regex_t *ignored, struct nc_iface **out)
{
	struct nl_list l = { .ignored = ignored };
	int rc = read_links(&l);

	/* No ethtool family (an old kernel): no speed, duplex "". */
	if (!rc) {
		rc = read_link_modes(&l);
		if (rc == -ENOENT || rc == -EOPNOTSUPP)
			rc = 0;
	}
	if (rc) {
		for (size_t i = 0; i < l.n; i++)
			netclass_iface_release(&l.v[i]);
		free(l.v);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), name_cmp);
	*out = l.v;
	return (long)l.n;
}
