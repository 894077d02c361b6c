/*
 * Fuzzes the parsers of /proc and /sys text used by the node collectors.
 * The first byte picks the parser; the rest is its input, NUL-terminated as
 * the collectors hand it over. Besides not crashing, each parser's promises
 * are checked: meminfo keys make valid, sorted, unique metric names; cpu
 * entries are sorted by id without repeats; uname values are bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "buf.h"
#include "expo.h"
#include "node_parse.h"

static void check_meminfo(const struct meminfo *m)
{
	struct buf name = BUF_INIT;

	for (size_t i = 0; i < m->n; i++) {
		buf_truncate(&name, 0);
		buf_addf(&name, "node_memory_%s", meminfo_key(m, i));
		if (!expo_valid_metric_name(buf_cstr(&name)))
			abort();
		if (i && strcmp(meminfo_key(m, i - 1), meminfo_key(m, i)) >= 0)
			abort();
	}
	buf_release(&name);
}

static void fuzz_meminfo(const char *s)
{
	struct meminfo m = MEMINFO_INIT;

	if (meminfo_parse(s, &m) == 0)
		check_meminfo(&m);
	meminfo_release(&m);
}

static void fuzz_cpu(const char *s)
{
	struct cpu_stats st = CPU_STATS_INIT;

	if (cpu_parse_stat(s, &st) == 0)
		for (size_t i = 1; i < st.n; i++)
			if (st.v[i - 1].id >= st.v[i].id)
				abort();
	cpu_stats_release(&st);
}

static void fuzz_words(const char *s)
{
	struct buf b = BUF_INIT;
	size_t n = time_split_words(s, &b);
	size_t seen = 0;

	for (size_t off = 0; off < b.len; off += strlen(b.data + off) + 1) {
		if (!b.data[off])
			abort();	/* no empty words */
		seen++;
	}
	if (seen != n)
		abort();
	buf_release(&b);
}

/* Raw bytes as a utsname: fields need not be NUL-terminated. */
static void fuzz_uname(const uint8_t *data, size_t size)
{
	struct utsname u;
	struct buf b = BUF_INIT;
	const char *v[UNAME_NLABELS];

	memset(&u, 0, sizeof(u));
	memcpy(&u, data, size < sizeof(u) ? size : sizeof(u));
	uname_label_values(&u, &b, v);
	if (strlen(v[UNAME_VERSION]) > sizeof(u.version))
		abort();
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	double load[3];
	uint64_t u;
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
		loadavg_parse(s, load);
		break;
	case 1:
		fuzz_meminfo(s);
		break;
	case 2:
		stat_parse(s, &st);
		break;
	case 3:
		fuzz_cpu(s);
		break;
	case 4:
		cpu_parse_sysfs_u64(s, &u);
		break;
	case 5:
		fuzz_words(s);
		break;
	case 6:
		fuzz_uname(data + 1, size - 1);
		break;
	}
	free(s);
	return 0;
}
