/*
 * cpu: per-CPU time from the cpuN lines of /proc/stat, and the thermal
 * throttle counters of /sys/devices/system/cpu/cpu*, as node_exporter 1.5's
 * cpu collector exposes them on Linux (guest time on; cpu info with
 * --collector.cpu.info, in cpu_info.c).
 *
 * Like upstream, the collector keeps the last values it exposed and never
 * lets a counter go down: some kernels let iowait (and, after a CPU is
 * hot-plugged, everything) step backwards, which a counter must not do. An
 * idle time that drops by 3 s or more is taken as a new CPU and restarts it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_info.h"
#include "fsutil.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

/* Upstream's jumpBackSeconds. */
#define CPU_JUMP_BACK_SECONDS 3.0

/* sysfs attributes are a line; anything longer is not one of them. */
#define SYSFS_ATTR_MAX 4096

static const struct metric_desc seconds_desc = {
	.name = "node_cpu_seconds_total",
	.help = "Seconds the CPUs spent in each mode.",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu", "mode"),
};

static const struct metric_desc guest_desc = {
	.name = "node_cpu_guest_seconds_total",
	.help = "Seconds the CPUs spent in guests (VMs) for each mode.",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu", "mode"),
};

static const struct metric_desc core_throttles_desc = {
	.name = "node_cpu_core_throttles_total",
	.help = "Number of times this CPU core has been throttled.",
	.type = METRIC_COUNTER,
	.labels = LABELS("core", "package"),
};

static const struct metric_desc package_throttles_desc = {
	.name = "node_cpu_package_throttles_total",
	.help = "Number of times this CPU package has been throttled.",
	.type = METRIC_COUNTER,
	.labels = LABELS("package"),
};

struct mode_name {
	const char *name;
	enum cpu_mode mode;
};

/* Modes of node_cpu_seconds_total, sorted by name as upstream prints them. */
static const struct mode_name seconds_modes[] = {
	{ "idle", CPU_IDLE },	    { "iowait", CPU_IOWAIT },
	{ "irq", CPU_IRQ },	    { "nice", CPU_NICE },
	{ "softirq", CPU_SOFTIRQ }, { "steal", CPU_STEAL },
	{ "system", CPU_SYSTEM },   { "user", CPU_USER },
};

/* Guest time is also counted in user and nice; upstream splits it out. */
static const struct mode_name guest_modes[] = {
	{ "nice", CPU_GUEST_NICE },
	{ "user", CPU_GUEST },
};

#define NMODES(a) (sizeof(a) / sizeof((a)[0]))

/* One core's or one package's throttle count (core unused for packages). */
struct throttle {
	uint64_t package, core, count;
};

struct throttles {
	struct throttle *v;
	size_t n, cap;
};

struct cpu_state {
	struct cpu_stats seen;	/* values last exposed, sorted by id */
};

/* Grows a {v, n, cap} array by one element; aborts on out-of-memory. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv = realloc(v, ncap * size);

	if (!nv)
		abort();
	*cap = ncap;
	return nv;
}

/* ---- /proc/stat ---------------------------------------------------------- */

/* Parses "cpuN" into N; "cpu" alone is the aggregate line, which we skip. */
static int cpu_parse_id(struct node_word w, uint32_t *id, bool *aggregate)
{
	const char *p = w.s + 3;
	uint64_t v;

	*aggregate = w.len == 3;
	if (*aggregate)
		return 0;
	if (!node_parse_u64(&p, &v) || p != w.s + w.len || v > UINT32_MAX)
		return -EINVAL;
	*id = (uint32_t)v;
	return 0;
}

/*
 * Parses the numbers of a cpu line into seconds. Fewer than ten columns
 * leave the rest 0 (steal, guest and guest_nice came later); more are
 * ignored, as the Go procfs library's Sscanf does.
 */
static int cpu_parse_times(const char *s, const char *end, double *t)
{
	for (int i = 0; i < CPU_NMODES; i++) {
		uint64_t v;

		t[i] = 0;
		while (s < end && node_is_blank(*s))
			s++;
		if (s == end)
			continue;
		if (!node_parse_u64(&s, &v) || (s < end && !node_is_blank(*s)))
			return -EINVAL;
		t[i] = (double)v / CPU_USER_HZ;
	}
	return 0;
}

/*
 * The entry for CPU id in s, inserted in id order when new; a later line for
 * the same CPU replaces an earlier one, as upstream's map does.
 */
static struct cpu_stat *cpu_slot(struct cpu_stats *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	/* The kernel lists CPUs in ascending order: usually an append. */
	if (s->n && s->v[s->n - 1].id < id)
		lo = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].id == id)
			return &s->v[mid];
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->v = grow(s->v, &s->cap, s->n, sizeof(*s->v));
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	s->n++;
	s->v[lo].id = id;
	return &s->v[lo];
}

/* Parses one line [s, end) of /proc/stat; only cpu lines concern us. */
static int cpu_parse_line(struct cpu_stats *out, const char *s,
			  const char *end, bool *seen_cpu)
{
	struct node_word w[2];
	double t[CPU_NMODES];
	bool aggregate;
	uint32_t id = 0;
	int err;

	/* A line needs a key and a value; upstream skips shorter ones. */
	if (node_split_words(s, end, w, 2) < 2)
		return 0;
	if (w[0].len < 3 || memcmp(w[0].s, "cpu", 3) != 0)
		return 0;
	*seen_cpu = true;
	err = cpu_parse_id(w[0], &id, &aggregate);
	if (!err)
		err = cpu_parse_times(w[0].s + w[0].len, end, t);
	if (!err && !aggregate)
		memcpy(cpu_slot(out, id)->t, t, sizeof(t));
	return err;
}

int cpu_parse_stat(const char *text, struct cpu_stats *out)
{
	bool seen_cpu = false;
	int err = 0;

	for (const char *s = text; *s && !err;) {
		const char *end = node_line_end(s);

		err = cpu_parse_line(out, s, end, &seen_cpu);
		s = *end ? end + 1 : end;
	}
	if (!err && !seen_cpu)
		err = -EINVAL;
	return err;
}

void cpu_stats_release(struct cpu_stats *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- keeping counters monotonic ------------------------------------------ */

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct cpu_stat *)a)->id;
	uint32_t y = ((const struct cpu_stat *)b)->id;

	return (x > y) - (x < y);
}

/*
 * Folds fresh values into the kept ones, field by field, as upstream's
 * updateCPUStats does: a field only moves up, unless idle fell by
 * CPU_JUMP_BACK_SECONDS or more, which restarts that CPU from zero.
 */
static void cpu_fold(struct cpu_stat *kept, const struct cpu_stat *fresh)
{
	if (kept->t[CPU_IDLE] - fresh->t[CPU_IDLE] >= CPU_JUMP_BACK_SECONDS)
		memset(kept->t, 0, sizeof(kept->t));
	for (int i = 0; i < CPU_NMODES; i++)
		if (fresh->t[i] >= kept->t[i])
			kept->t[i] = fresh->t[i];
}

/*
 * Merges a scrape's values into the state. CPUs that vanish stay exposed
 * with their last values, as upstream's map keeps them.
 */
static void cpu_state_update(struct cpu_state *st,
			     const struct cpu_stats *fresh)
{
	struct cpu_stats *seen = &st->seen;
	size_t old_n = seen->n;

	for (size_t i = 0; i < fresh->n; i++) {
		struct cpu_stat *kept = NULL;

		if (old_n)	/* bsearch() wants a real array, even empty */
			kept = bsearch(&fresh->v[i], seen->v, old_n,
				       sizeof(*seen->v), id_cmp);
		if (!kept) {
			seen->v = grow(seen->v, &seen->cap, seen->n,
				       sizeof(*seen->v));
			kept = &seen->v[seen->n++];
			memset(kept, 0, sizeof(*kept));
			kept->id = fresh->v[i].id;
		}
		cpu_fold(kept, &fresh->v[i]);
	}
	if (seen->n != old_n)
		qsort(seen->v, seen->n, sizeof(*seen->v), id_cmp);
}

static int cpu_init(const void *config, void **state)
{
	(void)config;
	*state = calloc(1, sizeof(struct cpu_state));
	return *state ? 0 : -ENOMEM;
}

static void cpu_release(void *state)
{
	struct cpu_state *st = state;

	if (st)
		cpu_stats_release(&st->seen);
	free(st);
}

/* ---- thermal throttles --------------------------------------------------- */

int cpu_parse_sysfs_u64(const char *text, uint64_t *out)
{
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (!node_parse_u64(&p, out))
		return -EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -EINVAL : 0;
}

/* Reads the number in <dir>/<name>/<rel>. */
static int read_u64(struct buf *scratch, const char *dir, const char *name,
		    const char *rel, uint64_t *out)
{
	struct buf text = BUF_INIT;
	int err;

	buf_truncate(scratch, 0);
	buf_addf(scratch, "%s/%s/%s", dir, name, rel);
	err = fs_read_file(buf_cstr(scratch), &text, SYSFS_ATTR_MAX);
	if (!err)
		err = cpu_parse_sysfs_u64(buf_cstr(&text), out);
	buf_release(&text);
	return err;
}

static struct throttle *throttle_find(struct throttles *t, uint64_t package,
				      uint64_t core)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].package == package && t->v[i].core == core)
			return &t->v[i];
	return NULL;
}

static void throttle_add(struct throttles *t, uint64_t package,
			 uint64_t core, uint64_t count)
{
	t->v = grow(t->v, &t->cap, t->n, sizeof(*t->v));
	t->v[t->n++] = (struct throttle){ package, core, count };
}

/*
 * Reads one cpuN directory's throttle counts. Hyper-threads share a core
 * and cores share a package, so each core and each package is read once,
 * from its first CPU that has the file, as upstream does. A CPU without
 * topology is skipped.
 */
static void throttle_read_cpu(struct throttles *cores, struct throttles *pkgs,
			      const char *dir, const char *name,
			      struct buf *scratch)
{
	uint64_t package, core, count;

	/* Most VMs have no thermal_throttle: one access() instead of 4 opens. */
	buf_truncate(scratch, 0);
	buf_addf(scratch, "%s/%s/thermal_throttle", dir, name);
	if (access(buf_cstr(scratch), F_OK) != 0)
		return;
	if (read_u64(scratch, dir, name, "topology/physical_package_id",
		     &package) ||
	    read_u64(scratch, dir, name, "topology/core_id", &core))
		return;
	if (!throttle_find(cores, package, core) &&
	    !read_u64(scratch, dir, name,
		      "thermal_throttle/core_throttle_count", &count))
		throttle_add(cores, package, core, count);
	if (!throttle_find(pkgs, package, 0) &&
	    !read_u64(scratch, dir, name,
		      "thermal_throttle/package_throttle_count", &count))
		throttle_add(pkgs, package, 0, count);
}

/* Gathers the throttle counts of every CPU; absent files add nothing. */
static void throttle_read(const struct node_config *cfg,
			  struct throttles *cores, struct throttles *pkgs)
{
	struct buf dir = BUF_INIT, scratch = BUF_INIT;
	char **names;
	size_t n;

	n = fs_list_numbered(fs_join(&dir, cfg->sysfs, "devices/system/cpu"),
			     "cpu", &names);
	for (size_t i = 0; i < n; i++)
		throttle_read_cpu(cores, pkgs, buf_cstr(&dir), names[i],
				  &scratch);
	fs_names_free(names, n);
	buf_release(&scratch);
	buf_release(&dir);
}

/* ---- writing ------------------------------------------------------------- */

/* Orders numbers as their decimal strings sort ("10" before "2"). */
static int dec_cmp(uint64_t a, uint64_t b)
{
	char x[TEXT_U64_MAX], y[TEXT_U64_MAX];

	return strcmp(text_u64(x, a), text_u64(y, b));
}

static int cpu_label_cmp(const void *a, const void *b)
{
	return dec_cmp((*(const struct cpu_stat *const *)a)->id,
		       (*(const struct cpu_stat *const *)b)->id);
}

/* Samples sort by label values, label names in order: core, then package. */
static int core_cmp(const void *a, const void *b)
{
	const struct throttle *x = a, *y = b;
	int c = dec_cmp(x->core, y->core);

	return c ? c : dec_cmp(x->package, y->package);
}

static int package_cmp(const void *a, const void *b)
{
	return dec_cmp(((const struct throttle *)a)->package,
		       ((const struct throttle *)b)->package);
}

static void write_core_throttles(struct expo *w, struct throttles *t)
{
	char core[TEXT_U64_MAX], pkg[TEXT_U64_MAX];

	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof(*t->v), core_cmp);
	expo_family(w, &core_throttles_desc);
	for (size_t i = 0; i < t->n; i++)
		expo_sample(w, (double)t->v[i].count,
			    text_u64(core, t->v[i].core),
			    text_u64(pkg, t->v[i].package));
}

static void write_package_throttles(struct expo *w, struct throttles *t)
{
	char pkg[TEXT_U64_MAX];

	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof(*t->v), package_cmp);
	expo_family(w, &package_throttles_desc);
	for (size_t i = 0; i < t->n; i++)
		expo_sample(w, (double)t->v[i].count,
			    text_u64(pkg, t->v[i].package));
}

/* Writes one of the time families, a sample per CPU and mode. */
static void write_times(struct expo *w, const struct metric_desc *d,
			const struct mode_name *modes, size_t nmodes,
			const struct cpu_stat *const *cpus, size_t n)
{
	char id[TEXT_U64_MAX];

	expo_family(w, d);
	for (size_t i = 0; i < n; i++) {
		const char *label = text_u64(id, cpus[i]->id);

		for (size_t m = 0; m < nmodes; m++)
			expo_sample(w, cpus[i]->t[modes[m].mode], label,
				    modes[m].name);
	}
}

/* Writes the families in the order upstream's sorted output has them. */
static void cpu_write(struct expo *w, const struct node_config *cfg,
		      const struct cpu_stats *stats, const struct cpu_infos *info,
		      struct throttles *cores, struct throttles *pkgs)
{
	const struct cpu_stat **cpus = calloc(stats->n + 1, sizeof(*cpus));

	if (!cpus)
		abort();
	for (size_t i = 0; i < stats->n; i++)
		cpus[i] = &stats->v[i];
	qsort(cpus, stats->n, sizeof(*cpus), cpu_label_cmp);

	cpu_info_write_bugs(w, cfg, info);
	write_core_throttles(w, cores);
	cpu_info_write_flags(w, cfg, info);
	if (stats->n)
		write_times(w, &guest_desc, guest_modes, NMODES(guest_modes),
			    cpus, stats->n);
	cpu_info_write_info(w, info);
	write_package_throttles(w, pkgs);
	if (stats->n)
		write_times(w, &seconds_desc, seconds_modes,
			    NMODES(seconds_modes), cpus, stats->n);
	free(cpus);
}

/*
 * Reads /proc/stat (required) and the throttle counts (optional), folds the
 * times into the kept state when there is one (init() ran), then writes.
 */
static int cpu_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct cpu_state *st = ctx->state;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct cpu_stats fresh = CPU_STATS_INIT;
	struct throttles cores = { 0 }, pkgs = { 0 };
	struct cpu_infos info = { 0 };
	int err = 0;

	/* Upstream reads cpuinfo first; a bad one fails the collector. */
	if (cpu_info_enabled(cfg))
		err = cpu_info_read(cfg, &info);
	if (!err)
		err = fs_read_file(fs_join(&path, cfg->procfs, "stat"), &text,
				   FS_READ_MAX);
	if (!err)
		err = cpu_parse_stat(buf_cstr(&text), &fresh);
	if (err)
		goto out;
	if (st)
		cpu_state_update(st, &fresh);
	throttle_read(cfg, &cores, &pkgs);
	cpu_write(w, cfg, st ? &st->seen : &fresh, &info, &cores, &pkgs);
out:
	cpu_infos_release(&info);
	free(pkgs.v);
	free(cores.v);
	cpu_stats_release(&fresh);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector cpu_collector = {
	.name = "cpu",
	.enabled_by_default = true,
	.init = cpu_init,
	.collect = cpu_collect,
	.release = cpu_release,
};
