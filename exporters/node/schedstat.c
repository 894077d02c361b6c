/*
 * schedstat: per-CPU scheduler statistics from /proc/schedstat, as
 * node_exporter 1.5's schedstat collector reports them: time spent running
 * and waiting (nanoseconds, shown in seconds) and timeslices run.
 *
 * A missing file is "no data" (a kernel without CONFIG_SCHEDSTATS); lines
 * that are not what procfs's pattern expects are skipped, never an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw1_parse.h"
#include "node.h"
#include "node_parse.h"

/* Go's bufio.Scanner gives up on a line this long (without its '\n'). */
#define SCAN_LINE_MAX 65536

/* cpuN and the nine numbers after it. */
#define SCHEDSTAT_FIELDS 10

static const struct metric_desc running_desc = {
	.name = "node_schedstat_running_seconds_total",
	.help = "Number of seconds CPU spent running a process.",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

static const struct metric_desc timeslices_desc = {
	.name = "node_schedstat_timeslices_total",
	.help = "Number of timeslices executed by CPU.",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

static const struct metric_desc waiting_desc = {
	.name = "node_schedstat_waiting_seconds_total",
	.help = "Number of seconds spent by processing waiting for this CPU.",
	.type = METRIC_COUNTER,
	.labels = LABELS("cpu"),
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Matches `(\d+)( (\d+)){9}` at p, before end, into f[]. Digit runs are
 * maximal wherever a single space must follow them, so there is only one
 * way to match and no backtracking is needed.
 */
static bool match_fields(const char *p, const char *end,
			 struct node_word f[SCHEDSTAT_FIELDS])
{
	for (size_t i = 0; i < SCHEDSTAT_FIELDS; i++) {
		const char *s;

		if (i > 0) {
			if (p == end || *p != ' ')
				return false;
			p++;
		}
		s = p;
		while (p < end && is_digit(*p))
			p++;
		if (p == s)
			return false;
		f[i] = (struct node_word){ s, (size_t)(p - s) };
	}
	return true;
}

/* The leftmost match of the pattern in [s, end), as Go's regexp finds it. */
static bool match_line(const char *s, const char *end,
		       struct node_word f[SCHEDSTAT_FIELDS])
{
	for (const char *p = s; end - p >= 3; p++)
		if (!memcmp(p, "cpu", 3) && match_fields(p + 3, end, f))
			return true;
	return false;
}

static void cpu_add(struct schedstat *st, struct node_word cpu,
		    const uint64_t v[3])
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		struct schedstat_cpu *nv = realloc(st->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		st->v = nv;
		st->cap = cap;
	}
	st->v[st->n++] = (struct schedstat_cpu){
		st->names.len, v[0], v[1], v[2],
	};
	buf_add(&st->names, cpu.s, cpu.len);
	buf_addc(&st->names, '\0');
}

void schedstat_parse(const char *text, size_t len, struct schedstat *out)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		struct node_word f[SCHEDSTAT_FIELDS];
		uint64_t v[3];

		if (eol - s >= SCAN_LINE_MAX)
			return;
		if (match_line(s, eol, f) && node_word_u64(f[7], &v[0]) &&
		    node_word_u64(f[8], &v[1]) && node_word_u64(f[9], &v[2]))
			cpu_add(out, f[0], v);
		s = nl ? nl + 1 : end;
	}
}

const char *schedstat_cpu_name(const struct schedstat *s, size_t i)
{
	return s->names.data + s->v[i].cpu;
}

void schedstat_release(struct schedstat *s)
{
	buf_release(&s->names);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* Samples sort by CPU as a string; a CPU seen again keeps its first line. */
static int cpu_cmp(const void *a, const void *b, void *names)
{
	const struct schedstat_cpu *x = a, *y = b;
	int c = strcmp((char *)names + x->cpu, (char *)names + y->cpu);

	if (c)
		return c;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static void family_write(struct expo *w, const struct metric_desc *d,
			 const struct schedstat *st, size_t field)
{
	expo_family(w, d);
	for (size_t i = 0; i < st->n; i++) {
		const struct schedstat_cpu *c = &st->v[i];
		double v = field == 0 ? (double)c->running_ns / 1e9 :
			   field == 1 ? (double)c->waiting_ns / 1e9 :
					(double)c->timeslices;

		if (i && !strcmp(schedstat_cpu_name(st, i),
				 schedstat_cpu_name(st, i - 1)))
			continue;
		expo_sample(w, v, schedstat_cpu_name(st, i));
	}
}

static int schedstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct schedstat st = SCHEDSTAT_INIT;
	struct buf path = BUF_INIT, text = BUF_INIT;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "schedstat"), &text,
			   FS_READ_MAX);
	if (err == -ENOENT)
		err = -ENODATA;
	if (!err)
		schedstat_parse(text.data ? text.data : "", text.len, &st);
	if (!err && st.n) {
		qsort_r(st.v, st.n, sizeof(*st.v), cpu_cmp, st.names.data);
		family_write(w, &running_desc, &st, 0);
		family_write(w, &timeslices_desc, &st, 2);
		family_write(w, &waiting_desc, &st, 1);
	}
	schedstat_release(&st);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector schedstat_collector = {
	.name = "schedstat",
	.enabled_by_default = true,
	.collect = schedstat_collect,
};
