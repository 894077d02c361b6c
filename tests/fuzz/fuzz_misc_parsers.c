/*
 * Fuzzes the parsers behind the os, selinux, conntrack and timex node
 * collectors. The first byte picks the parser; the rest is its input,
 * NUL-terminated as the collectors hand it over (os-release also gets the
 * length, NULs included). Besides not crashing, each parser's promises are
 * checked: os-release values are never longer than the text they came
 * from and the version is finite and non-negative; selinux modes are
 * -1, 0 or 1 and mount points hold no space or newline; timex values are
 * never NaN.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "buf.h"
#include "misc_parse.h"

static void fuzz_os(const char *s, size_t len)
{
	struct os_release r;
	double v;

	os_release_init(&r);
	if (os_release_parse(s, len, &r) == 0) {
		for (int i = 0; i < OS_NFIELDS; i++) {
			if (strlen(os_release_get(&r, i)) > len)
				abort();
		}
		if (os_version_parse(os_release_get(&r, OS_VERSION_ID), &v) == 0 &&
		    !(v >= 0 && isfinite(v)))
			abort();
	}
	os_release_release(&r);
	if (os_version_parse(s, &v) == 0 && !(v >= 0 && isfinite(v)))
		abort();
}

static void fuzz_selinux(const char *s, size_t len)
{
	struct buf mnt = BUF_INIT;
	const char *cur = s, *prev;
	int mode = selinux_config_mode(s);

	if (mode < -1 || mode > 1)
		abort();
	(void)selinux_parse_enforce(s);
	(void)selinux_fs_listed(s);
	(void)selinux_label_is_kernel(s, len);
	for (prev = cur; selinux_next_mount(&cur, &mnt); prev = cur) {
		if (cur <= prev || strpbrk(buf_cstr(&mnt), " \n"))
			abort();
	}
	buf_release(&mnt);
}

static void fuzz_timex(const uint8_t *data, size_t size)
{
	struct timex t;
	double v[TIMEX_NMETRICS];
	int state = 0;

	memset(&t, 0, sizeof(t));
	memcpy(&t, data, size < sizeof(t) ? size : sizeof(t));
	if (size > sizeof(t))
		state = data[sizeof(t)];
	timex_convert(state, &t, v);
	for (int i = 0; i < TIMEX_NMETRICS; i++) {
		if (isnan(v[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conntrack_stats st;
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 4) {
	case 0:
		fuzz_os(s, size - 1);
		break;
	case 1:
		fuzz_selinux(s, size - 1);
		break;
	case 2:
		conntrack_parse_stat(s, &st);
		break;
	case 3:
		fuzz_timex(data + 1, size - 1);
		break;
	}
	free(s);
	return 0;
}
