#include "node.h"

/* Being written. */
static int pressure_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector pressure_collector = {
	.name = "pressure",
	.enabled_by_default = true,
	.collect = pressure_collect,
};
