#include "node.h"

/* Being written. */
static int sockstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector sockstat_collector = {
	.name = "sockstat",
	.enabled_by_default = true,
	.collect = sockstat_collect,
};
