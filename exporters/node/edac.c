/*
 * edac: memory error counters of the EDAC memory controllers under
 * /sys/devices/system/edac/mc, node_edac_*{controller[,csrow]}, as
 * node_exporter 1.5's edac collector reports them.
 *
 * Upstream globs mc[0-9]* and csrow[0-9]* and labels each with the digits
 * after the prefix; a host without controllers reports nothing and
 * succeeds. Every counter file must be there and hold a decimal number,
 * else the collector fails. The "_noinfo" counters of a controller (errors
 * the driver could not place) appear as csrow "unknown".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw3_parse.h"
#include "log.h"
#include "node.h"

static const struct metric_desc ce_desc = {
	"node_edac_correctable_errors_total",
	"Total correctable memory errors.", METRIC_COUNTER,
	LABELS("controller")
};
static const struct metric_desc csrow_ce_desc = {
	"node_edac_csrow_correctable_errors_total",
	"Total correctable memory errors for this csrow.", METRIC_COUNTER,
	LABELS("controller", "csrow")
};
static const struct metric_desc csrow_ue_desc = {
	"node_edac_csrow_uncorrectable_errors_total",
	"Total uncorrectable memory errors for this csrow.", METRIC_COUNTER,
	LABELS("controller", "csrow")
};
static const struct metric_desc ue_desc = {
	"node_edac_uncorrectable_errors_total",
	"Total uncorrectable memory errors.", METRIC_COUNTER,
	LABELS("controller")
};

/* One sample: a controller's totals (csrow NULL) or a csrow's. */
struct edac_row {
	char *controller;
	char *csrow;
	uint64_t ce, ue;
};

struct edac_rows {
	struct edac_row *v;
	size_t n, cap;
};

/* Reads the number in dir/name. */
static int edac_read(const char *dir, const char *name, uint64_t *out)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = fs_read_file(fs_join(&path, dir, name), &text, 4096);

	if (!rc)
		rc = hw3_parse_uint(buf_cstr(&text), 10, out);
	if (rc)
		log_debug("edac counter unreadable", "file", buf_cstr(&path),
			  "err", strerror(-rc));
	buf_release(&text);
	buf_release(&path);
	return rc;
}

/* The label: the digits after the glob's prefix ("mc12x" -> "12"). */
static char *edac_number(const char *name, size_t prefix)
{
	size_t n = strspn(name + prefix, "0123456789");
	char *s = strndup(name + prefix, n);

	if (!s)
		abort();
	return s;
}

static struct edac_row *edac_add(struct edac_rows *r, const char *ctl,
				 const char *csrow)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n] = (struct edac_row){
		.controller = strdup(ctl),
		.csrow = csrow ? strdup(csrow) : NULL,
	};
	if (!r->v[r->n].controller || (csrow && !r->v[r->n].csrow))
		abort();
	return &r->v[r->n++];
}

/* Reads the csrows of the controller at dir into rows. */
static int edac_read_csrows(const char *dir, const char *ctl,
			    struct edac_rows *rows)
{
	struct buf path = BUF_INIT;
	char **names;
	size_t n = fs_list_numbered(dir, "csrow", &names);
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		char *num = edac_number(names[i], 5);
		struct edac_row *r = edac_add(rows, ctl, num);

		fs_join(&path, dir, names[i]);
		rc = edac_read(buf_cstr(&path), "ce_count", &r->ce);
		if (!rc)
			rc = edac_read(buf_cstr(&path), "ue_count", &r->ue);
		free(num);
	}
	fs_names_free(names, n);
	buf_release(&path);
	return rc;
}

/* Reads one controller: its totals, its "unknown" csrow, its csrows. */
static int edac_read_controller(const char *dir, const char *ctl,
				struct edac_rows *ctls, struct edac_rows *rows)
{
	struct edac_row *t = edac_add(ctls, ctl, NULL);
	struct edac_row *u = edac_add(rows, ctl, "unknown");

	if (edac_read(dir, "ce_count", &t->ce) ||
	    edac_read(dir, "ce_noinfo_count", &u->ce) ||
	    edac_read(dir, "ue_count", &t->ue) ||
	    edac_read(dir, "ue_noinfo_count", &u->ue))
		return -EINVAL;
	return edac_read_csrows(dir, ctl, rows);
}

/* Upstream's registry prints samples sorted by label values. */
static int edac_cmp(const void *x, const void *y)
{
	const struct edac_row *a = x, *b = y;
	int c = strcmp(a->controller, b->controller);

	if (c || !a->csrow || !b->csrow)
		return c;
	return strcmp(a->csrow, b->csrow);
}

static void edac_write(struct expo *w, struct edac_rows *ctls,
		       struct edac_rows *rows)
{
	qsort(ctls->v, ctls->n, sizeof(*ctls->v), edac_cmp);
	qsort(rows->v, rows->n, sizeof(*rows->v), edac_cmp);
	expo_family(w, &ce_desc);
	for (size_t i = 0; i < ctls->n; i++)
		expo_sample(w, (double)ctls->v[i].ce, ctls->v[i].controller);
	expo_family(w, &csrow_ce_desc);
	for (size_t i = 0; i < rows->n; i++)
		expo_sample(w, (double)rows->v[i].ce, rows->v[i].controller,
			    rows->v[i].csrow);
	expo_family(w, &csrow_ue_desc);
	for (size_t i = 0; i < rows->n; i++)
		expo_sample(w, (double)rows->v[i].ue, rows->v[i].controller,
			    rows->v[i].csrow);
	expo_family(w, &ue_desc);
	for (size_t i = 0; i < ctls->n; i++)
		expo_sample(w, (double)ctls->v[i].ue, ctls->v[i].controller);
}

static void edac_rows_release(struct edac_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].controller);
		free(r->v[i].csrow);
	}
	free(r->v);
}

static int edac_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT, dir = BUF_INIT;
	struct edac_rows ctls = { 0 }, rows = { 0 };
	char **names;
	size_t n;
	int rc = 0;

	fs_join(&root, cfg->sysfs, "devices/system/edac/mc");
	n = fs_list_numbered(buf_cstr(&root), "mc", &names);
	for (size_t i = 0; i < n && !rc; i++) {
		char *ctl = edac_number(names[i], 2);

		fs_join(&dir, buf_cstr(&root), names[i]);
		rc = edac_read_controller(buf_cstr(&dir), ctl, &ctls, &rows);
		free(ctl);
	}
	if (!rc && n)
		edac_write(w, &ctls, &rows);
	fs_names_free(names, n);
	edac_rows_release(&ctls);
	edac_rows_release(&rows);
	buf_release(&dir);
	buf_release(&root);
	return rc;
}

const struct collector edac_collector = {
	.name = "edac",
	.enabled_by_default = true,
	.collect = edac_collect,
};
