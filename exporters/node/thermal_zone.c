/*
 * thermal_zone: the temperature of every thermal zone and the throttle
 * states of every cooling device under /sys/class/thermal, as
 * node_exporter 1.5's thermal_zone collector (over procfs 0.8) reports
 * them.
 *
 * A zone needs type, policy and temp (mode and passive are optional); a
 * cooling device needs type, max_state and cur_state. A missing or bad
 * required file fails the whole collector, as upstream; a zone whose read
 * answers ENODATA is skipped. No thermal directory at all is no sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "hw1_parse.h"
#include "node.h"

#define THERMAL_DIR "class/thermal"

/* procfs's SysReadFile reads an attribute with one read(2) this long. */
#define ATTR_READ_MAX 4096

static const struct metric_desc cur_state_desc = {
	.name = "node_cooling_device_cur_state",
	.help = "Current throttle state of the cooling device",
	.type = METRIC_GAUGE,
	.labels = LABELS("name", "type"),
};

static const struct metric_desc max_state_desc = {
	.name = "node_cooling_device_max_state",
	.help = "Maximum throttle state of the cooling device",
	.type = METRIC_GAUGE,
	.labels = LABELS("name", "type"),
};

static const struct metric_desc temp_desc = {
	.name = "node_thermal_zone_temp",
	.help = "Zone temperature in Celsius",
	.type = METRIC_GAUGE,
	.labels = LABELS("type", "zone"),	/* sorted, as upstream prints */
};

/* One zone or cooling device: two strings (in strs) and two numbers. */
struct tz_item {
	size_t name;	/* number after the directory's prefix */
	size_t type;
	double a, b;	/* temp; or cur_state, max_state */
};

struct tz_list {
	struct buf strs;
	struct tz_item *v;
	size_t n, cap;
};

static int parse_trimmed_int(const char *text, bool is_signed, int64_t *s,
			     uint64_t *u)
{
	const char *p;
	size_t n = hw1_trim_space(text, strlen(text), &p);
	bool ok = is_signed ? go_parse_int(p, n, 10, s) :
			      go_parse_uint(p, n, 10, 64, u);

	return ok ? 0 : -EINVAL;
}

int thermal_parse_int(const char *text, int64_t *out)
{
	return parse_trimmed_int(text, true, out, NULL);
}

int thermal_parse_uint(const char *text, uint64_t *out)
{
	return parse_trimmed_int(text, false, NULL, out);
}

/*
 * Reads <dir>/<name>/<attr> as procfs's SysReadFile does: one read(2) of
 * at most 4096 bytes, white space trimmed. Returns 0 or a negative errno.
 */
static int read_attr(const char *dir, const char *name, const char *attr,
		     struct buf *out)
{
	struct buf path = BUF_INIT;
	char raw[ATTR_READ_MAX];
	const char *p;
	ssize_t got;
	size_t len;
	int fd, err = 0;

	buf_addf(&path, "%s/%s/%s", dir, name, attr);
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
	buf_add(out, p, len);
	return 0;
}

static void tz_add(struct tz_list *l, const char *name, const char *type,
		   double a, double b)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct tz_item *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			abort();
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = l->strs.len;
	buf_adds(&l->strs, name);
	buf_addc(&l->strs, '\0');
	l->v[l->n].type = l->strs.len;
	buf_adds(&l->strs, type);
	buf_addc(&l->strs, '\0');
	l->v[l->n].a = a;
	l->v[l->n].b = b;
	l->n++;
}

static void tz_release(struct tz_list *l)
{
	buf_release(&l->strs);
	free(l->v);
}

/* Reads attr and parses it as a signed sysfs number. */
static int read_int(const char *dir, const char *name, const char *attr,
		    struct buf *text, int64_t *out)
{
	int err = read_attr(dir, name, attr, text);

	return err ? err : thermal_parse_int(buf_cstr(text), out);
}

/*
 * Reads one thermal_zoneN directory. Mode is only checked for a read
 * error; passive must parse when it can be read. -ENODATA asks the caller
 * to skip the zone, as procfs does for that error.
 */
static int zone_read(const char *dir, const char *name, struct tz_list *l)
{
	struct buf type = BUF_INIT, text = BUF_INIT;
	int64_t temp;
	uint64_t passive;
	int err;

	err = read_attr(dir, name, "mode", &text);
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		err = 0;
	if (!err)
		err = read_attr(dir, name, "type", &type);
	if (!err)
		err = read_attr(dir, name, "policy", &text);
	if (!err)
		err = read_int(dir, name, "temp", &text, &temp);
	if (!err) {
		err = read_attr(dir, name, "passive", &text);
		if (!err)
			err = thermal_parse_uint(buf_cstr(&text), &passive);
		else if (err == -ENOENT || err == -EACCES || err == -EPERM)
			err = 0;
	}
	if (!err)
		tz_add(l, name + strlen("thermal_zone"), buf_cstr(&type),
		       (double)temp / 1000.0, 0);
	buf_release(&text);
	buf_release(&type);
	return err;
}

/* Reads one cooling_deviceN directory; any failure fails the collector. */
static int cooling_read(const char *dir, const char *name, struct tz_list *l)
{
	struct buf type = BUF_INIT, text = BUF_INIT;
	int64_t max, cur;
	int err;

	err = read_attr(dir, name, "type", &type);
	if (!err)
		err = read_int(dir, name, "max_state", &text, &max);
	if (!err)
		err = read_int(dir, name, "cur_state", &text, &cur);
	if (!err)
		tz_add(l, name + strlen("cooling_device"), buf_cstr(&type),
		       (double)cur, (double)max);
	buf_release(&text);
	buf_release(&type);
	return err;
}

/*
 * Reads every <prefix>N directory of the thermal class with fn, in glob
 * order. -ENODATA from fn skips that directory when skip_nodata is set
 * (procfs does so for zones only).
 */
static int list_read(const char *dir, const char *prefix, bool skip_nodata,
		     int (*fn)(const char *, const char *, struct tz_list *),
		     struct tz_list *l)
{
	char **names;
	size_t n = fs_list_numbered(dir, prefix, &names);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		err = fn(dir, names[i], l);
		if (err == -ENODATA && skip_nodata)
			err = 0;
	}
	fs_names_free(names, n);
	return err;
}

/* Samples sort by their label values, in the order of the label names. */
static int by_name_type(const void *a, const void *b, void *strs)
{
	const struct tz_item *x = a, *y = b;
	const char *s = strs;
	int c = strcmp(s + x->name, s + y->name);

	return c ? c : strcmp(s + x->type, s + y->type);
}

static int by_type_name(const void *a, const void *b, void *strs)
{
	const struct tz_item *x = a, *y = b;
	const char *s = strs;
	int c = strcmp(s + x->type, s + y->type);

	return c ? c : strcmp(s + x->name, s + y->name);
}

static void cooling_write(struct expo *w, struct tz_list *l)
{
	const char *s = l->strs.data;

	if (!l->n)
		return;
	qsort_r(l->v, l->n, sizeof(*l->v), by_name_type, l->strs.data);
	expo_family(w, &cur_state_desc);
	for (size_t i = 0; i < l->n; i++)
		expo_sample(w, l->v[i].a, s + l->v[i].name, s + l->v[i].type);
	expo_family(w, &max_state_desc);
	for (size_t i = 0; i < l->n; i++)
		expo_sample(w, l->v[i].b, s + l->v[i].name, s + l->v[i].type);
}

static void zones_write(struct expo *w, struct tz_list *l)
{
	const char *s = l->strs.data;

	if (!l->n)
		return;
	qsort_r(l->v, l->n, sizeof(*l->v), by_type_name, l->strs.data);
	expo_family(w, &temp_desc);
	for (size_t i = 0; i < l->n; i++)
		expo_sample(w, l->v[i].a, s + l->v[i].type, s + l->v[i].name);
}

/* Zones are read first, then devices, as upstream; families go out sorted. */
static int thermal_zone_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct tz_list zones = { BUF_INIT, NULL, 0, 0 };
	struct tz_list cooling = { BUF_INIT, NULL, 0, 0 };
	struct buf dir = BUF_INIT;
	int err;

	fs_join(&dir, cfg->sysfs, THERMAL_DIR);
	err = list_read(buf_cstr(&dir), "thermal_zone", true, zone_read,
			&zones);
	if (!err)
		err = list_read(buf_cstr(&dir), "cooling_device", false,
				cooling_read, &cooling);
	if (!err) {
		cooling_write(w, &cooling);
		zones_write(w, &zones);
	}
	buf_release(&dir);
	tz_release(&cooling);
	tz_release(&zones);
	return err;
}

const struct collector thermal_zone_collector = {
	.name = "thermal_zone",
	.enabled_by_default = true,
	.collect = thermal_zone_collect,
};
