/*
 * pg_guard: see pg_guard.h. Each reading thread has one POSIX timer that
 * signals that very thread (SIGEV_THREAD_ID), made at its first arm and
 * deleted when the thread ends. Armed, it fires every millisecond; the
 * handler (async-signal-safe calls only: fstat, getsockopt, open, dup2,
 * close) samples the armed socket in the thread that reads it.
 *
 * Why not a watcher thread (the first design): in one CI run a 1 GiB field
 * got 90 MB in before its cut instead of the cap's 16 (misbehave_postgres),
 * most likely as the watcher waited for a core while libpq read on. The reading
 * thread is running whenever it reads, so its own timer's signal arrives
 * within a millisecond of reading, loaded or not. It also costs no wake-up:
 * a reply done within the first millisecond costs two timer_settime()
 * calls. SA_RESTART: a read the signal interrupts goes on (poll() returns
 * EINTR, which its callers take as a spurious wake-up).
 */
#include "pg_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define WATCH_INTERVAL_NS (1000 * 1000)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t timer_key;		/* its destructor deletes a thread's timer */
static bool ready;			/* the handler installed, the key made */
static atomic_bool warned;		/* that no timer could be made, once */
static __thread struct pg_guard *volatile armed;	/* this thread's, for the handler */
static __thread timer_t timer;
static __thread bool have_timer;

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

/* The timer's tick, in the thread it belongs to. */
static void on_tick(int sig)
{
	int saved = errno;
	struct pg_guard *g = armed;
	uint64_t got;

	(void)sig;
	if (g && !g->tripped && inode_of(g->fd) == g->socket && bytes_received(g->fd, &got) &&
	    got > g->limit) {
		g->tripped = 1;
		cut(g->fd);
	}
	errno = saved;
}

static void delete_timer(void *unused)
{
	(void)unused;
	if (have_timer)
		timer_delete(timer);
	have_timer = false;
}

static void setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	ready = sigaction(SIGRTMIN + 1, &sa, NULL) == 0 &&
		pthread_key_create(&timer_key, delete_timer) == 0;
}

/* The calling thread's timer, made on first use; false when none can be. */
static bool thread_timer(void)
{
	struct sigevent ev;

	pthread_once(&once, setup);
	if (have_timer || !ready)
		return have_timer;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN + 1;
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0)
		return false;
	/* A thread started from one blocking every signal (libmicrohttpd's) inherits that. */
	sigset_t tick;
	sigemptyset(&tick);
	sigaddset(&tick, SIGRTMIN + 1);
	pthread_sigmask(SIG_UNBLOCK, &tick, NULL);
	have_timer = true;
	pthread_setspecific(timer_key, &timer);	/* non-NULL: the destructor runs */
	return true;
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
	static const struct itimerspec every = {
		.it_interval = { 0, WATCH_INTERVAL_NS }, .it_value = { 0, WATCH_INTERVAL_NS },
	};

	if (!g->limit || g->armed)
		return;
	g->socket = inode_of(g->fd);
	g->armed = true;		/* without a timer, disarm still counts */
	if (!thread_timer()) {
		if (!atomic_exchange(&warned, true))
			log_warn("cannot make a timer: the result cap is checked only once a "
				 "reply ended");
		return;
	}
	armed = g;
	g->ticking = timer_settime(timer, 0, &every, NULL) == 0;
}

bool pg_guard_disarm(struct pg_guard *g)
{
	static const struct itimerspec stop;
	uint64_t got;

	if (!g->armed)
		return false;
	if (g->ticking)
		timer_settime(timer, 0, &stop, NULL);
	armed = NULL;		/* a tick still pending finds nothing */
	g->armed = g->ticking = false;
	/* A reply that outgrew the cap between two samples counts too. */
	return g->tripped || (inode_of(g->fd) == g->socket && bytes_received(g->fd, &got) &&
			      got > g->limit);
}
