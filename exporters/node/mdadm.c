/*
 * mdadm: the software RAID arrays of /proc/mdstat, node_md_*{device}, as
 * node_exporter 1.5's mdadm collector (over the Go procfs library's
 * MDStat) reports them. A host without /proc/mdstat has nothing to report
 * (-ENODATA); a file upstream cannot parse fails the collector.
 *
 * Upstream splits lines with Go's strings.Fields and trims with
 * strings.TrimSpace, which also know the Unicode spaces; here only the
 * ASCII blanks count, which the kernel is the only one to write anyway.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "hw3_parse.h"
#include "log.h"
#include "node.h"
#include "node_parse.h"

/* ---- parsing ------------------------------------------------------------ */

/* One line of the file, without its '\n'. */
struct md_line {
	const char *s;
	size_t len;
};

static bool md_contains(struct md_line l, const char *lit)
{
	return memmem(l.s, l.len, lit, strlen(lit)) != NULL;
}

/* Non-overlapping occurrences of lit in l, as Go's strings.Count. */
static int64_t md_count(struct md_line l, const char *lit)
{
	size_t n = strlen(lit), off = 0;
	int64_t c = 0;
	const char *p;

	while ((p = memmem(l.s + off, l.len - off, lit, n))) {
		c++;
		off = (size_t)(p - l.s) + n;
	}
	return c;
}

static bool md_starts(struct md_line l, const char *lit)
{
	size_t n = strlen(lit);

	return l.len >= n && memcmp(l.s, lit, n) == 0;
}

static bool md_space(char c)
{
	return c == ' ' || node_is_blank(c) || c == '\n';
}

/* True when the line is empty after trimming blanks. */
static bool md_blank(struct md_line l)
{
	for (size_t i = 0; i < l.len; i++)
		if (!md_space(l.s[i]))
			return false;
	return true;
}

/* Splits text at every '\n', as Go's strings.Split: n newlines, n+1 lines. */
static struct md_line *md_split(const char *text, size_t *n)
{
	size_t cap = 1;
	struct md_line *v;
	size_t i = 0;

	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	v = calloc(cap, sizeof(*v));
	if (!v)
		abort();
	for (const char *s = text;; i++) {
		const char *end = node_line_end(s);

		v[i] = (struct md_line){ s, (size_t)(end - s) };
		if (!*end)
			break;
		s = end + 1;
	}
	*n = i + 1;
	return v;
}

/* Go's ParseInt(s, 10, 64) over a span. */
static int md_int(const char *s, size_t n, int64_t *out)
{
	return go_parse_int(s, n, 10, out) ? 0 : -EINVAL;
}

static bool md_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Go's ParseFloat(s, 64) as far as it decides between a number and an
 * error: an optional sign, then "inf", "infinity" or "nan" in any case, or
 * a decimal (digits, '.', exponent) or hexadecimal (0x, mantissa, 'p'
 * exponent required) literal with '_' only between digits. A value past
 * the double range is an error, as Go's ErrRange is.
 */
static int md_float(const char *s, size_t n)
{
	char tmp[64], *end;
	size_t i = 0, k = 0;
	bool hex, digits = false, exp = false;
	double v;

	if (n && (s[0] == '+' || s[0] == '-'))
		i++;
	if ((n - i == 3 && !strncasecmp(s + i, "inf", 3)) ||
	    (n - i == 8 && !strncasecmp(s + i, "infinity", 8)) ||
	    (n == 3 && !strncasecmp(s, "nan", 3)))
		return 0;
	if (n - i >= sizeof(tmp) - 1)
		return -EINVAL;	/* kernel progress numbers are short */
	hex = n - i > 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x';
	if (memchr(s, '_', n) && !go_underscores_ok(s + i, n - i))
		return -EINVAL;
	if (strspn(s, "0123456789abcdefABCDEFxXpP.+-_") < n)
		return -EINVAL;	/* strtod would take blanks, "nan(...)" */
	for (size_t j = 0; j < n; j++) {
		char c = s[j];

		if (c == '_')
			continue;
		if (j >= i + (hex ? 2 : 0) && !exp &&
		    (hex ? go_digit(c) < 16 : md_digit(c)))
			digits = true;
		if ((c | 0x20) == (hex ? 'p' : 'e'))
			exp = true;
		tmp[k++] = c;
	}
	tmp[k] = '\0';
	if (!digits || (hex && !exp))
		return -EINVAL;
	errno = 0;
	v = strtod(tmp, &end);
	if (*end || (isinf(v) && errno == ERANGE))
		return -EINVAL;
	return 0;
}

/* `\((\d+)/\d+\)`: the synced blocks of the first "(done/total)". */
static int md_synced(struct md_line l, int64_t *out)
{
	for (size_t i = 0; i < l.len; i++) {
		size_t a, b, c;

		if (l.s[i] != '(')
			continue;
		for (a = i + 1; a < l.len && md_digit(l.s[a]); a++)
			;
		if (a == i + 1 || a >= l.len || l.s[a] != '/')
			continue;
		for (b = a + 1; b < l.len && md_digit(l.s[b]); b++)
			;
		c = b;
		if (b == a + 1 || c >= l.len || l.s[c] != ')')
			continue;
		return md_int(l.s + i + 1, a - i - 1, out);
	}
	return -EINVAL;
}

/*
 * The capture of `PREFIX(.+)SUFFIX` in l, Go's leftmost-first way: the
 * first PREFIX, then the last SUFFIX (a string, or any of A-Z when it is
 * NULL) that leaves at least one byte between them.
 */
static bool md_capture(struct md_line l, const char *prefix,
		       const char *suffix, struct md_line *cap)
{
	const char *p = memmem(l.s, l.len, prefix, strlen(prefix));
	size_t from, slen = suffix ? strlen(suffix) : 1;

	if (!p)
		return false;
	from = (size_t)(p - l.s) + strlen(prefix);
	for (size_t q = l.len; q-- > from + 1;) {
		bool hit = suffix ? q + slen <= l.len &&
				    !memcmp(l.s + q, suffix, slen) :
				    l.s[q] >= 'A' && l.s[q] <= 'Z';
		if (hit) {
			*cap = (struct md_line){ l.s + from, q - from };
			return true;
		}
	}
	return false;
}

/*
 * Checks a progress line as upstream's evalRecoveryLine: synced blocks,
 * percentage (trimmed), finish minutes and speed must all be there and
 * parse, though only the blocks are reported.
 */
static int md_recovery(struct md_line l, int64_t *synced)
{
	struct md_line c;

	if (md_synced(l, synced))
		return -EINVAL;
	if (!md_capture(l, "= ", "%", &c))
		return -EINVAL;
	while (c.len && md_space(c.s[0])) {
		c.s++;
		c.len--;
	}
	while (c.len && md_space(c.s[c.len - 1]))
		c.len--;
	if (md_float(c.s, c.len))
		return -EINVAL;
	if (!md_capture(l, "finish=", "min", &c) || md_float(c.s, c.len))
		return -EINVAL;
	if (!md_capture(l, "speed=", NULL, &c) || md_float(c.s, c.len))
		return -EINVAL;
	return 0;
}

/*
 * `\[(\d+)/(\d+)\] \[([U_]+)\]` at l.s[q]: fills total and active and
 * returns true when it matches there.
 */
static bool md_disk_brackets(struct md_line l, size_t q, struct md_line *t,
			     struct md_line *a)
{
	size_t i = q + 1, j, k;

	if (l.s[q] != '[')
		return false;
	for (j = i; j < l.len && md_digit(l.s[j]); j++)
		;
	if (j == i || j >= l.len || l.s[j] != '/')
		return false;
	*t = (struct md_line){ l.s + i, j - i };
	i = j + 1;
	for (j = i; j < l.len && md_digit(l.s[j]); j++)
		;
	if (j == i || j + 3 > l.len || memcmp(l.s + j, "] [", 3))
		return false;
	*a = (struct md_line){ l.s + i, j - i };
	for (k = j + 3; k < l.len && (l.s[k] == 'U' || l.s[k] == '_'); k++)
		;
	return k > j + 3 && k < l.len && l.s[k] == ']';
}

/*
 * `(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\]` over the status line: after
 * the first "N blocks ", the last disk-count brackets (the greedy ".*").
 */
static int md_status_counts(struct md_line l, int64_t *total,
			    int64_t *active)
{
	struct md_line t, a;
	size_t from = 0;
	const char *p;

	for (size_t off = 0;
	     (p = memmem(l.s + off, l.len - off, " blocks ", 8)); ) {
		size_t at = (size_t)(p - l.s);

		if (at > 0 && md_digit(l.s[at - 1])) {
			from = at + 8;
			break;
		}
		off = at + 1;
	}
	if (!from)
		return -EINVAL;
	for (size_t q = l.len; q-- > from;) {
		if (!md_disk_brackets(l, q, &t, &a))
			continue;
		if (md_int(t.s, t.len, total) || md_int(a.s, a.len, active))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/* Upstream's evalStatusLine: size, and the disk counts by personality. */
static int md_status(struct md_line dev, struct md_line st,
		     struct md_array *a)
{
	struct node_word w = { NULL, 0 };

	if (node_split_words(st.s, st.s + st.len, &w, 1) < 1)
		return -EINVAL;
	if (md_int(w.s, w.len, &a->blocks_total))
		return -EINVAL;
	if (md_contains(dev, "raid0") || md_contains(dev, "linear")) {
		a->disks_total = md_count(dev, "[");
		a->disks_active = a->disks_total;
		return 0;
	}
	if (md_contains(dev, "inactive"))
		return 0;
	return md_status_counts(st, &a->disks_total, &a->disks_active);
}

/* The state named by the device line's third word. */
static enum md_state md_word_state(struct node_word w)
{
	static const char *const names[MD_NSTATES] = {
		[MD_ACTIVE] = "active", [MD_CHECK] = "checking",
		[MD_INACTIVE] = "inactive", [MD_RECOVERING] = "recovering",
		[MD_RESYNC] = "resyncing",
	};

	for (int i = 0; i < MD_NSTATES; i++)
		if (node_word_is(w, names[i]))
			return (enum md_state)i;
	return MD_OTHER;
}

/* Applies the sync line: state and synced blocks of a busy array. */
static int md_sync(struct md_line l, struct md_array *a)
{
	bool rec = md_contains(l, "recovery"), res = md_contains(l, "resync");
	bool chk = md_contains(l, "check");

	a->blocks_synced = a->blocks_total;
	if (!rec && !res && !chk)
		return 0;
	a->state = rec ? MD_RECOVERING : chk ? MD_CHECK : MD_RESYNC;
	if (md_contains(l, "PENDING") || md_contains(l, "DELAYED")) {
		a->blocks_synced = 0;
		return 0;
	}
	return md_recovery(l, &a->blocks_synced);
}

static struct md_array *md_add(struct md_stat *m, struct node_word name)
{
	struct md_array *a;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct md_array *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			abort();
		m->v = v;
		m->cap = cap;
	}
	a = &m->v[m->n++];
	*a = (struct md_array){ .name = strndup(name.s, name.len) };
	if (!a->name)
		abort();
	return a;
}

/* Parses the array whose device line is lines[i]. */
static int md_parse_array(const struct md_line *lines, size_t n, size_t i,
			  struct md_stat *out)
{
	struct md_line dev = lines[i];
	struct node_word w[3];
	struct md_array *a;
	size_t sync;

	if (node_split_words(dev.s, dev.s + dev.len, w, 3) < 3)
		return -EINVAL;
	if (n <= i + 3)
		return -EINVAL;
	a = md_add(out, w[0]);
	a->state = md_word_state(w[2]);
	a->disks_failed = md_count(dev, "(F)");
	a->disks_spare = md_count(dev, "(S)");
	if (md_status(dev, lines[i + 1], a))
		return -EINVAL;
	sync = i + 2 + md_contains(lines[i + 2], "bitmap");
	return md_sync(lines[sync], a);
}

int mdstat_parse(const char *text, struct md_stat *out)
{
	size_t n;
	struct md_line *lines = md_split(text, &n);
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct md_line l = lines[i];

		if (md_blank(l) || l.s[0] == ' ' ||
		    md_starts(l, "Personalities") || md_starts(l, "unused"))
			continue;
		rc = md_parse_array(lines, n, i, out);
	}
	free(lines);
	return rc;
}

void md_stat_release(struct md_stat *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	*m = (struct md_stat)MD_STAT_INIT;
}

/* ---- writing ------------------------------------------------------------ */

#define DEV LABELS("device")
#define DEV_STATE LABELS("device", "state")

static const struct metric_desc blocks_desc = {
	"node_md_blocks", "Total number of blocks on device.", METRIC_GAUGE, DEV
};
static const struct metric_desc synced_desc = {
	"node_md_blocks_synced", "Number of blocks synced on device.",
	METRIC_GAUGE, DEV
};
static const struct metric_desc disks_desc = {
	"node_md_disks", "Number of active/failed/spare disks of device.",
	METRIC_GAUGE, DEV_STATE
};
static const struct metric_desc required_desc = {
	"node_md_disks_required", "Total number of disks of device.",
	METRIC_GAUGE, DEV
};
static const struct metric_desc state_desc = {
	"node_md_state", "Indicates the state of md-device.", METRIC_GAUGE,
	DEV_STATE
};

/* node_md_state's label values, in enum md_state order. */
static const char *const state_names[MD_NSTATES] = {
	[MD_ACTIVE] = "active", [MD_CHECK] = "check",
	[MD_INACTIVE] = "inactive", [MD_RECOVERING] = "recovering",
	[MD_RESYNC] = "resync",
};

/*
 * Upstream's registry prints samples sorted by label values; of arrays
 * named twice it keeps the first in the file (the later ones are refused
 * as duplicates). by[] points into one array, so addresses are file order.
 */
static int md_cmp(const void *x, const void *y)
{
	const struct md_array *a = *(const struct md_array *const *)x;
	const struct md_array *b = *(const struct md_array *const *)y;
	int c = strcmp(a->name, b->name);

	return c ? c : (a > b) - (a < b);
}

/* Sorts the arrays by name and drops repeated names; returns how many. */
static size_t md_sorted(const struct md_stat *md, const struct md_array **by)
{
	size_t n = 0;

	for (size_t i = 0; i < md->n; i++)
		by[i] = &md->v[i];
	qsort(by, md->n, sizeof(*by), md_cmp);
	for (size_t i = 0; i < md->n; i++)
		if (!n || strcmp(by[n - 1]->name, by[i]->name))
			by[n++] = by[i];
	return n;
}

static void md_write(struct expo *w, const struct md_array *const *v,
		     size_t n)
{
	expo_family(w, &blocks_desc);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, (double)v[i]->blocks_total, v[i]->name);
	expo_family(w, &synced_desc);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, (double)v[i]->blocks_synced, v[i]->name);
	expo_family(w, &disks_desc);
	for (size_t i = 0; i < n; i++) {
		expo_sample(w, (double)v[i]->disks_active, v[i]->name, "active");
		expo_sample(w, (double)v[i]->disks_failed, v[i]->name, "failed");
		expo_sample(w, (double)v[i]->disks_spare, v[i]->name, "spare");
	}
	expo_family(w, &required_desc);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, (double)v[i]->disks_total, v[i]->name);
	expo_family(w, &state_desc);
	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < MD_NSTATES; s++)
			expo_sample(w, v[i]->state == (enum md_state)s,
				    v[i]->name, state_names[s]);
}

static int mdadm_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct md_stat md = MD_STAT_INIT;
	const struct md_array **by;
	struct buf path = BUF_INIT, text = BUF_INIT;
	size_t n;
	int rc;

	rc = fs_read_file(fs_join(&path, cfg->procfs, "mdstat"), &text,
			  FS_READ_MAX);
	if (rc == -ENOENT)
		log_debug("not collecting mdstat, file does not exist",
			  "file", buf_cstr(&path));
	if (rc)
		goto out;
	rc = mdstat_parse(buf_cstr(&text), &md);
	if (rc) {
		log_debug("mdstat does not parse", "file", buf_cstr(&path));
		goto out;
	}
	by = calloc(md.n + 1, sizeof(*by));
	if (!by)
		abort();
	n = md_sorted(&md, by);
	if (n)
		md_write(w, by, n);
	free(by);
out:
	md_stat_release(&md);
	buf_release(&text);
	buf_release(&path);
	return rc == -ENOENT ? -ENODATA : rc;
}

const struct collector mdadm_collector = {
	.name = "mdadm",
	.enabled_by_default = true,
	.collect = mdadm_collect,
};
