#include "node.h"

/* Being written. */
static int fibrechannel_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector fibrechannel_collector = {
	.name = "fibrechannel",
	.enabled_by_default = true,
	.collect = fibrechannel_collect,
};
