#include "node.h"

/* Placeholder: being written. */
static int filesystem_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector filesystem_collector = {
	.name = "filesystem",
	.enabled_by_default = true,
	.collect = filesystem_collect,
};
