#include "node.h"

/* Being written. */
static int arp_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector arp_collector = {
	.name = "arp",
	.enabled_by_default = true,
	.collect = arp_collect,
};
