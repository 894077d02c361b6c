#include "node.h"

/* Being written. */
static int tapestats_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector tapestats_collector = {
	.name = "tapestats",
	.enabled_by_default = true,
	.collect = tapestats_collect,
};
