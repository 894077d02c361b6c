#include "node.h"

/* Being written. */
static int udp_queues_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector udp_queues_collector = {
	.name = "udp_queues",
	.enabled_by_default = true,
	.collect = udp_queues_collect,
};
