/*
 * Fuzzes postgres-exporter's YAML parsers (--extend.query-path's
 * queries.yaml and --config.file's auth_modules). Beyond not crashing or
 * leaking: an error is one line, and a parsed query file has a spec whose
 * columns are exactly its metrics, each with a column name and help.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_probe.h"

static void check_queries(const struct pg_user_queries *q)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct pg_user_query *u = &q->q[i];
		if (u->spec.ncols != u->nmetrics || u->spec.cols != u->cols || !u->sql)
			abort();
		for (size_t k = 0; k < u->nmetrics; k++)
			if (!u->cols[k].column || !u->cols[k].help)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_user_queries q;
	struct pg_auth_modules a;
	struct buf err = BUF_INIT;

	if (pg_user_queries_parse((const char *)data, size, &q, &err) == 0) {
		check_queries(&q);
		pg_user_queries_release(&q);
	} else if (strchr(buf_cstr(&err), '\n') || q.n != 0) {
		abort();
	}
	buf_truncate(&err, 0);
	if (pg_auth_modules_parse((const char *)data, size, &a, &err) == 0)
		pg_auth_modules_release(&a);
	else if (strchr(buf_cstr(&err), '\n') || a.n != 0)
		abort();
	buf_release(&err);
	return 0;
}
