/*
 * xfs_parse: the parser behind the xfs node collector, for the per-device
 * statistics file /sys/fs/xfs/<device>/stats/stats (the format of
 * /proc/fs/xfs/stat).
 *
 * Pure: it takes the file's text as a NUL-terminated string. It accepts and
 * refuses what the Go procfs library in node_exporter 1.5 does: every line
 * with at least two words is "<key> <number>...", the numbers 32-bit
 * decimals (the "xpc" line's 64-bit), and the lines procfs knows must have
 * their exact counts; a line of one word is skipped. Absent lines read 0.
 */
#ifndef EXPORTERBOX_XFS_PARSE_H
#define EXPORTERBOX_XFS_PARSE_H

#include <stdint.h>

/* The lines whose counters node_exporter reports, in struct order. */
enum xfs_line {
	XFS_EXTENT_ALLOC, XFS_ABT, XFS_BLK_MAP, XFS_BMBT, XFS_DIR, XFS_IG,
	XFS_RW, XFS_VNODES, XFS_NLINES
};

#define XFS_LINE_MAX 8		/* values of the longest reported line */

struct xfs_stats {
	uint32_t v[XFS_NLINES][XFS_LINE_MAX];
};

/* Returns 0, or -EINVAL; out is zeroed first. */
int xfs_parse_stats(const char *text, struct xfs_stats *out);

#endif
