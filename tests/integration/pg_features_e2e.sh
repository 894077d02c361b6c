#!/usr/bin/env bash
#
# pg_features_e2e.sh BIN — postgres-exporter's upstream extras against real
# PostgreSQL 15 servers started here (two clusters on loopback ports):
# --auto-discover-databases over three databases (one named with quotes, a
# backslash and UTF-8) with --include-databases / --exclude-databases, a
# database created and one dropped under a running exporter; several
# comma-separated DSNs in DATA_SOURCE_NAME (server label, one server down);
# --constantLabels; --metric-prefix; the PG_EXPORTER_* twins of upstream's
# flags; /probe targets closed after --probe.target-idle-timeout.
# promtool on every body. Prints ok/FAIL per check and "N passed, N failed";
# exits 1 on any failure, 77 when the PostgreSQL server binaries are missing.
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

TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() {
	srv_kill_all
	pg_stop "$TMP/one"
	pg_stop "$TMP/two"
	rm -rf "$TMP"
}
trap cleanup EXIT

WEIRD_DB=$'q"uo\'te\\d\xc3\xbc\xe2\x82\xac'		# q"uo'te\dü€
ESC_DB='q\\"uo'"'"'te\\\\dü€'			# as a label value, as a regex
CURL=(curl -s --max-time 20)
LINT='^[a-z]+_[a-z0-9_]+ (counter metrics should have "_total" suffix|non-histogram and non-summary metrics should not have "_count" suffix)$|^[a-z]+_settings_[a-z0-9_]+ (use base unit|metric names should be written)'

CODE=
get() { # get NAME URL [CURL-ARGS...] : body into $TMP/NAME.body, status into CODE
	local name=$1 url=$2
	shift 2
	CODE=$("${CURL[@]}" "$@" -o "$TMP/$name.body" -w '%{http_code}' "$url") || CODE="curl-error-$?"
}
has() { grep -Eq "^$2" "$1"; }
count_of() { grep -Ec "^$2" "$1" || true; }
promtool_ok() {
	local rc=0 other
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && return 0
	[ "$rc" -eq 3 ] || { cat "$1.lint"; return 1; }
	other=$(grep -Ev "$LINT" "$1.lint" || true)
	[ -z "$other" ] || { printf '%s\n' "$other"; return 1; }
}
# check NAME : HTTP 200, promtool, no family announced twice
check_body() {
	[ "$CODE" = 200 ] && t_ok "$1: HTTP 200" || t_fail "$1: HTTP 200" "$CODE"
	t_check "$1: promtool check metrics" promtool_ok "$TMP/$1.body"
	local dup
	dup=$(grep -E '^# (HELP|TYPE) ' "$TMP/$1.body" | sort | uniq -d)
	[ -z "$dup" ] && t_ok "$1: every family announced once" || t_fail "$1: every family announced once" "$dup"
}
expect() { # expect NAME REGEX... : every regex matches a line of the body
	local name=$1 re
	shift
	for re in "$@"; do
		has "$TMP/$name.body" "$re" && t_ok "$name: $re" ||
			t_fail "$name: $re" "$(grep -aE "^${re%%[\\{ ]*}" "$TMP/$name.body" | head -n 5)"
	done
}
refuse() { # refuse NAME REGEX... : no line matches
	local name=$1 re
	shift
	for re in "$@"; do
		has "$TMP/$name.body" "$re" && t_fail "$name: no $re" "$(grep -aE "^$re" "$TMP/$name.body" | head -n 3)" ||
			t_ok "$name: no $re"
	done
}
sessions() { # sessions PORT : the exporter's server sessions
	pg_sql "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'postgres_exporter'"
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
start() { # start NAME CMD... : the exporter, or the test ends
	local name=$1
	shift
	if srv_start "$TMP/$name.log" "$@"; then
		URL=http://127.0.0.1:$SRV_PORT
		RUNNING=$name
	else
		t_fail "$name: exporter starts" "$(cat "$TMP/$name.log")"
		exit 1
	fi
}
stop_ok() { # the exporter started last exits 0 on SIGTERM (sanitizers: no report)
	srv_stop
	[ "$SRV_RC" = 0 ] && t_ok "$RUNNING: exit 0 on SIGTERM" ||
		t_fail "$RUNNING: exit 0 on SIGTERM" "$SRV_RC: $(tail -n 20 "$TMP/$RUNNING.log")"
}
quiet_log() { # quiet_log NAME : no warning or error logged
	local bad
	bad=$(grep -E 'level=(warn|error)' "$TMP/$1.log" || true)
	[ -z "$bad" ] && t_ok "$1: no warning or error logged" || t_fail "$1: no warning or error logged" "$bad"
}

# ------------------------------------------------------------ the servers
pg_init "$TMP/one"
pg_init "$TMP/two"
P1=$(pg_start_any "$TMP/one")
P2=$(pg_start_any "$TMP/two")
for db in alpha "${WEIRD_DB//\"/\"\"}"; do pg_sql "$P1" postgres "CREATE DATABASE \"$db\""; done
pg_sql "$P1" postgres "CREATE TABLE t_main (id int)"
pg_sql "$P1" alpha "CREATE TABLE t_alpha (id int)"
pg_sql "$P1" "$WEIRD_DB" "CREATE TABLE t_weird (id int); INSERT INTO t_weird VALUES (1), (2)"
t_ok "two clusters (ports $P1, $P2); databases postgres, alpha and the odd-named one"

QUERIES=$TMP/queries.yaml
cat >"$QUERIES" <<'YAML'
pg_db_tables:
  query: "SELECT current_database() AS datname, count(*) AS tables FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
  metrics:
    - datname:
        usage: "LABEL"
        description: "Database"
    - tables:
        usage: "GAUGE"
        description: "User tables in the database"
pg_cluster_once:
  query: "SELECT 1 AS one"
  master: true
  metrics:
    - one:
        usage: "GAUGE"
        description: "Runs on the data source's database only"
YAML
DSN1="host=127.0.0.1 port=$P1 user=postgres dbname=postgres"

# ------------------------------------------------ --auto-discover-databases
start discover env DATA_SOURCE_NAME="$DSN1" "$BIN" postgres-exporter \
	--web.listen-address=127.0.0.1:0 --auto-discover-databases --extend.query-path="$QUERIES" \
	--collector.statio_user_indexes
get discover "$URL/metrics"
check_body discover
expect discover \
	'pg_db_tables_tables\{datname="postgres"\} 1' 'pg_db_tables_tables\{datname="alpha"\} 1' \
	"pg_db_tables_tables\\{datname=\"$ESC_DB\"\\} 1" \
	'pg_stat_user_tables_n_tup_ins\{datname="postgres",schemaname="public",relname="t_main"\} 0' \
	'pg_stat_user_tables_seq_scan\{datname="alpha",schemaname="public",relname="t_alpha"\} ' \
	"pg_stat_user_tables_n_tup_ins\\{datname=\"$ESC_DB\",schemaname=\"public\",relname=\"t_weird\"\\} 2" \
	"pg_statio_user_tables_heap_blocks_hit\\{datname=\"$ESC_DB\",schemaname=\"public\",relname=\"t_weird\"\\} " \
	'pg_cluster_once_one 1' 'pg_up 1' \
	'pg_scrape_collector_success\{collector="stat_user_tables"\} 1' \
	'pg_scrape_collector_success\{collector="extend_query_path"\} 1'
n=$(count_of "$TMP/discover.body" 'pg_cluster_once_one')
[ "$n" = 1 ] && t_ok "discover: a master query runs once" || t_fail "discover: a master query runs once" "$n"
n=$(count_of "$TMP/discover.body" 'pg_database_size_bytes\{')
[ "$n" = 5 ] && t_ok "discover: cluster-wide collectors run once (5 databases)" ||
	t_fail "discover: cluster-wide collectors run once" "$n"
n=$(sessions "$P1")
[ "$n" = 3 ] && t_ok "discover: one session per database (3)" || t_fail "discover: one session per database" "$n"
get discover "$URL/metrics"
n=$(sessions "$P1")
[ "$n" = 3 ] && t_ok "discover: sessions kept across scrapes" || t_fail "discover: sessions kept across scrapes" "$n"

pg_sql "$P1" postgres "CREATE DATABASE gamma"
pg_sql "$P1" gamma "CREATE TABLE t_gamma (id int); CREATE TABLE t_gamma2 (id int)"
get discover2 "$URL/metrics"
check_body discover2
expect discover2 'pg_db_tables_tables\{datname="gamma"\} 2' \
	'pg_stat_user_tables_seq_scan\{datname="gamma",schemaname="public",relname="t_gamma2"\} '
pg_sql "$P1" postgres "DROP DATABASE alpha WITH (FORCE)"
get discover3 "$URL/metrics"
check_body discover3
refuse discover3 'pg_db_tables_tables\{datname="alpha"\}' '[a-z_]+\{datname="alpha"'
expect discover3 'pg_db_tables_tables\{datname="gamma"\} 2' \
	'pg_scrape_collector_success\{collector="stat_user_tables"\} 1' \
	'pg_scrape_collector_success\{collector="extend_query_path"\} 1' 'pg_exporter_last_scrape_error 0'
n=$(sessions "$P1")
[ "$n" = 3 ] && t_ok "discover: the dropped database's session is gone (3: postgres, gamma, odd)" ||
	t_fail "discover: sessions after the drop" "$n"
grep -q 'msg="database gone, connection closed" target=127.0.0.1:[0-9]*/alpha' "$TMP/discover.log" &&
	t_ok "discover: the dropped database is logged once, as gone" ||
	t_fail "discover: drop logged" "$(cat "$TMP/discover.log")"
quiet_log discover
stop_ok
pg_sql "$P1" postgres "CREATE DATABASE alpha"

# The lists, also through their environment twins.
start exclude env DATA_SOURCE_NAME="$DSN1" PG_EXPORTER_AUTO_DISCOVER_DATABASES=true \
	PG_EXPORTER_EXCLUDE_DATABASES="gamma, alpha" PG_EXPORTER_EXTEND_QUERY_PATH="$QUERIES" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0
get exclude "$URL/metrics"
check_body exclude
expect exclude 'pg_db_tables_tables\{datname="postgres"\} 1' "pg_db_tables_tables\\{datname=\"$ESC_DB\"\\} 1"
refuse exclude 'pg_db_tables_tables\{datname="gamma"\}' 'pg_db_tables_tables\{datname="alpha"\}' \
	'pg_database_size_bytes\{datname="gamma"\}' 'pg_database_size_bytes\{datname="alpha"\}'
expect exclude "pg_database_size_bytes\\{datname=\"$ESC_DB\"\\} [1-9]"
stop_ok
start include env DATA_SOURCE_NAME="$DSN1" PG_EXPORTER_INCLUDE_DATABASES="$WEIRD_DB" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --auto-discover-databases \
	--extend.query-path="$QUERIES"
get include "$URL/metrics"
check_body include
expect include 'pg_db_tables_tables\{datname="postgres"\} 1' "pg_db_tables_tables\\{datname=\"$ESC_DB\"\\} 1"
refuse include 'pg_db_tables_tables\{datname="gamma"\}' 'pg_db_tables_tables\{datname="alpha"\}'
stop_ok
start plain env DATA_SOURCE_NAME="$DSN1" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--include-databases=gamma --extend.query-path="$QUERIES" --exclude-databases="x,$WEIRD_DB"
get plain "$URL/metrics"
check_body plain
expect plain 'pg_db_tables_tables\{datname="postgres"\} 1' 'pg_database_size_bytes\{datname="gamma"\} [1-9]' \
	'pg_scrape_collector_success\{collector="database"\} 1'
refuse plain 'pg_db_tables_tables\{datname="gamma"\}' "pg_database_size_bytes\\{datname=\"$ESC_DB\"\\}"
n=$(sessions "$P1")
[ "$n" = 1 ] && t_ok "plain: without --auto-discover-databases, one session" || t_fail "plain: one session" "$n"
stop_ok

# ------------------------------------------------------- several data sources
MULTI="postgresql://postgres@127.0.0.1:$P1/postgres?sslmode=disable,host=127.0.0.1 port=$P2 user=postgres dbname=postgres"
start multi env DATA_SOURCE_NAME="$MULTI" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--extend.query-path="$QUERIES"
get multi "$URL/metrics"
check_body multi
expect multi "pg_up\\{server=\"127.0.0.1:$P1\"\\} 1" "pg_up\\{server=\"127.0.0.1:$P2\"\\} 1" \
	"pg_db_tables_tables\\{datname=\"postgres\",server=\"127.0.0.1:$P1\"\\} 1" \
	"pg_db_tables_tables\\{datname=\"postgres\",server=\"127.0.0.1:$P2\"\\} 0" \
	"pg_stat_database_numbackends\\{datid=\"[0-9]+\",datname=\"postgres\",server=\"127.0.0.1:$P2\"\\} " \
	"pg_scrape_collector_success\\{collector=\"settings\",server=\"127.0.0.1:$P1\"\\} 1" \
	"pg_settings_max_connections\\{server=\"127.0.0.1:$P2\"\\} 100" 'process_resident_memory_bytes [0-9]'
n=$(grep -Ev '^(#|process_|postgres_exporter_)' "$TMP/multi.body" | grep -vc 'server="127.0.0.1:' || true)
[ "$n" = 0 ] && t_ok "multi: every pg series has a server label" || t_fail "multi: every series has a server label" "$n"
n=$(count_of "$TMP/multi.body" 'process_resident_memory_bytes')
[ "$n" = 1 ] && t_ok "multi: process_* once" || t_fail "multi: process_* once" "$n"
[ "$(sessions "$P1")" = 1 ] && [ "$(sessions "$P2")" = 1 ] && t_ok "multi: one session on each server" ||
	t_fail "multi: one session on each server" "$(sessions "$P1") $(sessions "$P2")"
pg_stop "$TMP/two"
get multi_down "$URL/metrics"
check_body multi_down
expect multi_down "pg_up\\{server=\"127.0.0.1:$P1\"\\} 1" "pg_up\\{server=\"127.0.0.1:$P2\"\\} 0" \
	"pg_db_tables_tables\\{datname=\"postgres\",server=\"127.0.0.1:$P1\"\\} 1"
pg_start "$TMP/two" "$P2"
get multi_back "$URL/metrics"
check_body multi_back
expect multi_back "pg_up\\{server=\"127.0.0.1:$P2\"\\} 1"
stop_ok
# --web.unavailable-when-down: 503 while one of them is down.
pg_stop "$TMP/two"
start multi503 env DATA_SOURCE_NAME="$MULTI" "$BIN" postgres-exporter \
	--web.listen-address=127.0.0.1:0 --web.unavailable-when-down
get multi503 "$URL/metrics"
[ "$CODE" = 503 ] && t_ok "multi503: HTTP 503 while one data source is down" || t_fail "multi503: 503" "$CODE"
expect multi503 "pg_up\\{server=\"127.0.0.1:$P2\"\\} 0"
stop_ok
pg_start "$TMP/two" "$P2"
# A libpq host list is one data source (its commas are not DSN separators).
start hostlist env DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/postgres" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0
get hostlist "$URL/metrics"
check_body hostlist
expect hostlist 'pg_up 1'
refuse hostlist '[a-z_]+\{.*server='
stop_ok
# A constant label named server would repeat series: refused.
out=$(DATA_SOURCE_NAME="$MULTI" "$BIN" postgres-exporter --constantLabels=server=mine 2>&1) && rc=0 || rc=$?
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	t_ok "multi: --constantLabels=server=... refused (exit 2, one line)" || t_fail "multi: constant server refused" "$rc: $out"
# The same server twice: host:port/db tells them apart.
start same env DATA_SOURCE_NAME="$DSN1,$DSN1 dbname=alpha" "$BIN" postgres-exporter \
	--web.listen-address=127.0.0.1:0
get same "$URL/metrics"
check_body same
expect same "pg_up\\{server=\"127.0.0.1:$P1/postgres\"\\} 1" "pg_up\\{server=\"127.0.0.1:$P1/alpha\"\\} 1"
stop_ok
out=$(DATA_SOURCE_NAME="host=127.0.0.1 password=Secret-Pw,host=x nosuch=1" "$BIN" postgres-exporter \
	--web.listen-address=127.0.0.1:0 2>&1) && rc=0 || rc=$?
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out == *"data source 2"* ]] &&
	[[ $out != *Secret-Pw* ]] && t_ok "a bad second DSN: exit 2, one line naming it, no password" ||
	t_fail "a bad second DSN" "$rc: $out"

# ----------------------------------------------------------- constant labels
start constant env DATA_SOURCE_NAME="$DSN1" PG_EXPORTER_CONSTANT_LABELS="env=prod, team = d\"b,datname=x" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0
get constant "$URL/metrics"
check_body constant
n=$(grep -v '^#' "$TMP/constant.body" | grep -vc 'env="prod",team="d\\"b"' || true)
[ "$n" = 0 ] && t_ok "constant: every series has env and team" || t_fail "constant: every series has the labels" "$n"
expect constant 'pg_up\{env="prod",team="d\\"b",datname="x"\} 1' \
	'pg_stat_database_numbackends\{datid="[0-9]+",datname="postgres",env="prod",team="d\\"b"\} '
get constant_om "$URL/metrics" -H 'Accept: application/openmetrics-text; version=1.0.0'
[ "$(tail -n 1 "$TMP/constant_om.body")" = "# EOF" ] && [ "$(grep -c '^# EOF' "$TMP/constant_om.body")" = 1 ] &&
	t_ok "constant: OpenMetrics body ends with one # EOF" || t_fail "constant: OpenMetrics # EOF" "$(tail -n 3 "$TMP/constant_om.body")"
expect constant_om 'pg_up\{env="prod"'
stop_ok
start constant_flag env DATA_SOURCE_NAME="$DSN1" PG_EXPORTER_CONSTANT_LABELS="ignored=1" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --constantLabels=region=eu
get constant_flag "$URL/metrics"
check_body constant_flag
expect constant_flag 'pg_up\{region="eu"\} 1'
refuse constant_flag '[a-z_]+\{.*ignored='
stop_ok
for bad in 'noequals' '0bad=1' '__x=1' 'a=1,a=2'; do
	out=$(DATA_SOURCE_NAME="$DSN1" "$BIN" postgres-exporter --constantLabels="$bad" 2>&1) && rc=0 || rc=$?
	[ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && t_ok "--constantLabels=$bad: exit 2, one line" ||
		t_fail "--constantLabels=$bad" "$rc: $out"
done

# -------------------------------------------------- environment twins, prefix
start envs env DATA_SOURCE_NAME="$DSN1" PG_EXPORTER_WEB_TELEMETRY_PATH=/pgmetrics \
	PG_EXPORTER_DISABLE_DEFAULT_METRICS=true PG_EXPORTER_DISABLE_SETTINGS_METRICS=true \
	PG_EXPORTER_METRIC_PREFIX=pgx "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0
get envs "$URL/pgmetrics"
check_body envs
expect envs 'pgx_up 1' 'pgx_stat_database_numbackends\{' 'pgx_scrape_collector_success\{collector="database"\} 1'
refuse envs 'pg_' 'pgx_settings_' 'pgx_stat_activity_count' 'pgx_stat_archiver_'
get envs_old "$URL/metrics"
[ "$CODE" = 404 ] && t_ok "envs: /metrics is 404 when PG_EXPORTER_WEB_TELEMETRY_PATH moves it" ||
	t_fail "envs: /metrics 404" "$CODE"
stop_ok
help=$("$BIN" postgres-exporter --help 2>&1)
for var in PG_EXPORTER_WEB_LISTEN_ADDRESS PG_EXPORTER_WEB_TELEMETRY_PATH PG_EXPORTER_DISABLE_DEFAULT_METRICS \
	PG_EXPORTER_DISABLE_SETTINGS_METRICS PG_EXPORTER_AUTO_DISCOVER_DATABASES PG_EXPORTER_EXCLUDE_DATABASES \
	PG_EXPORTER_INCLUDE_DATABASES PG_EXPORTER_EXTEND_QUERY_PATH PG_EXPORTER_CONSTANT_LABELS \
	PG_EXPORTER_METRIC_PREFIX PG_EXPORTER_CONFIG_FILE; do
	[[ $help == *"$var"* ]] && t_ok "--help names $var" || t_fail "--help names $var"
done
out=$(DATA_SOURCE_NAME="$DSN1" "$BIN" postgres-exporter --metric-prefix=1x 2>&1) && rc=0 || rc=$?
[ "$rc" = 2 ] && t_ok "--metric-prefix=1x: exit 2" || t_fail "--metric-prefix=1x: exit 2" "$rc: $out"

# ----------------------------------------------------- /probe target eviction
start probe env DATA_SOURCE_NAME="host=127.0.0.1 port=$P2 user=postgres dbname=postgres" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --log.level=debug \
	--probe.allowed-targets="127.0.0.1:$P1" --probe.target-idle-timeout=1s
probe_of() { # probe_of NAME DB
	get "$1" "$URL/probe" -G --data-urlencode "target=postgresql://postgres@127.0.0.1:$P1/$2"
}
probe_of probe postgres
check_body probe
expect probe 'pg_up 1'
probe_of probe_alpha alpha
expect probe_alpha 'pg_up 1'
n=$(sessions "$P1")
[ "$n" = 2 ] && t_ok "probe: two targets, two sessions" || t_fail "probe: two targets, two sessions" "$n"
idle_closed() { [ "$(sessions "$P1")" = 0 ]; }
deadline=$((SECONDS + 20))
until idle_closed || [ "$SECONDS" -gt "$deadline" ]; do sleep 0.2; done
idle_closed && t_ok "probe: idle targets' sessions closed" || t_fail "probe: idle sessions closed" "$(sessions "$P1")"
n=$(grep -c 'msg="probe target idle, connection closed"' "$TMP/probe.log" || true)
[ "$n" = 2 ] && t_ok "probe: both evictions logged" || t_fail "probe: both evictions logged" "$n"
probe_of probe_again postgres
check_body probe_again
expect probe_again 'pg_up 1'
[ "$(sessions "$P1")" = 1 ] && t_ok "probe: a probe after eviction connects again" ||
	t_fail "probe: reconnect after eviction" "$(sessions "$P1")"
stop_ok	# with the sweeper running
# A full cache (64 targets) makes room by dropping the least recently used.
start probe_lru env DATA_SOURCE_NAME="host=127.0.0.1 port=$P2 user=postgres dbname=postgres" \
	"$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 --probe.allowed-targets="127.0.0.1:$P1"
codes=$(for i in $(seq 1 70); do
	"${CURL[@]}" -o /dev/null -w '%{http_code}\n' -G --data-urlencode \
		"target=postgresql://postgres@127.0.0.1:$P1/nosuch$i" "$URL/probe"; done | sort | uniq -c | xargs)
[ "$codes" = "70 200" ] && t_ok "probe_lru: 70 distinct targets, all 200" || t_fail "probe_lru: 70 targets" "$codes"
n=$(grep -c 'msg="probe targets full, least recently used one closed"' "$TMP/probe_lru.log" || true)
[ "$n" = 6 ] && t_ok "probe_lru: 6 least recently used targets dropped" || t_fail "probe_lru: 6 dropped" "$n"
stop_ok

t_summary
