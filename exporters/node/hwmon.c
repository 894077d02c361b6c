#include "node.h"

/* Being written. */
static int hwmon_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector hwmon_collector = {
	.name = "hwmon",
	.enabled_by_default = true,
	.collect = hwmon_collect,
};
