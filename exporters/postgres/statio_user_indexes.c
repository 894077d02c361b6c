/* statio_user_indexes: buffer cache reads and hits per user index. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "schemaname", PG_LABEL, NULL, NULL },
	{ "relname", PG_LABEL, NULL, NULL },
	{ "indexrelname", PG_LABEL, NULL, NULL },
	{ "idx_blks_read", PG_COUNTER, "Number of disk blocks read from this index",
	  "idx_blks_read_total" },
	{ "idx_blks_hit", PG_COUNTER, "Number of buffer hits in this index",
	  "idx_blks_hit_total" },
};

static const struct pg_query_spec spec = PG_SPEC("pg_statio_user_indexes",
	"SELECT schemaname, relname, indexrelname, idx_blks_read, idx_blks_hit"
	" FROM pg_statio_user_indexes",
	columns);

static int statio_user_indexes_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_statio_user_indexes_collector = {
	.name = "statio_user_indexes", .enabled_by_default = false,
	.collect = statio_user_indexes_collect,
};
