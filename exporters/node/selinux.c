/*
 * selinux: whether SELinux is enabled and its configured and current
 * enforcement modes, as node_exporter 1.5's selinux collector reports them
 * through go-selinux.
 *
 * go-selinux calls SELinux enabled when a writable selinuxfs is mounted
 * (at /sys/fs/selinux, or wherever /proc/self/mountinfo says, if
 * /proc/filesystems knows selinuxfs) and the task's label is not "kernel".
 * We ask the same questions under --path.sysfs, --path.procfs and
 * --path.rootfs (for /etc/selinux/config), so fixture trees can answer them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "misc_parse.h"
#include "node.h"

/* Files of a few bytes; anything longer is not what go-selinux reads. */
#define SELINUX_FILE_MAX (1u << 20)

static const struct metric_desc config_mode_desc = {
	.name = "node_selinux_config_mode",
	.help = "Configured SELinux enforcement mode",
	.type = METRIC_GAUGE,
};

static const struct metric_desc current_mode_desc = {
	.name = "node_selinux_current_mode",
	.help = "Current SELinux enforcement mode",
	.type = METRIC_GAUGE,
};

static const struct metric_desc enabled_desc = {
	.name = "node_selinux_enabled",
	.help = "SELinux is enabled, 1 is true, 0 is false",
	.type = METRIC_GAUGE,
};

/* Narrows [*s, *s + *n) past ASCII white space on both sides. */
static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* True when [s, s + n) is exactly the string lit. */
static bool span_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

/*
 * Finds the value of the first "SELINUX=" line (go-selinux's readConfig):
 * the key must be exactly SELINUX once the line is trimmed; quote marks
 * around the value are dropped, blanks inside it are kept.
 */
static bool config_value(const char *text, const char **v, size_t *n)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p, *eq;

		p = nl ? nl + 1 : p + len;
		trim(&s, &len);
		if (!len || *s == '#' || *s == ';')
			continue;
		eq = memchr(s, '=', len);
		if (!eq || !span_is(s, (size_t)(eq - s), "SELINUX"))
			continue;
		*v = eq + 1;
		*n = len - (size_t)(*v - s);
		while (*n && **v == '"')
			(*v)++, (*n)--;
		while (*n && (*v)[*n - 1] == '"')
			(*n)--;
		return true;
	}
	return false;
}

int selinux_config_mode(const char *text)
{
	const char *v;
	size_t n;

	if (!config_value(text, &v, &n))
		return SELINUX_DISABLED;
	if (span_is(v, n, "enforcing"))
		return SELINUX_ENFORCING;
	if (span_is(v, n, "permissive"))
		return SELINUX_PERMISSIVE;
	return SELINUX_DISABLED;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, nothing else. */
int selinux_parse_enforce(const char *text)
{
	const char *p = text;
	long v;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return SELINUX_DISABLED;
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end || errno || v < INT_MIN || v > INT_MAX)
		return SELINUX_DISABLED;
	return (int)v;
}

bool selinux_fs_listed(const char *text)
{
	return strstr(text, "\tselinuxfs\n") != NULL;
}

bool selinux_next_mount(const char **cursor, struct buf *mnt)
{
	const char *p = *cursor;

	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *line = p, *f = line;

		p = nl ? nl + 1 : end;
		if (!memmem(line, (size_t)(end - line), " - selinuxfs ", 13))
			continue;
		/* The fifth field; fields are split on single spaces. */
		for (int i = 0; i < 4 && f; i++) {
			f = memchr(f, ' ', (size_t)(end - f));
			f = f ? f + 1 : NULL;
		}
		const char *fe = f ? memchr(f, ' ', (size_t)(end - f)) : NULL;
		if (!fe)
			continue;
		buf_truncate(mnt, 0);
		buf_add(mnt, f, (size_t)(fe - f));
		*cursor = p;
		return true;
	}
	*cursor = p;
	return false;
}

bool selinux_label_is_kernel(const char *text, size_t len)
{
	if (len && text[len - 1] == '\0')
		len--;
	return span_is(text, len, "kernel");
}

void selinux_write(struct expo *w, const struct selinux_status *st)
{
	if (!st->enabled) {
		expo_family(w, &enabled_desc);
		expo_value(w, 0);
		return;
	}
	expo_family(w, &config_mode_desc);
	expo_value(w, st->config_mode);
	expo_family(w, &current_mode_desc);
	expo_value(w, st->current_mode);
	expo_family(w, &enabled_desc);
	expo_value(w, 1);
}

/* A writable selinuxfs is mounted at path (go-selinux's check). */
static bool is_selinuxfs(const char *path)
{
	struct statfs st;
	int rc;

	do {
		rc = statfs(path, &st);
	} while (rc < 0 && (errno == EINTR || errno == EAGAIN));
	return rc == 0 && (uint32_t)st.f_type == (uint32_t)SELINUX_MAGIC &&
	       !(st.f_flags & ST_RDONLY);
}

/* Scans mountinfo for a verified selinuxfs mount; mnt gets its path. */
static bool find_in_mountinfo(const struct node_config *cfg, struct buf *mnt)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	bool found = false;

	if (fs_read_file(fs_join(&path, cfg->procfs, "filesystems"), &text,
			 SELINUX_FILE_MAX) ||
	    !selinux_fs_listed(buf_cstr(&text)))
		goto out;
	if (fs_read_file(fs_join(&path, cfg->procfs, "self/mountinfo"), &text,
			 FS_READ_MAX))
		goto out;
	for (const char *cur = buf_cstr(&text);
	     !found && selinux_next_mount(&cur, mnt);)
		found = is_selinuxfs(buf_cstr(mnt));
out:
	buf_release(&text);
	buf_release(&path);
	return found;
}

/* Where selinuxfs is mounted, into mnt; false when it is not. */
static bool find_selinuxfs(const struct node_config *cfg, struct buf *mnt)
{
	if (is_selinuxfs(fs_join(mnt, cfg->sysfs, "fs/selinux")))
		return true;
	return find_in_mountinfo(cfg, mnt);
}

/* The calling thread's label is "kernel"; unreadable counts as not. */
static bool label_is_kernel(const struct node_config *cfg)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	bool kernel;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs,
				   "thread-self/attr/current"),
			   &text, SELINUX_FILE_MAX);
	if (err == -ENOENT) {
		/* Kernels before 3.17 have no thread-self. */
		fs_join(&path, cfg->procfs, "self/task");
		buf_addf(&path, "/%ld/attr/current", (long)gettid());
		err = fs_read_file(buf_cstr(&path), &text, SELINUX_FILE_MAX);
	}
	kernel = !err && selinux_label_is_kernel(text.data, text.len);
	buf_release(&text);
	buf_release(&path);
	return kernel;
}

/* The modes, read only once SELinux is known to be enabled. */
static void read_modes(const struct node_config *cfg, const char *mnt,
		       struct selinux_status *st)
{
	struct buf path = BUF_INIT, text = BUF_INIT;

	st->config_mode = SELINUX_DISABLED;
	if (!fs_read_file(fs_join(&path, cfg->rootfs, "etc/selinux/config"),
			  &text, SELINUX_FILE_MAX))
		st->config_mode = selinux_config_mode(buf_cstr(&text));
	st->current_mode = SELINUX_DISABLED;
	if (!fs_read_file(fs_join(&path, mnt, "enforce"), &text,
			  SELINUX_FILE_MAX) &&
	    strlen(buf_cstr(&text)) == text.len)
		st->current_mode = selinux_parse_enforce(buf_cstr(&text));
	buf_release(&text);
	buf_release(&path);
}

static int selinux_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct selinux_status st = { .enabled = false };
	struct buf mnt = BUF_INIT;

	if (find_selinuxfs(cfg, &mnt) && !label_is_kernel(cfg)) {
		st.enabled = true;
		read_modes(cfg, buf_cstr(&mnt), &st);
	}
	selinux_write(w, &st);
	buf_release(&mnt);
	return 0;
}

const struct collector selinux_collector = {
	.name = "selinux",
	.enabled_by_default = true,
	.collect = selinux_collect,
};
