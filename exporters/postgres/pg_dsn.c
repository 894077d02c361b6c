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

int pg_dsn_from_env(struct buf *dsn, struct buf *err)
{
	struct buf name = BUF_INIT, uri = BUF_INIT, user = BUF_INIT, pass = BUF_INIT;
	struct buf why = BUF_INIT;
	int rc = -1;

	if (env_or_file("DATA_SOURCE_NAME", &name, err) || env_or_file("DATA_SOURCE_URI", &uri, err) ||
	    env_or_file("DATA_SOURCE_USER", &user, err) || env_or_file("DATA_SOURCE_PASS", &pass, err))
		goto out;
	if (name.len)
		buf_adds(dsn, buf_cstr(&name));
	else if (uri.len)
		dsn_from_parts(buf_cstr(&uri), buf_cstr(&user), buf_cstr(&pass), dsn);
	/* Neither: an empty conninfo, libpq's PG* variables and defaults. */
	if (pg_dsn_check(buf_cstr(dsn), &why) != 0) {
		buf_addf(err, "invalid %s: %s", name.len ? "DATA_SOURCE_NAME" : "DATA_SOURCE_URI",
			 buf_cstr(&why));
		goto out;
	}
	rc = 0;
out:
	buf_release(&name);
	buf_release(&uri);
	buf_release(&user);
	buf_release(&pass);
	buf_release(&why);
	return rc;
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
