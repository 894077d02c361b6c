#include "webauth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_BYTES 32

bool web_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* Length-prefixed, so ("ab", "c") and ("a", "bc") differ. */
static int cache_key(const char *user, const char *hash, const char *password,
		     unsigned char out[DIGEST_BYTES])
{
	gnutls_hash_hd_t h;
	const char *parts[] = { user, hash, password };

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		size_t len = strlen(parts[i]);
		gnutls_hash(h, &len, sizeof(len));
		gnutls_hash(h, parts[i], len);
	}
	gnutls_hash_deinit(h, out);
	return 0;
}

void web_auth_cache_init(struct web_auth_cache *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

void web_auth_cache_release(struct web_auth_cache *c)
{
	explicit_bzero(c->digest, sizeof(c->digest));
	pthread_mutex_destroy(&c->lock);
}

static bool cache_has(struct web_auth_cache *c, const unsigned char key[DIGEST_BYTES])
{
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < WEB_AUTH_CACHE_SLOTS; i++)
		hit |= c->used[i] & web_ct_equal(c->digest[i], key, DIGEST_BYTES);
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void cache_add(struct web_auth_cache *c, const unsigned char key[DIGEST_BYTES])
{
	pthread_mutex_lock(&c->lock);
	memcpy(c->digest[c->next], key, DIGEST_BYTES);
	c->used[c->next] = true;
	c->next = (c->next + 1) % WEB_AUTH_CACHE_SLOTS;
	pthread_mutex_unlock(&c->lock);
}

/* Whether password hashes to hash (a checked bcrypt hash, 60 bytes). */
static bool bcrypt_matches(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	bool ok = false;

	if (!cd)
		return false;
	const char *out = crypt_rn(password, hash, cd, sizeof(*cd));
	if (out && strlen(out) == strlen(hash))
		ok = web_ct_equal(out, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/*
 * The user's hash, looked for through every user (no early exit); for an
 * unknown user a dummy with the cost of the first user's hash, so that
 * bcrypt takes as long as for a known one.
 */
static const char *user_hash(const struct web_config *wc, const char *user, bool *known,
			     char dummy[61])
{
	const char *found = NULL;
	size_t ulen = strlen(user);

	for (size_t i = 0; i < wc->nusers; i++) {
		const char *name = wc->users[i].name;
		bool same = strlen(name) == ulen && web_ct_equal(name, user, ulen);
		if (same && !found)
			found = wc->users[i].value;
	}
	*known = found != NULL;
	if (found)
		return found;
	memcpy(dummy, wc->users[0].value, 7);	/* "$2y$10$" */
	memcpy(dummy + 7, "QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi", 53);
	dummy[60] = '\0';
	return dummy;
}

bool web_auth_check(struct web_auth_cache *cache, const struct web_config *wc,
		    const char *user, const char *password)
{
	unsigned char key[DIGEST_BYTES];
	char dummy[61];
	bool known;

	if (wc->nusers == 0)
		return false;
	const char *hash = user_hash(wc, user, &known, dummy);
	bool have_key = cache && cache_key(user, hash, password, key) == 0;
	/* Looked up for unknown users too, so they cost the same. */
	bool remembered = have_key && cache_has(cache, key);
	if (known && remembered)
		return true;
	bool ok = bcrypt_matches(password, hash) && known;
	if (ok && have_key)
		cache_add(cache, key);
	explicit_bzero(key, sizeof(key));
	return ok;
}
