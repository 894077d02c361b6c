/*
 * redis_addr: target addresses and upstream's password file.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

static char *dup_range(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *dup_str(const char *s)
{
	return dup_range(s, strlen(s));
}

/* %XX escapes of URI user info; returns false on a bad escape. */
static bool percent_decode(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
			return false;
		char hex[3] = { s[1], s[2], 0 };
		*out++ = (char)strtol(hex, NULL, 16);
		s += 2;
	}
	*out = '\0';
	return true;
}

static int fail(struct buf *err, const char *what, struct redis_addr *a)
{
	buf_adds(err, what);
	redis_addr_release(a);
	return -1;
}

static bool parse_long(const char *s, size_t n, long lo, long hi, long *v)
{
	char tmp[24], *end;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!isdigit((unsigned char)tmp[0]))
		return false;
	*v = strtol(tmp, &end, 10);
	return *end == '\0' && *v >= lo && *v <= hi;
}

/* "?db=N" (other query arguments are ignored, as go-redis does). */
static bool parse_query_db(const char *q, long *db)
{
	for (const char *p = q; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (!strncmp(p, "db=", 3) && !parse_long(p + 3, strcspn(p + 3, "&"), 0, 1L << 30, db))
			return false;
	return true;
}

static int parse_unix(const char *rest, struct redis_addr *a, struct buf *err)
{
	size_t n = strcspn(rest, "?");

	if (n == 0 || rest[0] != '/')
		return fail(err, "unix:// address needs an absolute socket path", a);
	a->unix_socket = true;
	a->host = dup_range(rest, n);
	if (rest[n] == '?' && !parse_query_db(rest + n + 1, &a->db))
		return fail(err, "bad db= in address", a);
	buf_addf(&a->display_buf, "unix://%s", a->host);
	return 0;
}

/* user[:password]@ before the host; both may be %-escaped. */
static int parse_userinfo(const char *s, size_t n, struct redis_addr *a, struct buf *err)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;

	if (ulen)
		a->user = dup_range(s, ulen);
	if (colon)
		a->password = dup_range(colon + 1, n - ulen - 1);
	if ((a->user && !percent_decode(a->user)) || (a->password && !percent_decode(a->password)))
		return fail(err, "bad %-escape in address user info", a);
	return 0;
}

static int parse_hostport(const char *s, size_t n, struct redis_addr *a, struct buf *err)
{
	const char *port = NULL;
	size_t hlen = n;
	long p = 6379;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return fail(err, "unclosed [ in address", a);
		a->host = dup_range(s + 1, (size_t)(close - s - 1));
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return fail(err, "junk after ] in address", a);
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		if (colon) {
			hlen = (size_t)(colon - s);
			port = colon + 1;
		}
		a->host = hlen ? dup_range(s, hlen) : dup_str("localhost");
	}
	if (port && !parse_long(port, (size_t)(s + n - port), 1, 65535, &p))
		return fail(err, "bad port in address", a);
	a->port = (int)p;
	bool v6 = strchr(a->host, ':') != NULL;
	buf_addf(&a->display_buf, "redis://%s%s%s:%d", v6 ? "[" : "", a->host, v6 ? "]" : "",
		 a->port);
	return 0;
}

static int parse_tcp(const char *rest, struct redis_addr *a, struct buf *err)
{
	size_t auth_end = strcspn(rest, "/?#");
	const char *at = NULL;

	for (size_t i = 0; i < auth_end; i++)
		if (rest[i] == '@')
			at = rest + i; /* the last @: passwords may hold one */
	if (at && parse_userinfo(rest, (size_t)(at - rest), a, err))
		return -1;
	const char *hp = at ? at + 1 : rest;
	if (parse_hostport(hp, (size_t)(rest + auth_end - hp), a, err))
		return -1;
	const char *p = rest + auth_end;
	if (*p == '/') {
		size_t n = strcspn(p + 1, "?#");
		if (n && !parse_long(p + 1, n, 0, 1L << 30, &a->db))
			return fail(err, "bad database index in address", a);
		p += 1 + n;
	}
	if (*p == '?' && !parse_query_db(p + 1, &a->db))
		return fail(err, "bad db= in address", a);
	return 0;
}

int redis_addr_parse(const char *s, struct redis_addr *a, struct buf *err)
{
	memset(a, 0, sizeof(*a));
	if (!s || !*s)
		return fail(err, "empty address", a);
	if (!strncmp(s, "rediss://", 9))
		return fail(err, "rediss:// (TLS) is not supported: this build's hiredis "
			    "has no TLS", a);
	if (!strncmp(s, "unix://", 7))
		return parse_unix(s + 7, a, err);
	if (!strncmp(s, "redis://", 8))
		s += 8;
	else if (strstr(s, "://"))
		return fail(err, "unknown address scheme (want redis:// or unix://)", a);
	if (parse_tcp(s, a, err))
		return -1;
	return 0;
}

const char *redis_addr_display(const struct redis_addr *a)
{
	return buf_cstr(&a->display_buf);
}

void redis_addr_release(struct redis_addr *a)
{
	free(a->host);
	free(a->user);
	free(a->password);
	buf_release(&a->display_buf);
	memset(a, 0, sizeof(*a));
}
