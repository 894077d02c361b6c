/*
 * zfs_parse: the parsers behind the zfs node collector, for the kstat files
 * of /proc/spl/kstat/zfs (arcstats, zfetchstats, ..., <pool>/io,
 * <pool>/objset-*, <pool>/state).
 *
 * Pure: each takes a file's text as a NUL-terminated string and hands the
 * values it finds to a callback, accepting and refusing what node_exporter
 * 1.5 does. They return 0 or -EINVAL.
 */
#ifndef EXPORTERBOX_ZFS_PARSE_H
#define EXPORTERBOX_ZFS_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * One value: its kstat name (name_len bytes at name, not NUL-terminated),
 * and for objset files the dataset named so far (NULL before any).
 */
typedef void (*zfs_value_fn)(void *arg, const char *name, size_t name_len,
			     const char *dataset, uint64_t value);

/*
 * A named kstat file: after the "name type data" header, every row of
 * three or more words whose type is 4 (KSTAT_DATA_UINT64) is a value,
 * which must be a decimal uint64. With objset set, a "dataset_name" row
 * names the dataset of the rows after it. -EINVAL without a header.
 */
int zfs_parse_kstat(const char *text, int objset, zfs_value_fn fn, void *arg);

/*
 * A pool's io file: a header row of 12 or more words starting "nread",
 * then rows of as many decimal uint64 values, one per header word (the
 * names). Rows before the header are skipped; none at all is no error.
 */
int zfs_parse_pool_io(const char *text, zfs_value_fn fn, void *arg);

/* A pool's state file: its first line, lowercased, into out. */
void zfs_parse_pool_state(const char *text, char *out, size_t size);

#endif
