#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdcache.h"
#include "fsutil.h"
#include "process.h"

static char *temp_file(const char *content, size_t len)
{
	static char path[] = "/tmp/exporterbox-fsutil-XXXXXX";
	memcpy(path + sizeof(path) - 7, "XXXXXX", 6);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static long open_fds(void)
{
	char **names;
	/* fs_list_numbered lists "N" entries with an empty prefix */
	size_t n = fs_list_numbered("/proc/self/fd", "", &names);

	fs_names_free(names, n);
	return (long)n - 1; /* less the directory's own descriptor */
}

/*
 * A /proc file is opened once and read afresh each time: its text
 * changes between reads and no descriptor is opened for the later ones.
 */
static void kept_proc_file_is_read_afresh(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	fdcache_clear(false);
	prctl(PR_SET_NAME, "first-name");
	assert_int_equal(fs_read_line("/proc/self/comm", &b), 0);
	assert_string_equal(buf_cstr(&b), "first-name");
	assert_int_equal(fdcache_count(), 1);
	long fds = open_fds();
	prctl(PR_SET_NAME, "second-name");
	assert_int_equal(fs_read_line("/proc/self/comm", &b), 0);
	assert_string_equal(buf_cstr(&b), "second-name");
	assert_int_equal(open_fds(), fds);
	assert_int_equal(fdcache_count(), 1);

	/* sysctl files too: a fork moves the last pid on */
	assert_int_equal(fs_read_line("/proc/sys/kernel/ns_last_pid", &b), 0);
	char *before = strdup(buf_cstr(&b));
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	assert_int_equal(fs_read_line("/proc/sys/kernel/ns_last_pid", &b), 0);
	assert_string_not_equal(buf_cstr(&b), before);
	assert_int_equal(fdcache_count(), 2);
	free(before);
	fdcache_clear(false);
	assert_int_equal(fdcache_count(), 0);
	assert_int_equal(open_fds(), fds - 1);
	buf_release(&b);
}

/* And a sysfs file: node 0's allocation counter after touching new pages. */
static void kept_sys_file_is_read_afresh(void **state)
{
	const char *path = "/sys/devices/system/node/node0/numastat";
	const size_t size = 4u << 20;
	struct buf b = BUF_INIT;

	(void)state;
	fdcache_clear(false);
	if (access(path, R_OK) != 0)
		skip(); /* no sysfs, or a kernel without NUMA */
	assert_int_equal(fs_read_file(path, &b, FS_READ_MAX), 0);
	assert_int_equal(strncmp(buf_cstr(&b), "numa_hit ", 9), 0);
	unsigned long long before = strtoull(buf_cstr(&b) + 9, NULL, 10);
	assert_int_equal(fdcache_count(), 1);
	char *pages = malloc(size);
	assert_non_null(pages);
	for (size_t i = 0; i < size; i += 4096)
		((volatile char *)pages)[i] = 1;
	assert_int_equal(fs_read_file(path, &b, FS_READ_MAX), 0);
	assert_true(strtoull(buf_cstr(&b) + 9, NULL, 10) > before);
	assert_int_equal(fdcache_count(), 1);
	free(pages);
	fdcache_clear(false);
	buf_release(&b);
}

/*
 * A network device's files are not kept: a renamed device keeps them, so a
 * descriptor kept under the old name would read another device's values.
 */
static void renameable_device_files_are_not_kept(void **state)
{
	const char *path = "/sys/class/net/lo/statistics/tx_packets";
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct buf b = BUF_INIT;

	(void)state;
	fdcache_clear(false);
	if (access(path, R_OK) != 0)
		skip();
	assert_int_equal(fs_read_line(path, &b), 0);
	unsigned long long before = strtoull(buf_cstr(&b), NULL, 10);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
	close(s);
	assert_int_equal(fs_read_line(path, &b), 0);
	assert_true(strtoull(buf_cstr(&b), NULL, 10) > before);
	assert_int_equal(fdcache_count(), 0);
	/* /proc/net is procfs: kept */
	assert_int_equal(fs_read_file("/proc/net/dev", &b, FS_READ_MAX), 0);
	assert_int_equal(fdcache_count(), 1);
	fdcache_clear(false);
	buf_release(&b);
}

/*
 * A kept file that goes away (a process ends, a device is removed) is
 * dropped and its path opened again, which fails as an open would.
 */
static void kept_file_that_goes_away_is_dropped(void **state)
{
	struct buf b = BUF_INIT;
	char path[64];

	(void)state;
	fdcache_clear(false);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
	assert_int_equal(fs_read_file(path, &b, FS_READ_MAX), 0);
	assert_int_equal(fdcache_count(), 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_true(fs_read_file(path, &b, FS_READ_MAX) < 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(fdcache_count(), 0);
	buf_release(&b);
}

/*
 * One reader at a time per kept descriptor: a second reader of the same
 * file would regenerate its text under the first (one seq_file cursor) and
 * splice two snapshots; it gets none and opens the file itself.
 */
static void kept_descriptor_has_one_reader(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	fdcache_clear(false);
	assert_int_equal(fs_read_file("/proc/self/stat", &b, FS_READ_MAX), 0);
	struct fd_entry *first = fdcache_take("/proc/self/stat");
	assert_non_null(first);
	assert_null(fdcache_take("/proc/self/stat"));
	long fds = open_fds();
	assert_int_equal(fs_read_file("/proc/self/stat", &b, FS_READ_MAX), 0);
	assert_true(b.len > 0);
	assert_int_equal(open_fds(), fds); /* its own descriptor, closed */
	assert_int_equal(fdcache_count(), 1);
	fdcache_give(first, false);
	struct fd_entry *again = fdcache_take("/proc/self/stat");
	assert_non_null(again);
	fdcache_give(again, false);
	fdcache_clear(false);
	buf_release(&b);
}

/* No more than a quarter of the descriptor limit is kept. */
static void kept_at_most_a_quarter_of_the_limit(void **state)
{
	const char *files[] = { "/proc/self/stat", "/proc/self/statm", "/proc/self/status",
				"/proc/self/comm", "/proc/self/limits", "/proc/self/io" };
	struct rlimit was, low;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
	low = was;
	low.rlim_cur = 16;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fdcache_clear(false);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_int_equal(fs_read_file(files[i], &b, FS_READ_MAX), 0);
	assert_int_equal(fdcache_count(), 4);
	fdcache_clear(false);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
	buf_release(&b);
}

/*
 * Readers on several threads while another keeps clearing the cache: every
 * read sees its own file (a descriptor closed under a reader and reused
 * for another file would show here), and ThreadSanitizer watches the rest.
 */
static atomic_bool clearing;

static void *reader(void *arg)
{
	struct buf b = BUF_INIT;

	(void)arg;
	for (int i = 0; i < 3000; i++) {
		if (fs_read_line("/proc/self/comm", &b) != 0 ||
		    strcmp(buf_cstr(&b), "shared-name") != 0)
			return (void *)1;
		if (fs_read_file("/proc/self/statm", &b, FS_READ_MAX) != 0 || b.len < 10)
			return (void *)1;
	}
	buf_release(&b);
	return NULL;
}

static void *clearer(void *arg)
{
	(void)arg;
	while (atomic_load(&clearing))
		fdcache_clear(false);
	return NULL;
}

static void kept_files_shared_by_threads(void **state)
{
	pthread_t readers[4], c;

	(void)state;
	prctl(PR_SET_NAME, "shared-name");
	fdcache_clear(false);
	atomic_store(&clearing, true);
	assert_int_equal(pthread_create(&c, NULL, clearer, NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, reader, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *failed;
		pthread_join(readers[i], &failed);
		assert_null(failed);
	}
	atomic_store(&clearing, false);
	pthread_join(c, NULL);
	fdcache_clear(false);
}

/* A regular file is never kept: a rename over it is seen at once. */
static void regular_files_are_not_kept(void **state)
{
	struct buf b = BUF_INIT;
	char *path = strdup(temp_file("one\n", 4));

	(void)state;
	fdcache_clear(false);
	assert_int_equal(fs_read_line(path, &b), 0);
	assert_string_equal(buf_cstr(&b), "one");
	char *other = temp_file("two\n", 4);
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(fs_read_line(path, &b), 0);
	assert_string_equal(buf_cstr(&b), "two");
	assert_int_equal(fdcache_count(), 0);
	unlink(path);
	free(path);
	buf_release(&b);
}

static void read_file(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "old contents are replaced");
	char *path = temp_file("MemTotal: 1 kB\n", 15);
	assert_int_equal(fs_read_file(path, &b, FS_READ_MAX), 0);
	assert_string_equal(buf_cstr(&b), "MemTotal: 1 kB\n");
	/* Exactly at the limit is fine; one byte over is -EFBIG. */
	assert_int_equal(fs_read_file(path, &b, 15), 0);
	assert_int_equal(fs_read_file(path, &b, 14), -EFBIG);
	unlink(path);
	assert_int_equal(fs_read_file(path, &b, FS_READ_MAX), -ENOENT);
	assert_int_equal(fs_read_file("/", &b, FS_READ_MAX), -EISDIR);
	/* procfs reports size 0: the content is read all the same. */
	assert_int_equal(fs_read_file("/proc/self/stat", &b, FS_READ_MAX), 0);
	assert_true(b.len > 20);
	buf_release(&b);
}

static void read_line(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	char *path = temp_file("tsc\n\n", 5);
	assert_int_equal(fs_read_line(path, &b), 0);
	assert_string_equal(buf_cstr(&b), "tsc");
	unlink(path);
	path = temp_file("", 0);
	assert_int_equal(fs_read_line(path, &b), 0);
	assert_string_equal(buf_cstr(&b), "");
	unlink(path);
	buf_release(&b);
}

static void join(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(fs_join(&b, "/", "proc"), "/proc");
	assert_string_equal(fs_join(&b, "/host/proc", "loadavg"), "/host/proc/loadavg");
	assert_string_equal(fs_join(&b, "/host/", "/1/mounts"), "/host/1/mounts");
	assert_string_equal(fs_join(&b, "fixtures/proc", "stat"), "fixtures/proc/stat");
	buf_release(&b);
}

static void list_numbered(void **state)
{
	char **names;

	(void)state;
	size_t n = fs_list_numbered(FIXTURES_DIR "/node/sys/devices/system/cpu", "cpu", &names);
	/* cpu0, cpu1 only: not "online", nor "cpufreq"-like names without a digit. */
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "cpu0");
	assert_string_equal(names[1], "cpu1");
	fs_names_free(names, n);
	assert_int_equal(fs_list_numbered("/nonexistent", "cpu", &names), 0);
	assert_null(names);
	fs_names_free(names, 0);
}

static void process_starttime(void **state)
{
	unsigned long long ticks;

	(void)state;
	/* The command may hold spaces and parentheses: fields count from the last ')'. */
	const char *stat = "4242 (node (exp) x) S 1 4242 4242 0 -1 4194560 1129 0 0 0 "
			   "5 3 0 0 20 0 3 0 987654 11010048 1541";
	assert_int_equal(process_parse_starttime(stat, &ticks), 0);
	assert_int_equal(ticks, 987654);
	assert_int_equal(process_parse_starttime("4242 (short) S 1 2", &ticks), -1);
	assert_int_equal(process_parse_starttime("no parenthesis", &ticks), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_file),
		cmocka_unit_test(read_line),
		cmocka_unit_test(join),
		cmocka_unit_test(list_numbered),
		cmocka_unit_test(process_starttime),
		cmocka_unit_test(kept_proc_file_is_read_afresh),
		cmocka_unit_test(kept_sys_file_is_read_afresh),
		cmocka_unit_test(renameable_device_files_are_not_kept),
		cmocka_unit_test(kept_file_that_goes_away_is_dropped),
		cmocka_unit_test(regular_files_are_not_kept),
		cmocka_unit_test(kept_at_most_a_quarter_of_the_limit),
		cmocka_unit_test(kept_descriptor_has_one_reader),
		cmocka_unit_test(kept_files_shared_by_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
