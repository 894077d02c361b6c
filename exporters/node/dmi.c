/*
 * dmi: node_dmi_info, the firmware's description of the machine from
 * /sys/class/dmi/id, as node_exporter 1.5's dmi collector reports it.
 *
 * Upstream reads the directory once, when the collector is created, and
 * repeats that answer on every scrape; so does init() here. Only the files
 * present become labels (sorted by name); a file only root may read (the
 * serial numbers, product_uuid) is left out, any other read error makes
 * init() fail. Without the directory, or without any known file, every
 * scrape is "no data".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw1_parse.h"
#include "node.h"
#include "text.h"

#define DMI_DIR "class/dmi/id"

/* procfs's SysReadFile reads an attribute with one read(2) this long. */
#define ATTR_READ_MAX 4096

#define DMI_NLABELS 20

/* The label each known file feeds; the file's own name unless noted. */
static const char *const dmi_files[][2] = {
	{ "bios_date", "bios_date" },
	{ "bios_release", "bios_release" },
	{ "bios_vendor", "bios_vendor" },
	{ "bios_version", "bios_version" },
	{ "board_asset_tag", "board_asset_tag" },
	{ "board_name", "board_name" },
	{ "board_serial", "board_serial" },
	{ "board_vendor", "board_vendor" },
	{ "board_version", "board_version" },
	{ "chassis_asset_tag", "chassis_asset_tag" },
	{ "chassis_serial", "chassis_serial" },
	{ "chassis_vendor", "chassis_vendor" },
	{ "chassis_version", "chassis_version" },
	{ "product_family", "product_family" },
	{ "product_name", "product_name" },
	{ "product_serial", "product_serial" },
	{ "product_sku", "product_sku" },
	{ "product_uuid", "product_uuid" },
	{ "product_version", "product_version" },
	{ "sys_vendor", "system_vendor" },
};

/* The one family, its label names and values fixed at init(). */
struct dmi_state {
	struct metric_desc desc;
	const char *names[DMI_NLABELS + 1];
	const char *values[DMI_NLABELS + 1];
	char *owned[DMI_NLABELS];	/* the values' storage */
	size_t n;
};

const char *dmi_label_for_file(const char *name)
{
	for (size_t i = 0; i < DMI_NLABELS; i++)
		if (!strcmp(dmi_files[i][0], name))
			return dmi_files[i][1];
	return NULL;
}

void dmi_valid_utf8(const char *s, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	bool in_bad = false;

	for (size_t i = 0; i < n;) {
		size_t k = text_utf8_len(p + i, n - i);

		if (k) {
			buf_add(out, s + i, k);
			i += k;
			in_bad = false;
			continue;
		}
		if (!in_bad)
			buf_adds(out, "\xef\xbf\xbd");
		in_bad = true;
		i++;
	}
}

/*
 * Reads dir/name as procfs's SysReadFile does: one read(2) of at most
 * 4096 bytes, white space trimmed, then made valid UTF-8 as upstream's
 * collector does. Returns 0 or a negative errno.
 */
static int read_value(const char *dir, const char *name, struct buf *out)
{
	struct buf path = BUF_INIT;
	char raw[ATTR_READ_MAX];
	const char *p;
	ssize_t got;
	size_t len;
	int fd, err = 0;

	buf_addf(&path, "%s/%s", dir, name);
	fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return -errno;
	got = read(fd, raw, sizeof(raw));
	if (got < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	len = hw1_trim_space(raw, (size_t)got, &p);
	buf_truncate(out, 0);
	dmi_valid_utf8(p, len, out);
	return 0;
}

/*
 * True for an entry upstream skips: anything but a regular file (symbolic
 * links too: Go's ReadDir does not follow them), modalias and uevent.
 */
static bool skipped(int dfd, const char *name)
{
	struct stat st;

	if (!strcmp(name, ".") || !strcmp(name, "..") ||
	    !strcmp(name, "modalias") || !strcmp(name, "uevent"))
		return true;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	       !S_ISREG(st.st_mode);
}

/* Stores value under label, keeping the label names sorted. */
static void state_add(struct dmi_state *s, const char *label,
		      const struct buf *value)
{
	size_t i = s->n;
	char *v = strdup(value->data ? value->data : "");

	if (!v)
		abort();
	while (i > 0 && strcmp(s->names[i - 1], label) > 0) {
		s->names[i] = s->names[i - 1];
		s->owned[i] = s->owned[i - 1];
		i--;
	}
	s->names[i] = label;
	s->owned[i] = v;
	s->n++;
}

/* Reads every file of dir into s; a file seen twice cannot happen. */
static int state_fill(struct dmi_state *s, const char *dir, DIR *d)
{
	struct buf value = BUF_INIT;
	struct dirent *e;
	int err = 0;

	while (!err && (e = readdir(d))) {
		const char *label;

		if (skipped(dirfd(d), e->d_name))
			continue;
		err = read_value(dir, e->d_name, &value);
		if (err == -EACCES || err == -EPERM) {
			err = 0;	/* only root may read the serials */
			continue;
		}
		label = dmi_label_for_file(e->d_name);
		if (!err && label && s->n < DMI_NLABELS)
			state_add(s, label, &value);
	}
	buf_release(&value);
	return err;
}

static void dmi_release(void *state)
{
	struct dmi_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->owned[i]);
	free(s);
}

static int dmi_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	struct dmi_state *s = calloc(1, sizeof(*s));
	struct buf dir = BUF_INIT;
	DIR *d;
	int err = 0;

	if (!s)
		abort();
	d = opendir(fs_join(&dir, cfg->sysfs, DMI_DIR));
	if (d) {
		err = state_fill(s, buf_cstr(&dir), d);
		closedir(d);
	} else if (errno != ENOENT) {
		err = -errno;
	}
	if (err) {
		/* The runner logs the failure and disables the collector. */
		dmi_release(s);
		s = NULL;
	} else {
		for (size_t i = 0; i < s->n; i++)
			s->values[i] = s->owned[i];
		s->desc = (struct metric_desc){
			.name = "node_dmi_info",
			.help = "A metric with a constant '1' value labeled by "
				"bios_date, bios_release, bios_vendor, "
				"bios_version, board_asset_tag, board_name, "
				"board_serial, board_vendor, board_version, "
				"chassis_asset_tag, chassis_serial, "
				"chassis_vendor, chassis_version, "
				"product_family, product_name, product_serial, "
				"product_sku, product_uuid, product_version, "
				"system_vendor if provided by DMI.",
			.type = METRIC_GAUGE,
			.labels = s->names,
		};
	}
	buf_release(&dir);
	*state = s;
	return err;
}

static int dmi_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct dmi_state *s = ctx->state;

	if (!s || !s->n)
		return -ENODATA;
	expo_family(w, &s->desc);
	expo_samplev(w, s->values, 1);
	return 0;
}

const struct collector dmi_collector = {
	.name = "dmi",
	.enabled_by_default = true,
	.init = dmi_init,
	.collect = dmi_collect,
	.release = dmi_release,
};
