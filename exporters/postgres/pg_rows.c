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

double pg_parse_value(const char *s, bool *ok)
{
	char *end;

	*ok = true;
	if (!strcmp(s, "t") || !strcmp(s, "true"))
		return 1;
	if (!strcmp(s, "f") || !strcmp(s, "false"))
		return 0;
	double v = strtod(s, &end);
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
 * keep[r] = row r's label values differ from every earlier row's. A hash
 * set of 64-bit digests: a collision could drop a row, never corrupt one.
 */
static void mark_unique_rows(const PGresult *res, const int *label_col, size_t nlabels,
			     bool *keep)
{
	int rows = PQntuples(res);
	size_t cap = 16;

	while (cap < (size_t)rows * 2)
		cap *= 2;
	uint64_t *set = calloc(cap, sizeof(*set));
	if (!set)
		abort();
	for (int r = 0; r < rows; r++) {
		uint64_t h = 1469598103934665603ULL;
		for (size_t i = 0; i < nlabels; i++)
			h = fnv1a(h, PQgetvalue(res, r, label_col[i]));
		h |= 1;	/* 0 marks an empty slot */
		size_t j = h & (cap - 1);
		while (set[j] && set[j] != h)
			j = (j + 1) & (cap - 1);
		keep[r] = set[j] == 0;
		set[j] = h;
	}
	free(set);
}

static enum metric_type metric_type_of(enum pg_col_kind k)
{
	return k == PG_COUNTER ? METRIC_COUNTER : k == PG_GAUGE ? METRIC_GAUGE : METRIC_UNTYPED;
}

struct row_layout {
	int *col;			/* result column of each spec column */
	int *label_col;
	const char **label_names;	/* NULL-terminated */
	size_t nlabels;
};

static int layout_build(const PGresult *res, const struct pg_query_spec *spec,
			struct row_layout *l)
{
	l->col = calloc(spec->ncols + 1, sizeof(int));
	l->label_col = calloc(spec->ncols + 1, sizeof(int));
	l->label_names = calloc(spec->ncols + 1, sizeof(char *));
	if (!l->col || !l->label_col || !l->label_names)
		abort();
	l->nlabels = 0;
	for (size_t i = 0; i < spec->ncols; i++) {
		const struct pg_column *c = &spec->cols[i];
		if (c->kind == PG_DISCARD)
			continue;
		l->col[i] = PQfnumber(res, c->column);
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
}

static void emit_family(struct expo *w, const PGresult *res, const struct pg_query_spec *spec,
			size_t i, const struct row_layout *l, const bool *keep)
{
	const struct pg_column *c = &spec->cols[i];
	struct buf name = BUF_INIT;
	const char **values = calloc(l->nlabels + 1, sizeof(char *));

	if (!values)
		abort();
	buf_addf(&name, "%s_%s", spec->prefix, c->metric ? c->metric : c->column);
	const struct metric_desc d = {
		buf_cstr(&name), c->help, metric_type_of(c->kind), l->label_names,
	};
	expo_family(w, &d);
	for (int r = 0; r < PQntuples(res); r++) {
		bool ok = true;
		if (!keep[r])
			continue;
		/* NULL is NaN, as upstream's dbToFloat64 has it. */
		double v = PQgetisnull(res, r, l->col[i]) ? NAN :
			pg_parse_value(PQgetvalue(res, r, l->col[i]), &ok);
		if (!ok)
			continue;
		for (size_t k = 0; k < l->nlabels; k++)
			values[k] = PQgetvalue(res, r, l->label_col[k]);
		expo_samplev(w, values, v);
	}
	free(values);
	buf_release(&name);
}

int pg_emit_rows(struct expo *w, const PGresult *res, const struct pg_query_spec *spec)
{
	struct row_layout l;
	int rc = layout_build(res, spec, &l);

	if (rc == 0 && PQntuples(res) > 0) {	/* no rows: no families, as upstream */
		bool *keep = calloc((size_t)PQntuples(res) + 1, sizeof(bool));
		if (!keep)
			abort();
		mark_unique_rows(res, l.label_col, l.nlabels, keep);
		for (size_t i = 0; i < spec->ncols; i++)
			if (spec->cols[i].kind != PG_LABEL && spec->cols[i].kind != PG_DISCARD &&
			    l.col[i] >= 0)
				emit_family(w, res, spec, i, &l, keep);
		free(keep);
	}
	layout_release(&l);
	return rc;
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
