/*
 * btrfs: allocation and device sizes of the Btrfs filesystems under
 * /sys/fs/btrfs, as node_exporter 1.5's btrfs collector reports them from
 * sysfs (node_btrfs_*{uuid}).
 *
 * Upstream's procfs reader has an error model of its own, followed here so
 * the same trees give the same answer: missing files read as "" (numbers
 * as 0, as do numbers that do not parse); a failed directory listing or a
 * read error is remembered, makes the later numbers of the same reader
 * read as 0, and is then replaced by the outcome of each allocation
 * directory in turn, so only the last one (system) decides whether the
 * scrape fails. A mounted filesystem's devices are reported from its
 * ioctls instead (btrfs_ioctl.c): size, unused bytes and error counters,
 * with the device's UUID, as upstream does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btrfs_ioctl.h"
#include "fsutil.h"
#include "go_strconv.h"
#include "hw3_parse.h"
#include "node.h"
#include "sys_parse.h"

/* Linux counts device sizes in 512-byte sectors whatever the device. */
#define SECTOR_SIZE 512

enum bt_family {
	BT_RATIO, BT_DEVICE_ERRORS, BT_DEVICE_SIZE, BT_DEVICE_SIZE_IOCTL,
	BT_DEVICE_UNUSED, BT_RSV_SIZE, BT_INFO, BT_RESERVED, BT_SIZE, BT_USED,
	BT_NFAMILIES
};

/* In name order, labels in name order. */
static const struct metric_desc families[BT_NFAMILIES] = {
	{ "node_btrfs_allocation_ratio",
	  "Data allocation ratio for a layout/data type", METRIC_GAUGE,
	  LABELS("block_group_type", "mode", "uuid") },
	{ "node_btrfs_device_errors_total", "Errors reported for the device",
	  METRIC_COUNTER, LABELS("btrfs_dev_uuid", "device", "type", "uuid") },
	{ "node_btrfs_device_size_bytes",
	  "Size of a device that is part of the filesystem.", METRIC_GAUGE,
	  LABELS("device", "uuid") },
	/* The same family when the ioctls answered: the device's UUID too. */
	{ "node_btrfs_device_size_bytes",
	  "Size of a device that is part of the filesystem.", METRIC_GAUGE,
	  LABELS("btrfs_dev_uuid", "device", "uuid") },
	{ "node_btrfs_device_unused_bytes",
	  "Unused bytes unused on a device that is part of the filesystem.",
	  METRIC_GAUGE, LABELS("btrfs_dev_uuid", "device", "uuid") },
	{ "node_btrfs_global_rsv_size_bytes", "Size of global reserve.",
	  METRIC_GAUGE, LABELS("uuid") },
	{ "node_btrfs_info", "Filesystem information", METRIC_GAUGE,
	  LABELS("label", "uuid") },
	{ "node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
	  METRIC_GAUGE, LABELS("block_group_type", "uuid") },
	{ "node_btrfs_size_bytes",
	  "Amount of space allocated for a layout/data type", METRIC_GAUGE,
	  LABELS("block_group_type", "mode", "uuid") },
	{ "node_btrfs_used_bytes", "Amount of used space by a layout/data type",
	  METRIC_GAUGE, LABELS("block_group_type", "mode", "uuid") },
};

struct bt_sample {
	enum bt_family family;
	char *label[5];		/* the family's label values, then NULL */
	double value;
};

struct bt_samples {
	struct bt_sample *v;
	size_t n, cap;
};

static void bt_add4(struct bt_samples *s, enum bt_family f, double value,
		    const char *const in[4])
{
	struct bt_sample *x;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	x = &s->v[s->n++];
	x->family = f;
	x->label[4] = NULL;
	x->value = value;
	for (int i = 0; i < 4; i++) {
		x->label[i] = in[i] ? strdup(in[i]) : NULL;
		if (in[i] && !x->label[i])
			abort();
	}
}

static void bt_add(struct bt_samples *s, enum bt_family f, double value,
		   const char *a, const char *b, const char *c)
{
	const char *in[4] = { a, b, c, NULL };

	bt_add4(s, f, value, in);
}

/* A mounted filesystem's devices, as its ioctls report them. */
static void bt_add_ioctl(struct bt_samples *out, const struct btrfs_ioctl_fs *fs,
			 const char *uuid)
{
	for (size_t i = 0; i < fs->ndev; i++) {
		const struct btrfs_ioctl_dev *d = &fs->dev[i];

		bt_add(out, BT_DEVICE_SIZE_IOCTL, (double)d->total_bytes, d->uuid,
		       d->device, uuid);
		bt_add(out, BT_DEVICE_UNUSED,
		       (double)(d->total_bytes - d->bytes_used), d->uuid,
		       d->device, uuid);
		for (int e = 0; e < BTRFS_IOCTL_NERRORS; e++) {
			const char *in[4] = { d->uuid, d->device,
					      btrfs_ioctl_error_types[e], uuid };

			bt_add4(out, BT_DEVICE_ERRORS, (double)d->errors[e], in);
		}
	}
}

/* Upstream's reader: a directory and the error it remembers. */
struct bt_reader {
	struct buf dir;
	int err;
};

/* SysReadFile, trimmed; a missing file is "" and no error. */
static void bt_read_file(struct bt_reader *r, const char *rel, struct buf *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	const char *s;
	int rc = fs_read_file(fs_join(&path, buf_cstr(&r->dir), rel), &text, 4096);
	size_t n;

	buf_truncate(out, 0);
	if (rc && rc != -ENOENT)
		r->err = rc;
	if (!rc) {
		n = hw3_trim(buf_cstr(&text), &s);
		buf_add(out, s, n);
	}
	buf_cstr(out);
	buf_release(&text);
	buf_release(&path);
}

/* A number: 0 after any remembered error, and 0 when it does not parse. */
static uint64_t bt_read_value(struct bt_reader *r, const char *rel)
{
	struct buf text = BUF_INIT;
	uint64_t v = 0;

	bt_read_file(r, rel, &text);
	if (!r->err && !go_parse_uint(text.data ? text.data : "", text.len, 10,
				      64, &v))
		v = 0;
	if (r->err)
		v = 0;
	buf_release(&text);
	return v;
}

static int bt_list(struct bt_reader *r, const char *rel, char ***names)
{
	struct buf path = BUF_INIT;
	int n = sys_list_dir(fs_join(&path, buf_cstr(&r->dir), rel), false, names);

	buf_release(&path);
	if (n < 0) {
		r->err = n;
		return 0;
	}
	return n;
}

static bool bt_is_dir(const struct bt_reader *r, const char *name)
{
	struct buf path = BUF_INIT;
	struct stat st;
	bool dir = lstat(fs_join(&path, buf_cstr(&r->dir), name), &st) == 0 &&
		   S_ISDIR(st.st_mode);

	buf_release(&path);
	return dir;
}

static double bt_ratio(const char *mode, int devices)
{
	if (!strcmp(mode, "single") || !strcmp(mode, "raid0"))
		return 1;
	if (!strcmp(mode, "dup") || !strcmp(mode, "raid1") ||
	    !strcmp(mode, "raid10"))
		return 2;
	if (!strcmp(mode, "raid5"))
		return (double)devices / ((double)devices - 1);
	if (!strcmp(mode, "raid6"))
		return (double)devices / ((double)devices - 2);
	return 0;
}

/* One allocation directory (data, metadata, system); returns its error. */
static int bt_read_allocation(const char *fsdir, const char *type,
			      const char *uuid, int devices,
			      struct bt_samples *out)
{
	static const char *const before[] = {
		"bytes_may_use", "bytes_pinned", "bytes_readonly",
	};
	static const char *const after[] = {
		"bytes_used", "disk_used", "disk_total", "flags", "total_bytes",
		"total_bytes_pinned",
	};
	struct bt_reader r = { BUF_INIT, 0 };
	struct buf rel = BUF_INIT;
	uint64_t reserved;
	char **names;
	int n;

	buf_addf(&rel, "allocation/%s", type);
	fs_join(&r.dir, fsdir, buf_cstr(&rel));
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		(void)bt_read_value(&r, before[i]);
	reserved = bt_read_value(&r, "bytes_reserved");
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		(void)bt_read_value(&r, after[i]);
	bt_add(out, BT_RESERVED, (double)reserved, type, uuid, NULL);
	n = bt_list(&r, "", &names);
	for (int i = 0; i < n; i++) {
		if (!bt_is_dir(&r, names[i]))
			continue;
		buf_truncate(&rel, 0);
		buf_addf(&rel, "%s/total_bytes", names[i]);
		uint64_t total = bt_read_value(&r, buf_cstr(&rel));
		buf_truncate(&rel, 0);
		buf_addf(&rel, "%s/used_bytes", names[i]);
		uint64_t used = bt_read_value(&r, buf_cstr(&rel));
		bt_add(out, BT_USED, (double)used, type, names[i], uuid);
		bt_add(out, BT_SIZE, (double)total, type, names[i], uuid);
		bt_add(out, BT_RATIO, bt_ratio(names[i], devices), type, names[i],
		       uuid);
	}
	if (names)
		fs_names_free(names, (size_t)n);
	buf_release(&rel);
	buf_release(&r.dir);
	return r.err;
}

/* One filesystem: the device sizes first, as upstream reads them. */
static int bt_read_fs(const char *fsdir, const char *dirname,
		      const struct btrfs_ioctl_list *mounted,
		      struct bt_samples *out)
{
	static const char *const unused[] = {
		"clone_alignment", "nodesize", "quota_override", "sectorsize",
		"allocation/global_rsv_reserved",
	};
	static const char *const types[] = { "data", "metadata", "system" };
	struct bt_reader r = { BUF_INIT, 0 };
	struct buf label = BUF_INIT, uuid = BUF_INIT, rel = BUF_INIT;
	char **devs = NULL, **features = NULL;
	uint64_t *size, rsv;
	int ndev, nfeat;

	fs_join(&r.dir, fsdir, "");
	ndev = bt_list(&r, "devices", &devs);
	size = calloc((size_t)ndev + 1, sizeof(*size));
	if (!size)
		abort();
	for (int i = 0; i < ndev; i++) {
		buf_truncate(&rel, 0);
		buf_addf(&rel, "devices/%s/size", devs[i]);
		size[i] = SECTOR_SIZE * bt_read_value(&r, buf_cstr(&rel));
	}
	bt_read_file(&r, "label", &label);
	bt_read_file(&r, "metadata_uuid", &uuid);
	if (!uuid.len)
		buf_adds(&uuid, dirname);
	nfeat = bt_list(&r, "features", &features);
	for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
		(void)bt_read_value(&r, unused[i]);
	rsv = bt_read_value(&r, "allocation/global_rsv_size");
	for (size_t i = 0; i < 3; i++)
		r.err = bt_read_allocation(fsdir, types[i], buf_cstr(&uuid), ndev,
					   out);
	bt_add(out, BT_INFO, 1, buf_cstr(&label), buf_cstr(&uuid), NULL);
	bt_add(out, BT_RSV_SIZE, (double)rsv, buf_cstr(&uuid), NULL, NULL);
	/* A mounted filesystem's devices come from its ioctls instead. */
	const struct btrfs_ioctl_fs *fs = btrfs_ioctl_find(mounted, buf_cstr(&uuid));
	if (fs)
		bt_add_ioctl(out, fs, buf_cstr(&uuid));
	for (int i = 0; i < ndev && !fs; i++)
		bt_add(out, BT_DEVICE_SIZE, (double)size[i], devs[i],
		       buf_cstr(&uuid), NULL);
	if (devs)
		fs_names_free(devs, (size_t)ndev);
	if (features)
		fs_names_free(features, (size_t)nfeat);
	free(size);
	buf_release(&rel);
	buf_release(&uuid);
	buf_release(&label);
	buf_release(&r.dir);
	return r.err;
}

/* Upstream's registry order: family, then label values in name order. */
static int bt_cmp(const void *x, const void *y)
{
	const struct bt_sample *a = x, *b = y;

	if (a->family != b->family)
		return (int)a->family - (int)b->family;
	for (int i = 0; i < 4 && a->label[i] && b->label[i]; i++) {
		int c = strcmp(a->label[i], b->label[i]);
		if (c)
			return c;
	}
	return 0;
}

/*
 * One family cannot have two label sets: when some filesystems answered
 * the ioctls and others did not, the others' device sizes get an empty
 * btrfs_dev_uuid.
 */
static void bt_unify_device_sizes(struct bt_samples *s)
{
	bool ioctl = false;

	for (size_t i = 0; i < s->n && !ioctl; i++)
		ioctl = s->v[i].family == BT_DEVICE_SIZE_IOCTL;
	for (size_t i = 0; i < s->n && ioctl; i++) {
		struct bt_sample *x = &s->v[i];

		if (x->family != BT_DEVICE_SIZE)
			continue;
		x->family = BT_DEVICE_SIZE_IOCTL;
		x->label[2] = x->label[1];
		x->label[1] = x->label[0];
		x->label[0] = strdup("");
		if (!x->label[0])
			abort();
	}
}

static void bt_write(struct expo *w, struct bt_samples *s)
{
	bt_unify_device_sizes(s);
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), bt_cmp);
	for (size_t i = 0; i < s->n; i++) {
		const struct bt_sample *x = &s->v[i];

		if (!i || s->v[i - 1].family != x->family)
			expo_family(w, &families[x->family]);
		expo_samplev(w, (const char *const *)x->label, x->value);
	}
}

static void bt_samples_release(struct bt_samples *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (int l = 0; l < 4; l++)
			free(s->v[i].label[l]);
	free(s->v);
}

/* Upstream globs fs/btrfs/ "*-*": the filesystem UUIDs. */
static int btrfs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT, dir = BUF_INIT;
	struct bt_samples samples = { 0 };
	struct btrfs_ioctl_list mounted;
	char **names;
	int n = sys_list_dir(fs_join(&root, cfg->sysfs, "fs/btrfs"), false,
			     &names);
	int rc = 0;
	bool any = false;

	for (int i = 0; i < n && !any; i++)
		any = strchr(names[i], '-') != NULL;
	/* The mount table is only worth reading when there is a filesystem. */
	if (any)
		btrfs_ioctl_scan(cfg, &mounted);
	else
		memset(&mounted, 0, sizeof(mounted));
	for (int i = 0; i < n && !rc; i++) {
		if (!strchr(names[i], '-'))
			continue;
		rc = bt_read_fs(fs_join(&dir, buf_cstr(&root), names[i]), names[i],
				&mounted, &samples);
	}
	btrfs_ioctl_release(&mounted);
	if (n >= 0)
		fs_names_free(names, (size_t)n);
	if (!rc)
		bt_write(w, &samples);
	bt_samples_release(&samples);
	buf_release(&dir);
	buf_release(&root);
	return rc;
}

const struct collector btrfs_collector = {
	.name = "btrfs",
	.enabled_by_default = true,
	.collect = btrfs_collect,
};
