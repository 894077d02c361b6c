/*
 * text: small byte-level helpers that several parsers and writers share.
 */
#ifndef EXPORTERBOX_TEXT_H
#define EXPORTERBOX_TEXT_H

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

#endif
