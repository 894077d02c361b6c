#include "node.h"

/* Placeholder: being written. */
static int loadavg_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector loadavg_collector = {
	.name = "loadavg",
	.enabled_by_default = true,
	.collect = loadavg_collect,
};
