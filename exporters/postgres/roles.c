/* roles: the connection limit of every role. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "rolname", PG_LABEL, NULL, NULL },
	{ "connection_limit", PG_GAUGE, "Connection limit set for the role", NULL },
};

static const struct pg_query_spec spec = PG_SPEC("pg_roles",
	"SELECT rolname, rolconnlimit AS connection_limit FROM pg_roles", columns);

static int roles_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_roles_collector = {
	.name = "roles", .enabled_by_default = true, .collect = roles_collect,
};
