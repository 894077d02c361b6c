#!/usr/bin/env bash
#
# leak_check_redis.sh BIN — redis-exporter under valgrind memcheck, many scrapes.
#
# Starts a redis-server (temp dir, free port; keys, TTLs, an error reply so
# every family has samples) and `BIN redis-exporter` (a build without
# sanitizers) under valgrind with key checks and config metrics; sends
# LEAK_SCRAPES (default 400) scrapes: /metrics plain, gzip and OpenMetrics,
# /scrape?target= for the server, for 70 distinct unreachable targets (more
# than the connection cache holds, so least recently used ones are closed;
# idle ones are closed after 2 s, --scrape.target-idle-timeout), refused
# targets (400), per-request key checks (upstream's check-keys=); stops the server for a batch of scrapes (up 0) and
# restarts it (reconnect); then SIGTERM. Fails on any memcheck error, any
# definitely or indirectly lost block, a wrong status, or a non-zero exit.
# Bounded by LEAK_TIMEOUT seconds (600).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl valgrind redis-server redis-cli; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
SCRAPES=${LEAK_SCRAPES:-400}
LIMIT=${LEAK_TIMEOUT:-600}
SRV_START_TIMEOUT=60

TMP=$(mktemp -d)
REDIS_PID=
trap 'srv_kill_all; [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

RP=$(free_port)
start_redis() {
	redis-server --port "$RP" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly no \
		--latency-tracking yes >"$TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 100); do
		redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	echo "redis-server did not start" >&2
	exit 1
}
start_redis
redis-cli -p "$RP" SET plain 7 >/dev/null
redis-cli -p "$RP" RPUSH queue a b >/dev/null
redis-cli -p "$RP" -n 2 SET t x EX 1000 >/dev/null
redis-cli -p "$RP" NOSUCH >/dev/null 2>&1 || true

# shellcheck disable=SC2054 # the commas are valgrind's
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
	--log-file="$TMP/valgrind.log")
if [ -f "$HERE/valgrind.supp" ]; then
	VG+=(--suppressions="$HERE/valgrind.supp")
fi
echo '{"redis://127.0.0.1:1": {"user": "u", "password": "p"}}' >"$TMP/pw.json"
ARGS=(redis-exporter --redis.addr "redis://127.0.0.1:$RP" --web.listen-address=127.0.0.1:0
	--check-keys 'db0=q*' --check-single-keys 'db0=plain' --count-keys 'db2=*'
	--include-config-metrics --include-system-metrics --redis.password-file "$TMP/pw.json"
	--connection-timeout 2s --scrape.target-idle-timeout 2s)

START=$SECONDS
if srv_start "$TMP/server.log" "${VG[@]}" "$BIN" "${ARGS[@]}"; then
	t_ok "redis-exporter starts under valgrind (port $SRV_PORT, $((SECONDS - START)) s)"
else
	t_fail "redis-exporter starts under valgrind" "$(cat "$TMP/server.log" "$TMP/valgrind.log" 2>/dev/null)"
	t_summary || true
	exit 1
fi
BASE=http://127.0.0.1:$SRV_PORT

# batch NAME COUNT WANT_STATUS [CURL ARGS...] -- PATH... (as leak_check.sh)
batch() {
	local name=$1 count=$2 want=$3
	shift 3
	local args=() paths=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	paths=("$@")
	local cfg=$TMP/$name.curl i
	: >"$cfg"
	for ((i = 0; i < count; i++)); do
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$BASE" "${paths[i % ${#paths[@]}]}" >>"$cfg"
	done
	local left=$((LIMIT - (SECONDS - START)))
	if [ "$left" -le 0 ]; then
		t_fail "$name: $count requests" "out of time (LEAK_TIMEOUT=$LIMIT)"
		return
	fi
	local rc=0
	curl -s -g --max-time "$left" -w '%{http_code}\n' "${args[@]}" -K "$cfg" \
		>"$TMP/$name.codes" 2>"$TMP/$name.err" || rc=$?
	local got bad
	got=$(grep -c . "$TMP/$name.codes" || true)
	bad=$(grep -vc "^$want\$" "$TMP/$name.codes" || true)
	if [ "$rc" -eq 0 ] && [ "$got" -eq "$count" ] && [ "$bad" -eq 0 ]; then
		t_ok "$name: $count requests, all $want"
	else
		t_fail "$name: $count requests, all $want" \
			"curl exit $rc, $got answers, $bad not $want: $(sort "$TMP/$name.codes" | uniq -c | tr '\n' ' ')"
	fi
}

OM='Accept: application/openmetrics-text; version=1.0.0; charset=utf-8'
n_plain=$((SCRAPES * 4 / 10))
n_gzip=$((SCRAPES * 2 / 10))
n_om=$((SCRAPES * 1 / 10))
n_target=$((SCRAPES - n_plain - n_gzip - n_om))
batch plain "$n_plain" 200 -- /metrics
batch gzip "$n_gzip" 200 -H 'Accept-Encoding: gzip' -- /metrics
batch openmetrics "$n_om" 200 -H "$OM" -- /metrics
batch target "$n_target" 200 -- "/scrape?target=127.0.0.1:$RP" "/scrape?target=redis://127.0.0.1:$RP/2" \
	"/scrape?target=127.0.0.1:$RP&check-keys=db0=q*&check-single-keys=db0=plain"
down=()
for p in $(seq 2 71); do down+=("/scrape?target=127.0.0.1:$p"); done
batch unreachable 140 200 -- "${down[@]}"
batch refused 20 400 -- /scrape '/scrape?target=rediss://h' '/scrape?target=http://h' '/scrape?target=h:0' \
	"/scrape?target=127.0.0.1:$RP&check-keys=dbx=a"
redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
batch server-down 20 200 -- /metrics
start_redis
batch server-back 20 200 -- /metrics
body=$(curl -s "$BASE/metrics")
grep -q '^redis_up 1$' <<<"$body" && t_ok "reconnected after restart" || t_fail "reconnected after restart"

srv_stop TERM 120
case $SRV_RC in
0) t_ok "SIGTERM: exit 0, no memcheck errors or leaks" ;;
99) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "valgrind found errors (log below)" ;;
*) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "exit $SRV_RC" ;;
esac
summary=$(grep -E 'ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|still reachable' \
	"$TMP/valgrind.log" | sed 's/^==[0-9]*== *//' || true)
printf '%s\n' "$summary" | sed 's/^/     | /'
if grep -q 'ERROR SUMMARY: 0 errors' "$TMP/valgrind.log"; then
	t_ok "valgrind: 0 errors"
else
	t_fail "valgrind: 0 errors" "$(sed -n '/== HEAP SUMMARY/q; p' "$TMP/valgrind.log" | sed -n 1,120p)"
	grep -A40 -E 'definitely lost in|indirectly lost in' "$TMP/valgrind.log" | sed -n 1,200p || true
fi
echo "(leak check took $((SECONDS - START)) s)"
t_summary
