#!/usr/bin/env bash
#
# redis_many_keys.sh BIN — redis-exporter against a real redis-server
# holding a million keys (DEBUG POPULATE): the security issue's "a Redis
# with a million keys".
#  - --count-keys over all of them (SCAN, batched): the exact count, within
#    the default deadline;
#  - --check-keys over 111,111 of them (a TYPE and a size per key, more
#    than a scrape's time allows): the scrape still answers by its deadline
#    (X-Prometheus-Scrape-Timeout-Seconds: 3; checked with a wide margin,
#    15 s) with redis_up 1, the keyspace exact, the key sizes found so far,
#    the cut logged, peak RSS within 64 MiB of the start's, and the next
#    scrape works.
# promtool on every body (upstream's own names draw lint lines, as in the
# other redis tests). Prints ok/FAIL per check and "N passed, N failed";
# exits 1 on any failure, 77 when a tool is missing or DEBUG is refused.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl redis-server redis-cli promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

# Under AddressSanitizer freed memory waits in a quarantine instead of
# being reused, which would make the peak RSS measure the quarantine.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$TMP" --enable-debug-command local >redis.log 2>&1 &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && break
	sleep 0.1
done
if ! redis-cli -p "$RPORT" DEBUG POPULATE 1000000 key 8 | grep -qx OK; then
	echo "$0: DEBUG POPULATE refused (skipped)" >&2
	exit 77
fi
t_check "a million keys" test "$(redis-cli -p "$RPORT" DBSIZE)" = 1000000

parses() { promtool check metrics <"$1" >/dev/null 2>&1 || [ $? -eq 3 ]; }
has() { grep -qxF "$2" "$1"; }
# scrape FILE URL [TIMEOUT] : body in FILE, code in CODE, seconds in SECS.
scrape() {
	local start=$SECONDS
	CODE=$(curl -s --max-time 60 -o "$1" -w '%{http_code}' \
		${3:+-H "X-Prometheus-Scrape-Timeout-Seconds: $3"} "$2") || CODE=curl-error
	SECS=$((SECONDS - start))
}

# Counting: SCAN in batches of --check-keys-batch-size over the million.
srv_start count.log "$BIN" redis-exporter --web.listen-address=127.0.0.1:0 \
	--redis.addr="redis://127.0.0.1:$RPORT" --count-keys='key:*' ||
	{ t_fail "counting exporter starts" "$(cat count.log)"; t_summary; exit 1; }
scrape count.body "http://127.0.0.1:$SRV_PORT/metrics"
t_check "count: HTTP 200" test "$CODE" = 200
t_check "count: promtool check metrics" parses count.body
t_check "count: redis_up 1" has count.body "redis_up 1"
t_check "count: redis_keys_count is exactly 1000000" \
	has count.body 'redis_keys_count{db="db0",key="key:*"} 1000000'
srv_stop TERM 10
t_check "count: exit 0 on SIGTERM" test "$SRV_RC" = 0

# Checking 111,111 keys: more than 3 s allow.
srv_start check.log "$BIN" redis-exporter --web.listen-address=127.0.0.1:0 \
	--redis.addr="redis://127.0.0.1:$RPORT" --check-keys='key:1*' ||
	{ t_fail "checking exporter starts" "$(cat check.log)"; t_summary; exit 1; }
EXP=$SRV_PID
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$EXP/status"; }
BASE_KB=$(kb VmRSS)
for i in 1 2; do
	scrape "check$i.body" "http://127.0.0.1:$SRV_PORT/metrics" 3
	t_check "check$i: HTTP 200" test "$CODE" = 200
	t_check "check$i: answered by the deadline (3 s; 15 s allowed)" test "$SECS" -le 15
	t_check "check$i: promtool check metrics" parses "check$i.body"
	t_check "check$i: redis_up 1" has "check$i.body" "redis_up 1"
	t_check "check$i: keyspace exact" has "check$i.body" 'redis_db_keys{db="db0"} 1000000'
	n=$(grep -c '^redis_key_size{' "check$i.body" || true)
	echo "# check$i: $n key sizes in ${SECS} s"
	t_check "check$i: some key sizes, not all 111,111" test "$n" -gt 0 -a "$n" -lt 111111
done
t_check "the cut is logged" grep -q "key checks cut short at the scrape deadline" check.log
hwm=$(kb VmHWM)
echo "# peak RSS ${hwm} kB (${BASE_KB} kB at start)"
t_check "peak RSS within 64 MiB of the start's" test $((hwm - BASE_KB)) -lt 65536
srv_stop TERM 10
t_check "check: exit 0 on SIGTERM" test "$SRV_RC" = 0
t_summary
