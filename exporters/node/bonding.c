#include "node.h"

/* Being written. */
static int bonding_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector bonding_collector = {
	.name = "bonding",
	.enabled_by_default = true,
	.collect = bonding_collect,
};
