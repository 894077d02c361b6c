/*
 * textfile: re-exposes the metrics that other programs leave in *.prom files
 * under --collector.textfile.directory (a directory or a glob of them), as
 * node_exporter's textfile collector does, plus node_textfile_mtime_seconds
 * for every file read and node_textfile_scrape_error.
 *
 * Each file is parsed whole by textparse. A parse error or a client-side
 * timestamp skips the whole file. A clash with the files before it (another
 * TYPE or HELP for a family, a series that is already there) drops just the
 * clashing family or series and keeps the rest of the file, as client_golang
 * does for upstream at gather time; unlike upstream, it also sets
 * node_textfile_scrape_error, so that dropped series do not pass silently
 * (upstream only logs them). Families
 * found in several files become one family, with the first HELP found or
 * upstream's generated one; within a family, a sample lacking a label that
 * others have gets it as "" (upstream fills missing labels the same way).
 * Families come out sorted by name and samples by label values, as
 * client_golang sorts them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "node.h"
#include "text.h"
#include "textparse.h"

#define MTIME_NAME "node_textfile_mtime_seconds"
#define SCRAPE_ERROR_NAME "node_textfile_scrape_error"

/* Label cells (samples x label names) one family may need: a few MiB. */
#define MAX_CELLS (1u << 22)

static const struct metric_desc mtime_desc = {
	.name = MTIME_NAME,
	.help = "Unixtime mtime of textfiles successfully read.",
	.type = METRIC_GAUGE,
	.labels = LABELS("file"),
};

static const struct metric_desc scrape_error_desc = {
	.name = SCRAPE_ERROR_NAME,
	.help = "1 if there was an error opening or reading a file, 0 otherwise",
	.type = METRIC_GAUGE,
};

/* ---- a small hash map of byte strings ------------------------------------ */

struct map_entry {
	char *key;
	size_t len;
	uint64_t hash;
	size_t value;
};

/* Open addressing, at most half full; frees its keys only if owns_keys. */
struct map {
	struct map_entry *v;
	size_t cap, n;
	bool owns_keys;
};

static uint64_t map_hash(const char *s, size_t n)
{
	return text_hash(s, n);
}

static struct map_entry *map_find(const struct map *m, const char *k, size_t n,
				  uint64_t h)
{
	if (!m->cap)
		return NULL;
	for (size_t j = h & (m->cap - 1); m->v[j].key; j = (j + 1) & (m->cap - 1)) {
		struct map_entry *e = &m->v[j];
		if (e->hash == h && e->len == n && memcmp(e->key, k, n) == 0)
			return e;
	}
	return NULL;
}

static void map_put(struct map *m, char *k, size_t n, uint64_t h, size_t value);

static void map_grow(struct map *m)
{
	struct map old = *m;

	m->cap = m->cap ? m->cap * 2 : 64;
	m->n = 0;
	m->v = calloc(m->cap, sizeof(*m->v));
	if (!m->v)
		abort();
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].key)
			map_put(m, old.v[i].key, old.v[i].len, old.v[i].hash,
				old.v[i].value);
	free(old.v);
}

/* Adds a key that is not in the map yet. */
static void map_put(struct map *m, char *k, size_t n, uint64_t h, size_t value)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	size_t j = h & (m->cap - 1);
	while (m->v[j].key)
		j = (j + 1) & (m->cap - 1);
	m->v[j] = (struct map_entry){ k, n, h, value };
	m->n++;
}

static void map_release(struct map *m)
{
	for (size_t i = 0; m->owns_keys && i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	m->v = NULL;
	m->cap = m->n = 0;
}

/* ---- one scrape's worth of files -------------------------------------------- */

/* A family as exposed: the same-named families of every file taken. */
struct tf_family {
	const char *name;
	const char *help;		/* the first HELP seen, or NULL */
	enum metric_type type;
	const struct textparse_family **parts;
	size_t nparts, cap;
	struct buf files;		/* "a.prom, b.prom" for a generated HELP */
};

struct tf_mtime {
	char *path;
	double mtime;
};

struct tf_scrape {
	struct textparse *docs;		/* the files taken; own the strings */
	size_t ndocs, docs_cap;
	struct tf_family *fams;
	size_t nfams, fams_cap;
	struct map by_name;		/* family name -> index in fams */
	struct map series;		/* every series taken (owns its keys) */
	struct tf_mtime *mtimes;
	size_t nmtimes, mtimes_cap;
	bool errored;
	struct buf key;			/* scratch */
	const struct textparse_label **sorted;	/* scratch */
	size_t sorted_cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* Grows an array of elem-sized items so that item n fits. */
static void *grow(void *v, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return v;
	while (n >= *cap)
		*cap = *cap ? *cap * 2 : 8;
	return xrealloc(v, *cap * elem);
}

/* The label summaries key their quantiles on, histograms their buckets. */
static const char *special_label(enum metric_type type)
{
	if (type == METRIC_SUMMARY)
		return "quantile";
	if (type == METRIC_HISTOGRAM)
		return "le";
	return NULL;
}

/*
 * Formats a quantile or le label value as client_golang writes it, with
 * Go's strconv.FormatFloat(v, 'g', -1, 64): the fewest digits that read
 * back as v, in exponent form when the exponent is below -4 or at least 6
 * ("0.0001", "123456", "1e-05", "1e+06"). The label is a string to
 * Prometheus, so "1e+06" and "1000000" would be different series.
 */
static void go_float_label(char out[EXPO_NUMBER_MAX], double v)
{
	char e[EXPO_NUMBER_MAX];
	int prec;
	long exp;

	if (isnan(v) || isinf(v) || v == 0) {
		expo_format_number(out, v);	/* NaN, +Inf, -Inf, 0 (also -0) */
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", prec - 1, v);
	exp = strtol(strchr(e, 'e') + 1, NULL, 10);
	if (exp < -4 || exp >= 6)
		snprintf(out, EXPO_NUMBER_MAX, "%s", e);
	else
		snprintf(out, EXPO_NUMBER_MAX, "%.*f",
			 prec - 1 - (int)exp > 0 ? prec - 1 - (int)exp : 0, v);
}

static int label_ptr_cmp(const void *a, const void *b)
{
	const struct textparse_label *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/*
 * Builds the identity of a sample into s->key: its name and its labels
 * sorted by name, those with empty values left out (Prometheus treats an
 * empty label as an absent one), and quantile/le values spelled as the
 * float they stand for ("0.50" is "0.5").
 */
static void series_key(struct tf_scrape *s, const struct textparse_family *f,
		       const struct textparse_sample *smp)
{
	const char *special = special_label(f->type);
	char num[EXPO_NUMBER_MAX];

	s->sorted = grow(s->sorted, smp->nlabels ? smp->nlabels - 1 : 0,
			 &s->sorted_cap, sizeof(*s->sorted));
	for (size_t i = 0; i < smp->nlabels; i++)
		s->sorted[i] = &smp->labels[i];
	qsort(s->sorted, smp->nlabels, sizeof(*s->sorted), label_ptr_cmp);
	buf_truncate(&s->key, 0);
	buf_add(&s->key, smp->name, strlen(smp->name) + 1);
	for (size_t i = 0; i < smp->nlabels; i++) {
		const struct textparse_label *l = s->sorted[i];
		const char *v = l->value;
		double d;
		if (!*v)
			continue;
		if (special && strcmp(l->name, special) == 0 &&
		    textparse_float(v, strlen(v), &d)) {
			go_float_label(num, d);
			v = num;
		}
		buf_add(&s->key, l->name, strlen(l->name) + 1);
		buf_add(&s->key, v, strlen(v) + 1);
	}
}

static const char *type_word(enum metric_type t)
{
	static const char *const words[] = {
		[METRIC_GAUGE] = "gauge", [METRIC_COUNTER] = "counter",
		[METRIC_UNTYPED] = "untyped", [METRIC_SUMMARY] = "summary",
		[METRIC_HISTOGRAM] = "histogram",
	};
	return words[t];
}

/* Says in why whether family f of a new file clashes with the files taken. */
static int family_check(struct tf_scrape *s, const struct textparse_family *f,
			struct buf *why)
{
	size_t n = strlen(f->name);
	struct map_entry *e = map_find(&s->by_name, f->name, n,
				       map_hash(f->name, n));

	if (strcmp(f->name, MTIME_NAME) == 0 ||
	    strcmp(f->name, SCRAPE_ERROR_NAME) == 0) {
		buf_addf(why, "metric %s is the collector's own", f->name);
		return -1;
	}
	if (!e)
		return 0;
	const struct tf_family *m = &s->fams[e->value];
	if (m->type != f->type) {
		buf_addf(why, "metric %s is a %s here but a %s in an earlier file",
			 f->name, type_word(f->type), type_word(m->type));
		return -1;
	}
	if (m->help && f->help && strcmp(m->help, f->help) != 0) {
		buf_addf(why, "metric %s has a HELP text that differs from an earlier file",
			 f->name);
		return -1;
	}
	return 0;
}

/* Removes family i of doc, freeing its samples (the rest stays in order). */
static void drop_family(struct textparse *doc, size_t i)
{
	free(doc->families[i].samples);
	memmove(&doc->families[i], &doc->families[i + 1],
		(doc->nfamilies - i - 1) * sizeof(doc->families[0]));
	doc->nfamilies--;
}

/*
 * Drops from family f the samples whose series the files taken before (or
 * this file, earlier) already have, noting each in why. Their keys go into
 * local, moved into s->series when the file is taken.
 */
static void drop_duplicate_samples(struct tf_scrape *s, struct textparse_family *f,
				   struct map *local, struct buf *why)
{
	size_t kept = 0;

	for (size_t j = 0; j < f->nsamples; j++) {
		series_key(s, f, &f->samples[j]);
		uint64_t h = map_hash(s->key.data, s->key.len);
		if (map_find(&s->series, s->key.data, s->key.len, h) ||
		    map_find(local, s->key.data, s->key.len, h)) {
			buf_addf(why, "%sline %u: duplicate series of metric %s",
				 why->len ? "; " : "", f->samples[j].line, f->name);
			continue;
		}
		char *k = xrealloc(NULL, s->key.len);
		memcpy(k, s->key.data, s->key.len);
		map_put(local, k, s->key.len, h, 0);
		f->samples[kept++] = f->samples[j];
	}
	f->nsamples = kept;
}

/*
 * Filters a parsed file against the files taken before it, as client_golang
 * does at gather time for upstream: a family that clashes (another TYPE or
 * HELP, or the collector's own name) and a series already there are dropped,
 * the rest of the file is kept. Unlike upstream, every drop is reported in
 * why, so that it counts as a scrape error instead of passing silently.
 */
static void file_filter(struct tf_scrape *s, struct textparse *doc,
			struct map *local, struct buf *why)
{
	for (size_t i = 0; i < doc->nfamilies;) {
		struct textparse_family *f = &doc->families[i];
		struct buf clash = BUF_INIT;
		bool clashes = family_check(s, f, &clash) != 0;
		if (clashes)
			buf_addf(why, "%s%s", why->len ? "; " : "", buf_cstr(&clash));
		else
			drop_duplicate_samples(s, f, local, why);
		buf_release(&clash);
		if (clashes || f->nsamples == 0)
			drop_family(doc, i);
		else
			i++;
	}
}

/* Adds family f of a file being taken to the exposed family of its name. */
static void family_merge(struct tf_scrape *s, const struct textparse_family *f,
			 const char *path)
{
	size_t n = strlen(f->name);
	uint64_t h = map_hash(f->name, n);
	struct map_entry *e = map_find(&s->by_name, f->name, n, h);
	struct tf_family *m;

	if (e) {
		m = &s->fams[e->value];
	} else {
		s->fams = grow(s->fams, s->nfams, &s->fams_cap, sizeof(*s->fams));
		m = &s->fams[s->nfams];
		memset(m, 0, sizeof(*m));
		m->name = f->name;
		m->type = f->type;
		map_put(&s->by_name, (char *)f->name, n, h, s->nfams++);
	}
	if (!m->help)
		m->help = f->help;
	m->parts = grow(m->parts, m->nparts, &m->cap, sizeof(*m->parts));
	m->parts[m->nparts++] = f;
	if (m->files.len)
		buf_adds(&m->files, ", ");
	buf_adds(&m->files, path);
}

/* Takes a checked file: its document, families, series and mtime. */
static void file_take(struct tf_scrape *s, struct textparse *doc,
		      struct map *local, const char *path, double mtime)
{
	s->docs = grow(s->docs, s->ndocs, &s->docs_cap, sizeof(*s->docs));
	s->docs[s->ndocs] = *doc;
	/* The families array is the document's own heap block: it stays put. */
	const struct textparse *d = &s->docs[s->ndocs++];
	for (size_t i = 0; i < d->nfamilies; i++)
		family_merge(s, &d->families[i], path);
	for (size_t i = 0; i < local->cap; i++) {
		struct map_entry *e = &local->v[i];
		if (e->key)
			map_put(&s->series, e->key, e->len, e->hash, 0);
	}
	local->owns_keys = false;	/* moved into s->series */
	s->mtimes = grow(s->mtimes, s->nmtimes, &s->mtimes_cap,
			 sizeof(*s->mtimes));
	s->mtimes[s->nmtimes++] = (struct tf_mtime){ strdup(path), mtime };
	if (!s->mtimes[s->nmtimes - 1].path)
		abort();
}

/*
 * Reads a whole file and its mtime (from the same descriptor). O_NONBLOCK
 * so that a FIFO named *.prom cannot wedge the scrape.
 */
static int read_textfile(const char *path, struct buf *out, double *mtime)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int rc = 0;

	if (fd < 0)
		return -errno;
	buf_truncate(out, 0);
	for (;;) {
		buf_grow(out, 64 * 1024);
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > FS_READ_MAX) {
			rc = -EFBIG;
			break;
		}
	}
	if (!rc && fstat(fd, &st) != 0)
		rc = -errno;
	if (!rc)
		*mtime = (double)st.st_mtim.tv_sec;
	close(fd);
	return rc;
}

/* Reads and parses one file; on failure says why, as upstream words it. */
static int file_load(const char *path, struct buf *text, struct textparse *doc,
		     double *mtime, struct buf *why)
{
	struct buf err = BUF_INIT;
	int rc = read_textfile(path, text, mtime);

	if (rc) {
		buf_addf(why, "failed to open textfile data file \"%s\": %s",
			 path, strerror(-rc));
		return rc;
	}
	rc = textparse_parse(doc, buf_cstr(text), text->len, &err);
	if (rc) {
		buf_addf(why, "failed to parse textfile data from \"%s\": %s",
			 path, buf_cstr(&err));
	} else if (textparse_has_timestamps(doc)) {
		buf_addf(why, "textfile \"%s\" contains unsupported client-side timestamps, skipping entire file",
			 path);
		textparse_release(doc);
		rc = -EINVAL;
	}
	buf_release(&err);
	return rc;
}

/* Loads, checks and takes one file, or logs why not and marks the error. */
static void process_file(struct tf_scrape *s, const char *path,
			 struct buf *text)
{
	struct map local = { .owns_keys = true };
	struct buf why = BUF_INIT;
	struct textparse doc;
	double mtime = 0;

	if (file_load(path, text, &doc, &mtime, &why) == 0) {
		struct buf dropped = BUF_INIT;
		file_filter(s, &doc, &local, &dropped);
		file_take(s, &doc, &local, path, mtime);
		if (dropped.len)
			buf_addf(&why, "textfile \"%s\": dropped %s", path,
				 buf_cstr(&dropped));
		buf_release(&dropped);
	}
	if (why.len) {
		const char *base = strrchr(path, '/');
		s->errored = true;
		log_error("failed to collect textfile data",
			  "file", base ? base + 1 : path, "err", buf_cstr(&why));
	}
	map_release(&local);
	buf_release(&why);
}

/*
 * Go's filepath.Join(dir, name), which node_exporter puts in the file
 * label: joined with one '/', then cleaned lexically (no doubled or
 * trailing slashes, "." dropped, ".." taking back the element before it).
 */
static void path_join(struct buf *out, const char *dir, const char *name)
{
	struct buf raw = BUF_INIT;
	bool rooted;
	size_t base, floor;

	buf_adds(&raw, dir);
	buf_addc(&raw, '/');
	buf_adds(&raw, name);
	rooted = raw.data[0] == '/';
	buf_truncate(out, 0);
	if (rooted)
		buf_addc(out, '/');
	base = floor = out->len;	/* ".." never climbs below floor */
	for (const char *p = raw.data; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.' && out->len > floor) {
			size_t k = out->len;
			while (k > floor && out->data[k - 1] != '/')
				k--;
			buf_truncate(out, k > floor ? k - 1 : k);
		} else if (!(n == 2 && p[0] == '.' && p[1] == '.' && rooted)) {
			if (out->len > base)
				buf_addc(out, '/');
			buf_add(out, p, n);
			if (n == 2 && p[0] == '.' && p[1] == '.')
				floor = out->len;	/* a leading ".." stays */
		}
		p += n;
	}
	if (!out->len)
		buf_addc(out, '.');
	buf_release(&raw);
}

static int prom_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n >= 5 && strcmp(d->d_name + n - 5, ".prom") == 0;
}

/* Byte order, as Go's os.ReadDir sorts, whatever the locale. */
static int name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every *.prom file of one directory, in name order. */
static void scan_dir(struct tf_scrape *s, const char *dir, struct buf *text)
{
	struct buf path = BUF_INIT;
	struct dirent **list;
	int n;

	if (!*dir)
		return;		/* no directory configured: nothing to say */
	n = scandir(dir, &list, prom_filter, name_order);
	if (n < 0) {
		s->errored = true;
		log_error("failed to read textfile collector directory",
			  "path", dir, "err", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		path_join(&path, dir, list[i]->d_name);
		process_file(s, buf_cstr(&path), text);
		free(list[i]);
	}
	free(list);
	buf_release(&path);
}

/* The directory setting is a glob, or when nothing matches, a directory. */
static void scan_all(struct tf_scrape *s, const char *pattern)
{
	struct buf text = BUF_INIT;
	glob_t g;

	memset(&g, 0, sizeof(g));
	if (*pattern && glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			scan_dir(s, g.gl_pathv[i], &text);
	} else {
		scan_dir(s, pattern, &text);
	}
	globfree(&g);
	buf_release(&text);
}

/* ---- writing ------------------------------------------------------------ */

/* One line to write: a sample, or a summary's or histogram's part. */
struct tf_row {
	const char **vals;	/* one per label name of the family; NULL = "" */
	const struct textparse_sample *smp;
	double bound;		/* quantile or le */
	int order;		/* 0 quantile or bucket, 1 sum, 2 count */
};

/* Scratch for writing one family, reused from family to family. */
struct tf_emit {
	const char **names;	/* sorted label names, special one last */
	size_t nnames, names_cap;
	struct tf_row *rows;
	size_t nrows, rows_cap;
	const char **cells;
	size_t cells_cap;
	const char **vals;	/* one row's values plus the special one */
	size_t vals_cap;
	struct buf help;
};

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The union of the label names of m's samples, sorted, special left out. */
static void collect_names(struct tf_emit *e, const struct tf_family *m)
{
	const char *special = special_label(m->type);
	size_t n = 0;

	for (size_t p = 0; p < m->nparts; p++) {
		for (size_t i = 0; i < m->parts[p]->nsamples; i++) {
			const struct textparse_sample *smp = &m->parts[p]->samples[i];
			for (size_t l = 0; l < smp->nlabels; l++) {
				const char *name = smp->labels[l].name;
				if (special && strcmp(name, special) == 0)
					continue;
				e->names = grow(e->names, n + 1, &e->names_cap,
						sizeof(*e->names));
				e->names[n++] = name;
			}
		}
	}
	if (n > 1)
		qsort(e->names, n, sizeof(*e->names), str_ptr_cmp);
	e->nnames = 0;
	for (size_t i = 0; i < n; i++)
		if (!e->nnames || strcmp(e->names[e->nnames - 1], e->names[i]))
			e->names[e->nnames++] = e->names[i];
}

/*
 * Fills a row for sample smp, or returns false for a sample upstream drops:
 * a summary's sample without a quantile, a histogram's without le.
 */
static bool row_fill(struct tf_emit *e, const struct tf_family *m,
		     const struct textparse_sample *smp, struct tf_row *row)
{
	const char *special = special_label(m->type);
	bool has_special = false;

	row->smp = smp;
	row->order = smp->part == TEXTPARSE_SUM ? 1 :
		     smp->part == TEXTPARSE_COUNT ? 2 : 0;
	row->bound = 0;
	for (size_t l = 0; l < smp->nlabels; l++) {
		const struct textparse_label *lab = &smp->labels[l];
		if (special && strcmp(lab->name, special) == 0) {
			/* The parser made sure it is a float. */
			has_special = textparse_float(lab->value,
						      strlen(lab->value),
						      &row->bound);
			continue;
		}
		const char **at = bsearch(&lab->name, e->names, e->nnames,
					  sizeof(*e->names), str_ptr_cmp);
		row->vals[at - e->names] = lab->value;
	}
	return !special || row->order || has_special;
}

static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct tf_row *x = a, *y = b;
	size_t n = *(const size_t *)arg;

	for (size_t i = 0; i < n; i++) {
		int c = strcmp(x->vals[i] ? x->vals[i] : "",
			       y->vals[i] ? y->vals[i] : "");
		if (c)
			return c;
	}
	if (x->order != y->order)
		return x->order - y->order;
	if (isnan(x->bound) || isnan(y->bound))
		return isnan(x->bound) - isnan(y->bound);
	return (x->bound > y->bound) - (x->bound < y->bound);
}

/*
 * Builds and sorts the rows of m. Returns false when the family would need
 * more label cells than MAX_CELLS (many samples times many label names).
 */
static bool build_rows(struct tf_emit *e, const struct tf_family *m)
{
	size_t total = 0, width = e->nnames ? e->nnames : 1;

	for (size_t p = 0; p < m->nparts; p++)
		total += m->parts[p]->nsamples;
	if (total > MAX_CELLS / width)
		return false;
	e->rows = grow(e->rows, total, &e->rows_cap, sizeof(*e->rows));
	e->cells = grow(e->cells, total * width, &e->cells_cap,
			sizeof(*e->cells));
	memset(e->cells, 0, total * width * sizeof(*e->cells));
	e->nrows = 0;
	for (size_t p = 0; p < m->nparts; p++) {
		for (size_t i = 0; i < m->parts[p]->nsamples; i++) {
			struct tf_row *row = &e->rows[e->nrows];
			row->vals = e->cells + e->nrows * width;
			if (row_fill(e, m, &m->parts[p]->samples[i], row))
				e->nrows++;
			else	/* the slot is reused: forget its values */
				memset(row->vals, 0, width * sizeof(*row->vals));
		}
	}
	qsort_r(e->rows, e->nrows, sizeof(*e->rows), row_cmp, &e->nnames);
	return true;
}

/* client_golang keeps histogram and summary counts as uint64. */
static double as_count(double v)
{
	if (isfinite(v) && v >= 0 && v < 18446744073709551616.0)
		return trunc(v);
	return v;
}

static bool same_vals(const struct tf_row *a, const struct tf_row *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->vals[i] ? a->vals[i] : "", b->vals[i] ? b->vals[i] : ""))
			return false;
	return true;
}

/*
 * Writes one summary or histogram series: its quantiles or buckets in order
 * (a histogram gets le="+Inf" from its count when the file had none), then
 * _sum and _count (0 when the file had none). Returns the row after it.
 */
static size_t write_group(struct expo *w, const struct tf_family *m,
			  struct tf_emit *e, size_t first)
{
	bool histogram = m->type == METRIC_HISTOGRAM;
	const char *suffix = histogram ? "_bucket" : "";
	const struct tf_row *r0 = &e->rows[first];
	size_t n = e->nnames, i;
	double sum = 0, count = 0;
	bool inf = false;
	char num[EXPO_NUMBER_MAX];

	memcpy(e->vals, r0->vals, n * sizeof(*e->vals));
	e->vals[n] = num;
	for (i = first; i < e->nrows && same_vals(&e->rows[i], r0, n); i++) {
		const struct tf_row *r = &e->rows[i];
		if (r->order == 1) {
			sum = r->smp->value;
		} else if (r->order == 2) {
			count = as_count(r->smp->value);
		} else {
			inf |= isinf(r->bound) && r->bound > 0;
			go_float_label(num, r->bound);
			expo_sample_raw(w, suffix, e->names, e->vals, n + 1,
					histogram ? as_count(r->smp->value) :
						    r->smp->value);
		}
	}
	if (histogram && !inf) {
		go_float_label(num, INFINITY);
		expo_sample_raw(w, suffix, e->names, e->vals, n + 1, count);
	}
	expo_sample_raw(w, "_sum", e->names, r0->vals, n, sum);
	expo_sample_raw(w, "_count", e->names, r0->vals, n, count);
	return i;
}

/* Writes one exposed family: HELP (given or generated), TYPE, samples. */
static bool write_family(struct expo *w, const struct tf_family *m,
			 struct tf_emit *e)
{
	const char *special = special_label(m->type);
	struct metric_desc desc = { .name = m->name, .type = m->type };

	collect_names(e, m);
	if (!build_rows(e, m)) {
		log_error("failed to collect textfile data", "metric", m->name,
			  "err", "too many samples times label names");
		return false;
	}
	buf_truncate(&e->help, 0);
	if (!m->help)
		buf_addf(&e->help, "Metric read from %s", buf_cstr(&m->files));
	desc.help = m->help ? m->help : buf_cstr(&e->help);
	e->names = grow(e->names, e->nnames, &e->names_cap, sizeof(*e->names));
	e->names[e->nnames] = special;
	e->vals = grow(e->vals, e->nnames, &e->vals_cap, sizeof(*e->vals));
	expo_family(w, &desc);
	for (size_t i = 0; i < e->nrows;) {
		if (special) {
			i = write_group(w, m, e, i);
			continue;
		}
		expo_sample_raw(w, "", e->names, e->rows[i].vals, e->nnames,
				e->rows[i].smp->value);
		i++;
	}
	return true;
}

static int family_name_cmp(const void *a, const void *b)
{
	const struct tf_family *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int mtime_cmp(const void *a, const void *b)
{
	const struct tf_mtime *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Every family taken, sorted by name, then the collector's own two. */
static void write_all(struct tf_scrape *s, struct expo *w)
{
	const struct tf_family **order = xrealloc(NULL, s->nfams * sizeof(*order));
	struct tf_emit e = { .help = BUF_INIT };

	for (size_t i = 0; i < s->nfams; i++)
		order[i] = &s->fams[i];
	qsort(order, s->nfams, sizeof(*order), family_name_cmp);
	for (size_t i = 0; i < s->nfams; i++)
		if (!write_family(w, order[i], &e))
			s->errored = true;
	if (s->nmtimes) {
		qsort(s->mtimes, s->nmtimes, sizeof(*s->mtimes), mtime_cmp);
		expo_family(w, &mtime_desc);
		for (size_t i = 0; i < s->nmtimes; i++)
			expo_sample(w, s->mtimes[i].mtime, s->mtimes[i].path);
	}
	expo_family(w, &scrape_error_desc);
	expo_value(w, s->errored ? 1 : 0);
	free(order);
	free(e.names);
	free(e.rows);
	free(e.cells);
	free(e.vals);
	buf_release(&e.help);
}

static void scrape_release(struct tf_scrape *s)
{
	for (size_t i = 0; i < s->nfams; i++) {
		free(s->fams[i].parts);
		buf_release(&s->fams[i].files);
	}
	free(s->fams);
	for (size_t i = 0; i < s->ndocs; i++)
		textparse_release(&s->docs[i]);
	free(s->docs);
	for (size_t i = 0; i < s->nmtimes; i++)
		free(s->mtimes[i].path);
	free(s->mtimes);
	map_release(&s->by_name);
	map_release(&s->series);
	buf_release(&s->key);
	free(s->sorted);
}

/*
 * Reads every file afresh on each scrape, as upstream does: the files are
 * small and written by cron jobs at any moment.
 */
static int textfile_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct tf_scrape s = { .series = { .owns_keys = true } };

	scan_all(&s, cfg->textfile_directory ? cfg->textfile_directory : "");
	write_all(&s, w);
	scrape_release(&s);
	return 0;
}

const struct collector textfile_collector = {
	.name = "textfile",
	.enabled_by_default = true,
	.collect = textfile_collect,
};
