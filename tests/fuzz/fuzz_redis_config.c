/*
 * Fuzzes what redis-exporter reads from its flags and files: the password
 * file's JSON, target addresses and key arguments. Every parse either
 * succeeds with well-formed results or fails with an error line that never
 * contains a password it read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

static void fuzz_addr(const char *s)
{
	struct redis_addr a;
	struct buf err = BUF_INIT;

	if (redis_addr_parse(s, &a, &err) == 0) {
		if (!a.host || (!a.unix_socket && (a.port < 1 || a.port > 65535)) || a.db < 0)
			abort();
		/* user info (after which the host starts) never reaches the display */
		if (!a.unix_socket && strchr(redis_addr_display(&a), '@'))
			abort();
		redis_addr_release(&a);
	} else if (!err.len) {
		abort();
	}
	buf_release(&err);
}

static void fuzz_passwords(const char *s, size_t n)
{
	struct redis_passwords p;
	struct buf err = BUF_INIT;

	if (redis_passwords_parse(s, n, &p, &err) == 0) {
		for (size_t i = 0; i < p.n; i++)
			if (!p.v[i].uri || !p.v[i].password)
				abort();
		if (p.n)
			redis_passwords_find(&p, p.v[0].uri);
		redis_passwords_find(&p, "redis://localhost:6379");
		redis_passwords_release(&p);
	} else if (p.n || p.v || !err.len) {
		abort();
	}
	buf_release(&err);
}

static void fuzz_keys(const char *s)
{
	struct redis_key_args k;
	struct buf err = BUF_INIT;

	if (redis_key_args_parse(s, &k, &err) == 0) {
		for (size_t i = 0; i < k.n; i++)
			if (!k.v[i].pattern[0] || k.v[i].db < 0)
				abort();
		redis_key_args_release(&k);
	}
	buf_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_passwords(s, size);
	fuzz_addr(s);
	fuzz_keys(s);
	free(s);
	return 0;
}
