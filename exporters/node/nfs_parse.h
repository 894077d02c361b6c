/*
 * nfs_parse: the parser behind the nfs and nfsd node collectors, for
 * /proc/net/rpc/nfs (client) and /proc/net/rpc/nfsd (server).
 *
 * Pure: it takes the file's text as a NUL-terminated string and touches no
 * file, so the unit tests and the fuzzer call it directly. It accepts and
 * refuses what the Go procfs library in node_exporter 1.5 does: every line
 * is "<key> <decimal>...", a line with fewer than two words or an unknown
 * key fails the whole file, and each known key must have its exact count.
 * Lines that are absent leave their counters at 0, as upstream reports them.
 */
#ifndef EXPORTERBOX_NFS_PARSE_H
#define EXPORTERBOX_NFS_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "expo.h"

/* Sizes of the proc* lines' value lists, after the leading count. */
#define NFS_V2_OPS 18
#define NFS_V3_OPS 22
#define NFS_CLIENT_V4_OPS 59	/* shorter lists are padded with zeros */
#define NFSD_V4_OPS 39		/* the minimum proc4ops count upstream takes */

struct nfs_rpc_stats {
	uint64_t net[4];	/* netcnt, udpcnt, tcpcnt, tcpconn */
	uint64_t rpc[5];	/* client: calls, retrans, authrefrsh; server: calls, badcalls, badfmt, badauth, badclnt */
	uint64_t proc2[NFS_V2_OPS];
	uint64_t proc3[NFS_V3_OPS];
	uint64_t proc4[NFS_CLIENT_V4_OPS];
	/* Server only. */
	uint64_t rc[3];		/* hits, misses, nocache */
	uint64_t fh[5];		/* stale, ... (the rest unused by the kernel) */
	uint64_t io[2];		/* bytes read, written */
	uint64_t th[2];		/* threads, fullcnt */
	uint64_t ra[12];	/* cache size, 10 histogram buckets, not found */
	uint64_t proc4ops[NFSD_V4_OPS];
};

/*
 * Parses the client file (server false: keys net, rpc, proc2, proc3, proc4)
 * or the server file (server true: also rc, fh, io, th, ra, proc4ops, and a
 * two-value proc4). Returns 0 or -EINVAL; out is zeroed first.
 */
int nfs_parse_rpc(const char *text, bool server, struct nfs_rpc_stats *out);

/* One labelled counter of node_nfs(d)_requests_total. */
struct nfs_request {
	const char *method;
	char proto;		/* '2', '3' or '4' */
	uint64_t value;
};

/*
 * Fills out (room for NFS_REQUESTS_MAX) with the request counters upstream
 * reports for the client (server false) or server, sorted by method then
 * protocol as upstream prints them. Returns how many.
 */
#define NFS_REQUESTS_MAX (NFS_V2_OPS + NFS_V3_OPS + NFS_CLIENT_V4_OPS)
unsigned nfs_requests(const struct nfs_rpc_stats *s, bool server,
		      struct nfs_request *out);

/* ---- shared by the nfs and nfsd collectors (nfs.c) ----------------------- */

/* Reads and parses procfs/net/rpc/<name>; -ENODATA when it is absent. */
int nfs_read_rpc(const char *procfs, const char *name, bool server,
		 struct nfs_rpc_stats *s);

/* Writes node_nfs(d)_requests_total's samples (the family is announced). */
void nfs_write_requests(struct expo *w, const struct nfs_rpc_stats *s,
			bool server);

#endif
