/*
 * webstate: the web config in force while serving. Loaded at start from
 * --web.config.file (or a web_config an applet built from its own flags),
 * then re-read when the file, or the certificate, key or CA files it
 * names, change (checked at most once a second, on requests and TLS
 * handshakes), so certificates rotate without a restart. A broken new
 * version keeps the last good one and logs one line.
 *
 * With TLS, libmicrohttpd asks web_state_cert_callback() for the server
 * certificate on every handshake; it hands out the current one and asks
 * for, and checks, the client certificate as client_auth_type says.
 *
 * The TLS protocol settings (versions, cipher suites, curves) and whether
 * TLS is on at all are fixed when the server starts: a change of them is
 * logged as needing a restart.
 */
#ifndef EXPORTERBOX_WEBSTATE_H
#define EXPORTERBOX_WEBSTATE_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "webauth.h"
#include "webconfig.h"

struct web_state;

/*
 * Loads path (or, when path is NULL or "", the applet's preset, which must
 * outlive the state) with its TLS files. Returns NULL with one line in err.
 */
struct web_state *web_state_start(const char *path, const struct web_config *preset,
				   struct buf *err);
void web_state_stop(struct web_state *ws);

/* Start-up check of the same: 0, or -1 with one line in err. */
int web_state_check(const char *path, const struct web_config *preset, struct buf *err);

/* One loaded version of the config with its TLS credentials. */
struct web_live;

/*
 * The version in force, re-read first when its files changed, with a
 * reference: it stays valid until web_state_release(). A version no
 * longer in force is freed with its last reference, so memory holds the
 * current version plus those still in use, however often the files change.
 */
struct web_live *web_state_acquire(struct web_state *ws);
void web_state_release(struct web_state *ws, struct web_live *l);	/* NULL: nothing */
const struct web_config *web_live_config(const struct web_live *l);

/*
 * A TLS session closed: the version its handshake was handed (certificate,
 * key, client CAs) loses the session's reference. Call it for every closed
 * connection of a TLS server, before the session is deinitialised.
 */
void web_state_session_closed(struct web_state *ws, gnutls_session_t session);

/* How many versions are in memory (the current one plus those in use). */
size_t web_state_versions(struct web_state *ws);

/* Seconds between looks at the files (1 by default; tests use 0). */
void web_state_set_recheck(struct web_state *ws, double seconds);

/* The basic auth checks remembered for this state's users. */
struct web_auth_cache *web_state_auth_cache(struct web_state *ws);

/* Whether the server serves TLS, and its GnuTLS priority string. */
bool web_state_tls(const struct web_state *ws);
const char *web_state_priorities(const struct web_state *ws);

/*
 * The gnutls_certificate_retrieve_function2 for MHD_OPTION_HTTPS_CERT_CALLBACK.
 * GnuTLS callbacks take no user pointer, so it serves the state made
 * active by web_state_activate() (one per process).
 */
int web_state_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn,
			    int nreqs, const gnutls_pk_algorithm_t *pk_algos, int npk_algos,
			    gnutls_pcert_st **pcert, unsigned int *npcert,
			    gnutls_privkey_t *pkey);
void web_state_activate(struct web_state *ws);

#endif
