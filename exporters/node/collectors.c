#include "node.h"

/* One line per collector, sorted by name (a unit test checks the order). */
const struct collector *const node_collectors[] = {
	&cpu_collector,
	&filesystem_collector,
	&loadavg_collector,
	&meminfo_collector,
	&stat_collector,
	&textfile_collector,
	&time_collector,
	&uname_collector,
};

const size_t node_collectors_count =
	sizeof(node_collectors) / sizeof(node_collectors[0]);
