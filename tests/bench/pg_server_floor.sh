#!/usr/bin/env bash
#
# pg_server_floor.sh — how much of a postgres-exporter scrape is the
# server's own work: the CPU its one backend spends per scrape (utime+stime
# of the backend process over N scrapes / N), beside the exporter's own CPU
# and the scrape's median latency. A scrape's queries run one after another
# on that backend, so with one connection (the issue's goal) no exporter's
# median can be below the backend's CPU per scrape. When Debian's
# postgres_exporter is installed, its median and CPU on the same server are
# measured too, for the issue's goals (a third of the latency, a tenth of
# the CPU). Last, pg_client_floor.c runs the scrape's own queries (taken
# from pg_stat_statements after a restart with it loaded) in a bare libpq
# client: the client CPU no exporter running them can go below, one query
# after another and pipelined. Not a test.
#
# Usage: tests/bench/pg_server_floor.sh [-n 1000] [--bin build-rel/exporterbox]
#        [matched|defaults]    (the scenarios of bench.sh's postgres pair)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../integration/pg_lib.sh
. "$ROOT/tests/integration/pg_lib.sh"

N=1000
BIN=$ROOT/build/exporterbox
SCENARIO=matched
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	matched | defaults) SCENARIO=$1; shift ;;
	*) echo "usage: $0 [-n N] [--bin PATH] [matched|defaults]" >&2; exit 2 ;;
	esac
done
pg_bin_ok || { echo "pg_server_floor.sh: PostgreSQL 15 server binaries missing" >&2; exit 2; }

TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() {
	srv_kill_all
	pg_stop "$TMP/pg"
	rm -rf "$TMP"
}
trap cleanup EXIT

pg_init "$TMP/pg"
PORT=$(pg_start_any "$TMP/pg")
# The same database as bench.sh's pair: one table of 1,000 rows.
pg_sql "$PORT" postgres "CREATE TABLE t (id int primary key, v text);
	INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g; ANALYZE t" >/dev/null
export DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
FLAGS=()
[ "$SCENARIO" = matched ] && FLAGS=(--no-collector.replication --no-collector.replication_slot
	--no-collector.roles --no-collector.stat_checkpointer --no-collector.stat_progress_vacuum
	--no-collector.stat_user_tables --no-collector.statio_user_tables --no-collector.wal)
srv_start "$TMP/exporter.log" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 "${FLAGS[@]}"
URL=http://127.0.0.1:$SRV_PORT/metrics
curl -sf -o /dev/null "$URL"
BACKEND=$(pg_sql "$PORT" postgres "SELECT pid FROM pg_stat_activity
	WHERE application_name = 'postgres_exporter' AND backend_type = 'client backend'")
[ "$(wc -w <<<"$BACKEND")" = 1 ] || { echo "expected one exporter backend, got: $BACKEND" >&2; exit 1; }

ticks() { # utime+stime of PID in clock ticks
	local stat
	stat=$(cat "/proc/$1/stat")
	stat=${stat##*) }
	awk '{print $12 + $13}' <<<"$stat"
}
HZ=$(getconf CLK_TCK)
b0=$(ticks "$BACKEND")
python3 "$HERE/scrape.py" measure --label ours --side ours --scenario "$SCENARIO" \
	--url "$URL" --pid "$SRV_PID" -n "$N" >"$TMP/measure.json"
b1=$(ticks "$BACKEND")
WARMUP=$(sed -n 's/^WARMUP = //p' "$HERE/scrape.py")
srv_stop TERM 10
GO=/usr/bin/prometheus-postgres-exporter
echo '{}' >"$TMP/go.json"
if [ -x "$GO" ]; then
	GP=$(free_port)
	srv_spawn "$TMP/go.log" "$GO" --web.listen-address=127.0.0.1:"$GP"
	wait_http "http://127.0.0.1:$GP/" 15
	python3 "$HERE/scrape.py" measure --label theirs --side theirs --scenario "$SCENARIO" \
		--url "http://127.0.0.1:$GP/metrics" --pid "$SRV_PID" -n "$N" >"$TMP/go.json"
	srv_stop TERM 10
fi
python3 - "$TMP/measure.json" "$((N + WARMUP))" "$HZ" "$b0" "$b1" "$SCENARIO" "$TMP/go.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
go = json.load(open(sys.argv[7]))
scrapes, hz = int(sys.argv[2]), int(sys.argv[3])
backend = (int(sys.argv[5]) - int(sys.argv[4])) * 1000 / hz / scrapes
print(f"scenario {sys.argv[6]}, {scrapes} scrapes")
print(f"  scrape median latency        {m['median_ms']:.3f} ms")
print(f"  backend CPU per scrape       {backend:.3f} ms   (the floor under the median on one connection)")
print(f"  exporter CPU per scrape      {m['cpu_ms']:.3f} ms")
if go:
    print(f"  Go postgres_exporter median  {go['median_ms']:.3f} ms   (a third: {go['median_ms'] / 3:.3f} ms)")
    print(f"  Go postgres_exporter CPU     {go['cpu_ms']:.3f} ms   (a tenth: {go['cpu_ms'] / 10:.3f} ms)")
PY

# The scrape's queries, as the server saw them (whitespace folded to one line).
pg_stop "$TMP/pg"
pg_start "$TMP/pg" "$PORT" -c shared_preload_libraries=pg_stat_statements
pg_sql "$PORT" postgres "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
srv_start "$TMP/exporter2.log" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 "${FLAGS[@]}"
curl -sf -o /dev/null "http://127.0.0.1:$SRV_PORT/metrics"
pg_sql "$PORT" postgres "SELECT pg_stat_statements_reset()" >/dev/null
curl -sf -o /dev/null "http://127.0.0.1:$SRV_PORT/metrics"
srv_stop TERM 10
pg_sql "$PORT" postgres "SELECT regexp_replace(query, '\s+', ' ', 'g') FROM pg_stat_statements
	WHERE query NOT LIKE '%pg_stat_statements%' AND query ILIKE 'select%'" >"$TMP/queries.sql"
if gcc -O2 -std=c11 -I"$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)" \
	-o "$TMP/pg_client_floor" "$HERE/pg_client_floor.c" -lpq 2>"$TMP/cc.log"; then
	"$TMP/pg_client_floor" "host=127.0.0.1 port=$PORT user=postgres dbname=postgres sslmode=disable" \
		"$N" <"$TMP/queries.sql"
else
	echo "pg_client_floor not built (needs gcc and libpq-dev):"; cat "$TMP/cc.log"
fi
