/*
 * rapl: the energy counters of the powercap zones under /sys/class/powercap
 * (Intel RAPL), as node_exporter 1.5's rapl collector reports them: one
 * node_rapl_<zone>_joules_total family per zone name, or with
 * --collector.rapl.enable-zone-label one node_rapl_joules_total family with
 * the zone in a rapl_zone label.
 *
 * A zone is any entry of the directory with a readable "name" file; its
 * max_energy_range_uj must parse (procfs reads it) and its energy_uj is the
 * value. No powercap directory, or one that cannot be read, is "no data",
 * as is an energy_uj only root may read (recent kernels); any other failure
 * fails the collector.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "hw1_parse.h"
#include "node.h"

#define POWERCAP_DIR "class/powercap"

static const struct metric_desc zone_label_desc = {
	.name = "node_rapl_joules_total",
	.help = "Current RAPL value in joules",
	.type = METRIC_COUNTER,
	.labels = LABELS("index", "path", "rapl_zone"),
};

static const char *const index_path[] = { "index", "path", NULL };

/* One zone; the sizes are offsets of NUL-terminated strings in strs. */
struct rapl_zone {
	size_t name;	/* without its "-N" index */
	size_t family;	/* node_rapl_<name>_joules_total */
	size_t help;
	size_t path;
	size_t index;	/* decimal */
	double joules;
	bool dropped;	/* its family came first with another help text */
};

struct rapl_zones {
	struct buf strs;
	struct rapl_zone *v;
	size_t n, cap;
};

bool rapl_split_index(const char *name, size_t len, size_t *base_len,
		      int64_t *index)
{
	const char *dash = memchr(name, '-', len);
	size_t rest;

	*base_len = len;
	if (!dash)
		return false;
	rest = len - (size_t)(dash - name) - 1;
	if (memchr(dash + 1, '-', rest))
		return false;
	if (!go_parse_int(dash + 1, rest, 10, index))
		return false;
	*base_len = (size_t)(dash - name);
	return true;
}

static bool name_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

void rapl_family_name(const char *name, size_t len, struct buf *out)
{
	const char *s = name;
	size_t n = len;

	buf_adds(out, "node_rapl_");
	for (size_t i = 0; i < n;) {
		size_t j = i, k;

		/* A run: underscores, bad bytes (at least one), underscores. */
		while (j < n && s[j] == '_')
			j++;
		k = j;
		while (k < n && !name_byte(s[k]))
			k++;
		if (k > j) {
			while (k < n && s[k] == '_')
				k++;
			buf_addc(out, '_');
			i = k;
		} else {
			buf_add(out, s + i, j - i + (j < n));
			i = j + (j < n);
		}
	}
	buf_adds(out, "_joules_total");
}

int rapl_parse_uint(const char *text, uint64_t *out)
{
	const char *p;
	size_t n = hw1_trim_space(text, strlen(text), &p);

	return go_parse_uint(p, n, 10, 64, out) ? 0 : -EINVAL;
}

/* Appends the path element at p (up to '/' or the end) to out. */
static size_t clean_copy(const char *p, size_t n, struct buf *out)
{
	size_t k = 0;

	while (k < n && p[k] != '/')
		k++;
	buf_add(out, p, k);
	return k;
}

/*
 * Go's path/filepath.Clean, which procfs applies through filepath.Join:
 * repeated slashes, "." elements and a trailing slash go, ".." removes
 * the element before it (or stays at the start of a relative path).
 */
void rapl_clean_path(const char *path, struct buf *out)
{
	size_t n = strlen(path), r = 0, dotdot = 0, start = out->len;
	bool rooted = n && path[0] == '/';

	if (rooted) {
		buf_addc(out, '/');
		r = dotdot = 1;
	}
	dotdot += start;
	while (r < n) {
		const char *e = path + r;
		bool end1 = r + 1 == n || e[1] == '/';

		if (e[0] == '/' || (e[0] == '.' && end1)) {
			r++;
		} else if (e[0] == '.' && e[1] == '.' &&
			   (r + 2 == n || e[2] == '/')) {
			r += 2;
			if (out->len > dotdot) {
				size_t w = out->len - 1;

				while (w > dotdot && out->data[w] != '/')
					w--;
				buf_truncate(out, w);
			} else if (!rooted) {
				if (out->len > start)
					buf_addc(out, '/');
				buf_adds(out, "..");
				dotdot = out->len;
			}
		} else {
			if (out->len > start + (rooted ? 1 : 0))
				buf_addc(out, '/');
			r += clean_copy(e, n - r, out);
		}
	}
	if (out->len == start)
		buf_addc(out, '.');
}

static size_t strs_add(struct buf *b, const char *s, size_t len)
{
	size_t at = b->len;

	buf_add(b, s, len);
	buf_addc(b, '\0');
	return at;
}

/*
 * How many zones named base were seen, as procfs's countNameUsages map:
 * the last stored index + 1 of the earlier zone with that name, or 0.
 */
static int64_t name_count(const struct rapl_zones *z, const char *base,
			  const int64_t *next)
{
	for (size_t i = z->n; i-- > 0;)
		if (!strcmp(z->strs.data + z->v[i].name, base))
			return next[i];
	return 0;
}

/* Reads <path>/<file> whole and parses it as a counter. */
static int read_counter(const char *path, const char *file, uint64_t *out)
{
	struct buf p = BUF_INIT, text = BUF_INIT;
	int err;

	buf_addf(&p, "%s/%s", path, file);
	err = fs_read_file(buf_cstr(&p), &text, FS_READ_MAX);
	if (!err)
		err = rapl_parse_uint(buf_cstr(&text), out);
	buf_release(&text);
	buf_release(&p);
	return err;
}

static struct rapl_zone *zone_new(struct rapl_zones *z, int64_t **next)
{
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		struct rapl_zone *v = realloc(z->v, cap * sizeof(*v));
		int64_t *nx = realloc(*next, cap * sizeof(*nx));

		if (!v || !nx)
			abort();
		z->v = v;
		*next = nx;
		z->cap = cap;
	}
	return &z->v[z->n];
}

/*
 * Adds the zone in directory entry ent of dir, if it has a name file:
 * names it and its family as procfs and node_exporter do, and checks its
 * max_energy_range_uj. next[] keeps each zone's index + 1 for name_count.
 */
static int zone_add(struct rapl_zones *z, int64_t **next, const char *dir,
		    const char *ent)
{
	struct buf path = BUF_INIT, text = BUF_INIT, tmp = BUF_INIT;
	struct rapl_zone *r;
	const char *name;
	size_t len, base;
	int64_t index;
	uint64_t max;
	int err;

	buf_addf(&tmp, "%s/%s", dir, ent);
	rapl_clean_path(buf_cstr(&tmp), &path);
	buf_truncate(&tmp, 0);
	buf_addf(&tmp, "%s/name", buf_cstr(&path));
	err = fs_read_file(buf_cstr(&tmp), &text, FS_READ_MAX);
	if (err) {
		err = 0;	/* not a zone */
		goto out;
	}
	len = hw1_trim_space(buf_cstr(&text), text.len, &name);
	err = read_counter(buf_cstr(&path), "max_energy_range_uj", &max);
	if (err)
		goto out;
	r = zone_new(z, next);
	if (!rapl_split_index(name, len, &base, &index)) {
		buf_truncate(&tmp, 0);
		buf_add(&tmp, name, len);
		index = name_count(z, buf_cstr(&tmp), *next);
	}
	r->name = strs_add(&z->strs, name, base);
	buf_truncate(&tmp, 0);
	rapl_family_name(name, base, &tmp);
	r->family = strs_add(&z->strs, tmp.data, tmp.len);
	buf_truncate(&tmp, 0);
	buf_addf(&tmp, "Current RAPL %s value in joules",
		 z->strs.data + r->name);
	r->help = strs_add(&z->strs, tmp.data, tmp.len);
	r->path = strs_add(&z->strs, path.data, path.len);
	buf_truncate(&tmp, 0);
	buf_addf(&tmp, "%" PRId64, index);
	r->index = strs_add(&z->strs, tmp.data, tmp.len);
	r->dropped = false;
	(*next)[z->n] = index + 1;
	z->n++;
out:
	buf_release(&tmp);
	buf_release(&text);
	buf_release(&path);
	return err;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Lists the entries of dir sorted by name, as Go's ReadDir does. Returns
 * the count, or a negative errno when dir cannot be opened or read.
 */
static long list_dir(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*names = NULL;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n] = strdup(e->d_name);
		if (!v[n++])
			abort();
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_bytes);
	*names = v;
	return (long)n;
}

/*
 * Two zone names can sanitize to one family name ("a.b", "a-b") with two
 * help texts; Go's registry keeps the family's first help and drops the
 * samples that disagree, so the later zones are dropped here.
 */
static void mark_conflicts(struct rapl_zones *z)
{
	const char *s = z->strs.data;

	for (size_t i = 0; i < z->n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s + z->v[i].family, s + z->v[j].family))
				continue;
			z->v[i].dropped =
				strcmp(s + z->v[i].help, s + z->v[j].help) != 0;
			break;
		}
	}
}

/* Finds the zones, then reads each zone's energy, as upstream in order. */
static int zones_read(const char *dir, struct rapl_zones *z)
{
	int64_t *next = NULL;
	char **names;
	long n = list_dir(dir, &names);
	int err = 0;

	if (n == -ENOENT || n == -EACCES || n == -EPERM)
		return -ENODATA;
	if (n < 0)
		return (int)n;
	for (long i = 0; i < n && !err; i++)
		err = zone_add(z, &next, dir, names[i]);
	for (size_t i = 0; i < z->n && !err; i++) {
		uint64_t uj = 0;

		err = read_counter(z->strs.data + z->v[i].path, "energy_uj",
				   &uj);
		if (err == -EACCES || err == -EPERM)
			err = -ENODATA;
		z->v[i].joules = (double)uj / 1e6;
	}
	mark_conflicts(z);
	fs_names_free(names, (size_t)n);
	free(next);
	return err;
}

static int cmp_field(const struct rapl_zone *x, const struct rapl_zone *y,
		     const char *s, size_t off)
{
	return strcmp(s + *(const size_t *)((const char *)x + off),
		      s + *(const size_t *)((const char *)y + off));
}

/* Family, then label values in label-name order, as Go sorts them. */
static int zone_cmp(const void *a, const void *b, void *strs)
{
	const struct rapl_zone *x = a, *y = b;
	int c = cmp_field(x, y, strs, offsetof(struct rapl_zone, family));

	if (!c)
		c = cmp_field(x, y, strs, offsetof(struct rapl_zone, index));
	if (!c)
		c = cmp_field(x, y, strs, offsetof(struct rapl_zone, path));
	if (!c)
		c = cmp_field(x, y, strs, offsetof(struct rapl_zone, name));
	return c;
}

static int zone_cmp_labels(const void *a, const void *b, void *strs)
{
	const struct rapl_zone *x = a, *y = b;
	int c = cmp_field(x, y, strs, offsetof(struct rapl_zone, index));

	if (!c)
		c = cmp_field(x, y, strs, offsetof(struct rapl_zone, path));
	if (!c)
		c = cmp_field(x, y, strs, offsetof(struct rapl_zone, name));
	return c;
}

/* One family per zone name; descs[] lives until the writer is done. */
static void write_per_name(struct expo *w, struct rapl_zones *z,
			   struct metric_desc *descs)
{
	const char *s = z->strs.data, *family = "";

	qsort_r(z->v, z->n, sizeof(*z->v), zone_cmp, z->strs.data);
	for (size_t i = 0; i < z->n; i++) {
		const struct rapl_zone *r = &z->v[i];

		if (r->dropped)
			continue;
		if (strcmp(s + r->family, family)) {
			family = s + r->family;
			descs[i] = (struct metric_desc){
				.name = s + r->family, .help = s + r->help,
				.type = METRIC_COUNTER, .labels = index_path,
			};
			expo_family(w, &descs[i]);
		}
		expo_sample(w, r->joules, s + r->index, s + r->path);
	}
}

static void write_zone_label(struct expo *w, struct rapl_zones *z)
{
	const char *s = z->strs.data;

	qsort_r(z->v, z->n, sizeof(*z->v), zone_cmp_labels, z->strs.data);
	expo_family(w, &zone_label_desc);
	for (size_t i = 0; i < z->n; i++)
		expo_sample(w, z->v[i].joules, s + z->v[i].index,
			    s + z->v[i].path, s + z->v[i].name);
}

static int rapl_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct rapl_zones z = { BUF_INIT, NULL, 0, 0 };
	struct metric_desc *descs = NULL;
	struct buf dir = BUF_INIT;
	int err;

	err = zones_read(fs_join(&dir, cfg->sysfs, POWERCAP_DIR), &z);
	if (!err && z.n && cfg->rapl_zone_label) {
		write_zone_label(w, &z);
	} else if (!err && z.n) {
		descs = calloc(z.n, sizeof(*descs));
		if (!descs)
			abort();
		write_per_name(w, &z, descs);
	}
	free(descs);
	buf_release(&dir);
	buf_release(&z.strs);
	free(z.v);
	return err;
}

const struct collector rapl_collector = {
	.name = "rapl",
	.enabled_by_default = true,
	.collect = rapl_collect,
};
