#!/usr/bin/env bash
#
# leak_check.sh BIN — node-exporter under valgrind memcheck, many scrapes.
#
# Starts `BIN node-exporter` (a build without sanitizers: valgrind and ASan do
# not mix) under valgrind on 127.0.0.1:0, on the real /proc and /sys, with the
# textfile fixtures when they exist; sends LEAK_SCRAPES (default 1000) scrapes
# over keep-alive connections — plain, gzip, collect[]/exclude[] filters
# (some refused with 400), OpenMetrics with and without gzip — plus 404, 405,
# HEAD, landing page and health requests; then SIGTERM. Fails on any memcheck
# error, on any definitely or indirectly lost block, on a wrong status code,
# or when the server does not exit 0. Bounded by LEAK_TIMEOUT seconds (600).
#
#   tests/integration/leak_check.sh build/exporterbox
#   LEAK_SCRAPES=200 tests/integration/leak_check.sh build/exporterbox
#
# LEAK_FIXTURES=1 reads tests/fixtures/node (proc, sys, rootfs) instead, with
# the optional families on (cpu info, softirqs, bcache priority stats;
# netclass over netlink, on this host's links), so
# the collectors whose sources this host lacks (nfs, zfs, bcache, ...) run
# their whole paths too (leak_check_node_fixtures.sh).
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
for tool in curl valgrind; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
SCRAPES=${LEAK_SCRAPES:-1000}
LIMIT=${LEAK_TIMEOUT:-600}
SRV_START_TIMEOUT=60

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

# shellcheck disable=SC2054 # the commas are valgrind's
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
	--log-file="$TMP/valgrind.log")
if [ -f "$HERE/valgrind.supp" ]; then
	VG+=(--suppressions="$HERE/valgrind.supp")
fi
ARGS=(node-exporter --web.listen-address=127.0.0.1:0)
if [ "${LEAK_FIXTURES:-0}" = 1 ]; then
	FIX=$ROOT/tests/fixtures/node
	ARGS+=(--path.procfs="$FIX/proc" --path.sysfs="$FIX/sys" --path.rootfs="$FIX/rootfs"
		--path.udev.data="$FIX/udev" --collector.cpu.info
		--collector.cpu.info.flags-include='^(aes|avx.*)$' --collector.cpu.info.bugs-include=.
		--collector.stat.softirq --collector.bcache.priorityStats
		--collector.netclass.netlink)
fi
if [ -d "$ROOT/tests/fixtures/node/textfile" ]; then
	ARGS+=(--collector.textfile.directory="$ROOT/tests/fixtures/node/textfile")
fi

START=$SECONDS
if srv_start "$TMP/server.log" "${VG[@]}" "$BIN" "${ARGS[@]}"; then
	t_ok "node-exporter starts under valgrind (port $SRV_PORT, $((SECONDS - START)) s)"
else
	t_fail "node-exporter starts under valgrind" "$(cat "$TMP/server.log" "$TMP/valgrind.log" 2>/dev/null)"
	t_summary || true
	exit 1
fi
BASE=http://127.0.0.1:$SRV_PORT

# batch NAME COUNT WANT_STATUS [CURL ARGS...] -- PATH... : COUNT requests
# cycling through the PATHs on one keep-alive connection; every status must
# be WANT_STATUS.
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
n_plain=$((SCRAPES * 3 / 10))
n_gzip=$((SCRAPES * 3 / 10))
n_filter=$((SCRAPES * 2 / 10))
n_om=$((SCRAPES - n_plain - n_gzip - n_filter))
batch plain "$n_plain" 200 -- /metrics
batch gzip "$n_gzip" 200 -H 'Accept-Encoding: gzip' -- /metrics
batch filtered "$n_filter" 200 -H 'Accept-Encoding: gzip' -- \
	'/metrics?collect[]=cpu' '/metrics?collect[]=filesystem&collect[]=meminfo' \
	'/metrics?exclude[]=cpu' '/metrics?collect[]=textfile' '/metrics?exclude[]=uname&exclude[]=time'
batch openmetrics "$((n_om / 2))" 200 -H "$OM" -- /metrics
batch openmetrics-gzip "$((n_om - n_om / 2))" 200 -H "$OM" -H 'Accept-Encoding: gzip' -- /metrics
batch refused 20 400 -- '/metrics?collect[]=nosuch' '/metrics?collect[]=cpu&collect[]=nosuch'
batch notfound 20 404 -- /nope /metrics/x /favicon.ico
batch post 20 405 -X POST -d x -- /metrics /
batch head 20 200 -I -- /metrics /
batch pages 20 200 -- / /-/healthy /-/ready
# A few connections dropped mid-request.
for _ in 1 2 3 4 5; do
	printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' |
		timeout 5 curl -s -o /dev/null "telnet://127.0.0.1:$SRV_PORT" --max-time 1 2>/dev/null || true
done

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
