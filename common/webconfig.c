#include "webconfig.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "fsutil.h"

#define MAX_FILE_BYTES (1 << 20)

void web_config_init(struct web_config *wc)
{
	memset(wc, 0, sizeof(*wc));
	wc->prefer_server_cipher_suites = true;
}

/* strdup that aborts when out of memory, as buf does: no half-built config. */
static char *copy(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static void free_pairs(struct web_pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		if (p[i].value)
			explicit_bzero(p[i].value, strlen(p[i].value));
		free(p[i].value);
	}
}

void web_config_free(struct web_config *wc)
{
	free(wc->cert_file);
	free(wc->key_file);
	free(wc->client_ca_file);
	for (size_t i = 0; i < wc->ncipher_suites; i++)
		free(wc->cipher_suites[i]);
	for (size_t i = 0; i < wc->ncurves; i++)
		free(wc->curves[i]);
	for (size_t i = 0; i < wc->nclient_allowed_sans; i++)
		free(wc->client_allowed_sans[i]);
	free_pairs(wc->headers, wc->nheaders);
	free_pairs(wc->users, wc->nusers);
	web_config_init(wc);
}

bool web_config_tls(const struct web_config *wc)
{
	return wc->cert_file != NULL;
}

/* ---- names ---- */

static const char *const client_auth_names[] = {
	[WEB_NO_CLIENT_CERT] = "NoClientCert",
	[WEB_REQUEST_CLIENT_CERT] = "RequestClientCert",
	[WEB_REQUIRE_ANY_CLIENT_CERT] = "RequireAnyClientCert",
	[WEB_VERIFY_CLIENT_CERT_IF_GIVEN] = "VerifyClientCertIfGiven",
	[WEB_REQUIRE_AND_VERIFY_CLIENT_CERT] = "RequireAndVerifyClientCert",
};

static const char *const version_names[] = {
	[WEB_TLS10] = "TLS10", [WEB_TLS11] = "TLS11", [WEB_TLS12] = "TLS12", [WEB_TLS13] = "TLS13",
};
static const char *const version_gnutls[] = {
	[WEB_TLS10] = "+VERS-TLS1.0", [WEB_TLS11] = "+VERS-TLS1.1",
	[WEB_TLS12] = "+VERS-TLS1.2", [WEB_TLS13] = "+VERS-TLS1.3",
};

/* Go's cipher suite names and the GnuTLS key exchange, cipher and MAC they take. */
struct cipher_suite {
	const char *go;
	const char *kx, *cipher, *mac;	/* all NULL: a TLS 1.3 suite, not configurable */
};

static const struct cipher_suite cipher_suites[] = {
	{ "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "3DES-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA", "3DES-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	/* Go ignores the configured suites for TLS 1.3, and so do we. */
	{ "TLS_AES_128_GCM_SHA256" },
	{ "TLS_AES_256_GCM_SHA384" },
	{ "TLS_CHACHA20_POLY1305_SHA256" },
};

static const struct { const char *go, *gnutls; } curves[] = {
	{ "CurveP256", "+GROUP-SECP256R1" },
	{ "CurveP384", "+GROUP-SECP384R1" },
	{ "CurveP521", "+GROUP-SECP521R1" },
	{ "X25519", "+GROUP-X25519" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static const struct cipher_suite *find_suite(const char *name)
{
	for (size_t i = 0; i < COUNT(cipher_suites); i++)
		if (strcmp(cipher_suites[i].go, name) == 0)
			return &cipher_suites[i];
	return NULL;
}

static const char *find_curve(const char *name)
{
	for (size_t i = 0; i < COUNT(curves); i++)
		if (strcmp(curves[i].go, name) == 0)
			return curves[i].gnutls;
	return NULL;
}

/* ---- setters ---- */

static int set_str(char **field, const char *s)
{
	free(*field);
	*field = s && *s ? copy(s) : NULL;
	return 0;
}

int web_config_set_tls(struct web_config *wc, const char *cert_file,
		       const char *key_file, const char *client_ca_file)
{
	set_str(&wc->cert_file, cert_file);
	set_str(&wc->key_file, key_file);
	return set_str(&wc->client_ca_file, client_ca_file);
}

int web_config_set_client_auth(struct web_config *wc, const char *name)
{
	int i = name_index(client_auth_names, COUNT(client_auth_names), name);

	if (!*name)
		i = WEB_NO_CLIENT_CERT;
	if (i < 0)
		return -1;
	wc->client_auth = (enum web_client_auth)i;
	return 0;
}

static int parse_version(const char *name, enum web_tls_version *out)
{
	int i = name_index(version_names, COUNT(version_names), name);

	if (i < 0)
		return -1;
	*out = (enum web_tls_version)i;
	return 0;
}

int web_config_set_min_version(struct web_config *wc, const char *name)
{
	return parse_version(name, &wc->min_version);
}

/* exporter-toolkit allows these headers only, some with fixed values. */
static const struct {
	const char *name;
	const char *values[3];	/* empty: any value */
} allowed_headers[] = {
	{ "Strict-Transport-Security", { NULL } },
	{ "X-Content-Type-Options", { "nosniff", NULL } },
	{ "X-Frame-Options", { "deny", "sameorigin", NULL } },
	{ "X-XSS-Protection", { NULL } },
	{ "Content-Security-Policy", { NULL } },
};

static bool header_value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;	/* no CR/LF: no response splitting */
	return true;
}

int web_config_add_header(struct web_config *wc, const char *name, const char *value,
			  struct buf *err)
{
	size_t i;

	for (i = 0; i < COUNT(allowed_headers); i++)
		if (strcmp(allowed_headers[i].name, name) == 0)
			break;
	if (i == COUNT(allowed_headers)) {
		buf_addf(err, "HTTP header \"%s\" can not be configured", name);
		return -1;
	}
	const char *const *values = allowed_headers[i].values;
	bool ok = values[0] == NULL;
	for (size_t j = 0; values[j]; j++)
		ok |= strcmp(values[j], value) == 0;
	if (!ok || !header_value_ok(value)) {
		buf_addf(err, "invalid value for HTTP header \"%s\"", name);
		return -1;
	}
	if (wc->nheaders == WEB_MAX_LIST) {
		buf_adds(err, "too many headers");
		return -1;
	}
	wc->headers[wc->nheaders++] = (struct web_pair){ copy(name), copy(value) };
	return 0;
}

bool web_bcrypt_hash_valid(const char *s)
{
	/* $2y$10$ + 22 characters of salt + 31 of hash */
	static const char b64[] =
		"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	if (strlen(s) != 60 || s[0] != '$' || s[1] != '2' || !strchr("aby", s[2]) ||
	    s[3] != '$' || s[4] < '0' || s[4] > '3' || s[5] < '0' || s[5] > '9' || s[6] != '$')
		return false;
	int cost = (s[4] - '0') * 10 + (s[5] - '0');
	return cost >= 4 && cost <= 31 && strspn(s + 7, b64) == 53;
}

static int add_user(struct web_config *wc, const char *name, const char *hash,
		    struct buf *err)
{
	for (size_t i = 0; i < wc->nusers; i++)
		if (strcmp(wc->users[i].name, name) == 0) {
			buf_addf(err, "basic_auth_users: user \"%s\" given twice", name);
			return -1;
		}
	if (wc->nusers == WEB_MAX_LIST) {
		buf_adds(err, "basic_auth_users: too many users");
		return -1;
	}
	wc->users[wc->nusers++] = (struct web_pair){ copy(name), copy(hash) };
	return 0;
}

int web_config_add_user(struct web_config *wc, const char *name, const char *hash,
			struct buf *err)
{
	if (!web_bcrypt_hash_valid(hash)) {
		/* Never the hash itself: it is a secret too. */
		buf_addf(err, "basic_auth_users: the password of user \"%s\" is not a bcrypt hash", name);
		return -1;
	}
	return add_user(wc, name, hash, err);
}

int web_config_add_user_password(struct web_config *wc, const char *name,
				 const char *password, struct buf *err)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	int rc = -1;

	if (!cd)
		return -1;
	if (!crypt_gensalt_rn("$2b$", 10, NULL, 0, setting, sizeof(setting)) ||
	    !crypt_rn(password, setting, cd, sizeof(*cd)) || cd->output[0] == '*')
		buf_addf(err, "cannot hash the password of user \"%s\"", name);
	else
		rc = add_user(wc, name, cd->output, err);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int web_config_validate(const struct web_config *wc, struct buf *err)
{
	if (wc->cert_file && !wc->key_file) {
		buf_adds(err, "tls_server_config: missing key_file");
		return -1;
	}
	if (!wc->cert_file && wc->key_file) {
		buf_adds(err, "tls_server_config: missing cert_file");
		return -1;
	}
	if (!wc->cert_file && (wc->client_ca_file || wc->client_auth != WEB_NO_CLIENT_CERT)) {
		buf_adds(err, "tls_server_config: client certificates need cert_file and key_file");
		return -1;
	}
	if (wc->client_ca_file && wc->client_auth == WEB_NO_CLIENT_CERT) {
		buf_adds(err, "tls_server_config: client_ca_file is set without a client_auth_type");
		return -1;
	}
	if (!wc->client_ca_file && (wc->client_auth == WEB_VERIFY_CLIENT_CERT_IF_GIVEN ||
				    wc->client_auth == WEB_REQUIRE_AND_VERIFY_CLIENT_CERT)) {
		buf_addf(err, "tls_server_config: client_auth_type %s needs client_ca_file",
			 client_auth_names[wc->client_auth]);
		return -1;
	}
	if (wc->nclient_allowed_sans && wc->client_auth != WEB_REQUIRE_AND_VERIFY_CLIENT_CERT) {
		buf_adds(err, "tls_server_config: client_allowed_sans needs client_auth_type "
			 "RequireAndVerifyClientCert");
		return -1;
	}
	if (wc->min_version && wc->max_version && wc->min_version > wc->max_version) {
		buf_adds(err, "tls_server_config: min_version is above max_version");
		return -1;
	}
	struct buf prio = BUF_INIT;
	int rc = web_config_priorities(wc, &prio, err);
	buf_release(&prio);
	return rc;
}

/* ---- priority string ---- */

/* Appends ":+item" to out (":+x:+y") unless it is there already. */
static void add_unique(struct buf *out, const char *item)
{
	size_t n = strlen(item);

	for (const char *s = strstr(buf_cstr(out), item); s; s = strstr(s + 1, item))
		if (s >= out->data + 2 && s[-1] == '+' && s[-2] == ':' &&
		    (s[n] == ':' || s[n] == '\0'))
			return;
	buf_addf(out, ":+%s", item);
}

static int add_suites(const struct web_config *wc, struct buf *out, struct buf *err)
{
	struct buf kx = BUF_INIT, ciph = BUF_INIT, mac = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < wc->ncipher_suites; i++) {
		const struct cipher_suite *cs = find_suite(wc->cipher_suites[i]);
		if (!cs) {
			buf_addf(err, "tls_server_config: unknown cipher suite \"%s\"",
				 wc->cipher_suites[i]);
			rc = -1;
			break;
		}
		if (!cs->kx)
			continue;
		add_unique(&kx, cs->kx);
		add_unique(&ciph, cs->cipher);
		add_unique(&mac, cs->mac);
	}
	if (rc == 0 && kx.len) {
		/* GnuTLS allows the combinations of what the suites name. */
		buf_addf(out, ":-KX-ALL%s:-CIPHER-ALL%s", buf_cstr(&kx), buf_cstr(&ciph));
		if (wc->max_version != WEB_TLS12 && wc->max_version != WEB_TLS11 &&
		    wc->max_version != WEB_TLS10)
			/* TLS 1.3 keeps its own suites, as in Go. */
			buf_adds(out, ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD");
		buf_addf(out, ":-MAC-ALL%s", buf_cstr(&mac));
		if (!strstr(buf_cstr(&mac), "AEAD") && wc->max_version != WEB_TLS12 &&
		    wc->max_version != WEB_TLS11 && wc->max_version != WEB_TLS10)
			buf_adds(out, ":+AEAD");
	}
	buf_release(&kx);
	buf_release(&ciph);
	buf_release(&mac);
	return rc;
}

int web_config_priorities(const struct web_config *wc, struct buf *out, struct buf *err)
{
	enum web_tls_version lo = wc->min_version ? wc->min_version : WEB_TLS12;
	enum web_tls_version hi = wc->max_version ? wc->max_version : WEB_TLS13;

	buf_adds(out, "NORMAL:-VERS-ALL");
	for (int v = hi; v >= (int)lo; v--)
		buf_addf(out, ":%s", version_gnutls[v]);
	if (add_suites(wc, out, err) != 0)
		return -1;
	if (wc->ncurves) {
		buf_adds(out, ":-GROUP-ALL");
		for (size_t i = 0; i < wc->ncurves; i++) {
			const char *g = find_curve(wc->curves[i]);
			if (!g) {
				buf_addf(err, "tls_server_config: unknown curve \"%s\"", wc->curves[i]);
				return -1;
			}
			buf_addf(out, ":%s", g);
		}
	}
	if (wc->prefer_server_cipher_suites)
		buf_adds(out, ":%SERVER_PRECEDENCE");
	return 0;
}

/* ---- YAML ---- */

struct parse {
	yaml_document_t doc;
	struct web_config *wc;
	const char *dir;
	struct buf *err;
};

static int fail(struct parse *p, const yaml_node_t *n, const char *msg, const char *arg)
{
	if (n)
		buf_addf(p->err, "line %lu: ", (unsigned long)n->start_mark.line + 1);
	buf_adds(p->err, msg);
	if (arg) {
		/* Key names and setting values; never a hash (users pass their name). */
		buf_adds(p->err, " \"");
		for (const char *s = arg; *s && s - arg < 64; s++)
			buf_addc(p->err, (unsigned char)*s < 0x20 ? '?' : *s);
		buf_adds(p->err, "\"");
	}
	return -1;
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

/* A scalar as a string ("" for null); NULL (after an error) otherwise. */
static const char *scalar(struct parse *p, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE) {
		fail(p, n, "expected a string for", key);
		return NULL;
	}
	if (is_null(n))
		return "";
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		fail(p, n, "NUL byte in the value of", key);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int boolean(struct parse *p, const yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					   "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
					  "off", "Off", "OFF", NULL };
	const char *v = scalar(p, n, key);

	if (!v)
		return -1;
	if (!*v) {
		*out = false;
		return 0;
	}
	if (name_index(yes, 9, v) >= 0 || name_index(no, 9, v) >= 0) {
		*out = name_index(yes, 9, v) >= 0;
		return 0;
	}
	return fail(p, n, "expected true or false for", key);
}

static int path(struct parse *p, const yaml_node_t *n, const char *key, char **out)
{
	const char *v = scalar(p, n, key);

	if (!v)
		return -1;
	free(*out);
	*out = NULL;
	if (!*v)
		return 0;
	if (v[0] == '/' || !p->dir || !*p->dir) {
		*out = copy(v);
	} else {
		struct buf b = BUF_INIT;
		buf_addf(&b, "%s/%s", p->dir, v);
		*out = buf_detach(&b, NULL);
	}
	return 0;
}

static int string_list(struct parse *p, const yaml_node_t *n, const char *key,
		       char **out, size_t *nout)
{
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "expected a list for", key);
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		const char *v = scalar(p, yaml_document_get_node(&p->doc, *it), key);
		if (!v)
			return -1;
		if (*nout == WEB_MAX_LIST)
			return fail(p, n, "too many entries in", key);
		out[(*nout)++] = copy(v);
	}
	return 0;
}

typedef int (*pair_fn)(struct parse *p, const yaml_node_t *key_node, const char *key,
		       const yaml_node_t *value);

/* Calls fn for every key of a mapping; refuses duplicates as yaml.v2 does. */
static int each_pair(struct parse *p, const yaml_node_t *n, const char *what, pair_fn fn)
{
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail(p, n, "expected a mapping for", what);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		const yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		const char *key = scalar(p, k, what);
		if (!key)
			return -1;
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++) {
			const yaml_node_t *qk = yaml_document_get_node(&p->doc, q->key);
			if (qk->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)qk->data.scalar.value, key) == 0)
				return fail(p, k, "key given twice:", key);
		}
		if (fn(p, k, key, v) != 0)
			return -1;
	}
	return 0;
}

static int tls_pair(struct parse *p, const yaml_node_t *kn, const char *key,
		    const yaml_node_t *v)
{
	struct web_config *wc = p->wc;
	const char *s;

	if (strcmp(key, "cert_file") == 0)
		return path(p, v, key, &wc->cert_file);
	if (strcmp(key, "key_file") == 0)
		return path(p, v, key, &wc->key_file);
	if (strcmp(key, "client_ca_file") == 0)
		return path(p, v, key, &wc->client_ca_file);
	if (strcmp(key, "client_auth_type") == 0) {
		if (!(s = scalar(p, v, key)))
			return -1;
		return web_config_set_client_auth(wc, s) == 0 ? 0 :
			fail(p, v, "invalid client_auth_type", s);
	}
	if (strcmp(key, "min_version") == 0 || strcmp(key, "max_version") == 0) {
		if (!(s = scalar(p, v, key)))
			return -1;
		enum web_tls_version *out =
			strcmp(key, "min_version") == 0 ? &wc->min_version : &wc->max_version;
		if (!*s)
			return 0;
		return parse_version(s, out) == 0 ? 0 : fail(p, v, "unknown TLS version", s);
	}
	if (strcmp(key, "cipher_suites") == 0)
		return string_list(p, v, key, wc->cipher_suites, &wc->ncipher_suites);
	if (strcmp(key, "curve_preferences") == 0)
		return string_list(p, v, key, wc->curves, &wc->ncurves);
	if (strcmp(key, "prefer_server_cipher_suites") == 0)
		return boolean(p, v, key, &wc->prefer_server_cipher_suites);
	if (strcmp(key, "client_allowed_sans") == 0)
		return string_list(p, v, key, wc->client_allowed_sans, &wc->nclient_allowed_sans);
	if (strcmp(key, "cert") == 0 || strcmp(key, "key") == 0 || strcmp(key, "client_ca") == 0)
		return fail(p, kn, "not supported yet: tls_server_config key", key);
	return fail(p, kn, "unknown key in tls_server_config:", key);
}

/* Prefixes an error from a setter with the line of the key. */
static int at_line(struct parse *p, const yaml_node_t *kn, int rc, struct buf *msg)
{
	if (rc != 0)
		buf_addf(p->err, "line %lu: %s", (unsigned long)kn->start_mark.line + 1,
			 buf_cstr(msg));
	buf_release(msg);
	return rc;
}

static int header_pair(struct parse *p, const yaml_node_t *kn, const char *key,
		       const yaml_node_t *v)
{
	struct buf msg = BUF_INIT;
	const char *s = scalar(p, v, key);

	if (!s)
		return -1;
	return at_line(p, kn, web_config_add_header(p->wc, key, s, &msg), &msg);
}

static int http_pair(struct parse *p, const yaml_node_t *kn, const char *key,
		     const yaml_node_t *v)
{
	if (strcmp(key, "http2") == 0)
		return boolean(p, v, key, &p->wc->http2);
	if (strcmp(key, "headers") == 0)
		return each_pair(p, v, "headers", header_pair);
	return fail(p, kn, "unknown key in http_server_config:", key);
}

static int user_pair(struct parse *p, const yaml_node_t *kn, const char *key,
		     const yaml_node_t *v)
{
	if (v->type != YAML_SCALAR_NODE || is_null(v))
		return fail(p, v, "expected a bcrypt hash for user", key);
	struct buf msg = BUF_INIT;
	const char *hash = scalar(p, v, key);

	if (!hash)
		return -1;
	return at_line(p, kn, web_config_add_user(p->wc, key, hash, &msg), &msg);
}

static int top_pair(struct parse *p, const yaml_node_t *kn, const char *key,
		    const yaml_node_t *v)
{
	if (strcmp(key, "tls_server_config") == 0)
		return each_pair(p, v, key, tls_pair);
	if (strcmp(key, "http_server_config") == 0)
		return each_pair(p, v, key, http_pair);
	if (strcmp(key, "basic_auth_users") == 0)
		return each_pair(p, v, key, user_pair);
	return fail(p, kn, "unknown key at the top level:", key);
}

static int parse_doc(struct parse *p, const char *text, size_t len)
{
	yaml_parser_t parser;
	int rc = -1;

	if (!yaml_parser_initialize(&parser))
		return fail(p, NULL, "out of memory", NULL);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &p->doc)) {
		buf_addf(p->err, "line %lu: invalid YAML: %s",
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return -1;
	}
	const yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	if (!root) {
		rc = 0;		/* an empty file: no TLS, no auth, as upstream */
	} else {
		yaml_document_t next;
		rc = each_pair(p, root, "the top level", top_pair);
		/* A second document would be ignored silently: refuse it. */
		if (rc == 0 && yaml_parser_load(&parser, &next)) {
			if (yaml_document_get_root_node(&next))
				rc = fail(p, NULL, "more than one YAML document", NULL);
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&p->doc);
	yaml_parser_delete(&parser);
	return rc;
}

void web_one_line(struct buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			b->data[i] = '?';
}

int web_config_parse(struct web_config *wc, const char *text, size_t len,
		     const char *dir, struct buf *err)
{
	struct parse p = { .wc = wc, .dir = dir, .err = err };
	size_t mark = err->len;

	web_config_init(wc);
	if (parse_doc(&p, text, len) != 0 || web_config_validate(wc, err) != 0) {
		web_config_free(wc);
		web_one_line(err, mark);	/* names from the file may hold line breaks */
		return -1;
	}
	return 0;
}

int web_read_file(const char *path, struct buf *out, size_t max)
{
	struct stat st;

	/* A FIFO or a device would block the reload, and every request with it. */
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return fs_read_file(path, out, max);
}

int web_config_load(struct web_config *wc, const char *file, struct buf *err)
{
	struct buf text = BUF_INIT, dir = BUF_INIT, msg = BUF_INIT;
	int rc = -1;

	web_config_init(wc);
	int e = web_read_file(file, &text, MAX_FILE_BYTES);
	if (e < 0) {
		buf_addf(err, "web config %s: %s", file,
			 e == -EINVAL ? "not a regular file" : strerror(-e));
		goto out;
	}
	const char *slash = strrchr(file, '/');
	if (slash)
		buf_add(&dir, file, slash == file ? 1 : (size_t)(slash - file));
	buf_add(&dir, "", 0);
	rc = web_config_parse(wc, text.data ? text.data : "", text.len, buf_cstr(&dir), &msg);
	if (rc != 0)
		buf_addf(err, "web config %s: %s", file, buf_cstr(&msg));
out:
	buf_release(&text);
	buf_release(&dir);
	buf_release(&msg);
	return rc;
}
