#include "node.h"

/* Placeholder: being written. */
static int stat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector stat_collector = {
	.name = "stat",
	.enabled_by_default = true,
	.collect = stat_collect,
};
