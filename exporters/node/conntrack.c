#include "node.h"

/* Being written. */
static int conntrack_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector conntrack_collector = {
	.name = "conntrack",
	.enabled_by_default = true,
	.collect = conntrack_collect,
};
