/*
 * netstat: the protocol counters of /proc/net/netstat, /proc/net/snmp and
 * /proc/net/snmp6 as node_netstat_<Proto>_<Field>, untyped, for the fields
 * that --collector.netstat.fields matches. Names come from the files
 * themselves, as upstream derives them, so new kernel counters appear
 * without a table to update.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "net_parse.h"
#include "node.h"
#include "node_parse.h"
#include "regex.h"

#define NETSTAT_PREFIX "node_netstat_"

const char *netstat_key(const struct netstat *st, size_t i)
{
	return st->names.data + st->v[i].key;
}

/*
 * Forgets the entries of protocol [proto, +len), as upstream's map merge
 * replaces a protocol whole; with keep_current, those the running parse
 * call added stay (snmp6 names one protocol on many lines).
 */
static void netstat_drop_proto(struct netstat *st, const char *proto,
			       size_t len, bool keep_current)
{
	size_t j = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct netstat_entry *e = &st->v[i];
		bool drop = e->proto_len == len &&
			    !(keep_current && e->file == st->file) &&
			    memcmp(netstat_key(st, i), proto, len) == 0;

		if (!drop)
			st->v[j++] = *e;
	}
	st->n = j;
}

/*
 * The common case, a counter of at most 15 digits (optionally negative):
 * exact in a double, so the same value strtod gives, without its cost.
 */
static bool netstat_parse_small_integer(const char *s, size_t n, double *out)
{
	bool neg = s[0] == '-';
	uint64_t v = 0;

	if (n - neg == 0 || n - neg > 15)
		return false;
	for (size_t i = neg; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? -(double)v : (double)v;
	return true;
}

/*
 * Go's ParseFloat, near enough: decimal or special spellings only, the
 * whole word, and no overflow to infinity. strtod alone would also take
 * leading blanks, "nan(...)", signed NaN and hex without an exponent.
 */
static bool netstat_parse_float(const char *s, size_t n, struct buf *tmp,
				double *out)
{
	char *end;
	double v;

	if (n == 0 || node_is_blank(s[0]) || s[0] == '\n')
		return false;
	if (netstat_parse_small_integer(s, n, out))
		return true;
	buf_truncate(tmp, 0);
	buf_add(tmp, s, n);
	if (strpbrk(buf_cstr(tmp), "()xX"))
		return false;
	if ((s[0] == '+' || s[0] == '-') && n > 1 && (s[1] | 0x20) == 'n')
		return false;
	errno = 0;
	v = strtod(buf_cstr(tmp), &end);
	if (end != buf_cstr(tmp) + n)
		return false;
	if (errno == ERANGE && isinf(v))
		return false;
	*out = v;
	return true;
}

/* Appends the entry proto_field = value (the value as text, not yet read). */
static void netstat_add(struct netstat *st, const char *proto, size_t plen,
			const char *field, size_t flen, const char *value,
			size_t vlen, struct buf *tmp)
{
	struct netstat_entry e = {
		.key = st->names.len,
		.proto_len = plen,
		.file = st->file,
		.seq = st->seq++,
	};

	e.valid = netstat_parse_float(value, vlen, tmp, &e.value);
	buf_add(&st->names, proto, plen);
	buf_addc(&st->names, '_');
	buf_add(&st->names, field, flen);
	buf_addc(&st->names, '\0');
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 128;
		struct netstat_entry *nv = realloc(st->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		st->v = nv;
		st->cap = cap;
	}
	st->v[st->n++] = e;
}

/* The line at s without its '\n' and, as Go's line scanner, one '\r'. */
static const char *netstat_line(const char *s, const char **next)
{
	const char *end = node_line_end(s);

	*next = *end ? end + 1 : end;
	if (end > s && end[-1] == '\r')
		end--;
	return end;
}

/* The next ' '-separated word of [*p, end), as strings.Split sees it. */
static struct node_word netstat_split(const char **p, const char *end)
{
	const char *s = *p, *sp = memchr(s, ' ', (size_t)(end - s));
	struct node_word w = { s, (size_t)((sp ? sp : end) - s) };

	*p = sp ? sp + 1 : end;
	return w;
}

static size_t netstat_count_words(const char *s, const char *end)
{
	size_t n = 1;

	for (; s < end; s++)
		n += *s == ' ';
	return n;
}

/* One header line [h, hend) and its value line [v, vend). */
static int netstat_parse_pair(struct netstat *st, const char *h,
			      const char *hend, const char *v,
			      const char *vend, struct buf *tmp)
{
	size_t n = netstat_count_words(h, hend);
	struct node_word proto;

	if (n != netstat_count_words(v, vend))
		return -EINVAL;
	proto = netstat_split(&h, hend);
	if (proto.len == 0)	/* upstream slices it to [:-1] and panics */
		return -EINVAL;
	proto.len--;		/* the colon (or whatever is last) */
	netstat_drop_proto(st, proto.s, proto.len, false);
	netstat_split(&v, vend);
	for (size_t i = 1; i < n; i++) {
		struct node_word name = netstat_split(&h, hend);
		struct node_word val = netstat_split(&v, vend);

		netstat_add(st, proto.s, proto.len, name.s, name.len,
			    val.s, val.len, tmp);
	}
	return 0;
}

int netstat_parse(const char *text, struct netstat *st)
{
	struct buf tmp = BUF_INIT;
	int err = 0;

	st->file++;
	for (const char *s = text; *s && !err;) {
		const char *h = s, *hend, *v, *vend;

		hend = netstat_line(h, &s);
		v = s;
		/* Go reads a missing value line as "". */
		vend = *v ? netstat_line(v, &s) : v;
		err = netstat_parse_pair(st, h, hend, v, vend, &tmp);
	}
	buf_release(&tmp);
	return err;
}

/*
 * One "Ip6InReceives 12" line [s, end); other lines are skipped. A protocol is dropped from the earlier files
 * when it starts here; lines of one protocol come together, and dropping it
 * again could remove nothing (this file's entries are kept), so only a
 * change of protocol is worth the scan of every entry.
 */
static void netstat_parse_snmp6_line(struct netstat *st, const char *s,
				     const char *end, struct buf *tmp,
				     struct buf *last_proto)
{
	struct node_word w[2];
	const char *six;
	size_t plen;

	if (node_split_words(s, end, w, 2) < 2)
		return;
	six = memchr(w[0].s, '6', w[0].len);
	if (!six)
		return;
	plen = (size_t)(six - w[0].s) + 1;
	if (last_proto->len != plen || memcmp(last_proto->data, w[0].s, plen)) {
		netstat_drop_proto(st, w[0].s, plen, true);
		buf_truncate(last_proto, 0);
		buf_add(last_proto, w[0].s, plen);
	}
	netstat_add(st, w[0].s, plen, six + 1, w[0].len - plen, w[1].s,
		    w[1].len, tmp);
}

int netstat_parse_snmp6(const char *text, struct netstat *st)
{
	struct buf tmp = BUF_INIT, last_proto = BUF_INIT;

	st->file++;
	for (const char *s = text; *s;) {
		const char *line = s, *end = netstat_line(line, &s);

		netstat_parse_snmp6_line(st, line, end, &tmp, &last_proto);
	}
	buf_release(&last_proto);
	buf_release(&tmp);
	return 0;
}

static int netstat_cmp(const void *a, const void *b, void *names)
{
	const struct netstat_entry *x = a, *y = b;
	int c = strcmp((const char *)names + x->key,
		       (const char *)names + y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void netstat_finish(struct netstat *st)
{
	size_t j = 0;

	if (st->n == 0)
		return;
	qsort_r(st->v, st->n, sizeof(*st->v), netstat_cmp, st->names.data);
	for (size_t i = 0; i < st->n; i++) {
		bool last = i + 1 == st->n ||
			    strcmp(netstat_key(st, i), netstat_key(st, i + 1));

		if (last)
			st->v[j++] = st->v[i];
	}
	st->n = j;
}

void netstat_release(struct netstat *st)
{
	buf_release(&st->names);
	free(st->v);
	st->v = NULL;
	st->n = st->cap = 0;
}

/* ---- the collector --------------------------------------------------- */

/*
 * The last scrape's sort: the files name the same counters in the same
 * order scrape after scrape, so when the keys are what they were, the
 * sorted and merged order is too, and qsort's thousands of strcmp calls
 * can be skipped.
 */
struct netstat_order {
	struct buf names;	/* st->names as it was */
	size_t *keys;		/* st->v[i].key before the sort */
	size_t nkeys;
	size_t *pick;		/* positions before the sort, in final order */
	size_t npick;
	signed char *shown;	/* per final entry: written (1), not (0), unknown (-1) */
};

struct netstat_state {
	struct re_memo fields;	/* names repeat every scrape: remembered */
	struct netstat_order order;
};

static bool netstat_order_fits(const struct netstat_order *o,
			       const struct netstat *st)
{
	if (o->nkeys != st->n || o->names.len != st->names.len ||
	    memcmp(o->names.data, st->names.data, st->names.len) != 0)
		return false;
	for (size_t i = 0; i < st->n; i++)
		if (o->keys[i] != st->v[i].key)
			return false;
	return true;
}

static void *netstat_alloc(void *p, size_t n, size_t size)
{
	p = realloc(p, (n ? n : 1) * size);
	if (!p)
		abort();
	return p;
}

/* Position of the entry with seq in v[0..n), whose seqs ascend. */
static size_t netstat_find_seq(const struct netstat_entry *v, size_t n,
			       size_t seq)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* netstat_finish, remembering its outcome in o for the next scrape. */
static void netstat_finish_remembered(struct netstat *st,
				      struct netstat_order *o)
{
	struct netstat_entry *before;

	if (!st->n)
		return;
	if (netstat_order_fits(o, st)) {
		before = netstat_alloc(NULL, st->n, sizeof(*before));
		memcpy(before, st->v, st->n * sizeof(*before));
		for (size_t i = 0; i < o->npick; i++)
			st->v[i] = before[o->pick[i]];
		st->n = o->npick;
		free(before);
		return;
	}
	/* Entries sit in insertion order: their seqs ascend. */
	before = netstat_alloc(NULL, st->n, sizeof(*before));
	memcpy(before, st->v, st->n * sizeof(*before));
	o->keys = netstat_alloc(o->keys, st->n, sizeof(*o->keys));
	for (size_t i = 0; i < st->n; i++)
		o->keys[i] = st->v[i].key;
	o->nkeys = st->n;
	buf_truncate(&o->names, 0);
	buf_add(&o->names, st->names.data, st->names.len);
	netstat_finish(st);
	o->pick = netstat_alloc(o->pick, st->n, sizeof(*o->pick));
	for (size_t i = 0; i < st->n; i++)
		o->pick[i] = netstat_find_seq(before, o->nkeys, st->v[i].seq);
	o->npick = st->n;
	o->shown = netstat_alloc(o->shown, st->n, sizeof(*o->shown));
	memset(o->shown, -1, st->n);
	free(before);
}

/*
 * Reads one file into st with parse. A missing snmp6 is no error (IPv6
 * disabled), a missing netstat or snmp is, as upstream has it.
 */
static int netstat_read(const char *procfs, const char *rel, bool optional,
			int (*parse)(const char *, struct netstat *),
			struct netstat *st)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int err;

	err = fs_read_file(fs_join(&path, procfs, rel), &text, FS_READ_MAX);
	if (err == -ENOENT && optional)
		err = 0;
	else if (!err)
		err = parse(buf_cstr(&text), st);
	buf_release(&text);
	buf_release(&path);
	return err;
}

/*
 * Writes one untyped family per matching field. Upstream reads every value
 * before it looks at the pattern, so any bad value fails the scrape.
 */
static int netstat_write(struct expo *w, const struct netstat *st,
			 struct re_memo *fields, signed char *shown)
{
	struct buf name = BUF_INIT, help = BUF_INIT;
	struct metric_desc d = { .type = METRIC_UNTYPED };

	for (size_t i = 0; i < st->n; i++)
		if (!st->v[i].valid)
			return -EINVAL;
	for (size_t i = 0; i < st->n; i++) {
		const char *key = netstat_key(st, i);
		size_t plen = st->v[i].proto_len;

		if (!shown[i])
			continue;
		if (shown[i] < 0 && !re_memo_matches(fields, key)) {
			shown[i] = 0;
			continue;
		}
		buf_truncate(&name, 0);
		buf_truncate(&help, 0);
		buf_adds(&name, NETSTAT_PREFIX);
		buf_adds(&name, key);
		/* Skipped where upstream would panic on a bad name. */
		if (shown[i] < 0 && !expo_valid_metric_name(buf_cstr(&name))) {
			shown[i] = 0;
			continue;
		}
		shown[i] = 1;
		buf_adds(&help, "Statistic ");
		buf_add(&help, key, plen);
		buf_adds(&help, key + plen + 1);
		buf_addc(&help, '.');
		d.name = buf_cstr(&name);
		d.help = buf_cstr(&help);
		expo_family(w, &d);
		expo_value(w, st->v[i].value);
	}
	buf_release(&help);
	buf_release(&name);
	return 0;
}

static int netstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct netstat_state *state = ctx->state;
	struct netstat st = NETSTAT_INIT;
	int err;

	err = netstat_read(cfg->procfs, "net/netstat", false, netstat_parse,
			   &st);
	if (!err)
		err = netstat_read(cfg->procfs, "net/snmp", false,
				   netstat_parse, &st);
	if (!err)
		err = netstat_read(cfg->procfs, "net/snmp6", true,
				   netstat_parse_snmp6, &st);
	if (!err) {
		netstat_finish_remembered(&st, &state->order);
		err = netstat_write(w, &st, &state->fields,
				    state->order.shown);
	}
	netstat_release(&st);
	return err;
}

static void netstat_release_state(void *state)
{
	struct netstat_state *s = state;

	if (!s)
		return;
	re_memo_free(&s->fields);
	buf_release(&s->order.names);
	free(s->order.keys);
	free(s->order.pick);
	free(s->order.shown);
	free(s);
}

static int netstat_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	struct netstat_state *s = calloc(1, sizeof(*s));
	struct buf err = BUF_INIT;
	const char *pattern = cfg->netstat_fields ? cfg->netstat_fields : "";

	if (!s)
		abort();
	if (re_memo_compile(&s->fields, pattern, &err) != 0) {
		log_error("fields pattern does not compile",
			  "flag", "collector.netstat.fields",
			  "pattern", pattern, "err", buf_cstr(&err));
		buf_release(&err);
		free(s);
		return -EINVAL;
	}
	buf_release(&err);
	*state = s;
	return 0;
}

const struct collector netstat_collector = {
	.name = "netstat",
	.enabled_by_default = true,
	.init = netstat_init,
	.collect = netstat_collect,
	.release = netstat_release_state,
};
