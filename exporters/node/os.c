/*
 * os: node_os_info and node_os_version from os-release(5), read as
 * node_exporter 1.5's os collector reads it: <rootfs>/etc/os-release, or
 * <rootfs>/usr/lib/os-release when that one does not exist.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "misc_parse.h"
#include "node.h"

/* bufio.Scanner's limit: a longer line fails the parse, as upstream. */
#define LINE_MAX_GO (64 * 1024)

static const struct metric_desc info_desc = {
	.name = "node_os_info",
	.help = "A metric with a constant '1' value labeled by build_id, id, "
		"id_like, image_id, image_version, name, pretty_name, variant, "
		"variant_id, version, version_codename, version_id.",
	.type = METRIC_GAUGE,
	.labels = LABELS("build_id", "id", "id_like", "image_id",
			 "image_version", "name", "pretty_name", "variant",
			 "variant_id", "version", "version_codename",
			 "version_id"),
};

static const struct metric_desc version_desc = {
	.name = "node_os_version",
	.help = "Metric containing the major.minor part of the OS version.",
	.type = METRIC_GAUGE,
	.labels = LABELS("id", "id_like", "name"),
};

/* The os-release key of each field, in enum os_field order. */
static const char *const os_keys[OS_NFIELDS] = {
	"BUILD_ID", "ID", "ID_LIKE", "IMAGE_ID", "IMAGE_VERSION", "NAME",
	"PRETTY_NAME", "VARIANT", "VARIANT_ID", "VERSION", "VERSION_CODENAME",
	"VERSION_ID",
};

void os_release_init(struct os_release *r)
{
	for (int i = 0; i < OS_NFIELDS; i++)
		r->v[i] = (struct buf)BUF_INIT;
}

void os_release_release(struct os_release *r)
{
	for (int i = 0; i < OS_NFIELDS; i++)
		buf_release(&r->v[i]);
}

const char *os_release_get(const struct os_release *r, enum os_field f)
{
	return buf_cstr(&r->v[f]);
}

/*
 * Length of the Unicode White_Space character UTF-8 encoded at s (n bytes
 * left), or 0: Go's bytes.TrimSpace trims these, not only ASCII blanks.
 */
static size_t space_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 ||
	     s[2] == 0xaf))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3;
	return 0;
}

/* Length of the white-space character ending at s + n, or 0. */
static size_t space_len_back(const unsigned char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		if (space_len(s + n - k, k) == k)
			return k;
	}
	return 0;
}

/* Narrows [*s, *s + *n) as bytes.TrimSpace does. */
static void trim_space(const char **s, size_t *n)
{
	size_t k;

	while ((k = space_len((const unsigned char *)*s, *n)))
		*s += k, *n -= k;
	while ((k = space_len_back((const unsigned char *)*s, *n)))
		*n -= k;
}

/* Go's unicode/utf8 EncodeRune, for the runes a \u escape can make. */
static void add_rune(struct buf *b, unsigned r)
{
	if ((r >= 0xd800 && r < 0xe000) || r > 0x10ffff)
		r = 0xfffd;
	if (r < 0x80) {
		buf_addc(b, (char)r);
	} else if (r < 0x800) {
		buf_addc(b, (char)(0xc0 | r >> 6));
		buf_addc(b, (char)(0x80 | (r & 0x3f)));
	} else if (r < 0x10000) {
		buf_addc(b, (char)(0xe0 | r >> 12));
		buf_addc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (r & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | r >> 18));
		buf_addc(b, (char)(0x80 | ((r >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (r & 0x3f)));
	}
}

/* Four hex digits at s (n bytes left) as a code unit; -1 if not. */
static long hex4(const char *s, size_t n)
{
	long r = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		r = r * 16 + d;
	}
	return r;
}

/*
 * Decodes the \u escape whose hex digits start at v[*i] (n bytes in all),
 * with a second \uXXXX for a surrogate, and leaves *i on its last digit.
 */
static int unicode_escape(const char *v, size_t n, size_t *i, struct buf *out)
{
	long r = hex4(v + *i, n - *i), r2;

	if (r < 0)
		return -EINVAL;
	*i += 3;
	if (r >= 0xd800 && r < 0xe000) {
		if (n < *i + 7 || v[*i + 1] != '\\' || v[*i + 2] != 'u')
			return -EINVAL;
		r2 = hex4(v + *i + 3, n - *i - 3);
		if (r2 < 0)
			return -EINVAL;
		*i += 6;
		if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000)
			r = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
		else
			r = 0xfffd;
	}
	add_rune(out, (unsigned)r);
	return 0;
}

/* The byte a JSON-style escape letter stands for; -1 if none. */
static int simple_escape(char c)
{
	switch (c) {
	case '"': case '\\': case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'r':
		return '\r';
	case 'n':
		return '\n';
	case 't':
		return '\t';
	}
	return -1;
}

enum quote_mode { Q_NONE, Q_DOUBLE, Q_SINGLE, Q_ESCAPE };

/*
 * Unquotes the trimmed value v (n bytes) into out as go-envparse does. An
 * unquoted '#' ends the value, which then also loses the blanks before it;
 * "sig" is where the value would end then. Mirrors upstream exactly,
 * including its quirk of cutting a multibyte character at such a comment.
 */
static int parse_value(const char *v, size_t n, struct buf *out)
{
	enum quote_mode mode = Q_NONE;
	size_t sig = 0;

	buf_truncate(out, 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 32)
			return -EINVAL;
		if (c > 127) {
			if (mode == Q_ESCAPE)
				return -EINVAL;
			sig = out->len;
			buf_addc(out, (char)c);
			continue;
		}
		switch (mode) {
		case Q_NONE:
			if (c == '"') {
				mode = Q_DOUBLE;
			} else if (c == '\'') {
				mode = Q_SINGLE;
			} else if (c == '#') {
				buf_truncate(out, sig);
				return 0;
			} else {
				buf_addc(out, (char)c);
				if (c != ' ')
					sig = out->len;
			}
			break;
		case Q_DOUBLE:
			if (c == '"') {
				mode = Q_NONE;
			} else if (c == '\\') {
				mode = Q_ESCAPE;
			} else {
				buf_addc(out, (char)c);
				sig = out->len;
			}
			break;
		case Q_ESCAPE:
			if (c == 'u') {
				i++;
				if (unicode_escape(v, n, &i, out))
					return -EINVAL;
			} else if (simple_escape((char)c) >= 0) {
				buf_addc(out, (char)simple_escape((char)c));
			} else {
				return -EINVAL;
			}
			sig = out->len;
			mode = Q_DOUBLE;
			break;
		case Q_SINGLE:
			if (c == '\'') {
				mode = Q_NONE;
			} else {
				buf_addc(out, (char)c);
				sig = out->len;
			}
			break;
		}
	}
	return mode == Q_NONE ? 0 : -EINVAL;
}

/* go-envparse's key rule: [A-Za-z_] then [A-Za-z0-9_./]*. */
static bool valid_key(const char *k, size_t n)
{
	if (!n)
		return false;
	if (!((k[0] >= 'A' && k[0] <= 'Z') || (k[0] >= 'a' && k[0] <= 'z') ||
	      k[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = k[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '/'))
			return false;
	}
	return true;
}

/* Stores the value of key (n bytes) if node_os_info reports it. */
static void store(struct os_release *r, const char *key, size_t n,
		  const struct buf *val)
{
	for (int f = 0; f < OS_NFIELDS; f++) {
		if (strlen(os_keys[f]) == n && !memcmp(os_keys[f], key, n)) {
			buf_truncate(&r->v[f], 0);
			buf_add(&r->v[f], val->data ? val->data : "", val->len);
			return;
		}
	}
}

/* Parses one line (without its newline); blank and comment lines pass. */
static int parse_line(const char *s, size_t n, struct os_release *r,
		      struct buf *val)
{
	const char *eq, *key, *v;
	size_t klen, vlen;
	int err;

	trim_space(&s, &n);
	if (!n || *s == '#')
		return 0;
	eq = memchr(s, '=', n);
	if (!eq)
		return -EINVAL;
	key = s;
	klen = (size_t)(eq - s);
	v = eq + 1;
	vlen = n - klen - 1;
	trim_space(&key, &klen);
	trim_space(&v, &vlen);
	/* "export" alone is a key; "export FOO" is FOO. */
	if (klen > 7 && !memcmp(key, "export ", 7))
		key += 7, klen -= 7;
	if (!valid_key(key, klen))
		return -EINVAL;
	err = parse_value(v, vlen, val);
	if (!err)
		store(r, key, klen, val);
	return err;
}

int os_release_parse(const char *text, size_t len, struct os_release *r)
{
	struct buf val = BUF_INIT;
	const char *p = text, *end = text + len;
	int err = 0;

	for (int i = 0; i < OS_NFIELDS; i++)
		buf_truncate(&r->v[i], 0);
	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);

		if (n >= LINE_MAX_GO) {
			err = -EINVAL;
			break;
		}
		if (n && p[n - 1] == '\r')	/* bufio.ScanLines drops it */
			n--;
		err = parse_line(p, n, r, &val);
		p = nl ? nl + 1 : end;
	}
	buf_release(&val);
	return err;
}

int os_version_parse(const char *version_id, double *out)
{
	struct buf num = BUF_INIT;
	size_t n = strspn(version_id, "0123456789");

	*out = 0;
	if (!n)
		return 0;
	if (version_id[n] == '.')
		n += 1 + strspn(version_id + n + 1, "0123456789");
	/* Only the matched prefix: strtod would read on into "1.5e3". */
	buf_add(&num, version_id, n);
	*out = strtod(buf_cstr(&num), NULL);
	buf_release(&num);
	if (isinf(*out)) {
		*out = 0;
		return -ERANGE;
	}
	return 0;
}

/*
 * Reads the first os-release file that exists. -ENODATA when neither does
 * (upstream's ErrNoData: the collector reports failure, quietly).
 */
static int read_release(const char *rootfs, struct buf *text)
{
	static const char *const paths[] = {
		"etc/os-release", "usr/lib/os-release",
	};
	struct buf path = BUF_INIT;
	int err = -ENODATA;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		err = fs_read_file(fs_join(&path, rootfs, paths[i]), text,
				   FS_READ_MAX);
		if (err != -ENOENT)
			break;
		err = -ENODATA;
	}
	buf_release(&path);
	return err;
}

static void os_write(struct expo *w, const struct os_release *r,
		     double version)
{
	const char *v[OS_NFIELDS + 1];

	for (int i = 0; i < OS_NFIELDS; i++)
		v[i] = os_release_get(r, i);
	v[OS_NFIELDS] = NULL;
	expo_family(w, &info_desc);
	expo_samplev(w, v, 1);
	/* Upstream leaves the gauge out unless the version is positive. */
	if (version > 0) {
		expo_family(w, &version_desc);
		expo_sample(w, version, v[OS_ID], v[OS_ID_LIKE], v[OS_NAME]);
	}
}

static int os_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf text = BUF_INIT;
	struct os_release r;
	double version = 0;
	int err;

	os_release_init(&r);
	err = read_release(cfg->rootfs, &text);
	if (!err)
		err = os_release_parse(buf_cstr(&text), text.len, &r);
	if (!err)
		err = os_version_parse(os_release_get(&r, OS_VERSION_ID),
				       &version);
	if (!err)
		os_write(w, &r, version);
	os_release_release(&r);
	buf_release(&text);
	return err;
}

const struct collector os_collector = {
	.name = "os",
	.enabled_by_default = true,
	.collect = os_collect,
};
