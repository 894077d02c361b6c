/*
 * arp: the number of ARP (IPv4 neighbour) entries per device, from
 * /proc/net/arp, as node_exporter 1.5's arp collector counts them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "netdev_parse.h"
#include "device_filter.h"
#include "node.h"
#include "node_parse.h"

/* Upstream's columns: IP address, HW type, Flags, HW address, Mask, Device. */
#define ARP_MIN_WORDS 6

static const struct metric_desc entries_desc = {
	.name = "node_arp_entries",
	.help = "ARP entries by device",
	.type = METRIC_GAUGE,
	.labels = LABELS("device"),
};

/* ---- parsing ------------------------------------------------------------ */

const char *arp_device(const struct arp_counts *c, size_t i)
{
	return c->names.data + c->v[i].device;
}

/* Counts one more entry for device [s, s+len). */
static void arp_add(struct arp_counts *c, const char *s, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *have = arp_device(c, i);
		if (strlen(have) == len && memcmp(have, s, len) == 0) {
			c->v[i].entries++;
			return;
		}
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct arp_count *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			abort();
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct arp_count){ c->names.len, 1 };
	buf_add(&c->names, s, len);
	buf_addc(&c->names, '\0');
}

static int count_cmp(const void *a, const void *b, void *names)
{
	const struct arp_count *x = a, *y = b;

	return strcmp((const char *)names + x->device,
		      (const char *)names + y->device);
}

/*
 * Every line counts, blank ones too: upstream's scanner hands them to the
 * same six-word check, so a blank line fails the file as it fails there.
 * Only a final newline does not start another line.
 */
int arp_parse(const char *text, struct arp_counts *out)
{
	for (const char *s = text; *s;) {
		const char *end = node_line_end(s);
		struct node_word w[ARP_MIN_WORDS];
		size_t n = node_split_words(s, end, w, ARP_MIN_WORDS);

		if (n < ARP_MIN_WORDS)
			return -EINVAL;
		if (!node_word_is(w[0], "IP")) {
			/* The device is the last word, however many there are. */
			const char *last = end;
			while (node_is_blank(last[-1]))
				last--;
			const char *first = last;
			while (!node_is_blank(first[-1]))
				first--;
			arp_add(out, first, (size_t)(last - first));
		}
		s = *end ? end + 1 : end;
	}
	if (out->n > 1)
		qsort_r(out->v, out->n, sizeof(*out->v), count_cmp,
			out->names.data);
	return 0;
}

void arp_counts_release(struct arp_counts *c)
{
	buf_release(&c->names);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* ---- collecting --------------------------------------------------------- */

struct arp_state {
	struct device_filter filter;
};

static bool arp_ignored(const struct arp_state *st, const char *dev)
{
	if (!st)
		return false;
	return device_filter_ignored(&st->filter, dev);
}

static int arp_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct arp_counts c = ARP_COUNTS_INIT;
	bool declared = false;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs ? cfg->procfs : "/proc",
				   "net/arp"), &text, FS_READ_MAX);
	if (!err)
		err = arp_parse(buf_cstr(&text), &c);
	for (size_t i = 0; !err && i < c.n; i++) {
		if (arp_ignored(ctx->state, arp_device(&c, i)))
			continue;
		/* Upstream declares no family without a sample. */
		if (!declared)
			expo_family(w, &entries_desc);
		declared = true;
		expo_sample(w, (double)c.v[i].entries, arp_device(&c, i));
	}
	arp_counts_release(&c);
	buf_release(&text);
	buf_release(&path);
	return err;
}

/* ---- life cycle ------------------------------------------------------------ */

static void arp_release(void *state)
{
	struct arp_state *st = state;

	if (!st)
		return;
	device_filter_release(&st->filter);
	free(st);
}

static int arp_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	struct arp_state *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	if (device_filter_init(&st->filter, cfg->arp_device_include,
			       cfg->arp_device_exclude, "collector.arp")) {
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

const struct collector arp_collector = {
	.name = "arp",
	.enabled_by_default = true,
	.init = arp_init,
	.collect = arp_collect,
	.release = arp_release,
};
