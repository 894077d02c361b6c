#!/usr/bin/env bash
#
# load.sh [-d SECONDS] [-c SCRAPERS] [--bin BIN] [--kafka-mock MOCK] [APPLET...] — a load test
# (not a ctest): SCRAPERS concurrent scrapers (tests/load/scrapers.py, Python
# threads, a new loopback connection per scrape) against each applet for
# SECONDS (default 60, 8 scrapers), one applet at a time. Default: every
# applet `BIN --list` names that is built (not "not built yet").
# Targets: node reads this machine; redis scrapes a redis-server started
# here (and counts the exporter's connections in CLIENT LIST: must be one);
# postgres scrapes a temporary cluster when initdb is installed (connections
# counted in pg_stat_activity), else a dead DSN; kafka-lag librdkafka's mock
# cluster (MOCK: tests/kafka_mock_cluster of the build, by default the one
# next to BIN), else a dead broker.
# Prints one line of figures per applet: scrapes, failed (must be 0),
# latency, RSS after warm-up / at the end / peak (must be flat), fds and
# threads idle before / peak / idle after (must be back), server
# connections (exactly one). A scrape of redis or postgres counts only with
# `redis_up 1` / `pg_up 1` / `kafka_up 1` in it (the scrapers start once
# one scrape shows it: kafka-lag collects in the background after start-up).
# Exits 1 when any applet fails one of those. Loopback only,
# free ports, temp dirs; everything it starts is stopped by PID.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../integration/kafka_lib.sh
. "$HERE/../integration/kafka_lib.sh"
# shellcheck source-path=SCRIPTDIR source=../integration/pg_lib.sh
. "$HERE/../integration/pg_lib.sh"
SECS=60
CONC=8
BIN=$HERE/../../build/exporterbox
APPLETS=()
while [ $# -gt 0 ]; do
	case $1 in
	-d) SECS=$2; shift 2 ;;
	-c) CONC=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--kafka-mock) MOCKBIN=$2; shift 2 ;;
	-h|--help) sed -n '3,23p' "$0"; exit 0 ;;
	-*) echo "load.sh: unknown option $1" >&2; exit 2 ;;
	*) APPLETS+=("$1"); shift ;;
	esac
done
[ -x "$BIN" ] || { echo "load.sh: no exporterbox at $BIN (use --bin)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
MOCKBIN=${MOCKBIN:-$(dirname "$BIN")/tests/kafka_mock_cluster}
[ ${#APPLETS[@]} -gt 0 ] || mapfile -t APPLETS < <("$BIN" --list)

TMP=$(mktemp -d)
chmod 755 "$TMP" # PostgreSQL runs as user postgres when we are root (pg_lib.sh)
PGDIR=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	srv_kill_all
	[ -z "$PGDIR" ] || pg_stop "$PGDIR"
	rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"
DEAD=$(free_port)
status=0

# target APPLET : starts the applet's target; sets ARGS (flags), ENV, COUNT.
target() {
	ARGS=() ENV=() COUNT='' UP=''
	case $1 in
	redis-exporter)
		local port
		port=$(free_port)
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--dir "$TMP" >redis.log 2>&1 &
		SRV_ALL+=("$!")
		for _ in $(seq 1 100); do
			redis-cli -p "$port" ping >/dev/null 2>&1 && break
			sleep 0.1
		done
		ARGS=(--redis.addr="redis://127.0.0.1:$port")
		COUNT="redis-cli -p $port client list | grep -c 'name=redis_exporter'"
		UP="redis_up 1"
		;;
	postgres-exporter)
		if pg_bin_ok; then
			local port
			port=$(free_port)
			PGDIR=$TMP/pg
			pg_init "$PGDIR"
			pg_start "$PGDIR" "$port"
			ENV=(DATA_SOURCE_NAME="postgresql://postgres@/postgres?host=$PGDIR&port=$port&sslmode=disable")
			UP="pg_up 1"
			COUNT="$PSQL -X -h $PGDIR -p $port -U postgres -Atc \"select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()\" postgres"
		else
			ENV=(DATA_SOURCE_NAME="postgresql://nobody@127.0.0.1:$DEAD/none?sslmode=disable")
		fi
		;;
	kafka-lag-exporter)
		if [ -x "$MOCKBIN" ] && mock_start "$MOCKBIN"; then
			ARGS=(--kafka.server="$MOCK_BOOTSTRAP")
			UP="kafka_up 1"
		else
			echo "kafka-lag-exporter: no mock cluster at $MOCKBIN (--kafka-mock): a dead broker"
			ARGS=(--kafka.server="127.0.0.1:$DEAD")
		fi
		;;
	esac
}

# up_first URL : waits (bounded) until a scrape shows the UP line.
up_first() {
	local deadline=$((SECONDS + 60))
	[ -n "$UP" ] || return 0
	while ! curl -s --max-time 10 "$1" | grep -qx "$UP"; do
		[ "$SECONDS" -le "$deadline" ] || return 1
		sleep 0.2
	done
}

for applet in "${APPLETS[@]}"; do
	if "$BIN" "$applet" --help 2>&1 | grep -q "not built yet"; then
		echo "$applet: not built yet (skipped)"
		continue
	fi
	target "$applet"
	srv_start "$applet.log" env "${ENV[@]}" "$BIN" "$applet" --web.listen-address=127.0.0.1:0 \
		"${ARGS[@]}" || { echo "$applet: did not start: $(tail -3 "$applet.log")"; status=1; continue; }
	up_first "http://127.0.0.1:$SRV_PORT/metrics" ||
		echo "$applet: no \"$UP\" within 60 s (every scrape will fail)"
	rc=0
	out=$(python3 "$HERE/scrapers.py" "http://127.0.0.1:$SRV_PORT/metrics" "$SRV_PID" "$SECS" \
		"$CONC" "$COUNT" "$UP") || rc=$?
	[ -z "${LOAD_DEBUG:-}" ] || { echo "count: $COUNT"; bash -c "$COUNT"; }
	printf '%s: %s%s\n' "$applet" "$out" "$([ "$rc" -eq 0 ] || echo ' FAILED')"
	[ "$rc" -eq 0 ] || status=1
	srv_stop TERM 10
	[ -z "$MOCK_PID" ] || { mock_stop; MOCK_PID=; }
	if [ -n "$PGDIR" ]; then
		pg_stop "$PGDIR"
		PGDIR=
	fi
done
exit "$status"
