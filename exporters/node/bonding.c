/*
 * bonding: how many slaves each bonding master has and how many of them
 * are up, from /sys/class/net/bonding_masters, <master>/bonding/slaves and
 * each slave's bonding_slave/mii_status, as node_exporter 1.5's bonding
 * collector reports them.
 *
 * A slave's status is under <master>/lower_<slave>, or slave_<slave> on
 * older kernels. Any file that is missing means "no data" (upstream tests
 * for ErrNotExist); any other read error fails the collector.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw2_parse.h"
#include "log.h"
#include "node.h"

/* A list of interface names; far larger than any real one. */
#define BOND_FILE_MAX (1u << 20)

#define NET_DIR "class/net"

static const struct metric_desc slaves_desc = {
	.name = "node_bonding_slaves",
	.help = "Number of configured slaves per bonding interface.",
	.type = METRIC_GAUGE,
	.labels = LABELS("master"),
};

static const struct metric_desc active_desc = {
	.name = "node_bonding_active",
	.help = "Number of active slaves per bonding interface.",
	.type = METRIC_GAUGE,
	.labels = LABELS("master"),
};

struct bond_master {
	const char *name;	/* points into the masters' word list */
	unsigned slaves, active;
};

/* ---- parsing ------------------------------------------------------------ */

static bool bond_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

size_t hw2_split_words(const char *text, struct buf *out)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		while (bond_blank(*p))
			p++;
		if (!*p)
			return n;
		const char *start = p;
		while (*p && !bond_blank(*p))
			p++;
		buf_add(out, start, (size_t)(p - start));
		buf_addc(out, '\0');
		n++;
	}
}

/* ---- reading ------------------------------------------------------------ */

/* Reads root/rel into text; logs a failure at debug level. */
static int bond_read(const char *root, const char *rel, struct buf *text)
{
	struct buf path = BUF_INIT;
	int err;

	fs_join(&path, root, rel);
	err = fs_read_file(buf_cstr(&path), text, BOND_FILE_MAX);
	if (err)
		log_debug("bonding file unreadable", "path", buf_cstr(&path),
			  "err", strerror(-err));
	buf_release(&path);
	return err;
}

/* Reads one slave's mii_status; sets *up when it is "up". */
static int bond_read_slave(const char *root, const char *master,
			   const char *slave, bool *up)
{
	struct buf rel = BUF_INIT, text = BUF_INIT, trimmed = BUF_INIT;
	int err;

	buf_addf(&rel, "%s/lower_%s/bonding_slave/mii_status", master, slave);
	err = bond_read(root, buf_cstr(&rel), &text);
	if (err == -ENOENT) {
		buf_truncate(&rel, 0);
		buf_addf(&rel, "%s/slave_%s/bonding_slave/mii_status", master,
			 slave);
		err = bond_read(root, buf_cstr(&rel), &text);
	}
	if (!err)
		*up = !strcmp(hw2_trim_into(buf_cstr(&text), &trimmed), "up");
	buf_release(&trimmed);
	buf_release(&text);
	buf_release(&rel);
	return err;
}

/* Counts the slaves of m and those whose link is up. */
static int bond_read_master(const char *root, struct bond_master *m)
{
	struct buf rel = BUF_INIT, text = BUF_INIT, words = BUF_INIT;
	const char *slave;
	size_t n;
	int err;

	buf_addf(&rel, "%s/bonding/slaves", m->name);
	err = bond_read(root, buf_cstr(&rel), &text);
	n = err ? 0 : hw2_split_words(buf_cstr(&text), &words);
	slave = buf_cstr(&words);
	for (size_t i = 0; i < n && !err; i++, slave += strlen(slave) + 1) {
		bool up = false;

		err = bond_read_slave(root, m->name, slave, &up);
		m->slaves++;
		m->active += up;
	}
	buf_release(&words);
	buf_release(&text);
	buf_release(&rel);
	return err;
}

static int bond_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bond_master *)a)->name,
		      ((const struct bond_master *)b)->name);
}

/* Writes both families, masters in name order (a name listed twice is
 * one master to upstream: the last count wins). */
static void bond_write(struct expo *w, struct bond_master *v, size_t n)
{
	size_t kept = 0;

	qsort(v, n, sizeof(*v), bond_name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (kept && !strcmp(v[kept - 1].name, v[i].name))
			kept--;
		v[kept++] = v[i];
	}
	expo_family(w, &active_desc);
	for (size_t i = 0; i < kept; i++)
		expo_sample(w, v[i].active, v[i].name);
	expo_family(w, &slaves_desc);
	for (size_t i = 0; i < kept; i++)
		expo_sample(w, v[i].slaves, v[i].name);
}

static int bonding_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf root = BUF_INIT, text = BUF_INIT, words = BUF_INIT;
	struct bond_master *v = NULL;
	const char *name;
	size_t n = 0;
	int err;

	fs_join(&root, cfg->sysfs, NET_DIR);
	err = bond_read(buf_cstr(&root), "bonding_masters", &text);
	if (!err) {
		n = hw2_split_words(buf_cstr(&text), &words);
		v = calloc(n ? n : 1, sizeof(*v));
		if (!v)
			abort();
	}
	name = buf_cstr(&words);
	for (size_t i = 0; i < n && !err; i++, name += strlen(name) + 1) {
		v[i].name = name;
		err = bond_read_master(buf_cstr(&root), &v[i]);
	}
	if (!err && n)
		bond_write(w, v, n);
	free(v);
	buf_release(&words);
	buf_release(&text);
	buf_release(&root);
	return err == -ENOENT ? -ENODATA : err;
}

const struct collector bonding_collector = {
	.name = "bonding",
	.enabled_by_default = true,
	.collect = bonding_collect,
};
