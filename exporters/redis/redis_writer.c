/*
 * redis_writer: "<ns>_<name>" families, each written at most once.
 */
#include <stdlib.h>
#include <string.h>

#include "redis.h"
#include "text.h"

void rw_init(struct redis_writer *rw, struct expo *w, const char *ns)
{
	memset(rw, 0, sizeof(*rw));
	rw->w = w;
	rw->ns = ns;
	/* then "<ns>_<suffix>" is valid for any valid suffix */
	rw->ns_ok = !*ns || expo_valid_metric_name(ns);
}

void rw_release(struct redis_writer *rw)
{
	buf_release(&rw->name);
	buf_release(&rw->help);
	free(rw->seen);
	rw->seen = NULL;
}

/* Open addressing over name hashes (0 marks a free slot). */
static bool seen_insert(struct redis_writer *rw, uint64_t h)
{
	if (!h)
		h = 1;
	if (2 * (rw->seen_len + 1) > rw->seen_cap) {
		size_t cap = rw->seen_cap ? 2 * rw->seen_cap : 256;
		uint64_t *old = rw->seen, *v = calloc(cap, sizeof(*v));
		if (!v)
			abort();
		for (size_t i = 0; i < rw->seen_cap; i++)
			if (old[i])
				for (size_t j = old[i] & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!v[j]) {
						v[j] = old[i];
						break;
					}
		free(old);
		rw->seen = v;
		rw->seen_cap = cap;
	}
	for (size_t j = h & (rw->seen_cap - 1);; j = (j + 1) & (rw->seen_cap - 1)) {
		if (rw->seen[j] == h)
			return false;
		if (!rw->seen[j]) {
			rw->seen[j] = h;
			rw->seen_len++;
			return true;
		}
	}
}

/* What may follow "<ns>_" in a metric name (the namespace is checked once). */
static bool valid_suffix(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

bool rw_family(struct redis_writer *rw, const char *name, const char *help,
	       enum metric_type type, const char *const *labels)
{
	if (!rw->ns_ok || !valid_suffix(name))
		return false;
	buf_truncate(&rw->name, 0);
	buf_adds(&rw->name, rw->ns);
	buf_addc(&rw->name, '_');
	buf_adds(&rw->name, name);
	if (!seen_insert(rw, text_hash(rw->name.data, rw->name.len)))
		return false;
	const char *help_text = help;
	if (!help) {
		/* upstream's generated HELP */
		buf_truncate(&rw->help, 0);
		buf_adds(&rw->help, name);
		buf_adds(&rw->help, " metric");
		help_text = buf_cstr(&rw->help);
	}
	size_t n = 0;
	for (; labels && labels[n] && n + 1 < sizeof(rw->labels) / sizeof(rw->labels[0]); n++)
		rw->labels[n] = labels[n];
	rw->labels[n] = NULL;
	rw->desc = (struct metric_desc){
		.name = buf_cstr(&rw->name), .help = help_text,
		.type = type, .labels = labels ? rw->labels : NULL,
	};
	expo_family(rw->w, &rw->desc);
	return true;
}

void rw_value(struct redis_writer *rw, const char *name, const char *help,
	      enum metric_type type, double v)
{
	if (rw_family(rw, name, help, type, NULL))
		expo_value(rw->w, v);
}
