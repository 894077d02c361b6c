/*
 * redis_passwords: upstream's --redis.password-file, a JSON object of
 * URI → password; ours also takes URI → {"user": ..., "password": ...}.
 * A small JSON reader for exactly that shape (strings with every JSON
 * escape; nothing else is a valid value). Errors never quote the file.
 */
#include <stdlib.h>
#include <string.h>

#include "redis.h"

struct json {
	const char *p, *end;
	const char *error;
};

static void skip_space(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool expect(struct json *j, char c)
{
	skip_space(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void add_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xC0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xE0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_addc(b, (char)(0xF0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* \uXXXX, with a following low surrogate when it is a high one. */
static bool unicode_escape(struct json *j, struct buf *out)
{
	if (j->end - j->p < 5)
		return false;
	int cp = hex4(j->p + 1);
	if (cp < 0)
		return false;
	j->p += 5;
	if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
	    j->p[1] == 'u') {
		int lo = hex4(j->p + 2);
		if (lo >= 0xDC00 && lo < 0xE000) {
			j->p += 6;
			add_utf8(out, 0x10000 + (((unsigned long)cp - 0xD800) << 10) +
					      ((unsigned long)lo - 0xDC00));
			return true;
		}
	}
	add_utf8(out, cp >= 0xD800 && cp < 0xE000 ? 0xFFFD : (unsigned long)cp);
	return true;
}

/* A JSON string into a new C string (NUL bytes in it are refused). */
static char *read_string(struct json *j)
{
	struct buf out = BUF_INIT;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

	if (!expect(j, '"')) {
		j->error = "expected a string";
		return NULL;
	}
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			buf_addc(&out, (char)c);
			j->p++;
			continue;
		}
		if (++j->p >= j->end)
			goto bad;
		const char *e = *j->p ? strchr(from, *j->p) : NULL;
		if (e) {
			buf_addc(&out, to[e - from]);
			j->p++;
		} else if (*j->p != 'u' || !unicode_escape(j, &out)) {
			goto bad;
		}
	}
	if (j->p >= j->end)
		goto bad;
	j->p++;
	if (out.len != strlen(buf_cstr(&out)))
		goto bad;
	return buf_detach(&out, NULL);
bad:
	j->error = "bad string";
	buf_release(&out);
	return NULL;
}

/* {"user": "...", "password": "..."} */
static bool read_credential_object(struct json *j, struct redis_credential *c)
{
	if (expect(j, '}'))
		return true;
	do {
		char *key = read_string(j), *value = NULL;
		if (!key)
			return false;
		if (!expect(j, ':') || !(value = read_string(j))) {
			j->error = j->error ? j->error : "expected ':'";
			free(key);
			return false;
		}
		char **slot = !strcmp(key, "user") || !strcmp(key, "username") ? &c->user :
			      !strcmp(key, "password") ? &c->password : NULL;
		free(key);
		if (!slot) {
			free(value);
			j->error = "unknown key in a credential object (want user, password)";
			return false;
		}
		free(*slot);
		*slot = value;
	} while (expect(j, ','));
	if (!expect(j, '}')) {
		j->error = "expected '}'";
		return false;
	}
	return true;
}

static bool read_entry(struct json *j, struct redis_credential *c)
{
	if (!(c->uri = read_string(j)))
		return false;
	if (!expect(j, ':')) {
		j->error = "expected ':'";
		return false;
	}
	skip_space(j);
	if (j->p < j->end && *j->p == '{') {
		j->p++;
		if (!read_credential_object(j, c))
			return false;
		if (!c->password)
			c->password = strdup("");
		return c->password != NULL;
	}
	return (c->password = read_string(j)) != NULL;
}

static void credential_release(struct redis_credential *c)
{
	free(c->uri);
	free(c->user);
	free(c->password);
}

int redis_passwords_parse(const char *json, size_t len, struct redis_passwords *p,
			  struct buf *err)
{
	struct json j = { json, json + len, NULL };
	size_t cap = 0;

	memset(p, 0, sizeof(*p));
	if (!expect(&j, '{')) {
		buf_adds(err, "password file: expected a JSON object");
		return -1;
	}
	if (!expect(&j, '}')) {
		do {
			if (p->n == cap) {
				cap = cap ? 2 * cap : 8;
				p->v = realloc(p->v, cap * sizeof(*p->v));
				if (!p->v)
					abort();
			}
			struct redis_credential *c = &p->v[p->n++];
			memset(c, 0, sizeof(*c));
			if (!read_entry(&j, c))
				goto bad;
		} while (expect(&j, ','));
		if (!expect(&j, '}')) {
			j.error = "expected '}'";
			goto bad;
		}
	}
	skip_space(&j);
	if (j.p != j.end) {
		j.error = "trailing data";
		goto bad;
	}
	return 0;
bad:
	buf_addf(err, "password file: %s at byte %zu", j.error ? j.error : "bad JSON",
		 (size_t)(j.p - json));
	redis_passwords_release(p);
	return -1;
}

const struct redis_credential *redis_passwords_find(const struct redis_passwords *p,
						     const char *uri)
{
	struct redis_addr want, have;
	struct buf err = BUF_INIT;
	const struct redis_credential *found = NULL;

	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].uri, uri))
			return &p->v[i];
	if (redis_addr_parse(uri, &want, &err) == 0) {
		for (size_t i = 0; i < p->n && !found; i++) {
			if (redis_addr_parse(p->v[i].uri, &have, &err) != 0)
				continue;
			if (!strcmp(redis_addr_display(&want), redis_addr_display(&have)))
				found = &p->v[i];
			redis_addr_release(&have);
		}
		redis_addr_release(&want);
	}
	buf_release(&err);
	return found;
}

void redis_passwords_release(struct redis_passwords *p)
{
	for (size_t i = 0; i < p->n; i++)
		credential_release(&p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
