/*
 * The filesystem collector: the mounts parser and the rootfs rule as pure
 * functions, the collector on tests/fixtures/node (proc/1/mounts and the
 * rootfs tree), and the stuck-mount path with a statfs that hangs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "expo.h"
#include "filesystem.h"
#include "node.h"

#define PROC_DIR FIXTURES_DIR "/node/proc"
#define ROOTFS_DIR FIXTURES_DIR "/node/rootfs"

/* node_exporter 1.5's defaults, as node_main passes them. */
#define MOUNT_POINTS_EXCLUDE \
	"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define FS_TYPES_EXCLUDE \
	"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"

static struct node_config config(const char *procfs, const char *rootfs)
{
	return (struct node_config){
		.procfs = procfs,
		.rootfs = rootfs,
		.fs_mount_points_exclude = MOUNT_POINTS_EXCLUDE,
		.fs_types_exclude = FS_TYPES_EXCLUDE,
		.fs_mount_timeout = 5,
	};
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One scrape with the given state into out (replaced). */
static int scrape(const struct node_config *cfg, void *state, struct buf *out)
{
	struct collect_ctx ctx = {
		.config = cfg, .state = state, .deadline = now() + 30,
	};
	struct expo w;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	int rc = filesystem_collector.collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	return rc;
}

/* Initialises, scrapes once, releases. */
static int scrape_once(const struct node_config *cfg, struct buf *out)
{
	void *state = NULL;

	assert_int_equal(filesystem_collector.init(cfg, &state), 0);
	int rc = scrape(cfg, state, out);
	filesystem_collector.release(state);
	return rc;
}

/* How many lines of out start with prefix. */
static int count_lines(const char *out, const char *prefix)
{
	size_t n = strlen(prefix);
	int count = 0;

	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		count += strncmp(p, prefix, n) == 0;
		if (!strchr(p, '\n'))
			break;
	}
	return count;
}

/* The value of the sample line that starts with prefix; fails if absent. */
static double value_of(const char *out, const char *prefix)
{
	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strtod(strstr(p, "} ") + 2, NULL);
		if (!strchr(p, '\n'))
			break;
	}
	fail_msg("no sample %s", prefix);
	return 0;
}

/* ---- pure functions ------------------------------------------------------- */

static void parse_mounts_fields(void **state)
{
	static const char text[] =
		"/dev/sda1 / ext4 rw,relatime 0 0\n"
		"\n"
		"my\\040dev /mnt/a\\040b\\011c\\012d\\134e vfat ro 0 0\n"
		"x /keep\\000zero\\400high\\04 t o\n"
		"  dev\t/tabs\t\tfs\topts   \n"
		"last /no/newline f o";
	struct filesystem_mounts m;
	(void)state;

	assert_int_equal(filesystem_parse_mounts(text, sizeof(text) - 1, &m), 0);
	assert_int_equal(m.n, 5);
	assert_string_equal(m.v[0].device, "/dev/sda1");
	assert_string_equal(m.v[0].mountpoint, "/");
	assert_string_equal(m.v[0].fstype, "ext4");
	assert_string_equal(m.v[0].options, "rw,relatime");
	assert_string_equal(m.v[1].device, "my\\040dev"); /* raw, as upstream */
	assert_string_equal(m.v[1].mountpoint, "/mnt/a b\tc\nd\\e");
	assert_string_equal(m.v[1].options, "ro");
	/* \000 would cut the string; \400 is no byte; \04 is too short. */
	assert_string_equal(m.v[2].mountpoint, "/keep\\000zero\\400high\\04");
	assert_string_equal(m.v[3].device, "dev");
	assert_string_equal(m.v[3].mountpoint, "/tabs");
	assert_string_equal(m.v[3].options, "opts");
	assert_string_equal(m.v[4].mountpoint, "/no/newline");
	filesystem_mounts_release(&m);

	assert_int_equal(filesystem_parse_mounts("", 0, &m), 0);
	assert_int_equal(m.n, 0);
	filesystem_mounts_release(&m);
}

static void parse_mounts_errors(void **state)
{
	static const char nul[] = "a / ext4 rw\0 0 0\n";
	struct filesystem_mounts m;
	(void)state;

	assert_int_equal(filesystem_parse_mounts("a / ext4\n", 9, &m), -EINVAL);
	assert_int_equal(m.n, 0);
	filesystem_mounts_release(&m);
	assert_int_equal(filesystem_parse_mounts(nul, sizeof(nul) - 1, &m),
			 -EINVAL);
	filesystem_mounts_release(&m);
}

static void strip_rootfs(void **state)
{
	(void)state;

	assert_string_equal(filesystem_strip_rootfs("/", "/boot"), "/boot");
	assert_string_equal(filesystem_strip_rootfs(NULL, "/boot"), "/boot");
	assert_string_equal(filesystem_strip_rootfs("/host", "/host/boot"), "/boot");
	assert_string_equal(filesystem_strip_rootfs("/host", "/host"), "/");
	assert_string_equal(filesystem_strip_rootfs("/host", "/proc"), "/proc");
	/* Upstream strips a plain string prefix, not a path prefix. */
	assert_string_equal(filesystem_strip_rootfs("/host", "/hostile"), "ile");
}

static void options_readonly(void **state)
{
	(void)state;

	assert_true(filesystem_options_readonly("ro"));
	assert_true(filesystem_options_readonly("ro,relatime"));
	assert_true(filesystem_options_readonly("nosuid,ro"));
	assert_false(filesystem_options_readonly("rw,relatime"));
	assert_false(filesystem_options_readonly("rw,errors=remount-ro"));
	assert_false(filesystem_options_readonly("rox,xro"));
	assert_false(filesystem_options_readonly(""));
}

/* ---- the collector on the fixture tree ---------------------------------- */

#define ROOT_LABELS "{device=\"/dev/vda1\",fstype=\"ext4\",mountpoint=\"/\"}"

static void fixture_label_sets(void **state)
{
	struct node_config cfg = config(PROC_DIR, ROOTFS_DIR);
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(scrape_once(&cfg, &out), 0);
	const char *o = buf_cstr(&out);
	/* Every reported mount, once, in label order. */
	assert_non_null(strstr(o,
		"# HELP node_filesystem_device_error Whether an error occurred while getting statistics for the given device.\n"
		"# TYPE node_filesystem_device_error gauge\n"
		"node_filesystem_device_error{device=\"/dev/disk/by-label/backup\\\\040disk\",fstype=\"ext4\",mountpoint=\"/mnt/backup\"} 0\n"
		"node_filesystem_device_error" ROOT_LABELS " 0\n"
		"node_filesystem_device_error{device=\"/dev/vdb1\",fstype=\"ext4\",mountpoint=\"/data disk\"} 0\n"
		"node_filesystem_device_error{device=\"/dev/vdc1\",fstype=\"ext4\",mountpoint=\"/srv/readonly\"} 0\n"
		"node_filesystem_device_error{device=\"/dev/vdd1\",fstype=\"xfs\",mountpoint=\"/srv/missing\"} 1\n"
		"node_filesystem_device_error{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"} 0\n"
		"# HELP node_filesystem_files "));
	assert_non_null(strstr(o,
		"# HELP node_filesystem_readonly Filesystem read-only status.\n"
		"# TYPE node_filesystem_readonly gauge\n"
		"node_filesystem_readonly{device=\"/dev/disk/by-label/backup\\\\040disk\",fstype=\"ext4\",mountpoint=\"/mnt/backup\"} 0\n"
		"node_filesystem_readonly" ROOT_LABELS " 0\n"
		"node_filesystem_readonly{device=\"/dev/vdb1\",fstype=\"ext4\",mountpoint=\"/data disk\"} 0\n"
		"node_filesystem_readonly{device=\"/dev/vdc1\",fstype=\"ext4\",mountpoint=\"/srv/readonly\"} 1\n"
		"node_filesystem_readonly{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"} 0\n"
		"# HELP node_filesystem_size_bytes "));
	/* Families in name order, each once, with upstream's HELP. */
	static const char *const families[] = {
		"# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n",
		"# HELP node_filesystem_device_error ",
		"# HELP node_filesystem_files Filesystem total file nodes.\n",
		"# HELP node_filesystem_files_free Filesystem total free file nodes.\n",
		"# HELP node_filesystem_free_bytes Filesystem free space in bytes.\n",
		"# HELP node_filesystem_readonly ",
		"# HELP node_filesystem_size_bytes Filesystem size in bytes.\n",
	};
	const char *prev = o;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const char *at = strstr(o, families[i]);
		assert_non_null(at);
		assert_true(at >= prev);
		assert_int_equal(count_lines(o, families[i]), 1);
		prev = at;
	}
	assert_int_equal(count_lines(o, "# TYPE node_filesystem_"), 7);
	/* 6 mounts; the missing one has only device_error. */
	assert_int_equal(count_lines(o, "node_filesystem_size_bytes{"), 5);
	assert_int_equal(count_lines(o, "node_filesystem_device_error{"), 6);
	assert_null(strstr(o, "node_filesystem_size_bytes{device=\"/dev/vdd1\""));
	/* Excluded by type or by mount point. */
	static const char *const excluded[] = {
		"fstype=\"proc\"", "fstype=\"sysfs\"", "fstype=\"cgroup2\"",
		"fstype=\"devtmpfs\"", "fstype=\"devpts\"", "fstype=\"autofs\"",
		"fstype=\"overlay\"", "fstype=\"ramfs\"", "mountpoint=\"/dev",
		"mountpoint=\"/proc", "mountpoint=\"/sys", "/var/lib/docker",
		"/run/credentials",
	};
	for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		if (strstr(o, excluded[i]))
			fail_msg("%s was not excluded", excluded[i]);
	buf_release(&out);
}

/* The numbers are statfs(2)'s on the same directories. */
static void fixture_values(void **state)
{
	struct node_config cfg = config(PROC_DIR, ROOTFS_DIR);
	struct buf out = BUF_INIT;
	struct statfs st;
	(void)state;

	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_int_equal(statfs(ROOTFS_DIR, &st), 0);
	const char *o = buf_cstr(&out);
	double size = value_of(o, "node_filesystem_size_bytes" ROOT_LABELS);
	double free_ = value_of(o, "node_filesystem_free_bytes" ROOT_LABELS);
	double avail = value_of(o, "node_filesystem_avail_bytes" ROOT_LABELS);
	assert_true(size == (double)st.f_blocks * (double)st.f_bsize);
	assert_true(value_of(o, "node_filesystem_files" ROOT_LABELS) ==
		    (double)st.f_files);
	assert_true(size > 0);
	assert_true(avail <= free_ && free_ <= size);
	double ffree = value_of(o, "node_filesystem_files_free" ROOT_LABELS);
	assert_true(ffree <= (double)st.f_files);
	buf_release(&out);
}

/* Mount points under --path.rootfs are labelled with it stripped. */
static void rootfs_prefix_stripped(void **state)
{
	struct buf mounts = BUF_INIT, out = BUF_INIT;
	char *proc = test_make_dir("test_filesystem");
	(void)state;

	buf_addf(&mounts,
		 "/dev/vda1 %s ext4 rw 0 0\n"
		 "/dev/vdb1 %s/data\\040disk ext4 ro 0 0\n"
		 "/dev/vdc1 %s/srv/nothere ext4 rw 0 0\n"
		 "/dev/vdd1 %s/proc/sys ext4 rw 0 0\n",
		 ROOTFS_DIR, ROOTFS_DIR, ROOTFS_DIR, ROOTFS_DIR);
	test_write_file(proc, "1/mounts", buf_cstr(&mounts));
	struct node_config cfg = config(proc, ROOTFS_DIR);
	assert_int_equal(scrape_once(&cfg, &out), 0);
	const char *o = buf_cstr(&out);
	assert_non_null(strstr(o, "node_filesystem_readonly{device=\"/dev/vda1\",fstype=\"ext4\",mountpoint=\"/\"} 0\n"));
	assert_non_null(strstr(o, "node_filesystem_readonly{device=\"/dev/vdb1\",fstype=\"ext4\",mountpoint=\"/data disk\"} 1\n"));
	assert_non_null(strstr(o, "node_filesystem_device_error{device=\"/dev/vdc1\",fstype=\"ext4\",mountpoint=\"/srv/nothere\"} 1\n"));
	/* Exclusion looks at the stripped mount point. */
	assert_null(strstr(o, "/proc/sys"));
	assert_null(strstr(o, FIXTURES_DIR));
	test_remove_dir(proc);
	buf_release(&mounts);
	buf_release(&out);
}

/* Without <procfs>/1/mounts (hidepid), <procfs>/mounts, then self/mounts. */
static void mounts_fallback(void **state)
{
	struct buf out = BUF_INIT;
	char *proc = test_make_dir("test_filesystem");
	(void)state;

	struct node_config cfg = config(proc, ROOTFS_DIR);
	test_write_file(proc, "self/mounts", "selfdev / ext4 rw 0 0\n");
	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "device=\"selfdev\""));
	test_write_file(proc, "mounts", "procdev / ext4 rw 0 0\n");
	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "device=\"procdev\""));
	test_write_file(proc, "1/mounts", "initdev / ext4 rw 0 0\n");
	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "device=\"initdev\""));
	/* A malformed line fails the collector, as upstream's parser does. */
	test_write_file(proc, "1/mounts", "initdev / ext4\n");
	assert_int_not_equal(scrape_once(&cfg, &out), 0);
	test_remove_dir(proc);
	cfg = config("/nonexistent/proc", ROOTFS_DIR);
	assert_int_not_equal(scrape_once(&cfg, &out), 0);
	buf_release(&out);
}

static void exclude_patterns(void **state)
{
	struct node_config cfg = config(PROC_DIR, ROOTFS_DIR);
	struct buf out = BUF_INIT;
	void *st = NULL;
	(void)state;

	/* No patterns: nothing is excluded. */
	cfg.fs_mount_points_exclude = NULL;
	cfg.fs_types_exclude = NULL;
	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_int_equal(count_lines(buf_cstr(&out), "node_filesystem_device_error{"), 15);
	/* Patterns in RE2 syntax. */
	cfg.fs_types_exclude = "^(?:ext\\d|xfs)$";
	assert_int_equal(scrape_once(&cfg, &out), 0);
	assert_null(strstr(buf_cstr(&out), "fstype=\"ext4\""));
	assert_non_null(strstr(buf_cstr(&out), "fstype=\"tmpfs\""));
	/* A pattern that does not compile fails init. */
	cfg.fs_types_exclude = "(unclosed";
	assert_int_not_equal(filesystem_collector.init(&cfg, &st), 0);
	buf_release(&out);
}

/* ---- stuck mounts ---------------------------------------------------------------- */

/*
 * A statfs that hangs on any path ending in "/slow" until the test opens
 * the gate, and counts its calls; other paths get the real statfs.
 */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static atomic_int slow_calls, slow_returns;

static int gated_statfs(const char *path, struct statfs *st)
{
	size_t n = strlen(path);

	if (n < 5 || strcmp(path + n - 5, "/slow") != 0)
		return statfs(path, st);
	atomic_fetch_add(&slow_calls, 1);
	pthread_mutex_lock(&gate_lock);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_blocks = 100;
	atomic_fetch_add(&slow_returns, 1);
	return 0;
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = open;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

/* Waits (bounded) until the hung statfs calls have all returned. */
static void wait_returns(int want)
{
	for (int i = 0; i < 500 && atomic_load(&slow_returns) < want; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&slow_returns), want);
	usleep(50 * 1000);	/* and the workers have dropped their jobs */
}

#define SLOW_ERROR "node_filesystem_device_error{device=\"nfs:/x\",fstype=\"nfs4\",mountpoint=\"/slow\"} "

static void stuck_mount(void **state)
{
	struct buf out = BUF_INIT;
	char *proc = test_make_dir("test_filesystem");
	void *st = NULL;
	(void)state;

	test_write_file(proc, "1/mounts", "/dev/vda1 / ext4 rw 0 0\n"
				     "nfs:/x /slow nfs4 rw 0 0\n");
	struct node_config cfg = config(proc, ROOTFS_DIR);
	cfg.fs_mount_timeout = 1;
	atomic_store(&slow_calls, 0);
	atomic_store(&slow_returns, 0);
	gate_set(false);
	assert_int_equal(filesystem_init_with_statfs(&cfg, gated_statfs, &st), 0);

	/* The first scrape waits the timeout and no more. */
	double t0 = now();
	assert_int_equal(scrape(&cfg, st, &out), 0);
	double took = now() - t0;
	assert_true(took >= 0.9 && took < 5);
	assert_non_null(strstr(buf_cstr(&out), SLOW_ERROR "1\n"));
	assert_null(strstr(buf_cstr(&out), "node_filesystem_size_bytes{device=\"nfs:/x\""));
	assert_non_null(strstr(buf_cstr(&out), "node_filesystem_device_error" ROOT_LABELS " 0\n"));

	/* The next one reports it at once, without another statfs. */
	t0 = now();
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_true(now() - t0 < 0.5);
	assert_non_null(strstr(buf_cstr(&out), SLOW_ERROR "1\n"));
	assert_int_equal(atomic_load(&slow_calls), 1);

	/* Once the hung call returns, the mount is watched again. */
	gate_set(true);
	wait_returns(1);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), SLOW_ERROR "0\n"));
	assert_non_null(strstr(buf_cstr(&out),
		"node_filesystem_size_bytes{device=\"nfs:/x\",fstype=\"nfs4\",mountpoint=\"/slow\"} 409600\n"));
	assert_int_equal(atomic_load(&slow_calls), 2);
	filesystem_collector.release(st);
	test_remove_dir(proc);
	buf_release(&out);
}

/*
 * The collector is released while a worker still hangs in statfs: the
 * worker must finish later without touching freed memory (ASan checks it).
 */
static void release_while_stuck(void **state)
{
	struct buf out = BUF_INIT;
	char *proc = test_make_dir("test_filesystem");
	void *st = NULL;
	(void)state;

	test_write_file(proc, "1/mounts", "a:/1 /a/slow nfs rw 0 0\n"
				     "b:/2 /b/slow nfs rw 0 0\n");
	struct node_config cfg = config(proc, ROOTFS_DIR);
	cfg.fs_mount_timeout = 0.05;
	atomic_store(&slow_calls, 0);
	atomic_store(&slow_returns, 0);
	gate_set(false);
	assert_int_equal(filesystem_init_with_statfs(&cfg, gated_statfs, &st), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_int_equal(count_lines(buf_cstr(&out), "node_filesystem_device_error{"), 2);
	assert_int_equal(count_lines(buf_cstr(&out), "node_filesystem_size_bytes{"), 0);
	assert_int_equal(atomic_load(&slow_calls), 2);
	filesystem_collector.release(st);
	gate_set(true);
	wait_returns(2);
	test_remove_dir(proc);
	buf_release(&out);
}

/* The scrape deadline bounds the wait even when the mount timeout is long. */
static void deadline_bounds_wait(void **state)
{
	struct buf out = BUF_INIT;
	char *proc = test_make_dir("test_filesystem");
	void *st = NULL;
	(void)state;

	test_write_file(proc, "1/mounts", "nfs:/x /slow nfs4 rw 0 0\n"
				     "/dev/vda1 / ext4 rw 0 0\n");
	struct node_config cfg = config(proc, ROOTFS_DIR);
	cfg.fs_mount_timeout = 60;
	atomic_store(&slow_calls, 0);
	atomic_store(&slow_returns, 0);
	gate_set(false);
	assert_int_equal(filesystem_init_with_statfs(&cfg, gated_statfs, &st), 0);
	struct collect_ctx ctx = { .config = &cfg, .state = st,
				   .deadline = now() + 0.2 };
	struct expo w;
	double t0 = now();
	expo_init(&w, &out, EXPO_TEXT);
	assert_int_equal(filesystem_collector.collect(&ctx, &w), 0);
	expo_release(&w);
	assert_true(now() - t0 < 2);
	assert_non_null(strstr(buf_cstr(&out), SLOW_ERROR "1\n"));
	gate_set(true);
	wait_returns(1);
	filesystem_collector.release(st);
	test_remove_dir(proc);
	buf_release(&out);
}

/*
 * --collector.filesystem.stat-workers: remote mounts are stat'ed that many
 * at once. /a/wait's statfs returns only once /b/mark's has started: with
 * two workers both run together and /a/wait succeeds; with one, /b/mark
 * is not started before /a/wait times out.
 */
static atomic_int mark_started;

static int rendezvous_statfs(const char *path, struct statfs *st)
{
	size_t n = strlen(path);

	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_blocks = 1;
	if (n >= 5 && !strcmp(path + n - 5, "/mark")) {
		atomic_store(&mark_started, 1);
		return 0;
	}
	for (int i = 0; i < 300 && !atomic_load(&mark_started); i++)
		usleep(10 * 1000);
	return atomic_load(&mark_started) ? 0 : (errno = EIO, -1);
}

static int rendezvous_scrape(long workers, struct buf *out)
{
	char *proc = test_make_dir("test_filesystem");
	void *st = NULL;
	int errors;

	test_write_file(proc, "1/mounts", "a:/1 /a/wait nfs rw 0 0\n"
				     "b:/2 /b/mark nfs rw 0 0\n");
	struct node_config cfg = config(proc, ROOTFS_DIR);
	cfg.fs_mount_timeout = 0.5;
	cfg.fs_stat_workers = workers;
	atomic_store(&mark_started, 0);
	assert_int_equal(filesystem_init_with_statfs(&cfg, rendezvous_statfs, &st), 0);
	assert_int_equal(scrape(&cfg, st, out), 0);
	errors = count_lines(buf_cstr(out), "node_filesystem_device_error{device=\"a:/1\"") -
		 count_lines(buf_cstr(out), "node_filesystem_device_error{device=\"a:/1\",fstype=\"nfs\",mountpoint=\"/a/wait\"} 0");
	filesystem_collector.release(st);
	/* Let an abandoned worker's call end before the directory goes. */
	for (int i = 0; i < 400 && !atomic_load(&mark_started); i++)
		usleep(10 * 1000);
	usleep(50 * 1000);
	test_remove_dir(proc);
	return errors;
}

static void stat_workers(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(rendezvous_scrape(2, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "node_filesystem_size_bytes{device=\"a:/1\""));
	/* One worker: /a/wait waits alone and times out. */
	assert_int_equal(rendezvous_scrape(1, &out), 1);
	assert_null(strstr(buf_cstr(&out), "node_filesystem_size_bytes{device=\"a:/1\""));
	buf_release(&out);
}

/* Asserts whether mountpoint mp is in out, and its readonly value when it is. */
static void assert_mount(const struct buf *out, const char *mp, int readonly)
{
	char line[700];

	snprintf(line, sizeof(line), "node_filesystem_readonly{device=\"exporterbox-test\","
		 "fstype=\"tmpfs\",mountpoint=\"%s\"} %d", mp, readonly);
	if (readonly >= 0) {
		test_assert_line(buf_cstr(out), line);
	} else {
		snprintf(line, sizeof(line), "mountpoint=\"%s\"", mp);
		assert_null(strstr(buf_cstr(out), line));
	}
}

/* A temp dir with proc/self -> /proc/self and an empty mnt/, in a mount
 * namespace of this process's own (so nothing mounted here leaks out). */
struct mount_test {
	char *dir;
	char proc[600], link[620], mnt[600];
};

static int mount_test_setup(void **state)
{
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		print_message("no mount namespace of our own: %s\n", strerror(errno));
		*state = NULL;
		return 0;
	}
	struct mount_test *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->dir = test_make_dir("test_mounts");
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->dir);
	snprintf(t->link, sizeof(t->link), "%s/self", t->proc);
	snprintf(t->mnt, sizeof(t->mnt), "%s/mnt", t->dir);
	assert_int_equal(mkdir(t->proc, 0755), 0);
	assert_int_equal(symlink("/proc/self", t->link), 0);
	assert_int_equal(mkdir(t->mnt, 0755), 0);
	*state = t;
	return 0;
}

/* Runs even when the case failed: nothing stays mounted or on disk. */
static int mount_test_teardown(void **state)
{
	struct mount_test *t = *state;

	if (!t)
		return 0;
	umount2(t->mnt, MNT_DETACH);
	unlink(t->link);
	test_remove_dir(t->dir);
	free(t);
	return 0;
}

/* statfs, but a tmpfs of the test's says read-only while ro_tmpfs is set. */
static atomic_bool ro_tmpfs;

static int ro_statfs(const char *path, struct statfs *st)
{
	int rc = statfs(path, st);

	if (rc == 0 && atomic_load(&ro_tmpfs) && strstr(path, "/test_mounts."))
		st->f_flags |= ST_RDONLY;
	return rc;
}

/*
 * A real procfs mounts file, reached through a "self" link so that this
 * test's own mount namespace is what is read: the table is parsed again
 * only when the kernel signals a change, and a mount, a read-only remount
 * and an unmount each show in the very next scrape. A statfs that says
 * read-only where the table says rw (what the kernel does to ext4 under
 * errors=remount-ro, without a mount event) makes the next scrape read the
 * table again, while the value stays the options' (upstream's: a read-only
 * --path.rootfs bind also says read-only).
 */
static void mount_table_follows_kernel(void **state)
{
	struct mount_test *t = *state;
	struct buf out = BUF_INIT;
	void *st = NULL;

	if (!t)
		skip();
	struct node_config cfg = config(t->proc, "/");
	atomic_store(&ro_tmpfs, false);
	assert_int_equal(filesystem_init_with_statfs(&cfg, ro_statfs, &st), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_mount(&out, t->mnt, -1);
	assert_int_equal(filesystem_mount_table_reads(st), 1);

	assert_int_equal(mount("exporterbox-test", t->mnt, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_mount(&out, t->mnt, 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_int_equal(filesystem_mount_table_reads(st), 2);	/* unchanged: kept */

	atomic_store(&ro_tmpfs, true);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_mount(&out, t->mnt, 0);
	assert_int_equal(filesystem_mount_table_reads(st), 3);	/* statfs: stale */
	atomic_store(&ro_tmpfs, false);

	assert_int_equal(mount(NULL, t->mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_mount(&out, t->mnt, 1);
	assert_int_equal(umount(t->mnt), 0);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_mount(&out, t->mnt, -1);
	assert_int_equal(scrape(&cfg, st, &out), 0);
	assert_int_equal(filesystem_mount_table_reads(st), 5);

	filesystem_collector.release(st);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_mounts_fields),
		cmocka_unit_test(parse_mounts_errors),
		cmocka_unit_test(strip_rootfs),
		cmocka_unit_test(options_readonly),
		cmocka_unit_test(fixture_label_sets),
		cmocka_unit_test(fixture_values),
		cmocka_unit_test(rootfs_prefix_stripped),
		cmocka_unit_test(mounts_fallback),
		cmocka_unit_test(exclude_patterns),
		cmocka_unit_test(stuck_mount),
		cmocka_unit_test(release_while_stuck),
		cmocka_unit_test(deadline_bounds_wait),
		cmocka_unit_test(stat_workers),
		cmocka_unit_test_setup_teardown(mount_table_follows_kernel,
						mount_test_setup, mount_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
