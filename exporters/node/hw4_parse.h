/*
 * hw4_parse: the pure parsers behind the ipvs and hwmon node collectors.
 *
 * Each takes the text of one file as a NUL-terminated string and fills a
 * plain struct; none touches the file system, so the unit tests and the
 * fuzzer call them directly. They return 0, or -EINVAL for text that
 * node_exporter 1.5 (over the Go procfs library) refuses.
 */
#ifndef EXPORTERBOX_HW4_PARSE_H
#define EXPORTERBOX_HW4_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* ---- ipvs.c: /proc/net/ip_vs_stats and /proc/net/ip_vs ----------------- */

struct ipvs_stats {
	uint64_t connections;
	uint64_t incoming_packets;
	uint64_t outgoing_packets;
	uint64_t incoming_bytes;
	uint64_t outgoing_bytes;
};

/*
 * Parses ip_vs_stats: the third line holds the five totals in hex. Needs
 * at least three newlines, as upstream does.
 */
int ipvs_parse_stats(const char *text, struct ipvs_stats *out);

/* The backend labels, in the order node_exporter prints them (by name). */
enum ipvs_label {
	IPVS_LOCAL_ADDRESS, IPVS_LOCAL_MARK, IPVS_LOCAL_PORT, IPVS_PROTO,
	IPVS_REMOTE_ADDRESS, IPVS_REMOTE_PORT, IPVS_NLABELS,
};

/* The label names, indexed by enum ipvs_label. */
extern const char *const ipvs_label_names[IPVS_NLABELS];

struct ipvs_backend {
	size_t value[IPVS_NLABELS];	/* where each label value starts in strs */
	uint64_t active, inactive, weight;
};

struct ipvs_backends {
	struct buf strs;		/* label values, NUL-separated */
	struct ipvs_backend *v;
	size_t n, cap;
};

#define IPVS_BACKENDS_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses /proc/net/ip_vs into one entry per "->" line, its label values
 * spelled as node_exporter prints them: addresses as Go's net.IP prints
 * them ("2620::1", IPv4-mapped as dotted quads, "" for a fwmark service),
 * ports in decimal, proto "TCP", "UDP" or "FWM", the mark as written.
 * Free with ipvs_backends_release().
 */
int ipvs_parse_backends(const char *text, struct ipvs_backends *out);
const char *ipvs_backend_value(const struct ipvs_backends *b, size_t i,
			       enum ipvs_label l);
void ipvs_backends_release(struct ipvs_backends *b);

/*
 * Parses --collector.ipvs.backend-labels (comma-separated; empty items
 * ignored) into a bit mask over enum ipvs_label. -EINVAL on an unknown
 * name, as upstream refuses to start the collector.
 */
int ipvs_parse_label_list(const char *list, unsigned *mask);

/* ---- hwmon.c: /sys/class/hwmon ------------------------------------------ */

/*
 * Appends name cleaned as node_exporter's cleanMetricName does: lower
 * case, every character (UTF-8 sequence, or stray byte) outside
 * [a-z0-9:_] replaced by '_', then '_' trimmed from both ends. Returns
 * buf_cstr(out), out having been emptied first.
 */
const char *hwmon_clean_name(const char *name, size_t n, struct buf *out);

/* A sensor attribute file name split as <type><num>_<property>. */
struct hwmon_file {
	size_t type_len;	/* the type is name[0, type_len) */
	uint64_t num;		/* 0 when there are no digits */
	const char *prop;	/* after the '_'; "" when there is none */
};

/*
 * Splits a file name as upstream's ^([^0-9]+)([0-9]*)?(_(.+))?$ does,
 * backtracking included ("temp_1x" is type "temp", property "1x"). False
 * when it does not match or the number does not fit an int64.
 */
bool hwmon_split_filename(const char *name, struct hwmon_file *f);

/*
 * Parses the n bytes at s as Go's strconv.ParseFloat(s, 64) accepts them
 * (decimal, hex with a p exponent, inf/infinity/nan); false on anything
 * else and on overflow.
 */
bool hwmon_parse_float(const char *s, size_t n, double *out);

#endif
