/*
 * hw1_parse: the pure parsers behind the thermal_zone, rapl, schedstat and
 * dmi node collectors.
 *
 * Each works on text already read from /proc or /sys and touches no file,
 * so the unit tests and the fuzzer call them directly. Functions returning
 * int give 0, or -EINVAL for text the upstream collector would refuse.
 */
#ifndef EXPORTERBOX_HW1_PARSE_H
#define EXPORTERBOX_HW1_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* ---- shared: Go's strings.TrimSpace ------------------------------------ */

/*
 * Length of the Unicode white space (as Go's unicode.IsSpace sees it) that
 * the n bytes at s spell exactly, or 0. Only whole sequences count, so a
 * caller may try k = 1, 2, 3 bytes at either end of a string.
 */
static inline bool hw1_is_space_seq(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r');
	if (n == 2)
		return s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0);
	if (n != 3)
		return false;
	if (s[0] == 0xe1)
		return s[1] == 0x9a && s[2] == 0x80;
	if (s[0] == 0xe3)
		return s[1] == 0x80 && s[2] == 0x80;
	if (s[0] != 0xe2)
		return false;
	if (s[1] == 0x81)
		return s[2] == 0x9f;
	return s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) ||
				s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf);
}

/*
 * Trims Unicode white space from both ends of the len bytes at s, as Go's
 * strings.TrimSpace (and so procfs's SysReadFile) does. Sets *start and
 * returns the trimmed length. Inline because three collectors share it.
 */
static inline size_t hw1_trim_space(const char *s, size_t len,
				    const char **start)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	for (;;) {
		for (k = 1; k <= 3 && k <= len; k++)
			if (hw1_is_space_seq(p, k))
				break;
		if (k > 3 || k > len)
			break;
		p += k;
		len -= k;
	}
	for (;;) {
		for (k = 1; k <= 3 && k <= len; k++)
			if (hw1_is_space_seq(p + len - k, k))
				break;
		if (k > 3 || k > len)
			break;
		len -= k;
	}
	*start = (const char *)p;
	return len;
}

/* ---- thermal_zone.c ---------------------------------------------------- */

/*
 * A sysfs number as procfs reads temp, max_state and cur_state: blanks
 * trimmed, then Go's strconv.ParseInt(s, 10, 64) (a sign allowed).
 */
int thermal_parse_int(const char *text, int64_t *out);

/* The same for passive, with strconv.ParseUint(s, 10, 64). */
int thermal_parse_uint(const char *text, uint64_t *out);

/* ---- rapl.c ------------------------------------------------------------ */

/*
 * Splits a RAPL zone name as procfs's getIndexAndName does: "package-0"
 * has exactly one '-' followed by a decimal int (Go's Atoi, sign allowed),
 * so it returns true with *base_len = 7 and *index = 0. Any other name
 * returns false and keeps its whole length.
 */
bool rapl_split_index(const char *name, size_t len, size_t *base_len,
		      int64_t *index);

/*
 * Appends the metric name node_exporter gives a zone called name (len
 * bytes): "node_rapl_" + SanitizeMetricName(name) + "_joules_total", where
 * every run of bytes outside [0-9A-Za-z_], with the underscores around it,
 * becomes one '_' (node_exporter 1.5 prints "a.b_-c" as a_b_c, and "a\xc3\xa9"
 * as a__joules_total: the suffix is added after sanitizing).
 */
void rapl_family_name(const char *name, size_t len, struct buf *out);

/*
 * Appends path cleaned as Go's filepath.Clean does ("./a//b/../c/" gives
 * "a/c", "" gives "."): the zone's path label, as procfs joins it.
 */
void rapl_clean_path(const char *path, struct buf *out);

/*
 * A counter file (energy_uj, max_energy_range_uj) as procfs's
 * ReadUintFromFile reads it: trimmed, then ParseUint(s, 10, 64).
 */
int rapl_parse_uint(const char *text, uint64_t *out);

/* ---- schedstat.c: /proc/schedstat -------------------------------------- */

struct schedstat_cpu {
	size_t cpu;		/* offset of the CPU number in names */
	uint64_t running_ns;
	uint64_t waiting_ns;
	uint64_t timeslices;
};

struct schedstat {
	struct buf names;	/* CPU numbers as written, NUL-separated */
	struct schedstat_cpu *v;
	size_t n, cap;
};

#define SCHEDSTAT_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses the len bytes of /proc/schedstat as procfs does: on each line the
 * leftmost match of `cpu(\d+)( \d+){9}` gives a CPU, whose 7th to 9th
 * numbers are its running and waiting nanoseconds and timeslices; a line
 * where one of those overflows is skipped, as is any line without a match.
 * Like Go's bufio.Scanner, reading stops at a line of 64 KiB or more. Never
 * fails; free out with schedstat_release().
 */
void schedstat_parse(const char *text, size_t len, struct schedstat *out);
const char *schedstat_cpu_name(const struct schedstat *s, size_t i);
void schedstat_release(struct schedstat *s);

/* ---- dmi.c ------------------------------------------------------------- */

/*
 * Appends the n bytes at s to out with each run of invalid UTF-8 replaced
 * by one U+FFFD, as Go's strings.ToValidUTF8(s, "\uFFFD") does.
 */
void dmi_valid_utf8(const char *s, size_t n, struct buf *out);

/*
 * The label that the dmi/id file called name feeds ("sys_vendor" feeds
 * system_vendor), or NULL for a file node_dmi_info does not show.
 */
const char *dmi_label_for_file(const char *name);

#endif
