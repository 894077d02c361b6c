/*
 * sys_parse: the pure parsers behind the infiniband, bcache and btrfs node
 * collectors (sysfs attributes), and the directory listing they share.
 *
 * The parsers take the text of one attribute as a NUL-terminated string
 * and touch no file, so the unit tests and the fuzzer call them directly.
 * They return 0, or -EINVAL for text node_exporter 1.5 (over the Go procfs
 * library) refuses.
 */
#ifndef EXPORTERBOX_SYS_PARSE_H
#define EXPORTERBOX_SYS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Lists the entries of dir (not "." and ".."), sorted bytewise as Go's
 * os.ReadDir sorts them; regular_only keeps regular files (no symlinks,
 * as fs.DirEntry.Type().IsRegular()). Returns the count, or a negative
 * errno when dir cannot be opened; free *names with fs_names_free().
 */
int sys_list_dir(const char *dir, bool regular_only, char ***names);

/* ---- infiniband.c ---------------------------------------------------------- */

/* A port's state or phys_state file, "<id>: <NAME>\n" -> id (32 bits). */
int ib_parse_state(const char *text, uint64_t *id);

/*
 * A port's rate file, "40 Gb/sec (4X QDR)\n" -> bytes per second: the first
 * word (up to the first blank, which must be there) read as a 32-bit
 * float, times 125000000, truncated, as upstream computes it.
 */
int ib_parse_rate(const char *text, uint64_t *bytes_per_second);

/* ---- bcache.c -------------------------------------------------------------- */

/*
 * Go's uint64(f) on amd64, which the bcache values go through: values at
 * or past 2^63 keep the top bit set, negative ones wrap, NaN and values
 * out of range give 2^63.
 */
uint64_t go_float_to_uint64(double f);

/*
 * bcache's bch_hprint numbers ("1.5k", "20.4G", "512"), as procfs's
 * dehumanize reads them: a last byte past '9' is a multiplier (k, M, G,
 * T, P, E, Z, Y: powers of 1024; any other byte multiplies by 0) and the
 * rest is "<int>[.<frac>]" with frac/10.24 added; otherwise the whole text
 * is a Go float. The n bytes at s; -EINVAL on an empty or bad number.
 */
int bcache_dehumanize(const char *s, size_t n, uint64_t *out);
/* The same with an optional leading '-' (the controller terms). */
int bcache_dehumanize_signed(const char *s, size_t n, int64_t *out);

/* A backing device's writeback_rate_debug, as upstream reads it. */
struct bcache_writeback {
	uint64_t rate, dirty, target;
	int64_t proportional, integral, change, next_io;
};

/*
 * Parses writeback_rate_debug: lines starting "rate:", "dirty:",
 * "target:", "proportional:", "integral:", "change:" (values are the last
 * word, "/sec" dropped) and "next io:" (milliseconds); other lines are
 * ignored, absent ones are 0.
 */
int bcache_parse_writeback(const char *text, struct bcache_writeback *out);

/* Parses priority_stats' "Unused:" and "Metadata:" percentages. */
int bcache_parse_priority(const char *text, uint64_t *unused,
			  uint64_t *metadata);

#endif
