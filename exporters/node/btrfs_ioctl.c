/*
 * btrfs_ioctl: the btrfs collector's per-device statistics of mounted
 * filesystems (see btrfs_ioctl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/btrfs.h>

#include "btrfs_ioctl.h"
#include "filesystem.h"
#include "fsutil.h"
#include "log.h"

const char *const btrfs_ioctl_error_types[BTRFS_IOCTL_NERRORS] = {
	"write", "read", "flush", "corruption", "generation",
};

/* Lower-case hex of b (with a UUID's dashes); out holds 2n + 4 + 1 bytes. */
static void hex(char *out, const uint8_t *b, size_t n, bool dashes)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		if (dashes && (i == 4 || i == 6 || i == 8 || i == 10))
			*out++ = '-';
		*out++ = digits[b[i] >> 4];
		*out++ = digits[b[i] & 15];
	}
	*out = '\0';
}

/* One device: its info and error counters; -ENODEV when the id is unused. */
static int read_dev(int fd, uint64_t id, struct btrfs_ioctl_dev *d)
{
	struct btrfs_ioctl_dev_info_args info = { .devid = id };
	struct btrfs_ioctl_get_dev_stats stats = {
		.devid = id, .nr_items = BTRFS_DEV_STAT_VALUES_MAX,
	};
	const char *base;

	if (ioctl(fd, BTRFS_IOC_DEV_INFO, &info) != 0)
		return -errno;
	if (ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &stats) != 0)
		return -errno;
	info.path[sizeof(info.path) - 1] = 0;
	base = strrchr((const char *)info.path, '/');
	snprintf(d->device, sizeof(d->device), "%s",
		 base ? base + 1 : (const char *)info.path);
	hex(d->uuid, info.uuid, sizeof(info.uuid), true);
	d->bytes_used = info.bytes_used;
	d->total_bytes = info.total_bytes;
	for (int i = 0; i < BTRFS_IOCTL_NERRORS; i++)
		d->errors[i] = stats.values[i];
	return 0;
}

/* Device ids need not start at 0 nor be contiguous: walk up to max_id. */
static int read_fs(int fd, struct btrfs_ioctl_fs *fs)
{
	struct btrfs_ioctl_fs_info_args info;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, BTRFS_IOC_FS_INFO, &info) != 0)
		return -errno;
	hex(fs->fsid, info.fsid, 16, false);
	fs->dev = calloc(info.num_devices + 1, sizeof(*fs->dev));
	if (!fs->dev)
		abort();
	for (uint64_t id = 0; id <= info.max_id && fs->ndev < info.num_devices; id++) {
		rc = read_dev(fd, id, &fs->dev[fs->ndev]);
		if (rc == -ENODEV) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		fs->ndev++;
	}
	return rc;
}

static bool seen_fsid(const struct btrfs_ioctl_list *l, const char *fsid)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].fsid, fsid))
			return true;
	return false;
}

/* Queries the filesystem mounted at path; false when it cannot be. */
static bool scan_mount(const char *path, struct btrfs_ioctl_list *out)
{
	struct btrfs_ioctl_fs fs = { 0 };
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	int rc = fd < 0 ? -errno : read_fs(fd, &fs);

	if (fd >= 0)
		close(fd);
	if (rc)
		log_debug("btrfs mount point not queried", "path", path, "err",
			  strerror(-rc));
	if (rc || seen_fsid(out, fs.fsid)) {
		free(fs.dev);
		return !rc;
	}
	out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
	if (!out->v)
		abort();
	out->v[out->n++] = fs;
	return true;
}

void btrfs_ioctl_scan(const struct node_config *cfg, struct btrfs_ioctl_list *out)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	struct filesystem_mounts m;
	const char *rootfs = cfg->rootfs ? cfg->rootfs : "/";
	bool *done;

	memset(out, 0, sizeof(*out));
	if (filesystem_read_mounts(cfg->procfs ? cfg->procfs : "/proc", &text) ||
	    filesystem_parse_mounts(buf_cstr(&text), text.len, &m)) {
		buf_release(&text);
		return;
	}
	done = calloc(m.n + 1, sizeof(*done));
	if (!done)
		abort();
	for (size_t i = 0; i < m.n; i++) {
		bool known = false;

		if (strcmp(m.v[i].fstype, "btrfs"))
			continue;
		/* A device already queried through another mount point. */
		for (size_t j = 0; j < i && !known; j++)
			known = done[j] && !strcmp(m.v[j].device, m.v[i].device);
		if (known)
			continue;
		fs_join(&path, rootfs,
			filesystem_strip_rootfs(rootfs, m.v[i].mountpoint));
		done[i] = scan_mount(buf_cstr(&path), out);
	}
	free(done);
	filesystem_mounts_release(&m);
	buf_release(&path);
	buf_release(&text);
}

void btrfs_ioctl_release(struct btrfs_ioctl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].dev);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const struct btrfs_ioctl_fs *btrfs_ioctl_find(const struct btrfs_ioctl_list *l,
					      const char *uuid)
{
	char plain[64];
	size_t n = 0;

	for (const char *p = uuid; *p && n + 1 < sizeof(plain); p++)
		if (*p != '-')
			plain[n++] = *p;
	plain[n] = '\0';
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].fsid, plain))
			return &l->v[i];
	return NULL;
}
