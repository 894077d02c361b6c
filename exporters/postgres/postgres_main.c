/*
 * postgres-exporter: a drop-in for prometheus-community/postgres_exporter on
 * libpq. Flags and environment variables as upstream; the target comes from
 * DATA_SOURCE_NAME, or DATA_SOURCE_URI + DATA_SOURCE_USER + DATA_SOURCE_PASS
 * (each also as *_FILE), or libpq's own PG* variables when none is set.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "libpq_shim.h"
#include "flags.h"
#include "http.h"
#include "log.h"
#include "pg.h"
#include "pg_expo_merge.h"
#include "pg_probe.h"
#include "pg_servers.h"
#include "pg_yaml.h"

struct pg_flags {
	struct pg_config cfg;
	struct http_config web;
	struct pg_probe_config probe;
	bool disable_default_metrics;
	bool disable_settings_metrics;
	bool auto_discover;
	bool unavailable_when_down;
	const char *exclude_databases, *include_databases;
	const char *query_path;
	const char *constant_labels;
	const char *metric_prefix;
	struct strlist include_list, exclude_list;	/* the two above, split */
	char *list_text;		/* owns the strings of both lists */
	bool *enabled;			/* one per pg_collectors[] entry */
	struct buf *names;		/* "collector.NAME" flag names and helps */
};

static void add_pg_flags(struct flagset *fs, struct pg_flags *pf)
{
	const struct flag flags[] = {
		{ "disable-default-metrics", FLAG_BOOL, &pf->disable_default_metrics, "false",
		  "PG_EXPORTER_DISABLE_DEFAULT_METRICS", "Do not include default metrics." },
		{ "disable-settings-metrics", FLAG_BOOL, &pf->disable_settings_metrics, "false",
		  "PG_EXPORTER_DISABLE_SETTINGS_METRICS", "Do not include pg_settings metrics." },
		{ "auto-discover-databases", FLAG_BOOL, &pf->auto_discover, "false",
		  "PG_EXPORTER_AUTO_DISCOVER_DATABASES",
		  "Whether to discover the databases on a server dynamically. (DEPRECATED)" },
		{ "extend.query-path", FLAG_STRING, &pf->query_path, "",
		  "PG_EXPORTER_EXTEND_QUERY_PATH", "Path to custom queries to run. (DEPRECATED)" },
		{ "exclude-databases", FLAG_STRING, &pf->exclude_databases, "",
		  "PG_EXPORTER_EXCLUDE_DATABASES",
		  "A list of databases to remove when autoDiscoverDatabases is enabled (DEPRECATED)" },
		{ "include-databases", FLAG_STRING, &pf->include_databases, "",
		  "PG_EXPORTER_INCLUDE_DATABASES",
		  "A list of databases to include when autoDiscoverDatabases is enabled (DEPRECATED)" },
		{ "constantLabels", FLAG_STRING, &pf->constant_labels, "",
		  "PG_EXPORTER_CONSTANT_LABELS",
		  "A list of label=value separated by comma(,). (DEPRECATED)" },
		{ "metric-prefix", FLAG_STRING, &pf->metric_prefix, "pg", "PG_EXPORTER_METRIC_PREFIX",
		  "A metric prefix can be used to have non-default (not \"pg\") prefixes for each of "
		  "the metrics" },
		{ "config.file", FLAG_STRING, &pf->probe.config_file, "postgres_exporter.yml",
		  "PG_EXPORTER_CONFIG_FILE", "Postgres exporter configuration file." },
		{ "postgres.statement-timeout", FLAG_DURATION, &pf->cfg.statement_timeout, "5s",
		  NULL, "statement_timeout of the exporter's sessions (0: keep the server's)." },
		{ "postgres.lock-timeout", FLAG_DURATION, &pf->cfg.lock_timeout, "1s", NULL,
		  "lock_timeout of the exporter's sessions (0: keep the server's)." },
		{ "postgres.connect-timeout", FLAG_DURATION, &pf->cfg.connect_timeout, "5s", NULL,
		  "connect_timeout when the data source name sets none." },
		{ "postgres.max-result-bytes", FLAG_INT, &pf->cfg.max_result_bytes, "67108864",
		  "PG_EXPORTER_MAX_RESULT_BYTES",
		  "Largest result a query may return (memory for its rows, bytes received for it); a larger one fails its collector. 0: no limit" },
		{ "web.unavailable-when-down", FLAG_BOOL, &pf->unavailable_when_down, "false",
		  NULL, "Answer scrapes with HTTP 503 while PostgreSQL is down (pg_up 0)." },
		{ "probe.allowed-targets", FLAG_LIST, &pf->probe.allowed, NULL, NULL,
		  "A /probe target that may be scraped (host:port, repeatable); none: /probe is off." },
		{ "probe.target-idle-timeout", FLAG_DURATION, &pf->probe.idle_timeout, "5m", NULL,
		  "Close a /probe target's connection after this long without a probe (0: never)." },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
	http_add_flags(fs, &pf->web, ":9187", "PG_EXPORTER_WEB_LISTEN_ADDRESS");
	/* upstream reads the telemetry path from the environment too */
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->flags[i].name, "web.telemetry-path"))
			fs->flags[i].env = "PG_EXPORTER_WEB_TELEMETRY_PATH";
}

/* --collector.NAME / --no-collector.NAME, one per table entry but the query file's. */
static void add_collector_flags(struct flagset *fs, struct pg_flags *pf)
{
	for (size_t i = 0; i < pg_collectors_count; i++) {
		const struct collector *c = pg_collectors[i];
		struct buf *name = &pf->names[2 * i], *help = &pf->names[2 * i + 1];
		if (!strcmp(c->name, "extend_query_path"))
			continue;
		buf_addf(name, "collector.%s", c->name);
		buf_addf(help, "Enable the %s collector (default: %s).", c->name,
			 c->enabled_by_default ? "enabled" : "disabled");
		const struct flag f = {
			buf_cstr(name), FLAG_BOOL, &pf->enabled[i],
			c->enabled_by_default ? "true" : "false", NULL, buf_cstr(help),
		};
		flagset_add(fs, &f);
	}
}

/* Upstream's built-in query maps, which --disable-default-metrics turns off. */
static bool is_default_metric(const char *name)
{
	static const char *const defaults[] = {
		"stat_activity", "stat_archiver", "stat_database_conflicts", "stat_replication",
	};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(name, defaults[i]))
			return true;
	return false;
}

/*
 * Upstream's "default metrics" (its built-in query maps) and pg_settings
 * are switched off by their own flags unless a --collector flag says on.
 */
static void resolve_enabled(const struct flagset *fs, struct pg_flags *pf)
{
	for (size_t i = 0; i < pg_collectors_count; i++) {
		const char *name = pg_collectors[i]->name;
		if (!strcmp(name, "extend_query_path")) {
			pf->enabled[i] = pf->query_path[0] != '\0';
			continue;
		}
		if (flagset_given(fs, buf_cstr(&pf->names[2 * i])))
			continue;
		if ((pf->disable_default_metrics && is_default_metric(name)) ||
		    (pf->disable_settings_metrics && !strcmp(name, "settings")))
			pf->enabled[i] = false;
	}
}

/* Points l at the comma-separated, trimmed, non-empty names of text (cut in place). */
static void split_names_inplace(char *text, struct strlist *l)
{
	for (char *p = text; *p;) {
		size_t n = strcspn(p, ",");
		char *next = p[n] ? p + n + 1 : p + n;
		p[n] = '\0';
		char *name = pg_trim(p);
		if (*name) {
			l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
			if (!l->v)
				abort();
			l->v[l->n++] = name;
		}
		p = next;
	}
}

/* --include-databases and --exclude-databases as lists, in one owned copy. */
static void split_database_lists(struct pg_flags *pf)
{
	size_t inc = strlen(pf->include_databases), exc = strlen(pf->exclude_databases);

	pf->list_text = malloc(inc + exc + 2);
	if (!pf->list_text)
		abort();
	memcpy(pf->list_text, pf->include_databases, inc + 1);
	memcpy(pf->list_text + inc + 1, pf->exclude_databases, exc + 1);
	split_names_inplace(pf->list_text, &pf->include_list);
	split_names_inplace(pf->list_text + inc + 1, &pf->exclude_list);
	pf->cfg.include_databases = &pf->include_list;
	pf->cfg.exclude_databases = &pf->exclude_list;
}

static int load_user_queries(const char *path, struct pg_user_queries *uq)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	FILE *f = fopen(path, "r");
	char chunk[4096];
	size_t n;

	if (!f) {
		fprintf(stderr, "postgres-exporter: cannot read --extend.query-path %s\n", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	fclose(f);
	int rc = pg_user_queries_parse(buf_cstr(&text), text.len, uq, &err);
	if (rc != 0)
		fprintf(stderr, "postgres-exporter: invalid --extend.query-path %s: %s\n", path,
			buf_cstr(&err));
	buf_release(&text);
	buf_release(&err);
	return rc;
}

#define CONSTANT_LABELS_MAX 32

struct serve_labels {
	char *text;			/* owned copy of --constantLabels, cut in place */
	const char *names[CONSTANT_LABELS_MAX], *values[CONSTANT_LABELS_MAX];
	size_t n;
};

/* --constantLabels and --metric-prefix checked; one line on stderr when bad. */
static int parse_label_flags(const struct pg_flags *pf, struct serve_labels *l)
{
	struct buf err = BUF_INIT;

	l->text = pg_strdup(pf->constant_labels);
	int n = pg_parse_constant_labels(l->text, l->names, l->values, CONSTANT_LABELS_MAX, &err);
	int rc = -1;
	if (n < 0)
		fprintf(stderr, "postgres-exporter: %s\n", buf_cstr(&err));
	else if (!expo_valid_label_name(pf->metric_prefix))
		fprintf(stderr, "postgres-exporter: invalid --metric-prefix: want [a-zA-Z_][a-zA-Z0-9_]*\n");
	else
		rc = 0;
	l->n = n > 0 ? (size_t)n : 0;
	buf_release(&err);
	return rc;
}

static int serve(struct pg_flags *pf, const struct pg_dsns *dsns, const struct serve_labels *l)
{
	const struct pg_servers_options so = {
		.cfg = &pf->cfg,
		.enabled = pf->enabled,
		.exporter_metrics = !pf->web.disable_exporter_metrics,
		.auto_discover = pf->auto_discover,
		.prefix = pf->metric_prefix,
		.const_names = l->names,
		.const_values = l->values,
		.nconst = l->n,
	};
	struct pg_servers *servers = pg_servers_new(dsns, &so);
	struct pg_probe *probe = NULL;
	int code = 1;

	if (!servers)
		return 1;
	probe = pg_probe_new(&pf->probe, &pf->cfg, pg_collectors, pf->enabled,
			     pg_collectors_count, !pf->web.disable_exporter_metrics);
	if (!probe)
		goto free_servers;
	const struct http_route routes[] = { { "/probe", pg_probe_handle, probe } };
	const struct http_server_options opt = {
		.applet = "postgres-exporter",
		.title = "Postgres Exporter",
		.cfg = &pf->web,
		.scraper = pg_servers_scraper(servers),
		.routes = routes,
		.nroutes = 1,
		.scrape_status = pf->unavailable_when_down ? pg_servers_status : NULL,
		.scrape_status_cls = servers,
		.metrics_handler = pg_servers_merged(servers) ? pg_servers_handle : NULL,
		.metrics_cls = servers,
	};
	code = http_serve_until_signal(&opt);
	pg_probe_free(probe);
free_servers:
	pg_servers_free(servers);
	return code;
}

/*
 * A scrape allocates and frees the same few hundred kB every time (libpq's
 * results, the body). glibc would give each thread its own arena and hand
 * a freed top above 128 kB back to the kernel (madvise), to fault it in
 * again at the next scrape: 5 % of a scrape's CPU. One arena, kept.
 */
static void tune_malloc(void)
{
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

static int run(struct flagset *fs, struct pg_flags *pf, int argc, char **argv)
{
	struct pg_user_queries uq = { 0 };
	struct pg_dsns dsns = { 0 };
	struct serve_labels labels = { 0 };
	struct buf err = BUF_INIT;
	int code = http_parse_flags(fs, &pf->web, argc, argv);

	if (code >= 0)
		return code;
	const char *no_libpq = libpq_load();
	if (no_libpq) {
		fprintf(stderr, "postgres-exporter: %s\n", no_libpq);
		return 1;
	}
	resolve_enabled(fs, pf);
	if (pf->cfg.max_result_bytes < 0) {
		fprintf(stderr, "postgres-exporter: invalid --postgres.max-result-bytes %ld "
				"(0: no limit)\n", pf->cfg.max_result_bytes);
		return 2;
	}
	if (pg_dsn_from_env(&dsns, &err) != 0) {
		fprintf(stderr, "postgres-exporter: %s\n", buf_cstr(&err));
		code = 2;
		goto out;
	}
	if (parse_label_flags(pf, &labels) != 0) {
		code = 2;
		goto out;
	}
	for (size_t i = 0; dsns.n > 1 && i < labels.n; i++)
		if (!strcmp(labels.names[i], "server")) {
			fprintf(stderr, "postgres-exporter: --constantLabels cannot set server with "
					"several data sources: it names each of them\n");
			code = 2;
			goto out;
		}
	if (pf->query_path[0] && load_user_queries(pf->query_path, &uq) != 0) {
		code = 2;
		goto out;
	}
	split_database_lists(pf);
	tune_malloc();
	pf->cfg.user_queries = &uq;
	pf->cfg.application_name = "postgres_exporter";
	code = serve(pf, &dsns, &labels);
out:
	pg_user_queries_release(&uq);
	pg_dsns_release(&dsns);
	free(labels.text);
	buf_release(&err);
	return code;
}

int postgres_main(int argc, char **argv)
{
	struct pg_flags pf = { 0 };
	struct flagset fs;

	pf.enabled = calloc(pg_collectors_count, sizeof(bool));
	pf.names = calloc(2 * pg_collectors_count, sizeof(struct buf));
	if (!pf.enabled || !pf.names)
		abort();
	log_set_caller("postgres_exporter");
	flagset_init(&fs, "postgres-exporter",
		     "PostgreSQL metrics over libpq, a drop-in for postgres_exporter.");
	add_pg_flags(&fs, &pf);
	add_collector_flags(&fs, &pf);
	int code = run(&fs, &pf, argc, argv);
	flagset_release(&fs);
	for (size_t i = 0; i < 2 * pg_collectors_count; i++)
		buf_release(&pf.names[i]);
	free(pf.names);
	free(pf.enabled);
	free(pf.include_list.v);
	free(pf.exclude_list.v);
	free(pf.list_text);
	return code;
}
