#include "node.h"

/* Being written. */
static int timex_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector timex_collector = {
	.name = "timex",
	.enabled_by_default = true,
	.collect = timex_collect,
};
