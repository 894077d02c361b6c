#include "node.h"

/* Placeholder: being written. */
static int cpu_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector cpu_collector = {
	.name = "cpu",
	.enabled_by_default = true,
	.collect = cpu_collect,
};
