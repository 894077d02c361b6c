/*
 * pg_guard: a bound on the bytes a connection receives while a query runs,
 * enforced from outside libpq. libpq buffers a whole row before handing it
 * out, and once it has read a row's length it keeps reading for as long as
 * data arrives, so one PQconsumeInput() can take in a 1 GiB field before the
 * caller checks anything. While a guard is armed, a timer of the reading
 * thread's own interrupts it every millisecond, and its signal handler
 * samples the socket's TCP byte counter and cuts the socket once it went
 * past the cap: libpq's next read fails. TCP only (a Unix socket has no
 * counter: its server is local). One armed guard per thread at a time.
 */
#ifndef EXPORTERBOX_PG_GUARD_H
#define EXPORTERBOX_PG_GUARD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pg_guard {
	int fd;
	ino_t socket;			/* fd's socket: libpq may close fd under us */
	uint64_t limit;			/* tcpi_bytes_received that trips it; 0: none */
	bool armed;
	bool ticking;			/* this thread's timer runs for it */
	volatile sig_atomic_t tripped;	/* set by the signal handler */
};

/*
 * Counts from now: cap more bytes received on fd are allowed. Nothing is
 * watched yet (a socket without a byte counter, or cap SIZE_MAX, never is).
 */
void pg_guard_init(struct pg_guard *g, int fd, size_t cap);
/* Whether fd's socket has a byte counter: a guard on it can trip. */
bool pg_guard_can_watch(int fd);
/* Watches it until pg_guard_disarm() (again: no-op). */
void pg_guard_arm(struct pg_guard *g);
/* Stops watching; true when it tripped, or the cap was passed since the
 * last sample. libpq closes the socket itself on a read error, and the
 * number may be reused before this: the handler only touches fd while it
 * is still the socket it was armed on. */
bool pg_guard_disarm(struct pg_guard *g);
#endif
