/*
 * zfs: the ZFS kstats under /proc/spl/kstat/zfs, as node_exporter 1.5's
 * zfs collector reports them: every uint64 of the subsystem files as an
 * untyped node_zfs_<subsystem>_<name> whose HELP is the kstat path, the
 * pools' io counters (node_zfs_zpool_*{zpool}), their datasets' objset
 * counters (node_zfs_zpool_dataset_*{dataset,zpool}) and their state
 * (node_zfs_zpool_state{state,zpool}).
 *
 * Without /proc/spl/kstat/zfs there is nothing to report (-ENODATA); a
 * subsystem file that is absent is skipped (ZFS adds them over versions).
 * Where upstream crashes or fails the whole scrape at gather time (an io
 * row shorter than its header, a name that is no valid metric name, two
 * names that clean to one), the collector fails or drops that value
 * instead (README).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "node.h"
#include "node_parse.h"
#include "sys_parse.h"
#include "zfs_parse.h"

#define ZFS_WORDS_MAX 64

/* ---- parsers ---------------------------------------------------------------- */

static bool is_header(const struct node_word *w, size_t n)
{
	return n == 3 && node_word_is(w[0], "name") && node_word_is(w[1], "type") &&
	       node_word_is(w[2], "data");
}

int zfs_parse_kstat(const char *text, int objset, zfs_value_fn fn, void *arg)
{
	char dataset[256] = "";
	bool started = false, named = false;

	for (const char *p = text; *p;) {
		const char *end = node_line_end(p);
		struct node_word w[ZFS_WORDS_MAX];
		size_t n = node_split_words(p, end, w, ZFS_WORDS_MAX);
		uint64_t v;

		p = *end ? end + 1 : end;
		if (!started) {
			started = is_header(w, n);
			continue;
		}
		if (n < 3)
			continue;
		if (objset && node_word_is(w[0], "dataset_name")) {
			size_t len = w[2].len < sizeof(dataset) ? w[2].len
								: sizeof(dataset) - 1;
			memcpy(dataset, w[2].s, len);
			dataset[len] = '\0';
			named = true;
			continue;
		}
		if (!node_word_is(w[1], "4"))
			continue;
		if (!go_parse_uint(w[2].s, w[2].len, 10, 64, &v))
			return -EINVAL;
		fn(arg, w[0].s, w[0].len, named ? dataset : NULL, v);
	}
	return started ? 0 : -EINVAL;
}

int zfs_parse_pool_io(const char *text, zfs_value_fn fn, void *arg)
{
	struct node_word head[ZFS_WORDS_MAX];
	size_t nhead = 0;

	for (const char *p = text; *p;) {
		const char *end = node_line_end(p);
		struct node_word w[ZFS_WORDS_MAX];
		size_t n = node_split_words(p, end, w, ZFS_WORDS_MAX);
		uint64_t v;

		p = *end ? end + 1 : end;
		if (!nhead) {
			if (n >= 12 && n <= ZFS_WORDS_MAX && node_word_is(w[0], "nread")) {
				memcpy(head, w, n * sizeof(*w));
				nhead = n;
			}
			continue;
		}
		/* Upstream indexes the row by the header: a short row panics it. */
		if (n < nhead)
			return -EINVAL;
		for (size_t i = 0; i < nhead; i++) {
			if (!go_parse_uint(w[i].s, w[i].len, 10, 64, &v))
				return -EINVAL;
			fn(arg, head[i].s, head[i].len, "", v);
		}
	}
	return 0;
}

void zfs_parse_pool_state(const char *text, char *out, size_t size)
{
	size_t n = strcspn(text, "\n");

	if (n && text[n - 1] == '\r')
		n--;
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)text[i]);
	out[n] = '\0';
}

/* ---- samples ----------------------------------------------------------------- */

struct zfs_sample {
	char *name, *help;
	enum metric_type type;
	int kind;		/* enum zfs_kind: which labels */
	char *label[3];		/* label values in label-name order, then NULL */
	double value;
};

enum zfs_kind { ZFS_PLAIN, ZFS_POOL, ZFS_DATASET, ZFS_STATE };

static const char *const *const kind_labels[] = {
	NULL, LABELS("zpool"), LABELS("dataset", "zpool"), LABELS("state", "zpool"),
};

struct zfs_samples {
	struct zfs_sample *v;
	size_t n, cap;
};

/* What a parser callback needs to file a value. */
struct zfs_ctx {
	struct zfs_samples *out;
	const char *subsystem;	/* "zfs_arc", "zfs_zpool", ... */
	const char *kstat;	/* "arcstats", "io", "objset" */
	enum zfs_kind kind;
	const char *pool;
};

static char *dup_or_die(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		abort();
	return d;
}

static struct zfs_sample *add_sample(struct zfs_samples *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	return &s->v[s->n++];
}

/* The metric name: the part after the last '.', '-' as '_'. */
static void on_value(void *arg, const char *name, size_t len,
		     const char *dataset, uint64_t value)
{
	struct zfs_ctx *c = arg;
	struct buf b = BUF_INIT;
	const char *tail = name;
	struct zfs_sample *s;

	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			tail = name + i + 1;
	buf_addf(&b, "node_%s_", c->subsystem);
	for (const char *t = tail; t < name + len; t++)
		buf_addc(&b, *t == '-' ? '_' : *t);
	if (!expo_valid_metric_name(buf_cstr(&b))) {
		buf_release(&b);
		return;
	}
	s = add_sample(c->out);
	s->name = buf_detach(&b, NULL);
	buf_addf(&b, "kstat.zfs.misc.%s.%.*s", c->kstat, (int)len, name);
	s->help = buf_detach(&b, NULL);
	s->type = METRIC_UNTYPED;
	s->kind = c->kind;
	s->value = (double)value;
	if (c->kind == ZFS_POOL) {
		s->label[0] = dup_or_die(c->pool, strlen(c->pool));
	} else if (c->kind == ZFS_DATASET) {
		/* Upstream learns pool and dataset from the dataset_name row. */
		const char *pool = dataset ? c->pool : "";

		dataset = dataset ? dataset : "";
		s->label[0] = dup_or_die(dataset, strlen(dataset));
		s->label[1] = dup_or_die(pool, strlen(pool));
	}
}

static void add_states(struct zfs_samples *out, const char *pool,
		       const char *state)
{
	static const char *const states[] = {
		"online", "degraded", "faulted", "offline", "removed", "unavail",
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		struct zfs_sample *s = add_sample(out);

		s->name = dup_or_die("node_zfs_zpool_state", 20);
		s->help = dup_or_die("kstat.zfs.misc.state", 20);
		s->type = METRIC_GAUGE;
		s->kind = ZFS_STATE;
		s->label[0] = dup_or_die(states[i], strlen(states[i]));
		s->label[1] = dup_or_die(pool, strlen(pool));
		s->value = !strcmp(state, states[i]);
	}
}

/* ---- reading ------------------------------------------------------------------ */

/* Upstream's subsystems and their files (1.5 has no dbufstats). */
static const struct { const char *subsystem, *file; } subsystems[] = {
	{ "zfs_abd", "abdstats" },
	{ "zfs_arc", "arcstats" },
	{ "zfs_dmu_tx", "dmu_tx" },
	{ "zfs_dnode", "dnodestats" },
	{ "zfs_fm", "fm" },
	{ "zfs_vdev_cache", "vdev_cache_stats" },
	{ "zfs_vdev_mirror", "vdev_mirror_stats" },
	{ "zfs_xuio", "xuio_stats" },
	{ "zfs_zfetch", "zfetchstats" },
	{ "zfs_zil", "zil" },
};

static int read_subsystems(const char *root, struct zfs_samples *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]) && !rc; i++) {
		struct zfs_ctx c = { out, subsystems[i].subsystem, subsystems[i].file,
				     ZFS_PLAIN, NULL };

		if (fs_read_file(fs_join(&path, root, subsystems[i].file), &text,
				 FS_READ_MAX))
			continue;
		rc = zfs_parse_kstat(buf_cstr(&text), 0, on_value, &c);
	}
	buf_release(&text);
	buf_release(&path);
	return rc;
}

/* A pool's io, objset-* and state files. */
static int read_pool(const char *dir, const char *pool, int pass,
		     struct zfs_samples *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char **names;
	int n, rc = 0;
	char state[64];

	if (pass == 0) {
		struct zfs_ctx c = { out, "zfs_zpool", "io", ZFS_POOL, pool };

		if (!fs_read_file(fs_join(&path, dir, "io"), &text, FS_READ_MAX))
			rc = zfs_parse_pool_io(buf_cstr(&text), on_value, &c);
	} else if (pass == 1) {
		struct zfs_ctx c = { out, "zfs_zpool_dataset", "objset", ZFS_DATASET,
				     pool };

		n = sys_list_dir(dir, false, &names);
		for (int i = 0; i < n && !rc; i++) {
			if (strncmp(names[i], "objset-", 7))
				continue;
			rc = fs_read_file(fs_join(&path, dir, names[i]), &text,
					  FS_READ_MAX);
			if (!rc)
				rc = zfs_parse_kstat(buf_cstr(&text), 1, on_value, &c);
		}
		if (n >= 0)
			fs_names_free(names, (size_t)n);
	} else if (!fs_read_file(fs_join(&path, dir, "state"), &text, FS_READ_MAX)) {
		zfs_parse_pool_state(buf_cstr(&text), state, sizeof(state));
		add_states(out, pool, state);
	}
	buf_release(&text);
	buf_release(&path);
	return rc;
}

/* ---- writing ------------------------------------------------------------------ */

static int sample_cmp(const void *x, const void *y)
{
	const struct zfs_sample *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	for (int i = 0; !c && i < 2 && a->label[i] && b->label[i]; i++)
		c = strcmp(a->label[i], b->label[i]);
	return c;
}

static bool same_sample(const struct zfs_sample *a, const struct zfs_sample *b)
{
	return !sample_cmp(a, b) && a->kind == b->kind;
}

static void zfs_write(struct expo *w, struct zfs_samples *s)
{
	struct metric_desc d = { 0 };

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), sample_cmp);
	for (size_t i = 0; i < s->n; i++) {
		const struct zfs_sample *x = &s->v[i];

		if (i && !strcmp(s->v[i - 1].name, x->name)) {
			/* Two kstats that clean to one series: keep the first;
			 * one name of two kinds: not writable as one family. */
			if (same_sample(&s->v[i - 1], x) || s->v[i - 1].kind != x->kind)
				continue;
		} else {
			d = (struct metric_desc){ x->name, x->help, x->type,
						  kind_labels[x->kind] };
			expo_family(w, &d);
		}
		expo_samplev(w, x->kind == ZFS_PLAIN ? NULL
						     : (const char *const *)x->label,
			     x->value);
	}
}

static void zfs_samples_release(struct zfs_samples *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].help);
		for (int l = 0; l < 3; l++)
			free(s->v[i].label[l]);
	}
	free(s->v);
}

static int zfs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT, dir = BUF_INIT;
	struct zfs_samples samples = { 0 };
	char **names;
	int n = sys_list_dir(fs_join(&root, cfg->procfs, "spl/kstat/zfs"), false,
			     &names);
	int rc = n < 0 ? -ENODATA : read_subsystems(buf_cstr(&root), &samples);

	/* Pools in upstream's order: every io, then objsets, then states. */
	for (int pass = 0; pass < 3 && !rc; pass++) {
		for (int i = 0; i < n && !rc; i++) {
			fs_join(&dir, buf_cstr(&root), names[i]);
			rc = read_pool(buf_cstr(&dir), names[i], pass, &samples);
		}
	}
	if (n >= 0)
		fs_names_free(names, (size_t)n);
	if (!rc)
		zfs_write(w, &samples);
	zfs_samples_release(&samples);
	buf_release(&dir);
	buf_release(&root);
	return rc;
}

const struct collector zfs_collector = {
	.name = "zfs",
	.enabled_by_default = true,
	.collect = zfs_collect,
};
