#include "process.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fsutil.h"

#ifndef EXPORTERBOX_REVISION
#define EXPORTERBOX_REVISION "unknown"
#endif

#if defined(__x86_64__)
#define BUILD_ARCH "amd64"
#elif defined(__aarch64__)
#define BUILD_ARCH "arm64"
#elif defined(__i386__)
#define BUILD_ARCH "386"
#elif defined(__arm__)
#define BUILD_ARCH "arm"
#elif defined(__powerpc64__)
#define BUILD_ARCH "ppc64le"
#elif defined(__s390x__)
#define BUILD_ARCH "s390x"
#elif defined(__riscv)
#define BUILD_ARCH "riscv64"
#else
#define BUILD_ARCH "unknown"
#endif

#if defined(__clang__)
#define BUILD_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define BUILD_COMPILER "gcc " __VERSION__
#else
#define BUILD_COMPILER "unknown"
#endif

static const struct metric_desc cpu_desc = {
	"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
	METRIC_COUNTER, NULL,
};
static const struct metric_desc max_fds_desc = {
	"process_max_fds", "Maximum number of open file descriptors.", METRIC_GAUGE, NULL,
};
static const struct metric_desc open_fds_desc = {
	"process_open_fds", "Number of open file descriptors.", METRIC_GAUGE, NULL,
};
static const struct metric_desc rss_desc = {
	"process_resident_memory_bytes", "Resident memory size in bytes.", METRIC_GAUGE, NULL,
};
static const struct metric_desc start_desc = {
	"process_start_time_seconds",
	"Start time of the process since unix epoch in seconds.", METRIC_GAUGE, NULL,
};
static const struct metric_desc vsize_desc = {
	"process_virtual_memory_bytes", "Virtual memory size in bytes.", METRIC_GAUGE, NULL,
};
static const struct metric_desc vmax_desc = {
	"process_virtual_memory_max_bytes",
	"Maximum amount of virtual memory available in bytes.", METRIC_GAUGE, NULL,
};

int process_parse_starttime(const char *stat, unsigned long long *ticks)
{
	/* The command name ends at the last ')'; fields count from there. */
	const char *p = strrchr(stat, ')');

	if (!p)
		return -1;
	p++;
	/* After ")": state is field 3; starttime is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	char *end;
	*ticks = strtoull(p + 1, &end, 10);
	return end == p + 1 ? -1 : 0;
}

static double boot_time(void)
{
	struct buf stat = BUF_INIT;
	double btime = 0;

	if (fs_read_file("/proc/stat", &stat, FS_READ_MAX) == 0) {
		const char *p = strstr(buf_cstr(&stat), "\nbtime ");
		if (p)
			btime = strtod(p + 7, NULL);
	}
	buf_release(&stat);
	return btime;
}

static double start_time;
static pthread_once_t start_time_once = PTHREAD_ONCE_INIT;

/* The start time never changes: read it once. */
static void read_start_time(void)
{
	struct buf self = BUF_INIT;
	unsigned long long ticks;

	if (fs_read_file("/proc/self/stat", &self, FS_READ_MAX) == 0 &&
	    process_parse_starttime(buf_cstr(&self), &ticks) == 0)
		start_time = boot_time() + (double)ticks / (double)sysconf(_SC_CLK_TCK);
	buf_release(&self);
}

/* Entries of the directory open as fd, read from its start; -1 on error. */
static long count_entries(int fd)
{
	union {
		struct dirent64 first;	/* aligned for the records it holds */
		char bytes[8192];
	} dents;
	long n = 0, got;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	while ((got = getdents64(fd, dents.bytes, sizeof(dents.bytes))) > 0) {
		for (long at = 0; at < got;) {
			const struct dirent64 *e = (const struct dirent64 *)(dents.bytes + at);
			n += e->d_name[0] != '.';
			at += e->d_reclen;
		}
	}
	return got == 0 ? n : -1;
}

/*
 * /proc/self/fd is kept open and listed again from its start: opening it
 * (a walk through /proc/self) cost as much as listing it. One lister at a
 * time uses it; another opens its own, which it does not count. The kept
 * descriptor is open all the time, so it is counted, as fs_read_file's are.
 */
static int kept_fd_dir = -1;
static pthread_mutex_t kept_fd_dir_lock = PTHREAD_MUTEX_INITIALIZER;

static double open_fds(void)
{
	long n = -1;

	if (pthread_mutex_trylock(&kept_fd_dir_lock) == 0) {
		if (kept_fd_dir < 0)
			kept_fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (kept_fd_dir >= 0 && (n = count_entries(kept_fd_dir)) < 0) {
			close(kept_fd_dir);
			kept_fd_dir = -1;
		}
		pthread_mutex_unlock(&kept_fd_dir_lock);
	}
	if (n >= 0)
		return (double)n;
	int own = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (own < 0)
		return 0;
	n = count_entries(own);
	close(own);
	return n > 0 ? (double)(n - 1) : 0;
}

static void write_memory(struct expo *w)
{
	struct buf statm = BUF_INIT;
	unsigned long long size = 0, resident = 0;
	double page = (double)sysconf(_SC_PAGESIZE);

	if (fs_read_file("/proc/self/statm", &statm, 4096) == 0) {
		char *end;
		size = strtoull(buf_cstr(&statm), &end, 10);
		resident = strtoull(end, NULL, 10);
	}
	buf_release(&statm);
	expo_family(w, &rss_desc);
	expo_value(w, (double)resident * page);
	expo_family(w, &vsize_desc);
	expo_value(w, (double)size * page);
}

static double limit_value(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) != 0)
		return 0;
	/* Go reports an unlimited limit as the largest uint64. */
	return rl.rlim_cur == RLIM_INFINITY ? 18446744073709551615.0
					    : (double)rl.rlim_cur;
}

static void write_build_info(struct expo *w, const char *exporter_name)
{
	char name[96], help[256];

	snprintf(name, sizeof(name), "%s_build_info", exporter_name);
	snprintf(help, sizeof(help),
		 "A metric with a constant '1' value labeled by version, revision, "
		 "branch, goversion from which %s was built, and the goos and goarch "
		 "for the build.", exporter_name);
	const struct metric_desc d = {
		name, help, METRIC_GAUGE,
		LABELS("branch", "goarch", "goos", "goversion", "revision", "version"),
	};
	expo_family(w, &d);
	expo_sample(w, 1, "", BUILD_ARCH, "linux", BUILD_COMPILER,
		    EXPORTERBOX_REVISION, EXPORTERBOX_VERSION);
}

const char *process_build_arch(void)
{
	return BUILD_ARCH;
}

void process_metrics_write(struct expo *w, const char *exporter_name)
{
	struct rusage ru;

	pthread_once(&start_time_once, read_start_time);
	getrusage(RUSAGE_SELF, &ru);
	expo_family(w, &cpu_desc);
	expo_value(w, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	expo_family(w, &max_fds_desc);
	expo_value(w, limit_value(RLIMIT_NOFILE));
	expo_family(w, &open_fds_desc);
	expo_value(w, open_fds());
	write_memory(w);
	expo_family(w, &start_desc);
	expo_value(w, start_time);
	expo_family(w, &vmax_desc);
	expo_value(w, limit_value(RLIMIT_AS));
	write_build_info(w, exporter_name);
}
