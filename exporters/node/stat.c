/*
 * stat: the system-wide counters of /proc/stat (boot time, context switches,
 * forks, interrupts, runnable and blocked processes), as node_exporter's
 * stat collector exposes them. The cpuN lines belong to the cpu collector.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fsutil.h"
#include "node.h"
#include "node_parse.h"

static const struct metric_desc boot_time_desc = {
	.name = "node_boot_time_seconds",
	.help = "Node boot time, in unixtime.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc context_switches_desc = {
	.name = "node_context_switches_total",
	.help = "Total number of context switches.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc forks_desc = {
	.name = "node_forks_total",
	.help = "Total number of forks.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc intr_desc = {
	.name = "node_intr_total",
	.help = "Total number of interrupts serviced.",
	.type = METRIC_COUNTER,
};

static const struct metric_desc procs_blocked_desc = {
	.name = "node_procs_blocked",
	.help = "Number of processes blocked waiting for I/O to complete.",
	.type = METRIC_GAUGE,
};

static const struct metric_desc procs_running_desc = {
	.name = "node_procs_running",
	.help = "Number of processes in runnable state.",
	.type = METRIC_GAUGE,
};

/* The single-number lines of /proc/stat we read, and where each goes. */
static const struct {
	const char *key;
	size_t offset;
	bool more;	/* more numbers follow (intr: one per IRQ) */
} stat_keys[] = {
	{ "btime", offsetof(struct proc_stat, btime), false },
	{ "ctxt", offsetof(struct proc_stat, ctxt), false },
	{ "intr", offsetof(struct proc_stat, intr), true },
	{ "processes", offsetof(struct proc_stat, processes), false },
	{ "procs_blocked", offsetof(struct proc_stat, procs_blocked), false },
	{ "procs_running", offsetof(struct proc_stat, procs_running), false },
};

#define NKEYS (sizeof(stat_keys) / sizeof(stat_keys[0]))

/*
 * Checks the per-IRQ counts after the intr total: upstream parses them too,
 * so a garbled intr line fails the collector there as well.
 */
static bool intr_counts_ok(const char *s, const char *end)
{
	for (;;) {
		uint64_t v;

		while (s < end && node_is_blank(*s))
			s++;
		if (s == end)
			return true;
		if (!node_parse_u64(&s, &v))
			return false;
		if (s < end && !node_is_blank(*s))
			return false;
	}
}

/* The softirq line: the total, then at least the ten vectors we name. */
static int parse_softirq(struct proc_stat *st, const char *s, const char *end)
{
	struct node_word w[13];
	size_t n = node_split_words(s, end, w, 13);
	uint64_t total;

	if (n < 12 || !node_word_u64(w[1], &total))
		return -EINVAL;
	for (size_t i = 0; i < 10; i++)
		if (!node_word_u64(w[2 + i], &st->softirq[i]))
			return -EINVAL;
	return 0;
}

/*
 * Parses one line [s, end). Sets *known when it is a line we read (or a cpu
 * line, which tells us this is /proc/stat). Lines with fewer than two words
 * are skipped, as upstream skips them.
 */
static int stat_parse_line(struct proc_stat *st, const char *s,
			   const char *end, bool *known)
{
	struct node_word w[2];

	if (node_split_words(s, end, w, 2) < 2)
		return 0;
	if (w[0].len >= 3 && memcmp(w[0].s, "cpu", 3) == 0) {
		*known = true;
		return 0;
	}
	if (node_word_is(w[0], "softirq")) {
		*known = true;
		return parse_softirq(st, s, end);
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (!node_word_is(w[0], stat_keys[i].key))
			continue;
		char *field = (char *)st + stat_keys[i].offset;

		*known = true;
		if (!node_word_u64(w[1], (uint64_t *)field))
			return -EINVAL;
		if (stat_keys[i].more &&
		    !intr_counts_ok(w[1].s + w[1].len, end))
			return -EINVAL;
		return 0;
	}
	return 0;
}

int stat_parse(const char *text, struct proc_stat *st)
{
	bool known = false;
	int err = 0;

	memset(st, 0, sizeof(*st));
	for (const char *s = text; *s && !err;) {
		const char *end = node_line_end(s);

		err = stat_parse_line(st, s, end, &known);
		s = *end ? end + 1 : end;
	}
	if (!err && !known)
		err = -EINVAL;
	return err;
}

static const struct metric_desc softirqs_desc = {
	.name = "node_softirqs_total",
	.help = "Number of softirq calls.",
	.type = METRIC_COUNTER,
	.labels = LABELS("vector"),
};

/* Sorted by vector name, as upstream's output has them: index, name. */
static const struct { int index; const char *name; } softirq_vectors[] = {
	{ 4, "block" }, { 5, "block_iopoll" }, { 0, "hi" }, { 8, "hrtimer" },
	{ 3, "net_rx" }, { 2, "net_tx" }, { 9, "rcu" }, { 7, "sched" },
	{ 6, "tasklet" }, { 1, "timer" },
};

/* Families in the order node_exporter's sorted output has them. */
static void stat_write(struct expo *w, const struct proc_stat *st,
		       bool softirq)
{
	expo_family(w, &boot_time_desc);
	expo_value(w, (double)st->btime);
	expo_family(w, &context_switches_desc);
	expo_value(w, (double)st->ctxt);
	expo_family(w, &forks_desc);
	expo_value(w, (double)st->processes);
	expo_family(w, &intr_desc);
	expo_value(w, (double)st->intr);
	expo_family(w, &procs_blocked_desc);
	expo_value(w, (double)st->procs_blocked);
	expo_family(w, &procs_running_desc);
	expo_value(w, (double)st->procs_running);
	if (!softirq)
		return;
	expo_family(w, &softirqs_desc);
	for (size_t i = 0; i < 10; i++)
		expo_sample(w, (double)st->softirq[softirq_vectors[i].index],
			    softirq_vectors[i].name);
}

static int stat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct proc_stat st;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "stat"), &text,
			   FS_READ_MAX);
	if (!err)
		err = stat_parse(buf_cstr(&text), &st);
	if (!err)
		stat_write(w, &st, cfg->stat_softirq);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector stat_collector = {
	.name = "stat",
	.enabled_by_default = true,
	.collect = stat_collect,
};
