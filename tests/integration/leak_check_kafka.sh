#!/usr/bin/env bash
#
# leak_check_kafka.sh BIN — kafka-lag-exporter under valgrind memcheck.
#
# Starts librdkafka's mock cluster (tests/kafka/kafka_mock_cluster: the built
# one next to BIN, else compiled here with cc and pkg-config) and
# `BIN kafka-lag-exporter` under valgrind, collecting every 200 ms with lag in
# seconds on (dozens of collections); sends LEAK_SCRAPES (default 1000, at
# least 300) scrapes (text, gzip, OpenMetrics) and 15 s of back-to-back
# scrapes while a broker goes down and comes back and messages and commits
# arrive; then
# SIGTERM. Fails on any memcheck error, any definitely or indirectly lost
# block, a status other than 200, or an exit other than 0. Bounded by
# LEAK_TIMEOUT seconds (600).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=kafka_lib.sh
. "$HERE/kafka_lib.sh"
for tool in curl valgrind; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
SCRAPES=${LEAK_SCRAPES:-1000}
[ "$SCRAPES" -ge 300 ] || SCRAPES=300
LIMIT=${LEAK_TIMEOUT:-600}
SRV_START_TIMEOUT=60

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

MOCKBIN=$(dirname "$BIN")/tests/kafka_mock_cluster
if [ ! -x "$MOCKBIN" ]; then
	MOCKBIN=$TMP/kafka_mock_cluster
	# shellcheck disable=SC2046 # pkg-config's words
	cc -O1 -o "$MOCKBIN" "$ROOT/tests/kafka/kafka_mock_cluster.c" $(pkg-config --cflags --libs rdkafka)
fi
mock_start "$MOCKBIN" || { t_fail "mock cluster up"; t_summary || true; exit 1; }

# shellcheck disable=SC2054 # the commas are valgrind's
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
	--log-file="$TMP/valgrind.log")
if [ -f "$HERE/valgrind.supp" ]; then
	VG+=(--suppressions="$HERE/valgrind.supp")
fi

START=$SECONDS
if srv_start "$TMP/server.log" "${VG[@]}" "$BIN" kafka-lag-exporter \
	--web.listen-address=127.0.0.1:0 --kafka.server="$MOCK_BOOTSTRAP" \
	--group.filter='^(g1|g2)$' --collect.interval=200ms --collect.timeout=1s \
	--collect.lag-seconds --kafka.labels=cluster=leak; then
	t_ok "kafka-lag-exporter starts under valgrind (port $SRV_PORT, $((SECONDS - START)) s)"
else
	t_fail "kafka-lag-exporter starts under valgrind" "$(cat "$TMP/server.log" "$TMP/valgrind.log" 2>/dev/null)"
	t_summary || true
	exit 1
fi
PORT=$SRV_PORT
t_check "first collection lands" wait_body "$TMP/body" 60 '^kafka_consumer_lag_sum\{'

# batch NAME COUNT [CURL ARGS...] : COUNT scrapes on one keep-alive connection,
# every one 200.
batch() {
	local name=$1 count=$2 cfg=$TMP/$1.curl i rc=0
	shift 2
	: >"$cfg"
	for ((i = 0; i < count; i++)); do
		printf 'url = "http://127.0.0.1:%s/metrics"\noutput = "/dev/null"\n' "$PORT" >>"$cfg"
	done
	local left=$((LIMIT - (SECONDS - START)))
	curl -s --max-time "$((left > 1 ? left : 1))" -w '%{http_code}\n' "$@" -K "$cfg" \
		>"$TMP/$name.codes" 2>/dev/null || rc=$?
	local got bad
	got=$(grep -c . "$TMP/$name.codes" || true)
	bad=$(grep -vc '^200$' "$TMP/$name.codes" || true)
	if [ "$rc" -eq 0 ] && [ "$got" -eq "$count" ] && [ "$bad" -eq 0 ]; then
		t_ok "$name: $count scrapes, all 200"
	else
		t_fail "$name: $count scrapes, all 200" "curl exit $rc, $got answers, $bad not 200"
	fi
}

OM='Accept: application/openmetrics-text; version=1.0.0; charset=utf-8'
quarter=$((SCRAPES / 4))
batch plain "$quarter"
# scrapes_for SECONDS : scrape over and over while collections run.
scrapes_for() {
	local until=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$until" ]; do
		scrape "$TMP/loop"
		[ "$CODE" = 200 ] || { t_fail "scrape while collecting" "$CODE"; return; }
	done
	t_ok "scrapes for $1 s while collecting"
}
scrapes_for 5
mock_cmd down 2 || t_fail "mock: broker 2 down"
batch gzip-broker-down "$quarter" -H 'Accept-Encoding: gzip'
scrapes_for 5
mock_cmd up 2 || t_fail "mock: broker 2 up"
mock_cmd produce orders 1 5 || t_fail "mock: produce"
mock_cmd commit g1 orders 2 3 || t_fail "mock: commit"
batch openmetrics "$quarter" -H "$OM"
scrapes_for 5
batch plain-again "$((SCRAPES - 3 * quarter))"
scrape "$TMP/body"
grep -q '^kafka_up{\?.*1$' "$TMP/body" && t_ok "still collecting" || t_fail "still collecting"

srv_stop TERM 120
case $SRV_RC in
0) t_ok "SIGTERM: exit 0, no memcheck errors or leaks" ;;
99) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "valgrind found errors (log below)" ;;
*) t_fail "SIGTERM: exit 0, no memcheck errors or leaks" "exit $SRV_RC" ;;
esac
grep -E 'ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|still reachable' \
	"$TMP/valgrind.log" | sed 's/^==[0-9]*== */     | /' || true
if grep -q 'ERROR SUMMARY: 0 errors' "$TMP/valgrind.log"; then
	t_ok "valgrind: 0 errors"
else
	t_fail "valgrind: 0 errors" "$(sed -n '/== HEAP SUMMARY/q; p' "$TMP/valgrind.log" | sed -n 1,120p)"
	grep -A40 -E 'definitely lost in|indirectly lost in' "$TMP/valgrind.log" | sed -n 1,200p || true
	[ -z "${LEAK_KEEP_LOG:-}" ] || cp "$TMP/valgrind.log" "$LEAK_KEEP_LOG"
fi
mock_stop
echo "(leak check took $((SECONDS - START)) s)"
t_summary
