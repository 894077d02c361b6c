/*
 * loadavg: the 1, 5 and 15 minute load averages from /proc/loadavg, as
 * node_exporter's loadavg collector exposes them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "fsutil.h"
#include "node.h"
#include "node_parse.h"

static const struct metric_desc load1_desc = {
	.name = "node_load1",
	.help = "1m load average.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc load5_desc = {
	.name = "node_load5",
	.help = "5m load average.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc load15_desc = {
	.name = "node_load15",
	.help = "15m load average.",
	.type = METRIC_GAUGE,
};

/*
 * Reads the first three whitespace-separated words as numbers; the rest of
 * the line (runnable/total tasks, last pid) is not ours. A word that is not
 * entirely a number fails the parse, as Go's ParseFloat would.
 */
int loadavg_parse(const char *text, double load[3])
{
	const char *p = text;

	for (int i = 0; i < 3; i++) {
		char *end;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return -EINVAL;
		load[i] = strtod(p, &end);
		if (end == p || (*end && !isspace((unsigned char)*end)))
			return -EINVAL;
		p = end;
	}
	return 0;
}

/* Writes the three gauges in the order node_exporter's output sorts them. */
static int loadavg_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	double load[3];
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "loadavg"), &text,
			   FS_READ_MAX);
	if (!err)
		err = loadavg_parse(buf_cstr(&text), load);
	if (!err) {
		expo_family(w, &load1_desc);
		expo_value(w, load[0]);
		expo_family(w, &load15_desc);
		expo_value(w, load[2]);
		expo_family(w, &load5_desc);
		expo_value(w, load[1]);
	}
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector loadavg_collector = {
	.name = "loadavg",
	.enabled_by_default = true,
	.collect = loadavg_collect,
};
