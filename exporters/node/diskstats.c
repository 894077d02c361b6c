#include "node.h"

/* Being written. */
static int diskstats_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector diskstats_collector = {
	.name = "diskstats",
	.enabled_by_default = true,
	.collect = diskstats_collect,
};
