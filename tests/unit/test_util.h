/*
 * Scratch directories for the collector tests: made under /tmp, filled
 * with files, removed whole (nftw, not a shell).
 */
#ifndef EXPORTERBOX_TEST_UTIL_H
#define EXPORTERBOX_TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
