/*
 * device_filter: the device include/exclude patterns of the node collectors
 * (arp, diskstats, netdev), as upstream's
 * deviceFilter: a device is ignored when an exclude pattern is set and
 * matches it, or an include pattern is set and does not; and the one-pattern
 * ignored-devices flags of netclass, tapestats and powersupplyclass.
 */
#ifndef EXPORTERBOX_DEVICE_FILTER_H
#define EXPORTERBOX_DEVICE_FILTER_H

#include <stdbool.h>

#include "regex.h"

struct device_filter {
	regex_t include, exclude;
	bool has_include, has_exclude;
};

/*
 * Compiles the patterns; NULL or "" means not set. flag_prefix names the
 * flags in the log line ("collector.netdev"). Returns 0 or -EINVAL (logged);
 * on error the filter holds nothing to release.
 */
int device_filter_init(struct device_filter *f, const char *include,
		       const char *exclude, const char *flag_prefix);
/*
 * Compiles one device pattern of a collector (an ignored-devices flag):
 * NULL or "" leaves *has false. flag names it in the log line
 * ("collector.tapestats.ignored-devices"). Returns 0 or -EINVAL (logged);
 * *has says whether re must be released with regfree.
 */
int device_pattern_compile(regex_t *re, bool *has, const char *pattern, const char *flag);
bool device_filter_ignored(const struct device_filter *f, const char *device);
void device_filter_release(struct device_filter *f);

#endif
