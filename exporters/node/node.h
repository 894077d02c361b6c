/*
 * node-exporter: configuration shared by the node collectors, and the
 * collector table. Each collector lives in its own file and reads its files
 * under the roots below, so tests point it at tests/fixtures/node.
 */
#ifndef EXPORTERBOX_NODE_H
#define EXPORTERBOX_NODE_H

#include "collector.h"

struct node_config {
	const char *procfs;			/* --path.procfs, default /proc */
	const char *sysfs;			/* --path.sysfs, default /sys */
	const char *rootfs;			/* --path.rootfs, default / */
	const char *fs_mount_points_exclude;	/* RE2 pattern */
	const char *fs_types_exclude;		/* RE2 pattern */
	double fs_mount_timeout;		/* seconds a statfs may take */
	const char *textfile_directory;		/* "" = none */
};

/* Every node collector, sorted by name; the only list of them. */
extern const struct collector *const node_collectors[];
extern const size_t node_collectors_count;

extern const struct collector cpu_collector;
extern const struct collector filesystem_collector;
extern const struct collector loadavg_collector;
extern const struct collector meminfo_collector;
extern const struct collector stat_collector;
extern const struct collector textfile_collector;
extern const struct collector time_collector;
extern const struct collector uname_collector;

int node_main(int argc, char **argv);

#endif
