/*
 * fibrechannel: the Fibre Channel host ports under /sys/class/fc_host,
 * node_fibrechannel_*_total{fc_host} and node_fibrechannel_info, as
 * node_exporter 1.5's fibrechannel collector (over the Go procfs library's
 * FibreChannelClass) reports them.
 *
 * Every entry of the class directory is a host; each of its attributes
 * must be readable (read once, at most 128 bytes, blanks trimmed) or the
 * collector fails. A host without a statistics directory, or a host with
 * no class directory at all, means "no data". In statistics, a missing
 * counter reads as 0 and the kernel's "not supported" (all ones) leaves
 * the sample out. Upstream crashes on a counter that is not a number; here
 * the collector fails instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw3_parse.h"
#include "log.h"
#include "node.h"

/* Upstream reads each attribute with one read(2) of this many bytes. */
#define FC_READ_MAX 128

/* The counters, in the order of their families' names. */
enum fc_counter {
	FC_DUMPED_FRAMES, FC_ERROR_FRAMES, FC_FCP_PACKET_ABORTS,
	FC_INVALID_CRC, FC_INVALID_TX_WORDS, FC_LINK_FAILURE,
	FC_LOSS_OF_SIGNAL, FC_LOSS_OF_SYNC, FC_NOS, FC_RX_FRAMES, FC_RX_WORDS,
	FC_SECONDS_SINCE_RESET, FC_TX_FRAMES, FC_TX_WORDS, FC_NCOUNTERS,
};

#define FC_COUNTER(key, help) \
	{ "node_fibrechannel_" key, help, METRIC_COUNTER, LABELS("fc_host") }

static const struct fc_counter_def {
	const char *file;
	struct metric_desc desc;
} counters[FC_NCOUNTERS] = {
	[FC_DUMPED_FRAMES] = { "dumped_frames",
		FC_COUNTER("dumped_frames_total", "Number of dumped frames") },
	[FC_ERROR_FRAMES] = { "error_frames",
		FC_COUNTER("error_frames_total", "Number of errors in frames") },
	[FC_FCP_PACKET_ABORTS] = { "fcp_packet_aborts",
		FC_COUNTER("fcp_packet_aborts_total", "Number of aborted packets") },
	[FC_INVALID_CRC] = { "invalid_crc_count",
		FC_COUNTER("invalid_crc_total",
			   "Invalid Cyclic Redundancy Check count") },
	[FC_INVALID_TX_WORDS] = { "invalid_tx_word_count",
		FC_COUNTER("invalid_tx_words_total",
			   "Number of invalid words transmitted by host port") },
	[FC_LINK_FAILURE] = { "link_failure_count",
		FC_COUNTER("link_failure_total",
			   "Number of times the host port link has failed") },
	[FC_LOSS_OF_SIGNAL] = { "loss_of_signal_count",
		FC_COUNTER("loss_of_signal_total",
			   "Number of times signal has been lost") },
	[FC_LOSS_OF_SYNC] = { "loss_of_sync_count",
		FC_COUNTER("loss_of_sync_total",
			   "Number of failures on either bit or transmission word boundaries") },
	[FC_NOS] = { "nos_count",
		FC_COUNTER("nos_total",
			   "Number Not_Operational Primitive Sequence received by host port") },
	[FC_RX_FRAMES] = { "rx_frames",
		FC_COUNTER("rx_frames_total", "Number of frames received") },
	[FC_RX_WORDS] = { "rx_words",
		FC_COUNTER("rx_words_total", "Number of words received by host port") },
	[FC_SECONDS_SINCE_RESET] = { "seconds_since_last_reset",
		FC_COUNTER("seconds_since_last_reset_total",
			   "Number of seconds since last host port reset") },
	[FC_TX_FRAMES] = { "tx_frames",
		FC_COUNTER("tx_frames_total",
			   "Number of frames transmitted by host port") },
	[FC_TX_WORDS] = { "tx_words",
		FC_COUNTER("tx_words_total",
			   "Number of words transmitted by host port") },
};

/* The attributes upstream reads, sorted as node_fibrechannel_info's labels. */
enum fc_attr {
	FC_DEV_LOSS_TMO, FC_FABRIC_NAME, FC_PORT_ID, FC_PORT_NAME,
	FC_PORT_STATE, FC_PORT_TYPE, FC_SPEED, FC_SUPPORTED_CLASSES,
	FC_SUPPORTED_SPEEDS, FC_SYMBOLIC_NAME,
	FC_NODE_NAME,		/* read (it must be there), never exposed */
	FC_NATTRS,
};

static const char *const attr_files[FC_NATTRS] = {
	[FC_DEV_LOSS_TMO] = "dev_loss_tmo", [FC_FABRIC_NAME] = "fabric_name",
	[FC_PORT_ID] = "port_id", [FC_PORT_NAME] = "port_name",
	[FC_PORT_STATE] = "port_state", [FC_PORT_TYPE] = "port_type",
	[FC_SPEED] = "speed", [FC_SUPPORTED_CLASSES] = "supported_classes",
	[FC_SUPPORTED_SPEEDS] = "supported_speeds",
	[FC_SYMBOLIC_NAME] = "symbolic_name", [FC_NODE_NAME] = "node_name",
};

static const struct metric_desc info_desc = {
	"node_fibrechannel_info",
	"Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
	METRIC_GAUGE,
	LABELS("dev_loss_tmo", "fabric_name", "fc_host", "port_id",
	       "port_name", "port_state", "port_type", "speed",
	       "supported_classes", "supported_speeds", "symbolic_name"),
};

/* "Not supported": the kernel's all-ones counter. */
#define FC_UNSUPPORTED UINT64_MAX

struct fc_host {
	char *name;
	char attr[FC_NATTRS][FC_READ_MAX + 1];
	uint64_t count[FC_NCOUNTERS];
};

/* ---- parsing ------------------------------------------------------------ */

/* Trims blanks around s in place. */
static void fc_trim(char *s)
{
	const char *start;
	size_t n = hw3_trim(s, &start);

	memmove(s, start, n);
	s[n] = '\0';
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Reads dir/name with one read(2) of at most FC_READ_MAX bytes into out,
 * trimmed, as upstream's SysReadFile. Returns 0 or a negative errno.
 */
static int fc_read(int dir, const char *name, char out[FC_READ_MAX + 1])
{
	ssize_t got;
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	do {
		got = read(fd, out, FC_READ_MAX);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	out[got] = '\0';
	fc_trim(out);
	return 0;
}

/* Upstream shows port ids and names without "0x": it drops two bytes. */
static void fc_drop_prefix(char *s)
{
	size_t n = strlen(s);

	if (n > 2)
		memmove(s, s + 2, n - 1);
}

static int fc_read_attrs(int dir, struct fc_host *h)
{
	for (int i = 0; i < FC_NATTRS; i++) {
		int rc = fc_read(dir, attr_files[i], h->attr[i]);

		if (rc) {
			log_debug("fibre channel attribute unreadable", "host",
				  h->name, "file", attr_files[i], "err",
				  strerror(-rc));
			return rc == -ENOENT ? -EIO : rc;	/* not "no data" */
		}
	}
	fc_drop_prefix(h->attr[FC_PORT_ID]);
	fc_drop_prefix(h->attr[FC_PORT_NAME]);
	fc_drop_prefix(h->attr[FC_FABRIC_NAME]);
	fc_drop_prefix(h->attr[FC_NODE_NAME]);
	return 0;
}

/* Reads one statistics file into its counter, if it is one of ours. */
static int fc_read_counter(int dir, const char *name, struct fc_host *h)
{
	char text[FC_READ_MAX + 1];
	int rc;

	for (int i = 0; i < FC_NCOUNTERS; i++) {
		if (strcmp(name, counters[i].file))
			continue;
		rc = fc_read(dir, name, text);
		if (rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EINVAL)
			return 0;	/* write-only files answer so */
		if (!rc && hw3_parse_uint(text, 0, &h->count[i]))
			rc = -EINVAL;
		return rc;
	}
	return 0;
}

/* Upstream reads the regular files of statistics/ but reset_statistics. */
static bool fc_is_stat_file(int dir, const struct dirent *d)
{
	struct stat st;

	if (!strcmp(d->d_name, "reset_statistics"))
		return false;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_REG;
	return fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

static int fc_read_stats(int hostdir, struct fc_host *h)
{
	int fd = openat(hostdir, "statistics",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (fd < 0)
		return errno == ENOENT ? -ENODATA : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while (!rc && (d = readdir(dir)))
		if (fc_is_stat_file(dirfd(dir), d))
			rc = fc_read_counter(dirfd(dir), d->d_name, h);
	closedir(dir);
	return rc;
}

static int fc_read_host(int root, struct fc_host *h)
{
	int dir = openat(root, h->name, O_RDONLY | O_CLOEXEC | O_PATH);
	int rc;

	if (dir < 0)
		return -errno;
	rc = fc_read_attrs(dir, h);
	if (!rc)
		rc = fc_read_stats(dir, h);
	close(dir);
	return rc;
}

static void fc_hosts_free(struct fc_host *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * Reads every host under <sysfs>/class/fc_host. Returns how many are in
 * *out (free with fc_hosts_free), or a negative errno.
 */
static long fc_read_hosts(const char *sysfs, struct fc_host **out)
{
	struct buf path = BUF_INIT;
	struct fc_host *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir = opendir(fs_join(&path, sysfs, "class/fc_host"));
	int rc = 0;

	buf_release(&path);
	if (!dir)
		return errno == ENOENT ? -ENODATA : -errno;
	while (!rc && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = strdup(d->d_name);
		if (!v[n].name)
			abort();
		rc = fc_read_host(dirfd(dir), &v[n++]);
	}
	closedir(dir);
	if (rc) {
		fc_hosts_free(v, n);
		return rc;
	}
	*out = v;
	return (long)n;
}

/* ---- writing ------------------------------------------------------------ */

static int fc_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fc_host *)a)->name,
		      ((const struct fc_host *)b)->name);
}

/* node_fibrechannel_info's order: by its label values, names sorted. */
static int fc_info_cmp(const void *x, const void *y)
{
	const struct fc_host *a = *(const struct fc_host *const *)x;
	const struct fc_host *b = *(const struct fc_host *const *)y;
	int c;

	for (int i = FC_DEV_LOSS_TMO; i < FC_NODE_NAME; i++) {
		if (i == FC_PORT_ID && (c = strcmp(a->name, b->name)))
			return c;
		if ((c = strcmp(a->attr[i], b->attr[i])))
			return c;
	}
	return 0;
}

static void fc_write_info(struct expo *w, const struct fc_host *v, size_t n)
{
	const struct fc_host **by = calloc(n, sizeof(*by));

	if (!by)
		abort();
	for (size_t i = 0; i < n; i++)
		by[i] = &v[i];
	qsort(by, n, sizeof(*by), fc_info_cmp);
	expo_family(w, &info_desc);
	for (size_t i = 0; i < n; i++) {
		const char (*a)[FC_READ_MAX + 1] = by[i]->attr;

		expo_sample(w, 1, a[FC_DEV_LOSS_TMO], a[FC_FABRIC_NAME],
			    by[i]->name, a[FC_PORT_ID], a[FC_PORT_NAME],
			    a[FC_PORT_STATE], a[FC_PORT_TYPE], a[FC_SPEED],
			    a[FC_SUPPORTED_CLASSES], a[FC_SUPPORTED_SPEEDS],
			    a[FC_SYMBOLIC_NAME]);
	}
	free(by);
}

static void fc_write_counter(struct expo *w, const struct fc_host *v,
			     size_t n, enum fc_counter c)
{
	bool declared = false;

	for (size_t i = 0; i < n; i++) {
		if (v[i].count[c] == FC_UNSUPPORTED)
			continue;
		if (!declared)
			expo_family(w, &counters[c].desc);
		declared = true;
		expo_sample(w, (double)v[i].count[c], v[i].name);
	}
}

/* All families in name order; info sits between fcp_packet_aborts and
 * invalid_crc. */
static void fc_write(struct expo *w, struct fc_host *v, size_t n)
{
	qsort(v, n, sizeof(*v), fc_name_cmp);
	for (int c = 0; c < FC_NCOUNTERS; c++) {
		if (c == FC_INVALID_CRC)
			fc_write_info(w, v, n);
		fc_write_counter(w, v, n, c);
	}
}

static int fibrechannel_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct fc_host *v = NULL;
	long n = fc_read_hosts(cfg->sysfs, &v);

	if (n < 0) {
		log_debug("fibre channel hosts unreadable", "err",
			  strerror((int)-n));
		return (int)n;
	}
	if (n > 0)
		fc_write(w, v, (size_t)n);
	fc_hosts_free(v, (size_t)n);
	return 0;
}

const struct collector fibrechannel_collector = {
	.name = "fibrechannel",
	.enabled_by_default = true,
	.collect = fibrechannel_collect,
};
