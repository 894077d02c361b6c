#!/usr/bin/env bash
#
# bench.sh — exporterbox applets against the Go exporters they replace.
#
# Not a test: ctest and tests/run_all.sh never run it. Both exporters run on
# this host at once, on loopback ports, and are scraped one after the other,
# N times each (sequential, one keep-alive connection, as Prometheus does),
# without and with gzip, by tests/bench/scrape.py. It reports per exporter:
# median and p95 scrape latency, server CPU per scrape (utime+stime delta from
# /proc/PID/stat over the N scrapes / N), peak RSS (VmHWM), body size, sample
# count and binary size (ours: exporterbox stripped, as Debian ships its Go
# binaries), and the ratios ours/theirs; as a plain table and as markdown for
# the README.
#
# Usage:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DEXPORTERBOX_TESTS=OFF
#   cmake --build build-rel -j2
#   apt-get install -y prometheus-node-exporter python3     # the Go side, the client
#   tests/bench/bench.sh [-n 500] [--bin build-rel/exporterbox] [--only matched|defaults] node
#
# Applets (one pair_* function each; add one for a new applet):
#   node   node-exporter vs Debian's prometheus-node-exporter (1.5.0).
#          Scenario "matched": both with --collector.disable-defaults, the
#          same collectors (those ours has) and upstream's filesystem excludes
#          (Debian patches its own). Scenario "defaults": each as installed,
#          with all its own default collectors (Debian's has many more and
#          its patched defaults: what a stock install costs, not like with like).
# Both sides get the same empty --collector.textfile.directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$ROOT/tests/integration/lib.sh"

N=500
BIN=$ROOT/build/exporterbox
ONLY=
APPLET=
usage() {
	sed -n '/^# Usage:/,/^# Both sides/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	-n*) N=${1#-n}; shift ;;
	--bin) BIN=$2; shift 2 ;;
	--bin=*) BIN=${1#--bin=}; shift ;;
	--only) ONLY=$2; shift 2 ;;
	--only=*) ONLY=${1#--only=}; shift ;;
	-h | --help) usage ;;
	-*) echo "bench.sh: unknown option $1" >&2; usage ;;
	*) APPLET=$1; shift ;;
	esac
done
[ -n "$APPLET" ] || usage
if ! [[ $N =~ ^[0-9]+$ ]] || [ "$N" -eq 0 ]; then
	echo "bench.sh: -n wants a positive number" >&2
	exit 2
fi
[ -x "$BIN" ] || { echo "bench.sh: no exporterbox at $BIN (build it, or --bin PATH)" >&2; exit 2; }
PY=$(command -v python3 || true)
[ -n "$PY" ] || { echo "bench.sh: python3 is needed" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench.sh: curl is needed" >&2; exit 2; }

TMP=$(mktemp -d)
# A pair that starts its own target (a database) defines pair_cleanup.
trap 'if declare -F pair_cleanup >/dev/null; then pair_cleanup; fi; srv_kill_all; rm -rf "$TMP"' EXIT
RESULTS=$TMP/results.jsonl
: >"$RESULTS"
strip -o "$TMP/exporterbox.stripped" "$BIN" 2>/dev/null || cp "$BIN" "$TMP/exporterbox.stripped"

# Each pair_APPLET sets:
#   OURS=(applet name and args)        port: --web.listen-address=127.0.0.1:0 is added
#   THEIRS=(binary and args)           @PORT@ is replaced by a free port
#   THEIRS_READY=path                  a GET that answers once it listens
#   SCENARIOS=(name ...) and for each  OURS_<name>=(...) THEIRS_<name>=(...) extra args
#   TELEMETRY=/metrics
# shellcheck disable=SC2034 # the arrays are read through a nameref in run_side
pair_node() {
	THEIRS_BIN=/usr/bin/prometheus-node-exporter
	[ -x "$THEIRS_BIN" ] || {
		echo "bench.sh: $THEIRS_BIN missing: apt-get install prometheus-node-exporter" >&2
		exit 2
	}
	mkdir -p "$TMP/textfile"
	# Every collector ours has (from its --help), all of them upstream's too.
	local collectors=() c
	mapfile -t collectors < <("$BIN" node-exporter --help 2>&1 |
		sed -nE 's/^ *--\[no-\]collector\.([a-z0-9_]+)$/\1/p' | grep -vx disable-defaults)
	OURS=(node-exporter --collector.textfile.directory="$TMP/textfile")
	THEIRS=("$THEIRS_BIN" --web.listen-address=127.0.0.1:@PORT@
		--collector.textfile.directory="$TMP/textfile")
	THEIRS_READY=/
	TELEMETRY=/metrics
	SCENARIOS=(matched defaults)
	# Debian patches upstream's filesystem excludes; give both upstream's.
	local fs=(
		'--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)'
		'--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$'
	)
	OURS_matched=(--collector.disable-defaults "${fs[@]}")
	THEIRS_matched=(--collector.disable-defaults "${fs[@]}")
	for c in "${collectors[@]}"; do
		OURS_matched+=("--collector.$c")
		THEIRS_matched+=("--collector.$c")
	done
	OURS_defaults=()
	THEIRS_defaults=()
}

# The other applets keep their pair_* function in tests/bench/pair_APPLET.sh.
for pair in "$HERE"/pair_*.sh; do
	# shellcheck disable=SC1090
	[ -e "$pair" ] && . "$pair"
done
case $APPLET in
node | node-exporter | node_exporter) pair_node ;;
postgres | postgres-exporter | postgres_exporter) pair_postgres ;;
redis | redis-exporter | redis_exporter) pair_redis ;;
*) echo "bench.sh: no benchmark pair for '$APPLET' (have: node postgres redis)" >&2; exit 2 ;;
esac

# run_side SCENARIO SIDE : start one exporter, measure it, stop it.
run_side() {
	local scenario=$1 side=$2 label url pid binary
	local -n extra="${side^^}_$scenario"
	if [ "$side" = ours ]; then
		label="exporterbox ${OURS[0]}"
		srv_start "$TMP/$scenario-ours.log" "$BIN" "${OURS[@]}" "${extra[@]}" \
			--web.listen-address=127.0.0.1:0 ||
			{ echo "bench.sh: ours did not start:" >&2; cat "$TMP/$scenario-ours.log" >&2; exit 1; }
		binary=$TMP/exporterbox.stripped
	else
		label="$(basename "${THEIRS[0]}")"
		local port args=()
		port=$(free_port)
		args=("${THEIRS[@]//@PORT@/$port}")
		srv_spawn "$TMP/$scenario-theirs.log" "${args[@]}" "${extra[@]}"
		if ! wait_http "http://127.0.0.1:$port$THEIRS_READY" 15 || ! kill -0 "$SRV_PID" 2>/dev/null; then
			echo "bench.sh: theirs did not start:" >&2
			cat "$TMP/$scenario-theirs.log" >&2
			exit 1
		fi
		SRV_PORT=$port
		binary=${THEIRS[0]}
	fi
	pid=$SRV_PID
	url=http://127.0.0.1:$SRV_PORT$TELEMETRY
	local enc
	for enc in "" --gzip; do
		echo "  $scenario ${enc:-identity} $label: $N scrapes" >&2
		"$PY" "$HERE/scrape.py" measure --label "$label" --side "$side" \
			--scenario "$scenario" --url "$url" --pid "$pid" -n "$N" \
			--binary "$binary" $enc >>"$RESULTS"
	done
	srv_stop TERM 10
}

{
	echo "bench.sh $APPLET: $N scrapes per row, $(nproc) cores,"
	echo "  $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "  ours:   $BIN ($(stat -c %s "$BIN") bytes, $(stat -c %s "$TMP/exporterbox.stripped") stripped;" \
		"shared libs: $(ldd "$BIN" | awk '$1 !~ /^(linux-vdso|\/)/ { printf "%s ", $1 }'))"
	echo "  theirs: ${THEIRS[0]} ($("${THEIRS[0]}" --version 2>&1 | head -n 1))"
} >&2
for scenario in "${SCENARIOS[@]}"; do
	if [ -n "$ONLY" ] && [ "$ONLY" != "$scenario" ]; then
		continue
	fi
	run_side "$scenario" ours
	run_side "$scenario" theirs
done
echo
"$PY" "$HERE/scrape.py" report "$RESULTS"
