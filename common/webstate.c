#include "webstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collector.h"
#include "fsutil.h"
#include "log.h"

#define MAX_CHAIN 16
#define MAX_PEM_BYTES (1 << 20)
#define RECHECK_SECONDS 1.0

/* What identifies a version of a file: a rename or a rewrite changes it. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	int err;
};

enum { F_CONFIG, F_CERT, F_KEY, F_CA, NFILES };

/* One loaded version of the config and its TLS credentials. */
struct web_live {
	struct web_config own;		/* loaded from the file */
	const struct web_config *cfg;	/* &own, or the applet's preset */
	gnutls_pcert_st pcerts[MAX_CHAIN];
	unsigned npcerts;
	gnutls_privkey_t key;
	gnutls_x509_trust_list_t cas;
	struct file_id ids[NFILES];	/* each file as it was just before it was read */
	unsigned refs;			/* the state's own (while live), requests', handshakes' */
	struct web_live *next_retired;	/* in web_state.retired */
};

/* A TLS session that was handed a version's certificate and key. */
struct pin {
	gnutls_session_t session;
	struct web_live *live;
	struct pin *next;
};

struct web_state {
	pthread_mutex_t lock;
	char *path;			/* NULL: the preset */
	const struct web_config *preset;
	struct web_live *live;		/* the newest good version */
	struct web_live *retired;	/* older ones still referenced: freed at their last release */
	struct pin *pins;		/* TLS sessions and the version they use */
	size_t nversions;		/* live + retired */
	double recheck;			/* seconds between looks at the files */
	char *last_error;		/* of the last failed reload, logged once */
	double next_check;
	bool tls;
	char *priorities;
	struct web_auth_cache auth_cache;
};

/* The state the GnuTLS callbacks serve (they take no user pointer). */
static _Atomic(struct web_state *) active;

static void file_id_of(const char *file, struct file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));	/* padding too: ids are compared with memcmp */
	if (!file)
		return;
	if (stat(file, &st) != 0) {
		id->err = errno;
		return;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
}

static void live_free(struct web_live *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->npcerts; i++)
		gnutls_pcert_deinit(&l->pcerts[i]);
	if (l->key)
		gnutls_privkey_deinit(l->key);
	if (l->cas)
		gnutls_x509_trust_list_deinit(l->cas, 1);
	web_config_free(&l->own);
	free(l);
}

/*
 * Drops one reference; ws is locked. A version that is no longer live is
 * freed with its last reference, so memory holds the live version plus
 * those that requests and handshakes in flight still use, however often
 * the files change.
 */
static void unref(struct web_state *ws, struct web_live *l)
{
	if (--l->refs > 0 || l == ws->live)
		return;
	struct web_live **p = &ws->retired;
	while (*p && *p != l)
		p = &(*p)->next_retired;
	if (*p)
		*p = l->next_retired;
	ws->nversions--;
	live_free(l);
}

static int read_pem(const char *what, const char *file, struct buf *out, struct buf *err)
{
	int e = web_read_file(file, out, MAX_PEM_BYTES);

	if (e < 0)
		buf_addf(err, "tls_server_config: %s %s: %s", what, file,
			 e == -EINVAL ? "not a regular file" : strerror(-e));
	return e < 0 ? -1 : 0;
}

static gnutls_datum_t datum(const struct buf *b)
{
	return (gnutls_datum_t){ (unsigned char *)b->data, (unsigned)b->len };
}

static int tls_fail(struct buf *err, const char *what, const char *file, int rc)
{
	buf_addf(err, "tls_server_config: %s %s: %s", what, file, gnutls_strerror(rc));
	return -1;
}

/* Server certificate chain and key; checked to belong together. */
static int load_cert_key(struct web_live *l, struct buf *err)
{
	const struct web_config *wc = l->cfg;
	struct buf cert = BUF_INIT, key = BUF_INIT;
	gnutls_certificate_credentials_t check = NULL;
	int rc = -1;

	file_id_of(wc->cert_file, &l->ids[F_CERT]);
	if (read_pem("cert_file", wc->cert_file, &cert, err))
		goto out;
	file_id_of(wc->key_file, &l->ids[F_KEY]);
	if (read_pem("key_file", wc->key_file, &key, err))
		goto out;
	gnutls_datum_t c = datum(&cert), k = datum(&key);
	int g = gnutls_certificate_allocate_credentials(&check);
	if (g >= 0)
		g = gnutls_certificate_set_x509_key_mem2(check, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (g < 0) {
		tls_fail(err, "cert_file and key_file", wc->cert_file, g);
		goto out;
	}
	l->npcerts = MAX_CHAIN;
	g = gnutls_pcert_list_import_x509_raw(l->pcerts, &l->npcerts, &c, GNUTLS_X509_FMT_PEM, 0);
	if (g < 0) {
		l->npcerts = 0;
		tls_fail(err, "cert_file", wc->cert_file, g);
		goto out;
	}
	g = gnutls_privkey_init(&l->key);
	if (g >= 0)
		g = gnutls_privkey_import_x509_raw(l->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (g < 0) {
		tls_fail(err, "key_file", wc->key_file, g);
		goto out;
	}
	rc = 0;
out:
	if (check)
		gnutls_certificate_free_credentials(check);
	if (key.data)
		explicit_bzero(key.data, key.len);
	buf_release(&key);
	buf_release(&cert);
	return rc;
}

static int load_cas(struct web_live *l, struct buf *err)
{
	const char *file = l->cfg->client_ca_file;
	struct buf pem = BUF_INIT;
	int rc = -1;

	if (!file)
		return 0;
	file_id_of(file, &l->ids[F_CA]);
	if (read_pem("client_ca_file", file, &pem, err) == 0) {
		gnutls_datum_t d = datum(&pem);
		int g = gnutls_x509_trust_list_init(&l->cas, 0);
		if (g >= 0)
			g = gnutls_x509_trust_list_add_trust_mem(l->cas, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (g == 0)
			buf_addf(err, "tls_server_config: client_ca_file %s: no certificate in it", file);
		else if (g < 0)
			tls_fail(err, "client_ca_file", file, g);
		else
			rc = 0;
	}
	buf_release(&pem);
	return rc;
}

/* Loads path (or takes preset) with its TLS files; NULL with err. */
static struct web_live *live_load(const char *path, const struct web_config *preset,
				  struct buf *err)
{
	struct web_live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->refs = 1;
	if (path) {
		file_id_of(path, &l->ids[F_CONFIG]);
		if (web_config_load(&l->own, path, err) != 0) {
			free(l);
			return NULL;
		}
		l->cfg = &l->own;
	} else {
		web_config_init(&l->own);
		l->cfg = preset;
		if (web_config_validate(preset, err) != 0)
			goto fail;
	}
	if (web_config_tls(l->cfg) && (load_cert_key(l, err) != 0 || load_cas(l, err) != 0))
		goto fail;
	return l;
fail:
	web_one_line(err, 0);	/* paths from the file may hold line breaks */
	live_free(l);
	return NULL;
}

/* The identities of the config file and of the files cfg names. */
static void files_of(const struct web_state *ws, const struct web_config *cfg,
		     struct file_id ids[NFILES])
{
	file_id_of(ws->path, &ids[F_CONFIG]);
	file_id_of(cfg->cert_file, &ids[F_CERT]);
	file_id_of(cfg->key_file, &ids[F_KEY]);
	file_id_of(cfg->client_ca_file, &ids[F_CA]);
}

static char *priorities_of(const struct web_config *cfg)
{
	struct buf prio = BUF_INIT, err = BUF_INIT;

	web_config_priorities(cfg, &prio, &err);	/* validated on load */
	buf_release(&err);
	return buf_detach(&prio, NULL);
}

/* Logs a failed reload once, not every second while it stays broken. */
static void reload_failed(struct web_state *ws, struct buf *err)
{
	if (!ws->last_error || strcmp(ws->last_error, buf_cstr(err)) != 0) {
		log_error("cannot reload the web config, keeping the last good one",
			  "err", buf_cstr(err));
		free(ws->last_error);
		ws->last_error = buf_detach(err, NULL);
	}
	buf_release(err);
}

/*
 * Takes a new version when a file changed since the live one was read and
 * the new one loads; ws is locked. While they stay broken they are tried
 * again at every check, so fixing any of them is seen.
 */
static void reload(struct web_state *ws)
{
	struct file_id now[NFILES];
	struct buf err = BUF_INIT;

	files_of(ws, ws->live->cfg, now);
	if (memcmp(now, ws->live->ids, sizeof(now)) == 0)
		return;
	struct web_live *l = live_load(ws->path, ws->preset, &err);
	if (l && web_config_tls(l->cfg) != ws->tls) {
		buf_adds(&err, "turning TLS on or off needs a restart");
		live_free(l);
		l = NULL;
	}
	if (!l) {
		reload_failed(ws, &err);
		return;
	}
	free(ws->last_error);
	ws->last_error = NULL;
	char *prio = priorities_of(l->cfg);
	if (ws->tls && strcmp(prio, ws->priorities) != 0)
		log_warn("new TLS versions, cipher suites or curves apply after a restart");
	free(prio);
	struct web_live *old = ws->live;
	ws->live = l;
	ws->nversions++;
	old->next_retired = ws->retired;
	ws->retired = old;
	unref(ws, old);		/* the state's own reference */
	char versions[24];
	snprintf(versions, sizeof(versions), "%zu", ws->nversions);
	log_info("web config reloaded", "file", ws->path ? ws->path : "(flags)",
		 "versions_in_memory", versions);
}

/* The version in force, with a reference for the caller; ws is locked. */
static struct web_live *current_locked(struct web_state *ws)
{
	double now = monotonic_seconds();
	if (now >= ws->next_check) {
		ws->next_check = now + ws->recheck;
		reload(ws);
	}
	ws->live->refs++;
	return ws->live;
}

struct web_state *web_state_start(const char *path, const struct web_config *preset,
				   struct buf *err)
{
	struct web_state *ws = calloc(1, sizeof(*ws));

	if (!ws)
		return NULL;
	pthread_mutex_init(&ws->lock, NULL);
	web_auth_cache_init(&ws->auth_cache);
	ws->path = path && *path ? strdup(path) : NULL;
	ws->preset = preset;
	ws->live = live_load(ws->path, preset, err);
	if (!ws->live) {
		web_state_stop(ws);
		return NULL;
	}
	ws->nversions = 1;
	ws->recheck = RECHECK_SECONDS;
	ws->tls = web_config_tls(ws->live->cfg);
	ws->priorities = priorities_of(ws->live->cfg);
	ws->next_check = monotonic_seconds() + ws->recheck;
	return ws;
}

void web_state_stop(struct web_state *ws)
{
	if (!ws)
		return;
	struct web_state *expected = ws;
	atomic_compare_exchange_strong(&active, &expected, NULL);
	live_free(ws->live);
	while (ws->retired) {
		struct web_live *next = ws->retired->next_retired;
		live_free(ws->retired);
		ws->retired = next;
	}
	while (ws->pins) {
		struct pin *next = ws->pins->next;
		free(ws->pins);
		ws->pins = next;
	}
	free(ws->path);
	free(ws->last_error);
	free(ws->priorities);
	web_auth_cache_release(&ws->auth_cache);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

int web_state_check(const char *path, const struct web_config *preset, struct buf *err)
{
	struct web_live *l = live_load(path && *path ? path : NULL, preset, err);

	live_free(l);
	return l ? 0 : -1;
}

struct web_live *web_state_acquire(struct web_state *ws)
{
	pthread_mutex_lock(&ws->lock);
	struct web_live *l = current_locked(ws);
	pthread_mutex_unlock(&ws->lock);
	return l;
}

const struct web_config *web_live_config(const struct web_live *l)
{
	return l->cfg;
}

void web_state_release(struct web_state *ws, struct web_live *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&ws->lock);
	unref(ws, l);
	pthread_mutex_unlock(&ws->lock);
}

size_t web_state_versions(struct web_state *ws)
{
	pthread_mutex_lock(&ws->lock);
	size_t n = ws->nversions;
	pthread_mutex_unlock(&ws->lock);
	return n;
}

void web_state_set_recheck(struct web_state *ws, double seconds)
{
	pthread_mutex_lock(&ws->lock);
	ws->recheck = seconds;
	ws->next_check = monotonic_seconds() + seconds;
	pthread_mutex_unlock(&ws->lock);
}

/* ---- TLS sessions: each keeps the version it was handed until it closes ---- */

/* The link to session's pin (*link is NULL when it has none); ws is locked. */
static struct pin **pin_of(struct web_state *ws, gnutls_session_t session)
{
	struct pin **p = &ws->pins;

	while (*p && (*p)->session != session)
		p = &(*p)->next;
	return p;
}

/* Removes the pin *p links to, with its reference; ws is locked. */
static void unpin(struct web_state *ws, struct pin **p)
{
	struct pin *pin = *p;

	*p = pin->next;
	unref(ws, pin->live);
	free(pin);
}

/*
 * The version a handshake uses: fresh (the certificate callback, which
 * starts a handshake) pins the current one to the session, replacing any
 * pin left by a session at the same address whose close went unseen; the
 * client certificate check later in the handshake gets the same version,
 * so one handshake never mixes versions.
 */
static struct web_live *session_version(struct web_state *ws, gnutls_session_t session,
					bool fresh)
{
	pthread_mutex_lock(&ws->lock);
	struct pin **p = pin_of(ws, session);
	if (*p && fresh)
		unpin(ws, p);
	if (!*p || fresh) {
		struct pin *pin = calloc(1, sizeof(*pin));
		if (!pin) {
			pthread_mutex_unlock(&ws->lock);
			return NULL;
		}
		pin->session = session;
		pin->live = current_locked(ws);
		pin->next = ws->pins;
		ws->pins = pin;
		p = &ws->pins;
	}
	struct web_live *l = (*p)->live;
	pthread_mutex_unlock(&ws->lock);
	return l;
}

void web_state_session_closed(struct web_state *ws, gnutls_session_t session)
{
	if (!ws || !session)
		return;
	pthread_mutex_lock(&ws->lock);
	struct pin **p = pin_of(ws, session);
	if (*p)
		unpin(ws, p);
	pthread_mutex_unlock(&ws->lock);
}

struct web_auth_cache *web_state_auth_cache(struct web_state *ws)
{
	return &ws->auth_cache;
}

bool web_state_tls(const struct web_state *ws)
{
	return ws->tls;
}

const char *web_state_priorities(const struct web_state *ws)
{
	return ws->priorities;
}

void web_state_activate(struct web_state *ws)
{
	active = ws;
}

/* ---- client certificates ---- */

static bool client_cert_required(enum web_client_auth a)
{
	return a == WEB_REQUIRE_ANY_CLIENT_CERT || a == WEB_REQUIRE_AND_VERIFY_CLIENT_CERT;
}

/* One subject alternative name as text, as Go prints it; NULL for other kinds. */
static const char *san_text(int type, char *val, size_t size, char *ip, size_t iplen)
{
	if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME || type == GNUTLS_SAN_URI) {
		val[size] = '\0';
		return val;
	}
	if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
		return inet_ntop(size == 4 ? AF_INET : AF_INET6, val, ip, (socklen_t)iplen);
	return NULL;
}

/* Whether the leaf names one of client_allowed_sans (DNS, email, IP, URI). */
static bool san_allowed(gnutls_x509_crt_t leaf, const struct web_config *cfg)
{
	char val[1024], ip[INET6_ADDRSTRLEN];

	for (unsigned seq = 0;; seq++) {
		size_t size = sizeof(val) - 1;
		int type = gnutls_x509_crt_get_subject_alt_name(leaf, seq, val, &size, NULL);
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;	/* longer than any name worth allowing */
		if (type < 0)
			return false;
		const char *s = san_text(type, val, size, ip, sizeof(ip));
		for (size_t i = 0; s && i < cfg->nclient_allowed_sans; i++)
			if (strcmp(s, cfg->client_allowed_sans[i]) == 0)
				return true;
	}
}

/*
 * Checks the peer's chain against client_ca_file, for client use, and its
 * names against client_allowed_sans; *sans_ok is false when they miss.
 */
static int verify_chain(const gnutls_datum_t *raw, unsigned n, const struct web_live *l,
			unsigned *status, bool *sans_ok)
{
	gnutls_x509_crt_t crts[MAX_CHAIN];
	unsigned ncrts = 0;
	int rc = 0;

	for (; ncrts < n && ncrts < MAX_CHAIN && rc >= 0; ncrts++) {
		rc = gnutls_x509_crt_init(&crts[ncrts]);
		if (rc < 0)
			break;
		rc = gnutls_x509_crt_import(crts[ncrts], &raw[ncrts], GNUTLS_X509_FMT_DER);
	}
	if (rc >= 0) {
		gnutls_typed_vdata_st purpose = {
			.type = GNUTLS_DT_KEY_PURPOSE_OID,
			.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
		};
		rc = gnutls_x509_trust_list_verify_crt2(l->cas, crts, ncrts, &purpose, 1, 0,
							status, NULL);
		*sans_ok = l->cfg->nclient_allowed_sans == 0 || san_allowed(crts[0], l->cfg);
	}
	for (unsigned i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	return rc;
}

/* Runs in the handshake once the client's certificate (or none) came. */
static int verify_client(gnutls_session_t session)
{
	struct web_state *ws = active;
	struct web_live *l = ws ? session_version(ws, session, false) : NULL;
	if (!l)
		return GNUTLS_E_CERTIFICATE_ERROR;
	unsigned n = 0, status = 0;
	const gnutls_datum_t *raw = gnutls_certificate_get_peers(session, &n);

	if (!raw || n == 0) {
		if (!client_cert_required(l->cfg->client_auth))
			return 0;
		log_warn("TLS handshake refused", "reason", "no client certificate");
		return GNUTLS_E_CERTIFICATE_REQUIRED;
	}
	if (l->cfg->client_auth != WEB_VERIFY_CLIENT_CERT_IF_GIVEN &&
	    l->cfg->client_auth != WEB_REQUIRE_AND_VERIFY_CLIENT_CERT)
		return 0;
	bool sans_ok = false;
	int rc = verify_chain(raw, n, l, &status, &sans_ok);
	if (rc >= 0 && status == 0 && sans_ok)
		return 0;
	if (rc >= 0 && status == 0) {
		log_warn("TLS handshake refused", "reason",
			 "client certificate names none of client_allowed_sans");
		return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	}
	gnutls_datum_t why = { NULL, 0 };
	if (rc >= 0)
		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
	log_warn("TLS handshake refused", "reason", "client certificate not trusted",
		 "err", why.data ? (const char *)why.data : gnutls_strerror(rc));
	gnutls_free(why.data);
	return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
}

int web_state_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn,
			    int nreqs, const gnutls_pk_algorithm_t *pk_algos, int npk_algos,
			    gnutls_pcert_st **pcert, unsigned int *npcert,
			    gnutls_privkey_t *pkey)
{
	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)npk_algos;
	struct web_state *ws = active;
	struct web_live *l = ws ? session_version(ws, session, true) : NULL;
	if (!l)
		return -1;
	enum web_client_auth auth = l->cfg->client_auth;
	/*
	 * Chosen per handshake, so a reloaded client_auth_type applies at once.
	 * Asked for, not required: verify_client() refuses a missing one where
	 * it must, and says so in the log (GnuTLS would fail it silently).
	 */
	if (auth != WEB_NO_CLIENT_CERT) {
		gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
		gnutls_session_set_verify_function(session, verify_client);
	}
	*pcert = l->pcerts;
	*npcert = l->npcerts;
	*pkey = l->key;
	return 0;
}
