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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	PGresult *res;			/* its result, when it succeeded */
	double done;			/* when its results were complete; 0: never */
	bool unplan;			/* it failed on its own: it runs alone from now on */
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
		if (t->plan[i].res)
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
	*res = e->res;
	e->res = NULL;
	collect_ctx_move_seconds(ctx, e->seconds);
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

/*
 * Reads one statement's reply (a prepare's or a query's) into rp and
 * says whether the statement itself failed: not for a statement the batch
 * skipped after another failed, nor when the connection did.
 */
static int read_one(PGconn *c, struct pg_reply *rp, double deadline, struct pg_guard *guard,
		    unsigned *reads, bool *failed)
{
	int rc = pg_reply_read(c, rp, deadline, guard, reads);

	if (rc == 0 && PQstatus(c) != CONNECTION_OK)
		rc = -EIO;
	ExecStatusType st = PQresultStatus(rp->last);
	*failed = rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
		  st != PGRES_PIPELINE_ABORTED;
	return rc;
}

/* Reads the batch's replies into items; *at: the item being read when it stopped. */
static int read_batch(struct pg_target *t, struct item *items, size_t n, double deadline,
		      struct pg_guard *guard, unsigned *reads, size_t *at)
{
	PGconn *c = t->conn;
	struct pg_reply rp = { .cap = pg_result_cap(t), .keep = true };
	int rc = 0;

	for (*at = 0; *at < n; (*at)++) {
		struct item *it = &items[*at];
		bool failed = false;
		if (it->prepare) {
			rc = read_one(c, &rp, deadline, guard, reads, &failed);
			if (rc != 0)
				break;
			/* Added in the order pg_prepared_name() named them: after
			 * one fails, none of the rest are prepared. */
			if (PQresultStatus(rp.last) == PGRES_COMMAND_OK)
				pg_prepared_add(t, t->plan[it->plan].sql, false);
			pg_reply_discard(&rp);
		}
		/* Refused only for a statement the batch skips: its result says so. */
		if (t->single_rows)
			PQsetSingleRowMode(c);
		it->unplan = failed;
		rc = read_one(c, &rp, deadline, guard, reads, &failed);
		if (rc != 0)
			break;
		it->unplan |= failed;
		it->done = monotonic_seconds();
		if (PQresultStatus(rp.last) == PGRES_TUPLES_OK) {
			it->res = rp.last;
			rp.last = NULL;
		}
		pg_reply_discard(&rp);
	}
	pg_reply_discard(&rp);
	return rc ? rc : drain(c, deadline, guard, reads);
}

/*
 * Sends and reads the batch, bounded as one statement is (pg_target.c's
 * run_command): by the deadline, with a cancel and a grace period after
 * it, and by the cap. Leaves pipeline mode, or drops the connection.
 */
static int run_batch(struct pg_target *t, struct item *items, size_t n, double deadline,
		     size_t *at)
{
	struct pg_guard guard;
	unsigned reads = 0;
	bool drained = false;

	*at = 0;
	pg_guard_init(&guard, PQsocket(t->conn), pg_result_cap(t));
	int rc = send_batch(t, items, n);
	if (rc == 0)
		rc = read_batch(t, items, n, deadline, &guard, &reads, at);
	if (rc == -ETIMEDOUT) {
		double grace = monotonic_seconds() + PG_CANCEL_GRACE;
		pg_guard_arm(&guard);
		struct pg_cancel *k = pg_cancel_start(t->conn);
		drained = drain(t->conn, grace, &guard, &reads) == 0 && pg_cancel_delivered(k, grace);
		pg_cancel_unref(k);
	}
	if (pg_guard_disarm(&guard))
		rc = -EFBIG;
	if ((rc == 0 || (rc == -ETIMEDOUT && drained)) && PQexitPipelineMode(t->conn))
		return rc;
	if (rc == -EFBIG)
		log_warn("results larger than --postgres.max-result-bytes, dropping the connection",
			 "target", t->display);
	else if (rc == -ETIMEDOUT)
		log_warn("query not cancelled in time, dropping the connection", "target",
			 t->display);
	pg_drop_connection(t);
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
	for (size_t i = 0; i < n && items[i].done; i++) {
		if (items[i].res) {
			struct pg_planned *e = &t->plan[items[i].plan];
			e->res = items[i].res;
			e->seconds = items[i].done - before;
			e->bytes = PQresultMemorySize(e->res);
			moved += e->seconds;
		}
		before = items[i].done;
	}
	collect_ctx_move_seconds(ctx, -moved);
}

void pg_plan_prefetch(struct pg_target *t, const struct collect_ctx *ctx)
{
	struct item items[PG_PLAN_MAX];
	size_t at;

	pg_plan_settle(t);
	if (!t->conn || t->no_prepare)
		return;
	size_t n = select_items(t, ctx, items);
	if (n == 0)
		return;
	double start = monotonic_seconds();
	int rc = run_batch(t, items, n, ctx->deadline, &at);
	t->plan_flush = monotonic_seconds() - start > PG_BATCH_FLUSH_AFTER;
	/* The statement that overran the deadline or the cap runs alone from now on. */
	if ((rc == -ETIMEDOUT || rc == -EFBIG) && at < n)
		items[at].unplan = true;
	keep_results(t, ctx, items, n, start);
	for (size_t i = n; i-- > 0;)
		if (items[i].unplan)
			unplan(t, items[i].plan);
	if (rc != 0)
		log_debug("a batch of queries failed: they run one by one", "target", t->display,
			  "err", strerror(-rc));
}
