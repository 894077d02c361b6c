#include "node.h"

/* Being written. */
static int netstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector netstat_collector = {
	.name = "netstat",
	.enabled_by_default = true,
	.collect = netstat_collect,
};
