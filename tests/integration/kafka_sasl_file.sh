#!/usr/bin/env bash
#
# kafka_sasl_file.sh BIN — kafka-lag-exporter's --sasl.password-file.
#
# librdkafka's mock cluster has no SASL, so the broker here is
# tests/integration/fake_kafka.py in "sasl" mode: it speaks ApiVersions,
# SaslHandshake and SaslAuthenticate and captures the client's SASL/PLAIN
# token, which must be exactly "\0user\0password" with the password from the
# file (its trailing newline trimmed). Also: an unreadable file, a directory,
# and the file given together with --sasl.password each exit 2 with one line;
# the password never shows in the logs (debug level, with librdkafka's
# configuration dump, where sasl.password must read [redacted]), in error
# lines or in bodies.
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
for tool in curl python3 promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

SECRET='Fi1e-S3cret-pw'
printf '%s\n' "$SECRET" >pw
chmod 600 pw

bad_start() { # NAME WANT_REGEX ARGS... : exit 2, one line matching, no secret
	local name=$1 want=$2 rc=0
	shift 2
	"$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 "$@" >bad.out 2>bad.err || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <bad.err)" = 1 ] && grep -Eq "$want" bad.err &&
		! grep -q -- "$SECRET" bad.err; then
		t_ok "$name: exit 2, one line, no secret"
	else
		t_fail "$name: exit 2, one line, no secret" "rc $rc: $(cat bad.err)"
	fi
}
bad_start "missing file" 'cannot read --sasl.password-file .*/nope: No such file' \
	--sasl.enabled --sasl.password-file="$TMP/nope"
bad_start "a directory" 'not a regular file' --sasl.enabled --sasl.password-file="$TMP"
bad_start "both --sasl.password and --sasl.password-file" 'exclude each other' \
	--sasl.enabled --sasl.password="$SECRET" --sasl.password-file="$TMP/pw"
if [ "$(id -u)" != 0 ]; then
	chmod 000 pw
	bad_start "unreadable file" 'Permission denied' --sasl.enabled --sasl.password-file="$TMP/pw"
	chmod 600 pw
fi

echo sasl >mode
SASL_CAPTURE=$TMP/token python3 "$HERE/fake_kafka.py" "$TMP/fake.port" "$TMP/mode" 2>fake.log &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.1; done
FAKE=$(cat fake.port)

srv_start server.log "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="127.0.0.1:$FAKE" --sasl.enabled --sasl.username=exporter \
	--sasl.password-file="$TMP/pw" --collect.interval=1s --collect.timeout=1s \
	--log.level=debug --kafka.config=debug=conf,security,broker ||
	{ t_fail "starts with --sasl.password-file" "$(cat server.log)"; t_summary; exit 1; }
t_ok "starts with --sasl.password-file"
for _ in $(seq 1 150); do [ -s token ] && break; sleep 0.1; done
python3 -c 'import sys; print(("\0exporter\0" + sys.argv[1]).encode().hex())' "$SECRET" >token.want
head -n 1 token >token.got 2>/dev/null || true
t_check "the broker received the SASL/PLAIN token \\0exporter\\0<password from the file>" \
	cmp token.want token.got
curl -s --max-time 5 -o body "http://127.0.0.1:$SRV_PORT/metrics"
t_check "kafka_up 0 (authentication never completes)" grep -qx 'kafka_up 0' body
t_check "librdkafka's configuration dump: sasl.password = [redacted]" \
	grep -q 'sasl.password = \[redacted\]' server.log
srv_stop TERM 15
t_check "exit 0 on SIGTERM" test "$SRV_RC" = 0
t_check "the password is in no log line, error or body" \
	bash -c "! grep -q -- '$SECRET' server.log body bad.err fake.log"
t_summary
