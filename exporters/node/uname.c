/*
 * uname: node_uname_info, the fields of uname(2) as labels, as
 * node_exporter's uname collector exposes them.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "node.h"
#include "node_parse.h"

/* Labels sorted as upstream prints them; the order of enum uname_label. */
static const struct metric_desc uname_desc = {
	.name = "node_uname_info",
	.help = "Labeled system information as provided by the uname system call.",
	.type = METRIC_GAUGE,
	.labels = LABELS("domainname", "machine", "nodename", "release",
			 "sysname", "version"),
};

/* Appends a utsname field up to its first NUL or the end of its array. */
static size_t add_field(struct buf *b, const char *field, size_t size)
{
	size_t off = b->len;

	buf_add(b, field, strnlen(field, size));
	buf_addc(b, '\0');
	return off;
}

void uname_label_values(const struct utsname *u, struct buf *scratch,
			const char *values[UNAME_NLABELS])
{
	size_t off[UNAME_NLABELS];

	buf_truncate(scratch, 0);
	off[UNAME_DOMAINNAME] = add_field(scratch, u->domainname,
					  sizeof(u->domainname));
	off[UNAME_MACHINE] = add_field(scratch, u->machine, sizeof(u->machine));
	off[UNAME_NODENAME] = add_field(scratch, u->nodename,
					sizeof(u->nodename));
	off[UNAME_RELEASE] = add_field(scratch, u->release, sizeof(u->release));
	off[UNAME_SYSNAME] = add_field(scratch, u->sysname, sizeof(u->sysname));
	off[UNAME_VERSION] = add_field(scratch, u->version, sizeof(u->version));
	/* Pointers only now: the appends above may move the buffer. */
	for (int i = 0; i < UNAME_NLABELS; i++)
		values[i] = scratch->data + off[i];
}

static int uname_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct buf scratch = BUF_INIT;
	const char *v[UNAME_NLABELS];
	struct utsname u;

	(void)ctx;
	if (uname(&u) < 0)
		return -errno;
	uname_label_values(&u, &scratch, v);
	expo_family(w, &uname_desc);
	expo_sample(w, 1, v[UNAME_DOMAINNAME], v[UNAME_MACHINE],
		    v[UNAME_NODENAME], v[UNAME_RELEASE], v[UNAME_SYSNAME],
		    v[UNAME_VERSION]);
	buf_release(&scratch);
	return 0;
}

const struct collector uname_collector = {
	.name = "uname",
	.enabled_by_default = true,
	.collect = uname_collect,
};
