#!/usr/bin/env bash
#
# load.sh [-d SECONDS] [-c SCRAPERS] [--bin BIN] [APPLET...] — a load test
# (not a ctest): SCRAPERS concurrent scrapers (tests/load/scrapers.py, Python
# threads, a new loopback connection per scrape) against each applet for
# SECONDS (default 60, 8 scrapers), one applet at a time. Default: every
# applet `BIN --list` names that is built (not "not built yet").
# Targets: node reads this machine; redis scrapes a redis-server started
# here (and counts the exporter's connections in CLIENT LIST: must be one);
# postgres scrapes a temporary cluster when initdb is installed (connections
# counted in pg_stat_activity), else a dead DSN; kafka-lag a dead broker.
# Prints one line of figures per applet: scrapes, failed (must be 0),
# latency, RSS after warm-up / at the end / peak (must be flat), fds and
# threads idle before / peak / idle after (must be back), server
# connections (exactly one). A scrape of redis or postgres counts only with
# `redis_up 1` / `pg_up 1` in it. Exits 1 when any applet fails one of those. Loopback only,
# free ports, temp dirs; everything it starts is stopped by PID.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
SECS=60
CONC=8
BIN=$HERE/../../build/exporterbox
APPLETS=()
while [ $# -gt 0 ]; do
	case $1 in
	-d) SECS=$2; shift 2 ;;
	-c) CONC=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	-h|--help) sed -n '3,18p' "$0"; exit 0 ;;
	-*) echo "load.sh: unknown option $1" >&2; exit 2 ;;
	*) APPLETS+=("$1"); shift ;;
	esac
done
[ -x "$BIN" ] || { echo "load.sh: no exporterbox at $BIN (use --bin)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ ${#APPLETS[@]} -gt 0 ] || mapfile -t APPLETS < <("$BIN" --list)

TMP=$(mktemp -d)
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	srv_kill_all
	[ -z "$PGDATA" ] || "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
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
		if [ -x "$PGBIN/initdb" ]; then
			local port
			port=$(free_port)
			PGDATA=$TMP/pg
			"$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust >pg_init.log 2>&1
			"$PGBIN/pg_ctl" -D "$PGDATA" -l pg.log -w -o "-p $port -k $TMP -c listen_addresses=''" \
				start >/dev/null
			ENV=(DATA_SOURCE_NAME="postgresql://postgres@/postgres?host=$TMP&port=$port&sslmode=disable")
			UP="pg_up 1"
			COUNT="psql -h $TMP -p $port -U postgres -Atc \"select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()\" postgres"
		else
			ENV=(DATA_SOURCE_NAME="postgresql://nobody@127.0.0.1:$DEAD/none?sslmode=disable")
		fi
		;;
	kafka-lag-exporter) ARGS=(--kafka.server="127.0.0.1:$DEAD") ;;
	esac
}

for applet in "${APPLETS[@]}"; do
	if "$BIN" "$applet" --help 2>&1 | grep -q "not built yet"; then
		echo "$applet: not built yet (skipped)"
		continue
	fi
	target "$applet"
	srv_start "$applet.log" env "${ENV[@]}" "$BIN" "$applet" --web.listen-address=127.0.0.1:0 \
		"${ARGS[@]}" || { echo "$applet: did not start: $(tail -3 "$applet.log")"; status=1; continue; }
	rc=0
	out=$(python3 "$HERE/scrapers.py" "http://127.0.0.1:$SRV_PORT/metrics" "$SRV_PID" "$SECS" \
		"$CONC" "$COUNT" "$UP") || rc=$?
	[ -z "${LOAD_DEBUG:-}" ] || { echo "count: $COUNT"; bash -c "$COUNT"; }
	printf '%s: %s%s\n' "$applet" "$out" "$([ "$rc" -eq 0 ] || echo ' FAILED')"
	[ "$rc" -eq 0 ] || status=1
	srv_stop TERM 10
	if [ -n "$PGDATA" ]; then
		"$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
		PGDATA=
	fi
done
exit "$status"
