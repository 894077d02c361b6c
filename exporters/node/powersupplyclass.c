/*
 * powersupplyclass: the attributes of every power supply under
 * /sys/class/power_supply, node_power_supply_*{power_supply} and
 * node_power_supply_info, as node_exporter 1.5's powersupplyclass collector
 * (over the Go procfs library's PowerSupplyClass) reports them.
 *
 * Upstream reads every regular file of a supply's directory, skipping one
 * the kernel will not give (missing, EINVAL, EOPNOTSUPP, ENODEV); any other
 * read error, or a known numeric attribute that does not parse (Go's
 * ParseInt, base 0), fails the collector, also for supplies the
 * ignored-supplies pattern then drops. No class directory means no data.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_filter.h"
#include "fsutil.h"
#include "go_strconv.h"
#include "hw2_parse.h"
#include "log.h"
#include "node.h"
#include "regex.h"

/* Upstream reads each attribute with one read(2) of this many bytes. */
#define PS_ATTR_MAX 128

#define PS_DIR "class/power_supply"

/* How a numeric attribute becomes its family's value. */
enum ps_scale {
	PS_RAW,		/* as read */
	PS_MICRO,	/* µA, µV, µWh, µW ... to base units */
	PS_DECI,	/* tenths of a degree Celsius */
	PS_HIDDEN,	/* parsed (a bad one fails), never exposed */
};

struct ps_num {
	const char *file;
	enum ps_scale scale;
	struct metric_desc desc;
};

#define PS_NUM(f, m, s) { f, s, { "node_power_supply_" m, \
	m " value of /sys/class/power_supply/<power_supply>.", \
	METRIC_GAUGE, LABELS("power_supply") } }
#define PS_UNEXPOSED(f) { f, PS_HIDDEN, { NULL, NULL, METRIC_GAUGE, NULL } }

/* The exposed attributes in the order of their families' names, then the
 * parsed-only ones. */
static const struct ps_num ps_nums[] = {
	PS_NUM("authentic", "authentic", PS_RAW),
	PS_NUM("calibrate", "calibrate", PS_RAW),
	PS_NUM("capacity", "capacity", PS_RAW),
	PS_NUM("capacity_alert_max", "capacity_alert_max", PS_RAW),
	PS_NUM("capacity_alert_min", "capacity_alert_min", PS_RAW),
	PS_NUM("charge_now", "charge_ampere", PS_MICRO),
	PS_NUM("charge_control_limit", "charge_control_limit", PS_MICRO),
	PS_NUM("charge_control_limit_max", "charge_control_limit_max", PS_MICRO),
	PS_NUM("charge_counter", "charge_counter", PS_MICRO),
	PS_NUM("charge_empty", "charge_empty", PS_MICRO),
	PS_NUM("charge_empty_design", "charge_empty_design", PS_MICRO),
	PS_NUM("charge_full", "charge_full", PS_MICRO),
	PS_NUM("charge_full_design", "charge_full_design", PS_MICRO),
	PS_NUM("charge_term_current", "charge_term_current", PS_MICRO),
	PS_NUM("constant_charge_current", "constant_charge_current", PS_MICRO),
	PS_NUM("constant_charge_current_max", "constant_charge_current_max", PS_MICRO),
	PS_NUM("constant_charge_voltage", "constant_charge_voltage", PS_MICRO),
	PS_NUM("constant_charge_voltage_max", "constant_charge_voltage_max", PS_MICRO),
	PS_NUM("current_now", "current_ampere", PS_MICRO),
	PS_NUM("current_boot", "current_boot", PS_MICRO),
	PS_NUM("current_max", "current_max", PS_MICRO),
	PS_NUM("cycle_count", "cyclecount", PS_RAW),
	PS_NUM("energy_empty", "energy_empty", PS_MICRO),
	PS_NUM("energy_empty_design", "energy_empty_design", PS_MICRO),
	PS_NUM("energy_full", "energy_full", PS_MICRO),
	PS_NUM("energy_full_design", "energy_full_design", PS_MICRO),
	PS_NUM("energy_now", "energy_watthour", PS_MICRO),
	PS_NUM("input_current_limit", "input_current_limit", PS_MICRO),
	PS_NUM("online", "online", PS_RAW),
	PS_NUM("power_now", "power_watt", PS_MICRO),
	PS_NUM("precharge_current", "precharge_current", PS_MICRO),
	PS_NUM("present", "present", PS_RAW),
	PS_NUM("temp_alert_max", "temp_alert_max_celsius", PS_DECI),
	PS_NUM("temp_alert_min", "temp_alert_min_celsius", PS_DECI),
	PS_NUM("temp_ambient", "temp_ambient_celsius", PS_DECI),
	PS_NUM("temp_ambient_max", "temp_ambient_max_celsius", PS_DECI),
	PS_NUM("temp_ambient_min", "temp_ambient_min_celsius", PS_DECI),
	PS_NUM("temp", "temp_celsius", PS_DECI),
	PS_NUM("temp_max", "temp_max_celsius", PS_DECI),
	PS_NUM("temp_min", "temp_min_celsius", PS_DECI),
	PS_NUM("time_to_empty_now", "time_to_empty_seconds", PS_RAW),
	PS_NUM("time_to_full_now", "time_to_full_seconds", PS_RAW),
	PS_NUM("voltage_boot", "voltage_boot", PS_MICRO),
	PS_NUM("voltage_max", "voltage_max", PS_MICRO),
	PS_NUM("voltage_max_design", "voltage_max_design", PS_MICRO),
	PS_NUM("voltage_min", "voltage_min", PS_MICRO),
	PS_NUM("voltage_min_design", "voltage_min_design", PS_MICRO),
	PS_NUM("voltage_ocv", "voltage_ocv", PS_MICRO),
	PS_NUM("voltage_now", "voltage_volt", PS_MICRO),
	PS_UNEXPOSED("charge_avg"),
	PS_UNEXPOSED("current_avg"),
	PS_UNEXPOSED("energy_avg"),
	PS_UNEXPOSED("power_avg"),
	PS_UNEXPOSED("time_to_empty_avg"),
	PS_UNEXPOSED("time_to_full_avg"),
	PS_UNEXPOSED("voltage_avg"),
};

#define PS_NNUM (sizeof(ps_nums) / sizeof(ps_nums[0]))

/*
 * node_power_supply_info's labels, sorted by name as upstream prints them;
 * each is the attribute file of the same name, but power_supply (the
 * supply's name). A label whose value is empty is left out.
 */
static const char *const ps_labels[] = {
	"capacity_level", "charge_type", "health", "manufacturer",
	"model_name", "power_supply", "scope", "serial_number", "status",
	"technology", "type", "usb_type",
};

#define PS_NSTR (sizeof(ps_labels) / sizeof(ps_labels[0]))
#define PS_NAME_LABEL 5

static const struct metric_desc info_desc = {
	.name = "node_power_supply_info",
	.help = "info of /sys/class/power_supply/<power_supply>.",
	.type = METRIC_GAUGE,
};

struct ps_supply {
	char *name;
	bool have[PS_NNUM];
	int64_t num[PS_NNUM];
	char *str[PS_NSTR];		/* NULL when unread or empty */
	/* The info sample: its non-empty labels, as names and values. */
	const char *lnames[PS_NSTR], *lvalues[PS_NSTR];
	size_t nlabels;
};

/* ---- parsing ------------------------------------------------------------ */

int hw2_parse_i64(const char *text, int64_t *out)
{
	const char *s;
	size_t len = hw2_trim(text, &s);

	return go_parse_int(s, len, 0, out) ? 0 : -EINVAL;
}

/* ---- reading ------------------------------------------------------------ */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* The read errors upstream treats as "this attribute is not there". */
static bool ps_absent(int err)
{
	return err == ENOENT || err == EINVAL || err == EOPNOTSUPP ||
	       err == ENODEV;
}

/*
 * Reads the attribute name in the open directory dir with one read(2), as
 * upstream does, trimmed into out. Returns 1 when read, 0 when absent (see
 * ps_absent), or a negative errno.
 */
static int ps_read_attr(int dir, const char *name, struct buf *out)
{
	char raw[PS_ATTR_MAX + 1];
	ssize_t got;
	int fd, err = 0;

	fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ps_absent(errno) ? 0 : -errno;
	do {
		got = read(fd, raw, PS_ATTR_MAX);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		err = ps_absent(errno) ? 0 : -errno;
	close(fd);
	if (got < 0)
		return err;
	raw[got] = '\0';
	hw2_trim_into(raw, out);
	return 1;
}

/* Stores one attribute's text where its name says; unknown names are
 * read (for their errors) and dropped. */
static int ps_store(struct ps_supply *ps, const char *file, const char *text)
{
	for (size_t i = 0; i < PS_NNUM; i++) {
		if (strcmp(file, ps_nums[i].file))
			continue;
		if (hw2_parse_i64(text, &ps->num[i]))
			return -EINVAL;
		ps->have[i] = true;
		return 0;
	}
	for (size_t i = 0; i < PS_NSTR; i++) {
		if (i == PS_NAME_LABEL || strcmp(file, ps_labels[i]))
			continue;
		free(ps->str[i]);
		ps->str[i] = *text ? xstrdup(text) : NULL;
	}
	return 0;
}

static bool ps_is_regular(int dir, const struct dirent *d)
{
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_REG;
	return fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Reads every regular file of the supply's directory root/<name>. */
static int ps_read_supply(int root, struct ps_supply *ps)
{
	struct buf text = BUF_INIT;
	struct dirent *d;
	DIR *dir;
	int fd, rc = 0;

	fd = openat(root, ps->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while (rc >= 0 && (d = readdir(dir))) {
		if (!ps_is_regular(dirfd(dir), d))
			continue;
		rc = ps_read_attr(dirfd(dir), d->d_name, &text);
		if (rc > 0)
			rc = ps_store(ps, d->d_name, buf_cstr(&text));
		if (rc < 0)
			log_debug("power supply attribute unreadable", "supply",
				  ps->name, "attribute", d->d_name, "err",
				  strerror(-rc));
	}
	closedir(dir);
	buf_release(&text);
	return rc < 0 ? rc : 0;
}

static void ps_release(struct ps_supply *ps)
{
	free(ps->name);
	for (size_t i = 0; i < PS_NSTR; i++)
		free(ps->str[i]);
}

static void ps_release_all(struct ps_supply *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ps_release(&v[i]);
	free(v);
}

/*
 * Reads every supply under root (each entry must be a directory), then
 * drops those the ignore pattern matches. Returns how many are in *out
 * (unsorted), or a negative errno.
 */
static long ps_read_all(const char *root, const regex_t *ignored,
			struct ps_supply **out)
{
	struct ps_supply *v = NULL;
	size_t n = 0, cap = 0, kept = 0;
	struct dirent *d;
	DIR *dir = opendir(root);
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n] = (struct ps_supply){ .name = xstrdup(d->d_name) };
		err = ps_read_supply(dirfd(dir), &v[n++]);
	}
	closedir(dir);
	if (err) {
		ps_release_all(v, n);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		if (ignored && re_matches(ignored, v[i].name))
			ps_release(&v[i]);
		else
			v[kept++] = v[i];
	}
	*out = v;
	return (long)kept;
}

/* ---- writing ------------------------------------------------------------ */

static int ps_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ps_supply *)a)->name,
		      ((const struct ps_supply *)b)->name);
}

static double ps_value(enum ps_scale scale, int64_t v)
{
	if (scale == PS_MICRO)
		return (double)v / 1e6;
	if (scale == PS_DECI)
		return (double)v / 10.0;
	return (double)v;
}

static void ps_write_num(struct expo *w, const struct ps_supply *v, size_t n,
			 size_t attr)
{
	const struct ps_num *a = &ps_nums[attr];
	bool declared = false;

	if (a->scale == PS_HIDDEN)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].have[attr])
			continue;
		if (!declared)
			expo_family(w, &a->desc);
		declared = true;
		expo_sample(w, ps_value(a->scale, v[i].num[attr]), v[i].name);
	}
}

/* Fills the supply's info labels: the non-empty ones, in name order. */
static void ps_info_labels(struct ps_supply *ps)
{
	ps->nlabels = 0;
	for (size_t i = 0; i < PS_NSTR; i++) {
		const char *val = i == PS_NAME_LABEL ? ps->name : ps->str[i];

		if (!val || !*val)
			continue;
		ps->lnames[ps->nlabels] = ps_labels[i];
		ps->lvalues[ps->nlabels++] = val;
	}
}

/*
 * Upstream's order for samples whose label sets differ: fewer labels
 * first, then label values compared position by position.
 */
static int ps_info_cmp(const void *a, const void *b)
{
	const struct ps_supply *x = *(const struct ps_supply *const *)a;
	const struct ps_supply *y = *(const struct ps_supply *const *)b;

	if (x->nlabels != y->nlabels)
		return x->nlabels < y->nlabels ? -1 : 1;
	for (size_t i = 0; i < x->nlabels; i++) {
		int c = strcmp(x->lvalues[i], y->lvalues[i]);

		if (c)
			return c;
	}
	return 0;
}

static void ps_write_info(struct expo *w, struct ps_supply *v, size_t n)
{
	struct ps_supply **by = calloc(n, sizeof(*by));

	if (!by)
		abort();
	for (size_t i = 0; i < n; i++) {
		ps_info_labels(&v[i]);
		by[i] = &v[i];
	}
	qsort(by, n, sizeof(*by), ps_info_cmp);
	expo_family(w, &info_desc);
	for (size_t i = 0; i < n; i++)
		expo_sample_raw(w, "", by[i]->lnames, by[i]->lvalues,
				by[i]->nlabels, 1);
	free(by);
}

/* All families in name order, node_power_supply_info among them. */
static void ps_write(struct expo *w, struct ps_supply *v, size_t n)
{
	bool info_done = false;

	qsort(v, n, sizeof(*v), ps_name_cmp);
	for (size_t i = 0; i < PS_NNUM; i++) {
		const char *name = ps_nums[i].desc.name;

		if (!info_done && name && strcmp(name, info_desc.name) > 0) {
			ps_write_info(w, v, n);
			info_done = true;
		}
		ps_write_num(w, v, n, i);
	}
	if (!info_done)
		ps_write_info(w, v, n);
}

static int powersupplyclass_collect(const struct collect_ctx *ctx,
				    struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT;
	struct ps_supply *v = NULL;
	long n;

	n = ps_read_all(fs_join(&root, cfg->sysfs, PS_DIR), ctx->state, &v);
	buf_release(&root);
	if (n == -ENOENT)
		return -ENODATA;
	if (n < 0)
		return (int)n;
	if (n > 0)
		ps_write(w, v, (size_t)n);
	ps_release_all(v, (size_t)n);
	return 0;
}

/* ---- life cycle ------------------------------------------------------------ */

/* The state is the compiled ignore pattern, or NULL when there is none. */
static int powersupplyclass_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	const char *pattern = cfg->powersupply_ignored;
	regex_t *re;
	bool compiled;

	*state = NULL;
	if (!pattern || !*pattern)
		return 0;
	re = malloc(sizeof(*re));
	if (!re)
		abort();
	if (device_pattern_compile(re, &compiled, pattern,
				   "collector.powersupply.ignored-supplies")) {
		free(re);
		return -EINVAL;
	}
	*state = re;
	return 0;
}

static void powersupplyclass_release(void *state)
{
	if (!state)
		return;
	regfree(state);
	free(state);
}

const struct collector powersupplyclass_collector = {
	.name = "powersupplyclass",
	.enabled_by_default = true,
	.init = powersupplyclass_init,
	.collect = powersupplyclass_collect,
	.release = powersupplyclass_release,
};
