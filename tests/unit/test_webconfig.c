#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "webauth.h"
#include "webconfig.h"
#include "webstate.h"

/* Test-only: bcrypt (cost 4) of "s3cret-scrape" and of "rotated-pass". */
#define HASH "$2y$04$FvZKrfQ3CgXJHiNriVsBhuJYClxCsTumSXeVb4LwSHJW1ojgcEoti"
#define HASH2 "$2y$04$Y9x5NNNzJEqp2Gz42eBK3eWW9pLaJaK7tffFtoHZNC/Pf0RaNuXP2"

static int parse(struct web_config *wc, const char *yaml, struct buf *err)
{
	buf_truncate(err, 0);
	return web_config_parse(wc, yaml, strlen(yaml), "/etc/exporter", err);
}

/* The config must be refused with an error containing want. */
static void refused(const char *yaml, const char *want)
{
	struct web_config wc;
	struct buf err = BUF_INIT;

	if (parse(&wc, yaml, &err) == 0) {
		web_config_free(&wc);
		fail_msg("accepted: %s", yaml);
	}
	if (!strstr(buf_cstr(&err), want))
		fail_msg("error \"%s\" lacks \"%s\"", buf_cstr(&err), want);
	assert_null(strchr(buf_cstr(&err), '\n'));
	assert_null(strstr(buf_cstr(&err), "$2y$"));	/* never a hash */
	buf_release(&err);
}

static void every_key(void **state)
{
	struct web_config wc;
	struct buf err = BUF_INIT;
	const char *yaml =
		"tls_server_config:\n"
		"  cert_file: server.crt\n"
		"  key_file: /abs/server.key\n"
		"  client_auth_type: RequireAndVerifyClientCert\n"
		"  client_ca_file: ca.crt\n"
		"  min_version: TLS12\n"
		"  max_version: TLS13\n"
		"  cipher_suites:\n"
		"    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
		"    - TLS_AES_128_GCM_SHA256\n"
		"  curve_preferences: [X25519, CurveP384]\n"
		"  prefer_server_cipher_suites: false\n"
		"  client_allowed_sans: [scraper.example, 10.0.0.1]\n"
		"http_server_config:\n"
		"  http2: yes\n"
		"  headers:\n"
		"    X-Frame-Options: sameorigin\n"
		"    Content-Security-Policy: default-src 'self'\n"
		"basic_auth_users:\n"
		"  alice: " HASH "\n"
		"  'bob:x': '" HASH2 "'\n";

	(void)state;
	assert_int_equal(parse(&wc, yaml, &err), 0);
	assert_true(web_config_tls(&wc));
	assert_string_equal(wc.cert_file, "/etc/exporter/server.crt");
	assert_string_equal(wc.key_file, "/abs/server.key");
	assert_string_equal(wc.client_ca_file, "/etc/exporter/ca.crt");
	assert_int_equal(wc.client_auth, WEB_REQUIRE_AND_VERIFY_CLIENT_CERT);
	assert_int_equal(wc.min_version, WEB_TLS12);
	assert_int_equal(wc.max_version, WEB_TLS13);
	assert_int_equal(wc.ncipher_suites, 2);
	assert_string_equal(wc.cipher_suites[1], "TLS_AES_128_GCM_SHA256");
	assert_int_equal(wc.ncurves, 2);
	assert_string_equal(wc.curves[0], "X25519");
	assert_false(wc.prefer_server_cipher_suites);
	assert_int_equal(wc.nclient_allowed_sans, 2);
	assert_string_equal(wc.client_allowed_sans[1], "10.0.0.1");
	assert_true(wc.http2);
	assert_int_equal(wc.nheaders, 2);
	assert_string_equal(wc.headers[1].name, "Content-Security-Policy");
	assert_string_equal(wc.headers[1].value, "default-src 'self'");
	assert_int_equal(wc.nusers, 2);
	assert_string_equal(wc.users[1].name, "bob:x");
	assert_string_equal(wc.users[1].value, HASH2);
	web_config_free(&wc);
	buf_release(&err);
}

static void empty_and_null(void **state)
{
	const char *const ok[] = {
		"", "---\n", "# nothing\n", "tls_server_config:\n", "basic_auth_users: {}\n",
		"http_server_config: ~\ntls_server_config: {cert_file: '', key_file: ''}\n",
	};
	struct buf err = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct web_config wc;
		if (parse(&wc, ok[i], &err) != 0)
			fail_msg("refused \"%s\": %s", ok[i], buf_cstr(&err));
		assert_false(web_config_tls(&wc));
		assert_int_equal(wc.nusers, 0);
		assert_true(wc.prefer_server_cipher_suites);
		web_config_free(&wc);
	}
	buf_release(&err);
}

static void unknown_and_bad(void **state)
{
	(void)state;
	refused("foo: 1\n", "line 1: unknown key at the top level: \"foo\"");
	refused("tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n",
		"line 4: unknown key in tls_server_config: \"certfile\"");
	refused("http_server_config: {http3: true}\n", "unknown key in http_server_config: \"http3\"");
	refused("tls_server_config: {cert: abc}\n", "not supported yet: tls_server_config key \"cert\"");
	refused("- a\n- b\n", "expected a mapping for \"the top level\"");
	refused("tls_server_config: [a]\n", "expected a mapping");
	refused("tls_server_config: {cert_file: [a]}\n", "expected a string for \"cert_file\"");
	refused("tls_server_config: {cipher_suites: x}\n", "expected a list for \"cipher_suites\"");
	refused("tls_server_config: {prefer_server_cipher_suites: maybe}\n", "expected true or false");
	refused("http_server_config: {http2: 2}\n", "expected true or false");
	refused("tls_server_config: {min_version: TLS14}\n", "unknown TLS version \"TLS14\"");
	refused("tls_server_config: {cert_file: a, key_file: b, client_auth_type: Foo}\n",
		"invalid client_auth_type \"Foo\"");
	refused("tls_server_config: {}\ntls_server_config: {}\n", "key given twice: \"tls_server_config\"");
	refused("a: [unclosed\n", "invalid YAML");
	refused("a: 1\n---\nb: 2\n", "unknown key");
	refused("{}\n---\nb: 2\n", "more than one YAML document");
	refused("? [a]\n: 1\n", "expected a string");
	refused("tls_server_config: {cert_file: \"a\\0b\"}\n", "NUL byte");
	/* Names from the file are echoed: line breaks in them are not. */
	refused("tls_server_config: {cert_file: a, key_file: b, cipher_suites: [\"X\\nY\"]}\n",
		"unknown cipher suite \"X?Y\"");
	refused("basic_auth_users: {\"a\\nb\": x}\n", "user \"a?b\" is not a bcrypt hash");
}

static void headers(void **state)
{
	struct web_config wc;
	struct buf err = BUF_INIT;

	(void)state;
	refused("http_server_config: {headers: {Server: x}}\n", "HTTP header \"Server\" can not be configured");
	refused("http_server_config: {headers: {x-frame-options: deny}}\n", "can not be configured");
	refused("http_server_config: {headers: {X-Frame-Options: allow}}\n", "invalid value for HTTP header");
	refused("http_server_config: {headers: {X-Content-Type-Options: sniff}}\n", "invalid value");
	refused("http_server_config: {headers: {X-XSS-Protection: \"1\\r\\nSet-Cookie: a=b\"}}\n",
		"invalid value");
	refused("http_server_config: {headers: [a]}\n", "expected a mapping for \"headers\"");
	assert_int_equal(parse(&wc, "http_server_config: {headers: {X-XSS-Protection: '1; mode=block',"
			 " Strict-Transport-Security: max-age=1, X-Content-Type-Options: nosniff}}\n", &err), 0);
	assert_int_equal(wc.nheaders, 3);
	web_config_free(&wc);
	buf_release(&err);
}

/* HASH with its first bytes replaced by prefix. */
static const char *with_prefix(const char *prefix)
{
	static char h[sizeof(HASH)];

	memcpy(h, HASH, sizeof(HASH));
	memcpy(h, prefix, strlen(prefix));
	return h;
}

static void users(void **state)
{
	(void)state;
	refused("basic_auth_users: {alice: s3cret-scrape}\n",
		"line 1: basic_auth_users: the password of user \"alice\" is not a bcrypt hash");
	refused("basic_auth_users: {alice: '$1$abc$defghijklmnopqrstuvwx'}\n", "not a bcrypt hash");
	refused("basic_auth_users: {alice: '" HASH "x'}\n", "not a bcrypt hash");
	refused("basic_auth_users: {alice: '$2y$99$FvZKrfQ3CgXJHiNriVsBhuJYClxCsTumSXeVb4LwSHJW1ojgcEoti'}\n",
		"not a bcrypt hash");
	refused("basic_auth_users: {alice: }\n", "expected a bcrypt hash for user \"alice\"");
	refused("basic_auth_users: {alice: [a]}\n", "expected a bcrypt hash");
	refused("basic_auth_users: {alice: '" HASH "', alice: '" HASH2 "'}\n", "key given twice: \"alice\"");
	assert_true(web_bcrypt_hash_valid(HASH));
	assert_true(web_bcrypt_hash_valid(with_prefix("$2b$")));
	assert_true(web_bcrypt_hash_valid(with_prefix("$2a$")));
	assert_true(web_bcrypt_hash_valid(with_prefix("$2y$31$")));
	assert_false(web_bcrypt_hash_valid(with_prefix("$2x$")));
	assert_false(web_bcrypt_hash_valid(with_prefix("$2y$03$")));
	assert_false(web_bcrypt_hash_valid(with_prefix("$2y$32$")));
	assert_false(web_bcrypt_hash_valid(with_prefix("$2y$04$!")));
	assert_false(web_bcrypt_hash_valid(""));
}

static void validation(void **state)
{
	(void)state;
	refused("tls_server_config: {cert_file: a}\n", "missing key_file");
	refused("tls_server_config: {key_file: a}\n", "missing cert_file");
	refused("tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n",
		"client_ca_file is set without a client_auth_type");
	refused("tls_server_config: {cert_file: a, key_file: b, client_auth_type: VerifyClientCertIfGiven}\n",
		"needs client_ca_file");
	refused("tls_server_config: {client_auth_type: RequireAnyClientCert}\n",
		"client certificates need cert_file and key_file");
	refused("tls_server_config: {cert_file: a, key_file: b, client_auth_type: VerifyClientCertIfGiven,"
		" client_ca_file: c, client_allowed_sans: [x]}\n",
		"client_allowed_sans needs client_auth_type RequireAndVerifyClientCert");
	refused("tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}\n",
		"min_version is above max_version");
	refused("tls_server_config: {cert_file: a, key_file: b, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}\n",
		"unknown cipher suite \"TLS_RSA_WITH_RC4_128_SHA\"");
	refused("tls_server_config: {cert_file: a, key_file: b, curve_preferences: [P256]}\n",
		"unknown curve \"P256\"");
}

static void priority_of(const char *yaml, const char *want)
{
	struct web_config wc;
	struct buf err = BUF_INIT, prio = BUF_INIT;

	assert_int_equal(parse(&wc, yaml, &err), 0);
	assert_int_equal(web_config_priorities(&wc, &prio, &err), 0);
	assert_string_equal(buf_cstr(&prio), want);
	/* GnuTLS takes it. */
	gnutls_priority_t pc;
	const char *where = NULL;
	assert_int_equal(gnutls_priority_init(&pc, buf_cstr(&prio), &where), 0);
	gnutls_priority_deinit(pc);
	web_config_free(&wc);
	buf_release(&err);
	buf_release(&prio);
}

static void priorities(void **state)
{
	(void)state;
	priority_of("", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE");
	priority_of("tls_server_config: {min_version: TLS13}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.3:%SERVER_PRECEDENCE");
	priority_of("tls_server_config: {min_version: TLS10, max_version: TLS11,"
		    " prefer_server_cipher_suites: false}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0");
	priority_of("tls_server_config: {max_version: TLS12, cipher_suites: ["
		    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
		    " TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_AES_128_GCM_SHA256]}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.2"
		    ":-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM:+AES-256-CBC"
		    ":-MAC-ALL:+AEAD:+SHA1:%SERVER_PRECEDENCE");
	/* With TLS 1.3 allowed, its own suites stay (Go ignores the list there). */
	priority_of("tls_server_config: {cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA]}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
		    ":-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-256-CBC"
		    ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD:-MAC-ALL:+SHA1:+AEAD"
		    ":%SERVER_PRECEDENCE");
	/* Only TLS 1.3 suites: nothing to restrict. */
	priority_of("tls_server_config: {cipher_suites: [TLS_AES_256_GCM_SHA384]}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE");
	priority_of("tls_server_config: {curve_preferences: [CurveP521, X25519, CurveP256, CurveP384]}\n",
		    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP521R1"
		    ":+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:%SERVER_PRECEDENCE");
}

static struct web_config two_users(void)
{
	struct web_config wc;
	struct buf err = BUF_INIT;

	web_config_init(&wc);
	assert_int_equal(web_config_add_user(&wc, "alice", HASH, &err), 0);
	assert_int_equal(web_config_add_user(&wc, "bob", HASH2, &err), 0);
	buf_release(&err);
	return wc;
}

static void auth(void **state)
{
	struct web_config wc = two_users();
	struct web_config none;
	struct web_auth_cache cache;

	(void)state;
	web_auth_cache_init(&cache);
	assert_true(web_auth_check(&cache, &wc, "alice", "s3cret-scrape"));
	assert_int_equal(cache.next, 1);
	assert_true(web_auth_check(&cache, &wc, "alice", "s3cret-scrape"));	/* remembered */
	assert_int_equal(cache.next, 1);
	assert_true(web_auth_check(&cache, &wc, "bob", "rotated-pass"));
	assert_false(web_auth_check(&cache, &wc, "alice", "rotated-pass"));	/* bob's */
	assert_false(web_auth_check(&cache, &wc, "alice", "s3cret-scrapeX"));
	assert_false(web_auth_check(&cache, &wc, "alice", ""));
	assert_false(web_auth_check(&cache, &wc, "carol", "s3cret-scrape"));	/* unknown */
	assert_false(web_auth_check(&cache, &wc, "", ""));
	assert_false(web_auth_check(&cache, &wc, "alic", "s3cret-scrape"));
	assert_false(web_auth_check(&cache, &wc, "alicex", "s3cret-scrape"));
	assert_int_equal(cache.next, 2);	/* failures are not remembered */
	/* A remembered check is for that hash only. */
	free(wc.users[0].value);
	wc.users[0].value = strdup(HASH2);
	assert_false(web_auth_check(&cache, &wc, "alice", "s3cret-scrape"));
	assert_true(web_auth_check(&cache, &wc, "alice", "rotated-pass"));
	assert_true(web_auth_check(NULL, &wc, "alice", "rotated-pass"));	/* no cache */
	web_config_init(&none);
	assert_false(web_auth_check(&cache, &none, "alice", "s3cret-scrape"));
	web_auth_cache_release(&cache);
	assert_true(web_ct_equal("abc", "abc", 3));
	assert_false(web_ct_equal("abc", "abd", 3));
	web_config_free(&wc);
}

static void setters(void **state)
{
	struct web_config wc;
	struct buf err = BUF_INIT;

	(void)state;
	web_config_init(&wc);
	assert_int_equal(web_config_add_user_password(&wc, "redis", "from-a-flag", &err), 0);
	assert_true(web_bcrypt_hash_valid(wc.users[0].value));
	assert_true(web_auth_check(NULL, &wc, "redis", "from-a-flag"));
	assert_false(web_auth_check(NULL, &wc, "redis", "from-a-flaG"));
	assert_int_equal(web_config_add_user(&wc, "redis", HASH, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "given twice"));
	assert_int_equal(web_config_set_client_auth(&wc, "RequireAnyClientCert"), 0);
	assert_int_equal(web_config_set_client_auth(&wc, "Nope"), -1);
	assert_int_equal(web_config_set_min_version(&wc, "TLS13"), 0);
	assert_int_equal(web_config_set_min_version(&wc, "1.3"), -1);
	buf_truncate(&err, 0);
	assert_int_equal(web_config_validate(&wc, &err), -1);	/* client certs without TLS */
	web_config_set_tls(&wc, "/c.crt", "/c.key", "");
	buf_truncate(&err, 0);
	assert_int_equal(web_config_validate(&wc, &err), 0);
	assert_null(wc.client_ca_file);
	assert_int_equal(web_config_add_header(&wc, "X-Frame-Options", "deny", &err), 0);
	assert_int_equal(web_config_add_header(&wc, "Set-Cookie", "a", &err), -1);
	web_config_free(&wc);
	buf_release(&err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Reload of a config without TLS: users change, a broken file is ignored. */
static void state_reload(void **state)
{
	char dir[] = "/tmp/test_webconfig.XXXXXX", path[64];
	struct buf err = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	write_file(path, "basic_auth_users: {alice: '" HASH "'}\n");
	assert_int_equal(web_state_check(path, NULL, &err), 0);
	struct web_state *ws = web_state_start(path, NULL, &err);
	assert_non_null(ws);
	assert_false(web_state_tls(ws));
	struct web_live *held = web_state_acquire(ws);
	const struct web_config *first = web_live_config(held);
	assert_string_equal(first->users[0].name, "alice");

	write_file(path, "basic_auth_users: {bob: '" HASH2 "', carol: '" HASH "'}\n");
	struct web_live *now = held;
	for (int i = 0; i < 40 && now == held; i++) {
		usleep(100 * 1000);	/* looked at no more than once a second */
		now = web_state_acquire(ws);
		if (now == held)
			web_state_release(ws, now);
	}
	assert_int_equal(web_live_config(now)->nusers, 2);
	assert_string_equal(web_live_config(now)->users[0].name, "bob");
	assert_int_equal(web_state_versions(ws), 2);
	web_state_release(ws, now);
	assert_string_equal(first->users[0].name, "alice");	/* still valid: held */
	assert_int_equal(web_state_versions(ws), 2);

	write_file(path, "basic_auth_users: {bob: plain}\n");
	now = web_state_acquire(ws);
	for (int i = 0; i < 15; i++) {
		usleep(100 * 1000);
		struct web_live *again = web_state_acquire(ws);
		assert_ptr_equal(again, now);	/* last good one */
		web_state_release(ws, again);
	}
	/* Fixed again: seen at the next check. */
	write_file(path, "basic_auth_users: {dave: '" HASH "'}\n");
	struct web_live *fixed = now;
	for (int i = 0; i < 40 && fixed == now; i++) {
		usleep(100 * 1000);
		fixed = web_state_acquire(ws);
		if (fixed == now)
			web_state_release(ws, fixed);
	}
	assert_string_equal(web_live_config(fixed)->users[0].name, "dave");
	/* held (alice), now (bob) and fixed (dave, live) are in use. */
	assert_int_equal(web_state_versions(ws), 3);
	web_state_release(ws, held);
	web_state_release(ws, now);
	assert_int_equal(web_state_versions(ws), 1);
	web_state_release(ws, fixed);
	assert_int_equal(web_state_versions(ws), 1);	/* the live one stays */
	struct web_live *last = web_state_acquire(ws);
	assert_string_equal(web_live_config(last)->users[0].name, "dave");
	web_state_release(ws, last);
	web_state_stop(ws);

	/* Missing TLS files refuse at start with the path. */
	write_file(path, "tls_server_config: {cert_file: no.crt, key_file: no.key}\n");
	buf_truncate(&err, 0);
	assert_int_equal(web_state_check(path, NULL, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "no.crt: No such file or directory"));
	buf_truncate(&err, 0);
	assert_null(web_state_start(path, NULL, &err));
	unlink(path);
	rmdir(dir);
	buf_truncate(&err, 0);
	assert_int_equal(web_state_check("/nonexistent/web.yml", NULL, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "web config /nonexistent/web.yml: No such file"));
	buf_release(&err);
}

/* Replaces path with a new file (a new inode: always seen as a change). */
static void replace_file(const char *path, const char *text)
{
	char tmp[80];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	write_file(tmp, text);
	assert_int_equal(rename(tmp, path), 0);
}

/*
 * 200 reloads: memory holds the live version plus those still referenced,
 * never the whole history (checked by count; ASan and valgrind see the
 * frees). Every 10th version is held across the next ten reloads.
 */
static void state_reload_bounded(void **state)
{
	char dir[] = "/tmp/test_webconfig.XXXXXX", path[64], text[128];
	struct buf err = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	replace_file(path, "basic_auth_users: {user0: '" HASH "'}\n");
	struct web_state *ws = web_state_start(path, NULL, &err);
	assert_non_null(ws);
	web_state_set_recheck(ws, 0);
	struct web_live *held = NULL;
	for (int i = 1; i <= 200; i++) {
		snprintf(text, sizeof(text), "basic_auth_users: {user%d: '%s'}\n", i, HASH);
		replace_file(path, text);
		struct web_live *l = web_state_acquire(ws);
		char want[16];
		snprintf(want, sizeof(want), "user%d", i);
		assert_string_equal(web_live_config(l)->users[0].name, want);
		assert_true(web_state_versions(ws) <= 2);	/* l (live) and held */
		if (i % 10 == 0) {
			web_state_release(ws, held);
			held = l;
		} else {
			web_state_release(ws, l);
		}
	}
	web_state_release(ws, held);
	assert_int_equal(web_state_versions(ws), 1);
	web_state_stop(ws);
	unlink(path);
	rmdir(dir);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key),
		cmocka_unit_test(empty_and_null),
		cmocka_unit_test(unknown_and_bad),
		cmocka_unit_test(headers),
		cmocka_unit_test(users),
		cmocka_unit_test(validation),
		cmocka_unit_test(priorities),
		cmocka_unit_test(auth),
		cmocka_unit_test(setters),
		cmocka_unit_test(state_reload),
		cmocka_unit_test(state_reload_bounded),
	};

	log_setup("error", "logfmt");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
