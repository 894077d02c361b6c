/*
 * nvme: node_nvme_info for each NVMe controller under /sys/class/nvme, as
 * node_exporter 1.5's nvme collector (over the Go procfs library's
 * NVMeClass) reports it.
 *
 * Every entry of the class directory must be a device with all four
 * attributes. A missing directory or attribute means "no data" (upstream
 * tests the wrapped error for ErrNotExist); any other failure fails the
 * collector.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw2_parse.h"
#include "log.h"
#include "node.h"

/* Upstream reads each attribute with one read(2) of this many bytes. */
#define NVME_ATTR_MAX 128

#define NVME_DIR "class/nvme"

/* The attributes, in the order of node_nvme_info's labels after device. */
enum nvme_attr { NV_FIRMWARE, NV_MODEL, NV_SERIAL, NV_STATE, NV_NATTRS };

static const char *const nvme_files[NV_NATTRS] = {
	[NV_FIRMWARE] = "firmware_rev",
	[NV_MODEL] = "model",
	[NV_SERIAL] = "serial",
	[NV_STATE] = "state",
};

static const struct metric_desc info_desc = {
	.name = "node_nvme_info",
	.help = "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
	.type = METRIC_GAUGE,
	.labels = LABELS("device", "firmware_revision", "model", "serial",
			 "state"),
};

struct nvme_dev {
	char *name;
	char *attr[NV_NATTRS];
};

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/*
 * Reads the attribute dir/file with one read(2), as upstream does, and
 * returns it trimmed in a new string (*out), or a negative errno.
 */
static int nvme_read_attr(const char *dir, const char *file, char **out)
{
	char raw[NVME_ATTR_MAX + 1];
	struct buf path = BUF_INIT, text = BUF_INIT;
	ssize_t got;
	int fd, err = 0;

	buf_addf(&path, "%s/%s", dir, file);
	fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out_path;
	}
	do {
		got = read(fd, raw, NVME_ATTR_MAX);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		err = -errno;
	close(fd);
	if (!err) {
		raw[got] = '\0';
		*out = xstrdup(hw2_trim_into(raw, &text));
	}
out_path:
	if (err)
		log_debug("nvme attribute unreadable", "path", buf_cstr(&path),
			  "err", strerror(-err));
	buf_release(&text);
	buf_release(&path);
	return err;
}

static void nvme_dev_release(struct nvme_dev *d)
{
	free(d->name);
	for (int i = 0; i < NV_NATTRS; i++)
		free(d->attr[i]);
}

static int nvme_read_dev(const char *root, struct nvme_dev *d)
{
	struct buf dir = BUF_INIT;
	int err = 0;

	buf_addf(&dir, "%s/%s", root, d->name);
	for (int i = 0; i < NV_NATTRS && !err; i++)
		err = nvme_read_attr(buf_cstr(&dir), nvme_files[i], &d->attr[i]);
	buf_release(&dir);
	return err;
}

static int nvme_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nvme_dev *)a)->name,
		      ((const struct nvme_dev *)b)->name);
}

/*
 * Reads every entry of the class directory root, sorted by name. Returns
 * how many are in *out (release each, then free the array), or a negative
 * errno.
 */
static long nvme_read_all(const char *root, struct nvme_dev **out)
{
	struct nvme_dev *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dir = opendir(root);
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n] = (struct nvme_dev){ .name = xstrdup(e->d_name) };
		err = nvme_read_dev(root, &v[n++]);
	}
	closedir(dir);
	if (err) {
		for (size_t i = 0; i < n; i++)
			nvme_dev_release(&v[i]);
		free(v);
		return err;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), nvme_name_cmp);
	*out = v;
	return (long)n;
}

static int nvme_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT;
	struct nvme_dev *v = NULL;
	long n = nvme_read_all(fs_join(&root, cfg->sysfs, NVME_DIR), &v);

	buf_release(&root);
	if (n == -ENOENT)
		return -ENODATA;	/* upstream: "nvme statistics not found" */
	if (n < 0)
		return (int)n;
	if (n > 0)
		expo_family(w, &info_desc);
	for (long i = 0; i < n; i++) {
		expo_sample(w, 1, v[i].name, v[i].attr[NV_FIRMWARE],
			    v[i].attr[NV_MODEL], v[i].attr[NV_SERIAL],
			    v[i].attr[NV_STATE]);
		nvme_dev_release(&v[i]);
	}
	free(v);
	return 0;
}

const struct collector nvme_collector = {
	.name = "nvme",
	.enabled_by_default = true,
	.collect = nvme_collect,
};
