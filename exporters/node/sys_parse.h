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

#endif
