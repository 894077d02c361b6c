#!/usr/bin/env bash
#
# webconfig_e2e.sh BIN — --web.config.file end to end (TLS, mTLS, basic
# auth, headers, rotation), on node-exporter: every applet serves through
# the same common/http, so this covers them all.
#
# Makes a CA, server and client certificates with openssl in a temp dir,
# starts `BIN node-exporter --web.config.file=...` on a loopback port it
# picks itself, and checks with curl and openssl s_client: bad files exit 2
# with one line and no secret; https works and plain http is refused; basic
# auth 401 (no, wrong, unknown user) / 200, WWW-Authenticate; configured
# headers on every response; mTLS refuses a handshake without a client
# certificate or with one from another CA and accepts the right one;
# min_version TLS13 refuses TLS 1.2; replacing the certificate files is seen
# by a new connection (new serial) without a restart; a broken new config
# keeps the last good one; users reload; fifteen rotations while four
# clients scrape: all 200, versions in memory bounded; no password, hash, key or
# Authorization header in any log.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")	# the script works in a temp dir
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl openssl promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
echo "temp dir: $TMP"
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

# Test-only secrets, made up for this script. bcrypt cost 4 keeps it quick.
PASS='s3cret-scrape'
HASH='$2y$04$FvZKrfQ3CgXJHiNriVsBhuJYClxCsTumSXeVb4LwSHJW1ojgcEoti'
PASS2='rotated-pass'
HASH2='$2y$04$Y9x5NNNzJEqp2Gz42eBK3eWW9pLaJaK7tffFtoHZNC/Pf0RaNuXP2'

# ---- certificates ----
ossl() { openssl "$@" 2>/dev/null; }
# mkcert NAME CA EXT : a P-256 key and a certificate signed by CA.
mkcert() {
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.csr" -subj "/CN=$1"
	printf '%s\n' "$3" >"$1.ext"
	ossl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-out "$1.crt" -days 2 -extfile "$1.ext"
}
mkca() {
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.crt" -days 2 -subj "/CN=$1"
}
mkca ca
mkca otherca
SAN='subjectAltName=DNS:localhost,IP:127.0.0.1'
mkcert server ca "$SAN"
mkcert server2 ca "$SAN"
mkcert client ca 'extendedKeyUsage=clientAuth'
mkcert intruder otherca 'extendedKeyUsage=clientAuth'
mkcert serveronly ca 'extendedKeyUsage=serverAuth'
mkcert named ca 'subjectAltName=DNS:scraper.example,email:ops@example.org
extendedKeyUsage=clientAuth'
mkcert named_ip ca 'subjectAltName=IP:10.0.0.7
extendedKeyUsage=clientAuth'
[ -s server.crt ] && [ -s client.crt ] || { echo "FAIL openssl made no certificates"; exit 1; }
mkfifo fifo.key
serial_of() { openssl x509 -noout -serial -in "$1" | cut -d= -f2; }

# ---- bad files: exit 2, one line, no secret ----
# bad NAME EXPECTED-TEXT YAML : the applet refuses to start.
bad() {
	local name=$1 want=$2
	printf '%s\n' "$3" >"bad_$name.yml"
	local rc=0 out
	out=$("$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
		--web.config.file="$TMP/bad_$name.yml" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		printf '%s' "$out" | grep -qF -- "$want" &&
		! printf '%s' "$out" | grep -qF -e "$HASH" -e "$PASS" -e '$2y$'; then
		t_ok "bad config $name: exit 2, one line"
	else
		t_fail "bad config $name: exit 2, one line with '$want'" "rc=$rc: $out"
	fi
}
bad unknown_top 'unknown key at the top level: "tls_config"' 'tls_config: {}'
bad unknown_tls 'line 3: unknown key in tls_server_config: "cert_fil"' \
	"tls_server_config:
  key_file: server.key
  cert_fil: server.crt"
bad unknown_http 'unknown key in http_server_config: "http3"' \
	'http_server_config: {http3: true}'
bad header_refused 'HTTP header "Server" can not be configured' \
	'http_server_config: {headers: {Server: evil}}'
bad header_value 'invalid value for HTTP header "X-Frame-Options"' \
	'http_server_config: {headers: {X-Frame-Options: allow}}'
bad not_bcrypt 'the password of user "alice" is not a bcrypt hash' \
	"basic_auth_users: {alice: '${HASH:0:40}'}"
bad plain_password 'the password of user "alice" is not a bcrypt hash' \
	"basic_auth_users: {alice: $PASS}"
bad missing_key 'missing key_file' 'tls_server_config: {cert_file: server.crt}'
bad missing_cert_file 'No such file or directory' \
	'tls_server_config: {cert_file: nothere.crt, key_file: server.key}'
bad key_mismatch 'cert_file and key_file' \
	'tls_server_config: {cert_file: server.crt, key_file: client.key}'
bad client_auth 'invalid client_auth_type "RequireClientCert"' \
	'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireClientCert}'
bad ca_without_auth 'client_ca_file is set without a client_auth_type' \
	'tls_server_config: {cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt}'
bad version 'unknown TLS version "TLS14"' \
	'tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS14}'
bad cipher 'unknown cipher suite "TLS_FOO"' \
	'tls_server_config: {cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_FOO]}'
bad yaml 'invalid YAML' 'tls_server_config: [unclosed'
bad duplicate 'key given twice: "alice"' \
	"basic_auth_users: {alice: '$HASH', alice: '$HASH'}"
bad fifo_key 'key_file '"$TMP"'/fifo.key: not a regular file' \
	'tls_server_config: {cert_file: server.crt, key_file: fifo.key}'
rc=0
out=$("$BIN" node-exporter --web.config.file="$TMP/nothere.yml" 2>&1 >/dev/null) || rc=$?
t_check "missing config file: exit 2" test "$rc" -eq 2
t_check "missing config file: names it" grep -qF "nothere.yml: No such file" <<<"$out"

# ---- TLS, basic auth, headers ----
cp server.crt live.crt
cp server.key live.key
write_main() { # write_main HASH
	cat >web.yml <<EOF
# relative paths: from this file's directory
tls_server_config:
  cert_file: live.crt
  key_file: live.key
  min_version: TLS12
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: true
http_server_config:
  http2: true
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: '$1'
EOF
}
write_main "$HASH"
srv_start main.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/web.yml" --no-collector.textfile ||
	{ t_fail "start with TLS and basic auth" "$(cat main.log)"; t_summary; exit 1; }
PORT=$SRV_PORT
MAIN_PID=$SRV_PID
URL="https://127.0.0.1:$PORT"
CURL=(curl -s -g --max-time 10 --cacert ca.crt)
CODE=
get() { # get NAME PATH [CURL ARGS...]
	local name=$1 path=$2
	shift 2
	CODE=$("${CURL[@]}" -o "$name.body" -D "$name.hdr" -w '%{http_code}' "$@" "$URL$path") ||
		CODE="curl-error-$?"
}
has_header() { tr -d '\r' <"$1.hdr" | grep -qiF "$2"; }

get ok /metrics -u "prometheus:$PASS"
t_check "https + right password: 200" test "$CODE" = 200
get small "/metrics?collect[]=loadavg&collect[]=time" -u "prometheus:$PASS"
t_check "https body passes promtool" promtool check metrics <small.body
t_check "header X-Frame-Options on 200" has_header ok 'X-Frame-Options: deny'
t_check "header X-Content-Type-Options on 200" has_header ok 'X-Content-Type-Options: nosniff'
t_check "header Strict-Transport-Security on 200" has_header ok 'Strict-Transport-Security: max-age=31536000'
get again /metrics -u "prometheus:$PASS"
t_check "second scrape (cached check): 200" test "$CODE" = 200
get noauth /metrics
t_check "no credentials: 401" test "$CODE" = 401
t_check "401 has WWW-Authenticate: Basic" has_header noauth 'WWW-Authenticate: Basic'
t_check "header X-Frame-Options on 401" has_header noauth 'X-Frame-Options: deny'
t_check "401 body is no scrape" grep -qx Unauthorized noauth.body
get wrong /metrics -u "prometheus:not-$PASS"
t_check "wrong password: 401" test "$CODE" = 401
get unknown /metrics -u "nobody:$PASS"
t_check "unknown user: 401" test "$CODE" = 401
get healthy /-/healthy
t_check "every path needs auth (/-/healthy: 401)" test "$CODE" = 401
rc=0
curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$PORT/metrics" || rc=$?
t_check "plain http refused" test "$rc" -ne 0
rc=0
curl -s --max-time 10 -o /dev/null "$URL/metrics" || rc=$?
t_check "unknown CA refused by the client (real TLS)" test "$rc" -eq 60
# cipher_suites: TLS 1.2 with a suite not listed (CBC, SHA1) fails; a listed one works.
get cbc /metrics -u "prometheus:$PASS" --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA
t_check "cipher_suites: unlisted TLS 1.2 suite refused" test "${CODE#curl-error-}" != "$CODE"
get gcm /metrics -u "prometheus:$PASS" --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384
t_check "cipher_suites: listed TLS 1.2 suite: 200" test "$CODE" = 200

# ---- rotation: new files, new connection, same process ----
OLD_SERIAL=$(serial_of server.crt)
NEW_SERIAL=$(serial_of server2.crt)
served_serial() {
	openssl s_client -connect "127.0.0.1:$PORT" -CAfile ca.crt </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}
t_check "serves the first certificate" test "$(served_serial)" = "$OLD_SERIAL"
cp server2.crt live.crt.new && cp server2.key live.key.new
mv live.key.new live.key && mv live.crt.new live.crt
seen=
for _ in $(seq 1 100); do
	seen=$(served_serial)
	[ "$seen" = "$NEW_SERIAL" ] && break
	sleep 0.1
done
t_check "rotated certificate served on a new connection" test "$seen" = "$NEW_SERIAL"
t_check "rotation without a restart (same pid)" kill -0 "$MAIN_PID"
get rotated /metrics -u "prometheus:$PASS"
t_check "after rotation: 200" test "$CODE" = 200
# Symlinks swapped, as a Kubernetes secret volume does: followed.
ln -s server.key live.key.new && mv -T live.key.new live.key
ln -s server.crt live.crt.new && mv -T live.crt.new live.crt
for _ in $(seq 1 100); do
	seen=$(served_serial)
	[ "$seen" = "$OLD_SERIAL" ] && break
	sleep 0.1
done
t_check "rotation by symlinks: the first certificate again" test "$seen" = "$OLD_SERIAL"

# A broken new config keeps the last good one.
cp web.yml web.good
printf 'tls_server_config:\n  cert_file: live.crt\n  bogus: 1\n' >web.yml
# The files are looked at when a request comes, at most once a second.
for _ in $(seq 1 100); do
	get poke /-/healthy
	grep -q 'cannot reload the web config' main.log && break
	sleep 0.1
done
t_check "broken new config: one error line" test "$(grep -c 'cannot reload the web config' main.log)" -eq 1
get broken /metrics -u "prometheus:$PASS"
t_check "broken new config: last good one serves (200)" test "$CODE" = 200
get broken_noauth /metrics
t_check "broken new config: auth still on (401)" test "$CODE" = 401

# Users reload too.
write_main "$HASH2"
for _ in $(seq 1 100); do
	get newpass /metrics -u "prometheus:$PASS2"
	[ "$CODE" = 200 ] && break
	sleep 0.1
done
t_check "reloaded user: new password 200" test "$CODE" = 200
get oldpass /metrics -u "prometheus:$PASS"
t_check "reloaded user: old password 401" test "$CODE" = 401

# Rotations while four clients scrape (new connections and keep-alive ones):
# every request answered 200, and memory holds only the versions still in
# use (under the sanitizer build, a version freed while a request or a
# handshake uses it would be caught).
rm -f stop
scraper() { # scraper N CURL ARGS... : loops until ./stop, codes in codes.N
	local n=$1
	shift
	while [ ! -e stop ]; do
		"${CURL[@]}" -o /dev/null -w '%{http_code}\n' "$@" >>"codes.$n" 2>/dev/null ||
			echo "curl-error" >>"codes.$n"
	done
}
: >keepalive.curl
for _ in $(seq 1 20); do
	printf 'url = "%s/metrics"\noutput = "/dev/null"\n' "$URL" >>keepalive.curl
done
scraper 1 -u "prometheus:$PASS2" "$URL/metrics" &
SCRAPERS=("$!")
scraper 2 -u "prometheus:$PASS2" "$URL/-/healthy" &
SCRAPERS+=("$!")
scraper 3 -u "prometheus:$PASS2" -K keepalive.curl &
SCRAPERS+=("$!")
scraper 4 -u "prometheus:$PASS2" -K keepalive.curl &
SCRAPERS+=("$!")
before=$(grep -c 'web config reloaded' main.log)
for i in $(seq 1 15); do
	src=server
	[ $((i % 2)) = 0 ] || src=server2
	cp "$src.crt" live.crt.new && cp "$src.key" live.key.new
	mv -T live.key.new live.key && mv -T live.crt.new live.crt
	sleep 1.2
done
touch stop
wait "${SCRAPERS[@]}" || true
cat codes.* >codes
t_check "15 rotations under 4 scrapers: $(grep -c . codes) requests, all 200" \
	bash -c "[ -s codes ] && ! grep -qv '^200\$' codes"
reloads=$(($(grep -c 'web config reloaded' main.log) - before))
t_check "15 rotations under load: reloads logged ($reloads >= 7)" test "$reloads" -ge 7
most=$(sed -n 's/.*web config reloaded.*versions_in_memory=\([0-9]*\).*/\1/p' main.log |
	sort -n | tail -n 1)
t_check "versions in memory bounded (at most ${most:-?} <= 8)" test "${most:-999}" -le 8
t_check "no sanitizer report" bash -c "! grep -q 'Sanitizer' main.log"
srv_stop
t_check "exit 0 on SIGTERM" test "$SRV_RC" = 0

# ---- mTLS ----
cat >mtls.yml <<EOF
tls_server_config:
  cert_file: $TMP/server.crt
  key_file: $TMP/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $TMP/ca.crt
  min_version: TLS13
EOF
srv_start mtls.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/mtls.yml" --no-collector.textfile ||
	{ t_fail "start with mTLS" "$(cat mtls.log)"; t_summary; exit 1; }
URL="https://127.0.0.1:$SRV_PORT"
get nocert /-/healthy
t_check "mTLS: no client certificate, no answer" test "${CODE#curl-error-}" != "$CODE"
t_check "mTLS: missing certificate logged" grep -q 'TLS handshake refused.*no client certificate' mtls.log
get intruder /-/healthy --cert intruder.crt --key intruder.key
t_check "mTLS: certificate of another CA, no answer" test "${CODE#curl-error-}" != "$CODE"
t_check "mTLS: untrusted certificate logged" grep -q 'TLS handshake refused.*not trusted' mtls.log
get serveronly /-/healthy --cert serveronly.crt --key serveronly.key
t_check "mTLS: right CA but no client-auth usage, no answer" test "${CODE#curl-error-}" != "$CODE"
get client /metrics --cert client.crt --key client.key
t_check "mTLS: right client certificate: 200" test "$CODE" = 200
get tls12 /metrics --cert client.crt --key client.key --tls-max 1.2
t_check "min_version TLS13: TLS 1.2 client refused" test "${CODE#curl-error-}" != "$CODE"
srv_stop
# The same without min_version, over TLS 1.2 (the client certificate comes
# before Finished there, unlike in TLS 1.3).
grep -v min_version mtls.yml >mtls12.yml
srv_start mtls12.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/mtls12.yml" --no-collector.textfile ||
	{ t_fail "start with mTLS (TLS 1.2)" "$(cat mtls12.log)"; t_summary; exit 1; }
URL="https://127.0.0.1:$SRV_PORT"
get nocert12 /-/healthy --tls-max 1.2
t_check "mTLS over TLS 1.2: no client certificate, no answer" test "${CODE#curl-error-}" != "$CODE"
get intruder12 /-/healthy --tls-max 1.2 --cert intruder.crt --key intruder.key
t_check "mTLS over TLS 1.2: another CA, no answer" test "${CODE#curl-error-}" != "$CODE"
get client12 /-/healthy --tls-max 1.2 --cert client.crt --key client.key
t_check "mTLS over TLS 1.2: right client certificate: 200" test "$CODE" = 200
srv_stop

# RequireAnyClientCert: any certificate, checked by no CA; none is refused.
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n  client_auth_type: RequireAnyClientCert\n' \
	"$TMP/server.crt" "$TMP/server.key" >anycert.yml
srv_start anycert.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/anycert.yml" --no-collector.textfile ||
	{ t_fail "start with RequireAnyClientCert" "$(cat anycert.log)"; t_summary; exit 1; }
URL="https://127.0.0.1:$SRV_PORT"
get any_none /-/healthy
t_check "RequireAnyClientCert: no certificate, no answer" test "${CODE#curl-error-}" != "$CODE"
get any_other /-/healthy --cert intruder.crt --key intruder.key
t_check "RequireAnyClientCert: any certificate: 200" test "$CODE" = 200
srv_stop

# VerifyClientCertIfGiven: none is fine, a bad one is not.
sed 's/RequireAndVerifyClientCert/VerifyClientCertIfGiven/; /min_version/d' mtls.yml >ifgiven.yml
srv_start ifgiven.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/ifgiven.yml" --no-collector.textfile ||
	{ t_fail "start with VerifyClientCertIfGiven" "$(cat ifgiven.log)"; t_summary; exit 1; }
URL="https://127.0.0.1:$SRV_PORT"
get ig_none /-/healthy
t_check "VerifyClientCertIfGiven: no certificate: 200" test "$CODE" = 200
get ig_bad /-/healthy --cert intruder.crt --key intruder.key
t_check "VerifyClientCertIfGiven: untrusted certificate refused" test "${CODE#curl-error-}" != "$CODE"
get ig_good /-/healthy --cert client.crt --key client.key
t_check "VerifyClientCertIfGiven: trusted certificate: 200" test "$CODE" = 200
get ig_cbc /-/healthy --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA
t_check "no cipher_suites: the same CBC suite is accepted (control)" test "$CODE" = 200
srv_stop

# client_allowed_sans: the certificate must name one of them.
cat >sans.yml <<EOF
tls_server_config:
  cert_file: $TMP/server.crt
  key_file: $TMP/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $TMP/ca.crt
  client_allowed_sans: [scraper.example, 10.0.0.7]
EOF
srv_start sans.log "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/sans.yml" --no-collector.textfile ||
	{ t_fail "start with client_allowed_sans" "$(cat sans.log)"; t_summary; exit 1; }
URL="https://127.0.0.1:$SRV_PORT"
get san_dns /-/healthy --cert named.crt --key named.key
t_check "client_allowed_sans: DNS name allowed: 200" test "$CODE" = 200
get san_ip /-/healthy --cert named_ip.crt --key named_ip.key
t_check "client_allowed_sans: IP address allowed: 200" test "$CODE" = 200
get san_none /-/healthy --cert client.crt --key client.key
t_check "client_allowed_sans: trusted certificate without them refused" \
	test "${CODE#curl-error-}" != "$CODE"
t_check "client_allowed_sans: refusal logged" grep -q 'names none of client_allowed_sans' sans.log
srv_stop

# ---- secrets never in a log ----
secret_free() {
	! grep -qF -e "$PASS" -e "$PASS2" -e "$HASH" -e "$HASH2" -e 'Authorization' \
		-e 'PRIVATE KEY' -e "$(sed -n 2p server.key)" "$@"
}
t_check "no password, hash, key or Authorization in the logs" \
	secret_free main.log mtls.log mtls12.log anycert.log ifgiven.log sans.log
t_check "failed auth logged with the user only" grep -q 'basic auth failed.*user=nobody' main.log

t_summary
