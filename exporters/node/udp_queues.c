/*
 * udp_queues: the bytes queued in UDP sockets, summed over the lines of
 * /proc/net/udp and /proc/net/udp6, as node_udp_queues{ip,queue}.
 */
#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "net_parse.h"
#include "node.h"
#include "node_parse.h"

/* Columns upstream's line parser needs: sl ... inode. */
#define UDP_MIN_COLUMNS 10

static const struct metric_desc udp_queues_desc = {
	.name = "node_udp_queues",
	.help = "Number of allocated memory in the kernel for UDP datagrams in bytes.",
	.type = METRIC_GAUGE,
	.labels = LABELS("ip", "queue"),
};

/* Splits w at its only ':' into a and b; false when there is not one. */
static bool udp_split_colon(struct node_word w, struct node_word *a,
			    struct node_word *b)
{
	const char *c = memchr(w.s, ':', w.len);

	if (!c || memchr(c + 1, ':', w.len - (size_t)(c - w.s) - 1))
		return false;
	*a = (struct node_word){ w.s, (size_t)(c - w.s) };
	*b = (struct node_word){ c + 1, w.len - a->len - 1 };
	return true;
}

/* An address as the kernel writes it: 4 or 16 bytes in hex. */
static bool udp_address_ok(struct node_word w)
{
	if (w.len != 8 && w.len != 32)
		return false;
	for (size_t i = 0; i < w.len; i++)
		if (go_digit(w.s[i]) >= 16)
			return false;
	return true;
}

/* "0100007F:0035": address and hex port. */
static bool udp_endpoint_ok(struct node_word w)
{
	struct node_word addr, port;
	uint64_t v;

	return udp_split_colon(w, &addr, &port) && udp_address_ok(addr) &&
	       go_parse_uint(port.s, port.len, 16, 64, &v);
}

/*
 * One socket line [s, end): checks what upstream checks (sl, both
 * endpoints, state, queues, uid, inode) and adds the queues to out.
 */
static int udp_parse_line(const char *s, const char *end,
			  struct udp_queues *out)
{
	struct node_word w[UDP_MIN_COLUMNS], a, b;
	uint64_t v, tx, rx;

	if (node_split_words(s, end, w, UDP_MIN_COLUMNS) < UDP_MIN_COLUMNS)
		return -EINVAL;
	if (!udp_split_colon(w[0], &a, &b) ||
	    !go_parse_uint(a.s, a.len, 0, 64, &v))
		return -EINVAL;
	if (!udp_endpoint_ok(w[1]) || !udp_endpoint_ok(w[2]))
		return -EINVAL;
	if (!go_parse_uint(w[3].s, w[3].len, 16, 64, &v))
		return -EINVAL;
	if (!udp_split_colon(w[4], &a, &b) ||
	    !go_parse_uint(a.s, a.len, 16, 64, &tx) ||
	    !go_parse_uint(b.s, b.len, 16, 64, &rx))
		return -EINVAL;
	if (!go_parse_uint(w[7].s, w[7].len, 0, 64, &v) ||
	    !go_parse_uint(w[9].s, w[9].len, 0, 64, &v))
		return -EINVAL;
	out->tx += tx;
	out->rx += rx;
	out->sockets++;
	return 0;
}

int udp_queues_parse(const char *text, struct udp_queues *out)
{
	const char *s = node_line_end(text);	/* the header */
	int err = 0;

	*out = (struct udp_queues){ 0 };
	if (*s)
		s++;
	while (*s && !err) {
		const char *end = node_line_end(s);

		err = udp_parse_line(s, end, out);
		s = *end ? end + 1 : end;
	}
	return err;
}

/* Reads one file; *found is false when it does not exist. */
static int udp_read(const char *procfs, const char *rel,
		    struct udp_queues *q, bool *found)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int err;

	*found = false;
	err = fs_read_file(fs_join(&path, procfs, rel), &text, FS_READ_MAX);
	if (err == -ENOENT) {
		err = 0;
	} else if (!err) {
		*found = true;
		err = udp_queues_parse(buf_cstr(&text), q);
	}
	buf_release(&text);
	buf_release(&path);
	return err;
}

/*
 * Either file may be missing (that IP version is off); upstream reports
 * "no data", a failure, only when both are.
 */
static int udp_queues_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct udp_queues q4, q6;
	bool have4, have6;
	int err;

	err = udp_read(cfg->procfs, "net/udp", &q4, &have4);
	if (!err)
		err = udp_read(cfg->procfs, "net/udp6", &q6, &have6);
	if (err)
		return err;
	if (!have4 && !have6)
		return -ENODATA;
	expo_family(w, &udp_queues_desc);
	if (have4) {
		expo_sample(w, (double)q4.rx, "v4", "rx");
		expo_sample(w, (double)q4.tx, "v4", "tx");
	}
	if (have6) {
		expo_sample(w, (double)q6.rx, "v6", "rx");
		expo_sample(w, (double)q6.tx, "v6", "tx");
	}
	return 0;
}

const struct collector udp_queues_collector = {
	.name = "udp_queues",
	.enabled_by_default = true,
	.collect = udp_queues_collect,
};
