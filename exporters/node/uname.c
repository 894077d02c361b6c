#include "node.h"

/* Placeholder: being written. */
static int uname_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector uname_collector = {
	.name = "uname",
	.enabled_by_default = true,
	.collect = uname_collect,
};
