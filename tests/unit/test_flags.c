#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flags.h"

static const char *const levels[] = { "debug", "info", "warn", "error", NULL };

/* Every flag kind, as an applet declares them. */
struct opts {
	bool verbose;
	bool enabled;
	const char *path;
	const char *level;
	struct strlist listen;
	long max;
	double timeout;
	const char *secret;
};

struct fixture {
	struct flagset fs;
	struct opts o;
	struct buf err;
};

static void add_flags(struct flagset *fs, struct opts *o)
{
	const struct flag flags[] = {
		{ "verbose", FLAG_BOOL, &o->verbose, "false", NULL, "Say more." },
		{ "collector.cpu", FLAG_BOOL, &o->enabled, "true", NULL, "Enable cpu." },
		{ "path.procfs", FLAG_STRING, &o->path, "/proc", "TEST_PROCFS", "procfs mountpoint." },
		{ "log.level", FLAG_STRING, &o->level, "info", NULL, "Level.", levels },
		{ "web.listen-address", FLAG_LIST, &o->listen, ":9100", "TEST_LISTEN", "Addresses." },
		{ "web.max-requests", FLAG_INT, &o->max, "40", "TEST_MAX", "Max." },
		{ "web.timeout", FLAG_DURATION, &o->timeout, "10s", NULL, "Timeout." },
		{ "secret", FLAG_STRING, &o->secret, NULL, NULL, "Hidden.", NULL, true },
	};

	flagset_add_table(fs, flags, sizeof(flags) / sizeof(flags[0]));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	unsetenv("TEST_PROCFS");
	unsetenv("TEST_LISTEN");
	unsetenv("TEST_MAX");
	flagset_init(&f->fs, "test-exporter", "A test exporter.");
	add_flags(&f->fs, &f->o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	flagset_release(&f->fs);
	buf_release(&f->err);
	free(f);
	return 0;
}

/* Parses a NULL-terminated argument list (program name added). */
#define PARSE(f, ...) parse_args(f, (const char *[]){ "prog", __VA_ARGS__, NULL })
#define PARSE_NONE(f) parse_args(f, (const char *[]){ "prog", NULL })

static enum flags_result parse_args(struct fixture *f, const char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	buf_truncate(&f->err, 0);
	return flagset_parse(&f->fs, argc, (char **)args, &f->err);
}

static void test_defaults(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE_NONE(f), FLAGS_OK);
	assert_false(f->o.verbose);
	assert_true(f->o.enabled);
	assert_string_equal(f->o.path, "/proc");
	assert_string_equal(f->o.level, "info");
	assert_int_equal(f->o.listen.n, 1);
	assert_string_equal(f->o.listen.v[0], ":9100");
	assert_int_equal(f->o.max, 40);
	assert_true(f->o.timeout == 10.0);
	assert_null(f->o.secret);	/* no default: left alone */
	assert_false(flagset_given(&f->fs, "path.procfs"));
	assert_false(flagset_given(&f->fs, "web.listen-address"));
}

static void test_spellings(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--path.procfs=/a"), FLAGS_OK);
	assert_string_equal(f->o.path, "/a");
	assert_int_equal(PARSE(f, "--path.procfs", "/b"), FLAGS_OK);
	assert_string_equal(f->o.path, "/b");
	assert_int_equal(PARSE(f, "-path.procfs=/c"), FLAGS_OK);
	assert_string_equal(f->o.path, "/c");
	assert_int_equal(PARSE(f, "-path.procfs", "/d"), FLAGS_OK);
	assert_string_equal(f->o.path, "/d");
	/* The value is taken as is, even when it looks like a flag or is empty. */
	assert_int_equal(PARSE(f, "--web.max-requests", "-3"), FLAGS_OK);
	assert_int_equal(f->o.max, -3);
	assert_int_equal(PARSE(f, "--path.procfs="), FLAGS_OK);
	assert_string_equal(f->o.path, "");
	assert_int_equal(PARSE(f, "--path.procfs=a=b"), FLAGS_OK);
	assert_string_equal(f->o.path, "a=b");
	assert_true(flagset_given(&f->fs, "path.procfs"));
}

/* String targets point into argv: no copy, nothing to free. */
static void test_string_points_into_argv(void **state)
{
	struct fixture *f = *state;
	char arg[] = "--path.procfs=/host/proc";
	char *argv[] = { "prog", arg, NULL };

	assert_int_equal(flagset_parse(&f->fs, 2, argv, &f->err), FLAGS_OK);
	assert_ptr_equal(f->o.path, arg + strlen("--path.procfs="));
}

static void test_bools(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--verbose"), FLAGS_OK);
	assert_true(f->o.verbose);
	assert_int_equal(PARSE(f, "--no-collector.cpu"), FLAGS_OK);
	assert_false(f->o.enabled);
	assert_true(flagset_given(&f->fs, "collector.cpu"));
	assert_int_equal(PARSE(f, "--no-collector.cpu", "--collector.cpu"), FLAGS_OK);
	assert_true(f->o.enabled);
	assert_int_equal(PARSE(f, "-verbose"), FLAGS_OK);
	assert_true(f->o.verbose);

	const char *yes[] = { "true", "1", "t", "T", "TRUE", "True" };
	const char *no[] = { "false", "0", "f", "F", "FALSE", "False" };
	char arg[64];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(arg, sizeof(arg), "--verbose=%s", yes[i]);
		assert_int_equal(PARSE(f, arg), FLAGS_OK);
		assert_true(f->o.verbose);
		snprintf(arg, sizeof(arg), "--collector.cpu=%s", no[i]);
		assert_int_equal(PARSE(f, arg), FLAGS_OK);
		assert_false(f->o.enabled);
	}
}

static void test_bool_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--verbose=yes"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"yes\" for flag --verbose: not a boolean (true or false)");
	assert_int_equal(PARSE(f, "--no-verbose=true"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "flag --no-verbose does not take a value");
	/* A bool never takes the next argument as its value. */
	assert_int_equal(PARSE(f, "--verbose", "false"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unexpected argument \"false\"");
	/* --no- only applies to booleans. */
	assert_int_equal(PARSE(f, "--no-path.procfs"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unknown flag --no-path.procfs");
}

static void test_help_version(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--help"), FLAGS_HELP);
	assert_int_equal(PARSE(f, "-h"), FLAGS_HELP);
	assert_int_equal(PARSE(f, "-help"), FLAGS_HELP);
	assert_int_equal(PARSE(f, "--verbose", "--help"), FLAGS_HELP);
	assert_int_equal(PARSE(f, "--version"), FLAGS_VERSION);
	assert_int_equal(PARSE(f, "--version=1"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unknown flag --version");
}

static void test_unknown_and_positional(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--foo"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unknown flag --foo");
	assert_int_equal(PARSE(f, "-foo=bar"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unknown flag -foo");
	assert_int_equal(PARSE(f, "--path"), FLAGS_ERROR);	/* no prefix matching */
	assert_string_equal(buf_cstr(&f->err), "unknown flag --path");
	assert_int_equal(PARSE(f, "serve"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unexpected argument \"serve\"");
	assert_int_equal(PARSE(f, "-"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unexpected argument \"-\"");
	/* A bare -- ends the flags; nothing may follow. */
	assert_int_equal(PARSE(f, "--verbose", "--"), FLAGS_OK);
	assert_true(f->o.verbose);
	assert_int_equal(PARSE(f, "--", "--verbose"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unexpected argument \"--verbose\"");
	assert_false(f->o.verbose);
}

static void test_missing_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--web.listen-address"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "missing value for flag --web.listen-address");
	assert_int_equal(PARSE(f, "--verbose", "-path.procfs"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "missing value for flag --path.procfs");
}

static void test_int(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "abc", "12x", " 12", "12 ", "", "1.5", "0x10", "+" };

	assert_int_equal(PARSE(f, "--web.max-requests=0"), FLAGS_OK);
	assert_int_equal(f->o.max, 0);
	assert_int_equal(PARSE(f, "--web.max-requests=+7"), FLAGS_OK);
	assert_int_equal(f->o.max, 7);
	assert_int_equal(PARSE(f, "--web.max-requests=9223372036854775807"), FLAGS_OK);
	assert_true(f->o.max == 9223372036854775807L);

	assert_int_equal(PARSE(f, "--web.max-requests=abc"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"abc\" for flag --web.max-requests: not an integer");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char arg[64];

		snprintf(arg, sizeof(arg), "--web.max-requests=%s", bad[i]);
		assert_int_equal(PARSE(f, arg), FLAGS_ERROR);
		assert_non_null(strstr(buf_cstr(&f->err), "not an integer"));
	}
	assert_int_equal(PARSE(f, "--web.max-requests=9223372036854775808"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"9223372036854775808\" for flag --web.max-requests: out of range");
}

static void test_choices(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--log.level=debug"), FLAGS_OK);
	assert_string_equal(f->o.level, "debug");
	assert_int_equal(PARSE(f, "--log.level=chatty"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "flag --log.level must be one of: debug, info, warn, error");
	assert_int_equal(PARSE(f, "--log.level=INFO"), FLAGS_ERROR);
}

/* Whatever the user typed, the message stays one line. */
static void test_error_is_one_line(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--web.max-requests=1\n2"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"1\\x0a2\" for flag --web.max-requests: not an integer");
	assert_int_equal(PARSE(f, "--bad\nflag"), FLAGS_ERROR);
	assert_null(strchr(buf_cstr(&f->err), '\n'));
	assert_int_equal(PARSE(f, "stray\"arg"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err), "unexpected argument \"stray\\\"arg\"");
}

static void test_duration_flag(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--web.timeout=1m30s"), FLAGS_OK);
	assert_true(f->o.timeout == 90.0);
	assert_int_equal(PARSE(f, "--web.timeout", "2.5"), FLAGS_OK);
	assert_true(f->o.timeout == 2.5);
	assert_int_equal(PARSE(f, "--web.timeout=-1s"), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"-1s\" for flag --web.timeout: not a duration (like 5s, 1m30s or 250ms)");
}

static void test_env_fallback(void **state)
{
	struct fixture *f = *state;

	setenv("TEST_PROCFS", "/env/proc", 1);
	setenv("TEST_MAX", "12", 1);
	assert_int_equal(PARSE_NONE(f), FLAGS_OK);
	assert_string_equal(f->o.path, "/env/proc");
	assert_int_equal(f->o.max, 12);
	assert_true(flagset_given(&f->fs, "path.procfs"));
	assert_true(flagset_given(&f->fs, "web.max-requests"));
	assert_false(flagset_given(&f->fs, "web.timeout"));

	/* The command line wins over the environment. */
	assert_int_equal(PARSE(f, "--path.procfs=/cli"), FLAGS_OK);
	assert_string_equal(f->o.path, "/cli");
	assert_int_equal(f->o.max, 12);

	/* An empty variable counts as unset, as in kingpin. */
	setenv("TEST_PROCFS", "", 1);
	assert_int_equal(PARSE_NONE(f), FLAGS_OK);
	assert_string_equal(f->o.path, "/proc");
	assert_false(flagset_given(&f->fs, "path.procfs"));

	setenv("TEST_MAX", "lots", 1);
	assert_int_equal(PARSE_NONE(f), FLAGS_ERROR);
	assert_string_equal(buf_cstr(&f->err),
			    "invalid value \"lots\" for flag --web.max-requests (from $TEST_MAX): not an integer");
	/* Not consulted when the command line gives the flag. */
	assert_int_equal(PARSE(f, "--web.max-requests=3"), FLAGS_OK);
	assert_int_equal(f->o.max, 3);
	unsetenv("TEST_MAX");
	unsetenv("TEST_PROCFS");
}

static void test_list_semantics(void **state)
{
	struct fixture *f = *state;

	/* Given on the command line: the default is replaced, not appended to. */
	assert_int_equal(PARSE(f, "--web.listen-address=:1"), FLAGS_OK);
	assert_int_equal(f->o.listen.n, 1);
	assert_string_equal(f->o.listen.v[0], ":1");
	assert_true(flagset_given(&f->fs, "web.listen-address"));

	/* Each occurrence appends, in order, whatever comes between. */
	assert_int_equal(PARSE(f, "--web.listen-address=:1", "--verbose",
			       "-web.listen-address", ":2", "--web.listen-address=:3"),
			 FLAGS_OK);
	assert_int_equal(f->o.listen.n, 3);
	assert_string_equal(f->o.listen.v[0], ":1");
	assert_string_equal(f->o.listen.v[1], ":2");
	assert_string_equal(f->o.listen.v[2], ":3");
	assert_null(f->o.listen.v[3]);

	/* A new parse starts from the default again. */
	assert_int_equal(PARSE_NONE(f), FLAGS_OK);
	assert_int_equal(f->o.listen.n, 1);
	assert_string_equal(f->o.listen.v[0], ":9100");

	/* The environment gives one value, replacing the default. */
	setenv("TEST_LISTEN", "127.0.0.1:9,x", 1);
	assert_int_equal(PARSE_NONE(f), FLAGS_OK);
	assert_int_equal(f->o.listen.n, 1);
	assert_string_equal(f->o.listen.v[0], "127.0.0.1:9,x");
	assert_true(flagset_given(&f->fs, "web.listen-address"));
	/* ...and is ignored when the command line has the flag. */
	assert_int_equal(PARSE(f, "--web.listen-address=:5"), FLAGS_OK);
	assert_int_equal(f->o.listen.n, 1);
	assert_string_equal(f->o.listen.v[0], ":5");
	unsetenv("TEST_LISTEN");
}

/* Parsing again resets everything; ASan's leak check sees the arrays freed. */
static void test_parse_twice(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(PARSE(f, "--web.listen-address=:1", "--web.listen-address=:2",
				       "--verbose", "--web.max-requests=1"),
				 FLAGS_OK);
		assert_int_equal(f->o.listen.n, 2);
		assert_true(f->o.verbose);
		assert_int_equal(PARSE_NONE(f), FLAGS_OK);
		assert_false(f->o.verbose);
		assert_int_equal(f->o.max, 40);
		assert_int_equal(f->o.listen.n, 1);
		assert_false(flagset_given(&f->fs, "verbose"));
	}
	/* An error half way leaves nothing to leak either. */
	assert_int_equal(PARSE(f, "--web.listen-address=:1", "--nope"), FLAGS_ERROR);
}

static void test_given(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, "--collector.cpu"), FLAGS_OK);
	assert_true(flagset_given(&f->fs, "collector.cpu"));
	assert_false(flagset_given(&f->fs, "verbose"));
	assert_false(flagset_given(&f->fs, "no-such-flag"));
	assert_false(flagset_given(&f->fs, "collector"));
	assert_false(flagset_given(&f->fs, NULL));
}

static void test_usage(void **state)
{
	struct flagset fs;
	struct buf out = BUF_INIT;
	struct opts o;
	const char *want =
		"usage: test-exporter [<flags>]\n"
		"\n"
		"A test exporter.\n"
		"\n"
		"Flags:\n"
		"  --[no-]verbose\n"
		"      Say more.\n"
		"  --[no-]collector.cpu\n"
		"      Enable cpu.\n"
		"  --path.procfs=/proc\n"
		"      procfs mountpoint. ($TEST_PROCFS)\n"
		"  --log.level=info\n"
		"      Level.\n"
		"  --web.listen-address=:9100\n"
		"      Addresses. ($TEST_LISTEN)\n"
		"  --web.max-requests=40\n"
		"      Max. ($TEST_MAX)\n"
		"  --web.timeout=10s\n"
		"      Timeout.\n"
		"  -h, --help\n"
		"      Show this help and exit.\n"
		"  --version\n"
		"      Show the version and exit.\n";

	(void)state;
	flagset_init(&fs, "test-exporter", "A test exporter.");
	add_flags(&fs, &o);
	flagset_usage(&fs, &out);
	assert_string_equal(buf_cstr(&out), want);
	assert_null(strstr(buf_cstr(&out), "secret"));
	flagset_release(&fs);
	buf_release(&out);
}

static void test_usage_placeholders(void **state)
{
	struct flagset fs;
	struct buf out = BUF_INIT;
	const char *a = NULL, *b = NULL;
	const struct flag flags[] = {
		{ "web.config.file", FLAG_STRING, &a, "", NULL, "Config." },
		{ "redis.addr", FLAG_STRING, &b, NULL, NULL, "Address." },
	};

	(void)state;
	flagset_init(&fs, "x", NULL);
	flagset_add_table(&fs, flags, 2);
	flagset_usage(&fs, &out);
	assert_non_null(strstr(buf_cstr(&out), "usage: x [<flags>]\n\nFlags:\n"));
	assert_non_null(strstr(buf_cstr(&out), "  --web.config.file=\"\"\n      Config.\n"));
	assert_non_null(strstr(buf_cstr(&out), "  --redis.addr=REDIS.ADDR\n      Address.\n"));
	flagset_release(&fs);
	buf_release(&out);
}

static void test_parse_duration(void **state)
{
	static const struct {
		const char *in;
		double want;
	} good[] = {
		{ "0", 0 }, { "5s", 5 }, { "1m30s", 90 }, { "250ms", 0.25 }, { "1h", 3600 },
		{ "1.5s", 1.5 }, { "300us", 300e-6 }, { "300\xc2\xb5s", 300e-6 },
		{ "300\xce\xbcs", 300e-6 }, { "10ns", 10e-9 }, { "2.5", 2.5 }, { "30", 30 },
		{ "+5s", 5 }, { "1h2m3s", 3723 }, { ".5s", 0.5 }, { "5.s", 5 }, { "0s", 0 },
		{ "1h1h", 7200 }, { "0.3", 0.3 }, { "2562047h", 2562047.0 * 3600 },
		{ "1m0.5s", 60.5 }, { "007s", 7 },
	};
	static const char *const bad[] = {
		"", "-1s", "-0", "-5", "s", "5x", "1s5", "abc", "1e3", " 5s", "5s ", "inf",
		"nan", "0x10", "1.2.3s", ".s", ".", "+", "9999999999s", "2562048h", "5 s",
		"1S", "1sec", "1d",
	};
	double d;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = -1;
		if (flags_parse_duration(good[i].in, &d) != 0)
			fail_msg("%s: refused", good[i].in);
		if (fabs(d - good[i].want) > 1e-12 * (good[i].want > 1 ? good[i].want : 1))
			fail_msg("%s: got %.17g, want %.17g", good[i].in, d, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 42;
		if (flags_parse_duration(bad[i], &d) != -1)
			fail_msg("\"%s\": accepted as %g", bad[i], d);
		assert_true(d == 42);	/* untouched on error */
	}
	assert_int_equal(flags_parse_duration(NULL, &d), -1);
	assert_int_equal(flags_parse_duration("0.3", &d), 0);
	assert_true(d == 0.3);	/* exactly the double nearest 0.3 */
}

/* Runs fn in a child process and reports whether it died of SIGABRT. */
static bool aborts(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void bad_default(void)
{
	struct flagset fs;
	long n;
	const struct flag f = { "n", FLAG_INT, &n, "forty", NULL, "N." };
	char *argv[] = { "prog", NULL };
	struct buf err = BUF_INIT;

	flagset_init(&fs, "x", NULL);
	flagset_add(&fs, &f);
	flagset_parse(&fs, 1, argv, &err);
}

static void bad_choice_default(void)
{
	struct flagset fs;
	const char *s;
	const struct flag f = { "log.level", FLAG_STRING, &s, "loud", NULL, "L.", levels };
	char *argv[] = { "prog", NULL };
	struct buf err = BUF_INIT;

	flagset_init(&fs, "x", NULL);
	flagset_add(&fs, &f);
	flagset_parse(&fs, 1, argv, &err);
}

static void duplicate_flag(void)
{
	struct flagset fs;
	bool b;
	const struct flag f = { "b", FLAG_BOOL, &b, "false", NULL, "B." };

	flagset_init(&fs, "x", NULL);
	flagset_add(&fs, &f);
	flagset_add(&fs, &f);
}

static void good_table(void)
{
	struct flagset fs;
	struct opts o;
	char *argv[] = { "prog", NULL };
	struct buf err = BUF_INIT;

	flagset_init(&fs, "x", NULL);
	add_flags(&fs, &o);
	flagset_parse(&fs, 1, argv, &err);
	flagset_release(&fs);
}

/* A broken flag table is a programmer error: it must not get past start-up. */
static void test_table_errors_abort(void **state)
{
	(void)state;
	assert_true(aborts(bad_default));
	assert_true(aborts(bad_choice_default));
	assert_true(aborts(duplicate_flag));
	assert_false(aborts(good_table));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_points_into_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_positional, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_is_one_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duration_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given, setup, teardown),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_placeholders),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_table_errors_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
