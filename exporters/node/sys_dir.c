/*
 * sys_dir: the sorted directory listing the sysfs/procfs collectors share
 * (infiniband, bcache, btrfs, xfs, zfs; declared in sys_parse.h), as Go's
 * os.ReadDir gives it to upstream.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "sys_parse.h"

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_regular(const char *dir, const struct dirent *e)
{
	struct buf path = BUF_INIT;
	struct stat st;
	bool regular;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_REG;
	regular = lstat(fs_join(&path, dir, e->d_name), &st) == 0 &&
		  S_ISREG(st.st_mode);
	buf_release(&path);
	return regular;
}

int sys_list_dir(const char *dir, bool regular_only, char ***names)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, name_cmp);
	int kept = 0;

	*names = NULL;
	if (n < 0)
		return -errno;
	*names = calloc((size_t)n + 1, sizeof(char *));
	if (!*names)
		abort();
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (strcmp(name, ".") && strcmp(name, "..") &&
		    (!regular_only || is_regular(dir, ents[i]))) {
			(*names)[kept] = strdup(name);
			if (!(*names)[kept++])
				abort();
		}
		free(ents[i]);
	}
	free(ents);
	return kept;
}
