/*
 * ipvs: the IP Virtual Server totals of /proc/net/ip_vs_stats and the
 * per-backend gauges of /proc/net/ip_vs, as node_exporter 1.5's ipvs
 * collector reports them.
 *
 * The backend families carry the labels chosen with
 * --collector.ipvs.backend-labels; backends whose chosen label values are
 * equal are summed into one sample, as upstream does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "hw4_parse.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

#define IPVS_DEFAULT_LABELS \
	"local_address,local_port,remote_address,remote_port,proto,local_mark"

const char *const ipvs_label_names[IPVS_NLABELS] = {
	[IPVS_LOCAL_ADDRESS] = "local_address",
	[IPVS_LOCAL_MARK] = "local_mark",
	[IPVS_LOCAL_PORT] = "local_port",
	[IPVS_PROTO] = "proto",
	[IPVS_REMOTE_ADDRESS] = "remote_address",
	[IPVS_REMOTE_PORT] = "remote_port",
};

static const struct metric_desc ipvs_connections_desc = {
	.name = "node_ipvs_connections_total",
	.help = "The total number of connections made.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc ipvs_incoming_bytes_desc = {
	.name = "node_ipvs_incoming_bytes_total",
	.help = "The total amount of incoming data.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc ipvs_incoming_packets_desc = {
	.name = "node_ipvs_incoming_packets_total",
	.help = "The total number of incoming packets.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc ipvs_outgoing_bytes_desc = {
	.name = "node_ipvs_outgoing_bytes_total",
	.help = "The total amount of outgoing data.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc ipvs_outgoing_packets_desc = {
	.name = "node_ipvs_outgoing_packets_total",
	.help = "The total number of outgoing packets.",
	.type = METRIC_COUNTER,
};

/* The backend families, their label names chosen at start-up. */
struct ipvs_state {
	unsigned mask;
	const char *labels[IPVS_NLABELS + 1];
	struct metric_desc active, inactive, weight;
};

/* ---- parsers ------------------------------------------------------------- */

int ipvs_parse_stats(const char *text, struct ipvs_stats *out)
{
	const char *s = text, *end;
	struct node_word w[6];
	uint64_t v[5];

	*out = (struct ipvs_stats){ 0 };
	for (int i = 0; i < 2; i++) {
		s = strchr(s, '\n');
		if (!s)
			return -EINVAL;
		s++;
	}
	end = node_line_end(s);
	if (!*end)
		return -EINVAL;		/* upstream wants a fourth part */
	if (node_split_words(s, end, w, 6) != 5)
		return -EINVAL;
	for (int i = 0; i < 5; i++)
		if (!go_parse_uint(w[i].s, w[i].len, 16, 64, &v[i]))
			return -EINVAL;
	*out = (struct ipvs_stats){ v[0], v[1], v[2], v[3], v[4] };
	return 0;
}

/* Appends a dotted quad, as Go prints a 4-byte address. */
static void ipvs_add_ip4(struct buf *b, const unsigned char *ip)
{
	buf_addf(b, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/*
 * Appends a 16-byte address as Go's net.IP.String() does: IPv4-mapped
 * ones as dotted quads, others with the first longest run of two or more
 * zero groups written "::" and hex digits in lower case.
 */
static void ipvs_add_ip6(struct buf *b, const unsigned char *ip)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	int best = -1, best_len = 0;

	if (!memcmp(ip, mapped, sizeof(mapped))) {
		ipvs_add_ip4(b, ip + 12);
		return;
	}
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && !ip[2 * j] && !ip[2 * j + 1])
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			buf_adds(b, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			buf_addc(b, ':');
		buf_addf(b, "%x", (unsigned)(ip[2 * i] << 8 | ip[2 * i + 1]));
	}
}

/*
 * Parses "C0A80016:0CEA" or "[2620:...:0001]:0050" as upstream's
 * parseIPPort does (by length: 13 or 46 bytes; the port is the last four
 * hex digits) and appends the address as Go prints it, then its NUL.
 */
static int ipvs_parse_endpoint(struct node_word w, struct buf *strs,
			       uint64_t *port)
{
	unsigned char ip[16];

	if (w.len == 13) {
		for (int i = 0; i < 4; i++) {
			int hi = go_digit(w.s[2 * i]), lo = go_digit(w.s[2 * i + 1]);

			if (hi >= 16 || lo >= 16)
				return -EINVAL;
			ip[i] = (unsigned char)(hi << 4 | lo);
		}
	} else if (w.len == 46) {
		char text[40];

		memcpy(text, w.s + 1, 39);
		text[39] = '\0';
		if (inet_pton(AF_INET6, text, ip) != 1)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (!go_parse_uint(w.s + w.len - 4, 4, 16, 16, port))
		return -EINVAL;
	if (w.len == 13)
		ipvs_add_ip4(strs, ip);
	else
		ipvs_add_ip6(strs, ip);
	buf_addc(strs, '\0');
	return 0;
}

/* Appends the n bytes at s and a NUL; returns where they start. */
static size_t ipvs_add_str(struct buf *strs, const char *s, size_t n)
{
	size_t at = strs->len;

	buf_add(strs, s, n);
	buf_addc(strs, '\0');
	return at;
}

/* Appends v in decimal and a NUL; returns where it starts. */
static size_t ipvs_add_u64(struct buf *strs, uint64_t v)
{
	char tmp[TEXT_U64_MAX];
	const char *d = text_u64(tmp, v);

	return ipvs_add_str(strs, d, strlen(d));
}

/* A service line ("TCP  C0A80016:0CEA wlc", "FWM  10001000 wlc"). */
static int ipvs_parse_service(const struct node_word *w,
			      struct ipvs_backends *out, struct ipvs_backend *svc)
{
	uint64_t port = 0;

	svc->value[IPVS_PROTO] = ipvs_add_str(&out->strs, w[0].s, w[0].len);
	if (node_word_is(w[0], "FWM")) {
		svc->value[IPVS_LOCAL_MARK] =
			ipvs_add_str(&out->strs, w[1].s, w[1].len);
		svc->value[IPVS_LOCAL_ADDRESS] = ipvs_add_str(&out->strs, "", 0);
	} else {
		svc->value[IPVS_LOCAL_MARK] = ipvs_add_str(&out->strs, "", 0);
		svc->value[IPVS_LOCAL_ADDRESS] = out->strs.len;
		if (ipvs_parse_endpoint(w[1], &out->strs, &port))
			return -EINVAL;
	}
	svc->value[IPVS_LOCAL_PORT] = ipvs_add_u64(&out->strs, port);
	return 0;
}

/* A backend line ("-> C0A82A16:0CEA Tunnel 100 248 2") of service svc. */
static int ipvs_parse_real(const struct node_word *w,
			   struct ipvs_backends *out,
			   const struct ipvs_backend *svc)
{
	struct ipvs_backend b = *svc;
	uint64_t port;

	b.value[IPVS_REMOTE_ADDRESS] = out->strs.len;
	if (ipvs_parse_endpoint(w[1], &out->strs, &port))
		return -EINVAL;
	b.value[IPVS_REMOTE_PORT] = ipvs_add_u64(&out->strs, port);
	if (!go_parse_uint(w[3].s, w[3].len, 10, 64, &b.weight) ||
	    !go_parse_uint(w[4].s, w[4].len, 10, 64, &b.active) ||
	    !go_parse_uint(w[5].s, w[5].len, 10, 64, &b.inactive))
		return -EINVAL;
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 16;
		out->v = realloc(out->v, out->cap * sizeof(*out->v));
		if (!out->v)
			abort();
	}
	out->v[out->n++] = b;
	return 0;
}

/*
 * One line, as upstream's switch takes it: headers and unknown lines are
 * skipped, a one-word line other than a header is refused (upstream
 * would index past its fields), short service and backend lines skipped.
 */
static int ipvs_parse_line(const char *s, const char *end,
			   struct ipvs_backends *out, struct ipvs_backend *svc)
{
	struct node_word w[6];
	size_t n = node_split_words(s, end, w, 6);

	if (n == 0 || node_word_is(w[0], "IP") || node_word_is(w[0], "Prot"))
		return 0;
	if (n < 2)
		return -EINVAL;
	if (node_word_is(w[1], "RemoteAddress:Port"))
		return 0;
	if (node_word_is(w[0], "TCP") || node_word_is(w[0], "UDP") ||
	    node_word_is(w[0], "FWM"))
		return ipvs_parse_service(w, out, svc);
	if (node_word_is(w[0], "->") && n >= 6)
		return ipvs_parse_real(w, out, svc);
	return 0;
}

int ipvs_parse_backends(const char *text, struct ipvs_backends *out)
{
	struct ipvs_backend svc = { 0 };
	const char *s = text;
	int err = 0;

	/* Before any service line: every label empty, ports "0". */
	buf_truncate(&out->strs, 0);
	out->n = 0;
	buf_addc(&out->strs, '\0');
	svc.value[IPVS_LOCAL_PORT] = ipvs_add_str(&out->strs, "0", 1);
	while (*s && !err) {
		const char *end = node_line_end(s);

		err = ipvs_parse_line(s, end, out, &svc);
		s = *end ? end + 1 : end;
	}
	return err;
}

const char *ipvs_backend_value(const struct ipvs_backends *b, size_t i,
			       enum ipvs_label l)
{
	return b->strs.data + b->v[i].value[l];
}

void ipvs_backends_release(struct ipvs_backends *b)
{
	buf_release(&b->strs);
	free(b->v);
	*b = (struct ipvs_backends)IPVS_BACKENDS_INIT;
}

/* The label's index by name, or -1. */
static int ipvs_label_index(const char *s, size_t n)
{
	for (int i = 0; i < IPVS_NLABELS; i++)
		if (strlen(ipvs_label_names[i]) == n &&
		    !memcmp(ipvs_label_names[i], s, n))
			return i;
	return -1;
}

int ipvs_parse_label_list(const char *list, unsigned *mask)
{
	*mask = 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		int i = ipvs_label_index(list, n);

		if (n && i < 0)
			return -EINVAL;
		if (n)
			*mask |= 1u << i;
		list += n;
		if (*list)
			list++;
	}
	return 0;
}

/* ---- collector ----------------------------------------------------------- */

static void ipvs_backend_desc(struct metric_desc *d, const char *name,
			      const char *help, const char *const *labels)
{
	*d = (struct metric_desc){ .name = name, .help = help,
				   .type = METRIC_GAUGE,
				   .labels = labels[0] ? labels : NULL };
}

/* Checks the label list (an unknown name disables the collector). */
static int ipvs_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	const char *list = cfg->ipvs_backend_labels;
	struct ipvs_state *st;
	unsigned mask;
	size_t n = 0;

	if (ipvs_parse_label_list(list ? list : IPVS_DEFAULT_LABELS, &mask))
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		abort();
	st->mask = mask;
	for (int i = 0; i < IPVS_NLABELS; i++)
		if (mask & (1u << i))
			st->labels[n++] = ipvs_label_names[i];
	ipvs_backend_desc(&st->active, "node_ipvs_backend_connections_active",
			  "The current active connections by local and remote address.",
			  st->labels);
	ipvs_backend_desc(&st->inactive, "node_ipvs_backend_connections_inactive",
			  "The current inactive connections by local and remote address.",
			  st->labels);
	ipvs_backend_desc(&st->weight, "node_ipvs_backend_weight",
			  "The current backend weight by local and remote address.",
			  st->labels);
	*state = st;
	return 0;
}

static void ipvs_release(void *state)
{
	free(state);
}

/* One sample row: the chosen label values ("" for the others) and sums. */
struct ipvs_row {
	const char *val[IPVS_NLABELS];
	uint64_t active, inactive, weight;
};

/* Rows in node_exporter's order: label values compared in name order. */
static int ipvs_row_cmp(const void *a, const void *b)
{
	const struct ipvs_row *x = a, *y = b;

	for (int i = 0; i < IPVS_NLABELS; i++) {
		int c = strcmp(x->val[i], y->val[i]);

		if (c)
			return c;
	}
	return 0;
}

/*
 * Turns the backends into sorted rows over the chosen labels, summing
 * those whose values are all equal. Returns the number of rows.
 */
static size_t ipvs_rows(const struct ipvs_backends *b, unsigned mask,
			struct ipvs_row *rows)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct ipvs_row *r = &rows[i];

		for (int l = 0; l < IPVS_NLABELS; l++)
			r->val[l] = mask & (1u << l) ?
				    ipvs_backend_value(b, i, l) : "";
		r->active = b->v[i].active;
		r->inactive = b->v[i].inactive;
		r->weight = b->v[i].weight;
	}
	if (b->n)
		qsort(rows, b->n, sizeof(*rows), ipvs_row_cmp);
	for (size_t i = 0; i < b->n; i++) {
		if (n && !ipvs_row_cmp(&rows[n - 1], &rows[i])) {
			rows[n - 1].active += rows[i].active;
			rows[n - 1].inactive += rows[i].inactive;
			rows[n - 1].weight += rows[i].weight;
		} else {
			rows[n++] = rows[i];
		}
	}
	return n;
}

/* Writes one backend family: the field at offset off of every row. */
static void ipvs_write_backend(struct expo *w, const struct ipvs_state *st,
			       const struct metric_desc *d,
			       const struct ipvs_row *rows, size_t n,
			       size_t off)
{
	expo_family(w, d);
	for (size_t i = 0; i < n; i++) {
		const char *vals[IPVS_NLABELS + 1];
		size_t k = 0;
		uint64_t v;

		for (int l = 0; l < IPVS_NLABELS; l++)
			if (st->mask & (1u << l))
				vals[k++] = rows[i].val[l];
		vals[k] = NULL;
		memcpy(&v, (const char *)&rows[i] + off, sizeof(v));
		expo_samplev(w, k ? vals : NULL, (double)v);
	}
}

static void ipvs_write(struct expo *w, const struct ipvs_state *st,
		       const struct ipvs_stats *s,
		       const struct ipvs_row *rows, size_t n)
{
	ipvs_write_backend(w, st, &st->active, rows, n,
			   offsetof(struct ipvs_row, active));
	ipvs_write_backend(w, st, &st->inactive, rows, n,
			   offsetof(struct ipvs_row, inactive));
	ipvs_write_backend(w, st, &st->weight, rows, n,
			   offsetof(struct ipvs_row, weight));
	expo_family(w, &ipvs_connections_desc);
	expo_value(w, (double)s->connections);
	expo_family(w, &ipvs_incoming_bytes_desc);
	expo_value(w, (double)s->incoming_bytes);
	expo_family(w, &ipvs_incoming_packets_desc);
	expo_value(w, (double)s->incoming_packets);
	expo_family(w, &ipvs_outgoing_bytes_desc);
	expo_value(w, (double)s->outgoing_bytes);
	expo_family(w, &ipvs_outgoing_packets_desc);
	expo_value(w, (double)s->outgoing_packets);
}

/* Reads procfs/rel whole into text. */
static int ipvs_read(const char *procfs, const char *rel, struct buf *text)
{
	struct buf path = BUF_INIT;
	int err = fs_read_file(fs_join(&path, procfs, rel), text, FS_READ_MAX);

	buf_release(&path);
	return err;
}

/*
 * No ip_vs_stats means IPVS is not loaded: "no data", as upstream. Once
 * it is there, a missing or bad ip_vs fails the collector.
 */
static int ipvs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	const struct ipvs_state *st = ctx->state;
	struct ipvs_backends b = IPVS_BACKENDS_INIT;
	struct buf text = BUF_INIT;
	struct ipvs_row *rows = NULL;
	struct ipvs_stats s;
	size_t n;
	int err;

	err = ipvs_read(cfg->procfs, "net/ip_vs_stats", &text);
	if (err == -ENOENT)
		err = -ENODATA;
	if (!err)
		err = ipvs_parse_stats(buf_cstr(&text), &s);
	if (!err)
		err = ipvs_read(cfg->procfs, "net/ip_vs", &text);
	if (!err)
		err = ipvs_parse_backends(buf_cstr(&text), &b);
	if (!err) {
		rows = calloc(b.n ? b.n : 1, sizeof(*rows));
		if (!rows)
			abort();
		n = ipvs_rows(&b, st->mask, rows);
		ipvs_write(w, st, &s, rows, n);
	}
	free(rows);
	ipvs_backends_release(&b);
	buf_release(&text);
	return err;
}

const struct collector ipvs_collector = {
	.name = "ipvs",
	.enabled_by_default = true,
	.init = ipvs_init,
	.collect = ipvs_collect,
	.release = ipvs_release,
};
