/*
 * xfs: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats,
 * as node_exporter 1.5's xfs collector reports them (node_xfs_*{device}).
 * Upstream 1.5 reads only these per-device files, not the global
 * /proc/fs/xfs/stat; a host without XFS mounts reports nothing and
 * succeeds. A file upstream refuses fails the scrape.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "node.h"
#include "node_parse.h"
#include "sys_parse.h"
#include "xfs_parse.h"

/* What procfs checks of each line it knows: its count, where it keeps it. */
struct xfs_line_rule {
	const char *key;
	unsigned min, max;	/* values the line must have */
	int keep;		/* enum xfs_line, or -1: checked, not reported */
};

static const struct xfs_line_rule rules[] = {
	{ "extent_alloc", 4, 4, XFS_EXTENT_ALLOC },
	{ "abt", 4, 4, XFS_ABT },
	{ "blk_map", 7, 7, XFS_BLK_MAP },
	{ "bmbt", 4, 4, XFS_BMBT },
	{ "dir", 4, 4, XFS_DIR },
	{ "trans", 3, 3, -1 },
	{ "ig", 7, 7, XFS_IG },
	{ "log", 5, 5, -1 },
	{ "push_ail", 10, 10, -1 },
	{ "xstrat", 2, 2, -1 },
	{ "rw", 2, 2, XFS_RW },
	{ "attr", 4, 4, -1 },
	{ "icluster", 3, 3, -1 },
	/* Older kernels have no "free" count: 7 or 8. */
	{ "vnodes", 7, 8, XFS_VNODES },
	{ "buf", 9, 9, -1 },
	{ "abtb2", 15, 15, -1 },
	{ "abtc2", 15, 15, -1 },
	{ "bmbt2", 15, 15, -1 },
	{ "ibt2", 15, 15, -1 },
	{ "qm", 8, 9, -1 },
	{ "debug", 1, 1, -1 },
};

#define XFS_WORDS_MAX 64

static const struct xfs_line_rule *find_rule(struct node_word key)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (node_word_is(key, rules[i].key))
			return &rules[i];
	return NULL;
}

static int parse_line(const char *s, const char *end, struct xfs_stats *out)
{
	struct node_word w[XFS_WORDS_MAX];
	size_t n = node_split_words(s, end, w, XFS_WORDS_MAX);
	const struct xfs_line_rule *r;
	uint64_t v;

	if (n < 2)
		return 0;
	if (n > XFS_WORDS_MAX)
		return -EINVAL;
	/* Extended precision counters: three 64-bit values. */
	if (node_word_is(w[0], "xpc")) {
		for (size_t i = 1; i < n; i++)
			if (!go_parse_uint(w[i].s, w[i].len, 10, 64, &v))
				return -EINVAL;
		return n - 1 == 3 ? 0 : -EINVAL;
	}
	r = find_rule(w[0]);
	if (r && (n - 1 < r->min || n - 1 > r->max))
		return -EINVAL;
	for (size_t i = 1; i < n; i++) {
		if (!go_parse_uint(w[i].s, w[i].len, 10, 32, &v))
			return -EINVAL;
		if (r && r->keep >= 0 && i - 1 < XFS_LINE_MAX)
			out->v[r->keep][i - 1] = (uint32_t)v;
	}
	return 0;
}

int xfs_parse_stats(const char *text, struct xfs_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p;) {
		const char *end = node_line_end(p);
		const char *stop = end > p && end[-1] == '\r' ? end - 1 : end;

		if (parse_line(p, stop, out))
			return -EINVAL;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* ---- the collector ---------------------------------------------------------- */

struct xfs_metric {
	struct metric_desc desc;
	enum xfs_line line;
	int index;
};

#define XFS(name, help, line, index) \
	{ { "node_xfs_" name, help, METRIC_COUNTER, LABELS("device") }, line, index }

/* Sorted by name: the order families are written in. */
static const struct xfs_metric metrics[] = {
	XFS("allocation_btree_compares_total",
	    "Number of allocation B-tree compares for a filesystem.", XFS_ABT, 1),
	XFS("allocation_btree_lookups_total",
	    "Number of allocation B-tree lookups for a filesystem.", XFS_ABT, 0),
	XFS("allocation_btree_records_deleted_total",
	    "Number of allocation B-tree records deleted for a filesystem.",
	    XFS_ABT, 3),
	XFS("allocation_btree_records_inserted_total",
	    "Number of allocation B-tree records inserted for a filesystem.",
	    XFS_ABT, 2),
	XFS("block_map_btree_compares_total",
	    "Number of block map B-tree compares for a filesystem.", XFS_BMBT, 1),
	XFS("block_map_btree_lookups_total",
	    "Number of block map B-tree lookups for a filesystem.", XFS_BMBT, 0),
	XFS("block_map_btree_records_deleted_total",
	    "Number of block map B-tree records deleted for a filesystem.",
	    XFS_BMBT, 3),
	XFS("block_map_btree_records_inserted_total",
	    "Number of block map B-tree records inserted for a filesystem.",
	    XFS_BMBT, 2),
	XFS("block_mapping_extent_list_compares_total",
	    "Number of extent list compares for a filesystem.", XFS_BLK_MAP, 6),
	XFS("block_mapping_extent_list_deletions_total",
	    "Number of extent list deletions for a filesystem.", XFS_BLK_MAP, 4),
	XFS("block_mapping_extent_list_insertions_total",
	    "Number of extent list insertions for a filesystem.", XFS_BLK_MAP, 3),
	XFS("block_mapping_extent_list_lookups_total",
	    "Number of extent list lookups for a filesystem.", XFS_BLK_MAP, 5),
	XFS("block_mapping_reads_total",
	    "Number of block map for read operations for a filesystem.",
	    XFS_BLK_MAP, 0),
	XFS("block_mapping_unmaps_total",
	    "Number of block unmaps (deletes) for a filesystem.", XFS_BLK_MAP, 2),
	XFS("block_mapping_writes_total",
	    "Number of block map for write operations for a filesystem.",
	    XFS_BLK_MAP, 1),
	XFS("directory_operation_create_total",
	    "Number of times a new directory entry was created for a filesystem.",
	    XFS_DIR, 1),
	XFS("directory_operation_getdents_total",
	    "Number of times the directory getdents operation was performed for a filesystem.",
	    XFS_DIR, 3),
	XFS("directory_operation_lookup_total",
	    "Number of file name directory lookups which miss the operating systems directory name lookup cache.",
	    XFS_DIR, 0),
	XFS("directory_operation_remove_total",
	    "Number of times an existing directory entry was created for a filesystem.",
	    XFS_DIR, 2),
	XFS("extent_allocation_blocks_allocated_total",
	    "Number of blocks allocated for a filesystem.", XFS_EXTENT_ALLOC, 1),
	XFS("extent_allocation_blocks_freed_total",
	    "Number of blocks freed for a filesystem.", XFS_EXTENT_ALLOC, 3),
	XFS("extent_allocation_extents_allocated_total",
	    "Number of extents allocated for a filesystem.", XFS_EXTENT_ALLOC, 0),
	XFS("extent_allocation_extents_freed_total",
	    "Number of extents freed for a filesystem.", XFS_EXTENT_ALLOC, 2),
	XFS("inode_operation_attempts_total",
	    "Number of times the OS looked for an XFS inode in the inode cache.",
	    XFS_IG, 0),
	XFS("inode_operation_attribute_changes_total",
	    "Number of times the OS explicitly changed the attributes of an XFS inode.",
	    XFS_IG, 6),
	XFS("inode_operation_duplicates_total",
	    "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.",
	    XFS_IG, 4),
	XFS("inode_operation_found_total",
	    "Number of times the OS looked for and found an XFS inode in the inode cache.",
	    XFS_IG, 1),
	XFS("inode_operation_missed_total",
	    "Number of times the OS looked for an XFS inode in the cache, but did not find it.",
	    XFS_IG, 3),
	XFS("inode_operation_reclaims_total",
	    "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.",
	    XFS_IG, 5),
	XFS("inode_operation_recycled_total",
	    "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.",
	    XFS_IG, 2),
	/* The kernel's rw line is "<writes> <reads>". */
	XFS("read_calls_total",
	    "Number of read(2) system calls made to files in a filesystem.",
	    XFS_RW, 1),
	XFS("vnode_active_total",
	    "Number of vnodes not on free lists for a filesystem.", XFS_VNODES, 0),
	XFS("vnode_allocate_total",
	    "Number of times vn_alloc called for a filesystem.", XFS_VNODES, 1),
	XFS("vnode_get_total", "Number of times vn_get called for a filesystem.",
	    XFS_VNODES, 2),
	XFS("vnode_hold_total", "Number of times vn_hold called for a filesystem.",
	    XFS_VNODES, 3),
	XFS("vnode_reclaim_total",
	    "Number of times vn_reclaim called for a filesystem.", XFS_VNODES, 5),
	XFS("vnode_release_total",
	    "Number of times vn_rele called for a filesystem.", XFS_VNODES, 4),
	XFS("vnode_remove_total",
	    "Number of times vn_remove called for a filesystem.", XFS_VNODES, 6),
	XFS("write_calls_total",
	    "Number of write(2) system calls made to files in a filesystem.",
	    XFS_RW, 0),
};

/* Reads <root>/<device>/stats/stats; -ENOENT when the device has none. */
static int read_device(const char *root, const char *device,
		       struct xfs_stats *s)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc;

	buf_addf(&path, "%s/%s/stats/stats", root, device);
	rc = fs_read_file(buf_cstr(&path), &text, FS_READ_MAX);
	if (!rc)
		rc = xfs_parse_stats(buf_cstr(&text), s);
	buf_release(&text);
	buf_release(&path);
	return rc;
}

static void write_metrics(struct expo *w, char **devices,
			  const struct xfs_stats *s, size_t n)
{
	for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
		expo_family(w, &metrics[m].desc);
		for (size_t d = 0; d < n; d++)
			expo_sample(w, s[d].v[metrics[m].line][metrics[m].index],
				    devices[d]);
	}
}

/* Upstream globs fs/xfs/ "*" + "/stats/stats": entries without it are
 * not filesystems (the global "stats" directory, "features"). */
static int xfs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT;
	char **names, **devices;
	struct xfs_stats *stats;
	int n = sys_list_dir(fs_join(&root, cfg->sysfs, "fs/xfs"), false, &names);
	size_t found = 0;
	int rc = 0;

	if (n < 0)
		n = 0, names = NULL;
	stats = calloc((size_t)n + 1, sizeof(*stats));
	devices = calloc((size_t)n + 1, sizeof(*devices));
	if (!stats || !devices)
		abort();
	for (int i = 0; i < n && !rc; i++) {
		rc = read_device(buf_cstr(&root), names[i], &stats[found]);
		if (rc == -ENOENT || rc == -ENOTDIR) {
			rc = 0;
			continue;
		}
		devices[found++] = names[i];
	}
	if (!rc && found)
		write_metrics(w, devices, stats, found);
	if (names)
		fs_names_free(names, (size_t)n);
	free(devices);
	free(stats);
	buf_release(&root);
	return rc;
}

const struct collector xfs_collector = {
	.name = "xfs",
	.enabled_by_default = true,
	.collect = xfs_collect,
};
