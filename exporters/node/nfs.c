/*
 * nfs: the NFS client's RPC counters from /proc/net/rpc/nfs, as
 * node_exporter 1.5's nfs collector reports them (node_nfs_*), and the
 * parser the nfsd collector shares (nfs_parse.h).
 *
 * A host without the file (no NFS client module) has nothing to report:
 * -ENODATA, upstream's ErrNoData. A file upstream refuses fails the scrape.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "nfs_parse.h"
#include "node.h"
#include "node_parse.h"

/* Method names by position in each proc line; NULL: not reported. */
static const char *const v2_methods[NFS_V2_OPS] = {
	"Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read",
	"WrCache", "Write", "Create", "Remove", "Rename", "Link", "SymLink",
	"MkDir", "RmDir", "ReadDir", "FsStat",
};
static const char *const v3_methods[NFS_V3_OPS] = {
	"Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read",
	"Write", "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir",
	"Rename", "Link", "ReadDir", "ReadDirPlus", "FsStat", "FsInfo",
	"PathConf", "Commit",
};
static const char *const client_v4_methods[NFS_CLIENT_V4_OPS] = {
	"Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr",
	"OpenDowngrade", "Close", "Setattr", "FsInfo", "Renew", "SetClientID",
	"SetClientIDConfirm", "Lock", "Lockt", "Locku", "Access", "Getattr",
	"Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink", "Create",
	"Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn",
	"GetACL", "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo",
	"FsidPresent", "ExchangeID", "CreateSession", "DestroySession",
	"Sequence", "GetLeaseTime", "ReclaimComplete", "LayoutGet",
	"GetDeviceInfo", "LayoutCommit", "LayoutReturn", "SecinfoNoName",
	"TestStateID", "FreeStateID", "GetDeviceList", "BindConnToSession",
	"DestroyClientID", "Seek", "Allocate", "DeAllocate", "LayoutStats",
	"Clone",
};
/* The server's NFSv4 operations upstream reports (not the unused ones). */
static const char *const server_v4_methods[NFSD_V4_OPS] = {
	NULL, NULL, NULL, "Access", "Close", "Commit", "Create", "DelegPurge",
	"DelegReturn", "GetAttr", "GetFH", "Link", "Lock", "Lockt", "Locku",
	"Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr", "OpenConfirm",
	"OpenDgrd", "PutFH", NULL, NULL, "Read", "ReadDir", "ReadLink",
	"Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr",
	"Verify", "Write", "RelLockOwner", NULL,
};

struct rpc_line {
	const char *key;
	bool server;		/* only in the server's file */
	size_t offset;		/* of its array in struct nfs_rpc_stats */
	size_t len;		/* values the line must have (0: a proc list) */
	size_t min_count;	/* proc lists: the least count taken */
	size_t room;		/* proc lists: values kept */
};

#define RPC_FIELD(f) offsetof(struct nfs_rpc_stats, f)
#define RPC_ROOM(f) (sizeof(((struct nfs_rpc_stats *)0)->f) / sizeof(uint64_t))

static const struct rpc_line client_lines[] = {
	{ "net", false, RPC_FIELD(net), 4, 0, 4 },
	{ "rpc", false, RPC_FIELD(rpc), 3, 0, 3 },
	{ "proc2", false, RPC_FIELD(proc2), 0, NFS_V2_OPS, NFS_V2_OPS },
	{ "proc3", false, RPC_FIELD(proc3), 0, NFS_V3_OPS, NFS_V3_OPS },
	{ "proc4", false, RPC_FIELD(proc4), 0, 0, NFS_CLIENT_V4_OPS },
};

static const struct rpc_line server_lines[] = {
	{ "rc", true, RPC_FIELD(rc), 3, 0, 3 },
	{ "fh", true, RPC_FIELD(fh), 5, 0, 5 },
	{ "io", true, RPC_FIELD(io), 2, 0, 2 },
	{ "th", true, RPC_FIELD(th), 2, 0, 2 },
	{ "ra", true, RPC_FIELD(ra), 12, 0, 12 },
	{ "net", true, RPC_FIELD(net), 4, 0, 4 },
	{ "rpc", true, RPC_FIELD(rpc), 5, 0, 5 },
	{ "proc2", true, RPC_FIELD(proc2), 0, NFS_V2_OPS, NFS_V2_OPS },
	{ "proc3", true, RPC_FIELD(proc3), 0, NFS_V3_OPS, NFS_V3_OPS },
	/* Server proc4 is "2 <null> <compound>": exactly two. */
	{ "proc4", true, RPC_FIELD(proc4), 0, 2, 2 },
	{ "proc4ops", true, RPC_FIELD(proc4ops), 0, NFSD_V4_OPS, NFSD_V4_OPS },
};

#define RPC_WORDS_MAX 128

static const struct rpc_line *rpc_find(struct node_word key, bool server)
{
	const struct rpc_line *t = server ? server_lines : client_lines;
	size_t n = server ? sizeof(server_lines) / sizeof(server_lines[0])
			  : sizeof(client_lines) / sizeof(client_lines[0]);

	for (size_t i = 0; i < n; i++)
		if (node_word_is(key, t[i].key))
			return &t[i];
	return NULL;
}

/*
 * Checks one line's values against its table entry and stores them. A
 * proc list starts with its own count, which must match the values that
 * follow; the server's proc4 must count exactly two.
 */
static int rpc_store(const struct rpc_line *l, const uint64_t *v, size_t n,
		     struct nfs_rpc_stats *out)
{
	uint64_t *dst = (uint64_t *)((char *)out + l->offset);

	if (l->len) {
		if (n != l->len)
			return -EINVAL;
		memcpy(dst, v, n * sizeof(*v));
		return 0;
	}
	if (v[0] != n - 1 || v[0] < l->min_count ||
	    (l->server && !strcmp(l->key, "proc4") && v[0] != 2))
		return -EINVAL;
	n = n - 1 < l->room ? n - 1 : l->room;
	memcpy(dst, v + 1, n * sizeof(*v));
	return 0;
}

static int rpc_parse_line(const char *s, const char *end, bool server,
			  struct nfs_rpc_stats *out)
{
	struct node_word w[RPC_WORDS_MAX];
	uint64_t v[RPC_WORDS_MAX];
	size_t n = node_split_words(s, end, w, RPC_WORDS_MAX);
	const struct rpc_line *l;

	if (n < 2 || n > RPC_WORDS_MAX)
		return -EINVAL;
	l = rpc_find(w[0], server);
	if (!l)
		return -EINVAL;
	/* The thread line's later words are floats upstream ignores. */
	if (!strcmp(l->key, "th")) {
		if (n < 3)
			return -EINVAL;
		n = 3;
	}
	for (size_t i = 1; i < n; i++)
		if (!node_word_u64(w[i], &v[i - 1]))
			return -EINVAL;
	return rpc_store(l, v, n - 1, out);
}

int nfs_parse_rpc(const char *text, bool server, struct nfs_rpc_stats *out)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *end = node_line_end(p);
		const char *line_end = end;

		/* bufio.Scanner drops one '\r' before the newline. */
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (rpc_parse_line(p, line_end, server, out))
			return -EINVAL;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static unsigned add_requests(struct nfs_request *out, unsigned n, char proto,
			     const char *const *methods, const uint64_t *v,
			     size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (methods[i])
			out[n++] = (struct nfs_request){ methods[i], proto, v[i] };
	return n;
}

static int request_cmp(const void *x, const void *y)
{
	const struct nfs_request *a = x, *b = y;
	int c = strcmp(a->method, b->method);

	return c ? c : a->proto - b->proto;
}

unsigned nfs_requests(const struct nfs_rpc_stats *s, bool server,
		      struct nfs_request *out)
{
	/* The server does not report the Null procedure of v2 and v3. */
	unsigned skip = server ? 1 : 0;
	unsigned n = 0;

	n = add_requests(out, n, '2', v2_methods + skip, s->proc2 + skip,
			 NFS_V2_OPS - skip);
	n = add_requests(out, n, '3', v3_methods + skip, s->proc3 + skip,
			 NFS_V3_OPS - skip);
	if (server)
		n = add_requests(out, n, '4', server_v4_methods, s->proc4ops,
				 NFSD_V4_OPS);
	else
		n = add_requests(out, n, '4', client_v4_methods, s->proc4,
				 NFS_CLIENT_V4_OPS);
	qsort(out, n, sizeof(*out), request_cmp);
	return n;
}

/* ---- the client collector ------------------------------------------------ */

static const struct metric_desc connections_desc = {
	"node_nfs_connections_total", "Total number of NFSd TCP connections.",
	METRIC_COUNTER, NULL
};
static const struct metric_desc packets_desc = {
	"node_nfs_packets_total",
	"Total NFSd network packets (sent+received) by protocol type.",
	METRIC_COUNTER, LABELS("protocol")
};
static const struct metric_desc requests_desc = {
	"node_nfs_requests_total", "Number of NFS procedures invoked.",
	METRIC_COUNTER, LABELS("method", "proto")
};
static const struct metric_desc auth_refreshes_desc = {
	"node_nfs_rpc_authentication_refreshes_total",
	"Number of RPC authentication refreshes performed.", METRIC_COUNTER, NULL
};
static const struct metric_desc retransmissions_desc = {
	"node_nfs_rpc_retransmissions_total",
	"Number of RPC transmissions performed.", METRIC_COUNTER, NULL
};
static const struct metric_desc rpcs_desc = {
	"node_nfs_rpcs_total", "Total number of RPCs performed.",
	METRIC_COUNTER, NULL
};

/* Writes node_nfs(d)_requests_total's samples (the family is announced). */
void nfs_write_requests(struct expo *w, const struct nfs_rpc_stats *s,
			bool server)
{
	struct nfs_request req[NFS_REQUESTS_MAX];
	unsigned n = nfs_requests(s, server, req);

	for (unsigned i = 0; i < n; i++) {
		char proto[2] = { req[i].proto, '\0' };

		expo_sample(w, (double)req[i].value, req[i].method, proto);
	}
}

/* Reads and parses procfs/net/rpc/<name>; -ENODATA when it is absent. */
int nfs_read_rpc(const char *procfs, const char *name, bool server,
		 struct nfs_rpc_stats *s)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char rel[32];
	int err;

	snprintf(rel, sizeof(rel), "net/rpc/%s", name);
	err = fs_read_file(fs_join(&path, procfs, rel), &text, FS_READ_MAX);
	if (err == -ENOENT)
		err = -ENODATA;
	if (!err)
		err = nfs_parse_rpc(buf_cstr(&text), server, s);
	buf_release(&text);
	buf_release(&path);
	return err;
}

static int nfs_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct nfs_rpc_stats s;
	int err = nfs_read_rpc(cfg->procfs, "nfs", false, &s);

	if (err)
		return err;
	expo_family(w, &connections_desc);
	expo_value(w, (double)s.net[3]);
	expo_family(w, &packets_desc);
	expo_sample(w, (double)s.net[2], "tcp");
	expo_sample(w, (double)s.net[1], "udp");
	expo_family(w, &requests_desc);
	nfs_write_requests(w, &s, false);
	expo_family(w, &auth_refreshes_desc);
	expo_value(w, (double)s.rpc[2]);
	expo_family(w, &retransmissions_desc);
	expo_value(w, (double)s.rpc[1]);
	expo_family(w, &rpcs_desc);
	expo_value(w, (double)s.rpc[0]);
	return 0;
}

const struct collector nfs_collector = {
	.name = "nfs",
	.enabled_by_default = true,
	.collect = nfs_collect,
};
