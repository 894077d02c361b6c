/* stat_archiver: WAL archiving counts and the age of the last archived segment. */
#include "pg.h"

static const struct pg_column columns[] = {
	{ "archived_count", PG_COUNTER,
	  "Number of WAL files that have been successfully archived", NULL },
	{ "failed_count", PG_COUNTER, "Number of failed attempts for archiving WAL files", NULL },
	{ "last_archive_age", PG_GAUGE,
	  "Time in seconds since last WAL segment was successfully archived", NULL },
};

/* Never archived: NaN, as upstream. */
static const struct pg_query_spec spec = PG_SPEC("pg_stat_archiver",
	"SELECT archived_count, failed_count,"
	" COALESCE(EXTRACT(EPOCH FROM (now() - last_archived_time)), 'NaN') AS last_archive_age"
	" FROM pg_stat_archiver",
	columns);

static int stat_archiver_collect(const struct collect_ctx *ctx, struct expo *w)
{
	return pg_collect_spec(ctx, w, &spec);
}

const struct collector pg_stat_archiver_collector = {
	.name = "stat_archiver", .enabled_by_default = true, .collect = stat_archiver_collect,
};
