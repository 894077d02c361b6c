/*
 * fsutil: reading the small files of /proc and /sys, and the path roots
 * (--path.procfs, --path.sysfs, --path.rootfs) that make collectors testable
 * against fixture trees.
 */
#ifndef EXPORTERBOX_FSUTIL_H
#define EXPORTERBOX_FSUTIL_H

#include <stddef.h>

#include "buf.h"

/* Largest file read whole; /proc files are far smaller. */
#define FS_READ_MAX (16u << 20)

/*
 * Reads the whole file at path into out (replacing its contents; always
 * NUL-terminated). Returns 0, or a negative errno (-EFBIG past max bytes).
 */
int fs_read_file(const char *path, struct buf *out, size_t max);

/*
 * The same from an open descriptor, read from offset 0 with pread (its own
 * offset is left alone), so a descriptor kept by its caller reads afresh.
 */
int fs_read_fd(int fd, struct buf *out, size_t max);

/*
 * Joins root and a relative path into out: fs_join(&p, "/host/proc", "loadavg")
 * gives "/host/proc/loadavg". Returns buf_cstr(out).
 */
const char *fs_join(struct buf *out, const char *root, const char *rel);

/* Reads a one-line sysfs attribute, trailing newline removed. */
int fs_read_line(const char *path, struct buf *out);

/*
 * Lists the entries of dir that glob "PREFIX[0-9]*" matches ("cpu0",
 * "clocksource1", ...), sorted as glob sorts them (bytewise). *names gets
 * an array of strdup'ed names: free both with fs_names_free(). A missing
 * directory lists nothing.
 */
size_t fs_list_numbered(const char *dir, const char *prefix, char ***names);
void fs_names_free(char **names, size_t n);

#endif
