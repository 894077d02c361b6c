/*
 * hw3_parse: the pure parsers behind the mdadm, edac, fibrechannel and
 * tapestats node collectors.
 *
 * Each takes the text of one file as a NUL-terminated string; none touches
 * the file system, so the unit tests and the fuzzer call them directly.
 * They return 0, or -EINVAL (or -ERANGE) for text that node_exporter 1.5
 * (over the Go procfs library) refuses, in which case the collector fails.
 */
#ifndef EXPORTERBOX_HW3_PARSE_H
#define EXPORTERBOX_HW3_PARSE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "go_strconv.h"

/* ---- mdadm.c: /proc/mdstat ---------------------------------------------- */

/* The activity states node_md_state reports, in its label order. */
enum md_state {
	MD_ACTIVE, MD_CHECK, MD_INACTIVE, MD_RECOVERING, MD_RESYNC,
	MD_NSTATES,
	MD_OTHER = MD_NSTATES,	/* e.g. "(auto-read-only)": every state 0 */
};

struct md_array {
	char *name;			/* "md0" */
	enum md_state state;
	int64_t disks_active;
	int64_t disks_total;		/* node_md_disks_required */
	int64_t disks_failed;		/* "(F)" on the device line */
	int64_t disks_spare;		/* "(S)" on the device line */
	int64_t blocks_total;
	int64_t blocks_synced;
};

struct md_stat {
	struct md_array *v;
	size_t n, cap;
};

#define MD_STAT_INIT { NULL, 0, 0 }

/*
 * Parses /proc/mdstat as the Go procfs library (v0.8) does: every line that
 * does not start with a space, "Personalities" or "unused" and is not blank
 * starts an array; the next line is its status line and the one after (or
 * the one after a "bitmap" line) may report a recovery, resync or check,
 * whose progress line must then carry the synced blocks, percentage, finish
 * time and speed. Arrays are appended in file order. -EINVAL on any line
 * upstream refuses (too few words or lines, a bad number); out then holds
 * nothing worth using but must still be released.
 */
int mdstat_parse(const char *text, struct md_stat *out);
void md_stat_release(struct md_stat *m);

/* ---- edac.c, fibrechannel.c, tapestats.c: one-number attributes --------- */

/* The blanks Go's strings.TrimSpace drops (its ASCII ones). */
static inline bool hw3_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* Trims blanks off text; returns the length left, *start its start. */
static inline size_t hw3_trim(const char *text, const char **start)
{
	size_t n = strlen(text);

	while (n && hw3_is_space(text[n - 1]))
		n--;
	while (n && hw3_is_space(*text)) {
		text++;
		n--;
	}
	*start = text;
	return n;
}

/*
 * Parses an attribute with Go's ParseUint(TrimSpace(text), base, 64): base
 * 10 is upstream's ReadUintFromFile (edac), base 0 the procfs value parser
 * (fibre channel and tape statistics: 0x, 0o, 0b and a leading 0 are
 * prefixes). Inline because three collectors share it and none owns it.
 */
static inline int hw3_parse_uint(const char *text, int base, uint64_t *out)
{
	const char *s;
	size_t n = hw3_trim(text, &s);

	return go_parse_uint(s, n, base, 64, out) ? 0 : -EINVAL;
}

#endif
