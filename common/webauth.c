#include "webauth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64
#define DIGEST_BYTES 32

/* Successful checks: SHA-256 of user, hash and password; round-robin. */
static struct {
	pthread_mutex_t lock;
	unsigned char digest[CACHE_SLOTS][DIGEST_BYTES];
	bool used[CACHE_SLOTS];
	size_t next;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

static bool cache_has(const unsigned char key[DIGEST_BYTES])
{
	bool hit = false;

	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		hit |= cache.used[i] & web_ct_equal(cache.digest[i], key, DIGEST_BYTES);
	pthread_mutex_unlock(&cache.lock);
	return hit;
}

static void cache_add(const unsigned char key[DIGEST_BYTES])
{
	pthread_mutex_lock(&cache.lock);
	memcpy(cache.digest[cache.next], key, DIGEST_BYTES);
	cache.used[cache.next] = true;
	cache.next = (cache.next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&cache.lock);
}

void web_auth_cache_clear(void)
{
	pthread_mutex_lock(&cache.lock);
	explicit_bzero(cache.digest, sizeof(cache.digest));
	memset(cache.used, 0, sizeof(cache.used));
	cache.next = 0;
	pthread_mutex_unlock(&cache.lock);
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

bool web_auth_check(const struct web_config *wc, const char *user, const char *password)
{
	unsigned char key[DIGEST_BYTES];
	char dummy[61];
	bool known;

	if (wc->nusers == 0)
		return false;
	const char *hash = user_hash(wc, user, &known, dummy);
	bool have_key = cache_key(user, hash, password, key) == 0;
	/* Looked up for unknown users too, so they cost the same. */
	bool remembered = have_key && cache_has(key);
	if (known && remembered)
		return true;
	bool ok = bcrypt_matches(password, hash) && known;
	if (ok && have_key)
		cache_add(key);
	explicit_bzero(key, sizeof(key));
	return ok;
}
