/* database: size and connection limit of every database that allows connections. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "size_bytes", PG_GAUGE, "Disk space used by the database", NULL },
	{ "connection_limit", PG_GAUGE, "Connection limit set for the database", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_database",
	"SELECT datname, pg_database_size(datname) AS size_bytes,"
	" datconnlimit AS connection_limit"
	" FROM pg_database",
	columns);

static int database_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_database_collector = {
	.name = "database", .enabled_by_default = true, .collect = database_collect,
};
