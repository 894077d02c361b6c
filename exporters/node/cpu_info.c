/*
 * cpu_info: node_cpu_info, node_cpu_flag_info and node_cpu_bug_info from
 * /proc/cpuinfo, the cpu collector's optional part (--collector.cpu.info;
 * --collector.cpu.info.flags-include / bugs-include select the flags and
 * bugs of the first CPU to report, and turn the info on, as upstream).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_info.h"
#include "disk_parse.h"
#include "fsutil.h"
#include "go_strconv.h"
#include "hw3_parse.h"
#include "node_parse.h"
#include "regex.h"

static const struct metric_desc bug_desc = {
	"node_cpu_bug_info",
	"The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
	METRIC_GAUGE, LABELS("bug")
};
static const struct metric_desc flag_desc = {
	"node_cpu_flag_info",
	"The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
	METRIC_GAUGE, LABELS("flag")
};
static const struct metric_desc info_desc = {
	"node_cpu_info", "CPU information from /proc/cpuinfo.", METRIC_GAUGE,
	LABELS("cachesize", "core", "cpu", "family", "microcode", "model",
	       "model_name", "package", "stepping", "vendor")
};

/* ---- parsing ------------------------------------------------------------- */

static char **text_field(struct cpu_info *c, const char *key)
{
	static const struct { const char *key; size_t offset; } fields[] = {
		{ "vendor", offsetof(struct cpu_info, vendor) },
		{ "vendor_id", offsetof(struct cpu_info, vendor) },
		{ "cpu family", offsetof(struct cpu_info, family) },
		{ "model", offsetof(struct cpu_info, model) },
		{ "model name", offsetof(struct cpu_info, model_name) },
		{ "stepping", offsetof(struct cpu_info, stepping) },
		{ "microcode", offsetof(struct cpu_info, microcode) },
		{ "cache size", offsetof(struct cpu_info, cache_size) },
		{ "physical id", offsetof(struct cpu_info, physical_id) },
		{ "core id", offsetof(struct cpu_info, core_id) },
		{ "flags", offsetof(struct cpu_info, flags) },
		{ "bugs", offsetof(struct cpu_info, bugs) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(key, fields[i].key))
			return (char **)((char *)c + fields[i].offset);
	return NULL;
}

/* Keys whose values procfs parses as numbers (a bad one fails it all). */
static bool number_ok(const char *key, const char *v)
{
	static const char *const uints[] = {
		"siblings", "cpu cores", "cpuid level", "clflush size",
		"cache_alignment",
	};
	uint64_t u;
	double d;

	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++)
		if (!strcmp(key, uints[i]))
			return v && go_parse_uint(v, strlen(v), 0, 32, &u);
	if (!strcmp(key, "cpu MHz") || !strcmp(key, "bogomips"))
		return v && disk_parse_float(v, strlen(v), &d);
	return true;
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		abort();
	return d;
}

static struct cpu_info *add_cpu(struct cpu_infos *c, const char *number)
{
	uint64_t v;
	char id[24];

	if (!number || !go_parse_uint(number, strlen(number), 0, 32, &v))
		return NULL;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			abort();
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	snprintf(id, sizeof(id), "%llu", (unsigned long long)v);
	c->v[c->n].processor = dup_or_die(id);
	return &c->v[c->n++];
}

/*
 * One "key: value" line, cut as Go's SplitN(line, ": ", 2): value NULL
 * when there is no ": ".
 */
static int parse_line(struct cpu_infos *out, char *line)
{
	char *sep = strstr(line, ": ");
	char *value = sep ? sep + 2 : NULL;
	const char *key;
	size_t n;
	char **field;

	if (sep)
		*sep = '\0';
	n = hw3_trim(line, &key);
	((char *)key)[n] = '\0';
	if (!strcmp(key, "processor"))
		return add_cpu(out, value) ? 0 : -EINVAL;
	if (!number_ok(key, value))
		return -EINVAL;
	field = out->n ? text_field(&out->v[out->n - 1], key) : NULL;
	if (field) {
		free(*field);
		*field = dup_or_die(value);
	}
	return 0;
}

/*
 * The first non-blank line: it must start with "processor" and hold ": ";
 * what follows is the first CPU's number, whatever the key says (upstream
 * does not look at it; without ": " upstream panics, we refuse).
 */
static int parse_first_line(struct cpu_infos *out, const char *line)
{
	const char *sep = strstr(line, ": ");

	if (strncmp(line, "processor", 9) || !sep)
		return -EINVAL;
	return add_cpu(out, sep + 2) ? 0 : -EINVAL;
}

int cpu_info_parse(const char *text, struct cpu_infos *out)
{
	char *copy = dup_or_die(text);
	bool first = true;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (char *p = copy, *next; p && *p && !rc; p = next) {
		const char *s;

		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (*p && p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';
		if (first) {
			if (!hw3_trim(p, &s))
				continue;
			first = false;
			rc = parse_first_line(out, p);
			continue;
		}
		if (strchr(p, ':'))
			rc = parse_line(out, p);
	}
	if (first)
		rc = -EINVAL;
	free(copy);
	return rc;
}

void cpu_infos_release(struct cpu_infos *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct cpu_info *x = &c->v[i];
		char **all[] = { &x->processor, &x->vendor, &x->family, &x->model,
				 &x->model_name, &x->stepping, &x->microcode,
				 &x->cache_size, &x->physical_id, &x->core_id,
				 &x->flags, &x->bugs };

		for (size_t f = 0; f < sizeof(all) / sizeof(all[0]); f++)
			free(*all[f]);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- reading and writing ---------------------------------------------------- */

/* A pattern flag that was given ("" or NULL: not set). */
static bool given(const char *pattern)
{
	return pattern && *pattern;
}

bool cpu_info_enabled(const struct node_config *cfg)
{
	return cfg->cpu_info || given(cfg->cpu_info_flags_include) ||
	       given(cfg->cpu_info_bugs_include);
}

int cpu_info_read(const struct node_config *cfg, struct cpu_infos *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = fs_read_file(fs_join(&path, cfg->procfs, "cpuinfo"), &text,
			      FS_READ_MAX);

	memset(out, 0, sizeof(*out));
	if (!rc)
		rc = cpu_info_parse(buf_cstr(&text), out);
	buf_release(&text);
	buf_release(&path);
	return rc;
}

static int word_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Writes one sample per word of list that pattern matches (unanchored, as
 * Go's MatchString), sorted, each once.
 */
static void write_words(struct expo *w, const struct metric_desc *d,
			const char *list, const char *pattern)
{
	char *copy = dup_or_die(list), *save = NULL;
	char **words = NULL;
	size_t n = 0, cap = 0;
	struct buf err = BUF_INIT;
	regex_t re;

	if (re_compile(&re, pattern, &err) != 0)
		goto out;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (!re_matches(&re, t))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			words = realloc(words, cap * sizeof(*words));
			if (!words)
				abort();
		}
		words[n++] = t;
	}
	regfree(&re);
	if (n)
		qsort(words, n, sizeof(*words), word_cmp);
	if (n)
		expo_family(w, d);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(words[i - 1], words[i]))
			expo_sample(w, 1, words[i]);
out:
	free(words);
	free(copy);
	buf_release(&err);
}

void cpu_info_write_bugs(struct expo *w, const struct node_config *cfg,
			 const struct cpu_infos *c)
{
	if (c->n && given(cfg->cpu_info_bugs_include))
		write_words(w, &bug_desc, c->v[0].bugs ? c->v[0].bugs : "",
			    cfg->cpu_info_bugs_include);
}

void cpu_info_write_flags(struct expo *w, const struct node_config *cfg,
			  const struct cpu_infos *c)
{
	if (c->n && given(cfg->cpu_info_flags_include))
		write_words(w, &flag_desc, c->v[0].flags ? c->v[0].flags : "",
			    cfg->cpu_info_flags_include);
}

#define OR_EMPTY(s) ((s) ? (s) : "")

/* Samples sort by their label values in label-name order. */
static int info_cmp(const void *a, const void *b)
{
	const struct cpu_info *x = *(const struct cpu_info *const *)a;
	const struct cpu_info *y = *(const struct cpu_info *const *)b;
	const char *xs[] = { x->cache_size, x->core_id, x->processor };
	const char *ys[] = { y->cache_size, y->core_id, y->processor };

	for (int i = 0; i < 3; i++) {
		int c = strcmp(OR_EMPTY(xs[i]), OR_EMPTY(ys[i]));
		if (c)
			return c;
	}
	return 0;
}

void cpu_info_write_info(struct expo *w, const struct cpu_infos *c)
{
	const struct cpu_info **v = calloc(c->n + 1, sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < c->n; i++)
		v[i] = &c->v[i];
	qsort(v, c->n, sizeof(*v), info_cmp);
	if (c->n)
		expo_family(w, &info_desc);
	for (size_t i = 0; i < c->n; i++)
		expo_sample(w, 1, OR_EMPTY(v[i]->cache_size), OR_EMPTY(v[i]->core_id),
			    v[i]->processor, OR_EMPTY(v[i]->family),
			    OR_EMPTY(v[i]->microcode), OR_EMPTY(v[i]->model),
			    OR_EMPTY(v[i]->model_name), OR_EMPTY(v[i]->physical_id),
			    OR_EMPTY(v[i]->stepping), OR_EMPTY(v[i]->vendor));
	free(v);
}
