/*
 * netclass: what the netclass collector's two readers share: the device
 * record both fill (netclass.c from /sys/class/net, netclass_netlink.c from
 * RTM_GETLINK and ethtool's netlink family with --collector.netclass.netlink)
 * and the one writer, so the families are written the same way.
 */
#ifndef EXPORTERBOX_NETCLASS_H
#define EXPORTERBOX_NETCLASS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expo.h"

/* The numeric attributes, in the order of their families' names. */
enum nc_num {
	NC_ADDR_ASSIGN_TYPE, NC_CARRIER, NC_CARRIER_CHANGES, NC_CARRIER_DOWN,
	NC_CARRIER_UP, NC_DEV_ID, NC_DORMANT, NC_FLAGS, NC_IFINDEX, NC_IFLINK,
	NC_LINK_MODE, NC_MTU, NC_NAME_ASSIGN_TYPE, NC_NETDEV_GROUP, NC_TYPE,
	NC_SPEED, NC_TX_QUEUE_LEN,
	NC_ADDR_LEN,		/* parsed (a bad one fails), never exposed */
	NC_NNUM,
};

/* The string attributes; the last three are read only for their errors. */
enum nc_str {
	NC_ADDRESS, NC_BROADCAST, NC_DUPLEX, NC_IFALIAS, NC_OPERSTATE,
	NC_PHYS_PORT_ID, NC_PHYS_PORT_NAME, NC_PHYS_SWITCH_ID,
	NC_NSTR,
};

/* Upstream reads each sysfs attribute with one read(2) of this many bytes. */
#define NC_ATTR_READ_MAX 128

struct nc_iface {
	char *name;
	bool have[NC_NNUM];
	int64_t num[NC_NNUM];
	char *str[NC_NSTR];		/* NULL when unread: the label is "" */
};

void netclass_iface_release(struct nc_iface *nc);

/*
 * Reads the devices over netlink (names the ignore pattern matches left
 * out), sorted by name, as node_exporter 1.5's netlink mode sees them.
 * Returns how many are in *out (release each, then free the array), or a
 * negative errno.
 */
long netclass_netlink_read(const regex_t *ignored, struct nc_iface **out);

/*
 * The attributes RTM_GETLINK gives just as /sys/class/net shows them, for
 * every device in this network namespace, sorted by name: the others
 * (address_assign_type, dev_id, flags, name_assign_type, speed, duplex,
 * and the phys_* ones, read only for their errors) are left out, and
 * carrier and dormant are there even when the device is down (sysfs has
 * them only while it is up). Returns how many are in *out, or a negative errno.
 */
long netclass_netlink_sysfs_view(struct nc_iface **out);

/* How many devices' attribute files the collector with this state keeps. */
size_t netclass_kept_devices(const void *state);

/*
 * Writes the families of the n devices in name order. With netlink set,
 * node_network_info has the HELP of upstream's netlink mode.
 */
void netclass_write(struct expo *w, const struct nc_iface *v, size_t n,
		    bool ignore_invalid, bool netlink);

#endif
