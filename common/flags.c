#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* One parse in progress: which flags the command line named. */
struct parse {
	struct flagset *fs;
	bool *cli;		/* cli[i]: flag i appeared in argv */
	struct buf *err;
};

/* Where a value came from, for error messages. */
struct origin {
	const char *env;	/* NULL: the command line or the default */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return p;
}

/* A programmer error in a flag table: say which, then stop. */
static void die_table(const struct flag *f, const char *why)
{
	fprintf(stderr, "flag table: --%s: %s\n", f->name ? f->name : "(null)", why);
	abort();
}

/*
 * Appends s with control characters escaped, so that text that came from
 * argv or the environment can never break the one-line error message.
 */
static void add_printable(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			buf_addf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

static void add_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	add_printable(b, s, strlen(s));
	buf_addc(b, '"');
}

static void list_clear(struct strlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Appends s; v stays NULL-terminated for callers who prefer that. */
static void list_append(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void flagset_init(struct flagset *fs, const char *prog, const char *summary)
{
	memset(fs, 0, sizeof(*fs));
	fs->prog = prog;
	fs->summary = summary;
}

static ssize_t find_flag(const struct flagset *fs, const char *name, size_t len)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strncmp(fs->flags[i].name, name, len) == 0 &&
		    fs->flags[i].name[len] == '\0')
			return (ssize_t)i;
	return -1;
}

/*
 * Copies *f into the set. The name, help and default strings are borrowed
 * and must outlive the set. A list target is emptied here: from now on its
 * array belongs to the set, which is what lets flagset_parse() and
 * flagset_release() free it without guessing.
 */
void flagset_add(struct flagset *fs, const struct flag *f)
{
	if (!f->name || !f->name[0] || !f->target)
		die_table(f, "needs a name and a target");
	if (find_flag(fs, f->name, strlen(f->name)) >= 0)
		die_table(f, "defined twice");
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? 2 * fs->cap : 32;
		fs->flags = xrealloc(fs->flags, fs->cap * sizeof(*fs->flags));
		fs->given = xrealloc(fs->given, fs->cap * sizeof(*fs->given));
	}
	fs->flags[fs->n] = *f;
	fs->given[fs->n] = false;
	fs->n++;
	if (f->kind == FLAG_LIST) {
		struct strlist *l = f->target;

		l->v = NULL;
		l->n = 0;
	}
}

void flagset_add_table(struct flagset *fs, const struct flag *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		flagset_add(fs, &table[i]);
}

/* strconv.ParseBool's spellings, which kingpin and Go's flag accept. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Base-10 long; the whole string must be the number. NULL or a reason. */
static const char *parse_int(const char *s, long *out)
{
	char *end;
	long v;

	/* strtol would skip leading blanks; a flag value should not have any. */
	if (!(*s >= '0' && *s <= '9') && !((*s == '-' || *s == '+') &&
					   s[1] >= '0' && s[1] <= '9'))
		return "not an integer";
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return "not an integer";
	if (errno == ERANGE)
		return "out of range";
	*out = v;
	return NULL;
}

/*
 * Parses an unsigned decimal at *s ("12", "1.5", ".5", "5.") and advances
 * *s past it. The fraction is summed as an integer and divided once, so
 * "0.3" is the nearest double to 0.3 and not 3 * 0.1. Returns -1 when there
 * is no digit at all.
 */
static int parse_decimal(const char **s, double *out)
{
	const char *p = *s;
	double whole = 0, frac = 0, scale = 1;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			/* Past 18 digits nothing changes a double. */
			if (scale < 1e18) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
	}
	if (!digits)
		return -1;
	*s = p;
	*out = whole + frac / scale;
	return 0;
}

/* Go's duration units; longer spellings first so "ms" wins over "m". */
static const struct {
	const char *name;
	double seconds;
} duration_units[] = {
	{ "ns", 1e-9 },
	{ "us", 1e-6 },
	{ "\xc2\xb5s", 1e-6 },	/* U+00B5 micro sign */
	{ "\xce\xbcs", 1e-6 },	/* U+03BC Greek mu */
	{ "ms", 1e-3 },
	{ "s", 1 },
	{ "m", 60 },
	{ "h", 3600 },
};

/* Matches a unit at *s and advances past it; 0 when there is none. */
static double parse_unit(const char **s)
{
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		size_t n = strlen(duration_units[i].name);

		if (strncmp(*s, duration_units[i].name, n) == 0) {
			*s += n;
			return duration_units[i].seconds;
		}
	}
	return 0;
}

/*
 * Go's time.ParseDuration ("1h2m3.5s", "250ms", "300us"), plus a plain
 * number meaning seconds, as the exporters' timeouts are often written.
 * Negative durations are refused, and so is anything past Go's limit of
 * 2^63 nanoseconds, so callers may convert to integer milliseconds freely.
 */
int flags_parse_duration(const char *s, double *seconds)
{
	double total = 0, v, unit;

	if (!s)
		return -1;
	if (*s == '+')
		s++;
	if (!*s)
		return -1;
	if (parse_decimal(&s, &v) != 0)
		return -1;
	if (*s == '\0') {
		total = v;
		goto check;
	}
	for (;;) {
		unit = parse_unit(&s);
		if (unit == 0)
			return -1;
		total += v * unit;
		if (*s == '\0')
			break;
		if (parse_decimal(&s, &v) != 0)
			return -1;
	}
check:
	if (!isfinite(total) || total > 9223372036.854775807)
		return -1;
	*seconds = total;
	return 0;
}

static int in_choices(const struct flag *f, const char *value)
{
	if (!f->choices)
		return 1;
	for (size_t i = 0; f->choices[i]; i++)
		if (strcmp(f->choices[i], value) == 0)
			return 1;
	return 0;
}

static void add_choices_error(struct buf *err, const struct flag *f)
{
	buf_addf(err, "flag --%s must be one of: ", f->name);
	for (size_t i = 0; f->choices[i]; i++)
		buf_addf(err, "%s%s", i ? ", " : "", f->choices[i]);
}

static void add_value_error(struct buf *err, const struct flag *f, const char *value,
			    const struct origin *o, const char *why)
{
	buf_adds(err, "invalid value ");
	add_quoted(err, value);
	buf_addf(err, " for flag --%s", f->name);
	if (o->env)
		buf_addf(err, " (from $%s)", o->env);
	buf_addf(err, ": %s", why);
}

/*
 * Stores value into flag f's target, converting by kind. A list gets value
 * appended; every other kind is overwritten. On a bad value the target is
 * left alone and err gets one line. value must live as long as the process
 * (argv, the environment or a static default), because strings are stored
 * by pointer.
 */
static int set_value(const struct flag *f, const char *value, const struct origin *o,
		     struct buf *err)
{
	const char *why = NULL;
	long l;
	double d;
	bool b;

	switch (f->kind) {
	case FLAG_BOOL:
		if (parse_bool(value, &b) != 0)
			why = "not a boolean (true or false)";
		else
			*(bool *)f->target = b;
		break;
	case FLAG_STRING:
	case FLAG_LIST:
		if (!in_choices(f, value)) {
			add_choices_error(err, f);
			return -1;
		}
		if (f->kind == FLAG_LIST)
			list_append(f->target, value);
		else
			*(const char **)f->target = value;
		break;
	case FLAG_INT:
		why = parse_int(value, &l);
		if (!why)
			*(long *)f->target = l;
		break;
	case FLAG_DURATION:
		if (flags_parse_duration(value, &d) != 0)
			why = "not a duration (like 5s, 1m30s or 250ms)";
		else
			*(double *)f->target = d;
		break;
	default:
		die_table(f, "unknown kind");
	}
	if (why) {
		add_value_error(err, f, value, o, why);
		return -1;
	}
	return 0;
}

/*
 * Resets every flag to its default (a list to just its default, or empty).
 * A default that does not parse is a bug in the flag table, caught the first
 * time the program runs at all.
 */
static void apply_defaults(struct flagset *fs)
{
	const struct origin none = { NULL };

	for (size_t i = 0; i < fs->n; i++) {
		const struct flag *f = &fs->flags[i];
		struct buf err = BUF_INIT;

		fs->given[i] = false;
		if (f->kind == FLAG_LIST)
			list_clear(f->target);
		if (!f->def || set_value(f, f->def, &none, &err) == 0) {
			buf_release(&err);
			continue;
		}
		fprintf(stderr, "flag table: bad default: %s\n", buf_cstr(&err));
		abort();
	}
}

/* Environment values for the flags argv did not name; "" counts as unset. */
static int apply_env(struct parse *ps)
{
	struct flagset *fs = ps->fs;

	for (size_t i = 0; i < fs->n; i++) {
		const struct flag *f = &fs->flags[i];
		const struct origin o = { f->env };
		const char *v;

		if (ps->cli[i] || !f->env)
			continue;
		v = getenv(f->env);
		if (!v || !*v)
			continue;
		/* The environment replaces a list's default with one value. */
		if (f->kind == FLAG_LIST)
			list_clear(f->target);
		if (set_value(f, v, &o, ps->err) != 0)
			return -1;
		fs->given[i] = true;
	}
	return 0;
}

static void add_unknown_error(struct buf *err, const char *arg, size_t len)
{
	buf_adds(err, "unknown flag ");
	add_printable(err, arg, len);
}

/* "--no-NAME": a negated boolean, or -1 when NAME is no boolean flag. */
static ssize_t find_negated(const struct flagset *fs, const char *name, size_t len)
{
	ssize_t i;

	if (len <= 3 || strncmp(name, "no-", 3) != 0)
		return -1;
	i = find_flag(fs, name + 3, len - 3);
	if (i < 0 || fs->flags[i].kind != FLAG_BOOL)
		return -1;
	return i;
}

/*
 * Handles the flag at argv[*pos], which starts with '-'. Consumes the next
 * argument as the value for "--name value". Returns FLAGS_OK, FLAGS_HELP,
 * FLAGS_VERSION or FLAGS_ERROR (with err set).
 */
static enum flags_result parse_one(struct parse *ps, int argc, char **argv, int *pos)
{
	const char *arg = argv[*pos];
	const char *name = arg + 1 + (arg[1] == '-');
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	size_t shown = (size_t)(name - arg) + len;	/* dashes and name */
	const struct origin cli = { NULL };
	const char *value = eq ? eq + 1 : NULL;
	ssize_t i = find_flag(ps->fs, name, len);
	const struct flag *f;
	bool negated = false;

	if (i < 0 && !eq && (strcmp(name, "help") == 0 || strcmp(name, "h") == 0))
		return FLAGS_HELP;
	if (i < 0 && !eq && strcmp(name, "version") == 0)
		return FLAGS_VERSION;
	if (i < 0) {
		i = find_negated(ps->fs, name, len);
		negated = i >= 0;
	}
	if (i < 0) {
		add_unknown_error(ps->err, arg, shown);
		return FLAGS_ERROR;
	}
	f = &ps->fs->flags[i];
	if (negated && value) {
		buf_adds(ps->err, "flag ");
		add_printable(ps->err, arg, shown);
		buf_adds(ps->err, " does not take a value");
		return FLAGS_ERROR;
	}
	if (f->kind == FLAG_BOOL && !value)
		value = negated ? "false" : "true";
	if (!value) {
		if (*pos + 1 >= argc || !argv[*pos + 1]) {
			buf_addf(ps->err, "missing value for flag --%s", f->name);
			return FLAGS_ERROR;
		}
		value = argv[++*pos];
	}
	/* The first mention on the command line replaces a list's default. */
	if (f->kind == FLAG_LIST && !ps->cli[i])
		list_clear(f->target);
	ps->cli[i] = true;
	ps->fs->given[i] = true;
	return set_value(f, value, &cli, ps->err) == 0 ? FLAGS_OK : FLAGS_ERROR;
}

static void add_unexpected_error(struct buf *err, const char *arg)
{
	buf_adds(err, "unexpected argument ");
	add_quoted(err, arg);
}

/* Walks argv[1..]; everything after a bare "--" is a positional argument. */
static enum flags_result parse_argv(struct parse *ps, int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i]; i++) {
		const char *arg = argv[i];
		enum flags_result r;

		if (strcmp(arg, "--") == 0) {
			if (i + 1 < argc && argv[i + 1]) {
				add_unexpected_error(ps->err, argv[i + 1]);
				return FLAGS_ERROR;
			}
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			add_unexpected_error(ps->err, arg);
			return FLAGS_ERROR;
		}
		r = parse_one(ps, argc, argv, &i);
		if (r != FLAGS_OK)
			return r;
	}
	return FLAGS_OK;
}

/*
 * Sets every target: defaults first, then argv, then the environment for
 * the flags argv left out. Can run more than once: each run starts over from
 * the defaults and frees the list arrays of the run before.
 */
enum flags_result flagset_parse(struct flagset *fs, int argc, char **argv,
				struct buf *err)
{
	struct parse ps = { fs, NULL, err };
	enum flags_result r;

	apply_defaults(fs);
	ps.cli = calloc(fs->n ? fs->n : 1, sizeof(*ps.cli));
	if (!ps.cli)
		abort();
	r = parse_argv(&ps, argc, argv);
	if (r == FLAGS_OK && apply_env(&ps) != 0)
		r = FLAGS_ERROR;
	free(ps.cli);
	return r;
}

bool flagset_given(const struct flagset *fs, const char *name)
{
	ssize_t i = name ? find_flag(fs, name, strlen(name)) : -1;

	return i >= 0 && fs->given[i];
}

/* "  --name=DEFAULT" as kingpin prints it; no default shows the name in caps. */
static void usage_flag_line(const struct flag *f, struct buf *out)
{
	if (f->kind == FLAG_BOOL) {
		buf_addf(out, "  --[no-]%s\n", f->name);
		return;
	}
	buf_addf(out, "  --%s=", f->name);
	if (f->def && f->def[0]) {
		buf_adds(out, f->def);
	} else if (f->def) {
		buf_adds(out, "\"\"");
	} else {
		for (const char *p = f->name; *p; p++)
			buf_addc(out, *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
	}
	buf_addc(out, '\n');
}

void flagset_usage(const struct flagset *fs, struct buf *out)
{
	buf_addf(out, "usage: %s [<flags>]\n\n", fs->prog ? fs->prog : "");
	if (fs->summary && fs->summary[0])
		buf_addf(out, "%s\n\n", fs->summary);
	buf_adds(out, "Flags:\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct flag *f = &fs->flags[i];

		if (f->hidden)
			continue;
		usage_flag_line(f, out);
		buf_addf(out, "      %s", f->help ? f->help : "");
		if (f->env)
			buf_addf(out, "%s($%s)", f->help && f->help[0] ? " " : "", f->env);
		buf_addc(out, '\n');
	}
	buf_adds(out, "  -h, --help\n      Show this help and exit.\n");
	buf_adds(out, "  --version\n      Show the version and exit.\n");
}

/* Frees what the set owns: its tables and the arrays behind list targets. */
void flagset_release(struct flagset *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->flags[i].kind == FLAG_LIST)
			list_clear(fs->flags[i].target);
	free(fs->flags);
	free(fs->given);
	fs->flags = NULL;
	fs->given = NULL;
	fs->n = fs->cap = 0;
}
