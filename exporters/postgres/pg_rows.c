/*
 * pg_rows: query results to families, driven by a column table, so a
 * collector is its SQL and a list of columns. Also the DSN helpers that
 * keep passwords out of logs.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* -?[0-9]{1,15} exactly (every such integer is a double), as strtod reads it. */
static bool parse_small_integer(const char *s, double *v)
{
	bool minus = *s == '-';
	const char *p = s + minus;
	int64_t n = 0;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits == 15)
			return false;
		n = n * 10 + (*p - '0');
	}
	if (*p || !digits)
		return false;
	*v = minus ? -(double)n : (double)n;	/* "-0" is -0.0, as strtod has it */
	return true;
}

double pg_parse_value(const char *s, bool *ok)
{
	char *end;
	double v;

	*ok = true;
	/* Counters and sizes, nearly every value: without strtod. */
	if (parse_small_integer(s, &v))
		return v;
	if (*s == 't' && (!strcmp(s, "t") || !strcmp(s, "true")))
		return 1;
	if (*s == 'f' && (!strcmp(s, "f") || !strcmp(s, "false")))
		return 0;
	v = strtod(s, &end);
	if (end == s || *end) {
		*ok = false;
		return NAN;
	}
	return v;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;	/* separator: "a","b" != "ab","" */
}

/*
 * An open-addressing set of 64-bit digests of label values, shared by every
 * result a family is written from: a collision could drop a row, never
 * corrupt one.
 */
struct row_set {
	uint64_t *slot;
	size_t cap;
};

static void row_set_init(struct row_set *set, size_t rows)
{
	set->cap = 16;
	while (set->cap < rows * 2)
		set->cap *= 2;
	set->slot = calloc(set->cap, sizeof(*set->slot));
	if (!set->slot)
		abort();
}

/* True the first time these label values are seen. */
static bool row_set_add(struct row_set *set, const PGresult *res, int r, const int *label_col,
			size_t nlabels)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < nlabels; i++)
		h = fnv1a(h, PQgetvalue(res, r, label_col[i]));
	h |= 1;	/* 0 marks an empty slot */
	size_t j = h & (set->cap - 1);
	while (set->slot[j] && set->slot[j] != h)
		j = (j + 1) & (set->cap - 1);
	bool fresh = set->slot[j] == 0;
	set->slot[j] = h;
	return fresh;
}

static enum metric_type metric_type_of(enum pg_col_kind k)
{
	return k == PG_COUNTER ? METRIC_COUNTER : k == PG_GAUGE ? METRIC_GAUGE : METRIC_UNTYPED;
}

/* Where spec's columns are in one result. */
struct row_layout {
	const PGresult *res;
	int *col;			/* result column of each spec column */
	int *label_col;
	const char **label_names;	/* NULL-terminated */
	size_t nlabels;
	bool *keep;			/* rows whose label values came first */
};

/*
 * PQfnumber's answer. For a lowercase unquoted ASCII name (every built-in
 * column's) that is the first column of exactly that name, found here
 * without PQfnumber's case-folding call per character (it was 5 % of a
 * scrape's instructions); any other name is PQfnumber's to fold.
 */
static int column_number(const PGresult *res, const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c == '"' || (*c >= 'A' && *c <= 'Z') || *c >= 0x80)
			return PQfnumber(res, name);
	if (!*name)
		return -1;
	for (int i = 0, n = PQnfields(res); i < n; i++)
		if (!strcmp(PQfname(res, i), name))
			return i;
	return -1;
}

static int layout_build(const PGresult *res, const struct pg_query_spec *spec,
			struct row_layout *l)
{
	l->res = res;
	l->col = calloc(spec->ncols + 1, sizeof(int));
	l->label_col = calloc(spec->ncols + 1, sizeof(int));
	l->label_names = calloc(spec->ncols + 1, sizeof(char *));
	l->keep = calloc((size_t)PQntuples(res) + 1, sizeof(bool));
	if (!l->col || !l->label_col || !l->label_names || !l->keep)
		abort();
	l->nlabels = 0;
	for (size_t i = 0; i < spec->ncols; i++) {
		const struct pg_column *c = &spec->cols[i];
		if (c->kind == PG_DISCARD)
			continue;
		l->col[i] = column_number(res, c->column);
		if (l->col[i] < 0 && c->kind != PG_LABEL)
			continue;	/* a column this server version lacks */
		if (l->col[i] < 0)
			return -EPROTO;
		if (c->kind == PG_LABEL) {
			l->label_col[l->nlabels] = l->col[i];
			l->label_names[l->nlabels++] = c->column;
		}
	}
	return 0;
}

static void layout_release(struct row_layout *l)
{
	free(l->col);
	free(l->label_col);
	free(l->label_names);
	free(l->keep);
}

/* The rows of one result written as samples of spec column i's family. */
static void emit_samples(struct expo *w, const struct row_layout *l, size_t i,
			 const char **values)
{
	if (l->col[i] < 0)
		return;
	for (int r = 0; r < PQntuples(l->res); r++) {
		bool ok = true;
		if (!l->keep[r])
			continue;
		/* NULL is NaN, as upstream's dbToFloat64 has it. */
		double v = PQgetisnull(l->res, r, l->col[i]) ? NAN :
			pg_parse_value(PQgetvalue(l->res, r, l->col[i]), &ok);
		if (!ok)
			continue;
		for (size_t k = 0; k < l->nlabels; k++)
			values[k] = PQgetvalue(l->res, r, l->label_col[k]);
		expo_samplev(w, values, v);
	}
}

/* One family for spec column i, from every result that has the column. */
static void emit_family(struct expo *w, const struct pg_query_spec *spec, size_t i,
			const struct row_layout *l, size_t n)
{
	const struct pg_column *c = &spec->cols[i];
	const struct row_layout *first = NULL;
	struct buf name = BUF_INIT;

	for (size_t k = 0; k < n && !first; k++)
		if (l[k].col[i] >= 0 && PQntuples(l[k].res) > 0)
			first = &l[k];
	if (!first)	/* no rows: no family, as upstream */
		return;
	const char **values = calloc(first->nlabels + 1, sizeof(char *));
	if (!values)
		abort();
	buf_adds(&name, spec->prefix);
	buf_addc(&name, '_');
	buf_adds(&name, c->metric ? c->metric : c->column);
	const struct metric_desc d = {
		buf_cstr(&name), c->help, metric_type_of(c->kind), first->label_names,
	};
	expo_family(w, &d);
	for (size_t k = 0; k < n; k++)
		emit_samples(w, &l[k], i, values);
	free(values);
	buf_release(&name);
}

int pg_emit_results(struct expo *w, const PGresult *const *res, size_t n,
		    const struct pg_query_spec *spec)
{
	struct row_layout *l = calloc(n + 1, sizeof(*l));
	struct row_set set;
	size_t rows = 0, built = 0;
	int rc = 0;

	if (!l)
		abort();
	for (; built < n && rc == 0; built++) {
		rc = layout_build(res[built], spec, &l[built]);
		rows += (size_t)PQntuples(res[built]);
	}
	if (rc == 0) {
		/* Rows repeating earlier label values (in any result) are dropped. */
		row_set_init(&set, rows);
		for (size_t k = 0; k < n; k++)
			for (int r = 0; r < PQntuples(res[k]); r++)
				l[k].keep[r] = row_set_add(&set, res[k], r, l[k].label_col,
							   l[k].nlabels);
		free(set.slot);
		for (size_t i = 0; i < spec->ncols; i++)
			if (spec->cols[i].kind != PG_LABEL && spec->cols[i].kind != PG_DISCARD)
				emit_family(w, spec, i, l, n);
	}
	for (size_t k = 0; k < built; k++)
		layout_release(&l[k]);
	free(l);
	return rc;
}

int pg_emit_rows(struct expo *w, const PGresult *res, const struct pg_query_spec *spec)
{
	return pg_emit_results(w, &res, 1, spec);
}

void pg_add_printable(struct buf *out, const char *s)
{
	for (; s && *s; s++)
		buf_addc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

void pg_dsn_display(const char *conninfo, struct buf *out)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	const char *host = NULL, *port = NULL, *db = NULL;

	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val)
			continue;
		if (!strcmp(o->keyword, "host") || (!host && !strcmp(o->keyword, "hostaddr")))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "dbname"))
			db = o->val;
	}
	buf_addf(out, "%s:%s/%s", host ? host : "", port ? port : "", db ? db : "");
	PQconninfoFree(opts);
}

int pg_dsn_check(const char *conninfo, struct buf *err)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);

	if (opts) {
		PQconninfoFree(opts);
		return 0;
	}
	/*
	 * libpq's parse errors quote at most the offending keyword or the URI
	 * part it chokes on; a URI's password may be in that part, so name
	 * only the kind of problem.
	 */
	if (msg && strstr(msg, "invalid URI"))
		buf_adds(err, "invalid connection URI");
	else if (msg && strstr(msg, "invalid connection option"))
		buf_adds(err, "invalid connection option");
	else if (msg && strstr(msg, "missing \"=\""))
		buf_adds(err, "missing \"=\" after a keyword");
	else
		buf_adds(err, "malformed data source name");
	PQfreemem(msg);
	return -1;
}
