/* wal: number and total size of the WAL segments in pg_wal. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "segments", PG_GAUGE, "Number of WAL segments", NULL },
	{ "size", PG_GAUGE, "Total size of WAL segments", "size_bytes" },
};

/* pg_ls_waldir() needs pg_monitor; a role without it fails this collector only. */
static const struct pg_query_spec spec = PG_SPEC("pg_wal",
	"SELECT count(*) AS segments, COALESCE(sum(size), 0) AS size FROM pg_ls_waldir()"
	" WHERE name ~ '^[0-9A-F]{24}$'",
	columns);

static int wal_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_wal_collector = {
	.name = "wal", .enabled_by_default = true, .collect = wal_collect,
};
