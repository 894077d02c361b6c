/*
 * entropy: the kernel's available entropy and pool size from
 * /proc/sys/kernel/random, as node_exporter's entropy collector exposes them.
 */
#include <ctype.h>
#include <errno.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "node.h"
#include "node_parse.h"

static const struct metric_desc available_desc = {
	.name = "node_entropy_available_bits",
	.help = "Bits of available entropy.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc pool_size_desc = {
	.name = "node_entropy_pool_size_bits",
	.help = "Bits of entropy pool.",
	.type = METRIC_GAUGE,
};

int entropy_parse_value(const char *text, uint64_t *out)
{
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (!node_parse_u64(&p, out))
		return -EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -EINVAL : 0;
}

/* Reads one of the numbers under <procfs>/sys/kernel/random. */
static int entropy_read(const char *procfs, const char *name, uint64_t *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT, rel = BUF_INIT;
	int err;

	buf_addf(&rel, "sys/kernel/random/%s", name);
	err = fs_read_file(fs_join(&path, procfs, buf_cstr(&rel)), &text,
			   FS_READ_MAX);
	if (!err)
		err = entropy_parse_value(buf_cstr(&text), out);
	buf_release(&rel);
	buf_release(&text);
	buf_release(&path);
	return err;
}

/*
 * Both numbers are read before anything is written: upstream fails the
 * scrape when either is missing, and a failed collector shows nothing.
 */
static int entropy_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	uint64_t avail, pool;
	int err;

	err = entropy_read(cfg->procfs, "entropy_avail", &avail);
	if (!err)
		err = entropy_read(cfg->procfs, "poolsize", &pool);
	if (err)
		return err;
	expo_family(w, &available_desc);
	expo_value(w, (double)avail);
	expo_family(w, &pool_size_desc);
	expo_value(w, (double)pool);
	return 0;
}

const struct collector entropy_collector = {
	.name = "entropy",
	.enabled_by_default = true,
	.collect = entropy_collect,
};
