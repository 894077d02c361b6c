#include "regex.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

/*
 * The translation works on bytes in the C locale. Character classes become
 * a set of bytes first and are written out afresh, which sidesteps POSIX's
 * placement rules for ']', '^' and '-' and its "[:" / "[." / "[=" traps.
 * Go's class names ([:alpha:], \d, \w, \s) are ASCII-only, so a byte set
 * expresses them exactly. Greediness does not change whether a match
 * exists, and REG_NOSUB asks no more, so lazy quantifiers lose their '?'.
 */

/* Kind of the last thing written, to check what a quantifier applies to. */
enum last { LAST_NONE, LAST_ATOM, LAST_REPEAT };

struct xlate {
	const char *pat;	/* the whole pattern, for messages */
	const char *p;		/* next byte to translate */
	struct buf *out;
	struct buf *err;
	int depth;		/* groups open */
	enum last last;
	bool dotall;		/* (?s): '.' matches '\n' as well */
	int cflags;		/* REG_ICASE from a leading (?i) */
};

struct byteset {
	uint64_t w[4];
};

/* Byte ranges as pairs lo, hi. Go defines all these classes on ASCII. */
static const struct {
	const char *name;
	const char *ranges;
} posix_classes[] = {
	{ "alnum", "09AZaz" },
	{ "alpha", "AZaz" },
	{ "ascii", "\x01\x7f" },
	{ "blank", "\t\t  " },
	{ "cntrl", "\x01\x1f\x7f\x7f" },
	{ "digit", "09" },
	{ "graph", "!~" },
	{ "lower", "az" },
	{ "print", " ~" },
	{ "punct", "!/:@[`{~" },
	{ "space", "\t\r  " },
	{ "upper", "AZ" },
	{ "word", "09AZaz__" },
	{ "xdigit", "09AFaf" },
};

/* RE2's \d, \s (no \v) and \w; upper case is the complement. */
static const char *perl_ranges(char c)
{
	switch (c | 0x20) {
	case 'd':
		return "09";
	case 's':
		return "\t\n\f\r  ";
	default:
		return "09AZaz__";
	}
}

static void set_add(struct byteset *s, unsigned int c)
{
	s->w[c >> 6] |= (uint64_t)1 << (c & 63);
}

static bool set_has(const struct byteset *s, unsigned int c)
{
	return s->w[c >> 6] >> (c & 63) & 1;
}

/* Removes c, saying whether it was there. */
static bool set_take(struct byteset *s, unsigned int c)
{
	bool had = set_has(s, c);

	s->w[c >> 6] &= ~((uint64_t)1 << (c & 63));
	return had;
}

static bool set_empty(const struct byteset *s)
{
	return !(s->w[0] | s->w[1] | s->w[2] | s->w[3]);
}

static void set_add_ranges(struct byteset *s, const char *ranges, bool invert)
{
	struct byteset t = { { 0 } };

	for (; ranges[0] && ranges[1]; ranges += 2)
		for (unsigned int c = (unsigned char)ranges[0]; c <= (unsigned char)ranges[1]; c++)
			set_add(&t, c);
	for (int i = 0; i < 4; i++)
		s->w[i] |= invert ? ~t.w[i] : t.w[i];
}

/* Appends s with control characters escaped: messages stay one line. */
static void add_printable(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

/* "reason: `pattern`", as Go words its parse errors. Returns -1. */
__attribute__((format(printf, 2, 3)))
static int fail(struct xlate *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(x->err, fmt, ap);
	va_end(ap);
	buf_adds(x->err, ": `");
	add_printable(x->err, x->pat);
	buf_addc(x->err, '`');
	return -1;
}

/* One ASCII literal outside a class, escaped if ERE gives it a meaning. */
static void emit_char(struct xlate *x, unsigned char c)
{
	if (c && strchr(".[\\()*+?{|^$", c))
		buf_addc(x->out, '\\');
	buf_addc(x->out, (char)c);
	x->last = LAST_ATOM;
}

/*
 * A multibyte UTF-8 character is a single atom to Go but several to POSIX
 * in the C locale; the group keeps a following quantifier on all of it.
 */
static void emit_multibyte(struct xlate *x, const char *s, size_t n)
{
	buf_addc(x->out, '(');
	buf_add(x->out, s, n);
	buf_addc(x->out, ')');
	x->last = LAST_ATOM;
}

static void emit_codepoint(struct xlate *x, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		emit_char(x, (unsigned char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		emit_multibyte(x, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		emit_multibyte(x, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		emit_multibyte(x, u, 4);
	}
}

/* 0 for a byte that is no letter, 1 for upper case, 2 for lower case. */
static int letter_case(unsigned int c)
{
	return c >= 'A' && c <= 'Z' ? 1 : c >= 'a' && c <= 'z' ? 2 : 0;
}

/*
 * Appends the members of s as ascending runs: "a", "ab", "a-z". A range
 * never spans two kinds of letter_case(): under REG_ICASE glibc case-maps
 * both ends, and "_-z" would turn into the invalid "_-Z".
 */
static void emit_runs(struct buf *out, const struct byteset *s)
{
	for (unsigned int c = 1; c < 256; c++) {
		unsigned int e = c;

		if (!set_has(s, c))
			continue;
		while (e + 1 < 256 && set_has(s, e + 1) && letter_case(e + 1) == letter_case(c))
			e++;
		buf_addc(out, (char)c);
		if (e > c + 1)
			buf_addc(out, '-');
		if (e > c)
			buf_addc(out, (char)e);
		c = e;
	}
}

/*
 * Writes a byte set as a POSIX bracket expression. A set holding the high
 * bytes (from \D, [^...] inside, [:^alpha:]) is written as the negation of
 * its complement, so that only ASCII appears. ']' goes first, '^' after
 * something else, '-' last: the places where POSIX reads them literally.
 */
static int emit_set(struct xlate *x, struct byteset set, bool negate)
{
	struct buf *out = x->out;
	bool rb, caret, dash;

	set_take(&set, 0);	/* a C string never holds NUL */
	if (set_has(&set, 0x80)) {
		for (int i = 0; i < 4; i++)
			set.w[i] = ~set.w[i];
		set_take(&set, 0);
		negate = !negate;
	}
	x->last = LAST_ATOM;
	if (set_empty(&set)) {
		if (!negate)
			return fail(x, "character class matches nothing");
		buf_addc(out, '.');	/* without REG_NEWLINE: any byte */
		return 0;
	}
	rb = set_take(&set, ']');
	caret = set_take(&set, '^');
	dash = set_take(&set, '-');
	if (!negate && !rb && caret && set_empty(&set)) {
		buf_adds(out, dash ? "[-^]" : "\\^");
		return 0;
	}
	buf_adds(out, negate ? "[^" : "[");
	if (rb)
		buf_addc(out, ']');
	emit_runs(out, &set);
	if (caret)
		buf_addc(out, '^');
	if (dash)
		buf_addc(out, '-');
	buf_addc(out, ']');
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* \xHH or \x{H...}; x->p is just past the 'x'. */
static int64_t parse_hex(struct xlate *x)
{
	int64_t v = 0;
	int h, n = 0;

	if (*x->p != '{') {
		if (hex_value(x->p[0]) < 0 || hex_value(x->p[1]) < 0)
			return fail(x, "invalid escape sequence \\x");
		v = hex_value(x->p[0]) * 16 + hex_value(x->p[1]);
		x->p += 2;
		return v;
	}
	for (x->p++; (h = hex_value(*x->p)) >= 0; x->p++, n++)
		if ((v = v * 16 + h) > 0x10ffff)
			return fail(x, "invalid escape sequence \\x{...} (too large)");
	if (*x->p != '}' || n == 0)
		return fail(x, "invalid escape sequence \\x{...}");
	x->p++;
	return v;
}

/* \1 to \7 alone are backreferences, which RE2 lacks; otherwise octal. */
static int64_t parse_octal(struct xlate *x, char c)
{
	int64_t v = c - '0';

	if (c != '0' && !(*x->p >= '0' && *x->p <= '7'))
		return fail(x, "backreferences (\\%c) are not supported", c);
	for (int i = 0; i < 2 && *x->p >= '0' && *x->p <= '7'; i++)
		v = v * 8 + (*x->p++ - '0');
	return v;
}

/*
 * The character an escape stands for (c is the byte after the backslash,
 * x->p is past it), or -1 with err set. Classes and assertions are handled
 * by the callers; this is what both in and out of brackets share.
 */
static int64_t escape_value(struct xlate *x, unsigned char c)
{
	static const char ctl[] = "a\af\fn\nr\rt\tv\v";
	const char *hit;

	if (c == 'x')
		return parse_hex(x);
	if (c >= '0' && c <= '7')
		return parse_octal(x, (char)c);
	if (c == 'b' || c == 'B')
		return fail(x, "word boundaries (\\%c) are not supported", c);
	if (c == 'p' || c == 'P')
		return fail(x, "Unicode classes (\\%c) are not supported", c);
	if (c >= 'a' && c <= 'z' && (hit = strchr(ctl, c)) != NULL)
		return (unsigned char)hit[1];
	/* Go lets any ASCII punctuation be escaped, and nothing else. */
	if (c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') &&
	    !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return c;
	if (c > ' ' && c < 0x7f)
		return fail(x, "invalid escape sequence \\%c", c);
	return fail(x, "invalid escape sequence \\x%02x", c);
}

/* One character, UTF-8 checked, copied as itself. */
static int xlate_literal(struct xlate *x)
{
	size_t n = text_utf8_len((const unsigned char *)x->p, 4);

	if (n == 0)
		return fail(x, "invalid UTF-8");
	if (n == 1)
		emit_char(x, (unsigned char)*x->p);
	else
		emit_multibyte(x, x->p, n);
	x->p += n;
	return 0;
}

/* \Q...\E: everything up to \E (or the end) is literal. */
static int xlate_quote(struct xlate *x)
{
	while (*x->p && !(x->p[0] == '\\' && x->p[1] == 'E'))
		if (xlate_literal(x))
			return -1;
	if (*x->p)
		x->p += 2;
	return 0;
}

/* An escape outside brackets; x->p is at the backslash. */
static int xlate_escape(struct xlate *x)
{
	unsigned char c = (unsigned char)x->p[1];
	struct byteset set = { { 0 } };
	int64_t cp;

	if (!c)
		return fail(x, "trailing backslash at end of expression");
	x->p += 2;
	if (strchr("dDsSwW", c)) {
		set_add_ranges(&set, perl_ranges((char)c), c < 'a');
		return emit_set(x, set, false);
	}
	if (c == 'A' || c == 'z') {
		buf_addc(x->out, c == 'A' ? '^' : '$');
		x->last = LAST_NONE;
		return 0;
	}
	if (c == 'Q')
		return xlate_quote(x);
	cp = escape_value(x, c);
	if (cp < 0)
		return -1;
	if (cp == 0)
		return fail(x, "NUL characters are not supported");
	emit_codepoint(x, (uint32_t)cp);
	return 0;
}

/*
 * "[:name:]" or "[:^name:]" at x->p inside brackets. Returns 0 when added,
 * 1 when this is no class name at all (then '[' is a plain member, as in
 * Go), -1 on an unknown name.
 */
static int class_name(struct xlate *x, struct byteset *set)
{
	const char *name = x->p + 2 + (x->p[2] == '^'), *end = name;
	bool invert = x->p[2] == '^';
	size_t len;

	while (*end >= 'a' && *end <= 'z')
		end++;
	if (end[0] != ':' || end[1] != ']')
		return 1;
	len = (size_t)(end - name);
	for (size_t i = 0; i < sizeof(posix_classes) / sizeof(posix_classes[0]); i++) {
		if (strlen(posix_classes[i].name) == len &&
		    strncmp(posix_classes[i].name, name, len) == 0) {
			set_add_ranges(set, posix_classes[i].ranges, invert);
			x->p = end + 2;
			return 0;
		}
	}
	return fail(x, "invalid character class name [:%.*s:]", (int)(len < 20 ? len : 20),
		    name);
}

/*
 * One member inside brackets: returns its byte, -2 after adding a whole
 * class (\d, \w...) to set, or -1 on error.
 */
static int class_char(struct xlate *x, struct byteset *set)
{
	unsigned char c = (unsigned char)*x->p;
	int64_t cp;

	if (c >= 0x80)
		return fail(x, "non-ASCII characters in [...] are not supported");
	if (c != '\\') {
		x->p++;
		return c;
	}
	c = (unsigned char)x->p[1];
	if (!c)
		return fail(x, "trailing backslash at end of expression");
	x->p += 2;
	if (strchr("dDsSwW", c)) {
		set_add_ranges(set, perl_ranges((char)c), c < 'a');
		return -2;
	}
	cp = escape_value(x, c);
	if (cp < 0)
		return -1;
	if (cp >= 0x80)
		return fail(x, "non-ASCII characters in [...] are not supported");
	return (int)cp;
}

/* A member, a range lo-hi or a class name, added to set. */
static int class_item(struct xlate *x, struct byteset *set)
{
	int lo, hi, r;

	if (x->p[0] == '[' && x->p[1] == ':') {
		r = class_name(x, set);
		if (r <= 0)
			return r;
	}
	lo = class_char(x, set);
	if (lo < 0)
		return lo == -2 ? 0 : -1;
	if (x->p[0] != '-' || !x->p[1] || x->p[1] == ']') {
		set_add(set, (unsigned int)lo);
		return 0;
	}
	x->p++;
	hi = class_char(x, set);
	if (hi == -1)
		return -1;
	if (hi == -2 || hi < lo)
		return fail(x, "invalid character class range");
	for (int c = lo; c <= hi; c++)
		set_add(set, (unsigned int)c);
	return 0;
}

/* A bracket expression; x->p is at '['. A ']' right after "[" or "[^" is a member. */
static int xlate_class(struct xlate *x)
{
	struct byteset set = { { 0 } };
	bool negate = false;

	x->p++;
	if (*x->p == '^') {
		negate = true;
		x->p++;
	}
	do {
		if (!*x->p)
			return fail(x, "missing closing ]");
		if (class_item(x, &set) != 0)
			return -1;
	} while (*x->p != ']');
	x->p++;
	return emit_set(x, set, negate);
}

/* The quantifier of n bytes at x->p, with a lazy '?' after it dropped. */
static int xlate_repeat(struct xlate *x, size_t n)
{
	if (x->last == LAST_NONE)
		return fail(x, "missing argument to repetition operator %.*s", (int)n, x->p);
	if (x->last == LAST_REPEAT)
		return fail(x, "invalid nested repetition operator %.*s", (int)n, x->p);
	buf_add(x->out, x->p, n);
	x->p += n;
	if (*x->p == '?')
		x->p++;
	x->last = LAST_REPEAT;
	return 0;
}

/*
 * Length of a repetition {n}, {n,} or {n,m} at x->p; 0 when the brace does
 * not start one (then it is a literal, as in Go); -1 for counts Go refuses.
 */
static int interval_len(struct xlate *x)
{
	const char *p = x->p + 1;
	int lo = 0, hi = -1, digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		lo = lo > 1000 ? lo : lo * 10 + (*p - '0');
	if (!digits)
		return 0;
	hi = lo;
	if (*p == ',') {
		hi = -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			hi = hi > 1000 ? hi : (hi < 0 ? 0 : hi * 10) + (*p - '0');
	}
	if (*p != '}')
		return 0;
	if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo))
		return fail(x, "invalid repeat count");
	return (int)(p + 1 - x->p);
}

static void open_group(struct xlate *x, const char *after)
{
	buf_addc(x->out, '(');
	x->p = after;
	x->depth++;
	x->last = LAST_NONE;
}

/* (?P<name> or (?<name>: the name is checked and dropped. */
static int named_group(struct xlate *x, const char *name)
{
	const char *p = name;

	while ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
	       *p == '_')
		p++;
	if (p == name || *p != '>')
		return fail(x, "invalid named capture");
	open_group(x, p + 1);
	return 0;
}

/* A group opening at x->p: capturing, (?:, named, or refused. */
static int xlate_group(struct xlate *x)
{
	const char *q = x->p + 2;

	if (x->p[1] != '?') {
		open_group(x, x->p + 1);
		return 0;
	}
	if (*q == ':') {
		open_group(x, q + 1);
		return 0;
	}
	if (*q == '=' || *q == '!' || (*q == '<' && (q[1] == '=' || q[1] == '!')))
		return fail(x, "lookahead and lookbehind are not supported");
	if (*q == 'P' && q[1] == '<')
		return named_group(x, q + 2);
	if (*q == '<')
		return named_group(x, q + 1);
	if (*q && strchr("imsU-", *q))
		return fail(x, "flags (?%c...) are only supported at the start of the pattern", *q);
	return fail(x, "invalid or unsupported Perl syntax (?");
}

/*
 * Leading flag groups such as (?i) or (?is): i becomes REG_ICASE and s lets
 * '.' match a newline; m and U have no POSIX equivalent here.
 */
static int leading_flags(struct xlate *x)
{
	while (x->p[0] == '(' && x->p[1] == '?') {
		const char *q = x->p + 2;

		while (*q && strchr("imsU-", *q))
			q++;
		if (*q != ')' || q == x->p + 2)
			return 0;	/* not a flags group: the main loop decides */
		for (const char *f = x->p + 2; f < q; f++) {
			if (*f == 'i')
				x->cflags |= REG_ICASE;
			else if (*f == 's')
				x->dotall = true;
			else
				return fail(x, "flag (?%c) is not supported", *f);
		}
		x->p = q + 1;
	}
	return 0;
}

/* Translates the construct at x->p and moves past it. */
static int xlate_one(struct xlate *x)
{
	int n;

	switch (*x->p) {
	case '\\':
		return xlate_escape(x);
	case '[':
		return xlate_class(x);
	case '(':
		return xlate_group(x);
	case ')':
		if (x->depth == 0)
			return fail(x, "unexpected )");
		x->depth--;
		buf_addc(x->out, *x->p++);
		x->last = LAST_ATOM;
		return 0;
	case '|':
	case '^':
	case '$':
		buf_addc(x->out, *x->p++);
		x->last = LAST_NONE;
		return 0;
	case '.':
		/* Go's '.' stops at a newline unless (?s); POSIX's does not. */
		buf_adds(x->out, x->dotall ? "." : "[^\n]");
		x->p++;
		x->last = LAST_ATOM;
		return 0;
	case '*':
	case '+':
	case '?':
		return xlate_repeat(x, 1);
	case '{':
		n = interval_len(x);
		if (n != 0)
			return n < 0 ? -1 : xlate_repeat(x, (size_t)n);
		x->p++;
		buf_adds(x->out, "\\{");
		x->last = LAST_ATOM;
		return 0;
	default:
		return xlate_literal(x);
	}
}

/* The whole translation; cflags gets REG_ICASE when the pattern asks. */
static int translate(const char *pattern, struct buf *out, struct buf *err, int *cflags)
{
	struct xlate x = { pattern, pattern, out, err, 0, LAST_NONE, false, 0 };
	size_t start = out->len;

	if (leading_flags(&x) != 0)
		goto fail;
	while (*x.p)
		if (xlate_one(&x) != 0)
			goto fail;
	if (x.depth > 0) {
		fail(&x, "missing closing )");
		goto fail;
	}
	*cflags = x.cflags;
	buf_add(out, "", 0);	/* NUL-terminated even when empty */
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

/*
 * Appends the ERE form of pattern to out. A leading (?i) is not visible in
 * the result: re_compile() passes it to regcomp() as REG_ICASE.
 */
int re_translate(const char *pattern, struct buf *out, struct buf *err)
{
	int cflags;

	return translate(pattern ? pattern : "", out, err, &cflags);
}

/* The pattern is translated, then compiled; the caller regfree()s on 0. */
int re_compile(regex_t *re, const char *pattern, struct buf *err)
{
	struct buf ere = BUF_INIT;
	int cflags = 0, rc;
	char msg[128];

	if (!pattern)
		pattern = "";
	if (translate(pattern, &ere, err, &cflags) != 0) {
		buf_release(&ere);
		return -1;
	}
	rc = regcomp(re, buf_cstr(&ere), REG_EXTENDED | REG_NOSUB | cflags);
	buf_release(&ere);
	if (rc == 0)
		return 0;
	regerror(rc, re, msg, sizeof(msg));
	buf_adds(err, msg);
	buf_adds(err, ": `");
	add_printable(err, pattern);
	buf_addc(err, '`');
	return -1;
}

/* Unanchored, as Go's MatchString: the pattern may match anywhere in s. */
bool re_matches(const regex_t *re, const char *s)
{
	return regexec(re, s ? s : "", 0, NULL, 0) == 0;
}

int re_memo_compile(struct re_memo *m, const char *pattern, struct buf *err)
{
	memset(m, 0, sizeof(*m));
	return re_compile(&m->re, pattern, err);
}

/* Slot of key in the table (found, or the empty one to fill). */
static struct re_memo_entry *memo_slot(const struct re_memo *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)text_hash(key, strlen(key)) & mask;

	while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & mask;
	return &m->slots[i];
}

static void memo_grow(struct re_memo *m)
{
	struct re_memo old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots)
		abort();
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*memo_slot(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
}

bool re_memo_matches(struct re_memo *m, const char *s)
{
	if (m->cap) {
		struct re_memo_entry *e = memo_slot(m, s);
		if (e->key)
			return e->match;
	}
	bool match = re_matches(&m->re, s);
	if (m->n >= RE_MEMO_MAX)
		return match;
	if ((m->n + 1) * 2 > m->cap)
		memo_grow(m);
	struct re_memo_entry *e = memo_slot(m, s);
	if (!(e->key = strdup(s)))
		abort();
	e->match = match;
	m->n++;
	return match;
}

void re_memo_free(struct re_memo *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	regfree(&m->re);
	memset(m, 0, sizeof(*m));
}
