#!/usr/bin/env bash
#
# redis_web_flags.sh BIN — redis_exporter's own TLS and basic auth flags
# (--tls-server-cert-file, --tls-server-key-file, --tls-server-ca-cert-file,
# --tls-server-min-version, --basic-auth-username, --basic-auth-password,
# --basic-auth-hash-password and their REDIS_EXPORTER_* env twins), mapped
# onto the --web.config.file machinery. Certificates are made with openssl
# in a temp dir; the exporter runs with --redis.addr= (its own metrics
# only), since all this is about the HTTP side.
# Checks: bad combinations exit 2 with one line and no secret; https works
# and plain http is refused; the client CA turns on mTLS (no or a foreign
# client certificate: handshake refused); min version TLS1.3 refuses TLS 1.2;
# basic auth 401/200 with a plain and with a bcrypt password; env twins work;
# a dribbled TLS handshake is cut by --web.read-header-timeout; no password
# or hash in any log.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl openssl; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

# Test-only secrets made up for this script (bcrypt cost 4 of PASS).
PASS='s3cret-scrape'
# shellcheck disable=SC2016 # a bcrypt hash, not an expansion
HASH='$2y$04$FvZKrfQ3CgXJHiNriVsBhuJYClxCsTumSXeVb4LwSHJW1ojgcEoti'

ossl() { openssl "$@" 2>/dev/null; }
mkca() {
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.crt" -days 2 -subj "/CN=$1"
}
mkcert() { # mkcert NAME CA EXT
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.csr" -subj "/CN=$1"
	printf '%s\n' "$3" >"$1.ext"
	ossl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-out "$1.crt" -days 2 -extfile "$1.ext"
}
mkca ca
mkca otherca
mkcert server ca 'subjectAltName=DNS:localhost,IP:127.0.0.1'
mkcert client ca 'extendedKeyUsage=clientAuth'
mkcert intruder otherca 'extendedKeyUsage=clientAuth'
if [ ! -s server.crt ] || [ ! -s client.crt ]; then
	echo "FAIL openssl made no certificates"
	exit 1
fi

RE=("$BIN" redis-exporter --redis.addr= --web.listen-address=127.0.0.1:0)

# ---- bad combinations: exit 2, one line, no secret ----
bad() { # bad NAME EXPECTED-TEXT ARGS...
	local name=$1 want=$2 rc=0 out
	shift 2
	out=$("${RE[@]}" "$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		printf '%s' "$out" | grep -qF -- "$want" &&
		! printf '%s' "$out" | grep -qF -e "$PASS" -e "\$2y\$"; then
		t_ok "bad flags $name: exit 2, one line"
	else
		t_fail "bad flags $name: exit 2, one line with '$want'" "rc=$rc: $out"
	fi
}
bad cert_only 'go together' --tls-server-cert-file=server.crt
bad key_only 'go together' --tls-server-key-file=server.key
bad ca_only 'needs --tls-server-cert-file' --tls-server-ca-cert-file=ca.crt
bad version "invalid --tls-server-min-version 'TLS1.4'" --tls-server-cert-file=server.crt \
	--tls-server-key-file=server.key --tls-server-min-version=TLS1.4
bad missing_cert 'No such file or directory' --tls-server-cert-file=nothere.crt \
	--tls-server-key-file=server.key
bad key_mismatch 'cert_file and key_file' --tls-server-cert-file=server.crt \
	--tls-server-key-file=client.key
bad user_only 'go together' --basic-auth-username=prometheus
bad password_only 'go together' --basic-auth-password="$PASS"
bad both_passwords 'exclusive' --basic-auth-username=prometheus \
	--basic-auth-password="$PASS" --basic-auth-hash-password="$HASH"
bad not_bcrypt 'is not a bcrypt hash' --basic-auth-username=prometheus \
	--basic-auth-hash-password="${HASH:0:40}"
printf 'basic_auth_users: {a: "%s"}\n' "$HASH" >web.yml
bad with_web_config 'exclusive' --web.config.file=web.yml --basic-auth-username=prometheus \
	--basic-auth-password="$PASS"

URL=
CODE=
get() { # get NAME PATH [CURL ARGS...]
	local name=$1 path=$2
	shift 2
	CODE=$(curl -s -g --max-time 10 -o "$name.body" -w '%{http_code}' "$@" "$URL$path") ||
		CODE="curl-error-$?"
}
start() { # start LOG ARGS...
	local log=$1
	shift
	srv_start "$log" "${RE[@]}" "$@" || { t_fail "start $log" "$(cat "$log")"; t_summary; exit 1; }
}

# ---- TLS + basic auth with a plain password ----
start plain.log --tls-server-cert-file=server.crt --tls-server-key-file=server.key \
	--basic-auth-username=prometheus --basic-auth-password="$PASS" --web.read-header-timeout=2
URL="https://127.0.0.1:$SRV_PORT"
get ok /metrics --cacert ca.crt -u "prometheus:$PASS"
t_check "tls + right password: 200" test "$CODE" = 200
t_check "tls body is the exporter's metrics" grep -q '^redis_exporter_build_info\|^exporterbox_build_info\|^process_' ok.body
get noauth /metrics --cacert ca.crt
t_check "no credentials: 401" test "$CODE" = 401
get wrong /metrics --cacert ca.crt -u "prometheus:x$PASS"
t_check "wrong password: 401" test "$CODE" = 401
get unknown /metrics --cacert ca.crt -u "nobody:$PASS"
t_check "unknown user: 401" test "$CODE" = 401
rc=0
curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$SRV_PORT/metrics" || rc=$?
t_check "plain http refused" test "$rc" -ne 0
# A TLS handshake dribbled a byte a second is cut by --web.read-header-timeout.
tls_slowloris() {
	python3 - "$SRV_PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
hello = bytes.fromhex("16030100a5010000a10303") + b"\x00" * 40
for i in range(40):            # far longer than the 2 s allowed
    try:
        s.sendall(hello[i:i + 1])
        s.settimeout(0.01)
        if s.recv(1) == b"":
            sys.exit(0)        # closed by the server
    except socket.timeout:
        pass
    except OSError:
        sys.exit(0)
    time.sleep(1)
sys.exit(1)
EOF
}
t_check "TLS handshake dribbled a byte a second: cut by --web.read-header-timeout" tls_slowloris
t_check "default min version TLS1.2: TLS 1.2 accepted" \
	curl -sf --max-time 10 -o /dev/null --cacert ca.crt --tls-max 1.2 -u "prometheus:$PASS" "$URL/metrics"
srv_stop

# ---- env twins: bcrypt hash, mTLS, min version TLS1.3 ----
REDIS_EXPORTER_TLS_SERVER_CERT_FILE=server.crt REDIS_EXPORTER_TLS_SERVER_KEY_FILE=server.key \
REDIS_EXPORTER_TLS_SERVER_CA_CERT_FILE=ca.crt REDIS_EXPORTER_TLS_SERVER_MIN_VERSION=TLS1.3 \
REDIS_EXPORTER_BASIC_AUTH_USERNAME=prometheus REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD="$HASH" \
	start env.log
URL="https://127.0.0.1:$SRV_PORT"
get mtls /metrics --cacert ca.crt --cert client.crt --key client.key -u "prometheus:$PASS"
t_check "env: mTLS with the right client cert + hashed password: 200" test "$CODE" = 200
get mtls_wrong /metrics --cacert ca.crt --cert client.crt --key client.key -u "prometheus:nope"
t_check "env: hashed password, wrong one: 401" test "$CODE" = 401
get nocert /metrics --cacert ca.crt -u "prometheus:$PASS"
t_check "env: no client certificate: handshake refused" test "${CODE#curl-error-}" != "$CODE"
get intruder /metrics --cacert ca.crt --cert intruder.crt --key intruder.key -u "prometheus:$PASS"
t_check "env: client certificate of another CA: refused" test "${CODE#curl-error-}" != "$CODE"
get tls12 /metrics --cacert ca.crt --cert client.crt --key client.key --tls-max 1.2 -u "prometheus:$PASS"
t_check "env: min version TLS1.3 refuses TLS 1.2" test "${CODE#curl-error-}" != "$CODE"
srv_stop

# ---- no TLS flags: plain http with basic auth only ----
start auth.log --basic-auth-username=prometheus --basic-auth-hash-password="$HASH"
URL="http://127.0.0.1:$SRV_PORT"
get plain_ok /metrics -u "prometheus:$PASS"
t_check "http + basic auth (hash flag): 200" test "$CODE" = 200
get plain_no /metrics
t_check "http + basic auth, no credentials: 401" test "$CODE" = 401
srv_stop

# ---- no secret in any log ----
t_check "no password or hash in the logs" \
	bash -c "! grep -qF -e '$PASS' -e '\$2y\$' -e 'Authorization' ./*.log"
t_summary
