/*
 * infiniband: port state and counters of the InfiniBand devices under
 * /sys/class/infiniband, as node_exporter 1.5's infiniband collector
 * reports them (node_infiniband_*{device,port} and node_infiniband_info).
 *
 * Upstream (procfs 0.8) reads each device's fw_ver and board_id (hca_type
 * may be missing), and for every port its state, phys_state, rate and the
 * files of counters/ (and counters_ext/, the 64-bit counters of kernels
 * before 4.5). A file it needs that is missing makes the whole collector
 * report nothing (ErrNoData); a value it cannot read fails it, except the
 * "N/A (no PMA)" some drivers write, which is skipped. The data counters
 * count 32-bit words, so they are multiplied by 4 (wrapping, as Go's
 * uint64 arithmetic does).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "hw3_parse.h"
#include "node.h"
#include "sys_parse.h"

int ib_parse_state(const char *text, uint64_t *id)
{
	const char *colon = strchr(text, ':');
	const char *s;
	size_t n;
	char head[64];

	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	n = (size_t)(colon - text);
	if (n >= sizeof(head))
		return -EINVAL;
	memcpy(head, text, n);
	head[n] = '\0';
	n = hw3_trim(head, &s);
	return go_parse_uint(s, n, 10, 32, id) ? 0 : -EINVAL;
}

int ib_parse_rate(const char *text, uint64_t *bytes_per_second)
{
	const char *blank = strchr(text, ' ');
	const char *s;
	char head[64];
	double v;
	size_t n;

	if (!blank || (size_t)(blank - text) >= sizeof(head))
		return -EINVAL;
	memcpy(head, text, (size_t)(blank - text));
	head[blank - text] = '\0';
	n = hw3_trim(head, &s);
	if (!disk_parse_float(s, n, &v) || isinf((float)v) || v < 0)
		return -EINVAL;
	v = (double)(float)v * 125000000;
	if (v >= 18446744073709551616.0)
		return -EINVAL;
	*bytes_per_second = (uint64_t)v;
	return 0;
}

/* ---- the counter table ---------------------------------------------------- */

struct ib_counter {
	struct metric_desc desc;
	const char *file;	/* in counters/, or counters_ext/ when ext */
	bool ext;
	bool words;		/* counts 32-bit words: times 4 */
};

#define IB_LABELS LABELS("device", "port")
#define IB_COUNTER(name, help, file, ext, words) \
	{ { "node_infiniband_" name, help, METRIC_COUNTER, IB_LABELS }, \
	  file, ext, words }

/* Sorted by metric name: the order families are written in. */
static const struct ib_counter counters[] = {
	IB_COUNTER("excessive_buffer_overrun_errors_total",
		   "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.",
		   "excessive_buffer_overrun_errors", false, false),
	IB_COUNTER("legacy_data_received_bytes_total",
		   "Number of data octets received on all links",
		   "port_rcv_data_64", true, true),
	IB_COUNTER("legacy_data_transmitted_bytes_total",
		   "Number of data octets transmitted on all links",
		   "port_xmit_data_64", true, true),
	IB_COUNTER("legacy_multicast_packets_received_total",
		   "Number of multicast packets received",
		   "port_multicast_rcv_packets", true, false),
	IB_COUNTER("legacy_multicast_packets_transmitted_total",
		   "Number of multicast packets transmitted",
		   "port_multicast_xmit_packets", true, false),
	IB_COUNTER("legacy_packets_received_total",
		   "Number of data packets received on all links",
		   "port_rcv_packets_64", true, false),
	IB_COUNTER("legacy_packets_transmitted_total",
		   "Number of data packets received on all links",
		   "port_xmit_packets_64", true, false),
	IB_COUNTER("legacy_unicast_packets_received_total",
		   "Number of unicast packets received",
		   "port_unicast_rcv_packets", true, false),
	IB_COUNTER("legacy_unicast_packets_transmitted_total",
		   "Number of unicast packets transmitted",
		   "port_unicast_xmit_packets", true, false),
	IB_COUNTER("link_downed_total",
		   "Number of times the link failed to recover from an error state and went down",
		   "link_downed", false, false),
	IB_COUNTER("link_error_recovery_total",
		   "Number of times the link successfully recovered from an error state",
		   "link_error_recovery", false, false),
	IB_COUNTER("local_link_integrity_errors_total",
		   "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.",
		   "local_link_integrity_errors", false, false),
	IB_COUNTER("multicast_packets_received_total",
		   "Number of multicast packets received (including errors)",
		   "multicast_rcv_packets", false, false),
	IB_COUNTER("multicast_packets_transmitted_total",
		   "Number of multicast packets transmitted (including errors)",
		   "multicast_xmit_packets", false, false),
	IB_COUNTER("port_constraint_errors_received_total",
		   "Number of packets received on the switch physical port that are discarded",
		   "port_rcv_constraint_errors", false, false),
	IB_COUNTER("port_constraint_errors_transmitted_total",
		   "Number of packets not transmitted from the switch physical port",
		   "port_xmit_constraint_errors", false, false),
	IB_COUNTER("port_data_received_bytes_total",
		   "Number of data octets received on all links",
		   "port_rcv_data", false, true),
	IB_COUNTER("port_data_transmitted_bytes_total",
		   "Number of data octets transmitted on all links",
		   "port_xmit_data", false, true),
	IB_COUNTER("port_discards_received_total",
		   "Number of inbound packets discarded by the port because the port is down or congested",
		   "port_rcv_discards", false, false),
	IB_COUNTER("port_discards_transmitted_total",
		   "Number of outbound packets discarded by the port because the port is down or congested",
		   "port_xmit_discards", false, false),
	IB_COUNTER("port_errors_received_total",
		   "Number of packets containing an error that were received on this port",
		   "port_rcv_errors", false, false),
	IB_COUNTER("port_packets_received_total",
		   "Number of packets received on all VLs by this port (including errors)",
		   "port_rcv_packets", false, false),
	IB_COUNTER("port_packets_transmitted_total",
		   "Number of packets transmitted on all VLs from this port (including errors)",
		   "port_xmit_packets", false, false),
	IB_COUNTER("port_receive_remote_physical_errors_total",
		   "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.",
		   "port_rcv_remote_physical_errors", false, false),
	IB_COUNTER("port_receive_switch_relay_errors_total",
		   "Number of packets that could not be forwarded by the switch.",
		   "port_rcv_switch_relay_errors", false, false),
	IB_COUNTER("port_transmit_wait_total",
		   "Number of ticks during which the port had data to transmit but no data was sent during the entire tick",
		   "port_xmit_wait", false, false),
	IB_COUNTER("symbol_error_total",
		   "Number of minor link errors detected on one or more physical lanes.",
		   "symbol_error", false, false),
	IB_COUNTER("unicast_packets_received_total",
		   "Number of unicast packets received (including errors)",
		   "unicast_rcv_packets", false, false),
	IB_COUNTER("unicast_packets_transmitted_total",
		   "Number of unicast packets transmitted (including errors)",
		   "unicast_xmit_packets", false, false),
	IB_COUNTER("vl15_dropped_total",
		   "Number of incoming VL15 packets dropped due to resource limitations.",
		   "VL15_dropped", false, false),
};

#define IB_NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static const struct metric_desc info_desc = {
	"node_infiniband_info",
	"Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
	METRIC_GAUGE, LABELS("board_id", "device", "firmware_version", "hca_type")
};
static const struct metric_desc phys_state_desc = {
	"node_infiniband_physical_state_id",
	"Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
	METRIC_GAUGE, IB_LABELS
};
static const struct metric_desc rate_desc = {
	"node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate",
	METRIC_GAUGE, IB_LABELS
};
static const struct metric_desc state_desc = {
	"node_infiniband_state_id",
	"State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
	METRIC_GAUGE, IB_LABELS
};

/* ---- reading ---------------------------------------------------------------- */

struct ib_device {
	char *name, *board_id, *fw_ver, *hca_type;
};

struct ib_port {
	const char *device;	/* owned by its struct ib_device */
	char port[24];
	uint64_t state, phys_state, rate;
	uint64_t value[IB_NCOUNTERS];
	bool have[IB_NCOUNTERS];
};

struct ib_class {
	struct ib_device *dev;
	size_t ndev;
	struct ib_port *port;
	size_t nport, cap;
};

/* Reads dir/name whole (untrimmed), as os.ReadFile. */
static int read_raw(const char *dir, const char *name, struct buf *text)
{
	struct buf path = BUF_INIT;
	int rc = fs_read_file(fs_join(&path, dir, name), text, 4096);

	buf_release(&path);
	return rc;
}

/* Reads dir/name trimmed into a new string, as SysReadFile; NULL: "". */
static int read_attr(const char *dir, const char *name, bool optional,
		     char **out)
{
	struct buf text = BUF_INIT;
	const char *s;
	int rc = read_raw(dir, name, &text);
	size_t n;

	*out = NULL;
	if (rc == -ENOENT && optional)
		rc = 0;
	else if (!rc) {
		n = hw3_trim(buf_cstr(&text), &s);
		*out = strndup(s, n);
		if (!*out)
			abort();
	}
	buf_release(&text);
	return rc;
}

/* Reads the known counter files of dir (counters/ or counters_ext/). */
static int read_counters(const char *dir, bool ext, struct ib_port *p)
{
	char **names;
	int n = sys_list_dir(dir, true, &names);
	struct buf text = BUF_INIT;
	int rc = 0;

	if (n < 0)
		return ext && n == -ENOENT ? 0 : n;
	for (int i = 0; i < n && !rc; i++) {
		for (size_t c = 0; c < IB_NCOUNTERS; c++) {
			if (counters[c].ext != ext || strcmp(counters[c].file, names[i]))
				continue;
			int err = read_raw(dir, names[i], &text);
			if (err == -ENOENT || err == -EACCES || err == -EOPNOTSUPP ||
			    err == -EINVAL)
				break;
			if (!err && !hw3_parse_uint(buf_cstr(&text), 0, &p->value[c])) {
				if (counters[c].words)
					p->value[c] *= 4;
				p->have[c] = true;
			} else if (err || !strstr(buf_cstr(&text), "N/A (no PMA)")) {
				rc = err ? err : -EINVAL;
			}
			break;
		}
	}
	fs_names_free(names, (size_t)n);
	buf_release(&text);
	return rc;
}

static struct ib_port *add_port(struct ib_class *c)
{
	if (c->nport == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4;
		c->port = realloc(c->port, c->cap * sizeof(*c->port));
		if (!c->port)
			abort();
	}
	memset(&c->port[c->nport], 0, sizeof(*c->port));
	return &c->port[c->nport++];
}

static int read_port(const char *dir, struct ib_port *p)
{
	struct buf text = BUF_INIT, sub = BUF_INIT;
	int rc = read_raw(dir, "state", &text);

	if (!rc)
		rc = ib_parse_state(buf_cstr(&text), &p->state);
	if (!rc)
		rc = read_raw(dir, "phys_state", &text);
	if (!rc)
		rc = ib_parse_state(buf_cstr(&text), &p->phys_state);
	if (!rc)
		rc = read_raw(dir, "rate", &text);
	if (!rc)
		rc = ib_parse_rate(buf_cstr(&text), &p->rate);
	if (!rc)
		rc = read_counters(fs_join(&sub, dir, "counters"), false, p);
	if (!rc)
		rc = read_counters(fs_join(&sub, dir, "counters_ext"), true, p);
	buf_release(&sub);
	buf_release(&text);
	return rc;
}

static int read_ports(const char *devdir, const struct ib_device *d,
		      struct ib_class *c)
{
	struct buf dir = BUF_INIT, pdir = BUF_INIT;
	char **names;
	int n = sys_list_dir(fs_join(&dir, devdir, "ports"), false, &names);
	int rc = n < 0 ? n : 0;

	for (int i = 0; i < n && !rc; i++) {
		uint64_t num;
		struct ib_port *p;

		if (!go_parse_uint(names[i], strlen(names[i]), 10, 32, &num)) {
			rc = -EINVAL;
			break;
		}
		p = add_port(c);
		p->device = d->name;
		snprintf(p->port, sizeof(p->port), "%llu", (unsigned long long)num);
		rc = read_port(fs_join(&pdir, buf_cstr(&dir), names[i]), p);
	}
	if (n >= 0)
		fs_names_free(names, (size_t)n);
	buf_release(&pdir);
	buf_release(&dir);
	return rc;
}

static int read_device(const char *root, const char *name, struct ib_device *d,
		       struct ib_class *c)
{
	struct buf dir = BUF_INIT;
	int rc;

	d->name = strdup(name);
	if (!d->name)
		abort();
	fs_join(&dir, root, name);
	rc = read_attr(buf_cstr(&dir), "fw_ver", false, &d->fw_ver);
	if (!rc)
		rc = read_attr(buf_cstr(&dir), "board_id", false, &d->board_id);
	if (!rc)
		rc = read_attr(buf_cstr(&dir), "hca_type", true, &d->hca_type);
	if (!rc)
		rc = read_ports(buf_cstr(&dir), d, c);
	buf_release(&dir);
	return rc;
}

static void ib_class_release(struct ib_class *c)
{
	for (size_t i = 0; i < c->ndev; i++) {
		free(c->dev[i].name);
		free(c->dev[i].board_id);
		free(c->dev[i].fw_ver);
		free(c->dev[i].hca_type);
	}
	free(c->dev);
	free(c->port);
}

/* ---- writing ---------------------------------------------------------------- */

/* Samples sort by label values: device, then port as a string. */
static int port_cmp(const void *x, const void *y)
{
	const struct ib_port *a = x, *b = y;
	int c = strcmp(a->device, b->device);

	return c ? c : strcmp(a->port, b->port);
}

static void write_gauge(struct expo *w, const struct metric_desc *d,
			const struct ib_class *c, size_t offset)
{
	if (!c->nport)
		return;
	expo_family(w, d);
	for (size_t i = 0; i < c->nport; i++) {
		const uint64_t *v =
			(const uint64_t *)((const char *)&c->port[i] + offset);
		expo_sample(w, (double)*v, c->port[i].device, c->port[i].port);
	}
}

static void write_counter(struct expo *w, const struct ib_class *c, size_t k)
{
	bool any = false;

	for (size_t i = 0; i < c->nport && !any; i++)
		any = c->port[i].have[k];
	if (!any)
		return;
	expo_family(w, &counters[k].desc);
	for (size_t i = 0; i < c->nport; i++)
		if (c->port[i].have[k])
			expo_sample(w, (double)c->port[i].value[k],
				    c->port[i].device, c->port[i].port);
}

static void write_info(struct expo *w, const struct ib_class *c)
{
	expo_family(w, &info_desc);
	for (size_t i = 0; i < c->ndev; i++) {
		const struct ib_device *d = &c->dev[i];

		expo_sample(w, 1, d->board_id, d->name, d->fw_ver,
			    d->hca_type ? d->hca_type : "");
	}
}

/* Families in name order: the counters, with the four gauges among them. */
static void ib_write(struct expo *w, struct ib_class *c)
{
	size_t k = 0;

	if (c->nport)
		qsort(c->port, c->nport, sizeof(*c->port), port_cmp);
	for (; strcmp(counters[k].desc.name, info_desc.name) < 0; k++)
		write_counter(w, c, k);
	write_info(w, c);
	for (; strcmp(counters[k].desc.name, phys_state_desc.name) < 0; k++)
		write_counter(w, c, k);
	write_gauge(w, &phys_state_desc, c, offsetof(struct ib_port, phys_state));
	for (; strcmp(counters[k].desc.name, rate_desc.name) < 0; k++)
		write_counter(w, c, k);
	write_gauge(w, &rate_desc, c, offsetof(struct ib_port, rate));
	for (; strcmp(counters[k].desc.name, state_desc.name) < 0; k++)
		write_counter(w, c, k);
	write_gauge(w, &state_desc, c, offsetof(struct ib_port, state));
	for (; k < IB_NCOUNTERS; k++)
		write_counter(w, c, k);
}

static int infiniband_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT;
	struct ib_class c = { 0 };
	char **names;
	int n = sys_list_dir(fs_join(&root, cfg->sysfs, "class/infiniband"),
			     false, &names);
	int rc = n < 0 ? n : 0;

	if (n > 0) {
		c.dev = calloc((size_t)n, sizeof(*c.dev));
		if (!c.dev)
			abort();
	}
	for (int i = 0; i < n && !rc; i++)
		rc = read_device(buf_cstr(&root), names[i], &c.dev[c.ndev++], &c);
	if (n >= 0)
		fs_names_free(names, (size_t)n);
	/* Anything missing on the way is upstream's "no data". */
	if (rc == -ENOENT)
		rc = -ENODATA;
	if (!rc && c.nport + c.ndev)
		ib_write(w, &c);
	ib_class_release(&c);
	buf_release(&root);
	return rc;
}

const struct collector infiniband_collector = {
	.name = "infiniband",
	.enabled_by_default = true,
	.collect = infiniband_collect,
};
