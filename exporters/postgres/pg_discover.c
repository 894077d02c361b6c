#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_discover.h"
#include "pg_yaml.h"

/* One discovered database; freed when no list or collector refers to it. */
struct pg_dbconn {
	char *name;
	struct pg_target *target;
	unsigned refs;			/* guarded by pg_discovery.lock */
};

struct pg_discovery {
	struct pg_target *main;
	pthread_mutex_t lock;		/* guards everything below and every refs */
	double scrape;			/* deadline of the scrape that made the list */
	struct pg_dbconn **db;
	size_t n;
};

static const char databases_sql[] =
	"SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"
	" AND datname <> current_database()"
	" AND has_database_privilege(datname, 'CONNECT') ORDER BY datname";

static bool listed(const struct strlist *l, const char *name)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!strcmp(l->v[i], name))
			return true;
	return false;
}

bool pg_database_wanted(const struct pg_config *cfg, const char *name)
{
	if (listed(cfg->exclude_databases, name))
		return false;
	return !cfg->include_databases || cfg->include_databases->n == 0 ||
	       listed(cfg->include_databases, name);
}

struct pg_discovery *pg_discovery_new(struct pg_target *target)
{
	struct pg_discovery *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->main = target;
	pthread_mutex_init(&d->lock, NULL);
	target->discovery = d;
	return d;
}

/* d->lock held (or the discovery is being freed). */
static void dbconn_unref(struct pg_dbconn *c)
{
	if (--c->refs > 0)
		return;
	pg_target_free(c->target);
	free(c->name);
	free(c);
}

void pg_discovery_free(struct pg_discovery *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		dbconn_unref(d->db[i]);
	free(d->db);
	d->main->discovery = NULL;
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static struct pg_dbconn *dbconn_new(const struct pg_target *main, const char *name)
{
	struct buf conninfo = BUF_INIT;

	if (pg_conninfo_with_dbname(main->conninfo, name, &conninfo) != 0)
		return NULL;	/* cannot happen: main's conninfo parsed at start-up */
	struct pg_dbconn *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->name = pg_strdup(name);
	c->target = pg_target_new(main->cfg, buf_cstr(&conninfo));
	c->refs = 1;
	buf_release(&conninfo);
	log_info("discovered database", "target", c->target->display);
	return c;
}

/* The list for res's database names: kept connections, new ones, the rest closed. */
static void reconcile(struct pg_discovery *d, const PGresult *res)
{
	size_t rows = (size_t)PQntuples(res), n = 0;
	struct pg_dbconn **db = calloc(rows + 1, sizeof(*db));

	if (!db)
		abort();
	for (size_t r = 0; r < rows; r++) {
		const char *name = PQgetvalue(res, (int)r, 0);
		struct pg_dbconn *c = NULL;
		if (!pg_database_wanted(d->main->cfg, name))
			continue;
		for (size_t i = 0; i < d->n && !c; i++)
			if (d->db[i] && !strcmp(d->db[i]->name, name)) {
				c = d->db[i];
				d->db[i] = NULL;	/* moved */
			}
		if (!c)
			c = dbconn_new(d->main, name);
		if (c)
			db[n++] = c;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->db[i]) {
			log_info("database gone, connection closed", "target",
				 d->db[i]->target->display);
			dbconn_unref(d->db[i]);
		}
	free(d->db);
	d->db = db;
	d->n = n;
}

/* Lists the databases once per scrape; d->lock held. */
static void discover(struct pg_discovery *d, const struct collect_ctx *ctx)
{
	struct pg_session s;
	PGresult *res = NULL;

	if (d->scrape == ctx->deadline)
		return;
	d->scrape = ctx->deadline;
	int rc = pg_session_begin(&s, ctx);
	if (rc != 0)
		return;		/* the server is down: keep the list, its connections fail too */
	rc = pg_session_query(&s, databases_sql, &res);
	pg_session_end(&s, rc);
	if (rc != 0) {
		log_warn("cannot list the databases to discover", "target", d->main->display);
		return;
	}
	reconcile(d, res);
	PQclear(res);
}

/* This scrape's databases, each referenced until snapshot_put(). */
static struct pg_dbconn **snapshot_get(struct pg_discovery *d, const struct collect_ctx *ctx,
				       size_t *n)
{
	pthread_mutex_lock(&d->lock);
	discover(d, ctx);
	struct pg_dbconn **db = calloc(d->n + 1, sizeof(*db));
	if (!db)
		abort();
	for (size_t i = 0; i < d->n; i++) {
		db[i] = d->db[i];
		db[i]->refs++;
	}
	*n = d->n;
	pthread_mutex_unlock(&d->lock);
	return db;
}

static void snapshot_put(struct pg_discovery *d, struct pg_dbconn **db, size_t n)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < n; i++)
		dbconn_unref(db[i]);
	pthread_mutex_unlock(&d->lock);
	free(db);
}

/* spec's query on ctx's target: 0 with *res (NULL: too old a server), or -errno. */
static int run_spec(const struct collect_ctx *ctx, const struct pg_query_spec *spec,
		    PGresult **res)
{
	struct pg_session s;
	int rc = pg_session_begin(&s, ctx);

	*res = NULL;
	if (rc != 0)
		return rc;
	if (pg_server_version(&s) >= spec->min_version)
		rc = pg_session_query(&s, spec->sql, res);
	pg_session_end(&s, rc);
	return rc;
}

int pg_collect_per_database(const struct collect_ctx *ctx, struct expo *w,
			    const struct pg_query_spec *spec)
{
	struct pg_target *t = (struct pg_target *)ctx->config;
	struct pg_dbconn **db = NULL;
	size_t ndb = 0, nres = 0;

	if (t->discovery)
		db = snapshot_get(t->discovery, ctx, &ndb);
	PGresult **res = calloc(ndb + 1, sizeof(*res));
	if (!res)
		abort();
	int rc = run_spec(ctx, spec, &res[0]);
	if (rc == 0 && res[0])
		nres++;
	for (size_t i = 0; rc == 0 && i < ndb; i++) {
		const struct collect_ctx one = {
			.config = db[i]->target, .deadline = ctx->deadline,
			.collector = ctx->collector, .run = ctx->run,
			.seconds_moved = ctx->seconds_moved,
		};
		if (run_spec(&one, spec, &res[nres]) != 0)
			log_warn("query failed on a discovered database", "target",
				 db[i]->target->display, "query", spec->prefix);
		else if (res[nres])
			nres++;
	}
	if (rc == 0)
		rc = pg_emit_results(w, (const PGresult *const *)res, nres, spec);
	for (size_t i = 0; i < nres; i++)
		PQclear(res[i]);
	free(res);
	if (db)
		snapshot_put(t->discovery, db, ndb);
	return rc;
}
