/*
 * redis_fields: upstream's (redis_exporter 1.45) tables of INFO fields it
 * exports, and the names it gives them.
 */
#ifndef EXPORTERBOX_REDIS_FIELDS_H
#define EXPORTERBOX_REDIS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct info_metric {
	const char *field;	/* INFO key */
	const char *metric;	/* name after the namespace */
	bool counter;
};

/* Sorted by field, for bsearch. */
extern const struct info_metric redis_info_metrics[];
extern const size_t redis_info_metrics_count;

const struct info_metric *redis_info_metric_find(const char *field);
/* The same, given text_hash(field) (as struct info_field has it). */
const struct info_metric *redis_info_metric_find_hashed(const char *field, uint64_t hash);

#endif
