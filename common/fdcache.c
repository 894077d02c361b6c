/*
 * fdcache: descriptors of /proc and /sys files kept open across scrapes.
 *
 * Opening a /proc or /sys file costs more kernel time than reading it (a
 * path walk through /proc/self or sysfs symlinks, a struct file made and
 * torn down): a node scrape opens ~90 of them. Their contents are made
 * afresh by every read from offset 0, so a descriptor kept open and read
 * with pread(…, 0) sees what a new open would. Only files on procfs and
 * sysfs are kept (fstatfs says so): a regular file may be replaced by a
 * rename, and a kept descriptor would then read the old one for ever; for
 * the same reason nothing under a renameable device (net, infiniband,
 * ieee80211). Idle descriptors are closed by the next read of any file.
 *
 * A descriptor whose read fails (the device went away: ENODEV) is dropped
 * and the path opened again; one not read for FD_IDLE_SECONDS is closed, so
 * paths that stop being read (an interface removed) do not hold descriptors.
 */
#include "fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#define FD_BUCKETS 256
/* At most a quarter of the descriptor limit (256 of the usual 1024), so
 * that a host with many devices cannot starve the HTTP connections. */
#define FD_MAX_ENTRIES 512
#define FD_IDLE_SECONDS 300
#define FD_SWEEP_SECONDS 30

struct fd_entry {
	struct fd_entry *next;
	int fd;
	unsigned busy;		/* 1 while a reader holds fd, else 0 */
	bool dead;		/* close when no longer busy */
	time_t last;		/* last taken, CLOCK_MONOTONIC seconds */
	char path[];
};

static struct {
	pthread_mutex_t lock;
	struct fd_entry *buckets[FD_BUCKETS];
	size_t count, max;	/* max: 0 until the first keep */
	time_t swept;
	bool off;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static time_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static unsigned bucket_of(const char *path)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % FD_BUCKETS;
}

/* Unlinks e (cache.lock held) and closes it unless a reader holds it. */
static void entry_drop_locked(struct fd_entry **link)
{
	struct fd_entry *e = *link;

	*link = e->next;
	cache.count--;
	if (e->busy) {
		e->dead = true;	/* the last reader closes it */
		return;
	}
	close(e->fd);
	free(e);
}

/* Closes what has not been read for FD_IDLE_SECONDS; cache.lock held. */
static void sweep_locked(time_t now)
{
	if (now - cache.swept < FD_SWEEP_SECONDS)
		return;
	cache.swept = now;
	for (unsigned b = 0; b < FD_BUCKETS; b++)
		for (struct fd_entry **link = &cache.buckets[b]; *link;) {
			if (now - (*link)->last >= FD_IDLE_SECONDS)
				entry_drop_locked(link);
			else
				link = &(*link)->next;
		}
}

struct fd_entry *fdcache_take(const char *path)
{
	struct fd_entry *found = NULL;
	time_t now = now_seconds();

	pthread_mutex_lock(&cache.lock);
	sweep_locked(now);
	for (struct fd_entry *e = cache.buckets[bucket_of(path)]; e; e = e->next)
		if (strcmp(e->path, path) == 0) {
			/*
			 * One reader at a time: a seq_file has one cursor, and a
			 * second reader's pread(…, 0) regenerates the text under
			 * the first, whose next read would then splice the new
			 * text onto the old. The other reader opens its own.
			 */
			if (e->busy)
				break;
			e->busy++;
			e->last = now;
			found = e;
			break;
		}
	pthread_mutex_unlock(&cache.lock);
	return found;
}

int fdcache_fd(const struct fd_entry *e)
{
	return e->fd;
}

void fdcache_give(struct fd_entry *e, bool failed)
{
	pthread_mutex_lock(&cache.lock);
	if (failed && !e->dead)
		for (struct fd_entry **link = &cache.buckets[bucket_of(e->path)]; *link;
		     link = &(*link)->next)
			if (*link == e) {
				entry_drop_locked(link);
				break;
			}
	bool last = --e->busy == 0 && e->dead;
	pthread_mutex_unlock(&cache.lock);
	if (last) {
		close(e->fd);
		free(e);
	}
}

/*
 * Whether path may be kept: on procfs, or on sysfs outside the classes
 * whose devices can be renamed. A renamed device keeps its sysfs files, so
 * a descriptor kept as /sys/class/net/eth0/... would go on reading the
 * device now called eth1 once another one takes the name eth0.
 */
static bool keepable(const char *path, int fd)
{
	struct statfs sfs;

	/* thread-self names the opening thread, which may end */
	if (strstr(path, "thread-self") || fstatfs(fd, &sfs) != 0)
		return false;
	if (sfs.f_type == PROC_SUPER_MAGIC)
		return true;
	return sfs.f_type == SYSFS_MAGIC && !strstr(path, "/net/") &&
	       !strstr(path, "/infiniband/") && !strstr(path, "/ieee80211/");
}

static size_t max_entries(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return FD_MAX_ENTRIES;
	return rl.rlim_cur / 4 < FD_MAX_ENTRIES ? (size_t)(rl.rlim_cur / 4) : FD_MAX_ENTRIES;
}

bool fdcache_keep(const char *path, int fd)
{
	size_t len = strlen(path);

	if (!keepable(path, fd))
		return false;
	struct fd_entry *e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return false;
	memcpy(e->path, path, len + 1);
	e->fd = fd;
	e->busy = 0;
	e->dead = false;
	e->last = now_seconds();

	unsigned b = bucket_of(path);
	pthread_mutex_lock(&cache.lock);
	if (!cache.max)
		cache.max = max_entries();
	bool kept = !cache.off && cache.count < cache.max;
	for (struct fd_entry *o = cache.buckets[b]; kept && o; o = o->next)
		kept = strcmp(o->path, path) != 0; /* another thread kept it first */
	if (kept) {
		e->next = cache.buckets[b];
		cache.buckets[b] = e;
		cache.count++;
	}
	pthread_mutex_unlock(&cache.lock);
	if (!kept)
		free(e);
	return kept;
}

size_t fdcache_count(void)
{
	pthread_mutex_lock(&cache.lock);
	size_t n = cache.count;
	pthread_mutex_unlock(&cache.lock);
	return n;
}

void fdcache_clear(bool off)
{
	pthread_mutex_lock(&cache.lock);
	cache.off = off;
	cache.max = 0; /* the descriptor limit is looked at again */
	for (unsigned b = 0; b < FD_BUCKETS; b++)
		while (cache.buckets[b])
			entry_drop_locked(&cache.buckets[b]);
	pthread_mutex_unlock(&cache.lock);
}
