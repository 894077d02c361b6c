#!/usr/bin/env bash
#
# pg_query_path.sh BIN — postgres-exporter's query path against a real
# PostgreSQL 15 (log_min_duration_statement=0, so the server log shows
# every parse, bind and execute):
#  - each statement is prepared once per connection (one "parse
#    exporterbox_<nonce>_N" per statement over several scrapes, then only
#    bind/execute), and again after the connection is lost
#    (pg_terminate_backend): the table of prepared statements is forgotten
#    on reconnect, so no "does not exist" and no fallback;
#  - a user query whose table changes shape under its prepared statement
#    ("cached plan must not change result type", SQLSTATE 0A000) runs again
#    as a simple query: its collector still succeeds;
#  - the result cap on a real result: a user query returning ~8 MB fails
#    alone (success 0) under --postgres.max-result-bytes=1MiB while every
#    other collector succeeds, scrape after
#    scrape, and the log names the cap; under the default cap it reports;
#  - a scrape's statements sent in one batch (pg_plan.c): after the first
#    scrape, all of them in one server transaction (vxid in the log line
#    prefix); the time of each reported as its collector's; a filtered
#    scrape sends only its collectors'; a statement failing in the batch
#    fails alone, leaves the batch and comes back once it succeeds; one
#    still running at the batch's deadline is cancelled and fails alone,
#    the others' results kept;
#  - behind a real PgBouncer in transaction mode handing each transaction
#    to the other of two server connections (server_round_robin), where a
#    statement prepared on one backend "does not exist" (SQLSTATE 26000) on
#    the next: the exporter falls back to simple queries, says so once in
#    its log, and every collector of every scrape succeeds; the same for a
#    second exporter, whose names never meet the first one's.
#    Skipped (and said) when pgbouncer is not installed; the rest still runs.
# promtool on every body. Prints ok/FAIL per check and "N passed, N failed";
# exits 1 on any failure, 77 when PostgreSQL or a tool is missing.
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
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}

TMP=$(mktemp -d)
chmod 755 "$TMP"
BOUNCER_PID=
cleanup() {
	srv_kill_all
	[ -z "$BOUNCER_PID" ] || kill "$BOUNCER_PID" 2>/dev/null || true
	[ ! -s "$TMP/pgbouncer.pid" ] || kill "$(cat "$TMP/pgbouncer.pid")" 2>/dev/null || true
	pg_stop "$TMP/pg"
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

pg_init "$TMP/pg"
# free_port's port may still be some connection's local port: retried.
for _ in 1 2 3 4 5; do
	PORT=$(free_port)
	pg_start "$TMP/pg" "$PORT" -c fsync=off -c log_min_duration_statement=0 && break
done
pg_sql "$PORT" postgres "CREATE TABLE shape (k text, v int); INSERT INTO shape VALUES ('a', 1)"
LOG=$TMP/pg/server.log

cat >queries.yaml <<'YAML'
pg_shape:
  query: "SELECT * FROM shape"
  metrics:
    - k:
        usage: "LABEL"
        description: "Key"
    - v:
        usage: "GAUGE"
        description: "Value"
YAML
{
	cat queries.yaml
	cat <<-'YAML'
	pg_big:
	  query: "SELECT g::text AS k, repeat('x', 80) AS pad, 1 AS v FROM generate_series(1, 100000) g"
	  metrics:
	    - k:
	        usage: "LABEL"
	        description: "Key"
	    - pad:
	        usage: "DISCARD"
	        description: "Padding"
	    - v:
	        usage: "GAUGE"
	        description: "Value"
	YAML
} >big.yaml

CODE=
scrape() { # scrape NAME : body in NAME.body, status in CODE
	CODE=$(curl -s --max-time 30 -o "$1.body" -w '%{http_code}' "$BASE/metrics") || CODE=curl-error
}
parses() {
	local rc=0
	promtool check metrics <"$1.body" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]	# 3: lint warnings only (upstream's names)
}
success() { # success NAME COLLECTOR VALUE
	grep -qx "pg_scrape_collector_success{collector=\"$2\"} $3" "$1.body"
}
all_ok() { # every collector but the ones named succeeded, and pg_up 1
	local failed
	failed=$(grep '^pg_scrape_collector_success{.*} 0$' "$1.body" | sed 's/.*collector="\([^"]*\)".*/\1/')
	shift
	for c in "$@"; do failed=$(printf '%s\n' "$failed" | grep -vx "$c" || true); done
	[ -z "$failed" ] || { echo "failed: $failed"; return 1; }
}
check_scrape() { # check_scrape NAME [COLLECTORS ALLOWED TO FAIL...]
	local name=$1
	scrape "$name"
	t_check "$name: HTTP 200" test "$CODE" = 200
	t_check "$name: promtool check metrics" parses "$name"
	t_check "$name: pg_up 1" grep -qx "pg_up 1" "$name.body"
	t_check "$name: every other collector succeeded" all_ok "$@"
}
parse_count() { grep -Ec "parse exporterbox_[0-9a-f]{16}_$1:" "$LOG" || true; }

# ------------------------------------------------- direct: prepared once
export DATA_SOURCE_NAME="host=127.0.0.1 port=$PORT user=postgres dbname=postgres sslmode=disable"
srv_start direct.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/queries.yaml" ||
	{ t_fail "exporter starts" "$(cat direct.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
for i in 1 2 3; do check_scrape "direct$i"; done
t_check "direct: the server executes prepared statements" grep -Eq "execute exporterbox_[0-9a-f]{16}_0:" "$LOG"
t_check "direct: exporterbox_0 parsed once over 3 scrapes" test "$(parse_count 0)" = 1
t_check "direct: exporterbox_5 parsed once over 3 scrapes" test "$(parse_count 5)" = 1
t_check "direct: no simple query after the session setup" \
	bash -c "! grep 'statement: SELECT' '$LOG' | grep -v 'SELECT version()' | grep -q ."

# The connection lost: re-prepared on the new one, no fallback.
pg_sql "$PORT" postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'postgres_exporter'" >/dev/null
scrape lost		# the collectors find the connection gone (failures allowed)
check_scrape reconnected
t_check "reconnect: exporterbox_0 prepared again" test "$(parse_count 0)" = 2
t_check "reconnect: no fallback to simple queries" \
	bash -c "! grep -q 'prepared statements do not work' direct.log"

# A table changing shape under its prepared statement (0A000): runs as is.
pg_sql "$PORT" postgres "ALTER TABLE shape ADD COLUMN extra int"
check_scrape shape
t_check "shape: the server said 'cached plan must not change result type'" \
	grep -q "cached plan must not change result type" "$LOG"
t_check "shape: the user query still reports" grep -q '^pg_shape_v{k="a"} 1' shape.body
srv_stop TERM 10
t_check "direct: clean exit on SIGTERM" test "$SRV_RC" = 0

# ---------------------------------------- a scrape's queries in one batch
# The statements a scrape ran are sent at once at the start of the next
# (pg_plan.c): with one sync, so the server runs them in one transaction,
# which its log shows as one virtual transaction id per batch.
pg_sql "$PORT" postgres "ALTER SYSTEM SET log_line_prefix = '%m [%p] vxid=%v '" >/dev/null
pg_sql "$PORT" postgres "SELECT pg_reload_conf()" >/dev/null
pg_sql "$PORT" postgres "CREATE TABLE flaky (x int); INSERT INTO flaky VALUES (1);
	CREATE SEQUENCE probe"
cat >batch.yaml <<'YAML'
pg_flaky:
  query: "SELECT 1 / (SELECT count(*) FROM flaky)::int AS v"
  master: true
  metrics:
    - v:
        usage: "GAUGE"
        description: "Fails while flaky is empty"
pg_slow:
  query: "SELECT 1 AS v FROM pg_sleep(0.3)"
  master: true
  metrics:
    - v:
        usage: "GAUGE"
        description: "Takes 0.3 s"
pg_probe:
  query: "SELECT nextval('probe') AS v"
  master: true
  metrics:
    - v:
        usage: "GAUGE"
        description: "Counts its runs"
YAML
srv_start batch.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/batch.yaml" ||
	{ t_fail "exporter for the batch starts" "$(cat batch.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
log_mark() { MARK=$(($(wc -l <"$LOG") + 1)); }
since_mark() { tail -n +"$MARK" "$LOG"; }
# Distinct transactions of the exporter's statements since the mark.
transactions() {
	since_mark | grep -E "execute exporterbox_[0-9a-f]{16}_[0-9]+:" |
		sed -n 's/.* vxid=\([^ ]*\) .*/\1/p' | sort -u | wc -l
}
executes() { since_mark | grep -cE "execute exporterbox_[0-9a-f]{16}_[0-9]+:" || true; }
errors() { since_mark | grep -c "ERROR:  division by zero" || true; }
duration() { # duration NAME COLLECTOR
	sed -n "s/^pg_scrape_collector_duration_seconds{collector=\"$2\"} //p" "$1.body"
}
log_mark
check_scrape batch1
t_check "batch1 (nothing learnt yet): one statement after another ($(transactions) transactions)" \
	test "$(transactions)" -gt 5
log_mark
check_scrape batch2
t_check "batch2: all $(executes) statements of the scrape in one transaction ($(transactions))" \
	bash -c "[ $(transactions) = 1 ] && [ $(executes) -gt 10 ]"
# A slow batch: the next one asks for each result as soon as it is ready.
check_scrape batch3
t_check "batch3: pg_sleep's 0.3 s reported as extend_query_path's ($(duration batch3 extend_query_path) s)" \
	awk -v d="$(duration batch3 extend_query_path)" 'BEGIN { exit !(d >= 0.25) }'
for c in database locks settings stat_database; do
	t_check "batch3: not as $c's ($(duration batch3 $c) s)" \
		awk -v d="$(duration batch3 $c)" 'BEGIN { exit !(d < 0.25) }'
done
# A filtered scrape sends only its collectors' statements.
probe=$(pg_sql "$PORT" postgres "SELECT last_value FROM probe")
CODE=$(curl -s --max-time 30 -o filtered.body -w '%{http_code}' "$BASE/metrics?collect[]=settings")
t_check "filtered scrape (collect[]=settings): HTTP 200 with settings" \
	bash -c "[ '$CODE' = 200 ] && grep -q '^pg_settings_max_connections ' filtered.body"
t_check "filtered scrape: extend_query_path's statements not run (probe still $probe)" \
	test "$(pg_sql "$PORT" postgres "SELECT last_value FROM probe")" = "$probe"
# A statement failing in the batch: the ones after it run alone, it fails
# alone, and it leaves the batch until it succeeds again.
pg_sql "$PORT" postgres "DELETE FROM flaky"
log_mark
check_scrape flaky1 extend_query_path
t_check "flaky1: extend_query_path fails (success 0)" success flaky1 extend_query_path 0
err_vxid=$(since_mark | grep "ERROR:  division by zero" | sed -n 's/.* vxid=\([^ ]*\) .*/\1/p')
t_check "flaky1: the error met in the batch (its transaction: $err_vxid)" \
	bash -c "since_mark() { tail -n +$MARK '$LOG'; }; since_mark | grep -E 'execute exporterbox_' | grep -q ' vxid=$err_vxid '"
t_check "flaky1: and handed to its collector, not run again ($(errors) errors)" test "$(errors)" = 1
log_mark
check_scrape flaky2 extend_query_path
t_check "flaky2: the failing statement runs alone, once ($(errors) errors)" test "$(errors)" = 1
t_check "flaky2: the others still in one batch ($(transactions) transactions)" \
	test "$(transactions)" = 1
pg_sql "$PORT" postgres "INSERT INTO flaky VALUES (1)"
check_scrape flaky3
t_check "flaky3: it succeeds alone" success flaky3 extend_query_path 1
log_mark
check_scrape flaky4
t_check "flaky4: back in the batch ($(transactions) transaction)" test "$(transactions)" = 1
t_check "flaky4: and reports" grep -qx "pg_flaky_v 1" flaky4.body
# settings writes the text kept for rows it saw before: the same text as
# the first scrape's, and a changed setting in the next scrape after the
# backend reloads its configuration.
settings_text() { grep -E '^(# (HELP|TYPE) )?pg_settings_' "$1.body"; }
t_check "settings: kept text equals the first scrape's ($(settings_text flaky4 | wc -l) lines)" \
	bash -c "[ $(settings_text flaky4 | wc -l) -gt 300 ] && diff <(grep -E '^(# (HELP|TYPE) )?pg_settings_' batch1.body) <(grep -E '^(# (HELP|TYPE) )?pg_settings_' flaky4.body)"
pg_sql "$PORT" postgres "ALTER SYSTEM SET work_mem = '7MB'" >/dev/null
pg_sql "$PORT" postgres "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 50); do
	scrape reload
	grep -qx 'pg_settings_work_mem_bytes 7340032' reload.body && break
	sleep 0.2
done
t_check "settings: a reloaded work_mem (7MB) in the next scrapes" \
	grep -qx 'pg_settings_work_mem_bytes 7340032' reload.body
t_check "settings: nothing else of it changed" \
	bash -c "diff <(grep -E '^(# (HELP|TYPE) )?pg_settings_' flaky4.body | grep -v '^pg_settings_work_mem_bytes ') <(grep -E '^(# (HELP|TYPE) )?pg_settings_' reload.body | grep -v '^pg_settings_work_mem_bytes ')"
# The kept text is the text format's: an OpenMetrics scrape writes its own
# (its HELP escapes quotes), and the next text scrape the text one again.
curl -s --max-time 30 -o om.body -H 'Accept: application/openmetrics-text; version=1.0.0' "$BASE/metrics"
scrape text_again
t_check "settings: OpenMetrics after text escapes the quotes of a HELP" \
	grep -qxF '# HELP pg_settings_transform_null_equals Treats \"expr=NULL\" as \"expr IS NULL\".' om.body
t_check "settings: and text after OpenMetrics does not" \
	grep -qxF '# HELP pg_settings_transform_null_equals Treats "expr=NULL" as "expr IS NULL".' text_again.body
pg_sql "$PORT" postgres "ALTER SYSTEM RESET work_mem" >/dev/null
pg_sql "$PORT" postgres "SELECT pg_reload_conf()" >/dev/null
srv_stop TERM 10
t_check "batch: clean exit on SIGTERM" test "$SRV_RC" = 0

# A statement still running at the batch's deadline (no statement_timeout,
# a 4 s scrape): cancelled; the results before it are kept, it fails its
# collector alone and runs alone from then on. The batch starts on a
# connection with one statement prepared: the ones it prepares itself must
# be known after the cancel (or the next prepare would take a name the
# server has: "already exists", and the fallback to simple queries).
pg_sql "$PORT" postgres "CREATE TABLE ctl (s float8); INSERT INTO ctl VALUES (0)"
cat >slow.yaml <<'YAML'
pg_napper:
  query: "SELECT 1 AS v FROM pg_sleep((SELECT s FROM ctl))"
  master: true
  metrics:
    - v:
        usage: "GAUGE"
        description: "Sleeps as long as ctl says"
YAML
srv_start slow.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/slow.yaml" --web.scrape-timeout=4s \
	--postgres.statement-timeout=0 ||
	{ t_fail "exporter for the slow batch starts" "$(cat slow.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
for i in 1 2; do check_scrape "nap$i"; done
pg_sql "$PORT" postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'postgres_exporter'" >/dev/null
CODE=$(curl -s --max-time 30 -o nap.filtered.body -w '%{http_code}' "$BASE/metrics?collect[]=settings")
t_check "nap: a filtered scrape on a new connection (one statement prepared): HTTP 200" test "$CODE" = 200
t_check "nap: its batch met the lost connection; its statement then ran on a new one" \
	success nap.filtered settings 1
pg_sql "$PORT" postgres "UPDATE ctl SET s = 10"
start=$SECONDS
check_scrape slow1 extend_query_path
t_check "slow1: answered by the deadline (4 s; $((SECONDS - start)) s <= 6)" test $((SECONDS - start)) -le 6
t_check "slow1: the sleeper fails" success slow1 extend_query_path 0
sleep 1.5	# the grace of a cancel
check_scrape slow2 extend_query_path wal
t_check "slow2: the sleeper fails alone" success slow2 extend_query_path 0
pg_sql "$PORT" postgres "UPDATE ctl SET s = 0"
sleep 1.5
check_scrape slow3
check_scrape slow4
t_check "slow: no statement name taken twice (42P05)" bash -c "! grep -q 'already exists' '$LOG'"
t_check "slow: no fallback to simple queries" \
	bash -c "! grep -q 'prepared statements do not work' slow.log"
srv_stop TERM 10
t_check "slow: clean exit on SIGTERM" test "$SRV_RC" = 0

# ---------------------------------- the cap on a real result (~8 MB)
srv_start cap.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/big.yaml" --postgres.max-result-bytes=1048576 ||
	{ t_fail "exporter with a 1 MiB cap starts" "$(cat cap.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
for i in 1 2; do check_scrape "cap$i" extend_query_path; done
t_check "cap: the big user query fails (success 0)" success cap2 extend_query_path 0
t_check "cap: its families are absent" bash -c "! grep -q '^pg_big_v' cap2.body"
t_check "cap: the log names the cap" grep -q "max-result-bytes" cap.log
srv_stop TERM 10
srv_start nocap.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$TMP/big.yaml" ||
	{ t_fail "exporter with the default cap starts" "$(cat nocap.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
check_scrape nocap
t_check "default cap (64 MiB): the big user query reports" \
	test "$(grep -c '^pg_big_v{' nocap.body)" = 100000
srv_stop TERM 10

# -------------------------------- PgBouncer, transaction mode, 2 backends
if [ ! -x "$PGBOUNCER" ]; then
	echo "# pgbouncer not installed: the fallback behind a pooler is not checked"
	t_summary
	exit $?
fi
printf '"postgres" ""\n' >users.txt
start_bouncer() {
	BPORT=$(free_port)
	cat >pgbouncer.ini <<-INI
	[databases]
	postgres = host=127.0.0.1 port=$PORT dbname=postgres user=postgres
	[pgbouncer]
	listen_addr = 127.0.0.1
	listen_port = $BPORT
	unix_socket_dir =
	auth_type = trust
	auth_file = $TMP/users.txt
	pool_mode = transaction
	default_pool_size = 2
	server_round_robin = 1
	logfile = $TMP/pgbouncer.log
	pidfile = $TMP/pgbouncer.pid
	INI
	pg_own "$TMP"
	pg_as "$PGBOUNCER" pgbouncer.ini >/dev/null 2>&1 &
	BOUNCER_PID=$!
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$BPORT") 2>/dev/null && return 0
		kill -0 "$BOUNCER_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
for _ in 1 2 3 4 5; do start_bouncer && break; done
# Two server connections in the pool: two clients at once.
CLIENTS=()
for _ in 1 2; do
	"$PSQL" -X -q -At -h 127.0.0.1 -p "$BPORT" -U postgres -d postgres \
		-c "SELECT pg_sleep(0.5)" >/dev/null &
	CLIENTS+=($!)
done
wait "${CLIENTS[@]}" || true

export DATA_SOURCE_NAME="host=127.0.0.1 port=$BPORT user=postgres dbname=postgres sslmode=disable"
srv_start bouncer.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 ||
	{ t_fail "exporter behind pgbouncer starts" "$(cat bouncer.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
for i in 1 2 3; do check_scrape "bouncer$i"; done
t_check "pgbouncer: the server said a statement does not exist (a real 26000)" \
	grep -Eq 'prepared statement "exporterbox_[0-9a-f]{16}_[0-9]+" does not exist' "$LOG"
t_check "pgbouncer: the fallback is logged" grep -q "prepared statements do not work" bouncer.log
t_check "pgbouncer: once" test "$(grep -c 'prepared statements do not work' bouncer.log)" = 1
srv_stop TERM 10
t_check "pgbouncer: clean exit on SIGTERM" test "$SRV_RC" = 0
# A second exporter: the pooled backends keep the first one's statements.
# Names carry a random part per connection, so its statements are never the
# first one's (with plain counters, its exporterbox_3 ran the first one's
# exporterbox_3 and a collector failed on the wrong columns): same fallback.
srv_start bouncer2.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 ||
	{ t_fail "second exporter behind pgbouncer starts" "$(cat bouncer2.log)"; t_summary; exit 1; }
BASE="http://127.0.0.1:$SRV_PORT"
for i in 1 2; do check_scrape "second$i"; done
t_check "pgbouncer, second exporter: the fallback logged once" \
	test "$(grep -c 'prepared statements do not work' bouncer2.log)" = 1
t_check "pgbouncer, second exporter: no name ever taken (42P05)" \
	bash -c "! grep -q 'already exists' '$LOG'"
srv_stop TERM 10
t_summary
