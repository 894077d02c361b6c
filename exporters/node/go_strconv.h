/*
 * go_strconv: integers spelled as Go's strconv reads them, for the node
 * collectors whose upstream parses with ParseInt/ParseUint (base 0 takes
 * 0x, 0o, 0b and a leading 0 as prefixes, and '_' between digits), so that
 * a file upstream takes or refuses is taken or refused here too.
 */
#ifndef EXPORTERBOX_GO_STRCONV_H
#define EXPORTERBOX_GO_STRCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Go's strconv.ParseUint over the n bytes at s: base 0 takes 0b/0o/0x and
 * a leading 0 (octal) as prefixes and allows '_' between digits, as Go
 * does; an explicit base takes plain digits only. False on an empty word,
 * a bad digit or a value past bits bits. Inline because several
 * collectors' parsers share it and none of them owns it.
 */
static inline int go_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Go's underscoreOK: '_' only between digits or after a base prefix. */
static inline bool go_underscores_ok(const char *s, size_t n)
{
	char saw = '^';
	size_t i = 0;
	bool hex = false;

	if (n >= 2 && s[0] == '0') {
		char c = (char)(s[1] | 0x20);
		if (c == 'b' || c == 'o' || c == 'x') {
			i = 2;
			saw = '0';
			hex = c == 'x';
		}
	}
	for (; i < n; i++) {
		int d = go_digit(s[i]);
		if (d < 10 || (hex && d < 16)) {
			saw = '0';
		} else if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
		} else {
			if (saw == '_')
				return false;
			saw = '!';
		}
	}
	return saw != '_';
}

static inline bool go_parse_uint(const char *s, size_t n, int base,
				     unsigned bits, uint64_t *out)
{
	const char *s0 = s;
	size_t n0 = n;
	uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	uint64_t v = 0;
	bool base0 = base == 0, underscores = false;

	if (n == 0)
		return false;
	if (base0) {
		base = 10;
		if (s[0] == '0') {
			char c = n >= 3 ? (char)(s[1] | 0x20) : 0;
			size_t skip = 2;

			if (c == 'b')
				base = 2;
			else if (c == 'o')
				base = 8;
			else if (c == 'x')
				base = 16;
			else {
				base = 8;
				skip = 1;
			}
			s += skip;
			n -= skip;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int d;

		if (s[i] == '_' && base0) {
			underscores = true;
			continue;
		}
		d = go_digit(s[i]);
		if (d >= base)
			return false;
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (underscores && !go_underscores_ok(s0, n0))
		return false;
	*out = v;
	return true;
}

/* Go's strconv.ParseInt(s, base, 64): an optional sign, then as above. */
static inline bool go_parse_int(const char *s, size_t n, int base,
				    int64_t *out)
{
	bool neg = false;
	uint64_t u;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (!go_parse_uint(s, n, base, 64, &u))
		return false;
	if (u > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

#endif
