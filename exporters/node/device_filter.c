#include "device_filter.h"

#include <errno.h>
#include <string.h>

#include "log.h"

int device_pattern_compile(regex_t *re, bool *has, const char *pattern, const char *flag)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	*has = false;
	if (!pattern || !*pattern)
		return 0;
	if (re_compile(re, pattern, &err) == 0) {
		*has = true;
	} else {
		log_error("device pattern does not compile", "flag", flag,
			  "pattern", pattern, "err", buf_cstr(&err));
		rc = -EINVAL;
	}
	buf_release(&err);
	return rc;
}

/* One of an include/exclude pair: the flag is <prefix>.<which>. */
static int compile_one(regex_t *re, bool *has, const char *pattern,
		       const char *flag_prefix, const char *which)
{
	struct buf flag = BUF_INIT;

	buf_addf(&flag, "%s.%s", flag_prefix, which);
	int rc = device_pattern_compile(re, has, pattern, buf_cstr(&flag));
	buf_release(&flag);
	return rc;
}

int device_filter_init(struct device_filter *f, const char *include,
		       const char *exclude, const char *flag_prefix)
{
	memset(f, 0, sizeof(*f));
	if (compile_one(&f->include, &f->has_include, include, flag_prefix,
			"device-include") ||
	    compile_one(&f->exclude, &f->has_exclude, exclude, flag_prefix,
			"device-exclude")) {
		device_filter_release(f);
		return -EINVAL;
	}
	return 0;
}

bool device_filter_ignored(const struct device_filter *f, const char *device)
{
	return (f->has_exclude && re_matches(&f->exclude, device)) ||
	       (f->has_include && !re_matches(&f->include, device));
}

void device_filter_release(struct device_filter *f)
{
	if (f->has_include)
		regfree(&f->include);
	if (f->has_exclude)
		regfree(&f->exclude);
	f->has_include = f->has_exclude = false;
}
