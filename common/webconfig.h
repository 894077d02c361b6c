/*
 * webconfig: the web configuration file of exporter-toolkit
 * (--web.config.file): TLS, client certificates, basic auth users with
 * bcrypt hashes, extra response headers. Parsed strictly as upstream does:
 * an unknown key, a bad value or a missing file is one clear error line,
 * never echoing a password hash.
 *
 * An applet with flags of its own for the same things (redis_exporter's
 * --tls-server-cert-file, --basic-auth-username, ...) fills a web_config
 * with the setters below instead and hands it to http_server_options.web.
 */
#ifndef EXPORTERBOX_WEBCONFIG_H
#define EXPORTERBOX_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Go's tls.ClientAuthType, by exporter-toolkit's names. */
enum web_client_auth {
	WEB_NO_CLIENT_CERT,
	WEB_REQUEST_CLIENT_CERT,
	WEB_REQUIRE_ANY_CLIENT_CERT,
	WEB_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEB_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

/* 0: not set (min: TLS12 as upstream; max: the newest). */
enum web_tls_version { WEB_TLS_UNSET, WEB_TLS10, WEB_TLS11, WEB_TLS12, WEB_TLS13 };

#define WEB_MAX_LIST 64		/* cipher suites, curves, headers, users */

struct web_pair {
	char *name;
	char *value;
};

struct web_config {
	/* tls_server_config: TLS is on when cert_file is set. Paths are
	 * resolved against the config file's directory, as upstream does. */
	char *cert_file;
	char *key_file;
	char *client_ca_file;
	enum web_client_auth client_auth;
	enum web_tls_version min_version, max_version;
	char *cipher_suites[WEB_MAX_LIST];	/* Go names: TLS_ECDHE_RSA_WITH_... */
	size_t ncipher_suites;
	char *curves[WEB_MAX_LIST];		/* CurveP256, X25519, ... */
	size_t ncurves;
	bool prefer_server_cipher_suites;	/* upstream's default: true */
	/* The client certificate must name one of these in its SANs. */
	char *client_allowed_sans[WEB_MAX_LIST];
	size_t nclient_allowed_sans;
	/* http_server_config */
	bool http2;				/* accepted; MHD speaks HTTP/1.1 */
	struct web_pair headers[WEB_MAX_LIST];	/* name -> value */
	size_t nheaders;
	/* basic_auth_users: name -> bcrypt hash */
	struct web_pair users[WEB_MAX_LIST];
	size_t nusers;
};

void web_config_init(struct web_config *wc);
void web_config_free(struct web_config *wc);

/*
 * Parses the YAML text into wc (initialised first) and checks it; dir
 * resolves relative paths ("" or NULL: leave them). Returns 0, or -1 with
 * one line in err ("line 3: unknown key \"foo\" in tls_server_config").
 */
int web_config_parse(struct web_config *wc, const char *text, size_t len,
		     const char *dir, struct buf *err);
/* Reads and parses path; errors name the file. */
int web_config_load(struct web_config *wc, const char *path, struct buf *err);

/* The checks web_config_parse makes, for a config filled by the setters. */
int web_config_validate(const struct web_config *wc, struct buf *err);

/* Setters for applets (strings are copied; NULL or "" leaves a field unset). */
int web_config_set_tls(struct web_config *wc, const char *cert_file,
		       const char *key_file, const char *client_ca_file);
/* exporter-toolkit's names; returns -1 for an unknown one. */
int web_config_set_client_auth(struct web_config *wc, const char *name);
/* "TLS10" ... "TLS13"; returns -1 for an unknown one. */
int web_config_set_min_version(struct web_config *wc, const char *name);
int web_config_add_header(struct web_config *wc, const char *name, const char *value,
			  struct buf *err);
/* A user with a bcrypt hash ($2a$, $2b$, $2y$). */
int web_config_add_user(struct web_config *wc, const char *name, const char *hash,
			struct buf *err);
/* A user with a plain password, hashed here with bcrypt (cost 10). */
int web_config_add_user_password(struct web_config *wc, const char *name,
				 const char *password, struct buf *err);

/* Whether wc asks for TLS / for basic auth. */
bool web_config_tls(const struct web_config *wc);

/*
 * The GnuTLS priority string for min/max version, cipher suites, curves
 * and server precedence ("NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:
 * %SERVER_PRECEDENCE"). Returns -1 with err for an unknown suite or curve.
 */
int web_config_priorities(const struct web_config *wc, struct buf *out, struct buf *err);

/* fs_read_file() for a regular file only (-EINVAL otherwise); symlinks followed. */
int web_read_file(const char *path, struct buf *out, size_t max);

/* Replaces control characters in b from byte from on: errors stay one line. */
void web_one_line(struct buf *b, size_t from);

/* Whether s looks like a bcrypt hash libxcrypt can check. */
bool web_bcrypt_hash_valid(const char *s);

#endif
