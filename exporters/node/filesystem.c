/*
 * filesystem: node_filesystem_* for every mounted filesystem that the
 * exclude patterns let through, from statfs(2) on the mount point, as
 * node_exporter 1.5 reports them.
 *
 * Unlike node_exporter, a scrape never waits on a hung mount (a stale NFS
 * server) for longer than --collector.filesystem.mount-timeout: each statfs
 * of a remote filesystem runs on a worker thread, up to
 * --collector.filesystem.stat-workers at once. A mount that times out is
 * reported with
 * device_error 1 and remembered as stuck, so later scrapes report it at once
 * without another statfs, until the hung call returns (upstream's
 * stuckMounts). The worker and the collector share the job by reference
 * count, so an abandoned worker never touches memory that was given up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "filesystem.h"
#include "fsutil.h"
#include "log.h"
#include "node.h"
#include "regex.h"

#define DEFAULT_MOUNT_TIMEOUT 5.0
/* More concurrent statfs calls than this buy nothing but threads. */
#define FS_STAT_WORKERS_MAX 64
/* Seconds an unchanged mount table is trusted before it is read anyway. */
#define MOUNTS_MAX_AGE 60.0

/* ---- parsing ------------------------------------------------------------ */

/* Blanks as Go's strings.Fields sees them within a line (ASCII ones). */
static bool mount_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool octal(char c)
{
	return c >= '0' && c <= '7';
}

/*
 * Appends field [s, s+n) and its NUL to out, undoing the kernel's \ooo
 * escapes when unescape is set (a \000 or out-of-range escape stays as
 * written). Returns the field's offset in out.
 */
static size_t add_field(struct buf *out, const char *s, size_t n, bool unescape)
{
	size_t off = out->len;

	for (size_t i = 0; i < n; i++) {
		if (unescape && s[i] == '\\' && i + 3 < n && octal(s[i + 1]) &&
		    s[i + 1] <= '3' && octal(s[i + 2]) && octal(s[i + 3])) {
			char c = (char)((s[i + 1] - '0') * 64 +
					(s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			if (c) {
				buf_addc(out, c);
				i += 3;
				continue;
			}
		}
		buf_addc(out, s[i]);
	}
	buf_addc(out, '\0');
	return off;
}

/* Splits [s, end) into at most max fields; returns how many there are. */
static size_t split_fields(const char *s, const char *end, const char **f,
			   size_t *len, size_t max)
{
	size_t n = 0;

	while (s < end) {
		while (s < end && mount_blank(*s))
			s++;
		if (s == end)
			break;
		const char *start = s;
		while (s < end && !mount_blank(*s))
			s++;
		if (n < max) {
			f[n] = start;
			len[n] = (size_t)(s - start);
		}
		n++;
	}
	return n;
}

/* Parses one line; offs gets the offsets of its four strings. */
static int parse_mount_line(const char *s, const char *end, struct buf *strings,
			    size_t offs[4], bool *blank)
{
	const char *f[4];
	size_t len[4];
	size_t n = split_fields(s, end, f, len, 4);

	*blank = n == 0;
	if (n == 0)
		return 0;
	if (n < 4)
		return -EINVAL;
	/*
	 * Only the mount point is unescaped: node_exporter 1.5 keeps the
	 * device as the kernel writes it ("backup\040disk"), and the device
	 * label is part of every series dashboards select on.
	 */
	for (size_t i = 0; i < 4; i++)
		offs[i] = add_field(strings, f[i], len[i], i == 1);
	return 0;
}

int filesystem_parse_mounts(const char *text, size_t len,
			    struct filesystem_mounts *out)
{
	const char *s = text, *end = text + len;
	size_t (*offs)[4] = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len))
		return -EINVAL;
	while (s < end && !rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		bool blank;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			offs = realloc(offs, cap * sizeof(*offs));
			if (!offs)
				abort();
		}
		rc = parse_mount_line(s, eol, &out->strings, offs[n], &blank);
		n += !rc && !blank;
		s = nl ? nl + 1 : end;
	}
	if (!rc && n) {
		/* The strings are all in place now: turn offsets into pointers. */
		out->v = calloc(n, sizeof(*out->v));
		if (!out->v)
			abort();
		for (size_t i = 0; i < n; i++) {
			const char *base = out->strings.data;
			out->v[i] = (struct filesystem_mount){
				base + offs[i][0], base + offs[i][1],
				base + offs[i][2], base + offs[i][3],
			};
		}
		out->n = n;
	}
	free(offs);
	if (rc)
		filesystem_mounts_release(out);
	return rc;
}

void filesystem_mounts_release(struct filesystem_mounts *m)
{
	free(m->v);
	buf_release(&m->strings);
	m->v = NULL;
	m->n = 0;
}

const char *filesystem_strip_rootfs(const char *rootfs, const char *mountpoint)
{
	size_t n;

	if (!rootfs || strcmp(rootfs, "/") == 0)
		return mountpoint;
	n = strlen(rootfs);
	if (strncmp(mountpoint, rootfs, n) != 0)
		return mountpoint;
	return mountpoint[n] ? mountpoint + n : "/";
}

bool filesystem_options_readonly(const char *options)
{
	for (const char *p = options; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 2 && p[0] == 'r' && p[1] == 'o')
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* ---- statfs on a worker thread ---------------------------------------------- */

/*
 * One statfs call. Two references while it runs: the worker's and the
 * collector's; whoever drops the last one frees it. The worker touches
 * nothing but its job, so the collector may give up on it (a hung mount)
 * and even be released while it still runs.
 */
struct fs_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned refs;
	bool done;
	int err;			/* errno of a failed statfs, or 0 */
	struct statfs st;
	filesystem_statfs_fn fn;
	char path[];
};

/* A mount point whose statfs timed out and has not returned yet. */
struct stuck_mount {
	char *mountpoint;
	struct fs_job *job;		/* holds the collector's reference */
};

struct fs_state {
	regex_t mount_points;
	regex_t fs_types;
	bool have_mount_points, have_fs_types;
	filesystem_statfs_fn statfs_fn;
	/* Touched only by collect() and release(), which never overlap. */
	struct stat_worker **workers;	/* each NULL until needed, or after a hang */
	size_t nworkers;		/* --collector.filesystem.stat-workers */
	struct stuck_mount *stuck;
	size_t nstuck, stuck_cap;
	/* The mount table as last parsed (see current_mounts). */
	int mounts_fd;			/* a procfs mounts file, or -1 */
	struct filesystem_mounts mounts;
	double mounts_read_at;
	bool mounts_stale;		/* read it again next scrape */
	unsigned mounts_reads;		/* for tests: how often it was parsed */
};

static void job_unref_locked(struct fs_job *j)
{
	bool last = --j->refs == 0;

	pthread_mutex_unlock(&j->lock);
	if (!last)
		return;
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void job_unref(struct fs_job *j)
{
	pthread_mutex_lock(&j->lock);
	job_unref_locked(j);
}

static bool job_done(struct fs_job *j)
{
	pthread_mutex_lock(&j->lock);
	bool done = j->done;
	pthread_mutex_unlock(&j->lock);
	return done;
}

/* Runs one statfs job and drops the worker's reference to it. */
static void job_run(struct fs_job *j)
{
	struct statfs st;
	int err = 0;

	memset(&st, 0, sizeof(st));
	if (j->fn(j->path, &st) != 0)
		err = errno ? errno : EIO;
	pthread_mutex_lock(&j->lock);
	j->st = st;
	j->err = err;
	j->done = true;
	pthread_cond_broadcast(&j->cond);
	job_unref_locked(j);
}

/*
 * The thread that runs the statfs calls, one after another, kept across
 * scrapes: a thread per call cost more than the calls. When a call hangs
 * (a stale NFS mount) the collector abandons the worker to it and starts a
 * new one; the abandoned worker exits once its call returns. The worker and
 * the collector each hold a reference; the last one frees it.
 */
struct stat_worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fs_job *job;		/* handed over, not yet taken */
	bool quit;			/* abandoned or released: exit when free */
	unsigned refs;
};

static void worker_unref_locked(struct stat_worker *w)
{
	bool last = --w->refs == 0;

	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void *worker_main(void *arg)
{
	struct stat_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->job)
			break;
		struct fs_job *j = w->job;
		w->job = NULL;
		pthread_mutex_unlock(&w->lock);
		job_run(j);
		pthread_mutex_lock(&w->lock);
	}
	worker_unref_locked(w);
	return NULL;
}

static struct stat_worker *worker_start(void)
{
	struct stat_worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	pthread_t tid;

	if (!w)
		abort();
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int err = pthread_create(&tid, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (err == 0)
		return w;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	errno = err;
	return NULL;
}

/* Tells the worker to exit once it is free; drops the collector's ref. */
static void worker_quit(struct stat_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->cond);
	worker_unref_locked(w);
}

/* Makes a statfs job for path and hands it to the (idle) worker. */
static struct fs_job *job_start(struct stat_worker *w, filesystem_statfs_fn fn,
				const char *path)
{
	size_t n = strlen(path) + 1;
	struct fs_job *j = calloc(1, sizeof(*j) + n);
	pthread_condattr_t ca;

	if (!j)
		abort();
	memcpy(j->path, path, n);
	j->fn = fn;
	j->refs = 2;
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&w->lock);
	w->job = j;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return j;
}

/* Waits for the job until the CLOCK_MONOTONIC time until; true if done. */
static bool job_wait(struct fs_job *j, double until)
{
	struct timespec ts;
	double whole;

	ts.tv_nsec = (long)(modf(until, &whole) * 1e9);
	ts.tv_sec = (time_t)whole;
	pthread_mutex_lock(&j->lock);
	while (!j->done)
		if (pthread_cond_timedwait(&j->cond, &j->lock, &ts) == ETIMEDOUT)
			break;
	bool done = j->done;
	pthread_mutex_unlock(&j->lock);
	return done;
}

/* ---- stuck mounts ------------------------------------------------------------ */

static struct stuck_mount *stuck_find(struct fs_state *st, const char *mp)
{
	for (size_t i = 0; i < st->nstuck; i++)
		if (strcmp(st->stuck[i].mountpoint, mp) == 0)
			return &st->stuck[i];
	return NULL;
}

/* Remembers a timed-out job; the state takes over the caller's reference. */
static void stuck_add(struct fs_state *st, const char *mp, struct fs_job *j)
{
	if (st->nstuck == st->stuck_cap) {
		st->stuck_cap = st->stuck_cap ? st->stuck_cap * 2 : 4;
		st->stuck = realloc(st->stuck, st->stuck_cap * sizeof(*st->stuck));
		if (!st->stuck)
			abort();
	}
	char *copy = strdup(mp);
	if (!copy)
		abort();
	st->stuck[st->nstuck++] = (struct stuck_mount){ copy, j };
}

/* Forgets the stuck mounts whose statfs has finally returned. */
static void stuck_reap(struct fs_state *st)
{
	size_t k = 0;

	for (size_t i = 0; i < st->nstuck; i++) {
		struct stuck_mount *s = &st->stuck[i];
		if (!job_done(s->job)) {
			st->stuck[k++] = *s;
			continue;
		}
		log_info("mount point has recovered, monitoring will resume",
			 "mountpoint", s->mountpoint);
		job_unref(s->job);
		free(s->mountpoint);
	}
	st->nstuck = k;
}

/* ---- collecting ---------------------------------------------------------------- */

struct fs_stat {
	const char *device;
	const char *fstype;
	const char *mountpoint;	/* the label: rootfs stripped */
	const char *options;
	size_t index;		/* line order, to keep the first of duplicates */
	bool error;
	struct statfs st;
};

/*
 * Local block and memory filesystems answer statfs from counters the
 * kernel keeps in memory: they are stat'ed inline, saving two thread
 * wake-ups per mount. Everything else (NFS, CIFS, FUSE, types we do not
 * know) may block, so it goes to the worker under the mount timeout. Should
 * a local one ever hang, the scrape's deadline still covers the collector.
 */
static bool answers_from_memory(const char *fstype)
{
	static const char *const local[] = {
		"btrfs", "devtmpfs", "erofs", "exfat", "ext2", "ext3", "ext4",
		"f2fs", "iso9660", "ramfs", "squashfs", "tmpfs", "vfat", "xfs",
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strcmp(fstype, local[i]) == 0)
			return true;
	return false;
}

/*
 * Settles a mount without a worker when it can: one still stuck from an
 * earlier scrape is an error at once, so is any once the scrape is over,
 * and local filesystems are stat'ed inline. False: it needs a worker.
 */
static bool stat_inline(struct fs_state *st, struct fs_stat *s,
			const char *path, double until)
{
	s->error = true;
	if (stuck_find(st, s->mountpoint)) {
		log_debug("mount point is in an unresponsive state",
			  "mountpoint", s->mountpoint);
		return true;
	}
	if (until <= monotonic_seconds())
		return true;	/* the scrape is over: don't start more work */
	if (answers_from_memory(s->fstype)) {
		s->error = st->statfs_fn(path, &s->st) != 0;
		return true;
	}
	return false;
}

/* A statfs handed to worker slot `worker`, to be waited for until `until`. */
struct fs_pending {
	struct fs_stat *s;
	struct fs_job *job;
	size_t worker;
	double until;
};

/*
 * Waits for each pending statfs in turn. One that times out becomes stuck,
 * and its worker, held by the hung call, is left to it.
 */
static void stat_finish(struct fs_state *st, struct fs_pending *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fs_job *j = p[i].job;

		if (!job_wait(j, p[i].until)) {
			log_warn("mount point timed out, skipping it until statfs returns",
				 "mountpoint", p[i].s->mountpoint);
			stuck_add(st, p[i].s->mountpoint, j);
			worker_quit(st->workers[p[i].worker]);
			st->workers[p[i].worker] = NULL;
			continue;
		}
		if (j->err)
			log_debug("error on statfs() system call", "rootfs", j->path,
				  "err", strerror(j->err));
		else
			p[i].s->st = j->st;
		p[i].s->error = j->err != 0;
		job_unref(j);
	}
}

/*
 * Stats every mount: up to nworkers remote ones at a time, each on its own
 * worker under the mount timeout (never past the scrape deadline), so that
 * hung mounts cost one timeout per batch rather than one each.
 */
static void stat_mounts(struct fs_state *st, const char *rootfs,
			struct fs_stat *stats, size_t n, double timeout,
			double deadline)
{
	struct fs_pending *p = calloc(st->nworkers, sizeof(*p));
	struct buf path = BUF_INIT;
	size_t np = 0;

	if (!p)
		abort();
	for (size_t i = 0; i < n; i++) {
		double until = monotonic_seconds() + timeout;

		if (deadline > 0 && deadline < until)
			until = deadline;
		/* Go's filepath.Join(rootfs, label), as rootfsFilePath() does. */
		fs_join(&path, rootfs, stats[i].mountpoint);
		if (stat_inline(st, &stats[i], buf_cstr(&path), until))
			continue;
		if (!st->workers[np] && !(st->workers[np] = worker_start())) {
			log_warn("statfs thread did not start", "mountpoint",
				 stats[i].mountpoint, "err", strerror(errno));
			continue;
		}
		p[np] = (struct fs_pending){ &stats[i],
			job_start(st->workers[np], st->statfs_fn, buf_cstr(&path)),
			np, until };
		if (++np == st->nworkers) {
			stat_finish(st, p, np);
			np = 0;
		}
	}
	stat_finish(st, p, np);
	buf_release(&path);
	free(p);
}

static int stat_cmp(const void *a, const void *b)
{
	const struct fs_stat *x = a, *y = b;
	int c = strcmp(x->device, y->device);

	if (!c)
		c = strcmp(x->fstype, y->fstype);
	if (!c)
		c = strcmp(x->mountpoint, y->mountpoint);
	if (!c)
		c = (x->index > y->index) - (x->index < y->index);
	return c;
}

static bool same_labels(const struct fs_stat *x, const struct fs_stat *y)
{
	return strcmp(x->device, y->device) == 0 &&
	       strcmp(x->fstype, y->fstype) == 0 &&
	       strcmp(x->mountpoint, y->mountpoint) == 0;
}

/*
 * The mounts to report: exclude patterns applied to the stripped mount
 * point and the type, sorted by label values (as client_golang sorts them),
 * each (device, fstype, mountpoint) once. Returns how many are in out.
 */
static size_t select_mounts(const struct fs_state *st, const char *rootfs,
			    const struct filesystem_mounts *m,
			    struct fs_stat *out)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct filesystem_mount *mnt = &m->v[i];
		const char *label = filesystem_strip_rootfs(rootfs, mnt->mountpoint);
		if (st->have_mount_points && re_matches(&st->mount_points, label))
			continue;
		if (st->have_fs_types && re_matches(&st->fs_types, mnt->fstype))
			continue;
		out[n++] = (struct fs_stat){
			.device = mnt->device, .fstype = mnt->fstype,
			.mountpoint = label, .options = mnt->options, .index = i,
		};
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), stat_cmp);
	for (size_t i = 0; i < n; i++)
		if (!k || !same_labels(&out[k - 1], &out[i]))
			out[k++] = out[i];
	return k;
}

enum fs_field {
	FS_AVAIL, FS_DEVICE_ERROR, FS_FILES, FS_FILES_FREE, FS_FREE,
	FS_READONLY, FS_SIZE, FS_NFIELDS,
};

#define FS_LABELS LABELS("device", "fstype", "mountpoint")

/* Sorted by name, as node_exporter's output is. */
static const struct metric_desc fs_descs[FS_NFIELDS] = {
	[FS_AVAIL] = { "node_filesystem_avail_bytes",
		"Filesystem space available to non-root users in bytes.",
		METRIC_GAUGE, FS_LABELS },
	[FS_DEVICE_ERROR] = { "node_filesystem_device_error",
		"Whether an error occurred while getting statistics for the given device.",
		METRIC_GAUGE, FS_LABELS },
	[FS_FILES] = { "node_filesystem_files",
		"Filesystem total file nodes.", METRIC_GAUGE, FS_LABELS },
	[FS_FILES_FREE] = { "node_filesystem_files_free",
		"Filesystem total free file nodes.", METRIC_GAUGE, FS_LABELS },
	[FS_FREE] = { "node_filesystem_free_bytes",
		"Filesystem free space in bytes.", METRIC_GAUGE, FS_LABELS },
	[FS_READONLY] = { "node_filesystem_readonly",
		"Filesystem read-only status.", METRIC_GAUGE, FS_LABELS },
	[FS_SIZE] = { "node_filesystem_size_bytes",
		"Filesystem size in bytes.", METRIC_GAUGE, FS_LABELS },
};

static double fs_value(const struct fs_stat *s, enum fs_field f)
{
	double bsize = (double)s->st.f_bsize;

	switch (f) {
	case FS_AVAIL:
		return (double)s->st.f_bavail * bsize;
	case FS_DEVICE_ERROR:
		return s->error;
	case FS_FILES:
		return (double)s->st.f_files;
	case FS_FILES_FREE:
		return (double)s->st.f_ffree;
	case FS_FREE:
		return (double)s->st.f_bfree * bsize;
	case FS_READONLY:
		return filesystem_options_readonly(s->options);
	case FS_SIZE:
	case FS_NFIELDS:
		break;
	}
	return (double)s->st.f_blocks * bsize;
}

/* Each family whole; a mount whose statfs failed has only device_error. */
static void write_families(struct expo *w, const struct fs_stat *s, size_t n)
{
	for (int f = 0; f < FS_NFIELDS; f++) {
		expo_family(w, &fs_descs[f]);
		for (size_t i = 0; i < n; i++) {
			if (s[i].error && f != FS_DEVICE_ERROR)
				continue;
			expo_sample(w, fs_value(&s[i], f), s[i].device,
				    s[i].fstype, s[i].mountpoint);
		}
	}
}

static const char *const mounts_files[] = { "1/mounts", "mounts", "self/mounts" };

/*
 * Opens <procfs>/1/mounts (the host's mounts when we run in a container
 * with the host's /proc), or where hidepid hides it, <procfs>/mounts and
 * <procfs>/self/mounts: a descriptor or a negative errno.
 */
static int open_mounts(const char *procfs)
{
	struct buf path = BUF_INIT;
	int fd = -ENOENT;

	for (size_t i = 0; i < 3 && (fd == -ENOENT || fd == -EACCES); i++) {
		do {
			fd = open(fs_join(&path, procfs, mounts_files[i]), O_RDONLY | O_CLOEXEC);
		} while (fd < 0 && errno == EINTR);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0)
		log_debug("mounts file unreadable", "path", buf_cstr(&path),
			  "err", strerror(-fd));
	buf_release(&path);
	return fd;
}

int filesystem_read_mounts(const char *procfs, struct buf *text)
{
	int fd = open_mounts(procfs);

	if (fd < 0) {
		buf_truncate(text, 0);
		return fd;
	}
	int rc = fs_read_fd(fd, text, FS_READ_MAX);
	close(fd);
	if (rc)
		log_debug("mounts file unreadable", "err", strerror(-rc));
	return rc;
}

/*
 * Whether the table must be read again: the kernel has signalled a change
 * since the last poll, or st->mounts_fd turned out not to be ours any more
 * (dropped without a close: the number may be someone else's now).
 */
static bool mounts_changed(struct fs_state *st)
{
	struct pollfd p = { .fd = st->mounts_fd, .events = POLLPRI };

	if (poll(&p, 1, 0) == 1 && (p.revents & POLLNVAL))
		st->mounts_fd = -1;
	return p.revents & (POLLPRI | POLLERR | POLLNVAL);
}

static void close_mounts_fd(struct fs_state *st)
{
	if (st->mounts_fd >= 0)
		close(st->mounts_fd);
	st->mounts_fd = -1;
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/*
 * st->mounts, parsed again only when the table may have changed. A mounts
 * file on procfs polls POLLPRI after every mount, unmount, move and remount
 * in its namespace (what util-linux's and systemd's mount monitors wait
 * on), so an unchanged table costs one poll() instead of the kernel
 * printing every mount: 0.06 ms a scrape for 32 mounts here, milliseconds
 * on a node with thousands of container mounts. The kernel does not signal
 * a superblock it turned read-only itself (ext4 errors=remount-ro):
 * mounts_stale catches that from statfs (see note_readonly). Opened afresh
 * once a minute (pid 1 may be another now); a file not on procfs (a
 * fixture tree) is read every time.
 */
static int current_mounts(struct fs_state *st, const char *procfs)
{
	double now = monotonic_seconds();

	if (st->mounts_fd >= 0 && now - st->mounts_read_at >= MOUNTS_MAX_AGE)
		close_mounts_fd(st);
	if (st->mounts_fd >= 0 && !mounts_changed(st) && !st->mounts_stale)
		return 0;
	filesystem_mounts_release(&st->mounts);
	st->mounts_stale = false;
	if (st->mounts_fd < 0 && (st->mounts_fd = open_mounts(procfs)) < 0) {
		int err = st->mounts_fd;
		st->mounts_fd = -1;
		return err;
	}
	struct buf text = BUF_INIT;
	int rc = fs_read_fd(st->mounts_fd, &text, FS_READ_MAX);
	if (!rc)
		rc = filesystem_parse_mounts(buf_cstr(&text), text.len, &st->mounts);
	buf_release(&text);
	st->mounts_reads++;
	if (rc || !on_procfs(st->mounts_fd))
		close_mounts_fd(st);	/* a failed read opens it again next time */
	st->mounts_read_at = now;
	return rc;
}

/*
 * node_filesystem_readonly is the mount options' "ro", as upstream has it:
 * statfs's ST_RDONLY differs through a read-only --path.rootfs bind or
 * systemd's ProtectSystem=, so it cannot stand in. But a statfs that says
 * read-only where the kept options say rw may mean the kernel turned the
 * filesystem read-only without a mount event: the table is read again
 * next scrape (on a read-only rootfs bind, every scrape, as before).
 */
static void note_readonly(struct fs_state *st, const struct fs_stat *s, size_t n)
{
	for (size_t i = 0; i < n && !st->mounts_stale; i++)
		if (!s[i].error && (s[i].st.f_flags & ST_RDONLY) &&
		    !filesystem_options_readonly(s[i].options))
			st->mounts_stale = true;
}

unsigned filesystem_mount_table_reads(const void *state)
{
	return ((const struct fs_state *)state)->mounts_reads;
}

static int filesystem_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct fs_state *st = ctx->state;
	double timeout = cfg->fs_mount_timeout > 0 ? cfg->fs_mount_timeout :
						     DEFAULT_MOUNT_TIMEOUT;
	struct fs_stat *stats;
	size_t n;

	int rc = current_mounts(st, cfg->procfs ? cfg->procfs : "/proc");
	if (rc)
		return rc;
	stuck_reap(st);
	stats = calloc(st->mounts.n ? st->mounts.n : 1, sizeof(*stats));
	if (!stats)
		abort();
	n = select_mounts(st, cfg->rootfs, &st->mounts, stats);
	stat_mounts(st, cfg->rootfs, stats, n, timeout, ctx->deadline);
	note_readonly(st, stats, n);
	write_families(w, stats, n);
	free(stats);
	return 0;
}

/* ---- life cycle ---------------------------------------------------------------- */

static void filesystem_release(void *state)
{
	struct fs_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->nworkers; i++)
		if (st->workers[i])
			worker_quit(st->workers[i]);
	free(st->workers);
	for (size_t i = 0; i < st->nstuck; i++) {
		/* A worker still hung in statfs frees its job when it returns. */
		job_unref(st->stuck[i].job);
		free(st->stuck[i].mountpoint);
	}
	free(st->stuck);
	close_mounts_fd(st);
	filesystem_mounts_release(&st->mounts);
	if (st->have_mount_points)
		regfree(&st->mount_points);
	if (st->have_fs_types)
		regfree(&st->fs_types);
	free(st);
}

/* Compiles one exclude pattern; an absent pattern excludes nothing. */
static int compile_exclude(regex_t *re, bool *have, const char *pattern,
			   const char *flag)
{
	struct buf err = BUF_INIT;

	*have = false;
	if (!pattern)
		return 0;
	if (re_compile(re, pattern, &err) != 0) {
		log_error("exclude pattern does not compile", "flag", flag,
			  "pattern", pattern, "err", buf_cstr(&err));
		buf_release(&err);
		return -EINVAL;
	}
	buf_release(&err);
	*have = true;
	return 0;
}

int filesystem_init_with_statfs(const void *config, filesystem_statfs_fn fn,
				void **state)
{
	const struct node_config *cfg = config;
	struct fs_state *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	st->statfs_fn = fn;
	st->mounts_fd = -1;
	/* Unset (0) in tests' configurations: one worker. */
	st->nworkers = cfg->fs_stat_workers > 0 ? (size_t)cfg->fs_stat_workers : 1;
	if (st->nworkers > FS_STAT_WORKERS_MAX)
		st->nworkers = FS_STAT_WORKERS_MAX;
	st->workers = calloc(st->nworkers, sizeof(*st->workers));
	if (!st->workers)
		abort();
	if (compile_exclude(&st->mount_points, &st->have_mount_points,
			    cfg->fs_mount_points_exclude,
			    "collector.filesystem.mount-points-exclude") ||
	    compile_exclude(&st->fs_types, &st->have_fs_types,
			    cfg->fs_types_exclude,
			    "collector.filesystem.fs-types-exclude")) {
		filesystem_release(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

static int filesystem_init(const void *config, void **state)
{
	return filesystem_init_with_statfs(config, statfs, state);
}

const struct collector filesystem_collector = {
	.name = "filesystem",
	.enabled_by_default = true,
	.init = filesystem_init,
	.collect = filesystem_collect,
	.release = filesystem_release,
};
