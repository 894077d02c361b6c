#include "node.h"

/* Being written. */
static int filefd_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	(void)w;
	return 0;
}

const struct collector filefd_collector = {
	.name = "filefd",
	.enabled_by_default = true,
	.collect = filefd_collect,
};
