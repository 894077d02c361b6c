/*
 * conntrack: netfilter connection tracking, as node_exporter 1.5's
 * conntrack collector reports it: the table's fill and limit from
 * /proc/sys/net/netfilter, and the per-CPU statistics of
 * /proc/net/stat/nf_conntrack summed over the CPUs.
 */
#include <errno.h>
#include <stddef.h>

#include "fsutil.h"
#include "misc_parse.h"
#include "node.h"
#include "node_parse.h"

/* One header line plus one short line per CPU. */
#define STAT_MAX (4u << 20)

#define DESC(var, suffix, text)					\
	static const struct metric_desc var = {			\
		.name = "node_nf_conntrack_" suffix,		\
		.help = text,					\
		.type = METRIC_GAUGE,				\
	}

DESC(entries_desc, "entries",
     "Number of currently allocated flow entries for connection tracking.");
DESC(limit_desc, "entries_limit",
     "Maximum size of connection tracking table.");
DESC(drop_desc, "stat_drop",
     "Number of packets dropped due to conntrack failure.");
DESC(early_drop_desc, "stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.");
DESC(found_desc, "stat_found",
     "Number of searched entries which were successful.");
DESC(ignore_desc, "stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry.");
DESC(insert_desc, "stat_insert",
     "Number of entries inserted into the list.");
DESC(insert_failed_desc, "stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed.");
DESC(invalid_desc, "stat_invalid",
     "Number of packets seen which can not be tracked.");
DESC(search_restart_desc, "stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes.");

/* The columns of a row we sum, and where each goes. */
static const struct {
	unsigned col;
	size_t off;
} stat_cols[] = {
	{ 2, offsetof(struct conntrack_stats, found) },
	{ 4, offsetof(struct conntrack_stats, invalid) },
	{ 5, offsetof(struct conntrack_stats, ignore) },
	{ 8, offsetof(struct conntrack_stats, insert) },
	{ 9, offsetof(struct conntrack_stats, insert_failed) },
	{ 10, offsetof(struct conntrack_stats, drop) },
	{ 11, offsetof(struct conntrack_stats, early_drop) },
	{ 16, offsetof(struct conntrack_stats, search_restart) },
};

#define STAT_FIELDS 17

/* Parses word w as Go's ParseUint(w, 16, 64): hex digits only. */
static bool word_hex(struct node_word w, uint64_t *out)
{
	uint64_t v = 0;

	if (!w.len)
		return false;
	for (size_t i = 0; i < w.len; i++) {
		char c = w.s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (v >> 60)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Adds one CPU's row [s, end) to out; -EINVAL unless 17 hex fields. */
static int add_row(const char *s, const char *end, struct conntrack_stats *out)
{
	struct node_word w[STAT_FIELDS];
	uint64_t v[STAT_FIELDS];

	if (node_split_words(s, end, w, STAT_FIELDS) != STAT_FIELDS)
		return -EINVAL;
	for (int i = 0; i < STAT_FIELDS; i++) {
		if (!word_hex(w[i], &v[i]))
			return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(stat_cols) / sizeof(stat_cols[0]); i++)
		*(uint64_t *)((char *)out + stat_cols[i].off) +=
			v[stat_cols[i].col];
	return 0;
}

int conntrack_parse_stat(const char *text, struct conntrack_stats *out)
{
	const char *p = node_line_end(text);

	*out = (struct conntrack_stats){ 0 };
	/* The first line names the columns; procfs skips it unread. */
	while (*p) {
		const char *end = node_line_end(++p);
		const char *e = end;

		if (!*p)
			break;	/* a final newline ends the text, no row */
		if (e > p && e[-1] == '\r')
			e--;
		if (add_row(p, e, out))
			return -EINVAL;
		p = end;
	}
	return 0;
}

/* Reads a one-number file under procfs. */
static int read_count(const char *procfs, const char *rel, uint64_t *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int err;

	err = fs_read_file(fs_join(&path, procfs, rel), &text, STAT_MAX);
	if (!err)
		err = cpu_parse_sysfs_u64(buf_cstr(&text), out);
	buf_release(&text);
	buf_release(&path);
	return err;
}

static void stats_write(struct expo *w, const struct conntrack_stats *st)
{
	expo_family(w, &drop_desc);
	expo_value(w, (double)st->drop);
	expo_family(w, &early_drop_desc);
	expo_value(w, (double)st->early_drop);
	expo_family(w, &found_desc);
	expo_value(w, (double)st->found);
	expo_family(w, &ignore_desc);
	expo_value(w, (double)st->ignore);
	expo_family(w, &insert_desc);
	expo_value(w, (double)st->insert);
	expo_family(w, &insert_failed_desc);
	expo_value(w, (double)st->insert_failed);
	expo_family(w, &invalid_desc);
	expo_value(w, (double)st->invalid);
	expo_family(w, &search_restart_desc);
	expo_value(w, (double)st->search_restart);
}

/*
 * A missing count or max file means the module is not loaded: upstream's
 * ErrNoData, which still marks the collector failed, but quietly.
 */
static int conntrack_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct conntrack_stats st;
	uint64_t count, max;
	int err;

	err = read_count(cfg->procfs, "sys/net/netfilter/nf_conntrack_count",
			 &count);
	if (!err)
		err = read_count(cfg->procfs,
				 "sys/net/netfilter/nf_conntrack_max", &max);
	if (err == -ENOENT)
		return -ENODATA;
	if (!err)
		err = fs_read_file(fs_join(&path, cfg->procfs,
					   "net/stat/nf_conntrack"),
				   &text, STAT_MAX);
	if (!err)
		err = conntrack_parse_stat(buf_cstr(&text), &st);
	if (!err) {
		expo_family(w, &entries_desc);
		expo_value(w, (double)count);
		expo_family(w, &limit_desc);
		expo_value(w, (double)max);
		stats_write(w, &st);
	}
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector conntrack_collector = {
	.name = "conntrack",
	.enabled_by_default = true,
	.collect = conntrack_collect,
};
