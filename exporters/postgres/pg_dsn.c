/*
 * pg_dsn: the data source from upstream's environment variables, and
 * conninfo strings assembled from parts (for /probe) with libpq's quoting.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_discover.h"
#include "pg_yaml.h"

/* NAME, or the contents of the file NAME_FILE names (trailing newlines cut). */
static int env_or_file(const char *name, struct buf *out, struct buf *err)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_FILE", name);
	const char *path = getenv(key);

	if (!path || !*path) {
		const char *v = getenv(name);
		buf_adds(out, v ? v : "");
		return 0;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		buf_addf(err, "cannot read %s %s", key, path);
		return -1;
	}
	char chunk[1024];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	while (out->len && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '\r'))
		buf_truncate(out, out->len - 1);
	return 0;
}

static void url_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			buf_addc(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

/* DATA_SOURCE_URI without its scheme, user and password from their own variables. */
static void dsn_from_parts(const char *uri, const char *user, const char *pass, struct buf *out)
{
	const char *rest = strstr(uri, "://");

	buf_adds(out, "postgresql://");
	if (*user) {
		url_escape(out, user);
		if (*pass) {
			buf_addc(out, ':');
			url_escape(out, pass);
		}
		buf_addc(out, '@');
	}
	buf_adds(out, rest ? rest + 3 : uri);
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool starts_uri(const char *s)
{
	s = skip_blanks(s);
	return !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

/* Whether a DSN starts at s: a URI scheme or "keyword=" (not a libpq host list's next host). */
static bool starts_dsn(const char *s)
{
	if (starts_uri(s))
		return true;
	s = skip_blanks(s);
	size_t k = 0;
	while (isalnum((unsigned char)s[k]) || s[k] == '_')
		k++;
	while (s[k] == ' ')
		k++;
	return k > 0 && s[k] == '=';
}

/*
 * Where the authority (user:password@hosts) of a URI DSN starting at s
 * ends; s itself when s is not a URI. A password may hold ",x=" unescaped
 * (sub-delims are allowed there): splitting inside would put part of it in
 * the next DSN's `server` label and in logs.
 */
static const char *authority_end(const char *s)
{
	if (!starts_uri(s))
		return s;
	const char *a = strstr(s, "://") + 3;
	return a + strcspn(a, "/?#");
}

/*
 * Splits at each comma that starts another DSN: not inside a quoted
 * key=value value ('a,b=c'), nor inside a URI's authority unless another
 * URI starts there.
 */
void pg_dsn_split(const char *s, struct pg_dsns *out)
{
	const char *start = s, *auth_end = authority_end(s);
	bool quoted = false, uri = starts_uri(s);

	for (const char *p = s;; p++) {
		if (*p && quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '\'')
				quoted = false;
			continue;
		}
		if (*p == '\'' && !uri) {
			quoted = true;
			continue;
		}
		if (*p && !(*p == ',' && (p < auth_end ? starts_uri(p + 1) : starts_dsn(p + 1))))
			continue;
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		if (!out->v)
			abort();
		out->v[out->n] = strndup(start, (size_t)(p - start));
		if (!out->v[out->n++])
			abort();
		if (!*p)
			return;
		start = p + 1;
		auth_end = authority_end(start);
		uri = starts_uri(start);
	}
}

void pg_dsns_release(struct pg_dsns *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int pg_dsn_from_env(struct pg_dsns *dsns, struct buf *err)
{
	struct buf name = BUF_INIT, uri = BUF_INIT, user = BUF_INIT, pass = BUF_INIT;
	struct buf one = BUF_INIT, why = BUF_INIT;
	int rc = -1;

	if (env_or_file("DATA_SOURCE_NAME", &name, err) || env_or_file("DATA_SOURCE_URI", &uri, err) ||
	    env_or_file("DATA_SOURCE_USER", &user, err) || env_or_file("DATA_SOURCE_PASS", &pass, err))
		goto out;
	if (name.len) {
		pg_dsn_split(buf_cstr(&name), dsns);
	} else {
		if (uri.len)
			dsn_from_parts(buf_cstr(&uri), buf_cstr(&user), buf_cstr(&pass), &one);
		/*
		 * One server, as upstream: commas in DATA_SOURCE_URI are libpq's
		 * host list. Neither variable: an empty conninfo, libpq's PG*
		 * variables and defaults.
		 */
		dsns->v = calloc(1, sizeof(*dsns->v));
		if (!dsns->v)
			abort();
		dsns->v[0] = pg_strdup(buf_cstr(&one));
		dsns->n = 1;
	}
	for (size_t i = 0; i < dsns->n; i++)
		if (pg_dsn_check(dsns->v[i], &why) != 0) {
			buf_addf(err, "invalid %s", name.len ? "DATA_SOURCE_NAME" : "DATA_SOURCE_URI");
			if (dsns->n > 1)
				buf_addf(err, " (data source %zu)", i + 1);
			buf_addf(err, ": %s", buf_cstr(&why));
			goto out;
		}
	rc = 0;
out:
	buf_release(&name);
	buf_release(&uri);
	buf_release(&user);
	buf_release(&pass);
	buf_release(&one);
	buf_release(&why);
	return rc;
}

void pg_dsn_server(const char *conninfo, struct buf *out)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	const char *host = NULL, *port = NULL;

	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "host") || (!host && !strcmp(o->keyword, "hostaddr")))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
	}
	/* upstream's fingerprint: host:port with libpq's defaults */
	if (!host)
		host = getenv("PGHOST");
	if (!port)
		port = getenv("PGPORT");
	buf_addf(out, "%s:%s", host && *host ? host : "localhost", port && *port ? port : "5432");
	PQconninfoFree(opts);
}

void pg_conninfo_add(struct buf *out, const char *key, const char *value)
{
	buf_addf(out, "%s%s='", out->len ? " " : "", key);
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *p);
	}
	buf_addc(out, '\'');
}

int pg_conninfo_with_dbname(const char *conninfo, const char *dbname, struct buf *out)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);

	if (!opts)
		return -1;
	/* Only the options the data source sets: libpq fills in the rest. */
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && *o->val && strcmp(o->keyword, "dbname"))
			pg_conninfo_add(out, o->keyword, o->val);
	pg_conninfo_add(out, "dbname", dbname);
	PQconninfoFree(opts);
	return 0;
}

char *pg_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	return s;
}
