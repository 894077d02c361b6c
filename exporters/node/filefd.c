/*
 * filefd: allocated and maximum file handles from /proc/sys/fs/file-nr, as
 * node_exporter's filefd collector exposes them.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "node.h"

static const struct metric_desc allocated_desc = {
	.name = "node_filefd_allocated",
	.help = "File descriptor statistics: allocated.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc maximum_desc = {
	.name = "node_filefd_maximum",
	.help = "File descriptor statistics: maximum.",
	.type = METRIC_GAUGE,
};

/*
 * The kernel writes "allocated\tunused\tmaximum\n". Upstream trims the text,
 * splits it on tabs only (so spaces stay inside a value and make it bad) and
 * parses the first and third parts as floats; the second, always 0 since
 * Linux 2.6, is never looked at.
 */
int filefd_parse(const char *text, double *allocated, double *maximum)
{
	const char *end = text + strlen(text);
	const char *part[3];
	size_t len[3], n = 0;

	while (*text && isspace((unsigned char)*text))
		text++;
	while (end > text && isspace((unsigned char)end[-1]))
		end--;
	for (const char *p = text; n < 3; n++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));

		part[n] = p;
		len[n] = (size_t)((tab ? tab : end) - p);
		if (!tab) {
			n++;
			break;
		}
		p = tab + 1;
	}
	if (n < 3)
		return -EINVAL;
	if (!disk_parse_float(part[0], len[0], allocated) ||
	    !disk_parse_float(part[2], len[2], maximum))
		return -EINVAL;
	return 0;
}

static int filefd_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	double allocated, maximum;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "sys/fs/file-nr"),
			   &text, FS_READ_MAX);
	if (!err)
		err = filefd_parse(buf_cstr(&text), &allocated, &maximum);
	if (!err) {
		expo_family(w, &allocated_desc);
		expo_value(w, allocated);
		expo_family(w, &maximum_desc);
		expo_value(w, maximum);
	}
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector filefd_collector = {
	.name = "filefd",
	.enabled_by_default = true,
	.collect = filefd_collect,
};
