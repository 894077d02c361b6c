/*
 * time: the system clock, its time zone, and the kernel's clocksources, as
 * node_exporter's time collector exposes them on Linux.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "node.h"
#include "node_parse.h"
#include "text.h"

/* Attributes are one short line; a longer file is not one of them. */
#define SYSFS_ATTR_MAX 4096

#define CLOCKSOURCE_DIR "devices/system/clocksource"

static const struct metric_desc available_desc = {
	.name = "node_time_clocksource_available_info",
	.help = "Available clocksources read from '/sys/devices/system/clocksource'.",
	.type = METRIC_GAUGE,
	.labels = LABELS("clocksource", "device"),
};

static const struct metric_desc current_desc = {
	.name = "node_time_clocksource_current_info",
	.help = "Current clocksource read from '/sys/devices/system/clocksource'.",
	.type = METRIC_GAUGE,
	.labels = LABELS("clocksource", "device"),
};

static const struct metric_desc seconds_desc = {
	.name = "node_time_seconds",
	.help = "System time in seconds since epoch (1970).",
	.type = METRIC_GAUGE,
};

static const struct metric_desc zone_desc = {
	.name = "node_time_zone_offset_seconds",
	.help = "System time zone offset in seconds.",
	.type = METRIC_GAUGE,
	.labels = LABELS("time_zone"),
};

/* One clocksource sample: a name (offset into the names buffer) and device. */
struct cs_sample {
	size_t name;
	size_t device;
};

struct cs_samples {
	struct buf names;	/* NUL-separated clocksource names */
	struct cs_sample *v;
	size_t n, cap;
};

size_t time_split_words(const char *text, struct buf *out)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return n;
		const char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		buf_add(out, start, (size_t)(p - start));
		buf_addc(out, '\0');
		n++;
	}
}

/* Appends name for the given device (index in glob order). */
static void cs_add(struct cs_samples *s, const char *name, size_t len,
		   size_t device)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct cs_sample *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			abort();
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct cs_sample){ s->names.len, device };
	buf_add(&s->names, name, len);
	buf_addc(&s->names, '\0');
}

static void cs_release(struct cs_samples *s)
{
	buf_release(&s->names);
	free(s->v);
}

/* Reads <dir>/<name>/<attr> into text. */
static int read_attr(const char *dir, const char *name, const char *attr,
		     struct buf *text)
{
	struct buf path = BUF_INIT;
	int err;

	buf_addf(&path, "%s/%s/%s", dir, name, attr);
	err = fs_read_file(buf_cstr(&path), text, SYSFS_ATTR_MAX);
	buf_release(&path);
	return err;
}

/*
 * Adds one clocksourceN directory's samples: each available clocksource,
 * and the current one with surrounding blanks trimmed (upstream keeps it
 * whole otherwise). Either file missing fails the collector, as upstream.
 */
static int cs_read_device(const char *dir, const char *name, size_t device,
			  struct cs_samples *avail, struct cs_samples *cur)
{
	struct buf text = BUF_INIT, words = BUF_INIT;
	int err;

	err = read_attr(dir, name, "available_clocksource", &text);
	if (!err) {
		size_t n = time_split_words(buf_cstr(&text), &words);
		const char *w = buf_cstr(&words);

		for (size_t i = 0; i < n; i++, w += strlen(w) + 1)
			cs_add(avail, w, strlen(w), device);
		err = read_attr(dir, name, "current_clocksource", &text);
	}
	if (!err) {
		const char *s = buf_cstr(&text);
		size_t len = strlen(s);

		while (isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		cs_add(cur, s, len, device);
	}
	buf_release(&words);
	buf_release(&text);
	return err;
}

/* Reads every clocksource device under <sysfs>/devices/system/clocksource. */
static int cs_read(const struct node_config *cfg, struct cs_samples *avail,
		   struct cs_samples *cur)
{
	struct buf dir = BUF_INIT;
	char **names;
	size_t n;
	int err = 0;

	/* Device N is the N-th directory in glob order, as upstream counts. */
	n = fs_list_numbered(fs_join(&dir, cfg->sysfs, CLOCKSOURCE_DIR),
			     "clocksource", &names);
	for (size_t i = 0; i < n && !err; i++)
		err = cs_read_device(buf_cstr(&dir), names[i], i, avail, cur);
	fs_names_free(names, n);
	buf_release(&dir);
	return err;
}

/* Samples sort by clocksource name, then by device as a string. */
static int cs_cmp(const void *a, const void *b, void *names)
{
	const struct cs_sample *x = a, *y = b;
	char dx[TEXT_U64_MAX], dy[TEXT_U64_MAX];
	int c = strcmp((char *)names + x->name, (char *)names + y->name);

	return c ? c : strcmp(text_u64(dx, x->device),
			      text_u64(dy, y->device));
}

static void cs_write(struct expo *w, const struct metric_desc *d,
		     struct cs_samples *s)
{
	char device[TEXT_U64_MAX];

	if (!s->n)
		return;
	qsort_r(s->v, s->n, sizeof(*s->v), cs_cmp, s->names.data);
	expo_family(w, d);
	for (size_t i = 0; i < s->n; i++)
		expo_sample(w, 1, s->names.data + s->v[i].name,
			    text_u64(device, s->v[i].device));
}

/* Writes the clock and its zone, as Go's time.Now() and Zone() give them. */
static void clock_write(struct expo *w)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	expo_family(w, &seconds_desc);
	expo_value(w, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	if (!localtime_r(&ts.tv_sec, &tm))
		return;	/* only for a clock past year 2^31 */
	expo_family(w, &zone_desc);
	expo_sample(w, (double)tm.tm_gmtoff, tm.tm_zone ? tm.tm_zone : "");
}

static int time_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct cs_samples avail = { BUF_INIT, NULL, 0, 0 };
	struct cs_samples cur = { BUF_INIT, NULL, 0, 0 };
	int err;

	err = cs_read(ctx->config, &avail, &cur);
	if (!err) {
		cs_write(w, &available_desc, &avail);
		cs_write(w, &current_desc, &cur);
		clock_write(w);
	}
	cs_release(&cur);
	cs_release(&avail);
	return err;
}

const struct collector time_collector = {
	.name = "time",
	.enabled_by_default = true,
	.collect = time_collect,
};
