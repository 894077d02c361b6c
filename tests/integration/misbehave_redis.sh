#!/usr/bin/env bash
#
# misbehave_redis.sh BIN — redis-exporter against Redis servers that
# misbehave (tests/integration/fake_redis.py, in front of a real
# redis-server): one that accepts and never answers, one that answers
# garbage, one that closes mid-reply, one that sends an enormous reply
# (512 MiB bulk string, a 100-million-element array), one that dribbles a
# reply a byte at a time. Each scrape must come back with HTTP 200 and
# redis_up 0 by its deadline (--web.scrape-timeout=4s: checked with a wide
# margin, 15 s), the exporter's peak RSS must stay bounded (the reply cap,
# --redis.max-reply-bytes=16MiB here; REPLY_CAP=0 in the environment turns it
# off, to see the checks fail), and the next scrape, with the fake
# server turned into a proxy to the real one, must be redis_up 1 through
# the same exporter. Also through /scrape?target=.
# Then the replies read after INFO: a huge or dribbled reply to a key check
# (GET of --check-single-keys, SCAN of --check-keys) and to CLUSTER INFO (the
# fake server says cluster_enabled:1) must be bounded the same way: answered
# by the deadline, peak RSS within the cap, the cut logged, and the next
# scrape through a good server has the key's series again.
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
for tool in curl python3 redis-server promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done
if "$BIN" redis-exporter --help 2>&1 | grep -q "not built yet"; then
	echo "$0: redis-exporter is not built (skipped)" >&2
	exit 77
fi

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$TMP" >redis.log 2>&1 &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && break
	sleep 0.1
done
redis-cli -p "$RPORT" set single 42 >/dev/null
redis-cli -p "$RPORT" set pat:1 7 >/dev/null

echo proxy >mode
python3 "$HERE/fake_redis.py" "$TMP/fake.port" "$TMP/mode" "$RPORT" 2>fake.log &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.1; done
FAKE=$(cat fake.port)

CAP=$((16 << 20))
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB) instead
# of being reused, which would make the peak RSS measure the quarantine.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
srv_start exporter.log "$BIN" redis-exporter --web.listen-address=127.0.0.1:0 \
	--redis.addr="redis://127.0.0.1:$FAKE" --connection-timeout=2s --web.scrape-timeout=4s \
	--check-single-keys=db0=single --check-keys='db0=pat:*' \
	"--redis.max-reply-bytes=${REPLY_CAP-$CAP}" ||
	{ t_fail "exporter starts" "$(cat exporter.log)"; t_summary; exit 1; }
EXP=$SRV_PID
BASE="http://127.0.0.1:$SRV_PORT"

kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$EXP/status"; }
# scrape NAME PATH : body in NAME.body, code in CODE, seconds in SECS.
scrape() {
	local start=$SECONDS
	CODE=$(curl -s --max-time 60 -o "$1.body" -w '%{http_code}' "$BASE$2") || CODE=curl-error
	SECS=$((SECONDS - start))
}
up_is() { grep -qx "redis_up $2" "$1.body"; }

scrape warm /metrics
t_check "good server (proxy): redis_up 1" up_is warm 1
scrape warm2 /metrics
HWM0=$(kb VmHWM)
echo "# baseline peak RSS ${HWM0} kB"

for mode in silent garbage midclose huge hugearray dribble; do
	echo "$mode" >mode
	scrape "$mode" /metrics
	t_check "$mode: HTTP 200" test "$CODE" = 200
	t_check "$mode: redis_up 0" up_is "$mode" 0
	t_check "$mode: body parses" bash -c "promtool check metrics <'$mode.body' >/dev/null 2>&1; rc=\$?; [ \$rc -eq 0 ] || [ \$rc -eq 3 ]"
	t_check "$mode: answered by the deadline (4 s; ${SECS}s <= 15)" test "$SECS" -le 15
	hwm=$(kb VmHWM)
	t_check "$mode: peak RSS bounded (${hwm} kB <= ${HWM0} + 3 x cap)" \
		test "$hwm" -le $((HWM0 + 3 * CAP / 1024))
	t_check "$mode: exporter alive" kill -0 "$EXP"
	echo proxy >mode
	scrape "$mode.after" /metrics
	t_check "$mode: next scrape against a good server: redis_up 1" up_is "$mode.after" 1
	# /scrape?target= with its own (cached) connection: the same, once more
	echo "$mode" >mode
	scrape "$mode.target" "/scrape?target=redis://127.0.0.1:$FAKE"
	t_check "$mode: /scrape?target=: 200 with redis_up 0" \
		bash -c "[ '$CODE' = 200 ] && grep -qx 'redis_up 0' '$mode.target.body'"
	echo proxy >mode
done
t_check "key checks through a good server: key_size of single and pat:1" \
	bash -c "grep -q 'key=\"single\"' warm2.body && grep -q 'key=\"pat:1\"' warm2.body"
for mode in hugecmd:GET hugecmd:SCAN hugecmd:CLUSTER dribblecmd:GET; do
	echo "$mode" >mode
	name=${mode/:/-}
	cuts=$(grep -c "cut short" exporter.log || true)
	scrape "$name" /metrics
	t_check "$mode: HTTP 200" test "$CODE" = 200
	t_check "$mode: body parses" bash -c "promtool check metrics <'$name.body' >/dev/null 2>&1; rc=\$?; [ \$rc -eq 0 ] || [ \$rc -eq 3 ]"
	t_check "$mode: answered by the deadline (4 s; ${SECS}s <= 15)" test "$SECS" -le 15
	hwm=$(kb VmHWM)
	t_check "$mode: peak RSS bounded (${hwm} kB <= ${HWM0} + 3 x cap)" \
		test "$hwm" -le $((HWM0 + 3 * CAP / 1024))
	t_check "$mode: exporter alive" kill -0 "$EXP"
	t_check "$mode: the cut reply is logged" \
		test "$(grep -c "cut short" exporter.log || true)" -gt "$cuts"
	echo proxy >mode
	scrape "$name.after" /metrics
	t_check "$mode: next scrape against a good server: redis_up 1 and the keys" \
		bash -c "grep -qx 'redis_up 1' '$name.after.body' && grep -q 'key=\"single\"' '$name.after.body' && grep -q 'key=\"pat:1\"' '$name.after.body'"
done
scrape final "/scrape?target=redis://127.0.0.1:$FAKE"
t_check "/scrape?target= recovers: redis_up 1" up_is final 1
t_check "no crash in the exporter's log" \
	bash -c "! grep -Eiq 'sanitizer|segv|abort|panic' exporter.log"
srv_stop TERM 10
t_check "clean exit on SIGTERM (rc $SRV_RC)" test "$SRV_RC" = 0

# A read that starts late in the scrape must still end by its deadline. The
# socket timeout is set once, for the time left when the scrape starts (6 s
# here: --connection-timeout is longer); INFO comes 5 s late and GET never,
# so a GET read bounded only by that timeout would end at ~11 s. The scrape
# runs on the HTTP thread (an IP address: see returns_in_time), so nothing
# else would cut it; with every read bounded by the deadline it ends at ~6 s.
srv_start exporter2.log "$BIN" redis-exporter --web.listen-address=127.0.0.1:0 \
	--redis.addr="redis://127.0.0.1:$FAKE" --connection-timeout=60s --web.scrape-timeout=6s \
	--check-single-keys=db0=single ||
	{ t_fail "second exporter starts" "$(cat exporter2.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
echo "lateinfo:GET" >mode
scrape late /metrics
t_check "lateinfo:GET: HTTP 200" test "$CODE" = 200
t_check "lateinfo:GET: answered by the deadline (6 s; ${SECS}s <= 8)" test "$SECS" -le 8
t_check "lateinfo:GET: the cut key check is logged" grep -q "cut short" exporter2.log
echo proxy >mode
scrape late.after /metrics
t_check "lateinfo:GET: next scrape: redis_up 1 and the key" \
	bash -c "grep -qx 'redis_up 1' late.after.body && grep -q 'key=\"single\"' late.after.body"
srv_stop TERM 10
t_check "second exporter: clean exit on SIGTERM (rc $SRV_RC)" test "$SRV_RC" = 0
t_summary
