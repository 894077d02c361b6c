#include "expo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

static const char *type_name(enum metric_type t, enum expo_format f)
{
	switch (t) {
	case METRIC_GAUGE:
		return "gauge";
	case METRIC_COUNTER:
		return "counter";
	case METRIC_SUMMARY:
		return "summary";
	case METRIC_HISTOGRAM:
		return "histogram";
	case METRIC_UNTYPED:
		break;
	}
	return f == EXPO_OPENMETRICS ? "unknown" : "untyped";
}

void expo_init(struct expo *w, struct buf *out, enum expo_format format)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->format = format;
}

void expo_release(struct expo *w)
{
	free(w->seen);
	w->seen = NULL;
	w->seen_cap = w->seen_len = 0;
}

/* 0 is reserved as the empty slot marker. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = text_hash(s, strlen(s));

	return h ? h : 1;
}

static void seen_grow(struct expo *w)
{
	size_t cap = w->seen_cap ? w->seen_cap * 2 : 16; /* most writers: a few families */
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		abort();
	for (size_t i = 0; i < w->seen_cap; i++) {
		uint64_t h = w->seen[i];
		if (!h)
			continue;
		size_t j = h & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = h;
	}
	free(w->seen);
	w->seen = slots;
	w->seen_cap = cap;
}

/* Adds the family name to the seen set; false when it was already there. */
static bool seen_insert(struct expo *w, const char *name)
{
	if ((w->seen_len + 1) * 2 > w->seen_cap)
		seen_grow(w);
	uint64_t h = name_hash(name);
	size_t j = h & (w->seen_cap - 1);
	while (w->seen[j]) {
		if (w->seen[j] == h)
			return false;
		j = (j + 1) & (w->seen_cap - 1);
	}
	w->seen[j] = h;
	w->seen_len++;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void expo_family(struct expo *w, const struct metric_desc *d)
{
	w->family = d;
	w->nlabels = 0;
	if (d->labels)
		while (d->labels[w->nlabels])
			w->nlabels++;
	w->discard = !seen_insert(w, d->name);
	if (w->discard) {
		w->errors++;
		return;
	}

	/* OpenMetrics names a counter family without _total (see expo.h). */
	enum metric_type type = d->type;
	size_t name_len = strlen(d->name);
	if (w->format == EXPO_OPENMETRICS && type == METRIC_COUNTER) {
		if (ends_with(d->name, "_total"))
			name_len -= strlen("_total");
		else
			type = METRIC_UNTYPED;
	}
	if (d->help) {
		buf_adds(w->out, "# HELP ");
		buf_add(w->out, d->name, name_len);
		buf_addc(w->out, ' ');
		expo_escape_help(w->out, d->help, w->format);
		buf_addc(w->out, '\n');
	}
	buf_adds(w->out, "# TYPE ");
	buf_add(w->out, d->name, name_len);
	buf_addc(w->out, ' ');
	buf_adds(w->out, type_name(type, w->format));
	buf_addc(w->out, '\n');
}

static void add_number(struct buf *b, double v)
{
	char num[EXPO_NUMBER_MAX];
	size_t n = expo_format_number(num, v);
	buf_add(b, num, n);
}

void expo_sample_raw(struct expo *w, const char *suffix,
		     const char *const *names, const char *const *values,
		     size_t n, double v)
{
	if (!w->family || w->discard) {
		w->errors += !w->family;
		return;
	}
	struct buf *b = w->out;
	buf_adds(b, w->family->name);
	buf_adds(b, suffix);
	if (n) {
		buf_addc(b, '{');
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			buf_adds(b, names[i]);
			buf_add(b, "=\"", 2);
			expo_escape_label(b, values[i] ? values[i] : "");
			buf_addc(b, '"');
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ' ');
	add_number(b, v);
	buf_addc(b, '\n');
}

void expo_samplev(struct expo *w, const char *const *values, double v)
{
	size_t n = 0;

	if (values)
		while (values[n])
			n++;
	if (n != w->nlabels) {
		w->errors++;
		return;
	}
	expo_sample_raw(w, "", n ? w->family->labels : NULL, values, n, v);
}

void expo_finish(struct expo *w)
{
	if (w->format == EXPO_OPENMETRICS)
		buf_adds(w->out, "# EOF\n");
}

/* Writes u in decimal, most significant digit first; returns the length. */
static size_t format_u64(char *out, uint64_t u)
{
	char rev[20];
	size_t n = 0;

	do {
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

static const double pow10_exact[] = { /* every one exact in a double */
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The fast path for a non-integral finite v with few decimals: finds the
 * smallest d such that v is the double nearest to r / 10^d for an integer
 * r < 10^15 with r / 10^d >= 1e-4, and prints that fraction. Returns 0
 * when there is none (the caller falls back to printf).
 *
 * Why it equals printf's "%.15g" with zeros stripped: (double)r / 10^d is
 * one correctly rounded division of two exact doubles (r < 2^53, 10^d <=
 * 10^15), so equality means |v - r/10^d| <= ulp(v)/2. In v's decade the
 * 15-significant-digit grid is at least 4.5 ulps wide, and r/10^d is on it
 * (at most 15 digits), so it is the grid point nearest to v: what %.15g
 * prints, round-tripping, and in %f notation since its decimal exponent is
 * within [-4, 14]. Stripping trailing zeros leaves the digits written here.
 */
static size_t format_few_decimals(char *out, double v)
{
	double a = fabs(v);
	size_t n = 0;

	if (!(a >= 1e-4 && a < 1e14))
		return 0;
	for (int d = 1; d <= 15; d++) {
		double scaled = a * pow10_exact[d];
		if (scaled >= 1e15)
			return 0;
		uint64_t r = (uint64_t)(scaled + 0.5);
		if ((double)r / pow10_exact[d] != a)
			continue;
		uint64_t p = (uint64_t)pow10_exact[d];
		if (r < p / 10000) /* below 1e-4: printf would use an exponent */
			return 0;
		uint64_t ip = r / p, frac = r % p;
		if (v < 0)
			out[n++] = '-';
		n += format_u64(out + n, ip);
		if (frac == 0) /* cannot happen: v is not integral */
			return n;
		out[n++] = '.';
		char digits[16];
		size_t fd = format_u64(digits, frac);
		for (size_t z = fd; z < (size_t)d; z++)
			out[n++] = '0'; /* leading zeros of the fraction */
		while (digits[fd - 1] == '0')
			fd--;
		memcpy(out + n, digits, fd);
		n += fd;
		out[n] = '\0';
		return n;
	}
	return 0;
}

/* The significant digits of a finite, non-zero |v|: d.ddd * 10^exp10. */
struct decimal {
	char digits[17];
	int ndigits;
	int exp10;
};

/*
 * v to prec significant digits, from its 17 correctly rounded ones: the
 * rest is rounded half up unless it is exactly half, where those 17 cannot
 * tell which way the exact value lies: false then.
 */
static bool round_digits(const struct decimal *all, int prec,
			 struct decimal *out)
{
	int rest = 0, half = 1;

	*out = *all;
	out->ndigits = prec;
	for (int i = prec; i < all->ndigits; i++) {
		rest = rest * 10 + (all->digits[i] - '0');
		half *= 10;
	}
	half /= 2;
	if (prec == all->ndigits || rest < half)
		return true;
	if (rest == half)
		return false;
	for (int i = prec - 1; i >= 0; i--) {
		if (out->digits[i] != '9') {
			out->digits[i]++;
			return true;
		}
		out->digits[i] = '0';
	}
	out->digits[0] = '1';	/* 99..9 rounded up: 10..0 */
	out->exp10++;
	return true;
}

/* Whether the decimal d reads back as exactly |v|. */
static bool reads_back(const struct decimal *d, double a)
{
	uint64_t m = 0;
	int e = d->exp10 - (d->ndigits - 1);
	char text[40];

	for (int i = 0; i < d->ndigits; i++)
		m = m * 10 + (uint64_t)(d->digits[i] - '0');
	/* Both exact doubles, one correctly rounded operation (Clinger). */
	if (m < (1ull << 53) && e >= -22 && e <= 22)
		return (e >= 0 ? (double)m * pow10_exact[e]
			       : (double)m / pow10_exact[-e]) == a;
	snprintf(text, sizeof(text), "%.*se%d", d->ndigits, d->digits, e);
	return strtod(text, NULL) == a;
}

/* d with printf's "%g" rules: %f style for exponents -4 .. ndigits-1. */
static size_t format_g(char *out, bool negative, const struct decimal *d)
{
	int nd = d->ndigits, x = d->exp10;
	size_t n = 0;

	while (nd > 1 && d->digits[nd - 1] == '0')
		nd--;	/* %g drops trailing zeros */
	if (negative)
		out[n++] = '-';
	if (x < -4 || x >= d->ndigits) {
		out[n++] = d->digits[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, d->digits + 1, (size_t)nd - 1);
			n += (size_t)nd - 1;
		}
		out[n++] = 'e';
		out[n++] = x < 0 ? '-' : '+';
		unsigned ax = (unsigned)(x < 0 ? -x : x);
		if (ax < 10)
			out[n++] = '0';
		n += format_u64(out + n, ax);
	} else if (x < 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = -1; i > x; i--)
			out[n++] = '0';
		memcpy(out + n, d->digits, (size_t)nd);
		n += (size_t)nd;
	} else {
		for (int i = 0; i <= x; i++)
			out[n++] = i < nd ? d->digits[i] : '0';
		if (nd > x + 1) {
			out[n++] = '.';
			memcpy(out + n, d->digits + x + 1, (size_t)(nd - x - 1));
			n += (size_t)(nd - x - 1);
		}
	}
	out[n] = '\0';
	return n;
}

/*
 * The shortest of "%.15g", "%.16g", "%.17g" that reads back as v, from
 * one "%.16e" rather than a printf and a strtod per precision. Returns 0
 * when a rounding is too close to call from 17 digits (the caller then
 * asks printf).
 */
static size_t format_shortest(char *out, double v)
{
	char e[40];
	struct decimal all = { .ndigits = 17 }, d;
	double a = fabs(v);
	int n = snprintf(e, sizeof(e), "%.16e", a); /* "d.<16 digits>e+XX" */

	if (n < 22 || e[1] != '.' || e[18] != 'e')
		return 0;
	all.digits[0] = e[0];
	memcpy(all.digits + 1, e + 2, 16);
	all.exp10 = atoi(e + 19);
	for (int prec = 15; prec <= 16; prec++) {
		if (!round_digits(&all, prec, &d))
			return 0;
		if (reads_back(&d, a))
			return format_g(out, v < 0, &d);
	}
	return format_g(out, v < 0, &all);
}

size_t expo_format_number(char out[EXPO_NUMBER_MAX], double v)
{
	int n;

	if (isnan(v))
		return (size_t)snprintf(out, EXPO_NUMBER_MAX, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, EXPO_NUMBER_MAX, v > 0 ? "+Inf" : "-Inf");
	if (v == trunc(v) && fabs(v) <= 18446744073709551616.0) {
		if (fabs(v) < 9007199254740992.0) { /* 2^53: exact in int64 */
			size_t len = 0;
			if (v < 0)
				out[len++] = '-';
			len += format_u64(out + len, (uint64_t)fabs(v)); /* -0 is "0" */
			out[len] = '\0';
			return len;
		}
		return (size_t)snprintf(out, EXPO_NUMBER_MAX, "%.0f", v);
	}
	size_t fast = format_few_decimals(out, v);
	if (!fast)
		fast = format_shortest(out, v);
	if (fast)
		return fast;
	/* %.15g is shortest whenever it round-trips (it strips zeros). */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(out, EXPO_NUMBER_MAX, "%.*g", prec, v);
		if (prec == 17 || strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

static inline bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '\\' && c != '"';
}

/* No byte of the eight needs escaping (each test is exact as a whole). */
static inline bool plain_word(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t x, bs, qu;

	memcpy(&x, p, sizeof(x));
	bs = x ^ (ones * '\\');
	qu = x ^ (ones * '"');
	uint64_t special = ((x - ones * 0x20) & ~x) /* a control byte */
			   | x				/* a byte from 0x80 on */
			   | ((bs - ones) & ~bs)	/* a backslash */
			   | ((qu - ones) & ~qu);	/* a quote */
	return (special & highs) == 0;
}

static void escape(struct buf *b, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);

	while (p < end) {
		size_t run = 0, left = (size_t)(end - p);
		/* Copy plain runs in one append (the common case), found eight
		 * bytes at a time: HELP texts and label values were ~10 % of a
		 * postgres scrape's instructions, byte by byte. */
		while (run + 8 <= left && plain_word(p + run))
			run += 8;
		while (run < left && plain_byte(p[run]))
			run++;
		if (run) {
			buf_add(b, p, run);
			p += run;
			continue;
		}
		if (*p == '\\') {
			buf_add(b, "\\\\", 2);
		} else if (*p == '\n') {
			buf_add(b, "\\n", 2);
		} else if (*p == '"') {
			if (quote)
				buf_add(b, "\\\"", 2);
			else
				buf_addc(b, '"');
		} else if (*p < 0x80) {
			buf_addc(b, (char)*p); /* other control bytes are valid */
		} else {
			size_t len = text_utf8_len(p, 4); /* stops at the NUL */
			if (len) {
				buf_add(b, p, len);
				p += len;
				continue;
			}
			buf_add(b, "\xef\xbf\xbd", 3); /* U+FFFD */
		}
		p++;
	}
}

void expo_escape_label(struct buf *b, const char *s)
{
	escape(b, s, true);
}

void expo_escape_help(struct buf *b, const char *s, enum expo_format format)
{
	escape(b, s, format == EXPO_OPENMETRICS);
}

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

static bool valid_name(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!name_char(s[i], i == 0, colon))
			return false;
	return true;
}

bool expo_valid_metric_name(const char *s)
{
	return valid_name(s, true);
}

bool expo_valid_label_name(const char *s)
{
	return valid_name(s, false);
}

/*
 * Picks OpenMetrics when the Accept header lists application/openmetrics-text
 * with a non-zero q, as Prometheus does when it prefers it.
 */
enum expo_format expo_negotiate(const char *accept)
{
	static const char om[] = "application/openmetrics-text";

	if (!accept)
		return EXPO_TEXT;
	for (const char *p = accept; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		if (len >= sizeof(om) - 1 && strncasecmp(p, om, sizeof(om) - 1) == 0) {
			const char *q = strstr(p, "q=");
			bool zero = q && q < p + len && strtod(q + 2, NULL) == 0.0;
			if (!zero)
				return EXPO_OPENMETRICS;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return EXPO_TEXT;
}

const char *expo_content_type(enum expo_format format)
{
	return format == EXPO_OPENMETRICS ? EXPO_CONTENT_TYPE_OPENMETRICS
					  : EXPO_CONTENT_TYPE_TEXT;
}
