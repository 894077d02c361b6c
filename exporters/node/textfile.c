#include "node.h"

/* Placeholder: being written. */
static int textfile_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector textfile_collector = {
	.name = "textfile",
	.enabled_by_default = true,
	.collect = textfile_collect,
};
