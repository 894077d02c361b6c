#include "node.h"

/* Being written. */
static int netdev_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector netdev_collector = {
	.name = "netdev",
	.enabled_by_default = true,
	.collect = netdev_collect,
};
