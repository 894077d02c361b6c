/* database_wraparound: how close each database is to transaction ID wraparound. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "datname", PG_LABEL, NULL, NULL },
	{ "age_datfrozenxid", PG_GAUGE, "Age of the oldest transaction ID that has not been frozen.",
	  "age_datfrozenxid_seconds" },
	{ "age_datminmxid", PG_GAUGE, "Age of the oldest multi-transaction ID that has been "
	  "replaced with a transaction ID.", "age_datminmxid_seconds" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_database_wraparound",
	"SELECT datname, age(d.datfrozenxid) AS age_datfrozenxid,"
	" mxid_age(d.datminmxid) AS age_datminmxid FROM pg_catalog.pg_database d"
	" WHERE d.datallowconn",
	columns);

static int database_wraparound_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_database_wraparound_collector = {
	.name = "database_wraparound", .enabled_by_default = false,
	.collect = database_wraparound_collect,
};
