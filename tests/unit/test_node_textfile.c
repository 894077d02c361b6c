/*
 * The text format parser (common/textparse) and the textfile collector, on
 * tests/fixtures/node/textfile and on files written into a temporary
 * directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expo.h"
#include "node.h"
#include "textparse.h"

#define TEXTFILE_DIR FIXTURES_DIR "/node/textfile"

/* ---- helpers ------------------------------------------------------------ */

static int parse(struct textparse *tp, const char *text, struct buf *err)
{
	buf_truncate(err, 0);
	return textparse_parse(tp, text, strlen(text), err);
}

/* Parses text that must be refused; returns the error line for checks. */
static const char *parse_fails(const char *text, struct buf *err)
{
	struct textparse tp;

	assert_int_not_equal(parse(&tp, text, err), 0);
	assert_int_equal(tp.nfamilies, 0);
	assert_true(err->len > 0);
	assert_null(strchr(buf_cstr(err), '\n'));
	textparse_release(&tp);
	return buf_cstr(err);
}

static const struct textparse_family *family(const struct textparse *tp,
					     const char *name)
{
	for (size_t i = 0; i < tp->nfamilies; i++)
		if (strcmp(tp->families[i].name, name) == 0)
			return &tp->families[i];
	return NULL;
}

static const char *label(const struct textparse_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

/* Runs the textfile collector on dir into out; returns its rc. */
static int scrape(const char *dir, struct buf *out)
{
	struct node_config cfg = { .textfile_directory = dir };
	struct collect_ctx ctx = { .config = &cfg };
	struct expo w;

	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	int rc = textfile_collector.collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	return rc;
}

static long mtime_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_mtime;
}

/* ---- parser ---------------------------------------------------------------- */

static void parse_basic(void **state)
{
	struct buf err = BUF_INIT;
	struct textparse tp;
	(void)state;

	assert_int_equal(parse(&tp,
		"# HELP up Whether it is up.\n"
		"# TYPE up gauge\n"
		"up{job=\"a\",instance=\"b:1\"} 1\n"
		"\n"
		"   \t\n"
		"# a comment that means nothing\n"
		"#\n"
		"other_metric 2.5e3\n"
		"up{job=\"c\"} 0\n", &err), 0);
	assert_int_equal(tp.nfamilies, 2);
	const struct textparse_family *up = family(&tp, "up");
	assert_non_null(up);
	assert_string_equal(up->help, "Whether it is up.");
	assert_int_equal(up->type, METRIC_GAUGE);
	assert_int_equal(up->nsamples, 2);
	assert_int_equal(up->samples[0].nlabels, 2);
	assert_string_equal(label(&up->samples[0], "instance"), "b:1");
	assert_string_equal(label(&up->samples[1], "job"), "c");
	assert_int_equal(up->samples[1].line, 9);
	assert_false(up->samples[0].has_timestamp);
	const struct textparse_family *o = family(&tp, "other_metric");
	assert_null(o->help);
	assert_int_equal(o->type, METRIC_UNTYPED);
	assert_true(o->samples[0].value == 2500);
	assert_false(textparse_has_timestamps(&tp));
	textparse_release(&tp);
	buf_release(&err);
}

static void parse_escapes_and_values(void **state)
{
	struct buf err = BUF_INIT;
	struct textparse tp;
	(void)state;

	assert_int_equal(parse(&tp,
		"# HELP m A \\\\ backslash,\\na newline and a \"quote\".\n"
		"m{a=\"x\\\\y\",b=\"say \\\"hi\\\"\",c=\"1\\n2\",d=\"\",e=\"żółw ✓\"} NaN\n"
		"m{a=\"2\"} +Inf\n"
		"m{a=\"3\"} -Inf\n"
		"m{a=\"4\"} -0.5e-3 1700000000000\n"
		"m{a=\"5\"} inf\n"
		"m{a=\"6\"} 0x1p-2\n"
		"m {} 9\n"
		"m{ a = \"7\" , } 10\n", &err), 0);
	const struct textparse_family *m = family(&tp, "m");
	assert_string_equal(m->help,
			    "A \\ backslash,\na newline and a \"quote\".");
	const struct textparse_sample *s = m->samples;
	assert_string_equal(label(&s[0], "a"), "x\\y");
	assert_string_equal(label(&s[0], "b"), "say \"hi\"");
	assert_string_equal(label(&s[0], "c"), "1\n2");
	assert_string_equal(label(&s[0], "d"), "");
	assert_string_equal(label(&s[0], "e"), "żółw ✓");
	assert_true(isnan(s[0].value));
	assert_true(isinf(s[1].value) && s[1].value > 0);
	assert_true(isinf(s[2].value) && s[2].value < 0);
	assert_true(s[3].value == -0.0005);
	assert_true(s[3].has_timestamp);
	assert_true(s[3].timestamp_ms == 1700000000000LL);
	assert_true(isinf(s[4].value));
	assert_true(s[5].value == 0.25);
	assert_int_equal(s[6].nlabels, 0);
	assert_string_equal(label(&s[7], "a"), "7");
	assert_true(textparse_has_timestamps(&tp));
	textparse_release(&tp);
	buf_release(&err);
}

static void parse_summary_histogram(void **state)
{
	struct buf err = BUF_INIT;
	struct textparse tp;
	(void)state;

	assert_int_equal(parse(&tp,
		"x_sum 1\n" /* no summary x yet: its own family */
		"# TYPE s summary\n"
		"s{quantile=\"0.5\"} 1\n"
		"s_sum 2\n"
		"s_count 3\n"
		"s_bucket 4\n" /* not a part of a summary */
		"# TYPE h histogram\n"
		"h_bucket{le=\"1\"} 1\n"
		"h_bucket{le=\"+Inf\"} 2\n"
		"h_sum 3\n"
		"h_count 2\n"
		"# HELP h_count Help through the suffix reaches h.\n", &err), 0);
	assert_int_equal(tp.nfamilies, 4);
	assert_non_null(family(&tp, "x_sum"));
	assert_non_null(family(&tp, "s_bucket"));
	const struct textparse_family *s = family(&tp, "s");
	assert_int_equal(s->type, METRIC_SUMMARY);
	assert_int_equal(s->nsamples, 3);
	assert_int_equal(s->samples[0].part, TEXTPARSE_VALUE);
	assert_int_equal(s->samples[1].part, TEXTPARSE_SUM);
	assert_int_equal(s->samples[2].part, TEXTPARSE_COUNT);
	assert_string_equal(s->samples[2].name, "s_count");
	const struct textparse_family *h = family(&tp, "h");
	assert_int_equal(h->nsamples, 4);
	assert_int_equal(h->samples[0].part, TEXTPARSE_BUCKET);
	assert_string_equal(h->help, "Help through the suffix reaches h.");
	textparse_release(&tp);
	buf_release(&err);
}

static void parse_drops_empty_families(void **state)
{
	struct buf err = BUF_INIT;
	struct textparse tp;
	(void)state;

	assert_int_equal(parse(&tp, "# HELP a only help\n# TYPE b counter\n"
				    "# HELP c\n# TYPE d\n", &err), 0);
	assert_int_equal(tp.nfamilies, 0);
	textparse_release(&tp);
	assert_int_equal(parse(&tp, "", &err), 0);
	assert_int_equal(tp.nfamilies, 0);
	textparse_release(&tp);
	/* A last line of blanks needs no newline. */
	assert_int_equal(parse(&tp, "a 1\n  ", &err), 0);
	assert_int_equal(tp.nfamilies, 1);
	textparse_release(&tp);
	buf_release(&err);
}

static void parse_errors(void **state)
{
	struct buf err = BUF_INIT;
	(void)state;

	assert_string_equal(parse_fails("a 1\n# TYPE a gauge\n", &err),
		"line 2: second TYPE line for metric name a, or TYPE reported after samples");
	assert_string_equal(parse_fails("# TYPE a gauge\n# TYPE a counter\n", &err),
		"line 2: second TYPE line for metric name a, or TYPE reported after samples");
	assert_string_equal(parse_fails("# HELP a x\n# HELP a y\n", &err),
		"line 2: second HELP line for metric name a");
	assert_string_equal(parse_fails("# TYPE a gauges\n", &err),
		"line 1: unknown metric type gauges");
	assert_string_equal(parse_fails("a 1", &err),
		"line 1: unexpected end of input stream");
	assert_string_equal(parse_fails("\n\n# HELP a x", &err),
		"line 3: unexpected end of input stream");
	assert_string_equal(parse_fails("1a 1\n", &err),
		"line 1: invalid metric name");
	assert_string_equal(parse_fails("a{1b=\"x\"} 1\n", &err),
		"line 1: invalid label name for metric a");
	assert_string_equal(parse_fails("a{__name__=\"x\"} 1\n", &err),
		"line 1: label name __name__ is reserved");
	assert_string_equal(parse_fails("a{b=\"x\" 1\n", &err),
		"line 1: unexpected end of label value");
	assert_string_equal(parse_fails("a{b=\"x 1\n", &err),
		"line 1: label value contains unescaped new-line");
	assert_string_equal(parse_fails("a{b} 1\n", &err),
		"line 1: expected '=' after label name b");
	assert_string_equal(parse_fails("a{b=x} 1\n", &err),
		"line 1: expected '\"' at start of label value");
	assert_string_equal(parse_fails("a{b=\"\\t\"} 1\n", &err),
		"line 1: invalid escape sequence \\t");
	assert_string_equal(parse_fails("# HELP a x\\\"y\n", &err),
		"line 1: invalid escape sequence \\\"");
	assert_string_equal(parse_fails("a{b=\"1\",b=\"2\"} 1\n", &err),
		"line 1: duplicate label names for metric a");
	assert_string_equal(parse_fails("a one\n", &err),
		"line 1: expected float as value, got one");
	assert_string_equal(parse_fails("a\n", &err),
		"line 1: expected float as value, got ");
	assert_string_equal(parse_fails("a 1 2 3\n", &err),
		"line 1: spurious string after timestamp:  3");
	/* Go's parser takes a blank after the value as a timestamp to come. */
	assert_string_equal(parse_fails("a 1 \n", &err),
		"line 1: expected integer as timestamp, got ");
	assert_string_equal(parse_fails("a 1 2\t\n", &err),
		"line 1: spurious string after timestamp: \\t");
	assert_string_equal(parse_fails("a 1 1.5\n", &err),
		"line 1: expected integer as timestamp, got 1.5");
	assert_string_equal(parse_fails("a 1\r\n", &err),
		"line 1: expected float as value, got 1\\r");
	assert_string_equal(parse_fails("# HELP 1a x\n", &err),
		"line 1: invalid metric name in comment");
	assert_string_equal(parse_fails("# TYPE s summary\ns{quantile=\"x\"} 1\n", &err),
		"line 2: expected float as value for 'quantile' label, got x");
	assert_string_equal(parse_fails("# TYPE h histogram\nh_bucket{le=\"\"} 1\n", &err),
		"line 2: expected float as value for 'le' label, got ");
	assert_string_equal(parse_fails("# TYPE s summary\ns{quantile=\"1\\n2\"} 1\n", &err),
		"line 2: expected float as value for 'quantile' label, got 1\\n2");
	assert_string_equal(parse_fails("# HELP a b\\\n", &err),
		"line 1: invalid escape sequence at end of line");
	assert_string_equal(parse_fails("a{b=\"\xff\"} 1\n", &err),
		"line 1: invalid label value: not UTF-8");
	/* Go's ParseFloat refuses these; strtod would take them. */
	parse_fails("a nan(1)\n", &err);
	parse_fails("a -nan\n", &err);
	parse_fails("a 0x10\n", &err);
	parse_fails("a 1e400\n", &err);
	parse_fails("a  1_000\n", &err);
	buf_release(&err);
}

static void parse_nul_byte(void **state)
{
	static const char text[] = "a 1\nb{c=\"x\0y\"} 2\n";
	struct buf err = BUF_INIT;
	struct textparse tp;
	(void)state;

	assert_int_equal(textparse_parse(&tp, text, sizeof(text) - 1, &err),
			 -EINVAL);
	assert_string_equal(buf_cstr(&err), "line 2: invalid NUL byte");
	textparse_release(&tp);

	/* In a plain comment it means nothing, as upstream ignores it. */
	static const char comment[] = "# a \0 comment\na 1\n";
	assert_int_equal(textparse_parse(&tp, comment, sizeof(comment) - 1, &err), 0);
	assert_int_equal(tp.nfamilies, 1);
	textparse_release(&tp);
	static const char help[] = "# HELP a x\0y\na 1\n";
	assert_int_equal(textparse_parse(&tp, help, sizeof(help) - 1, &err), -EINVAL);
	textparse_release(&tp);
	buf_release(&err);
}

/* A 1 MiB label value, 2000 labels on one sample, 5000 families. */
static void parse_large(void **state)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct textparse tp;
	(void)state;

	buf_adds(&text, "big{v=\"");
	for (int i = 0; i < (1 << 20); i++)
		buf_addc(&text, 'a' + i % 26);
	buf_adds(&text, "\"} 1\nwide{");
	for (int i = 0; i < 2000; i++)
		buf_addf(&text, "l%d=\"%d\",", i, i);
	buf_adds(&text, "} 2\n");
	for (int i = 0; i < 5000; i++)
		buf_addf(&text, "# TYPE f%d counter\nf%d %d\n", i, i, i);
	assert_int_equal(textparse_parse(&tp, text.data, text.len, &err), 0);
	assert_int_equal(tp.nfamilies, 5002);
	assert_int_equal(strlen(label(&family(&tp, "big")->samples[0], "v")),
			 1 << 20);
	assert_int_equal(family(&tp, "wide")->samples[0].nlabels, 2000);
	assert_true(family(&tp, "f4999")->samples[0].value == 4999);
	textparse_release(&tp);

	/* The same with a duplicate label at the end: found past the fast path. */
	buf_truncate(&text, 0);
	buf_adds(&text, "wide{");
	for (int i = 0; i < 2000; i++)
		buf_addf(&text, "l%d=\"%d\",", i, i);
	buf_adds(&text, "l7=\"x\"} 2\n");
	assert_int_equal(textparse_parse(&tp, text.data, text.len, &err), -EINVAL);
	textparse_release(&tp);
	buf_release(&text);
	buf_release(&err);
}

/* Random bytes and random mutations of a valid document never crash. */
static void parse_hostile(void **state)
{
	static const char seed[] =
		"# HELP a x\\ny\n# TYPE a histogram\na_bucket{le=\"1\",q=\"\\\"\"} 1\n"
		"a_sum 2\na_count 3 17\nb{c=\"d\"} NaN\n";
	struct buf err = BUF_INIT;
	struct textparse tp;
	char text[sizeof(seed)];
	unsigned r = 12345;
	(void)state;

	for (int round = 0; round < 20000; round++) {
		memcpy(text, seed, sizeof(seed));
		for (int k = 0; k < 1 + round % 4; k++) {
			r = r * 1103515245 + 12345;
			size_t at = (r >> 8) % (sizeof(seed) - 1);
			r = r * 1103515245 + 12345;
			text[at] = (char)(r >> 16);
		}
		buf_truncate(&err, 0);
		if (textparse_parse(&tp, text, sizeof(seed) - 1 - round % 7, &err) == 0)
			assert_true(err.len == 0);
		textparse_release(&tp);
	}
	buf_release(&err);
}

static void parse_float_syntax(void **state)
{
	double v;
	(void)state;

	assert_true(textparse_float("1", 1, &v) && v == 1);
	assert_true(textparse_float("-Inf", 4, &v) && isinf(v) && v < 0);
	assert_true(textparse_float("Infinity", 8, &v) && isinf(v));
	assert_true(textparse_float("nan", 3, &v) && isnan(v));
	assert_true(textparse_float("1e-400", 6, &v) && v == 0);
	assert_false(textparse_float("", 0, &v));
	assert_false(textparse_float("+nan", 4, &v));
	assert_false(textparse_float(" 1", 2, &v));
	assert_false(textparse_float("1 ", 2, &v));
	assert_false(textparse_float("infin", 5, &v));
}

/* ---- the collector ------------------------------------------------------ */

/*
 * The whole output for the fixture directory, byte for byte: merged
 * families, filled labels, sorted samples, Go's le and quantile spelling,
 * the generated HELP, and only the two good files' mtimes.
 */
static void collector_fixture(void **state)
{
	struct buf out = BUF_INIT, want = BUF_INIT;
	(void)state;

	assert_int_equal(scrape(TEXTFILE_DIR, &out), 0);
	buf_addf(&want,
		"# HELP textfile_conflict_innocent Metric read from %s/e_conflict.prom\n"
		"# TYPE textfile_conflict_innocent untyped\n"
		"textfile_conflict_innocent 1\n"
		"# HELP textfile_jobs_total Jobs run.\\nA second line, and a backslash: \\\\.\n"
		"# TYPE textfile_jobs_total counter\n"
		"textfile_jobs_total{job=\"backup\",note=\"\",path=\"C:\\\\backups\\\\daily\"} 1027\n"
		"textfile_jobs_total{job=\"naïve ünïcode ✓\",note=\"\",path=\"\"} 7\n"
		"textfile_jobs_total{job=\"rotate\",note=\"line one\\nline two\",path=\"\"} 3\n"
		"# HELP textfile_only_here Metric read from %s/b_more.prom\n"
		"# TYPE textfile_only_here untyped\n"
		"textfile_only_here 1\n"
		"# HELP textfile_request_duration_seconds Request latency.\n"
		"# TYPE textfile_request_duration_seconds histogram\n"
		"textfile_request_duration_seconds_bucket{handler=\"/api\",le=\"0.05\"} 24054\n"
		"textfile_request_duration_seconds_bucket{handler=\"/api\",le=\"0.1\"} 33444\n"
		"textfile_request_duration_seconds_bucket{handler=\"/api\",le=\"1e+06\"} 100392\n"
		"textfile_request_duration_seconds_bucket{handler=\"/api\",le=\"+Inf\"} 144320\n"
		"textfile_request_duration_seconds_sum{handler=\"/api\"} 53423\n"
		"textfile_request_duration_seconds_count{handler=\"/api\"} 144320\n"
		"textfile_request_duration_seconds_bucket{handler=\"/login\",le=\"0.5\"} 10\n"
		"textfile_request_duration_seconds_bucket{handler=\"/login\",le=\"+Inf\"} 12\n"
		"textfile_request_duration_seconds_sum{handler=\"/login\"} 2.5\n"
		"textfile_request_duration_seconds_count{handler=\"/login\"} 12\n"
		"# HELP textfile_rpc_duration_seconds RPC latency.\n"
		"# TYPE textfile_rpc_duration_seconds summary\n"
		"textfile_rpc_duration_seconds{quantile=\"0.01\"} 3102\n"
		"textfile_rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
		"textfile_rpc_duration_seconds{quantile=\"0.99\"} 76656\n"
		"textfile_rpc_duration_seconds_sum 17560473\n"
		"textfile_rpc_duration_seconds_count 2693\n"
		"# HELP textfile_temperature_celsius Temperature of a sensor, read by a cron job.\n"
		"# TYPE textfile_temperature_celsius gauge\n"
		"textfile_temperature_celsius{sensor=\"cpu\",zone=\"a\"} 41.5\n"
		"textfile_temperature_celsius{sensor=\"disk \\\"sda\\\"\",zone=\"b\"} 33\n"
		"textfile_temperature_celsius{sensor=\"gpu\",zone=\"\"} 55\n"
		"# HELP textfile_untyped_thing Metric read from %s/a_good.prom, %s/b_more.prom\n"
		"# TYPE textfile_untyped_thing untyped\n"
		"textfile_untyped_thing{kind=\"w\"} 0\n"
		"textfile_untyped_thing{kind=\"x\"} NaN\n"
		"textfile_untyped_thing{kind=\"y\"} +Inf\n"
		"textfile_untyped_thing{kind=\"z\"} -Inf\n"
		"# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
		"# TYPE node_textfile_mtime_seconds gauge\n"
		"node_textfile_mtime_seconds{file=\"%s/a_good.prom\"} %ld\n"
		"node_textfile_mtime_seconds{file=\"%s/b_more.prom\"} %ld\n"
		"node_textfile_mtime_seconds{file=\"%s/e_conflict.prom\"} %ld\n"
		"node_textfile_mtime_seconds{file=\"%s/f_duplicate.prom\"} %ld\n"
		"# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
		"# TYPE node_textfile_scrape_error gauge\n"
		"node_textfile_scrape_error 1\n",
		TEXTFILE_DIR, TEXTFILE_DIR, TEXTFILE_DIR, TEXTFILE_DIR,
		TEXTFILE_DIR, mtime_of(TEXTFILE_DIR "/a_good.prom"),
		TEXTFILE_DIR, mtime_of(TEXTFILE_DIR "/b_more.prom"),
		TEXTFILE_DIR, mtime_of(TEXTFILE_DIR "/e_conflict.prom"),
		TEXTFILE_DIR, mtime_of(TEXTFILE_DIR "/f_duplicate.prom"));
	assert_string_equal(buf_cstr(&out), buf_cstr(&want));
	buf_release(&out);
	buf_release(&want);
}

static void collector_no_directory(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(scrape("", &out), 0);
	assert_string_equal(buf_cstr(&out),
		"# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n"
		"# TYPE node_textfile_scrape_error gauge\n"
		"node_textfile_scrape_error 0\n");
	assert_int_equal(scrape(NULL, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "node_textfile_scrape_error 0\n"));
	/* A directory that is not there is an error. */
	assert_int_equal(scrape("/nonexistent/textfile", &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "node_textfile_scrape_error 1\n"));
	buf_release(&out);
}

/* An empty directory: no mtime family, no error. */
static void collector_empty_directory(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("test_textfile");
	(void)state;

	test_write_file(dir, "x.txt", "a 1\n");
	assert_int_equal(scrape(dir, &out), 0);
	assert_null(strstr(buf_cstr(&out), "mtime"));
	assert_non_null(strstr(buf_cstr(&out), "node_textfile_scrape_error 0\n"));
	test_remove_dir(dir);
	buf_release(&out);
}

/* Globs, and the file label cleaned as Go's filepath.Join cleans it. */
static void collector_glob_and_paths(void **state)
{
	struct buf out = BUF_INIT, pattern = BUF_INIT, want = BUF_INIT;
	char *dir = test_make_dir("test_textfile");
	char sub[600];
	(void)state;

	snprintf(sub, sizeof(sub), "%s/one", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	test_write_file(sub, "a.prom", "glob_a 1\n");
	snprintf(sub, sizeof(sub), "%s/two", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	test_write_file(sub, "b.prom", "glob_b 2\n");

	buf_addf(&pattern, "%s/*", dir);
	assert_int_equal(scrape(buf_cstr(&pattern), &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "glob_a 1\n"));
	assert_non_null(strstr(buf_cstr(&out), "glob_b 2\n"));
	assert_non_null(strstr(buf_cstr(&out), "node_textfile_scrape_error 0\n"));

	buf_truncate(&pattern, 0);
	buf_addf(&pattern, "%s//./one/", dir);
	assert_int_equal(scrape(buf_cstr(&pattern), &out), 0);
	buf_addf(&want, "node_textfile_mtime_seconds{file=\"%s/one/a.prom\"}", dir);
	assert_non_null(strstr(buf_cstr(&out), buf_cstr(&want)));
	test_remove_dir(dir);
	buf_release(&out);
	buf_release(&pattern);
	buf_release(&want);
}

/*
 * Clashes between files: the later file is skipped whole, earlier ones
 * stay; a HELP in a later file fills in for a family that had none.
 */
static void collector_clashes(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("test_textfile");
	(void)state;

	test_write_file(dir, "1.prom", "m{a=\"1\"} 1\nn 5\n");
	test_write_file(dir, "2.prom", "# HELP m Late help.\nm{a=\"2\"} 2\n");
	test_write_file(dir, "3.prom", "# HELP m Other help.\nm{a=\"3\"} 3\n");
	test_write_file(dir, "4.prom", "m{a=\"1\",b=\"\"} 4\nkeep_4 1\n");
	test_write_file(dir, "5.prom", "# TYPE node_textfile_scrape_error gauge\n"
				  "node_textfile_scrape_error 0\n");
	test_write_file(dir, "6.prom", "x 1\nx 2\n");
	test_write_file(dir, "7.prom", "# TYPE h histogram\nh_bucket{le=\"0.50\"} 1\n"
				  "h_bucket{le=\"0.5\"} 1\n");
	assert_int_equal(scrape(dir, &out), 0);
	const char *o = buf_cstr(&out);
	assert_non_null(strstr(o, "# HELP m Late help.\n# TYPE m untyped\n"
				  "m{a=\"1\"} 1\nm{a=\"2\"} 2\n# HELP n"));
	/* Only the clashing family or series goes; the rest of each file stays. */
	assert_null(strstr(o, "m{a=\"3\"}"));
	assert_null(strstr(o, "} 4\n"));
	assert_non_null(strstr(o, "\nkeep_4 1\n"));
	assert_non_null(strstr(o, "\nx 1\n"));
	assert_null(strstr(o, "\nx 2\n"));
	assert_non_null(strstr(o, "# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"}"));
	assert_non_null(strstr(o, "node_textfile_mtime_seconds{file=\""));
	assert_non_null(strstr(o, "/3.prom\"}"));
	/* Unlike upstream, dropped series count as an error. */
	assert_non_null(strstr(o, "node_textfile_scrape_error 1\n"));
	/* Exactly one scrape_error family. */
	assert_ptr_equal(strstr(o, "# TYPE node_textfile_scrape_error"),
			 strstr(o, "# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 1\n"));
	test_remove_dir(dir);
	buf_release(&out);
}

/* Summaries and histograms with labels, parts missing, odd samples. */
static void collector_summary_histogram(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("test_textfile");
	(void)state;

	test_write_file(dir, "s.prom",
		"# TYPE s summary\n"
		"s{quantile=\"0.9\",x=\"b\"} 9\n"
		"s{x=\"a\"} 100\n" /* no quantile: dropped, as upstream drops it */
		"s_count{x=\"a\"} 2.7\n"
		"s{quantile=\"0.1\",x=\"a\"} 1\n"
		"# TYPE h histogram\n"
		"h_sum{y=\"1\"} 0.5\n"
		"h_bucket{le=\"10\",y=\"1\"} 3\n"
		"h_bucket{le=\"1e-05\",y=\"1\"} 1\n"
		"h_bucket{y=\"2\"} 7\n"); /* no le: dropped */
	assert_int_equal(scrape(dir, &out), 0);
	assert_non_null(strstr(buf_cstr(&out),
		"# TYPE h histogram\n"
		"h_bucket{y=\"1\",le=\"1e-05\"} 1\n"
		"h_bucket{y=\"1\",le=\"10\"} 3\n"
		"h_bucket{y=\"1\",le=\"+Inf\"} 0\n"
		"h_sum{y=\"1\"} 0.5\n"
		"h_count{y=\"1\"} 0\n"
		"# HELP s "));
	assert_non_null(strstr(buf_cstr(&out),
		"# TYPE s summary\n"
		"s{x=\"a\",quantile=\"0.1\"} 1\n"
		"s_sum{x=\"a\"} 0\n"
		"s_count{x=\"a\"} 2\n"
		"s{x=\"b\",quantile=\"0.9\"} 9\n"
		"s_sum{x=\"b\"} 0\n"
		"s_count{x=\"b\"} 0\n"));
	assert_null(strstr(buf_cstr(&out), "} 100\n"));
	assert_null(strstr(buf_cstr(&out), "y=\"2\""));
	test_remove_dir(dir);
	buf_release(&out);
}

/* Unreadable and oversized inputs: errors, never a crash. */
static void collector_bad_files(void **state)
{
	struct buf out = BUF_INIT;
	char *dir = test_make_dir("test_textfile");
	char path[600];
	(void)state;

	test_write_file(dir, "ok.prom", "fine 1\n");
	snprintf(path, sizeof(path), "%s/dir.prom", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/fifo.prom", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/dangling.prom", dir);
	assert_int_equal(symlink("/nonexistent/x", path), 0);
	assert_int_equal(scrape(dir, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "fine 1\n"));
	assert_non_null(strstr(buf_cstr(&out), "node_textfile_scrape_error 1\n"));
	test_remove_dir(dir);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_basic),
		cmocka_unit_test(parse_escapes_and_values),
		cmocka_unit_test(parse_summary_histogram),
		cmocka_unit_test(parse_drops_empty_families),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(parse_nul_byte),
		cmocka_unit_test(parse_large),
		cmocka_unit_test(parse_hostile),
		cmocka_unit_test(parse_float_syntax),
		cmocka_unit_test(collector_fixture),
		cmocka_unit_test(collector_no_directory),
		cmocka_unit_test(collector_empty_directory),
		cmocka_unit_test(collector_glob_and_paths),
		cmocka_unit_test(collector_clashes),
		cmocka_unit_test(collector_summary_histogram),
		cmocka_unit_test(collector_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
