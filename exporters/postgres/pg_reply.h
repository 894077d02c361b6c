/*
 * pg_reply: reading what the server answers, within a deadline and a size
 * cap, and cancelling a query that overran it. pg_target.c reads one
 * command at a time with it, pg_plan.c a batch of them.
 */
#ifndef EXPORTERBOX_PG_REPLY_H
#define EXPORTERBOX_PG_REPLY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "pg_guard.h"

/*
 * One command's results as they arrive. In single-row mode rows come one
 * by one and are appended to one PGresult, so the collectors keep libpq's
 * API while the bytes held are checked against the cap as they grow (a
 * Unix socket, which pg_guard cannot count). Otherwise a result arrives
 * whole, and pg_guard's byte count is the cap.
 */
struct pg_reply {
	PGresult *rows;			/* the current statement's rows so far */
	PGresult *last;			/* the last statement's result, or an error */
	size_t mem, cap;		/* mem: single-row mode's bytes so far */
	bool keep;			/* false: discard everything (after a cancel) */
};

void pg_reply_discard(struct pg_reply *rp);

/*
 * Waits until a result can be taken without blocking: 0, -ETIMEDOUT at
 * the deadline, -EIO when the connection fails. *reads counts the reads
 * since the command was sent; the guard is armed before the second (see
 * pg_reply.c).
 */
int pg_reply_wait(PGconn *conn, double deadline, struct pg_guard *guard, unsigned *reads);

/*
 * Reads one command's results into rp, until libpq's NULL that ends them
 * (0), the deadline (-ETIMEDOUT), the cap (-EFBIG) or a failed connection.
 */
int pg_reply_read(PGconn *conn, struct pg_reply *rp, double deadline, struct pg_guard *guard,
		  unsigned *reads);

/* Seconds a cancelled query may take to end before the connection is dropped. */
#define PG_CANCEL_GRACE 1.0

/*
 * A cancel for conn's running query, sent from a thread of its own: NULL
 * if it could not be sent. The connection may be used again only once
 * pg_cancel_delivered() said so: a cancel still on its way when the next
 * query starts would fail that one instead.
 */
struct pg_cancel;
struct pg_cancel *pg_cancel_start(PGconn *conn);
/* Whether the cancel was delivered by the deadline (polled: a rare path). */
bool pg_cancel_delivered(struct pg_cancel *k, double deadline);
void pg_cancel_unref(struct pg_cancel *k);

#endif
