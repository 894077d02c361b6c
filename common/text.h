/*
 * text: small byte-level helpers that several parsers and writers share.
 */
#ifndef EXPORTERBOX_TEXT_H
#define EXPORTERBOX_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A 64-bit hash of n bytes, eight at a time: for the hash tables of a scrape. */
uint64_t text_hash(const void *p, size_t n);

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), looking at no
 * more than n bytes and stopping at the first bad one (so a NUL ends it);
 * 0 when it is not one: stray continuation bytes, overlong forms,
 * surrogates, code points past U+10FFFF, or a sequence cut short.
 */
size_t text_utf8_len(const unsigned char *s, size_t n);

/*
 * v in decimal, written at the end of out; returns where it starts. For
 * label values ("cpu"="12"), cheaper than snprintf in a sort comparator.
 */
#define TEXT_U64_MAX 21
const char *text_u64(char out[TEXT_U64_MAX], uint64_t v);

/*
 * The len bytes at s as strtod reads them, when they are an integer of 1
 * to 19 decimal digits, optionally after a '-': the counters of procfs,
 * read without strtod (and the copy it needs for a word that is not
 * NUL-ended). Below 2^64, the integer's conversion rounds as strtod
 * rounds its decimal, so the bits are the same ("-0" is -0.0). False for
 * anything else, for the caller's full parser.
 */
static inline bool text_parse_integer(const char *s, size_t len, double *out)
{
	size_t i = len && s[0] == '-';
	uint64_t v = 0;

	if (len - i == 0 || len - i > 19)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = s[0] == '-' ? -(double)v : (double)v;
	return true;
}

#endif
