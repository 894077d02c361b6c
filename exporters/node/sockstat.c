/*
 * sockstat: socket counts per protocol from /proc/net/sockstat and
 * sockstat6 as node_sockstat_<PROTO>_<state> gauges, plus
 * node_sockstat_sockets_used and <PROTO>_mem_bytes (pages times the page
 * size), named as node_exporter names them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "net_parse.h"
#include "node.h"
#include "node_parse.h"

#define SOCKSTAT_PREFIX "node_sockstat_"

static const char *const sockstat_field_names[SOCKSTAT_NFIELDS] = {
	"inuse", "orphan", "tw", "alloc", "mem", "memory",
};

const char *sockstat_name(const struct sockstat *s, size_t i)
{
	return s->names.data + s->v[i].name;
}

static struct sockstat_proto *sockstat_add(struct sockstat *s,
					   struct node_word proto)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct sockstat_proto *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n] = (struct sockstat_proto){ .name = s->names.len };
	buf_add(&s->names, proto.s, proto.len);
	buf_addc(&s->names, '\0');
	return &s->v[s->n++];
}

/* The next ' '-separated word of [*p, end), as strings.Split sees it. */
static struct node_word sockstat_word(const char **p, const char *end)
{
	const char *s = *p, *sp = memchr(s, ' ', (size_t)(end - s));
	struct node_word w = { s, (size_t)((sp ? sp : end) - s) };

	*p = sp ? sp + 1 : end;
	return w;
}

/*
 * Reads the n words of key/value pairs in [s, end) into p (or, for the
 * "sockets" line, into used). Every value must parse, known key or not; a
 * key given twice keeps its last value, as upstream's map does.
 */
static int sockstat_pairs(const char *s, const char *end, size_t n,
			  struct sockstat_proto *p, int64_t *used)
{
	if (n % 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		struct node_word key = sockstat_word(&s, end);
		struct node_word val = sockstat_word(&s, end);
		int64_t v;

		if (!go_parse_int(val.s, val.len, 0, &v))
			return -EINVAL;
		if (used && node_word_is(key, "used"))
			*used = v;
		for (int f = 0; p && f < SOCKSTAT_NFIELDS; f++) {
			if (node_word_is(key, sockstat_field_names[f])) {
				p->v[f] = v;
				p->have |= 1u << f;
			}
		}
	}
	return 0;
}

/* One line [s, end): at least a protocol and one key/value pair. */
static int sockstat_parse_line(struct sockstat *out, const char *s,
			       const char *end)
{
	struct sockstat_proto *p;
	struct node_word proto;
	size_t n = 1;

	for (const char *c = s; c < end; c++)
		n += *c == ' ';
	if (n < 3)
		return -EINVAL;
	proto = sockstat_word(&s, end);
	if (proto.len && proto.s[proto.len - 1] == ':')
		proto.len--;
	if (node_word_is(proto, "sockets")) {
		out->have_used = true;
		out->used = 0;
		return sockstat_pairs(s, end, n - 1, NULL, &out->used);
	}
	p = sockstat_add(out, proto);
	p->have = 1u << SOCKSTAT_INUSE;	/* upstream's InUse is no pointer */
	return sockstat_pairs(s, end, n - 1, p, NULL);
}

int sockstat_parse(const char *text, struct sockstat *out)
{
	int err = 0;

	for (const char *s = text; *s && !err;) {
		const char *end = node_line_end(s);
		const char *e = end > s && end[-1] == '\r' ? end - 1 : end;

		err = sockstat_parse_line(out, s, e);
		s = *end ? end + 1 : end;
	}
	return err;
}

void sockstat_release(struct sockstat *s)
{
	buf_release(&s->names);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- the collector --------------------------------------------------- */

/* One gauge to write: its name and help live in strings. */
struct sockstat_gauge {
	size_t name, help;
	double value;
};

struct sockstat_out {
	struct buf strings;
	struct sockstat_gauge *v;
	size_t n, cap;
};

static void sockstat_out_add(struct sockstat_out *o, const char *name,
			     const char *help, double value)
{
	struct sockstat_gauge g = { .value = value };

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		struct sockstat_gauge *nv = realloc(o->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		o->v = nv;
		o->cap = cap;
	}
	g.name = o->strings.len;
	buf_add(&o->strings, name, strlen(name) + 1);
	g.help = o->strings.len;
	buf_add(&o->strings, help, strlen(help) + 1);
	o->v[o->n++] = g;
}

/* Adds node_sockstat_<proto>_<state> with upstream's help text. */
static void sockstat_out_state(struct sockstat_out *o, const char *proto,
			       const char *state, double value,
			       struct buf *name, struct buf *help)
{
	buf_truncate(name, 0);
	buf_truncate(help, 0);
	buf_adds(name, SOCKSTAT_PREFIX);
	buf_adds(name, proto);
	buf_addc(name, '_');
	buf_adds(name, state);
	buf_adds(help, "Number of ");
	buf_adds(help, proto);
	buf_adds(help, " sockets in state ");
	buf_adds(help, state);
	buf_addc(help, '.');
	sockstat_out_add(o, buf_cstr(name), buf_cstr(help), value);
}

/* The gauges of one file; mem_bytes wraps as upstream's int product. */
static void sockstat_gather(struct sockstat_out *o, const struct sockstat *s,
			    bool v6, int64_t page_size)
{
	struct buf name = BUF_INIT, help = BUF_INIT;

	for (size_t i = 0; i < s->n; i++) {
		const struct sockstat_proto *p = &s->v[i];
		const char *proto = sockstat_name(s, i);

		for (int f = 0; f < SOCKSTAT_NFIELDS; f++)
			if (p->have & (1u << f))
				sockstat_out_state(o, proto,
						   sockstat_field_names[f],
						   (double)p->v[f], &name,
						   &help);
		if (p->have & (1u << SOCKSTAT_MEM)) {
			uint64_t b = (uint64_t)p->v[SOCKSTAT_MEM] *
				     (uint64_t)page_size;

			sockstat_out_state(o, proto, "mem_bytes",
					   (double)(int64_t)b, &name, &help);
		}
	}
	/* sockstat6 has no such line; upstream ignores one if it had. */
	if (!v6 && s->have_used)
		sockstat_out_add(o, SOCKSTAT_PREFIX "sockets_used",
				 "Number of IPv4 sockets in use.",
				 (double)s->used);
	buf_release(&help);
	buf_release(&name);
}

static int sockstat_gauge_cmp(const void *a, const void *b, void *strings)
{
	const struct sockstat_gauge *x = a, *y = b;

	return strcmp((const char *)strings + x->name,
		      (const char *)strings + y->name);
}

/* Writes the gauges sorted by name, each name once. */
static void sockstat_write(struct expo *w, struct sockstat_out *o)
{
	const char *str;

	if (o->n == 0)
		return;
	qsort_r(o->v, o->n, sizeof(*o->v), sockstat_gauge_cmp,
		o->strings.data);
	str = o->strings.data;
	for (size_t i = 0; i < o->n; i++) {
		struct metric_desc d = {
			.name = str + o->v[i].name,
			.help = str + o->v[i].help,
			.type = METRIC_GAUGE,
		};

		if (i && strcmp(d.name, str + o->v[i - 1].name) == 0)
			continue;
		/* Skipped where upstream would panic on a bad name. */
		if (!expo_valid_metric_name(d.name))
			continue;
		expo_family(w, &d);
		expo_value(w, o->v[i].value);
	}
}

/* Reads and parses one file; a missing file is no error (IPv6 off). */
static int sockstat_read(const char *procfs, const char *rel,
			 struct sockstat *s, bool *found)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int err;

	*found = false;
	err = fs_read_file(fs_join(&path, procfs, rel), &text, FS_READ_MAX);
	if (err == -ENOENT) {
		err = 0;
	} else if (!err) {
		*found = true;
		err = sockstat_parse(buf_cstr(&text), s);
	}
	buf_release(&text);
	buf_release(&path);
	return err;
}

static int sockstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct sockstat s4 = SOCKSTAT_INIT, s6 = SOCKSTAT_INIT;
	struct sockstat_out o = { BUF_INIT, NULL, 0, 0 };
	int64_t page_size = sysconf(_SC_PAGESIZE);
	bool have4, have6;
	int err;

	err = sockstat_read(cfg->procfs, "net/sockstat", &s4, &have4);
	if (!err)
		err = sockstat_read(cfg->procfs, "net/sockstat6", &s6, &have6);
	if (!err) {
		if (have4)
			sockstat_gather(&o, &s4, false, page_size);
		if (have6)
			sockstat_gather(&o, &s6, true, page_size);
		sockstat_write(w, &o);
	}
	buf_release(&o.strings);
	free(o.v);
	sockstat_release(&s6);
	sockstat_release(&s4);
	return err;
}

const struct collector sockstat_collector = {
	.name = "sockstat",
	.enabled_by_default = true,
	.collect = sockstat_collect,
};
