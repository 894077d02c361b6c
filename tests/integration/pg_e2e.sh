#!/usr/bin/env bash
#
# pg_e2e.sh BIN — postgres-exporter end to end against real PostgreSQL 15.
#
# Starts a primary and a streaming replica (pg_basebackup -R -C, slot
# "replica_slot", cluster_name "replica1"), a least-privilege role with a
# password and pg_monitor, a database named with quotes, a backslash and
# UTF-8, and a long open transaction. Then checks, over loopback with curl:
# promtool on every body, every family of the contract, the seed's series
# (pg_stat_replication_replay_lag with its labels, pg_settings_max_connections,
# pg_stat_database_numbackends, pg_stat_activity_max_tx_duration), real
# replication values on both sides, label escaping, one server connection
# under 10 concurrent scrapes, a table lock that makes one collector fail
# (lock_timeout) while the rest is served, --extend.query-path, /probe with
# auth_modules and the allowlist, bad DSNs (exit 2, one line, no password),
# the server stopped and restarted under a running exporter (pg_up 0 with
# HTTP 200 at once, or 503 with --web.unavailable-when-down; then pg_up 1),
# and that the password never shows in a body or a log.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure,
# 77 when the PostgreSQL server binaries are missing.
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
for tool in curl promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done
CONTRACT=${PG_CONTRACT:-$HERE/../../../shared/contract/postgres.contract}
[ -f "$CONTRACT" ] || CONTRACT=/work/shared/contract/postgres.contract

TMP=$(mktemp -d)
chmod 755 "$TMP"
HOLDERS=()
cleanup() {
	local pid
	for pid in "${HOLDERS[@]}"; do kill "$pid" 2>/dev/null || true; done
	srv_kill_all
	pg_stop "$TMP/replica"
	pg_stop "$TMP/primary"
	rm -rf "$TMP"
}
trap cleanup EXIT

PASSWORD='Pa55-w0rd-never-shown'
WEIRD_DB=$'q"uo\'te\\d\xc3\xbc\xe2\x82\xac'		# q"uo'te\dü€
CURL=(curl -s --max-time 20)
LINT='^pg_[a-z0-9_]+ (counter metrics should have "_total" suffix|non-histogram and non-summary metrics should not have "_count" suffix)$|^pg_settings_[a-z0-9_]+ (use base unit|metric names should be written)'

CODE=
get() { # get NAME URL : body into $TMP/NAME.body, status into CODE
	CODE=$("${CURL[@]}" -o "$TMP/$1.body" -w '%{http_code}' "$2") || CODE="curl-error-$?"
}
has() { grep -Eq "^$2" "$1"; }
value_of() { # value_of FILE SERIES-REGEX : the first matching sample's value
	grep -E "^$2" "$1" | head -n 1 | awk '{ print $NF }'
}
promtool_ok() {
	local rc=0 other
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && return 0
	[ "$rc" -eq 3 ] || { cat "$1.lint"; return 1; }
	other=$(grep -Ev "$LINT" "$1.lint" || true)
	[ -z "$other" ] || { printf '%s\n' "$other"; return 1; }
}
check_body() { # check_body NAME : promtool and no password
	t_check "$1: promtool check metrics" promtool_ok "$TMP/$1.body"
	if grep -q "$PASSWORD" "$TMP/$1.body"; then t_fail "$1: no password in body"; fi
}
# poll_until SECONDS NAME URL CONDITION... : re-scrape until CONDITION holds
poll_until() {
	local secs=$1 name=$2 url=$3 deadline
	shift 3
	deadline=$((SECONDS + secs))
	while [ "$SECONDS" -le "$deadline" ]; do
		get "$name" "$url"
		if "$@"; then return 0; fi
		sleep 0.2
	done
	return 1
}

# ------------------------------------------------------------ the servers
pg_init "$TMP/primary"
PRIMARY_OPTS="-c wal_level=replica -c max_wal_senders=5 -c shared_preload_libraries=pg_stat_statements"
# On a free port, retried: another test may take the port between the
# check and pg_ctl's start (seen once in CI).
P1=$(pg_start_any "$TMP/primary" "$PRIMARY_OPTS")
pg_sql "$P1" postgres "CREATE EXTENSION pg_stat_statements"
pg_sql "$P1" postgres "CREATE ROLE monitor LOGIN PASSWORD '$PASSWORD' IN ROLE pg_monitor"
pg_sql "$P1" postgres "CREATE TABLE t (id int primary key, v text);
	INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g; ANALYZE t"
pg_sql "$P1" postgres "CREATE DATABASE \"${WEIRD_DB//\"/\"\"}\""
pg_replica "$TMP/replica" "$P1" replica_slot
P2=$(pg_start_any "$TMP/replica" "-c cluster_name=replica1 -c hot_standby=on")
t_ok "primary (port $P1) and streaming replica (port $P2) up"

# A transaction that stays open (its session sleeps inside it).
"$PSQL" -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres \
	-c "BEGIN; SELECT txid_current(); SELECT pg_sleep(600)" >/dev/null 2>&1 &
HOLDERS+=($!)

printf '%s\n' "$PASSWORD" >"$TMP/pass"
QUERIES=$TMP/queries.yaml
cat >"$QUERIES" <<'YAML'
pg_custom:
  query: "SELECT 'a\"b' AS tag, 42 AS answer, 7 AS ignored"
  master: true
  metrics:
    - tag:
        usage: "LABEL"
        description: "A label"
    - answer:
        usage: "GAUGE"
        description: "The answer"
    - ignored:
        usage: "DISCARD"
        description: "Not exported"
YAML

# ------------------------------------------------- exporter on the primary
export DATA_SOURCE_URI="127.0.0.1:$P1/postgres?sslmode=disable"
export DATA_SOURCE_USER=monitor
export DATA_SOURCE_PASS_FILE=$TMP/pass
if srv_start "$TMP/primary.log" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$QUERIES" --collector.postmaster --collector.long_running_transactions \
	--collector.database_wraparound --collector.statio_user_indexes --collector.stat_statements; then
	t_ok "exporter on the primary starts (port $SRV_PORT)"
else
	t_fail "exporter on the primary starts" "$(cat "$TMP/primary.log")"
	exit 1
fi
unset DATA_SOURCE_URI DATA_SOURCE_USER DATA_SOURCE_PASS_FILE
EP=$SRV_PORT
EP_PID=$SRV_PID
URL=http://127.0.0.1:$EP/metrics

# The replica reports its replay state once it streamed something.
pg_sql "$P1" postgres "INSERT INTO t VALUES (1000, 'y'); SELECT pg_switch_wal()" >/dev/null
repl_ready() {
	has "$TMP/p.body" 'pg_stat_replication_replay_lag\{application_name="replica1",client_addr="127.0.0.1",state="streaming",sync_state="async",slot_name="replica_slot"\} ' &&
		has "$TMP/p.body" 'pg_stat_activity_max_tx_duration\{datname="postgres",state="active"\} [1-9]'
}
if poll_until 30 p "$URL" repl_ready; then
	t_ok "primary: pg_stat_replication_replay_lag for replica1 with its labels; max_tx_duration > 1s"
else
	t_fail "primary: replication and long transaction series" "$(grep -E '^pg_stat_(replication|activity_max)' "$TMP/p.body" | head)"
fi
[ "$CODE" = 200 ] && t_ok "primary: HTTP 200" || t_fail "primary: HTTP 200" "$CODE"
check_body p
missing=$(awk '!/^#/ && NF { print $1 }' "$CONTRACT" | while read -r f; do
	grep -q "^# TYPE $f " "$TMP/p.body" || echo "$f"; done)
[ -z "$missing" ] && t_ok "primary: every contract family present" ||
	t_fail "primary: every contract family present" "$missing"
for s in 'pg_up 1' 'pg_settings_max_connections 100' 'pg_stat_database_numbackends\{datid="[0-9]+",datname="postgres"\} [1-9]' \
	'pg_stat_replication_write_lag\{application_name="replica1"' 'pg_stat_replication_flush_lag\{application_name="replica1"' \
	'pg_stat_replication_pg_wal_lsn_diff\{' 'pg_replication_slot_slot_is_active\{slot_name="replica_slot",slot_type="physical"\} 1' \
	'pg_replication_is_replica 0' 'pg_static\{short_version="15\.' 'pg_custom_answer\{tag="a\\"b"\} 42' \
	'pg_stat_user_tables_n_live_tup\{datname="postgres",schemaname="public",relname="t"\} 10[01]' \
	'pg_settings_shared_buffers_bytes 134217728' 'pg_settings_checkpoint_timeout_seconds 300' \
	'pg_postmaster_start_time_seconds [0-9]' 'pg_database_wraparound_age_datfrozenxid_seconds\{datname="postgres"\}' \
	'pg_wal_segments [1-9]' 'pg_exporter_last_scrape_error 0' \
	'pg_stat_statements_calls_total\{user="monitor",datname="postgres",queryid="-?[0-9]+"\} [1-9]' \
	'pg_statio_user_indexes_idx_blks_hit_total\{schemaname="public",relname="t",indexrelname="t_pkey"\}'; do
	has "$TMP/p.body" "$s" && t_ok "primary: $s" || t_fail "primary: $s"
done
has "$TMP/p.body" 'pg_custom_ignored' && t_fail "primary: DISCARD column not exported" ||
	t_ok "primary: DISCARD column not exported"
esc_db='q\\"uo'"'"'te\\\\dü€'
has "$TMP/p.body" "pg_database_size_bytes\\{datname=\"$esc_db\"\\} [1-9]" &&
	t_ok "primary: database with quotes, backslash and UTF-8 escaped in labels" ||
	t_fail "primary: odd database name" "$(grep -a '^pg_database_size_bytes' "$TMP/p.body")"
failed=$(grep -E '^pg_scrape_collector_success\{.*\} 0' "$TMP/p.body" || true)
[ -z "$failed" ] && t_ok "primary: every collector succeeds as pg_monitor" ||
	t_fail "primary: every collector succeeds as pg_monitor" "$failed"

# 10 concurrent scrapes use the one connection.
SCRAPERS=()
for _ in $(seq 1 10); do "${CURL[@]}" -o /dev/null "$URL" & SCRAPERS+=($!); done
wait_conns=$(for _ in 1 2 3; do
	pg_sql "$P1" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'postgres_exporter'"
	sleep 0.05; done | sort -n | tail -n 1)
wait "${SCRAPERS[@]}"
conns=$(pg_sql "$P1" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'postgres_exporter'")
[ "$conns" = 1 ] && [ "$wait_conns" = 1 ] && t_ok "one server connection under 10 concurrent scrapes (application_name set)" ||
	t_fail "one server connection under 10 concurrent scrapes" "during $wait_conns, after $conns"

# ------------------------------------------------- exporter on the replica
if srv_start "$TMP/replica.log" env DATA_SOURCE_NAME="host=127.0.0.1 port=$P2 dbname=postgres user=monitor password=$PASSWORD" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --collector.stat_wal_receiver; then
	RURL=http://127.0.0.1:$SRV_PORT/metrics
	replica_ready() {
		has "$TMP/r.body" 'pg_replication_is_replica 1' &&
			has "$TMP/r.body" 'pg_stat_wal_receiver_flushed_lsn\{upstream_host="127.0.0.1",slot_name="replica_slot",status="streaming"\} [1-9]'
	}
	if poll_until 30 r "$RURL" replica_ready; then
		t_ok "replica: pg_replication_is_replica 1, WAL receiver streaming from replica_slot"
	else
		t_fail "replica: replica series" "$(grep -E '^pg_(replication|stat_wal)' "$TMP/r.body")"
	fi
	check_body r
	has "$TMP/r.body" 'pg_replication_last_replay_seconds [0-9]' && t_ok "replica: pg_replication_last_replay_seconds" ||
		t_fail "replica: pg_replication_last_replay_seconds"
	failed=$(grep -E '^pg_scrape_collector_success\{.*\} 0' "$TMP/r.body" || true)
	[ -z "$failed" ] && t_ok "replica: every collector succeeds" || t_fail "replica: every collector succeeds" "$failed"
	srv_stop
else
	t_fail "exporter on the replica starts" "$(cat "$TMP/replica.log")"
fi

# ---------------------------------- a lock makes one collector fail, not all
"$PSQL" -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres \
	-c "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
LOCKER=$!
HOLDERS+=("$LOCKER")
locked() { has "$TMP/lock.body" 'pg_locks_count\{datname="postgres",mode="accessexclusivelock"\} [1-9]'; }
poll_until 10 lock "$URL" locked || true
get lock "$URL"
if [ "$CODE" = 200 ] && has "$TMP/lock.body" 'pg_scrape_collector_success\{collector="stat_user_tables"\} 0' &&
	has "$TMP/lock.body" 'pg_scrape_collector_success\{collector="settings"\} 1' &&
	has "$TMP/lock.body" 'pg_scrape_collector_success\{collector="stat_database"\} 1' &&
	has "$TMP/lock.body" 'pg_up 1' && has "$TMP/lock.body" 'pg_exporter_last_scrape_error 1'; then
	t_ok "locked table: stat_user_tables fails at lock_timeout, the rest is served (HTTP 200, pg_up 1)"
else
	t_fail "locked table: one collector fails, the rest is served" "$CODE $(grep -E '^pg_scrape_collector_success|^pg_up' "$TMP/lock.body")"
fi
check_body lock
# Without lock_timeout the waiting query is cancelled at the scrape deadline.
if srv_start "$TMP/nolocktimeout.log" env DATA_SOURCE_NAME="postgresql://monitor:$PASSWORD@127.0.0.1:$P1/postgres" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --postgres.lock-timeout=0; then
	CODE=$("${CURL[@]}" -o "$TMP/deadline.body" -w '%{http_code}' \
		-H 'X-Prometheus-Scrape-Timeout-Seconds: 2' "http://127.0.0.1:$SRV_PORT/metrics") || CODE=curl-error
	sleep 1.5	# the cancel's grace period
	waiting=$(pg_sql "$P1" postgres "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'postgres_exporter' AND wait_event_type = 'Lock'")
	if [ "$CODE" = 200 ] && has "$TMP/deadline.body" 'pg_scrape_collector_success\{collector="stat_user_tables"\} 0' &&
		[ "$waiting" = 0 ]; then
		t_ok "lock_timeout 0: the blocked query is cancelled at the scrape deadline (HTTP 200, no session left waiting)"
	else
		t_fail "lock_timeout 0: cancelled at the deadline" "$CODE waiting=$waiting"
	fi
	check_body deadline
	srv_stop
else
	t_fail "exporter with --postgres.lock-timeout=0 starts" "$(cat "$TMP/nolocktimeout.log")"
fi
kill "$LOCKER" 2>/dev/null || true
conns=$(pg_sql "$P1" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'postgres_exporter'")
[ "$conns" = 1 ] && t_ok "still one connection after the lock" || t_fail "still one connection after the lock" "$conns"

# ------------------------------------------------------------------ /probe
cat >"$TMP/exporter.yml" <<YAML
auth_modules:
  mon:
    type: userpass
    userpass:
      username: monitor
      password: "$PASSWORD"
    options:
      sslmode: disable
YAML
if srv_start "$TMP/probe.log" env -u DATA_SOURCE_NAME PGHOST=127.0.0.1 PGPORT=1 "$BIN" postgres-exporter \
	--web.listen-address=127.0.0.1:0 --config.file="$TMP/exporter.yml" \
	--probe.allowed-targets="127.0.0.1:$P1"; then
	PR=http://127.0.0.1:$SRV_PORT
	get probe "$PR/probe?target=127.0.0.1:$P1/postgres&auth_module=mon"
	if [ "$CODE" = 200 ] && has "$TMP/probe.body" 'pg_up 1' && has "$TMP/probe.body" 'pg_settings_max_connections 100' &&
		! has "$TMP/probe.body" 'process_'; then
		t_ok "/probe with auth_module: the target's series, pg_up 1"
	else
		t_fail "/probe with auth_module" "$CODE $(head -c 300 "$TMP/probe.body")"
	fi
	check_body probe
	get probe_denied "$PR/probe?target=127.0.0.1:$P2/postgres&auth_module=mon"
	[ "$CODE" = 403 ] && t_ok "/probe: target off the allowlist gets 403" || t_fail "/probe: allowlist" "$CODE"
	get probe_mod "$PR/probe?target=127.0.0.1:$P1/postgres&auth_module=nope"
	[ "$CODE" = 400 ] && t_ok "/probe: unknown auth_module gets 400" || t_fail "/probe: unknown auth_module" "$CODE"
	get probe_none "$PR/probe"
	[ "$CODE" = 400 ] && t_ok "/probe: no target gets 400" || t_fail "/probe: no target" "$CODE"
	# The default target (PGPORT=1 from libpq's environment) is down: 200 and pg_up 0.
	get default_down "$PR/metrics"
	[ "$CODE" = 200 ] && has "$TMP/default_down.body" 'pg_up 0' &&
		t_ok "libpq PG* environment used when no DSN is set (down: 200, pg_up 0)" ||
		t_fail "PG* environment default target" "$CODE"
	srv_stop
else
	t_fail "probe exporter starts" "$(cat "$TMP/probe.log")"
fi

# ------------------------------------------- upstream's switches for families
if srv_start "$TMP/nodefault.log" env DATA_SOURCE_NAME="postgresql://monitor:$PASSWORD@127.0.0.1:$P1/template1" \
	PG_EXPORTER_DISABLE_SETTINGS_METRICS=true "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--disable-default-metrics --no-collector.wal --collector.stat_statements; then
	get nodefault "http://127.0.0.1:$SRV_PORT/metrics"
	has "$TMP/nodefault.body" 'pg_scrape_collector_success\{collector="stat_statements"\} 0' &&
		has "$TMP/nodefault.body" 'pg_scrape_collector_success\{collector="stat_database"\} 1' &&
		t_ok "missing extension (pg_stat_statements in template1): that collector fails, the rest answers" ||
		t_fail "missing extension: that collector fails, the rest answers"
	if has "$TMP/nodefault.body" 'pg_up 1' && has "$TMP/nodefault.body" 'pg_stat_database_numbackends' &&
		! grep -Eq '^pg_(settings|stat_activity|stat_archiver|stat_replication|stat_database_conflicts|wal)_' "$TMP/nodefault.body"; then
		t_ok "--disable-default-metrics, \$PG_EXPORTER_DISABLE_SETTINGS_METRICS, --no-collector.wal"
	else
		t_fail "--disable-default-metrics and friends" "$(grep -Eo '^pg_[a-z]+_[a-z]+' "$TMP/nodefault.body" | sort -u | tr '\n' ' ')"
	fi
	srv_stop
else
	t_fail "exporter with --disable-default-metrics starts" "$(cat "$TMP/nodefault.log")"
fi

# ------------------------------------------------------------- bad DSNs
for dsn in "postgresql://monitor:$PASSWORD@[::1:5432/db" "host=x bogus_option=1 password=$PASSWORD" \
	"host=x password='$PASSWORD"; do
	rc=0
	DATA_SOURCE_NAME=$dsn "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	lines=$(wc -l <"$TMP/bad.err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && ! grep -q "$PASSWORD" "$TMP/bad.err"; then
		t_ok "bad DSN: exit 2, one line, no password ($(cat "$TMP/bad.err"))"
	else
		t_fail "bad DSN: exit 2, one line, no password" "rc=$rc $(cat "$TMP/bad.err")"
	fi
done
rc=0
"$BIN" postgres-exporter --extend.query-path=/nonexistent/q.yaml 2>"$TMP/bad.err" || rc=$?
[ "$rc" = 2 ] && t_ok "missing --extend.query-path: exit 2" || t_fail "missing --extend.query-path: exit 2" "rc=$rc"

# ----------------------------- server stopped and restarted under the exporter
if srv_start "$TMP/strict.log" env DATA_SOURCE_NAME="postgresql://monitor:$PASSWORD@127.0.0.1:$P1/postgres" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --web.unavailable-when-down; then
	SURL=http://127.0.0.1:$SRV_PORT/metrics
	STRICT_PID=$SRV_PID
	get strict_up "$SURL"
	[ "$CODE" = 200 ] && t_ok "--web.unavailable-when-down: 200 while up" || t_fail "--web.unavailable-when-down: 200 while up" "$CODE"
	pg_stop "$TMP/replica"
	pg_stop "$TMP/primary"
	get down "$URL"
	[ "$CODE" = 200 ] && has "$TMP/down.body" 'pg_up 0' && t_ok "server stopped: HTTP 200, pg_up 0" ||
		t_fail "server stopped: HTTP 200, pg_up 0" "$CODE $(grep '^pg_up' "$TMP/down.body")"
	check_body down
	has "$TMP/down.body" 'pg_scrape_collector_success\{collector="settings"\} 0' &&
		t_ok "server stopped: collectors report success 0" || t_fail "server stopped: collectors report success 0"
	get strict_down "$SURL"
	[ "$CODE" = 503 ] && has "$TMP/strict_down.body" 'pg_up 0' &&
		t_ok "--web.unavailable-when-down: 503 with the body while down" ||
		t_fail "--web.unavailable-when-down: 503 while down" "$CODE"
	pg_start "$TMP/primary" "$P1" "$PRIMARY_OPTS"
	up_again() { has "$TMP/again.body" 'pg_up 1' && has "$TMP/again.body" 'pg_settings_max_connections 100'; }
	if poll_until 20 again "$URL" up_again && kill -0 "$EP_PID"; then
		t_ok "server restarted: pg_up 1 again, same exporter process"
	else
		t_fail "server restarted: pg_up 1 again" "$(grep '^pg_up' "$TMP/again.body")"
	fi
	check_body again
	get strict_again "$SURL"
	[ "$CODE" = 200 ] && t_ok "--web.unavailable-when-down: 200 again" || t_fail "--web.unavailable-when-down: 200 again" "$CODE"
	kill -0 "$STRICT_PID" || t_fail "strict exporter still running"
else
	t_fail "strict exporter starts" "$(cat "$TMP/strict.log")"
fi

# ------------------------------------------------------ secrets and shutdown
leaks=$(grep -l "$PASSWORD" "$TMP"/*.log 2>/dev/null || true)
[ -z "$leaks" ] && t_ok "no password in any exporter log" || t_fail "no password in any exporter log" "$leaks"
SRV_PID=$EP_PID
srv_stop TERM 10
[ "$SRV_RC" = 0 ] && t_ok "SIGTERM: exit 0" || t_fail "SIGTERM: exit 0" "rc=$SRV_RC"
t_summary
