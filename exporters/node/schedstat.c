#include "node.h"

/* Being written. */
static int schedstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector schedstat_collector = {
	.name = "schedstat",
	.enabled_by_default = true,
	.collect = schedstat_collect,
};
