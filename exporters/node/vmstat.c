#include "node.h"

/* Being written. */
static int vmstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector vmstat_collector = {
	.name = "vmstat",
	.enabled_by_default = true,
	.collect = vmstat_collect,
};
