#include "node.h"

/* Being written. */
static int cpufreq_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector cpufreq_collector = {
	.name = "cpufreq",
	.enabled_by_default = true,
	.collect = cpufreq_collect,
};
