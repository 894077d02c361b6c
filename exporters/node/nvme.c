#include "node.h"

/* Being written. */
static int nvme_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector nvme_collector = {
	.name = "nvme",
	.enabled_by_default = true,
	.collect = nvme_collect,
};
