/*
 * btrfs_ioctl: per-device statistics of the mounted Btrfs filesystems, from
 * the BTRFS_IOC_FS_INFO / DEV_INFO / GET_DEV_STATS ioctls on a mount point,
 * as node_exporter 1.5 gathers them for its btrfs collector (which then
 * reports these devices instead of the sysfs device sizes).
 */
#ifndef EXPORTERBOX_BTRFS_IOCTL_H
#define EXPORTERBOX_BTRFS_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

/* The error counters, in the kernel's (and the type label's) order. */
#define BTRFS_IOCTL_NERRORS 5
extern const char *const btrfs_ioctl_error_types[BTRFS_IOCTL_NERRORS];

struct btrfs_ioctl_dev {
	char device[1024];	/* the device path's last element ("sda") */
	char uuid[37];		/* the device's UUID, dashed */
	uint64_t bytes_used, total_bytes;
	uint64_t errors[BTRFS_IOCTL_NERRORS];
};

struct btrfs_ioctl_fs {
	char fsid[33];		/* 32 hex digits: the sysfs UUID without dashes */
	struct btrfs_ioctl_dev *dev;
	size_t ndev;
};

struct btrfs_ioctl_list {
	struct btrfs_ioctl_fs *v;
	size_t n;
};

/*
 * Scans the btrfs mounts of <procfs>/1/mounts (each under --path.rootfs),
 * one per device and filesystem. A mount point that cannot be opened or
 * queried is skipped, as upstream skips it (logged at debug level).
 */
void btrfs_ioctl_scan(const struct node_config *cfg, struct btrfs_ioctl_list *out);
void btrfs_ioctl_release(struct btrfs_ioctl_list *l);

/* The filesystem whose fsid is uuid without its dashes, or NULL. */
const struct btrfs_ioctl_fs *btrfs_ioctl_find(const struct btrfs_ioctl_list *l,
					      const char *uuid);

#endif
