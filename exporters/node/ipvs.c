#include "node.h"

/* Being written. */
static int ipvs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector ipvs_collector = {
	.name = "ipvs",
	.enabled_by_default = true,
	.collect = ipvs_collect,
};
