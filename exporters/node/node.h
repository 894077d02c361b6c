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
	const char *udev_data;			/* --path.udev.data */
	/* Device filters: RE2 patterns, "" = not set; include and exclude
	 * of one collector are mutually exclusive (checked at start-up). */
	const char *arp_device_include, *arp_device_exclude;
	const char *diskstats_device_include, *diskstats_device_exclude;
	const char *netdev_device_include, *netdev_device_exclude;
	const char *netclass_ignored_devices;
	bool netclass_ignore_invalid_speed;
	bool netdev_address_info;		/* node_network_address_info */
	bool netdev_detailed;			/* --collector.netdev.enable-detailed-metrics */
	const char *netstat_fields;		/* RE2: which netstat fields */
	const char *vmstat_fields;		/* RE2: which vmstat fields */
	const char *powersupply_ignored;	/* RE2: power supplies to skip */
	const char *tapestats_ignored;		/* RE2: tape devices to skip */
	bool rapl_zone_label;			/* --collector.rapl.enable-zone-label */
	const char *ipvs_backend_labels;	/* comma-separated label names */
	bool bcache_priority_stats;		/* --collector.bcache.priorityStats */
	bool cpu_info;				/* --collector.cpu.info */
	const char *cpu_info_flags_include;	/* RE2, "" = none (implies cpu_info) */
	const char *cpu_info_bugs_include;	/* RE2, "" = none (implies cpu_info) */
	bool stat_softirq;			/* --collector.stat.softirq */
	long fs_stat_workers;			/* concurrent remote statfs calls */
	bool netclass_netlink;			/* netclass over netlink, not sysfs */
	/* netclass reads every attribute from sysfs, none over netlink
	 * (tests: the shortcut must give the same) */
	bool netclass_sysfs_only;
};

/* Every node collector, sorted by name; the only list of them. */
extern const struct collector *const node_collectors[];
extern const size_t node_collectors_count;

extern const struct collector arp_collector;
extern const struct collector bcache_collector;
extern const struct collector bonding_collector;
extern const struct collector btrfs_collector;
extern const struct collector conntrack_collector;
extern const struct collector cpu_collector;
extern const struct collector cpufreq_collector;
extern const struct collector diskstats_collector;
extern const struct collector dmi_collector;
extern const struct collector edac_collector;
extern const struct collector entropy_collector;
extern const struct collector fibrechannel_collector;
extern const struct collector filefd_collector;
extern const struct collector filesystem_collector;
extern const struct collector hwmon_collector;
extern const struct collector infiniband_collector;
extern const struct collector ipvs_collector;
extern const struct collector loadavg_collector;
extern const struct collector mdadm_collector;
extern const struct collector meminfo_collector;
extern const struct collector netclass_collector;
extern const struct collector netdev_collector;
extern const struct collector netstat_collector;
extern const struct collector nfs_collector;
extern const struct collector nfsd_collector;
extern const struct collector nvme_collector;
extern const struct collector os_collector;
extern const struct collector powersupplyclass_collector;
extern const struct collector pressure_collector;
extern const struct collector rapl_collector;
extern const struct collector schedstat_collector;
extern const struct collector selinux_collector;
extern const struct collector sockstat_collector;
extern const struct collector softnet_collector;
extern const struct collector stat_collector;
extern const struct collector tapestats_collector;
extern const struct collector textfile_collector;
extern const struct collector thermal_zone_collector;
extern const struct collector time_collector;
extern const struct collector timex_collector;
extern const struct collector udp_queues_collector;
extern const struct collector uname_collector;
extern const struct collector vmstat_collector;
extern const struct collector xfs_collector;
extern const struct collector zfs_collector;

int node_main(int argc, char **argv);

#endif
