/*
 * bcache: the statistics of the bcache cache sets under /sys/fs/bcache, as
 * node_exporter 1.5's bcache collector reports them (node_bcache_*{uuid}
 * and per backing or cache device); the priority_stats percentages only
 * with --collector.bcache.priorityStats (reading it is expensive for the
 * kernel).
 *
 * Every file upstream reads must be there and parse, or the collector
 * fails; a host without bcache (no set directory) reports nothing and
 * succeeds. Values are bch_hprint numbers ("1.5k"), turned into integers
 * with upstream's arithmetic, including its quirks (the fraction is
 * divided by 10.24; the file's last byte is dropped as its newline).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "go_strconv.h"
#include "node.h"
#include "node_parse.h"
#include "sys_parse.h"

uint64_t go_float_to_uint64(double f)
{
	const double two63 = 9223372036854775808.0;

	if (f < two63) {
		/* CVTTSD2SQ: NaN and out of range give INT64_MIN. */
		if (isnan(f) || f < -two63)
			return UINT64_C(1) << 63;
		return (uint64_t)(int64_t)f;
	}
	f -= two63;
	if (f >= two63)
		return UINT64_C(1) << 63;
	return (uint64_t)(int64_t)f | UINT64_C(1) << 63;
}

/* Go's ParseFloat over the n bytes at s. */
static bool go_float(const char *s, size_t n, double *out)
{
	return disk_parse_float(s, n, out);
}

/* "<int>[.<frac>[.ignored]]": int + frac / 10.24. */
static bool pseudo_float(const char *s, size_t n, double *out)
{
	const char *dot = memchr(s, '.', n);
	double whole, frac;

	if (!dot)
		return go_float(s, n, out);
	if (!go_float(s, (size_t)(dot - s), &whole))
		return false;
	const char *f = dot + 1;
	const char *end = memchr(f, '.', n - (size_t)(f - s));
	if (!go_float(f, end ? (size_t)(end - f) : n - (size_t)(f - s), &frac))
		return false;
	*out = whole + frac / 10.24;
	return true;
}

static double multiplier(char c)
{
	static const char units[] = "kMGTPEZY";
	const char *u = c ? strchr(units, c) : NULL;

	return u ? ldexp(1.0, 10 * (int)(u - units + 1)) : 0;
}

int bcache_dehumanize(const char *s, size_t n, uint64_t *out)
{
	double mant;

	if (n == 0)
		return -EINVAL;
	if ((unsigned char)s[n - 1] > '9') {
		if (!pseudo_float(s, n - 1, &mant))
			return -EINVAL;
		*out = go_float_to_uint64(mant * multiplier(s[n - 1]));
		return 0;
	}
	if (!go_float(s, n, &mant))
		return -EINVAL;
	*out = go_float_to_uint64(mant);
	return 0;
}

int bcache_dehumanize_signed(const char *s, size_t n, int64_t *out)
{
	bool negative = n && *s == '-';
	uint64_t v;

	if (bcache_dehumanize(s + negative, n - negative, &v))
		return -EINVAL;
	*out = (int64_t)(negative ? 0 - v : v);
	return 0;
}

static bool has_prefix(const char *line, const char *prefix)
{
	return !strncmp(line, prefix, strlen(prefix));
}

/* The last word of the line [s, end), and its length without suffix. */
static struct node_word last_word(const char *s, const char *end,
				  const char *suffix)
{
	struct node_word w[1] = { { s, 0 } };
	size_t n = strlen(suffix);

	while (end > s && node_is_blank(end[-1]))
		end--;
	w[0].s = end;
	while (w[0].s > s && !node_is_blank(w[0].s[-1]))
		w[0].s--;
	w[0].len = (size_t)(end - w[0].s);
	if (w[0].len >= n && !memcmp(end - n, suffix, n))
		w[0].len -= n;
	return w[0];
}

static int writeback_line(const char *s, const char *end,
			  struct bcache_writeback *o)
{
	struct node_word w;

	if (has_prefix(s, "rate:")) {
		w = last_word(s, end, "/sec");
		return bcache_dehumanize(w.s, w.len, &o->rate);
	}
	if (has_prefix(s, "dirty:")) {
		w = last_word(s, end, "");
		return bcache_dehumanize(w.s, w.len, &o->dirty);
	}
	if (has_prefix(s, "target:")) {
		w = last_word(s, end, "");
		return bcache_dehumanize(w.s, w.len, &o->target);
	}
	if (has_prefix(s, "proportional:")) {
		w = last_word(s, end, "");
		return bcache_dehumanize_signed(w.s, w.len, &o->proportional);
	}
	if (has_prefix(s, "integral:")) {
		w = last_word(s, end, "");
		return bcache_dehumanize_signed(w.s, w.len, &o->integral);
	}
	if (has_prefix(s, "change:")) {
		w = last_word(s, end, "/sec");
		return bcache_dehumanize_signed(w.s, w.len, &o->change);
	}
	if (has_prefix(s, "next io:")) {
		w = last_word(s, end, "ms");
		return go_parse_int(w.s, w.len, 10, &o->next_io) ? 0 : -EINVAL;
	}
	return 0;
}

/* Runs fn over each line as bufio.Scanner cuts them (one '\r' dropped). */
static int each_line(const char *text, void *arg,
		     int (*fn)(const char *, const char *, void *))
{
	for (const char *p = text; *p;) {
		const char *end = node_line_end(p);
		const char *stop = end > p && end[-1] == '\r' ? end - 1 : end;
		int rc = fn(p, stop, arg);

		if (rc)
			return rc;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int writeback_line_cb(const char *s, const char *end, void *arg)
{
	return writeback_line(s, end, arg);
}

int bcache_parse_writeback(const char *text, struct bcache_writeback *out)
{
	memset(out, 0, sizeof(*out));
	return each_line(text, out, writeback_line_cb);
}

static int priority_line_cb(const char *s, const char *end, void *arg)
{
	uint64_t *v = arg;
	struct node_word w;
	int i;

	if (has_prefix(s, "Unused:"))
		i = 0;
	else if (has_prefix(s, "Metadata:"))
		i = 1;
	else
		return 0;
	w = last_word(s, end, "%");
	return go_parse_uint(w.s, w.len, 10, 64, &v[i]) ? 0 : -EINVAL;
}

int bcache_parse_priority(const char *text, uint64_t *unused,
			  uint64_t *metadata)
{
	uint64_t v[2] = { 0, 0 };
	int rc = each_line(text, v, priority_line_cb);

	*unused = v[0];
	*metadata = v[1];
	return rc;
}

/* ---- reading a cache set ------------------------------------------------- */

enum bc_kind { BC_SET, BC_BDEV, BC_CACHE };

/* Values of each kind of row, in the order they are read. */
enum { SET_AVG_KEY, SET_BTREE_CACHE, SET_AVAILABLE, SET_CONGESTED,
       SET_ROOT_USAGE, SET_TREE_DEPTH, SET_JOURNAL, SET_BTREE_NODES,
       SET_READ_RACES, SET_READ_SECONDS, SET_NVALUES };
enum { BDEV_DIRTY, BDEV_TARGET, BDEV_RATE, BDEV_PROPORTIONAL, BDEV_INTEGRAL,
       BDEV_CHANGE, BDEV_BYPASSED, BDEV_BYPASS_HITS, BDEV_BYPASS_MISSES,
       BDEV_HITS, BDEV_MISS_COLLISIONS, BDEV_MISSES, BDEV_READAHEADS,
       BDEV_NVALUES };
enum { CACHE_IO_ERRORS, CACHE_METADATA, CACHE_WRITTEN, CACHE_UNUSED,
       CACHE_META_PERCENT, CACHE_NVALUES };

#define BC_MAX_VALUES BDEV_NVALUES

struct bc_row {
	enum bc_kind kind;
	char *uuid, *dev;	/* dev NULL for a set's own row */
	double v[BC_MAX_VALUES];
};

struct bc_rows {
	struct bc_row *v;
	size_t n, cap;
};

static struct bc_row *bc_add(struct bc_rows *r, enum bc_kind kind,
			     const char *uuid, const char *dev)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	struct bc_row *row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	row->kind = kind;
	row->uuid = strdup(uuid);
	row->dev = dev ? strdup(dev) : NULL;
	if (!row->uuid || (dev && !row->dev))
		abort();
	return row;
}

/* Reads dir/name whole. */
static int read_text(const char *dir, const char *name, struct buf *text)
{
	struct buf path = BUF_INIT;
	int rc = fs_read_file(fs_join(&path, dir, name), text, FS_READ_MAX);

	buf_release(&path);
	return rc;
}

/* One value file: its last byte (the newline) dropped, then dehumanized. */
static int read_value(const char *dir, const char *name, double *out)
{
	struct buf text = BUF_INIT;
	uint64_t v;
	int rc = read_text(dir, name, &text);

	if (!rc)
		rc = text.len ? bcache_dehumanize(text.data, text.len - 1, &v)
			      : -EINVAL;
	if (!rc)
		*out = (double)v;
	buf_release(&text);
	return rc;
}

static int read_values(const char *dir, const char *const *names, double *out)
{
	int rc = 0;

	for (size_t i = 0; names[i] && !rc; i++)
		rc = read_value(dir, names[i], &out[i]);
	return rc;
}

static const char *const period_files[] = {
	"bypassed", "cache_bypass_hits", "cache_bypass_misses", "cache_hits",
	"cache_miss_collisions", "cache_misses", "cache_readaheads", NULL,
};

static int read_set(const char *dir, struct bc_row *row)
{
	static const char *const top[] = {
		"average_key_size", "btree_cache_size", "cache_available_percent",
		"congested", "root_usage_percent", "tree_depth", NULL,
	};
	static const char *const internal[] = {
		"active_journal_entries", "btree_nodes",
		"btree_read_average_duration_us", "cache_read_races", NULL,
	};
	struct buf sub = BUF_INIT;
	double in[4] = { 0 }, period[7];
	int rc = read_values(dir, top, row->v);

	if (!rc)
		rc = read_values(fs_join(&sub, dir, "internal"), internal, in);
	/* Read (so a bad one fails the scrape) but not reported. */
	if (!rc)
		rc = read_values(fs_join(&sub, dir, "stats_five_minute"),
				 period_files, period);
	if (!rc)
		rc = read_values(fs_join(&sub, dir, "stats_total"), period_files,
				 period);
	row->v[SET_JOURNAL] = in[0];
	row->v[SET_BTREE_NODES] = in[1];
	row->v[SET_READ_RACES] = in[3];
	/* Upstream takes the microseconds for nanoseconds. */
	row->v[SET_READ_SECONDS] = in[2] * 1e-9;
	buf_release(&sub);
	return rc;
}

static int read_bdev(const char *dir, struct bc_row *row)
{
	struct buf sub = BUF_INIT, text = BUF_INIT;
	struct bcache_writeback wb;
	double period[7];
	int rc = read_value(dir, "dirty_data", &row->v[BDEV_DIRTY]);

	if (!rc)
		rc = read_text(dir, "writeback_rate_debug", &text);
	if (!rc)
		rc = bcache_parse_writeback(buf_cstr(&text), &wb);
	if (!rc)
		rc = read_values(fs_join(&sub, dir, "stats_five_minute"),
				 period_files, period);
	if (!rc)
		rc = read_values(fs_join(&sub, dir, "stats_total"), period_files,
				 &row->v[BDEV_BYPASSED]);
	if (!rc) {
		row->v[BDEV_TARGET] = (double)wb.target;
		row->v[BDEV_RATE] = (double)wb.rate;
		row->v[BDEV_PROPORTIONAL] = (double)wb.proportional;
		row->v[BDEV_INTEGRAL] = (double)wb.integral;
		row->v[BDEV_CHANGE] = (double)wb.change;
	}
	buf_release(&text);
	buf_release(&sub);
	return rc;
}

static int read_cache(const char *dir, bool priority, struct bc_row *row)
{
	static const char *const files[] = {
		"io_errors", "metadata_written", "written", NULL,
	};
	struct buf text = BUF_INIT;
	uint64_t unused = 0, meta = 0;
	int rc = read_values(dir, files, row->v);

	if (!rc && priority) {
		rc = read_text(dir, "priority_stats", &text);
		if (!rc)
			rc = bcache_parse_priority(buf_cstr(&text), &unused, &meta);
		row->v[CACHE_UNUSED] = (double)unused;
		row->v[CACHE_META_PERCENT] = (double)meta;
	}
	buf_release(&text);
	return rc;
}

/* The set's backing ("bdev") or cache ("cache") devices. */
static int read_devices(const char *dir, const char *uuid, enum bc_kind kind,
			bool priority, struct bc_rows *rows)
{
	struct buf sub = BUF_INIT;
	char **names;
	size_t n = fs_list_numbered(dir, kind == BC_BDEV ? "bdev" : "cache",
				    &names);
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct bc_row *row = bc_add(rows, kind, uuid, names[i]);

		fs_join(&sub, dir, names[i]);
		rc = kind == BC_BDEV ? read_bdev(buf_cstr(&sub), row)
				     : read_cache(buf_cstr(&sub), priority, row);
	}
	fs_names_free(names, n);
	buf_release(&sub);
	return rc;
}

/* ---- writing -------------------------------------------------------------- */

struct bc_family {
	struct metric_desc desc;
	enum bc_kind kind;
	int value;
	bool priority;		/* only with --collector.bcache.priorityStats */
};

#define SET_LABELS LABELS("uuid")
#define BDEV_LABELS LABELS("backing_device", "uuid")
#define CACHE_LABELS LABELS("cache_device", "uuid")
#define BC(name, help, type, kind, value) \
	{ { "node_bcache_" name, help, type, \
	    kind == BC_SET ? SET_LABELS : kind == BC_BDEV ? BDEV_LABELS : CACHE_LABELS }, \
	  kind, value, false }

/* Sorted by name: the order families are written in. */
static const struct bc_family families[] = {
	BC("active_journal_entries",
	   "Number of journal entries that are newer than the index.",
	   METRIC_GAUGE, BC_SET, SET_JOURNAL),
	BC("average_key_size_sectors",
	   "Average data per key in the btree (sectors).", METRIC_GAUGE, BC_SET,
	   SET_AVG_KEY),
	BC("btree_cache_size_bytes",
	   "Amount of memory currently used by the btree cache.", METRIC_GAUGE,
	   BC_SET, SET_BTREE_CACHE),
	BC("btree_nodes", "Total nodes in the btree.", METRIC_GAUGE, BC_SET,
	   SET_BTREE_NODES),
	BC("btree_read_average_duration_seconds", "Average btree read duration.",
	   METRIC_GAUGE, BC_SET, SET_READ_SECONDS),
	BC("bypassed_bytes_total",
	   "Amount of IO (both reads and writes) that has bypassed the cache.",
	   METRIC_COUNTER, BC_BDEV, BDEV_BYPASSED),
	BC("cache_available_percent",
	   "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).",
	   METRIC_GAUGE, BC_SET, SET_AVAILABLE),
	BC("cache_bypass_hits_total", "Hits for IO intended to skip the cache.",
	   METRIC_COUNTER, BC_BDEV, BDEV_BYPASS_HITS),
	BC("cache_bypass_misses_total",
	   "Misses for IO intended to skip the cache.", METRIC_COUNTER, BC_BDEV,
	   BDEV_BYPASS_MISSES),
	BC("cache_hits_total",
	   "Hits counted per individual IO as bcache sees them.", METRIC_COUNTER,
	   BC_BDEV, BDEV_HITS),
	BC("cache_miss_collisions_total",
	   "Instances where data insertion from cache miss raced with write (data already present).",
	   METRIC_COUNTER, BC_BDEV, BDEV_MISS_COLLISIONS),
	BC("cache_misses_total",
	   "Misses counted per individual IO as bcache sees them.",
	   METRIC_COUNTER, BC_BDEV, BDEV_MISSES),
	BC("cache_read_races_total",
	   "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.",
	   METRIC_COUNTER, BC_SET, SET_READ_RACES),
	BC("cache_readaheads_total", "Count of times readahead occurred.",
	   METRIC_COUNTER, BC_BDEV, BDEV_READAHEADS),
	BC("congested", "Congestion.", METRIC_GAUGE, BC_SET, SET_CONGESTED),
	BC("dirty_data_bytes",
	   "Amount of dirty data for this backing device in the cache.",
	   METRIC_GAUGE, BC_BDEV, BDEV_DIRTY),
	BC("dirty_target_bytes",
	   "Current dirty data target threshold for this backing device in bytes.",
	   METRIC_GAUGE, BC_BDEV, BDEV_TARGET),
	BC("io_errors",
	   "Number of errors that have occurred, decayed by io_error_halflife.",
	   METRIC_GAUGE, BC_CACHE, CACHE_IO_ERRORS),
	BC("metadata_written_bytes_total",
	   "Sum of all non data writes (btree writes and all other metadata).",
	   METRIC_COUNTER, BC_CACHE, CACHE_METADATA),
	{ { "node_bcache_priority_stats_metadata_percent",
	    "Bcache's metadata overhead.", METRIC_GAUGE, CACHE_LABELS },
	  BC_CACHE, CACHE_META_PERCENT, true },
	{ { "node_bcache_priority_stats_unused_percent",
	    "The percentage of the cache that doesn't contain any data.",
	    METRIC_GAUGE, CACHE_LABELS },
	  BC_CACHE, CACHE_UNUSED, true },
	BC("root_usage_percent",
	   "Percentage of the root btree node in use (tree depth increases if too high).",
	   METRIC_GAUGE, BC_SET, SET_ROOT_USAGE),
	BC("tree_depth", "Depth of the btree.", METRIC_GAUGE, BC_SET,
	   SET_TREE_DEPTH),
	BC("writeback_change",
	   "Last writeback rate change step for this backing device.",
	   METRIC_GAUGE, BC_BDEV, BDEV_CHANGE),
	BC("writeback_rate",
	   "Current writeback rate for this backing device in bytes.",
	   METRIC_GAUGE, BC_BDEV, BDEV_RATE),
	BC("writeback_rate_integral_term",
	   "Current result of integral controller, part of writeback rate",
	   METRIC_GAUGE, BC_BDEV, BDEV_INTEGRAL),
	BC("writeback_rate_proportional_term",
	   "Current result of proportional controller, part of writeback rate",
	   METRIC_GAUGE, BC_BDEV, BDEV_PROPORTIONAL),
	BC("written_bytes_total",
	   "Sum of all data that has been written to the cache.", METRIC_COUNTER,
	   BC_CACHE, CACHE_WRITTEN),
};

/* Samples sort by label values in label-name order: device, then uuid. */
static int row_cmp(const void *x, const void *y)
{
	const struct bc_row *a = x, *b = y;
	int c = a->dev && b->dev ? strcmp(a->dev, b->dev) : 0;

	return c ? c : strcmp(a->uuid, b->uuid);
}

static void bc_write(struct expo *w, struct bc_rows *rows, bool priority)
{
	if (rows->n)
		qsort(rows->v, rows->n, sizeof(*rows->v), row_cmp);
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		const struct bc_family *fam = &families[f];
		bool announced = false;

		if (fam->priority && !priority)
			continue;
		for (size_t i = 0; i < rows->n; i++) {
			const struct bc_row *r = &rows->v[i];

			if (r->kind != fam->kind)
				continue;
			if (!announced)
				expo_family(w, &fam->desc);
			announced = true;
			if (r->dev)
				expo_sample(w, r->v[fam->value], r->dev, r->uuid);
			else
				expo_sample(w, r->v[fam->value], r->uuid);
		}
	}
}

static void bc_rows_release(struct bc_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].uuid);
		free(r->v[i].dev);
	}
	free(r->v);
}

/* Upstream globs fs/bcache/ "*-*": the set UUIDs. */
static int bcache_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT, dir = BUF_INIT;
	struct bc_rows rows = { 0 };
	char **names;
	int n = sys_list_dir(fs_join(&root, cfg->sysfs, "fs/bcache"), false,
			     &names);
	int rc = 0;

	for (int i = 0; i < n && !rc; i++) {
		if (!strchr(names[i], '-'))
			continue;
		fs_join(&dir, buf_cstr(&root), names[i]);
		rc = read_set(buf_cstr(&dir),
			      bc_add(&rows, BC_SET, names[i], NULL));
		if (!rc)
			rc = read_devices(buf_cstr(&dir), names[i], BC_BDEV, false,
					  &rows);
		if (!rc)
			rc = read_devices(buf_cstr(&dir), names[i], BC_CACHE,
					  cfg->bcache_priority_stats, &rows);
	}
	if (n >= 0)
		fs_names_free(names, (size_t)n);
	if (!rc)
		bc_write(w, &rows, cfg->bcache_priority_stats);
	bc_rows_release(&rows);
	buf_release(&dir);
	buf_release(&root);
	return rc;
}

const struct collector bcache_collector = {
	.name = "bcache",
	.enabled_by_default = true,
	.collect = bcache_collect,
};
