#include "node.h"

/* Being written. */
static int entropy_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector entropy_collector = {
	.name = "entropy",
	.enabled_by_default = true,
	.collect = entropy_collect,
};
