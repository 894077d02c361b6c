#include "node.h"

/* Being written. */
static int rapl_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector rapl_collector = {
	.name = "rapl",
	.enabled_by_default = true,
	.collect = rapl_collect,
};
