/*
 * meminfo: every field of /proc/meminfo as node_memory_<Field>[_bytes],
 * named the way node_exporter derives the names, so that one table (the
 * file itself) covers every kernel's set of fields.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

#define MEMINFO_PREFIX "node_memory_"

/*
 * Builds the key node_exporter uses for a meminfo label into out: the label
 * minus its last character (the colon), with the span from the first '(' to
 * the last ')' replaced by '_' and what was inside (its `\((.*)\)` rewrite),
 * and "_bytes" when the field has a unit.
 */
static void meminfo_make_key(struct buf *out, struct node_word label,
			     bool bytes)
{
	size_t len = label.len - 1;
	const char *open = memchr(label.s, '(', len);
	const char *close = NULL;

	for (size_t i = len; open && i > 0; i--) {
		if (label.s[i - 1] == ')') {
			close = label.s + i - 1;
			break;
		}
	}
	buf_truncate(out, 0);
	if (open && close > open) {
		buf_add(out, label.s, (size_t)(open - label.s));
		buf_addc(out, '_');
		buf_add(out, open + 1, (size_t)(close - open - 1));
		buf_add(out, close + 1, (size_t)(label.s + len - close - 1));
	} else {
		buf_add(out, label.s, len);
	}
	if (bytes)
		buf_adds(out, "_bytes");
}

const char *meminfo_key(const struct meminfo *m, size_t i)
{
	return m->names.data + m->v[i].key;
}

/* Appends key = v; a repeated key is resolved after the sort (last wins). */
static void meminfo_set(struct meminfo *m, const char *key, double v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct meminfo_field *nv = realloc(m->v, cap * sizeof(*nv));
		if (!nv)
			abort();
		m->v = nv;
		m->cap = cap;
	}
	m->v[m->n++] = (struct meminfo_field){ m->names.len, v };
	buf_add(&m->names, key, strlen(key) + 1);
}

/* True when "node_memory_<key>" is a metric name worth exposing. */
static bool meminfo_key_ok(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != ':')
			return false;
	return true;
}

/* Parses the line [s, end); blank lines are allowed, as upstream allows. */
static int meminfo_parse_line(struct meminfo *m, const char *s,
			      const char *end, struct buf *key)
{
	struct node_word w[3];
	size_t n = node_split_words(s, end, w, 3);
	char *num_end;
	double v;

	if (n == 0)
		return 0;
	if (n > 3 || n < 2)
		return -EINVAL;
	if (!text_parse_integer(w[1].s, w[1].len, &v)) {
		v = strtod(w[1].s, &num_end);
		if (num_end != w[1].s + w[1].len)
			return -EINVAL;
	}
	if (n == 3)	/* the only unit the kernel writes is kB */
		v *= 1024;
	meminfo_make_key(key, w[0], n == 3);
	if (meminfo_key_ok(buf_cstr(key)))
		meminfo_set(m, buf_cstr(key), v);
	return 0;
}

/* By name, then in the file's order (a later key is further into names). */
static int field_cmp(const void *a, const void *b, void *names)
{
	const struct meminfo_field *x = a, *y = b;
	int c = strcmp((const char *)names + x->key, (const char *)names + y->key);

	return c ? c : (x->key > y->key) - (x->key < y->key);
}

/* Of each run of one key, keeps the last one the file gave. */
static void keep_last_of_each(struct meminfo *m)
{
	size_t j = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (i + 1 < m->n && !strcmp(meminfo_key(m, i), meminfo_key(m, i + 1)))
			continue;
		m->v[j++] = m->v[i];
	}
	m->n = j;
}

int meminfo_parse(const char *text, struct meminfo *out)
{
	struct buf key = BUF_INIT;
	int err = 0;

	for (const char *s = text; *s && !err;) {
		const char *end = node_line_end(s);

		err = meminfo_parse_line(out, s, end, &key);
		s = *end ? end + 1 : end;
	}
	buf_release(&key);
	if (!err && out->n == 0)
		err = -EINVAL;	/* not a meminfo file at all */
	if (!err) {
		/* Sorted, then deduplicated: a search per line was ~1,400
		 * strcmp calls a scrape. */
		qsort_r(out->v, out->n, sizeof(*out->v), field_cmp,
			out->names.data);
		keep_last_of_each(out);
	}
	return err;
}

void meminfo_release(struct meminfo *m)
{
	buf_release(&m->names);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

/*
 * Writes one family per field. The descriptor is rebuilt for each field;
 * the writer needs it only until the next expo_family() call.
 */
static void meminfo_write(struct expo *w, const struct meminfo *m)
{
	struct buf name = BUF_INIT, help = BUF_INIT;
	struct metric_desc d = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		const char *key = meminfo_key(m, i);
		size_t len = strlen(key);

		buf_truncate(&name, 0);
		buf_truncate(&help, 0);
		buf_adds(&name, MEMINFO_PREFIX);
		buf_adds(&name, key);
		buf_adds(&help, "Memory information field ");
		buf_adds(&help, key);
		buf_addc(&help, '.');
		d.name = buf_cstr(&name);
		d.help = buf_cstr(&help);
		/* Upstream's rule; no Linux field ends so today. */
		d.type = len >= 6 && strcmp(key + len - 6, "_total") == 0 ?
			 METRIC_COUNTER : METRIC_GAUGE;
		expo_family(w, &d);
		expo_value(w, m->v[i].value);
	}
	buf_release(&help);
	buf_release(&name);
}

static int meminfo_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct meminfo m = MEMINFO_INIT;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "meminfo"), &text,
			   FS_READ_MAX);
	if (!err)
		err = meminfo_parse(buf_cstr(&text), &m);
	if (!err)
		meminfo_write(w, &m);
	meminfo_release(&m);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector meminfo_collector = {
	.name = "meminfo",
	.enabled_by_default = true,
	.collect = meminfo_collect,
};
