/*
 * node_parse: the pure parsers behind the procfs/sysfs node collectors
 * (cpu, loadavg, meminfo, stat, time, uname).
 *
 * Each takes the text of one file as a NUL-terminated string and fills a
 * plain struct; none touches the file system, so the unit tests and the
 * fuzzer call them directly. They return 0, or -EINVAL for text that is not
 * what the kernel writes; on error the output holds nothing worth using.
 */
#ifndef EXPORTERBOX_NODE_PARSE_H
#define EXPORTERBOX_NODE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>

#include "buf.h"

/*
 * Parses one unsigned decimal token at *p (no sign, no leading blanks) and
 * moves *p past it. Returns false on no digits or on overflow past 2^64-1,
 * the two ways a kernel counter can be misread. Inline because every parser
 * below shares it and none of them owns it.
 */
static inline bool node_parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return true;
}

/* Skips spaces and tabs (not newlines: the parsers are line based). */
static inline const char *node_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

struct node_word {
	const char *s;
	size_t len;
};

/* Blanks inside a line, as Go's strings.Fields sees them; '\n' ends it. */
static inline bool node_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * Splits the line [s, end) into words as Go's strings.Fields does. Fills at
 * most max words and returns how many there are in all, so a caller can
 * tell "too many" from "exactly max".
 */
static inline size_t node_split_words(const char *s, const char *end,
				      struct node_word *w, size_t max)
{
	size_t n = 0;

	while (s < end) {
		while (s < end && node_is_blank(*s))
			s++;
		if (s == end)
			break;
		const char *start = s;
		while (s < end && !node_is_blank(*s))
			s++;
		if (n < max)
			w[n] = (struct node_word){ start, (size_t)(s - start) };
		n++;
	}
	return n;
}

/* The end of the line starting at s: its '\n' or the terminating NUL. */
static inline const char *node_line_end(const char *s)
{
	while (*s && *s != '\n')
		s++;
	return s;
}

/* True when word w is exactly the string lit. */
static inline bool node_word_is(struct node_word w, const char *lit)
{
	size_t i = 0;

	for (; i < w.len && lit[i]; i++)
		if (w.s[i] != lit[i])
			return false;
	return i == w.len && !lit[i];
}

/* Parses word w as an unsigned decimal that fills the whole word. */
static inline bool node_word_u64(struct node_word w, uint64_t *out)
{
	const char *p = w.s;

	return node_parse_u64(&p, out) && p == w.s + w.len;
}

/* ---- loadavg.c: /proc/loadavg ------------------------------------------ */

/* "0.53 0.16 0.05 2/86 6242" -> the three averages, in that order. */
int loadavg_parse(const char *text, double load[3]);

/* ---- meminfo.c: /proc/meminfo ------------------------------------------ */

struct meminfo_field {
	size_t key;		/* where its key starts in names */
	double value;		/* bytes for kB fields, else as written */
};

struct meminfo {
	struct buf names;	/* keys, NUL-separated */
	struct meminfo_field *v;
	size_t n, cap;
};

#define MEMINFO_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses /proc/meminfo into keys as node_exporter names them: "(x)" becomes
 * "_x" and fields with a unit get "_bytes" and are scaled by 1024
 * ("Active(anon): 12 kB" -> Active_anon_bytes = 12288). A key seen twice
 * keeps its last value. Keys that would not make a valid metric name are
 * skipped. The result is sorted by key; free it with meminfo_release().
 */
int meminfo_parse(const char *text, struct meminfo *out);
const char *meminfo_key(const struct meminfo *m, size_t i);
void meminfo_release(struct meminfo *m);

/* ---- stat.c: the scalar lines of /proc/stat ----------------------------- */

struct proc_stat {
	uint64_t btime;
	uint64_t ctxt;
	uint64_t processes;
	uint64_t intr;		/* the first number of intr: the total */
	uint64_t procs_running;
	uint64_t procs_blocked;
	/* softirq: hi, timer, net_tx, net_rx, block, block_iopoll, tasklet,
	 * sched, hrtimer, rcu (--collector.stat.softirq). */
	uint64_t softirq[10];
};

/*
 * Fills st from /proc/stat; lines absent from the file leave 0 (as the Go
 * procfs library does). -EINVAL when a known line has no number or one that
 * overflows, when the softirq line has fewer than its total and ten
 * vectors, or when the text has neither a cpu line nor any known line.
 */
int stat_parse(const char *text, struct proc_stat *st);

/* ---- cpu_info.c: /proc/cpuinfo (--collector.cpu.info) -------------------- */

/* The fields of one processor that node_cpu_info and friends report. */
struct cpu_info {
	char *processor;	/* decimal */
	char *vendor, *family, *model, *model_name, *stepping, *microcode;
	char *cache_size, *physical_id, *core_id;
	char *flags, *bugs;	/* the raw lists, blank-separated */
};

struct cpu_infos {
	struct cpu_info *v;
	size_t n, cap;
};

/*
 * Parses /proc/cpuinfo in its x86 layout as procfs does: the first
 * non-blank line must be "processor : N" and each "processor" line starts
 * a CPU; "key : value" lines fill it ("key" trimmed, the value as written
 * after ": "); lines without ':' are skipped. The numeric fields procfs
 * parses (processor, siblings, cpu cores, cpuid level, clflush size,
 * cache_alignment as Go uints; cpu MHz, bogomips as floats) must parse, or
 * -EINVAL. Free with cpu_infos_release().
 */
int cpu_info_parse(const char *text, struct cpu_infos *out);
void cpu_infos_release(struct cpu_infos *c);

/* ---- cpu.c: the cpuN lines of /proc/stat and thermal throttles ---------- */

/* Seconds (jiffies / USER_HZ), in /proc/stat's column order. */
enum cpu_mode {
	CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
	CPU_SOFTIRQ, CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_NMODES,
};

/* Go's procfs divides by a fixed 100, whatever the kernel's HZ. */
#define CPU_USER_HZ 100.0

struct cpu_stat {
	uint32_t id;			/* N of "cpuN" */
	double t[CPU_NMODES];
};

struct cpu_stats {
	struct cpu_stat *v;
	size_t n, cap;
};

#define CPU_STATS_INIT { NULL, 0, 0 }

/*
 * Adds one entry per "cpuN" line of /proc/stat to out, kept sorted by id;
 * the aggregate "cpu" line is checked but not kept. Missing trailing
 * columns (older kernels write 7 to 9) are 0, extra ones are ignored, and a
 * line without any number is skipped, as the Go procfs library does.
 * -EINVAL on a bad number or CPU number, and on text without a cpu line.
 */
int cpu_parse_stat(const char *text, struct cpu_stats *out);
void cpu_stats_release(struct cpu_stats *s);

/*
 * Parses a one-number sysfs attribute ("12\n"), blanks around it allowed,
 * as node_exporter's readUintFromFile does.
 */
int cpu_parse_sysfs_u64(const char *text, uint64_t *out);

/* ---- time.c: clocksource attributes ------------------------------------- */

/*
 * Splits a space-separated list (available_clocksource) into its words,
 * appending each word NUL-terminated to out. Returns the number of words.
 */
size_t time_split_words(const char *text, struct buf *out);

/* ---- uname.c ------------------------------------------------------------ */

/* node_uname_info's labels, sorted as node_exporter prints them. */
enum uname_label {
	UNAME_DOMAINNAME, UNAME_MACHINE, UNAME_NODENAME, UNAME_RELEASE,
	UNAME_SYSNAME, UNAME_VERSION, UNAME_NLABELS,
};

/*
 * Copies the fields of u into scratch (each one bounded by its array, so an
 * unterminated field cannot be overread) and points values[] at them, in
 * enum uname_label order. values[] stays valid until scratch changes.
 */
void uname_label_values(const struct utsname *u, struct buf *scratch,
			const char *values[UNAME_NLABELS]);

#endif
