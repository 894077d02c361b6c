/*
 * disk_parse: the pure parsers behind the filefd, entropy, vmstat, pressure
 * and diskstats collectors.
 *
 * Each takes the text of one file as a NUL-terminated string and fills a
 * plain struct; none touches the file system, so the unit tests and the
 * fuzzer call them directly. They return 0, or -EINVAL for text that the
 * upstream collector would reject; on error the output holds nothing worth
 * using (but must still be released where a release function exists).
 */
#ifndef EXPORTERBOX_DISK_PARSE_H
#define EXPORTERBOX_DISK_PARSE_H

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

/*
 * Parses the len bytes at s as Go's strconv.ParseFloat(s, 64) would: the
 * whole text must be the number, no blanks; hexadecimal needs its 'p'
 * exponent, and an overflow to infinity is an error (an underflow is not).
 * Inline because vmstat, filefd and diskstats (udev ATA values) share it.
 */
static inline bool disk_parse_float(const char *s, size_t len, double *out)
{
	char *copy, *end;
	bool ok;

	if (text_parse_integer(s, len, out))
		return true; /* nearly every value, without the copy and strtod */
	/* strtod would skip leading blanks and take "nan(...)"; Go takes neither. */
	if (len == 0 || isspace((unsigned char)*s) || memchr(s, '\0', len) ||
	    memchr(s, '(', len))
		return false;
	copy = strndup(s, len);
	if (!copy)
		abort();
	const char *digits = copy + (*copy == '+' || *copy == '-');
	/* Go's hexadecimal floats need a binary exponent; strtod's do not. */
	ok = !(digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') &&
	       !strpbrk(copy, "pP"));
	if (ok) {
		errno = 0;
		*out = strtod(copy, &end);
		ok = end != copy && *end == '\0' &&
		     !(errno == ERANGE && isinf(*out));
	}
	free(copy);
	return ok;
}

/* ---- filefd.c: /proc/sys/fs/file-nr ------------------------------------- */

/*
 * "1024\t0\t1631329\n" -> allocated 1024, maximum 1631329. As upstream,
 * the text is trimmed and split on tabs only; the middle value is not read
 * and more than three values are allowed.
 */
int filefd_parse(const char *text, double *allocated, double *maximum);

/* ---- entropy.c: /proc/sys/kernel/random/{entropy_avail,poolsize} -------- */

/* One unsigned decimal with blanks around it, as Go's ReadUintFromFile. */
int entropy_parse_value(const char *text, uint64_t *out);

/* ---- vmstat.c: /proc/vmstat ---------------------------------------------- */

struct vmstat_field {
	size_t name;		/* where its name starts in names */
	double value;
};

struct vmstat {
	struct buf names;	/* field names, NUL-separated */
	struct vmstat_field *v;
	size_t n, cap;
};

#define VMSTAT_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses every "name value" line into out, in file order. Upstream reads
 * each value before it looks at the name, so one bad value anywhere (or a
 * line with fewer than two words) fails the whole file: -EINVAL.
 */
int vmstat_parse(const char *text, struct vmstat *out);
const char *vmstat_name(const struct vmstat *vm, size_t i);
void vmstat_release(struct vmstat *vm);

/* ---- pressure.c: /proc/pressure/{cpu,io,memory} -------------------------- */

struct psi_line {
	bool present;
	double avg10, avg60, avg300;
	uint64_t total;		/* microseconds */
};

struct psi_stats {
	struct psi_line some, full;
};

/*
 * Parses "some avg10=0.10 avg60=2.50 avg300=1.22 total=14036781" and the
 * "full" line (absent from cpu on kernels before 5.13). Lines with another
 * first word are ignored, as upstream ignores them; a malformed some/full
 * line is -EINVAL.
 */
int pressure_parse(const char *text, struct psi_stats *out);

/* ---- diskstats.c: /proc/diskstats and udev data -------------------------- */

/* The counters after "major minor name", in the kernel's order. */
enum disk_field {
	DISK_READS, DISK_READS_MERGED, DISK_READ_SECTORS, DISK_READ_TICKS,
	DISK_WRITES, DISK_WRITES_MERGED, DISK_WRITE_SECTORS, DISK_WRITE_TICKS,
	DISK_IO_NOW, DISK_IO_TICKS, DISK_IO_WEIGHTED_TICKS,
	DISK_DISCARDS, DISK_DISCARDS_MERGED, DISK_DISCARD_SECTORS,
	DISK_DISCARD_TICKS, DISK_FLUSHES, DISK_FLUSH_TICKS,
	DISK_NFIELDS,
};

struct disk_stat {
	uint32_t major, minor;
	size_t name;		/* where its name starts in names */
	size_t nfields;		/* 11 (before 4.18), 15 (4.18) or 17 (5.5+) */
	uint64_t v[DISK_NFIELDS];
};

struct disk_stats {
	struct buf names;	/* device names, NUL-separated */
	struct disk_stat *v;
	size_t n, cap;
};

#define DISK_STATS_INIT { BUF_INIT, NULL, 0, 0 }

/*
 * Parses /proc/diskstats into out, in file order, as Go's procfs does with
 * Sscanf: lines with fewer than 11 counters (old kernels' partition lines,
 * blank lines) are skipped, counters past the 17th are ignored, and a word
 * that is not a number where one is expected (or one past 2^64-1, or a
 * major/minor past 2^32-1) is -EINVAL.
 */
int diskstats_parse(const char *text, struct disk_stats *out);
const char *disk_stat_name(const struct disk_stats *ds, size_t i);
void disk_stats_release(struct disk_stats *ds);

/* The udev properties ("E:KEY=value" lines) that node_exporter 1.5 reads. */
enum udev_key {
	UDEV_DM_LV_LAYER, UDEV_DM_LV_NAME, UDEV_DM_NAME, UDEV_DM_UUID,
	UDEV_DM_VG_NAME, UDEV_ID_ATA, UDEV_ID_ATA_ROTATION_RATE_RPM,
	UDEV_ID_ATA_WRITE_CACHE, UDEV_ID_ATA_WRITE_CACHE_ENABLED,
	UDEV_ID_FS_TYPE, UDEV_ID_FS_USAGE, UDEV_ID_FS_UUID, UDEV_ID_FS_VERSION,
	UDEV_ID_MODEL, UDEV_ID_PATH, UDEV_ID_REVISION, UDEV_ID_SERIAL_SHORT,
	UDEV_ID_WWN, UDEV_NKEYS,
};

struct disk_udev {
	struct buf values;	/* NUL-separated */
	size_t off[UDEV_NKEYS];
	bool set[UDEV_NKEYS];
};

#define DISK_UDEV_INIT { BUF_INIT, { 0 }, { false } }

/*
 * Reads the properties of a udev data file (/run/udev/data/b8:0). Other
 * lines are skipped; a key seen twice keeps its last value. Never fails:
 * upstream treats whatever it could read as the device's properties.
 */
void disk_udev_parse(const char *text, struct disk_udev *out);
/* The value of key, or "" when the file did not set it. */
const char *disk_udev_get(const struct disk_udev *u, enum udev_key key);
void disk_udev_release(struct disk_udev *u);

#endif
