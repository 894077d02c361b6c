/* locks: lock counts per database and mode, zero-filled as upstream does. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "mode", PG_LABEL, NULL, NULL },
	{ "count", PG_GAUGE, "Number of locks", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_locks",
	"SELECT pg_database.datname, tmp.mode, COALESCE(count, 0) AS count"
	" FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'),"
	" ('shareupdateexclusivelock'), ('sharelock'), ('sharerowexclusivelock'),"
	" ('exclusivelock'), ('accessexclusivelock'), ('sireadlock')) AS tmp(mode)"
	" CROSS JOIN pg_database"
	" LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count FROM pg_locks"
	" WHERE database IS NOT NULL GROUP BY database, lower(mode)) AS tmp2"
	" ON tmp.mode = tmp2.mode AND pg_database.oid = tmp2.database ORDER BY 1, 2",
	columns);

static int locks_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_locks_collector = {
	.name = "locks", .enabled_by_default = true, .collect = locks_collect,
};
