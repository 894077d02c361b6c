/*
 * fuzz_kafka_parse: kafka-lag-exporter's parsers of outside input (flags),
 * on the input as one NUL-terminated string: --kafka.config's KEY=VALUE
 * split, --kafka.labels, and the literal group names of --group.filter. The
 * literals found are checked to be non-empty strings that fit in the input,
 * a filter taken as names only must match each of its names as a regex too
 * (the collector then matches by name instead of compiling it), and labels
 * parsed are rendered on a small snapshot, whose writer must see
 * no error (valid names, right label counts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_lag.h"
#include "regex.h"

static void render_with(const struct kl_labels *cl)
{
	struct kl_partition part = { 0, 1, 1, 1, 1, 5, 0 };
	struct kl_topic topic = { "t", &part, 1 };
	struct kl_broker broker = { 1, "b:9092" };
	struct kl_commit commit = { 0, 0, 2, 1.5 };
	struct kl_group group = { "g", 1, &commit, 1 };
	struct kl_snapshot s = { .up = true, .lag_seconds = true, .brokers = &broker,
				 .nbrokers = 1, .topics = &topic, .ntopics = 1,
				 .groups = &group, .ngroups = 1 };
	struct buf out = BUF_INIT;
	struct expo w;

	expo_init(&w, &out, EXPO_TEXT);
	kl_render(&s, cl, &w);
	if (w.errors)
		abort();
	expo_release(&w);
	buf_release(&out);
}

/* A pattern matched by name must be a regex matching each of its names. */
static void names_only_agrees(const char *pattern, const struct buf *lits, size_t n)
{
	struct buf err = BUF_INIT;
	regex_t re;

	if (!kl_filter_names_only(pattern, lits, n))
		return;
	if (re_compile(&re, pattern, &err) != 0)
		abort();
	for (size_t i = 0, off = 0; i < n; i++) {
		if (!re_matches(&re, lits->data + off))
			abort();
		off += strlen(lits->data + off) + 1;
	}
	regfree(&re);
	buf_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct buf key = BUF_INIT, value = BUF_INIT, err = BUF_INIT, lits = BUF_INIT;
	struct kl_labels labels;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (kl_split_property(s, &key, &value, &err) == 0 &&
	    (key.len == 0 || key.len + value.len + 1 != strlen(s)))
		abort();
	if (kl_parse_labels(s, &labels, &err) == 0) {
		render_with(&labels);
		kl_labels_free(&labels);
	}
	size_t n = kl_filter_literals(s, &lits);
	for (size_t i = 0, off = 0; i < n; i++) {
		size_t len = strlen(lits.data + off);
		if (len == 0 || len > size)
			abort();
		off += len + 1;
	}
	names_only_agrees(s, &lits, n);
	buf_release(&key);
	buf_release(&value);
	buf_release(&err);
	buf_release(&lits);
	free(s);
	return 0;
}
