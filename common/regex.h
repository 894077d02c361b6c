/*
 * regex: the upstream exporters take Go (RE2) regular expressions in their
 * flags; libc speaks POSIX ERE. re_compile() translates the RE2 escapes that
 * appear in practice (\d \D \s \S \w \W, \. and other escaped punctuation,
 * non-capturing groups (?:...)) and compiles with REG_EXTENDED | REG_NOSUB.
 * Matching is unanchored, as Go's MatchString is.
 */
#ifndef EXPORTERBOX_REGEX_H
#define EXPORTERBOX_REGEX_H

#include <regex.h>
#include <stdbool.h>

#include "buf.h"

/* Returns 0, or -1 with a one-line reason in err. */
int re_compile(regex_t *re, const char *pattern, struct buf *err);
/* (Not re_match: glibc declares one under _GNU_SOURCE.) */
bool re_matches(const regex_t *re, const char *s);
/*
 * A compiled pattern that remembers its answer per input: for filters over
 * names that repeat every scrape (netstat and vmstat fields), where
 * regexec() on each of hundreds of names cost more than reading the files.
 * Not thread-safe: one per collector state, used by one scrape at a time.
 * At most RE_MEMO_MAX names are remembered; past that it just matches.
 */
#define RE_MEMO_MAX 4096

struct re_memo_entry {
	char *key;
	bool match;
};

struct re_memo {
	regex_t re;
	struct re_memo_entry *slots;
	size_t cap, n;
};

int re_memo_compile(struct re_memo *m, const char *pattern, struct buf *err);
bool re_memo_matches(struct re_memo *m, const char *s);
void re_memo_free(struct re_memo *m);

/* The POSIX form of an RE2 pattern (exposed for tests). */
int re_translate(const char *pattern, struct buf *out, struct buf *err);

#endif
