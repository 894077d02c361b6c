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

#include <stdbool.h>

#include "webconfig.h"

/* Whether user and password match one of wc's users. */
bool web_auth_check(const struct web_config *wc, const char *user, const char *password);

/* Forgets every remembered check (tests). */
void web_auth_cache_clear(void);

/* Constant-time equality of two byte strings of length n. */
bool web_ct_equal(const void *a, const void *b, size_t n);

#endif
