#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Pairs past this many in one call are dropped; real calls use two or three. */
#define LOG_MAX_PAIRS 16

/* Set once at start-up, before any thread exists; read-only afterwards. */
static enum log_level min_level = LOG_INFO;
static enum log_format out_format = LOG_LOGFMT;
static const char *caller_name;

static const char *const level_names[] = { "debug", "info", "warn", "error" };
static const char *const format_names[] = { "logfmt", "json" };

static int lookup(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/*
 * Both names are checked before either takes effect, so a bad format does
 * not leave a changed level behind. NULL keeps the current setting.
 */
int log_setup(const char *level, const char *format)
{
	int l = level ? lookup(level_names, 4, level) : (int)min_level;
	int f = format ? lookup(format_names, 2, format) : (int)out_format;

	if (l < 0 || f < 0)
		return -1;
	min_level = (enum log_level)l;
	out_format = (enum log_format)f;
	return 0;
}

void log_set_caller(const char *caller)
{
	caller_name = caller;
}

int log_enabled(enum log_level level)
{
	return level >= min_level;
}

static const char *level_name(enum log_level level)
{
	if ((unsigned)level > LOG_ERROR)
		return "error";
	return level_names[level];
}

/*
 * Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 when the bytes
 * there are not valid UTF-8: overlong forms, surrogates and values past
 * U+10FFFF are refused, as Go's decoder refuses them.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* logfmt quotes what would otherwise split or confuse a key=value pair. */
static bool logfmt_needs_quotes(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p)
		return true;
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0 || *p <= ' ' || *p == '=' || *p == '"' || *p == 0x7f)
			return true;
		p += n;
	}
	return false;
}

/*
 * Appends s between double quotes with the escapes JSON defines, which
 * go-logfmt uses too: \" \\ \n \r \t, \u00XX for other control characters,
 * and U+FFFD for each byte that is not valid UTF-8 (so JSON stays valid).
 * DEL is a control character to logfmt only.
 */
static void add_quoted(struct buf *out, const char *s, bool json)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_addc(out, '"');
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_adds(out, json ? "\\ufffd" : "\xef\xbf\xbd");
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			buf_addc(out, '\\');
			buf_addc(out, (char)*p);
		} else if (*p == '\n') {
			buf_adds(out, "\\n");
		} else if (*p == '\r') {
			buf_adds(out, "\\r");
		} else if (*p == '\t') {
			buf_adds(out, "\\t");
		} else if (*p < 0x20 || (*p == 0x7f && !json)) {
			buf_addf(out, "\\u%04x", *p);
		} else {
			buf_add(out, p, n);
		}
		p += n;
	}
	buf_addc(out, '"');
}

/* A logfmt key cannot be quoted: blanks, '=' and '"' become '_'. */
static void add_logfmt_key(struct buf *out, const char *key)
{
	if (!*key)
		buf_addc(out, '_');
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		bool bad = *p <= ' ' || *p == '=' || *p == '"' || *p == 0x7f;

		buf_addc(out, bad ? '_' : (char)*p);
	}
}

/* One line being built: pairs after the first get a separator. */
struct line {
	struct buf *out;
	enum log_format format;
	bool first;
};

static void add_pair(struct line *ln, const char *key, const char *value)
{
	struct buf *out = ln->out;

	if (!key)
		key = "";
	if (!value)
		value = "";
	if (!ln->first)
		buf_addc(out, ln->format == LOG_JSON ? ',' : ' ');
	ln->first = false;
	if (ln->format == LOG_JSON) {
		add_quoted(out, key, true);
		buf_addc(out, ':');
		add_quoted(out, value, true);
		return;
	}
	add_logfmt_key(out, key);
	buf_addc(out, '=');
	if (logfmt_needs_quotes(value))
		add_quoted(out, value, false);
	else
		buf_adds(out, value);
}

/*
 * Appends one whole line, newline included, to out. kv holds nkv strings:
 * key, value, key, value...; an odd last key gets an empty value. A NULL ts
 * or caller is left out; any other NULL prints as empty. The fixed fields
 * come first, as in the Go exporters: ts, level, caller, msg.
 */
void log_format_line(struct buf *out, enum log_format format, const char *ts,
		     enum log_level level, const char *caller, const char *msg,
		     const char *const *kv, size_t nkv)
{
	struct line ln = { out, format, true };

	if (format == LOG_JSON)
		buf_addc(out, '{');
	if (ts)
		add_pair(&ln, "ts", ts);
	add_pair(&ln, "level", level_name(level));
	if (caller && *caller)
		add_pair(&ln, "caller", caller);
	add_pair(&ln, "msg", msg);
	for (size_t i = 0; i < nkv; i += 2)
		add_pair(&ln, kv[i], i + 1 < nkv ? kv[i + 1] : "");
	if (format == LOG_JSON)
		buf_addc(out, '}');
	buf_addc(out, '\n');
}

/* RFC 3339 in UTC with milliseconds: 2026-11-24T08:05:29.123Z. */
static void format_ts(char *ts, size_t size)
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, size - n, ".%03ldZ", now.tv_nsec / 1000000);
}

/* Normally one write(2); a short write (a full pipe) is finished, not lost. */
static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Reads key/value pairs up to the NULL the macros append. A NULL value ends
 * the list too: it may be that very terminator (an odd argument count), and
 * reading past it would be undefined. errno is kept, so a caller can log
 * and then still look at it.
 */
void log_kv(enum log_level level, const char *msg, ...)
{
	const char *kv[2 * LOG_MAX_PAIRS];
	struct buf line = BUF_INIT;
	size_t n = 0;
	char ts[40];
	int saved = errno;
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, msg);
	while (n < 2 * LOG_MAX_PAIRS) {
		const char *key = va_arg(ap, const char *);
		const char *value;

		if (!key)
			break;
		value = va_arg(ap, const char *);
		kv[n++] = key;
		kv[n++] = value;
		if (!value)
			break;
	}
	va_end(ap);
	format_ts(ts, sizeof(ts));
	log_format_line(&line, out_format, ts, level, caller_name, msg, kv, n);
	write_all(STDERR_FILENO, line.data, line.len);
	buf_release(&line);
	errno = saved;
}
