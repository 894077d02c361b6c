#include "node.h"

/* Being written. */
static int dmi_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector dmi_collector = {
	.name = "dmi",
	.enabled_by_default = true,
	.collect = dmi_collect,
};
