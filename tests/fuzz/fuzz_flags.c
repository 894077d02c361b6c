/*
 * fuzz_flags: the input, split on NUL bytes, is an argv for a flag set that
 * has every kind of flag (with choices, an environment fallback and a hidden
 * flag). Each argument is also given to flags_parse_duration(). Everything
 * is parsed twice, so a leak between parses shows up too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"

static const char *const levels[] = { "debug", "info", "warn", "error", NULL };

struct opts {
	bool b1, b2;
	const char *s1, *s2, *hidden;
	struct strlist l1, l2;
	long i1;
	double d1;
};

static void add_flags(struct flagset *fs, struct opts *o)
{
	const struct flag flags[] = {
		{ "b", FLAG_BOOL, &o->b1, "false", NULL, "A bool." },
		{ "collector.cpu", FLAG_BOOL, &o->b2, "true", "FUZZ_FLAGS_BOOL", "Another." },
		{ "s", FLAG_STRING, &o->s1, "x", "FUZZ_FLAGS_STRING", "A string." },
		{ "log.level", FLAG_STRING, &o->s2, "info", NULL, "A choice.", levels },
		{ "l", FLAG_LIST, &o->l1, ":9100", "FUZZ_FLAGS_LIST", "A list." },
		{ "m", FLAG_LIST, &o->l2, NULL, NULL, "A list, no default.", levels },
		{ "i", FLAG_INT, &o->i1, "40", "FUZZ_FLAGS_INT", "An int." },
		{ "d", FLAG_DURATION, &o->d1, "10s", NULL, "A duration." },
		{ "h.idden", FLAG_STRING, &o->hidden, NULL, NULL, "Hidden.", NULL, true },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
}

/* Splits a NUL-terminated copy of data into argv[1..]; argv[0] is fixed. */
static char **split_args(char *text, size_t size, int *argc)
{
	size_t n = 2;
	char **argv;
	int k = 1;

	for (size_t i = 0; i < size; i++)
		n += text[i] == '\0';
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		abort();
	argv[0] = "fuzz";
	argv[k++] = text;
	for (size_t i = 0; i < size; i++)
		if (text[i] == '\0')
			argv[k++] = text + i + 1;
	*argc = k;
	return argv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool env_set;
	struct flagset fs;
	struct opts o;
	struct buf err = BUF_INIT, usage = BUF_INIT;
	char *text = malloc(size + 1);
	char **argv;
	int argc;
	double d;

	if (!env_set) {
		/* Fixed values: the environment path runs, the input stays the argv. */
		setenv("FUZZ_FLAGS_STRING", "from-env", 1);
		setenv("FUZZ_FLAGS_LIST", "a:1", 1);
		setenv("FUZZ_FLAGS_INT", "7", 1);
		env_set = true;
	}
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	argv = split_args(text, size, &argc);

	memset(&o, 0, sizeof(o));
	flagset_init(&fs, "fuzz", "Fuzzing.");
	add_flags(&fs, &o);
	for (int pass = 0; pass < 2; pass++) {
		buf_truncate(&err, 0);
		if (flagset_parse(&fs, argc, argv, &err) == FLAGS_ERROR &&
		    (err.len == 0 || memchr(err.data, '\n', err.len)))
			abort();	/* the error must be exactly one line */
	}
	flagset_usage(&fs, &usage);
	for (int i = 1; i < argc; i++)
		if (flags_parse_duration(argv[i], &d) == 0 && !(d >= 0))
			abort();
	flagset_release(&fs);

	buf_release(&err);
	buf_release(&usage);
	free(argv);
	free(text);
	return 0;
}
