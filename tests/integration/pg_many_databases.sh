#!/usr/bin/env bash
#
# pg_many_databases.sh BIN — postgres-exporter against a real PostgreSQL 15
# holding many databases (PG_DATABASES, default 300; created with
# STRATEGY = FILE_COPY and fsync off, a few seconds per hundred), one of
# them with a quote and a backslash in its name: every collector succeeds,
# promtool accepts the body, every database has its pg_stat_database_* and
# pg_database_size_bytes series, twice in a row through the same exporter.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure,
# 77 when PostgreSQL or a tool is missing.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=pg_lib.sh
. "$HERE/pg_lib.sh"
pg_bin_ok || { echo "SKIP: PostgreSQL 15 server binaries not found"; exit 77; }
for tool in curl promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done
N=${PG_DATABASES:-300}

TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() {
	srv_kill_all
	pg_stop "$TMP/pg"
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

pg_init "$TMP/pg"
# free_port's port may still be some connection's local port: retried.
for _ in 1 2 3 4 5; do
	PORT=$(free_port)
	pg_start "$TMP/pg" "$PORT" -c fsync=off -c full_page_writes=off && break
done
start=$SECONDS
{
	for i in $(seq 1 "$N"); do
		if [ "$i" = 1 ]; then
			echo "CREATE DATABASE \"q\"\"uo'te\\d1\" STRATEGY = FILE_COPY;"
		else
			echo "CREATE DATABASE db_$i STRATEGY = FILE_COPY;"
		fi
	done
} >create.sql
"$PSQL" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
	-f create.sql >/dev/null
echo "# created $N databases in $((SECONDS - start)) s"
total=$(pg_sql "$PORT" postgres "SELECT count(*) FROM pg_database WHERE datallowconn")
t_check "$N databases created ($total connectable)" test "$total" -ge "$N"

export DATA_SOURCE_NAME="host=127.0.0.1 port=$PORT user=postgres dbname=postgres sslmode=disable"
srv_start exporter.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 ||
	{ t_fail "exporter starts" "$(cat exporter.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"

parses() {
	local rc=0
	promtool check metrics <"$1.body" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]	# 3: lint warnings only (upstream's names)
}
series() { grep -c "^$2{" "$1.body" || true; }
for name in first second; do
	code=$(curl -s --max-time 60 -o "$name.body" -w '%{http_code}' "$BASE/metrics") || code=curl-error
	t_check "$name: HTTP 200" test "$code" = 200
	t_check "$name: promtool check metrics" parses "$name"
	t_check "$name: pg_up 1" grep -qx "pg_up 1" "$name.body"
	t_check "$name: every collector succeeded" \
		bash -c "! grep -q '^pg_scrape_collector_success{.*} 0\$' '$name.body'"
	n=$(series "$name" pg_database_size_bytes)
	t_check "$name: pg_database_size_bytes for every database ($n >= $total)" test "$n" -ge "$total"
	n=$(series "$name" pg_stat_database_numbackends)
	t_check "$name: pg_stat_database_numbackends for every database ($n >= $total)" \
		test "$n" -ge "$total"
	t_check "$name: the quoted name is escaped" \
		grep -qF 'pg_database_size_bytes{datname="q\"uo'"'"'te\\d1"}' "$name.body"
done
t_check "no crash in the exporter's log" \
	bash -c "! grep -Eiq 'sanitizer|segv|abort|panic' exporter.log"
srv_stop TERM 10
t_check "clean exit on SIGTERM" test "$SRV_RC" = 0
t_summary
