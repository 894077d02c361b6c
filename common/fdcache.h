/*
 * fdcache: descriptors of /proc and /sys files kept open across scrapes and
 * read again with pread from offset 0 (see fdcache.c for why and when).
 * fs_read_file() uses it; collectors need not know.
 */
#ifndef EXPORTERBOX_FDCACHE_H
#define EXPORTERBOX_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>

struct fd_entry;

/*
 * The kept descriptor for path, held until fdcache_give(); NULL when none
 * is kept or another reader holds it (then open the path yourself).
 */
struct fd_entry *fdcache_take(const char *path);
int fdcache_fd(const struct fd_entry *e);
/* Lets go of e; failed drops it (the next read opens the path again). */
void fdcache_give(struct fd_entry *e, bool failed);

/*
 * Keeps fd, just opened and read from path, if it is on procfs or sysfs.
 * True when the cache took it (and will close it); false: the caller closes.
 */
bool fdcache_keep(const char *path, int fd);

/* Descriptors kept now. */
size_t fdcache_count(void);
/* Closes every kept descriptor (those being read, once read); off keeps no more. */
void fdcache_clear(bool off);

#endif
