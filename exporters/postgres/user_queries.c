/*
 * user_queries: --extend.query-path, upstream's queries.yaml (deprecated
 * upstream, kept here because users depend on it):
 *
 *   pg_replication:                 # metric prefix
 *     query: "SELECT ... AS lag"
 *     master: true                  # only on the data source's own database,
 *                                   # not on --auto-discover-databases' others
 *     cache_seconds: 30             # accepted, ignored
 *     metrics:
 *       - lag:
 *           usage: "GAUGE"          # LABEL, COUNTER, GAUGE, DISCARD, DURATION
 *                                   # (a gauge named <column>_milliseconds)
 *           description: "Replication lag behind master in seconds"
 *
 * Each query is a family set named <prefix>_<column> and runs on the shared
 * connection like any collector (and on every discovered database unless
 * master); a failing query is logged by name and fails
 * this collector (its output is dropped, as any failed collector's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "log.h"
#include "pg.h"
#include "pg_yaml.h"

static int parse_usage(const char *usage, enum pg_col_kind *kind)
{
	static const struct { const char *name; enum pg_col_kind kind; } usages[] = {
		{ "LABEL", PG_LABEL }, { "COUNTER", PG_COUNTER }, { "GAUGE", PG_GAUGE },
		{ "DURATION", PG_GAUGE }, { "DISCARD", PG_DISCARD },
		{ "MAPPEDMETRIC", PG_DISCARD },
	};
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (usage && !strcasecmp(usage, usages[i].name)) {
			*kind = usages[i].kind;
			return 0;
		}
	return -1;
}

/* One "- column: {usage, description}" item of a metrics list. */
static int parse_metric(yaml_document_t *doc, yaml_node_t *item, struct pg_user_metric *m,
			struct buf *err)
{
	if (!item || item->type != YAML_MAPPING_NODE ||
	    item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1) {
		buf_adds(err, "a metrics item is not a one-key mapping");
		return -1;
	}
	yaml_node_pair_t *p = item->data.mapping.pairs.start;
	const char *column = pg_yaml_scalar(yaml_document_get_node(doc, p->key));
	yaml_node_t *body = yaml_document_get_node(doc, p->value);
	const char *usage = pg_yaml_scalar(pg_yaml_lookup(doc, body, "usage"));
	const char *desc = pg_yaml_scalar(pg_yaml_lookup(doc, body, "description"));
	if (!column || parse_usage(usage, &m->kind) != 0) {
		buf_adds(err, "metric ");
		pg_add_printable(err, column ? column : "?");
		buf_adds(err, ": usage must be one of LABEL, COUNTER, GAUGE, DURATION, DISCARD");
		return -1;
	}
	m->column = pg_strdup(column);
	m->help = pg_strdup(desc ? desc : column);
	struct buf metric = BUF_INIT;
	buf_addf(&metric, "%s%s", column, strcasecmp(usage, "DURATION") ? "" : "_milliseconds");
	m->metric = buf_detach(&metric, NULL);
	return 0;
}

static void build_spec(struct pg_user_query *q)
{
	q->cols = calloc(q->nmetrics + 1, sizeof(*q->cols));
	if (!q->cols)
		abort();
	for (size_t i = 0; i < q->nmetrics; i++)
		q->cols[i] = (struct pg_column){ q->metrics[i].column, q->metrics[i].kind,
						 q->metrics[i].help, q->metrics[i].metric };
	q->prefix = pg_strdup(q->name);
	q->spec = (struct pg_query_spec){ q->prefix, q->sql, q->cols, q->nmetrics, 0 };
}

static int parse_query(yaml_document_t *doc, const char *name, yaml_node_t *body,
		       struct pg_user_query *q, struct buf *err)
{
	const char *sql = pg_yaml_scalar(pg_yaml_lookup(doc, body, "query"));
	yaml_node_t *metrics = pg_yaml_lookup(doc, body, "metrics");

	q->name = pg_strdup(name);
	if (!sql || !metrics || metrics->type != YAML_SEQUENCE_NODE) {
		buf_adds(err, "query ");
		pg_add_printable(err, name);
		buf_adds(err, ": needs a query string and a metrics list");
		return -1;
	}
	q->sql = pg_strdup(sql);
	const char *master = pg_yaml_scalar(pg_yaml_lookup(doc, body, "master"));
	q->master = master && (!strcasecmp(master, "true") || !strcasecmp(master, "yes"));
	size_t n = (size_t)(metrics->data.sequence.items.top - metrics->data.sequence.items.start);
	q->metrics = calloc(n + 1, sizeof(*q->metrics));
	if (!q->metrics)
		abort();
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yaml_document_get_node(doc, metrics->data.sequence.items.start[i]);
		if (parse_metric(doc, item, &q->metrics[i], err) != 0)
			return -1;
		q->nmetrics++;
	}
	build_spec(q);
	return 0;
}

static int parse_document(yaml_document_t *doc, void *queries, struct buf *err)
{
	struct pg_user_queries *out = queries;
	yaml_node_t *root = yaml_document_get_root_node(doc);

	if (!root)
		return 0;	/* an empty file: no queries */
	if (root->type != YAML_MAPPING_NODE) {
		buf_adds(err, "the top level is not a mapping of query names");
		return -1;
	}
	size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
	out->q = calloc(n + 1, sizeof(*out->q));
	if (!out->q)
		abort();
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &root->data.mapping.pairs.start[i];
		const char *name = pg_yaml_scalar(yaml_document_get_node(doc, p->key));
		if (!name || !expo_valid_metric_name(name)) {
			buf_adds(err, "query name ");
			pg_add_printable(err, name ? name : "?");
			buf_adds(err, " is not a valid metric name");
			return -1;
		}
		out->n++;
		if (parse_query(doc, name, yaml_document_get_node(doc, p->value), &out->q[i], err))
			return -1;
	}
	return 0;
}

int pg_user_queries_parse(const char *text, size_t len, struct pg_user_queries *out,
			  struct buf *err)
{
	memset(out, 0, sizeof(*out));
	int rc = pg_yaml_read(text, len, parse_document, out, err);
	if (rc != 0)
		pg_user_queries_release(out);
	return rc;
}

void pg_user_queries_release(struct pg_user_queries *q)
{
	for (size_t i = 0; i < q->n; i++) {
		struct pg_user_query *u = &q->q[i];
		for (size_t k = 0; k < u->nmetrics; k++) {
			free(u->metrics[k].column);
			free(u->metrics[k].help);
			free(u->metrics[k].metric);
		}
		free(u->metrics);
		free(u->cols);
		free(u->name);
		free(u->sql);
		free(u->prefix);
	}
	free(q->q);
	q->q = NULL;
	q->n = 0;
}

static int user_queries_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct pg_target *t = ctx->config;
	const struct pg_user_queries *uq = t->cfg->user_queries;
	int failed = 0;

	for (size_t i = 0; uq && i < uq->n; i++) {
		const struct pg_query_spec *spec = &uq->q[i].spec;
		int rc = uq->q[i].master ? pg_collect_spec(ctx, w, spec) :
			pg_collect_per_database(ctx, w, spec);
		if (rc != 0) {
			log_warn("user query failed", "query", uq->q[i].name);
			failed = rc;
		}
	}
	return failed;
}

/* Enabled by --extend.query-path, not by a --collector flag. */
const struct collector pg_user_queries_collector = {
	.name = "extend_query_path", .enabled_by_default = false,
	.collect = user_queries_collect,
};
