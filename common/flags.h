/*
 * flags: table-driven command-line flags in the style of the Go exporters.
 *
 * Accepted spellings: --name=value, --name value, -name=value / -name value
 * (Go's flag package style, used by redis_exporter), --name / --no-name for
 * booleans and --name=true|false. A flag not given on the command line takes
 * its environment variable (when it has one), else its default. A list flag
 * given on the command line replaces its default; each occurrence appends.
 *
 * Targets are written only by flagset_parse(); string targets point into argv,
 * the environment or the static default, so they live as long as the process.
 * The flagset owns the arrays behind list targets: flagset_add() empties a
 * list target (the one other write), and the next flagset_parse() or
 * flagset_release() frees its array.
 */
#ifndef EXPORTERBOX_FLAGS_H
#define EXPORTERBOX_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum flag_kind {
	FLAG_BOOL,	/* bool * */
	FLAG_STRING,	/* const char ** */
	FLAG_LIST,	/* struct strlist * */
	FLAG_INT,	/* long * */
	FLAG_DURATION,	/* double * (seconds); "5s", "1m30s", "250ms" or "2.5" */
};

struct strlist {
	const char **v;
	size_t n;
};

struct flag {
	const char *name;		/* without dashes: "web.listen-address" */
	enum flag_kind kind;
	void *target;
	const char *def;		/* default, parsed as if given; NULL: none */
	const char *env;		/* environment fallback, or NULL */
	const char *help;
	const char *const *choices;	/* allowed values for strings, or NULL */
	bool hidden;			/* accepted, not listed in --help */
};

struct flagset {
	const char *prog;		/* for messages: "node-exporter" */
	const char *summary;		/* one line for --help */
	struct flag *flags;
	bool *given;			/* given[i]: flag i came from argv or env */
	size_t n, cap;
};

enum flags_result {
	FLAGS_OK = 0,
	FLAGS_HELP = 1,			/* --help or -h: print flagset_usage() */
	FLAGS_VERSION = 2,		/* --version */
	FLAGS_ERROR = -1,		/* the message is in err */
};

void flagset_init(struct flagset *fs, const char *prog, const char *summary);
void flagset_add(struct flagset *fs, const struct flag *f);
void flagset_add_table(struct flagset *fs, const struct flag *table, size_t n);
/* Parses argv[1..]; on FLAGS_ERROR, err holds one line (no newline). */
enum flags_result flagset_parse(struct flagset *fs, int argc, char **argv,
				struct buf *err);
/* True when the flag was given on the command line or by its environment. */
bool flagset_given(const struct flagset *fs, const char *name);
void flagset_usage(const struct flagset *fs, struct buf *out);
void flagset_release(struct flagset *fs);

/* Go-style duration to seconds; -1 on error. */
int flags_parse_duration(const char *s, double *seconds);

#endif
