#include "textparse.h"
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- storage ------------------------------------------------------------ */

/*
 * Names, values and label arrays live in chunks that never move, so the
 * pointers handed out stay valid while the families' sample arrays grow.
 */
struct textparse_chunk {
	struct textparse_chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

#define CHUNK_MIN 256
#define CHUNK_MAX (64 * 1024)

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/*
 * Returns n bytes aligned for any object. A new chunk is sized after the
 * input (hint), so that small documents cost little and large ones few
 * allocations.
 */
static void *arena_alloc(struct textparse *tp, size_t n, size_t hint)
{
	struct textparse_chunk *c = tp->chunks;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!c || c->cap - c->used < need) {
		size_t cap = hint < CHUNK_MIN ? CHUNK_MIN :
			     hint > CHUNK_MAX ? CHUNK_MAX : hint;
		if (cap < need)
			cap = need;
		c = xrealloc(NULL, sizeof(*c) + cap);
		c->next = tp->chunks;
		c->used = 0;
		c->cap = cap;
		tp->chunks = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

/* ---- the parser's state --------------------------------------------------- */

struct parser {
	struct textparse *tp;
	struct buf *err;
	size_t hint;			/* chunk size for this input */
	unsigned line;
	const char *p, *eol;		/* cursor in the current line */
	size_t *slots;			/* family index + 1, open addressing */
	size_t nslots;
	struct buf scratch;		/* the token being unescaped */
	struct textparse_label *labels;	/* labels of the current sample */
	size_t nlabels, labels_cap;
};

/* Appends "line N: <message>" to err; always returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	buf_addf(ps->err, "line %u: ", ps->line);
	va_start(ap, fmt);
	buf_vaddf(ps->err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Appends "line N: <what><token>" to err, the token cut at 40 bytes and its
 * control characters escaped, so the message stays one line whatever the
 * input holds. Always returns -EINVAL.
 */
static int fail_token(struct parser *ps, const char *what, const char *tok,
		      size_t n)
{
	fail(ps, "%s", what);
	for (size_t i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)tok[i];
		if (c == '\n')
			buf_adds(ps->err, "\\n");
		else if (c == '\r')
			buf_adds(ps->err, "\\r");
		else if (c == '\t')
			buf_adds(ps->err, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(ps->err, "\\x%02x", c);
		else
			buf_addc(ps->err, (char)c);
	}
	return -EINVAL;
}

static char *arena_strndup(struct parser *ps, const char *s, size_t n)
{
	char *d = arena_alloc(ps->tp, n + 1, ps->hint);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- characters and tokens ---------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->eol && is_blank(*ps->p))
		ps->p++;
}

/* Length of the metric (colon) or label name at the cursor; may be 0. */
static size_t name_len(const struct parser *ps, bool colon)
{
	size_t n = 0;

	while (ps->p + n < ps->eol && is_name_char(ps->p[n], n == 0, colon))
		n++;
	return n;
}

/* Length of the token at the cursor, up to a blank or the end of line. */
static size_t token_len(const struct parser *ps)
{
	size_t n = 0;

	while (ps->p + n < ps->eol && !is_blank(ps->p[n]))
		n++;
	return n;
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = text_utf8_len(u + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

/*
 * Go's ParseFloat takes decimal and hexadecimal (with a 'p' exponent)
 * floats and, case-insensitively, "inf", "infinity" with an optional sign,
 * and "nan" without one. strtod takes a little more (hex without exponent,
 * "nan(...)", a signed NaN), which is refused here first.
 */
static bool go_float_syntax(const char *s, size_t len)
{
	size_t i = (s[0] == '+' || s[0] == '-');
	bool hex = false, exp_p = false;

	if (i < len && (s[i] == 'n' || s[i] == 'N') && i)
		return false;
	for (size_t k = i; k < len; k++) {
		char c = s[k];
		if (c == 'x' || c == 'X')
			hex = true;
		if (c == 'p' || c == 'P')
			exp_p = true;
		if (!strchr("0123456789+-.eExXpPaAbBcCdDfFiInNtTyY", c))
			return false;
	}
	return !hex || exp_p;
}

bool textparse_float(const char *s, size_t len, double *out)
{
	char small[64];
	char *copy = small;
	char *end;
	bool ok;

	if (len == 0 || !go_float_syntax(s, len))
		return false;
	if (len >= sizeof(small))
		copy = xrealloc(NULL, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	errno = 0;
	*out = strtod(copy, &end);
	/* Go refuses overflow (ERANGE to ±Inf) but takes underflow. */
	ok = end == copy + len && !(errno == ERANGE && isinf(*out));
	if (copy != small)
		free(copy);
	return ok;
}

/* Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits. */
static bool parse_int64(const char *s, size_t len, int64_t *out)
{
	size_t i = (len && (s[0] == '+' || s[0] == '-'));
	char copy[24];
	char *end;

	if (i == len || len >= sizeof(copy))
		return false;
	for (size_t k = i; k < len; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	memcpy(copy, s, len);
	copy[len] = '\0';
	errno = 0;
	long long v = strtoll(copy, &end, 10);
	if (errno == ERANGE || end != copy + len)
		return false;
	*out = v;
	return true;
}

/* ---- families ------------------------------------------------------------- */

static bool family_is(const struct textparse_family *f, const char *s, size_t n)
{
	return strncmp(f->name, s, n) == 0 && f->name[n] == '\0';
}

/* The family named exactly [s, s+n), or NULL. */
static struct textparse_family *family_find(struct parser *ps, const char *s,
					    size_t n)
{
	if (!ps->nslots)
		return NULL;
	size_t mask = ps->nslots - 1;
	for (size_t j = text_hash(s, n) & mask; ps->slots[j]; j = (j + 1) & mask) {
		struct textparse_family *f = &ps->tp->families[ps->slots[j] - 1];
		if (family_is(f, s, n))
			return f;
	}
	return NULL;
}

static void slots_insert(size_t *slots, size_t nslots, const char *name,
			 size_t index)
{
	size_t j = text_hash(name, strlen(name)) & (nslots - 1);

	while (slots[j])
		j = (j + 1) & (nslots - 1);
	slots[j] = index + 1;
}

/* Keeps the table at most half full, rehashing into twice the slots. */
static void slots_grow(struct parser *ps)
{
	struct textparse *tp = ps->tp;

	if ((tp->nfamilies + 1) * 2 <= ps->nslots)
		return;
	size_t n = ps->nslots ? ps->nslots * 2 : 64;
	size_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		abort();
	for (size_t i = 0; i < tp->nfamilies; i++)
		slots_insert(slots, n, tp->families[i].name, i);
	free(ps->slots);
	ps->slots = slots;
	ps->nslots = n;
}

static struct textparse_family *family_add(struct parser *ps, const char *s,
					   size_t n)
{
	struct textparse *tp = ps->tp;

	slots_grow(ps);
	if (tp->nfamilies == tp->cap) {
		tp->cap = tp->cap ? tp->cap * 2 : 16;
		tp->families = xrealloc(tp->families,
					tp->cap * sizeof(*tp->families));
	}
	struct textparse_family *f = &tp->families[tp->nfamilies];
	memset(f, 0, sizeof(*f));
	f->name = arena_strndup(ps, s, n);
	f->type = METRIC_UNTYPED;
	slots_insert(ps->slots, ps->nslots, f->name, tp->nfamilies);
	tp->nfamilies++;
	return f;
}

static bool has_suffix(const char *s, size_t n, const char *suffix, size_t *base)
{
	size_t m = strlen(suffix);

	if (n <= m || memcmp(s + n - m, suffix, m) != 0)
		return false;
	*base = n - m;
	return true;
}

/*
 * The family a name belongs to, as the Go parser decides it: the family of
 * that exact name; else, for name_sum and name_count, a summary or
 * histogram `name`; for name_bucket a histogram `name`; else a new untyped
 * family. Sets *part to say which part of its family the name is.
 */
static struct textparse_family *family_get(struct parser *ps, const char *s,
					   size_t n, enum textparse_part *part)
{
	static const struct {
		const char *suffix;
		enum textparse_part part;
		bool summary;
	} parts[] = {
		{ "_sum", TEXTPARSE_SUM, true },
		{ "_count", TEXTPARSE_COUNT, true },
		{ "_bucket", TEXTPARSE_BUCKET, false },
	};
	struct textparse_family *f = family_find(ps, s, n);
	size_t base;

	*part = TEXTPARSE_VALUE;
	if (f)
		return f;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!has_suffix(s, n, parts[i].suffix, &base))
			continue;
		f = family_find(ps, s, base);
		if (f && (f->type == METRIC_HISTOGRAM ||
			  (parts[i].summary && f->type == METRIC_SUMMARY))) {
			*part = parts[i].part;
			return f;
		}
	}
	return family_add(ps, s, n);
}

/* ---- comments ------------------------------------------------------------- */

/*
 * Unescapes [ps->p, eol) into scratch: HELP text knows \\ and \n, label
 * values also \" and stop at an unescaped '"'. Leaves the cursor after the
 * text (after the closing quote for a label value).
 */
static int unescape(struct parser *ps, bool quoted)
{
	buf_truncate(&ps->scratch, 0);
	while (ps->p < ps->eol) {
		char c = *ps->p++;
		if (quoted && c == '"')
			return 0;
		if (c != '\\') {
			buf_addc(&ps->scratch, c);
			continue;
		}
		c = ps->p < ps->eol ? *ps->p++ : '\n';
		if (c == 'n')
			buf_addc(&ps->scratch, '\n');
		else if (c == '\\' || (quoted && c == '"'))
			buf_addc(&ps->scratch, c);
		else if (c == '\n')	/* a backslash ends the line */
			return fail(ps, "invalid escape sequence at end of line");
		else
			return fail_token(ps, "invalid escape sequence \\",
					  &ps->p[-1], 1);
	}
	if (quoted)
		return fail(ps, "label value contains unescaped new-line");
	return 0;
}

static int parse_help(struct parser *ps, struct textparse_family *f)
{
	if (f->help)
		return fail(ps, "second HELP line for metric name %s", f->name);
	int rc = unescape(ps, false);
	if (rc)
		return rc;
	f->help = arena_strndup(ps, buf_cstr(&ps->scratch), ps->scratch.len);
	return 0;
}

static int parse_type(struct parser *ps, struct textparse_family *f)
{
	static const struct {
		const char *name;
		enum metric_type type;
	} types[] = {
		{ "counter", METRIC_COUNTER },
		{ "gauge", METRIC_GAUGE },
		{ "histogram", METRIC_HISTOGRAM },
		{ "summary", METRIC_SUMMARY },
		{ "untyped", METRIC_UNTYPED },
	};
	size_t n = (size_t)(ps->eol - ps->p);

	if (f->typed || f->nsamples)
		return fail(ps, "second TYPE line for metric name %s, or TYPE reported after samples",
			    f->name);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strlen(types[i].name) == n &&
		    strncasecmp(types[i].name, ps->p, n) == 0) {
			f->type = types[i].type;
			f->typed = true;
			return 0;
		}
	}
	return fail_token(ps, "unknown metric type ", ps->p, n);
}

/*
 * A comment line, cursor after '#'. Only "HELP name text" and "TYPE name
 * type" mean anything (and may not hold a NUL, as names and HELP are C
 * strings); a HELP or TYPE line that ends after the name is ignored, as the
 * Go parser ignores it.
 */
static int parse_comment(struct parser *ps, bool nul)
{
	skip_blanks(ps);
	size_t n = token_len(ps);
	bool help = n == 4 && memcmp(ps->p, "HELP", 4) == 0;
	bool type = n == 4 && memcmp(ps->p, "TYPE", 4) == 0;

	if (!help && !type)
		return 0;
	if (nul)
		return fail(ps, "invalid NUL byte");
	ps->p += n;
	skip_blanks(ps);
	const char *name = ps->p;
	n = name_len(ps, true);
	ps->p += n;
	if (ps->p == ps->eol)
		return 0;
	if (!is_blank(*ps->p))
		return fail(ps, "invalid metric name in comment");
	enum textparse_part part;
	struct textparse_family *f = family_get(ps, name, n, &part);
	skip_blanks(ps);
	if (ps->p == ps->eol)
		return 0;
	return help ? parse_help(ps, f) : parse_type(ps, f);
}

/* ---- samples -------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	const struct textparse_label *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* True when two labels of the current sample share a name. */
static bool labels_duplicate(struct parser *ps)
{
	size_t n = ps->nlabels;

	if (n <= 8) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(ps->labels[i].name, ps->labels[j].name) == 0)
					return true;
		return false;
	}
	/* Many labels: sort a copy rather than compare every pair. */
	struct textparse_label *s = xrealloc(NULL, n * sizeof(*s));
	bool dup = false;
	memcpy(s, ps->labels, n * sizeof(*s));
	qsort(s, n, sizeof(*s), name_cmp);
	for (size_t i = 1; i < n && !dup; i++)
		dup = strcmp(s[i - 1].name, s[i].name) == 0;
	free(s);
	return dup;
}

static void label_push(struct parser *ps, const char *name, const char *value)
{
	if (ps->nlabels == ps->labels_cap) {
		ps->labels_cap = ps->labels_cap ? ps->labels_cap * 2 : 8;
		ps->labels = xrealloc(ps->labels,
				      ps->labels_cap * sizeof(*ps->labels));
	}
	ps->labels[ps->nlabels++] = (struct textparse_label){ name, value };
}

/* The quantile of a summary and le of a histogram must be floats. */
static int check_special_label(struct parser *ps,
			       const struct textparse_family *f,
			       const char *name, const char *value)
{
	const char *want = f->type == METRIC_SUMMARY ? "quantile" :
			   f->type == METRIC_HISTOGRAM ? "le" : NULL;
	double v;

	if (!want || strcmp(name, want) != 0)
		return 0;
	if (!textparse_float(value, strlen(value), &v))
		return fail_token(ps, strcmp(want, "le") ?
				  "expected float as value for 'quantile' label, got " :
				  "expected float as value for 'le' label, got ",
				  value, strlen(value));
	return 0;
}

/* One name="value" pair; cursor at the name. */
static int parse_label(struct parser *ps, const struct textparse_family *f)
{
	size_t n = name_len(ps, false);
	const char *name = ps->p;

	if (!n)
		return fail(ps, "invalid label name for metric %s", f->name);
	if (n == 8 && memcmp(name, "__name__", 8) == 0)
		return fail(ps, "label name __name__ is reserved");
	ps->p += n;
	skip_blanks(ps);
	if (ps->p == ps->eol || *ps->p != '=')
		return fail_token(ps, "expected '=' after label name ", name, n);
	ps->p++;
	skip_blanks(ps);
	if (ps->p == ps->eol || *ps->p != '"')
		return fail(ps, "expected '\"' at start of label value");
	ps->p++;
	int rc = unescape(ps, true);
	if (rc)
		return rc;
	if (!valid_utf8(buf_cstr(&ps->scratch), ps->scratch.len))
		return fail(ps, "invalid label value: not UTF-8");
	const char *value = arena_strndup(ps, buf_cstr(&ps->scratch),
					  ps->scratch.len);
	label_push(ps, arena_strndup(ps, name, n), value);
	return check_special_label(ps, f, ps->labels[ps->nlabels - 1].name, value);
}

/* The label set; cursor after '{'. A trailing comma is allowed. */
static int parse_labels(struct parser *ps, const struct textparse_family *f)
{
	for (;;) {
		skip_blanks(ps);
		if (ps->p < ps->eol && *ps->p == '}')
			break;
		int rc = parse_label(ps, f);
		if (rc)
			return rc;
		skip_blanks(ps);
		if (ps->p < ps->eol && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->eol && *ps->p == '}')
			break;
		return fail(ps, "unexpected end of label value");
	}
	ps->p++;
	if (labels_duplicate(ps))
		return fail(ps, "duplicate label names for metric %s", f->name);
	return 0;
}

static struct textparse_sample *sample_add(struct parser *ps,
					   struct textparse_family *f)
{
	if (f->nsamples == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->samples = xrealloc(f->samples, f->cap * sizeof(*f->samples));
	}
	struct textparse_sample *s = &f->samples[f->nsamples++];
	memset(s, 0, sizeof(*s));
	if (ps->nlabels) {
		size_t size = ps->nlabels * sizeof(*ps->labels);
		struct textparse_label *l = arena_alloc(ps->tp, size, ps->hint);
		memcpy(l, ps->labels, size);
		s->labels = l;
		s->nlabels = ps->nlabels;
	}
	s->line = ps->line;
	return s;
}

/*
 * The value and optional timestamp after the name and labels. As in the Go
 * parser, a blank after the value announces a timestamp and one after the
 * timestamp is "spurious": trailing blanks are an error.
 */
static int parse_value(struct parser *ps, struct textparse_sample *s)
{
	size_t n = token_len(ps);

	if (!textparse_float(ps->p, n, &s->value))
		return fail_token(ps, "expected float as value, got ", ps->p, n);
	ps->p += n;
	if (ps->p == ps->eol)
		return 0;
	skip_blanks(ps);
	n = token_len(ps);
	if (!parse_int64(ps->p, n, &s->timestamp_ms))
		return fail_token(ps, "expected integer as timestamp, got ",
				  ps->p, n);
	s->has_timestamp = true;
	ps->p += n;
	if (ps->p != ps->eol)
		return fail_token(ps, "spurious string after timestamp: ", ps->p,
				  (size_t)(ps->eol - ps->p));
	return 0;
}

/* A sample line; cursor at the metric name. */
static int parse_sample(struct parser *ps)
{
	const char *name = ps->p;
	size_t n = name_len(ps, true);
	enum textparse_part part;

	if (!n)
		return fail(ps, "invalid metric name");
	ps->p += n;
	struct textparse_family *f = family_get(ps, name, n, &part);
	ps->nlabels = 0;
	skip_blanks(ps);
	if (ps->p < ps->eol && *ps->p == '{') {
		ps->p++;
		int rc = parse_labels(ps, f);
		if (rc)
			return rc;
		skip_blanks(ps);
	}
	struct textparse_sample *s = sample_add(ps, f);
	s->name = part == TEXTPARSE_VALUE ? f->name : arena_strndup(ps, name, n);
	s->part = part;
	return parse_value(ps, s);
}

/* One line [s, eol); terminated says whether a '\n' ends it. */
static int parse_line(struct parser *ps, const char *s, const char *eol,
		      bool terminated)
{
	bool nul = memchr(s, '\0', (size_t)(eol - s)) != NULL;

	ps->p = s;
	ps->eol = eol;
	skip_blanks(ps);
	if (ps->p == eol)
		return 0;
	if (!terminated)
		return fail(ps, "unexpected end of input stream");
	if (*ps->p == '#') {
		ps->p++;
		return parse_comment(ps, nul);
	}
	/* Names and values are C strings: a NUL cannot be carried. */
	return nul ? fail(ps, "invalid NUL byte") : parse_sample(ps);
}

/* Drops families that never got a sample (HELP or TYPE alone). */
static void drop_empty(struct textparse *tp)
{
	size_t k = 0;

	for (size_t i = 0; i < tp->nfamilies; i++) {
		if (tp->families[i].nsamples)
			tp->families[k++] = tp->families[i];
		else
			free(tp->families[i].samples);
	}
	tp->nfamilies = k;
}

int textparse_parse(struct textparse *tp, const char *text, size_t len,
		    struct buf *err)
{
	struct parser ps = { .tp = tp, .err = err };
	const char *s = text, *end = text + len;
	int rc = 0;

	memset(tp, 0, sizeof(*tp));
	ps.hint = len / 2 + CHUNK_MIN;
	while (s < end && !rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		ps.line++;
		rc = parse_line(&ps, s, eol, nl != NULL);
		s = nl ? nl + 1 : end;
	}
	free(ps.slots);
	free(ps.labels);
	buf_release(&ps.scratch);
	if (rc) {
		textparse_release(tp);
		return rc;
	}
	drop_empty(tp);
	return 0;
}

void textparse_release(struct textparse *tp)
{
	for (size_t i = 0; i < tp->nfamilies; i++)
		free(tp->families[i].samples);
	free(tp->families);
	while (tp->chunks) {
		struct textparse_chunk *next = tp->chunks->next;
		free(tp->chunks);
		tp->chunks = next;
	}
	memset(tp, 0, sizeof(*tp));
}

bool textparse_has_timestamps(const struct textparse *tp)
{
	for (size_t i = 0; i < tp->nfamilies; i++)
		for (size_t j = 0; j < tp->families[i].nsamples; j++)
			if (tp->families[i].samples[j].has_timestamp)
				return true;
	return false;
}
