/*
 * cpufreq: each CPU's frequency limits and current frequency from
 * /sys/devices/system/cpu/cpuN/cpufreq, as node_exporter 1.5's cpufreq
 * collector (over the Go procfs library's SystemCpufreq) reports them.
 *
 * The kernel writes kHz; the families are in hertz. A CPU without a
 * cpufreq directory is skipped. A numeric attribute that is missing or
 * forbidden is left out; one that does not parse fails the collector, and
 * so does any unreadable string attribute (the governor, the driver, ...),
 * which upstream reads although 1.5 exposes none of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "hw2_parse.h"
#include "log.h"
#include "node.h"

/* Attributes are one short line; a longer file is not one of them. */
#define CF_ATTR_MAX 4096

#define CPU_DIR "devices/system/cpu"

/* The exposed attributes, in the order of their families' names. */
enum cf_attr {
	CF_CUR, CF_MAX, CF_MIN, CF_SCALING_CUR, CF_SCALING_MAX,
	CF_SCALING_MIN, CF_NATTRS,
};

static const char *const cf_files[CF_NATTRS] = {
	[CF_CUR] = "cpuinfo_cur_freq",
	[CF_MAX] = "cpuinfo_max_freq",
	[CF_MIN] = "cpuinfo_min_freq",
	[CF_SCALING_CUR] = "scaling_cur_freq",
	[CF_SCALING_MAX] = "scaling_max_freq",
	[CF_SCALING_MIN] = "scaling_min_freq",
};

#define CF_DESC(n, h) { .name = "node_cpu_" n, .help = h, \
	.type = METRIC_GAUGE, .labels = LABELS("cpu") }

static const struct metric_desc cf_descs[CF_NATTRS] = {
	[CF_CUR] = CF_DESC("frequency_hertz",
			   "Current cpu thread frequency in hertz."),
	[CF_MAX] = CF_DESC("frequency_max_hertz",
			   "Maximum cpu thread frequency in hertz."),
	[CF_MIN] = CF_DESC("frequency_min_hertz",
			   "Minimum cpu thread frequency in hertz."),
	[CF_SCALING_CUR] = CF_DESC("scaling_frequency_hertz",
				   "Current scaled CPU thread frequency in hertz."),
	[CF_SCALING_MAX] = CF_DESC("scaling_frequency_max_hertz",
				   "Maximum scaled CPU thread frequency in hertz."),
	[CF_SCALING_MIN] = CF_DESC("scaling_frequency_min_hertz",
				   "Minimum scaled CPU thread frequency in hertz."),
};

/* Read and checked as upstream does, never exposed. */
static const char *const cf_unexposed_num = "cpuinfo_transition_latency";
static const char *const cf_string_files[] = {
	"scaling_available_governors", "scaling_driver", "scaling_governor",
	"related_cpus", "scaling_setspeed",
};

struct cf_cpu {
	const char *name;		/* N of cpuN; points into the listing */
	bool have[CF_NATTRS];
	uint64_t khz[CF_NATTRS];
};

/* ---- parsing ------------------------------------------------------------ */

static bool go_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

size_t hw2_trim(const char *text, const char **start)
{
	size_t len;

	while (go_space(*text))
		text++;
	len = strlen(text);
	while (len && go_space(text[len - 1]))
		len--;
	*start = text;
	return len;
}

const char *hw2_trim_into(const char *text, struct buf *out)
{
	const char *s;
	size_t len = hw2_trim(text, &s);

	buf_truncate(out, 0);
	buf_add(out, s, len);
	return buf_cstr(out);
}

int hw2_parse_u64(const char *text, uint64_t *out)
{
	const char *s;
	size_t len = hw2_trim(text, &s);
	uint64_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Reads the numeric attribute dir/file. Returns 1 with *out set, 0 when it
 * is missing or forbidden, or a negative errno (-EINVAL: not a number).
 */
static int cf_read_num(const char *dir, const char *file, struct buf *text,
		       uint64_t *out)
{
	struct buf path = BUF_INIT;
	int err;

	buf_addf(&path, "%s/%s", dir, file);
	err = fs_read_file(buf_cstr(&path), text, CF_ATTR_MAX);
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		err = 0;
	else if (!err)
		err = hw2_parse_u64(buf_cstr(text), out) ? -EINVAL : 1;
	if (err < 0)
		log_debug("cpufreq attribute unreadable", "path",
			  buf_cstr(&path), "err", strerror(-err));
	buf_release(&path);
	return err;
}

/* Reads a string attribute only to fail where upstream fails. */
static int cf_read_str(const char *dir, const char *file, struct buf *text)
{
	struct buf path = BUF_INIT;
	int err;

	buf_addf(&path, "%s/%s", dir, file);
	err = fs_read_file(buf_cstr(&path), text, CF_ATTR_MAX);
	if (err)
		log_debug("cpufreq attribute unreadable", "path",
			  buf_cstr(&path), "err", strerror(-err));
	buf_release(&path);
	return err;
}

/* Reads every attribute of one cpufreq directory into c. */
static int cf_read_cpu(const char *dir, struct cf_cpu *c)
{
	struct buf text = BUF_INIT;
	uint64_t unused;
	int rc = 0;

	for (int i = 0; i < CF_NATTRS && rc >= 0; i++) {
		rc = cf_read_num(dir, cf_files[i], &text, &c->khz[i]);
		c->have[i] = rc > 0;
	}
	if (rc >= 0)
		rc = cf_read_num(dir, cf_unexposed_num, &text, &unused);
	for (size_t i = 0; i < sizeof(cf_string_files) / sizeof(*cf_string_files) &&
			   rc >= 0; i++)
		rc = cf_read_str(dir, cf_string_files[i], &text);
	buf_release(&text);
	return rc < 0 ? rc : 0;
}

/*
 * Reads cpuN/cpufreq for every cpuN (glob order, which is name order) into
 * v[0..n). Returns how many CPUs have a cpufreq directory, or a negative
 * errno.
 */
static long cf_read_all(const char *cpus, char **names, size_t n,
			struct cf_cpu *v)
{
	struct buf dir = BUF_INIT;
	struct stat st;
	long got = 0;
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		buf_truncate(&dir, 0);
		buf_addf(&dir, "%s/%s/cpufreq", cpus, names[i]);
		if (stat(buf_cstr(&dir), &st) != 0) {
			err = errno == ENOENT ? 0 : -errno;
			continue;
		}
		v[got] = (struct cf_cpu){ .name = names[i] + strlen("cpu") };
		err = cf_read_cpu(buf_cstr(&dir), &v[got]);
		got++;
	}
	buf_release(&dir);
	return err ? err : got;
}

/* ---- writing ------------------------------------------------------------ */

static void cf_write(struct expo *w, const struct cf_cpu *v, size_t n)
{
	for (int a = 0; a < CF_NATTRS; a++) {
		bool declared = false;

		for (size_t i = 0; i < n; i++) {
			if (!v[i].have[a])
				continue;
			if (!declared)
				expo_family(w, &cf_descs[a]);
			declared = true;
			expo_sample(w, (double)v[i].khz[a] * 1000.0, v[i].name);
		}
	}
}

static int cpufreq_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf cpus = BUF_INIT;
	struct cf_cpu *v;
	char **names;
	size_t n;
	long got;

	n = fs_list_numbered(fs_join(&cpus, cfg->sysfs, CPU_DIR), "cpu", &names);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		abort();
	got = cf_read_all(buf_cstr(&cpus), names, n, v);
	if (got > 0)
		cf_write(w, v, (size_t)got);
	free(v);
	fs_names_free(names, n);
	buf_release(&cpus);
	return got < 0 ? (int)got : 0;
}

const struct collector cpufreq_collector = {
	.name = "cpufreq",
	.enabled_by_default = true,
	.collect = cpufreq_collect,
};
