#include "node.h"

/* One line per collector, sorted by name (a unit test checks the order). */
const struct collector *const node_collectors[] = {
	&arp_collector,
	&conntrack_collector,
	&cpu_collector,
	&diskstats_collector,
	&entropy_collector,
	&filefd_collector,
	&filesystem_collector,
	&loadavg_collector,
	&meminfo_collector,
	&netclass_collector,
	&netdev_collector,
	&netstat_collector,
	&os_collector,
	&pressure_collector,
	&selinux_collector,
	&sockstat_collector,
	&softnet_collector,
	&stat_collector,
	&textfile_collector,
	&time_collector,
	&timex_collector,
	&udp_queues_collector,
	&uname_collector,
	&vmstat_collector,
};

const size_t node_collectors_count =
	sizeof(node_collectors) / sizeof(node_collectors[0]);
