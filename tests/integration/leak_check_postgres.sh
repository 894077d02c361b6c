#!/usr/bin/env bash
#
# leak_check_postgres.sh BIN — postgres-exporter under valgrind memcheck.
#
# Starts a PostgreSQL 15 cluster (temp dir, loopback port) and `BIN
# postgres-exporter` (a build without sanitizers) under valgrind with every
# optional collector, a queries.yaml and an auth module; sends LEAK_SCRAPES
# (default 300) scrapes — plain, gzip, OpenMetrics, /probe (allowed and
# refused) — stops the server for a batch of scrapes (pg_up 0, failed
# connects) and restarts it (reconnect), then SIGTERM. A second run covers
# upstream's extras: --auto-discover-databases (a database created and one
# dropped between batches), two data sources, --constantLabels,
# --metric-prefix and /probe targets closed when idle. Fails on any memcheck
# error, any definitely or indirectly lost block, a wrong status, or an exit
# other than 0. Bounded by LEAK_TIMEOUT seconds (600). Exit 77 when the
# server binaries are missing.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=pg_lib.sh
. "$HERE/pg_lib.sh"
pg_bin_ok || { echo "SKIP: PostgreSQL 15 server binaries not found"; exit 77; }
for tool in curl valgrind; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
SCRAPES=${LEAK_SCRAPES:-300}
LIMIT=${LEAK_TIMEOUT:-600}
SRV_START_TIMEOUT=60

TMP=$(mktemp -d)
chmod 755 "$TMP"
trap 'srv_kill_all; pg_stop "$TMP/pg"; rm -rf "$TMP"' EXIT

pg_init "$TMP/pg"
PORT=$(pg_start_any "$TMP/pg")
pg_sql "$PORT" postgres "CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1)"
cat >"$TMP/queries.yaml" <<'YAML'
pg_custom:
  query: "SELECT 'x' AS tag, 1 AS one"
  metrics:
    - tag:
        usage: "LABEL"
    - one:
        usage: "GAUGE"
        description: "One"
YAML
cat >"$TMP/exporter.yml" <<'YAML'
auth_modules:
  pg:
    type: userpass
    userpass:
      username: postgres
    options:
      sslmode: disable
YAML

# shellcheck disable=SC2054 # the commas are valgrind's
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
	--log-file="$TMP/valgrind-%p.log")
START=$SECONDS
if srv_start "$TMP/server.log" env DATA_SOURCE_NAME="host=127.0.0.1 port=$PORT user=postgres dbname=postgres" \
	"${VG[@]}" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/queries.yaml" --config.file="$TMP/exporter.yml" \
	--probe.allowed-targets="127.0.0.1:$PORT" --collector.postmaster \
	--collector.long_running_transactions --collector.database_wraparound \
	--collector.statio_user_indexes --collector.stat_wal_receiver --collector.stat_statements; then
	t_ok "postgres-exporter starts under valgrind (port $SRV_PORT)"
else
	t_fail "postgres-exporter starts under valgrind" "$(cat "$TMP/server.log" "$TMP/valgrind.log" 2>/dev/null)"
	exit 1
fi
BASE=http://127.0.0.1:$SRV_PORT

# batch NAME COUNT WANT [CURL ARGS...] -- PATH... : COUNT requests on one
# keep-alive connection, every status WANT.
batch() {
	local name=$1 count=$2 want=$3 args=() i
	shift 3
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	local paths=("$@") cfg=$TMP/$name.curl
	: >"$cfg"
	for ((i = 0; i < count; i++)); do
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$BASE" "${paths[i % ${#paths[@]}]}" >>"$cfg"
	done
	local rc=0 left=$((LIMIT - (SECONDS - START)))
	[ "$left" -gt 0 ] || { t_fail "$name" "out of time"; return; }
	curl -s -g --max-time "$left" -w '%{http_code}\n' "${args[@]}" -K "$cfg" >"$TMP/$name.codes" || rc=$?
	local bad
	bad=$(grep -vc "^$want\$" "$TMP/$name.codes" || true)
	if [ "$rc" -eq 0 ] && [ "$(grep -c . "$TMP/$name.codes")" -eq "$count" ] && [ "$bad" -eq 0 ]; then
		t_ok "$name: $count requests, all $want"
	else
		t_fail "$name: $count requests, all $want" "curl $rc: $(sort "$TMP/$name.codes" | uniq -c | tr '\n' ' ')"
	fi
}

n=$((SCRAPES / 5))
batch plain "$n" 200 -- /metrics '/metrics?collect[]=settings' '/metrics?exclude[]=settings'
batch gzip "$n" 200 -H 'Accept-Encoding: gzip' -- /metrics
batch openmetrics "$n" 200 -H 'Accept: application/openmetrics-text; version=1.0.0' -- /metrics
batch probe "$n" 200 -- "/probe?target=127.0.0.1:$PORT/postgres&auth_module=pg" "/probe?target=127.0.0.1:$PORT/postgres"
batch probe-refused 20 403 -- "/probe?target=10.0.0.1:5432/postgres"
pg_stop "$TMP/pg"
batch down 30 200 -- /metrics "/probe?target=127.0.0.1:$PORT/postgres"
pg_start "$TMP/pg" "$PORT"
batch again "$((SCRAPES - 4 * n - 30))" 200 -- /metrics "/probe?target=127.0.0.1:$PORT/postgres&auth_module=pg"

# stop_and_check NAME : SIGTERM, exit 0, valgrind's log clean
stop_and_check() {
	local log
	srv_stop TERM 120
	case $SRV_RC in
	0) t_ok "$1: SIGTERM: exit 0, no memcheck errors or leaks" ;;
	*) t_fail "$1: SIGTERM: exit 0, no memcheck errors or leaks" "exit $SRV_RC" ;;
	esac
	log=$(ls -t "$TMP"/valgrind-*.log | head -n 1)
	grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable' \
		"$log" | sed 's/^==[0-9]*== */     | /' || true
	if grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
		t_ok "$1: valgrind: 0 errors"
	else
		t_fail "$1: valgrind: 0 errors" "$(sed -n '/== HEAP SUMMARY/q; p' "$log" | sed -n 1,120p)"
		grep -A40 -E 'definitely lost in|indirectly lost in' "$log" | sed -n 1,200p || true
	fi
	mv "$log" "$TMP/done-$1.log"
}
stop_and_check defaults

# Upstream's extras, fewer requests.
pg_sql "$PORT" postgres "CREATE DATABASE alpha"
pg_sql "$PORT" postgres "CREATE DATABASE \"q\"\"uo'te\\dü€\""
DSN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
if srv_start "$TMP/extras.log" env DATA_SOURCE_NAME="$DSN,postgresql://postgres@127.0.0.1:$PORT/alpha" \
	"${VG[@]}" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/queries.yaml" --config.file="$TMP/exporter.yml" \
	--probe.allowed-targets="127.0.0.1:$PORT" --probe.target-idle-timeout=1s \
	--auto-discover-databases --exclude-databases=nosuch --constantLabels='env=leak,team=db' \
	--metric-prefix=pgx --collector.statio_user_indexes; then
	t_ok "extras: postgres-exporter starts under valgrind"
else
	t_fail "extras: postgres-exporter starts under valgrind" "$(cat "$TMP/extras.log")"
	exit 1
fi
BASE=http://127.0.0.1:$SRV_PORT
n=$((SCRAPES / 6))
batch extras-plain "$n" 200 -- /metrics '/metrics?collect[]=stat_user_tables' "/probe?target=127.0.0.1:$PORT/alpha&auth_module=pg"
batch extras-bad-filter 5 400 -- '/metrics?collect[]=nosuch'
pg_sql "$PORT" postgres "CREATE DATABASE beta"
pg_sql "$PORT" postgres "DROP DATABASE alpha WITH (FORCE)"
batch extras-openmetrics "$n" 200 -H 'Accept: application/openmetrics-text; version=1.0.0' -- /metrics
sleep 2	# the probe target goes idle and is closed
batch extras-again "$n" 200 -H 'Accept-Encoding: gzip' -- /metrics "/probe?target=127.0.0.1:$PORT/beta&auth_module=pg"
grep -q 'msg="probe target idle, connection closed"' "$TMP/extras.log" &&
	t_ok "extras: an idle probe target was closed" || t_fail "extras: an idle probe target was closed"
stop_and_check extras
echo "(leak check took $((SECONDS - START)) s)"
t_summary
