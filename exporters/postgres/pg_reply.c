/* pg_reply: see pg_reply.h. */
#include "pg_reply.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "collector.h"

void pg_reply_discard(struct pg_reply *rp)
{
	PQclear(rp->rows);
	PQclear(rp->last);
	rp->rows = rp->last = NULL;
}

/* Appends the one row of a PGRES_SINGLE_TUPLE result; -ENOMEM when libpq cannot. */
static int append_row(struct pg_reply *rp, const PGresult *r)
{
	int nf = PQnfields(r);

	if (!rp->rows && !(rp->rows = PQcopyResult(r, PG_COPYRES_ATTRS)))
		return -ENOMEM;
	int row = PQntuples(rp->rows);
	rp->mem += 16 + (size_t)nf * 16;	/* libpq's per-row and per-value overhead */
	for (int f = 0; f < nf; f++) {
		bool null = PQgetisnull(r, 0, f);
		int len = null ? -1 : PQgetlength(r, 0, f);
		if (!PQsetvalue(rp->rows, row, f, null ? NULL : PQgetvalue(r, 0, f), len))
			return -ENOMEM;
		rp->mem += null ? 0 : (size_t)len + 1;
	}
	return 0;
}

/* An error stays the command's outcome; otherwise the newest result is. */
static void set_last(struct pg_reply *rp, PGresult *r)
{
	ExecStatusType st = PQresultStatus(rp->last);

	if (rp->last && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		PQclear(r);
		return;
	}
	PQclear(rp->last);
	rp->last = r;
}

static int take_result(struct pg_reply *rp, PGresult *r)
{
	int rc = 0;

	if (!rp->keep) {
		PQclear(r);
		return 0;
	}
	switch (PQresultStatus(r)) {
	case PGRES_SINGLE_TUPLE:
		rc = append_row(rp, r);
		PQclear(r);
		return rc;
	case PGRES_TUPLES_OK:		/* the end of a statement's rows */
		if (rp->rows) {
			PQclear(r);
			r = rp->rows;
			rp->rows = NULL;
		}
		set_last(rp, r);
		return 0;
	default:			/* a command's status, or an error */
		PQclear(rp->rows);
		rp->rows = NULL;
		set_last(rp, r);
		return 0;
	}
}

/*
 * The guard (counting from when the command was sent) is armed only before
 * a second read: a reply that arrives in one read (most do) never wakes its
 * watcher, which cost 10 % of a scrape's CPU when armed for every query.
 * That first read is bounded anyway: it fills at most libpq's buffer, which
 * only ever grew to hold a message within the cap; libpq sizes its buffer
 * for a longer message, and reads on, only once it has read its length.
 */
int pg_reply_wait(PGconn *conn, double deadline, struct pg_guard *guard, unsigned *reads)
{
	while (PQisBusy(conn)) {
		double left = deadline - monotonic_seconds();
		if (left <= 0)
			return -ETIMEDOUT;
		if ((*reads)++ == 1)
			pg_guard_arm(guard);
		struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
		int ms = left > 1 ? 1000 : (int)(left * 1000) + 1;
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -EIO;
		if (!PQconsumeInput(conn))
			return -EIO;
	}
	return 0;
}

int pg_reply_read(PGconn *conn, struct pg_reply *rp, double deadline, struct pg_guard *guard,
		  unsigned *reads)
{
	for (;;) {
		int rc = pg_reply_wait(conn, deadline, guard, reads);
		if (rc != 0)
			return rc;
		PGresult *r = PQgetResult(conn);
		if (!r)
			return 0;
		rc = take_result(rp, r);
		if (rc != 0)
			return rc;
		if (rp->mem > rp->cap)
			return -EFBIG;
	}
}

/*
 * PQcancel() blocks until the server closes the cancel connection, which a
 * hostile one never does: it runs on a detached thread of its own, at most
 * a few at a time (past that, the grace period runs out and the connection
 * is dropped instead).
 */
#define MAX_CANCELS 4
static atomic_int cancels_in_flight;

struct pg_cancel {
	PGcancel *c;
	atomic_bool delivered;	/* PQcancel() returned */
	atomic_int refs;	/* the thread and the query that asked */
};

void pg_cancel_unref(struct pg_cancel *k)
{
	if (k && atomic_fetch_sub(&k->refs, 1) == 1) {
		PQfreeCancel(k->c);
		free(k);
	}
}

static void *cancel_thread(void *arg)
{
	struct pg_cancel *k = arg;
	char err[256];

	PQcancel(k->c, err, sizeof(err));
	atomic_store(&k->delivered, true);
	atomic_fetch_sub(&cancels_in_flight, 1);
	pg_cancel_unref(k);
	return NULL;
}

struct pg_cancel *pg_cancel_start(PGconn *conn)
{
	pthread_attr_t attr;
	pthread_t th;
	struct pg_cancel *k = NULL;

	if (atomic_fetch_add(&cancels_in_flight, 1) >= MAX_CANCELS)
		goto failed;
	k = calloc(1, sizeof(*k));
	if (!k || !(k->c = PQgetCancel(conn)))
		goto failed;
	atomic_init(&k->refs, 2);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &attr, cancel_thread, k);
	pthread_attr_destroy(&attr);
	if (err == 0)
		return k;
	PQfreeCancel(k->c);
failed:
	free(k);
	atomic_fetch_sub(&cancels_in_flight, 1);
	return NULL;
}

bool pg_cancel_delivered(struct pg_cancel *k, double deadline)
{
	while (k && !atomic_load(&k->delivered) && monotonic_seconds() < deadline)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	return k && atomic_load(&k->delivered);
}

