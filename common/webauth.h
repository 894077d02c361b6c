/*
 * webauth: basic auth against a web_config's bcrypt hashes.
 *
 * bcrypt is slow on purpose (tens of milliseconds), so a successful check
 * is remembered as a SHA-256 of user, hash and password, as exporter-toolkit
 * does: Prometheus scraping every 15 s pays for bcrypt once. An unknown user
 * is checked against a dummy hash of the same cost, so it takes as long as
 * a wrong password; every comparison is constant-time.
 */
#ifndef EXPORTERBOX_WEBAUTH_H
#define EXPORTERBOX_WEBAUTH_H

#include <pthread.h>
#include <stdbool.h>

#include "webconfig.h"

#define WEB_AUTH_CACHE_SLOTS 64

/* Successful checks: SHA-256 of user, hash and password; round-robin. */
struct web_auth_cache {
	pthread_mutex_t lock;
	unsigned char digest[WEB_AUTH_CACHE_SLOTS][32];
	bool used[WEB_AUTH_CACHE_SLOTS];
	size_t next;
};

void web_auth_cache_init(struct web_auth_cache *c);
/* Wipes the remembered checks. */
void web_auth_cache_release(struct web_auth_cache *c);

/* Whether user and password match one of wc's users; cache may be NULL. */
bool web_auth_check(struct web_auth_cache *cache, const struct web_config *wc,
		    const char *user, const char *password);

/* Constant-time equality of two byte strings of length n. */
bool web_ct_equal(const void *a, const void *b, size_t n);

#endif
