/*
 * pressure: pressure stall information (PSI) from /proc/pressure, as
 * node_exporter 1.5's pressure collector exposes it: the "some" totals of
 * cpu, io and memory, and the "full" totals of io and memory, in seconds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "node.h"
#include "node_parse.h"

static const struct metric_desc cpu_desc = {
	.name = "node_pressure_cpu_waiting_seconds_total",
	.help = "Total time in seconds that processes have waited for CPU time",
	.type = METRIC_COUNTER,
};

static const struct metric_desc io_stalled_desc = {
	.name = "node_pressure_io_stalled_seconds_total",
	.help = "Total time in seconds no process could make progress due to IO congestion",
	.type = METRIC_COUNTER,
};

static const struct metric_desc io_waiting_desc = {
	.name = "node_pressure_io_waiting_seconds_total",
	.help = "Total time in seconds that processes have waited due to IO congestion",
	.type = METRIC_COUNTER,
};

static const struct metric_desc memory_stalled_desc = {
	.name = "node_pressure_memory_stalled_seconds_total",
	.help = "Total time in seconds no process could make progress due to memory congestion",
	.type = METRIC_COUNTER,
};

static const struct metric_desc memory_waiting_desc = {
	.name = "node_pressure_memory_waiting_seconds_total",
	.help = "Total time in seconds that processes have waited for memory",
	.type = METRIC_COUNTER,
};

/* Parses "key=<float>" at word w. */
static bool psi_avg(struct node_word w, const char *key, double *out)
{
	size_t klen = strlen(key);

	return w.len > klen && memcmp(w.s, key, klen) == 0 &&
	       disk_parse_float(w.s + klen, w.len - klen, out);
}

/*
 * Parses the words after "some"/"full": upstream's Sscanf format
 * "avg10=%f avg60=%f avg300=%f total=%d". Words after total are ignored,
 * as Sscanf ignores what follows its last verb.
 */
static int psi_parse_line(const char *s, const char *end, struct psi_line *l)
{
	struct node_word w[5];
	const char *p;

	if (node_split_words(s, end, w, 5) < 5)
		return -EINVAL;
	if (!psi_avg(w[1], "avg10=", &l->avg10) ||
	    !psi_avg(w[2], "avg60=", &l->avg60) ||
	    !psi_avg(w[3], "avg300=", &l->avg300))
		return -EINVAL;
	if (w[4].len <= 6 || memcmp(w[4].s, "total=", 6) != 0)
		return -EINVAL;
	p = w[4].s + 6;
	if (!node_parse_u64(&p, &l->total) || p != w[4].s + w[4].len)
		return -EINVAL;
	l->present = true;
	return 0;
}

int pressure_parse(const char *text, struct psi_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *s = text; *s;) {
		const char *end = node_line_end(s);
		/* Upstream takes the text before the first space as the kind. */
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		size_t klen = (size_t)((sp ? sp : end) - s);
		int err = 0;

		if (klen == 4 && memcmp(s, "some", 4) == 0)
			err = psi_parse_line(s, end, &out->some);
		else if (klen == 4 && memcmp(s, "full", 4) == 0)
			err = psi_parse_line(s, end, &out->full);
		if (err)
			return err;
		s = *end ? end + 1 : end;
	}
	return 0;
}

/* Reads and parses <procfs>/pressure/<resource>. */
static int pressure_read(const char *procfs, const char *resource,
			 struct psi_stats *st)
{
	struct buf path = BUF_INIT, text = BUF_INIT, rel = BUF_INIT;
	int err;

	buf_addf(&rel, "pressure/%s", resource);
	err = fs_read_file(fs_join(&path, procfs, buf_cstr(&rel)), &text,
			   FS_READ_MAX);
	if (!err)
		err = pressure_parse(buf_cstr(&text), st);
	buf_release(&rel);
	buf_release(&text);
	buf_release(&path);
	return err;
}

static double psi_seconds(const struct psi_line *l)
{
	/* Two divisions, as upstream writes it: the doubles must agree. */
	return (double)l->total / 1000.0 / 1000.0;
}

/*
 * Without PSI (kernels before 4.20, or CONFIG_PSI off) the files are
 * missing and the collector reports no data (-ENODATA), as upstream's
 * ErrNoData: unsuccessful, logged at debug level only. A resource without a line upstream
 * dereferences (cpu "some", io and memory "some" and "full") would crash
 * upstream; here it fails the collector.
 */
static int pressure_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct psi_stats cpu, io, mem;
	int err;

	err = pressure_read(cfg->procfs, "cpu", &cpu);
	if (!err)
		err = pressure_read(cfg->procfs, "io", &io);
	if (!err)
		err = pressure_read(cfg->procfs, "memory", &mem);
	if (err == -ENOENT)
		return -ENODATA; /* no PSI on this kernel: upstream's ErrNoData */
	if (err)
		return err;
	if (!cpu.some.present || !io.some.present || !io.full.present ||
	    !mem.some.present || !mem.full.present)
		return -EINVAL;
	expo_family(w, &cpu_desc);
	expo_value(w, psi_seconds(&cpu.some));
	expo_family(w, &io_stalled_desc);
	expo_value(w, psi_seconds(&io.full));
	expo_family(w, &io_waiting_desc);
	expo_value(w, psi_seconds(&io.some));
	expo_family(w, &memory_stalled_desc);
	expo_value(w, psi_seconds(&mem.full));
	expo_family(w, &memory_waiting_desc);
	expo_value(w, psi_seconds(&mem.some));
	return 0;
}

const struct collector pressure_collector = {
	.name = "pressure",
	.enabled_by_default = true,
	.collect = pressure_collect,
};
