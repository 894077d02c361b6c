/*
 * netclass: the attributes of every network device under /sys/class/net,
 * node_network_*{device} and node_network_info, as node_exporter 1.5's
 * netclass collector (over the Go procfs library's sysfs reader) reports
 * them.
 *
 * Many attributes cannot be read on some devices: the kernel answers
 * EINVAL for carrier, speed or duplex of a device that is down or virtual,
 * EOPNOTSUPP for phys_port_id. Upstream skips such an attribute (and a
 * missing or forbidden one) and reports the rest; any other read error, or
 * a number that does not parse, fails the whole collector.
 *
 * Reading ~25 files per device is most of this collector's cost, so on
 * this system's own /sys the attributes RTM_GETLINK gives exactly as sysfs
 * prints them come from one netlink dump, and only the rest (flags,
 * ifindex to check the match, address_assign_type, dev_id,
 * name_assign_type; speed and duplex while the device is up) from
 * files: the same output for about a third of the files. A device the dump
 * lacks, or whose ifindex differs, is read from its files alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_filter.h"
#include "fsutil.h"
#include "log.h"
#include "go_strconv.h"
#include "netclass.h"
#include "netdev_parse.h"
#include "node.h"
#include "regex.h"

#define ATTR_READ_MAX NC_ATTR_READ_MAX

#define DEV LABELS("device")
#define PROP(key, type) "node_network_" key, \
	"Network device property: " key, type, DEV

static const char *const num_files[NC_NNUM] = {
	[NC_ADDR_ASSIGN_TYPE] = "addr_assign_type",
	[NC_CARRIER] = "carrier",
	[NC_CARRIER_CHANGES] = "carrier_changes",
	[NC_CARRIER_DOWN] = "carrier_down_count",
	[NC_CARRIER_UP] = "carrier_up_count",
	[NC_DEV_ID] = "dev_id",
	[NC_DORMANT] = "dormant",
	[NC_FLAGS] = "flags",
	[NC_IFINDEX] = "ifindex",
	[NC_IFLINK] = "iflink",
	[NC_LINK_MODE] = "link_mode",
	[NC_MTU] = "mtu",
	[NC_NAME_ASSIGN_TYPE] = "name_assign_type",
	[NC_NETDEV_GROUP] = "netdev_group",
	[NC_TYPE] = "type",
	[NC_SPEED] = "speed",
	[NC_TX_QUEUE_LEN] = "tx_queue_len",
	[NC_ADDR_LEN] = "addr_len",
};

static const char *const str_files[NC_NSTR] = {
	[NC_ADDRESS] = "address",
	[NC_BROADCAST] = "broadcast",
	[NC_DUPLEX] = "duplex",
	[NC_IFALIAS] = "ifalias",
	[NC_OPERSTATE] = "operstate",
	[NC_PHYS_PORT_ID] = "phys_port_id",
	[NC_PHYS_PORT_NAME] = "phys_port_name",
	[NC_PHYS_SWITCH_ID] = "phys_switch_id",
};

/* The simple families: one attribute each, value as read. */
static const struct metric_desc num_descs[NC_SPEED] = {
	[NC_ADDR_ASSIGN_TYPE] = { PROP("address_assign_type", METRIC_GAUGE) },
	[NC_CARRIER] = { PROP("carrier", METRIC_GAUGE) },
	[NC_CARRIER_CHANGES] = { PROP("carrier_changes_total", METRIC_COUNTER) },
	[NC_CARRIER_DOWN] = { PROP("carrier_down_changes_total", METRIC_COUNTER) },
	[NC_CARRIER_UP] = { PROP("carrier_up_changes_total", METRIC_COUNTER) },
	[NC_DEV_ID] = { PROP("device_id", METRIC_GAUGE) },
	[NC_DORMANT] = { PROP("dormant", METRIC_GAUGE) },
	[NC_FLAGS] = { PROP("flags", METRIC_GAUGE) },
	[NC_IFINDEX] = { PROP("iface_id", METRIC_GAUGE) },
	[NC_IFLINK] = { PROP("iface_link", METRIC_GAUGE) },
	[NC_LINK_MODE] = { PROP("iface_link_mode", METRIC_GAUGE) },
	[NC_MTU] = { PROP("mtu_bytes", METRIC_GAUGE) },
	[NC_NAME_ASSIGN_TYPE] = { PROP("name_assign_type", METRIC_GAUGE) },
	[NC_NETDEV_GROUP] = { PROP("net_dev_group", METRIC_GAUGE) },
	[NC_TYPE] = { PROP("protocol_type", METRIC_GAUGE) },
};

/* Upstream's netlink mode words node_network_info's HELP its own way. */
static const struct metric_desc nl_info_desc = {
	.name = "node_network_info",
	.help = "Non-numeric data of <iface>, value is always 1.",
	.type = METRIC_GAUGE,
	.labels = LABELS("address", "broadcast", "device", "duplex", "ifalias",
			 "operstate"),
};

static const struct metric_desc info_desc = {
	.name = "node_network_info",
	.help = "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
	.type = METRIC_GAUGE,
	/* Sorted, as upstream prints them. */
	.labels = LABELS("address", "broadcast", "device", "duplex", "ifalias",
			 "operstate"),
};

static const struct metric_desc speed_desc = {
	PROP("speed_bytes", METRIC_GAUGE)
};

static const struct metric_desc tx_queue_desc = {
	PROP("transmit_queue_length", METRIC_GAUGE)
};

static const struct metric_desc up_desc = {
	.name = "node_network_up",
	.help = "Value is 1 if operstate is 'up', 0 otherwise.",
	.type = METRIC_GAUGE,
	.labels = DEV,
};

/* ---- parsing ------------------------------------------------------------ */

static bool ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* Length of the Unicode space (as Go's unicode.IsSpace) at s, or 0. */
static size_t unicode_space(const unsigned char *s, size_t n)
{
	if (n >= 1 && ascii_space((char)s[0]))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 &&
	     (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf) &&
	     s[2] >= 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	return 0;
}

/* Length of the Unicode space that ends [s, s+n), or 0. */
static size_t unicode_space_before(const unsigned char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (unicode_space(s + n - k, k) == k)
			return k;
	return 0;
}

size_t netclass_trim(const char *text, size_t len, const char **start)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t k;

	while ((k = unicode_space(s, len))) {
		s += k;
		len -= k;
	}
	while ((k = unicode_space_before(s, len)))
		len -= k;
	*start = (const char *)s;
	return len;
}

/* Go's ParseUint(s, 0, 64) over [s, s+n), without the sign. */
static int parse_uint_base0(const char *s, size_t n, uint64_t *out)
{
	const char *s0 = s;
	size_t n0 = n;
	unsigned base = 10;
	bool underscores = false;
	uint64_t v = 0;

	if (n == 0)
		return -EINVAL;
	if (s[0] == '0') {
		char p = n >= 3 ? (char)(s[1] | 0x20) : 0;
		size_t skip = 2;

		if (p == 'b') {
			base = 2;
		} else if (p == 'x') {
			base = 16;
		} else {
			base = 8;
			skip = p == 'o' ? 2 : 1;	/* "017" is octal too */
		}
		s += skip;
		n -= skip;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c == '_') {
			underscores = true;
			continue;
		}
		d = (unsigned)go_digit(c);
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (underscores && !go_underscores_ok(s0, n0))
		return -EINVAL;
	*out = v;
	return 0;
}

int netclass_parse_int(const char *text, int64_t *out)
{
	const char *s;
	size_t n = netclass_trim(text, strlen(text), &s);
	bool neg = false;
	uint64_t u;
	int err;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	err = parse_uint_base0(s, n, &u);
	if (err)
		return err;
	if (u > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The read errors upstream treats as "this attribute is not there". */
static bool attr_absent(int err)
{
	return err == ENOENT || err == EACCES || err == EPERM ||
	       err == EINVAL || err == EOPNOTSUPP;
}

/*
 * One read of an open attribute file, from offset 0 (a kept descriptor
 * reads the kernel's text afresh that way), into out, trimmed and
 * NUL-terminated. 1, 0 when the kernel says it is absent, or -errno.
 */
static int read_attr_fd(int fd, char out[ATTR_READ_MAX + 1], bool kernfs)
{
	char raw[ATTR_READ_MAX];
	const char *s;
	ssize_t got;

	do {
		got = pread(fd, raw, sizeof(raw), 0);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return attr_absent(errno) || (kernfs && errno == EISDIR) ? 0 : -errno;
	size_t len = netclass_trim(raw, (size_t)got, &s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

/* Opens attribute dir/name: a descriptor, or -1 with errno set. */
static int open_attr(int dir, const char *name)
{
	return openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
}

/* What read_attr returns for open_attr's errno: 0 when absent (or a
 * symlink: O_NOFOLLOW's ELOOP), else the error. */
static int open_failed(void)
{
	return attr_absent(errno) || errno == ELOOP ? 0 : -errno;
}

/*
 * Reads the attribute dir/name into out (trimmed, NUL-terminated) with
 * one read(2), as upstream does. Returns 1 when it was read, 0 when it is
 * absent (see attr_absent; also a directory or a symlink, which upstream's
 * listing passes over), or a negative errno. On the kernel's own sysfs
 * (kernfs) an entry is a regular file, a directory or a symlink, so
 * O_NOFOLLOW and read's EISDIR tell the last two without an fstat.
 */
static int read_attr(int dir, const char *name, char out[ATTR_READ_MAX + 1],
		     bool kernfs)
{
	struct stat st;
	int fd = open_attr(dir, name), rc;

	if (fd < 0)
		return open_failed();
	if (!kernfs && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
		rc = 0;
	else
		rc = read_attr_fd(fd, out, kernfs);
	close(fd);
	return rc;
}

/*
 * A device's attribute files kept open between scrapes, for the files the
 * netlink shortcut still reads (read_iface_with_link): opening a sysfs
 * file costs several times reading it (opens and closes were over a third
 * of this collector's CPU).
 * Every file is opened under the device's kept directory, so a set is one
 * device whatever its name is now; a renamed device keeps its files, so
 * the set is trusted only while the name still leads to its directory
 * (kept_get) and its ifindex file says what this scrape's netlink dump
 * says for the name. Otherwise (a rename, a move to another namespace, a
 * device gone: its reads fail) the set is closed and the name opened again.
 */
static const char *const kept_files[] = {
	"addr_assign_type", "dev_id", "flags", "ifindex", "name_assign_type",
	"speed", "duplex",
};
#define NC_KEPT_FILES (sizeof(kept_files) / sizeof(kept_files[0]))
/* Devices kept at most: 8 descriptors each, 128 in all. */
#define NC_KEPT_MAX 16

struct nc_kept {
	char *name;			/* NULL: a free slot */
	int dir;
	dev_t dev;			/* the directory's identity: see kept_get */
	ino_t ino;
	int fd[NC_KEPT_FILES];		/* -1: not opened yet */
	bool used;			/* read in this scrape */
};

/* Where a device's attributes come from: its directory, or a kept set. */
struct attr_src {
	int dir;
	struct nc_kept *kept;		/* NULL: open each file for its read */
};

static int src_read(const struct attr_src *src, const char *name,
		    char out[ATTR_READ_MAX + 1], bool kernfs)
{
	size_t i = 0;

	while (src->kept && i < NC_KEPT_FILES && strcmp(kept_files[i], name))
		i++;
	if (!src->kept || i == NC_KEPT_FILES)
		return read_attr(src->dir, name, out, kernfs);
	int *fd = &src->kept->fd[i];
	if (*fd < 0 && (*fd = open_attr(src->dir, name)) < 0)
		return open_failed();
	return read_attr_fd(*fd, out, kernfs);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* Reads the numeric attribute i of a device: 0 also when it is absent. */
static int read_num_attr(const struct attr_src *src, struct nc_iface *nc,
			 enum nc_num i, bool kernfs)
{
	char text[ATTR_READ_MAX + 1];
	int rc = src_read(src, num_files[i], text, kernfs);

	if (rc <= 0)
		return rc;
	rc = netclass_parse_int(text, &nc->num[i]);
	if (rc) {
		log_debug("network device attribute is not a number", "device",
			  nc->name, "attribute", num_files[i], "value", text);
		return rc;
	}
	nc->have[i] = true;
	return 0;
}

static int read_str_attr(const struct attr_src *src, struct nc_iface *nc,
			 enum nc_str i, bool kernfs)
{
	char text[ATTR_READ_MAX + 1];
	int rc = src_read(src, str_files[i], text, kernfs);

	if (rc > 0)
		nc->str[i] = xstrdup(text);
	return rc < 0 ? rc : 0;
}

/* Reads every attribute of one device from the open directory dir. */
static int read_iface(int dir, struct nc_iface *nc)
{
	const struct attr_src src = { .dir = dir };
	int rc;

	for (int i = 0; i < NC_NNUM; i++)
		if ((rc = read_num_attr(&src, nc, (enum nc_num)i, false)) < 0)
			return rc;
	for (int i = 0; i < NC_NSTR; i++)
		if ((rc = read_str_attr(&src, nc, (enum nc_str)i, false)) < 0)
			return rc;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/*
 * Reads one device with most of its attributes from link, its RTM_GETLINK
 * record (see netclass_netlink_sysfs_view): only the attributes netlink
 * lacks come from files (of the system's own /sys: kernfs), and those
 * sysfs refuses on a device that is down (speed, duplex: EINVAL, which
 * read_attr takes as absent) are not even asked for. The phys_*
 * attributes are left out: they are read for their errors only, and
 * RTM_GETLINK asks the same driver calls, so a failure there failed the
 * dump and with it this shortcut. Returns 1 when the files show another
 * device than link (a rename or a move between the reads): nc then holds
 * some attributes, to be released.
 */
static int read_iface_with_link(const struct attr_src *src, struct nc_iface *nc,
				const struct nc_iface *link)
{
	static const enum nc_num files_only[] = {
		NC_ADDR_ASSIGN_TYPE, NC_DEV_ID, NC_FLAGS, NC_IFINDEX,
		NC_NAME_ASSIGN_TYPE,
	};
	bool up;
	int rc;

	for (size_t i = 0; i < sizeof(files_only) / sizeof(files_only[0]); i++)
		if ((rc = read_num_attr(src, nc, files_only[i], true)) < 0)
			return rc;
	if (!nc->have[NC_FLAGS] || !nc->have[NC_IFINDEX] ||
	    nc->num[NC_IFINDEX] != link->num[NC_IFINDEX])
		return 1;
	up = (nc->num[NC_FLAGS] & IFF_UP) != 0;
	for (int i = 0; i < NC_NNUM; i++) {
		if (nc->have[i] || !link->have[i] ||
		    ((i == NC_CARRIER || i == NC_DORMANT) && !up))
			continue;
		nc->num[i] = link->num[i];
		nc->have[i] = true;
	}
	for (int i = NC_ADDRESS; i <= NC_OPERSTATE; i++)
		if (i != NC_DUPLEX)
			nc->str[i] = dup_or_null(link->str[i]);
	if (!up)
		return 0;
	if ((rc = read_num_attr(src, nc, NC_SPEED, true)) < 0)
		return rc;
	return read_str_attr(src, nc, NC_DUPLEX, true);
}

void netclass_iface_release(struct nc_iface *nc)
{
	free(nc->name);
	for (int i = 0; i < NC_NSTR; i++)
		free(nc->str[i]);
}

struct nc_state {
	regex_t ignored;
	bool have_ignored;
	struct nc_kept kept[NC_KEPT_MAX];
	size_t kept_max;		/* 0 under a low descriptor limit */
};

static void kept_close(struct nc_kept *k)
{
	for (size_t i = 0; i < NC_KEPT_FILES; i++)
		if (k->fd[i] >= 0)
			close(k->fd[i]);
	close(k->dir);
	free(k->name);
	k->name = NULL;
}

/*
 * The set kept for name, a new one (its directory opened), or NULL. A kept
 * set is still name's device only while /sys/class/net/<name> leads to the
 * same directory: a device moved to another network namespace keeps its
 * sysfs directory and its ifindex, which a new device here may take.
 */
static struct nc_kept *kept_get(struct nc_state *st, int root, const char *name)
{
	struct nc_kept *free_slot = NULL;
	struct stat now;

	for (size_t i = 0; i < st->kept_max; i++) {
		struct nc_kept *k = &st->kept[i];
		if (k->name && !strcmp(k->name, name)) {
			if (fstatat(root, name, &now, 0) == 0 &&
			    now.st_dev == k->dev && now.st_ino == k->ino)
				return k;
			kept_close(k);
			free_slot = k;
			break;
		}
		if (!k->name && !free_slot)
			free_slot = k;
	}
	if (!free_slot)
		return NULL;
	int dir = openat(root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return NULL;
	if (fstat(dir, &now) != 0) {
		close(dir);
		return NULL;
	}
	*free_slot = (struct nc_kept){ .name = xstrdup(name), .dir = dir,
				       .dev = now.st_dev, .ino = now.st_ino };
	for (size_t i = 0; i < NC_KEPT_FILES; i++)
		free_slot->fd[i] = -1;
	return free_slot;
}

/*
 * read_iface_with_link over the device's kept set (made on first use).
 * Anything but 0 closes the set: the caller reads the device as before.
 */
static int read_kept(struct nc_state *st, int root, struct nc_iface *nc,
		     const struct nc_iface *link)
{
	struct nc_kept *k = kept_get(st, root, nc->name);

	if (!k)
		return 1;
	k->used = true;
	const struct attr_src src = { .dir = k->dir, .kept = k };
	int rc = read_iface_with_link(&src, nc, link);
	if (rc != 0)
		kept_close(k);
	return rc;
}

/* For tests: how many devices' files are kept. */
size_t netclass_kept_devices(const void *state)
{
	const struct nc_state *st = state;
	size_t n = 0;

	for (size_t i = 0; i < st->kept_max; i++)
		n += st->kept[i].name != NULL;
	return n;
}

/* Upstream lists every entry but regular files (the class's symlinks). */
static bool is_device_entry(int dir, const struct dirent *d)
{
	struct stat st;

	if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
		return false;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type != DT_REG;
	return fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	       !S_ISREG(st.st_mode);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nc_iface *)a)->name,
		      ((const struct nc_iface *)b)->name);
}

/* This scrape's RTM_GETLINK records, sorted by name (n == 0: none). */
struct nc_links {
	struct nc_iface *v;
	size_t n;
};

static const struct nc_iface *find_link(const struct nc_links *links,
					const char *name)
{
	struct nc_iface key = { .name = (char *)name };

	if (!links->n)
		return NULL;
	return bsearch(&key, links->v, links->n, sizeof(key), name_cmp);
}

/*
 * Opens <root>/<name> as a directory and reads the device in it, with its
 * netlink record when there is one.
 */
static void iface_reset(struct nc_iface *nc)
{
	char *name = nc->name;

	nc->name = NULL;	/* kept: only the attributes go */
	netclass_iface_release(nc);
	*nc = (struct nc_iface){ .name = name };
}

static int read_device(struct nc_state *st, int root, struct nc_iface *nc,
		       const struct nc_links *links)
{
	const struct nc_iface *link = find_link(links, nc->name);
	int rc = 1;

	if (link && st) {
		if (read_kept(st, root, nc, link) == 0)
			return 0;
		iface_reset(nc);
	}
	int dir = openat(root, nc->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;	/* upstream's ReadDir fails the same way */
	if (link)
		rc = read_iface_with_link(&(const struct attr_src){ .dir = dir }, nc, link);
	if (rc > 0) {	/* no record, or not this device's: every file */
		iface_reset(nc);
		rc = read_iface(dir, nc);
	}
	close(dir);
	return rc;
}

/*
 * Reads every device under <sysfs>/class/net that the ignore pattern lets
 * through, sorted by name. Returns how many are in *out (free each with
 * iface_release, then the array), or a negative errno.
 */
static long read_devices(struct nc_state *st, const char *sysfs,
			 const struct nc_links *links, struct nc_iface **out)
{
	struct buf path = BUF_INIT;
	struct nc_iface *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	dir = opendir(fs_join(&path, sysfs ? sysfs : "/sys", "class/net"));
	buf_release(&path);
	if (!dir)
		return -errno;
	for (size_t i = 0; st && i < st->kept_max; i++)
		st->kept[i].used = false;
	while (!rc && (d = readdir(dir))) {
		if (!is_device_entry(dirfd(dir), d))
			continue;
		if (st && st->have_ignored && re_matches(&st->ignored, d->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n] = (struct nc_iface){ .name = xstrdup(d->d_name) };
		rc = read_device(st, dirfd(dir), &v[n], links);
		n++;
	}
	closedir(dir);
	/* Devices gone, ignored now, or left out of the dump. */
	for (size_t i = 0; st && i < st->kept_max; i++)
		if (st->kept[i].name && !st->kept[i].used)
			kept_close(&st->kept[i]);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			netclass_iface_release(&v[i]);
		free(v);
		return rc;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), name_cmp);
	*out = v;
	return (long)n;
}

/* ---- writing ------------------------------------------------------------ */

static const char *str_or_empty(const struct nc_iface *nc, enum nc_str i)
{
	return nc->str[i] ? nc->str[i] : "";
}

/* node_network_info's order: by its label values, names sorted. */
static int info_cmp(const void *a, const void *b)
{
	const struct nc_iface *x = *(const struct nc_iface *const *)a;
	const struct nc_iface *y = *(const struct nc_iface *const *)b;
	static const int order[] = { NC_ADDRESS, NC_BROADCAST, -1, NC_DUPLEX,
				     NC_IFALIAS, NC_OPERSTATE };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int c = order[i] < 0 ? strcmp(x->name, y->name) :
			strcmp(str_or_empty(x, order[i]),
			       str_or_empty(y, order[i]));
		if (c)
			return c;
	}
	return 0;
}

static void write_info(struct expo *w, const struct metric_desc *d,
		       const struct nc_iface *v, size_t n)
{
	const struct nc_iface **by = calloc(n, sizeof(*by));

	if (!by)
		abort();
	for (size_t i = 0; i < n; i++)
		by[i] = &v[i];
	qsort(by, n, sizeof(*by), info_cmp);
	expo_family(w, d);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, 1, str_or_empty(by[i], NC_ADDRESS),
			    str_or_empty(by[i], NC_BROADCAST), by[i]->name,
			    str_or_empty(by[i], NC_DUPLEX),
			    str_or_empty(by[i], NC_IFALIAS),
			    str_or_empty(by[i], NC_OPERSTATE));
	free(by);
}

/*
 * Speed in bytes per second, as upstream computes it: Mbit/s * 1000 * 1000
 * / 8 in wrapping 64-bit arithmetic. The kernel's -1 (unknown) is kept
 * unless --collector.netclass.ignore-invalid-speed.
 */
static bool speed_bytes(const struct nc_iface *nc, bool ignore_invalid,
			int64_t *out)
{
	if (!nc->have[NC_SPEED] || (nc->num[NC_SPEED] < 0 && ignore_invalid))
		return false;
	*out = (int64_t)((uint64_t)nc->num[NC_SPEED] * 1000 * 1000) / 8;
	return true;
}

/* Writes one numeric family over the devices that have the attribute. */
static void write_num(struct expo *w, const struct metric_desc *d,
		      const struct nc_iface *v, size_t n, enum nc_num attr)
{
	bool declared = false;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].have[attr])
			continue;
		if (!declared)
			expo_family(w, d);
		declared = true;
		expo_sample(w, (double)v[i].num[attr], v[i].name);
	}
}

static void write_speed(struct expo *w, const struct metric_desc *d,
			const struct nc_iface *v, size_t n, bool ignore_invalid)
{
	bool declared = false;
	int64_t bytes;

	for (size_t i = 0; i < n; i++) {
		if (!speed_bytes(&v[i], ignore_invalid, &bytes))
			continue;
		if (!declared)
			expo_family(w, d);
		declared = true;
		expo_sample(w, (double)bytes, v[i].name);
	}
}

/* All families in name order; info sits between link_mode and mtu. */
void netclass_write(struct expo *w, const struct nc_iface *v, size_t n,
		    bool ignore_invalid, bool netlink)
{
	/* A device has only the attributes its reader knows: the others'
	 * families are not announced. */
	for (int i = 0; i <= NC_LINK_MODE; i++)
		write_num(w, &num_descs[i], v, n, i);
	write_info(w, netlink ? &nl_info_desc : &info_desc, v, n);
	for (int i = NC_MTU; i <= NC_TYPE; i++)
		write_num(w, &num_descs[i], v, n, i);
	write_speed(w, &speed_desc, v, n, ignore_invalid);
	write_num(w, &tx_queue_desc, v, n, NC_TX_QUEUE_LEN);
	expo_family(w, &up_desc);
	for (size_t i = 0; i < n; i++) {
		const char *op = str_or_empty(&v[i], NC_OPERSTATE);
		expo_sample(w, strcmp(op, "up") == 0, v[i].name);
	}
}

/*
 * The links of this network namespace over netlink, when sysfs is this
 * system's own /sys (so that it shows the same namespace): one dump costs
 * less than the files it saves. None when they cannot be had.
 */
static struct nc_links get_links(const struct node_config *cfg)
{
	struct nc_links links = { 0 };
	long n;

	if (cfg->netclass_sysfs_only ||
	    (cfg->sysfs && strcmp(cfg->sysfs, "/sys") != 0 &&
	     strcmp(cfg->sysfs, "/sys/") != 0))
		return links;
	n = netclass_netlink_sysfs_view(&links.v);
	if (n < 0) {
		log_debug("netlink links unreadable, reading sysfs only",
			  "err", strerror((int)-n));
		return (struct nc_links){ 0 };
	}
	links.n = (size_t)n;
	return links;
}

static void release_links(struct nc_links *links)
{
	for (size_t i = 0; i < links->n; i++)
		netclass_iface_release(&links->v[i]);
	free(links->v);
}

static long read_devices_sysfs(const struct node_config *cfg,
			       struct nc_state *st, struct nc_iface **out)
{
	struct nc_links links = get_links(cfg);
	long n = read_devices(st, cfg->sysfs, &links, out);

	release_links(&links);
	return n;
}

static int netclass_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct nc_state *st = ctx->state;
	struct nc_iface *v = NULL;
	long n = cfg->netclass_netlink ?
		netclass_netlink_read(st && st->have_ignored ? &st->ignored : NULL, &v) :
		read_devices_sysfs(cfg, st, &v);

	if (n < 0) {
		log_debug("net class devices unreadable", "err",
			  strerror((int)-n));
		return (int)n;
	}
	if (n > 0)
		netclass_write(w, v, (size_t)n,
			       cfg->netclass_ignore_invalid_speed && !cfg->netclass_netlink,
			       cfg->netclass_netlink);
	for (long i = 0; i < n; i++)
		netclass_iface_release(&v[i]);
	free(v);
	return 0;
}

/* ---- life cycle ------------------------------------------------------------ */

static void netclass_release(void *state)
{
	struct nc_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->kept_max; i++)
		if (st->kept[i].name)
			kept_close(&st->kept[i]);
	if (st->have_ignored)
		regfree(&st->ignored);
	free(st);
}

static int netclass_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	const char *pattern = cfg->netclass_ignored_devices;
	struct nc_state *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	struct rlimit fds;
	/* Kept sets only where descriptors are plentiful (the usual 1,024). */
	if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur >= 1024)
		st->kept_max = NC_KEPT_MAX;
	if (device_pattern_compile(&st->ignored, &st->have_ignored, pattern,
				   "collector.netclass.ignored-devices")) {
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

const struct collector netclass_collector = {
	.name = "netclass",
	.enabled_by_default = true,
	.init = netclass_init,
	.collect = netclass_collect,
	.release = netclass_release,
};
