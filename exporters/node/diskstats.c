/*
 * diskstats: block device I/O counters from /proc/diskstats, and what udev
 * knows about each device (its data files, /run/udev/data/b<major>:<minor>),
 * as node_exporter 1.5's diskstats collector exposes them.
 *
 * Device filter: node_exporter 1.5 refuses to start when both
 * --collector.diskstats.device-exclude and --collector.diskstats.device-include
 * are non-empty, and the exclude flag has a non-empty default, so an include
 * pattern works only together with an explicit empty exclude
 * (--collector.diskstats.device-exclude=). init() keeps that rule: with both
 * set it fails (and the runner disables the collector with a log line).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "log.h"
#include "device_filter.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

#define UNIX_SECTOR_SIZE 512.0
#define SECONDS_PER_TICK (1.0 / 1000.0)

/* ---- parsing ------------------------------------------------------------ */

const char *disk_stat_name(const struct disk_stats *ds, size_t i)
{
	return ds->names.data + ds->v[i].name;
}

/* Parses word w as an unsigned decimal no larger than max. */
static bool disk_word_num(struct node_word w, uint64_t max, uint64_t *out)
{
	return node_word_u64(w, out) && *out <= max;
}

/*
 * Parses the words of one line into d and *name. Returns the number of
 * words Go's Sscanf would have scanned (3 + counters), or -EINVAL.
 */
static int diskstats_parse_line(const char *s, const char *end,
				struct disk_stat *d, struct node_word *name)
{
	struct node_word w[3 + DISK_NFIELDS];
	size_t n = node_split_words(s, end, w, 3 + DISK_NFIELDS);
	uint64_t v;

	if (n > 3 + DISK_NFIELDS)
		n = 3 + DISK_NFIELDS;
	for (size_t i = 0; i < n; i++) {
		if (i == 2)
			continue;
		if (!disk_word_num(w[i], i < 2 ? UINT32_MAX : UINT64_MAX, &v))
			return -EINVAL;
		if (i == 0)
			d->major = (uint32_t)v;
		else if (i == 1)
			d->minor = (uint32_t)v;
		else
			d->v[i - 3] = v;
	}
	d->nfields = n > 3 ? n - 3 : 0;
	if (n > 2)
		*name = w[2];
	return (int)n;
}

static void disk_stats_add(struct disk_stats *ds, const struct disk_stat *d,
			   struct node_word name)
{
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 32;
		struct disk_stat *nv = realloc(ds->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		ds->v = nv;
		ds->cap = cap;
	}
	ds->v[ds->n] = *d;
	ds->v[ds->n++].name = ds->names.len;
	buf_add(&ds->names, name.s, name.len);
	buf_addc(&ds->names, '\0');
}

int diskstats_parse(const char *text, struct disk_stats *out)
{
	for (const char *s = text; *s;) {
		const char *end = node_line_end(s);
		struct disk_stat d = { 0 };
		struct node_word name;
		int n = diskstats_parse_line(s, end, &d, &name);

		if (n < 0)
			return n;
		/* Go's procfs keeps lines with at least 14 words. */
		if (n >= 14)
			disk_stats_add(out, &d, name);
		s = *end ? end + 1 : end;
	}
	return 0;
}

void disk_stats_release(struct disk_stats *ds)
{
	buf_release(&ds->names);
	free(ds->v);
	ds->v = NULL;
	ds->n = ds->cap = 0;
}

static const char *const udev_names[UDEV_NKEYS] = {
	[UDEV_DM_LV_LAYER] = "DM_LV_LAYER",
	[UDEV_DM_LV_NAME] = "DM_LV_NAME",
	[UDEV_DM_NAME] = "DM_NAME",
	[UDEV_DM_UUID] = "DM_UUID",
	[UDEV_DM_VG_NAME] = "DM_VG_NAME",
	[UDEV_ID_ATA] = "ID_ATA",
	[UDEV_ID_ATA_ROTATION_RATE_RPM] = "ID_ATA_ROTATION_RATE_RPM",
	[UDEV_ID_ATA_WRITE_CACHE] = "ID_ATA_WRITE_CACHE",
	[UDEV_ID_ATA_WRITE_CACHE_ENABLED] = "ID_ATA_WRITE_CACHE_ENABLED",
	[UDEV_ID_FS_TYPE] = "ID_FS_TYPE",
	[UDEV_ID_FS_USAGE] = "ID_FS_USAGE",
	[UDEV_ID_FS_UUID] = "ID_FS_UUID",
	[UDEV_ID_FS_VERSION] = "ID_FS_VERSION",
	[UDEV_ID_MODEL] = "ID_MODEL",
	[UDEV_ID_PATH] = "ID_PATH",
	[UDEV_ID_REVISION] = "ID_REVISION",
	[UDEV_ID_SERIAL_SHORT] = "ID_SERIAL_SHORT",
	[UDEV_ID_WWN] = "ID_WWN",
};

/* Stores "KEY=value" (the line without its "E:") when KEY is one of ours. */
static void disk_udev_property(struct disk_udev *u, const char *s,
			       const char *end)
{
	const char *eq = memchr(s, '=', (size_t)(end - s));

	if (!eq)
		return;
	for (size_t k = 0; k < UDEV_NKEYS; k++) {
		size_t klen = strlen(udev_names[k]);

		if ((size_t)(eq - s) != klen || memcmp(s, udev_names[k], klen))
			continue;
		u->off[k] = u->values.len;
		u->set[k] = true;
		buf_add(&u->values, eq + 1, (size_t)(end - eq - 1));
		buf_addc(&u->values, '\0');
		return;
	}
}

void disk_udev_parse(const char *text, struct disk_udev *out)
{
	for (const char *s = text; *s;) {
		const char *end = node_line_end(s);
		const char *stop = end;

		/* Go's line scanner drops a "\r" before the "\n". */
		if (stop > s && stop[-1] == '\r')
			stop--;
		if (stop - s >= 2 && s[0] == 'E' && s[1] == ':')
			disk_udev_property(out, s + 2, stop);
		s = *end ? end + 1 : end;
	}
}

const char *disk_udev_get(const struct disk_udev *u, enum udev_key key)
{
	return u->set[key] ? u->values.data + u->off[key] : "";
}

void disk_udev_release(struct disk_udev *u)
{
	buf_release(&u->values);
	memset(u, 0, sizeof(*u));
}

/* ---- the collector ------------------------------------------------------ */

struct diskstats_state {
	struct device_filter filter;
};

/* One device of a scrape: its counters and its udev properties. */
struct disk {
	const char *name;
	const struct disk_stat *st;
	struct disk_udev udev;
	char major[TEXT_U64_MAX], minor[TEXT_U64_MAX];
	const char *major_s, *minor_s;
};

/* How a family's sample is made from a device (see disk_families). */
enum disk_kind { KIND_STAT, KIND_ATA, KIND_DM_INFO, KIND_FS_INFO, KIND_INFO };

struct disk_family {
	struct metric_desc desc;
	enum disk_kind kind;
	int index;		/* enum disk_field, or enum udev_key for ATA */
	double scale;		/* for KIND_STAT */
};

#define DEVICE LABELS("device")
#define STAT(n, h, t, i, s) \
	{ { "node_disk_" n, h, t, DEVICE }, KIND_STAT, i, s }
#define ATA(n, h, k) \
	{ { "node_disk_" n, h, METRIC_GAUGE, DEVICE }, KIND_ATA, k, 1 }

/*
 * Every family, sorted by name as node_exporter's registry writes them;
 * label names sorted too, as the text format carries them.
 */
static const struct disk_family disk_families[] = {
	ATA("ata_rotation_rate_rpm",
	    "ATA disk rotation rate in RPMs (0 for SSDs).",
	    UDEV_ID_ATA_ROTATION_RATE_RPM),
	ATA("ata_write_cache", "ATA disk has a write cache.",
	    UDEV_ID_ATA_WRITE_CACHE),
	ATA("ata_write_cache_enabled", "ATA disk has its write cache enabled.",
	    UDEV_ID_ATA_WRITE_CACHE_ENABLED),
	{ { "node_disk_device_mapper_info", "Info about disk device mapper.",
	    METRIC_GAUGE,
	    LABELS("device", "lv_layer", "lv_name", "name", "uuid", "vg_name") },
	  KIND_DM_INFO, 0, 1 },
	STAT("discard_time_seconds_total",
	     "This is the total number of seconds spent by all discards.",
	     METRIC_COUNTER, DISK_DISCARD_TICKS, SECONDS_PER_TICK),
	STAT("discarded_sectors_total",
	     "The total number of sectors discarded successfully.",
	     METRIC_COUNTER, DISK_DISCARD_SECTORS, 1),
	STAT("discards_completed_total",
	     "The total number of discards completed successfully.",
	     METRIC_COUNTER, DISK_DISCARDS, 1),
	STAT("discards_merged_total", "The total number of discards merged.",
	     METRIC_COUNTER, DISK_DISCARDS_MERGED, 1),
	{ { "node_disk_filesystem_info", "Info about disk filesystem.",
	    METRIC_GAUGE, LABELS("device", "type", "usage", "uuid", "version") },
	  KIND_FS_INFO, 0, 1 },
	STAT("flush_requests_time_seconds_total",
	     "This is the total number of seconds spent by all flush requests.",
	     METRIC_COUNTER, DISK_FLUSH_TICKS, SECONDS_PER_TICK),
	STAT("flush_requests_total",
	     "The total number of flush requests completed successfully",
	     METRIC_COUNTER, DISK_FLUSHES, 1),
	{ { "node_disk_info", "Info of /sys/block/<block_device>.",
	    METRIC_GAUGE,
	    LABELS("device", "major", "minor", "model", "path", "revision",
		   "serial", "wwn") },
	  KIND_INFO, 0, 1 },
	STAT("io_now", "The number of I/Os currently in progress.",
	     METRIC_GAUGE, DISK_IO_NOW, 1),
	STAT("io_time_seconds_total", "Total seconds spent doing I/Os.",
	     METRIC_COUNTER, DISK_IO_TICKS, SECONDS_PER_TICK),
	STAT("io_time_weighted_seconds_total",
	     "The weighted # of seconds spent doing I/Os.",
	     METRIC_COUNTER, DISK_IO_WEIGHTED_TICKS, SECONDS_PER_TICK),
	STAT("read_bytes_total", "The total number of bytes read successfully.",
	     METRIC_COUNTER, DISK_READ_SECTORS, UNIX_SECTOR_SIZE),
	STAT("read_time_seconds_total",
	     "The total number of seconds spent by all reads.",
	     METRIC_COUNTER, DISK_READ_TICKS, SECONDS_PER_TICK),
	STAT("reads_completed_total",
	     "The total number of reads completed successfully.",
	     METRIC_COUNTER, DISK_READS, 1),
	STAT("reads_merged_total", "The total number of reads merged.",
	     METRIC_COUNTER, DISK_READS_MERGED, 1),
	STAT("write_time_seconds_total",
	     "This is the total number of seconds spent by all writes.",
	     METRIC_COUNTER, DISK_WRITE_TICKS, SECONDS_PER_TICK),
	STAT("writes_completed_total",
	     "The total number of writes completed successfully.",
	     METRIC_COUNTER, DISK_WRITES, 1),
	STAT("writes_merged_total", "The number of writes merged.",
	     METRIC_COUNTER, DISK_WRITES_MERGED, 1),
	STAT("written_bytes_total",
	     "The total number of bytes written successfully.",
	     METRIC_COUNTER, DISK_WRITE_SECTORS, UNIX_SECTOR_SIZE),
};

#define NFAMILIES (sizeof(disk_families) / sizeof(disk_families[0]))

static int diskstats_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	const char *exclude = cfg->diskstats_device_exclude;
	const char *include = cfg->diskstats_device_include;
	struct diskstats_state *st;

	if (*exclude && *include) {
		log_error("diskstats device filter: device-exclude & "
			  "device-include are mutually exclusive");
		return -EINVAL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		abort();
	if (device_filter_init(&st->filter, include, exclude, "collector.diskstats")) {
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

static void diskstats_release(void *state)
{
	struct diskstats_state *st = state;

	if (!st)
		return;
	device_filter_release(&st->filter);
	free(st);
}

/* Upstream's deviceFilter.ignored(). */
static bool disk_ignored(const struct diskstats_state *st, const char *name)
{
	return device_filter_ignored(&st->filter, name);
}

/* Reads <udev_data>/b<major>:<minor>; a missing file leaves it empty. */
static void disk_read_udev(const char *udev_data, struct disk *d)
{
	struct buf rel = BUF_INIT, path = BUF_INIT, text = BUF_INIT;

	buf_addf(&rel, "b%u:%u", (unsigned)d->st->major, (unsigned)d->st->minor);
	if (!fs_read_file(fs_join(&path, udev_data, buf_cstr(&rel)), &text,
			  FS_READ_MAX))
		disk_udev_parse(buf_cstr(&text), &d->udev);
	buf_release(&text);
	buf_release(&path);
	buf_release(&rel);
}

static int disk_cmp(const void *a, const void *b)
{
	const struct disk *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * Builds the devices the filter lets through, sorted by name (the order of
 * every family's samples); returns how many. *out is freed by disks_free().
 */
static size_t disks_build(const struct disk_stats *ds,
			  const struct diskstats_state *st,
			  const char *udev_data, struct disk **out)
{
	struct disk *v = calloc(ds->n ? ds->n : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		abort();
	for (size_t i = 0; i < ds->n; i++) {
		struct disk *d = &v[n];

		d->name = disk_stat_name(ds, i);
		if (disk_ignored(st, d->name))
			continue;
		d->st = &ds->v[i];
		disk_read_udev(udev_data, d);
		n++;
	}
	qsort(v, n, sizeof(*v), disk_cmp);
	/* Only now: the strings live inside the elements qsort moved. */
	for (size_t i = 0; i < n; i++) {
		v[i].major_s = text_u64(v[i].major, v[i].st->major);
		v[i].minor_s = text_u64(v[i].minor, v[i].st->minor);
	}
	*out = v;
	return n;
}

static void disks_free(struct disk *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		disk_udev_release(&v[i].udev);
	free(v);
}

/*
 * Writes device d's sample of family f, if it has one: a counter the
 * kernel's line had, an ATA value of an ATA disk that parses as a float,
 * or an info sample whose key property is set. Returns whether it wrote.
 */
static bool disk_sample(struct expo *w, const struct disk_family *f,
			const struct disk *d, bool write)
{
	const struct disk_udev *u = &d->udev;
	const char *str;
	double v;

	switch (f->kind) {
	case KIND_STAT:
		if ((size_t)f->index >= d->st->nfields)
			return false;
		v = (double)d->st->v[f->index] * f->scale;
		if (write)
			expo_sample(w, v, d->name);
		return true;
	case KIND_ATA:
		str = disk_udev_get(u, (enum udev_key)f->index);
		if (!*disk_udev_get(u, UDEV_ID_ATA) || !u->set[f->index] ||
		    !disk_parse_float(str, strlen(str), &v))
			return false;
		if (write)
			expo_sample(w, v, d->name);
		return true;
	case KIND_DM_INFO:
		if (!*disk_udev_get(u, UDEV_DM_NAME))
			return false;
		if (write)
			expo_sample(w, 1, d->name,
				    disk_udev_get(u, UDEV_DM_LV_LAYER),
				    disk_udev_get(u, UDEV_DM_LV_NAME),
				    disk_udev_get(u, UDEV_DM_NAME),
				    disk_udev_get(u, UDEV_DM_UUID),
				    disk_udev_get(u, UDEV_DM_VG_NAME));
		return true;
	case KIND_FS_INFO:
		if (!*disk_udev_get(u, UDEV_ID_FS_TYPE))
			return false;
		if (write)
			expo_sample(w, 1, d->name,
				    disk_udev_get(u, UDEV_ID_FS_TYPE),
				    disk_udev_get(u, UDEV_ID_FS_USAGE),
				    disk_udev_get(u, UDEV_ID_FS_UUID),
				    disk_udev_get(u, UDEV_ID_FS_VERSION));
		return true;
	case KIND_INFO:
		/* 1.5 takes the serial from ID_SERIAL_SHORT only. */
		if (write)
			expo_sample(w, 1, d->name, d->major_s, d->minor_s,
				    disk_udev_get(u, UDEV_ID_MODEL),
				    disk_udev_get(u, UDEV_ID_PATH),
				    disk_udev_get(u, UDEV_ID_REVISION),
				    disk_udev_get(u, UDEV_ID_SERIAL_SHORT),
				    disk_udev_get(u, UDEV_ID_WWN));
		return true;
	}
	return false;
}

/* Writes family f if any device has a sample of it (upstream has no empty ones). */
static void disk_write_family(struct expo *w, const struct disk_family *f,
			      const struct disk *v, size_t n)
{
	size_t first = 0;

	while (first < n && !disk_sample(w, f, &v[first], false))
		first++;
	if (first == n)
		return;
	expo_family(w, &f->desc);
	for (size_t i = first; i < n; i++)
		disk_sample(w, f, &v[i], true);
}

static int diskstats_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct disk_stats ds = DISK_STATS_INIT;
	struct disk *disks;
	size_t n;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "diskstats"), &text,
			   FS_READ_MAX);
	if (!err)
		err = diskstats_parse(buf_cstr(&text), &ds);
	if (!err) {
		n = disks_build(&ds, ctx->state, cfg->udev_data, &disks);
		for (size_t i = 0; i < NFAMILIES; i++)
			disk_write_family(w, &disk_families[i], disks, n);
		disks_free(disks, n);
	}
	disk_stats_release(&ds);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector diskstats_collector = {
	.name = "diskstats",
	.enabled_by_default = true,
	.init = diskstats_init,
	.collect = diskstats_collect,
	.release = diskstats_release,
};
