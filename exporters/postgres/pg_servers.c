#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_discover.h"
#include "pg_expo_merge.h"
#include "pg_servers.h"
#include "pg_yaml.h"

struct pg_server {
	struct pg_target *target;
	struct pg_discovery *discovery;
	struct scraper scraper;
	bool scraper_ok;
	const char **names, **values;	/* server (with several) + constant labels */
	size_t nlabels, nscoped;
	char *server;			/* owned: host:port */
};

struct pg_servers {
	struct pg_server *s;
	size_t n;
	const char *prefix;
	bool merged;
};

static void log_enabled_collectors(const struct scraper *scraper, const char *target)
{
	struct buf list = BUF_INIT;

	for (size_t i = 0; i < scraper->nslots; i++)
		if (scraper->slots[i].enabled)
			buf_addf(&list, "%s%s", list.len ? "," : "", scraper->slots[i].c->name);
	log_info("enabled collectors", "collectors", buf_cstr(&list), "target", target);
	buf_release(&list);
}

static void set_labels(struct pg_server *one, bool with_server, const struct pg_servers_options *o)
{
	size_t n = 0;

	one->names = calloc(o->nconst + 2, sizeof(char *));
	one->values = calloc(o->nconst + 2, sizeof(char *));
	if (!one->names || !one->values)
		abort();
	if (with_server) {
		one->names[n] = "server";
		one->values[n++] = one->server;
	}
	one->nscoped = n;
	for (size_t i = 0; i < o->nconst; i++) {
		one->names[n] = o->const_names[i];
		one->values[n++] = o->const_values[i];
	}
	one->nlabels = n;
}

static int server_init(struct pg_server *one, const char *dsn, bool first,
		       const struct pg_servers_options *o)
{
	struct buf server = BUF_INIT;

	pg_dsn_server(dsn, &server);
	one->server = buf_detach(&server, NULL);
	one->target = pg_target_new(o->cfg, dsn);
	if (o->auto_discover)
		one->discovery = pg_discovery_new(one->target);
	if (scraper_init(&one->scraper, "pg", "postgres_exporter", one->target, pg_collectors,
			 o->enabled, pg_collectors_count) != 0)
		return -1;
	one->scraper_ok = true;
	/* The collectors share one connection; with discovered databases, one each. */
	if (o->auto_discover)
		scraper_set_workers(&one->scraper, 1);
	else
		scraper_set_serial(&one->scraper);
	one->scraper.exporter_metrics = first && o->exporter_metrics;
	one->scraper.extra = pg_write_meta;
	one->scraper.extra_cls = one->target;
	log_enabled_collectors(&one->scraper, one->target->display);
	return 0;
}

/* Two data sources on one host:port would repeat series: name them host:port/db. */
static void make_servers_unique(struct pg_servers *all)
{
	for (size_t i = 0; i < all->n; i++)
		for (size_t j = i + 1; j < all->n; j++)
			if (!strcmp(all->s[i].server, all->s[j].server))
				goto use_display;
	return;
use_display:
	for (size_t i = 0; i < all->n; i++) {
		free(all->s[i].server);
		all->s[i].server = pg_strdup(all->s[i].target->display);
	}
}

struct pg_servers *pg_servers_new(const struct pg_dsns *dsns, const struct pg_servers_options *o)
{
	struct pg_servers *all = calloc(1, sizeof(*all));

	if (!all)
		abort();
	all->s = calloc(dsns->n + 1, sizeof(*all->s));
	if (!all->s)
		abort();
	all->prefix = o->prefix;
	all->merged = dsns->n > 1 || o->nconst > 0 || strcmp(o->prefix, "pg");
	for (; all->n < dsns->n; all->n++)
		if (server_init(&all->s[all->n], dsns->v[all->n], all->n == 0, o) != 0) {
			all->n++;
			pg_servers_free(all);
			return NULL;
		}
	make_servers_unique(all);
	for (size_t i = 0; i < all->n; i++)
		set_labels(&all->s[i], all->n > 1, o);
	return all;
}

void pg_servers_free(struct pg_servers *all)
{
	if (!all)
		return;
	for (size_t i = 0; i < all->n; i++) {
		struct pg_server *one = &all->s[i];
		if (one->scraper_ok)
			scraper_release(&one->scraper);
		pg_discovery_free(one->discovery);
		pg_target_free(one->target);
		free(one->names);
		free(one->values);
		free(one->server);
	}
	free(all->s);
	free(all);
}

struct scraper *pg_servers_scraper(struct pg_servers *all)
{
	return &all->s[0].scraper;
}

bool pg_servers_merged(const struct pg_servers *all)
{
	return all->merged;
}

int pg_servers_status(void *cls)
{
	const struct pg_servers *all = cls;

	for (size_t i = 0; i < all->n; i++)
		if (!pg_target_up(all->s[i].target))
			return 503;
	return 0;
}

/* Scrapes every data source in turn (one deadline) and merges the bodies. */
void pg_servers_handle(void *cls, const struct http_request *req, struct http_response *resp)
{
	struct pg_servers *all = cls;
	struct http_response *one = calloc(all->n, sizeof(*one));
	struct pg_expo_part *parts = calloc(all->n, sizeof(*parts));
	size_t done = 0;

	if (!one || !parts)
		abort();
	for (; done < all->n; done++) {
		struct pg_server *s = &all->s[done];
		one[done] = (struct http_response){ .status = 200, .content_type = resp->content_type };
		http_serve_scrape(&s->scraper, req, &one[done]);
		if (one[done].status != 200) {	/* a bad collect[] filter: its answer */
			resp->status = one[done].status;
			buf_add(&resp->body, one[done].body.data, one[done].body.len);
			done++;
			goto out;
		}
		parts[done] = (struct pg_expo_part){ one[done].body.data, one[done].body.len,
						     s->names, s->values, s->nlabels, s->nscoped };
	}
	resp->content_type = one[0].content_type;
	pg_expo_merge(parts, all->n, all->prefix, &resp->body);
out:
	for (size_t i = 0; i < done; i++)
		buf_release(&one[i].body);
	free(one);
	free(parts);
}
