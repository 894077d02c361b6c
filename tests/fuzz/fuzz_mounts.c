/*
 * Fuzzes the mounts file parser and the helpers the filesystem collector
 * applies to what it returns. Every mount it returns has four strings that
 * lie inside its own storage; their number never exceeds the input's lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filesystem.h"

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void check_string(const struct filesystem_mounts *m, const char *s)
{
	const char *lo = m->strings.data, *hi = lo + m->strings.len;

	if (s < lo || s >= hi || s + strlen(s) >= hi)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filesystem_mounts m;

	if (filesystem_parse_mounts((const char *)data, size, &m) != 0) {
		if (m.n || m.v)
			abort();
		filesystem_mounts_release(&m);
		return 0;
	}
	if (m.n > count_lines(data, size))
		abort();
	for (size_t i = 0; i < m.n; i++) {
		const struct filesystem_mount *mnt = &m.v[i];
		check_string(&m, mnt->device);
		check_string(&m, mnt->mountpoint);
		check_string(&m, mnt->fstype);
		check_string(&m, mnt->options);
		if (!*mnt->device || !*mnt->fstype || !*mnt->options)
			abort();
		const char *label = filesystem_strip_rootfs("/host", mnt->mountpoint);
		if (!*label)
			abort();
		filesystem_options_readonly(mnt->options);
	}
	filesystem_mounts_release(&m);
	return 0;
}
