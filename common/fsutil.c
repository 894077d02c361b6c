#include "fsutil.h"
#include "fdcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* sysfs attributes are at most a page; leave room for the odd larger one. */
#define FS_LINE_MAX (64u << 10)

static void buf_reset(struct buf *b)
{
	buf_grow(b, 0);
	b->len = 0;
	b->data[0] = '\0';
}

/*
 * Reads until end of file, at most max + 1 bytes: one more than allowed is
 * how a file that is too big is told apart from one that is exactly max.
 * st_size is never consulted, since /proc and /sys report 0 for files that
 * are not empty.
 */
static int read_all(int fd, struct buf *out, size_t max, bool positional)
{
	for (;;) {
		size_t room, want;
		ssize_t n;

		if (out->cap - out->len < 4096)
			buf_grow(out, out->len < 4096 ? 4096 : out->len);
		room = out->cap - out->len - 1;
		want = max + 1 - out->len;
		if (positional) /* a kept descriptor: its offset is not ours */
			n = pread(fd, out->data + out->len, room < want ? room : want,
				  (off_t)out->len);
		else
			n = read(fd, out->data + out->len, room < want ? room : want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max)
			return -EFBIG;
	}
}

int fs_read_fd(int fd, struct buf *out, size_t max)
{
	buf_reset(out);
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	int err = read_all(fd, out, max, true);
	if (err)
		buf_reset(out);
	return err;
}

/*
 * out holds the whole file, NUL-terminated, on success and is empty (but
 * still a valid C string) on failure.
 */
int fs_read_file(const char *path, struct buf *out, size_t max)
{
	int fd, err;

	buf_reset(out);
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;	/* so that max + 1 cannot wrap */
	struct fd_entry *kept = fdcache_take(path);
	bool keep = true;
	if (kept) {
		err = fs_read_fd(fdcache_fd(kept), out, max);
		bool gone = err != 0 && err != -EFBIG; /* ENODEV: the device went away */
		fdcache_give(kept, gone);
		if (!gone)
			return err;
		/* Open it again: it may be back under the same name. */
		keep = err != -ESPIPE; /* a file without pread: read it as before */
	}
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	err = read_all(fd, out, max, false);
	if (err || !keep || !fdcache_keep(path, fd))
		close(fd);
	if (err)
		buf_reset(out);
	return err;
}

/*
 * Exactly one '/' between root and rel, however either is written: root "/"
 * and "proc" give "/proc", "/x/" and "/a" give "/x/a". An empty root leaves
 * rel as it is (a path relative to the working directory). out is replaced.
 */
const char *fs_join(struct buf *out, const char *root, const char *rel)
{
	size_t rlen;

	buf_reset(out);
	if (!rel)
		rel = "";
	if (!root || !*root) {
		buf_adds(out, rel);
		return buf_cstr(out);
	}
	rlen = strlen(root);
	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	while (*rel == '/')
		rel++;
	buf_add(out, root, rlen);
	if (*rel || rlen == 0)
		buf_addc(out, '/');
	buf_adds(out, rel);
	return buf_cstr(out);
}

int fs_read_line(const char *path, struct buf *out)
{
	int err = fs_read_file(path, out, FS_LINE_MAX);

	if (err)
		return err;
	while (out->len > 0 && (out->data[out->len - 1] == '\n' ||
				out->data[out->len - 1] == '\r'))
		out->len--;
	out->data[out->len] = '\0';
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool numbered(const char *name, const char *prefix, size_t len)
{
	return strncmp(name, prefix, len) == 0 &&
	       name[len] >= '0' && name[len] <= '9';
}

size_t fs_list_numbered(const char *dir, const char *prefix, char ***names)
{
	size_t len = strlen(prefix), n = 0, cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	*names = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!numbered(e->d_name, prefix, len))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			char **v = realloc(*names, cap * sizeof(*v));
			if (!v)
				abort();
			*names = v;
		}
		if (!((*names)[n++] = strdup(e->d_name)))
			abort();
	}
	closedir(d);
	if (n)
		qsort(*names, n, sizeof(**names), name_cmp);
	return n;
}

void fs_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
