/*
 * process: the exporter's own metrics, as the Go client library has them:
 * process_* (CPU, memory, file descriptors, start time) and
 * <exporter>_build_info.
 */
#ifndef EXPORTERBOX_PROCESS_H
#define EXPORTERBOX_PROCESS_H

#include "buf.h"
#include "expo.h"

/* Writes process_* and <exporter_name>_build_info families. */
void process_metrics_write(struct expo *w, const char *exporter_name);

/* The Go-style architecture name of this build ("amd64", ...). */
const char *process_build_arch(void);

/*
 * Parses /proc/self/stat's content: start time in clock ticks after boot.
 * Returns 0 or -1 (exposed for tests; the command name may hold spaces and
 * parentheses).
 */
int process_parse_starttime(const char *stat, unsigned long long *ticks);

#endif
