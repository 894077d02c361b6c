#!/usr/bin/env bash
#
# kafka_scale.sh [--bin EXPORTERBOX] [--mock MOCKBIN] [TOPICS PARTITIONS GROUPS]
#
# The scale run of kafka-lag-exporter (a benchmark, not a test): librdkafka's
# mock cluster with TOPICS x PARTITIONS partitions (default 200 x 25 = 5,000)
# and GROUPS consumer groups (default 200, each committed on every partition
# of one topic), the exporter collecting every 10 s with the groups spelled
# out in --group.filter (the mock cannot list groups). Prints the collection
# time (kafka_collection_duration_seconds of three collections), the scrape
# latency (median and max of 50 scrapes), the body size and series count,
# the exporter's CPU time, its RSS (VmRSS, and VmHWM: the peak) and the load
# average (the machine may be shared).
#
#   cmake -S . -B /tmp/build-rel -DCMAKE_BUILD_TYPE=Release
#   cmake --build /tmp/build-rel && tests/bench/kafka_scale.sh --bin /tmp/build-rel/exporterbox \
#       --mock /tmp/build-rel/tests/kafka_mock_cluster
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=build/exporterbox
MOCKBIN=
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--mock) MOCKBIN=$2; shift 2 ;;
	*) break ;;
	esac
done
TOPICS=${1:-200}
PARTITIONS=${2:-25}
GROUPS_N=${3:-200}

# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../integration/kafka_lib.sh
. "$ROOT/tests/integration/kafka_lib.sh"
TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

if [ -z "$MOCKBIN" ] || [ ! -x "$MOCKBIN" ]; then
	MOCKBIN=$TMP/kafka_mock_cluster
	# shellcheck disable=SC2046 # pkg-config's words
	cc -O2 -o "$MOCKBIN" "$ROOT/tests/kafka/kafka_mock_cluster.c" $(pkg-config --cflags --libs rdkafka)
fi

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "mock cluster: $TOPICS topics x $PARTITIONS partitions, $GROUPS_N groups (setting up ...)"
t0=$SECONDS
MOCK_START_TIMEOUT=600 mock_start "$MOCKBIN" --brokers 3 --scale "$TOPICS" "$PARTITIONS" "$GROUPS_N"
echo "mock ready after $((SECONDS - t0)) s"

FILTER="^($(seq -s '|' -f 'group%.0f' 0 $((GROUPS_N - 1))))\$"
srv_start "$TMP/server.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="$MOCK_BOOTSTRAP" --group.filter="$FILTER" --collect.interval=10s \
	--collect.timeout=30s
PORT=$SRV_PORT
started=$SECONDS
wait_body "$TMP/body" 120 '^kafka_collection_duration_seconds ' >/dev/null
# Three distinct collections (a new duration value each), scraped as they land.
durations=()
last=
scrapes=0
deadline=$((SECONDS + 180))
while [ ${#durations[@]} -lt 3 ] && [ "$SECONDS" -le "$deadline" ]; do
	scrape "$TMP/body"
	scrapes=$((scrapes + 1))
	d=$(value "$TMP/body" kafka_collection_duration_seconds)
	if [ "$d" != "$last" ]; then
		durations+=("$d")
		last=$d
	fi
	sleep 0.5
done
for _ in $(seq 1 50); do
	curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics"
done | sort -n >"$TMP/lat"
scrape "$TMP/body"
series=$(grep -vc '^#' "$TMP/body")
lags=$(grep -c '^kafka_consumergroup_lag{' "$TMP/body" || true)
cpu=$(value "$TMP/body" process_cpu_seconds_total)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SRV_PID/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SRV_PID/status")

printf 'load average               %s (at start: %s)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$LOAD0"
printf 'partitions                 %d\n' $((TOPICS * PARTITIONS))
printf 'groups                     %d (lag series: %d)\n' "$GROUPS_N" "$lags"
printf 'collection time (s)        %s\n' "${durations[*]}"
printf 'scrape latency median (ms) %.2f\n' "$(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] * 1000 }' "$TMP/lat")"
printf 'scrape latency max (ms)    %.2f\n' "$(tail -n 1 "$TMP/lat" | awk '{ print $1 * 1000 }')"
printf 'exporter CPU (s)           %s over its %d s (a collection every 10 s, %d scrapes)\n' \
	"$cpu" $((SECONDS - started)) $((scrapes + 51))
printf 'body                       %d bytes, %d samples\n' "$(wc -c <"$TMP/body")" "$series"
printf 'RSS (MB)                   %.1f (peak %.1f)\n' "$(echo "$rss / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
srv_stop TERM 30
mock_stop
