/*
 * fuzz_webconfig: the input is a --web.config.file, parsed as YAML into a
 * web_config (every key, strict checks, header allow-list, bcrypt hash
 * shapes), then mapped to a GnuTLS priority string. Parsed twice, so a
 * leak or state left between parses shows up too.
 */
#include <stdint.h>
#include <string.h>

#include "webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int round = 0; round < 2; round++) {
		struct web_config wc;
		struct buf err = BUF_INIT, prio = BUF_INIT;

		if (web_config_parse(&wc, (const char *)data, size, "/etc", &err) == 0) {
			if (web_config_priorities(&wc, &prio, &err) != 0)
				__builtin_trap();	/* validated: must map */
			web_config_free(&wc);
		} else if (err.len == 0 || memchr(err.data, '\n', err.len)) {
			__builtin_trap();	/* one line, always */
		}
		buf_release(&err);
		buf_release(&prio);
	}
	return 0;
}
