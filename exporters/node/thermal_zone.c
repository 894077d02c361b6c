#include "node.h"

/* Being written. */
static int thermal_zone_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector thermal_zone_collector = {
	.name = "thermal_zone",
	.enabled_by_default = true,
	.collect = thermal_zone_collect,
};
