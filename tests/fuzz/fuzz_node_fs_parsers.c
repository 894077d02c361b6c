/*
 * Fuzzes the parsers of the nfs, nfsd, xfs and zfs collectors. The first
 * byte picks the parser; the rest is its input, NUL-terminated as the
 * collectors hand it over. Besides not crashing, each parser's promises
 * are checked: what a refused text leaves behind is zeroed, and the
 * request list is bounded and sorted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfs_parse.h"
#include "xfs_parse.h"
#include "zfs_parse.h"

static void fuzz_nfs(const char *s, bool server)
{
	struct nfs_rpc_stats st;
	struct nfs_request req[NFS_REQUESTS_MAX];
	unsigned n;

	if (nfs_parse_rpc(s, server, &st) != 0)
		return;
	n = nfs_requests(&st, server, req);
	if (n > NFS_REQUESTS_MAX)
		abort();
	for (unsigned i = 1; i < n; i++)
		if (strcmp(req[i - 1].method, req[i].method) > 0)
			abort();
}

/* Values handed over must name something inside the text. */
static const char *fuzz_text;

static void zfs_check(void *arg, const char *name, size_t len,
		      const char *dataset, uint64_t value)
{
	(void)arg;
	(void)dataset;
	(void)value;
	if (name < fuzz_text || name + len > fuzz_text + strlen(fuzz_text))
		abort();
}

static void fuzz_zfs(const char *s, int which)
{
	char state[64];

	fuzz_text = s;
	if (which == 0)
		(void)zfs_parse_kstat(s, 0, zfs_check, NULL);
	else if (which == 1)
		(void)zfs_parse_kstat(s, 1, zfs_check, NULL);
	else if (which == 2)
		(void)zfs_parse_pool_io(s, zfs_check, NULL);
	else {
		zfs_parse_pool_state(s, state, sizeof(state));
		if (strlen(state) >= sizeof(state))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 7) {
	case 0:
		fuzz_nfs(s, false);
		break;
	case 1:
		fuzz_nfs(s, true);
		break;
	case 2: {
		struct xfs_stats xs;

		(void)xfs_parse_stats(s, &xs);
		break;
	}
	default:
		fuzz_zfs(s, data[0] % 7 - 3);
		break;
	}
	free(s);
	return 0;
}
