/*
 * database: size and connection limit of every database, but those on
 * --exclude-databases (as upstream's collector).
 */
#include <stdlib.h>

#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "size_bytes", PG_GAUGE, "Disk space used by the database", NULL },
	{ "connection_limit", PG_GAUGE, "Connection limit set for the database", NULL },
};

#define DATABASE_SQL \
	"SELECT datname, pg_database_size(datname) AS size_bytes," \
	" datconnlimit AS connection_limit FROM pg_database"

static const struct pg_query_spec all_spec = PG_SPEC("pg_database", DATABASE_SQL, columns);

struct database_state {
	struct pg_query_spec spec;
	char *sql;
};

/* Appends s as a text-array element inside an E'' literal: two levels of escaping. */
static void add_element(struct buf *sql, const char *s)
{
	buf_adds(sql, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_adds(sql, "\\\\");	/* the array's backslash, escaped for E'' */
		if (*s == '\\')
			buf_adds(sql, "\\\\");
		else if (*s == '\'')
			buf_adds(sql, "''");
		else
			buf_addc(sql, *s);
	}
	buf_adds(sql, "\"");
}

/* With --exclude-databases: the query with those names filtered out by the server. */
static int database_init(const void *config, void **state)
{
	const struct pg_target *t = config;
	const struct strlist *ex = t->cfg->exclude_databases;
	struct buf sql = BUF_INIT;

	if (!ex || ex->n == 0)
		return 0;
	buf_adds(&sql, DATABASE_SQL " WHERE NOT (datname = ANY (E'{");
	for (size_t i = 0; i < ex->n; i++) {
		if (i)
			buf_addc(&sql, ',');
		add_element(&sql, ex->v[i]);
	}
	buf_adds(&sql, "}'::text[]))");
	struct database_state *st = calloc(1, sizeof(*st));
	if (!st)
		abort();
	st->sql = buf_detach(&sql, NULL);
	st->spec = all_spec;
	st->spec.sql = st->sql;
	*state = st;
	return 0;
}

static void database_release(void *state)
{
	struct database_state *st = state;

	free(st->sql);
	free(st);
}

static int database_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct database_state *st = ctx->state;

	return pg_collect_spec(ctx, w, st ? &st->spec : &all_spec);
}

const struct collector pg_database_collector = {
	.name = "database", .enabled_by_default = true, .init = database_init,
	.collect = database_collect, .release = database_release,
};
