#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "pg_expo_merge.h"
#include "pg.h"

struct family {
	char *name;			/* as written (renamed), len bytes */
	size_t len;
	bool own;			/* the process's own: no data source labels */
	struct buf header;		/* HELP, TYPE, UNIT of the first part */
	struct buf samples;
	size_t owner;			/* the part whose header is kept */
	unsigned kinds;			/* HELP, TYPE, UNIT lines written (bits) */
};

struct merge {
	struct family *f;
	size_t n, cap;
	const char *prefix;		/* NULL: keep names */
	bool eof;
};

/* Length of the span of p (at most len) without any of stop. */
static size_t span_until(const char *p, size_t len, const char *stop)
{
	size_t n = 0;

	while (n < len && !strchr(stop, p[n]))
		n++;
	return n;
}

/* A metric name, renamed "pg_x" -> "<prefix>_x" when asked. */
static void add_name(struct buf *out, const char *name, size_t len, const char *prefix)
{
	if (prefix && len > 3 && !memcmp(name, "pg_", 3)) {
		buf_addf(out, "%s_", prefix);
		name += 3;
		len -= 3;
	}
	buf_add(out, name, len);
}

/* The family written name (after renaming), created on first sight. */
static struct family *family_get(struct merge *m, const char *name, size_t len, size_t part)
{
	struct buf out = BUF_INIT;

	add_name(&out, name, len, m->prefix);
	for (size_t i = m->n; i-- > 0;)
		if (m->f[i].len == out.len && !memcmp(m->f[i].name, buf_cstr(&out), out.len)) {
			buf_release(&out);
			return &m->f[i];
		}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->f = realloc(m->f, m->cap * sizeof(*m->f));
		if (!m->f)
			abort();
	}
	struct family *f = &m->f[m->n++];
	f->len = out.len;
	f->name = buf_detach(&out, NULL);
	f->header = (struct buf)BUF_INIT;
	f->samples = (struct buf)BUF_INIT;
	f->owner = part;
	f->kinds = 0;
	f->own = len >= 8 && !memcmp(name, "process_", 8);
	f->own |= len >= 18 && !memcmp(name, "postgres_exporter_", 18);
	return f;
}

/* Length of the label block "{...}" at p (escapes honoured), 0 when malformed. */
static size_t label_block(const char *p, const char *end)
{
	bool quoted = false;

	for (const char *q = p + 1; q < end; q++) {
		if (quoted && *q == '\\')
			q++;
		else if (*q == '"')
			quoted = !quoted;
		else if (!quoted && *q == '}')
			return (size_t)(q - p + 1);
	}
	return 0;
}

/* Whether the label block [p, p+len) already names label. */
static bool block_has(const char *p, size_t len, const char *label)
{
	size_t ll = strlen(label);
	bool quoted = false;

	for (size_t i = 1; i < len; i++) {
		if (quoted) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				quoted = false;
			continue;
		}
		if (p[i] == '"') {
			quoted = true;
		} else if ((p[i - 1] == '{' || p[i - 1] == ',') && i + ll < len &&
			   !memcmp(p + i, label, ll) && p[i + ll] == '=') {
			return true;
		}
	}
	return false;
}

static void add_sample(struct buf *out, const char *line, size_t len,
		       const struct pg_expo_part *part, size_t first, const char *prefix)
{
	const char *end = line + len;
	const char *rest = line + span_until(line, len, "{ ");
	size_t block = rest < end && *rest == '{' ? label_block(rest, end) : 0;
	bool any = false;

	add_name(out, line, (size_t)(rest - line), prefix);
	buf_addc(out, '{');
	if (block > 2) {
		buf_add(out, rest + 1, block - 2);
		any = true;
	}
	for (size_t i = first; i < part->nlabels; i++) {
		if (block && block_has(rest, block, part->names[i]))
			continue;
		buf_addf(out, "%s%s=\"", any ? "," : "", part->names[i]);
		expo_escape_label(out, part->values[i]);
		buf_addc(out, '"');
		any = true;
	}
	if (any) {
		buf_addc(out, '}');
	} else {
		buf_truncate(out, out->len - 1);	/* no labels: no braces */
	}
	rest += block;
	buf_add(out, rest, (size_t)(end - rest));
	buf_addc(out, '\n');
}

/* "# HELP name ...": the family name's span (kind: its bit), or 0 for other comments. */
static size_t header_name(const char *line, size_t len, const char **name, unsigned *kind)
{
	static const char *const kinds[] = { "# HELP ", "# TYPE ", "# UNIT " };

	for (size_t k = 0; k < 3; k++)
		if (len > 7 && !memcmp(line, kinds[k], 7)) {
			*name = line + 7;
			*kind = 1u << k;
			return span_until(*name, len - 7, " ");
		}
	return 0;
}

static void merge_part(struct merge *m, const struct pg_expo_part *part, size_t index)
{
	struct family *cur = NULL;
	const char *p = part->body, *end = part->body + part->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *name;
		size_t nlen;
		unsigned kind;

		if (len == 5 && !memcmp(p, "# EOF", 5)) {
			m->eof = true;
		} else if ((nlen = header_name(p, len, &name, &kind)) > 0) {
			cur = family_get(m, name, nlen, index);
			if (cur->owner == index && !(cur->kinds & kind)) {
				cur->kinds |= kind;
				buf_add(&cur->header, p, 7);
				buf_add(&cur->header, cur->name, cur->len);
				buf_add(&cur->header, name + nlen, len - 7 - nlen);
				buf_addc(&cur->header, '\n');
			}
		} else if (len > 0 && p[0] != '#') {
			if (!cur)	/* a sample without a header: its own family */
				cur = family_get(m, p, span_until(p, len, "{ "), index);
			add_sample(&cur->samples, p, len, part, cur->own ? part->nscoped : 0,
				   m->prefix);
		}
		p += len + 1;
	}
}

void pg_expo_merge(const struct pg_expo_part *parts, size_t n, const char *prefix,
		   struct buf *out)
{
	struct merge m = { .prefix = prefix && strcmp(prefix, "pg") ? prefix : NULL };

	for (size_t i = 0; i < n; i++)
		merge_part(&m, &parts[i], i);
	for (size_t i = 0; i < m.n; i++) {
		buf_add(out, m.f[i].header.data, m.f[i].header.len);
		buf_add(out, m.f[i].samples.data, m.f[i].samples.len);
		buf_release(&m.f[i].header);
		buf_release(&m.f[i].samples);
		free(m.f[i].name);
	}
	if (m.eof)
		buf_adds(out, "# EOF\n");
	free(m.f);
}

int pg_parse_constant_labels(char *text, const char **names, const char **values, size_t max,
			     struct buf *err)
{
	size_t n = 0;

	for (char *item = text; item;) {
		char *next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		char *eq = strchr(item, '=');
		if (eq)
			*eq = '\0';
		char *name = pg_trim(item);
		if (!*name && !eq) {
			item = next;
			continue;
		}
		bool again = false;
		for (size_t i = 0; i < n && eq; i++)
			again |= !strcmp(names[i], name);
		if (!eq || !expo_valid_label_name(name) || !strncmp(name, "__", 2) || n == max ||
		    again) {
			buf_adds(err, "invalid --constantLabels item ");
			pg_add_printable(err, name);
			buf_adds(err, n == max ? ": too many labels" :
				 again ? ": label given twice" : ": want name=value");
			return -1;
		}
		names[n] = name;
		values[n++] = pg_trim(eq + 1);
		item = next;
	}
	return (int)n;
}
