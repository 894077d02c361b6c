/*
 * softnet: per-CPU packet processing counters from /proc/net/softnet_stat
 * (one line of hex columns per CPU) as node_exporter 1.5 exposes them:
 * processed, dropped and times_squeezed, labelled by line number.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "net_parse.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

/* Older kernels write 9 columns; every later one writes more. */
#define SOFTNET_MIN_COLUMNS 9

static const struct metric_desc dropped_desc = {
	.name = "node_softnet_dropped_total",
	.help = "Number of dropped packets",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

static const struct metric_desc processed_desc = {
	.name = "node_softnet_processed_total",
	.help = "Number of processed packets",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

static const struct metric_desc times_squeezed_desc = {
	.name = "node_softnet_times_squeezed_total",
	.help = "Number of times processing packets ran out of quota",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

/* One line [s, end): at least 9 columns, the first 3 read as hex uint32. */
static int softnet_parse_line(const char *s, const char *end,
			      struct softnet_cpu *c)
{
	struct node_word w[3];
	uint64_t v[3];

	if (node_split_words(s, end, w, 3) < SOFTNET_MIN_COLUMNS)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (!go_parse_uint(w[i].s, w[i].len, 16, 32, &v[i]))
			return -EINVAL;
	c->processed = (uint32_t)v[0];
	c->dropped = (uint32_t)v[1];
	c->time_squeezed = (uint32_t)v[2];
	return 0;
}

int softnet_parse(const char *text, struct softnet_cpu **out, size_t *n)
{
	size_t cap = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	for (const char *s = text; *s && !err;) {
		const char *end = node_line_end(s);

		if (*n == cap) {
			struct softnet_cpu *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(*out, cap * sizeof(*nv));
			if (!nv)
				abort();
			*out = nv;
		}
		err = softnet_parse_line(s, end, &(*out)[*n]);
		if (!err)
			(*n)++;
		s = *end ? end + 1 : end;
	}
	return err;
}

/*
 * The order upstream's registry sorts the samples in: by the cpu label as a
 * string, so "10" comes before "2".
 */
static int softnet_label_cmp(const void *a, const void *b)
{
	char x[TEXT_U64_MAX], y[TEXT_U64_MAX];

	return strcmp(text_u64(x, *(const size_t *)a),
		      text_u64(y, *(const size_t *)b));
}

static void softnet_write(struct expo *w, const struct softnet_cpu *c,
			  size_t n)
{
	static const struct metric_desc *const descs[] = {
		&dropped_desc, &processed_desc, &times_squeezed_desc,
	};
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	char label[TEXT_U64_MAX];

	if (!order)
		abort();
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(*order), softnet_label_cmp);
	for (size_t d = 0; d < 3; d++) {
		expo_family(w, descs[d]);
		for (size_t k = 0; k < n; k++) {
			const struct softnet_cpu *e = &c[order[k]];
			uint32_t v = d == 0 ? e->dropped :
				     d == 1 ? e->processed : e->time_squeezed;

			expo_sample(w, v, text_u64(label, order[k]));
		}
	}
	free(order);
}

/* A missing file fails the collector, as it does upstream. */
static int softnet_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct softnet_cpu *c = NULL;
	size_t n = 0;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "net/softnet_stat"),
			   &text, FS_READ_MAX);
	if (!err)
		err = softnet_parse(buf_cstr(&text), &c, &n);
	if (!err && n)
		softnet_write(w, c, n);
	free(c);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector softnet_collector = {
	.name = "softnet",
	.enabled_by_default = true,
	.collect = softnet_collect,
};
