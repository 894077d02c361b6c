/*
 * pg_plan: see pg_plan.h. Why a batch: a query costs the exporter a
 * send, a wait and a wake-up, and the server a round trip, however small
 * its result; a scrape's dozen queries in one batch cost about a third of
 * the CPU of the same queries one after another (tests/bench/
 * pg_client_floor.c measures it).
 *
 * The batch has one sync at its end, so it runs as one implicit
 * transaction: a statement that fails aborts those after it, which then
 * run on their own, and the failed one leaves the plan until it succeeds
 * on its own again. statement_timeout still applies to each statement
 * (the extended protocol restarts it per Execute).
 */
#include "pg_plan.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libpq_shim.h"
#include "log.h"
#include "pg_guard.h"
#include "pg_reply.h"

/*
 * The server holds results in its 8 kB output buffer until it fills or
 * the batch ends, so a result's arrival says when the statement ended only
 * if the server is asked to send each one at once (a flush request, one
 * more write for it each). Asked for after a batch slower than this, so
 * that its slow statement is then reported as its own collector's time.
 */
#define PG_BATCH_FLUSH_AFTER 0.01

/* One statement of a batch. */
struct item {
	size_t plan;			/* its entry in t->plan */
	const char *name;		/* its prepared statement's */
	bool prepare;			/* prepared in the batch too (a new connection) */
	bool prepare_read;		/* that reply is in */
	PGresult *res;			/* its result (rows, or its own error) */
	double done;			/* when its results were complete; 0: never */
	bool unplan;			/* it failed on its own: it runs alone from now on */
};

/* A batch being read. */
struct batch {
	struct pg_target *t;
	struct item *items;
	size_t n;
	size_t at;			/* the item being read */
	size_t held;			/* bytes of the results kept */
	struct pg_reply rp;		/* the reply being read (kept across a cancel) */
	struct pg_guard guard;
	unsigned reads;
};

static void unplan(struct pg_target *t, size_t i)
{
	free(t->plan[i].sql);
	PQclear(t->plan[i].res);
	memmove(&t->plan[i], &t->plan[i + 1], (t->nplan - i - 1) * sizeof(t->plan[0]));
	t->nplan--;
}

void pg_plan_settle(struct pg_target *t)
{
	for (size_t i = t->nplan; i-- > 0;)
		if (t->plan[i].res || t->plan[i].leaving)
			unplan(t, i);
}

void pg_plan_release(struct pg_target *t)
{
	while (t->nplan)
		unplan(t, t->nplan - 1);
}

static struct pg_planned *planned(struct pg_target *t, const struct collector *c, const char *sql)
{
	for (size_t i = 0; i < t->nplan; i++)
		if (t->plan[i].collector == c && !strcmp(t->plan[i].sql, sql))
			return &t->plan[i];
	return NULL;
}

bool pg_plan_take(struct pg_target *t, const struct collect_ctx *ctx, const char *sql,
		  PGresult **res)
{
	if (!ctx->collector || t->plan_deadline != ctx->deadline)
		return false;
	struct pg_planned *e = planned(t, ctx->collector, sql);
	if (!e || !e->res)
		return false;
	collect_ctx_move_seconds(ctx, e->seconds);
	*res = e->res;
	e->res = NULL;
	return true;
}

void pg_plan_note(struct pg_target *t, const struct collect_ctx *ctx, const char *sql,
		  const PGresult *res)
{
	if (!ctx->collector)
		return;
	struct pg_planned *e = planned(t, ctx->collector, sql);
	if (!e) {
		if (t->nplan == PG_PLAN_MAX)
			return;
		e = &t->plan[t->nplan++];
		*e = (struct pg_planned){ .collector = ctx->collector, .sql = strdup(sql) };
		if (!e->sql)
			abort();
	}
	e->bytes = PQresultMemorySize(res);
	e->leaving = false;
}

/* The name an earlier item of the batch prepares sql under, or NULL. */
static const char *prepared_earlier(const struct pg_target *t, const struct item *items,
				    size_t n, const char *sql)
{
	for (size_t i = 0; i < n; i++)
		if (items[i].prepare && !strcmp(t->plan[items[i].plan].sql, sql))
			return items[i].name;
	return NULL;
}

/*
 * The planned statements of ctx's collectors, in plan order, as long as
 * their last results add up to half the cap (the batch as a whole is held
 * to the cap); a statement that cannot be prepared here is left out.
 */
static size_t select_items(struct pg_target *t, const struct collect_ctx *ctx,
			   struct item *items)
{
	size_t cap = pg_result_cap(t);
	size_t budget = cap == SIZE_MAX ? SIZE_MAX : cap / 2, used = 0, n = 0, fresh = 0;

	for (size_t i = 0; i < t->nplan; i++) {
		const struct pg_planned *e = &t->plan[i];
		if (!collect_ctx_runs(ctx, e->collector) || e->bytes > budget - used)
			continue;
		struct item *it = &items[n];
		*it = (struct item){ .plan = i };
		const struct pg_prepared *p = pg_prepared_find(t, e->sql);
		if (p && p->plain)
			continue;
		if (p) {
			it->name = p->name;
		} else if (!(it->name = prepared_earlier(t, items, n, e->sql))) {
			if (!(it->name = pg_prepared_name(t, fresh)))
				continue;
			it->prepare = true;
			fresh++;
		}
		used += e->bytes;
		n++;
	}
	return n;
}

static int send_batch(struct pg_target *t, const struct item *items, size_t n)
{
	PGconn *c = t->conn;

	if (!PQenterPipelineMode(c))
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		const char *sql = t->plan[items[i].plan].sql;
		if (items[i].prepare && !PQsendPrepare(c, items[i].name, sql, 0, NULL))
			return -EIO;
		if (!PQsendQueryPrepared(c, items[i].name, 0, NULL, NULL, NULL, 0))
			return -EIO;
		if (t->plan_flush && !PQsendFlushRequest(c))
			return -EIO;
	}
	return PQpipelineSync(c) ? 0 : -EIO;
}

/*
 * Reads up to the batch's end (its sync), throwing away what comes before.
 * libpq answers NULL once between two statements' results; twice in a
 * row means nothing more will come.
 */
static int drain(PGconn *c, double deadline, struct pg_guard *guard, unsigned *reads)
{
	bool after_null = false;

	for (;;) {
		int rc = pg_reply_wait(c, deadline, guard, reads);
		if (rc != 0)
			return rc;
		PGresult *r = PQgetResult(c);
		if (!r) {
			if (after_null)
				return -EIO;
			after_null = true;
			continue;
		}
		after_null = false;
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			return 0;
	}
}

/* Reads one statement's reply (a prepare's or a query's) into rp. */
static int read_one(PGconn *c, struct pg_reply *rp, double deadline, struct batch *b)
{
	int rc = pg_reply_read(c, rp, deadline, &b->guard, &b->reads);

	return rc == 0 && PQstatus(c) != CONNECTION_OK ? -EIO : rc;
}

/* An error a statement run alone gets past: prepared statements gone (26000) or stale (0A000). */
static bool alone_gets_past(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state && (!strcmp(state, "26000") || !strcmp(state, "0A000"));
}

/*
 * Keeps the reply to item it's query: rows, or the statement's own error
 * (it then fails its collector and leaves the batch: a statement the
 * batch's deadline cancelled too). One the batch skipped after another
 * failed, or that a statement alone gets past, is left to run alone.
 */
static int keep_reply(struct batch *b, struct item *it, struct pg_reply *rp)
{
	ExecStatusType st = PQresultStatus(rp->last);

	it->done = monotonic_seconds();
	if (st == PGRES_PIPELINE_ABORTED || alone_gets_past(rp->last))
		return 0;
	it->res = rp->last;
	rp->last = NULL;
	it->unplan |= st != PGRES_TUPLES_OK;
	b->held += PQresultMemorySize(it->res);
	return b->held > pg_result_cap(b->t) ? -EFBIG : 0;
}

/*
 * Reads the batch's replies into its items, from b->at on: again after a
 * cancel, where it left off (a statement's rows read so far included).
 */
static int read_batch(struct batch *b, double deadline)
{
	PGconn *c = b->t->conn;
	struct pg_reply *rp = &b->rp;
	int rc = 0;

	for (; b->at < b->n; b->at++) {
		struct item *it = &b->items[b->at];
		if (it->prepare && !it->prepare_read) {
			rc = read_one(c, rp, deadline, b);
			if (rc != 0)
				break;
			it->prepare_read = true;
			/* Added in the order pg_prepared_name() named them: after
			 * one fails, none of the rest are prepared. */
			ExecStatusType st = PQresultStatus(rp->last);
			if (st == PGRES_COMMAND_OK)
				pg_prepared_add(b->t, b->t->plan[it->plan].sql, false);
			else if (st != PGRES_PIPELINE_ABORTED)
				it->unplan = true;
			pg_reply_discard(rp);
		}
		/* Refused for a statement the batch skips, or one part read: harmless. */
		if (b->t->single_rows)
			PQsetSingleRowMode(c);
		rc = read_one(c, rp, deadline, b);
		if (rc != 0)
			break;	/* rp keeps what came: a cancel's reading goes on from it */
		rc = keep_reply(b, it, rp);
		pg_reply_discard(rp);
		if (rc != 0)
			break;
	}
	return rc ? rc : drain(c, deadline, &b->guard, &b->reads);
}

/*
 * Sends and reads the batch, bounded as one statement is (pg_target.c's
 * run_command): by its deadline, then a cancel of the statement running
 * and a grace period to read the rest (the results before it are kept;
 * it fails its collector with the cancel's error and leaves the batch),
 * and by the cap. Leaves pipeline mode, or drops the connection.
 */
static int run_batch(struct batch *b, double deadline)
{
	struct pg_target *t = b->t;
	bool recovered = false;

	pg_guard_init(&b->guard, PQsocket(t->conn), pg_result_cap(t));
	int rc = send_batch(t, b->items, b->n);
	if (rc == 0)
		rc = read_batch(b, deadline);
	if (rc == -ETIMEDOUT) {
		double grace = monotonic_seconds() + PG_CANCEL_GRACE;
		pg_guard_arm(&b->guard);
		struct pg_cancel *k = pg_cancel_start(t->conn);
		recovered = read_batch(b, grace) == 0 && pg_cancel_delivered(k, grace);
		pg_cancel_unref(k);
	}
	pg_reply_discard(&b->rp);
	if (pg_guard_disarm(&b->guard)) {
		rc = -EFBIG;
		recovered = false;
	}
	if ((rc == 0 || recovered) && PQexitPipelineMode(t->conn))
		return rc;
	pg_drop_failed(t, rc);
	return rc ? rc : -EIO;
}

/*
 * Hands the results to the plan, each with its share of the batch's time
 * (from the end of the one before): the collector that takes a result is
 * reported as having spent that time, not the one that sent the batch.
 */
static void keep_results(struct pg_target *t, const struct collect_ctx *ctx, struct item *items,
			 size_t n, double start)
{
	double before = start, moved = 0;

	t->plan_deadline = ctx->deadline;
	for (size_t i = 0; i < n; i++) {
		struct pg_planned *e = &t->plan[items[i].plan];
		e->leaving = items[i].unplan;
		e->seconds = 0;
		if (items[i].done) {
			e->seconds = items[i].done - before;
			before = items[i].done;
		}
		if (!items[i].res)
			continue;	/* it runs alone: its time stays the sender's */
		e->res = items[i].res;
		if (PQresultStatus(e->res) == PGRES_TUPLES_OK)
			e->bytes = PQresultMemorySize(e->res);
		moved += e->seconds;
	}
	collect_ctx_move_seconds(ctx, -moved);
}

/*
 * The batch's own deadline: early enough that, once it was cut and the
 * rest read within the grace period, the collectors still take what it
 * did bring in time (otherwise they would all wait on the connection).
 */
static double batch_deadline(double deadline)
{
	double left = deadline - monotonic_seconds();

	return deadline - fmin(PG_CANCEL_GRACE + 0.25, left / 2);
}

void pg_plan_prefetch(struct pg_target *t, const struct collect_ctx *ctx)
{
	struct item items[PG_PLAN_MAX];

	pg_plan_settle(t);
	if (!t->conn || t->no_prepare || !libpq_pipeline_ok() ||
	    monotonic_seconds() >= ctx->deadline)
		return;
	struct batch b = {
		.t = t, .items = items, .n = select_items(t, ctx, items),
		.rp = { .cap = pg_result_cap(t), .keep = true },
	};
	if (b.n == 0)
		return;
	double start = monotonic_seconds();
	int rc = run_batch(&b, batch_deadline(ctx->deadline));
	t->plan_flush = monotonic_seconds() - start > PG_BATCH_FLUSH_AFTER;
	/* The statement that overran the cap runs alone from now on. */
	if (rc == -EFBIG && b.at < b.n)
		items[b.at].unplan = true;
	/* The connection lost: an error may be its ("terminating connection"), not a statement's. */
	for (size_t i = 0; !t->conn && i < b.n; i++)
		if (items[i].res && PQresultStatus(items[i].res) != PGRES_TUPLES_OK) {
			PQclear(items[i].res);
			items[i].res = NULL;
			items[i].unplan = false;
		}
	keep_results(t, ctx, items, b.n, start);
	if (rc != 0)
		log_debug("a batch of queries failed: they run one by one", "target", t->display,
			  "err", strerror(-rc));
}
