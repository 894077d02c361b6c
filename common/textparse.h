/*
 * textparse: a parser of the Prometheus text exposition format 0.0.4, the
 * format node_exporter's textfile collector reads and Prometheus scrapes.
 *
 * It follows the Go parser (prometheus/common expfmt.TextParser) in what it
 * accepts and rejects, so that a file that upstream takes or refuses is taken
 * or refused here too:
 *
 *   - every line ends with '\n', the last one included ("unexpected end of
 *     input stream" otherwise); lines holding only blanks are skipped;
 *   - "# HELP name text" and "# TYPE name type" are read, other comments
 *     skipped; a second HELP or TYPE for a family is an error, and so is a
 *     TYPE after the family's first sample;
 *   - name_sum, name_count (summary and histogram) and name_bucket
 *     (histogram) samples belong to family `name` once its TYPE says so;
 *   - label values know the escapes \\ \" \n and must be valid UTF-8; HELP
 *     knows \\ and \n; any other escape is an error;
 *   - values are floats as Go spells them (NaN, +Inf, -Inf, 1e3, ...), an
 *     optional timestamp an integer of milliseconds;
 *   - families that end up without samples are dropped.
 *
 * The parser is a pure function over a string: no I/O, no globals. The text
 * need not be NUL-terminated; a NUL byte is an error except in a plain
 * comment (names, values and HELP are C strings). Errors are one
 * line, "line N: what", in err. Memory is bounded by a small multiple of the
 * input length.
 */
#ifndef EXPORTERBOX_TEXTPARSE_H
#define EXPORTERBOX_TEXTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "expo.h"

/* Which part of its family a sample is (summaries and histograms). */
enum textparse_part {
	TEXTPARSE_VALUE,	/* the family's own name: a value or quantile */
	TEXTPARSE_SUM,		/* <name>_sum */
	TEXTPARSE_COUNT,	/* <name>_count */
	TEXTPARSE_BUCKET,	/* <name>_bucket */
};

struct textparse_label {
	const char *name;
	const char *value;	/* unescaped */
};

struct textparse_sample {
	const char *name;	/* as written, suffix included */
	enum textparse_part part;
	const struct textparse_label *labels;	/* quantile and le included */
	size_t nlabels;
	double value;
	bool has_timestamp;
	int64_t timestamp_ms;
	unsigned line;
};

struct textparse_family {
	const char *name;
	const char *help;	/* unescaped; NULL when there was no HELP line */
	enum metric_type type;	/* METRIC_UNTYPED when there was no TYPE line */
	bool typed;		/* a TYPE line declared it */
	struct textparse_sample *samples;
	size_t nsamples;
	size_t cap;
};

struct textparse_chunk;

/*
 * A parsed document: families in order of first appearance. Every string
 * and array belongs to the document and lives until textparse_release().
 */
struct textparse {
	struct textparse_family *families;
	size_t nfamilies;
	size_t cap;
	struct textparse_chunk *chunks;	/* storage for names, values, labels */
};

/*
 * Parses len bytes of text into tp (which need not be initialised). Returns
 * 0, or -EINVAL with "line N: reason" appended to err; tp then holds nothing
 * and releasing it is still safe.
 */
int textparse_parse(struct textparse *tp, const char *text, size_t len,
		    struct buf *err);
void textparse_release(struct textparse *tp);

/* True when any sample of the document carries a timestamp. */
bool textparse_has_timestamps(const struct textparse *tp);

/* Parses a float spelled as Go's strconv.ParseFloat takes it (whole token). */
bool textparse_float(const char *s, size_t len, double *out);

#endif
