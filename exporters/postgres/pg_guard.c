/*
 * pg_guard: see pg_guard.h. One watcher thread, started by the first arm,
 * idle while nothing is armed, ended by pg_guard_stop().
 */
#include "pg_guard.h"

#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WATCH_INTERVAL_NS (1000 * 1000)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t armed_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t stopped_cond = PTHREAD_COND_INITIALIZER;
static struct pg_guard *armed;
static bool watcher_running, watcher_stop;

/* The inode of fd's open file (its socket), or 0. */
static ino_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* Bytes received on a TCP socket so far; false for any other socket. */
static bool bytes_received(int fd, uint64_t *out)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received))
		return false;
	*out = info.tcpi_bytes_received;
	return true;
}

/*
 * Ends the connection under libpq's feet: shutdown(SHUT_RD) would not do
 * (Linux keeps delivering what still arrives), and closing the descriptor
 * could let another socket take its number. /dev/null takes its place
 * atomically: the next read fails, the TCP socket closes (a reset to the
 * server) and PQfinish() later closes /dev/null.
 */
static void cut(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, fd) < 0)
		shutdown(fd, SHUT_RDWR);
	if (null >= 0)
		close(null);
}

static void *watch(void *arg)
{
	const struct timespec interval = { 0, WATCH_INTERVAL_NS };
	uint64_t got;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!(watcher_stop && !armed)) {
		if (!armed) {
			pthread_cond_wait(&armed_cond, &lock);
			continue;
		}
		for (struct pg_guard *g = armed; g; g = g->next)
			if (!g->tripped && inode_of(g->fd) == g->socket &&
			    bytes_received(g->fd, &got) && got > g->limit) {
				g->tripped = true;
				cut(g->fd);
			}
		pthread_mutex_unlock(&lock);
		nanosleep(&interval, NULL);
		pthread_mutex_lock(&lock);
	}
	watcher_running = false;
	pthread_cond_broadcast(&stopped_cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void start_watcher(void)
{
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	watcher_running = pthread_create(&th, &attr, watch, NULL) == 0;
	pthread_attr_destroy(&attr);
}

void pg_guard_init(struct pg_guard *g, int fd, size_t cap)
{
	uint64_t now;

	*g = (struct pg_guard){ .fd = fd };
	if (cap != SIZE_MAX && bytes_received(fd, &now))
		g->limit = now + cap;
}

bool pg_guard_can_watch(int fd)
{
	uint64_t now;

	return bytes_received(fd, &now);
}

void pg_guard_arm(struct pg_guard *g)
{
	if (!g->limit || g->armed)
		return;
	g->socket = inode_of(g->fd);
	pthread_mutex_lock(&lock);
	watcher_stop = false;		/* a pending pg_guard_stop() gives way */
	if (!watcher_running)
		start_watcher();
	g->next = armed;
	armed = g;
	g->armed = true;
	pthread_cond_signal(&armed_cond);
	pthread_cond_broadcast(&stopped_cond);
	pthread_mutex_unlock(&lock);
}

bool pg_guard_disarm(struct pg_guard *g)
{
	if (!g->armed)
		return false;
	pthread_mutex_lock(&lock);
	for (struct pg_guard **p = &armed; *p; p = &(*p)->next)
		if (*p == g) {
			*p = g->next;
			break;
		}
	g->armed = false;
	bool tripped = g->tripped;
	pthread_mutex_unlock(&lock);
	/* A reply that outgrew the cap between two samples counts too. */
	uint64_t got;
	if (!tripped && inode_of(g->fd) == g->socket && bytes_received(g->fd, &got))
		tripped = got > g->limit;
	return tripped;
}

void pg_guard_stop(void)
{
	pthread_mutex_lock(&lock);
	if (watcher_running && !armed) {
		watcher_stop = true;
		pthread_cond_signal(&armed_cond);
		while (watcher_running && watcher_stop)
			pthread_cond_wait(&stopped_cond, &lock);
	}
	watcher_stop = false;
	pthread_mutex_unlock(&lock);
}
