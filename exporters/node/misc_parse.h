/*
 * misc_parse: the pure parsers and conversions behind the os, selinux,
 * conntrack and timex node collectors.
 *
 * None of them touches the file system or makes a system call, so the unit
 * tests and the fuzzer call them directly. Parsers return 0, or a negative
 * errno (-EINVAL) for text that upstream's parser would also reject.
 */
#ifndef EXPORTERBOX_MISC_PARSE_H
#define EXPORTERBOX_MISC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/timex.h>

#include "buf.h"
#include "expo.h"

/* ---- os.c: os-release(5) ------------------------------------------------ */

/* The keys node_os_info reports, in its label order. */
enum os_field {
	OS_BUILD_ID, OS_ID, OS_ID_LIKE, OS_IMAGE_ID, OS_IMAGE_VERSION,
	OS_NAME, OS_PRETTY_NAME, OS_VARIANT, OS_VARIANT_ID, OS_VERSION,
	OS_VERSION_CODENAME, OS_VERSION_ID, OS_NFIELDS,
};

struct os_release {
	struct buf v[OS_NFIELDS];	/* unset keys stay empty ("") */
};

void os_release_init(struct os_release *r);
void os_release_release(struct os_release *r);
const char *os_release_get(const struct os_release *r, enum os_field f);

/*
 * Parses len bytes of an os-release file as node_exporter 1.5 does (with
 * hashicorp/go-envparse): KEY=value lines, blank and '#' lines skipped,
 * surrounding blanks and an "export " prefix dropped, single quotes taken
 * literally, double quotes with the JSON escapes (\" \\ \/ \b \f \n \r \t
 * \uXXXX), an unquoted '#' starting a comment. A later key wins. Any line
 * go-envparse rejects (no '=', a bad key, a control character, an unknown
 * escape, an open quote) fails the whole parse with -EINVAL, and then r
 * holds nothing worth using.
 */
int os_release_parse(const char *text, size_t len, struct os_release *r);

/*
 * The major.minor part of VERSION_ID as a number: the longest prefix that
 * matches ^[0-9]+\.?[0-9]* ("22.04.3" -> 22.04, "12abc" -> 12); 0 when
 * there is none (".5", "rolling"). -ERANGE when the prefix overflows a
 * double, as Go's ParseFloat fails there.
 */
int os_version_parse(const char *version_id, double *out);

/* ---- selinux.c ------------------------------------------------------------ */

/* The modes go-selinux reports; -1 also means "could not tell". */
enum selinux_mode {
	SELINUX_DISABLED = -1,
	SELINUX_PERMISSIVE = 0,
	SELINUX_ENFORCING = 1,
};

/*
 * The SELINUX= setting of /etc/selinux/config as a mode: lines trimmed,
 * blank, '#' and ';' lines skipped, the first SELINUX= line wins, quotes
 * around the value dropped; "enforcing" or "permissive", anything else
 * (or no such line) is disabled.
 */
int selinux_config_mode(const char *text);

/* The enforce file's whole text as a decimal int (Go's Atoi); -1 if not. */
int selinux_parse_enforce(const char *text);

/* True when /proc/filesystems lists selinuxfs ("\tselinuxfs\n"). */
bool selinux_fs_listed(const char *text);

/*
 * Finds the next selinuxfs mount point in /proc/self/mountinfo text from
 * *cursor on (a line holding " - selinuxfs ", its fifth space-separated
 * field), copies it into mnt and moves *cursor past that line. Returns
 * false when there is none left.
 */
bool selinux_next_mount(const char **cursor, struct buf *mnt);

/* True when the task's label (attr/current, one trailing NUL allowed) is
 * "kernel": go-selinux then calls SELinux disabled despite the mount. */
bool selinux_label_is_kernel(const char *text, size_t len);

struct selinux_status {
	bool enabled;
	int config_mode;	/* enum selinux_mode */
	int current_mode;	/* enforce file, or -1 */
};

/* Writes the selinux families for st, as node_exporter 1.5 does. */
void selinux_write(struct expo *w, const struct selinux_status *st);

/* ---- conntrack.c: /proc/net/stat/nf_conntrack ----------------------------- */

struct conntrack_stats {
	uint64_t found, invalid, ignore, insert, insert_failed, drop,
		 early_drop, search_restart;
};

/*
 * Sums the per-CPU rows of /proc/net/stat/nf_conntrack (hex, after one
 * header line) as procfs 0.8 does: every row must have exactly 17 hex
 * fields, or the parse fails with -EINVAL. Sums wrap at 2^64 as Go's do.
 */
int conntrack_parse_stat(const char *text, struct conntrack_stats *out);

/* ---- timex.c: adjtimex(2) ------------------------------------------------- */

/* node_timex_* in the order node_exporter's output sorts them. */
enum timex_metric {
	TIMEX_ESTIMATED_ERROR, TIMEX_FREQUENCY_ADJUSTMENT, TIMEX_LOOP_CONSTANT,
	TIMEX_MAXERROR, TIMEX_OFFSET, TIMEX_PPS_CALIBRATION, TIMEX_PPS_ERROR,
	TIMEX_PPS_FREQUENCY, TIMEX_PPS_JITTER, TIMEX_PPS_JITTER_TOTAL,
	TIMEX_PPS_SHIFT, TIMEX_PPS_STABILITY_EXCEEDED, TIMEX_PPS_STABILITY,
	TIMEX_STATUS, TIMEX_SYNC_STATUS, TIMEX_TAI_OFFSET, TIMEX_TICK,
	TIMEX_NMETRICS,
};

/*
 * Converts what adjtimex(2) returned (its clock state and the filled
 * struct) into node_exporter's units: offsets and jitter in seconds (ns or
 * us per STA_NANO), errors and tick in seconds from us, frequencies from
 * ppm with a 16-bit fraction, sync_status 0 when the state is TIME_ERROR.
 */
void timex_convert(int state, const struct timex *t,
		   double out[TIMEX_NMETRICS]);

#endif
