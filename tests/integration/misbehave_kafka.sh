#!/usr/bin/env bash
#
# misbehave_kafka.sh BIN KAFKA_MOCK — kafka-lag-exporter against Kafka
# "brokers" that misbehave (tests/integration/fake_kafka.py, a TCP server in
# front of librdkafka's mock cluster): one that accepts and never answers,
# one that answers garbage, one that closes mid-reply, one that announces a
# 2 GiB response frame, one that announces a 90 MiB frame (below librdkafka's
# own 100 MB default limit: our 16 MiB receive.message.max.bytes must refuse
# it), one that dribbles a reply a byte at a time.
#
# For each, a fresh exporter with the fake broker as --kafka.server: every
# scrape answers HTTP 200 at once with kafka_up 0 (scrapes serve the latest
# snapshot; --max-time 5 on each), while collections keep failing the
# exporter's peak RSS stays within 24 MiB of a good run's, it never crashes,
# every body passes promtool; then the fake broker turns into a TCP proxy to
# the mock cluster and the same exporter recovers: kafka_up 1.
# RECV_CAP=100000000 in the environment gives librdkafka's own limit back (to
# see the "big" check fail); MODES="big huge" runs only those.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 PATH/TO/exporterbox PATH/TO/kafka_mock_cluster" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
MOCKBIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=kafka_lib.sh
. "$HERE/kafka_lib.sh"
for tool in curl python3 promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

mock_start "$MOCKBIN" || { t_fail "the mock cluster starts" "$(cat mock.err)"; t_summary; exit 1; }
UPSTREAM=${MOCK_BOOTSTRAP%%,*}

echo proxy >mode
python3 "$HERE/fake_kafka.py" "$TMP/fake.port" "$TMP/mode" "$UPSTREAM" 2>fake.log &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.1; done
FAKE=$(cat fake.port)

# Under AddressSanitizer freed memory waits in a quarantine (256 MiB) instead
# of being reused, which would make the peak RSS measure the quarantine.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
CAP_FLAGS=()
[ -z "${RECV_CAP:-}" ] || CAP_FLAGS=(--kafka.config="receive.message.max.bytes=$RECV_CAP"
	--kafka.config="fetch.max.bytes=$((RECV_CAP - 512))")
start() { # start LOG : an exporter on the fake broker; EXP, PORT
	srv_start "$1" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
		--kafka.server="127.0.0.1:$FAKE" --collect.interval=1s --collect.timeout=2s \
		${CAP_FLAGS[@]+"${CAP_FLAGS[@]}"}
	EXP=$SRV_PID
	PORT=$SRV_PORT
}
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$EXP/status"; }
# quick FILE : one scrape that must answer within 5 s; sets CODE.
quick() {
	CODE=$(curl -s --max-time 5 -o "$1" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics") ||
		CODE="curl-error-$?"
}
parses() { promtool_ok "$1" "$2"; }

# A good run first: the peak RSS of a collecting exporter.
start good.log || { t_fail "exporter starts" "$(cat good.log)"; t_summary; exit 1; }
t_check "good broker (proxy to the mock cluster): kafka_up 1" wait_body good.body 60 '^kafka_up 1$'
parses good.body "good broker"
sleep 3
HWM0=$(kb VmHWM)
echo "# peak RSS of a good run: ${HWM0} kB"
srv_stop TERM 15

LIMIT=$((HWM0 + 24 * 1024))
for mode in ${MODES:-silent garbage midclose huge big dribble}; do
	echo "$mode" >mode
	start "$mode.log" || { t_fail "$mode: exporter starts" "$(cat "$mode.log")"; continue; }
	quick "$mode.first"
	t_check "$mode: first scrape answers at once: HTTP 200" test "$CODE" = 200
	t_check "$mode: first scrape: kafka_up 0" grep -qx 'kafka_up 0' "$mode.first"
	# A few failed collections (bounded wait), scraped all along.
	bad=0
	end=$((SECONDS + 8))
	i=0
	while [ "$SECONDS" -lt "$end" ]; do
		quick "$mode.$i"
		{ [ "$CODE" = 200 ] && grep -qx 'kafka_up 0' "$mode.$i"; } || bad=$((bad + 1))
		i=$((i + 1))
		sleep 0.5
	done
	t_check "$mode: $i scrapes during failing collections: all 200 with kafka_up 0 ($bad not)" \
		test "$bad" = 0
	t_check "$mode: failed collections were made (kafka_collection_duration_seconds)" \
		grep -q '^kafka_collection_duration_seconds ' "$mode.$((i - 1))"
	parses "$mode.$((i - 1))" "$mode"
	hwm=$(kb VmHWM)
	t_check "$mode: peak RSS bounded (${hwm} kB <= ${HWM0} + 24 MiB)" test "$hwm" -le "$LIMIT"
	t_check "$mode: exporter alive" kill -0 "$EXP"
	# The same exporter recovers once the port leads to the mock cluster.
	echo proxy >mode
	t_check "$mode: recovers through the proxy: kafka_up 1" wait_body "$mode.after" 120 '^kafka_up 1$'
	parses "$mode.after" "$mode, recovered"
	t_check "$mode: recovered: kafka_brokers 3" grep -qx 'kafka_brokers 3' "$mode.after"
	t_check "$mode: no crash in the log" bash -c "! grep -Eiq 'sanitizer|segv|abort|panic|assert' '$mode.log'"
	srv_stop TERM 15
	t_check "$mode: clean exit on SIGTERM (rc $SRV_RC)" test "$SRV_RC" = 0
done

mock_stop
t_summary
