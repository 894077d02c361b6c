/*
 * pg_expo_merge: one exposition from the bodies of several scrapers (one per
 * data source when DATA_SOURCE_NAME lists several), each sample given its
 * part's label pairs (server="host:port", --constantLabels) and, with
 * --metric-prefix, "pg_" families renamed. Families keep the order they are
 * first seen in and the HELP/TYPE of the first part that has them, so a
 * family is never split or repeated. Works on the text format and on
 * OpenMetrics (one "# EOF" at the end).
 */
#ifndef EXPORTERBOX_PG_EXPO_MERGE_H
#define EXPORTERBOX_PG_EXPO_MERGE_H

#include <stddef.h>

#include "buf.h"

struct pg_expo_part {
	const char *body;
	size_t len;
	const char *const *names;	/* label pairs added to every sample */
	const char *const *values;
	size_t nlabels;
	/*
	 * The first nscoped pairs (server) describe the data source: the
	 * process's own families (process_*, postgres_exporter_*) skip them.
	 */
	size_t nscoped;
};

/*
 * Appends the merged exposition to out. A label a sample already has keeps
 * its value. prefix: NULL or "pg" keeps the names; otherwise a family named
 * "pg_..." is written "<prefix>_...".
 */
void pg_expo_merge(const struct pg_expo_part *parts, size_t n, const char *prefix,
		   struct buf *out);

/*
 * Parses "a=b,c=d" (--constantLabels): spaces around names and values are
 * cut, empty items skipped. Returns the number of pairs (names and values
 * point into text, which is cut in place), or -1 with one line in err for an
 * item without "=" or an invalid label name.
 */
int pg_parse_constant_labels(char *text, const char **names, const char **values, size_t max,
			     struct buf *err);

#endif
