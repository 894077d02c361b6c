#include "node.h"

/* Being written. */
static int os_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector os_collector = {
	.name = "os",
	.enabled_by_default = true,
	.collect = os_collect,
};
