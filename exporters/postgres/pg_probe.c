#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "log.h"
#include "pg_probe.h"
#include "pg_yaml.h"

/* At most this many cached targets (each holds a connection). */
#define PROBE_TARGETS_MAX 64

struct probe_target {
	char *key;			/* target + "\n" + auth_module */
	struct pg_target *target;
	struct scraper scraper;
	unsigned users;			/* probes running on it; guarded by pg_probe.lock */
	double last_used;		/* monotonic seconds */
};

struct pg_probe {
	const struct pg_probe_config *pc;
	const struct pg_config *cfg;
	const struct collector *const *table;
	const bool *enabled;
	size_t ncollectors;
	bool exporter_metrics;
	struct pg_auth_modules modules;
	pthread_mutex_t lock;		/* guards targets and stopping */
	struct probe_target *targets[PROBE_TARGETS_MAX];
	size_t ntargets;
	pthread_t sweeper;		/* closes idle targets (when idle_timeout > 0) */
	bool sweeping, stopping;
	pthread_cond_t wake;
};

static void parse_options(yaml_document_t *doc, yaml_node_t *opts, struct pg_auth_module *m)
{
	if (!opts || opts->type != YAML_MAPPING_NODE)
		return;
	size_t n = (size_t)(opts->data.mapping.pairs.top - opts->data.mapping.pairs.start);
	m->option_keys = calloc(n + 1, sizeof(char *));
	m->option_values = calloc(n + 1, sizeof(char *));
	if (!m->option_keys || !m->option_values)
		abort();
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &opts->data.mapping.pairs.start[i];
		const char *k = pg_yaml_scalar(yaml_document_get_node(doc, p->key));
		const char *v = pg_yaml_scalar(yaml_document_get_node(doc, p->value));
		if (!k || !v)
			continue;
		m->option_keys[m->noptions] = pg_strdup(k);
		m->option_values[m->noptions++] = pg_strdup(v);
	}
}

static int parse_modules(yaml_document_t *doc, void *modules, struct buf *err)
{
	struct pg_auth_modules *out = modules;
	yaml_node_t *mods = pg_yaml_lookup(doc, yaml_document_get_root_node(doc), "auth_modules");

	if (!mods)
		return 0;
	if (mods->type != YAML_MAPPING_NODE) {
		buf_adds(err, "auth_modules is not a mapping");
		return -1;
	}
	size_t n = (size_t)(mods->data.mapping.pairs.top - mods->data.mapping.pairs.start);
	out->m = calloc(n + 1, sizeof(*out->m));
	if (!out->m)
		abort();
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &mods->data.mapping.pairs.start[i];
		yaml_node_t *body = yaml_document_get_node(doc, p->value);
		const char *name = pg_yaml_scalar(yaml_document_get_node(doc, p->key));
		const char *type = pg_yaml_scalar(pg_yaml_lookup(doc, body, "type"));
		yaml_node_t *up = pg_yaml_lookup(doc, body, "userpass");
		struct pg_auth_module *m = &out->m[out->n++];
		m->name = pg_strdup(name);
		if (!name || !type || strcmp(type, "userpass")) {
			buf_adds(err, "auth module ");
			pg_add_printable(err, name ? name : "?");
			buf_adds(err, ": type must be userpass");
			return -1;
		}
		m->username = pg_strdup(pg_yaml_scalar(pg_yaml_lookup(doc, up, "username")));
		m->password = pg_strdup(pg_yaml_scalar(pg_yaml_lookup(doc, up, "password")));
		parse_options(doc, pg_yaml_lookup(doc, body, "options"), m);
	}
	return 0;
}

int pg_auth_modules_parse(const char *text, size_t len, struct pg_auth_modules *out,
			  struct buf *err)
{
	memset(out, 0, sizeof(*out));
	int rc = pg_yaml_read(text, len, parse_modules, out, err);
	if (rc != 0)
		pg_auth_modules_release(out);
	return rc;
}

void pg_auth_modules_release(struct pg_auth_modules *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct pg_auth_module *m = &a->m[i];
		for (size_t k = 0; k < m->noptions; k++) {
			free(m->option_keys[k]);
			free(m->option_values[k]);
		}
		free(m->option_keys);
		free(m->option_values);
		free(m->name);
		free(m->username);
		free(m->password);
	}
	free(a->m);
	a->m = NULL;
	a->n = 0;
}

bool pg_probe_allowed(const struct strlist *allowed, const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	const char *host = "", *port = "5432";
	char hostport[512];
	bool ok = false;

	if (!opts)
		return false;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		/*
		 * libpq connects to hostaddr (host is then only a name) and reads
		 * hosts from service files: either would get past the host check.
		 */
		if (o->val && *o->val && (!strcmp(o->keyword, "hostaddr") ||
					  !strcmp(o->keyword, "service") ||
					  !strcmp(o->keyword, "servicefile"))) {
			PQconninfoFree(opts);
			return false;
		}
		if (o->val && !strcmp(o->keyword, "host"))
			host = o->val;
		else if (o->val && *o->val && !strcmp(o->keyword, "port"))
			port = o->val;
	}
	snprintf(hostport, sizeof(hostport), "%s:%s", host, port);
	/* A host list ("a,b") or a socket directory must be listed as given. */
	for (size_t i = 0; i < allowed->n && !ok; i++)
		ok = *host && (!strcmp(allowed->v[i], hostport) || !strcmp(allowed->v[i], host));
	PQconninfoFree(opts);
	return ok;
}

static int load_config(struct pg_probe *p)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	FILE *f = fopen(p->pc->config_file, "r");
	char chunk[4096];
	size_t n;

	if (!f)		/* upstream: a missing config file only means no auth modules */
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	fclose(f);
	int rc = pg_auth_modules_parse(buf_cstr(&text), text.len, &p->modules, &err);
	if (rc != 0)
		fprintf(stderr, "postgres-exporter: invalid --config.file %s: %s\n",
			p->pc->config_file, buf_cstr(&err));
	buf_release(&text);
	buf_release(&err);
	return rc;
}

static void probe_target_free(struct probe_target *t)
{
	scraper_release(&t->scraper);
	pg_target_free(t->target);
	free(t->key);
	free(t);
}

/*
 * Whether a probe is running on t, or a collector abandoned at an earlier
 * probe's deadline still runs on its connection; p->lock held.
 */
static bool target_busy(const struct probe_target *t)
{
	return t->users > 0 || scraper_busy(&t->scraper);
}

/* Drops targets idle since before `before`, logging why; p->lock held. */
static void evict_idle(struct pg_probe *p, double before, const char *why)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->ntargets; i++) {
		struct probe_target *t = p->targets[i];
		if (!target_busy(t) && t->last_used < before) {
			log_info(why, "target", t->target->display);
			probe_target_free(t);
		} else {
			p->targets[kept++] = t;
		}
	}
	p->ntargets = kept;
}

/* The least recently used target nobody is probing, dropped; p->lock held. */
static bool evict_oldest(struct pg_probe *p)
{
	struct probe_target *oldest = NULL;

	for (size_t i = 0; i < p->ntargets; i++)
		if (!target_busy(p->targets[i]) &&
		    (!oldest || p->targets[i]->last_used < oldest->last_used))
			oldest = p->targets[i];
	if (oldest)
		evict_idle(p, nextafter(oldest->last_used, INFINITY),
			   "probe targets full, least recently used one closed");
	return oldest != NULL;
}

static void *sweep_loop(void *arg)
{
	struct pg_probe *p = arg;
	double period = p->pc->idle_timeout / 4;
	struct timespec until;

	period = period < 0.05 ? 0.05 : period > 30 ? 30 : period;
	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		double at = (double)until.tv_sec + until.tv_nsec / 1e9 + period;
		until.tv_sec = (time_t)at;
		until.tv_nsec = (long)((at - floor(at)) * 1e9);
		pthread_cond_timedwait(&p->wake, &p->lock, &until);
		if (!p->stopping)
			evict_idle(p, monotonic_seconds() - p->pc->idle_timeout,
				   "probe target idle, connection closed");
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pg_probe *pg_probe_new(const struct pg_probe_config *pc, const struct pg_config *cfg,
			      const struct collector *const *table, const bool *enabled, size_t n,
			      bool exporter_metrics)
{
	struct pg_probe *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	*p = (struct pg_probe){ .pc = pc, .cfg = cfg, .table = table, .enabled = enabled,
				.ncollectors = n, .exporter_metrics = exporter_metrics };
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (load_config(p) != 0) {
		pg_probe_free(p);
		return NULL;
	}
	if (pc->idle_timeout > 0 && pc->allowed.n > 0) {
		if (pthread_create(&p->sweeper, NULL, sweep_loop, p) != 0)
			abort();
		p->sweeping = true;
	}
	return p;
}

void pg_probe_free(struct pg_probe *p)
{
	if (!p)
		return;
	if (p->sweeping) {
		pthread_mutex_lock(&p->lock);
		p->stopping = true;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->sweeper, NULL);
	}
	for (size_t i = 0; i < p->ntargets; i++)
		probe_target_free(p->targets[i]);
	pg_auth_modules_release(&p->modules);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct pg_auth_module *find_module(const struct pg_probe *p, const char *name)
{
	for (size_t i = 0; i < p->modules.n; i++)
		if (!strcmp(p->modules.m[i].name, name))
			return &p->modules.m[i];
	return NULL;
}

/*
 * The target (a URI, key=value pairs, or upstream's "host:port/db") as
 * key=value pairs, with the auth module's user, password and options.
 */
static int build_conninfo(const char *target, const struct pg_auth_module *m, struct buf *out)
{
	struct buf uri = BUF_INIT;

	if (!strchr(target, '=') && !strstr(target, "://"))
		buf_addf(&uri, "postgresql://%s", target);
	else
		buf_adds(&uri, target);
	PQconninfoOption *opts = PQconninfoParse(buf_cstr(&uri), NULL);
	buf_release(&uri);
	if (!opts)
		return -1;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && *o->val)
			pg_conninfo_add(out, o->keyword, o->val);
	PQconninfoFree(opts);
	if (m) {
		if (*m->username)
			pg_conninfo_add(out, "user", m->username);
		if (*m->password)
			pg_conninfo_add(out, "password", m->password);
		for (size_t i = 0; i < m->noptions; i++)
			pg_conninfo_add(out, m->option_keys[i], m->option_values[i]);
	}
	return 0;
}

/*
 * The cached target for key, created on first use (the least recently used
 * idle one makes room when the cache is full), marked in use; p->lock held.
 */
static struct probe_target *target_get(struct pg_probe *p, const char *key, const char *conninfo)
{
	struct probe_target *t = NULL;

	for (size_t i = 0; i < p->ntargets && !t; i++)
		if (!strcmp(p->targets[i]->key, key))
			t = p->targets[i];
	if (!t) {
		if (p->ntargets == PROBE_TARGETS_MAX && !evict_oldest(p))
			return NULL;
		t = calloc(1, sizeof(*t));
		if (!t)
			abort();
		t->target = pg_target_new(p->cfg, conninfo);
		if (scraper_init(&t->scraper, "pg", "postgres_exporter", t->target, p->table,
				 p->enabled, p->ncollectors) != 0) {
			pg_target_free(t->target);
			free(t);
			return NULL;
		}
		scraper_set_serial(&t->scraper);	/* one connection */
		t->scraper.extra = pg_write_meta;
		t->scraper.extra_cls = t->target;
		t->scraper.exporter_metrics = false;	/* they belong to /metrics */
		t->key = pg_strdup(key);
		p->targets[p->ntargets++] = t;
	}
	t->users++;
	t->last_used = monotonic_seconds();
	return t;
}

static void target_put(struct pg_probe *p, struct probe_target *t)
{
	pthread_mutex_lock(&p->lock);
	t->users--;
	t->last_used = monotonic_seconds();
	pthread_mutex_unlock(&p->lock);
}

static void answer(struct http_response *resp, int status, const char *msg)
{
	resp->status = status;
	buf_adds(&resp->body, msg);
	buf_addc(&resp->body, '\n');
}

void pg_probe_handle(void *cls, const struct http_request *req, struct http_response *resp)
{
	struct pg_probe *p = cls;
	const char *target = http_query(req, "target");
	const char *module_name = http_query(req, "auth_module");
	const struct pg_auth_module *m = NULL;
	struct buf conninfo = BUF_INIT, key = BUF_INIT;

	if (!target || !*target) {
		answer(resp, 400, "target is required");
		return;
	}
	if (module_name && *module_name && !(m = find_module(p, module_name))) {
		answer(resp, 400, "auth_module not found");
		return;
	}
	if (build_conninfo(target, m, &conninfo) != 0) {
		answer(resp, 400, "invalid target");
		goto out;
	}
	if (!pg_probe_allowed(&p->pc->allowed, buf_cstr(&conninfo))) {
		answer(resp, 403, "target not allowed (see --probe.allowed-targets)");
		goto out;
	}
	buf_addf(&key, "%s\n%s", target, module_name ? module_name : "");
	pthread_mutex_lock(&p->lock);
	struct probe_target *t = target_get(p, buf_cstr(&key), buf_cstr(&conninfo));
	pthread_mutex_unlock(&p->lock);
	if (!t) {
		answer(resp, 503, "too many probe targets in use");
	} else {
		http_serve_scrape(&t->scraper, req, resp);
		target_put(p, t);
	}
out:
	buf_release(&conninfo);
	buf_release(&key);
}
