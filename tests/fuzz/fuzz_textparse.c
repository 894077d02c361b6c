/*
 * Fuzzes the text format parser. Beyond not crashing, leaking or reading
 * out of bounds: every error is one line that names its line, and whatever
 * parses is written back out with the exposition writer and must parse
 * again into the same families with the same number of samples.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "textparse.h"

/* The name suffix of a sample within its family ("_sum", ...). */
static const char *suffix_of(const struct textparse_family *f,
			     const struct textparse_sample *s)
{
	size_t n = strlen(f->name);

	if (strncmp(s->name, f->name, n) != 0)
		abort();
	return s->name + n;
}

static void write_doc(const struct textparse *tp, struct buf *out)
{
	struct expo w;

	expo_init(&w, out, EXPO_TEXT);
	for (size_t i = 0; i < tp->nfamilies; i++) {
		const struct textparse_family *f = &tp->families[i];
		struct metric_desc d = { f->name, f->help, f->type, NULL };
		expo_family(&w, &d);
		for (size_t j = 0; j < f->nsamples; j++) {
			const struct textparse_sample *s = &f->samples[j];
			const char **names = calloc(s->nlabels + 1, sizeof(*names));
			const char **values = calloc(s->nlabels + 1, sizeof(*values));
			if (!names || !values)
				abort();
			for (size_t k = 0; k < s->nlabels; k++) {
				names[k] = s->labels[k].name;
				values[k] = s->labels[k].value;
			}
			expo_sample_raw(&w, suffix_of(f, s), names, values,
					s->nlabels, s->value);
			free(names);
			free(values);
		}
	}
	if (w.errors)
		abort();
	expo_release(&w);
}

/*
 * True when a family is named like a part of a summary or histogram family
 * declared after it ("h_sum" before "# TYPE h histogram"). Written back in
 * order, its samples would join that family, as they would in the Go
 * parser: the round trip cannot hold for such input.
 */
static bool ambiguous(const struct textparse *tp)
{
	static const char *const suffixes[] = { "_sum", "_count", "_bucket" };

	for (size_t i = 0; i < tp->nfamilies; i++) {
		const struct textparse_family *f = &tp->families[i];
		if (f->type != METRIC_SUMMARY && f->type != METRIC_HISTOGRAM)
			continue;
		size_t n = strlen(f->name);
		for (size_t j = 0; j < tp->nfamilies; j++) {
			const char *g = tp->families[j].name;
			for (size_t k = 0; k < 3; k++)
				if (strncmp(g, f->name, n) == 0 &&
				    strcmp(g + n, suffixes[k]) == 0)
					return true;
		}
	}
	return false;
}

static void check_same(const struct textparse *a, const struct textparse *b)
{
	if (a->nfamilies != b->nfamilies)
		abort();
	for (size_t i = 0; i < a->nfamilies; i++) {
		const struct textparse_family *x = &a->families[i];
		const struct textparse_family *y = &b->families[i];
		if (strcmp(x->name, y->name) || x->type != y->type ||
		    x->nsamples != y->nsamples)
			abort();
		for (size_t j = 0; j < x->nsamples; j++)
			if (x->samples[j].nlabels != y->samples[j].nlabels ||
			    x->samples[j].part != y->samples[j].part)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct textparse tp, again;

	if (textparse_parse(&tp, (const char *)data, size, &err) != 0) {
		if (strncmp(buf_cstr(&err), "line ", 5) != 0 ||
		    strchr(buf_cstr(&err), '\n') || tp.nfamilies)
			abort();
		textparse_release(&tp);
		buf_release(&err);
		return 0;
	}
	textparse_has_timestamps(&tp);
	if (ambiguous(&tp)) {
		textparse_release(&tp);
		buf_release(&err);
		return 0;
	}
	write_doc(&tp, &out);
	if (textparse_parse(&again, out.data ? out.data : "", out.len, &err) != 0)
		abort();
	check_same(&tp, &again);
	textparse_release(&again);
	textparse_release(&tp);
	buf_release(&out);
	buf_release(&err);
	return 0;
}
