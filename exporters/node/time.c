#include "node.h"

/* Placeholder: being written. */
static int time_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector time_collector = {
	.name = "time",
	.enabled_by_default = true,
	.collect = time_collect,
};
