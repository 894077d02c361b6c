/*
 * expo: the Prometheus exposition writer.
 *
 * A collector announces a family with expo_family() and then writes its
 * samples with expo_sample() (label values in the order of the descriptor's
 * label names) or expo_value() (no labels). HELP and TYPE are written once per
 * family; a family announced twice in one writer is a programming error: its
 * samples are dropped and counted in `errors`, so a scrape never carries a
 * split or duplicated family.
 *
 * Two formats: the text format 0.0.4, and OpenMetrics 1.0 (chosen when the
 * scrape's Accept header asks for it). In OpenMetrics a counter family is
 * named without its `_total` suffix; a counter whose name lacks `_total`
 * (several upstream exporters have them) is written as `unknown`, so that the
 * series keeps exactly the name dashboards know.
 */
#ifndef EXPORTERBOX_EXPO_H
#define EXPORTERBOX_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum expo_format { EXPO_TEXT, EXPO_OPENMETRICS };

enum metric_type {
	METRIC_GAUGE,
	METRIC_COUNTER,
	METRIC_UNTYPED,
	METRIC_SUMMARY,
	METRIC_HISTOGRAM,
};

struct metric_desc {
	const char *name;
	const char *help;		/* one sentence, upstream's text; may be NULL */
	enum metric_type type;
	const char *const *labels;	/* NULL-terminated label names, or NULL */
};

/* Label name lists for descriptors: LABELS("device", "fstype"). */
#define LABELS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define EXPO_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define EXPO_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

struct expo {
	struct buf *out;		/* not owned */
	enum expo_format format;
	const struct metric_desc *family;
	size_t nlabels;			/* label names of the current family */
	bool discard;			/* current family is a duplicate */
	unsigned errors;		/* programming errors seen (see above) */
	uint64_t *seen;			/* open-addressing set of family name hashes */
	size_t seen_cap, seen_len;
};

void expo_init(struct expo *w, struct buf *out, enum expo_format format);
void expo_release(struct expo *w);

/* Starts a family. The descriptor must stay valid until the next call. */
void expo_family(struct expo *w, const struct metric_desc *d);

/*
 * Writes a sample of the current family. `values` holds exactly as many label
 * values as the family has label names, then NULL; a mismatch is counted in
 * `errors` and the sample dropped.
 */
void expo_samplev(struct expo *w, const char *const *values, double v);
#define expo_sample(w, v, ...) \
	expo_samplev((w), (const char *const[]){ __VA_ARGS__, NULL }, (v))
#define expo_value(w, v) expo_samplev((w), NULL, (v))

/*
 * Writes a sample with its own label pairs and a name suffix ("_bucket",
 * "_sum", ...; "" for none), for families whose samples do not share one
 * label set (re-exposed text files, summaries, histograms).
 */
void expo_sample_raw(struct expo *w, const char *suffix,
		     const char *const *names, const char *const *values,
		     size_t n, double v);

/* Ends the exposition (OpenMetrics needs "# EOF"). */
void expo_finish(struct expo *w);

/*
 * Formats v as the text format spells it: NaN, +Inf, -Inf, integral values up
 * to 2^64 in magnitude as plain integers (no exponent), otherwise the shortest
 * representation that parses back to the same double. Returns the length written to out.
 */
#define EXPO_NUMBER_MAX 32
size_t expo_format_number(char out[EXPO_NUMBER_MAX], double v);

/* Appends a label value escaped for the text format (\\, \", \n) with
 * invalid UTF-8 replaced by U+FFFD, so any input yields a valid exposition. */
void expo_escape_label(struct buf *b, const char *s);
/* Appends HELP text escaped (\\, \n; OpenMetrics also \"). */
void expo_escape_help(struct buf *b, const char *s, enum expo_format format);

/* True when s is a valid metric (colons allowed) or label name. */
bool expo_valid_metric_name(const char *s);
bool expo_valid_label_name(const char *s);

/* Chooses the format from an HTTP Accept header (NULL: text). */
enum expo_format expo_negotiate(const char *accept);
const char *expo_content_type(enum expo_format format);

#endif
