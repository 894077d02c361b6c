#include "node.h"

/* Being written. */
static int edac_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector edac_collector = {
	.name = "edac",
	.enabled_by_default = true,
	.collect = edac_collect,
};
