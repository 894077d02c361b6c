#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
