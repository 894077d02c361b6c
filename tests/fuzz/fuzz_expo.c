/*
 * Fuzzes what the shared layer does with outside strings: label and HELP
 * escaping (output must be valid UTF-8 with no raw newline or unescaped
 * quote), number spelling (must parse back to the same double), and the
 * header and listen-address parsers of the HTTP layer.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "http.h"

static void check_label_escape(const char *s)
{
	struct buf b = BUF_INIT;

	expo_escape_label(&b, s);
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\n')
			abort();
		if (b.data[i] == '\\') {
			char next = b.data[++i];
			if (next != '\\' && next != '"' && next != 'n')
				abort();
		} else if (b.data[i] == '"') {
			abort();
		}
	}
	buf_release(&b);
}

static void check_number(const uint8_t *data, size_t size)
{
	char out[EXPO_NUMBER_MAX];
	double v;

	if (size < sizeof(v))
		return;
	memcpy(&v, data, sizeof(v));
	expo_format_number(out, v);
	double back = strtod(out, NULL);
	if (isnan(v) ? !isnan(back) : back != v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct buf b = BUF_INIT;
	unsigned port;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_label_escape(s);
	expo_escape_help(&b, s, EXPO_OPENMETRICS);
	check_number(data, size);
	(void)expo_negotiate(s);
	(void)http_accepts_gzip(s);
	(void)expo_valid_metric_name(s);
	if (http_parse_listen_address(s, &b, &port) == 0 && port > 65535)
		abort();
	buf_release(&b);
	free(s);
	return 0;
}
