/*
 * Fuzzes the INFO reply parser and the writer of every family derived from
 * it: any input must yield a body whose families are written once each,
 * with matching label counts (the writer's error count stays 0), and every
 * parsed field must point inside the parser's own copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_info info;
	struct redis_writer rw;
	struct buf out = BUF_INIT;
	struct expo w;
	const struct info_options o = {
		.db_count = 4, .empty_databases = true, .system_metrics = true, .now = 1e9,
	};

	redis_info_parse((const char *)data, size, &info);
	for (size_t i = 0; i < info.n; i++) {
		const char *k = info.v[i].key, *v = info.v[i].value;
		if (k < info.text || v < info.text || k > info.text + size || v > info.text + size)
			abort();
	}
	expo_init(&w, &out, size % 2 ? EXPO_OPENMETRICS : EXPO_TEXT);
	rw_init(&rw, &w, "redis");
	redis_info_write(&rw, &info, &o);
	if (w.errors)
		abort();
	rw_release(&rw);
	expo_release(&w);
	redis_info_release(&info);
	buf_release(&out);
	return 0;
}
