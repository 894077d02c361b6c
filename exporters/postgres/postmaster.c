/* postmaster: when the server started. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "start_time_seconds", PG_GAUGE, "Time at which postmaster started", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_postmaster",
	"SELECT EXTRACT(EPOCH FROM pg_postmaster_start_time()) AS start_time_seconds", columns);

static int postmaster_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_postmaster_collector = {
	.name = "postmaster", .enabled_by_default = false, .collect = postmaster_collect,
};
