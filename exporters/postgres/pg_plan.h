/*
 * pg_plan: a scrape in one round trip. The statements a target's
 * collectors ran (prepared, successfully) are remembered: the plan. The
 * first session of the next scrape sends those of that scrape's collectors
 * all at once, in libpq's pipeline mode, and each collector then takes its
 * result instead of waiting for the server in turn. A statement the batch
 * did not answer runs on its own, as it did the first time.
 *
 * This header is the seam between pg_target.c and pg_plan.c; everything in
 * it is called with t->lock held.
 */
#ifndef EXPORTERBOX_PG_PLAN_H
#define EXPORTERBOX_PG_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "pg.h"

/* Sends the planned statements of ctx's scrape and keeps their results. */
void pg_plan_prefetch(struct pg_target *t, const struct collect_ctx *ctx);
/*
 * What the batch brought for sql of ctx's collector this scrape: true with
 * its result in *res (rows, or the statement's own error); false: run it alone.
 */
bool pg_plan_take(struct pg_target *t, const struct collect_ctx *ctx, const char *sql,
		 PGresult **res);
/* sql ran prepared for ctx's collector and answered res: plan it. */
void pg_plan_note(struct pg_target *t, const struct collect_ctx *ctx, const char *sql,
		  const PGresult *res);
/* After a scrape: a result no collector took is freed, and its statement unplanned. */
void pg_plan_settle(struct pg_target *t);
void pg_plan_release(struct pg_target *t);

/* pg_target.c's, for pg_plan.c. */
void pg_drop_connection(struct pg_target *t);
/* Drops the connection after a command failed with rc, saying why (past the cap, a cancel not done). */
void pg_drop_failed(struct pg_target *t, int rc);
size_t pg_result_cap(const struct pg_target *t);
struct pg_prepared *pg_prepared_find(struct pg_target *t, const char *sql);
/*
 * Names the statement that will be the k-th prepared from now on (k = 0:
 * the next) and returns that name; NULL when the table has no room for it.
 */
const char *pg_prepared_name(struct pg_target *t, size_t k);
/* Records the statement pg_prepared_name(t, 0) named. */
struct pg_prepared *pg_prepared_add(struct pg_target *t, const char *sql, bool plain);

#endif
