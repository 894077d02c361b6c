#!/usr/bin/env bash
#
# leak_check_webconfig.sh BIN — --web.config.file under valgrind memcheck:
# TLS handshakes, client certificates, basic auth, rotation.
#
# Starts `BIN node-exporter` (a build without sanitizers) under valgrind on
# 127.0.0.1:0 with TLS, VerifyClientCertIfGiven and basic auth (certificates
# made by openssl at run time); sends LEAK_SCRAPES (default 300) requests
# over keep-alive connections (right password, wrong password, unknown user,
# with and without a client certificate), new TLS connections (a handshake
# each, some refused), three certificate rotations and a broken config in
# between; then LEAK_RELOADS (default 60) more rotations, about one a second,
# while two scrapers (new connections, keep-alive batches) run all along:
# the "web config reloaded" lines must say that memory holds only a few
# versions (the live one and those open connections still use, at most 8),
# not every one since the start. Then SIGTERM. Fails on any memcheck error, any definitely or
# indirectly lost block, a wrong status, or an exit other than 0.
#
#   tests/integration/leak_check_webconfig.sh build/exporterbox
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")	# the script works in a temp dir
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl valgrind openssl; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
SCRAPES=${LEAK_SCRAPES:-300}
SRV_START_TIMEOUT=60

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT
cd "$TMP"

# Test-only: bcrypt (cost 4) of this made-up password.
PASS='s3cret-scrape'
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
for i in 0 1 2 3; do
	mkcert "server$i" ca 'subjectAltName=IP:127.0.0.1'
done
mkcert client ca 'extendedKeyUsage=clientAuth'
mkcert intruder otherca 'extendedKeyUsage=clientAuth'
cp server0.crt live.crt
cp server0.key live.key
write_config() {
	cat >web.yml <<EOF
tls_server_config:
  cert_file: live.crt
  key_file: live.key
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.crt
http_server_config:
  headers: {X-Frame-Options: deny}
basic_auth_users:
  prometheus: '$HASH'
EOF
}
write_config

# shellcheck disable=SC2054 # the commas are valgrind's
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
	--log-file="$TMP/valgrind.log")
START=$SECONDS
if srv_start server.log "${VG[@]}" "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--web.config.file="$TMP/web.yml" --no-collector.textfile; then
	t_ok "node-exporter with TLS and auth starts under valgrind ($((SECONDS - START)) s)"
else
	t_fail "node-exporter starts under valgrind" "$(cat server.log valgrind.log 2>/dev/null)"
	t_summary || true
	exit 1
fi
BASE=https://127.0.0.1:$SRV_PORT

# batch NAME COUNT WANT [CURL ARGS...] : COUNT requests on one connection.
batch() {
	local name=$1 count=$2 want=$3
	shift 3
	local i
	: >"$name.curl"
	for ((i = 0; i < count; i++)); do
		printf 'url = "%s/metrics?collect[]=loadavg"\noutput = "/dev/null"\n' "$BASE" >>"$name.curl"
	done
	local rc=0 bad
	curl -s -g --max-time 300 --cacert ca.crt -w '%{http_code}\n' "$@" -K "$name.curl" \
		>"$name.codes" 2>/dev/null || rc=$?
	bad=$(grep -vc "^$want\$" "$name.codes" || true)
	if [ "$rc" -eq 0 ] && [ "$(grep -c . "$name.codes")" -eq "$count" ] && [ "$bad" -eq 0 ]; then
		t_ok "$name: $count requests, all $want"
	else
		t_fail "$name: $count requests, all $want" "curl exit $rc, $(sort "$name.codes" | uniq -c | tr '\n' ' ')"
	fi
}
# handshakes NAME COUNT WANT [CURL ARGS...] : COUNT new connections.
handshakes() {
	local name=$1 count=$2 want=$3 got=0 code i
	shift 3
	for ((i = 0; i < count; i++)); do
		code=$(curl -s -o /dev/null --max-time 60 --cacert ca.crt -w '%{http_code}' "$@" \
			"$BASE/-/healthy") || code=refused
		[ "$code" = "$want" ] && got=$((got + 1))
	done
	t_check "$name: $count new connections, all $want" test "$got" -eq "$count"
}

n=$((SCRAPES / 3))
batch right "$n" 200 -u "prometheus:$PASS"
batch right-with-cert "$n" 200 -u "prometheus:$PASS" --cert client.crt --key client.key
batch wrong "$((n / 3))" 401 -u "prometheus:wrong"
batch unknown "$((n / 3))" 401 -u "nobody:$PASS"
batch none "$((SCRAPES - 2 * n - 2 * (n / 3)))" 401
handshakes new-connections 20 200 -u "prometheus:$PASS"
handshakes untrusted-cert 10 refused --cert intruder.crt --key intruder.key
for i in 1 2 3; do
	cp "server$i.crt" new.crt && cp "server$i.key" new.key
	mv new.key live.key && mv new.crt live.crt
	sleep 1.1	# the files are looked at once a second at most
	handshakes "rotation $i" 3 200 -u "prometheus:$PASS"
	if [ "$i" = 2 ]; then
		echo 'bogus: 1' >web.yml
		sleep 1.1
		handshakes "broken config $i" 3 200 -u "prometheus:$PASS"
		write_config
	fi
done
t_check "three rotations logged" test "$(grep -c 'web config reloaded' server.log)" -ge 3

# Many rotations under load: old versions are freed once nothing uses them.
RELOADS=${LEAK_RELOADS:-60}
before=$(grep -c 'web config reloaded' server.log)
rm -f stop
(
	while [ ! -e stop ]; do
		curl -s -o /dev/null --max-time 60 --cacert ca.crt -u "prometheus:$PASS" \
			"$BASE/-/healthy" || true
	done
) &
SCRAPER1=$!
(
	while [ ! -e stop ]; do
		curl -s -g --max-time 120 --cacert ca.crt -u "prometheus:$PASS" -K right.curl \
			-o /dev/null >/dev/null 2>&1 || true
	done
) &
SCRAPER2=$!
for ((i = 0; i < RELOADS; i++)); do
	cp "server$((i % 4)).crt" new.crt && cp "server$((i % 4)).key" new.key
	mv new.key live.key && mv new.crt live.crt
	sleep 1.2
done
touch stop
wait "$SCRAPER1" "$SCRAPER2" || true
reloads=$(($(grep -c 'web config reloaded' server.log) - before))
t_check "$RELOADS rotations while scraping: reloads logged ($reloads >= $((RELOADS / 2)))" \
	test "$reloads" -ge $((RELOADS / 2))
most=$(sed -n 's/.*web config reloaded.*versions_in_memory=\([0-9]*\).*/\1/p' server.log |
	sort -n | tail -n 1)
t_check "versions in memory stay bounded (at most ${most:-?} <= 8 after $reloads reloads)" \
	test "${most:-999}" -le 8

srv_stop TERM 120
case $SRV_RC in
0) t_ok "SIGTERM: exit 0, no memcheck errors or leaks" ;;
99) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "valgrind found errors (log below)" ;;
*) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "exit $SRV_RC" ;;
esac
grep -E 'ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|still reachable' \
	valgrind.log | sed 's/^==[0-9]*== */     | /' || true
if grep -q 'ERROR SUMMARY: 0 errors' valgrind.log; then
	t_ok "valgrind: 0 errors"
else
	t_fail "valgrind: 0 errors" "$(sed -n '/== HEAP SUMMARY/q; p' valgrind.log | sed -n 1,120p)"
	grep -A40 -E 'definitely lost in|indirectly lost in' valgrind.log | sed -n 1,200p || true
fi
echo "(leak check took $((SECONDS - START)) s)"
t_summary
