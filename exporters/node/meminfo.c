#include "node.h"

/* Placeholder: being written. */
static int meminfo_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector meminfo_collector = {
	.name = "meminfo",
	.enabled_by_default = true,
	.collect = meminfo_collect,
};
