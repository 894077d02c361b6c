/*
 * redis_keys: per-key metrics. Patterns are expanded with SCAN in batches
 * of --check-keys-batch-size (never KEYS, which blocks the server); all
 * results are gathered first, so each family is written in one piece.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "redis_keys.h"

int redis_key_args_parse(const char *s, struct redis_key_args *out, struct buf *err)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = s; p && *p;) {
		size_t n = strcspn(p, ",");
		const char *item = p, *eq;
		long db = 0;
		p = p[n] ? p + n + 1 : NULL;
		while (n && (*item == ' ')) {
			item++;
			n--;
		}
		while (n && item[n - 1] == ' ')
			n--;
		if (!n)
			continue;
		eq = memchr(item, '=', n);
		if (eq) {
			/* "db3=pattern"; "db=" alone is not an index */
			char *end;
			if (strncmp(item, "db", 2) || eq == item + 2 ||
			    (db = strtol(item + 2, &end, 10), end != eq) || db < 0) {
				buf_addf(err, "bad database in key argument (want dbN=pattern)");
				redis_key_args_release(out);
				return -1;
			}
			n -= (size_t)(eq + 1 - item);
			item = eq + 1;
			if (!n) {
				buf_addf(err, "empty key pattern in key argument");
				redis_key_args_release(out);
				return -1;
			}
		}
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		char *pattern = malloc(n + 1);
		if (!out->v || !pattern)
			abort();
		memcpy(pattern, item, n);
		pattern[n] = '\0';
		out->v[out->n++] = (struct redis_key_arg){ db, pattern };
	}
	return 0;
}

void redis_key_args_release(struct redis_key_args *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].pattern);
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

bool redis_key_is_pattern(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

struct key_result {
	long db;
	char *key;
	double size;
	bool has_value;
	double value;
};

struct key_results {
	struct key_result *v;
	size_t n, cap;
};

/*
 * The connection and the deadline for key checks: past the deadline no more
 * commands are sent (a huge keyspace must not hold the scrape), and what
 * was found is written.
 */
struct key_conn {
	redisContext *c;
	double deadline;	/* CLOCK_MONOTONIC seconds; 0: none */
};

static redisReply *run(struct key_conn *kc, int argc, const char **argv)
{
	if (kc->c->err || (kc->deadline > 0 && monotonic_seconds() >= kc->deadline))
		return NULL;
	return redis_command(kc->c, argc, argv); /* capped like every reply */
}

static bool select_db(struct key_conn *kc, long db)
{
	char arg[24];
	const char *argv[] = { "SELECT", arg };

	snprintf(arg, sizeof(arg), "%ld", db);
	redisReply *r = run(kc, 2, argv);
	bool ok = r && r->type == REDIS_REPLY_STATUS;
	if (r)
		freeReplyObject(r);
	return ok;
}

/* The size command for a TYPE answer (strings: STRLEN; hll are strings). */
static const char *size_command(const char *type)
{
	static const char *const map[][2] = {
		{ "string", "STRLEN" }, { "list", "LLEN" }, { "set", "SCARD" },
		{ "zset", "ZCARD" },    { "hash", "HLEN" }, { "stream", "XLEN" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(type, map[i][0]))
			return map[i][1];
	return NULL;
}

static void check_key(struct key_conn *kc, long db, const char *key, struct key_results *out)
{
	const char *argv[2] = { "TYPE", key };
	redisReply *r = run(kc, 2, argv);

	if (!r || r->type != REDIS_REPLY_STATUS || !size_command(r->str)) {
		if (r)
			freeReplyObject(r);
		return; /* gone, or a type without a size */
	}
	bool is_string = !strcmp(r->str, "string");
	argv[0] = size_command(r->str);
	freeReplyObject(r);
	if (!(r = run(kc, 2, argv)) || r->type != REDIS_REPLY_INTEGER) {
		if (r)
			freeReplyObject(r);
		return;
	}
	struct key_result kr = { db, strdup(key), (double)r->integer, false, 0 };
	freeReplyObject(r);
	if (!kr.key)
		abort();
	argv[0] = "GET";
	if (is_string && (r = run(kc, 2, argv))) {
		char *end;
		if (r->type == REDIS_REPLY_STRING && r->len) {
			kr.value = strtod(r->str, &end);
			kr.has_value = *end == '\0' && end == r->str + r->len;
		}
		freeReplyObject(r);
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 16;
		out->v = realloc(out->v, out->cap * sizeof(*out->v));
		if (!out->v)
			abort();
	}
	out->v[out->n++] = kr;
}

/*
 * SCANs the current database for pattern; calls fn for each key (or only
 * counts them when fn is NULL). Returns the number of keys seen, or -1
 * when an error or the deadline cut the scan short.
 */
static double scan(struct key_conn *kc, const char *pattern, long batch,
		   void (*fn)(struct key_conn *, long, const char *, struct key_results *),
		   long db, struct key_results *out)
{
	char cursor[32] = "0", count[24];
	double seen = 0;

	snprintf(count, sizeof(count), "%ld", batch > 0 ? batch : 1000);
	do {
		const char *argv[] = { "SCAN", cursor, "MATCH", pattern, "COUNT", count };
		redisReply *r = run(kc, 6, argv);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY || r->element[0]->len >= sizeof(cursor)) {
			if (r)
				freeReplyObject(r);
			return -1; /* cut short: a partial count would mislead */
		}
		memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
		for (size_t i = 0; i < r->element[1]->elements; i++) {
			const redisReply *k = r->element[1]->element[i];
			if (k->type != REDIS_REPLY_STRING)
				continue;
			seen++;
			if (fn)
				fn(kc, db, k->str, out);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0"));
	return seen;
}

static void check_keys(struct key_conn *kc, const struct redis_key_args *args, long batch,
		       bool single, struct key_results *out)
{
	for (size_t i = 0; i < args->n && !kc->c->err; i++) {
		const struct redis_key_arg *a = &args->v[i];
		if (!select_db(kc, a->db))
			continue;
		if (single || !redis_key_is_pattern(a->pattern))
			check_key(kc, a->db, a->pattern, out);
		else
			scan(kc, a->pattern, batch, check_key, a->db, out);
	}
}

static void write_key_results(struct redis_writer *rw, const struct key_results *kr)
{
	char db[32];

	if (kr->n && rw_family(rw, "key_size", "The length or size of \"key\"", METRIC_GAUGE,
			       LABELS("db", "key")))
		for (size_t i = 0; i < kr->n; i++) {
			snprintf(db, sizeof(db), "db%ld", kr->v[i].db);
			expo_sample(rw->w, kr->v[i].size, db, kr->v[i].key);
		}
	bool open = false;
	for (size_t i = 0; i < kr->n; i++) {
		if (!kr->v[i].has_value)
			continue;
		if (!open && !(open = rw_family(rw, "key_value", "The value of \"key\"",
						METRIC_GAUGE, LABELS("db", "key"))))
			break;
		snprintf(db, sizeof(db), "db%ld", kr->v[i].db);
		expo_sample(rw->w, kr->v[i].value, db, kr->v[i].key);
	}
}

static void write_counts(struct redis_writer *rw, struct key_conn *kc,
			 const struct redis_key_args *args, long batch)
{
	char db[32];

	if (!args->n || !rw_family(rw, "keys_count", "Count of keys", METRIC_GAUGE,
				   LABELS("db", "key")))
		return;
	for (size_t i = 0; i < args->n && !kc->c->err; i++) {
		if (!select_db(kc, args->v[i].db))
			continue;
		double n = scan(kc, args->v[i].pattern, batch, NULL, args->v[i].db, NULL);
		if (n < 0)
			continue;
		snprintf(db, sizeof(db), "db%ld", args->v[i].db);
		expo_sample(rw->w, n, db, args->v[i].pattern);
	}
}

void redis_keys_write(struct redis_writer *rw, void *conn, const struct redis_options *opt,
		      long home_db, double deadline)
{
	struct key_conn kc = { conn, deadline };
	struct key_results kr = { 0 };

	if (!conn || (!opt->check_keys.n && !opt->check_single_keys.n && !opt->count_keys.n))
		return;
	check_keys(&kc, &opt->check_keys, opt->keys_batch, false, &kr);
	check_keys(&kc, &opt->check_single_keys, opt->keys_batch, true, &kr);
	write_key_results(rw, &kr);
	for (size_t i = 0; i < kr.n; i++)
		free(kr.v[i].key);
	free(kr.v);
	write_counts(rw, &kc, &opt->count_keys, opt->keys_batch);
	/* Partial key sizes are still written; say so, or nobody would know. */
	if (deadline > 0 && monotonic_seconds() >= deadline)
		log_warn("key checks cut short at the scrape deadline: some keys and counts are "
			 "missing (narrow --check-keys / --count-keys, or give the scrape more time)");
	kc.deadline = 0; /* switching back is due even when late */
	select_db(&kc, home_db);
}
