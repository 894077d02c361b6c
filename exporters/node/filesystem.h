/*
 * filesystem: the pure parts of the filesystem collector (the mounts file
 * parser, the --path.rootfs label rule, the options test), and the hook
 * that lets tests replace statfs(2) with a slow or failing one.
 */
#ifndef EXPORTERBOX_NODE_FILESYSTEM_H
#define EXPORTERBOX_NODE_FILESYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/vfs.h>

#include "buf.h"

/* One line of /proc/<pid>/mounts; strings unescaped. */
struct filesystem_mount {
	const char *device;
	const char *mountpoint;
	const char *fstype;
	const char *options;
};

struct filesystem_mounts {
	struct filesystem_mount *v;
	size_t n;
	struct buf strings;	/* the four strings of every mount, NUL-separated */
};

/*
 * Parses the text of a mounts file (len bytes, no NUL needed): lines of
 * "device mountpoint fstype options ..." split on blanks as Go's
 * strings.Fields splits them. The kernel writes a space, tab, newline and
 * backslash in the device and mount point as \040, \011, \012 and \134;
 * those octal escapes are undone. Blank lines are skipped. Returns 0, or
 * -EINVAL (a line of fewer than four fields, a NUL byte), when out holds
 * nothing. Free out with filesystem_mounts_release().
 */
int filesystem_parse_mounts(const char *text, size_t len,
			    struct filesystem_mounts *out);
void filesystem_mounts_release(struct filesystem_mounts *m);

/*
 * Reads <procfs>/1/mounts (the host's mounts when we run in a container
 * with the host's /proc), or where hidepid hides it, <procfs>/mounts and
 * <procfs>/self/mounts, into text. 0 or a negative errno.
 */
int filesystem_read_mounts(const char *procfs, struct buf *text);

/* How many times the collector with this state has read the mount table. */
unsigned filesystem_mount_table_reads(const void *state);

/*
 * The mount point as node_exporter labels it under --path.rootfs: the
 * rootfs prefix stripped ("/host" and "/host/boot" give "/boot", "/host"
 * itself gives "/"); unchanged when rootfs is "/" or not a prefix. Returns
 * a pointer into mountpoint, or "/".
 */
const char *filesystem_strip_rootfs(const char *rootfs, const char *mountpoint);

/* True when the comma-separated mount options hold "ro". */
bool filesystem_options_readonly(const char *options);

/*
 * For tests: the collector's init() with statfs(2) replaced by fn, which
 * runs on a worker thread and may block; fs_mount_timeout still applies.
 */
typedef int (*filesystem_statfs_fn)(const char *path, struct statfs *st);
int filesystem_init_with_statfs(const void *config, filesystem_statfs_fn fn,
				void **state);

#endif
