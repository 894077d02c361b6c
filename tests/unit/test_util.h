/*
 * Helpers for the collector tests: running a collector as the runner does,
 * finding whole lines in its output, and scratch directories made under
 * /tmp, filled with files, removed whole (nftw, not a shell).
 */
#ifndef EXPORTERBOX_TEST_UTIL_H
#define EXPORTERBOX_TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"

/*
 * Runs one collector the way the runner does (init, collect, release) with
 * the given configuration into out; returns collect()'s result. A writer
 * error (duplicate family, wrong label count) fails the test.
 */
static inline int test_run_collector(const struct collector *c,
				     const struct node_config *cfg,
				     struct buf *out)
{
	struct collect_ctx ctx = { .config = cfg };
	struct expo w;
	int rc;

	if (c->init)
		assert_int_equal(c->init(cfg, &ctx.state), 0);
	buf_truncate(out, 0);
	expo_init(&w, out, EXPO_TEXT);
	rc = c->collect(&ctx, &w);
	assert_int_equal(w.errors, 0);
	expo_release(&w);
	if (c->release)
		c->release(ctx.state);
	return rc;
}

/* Asserts that text holds line as a whole line. */
static inline void test_assert_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return;
	}
	fail_msg("line not found: %s\n--- in ---\n%s", line, text);
}

/* A new empty directory "/tmp/<prefix>.XXXXXX"; free with test_remove_dir. */
static inline char *test_make_dir(const char *prefix)
{
	char tmpl[256];

	snprintf(tmpl, sizeof(tmpl), "/tmp/%s.XXXXXX", prefix);
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static inline int test_remove_entry(const char *path, const struct stat *st,
				    int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static inline void test_remove_dir(char *dir)
{
	assert_int_equal(nftw(dir, test_remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

/* Writes text to dir/rel, making rel's parent directories. */
static inline void test_write_file(const char *dir, const char *rel, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		assert_true(mkdir(path, 0755) == 0 || access(path, F_OK) == 0);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif
