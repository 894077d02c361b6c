#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "flags.h"
#include "http.h"
#include "log.h"
#include "node.h"
#include "regex.h"

/* node_exporter 1.5.0's defaults (Debian's package patches the first). */
#define DEFAULT_MOUNT_POINTS_EXCLUDE \
	"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define DEFAULT_FS_TYPES_EXCLUDE \
	"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|" \
	"hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|" \
	"securityfs|selinuxfs|squashfs|sysfs|tracefs)$"
#define DEFAULT_DISKSTATS_EXCLUDE "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"
#define DEFAULT_NETSTAT_FIELDS \
	"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|" \
	"Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|" \
	"TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|" \
	"RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|" \
	"RcvbufErrors|SndbufErrors))$"
#define DEFAULT_VMSTAT_FIELDS "^(oom_kill|pgpg|pswp|pg.*fault).*"

struct node_flags {
	struct node_config cfg;
	struct http_config web;
	bool disable_defaults;
	bool *enabled;			/* one per node_collectors[] entry */
	struct buf *names;		/* "collector.NAME" flag names */
};

static void add_node_flags(struct flagset *fs, struct node_flags *nf)
{
	struct node_config *c = &nf->cfg;
	const struct flag flags[] = {
		{ "path.procfs", FLAG_STRING, &c->procfs, "/proc", NULL, "procfs mountpoint." },
		{ "path.sysfs", FLAG_STRING, &c->sysfs, "/sys", NULL, "sysfs mountpoint." },
		{ "path.rootfs", FLAG_STRING, &c->rootfs, "/", NULL, "rootfs mountpoint." },
		{ "collector.filesystem.mount-points-exclude", FLAG_STRING,
		  &c->fs_mount_points_exclude, DEFAULT_MOUNT_POINTS_EXCLUDE, NULL,
		  "Regexp of mount points to exclude for filesystem collector." },
		{ "collector.filesystem.fs-types-exclude", FLAG_STRING, &c->fs_types_exclude,
		  DEFAULT_FS_TYPES_EXCLUDE, NULL,
		  "Regexp of filesystem types to exclude for filesystem collector." },
		{ "collector.filesystem.mount-timeout", FLAG_DURATION, &c->fs_mount_timeout,
		  "5s", NULL,
		  "How long to wait for a mount to respond before marking it as stale." },
		{ "collector.textfile.directory", FLAG_STRING, &c->textfile_directory, "", NULL,
		  "Directory to read text files with metrics from." },
		{ "path.udev.data", FLAG_STRING, &c->udev_data, "/run/udev/data", NULL,
		  "udev data path." },
		{ "collector.arp.device-include", FLAG_STRING, &c->arp_device_include, "", NULL,
		  "Regexp of arp devices to include (mutually exclusive to device-exclude)." },
		{ "collector.arp.device-exclude", FLAG_STRING, &c->arp_device_exclude, "", NULL,
		  "Regexp of arp devices to exclude (mutually exclusive to device-include)." },
		{ "collector.diskstats.device-exclude", FLAG_STRING, &c->diskstats_device_exclude,
		  DEFAULT_DISKSTATS_EXCLUDE, NULL,
		  "Regexp of diskstats devices to exclude (mutually exclusive to device-include)." },
		{ "collector.diskstats.device-include", FLAG_STRING, &c->diskstats_device_include,
		  "", NULL,
		  "Regexp of diskstats devices to include (mutually exclusive to device-exclude)." },
		{ "collector.netclass.ignored-devices", FLAG_STRING, &c->netclass_ignored_devices,
		  "^$", NULL, "Regexp of net devices to ignore for netclass collector." },
		{ "collector.netclass.ignore-invalid-speed", FLAG_BOOL,
		  &c->netclass_ignore_invalid_speed, "false", NULL,
		  "Ignore devices where the speed is invalid. This will be the default behavior in 2.x." },
		{ "collector.netdev.device-include", FLAG_STRING, &c->netdev_device_include, "", NULL,
		  "Regexp of net devices to include (mutually exclusive to device-exclude)." },
		{ "collector.netdev.device-exclude", FLAG_STRING, &c->netdev_device_exclude, "", NULL,
		  "Regexp of net devices to exclude (mutually exclusive to device-include)." },
		{ "collector.netdev.address-info", FLAG_BOOL, &c->netdev_address_info, "false", NULL,
		  "Collect address-info for every device" },
		{ "collector.netdev.enable-detailed-metrics", FLAG_BOOL, &c->netdev_detailed,
		  "false", NULL,
		  "Use (incompatible) metric names that provide more detailed stats on Linux" },
		{ "collector.netstat.fields", FLAG_STRING, &c->netstat_fields,
		  DEFAULT_NETSTAT_FIELDS, NULL, "Regexp of fields to return for netstat collector." },
		{ "collector.vmstat.fields", FLAG_STRING, &c->vmstat_fields, DEFAULT_VMSTAT_FIELDS,
		  NULL, "Regexp of fields to return for vmstat collector." },
		{ "collector.powersupply.ignored-supplies", FLAG_STRING, &c->powersupply_ignored,
		  "^$", NULL, "Regexp of power supplies to ignore for powersupplyclass collector." },
		{ "collector.tapestats.ignored-devices", FLAG_STRING, &c->tapestats_ignored, "^$",
		  NULL, "Regexp of devices to ignore for tapestats." },
		{ "collector.rapl.enable-zone-label", FLAG_BOOL, &c->rapl_zone_label, "false", NULL,
		  "Adds a zone label (package-0, core, ...) to the rapl metrics." },
		{ "collector.ipvs.backend-labels", FLAG_STRING, &c->ipvs_backend_labels,
		  "local_address,local_port,remote_address,remote_port,proto,local_mark", NULL,
		  "Comma separated list for IPVS backend stats labels." },
		{ "collector.cpu.info", FLAG_BOOL, &c->cpu_info, "false", NULL,
		  "Enables metric cpu_info" },
		{ "collector.cpu.info.flags-include", FLAG_STRING, &c->cpu_info_flags_include,
		  "", NULL,
		  "Filter the `flags` field in cpuInfo with a value that must be a regular expression" },
		{ "collector.cpu.info.bugs-include", FLAG_STRING, &c->cpu_info_bugs_include,
		  "", NULL,
		  "Filter the `bugs` field in cpuInfo with a value that must be a regular expression" },
		{ "collector.stat.softirq", FLAG_BOOL, &c->stat_softirq, "false", NULL,
		  "Export softirq calls per vector" },
		{ "collector.filesystem.stat-workers", FLAG_INT, &c->fs_stat_workers, "4", NULL,
		  "Maximum number of concurrent stat calls." },
		{ "collector.netclass.netlink", FLAG_BOOL, &c->netclass_netlink, "false", NULL,
		  "Use netlink to gather stats instead of /proc/net/dev." },
		{ "collector.bcache.priorityStats", FLAG_BOOL, &c->bcache_priority_stats,
		  "false", NULL, "Expose expensive priority stats." },
		{ "collector.disable-defaults", FLAG_BOOL, &nf->disable_defaults, "false", NULL,
		  "Set all collectors to disabled by default." },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
	http_add_flags(fs, &nf->web, ":9100", NULL);
}

/* --collector.NAME / --no-collector.NAME, one per table entry. */
static void add_collector_flags(struct flagset *fs, struct node_flags *nf)
{
	for (size_t i = 0; i < node_collectors_count; i++) {
		const struct collector *c = node_collectors[i];
		struct buf *name = &nf->names[2 * i], *help = &nf->names[2 * i + 1];
		buf_addf(name, "collector.%s", c->name);
		buf_addf(help, "Enable the %s collector (default: %s).", c->name,
			 c->enabled_by_default ? "enabled" : "disabled");
		const struct flag f = {
			buf_cstr(name), FLAG_BOOL, &nf->enabled[i],
			c->enabled_by_default ? "true" : "false", NULL, buf_cstr(help),
		};
		flagset_add(fs, &f);
	}
}

struct pattern_flag {
	const char *flag;
	const char *pattern;
};

/* Bad patterns are a start-up error (exit 2), not a failing collector. */
static int check_patterns(const struct pattern_flag *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf err = BUF_INIT;
		regex_t re;
		if (re_compile(&re, p[i].pattern, &err) != 0) {
			fprintf(stderr, "node-exporter: invalid --%s: %s\n", p[i].flag,
				buf_cstr(&err));
			buf_release(&err);
			return -1;
		}
		regfree(&re);
		buf_release(&err);
	}
	return 0;
}

/* Include and exclude of one collector are mutually exclusive, as upstream. */
static int check_exclusive(const char *collector, const char *include,
			   const char *exclude)
{
	if (!include[0] || !exclude[0])
		return 0;
	fprintf(stderr, "node-exporter: --collector.%s.device-include and "
		"--collector.%s.device-exclude are mutually exclusive\n",
		collector, collector);
	return -1;
}

static int check_config(const struct node_config *c)
{
	const struct pattern_flag patterns[] = {
		{ "collector.filesystem.mount-points-exclude", c->fs_mount_points_exclude },
		{ "collector.filesystem.fs-types-exclude", c->fs_types_exclude },
		{ "collector.arp.device-include", c->arp_device_include },
		{ "collector.arp.device-exclude", c->arp_device_exclude },
		{ "collector.diskstats.device-include", c->diskstats_device_include },
		{ "collector.diskstats.device-exclude", c->diskstats_device_exclude },
		{ "collector.netclass.ignored-devices", c->netclass_ignored_devices },
		{ "collector.netdev.device-include", c->netdev_device_include },
		{ "collector.netdev.device-exclude", c->netdev_device_exclude },
		{ "collector.netstat.fields", c->netstat_fields },
		{ "collector.vmstat.fields", c->vmstat_fields },
		{ "collector.powersupply.ignored-supplies", c->powersupply_ignored },
		{ "collector.tapestats.ignored-devices", c->tapestats_ignored },
		{ "collector.cpu.info.flags-include", c->cpu_info_flags_include },
		{ "collector.cpu.info.bugs-include", c->cpu_info_bugs_include },
	};

	if (check_patterns(patterns, sizeof(patterns) / sizeof(patterns[0])))
		return -1;
	if (c->fs_stat_workers < 1) {
		fprintf(stderr, "node-exporter: --collector.filesystem.stat-workers must be at least 1\n");
		return -1;
	}
	if (check_exclusive("arp", c->arp_device_include, c->arp_device_exclude) ||
	    check_exclusive("netdev", c->netdev_device_include, c->netdev_device_exclude))
		return -1;
	return 0;
}

/*
 * An include pattern given alone replaces diskstats' default exclude: what
 * the user means (upstream 1.5 panics, both being set). Both given is a
 * start-up error.
 */
static int resolve_diskstats_filter(const struct flagset *fs, struct node_config *c)
{
	if (!c->diskstats_device_include[0])
		return 0;
	if (!flagset_given(fs, "collector.diskstats.device-exclude")) {
		c->diskstats_device_exclude = "";
		return 0;
	}
	return check_exclusive("diskstats", c->diskstats_device_include,
			       c->diskstats_device_exclude);
}

/* Applies --collector.disable-defaults to the flags not given explicitly. */
static void resolve_enabled(const struct flagset *fs, struct node_flags *nf)
{
	if (!nf->disable_defaults)
		return;
	for (size_t i = 0; i < node_collectors_count; i++)
		if (!flagset_given(fs, buf_cstr(&nf->names[2 * i])))
			nf->enabled[i] = false;
}

/* After init: a collector whose init failed is already off. */
static void log_enabled_collectors(const struct scraper *scraper)
{
	struct buf list = BUF_INIT;

	for (size_t i = 0; i < scraper->nslots; i++)
		if (scraper->slots[i].enabled)
			buf_addf(&list, "%s%s", list.len ? "," : "",
				 scraper->slots[i].c->name);
	log_info("enabled collectors", "collectors", buf_cstr(&list));
	buf_release(&list);
}

static int serve(struct node_flags *nf)
{
	struct scraper scraper;

	/* One malloc arena: glibc would give each worker thread its own, each
	 * keeping its high-water mark resident (~350 KiB here), for
	 * allocations that are small and brief, where sharing costs little. */
	mallopt(M_ARENA_MAX, 1);

	if (scraper_init(&scraper, "node", "node_exporter", &nf->cfg, node_collectors,
			 nf->enabled, node_collectors_count) != 0)
		return 1;
	scraper.exporter_metrics = !nf->web.disable_exporter_metrics;
	log_enabled_collectors(&scraper);
	const struct http_server_options opt = {
		.applet = "node-exporter",
		.title = "Node Exporter",
		.cfg = &nf->web,
		.scraper = &scraper,
	};
	int code = http_serve_until_signal(&opt);
	scraper_release(&scraper);
	return code;
}

int node_main(int argc, char **argv)
{
	struct node_flags nf = { 0 };
	struct flagset fs;
	int code;

	nf.enabled = calloc(node_collectors_count, sizeof(bool));
	nf.names = calloc(2 * node_collectors_count, sizeof(struct buf));
	if (!nf.enabled || !nf.names)
		abort();
	flagset_init(&fs, "node-exporter",
		     "Linux host metrics from /proc and /sys, a drop-in for node_exporter.");
	add_node_flags(&fs, &nf);
	add_collector_flags(&fs, &nf);
	code = http_parse_flags(&fs, &nf.web, argc, argv);
	if (code < 0 && (resolve_diskstats_filter(&fs, &nf.cfg) != 0 ||
			 check_config(&nf.cfg) != 0))
		code = 2;
	if (code < 0) {
		resolve_enabled(&fs, &nf);
		log_info("starting node-exporter", "version", EXPORTERBOX_VERSION);
		code = serve(&nf);
	}
	flagset_release(&fs);
	for (size_t i = 0; i < 2 * node_collectors_count; i++)
		buf_release(&nf.names[i]);
	free(nf.names);
	free(nf.enabled);
	return code;
}
