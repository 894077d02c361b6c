#include "node.h"

/* Being written. */
static int powersupplyclass_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector powersupplyclass_collector = {
	.name = "powersupplyclass",
	.enabled_by_default = true,
	.collect = powersupplyclass_collect,
};
