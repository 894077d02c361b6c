/*
 * nfsd: the NFS server's counters from /proc/net/rpc/nfsd, as
 * node_exporter 1.5's nfsd collector reports them (node_nfsd_*). The file
 * is parsed by nfs.c's parser; a host without it (no nfsd module) has
 * nothing to report: -ENODATA, upstream's ErrNoData.
 */
#include <stddef.h>

#include "nfs_parse.h"
#include "node.h"

/* A family of one unlabelled sample and where its value comes from. */
struct nfsd_scalar {
	struct metric_desc desc;
	size_t offset;		/* of the uint64_t in struct nfs_rpc_stats */
};

#define NFSD_AT(field, i) \
	(offsetof(struct nfs_rpc_stats, field) + (i) * sizeof(uint64_t))
#define NFSD_COUNTER(name, help, field, i) \
	{ { "node_nfsd_" name, help, METRIC_COUNTER, NULL }, NFSD_AT(field, i) }

static const struct nfsd_scalar head[] = {
	NFSD_COUNTER("connections_total", "Total number of NFSd TCP connections.",
		     net, 3),
	NFSD_COUNTER("disk_bytes_read_total", "Total NFSd bytes read.", io, 0),
	NFSD_COUNTER("disk_bytes_written_total", "Total NFSd bytes written.", io, 1),
	NFSD_COUNTER("file_handles_stale_total",
		     "Total number of NFSd stale file handles", fh, 0),
};

static const struct metric_desc packets_desc = {
	"node_nfsd_packets_total",
	"Total NFSd network packets (sent+received) by protocol type.",
	METRIC_COUNTER, LABELS("proto")
};

static const struct nfsd_scalar middle[] = {
	NFSD_COUNTER("read_ahead_cache_not_found_total",
		     "Total number of NFSd read ahead cache not found.", ra, 11),
	{ { "node_nfsd_read_ahead_cache_size_blocks",
	    "How large the read ahead cache is in blocks.", METRIC_GAUGE, NULL },
	  NFSD_AT(ra, 0) },
	NFSD_COUNTER("reply_cache_hits_total",
		     "Total number of NFSd Reply Cache hits (client lost server response).",
		     rc, 0),
	NFSD_COUNTER("reply_cache_misses_total",
		     "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
		     rc, 1),
	NFSD_COUNTER("reply_cache_nocache_total",
		     "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).",
		     rc, 2),
};

static const struct metric_desc requests_desc = {
	"node_nfsd_requests_total",
	"Total number NFSd Requests by method and protocol.", METRIC_COUNTER,
	LABELS("method", "proto")
};
static const struct metric_desc rpc_errors_desc = {
	"node_nfsd_rpc_errors_total",
	"Total number of NFSd RPC errors by error type.", METRIC_COUNTER,
	LABELS("error")
};

static const struct nfsd_scalar tail[] = {
	NFSD_COUNTER("server_rpcs_total", "Total number of NFSd RPCs.", rpc, 0),
	{ { "node_nfsd_server_threads",
	    "Total number of NFSd kernel threads that are running.", METRIC_GAUGE,
	    NULL },
	  NFSD_AT(th, 0) },
};

static void write_scalars(struct expo *w, const struct nfsd_scalar *t,
			  size_t n, const struct nfs_rpc_stats *s)
{
	for (size_t i = 0; i < n; i++) {
		const uint64_t *v =
			(const uint64_t *)((const char *)s + t[i].offset);

		expo_family(w, &t[i].desc);
		expo_value(w, (double)*v);
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Families in upstream's (name) order. */
static int nfsd_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct nfs_rpc_stats s;
	int err = nfs_read_rpc(cfg->procfs, "nfsd", true, &s);

	if (err)
		return err;
	write_scalars(w, head, COUNT(head), &s);
	expo_family(w, &packets_desc);
	expo_sample(w, (double)s.net[2], "tcp");
	expo_sample(w, (double)s.net[1], "udp");
	write_scalars(w, middle, COUNT(middle), &s);
	expo_family(w, &requests_desc);
	nfs_write_requests(w, &s, true);
	expo_family(w, &rpc_errors_desc);
	expo_sample(w, (double)s.rpc[3], "auth");
	expo_sample(w, (double)s.rpc[4], "cInt");
	expo_sample(w, (double)s.rpc[2], "fmt");
	write_scalars(w, tail, COUNT(tail), &s);
	return 0;
}

const struct collector nfsd_collector = {
	.name = "nfsd",
	.enabled_by_default = true,
	.collect = nfsd_collect,
};
