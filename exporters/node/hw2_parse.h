/*
 * hw2_parse: the pure parsers behind the cpufreq, nvme, powersupplyclass
 * and bonding collectors. Each takes the text of one sysfs attribute as a
 * NUL-terminated string; none touches the file system, so the unit tests
 * and the fuzzer call them directly.
 */
#ifndef EXPORTERBOX_HW2_PARSE_H
#define EXPORTERBOX_HW2_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Trims the blanks around text as Go's strings.TrimSpace does for ASCII
 * (space, \t, \n, \v, \f, \r). Sets *start to the first kept byte and
 * returns how many bytes are kept.
 */
size_t hw2_trim(const char *text, const char **start);

/*
 * Appends text trimmed (see hw2_trim) to out, NUL-terminated, replacing
 * what out held. Returns buf_cstr(out).
 */
const char *hw2_trim_into(const char *text, struct buf *out);

/*
 * Parses an attribute holding one unsigned decimal ("1200000\n"), blanks
 * around it allowed, as the Go procfs library's ReadUintFromFile does
 * (strconv.ParseUint base 10). Returns 0, or -EINVAL on anything else or
 * on overflow past 2^64-1.
 */
int hw2_parse_u64(const char *text, uint64_t *out);

/*
 * Parses an attribute holding one signed decimal, blanks around it
 * allowed (strconv.ParseInt base 10, as the power supply reader does).
 * Returns 0, or -EINVAL.
 */
int hw2_parse_i64(const char *text, int64_t *out);

/*
 * Splits text into words as Go's strings.Fields does over ASCII blanks,
 * appending each word NUL-terminated to out (bonding_masters, a bond's
 * slaves). Returns the number of words.
 */
size_t hw2_split_words(const char *text, struct buf *out);

#endif
