/*
 * tapestats: the I/O counters of SCSI tape drives, read from
 * /sys/class/scsi_tape/st<N>/stats, as node_exporter 1.5's tapestats
 * collector (over the Go procfs library's SCSITapeClass) reports them,
 * node_tape_*{device}.
 *
 * Only the st<N> entries count (not the st<N>a/l/m or nst<N> aliases of
 * the same drive). A counter file that is missing reads as 0; one that is
 * not a number (Go's ParseUint base 0, so "0x10" is 16) makes upstream
 * crash and fails the collector here. A missing class or stats directory
 * means "no data" (upstream tests the unwrapped error with os.IsNotExist);
 * anything else that goes wrong fails the collector.
 *
 * --collector.tapestats.ignored-devices (RE2, default "^$") drops drives
 * by name, after they are read (so an ignored drive's bad counter still
 * fails the collector, as upstream); an empty pattern, as in Go, matches
 * every name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_filter.h"
#include "fsutil.h"
#include "hw3_parse.h"
#include "log.h"
#include "node.h"
#include "regex.h"

/* The stats files, in the order of their families' names. */
enum tape_stat {
	TAPE_IN_FLIGHT, TAPE_OTHER_CNT, TAPE_IO_NS, TAPE_READ_BYTE_CNT,
	TAPE_READ_NS, TAPE_READ_CNT, TAPE_RESID_CNT, TAPE_WRITE_NS,
	TAPE_WRITE_CNT, TAPE_WRITE_BYTE_CNT, TAPE_NSTATS,
};

#define DEV LABELS("device")

static const struct tape_def {
	const char *file;
	bool nanoseconds;		/* shown in seconds */
	struct metric_desc desc;
} defs[TAPE_NSTATS] = {
	[TAPE_IN_FLIGHT] = { "in_flight", false, { "node_tape_io_now",
		"The number of I/Os currently outstanding to this device.",
		METRIC_GAUGE, DEV } },
	[TAPE_OTHER_CNT] = { "other_cnt", false, { "node_tape_io_others_total",
		"The number of I/Os issued to the tape drive other than read or "
		"write commands. The time taken to complete these commands uses "
		"the following calculation io_time_seconds_total-"
		"read_time_seconds_total-write_time_seconds_total",
		METRIC_COUNTER, DEV } },
	[TAPE_IO_NS] = { "io_ns", true, { "node_tape_io_time_seconds_total",
		"The amount of time spent waiting for all I/O to complete "
		"(including read and write). This includes tape movement "
		"commands such as seeking between file or set marks and "
		"implicit tape movement such as when rewind on close tape "
		"devices are used.",
		METRIC_COUNTER, DEV } },
	[TAPE_READ_BYTE_CNT] = { "read_byte_cnt", false, {
		"node_tape_read_bytes_total",
		"The number of bytes read from the tape drive.",
		METRIC_COUNTER, DEV } },
	[TAPE_READ_NS] = { "read_ns", true, {
		"node_tape_read_time_seconds_total",
		"The amount of time spent waiting for read requests to complete.",
		METRIC_COUNTER, DEV } },
	[TAPE_READ_CNT] = { "read_cnt", false, {
		"node_tape_reads_completed_total",
		"The number of read requests issued to the tape drive.",
		METRIC_COUNTER, DEV } },
	[TAPE_RESID_CNT] = { "resid_cnt", false, { "node_tape_residual_total",
		"The number of times during a read or write we found the "
		"residual amount to be non-zero. This should mean that a "
		"program is issuing a read larger thean the block size on "
		"tape. For write not all data made it to tape.",
		METRIC_COUNTER, DEV } },
	[TAPE_WRITE_NS] = { "write_ns", true, {
		"node_tape_write_time_seconds_total",
		"The amount of time spent waiting for write requests to complete.",
		METRIC_COUNTER, DEV } },
	[TAPE_WRITE_CNT] = { "write_cnt", false, {
		"node_tape_writes_completed_total",
		"The number of write requests issued to the tape drive.",
		METRIC_COUNTER, DEV } },
	[TAPE_WRITE_BYTE_CNT] = { "write_byte_cnt", false, {
		"node_tape_written_bytes_total",
		"The number of bytes written to the tape drive.",
		METRIC_COUNTER, DEV } },
};

struct tape {
	char *name;
	uint64_t v[TAPE_NSTATS];
};

struct tape_state {
	regex_t ignored;
	bool have_ignored;
	bool ignore_all;		/* the empty pattern */
};

/* ^st[0-9]+$: the drive itself, not one of its aliases. */
static bool tape_is_drive(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[0] == 's' && name[1] == 't' &&
	       strspn(name + 2, "0123456789") == n - 2;
}

static bool tape_ignored(const struct tape_state *st, const char *name)
{
	if (!st)
		return false;
	return st->ignore_all ||
	       (st->have_ignored && re_matches(&st->ignored, name));
}

/* Upstream reads each file with one read(2) of this many bytes. */
#define TAPE_READ_MAX 128

/*
 * Reads the counter file name in the open directory dir into t when it is
 * one of ours; others are left alone. A counter that vanished or cannot
 * be read by design (EOPNOTSUPP, EINVAL) stays 0, as upstream.
 */
static int tape_read_counter(int dir, const char *name, struct tape *t)
{
	char text[TAPE_READ_MAX + 1];
	ssize_t got;
	int fd, i;

	for (i = 0; i < TAPE_NSTATS && strcmp(name, defs[i].file); i++)
		;
	if (i == TAPE_NSTATS)
		return 0;
	fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == EOPNOTSUPP ? 0 : -errno;
	do {
		got = read(fd, text, TAPE_READ_MAX);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		int err = errno;

		close(fd);
		return err == EOPNOTSUPP || err == EINVAL ? 0 : -err;
	}
	close(fd);
	text[got] = '\0';
	if (hw3_parse_uint(text, 0, &t->v[i])) {
		/* Upstream crashes here; we only fail. */
		log_debug("tape counter is not a number", "device", t->name,
			  "file", name);
		return -EINVAL;
	}
	return 0;
}

/* Upstream reads the regular files of stats/, a missing one stays 0. */
static bool tape_is_file(int dir, const struct dirent *d)
{
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_REG;
	return fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Reads the counters of the drive whose stats directory is path. */
static int tape_read(const char *path, struct tape *t)
{
	DIR *dir = opendir(path);
	struct dirent *d;
	int rc = 0;

	if (!dir)
		return errno == ENOENT ? -ENODATA : -errno;
	while (!rc && (d = readdir(dir)))
		if (tape_is_file(dirfd(dir), d))
			rc = tape_read_counter(dirfd(dir), d->d_name, t);
	closedir(dir);
	return rc;
}

static int tape_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tape *)a)->name,
		      ((const struct tape *)b)->name);
}

static void tape_write(struct expo *w, struct tape *v, size_t n)
{
	qsort(v, n, sizeof(*v), tape_cmp);
	for (int s = 0; s < TAPE_NSTATS; s++) {
		expo_family(w, &defs[s].desc);
		for (size_t i = 0; i < n; i++) {
			double x = (double)v[i].v[s];

			/* As upstream: times 1e-9, not divided by 1e9. */
			expo_sample(w, defs[s].nanoseconds ? x * 0.000000001 : x,
				    v[i].name);
		}
	}
}

static void tapes_free(struct tape *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * Reads every drive under root that the filter lets through. Returns how
 * many are in *out (free with tapes_free), or a negative errno.
 */
static long tape_read_all(const struct tape_state *st, const char *root,
			  struct tape **out)
{
	struct buf path = BUF_INIT;
	struct tape *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir = opendir(root);
	int rc = 0;

	if (!dir)
		return errno == ENOENT ? -ENODATA : -errno;
	while (!rc && (d = readdir(dir))) {
		if (!tape_is_drive(d->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n] = (struct tape){ .name = strdup(d->d_name) };
		if (!v[n].name)
			abort();
		fs_join(&path, root, d->d_name);
		buf_adds(&path, "/stats");
		rc = tape_read(buf_cstr(&path), &v[n]);
		/* Upstream reads every drive, then skips the ignored ones. */
		if (tape_ignored(st, v[n].name))
			free(v[n].name);
		else
			n++;
	}
	closedir(dir);
	buf_release(&path);
	if (rc) {
		tapes_free(v, n);
		return rc;
	}
	*out = v;
	return (long)n;
}

static int tapestats_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT;
	struct tape *v = NULL;
	long n;

	n = tape_read_all(ctx->state,
			  fs_join(&root, cfg->sysfs, "class/scsi_tape"), &v);
	buf_release(&root);
	if (n < 0)
		return (int)n;
	if (n > 0)
		tape_write(w, v, (size_t)n);
	tapes_free(v, (size_t)n);
	return 0;
}

/* ---- life cycle ------------------------------------------------------------ */

static void tapestats_release(void *state)
{
	struct tape_state *st = state;

	if (!st)
		return;
	if (st->have_ignored)
		regfree(&st->ignored);
	free(st);
}

static int tapestats_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	const char *pattern = cfg->tapestats_ignored;
	struct tape_state *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	st->ignore_all = pattern && !*pattern;
	if (device_pattern_compile(&st->ignored, &st->have_ignored, pattern,
				   "collector.tapestats.ignored-devices")) {
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

const struct collector tapestats_collector = {
	.name = "tapestats",
	.enabled_by_default = true,
	.init = tapestats_init,
	.collect = tapestats_collect,
	.release = tapestats_release,
};
