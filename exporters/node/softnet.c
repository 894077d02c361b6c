#include "node.h"

/* Being written. */
static int softnet_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector softnet_collector = {
	.name = "softnet",
	.enabled_by_default = true,
	.collect = softnet_collect,
};
