#!/usr/bin/env bash
#
# alerts_e2e.sh BIN SOURCE_DIR [KAFKA_MOCK] — the seed's alerts fire for real
# on our series: Debian's prometheus and prometheus-alertmanager on loopback
# ports, with docker/prometheus/*.yml and docker/alertmanager/alertmanager.yml
# rewritten only where a test must (targets, 1 s intervals, `for` 2s, every
# receiver a local webhook: tests/deploy/e2e_config.py), scraping our four
# applets against real servers:
#   node-exporter       this host
#   postgres-exporter   PostgreSQL 15 (max_connections 20) with a streaming
#                       replica (tests/integration/pg_lib.sh)
#   redis-exporter      redis-server (maxmemory 8 MB, noeviction)
#   kafka-lag-exporter  librdkafka's mock cluster (KAFKA_MOCK, the
#                       tests/kafka helper: scenario and commands there)
#
# Checks:
# - every target is scraped (up 1), every series an alert or recording rule
#   reads has data in Prometheus, every recording rule produces series, no
#   rule fails to evaluate;
# - driven for real, each alert fires in Prometheus and Alertmanager's
#   shipped routing tree delivers it to the right receivers (webhook):
#   PostgreSQLHighConnections  17 sessions held open (> 80% of 20)
#   RedisHighMemoryUsage       the 8 MB filled
#   KafkaHighConsumerLag       10,001 messages produced past group g1's
#                              committed offset (lag 10,012 > 10,000)
#     -> ops-team, not pagerduty (warnings; checked silent before)
#   PostgreSQLDown, RedisDown  the server stopped, the exporter still up:
#                              pg_up / redis_up 0 while up{job} is 1
#   KafkaBrokerDown            the mock cluster destroyed: kafka_up 0
#     -> pagerduty and ops-team, not default or dev-team (criticals).
# An applet this binary says is "not built yet" has its job pointed at a
# port nothing listens on: its part is skipped, except its Down alert, which
# is checked on the exporter-down branch (up 0). A built applet whose alert
# does not fire fails the test. Exit 77 when prometheus,
# prometheus-alertmanager, curl or PyYAML is missing.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ] || [ ! -x "$1" ] || [ ! -d "$2/docker" ]; then
	echo "usage: $0 PATH/TO/exporterbox SOURCE_DIR [PATH/TO/kafka_mock_cluster]" >&2
	exit 2
fi
BIN=$1
SRC=$(cd "$2" && pwd)
MOCKBIN=${3:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INTEG=$HERE/../integration
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$INTEG/lib.sh"
for tool in prometheus prometheus-alertmanager python3 curl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed"; exit 77; }

TMP=$(mktemp -d)
chmod 755 "$TMP" # PostgreSQL runs as user postgres when we are root
HOLDERS=()       # psql sessions holding connections open
cleanup() {
	local pid
	for pid in "${HOLDERS[@]}"; do kill "$pid" 2>/dev/null || true; done
	srv_kill_all
	if [ -n "${PG_RUNNING:-}" ]; then
		pg_stop "$TMP/pg-replica"
		pg_stop "$TMP/pg"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_for SECONDS CMD... : until CMD succeeds (bounded; not a timing check).
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -le "$deadline" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
# built APPLET : the binary has APPLET (not the "not built yet" stub).
built() { ! "$BIN" "$1" --help 2>&1 | grep -q 'not built yet'; }
# start_or_die NAME LOG CMD... : srv_start, or fail the test at once.
start_or_die() {
	local name=$1
	shift
	srv_start "$@" && return 0
	t_fail "$name starts" "$(tail -n 20 "$1")"
	t_summary || true
	exit 1
}

# on_free_port FUNC : FUNC PORT with a free port, up to three of them: a port
# free_port found can be taken (by another test's server, or as a connection's
# ephemeral port) before FUNC's server binds it. FUNC stops what it started
# when it fails.
on_free_port() {
	local port
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		"$1" "$port" && return 0
	done
	return 1
}
# serving SECONDS CMD... : the server just spawned (SRV_PID) lives until CMD
# succeeds (bounded), or it is stopped.
serving() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -le "$deadline" ] && kill -0 "$SRV_PID" 2>/dev/null; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	srv_stop KILL
	return 1
}
ready() { curl -sf --max-time 5 "http://127.0.0.1:$1/-/ready"; }

DEAD_PORT=$(free_port) # nothing listens here: the exporter-down branch
LIVE=()                # jobs whose applet runs against a real server
declare -A TARGET

# ------------------------------------------------------------ node-exporter
start_or_die node-exporter "$TMP/node.log" "$BIN" node-exporter --web.listen-address=127.0.0.1:0
TARGET[node]=127.0.0.1:$SRV_PORT
LIVE+=(node)

# ------------------------------------------------------- postgres-exporter
TARGET[postgres]=127.0.0.1:$DEAD_PORT
if ! built postgres-exporter; then
	echo "SKIP postgres part: postgres-exporter is not built yet (PostgreSQLDown on up 0 only)"
elif [ ! -f "$INTEG/pg_lib.sh" ]; then
	echo "SKIP postgres part: tests/integration/pg_lib.sh is missing"
else
	# shellcheck source-path=SCRIPTDIR source=../integration/pg_lib.sh
	. "$INTEG/pg_lib.sh"
	if ! pg_bin_ok; then
		echo "SKIP postgres part: PostgreSQL 15 server binaries not found"
	else
		# pg_start_free DIR OPTS : pg_start on a free port (set in PG_FREE_PORT),
		# another if someone took it first (other tests run beside this one).
		pg_start_free() {
			local dir=$1 opts=$2
			try_pg() { PG_FREE_PORT=$1; pg_start "$dir" "$1" "$opts"; }
			on_free_port try_pg
		}
		PG_RUNNING=1
		if ! { pg_init "$TMP/pg" &&
			pg_start_free "$TMP/pg" "-c max_connections=20 -c max_wal_senders=3" &&
			PG_PORT=$PG_FREE_PORT &&
			pg_replica "$TMP/pg-replica" "$PG_PORT" e2e_slot &&
			pg_start_free "$TMP/pg-replica" "-c cluster_name=e2e_replica -c hot_standby=on"; } \
			2>"$TMP/pg.err"; then
			t_fail "PostgreSQL primary and replica start" \
				"$(cat "$TMP/pg.err" "$TMP"/pg*/server.log 2>/dev/null | tail -n 20)"
			t_summary || true
			exit 1
		fi
		DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable" \
			start_or_die postgres-exporter "$TMP/postgres.log" "$BIN" postgres-exporter \
			--web.listen-address=127.0.0.1:0
		TARGET[postgres]=127.0.0.1:$SRV_PORT
		LIVE+=(postgres)
	fi
fi

# ---------------------------------------------------------- redis-exporter
TARGET[redis]=127.0.0.1:$DEAD_PORT
if ! built redis-exporter; then
	echo "SKIP redis part: redis-exporter is not built yet (RedisDown on up 0 only)"
elif ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "SKIP redis part: redis-server or redis-cli is not installed"
else
	mkdir -p "$TMP/redis"
	start_redis() {
		REDIS_PORT=$1
		srv_spawn "$TMP/redis-server.log" redis-server --port "$1" --bind 127.0.0.1 \
			--dir "$TMP/redis" --save '' --appendonly no --daemonize no \
			--maxmemory 8mb --maxmemory-policy noeviction
		REDIS_PID=$SRV_PID
		serving 15 redis-cli -p "$1" ping
	}
	on_free_port start_redis ||
		{ t_fail "redis-server starts" "$(cat "$TMP/redis-server.log")"; exit 1; }
	start_or_die redis-exporter "$TMP/redis.log" "$BIN" redis-exporter \
		--redis.addr "redis://127.0.0.1:$REDIS_PORT" --web.listen-address 127.0.0.1:0
	TARGET[redis]=127.0.0.1:$SRV_PORT
	LIVE+=(redis)
fi

# ------------------------------------------------------ kafka-lag-exporter
TARGET[kafka]=127.0.0.1:$DEAD_PORT
if ! built kafka-lag-exporter; then
	echo "SKIP kafka part: kafka-lag-exporter is not built yet (KafkaBrokerDown on up 0 only)"
elif [ -z "$MOCKBIN" ] || [ ! -x "$MOCKBIN" ] || [ ! -f "$INTEG/kafka_lib.sh" ]; then
	echo "SKIP kafka part: no kafka_mock_cluster helper given"
else
	# shellcheck source-path=SCRIPTDIR source=../integration/kafka_lib.sh
	. "$INTEG/kafka_lib.sh"
	mock_start "$MOCKBIN" || { t_fail "kafka mock cluster starts"; exit 1; }
	# Group g1 only: the one the test drives past 10,000.
	start_or_die kafka-lag-exporter "$TMP/kafka.log" "$BIN" kafka-lag-exporter \
		--web.listen-address=127.0.0.1:0 --kafka.server="$MOCK_BOOTSTRAP" \
		--group.filter='^g1$' --collect.interval=1s
	TARGET[kafka]=127.0.0.1:$SRV_PORT
	LIVE+=(kafka)
fi
is_live() { [[ " ${LIVE[*]} " == *" $1 "* ]]; }

# ------------------------------- webhook, Alertmanager, Prometheus (shipped)
start_or_die "webhook receiver" "$TMP/webhook.log" python3 "$HERE/webhook_receiver.py" "$TMP/delivered"
WEBHOOK_PORT=$SRV_PORT
mkdir -p "$TMP/conf" "$TMP/am" "$TMP/tsdb"
# The configuration names both ports: written again for each Prometheus port.
start_alertmanager() {
	AM_PORT=$1
	python3 "$HERE/e2e_config.py" "$SRC" "$TMP/conf" "127.0.0.1:$AM_PORT" \
		"http://127.0.0.1:$WEBHOOK_PORT" prometheus="127.0.0.1:$DEAD_PORT" \
		node="${TARGET[node]}" postgres="${TARGET[postgres]}" \
		redis="${TARGET[redis]}" kafka="${TARGET[kafka]}" &&
		srv_spawn "$TMP/alertmanager.log" prometheus-alertmanager \
			--config.file="$TMP/conf/alertmanager.yml" --storage.path="$TMP/am" \
			--web.listen-address="127.0.0.1:$1" --cluster.listen-address= &&
		serving 30 ready "$1"
}
start_prometheus() {
	PROM_PORT=$1
	python3 "$HERE/e2e_config.py" "$SRC" "$TMP/conf" "127.0.0.1:$AM_PORT" \
		"http://127.0.0.1:$WEBHOOK_PORT" prometheus="127.0.0.1:$PROM_PORT" \
		node="${TARGET[node]}" postgres="${TARGET[postgres]}" \
		redis="${TARGET[redis]}" kafka="${TARGET[kafka]}" &&
		srv_spawn "$TMP/prometheus.log" prometheus --config.file="$TMP/conf/prometheus.yml" \
			--storage.tsdb.path="$TMP/tsdb" --web.listen-address="127.0.0.1:$1" &&
		serving 60 ready "$1"
}
if on_free_port start_alertmanager; then
	t_ok "alertmanager is ready"
else
	t_fail "alertmanager is ready" "$(tail -n 20 "$TMP/alertmanager.log")"
	t_summary || true
	exit 1
fi
if on_free_port start_prometheus; then
	t_ok "prometheus is ready (it loaded the shipped rules)"
else
	t_fail "prometheus is ready (it loaded the shipped rules)" "$(tail -n 20 "$TMP/prometheus.log")"
	t_summary || true
	exit 1
fi

# count QUERY : how many series QUERY returns now.
count() {
	curl -sf --max-time 10 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]["result"]))'
}
has_data() { [ "$(count "$1")" -gt 0 ]; }
# firing NAME : Prometheus says the alert NAME fires.
firing() { has_data "ALERTS{alertname=\"$1\",alertstate=\"firing\"}"; }
# delivered RECEIVER NAME : Alertmanager posted alert NAME to RECEIVER.
delivered() { grep -q "^/$1 .*\\b$2\\b" "$TMP/delivered" 2>/dev/null; }
# check_alert NAME WHY RECEIVERS NOT_RECEIVERS : fires, reaches each of
# RECEIVERS (space-separated), none of NOT_RECEIVERS (a regex alternation).
check_alert() {
	local name=$1 why=$2 receiver
	t_check "$name fires ($why)" wait_for 60 firing "$name"
	for receiver in $3; do
		t_check "$name is delivered to $receiver" wait_for 60 delivered "$receiver" "$name"
	done
	t_check "$name is not delivered to ${4//|/ or }" \
		bash -c "! grep -E '^/($4) .*\\b$name\\b' '$TMP/delivered'"
}

# ------------------------------------------ every series the rules use
for job in "${LIVE[@]}"; do
	t_check "$job: scraped (up{job=\"$job\"} 1)" wait_for 30 has_data "up{job=\"$job\"} == 1"
done
while read -r job series; do
	is_live "$job" || continue
	t_check "$job: the rules' $series has data" wait_for 30 has_data "$series"
done <"$TMP/conf/series.txt"
while read -r job record; do
	is_live "$job" || continue
	t_check "$job: recording rule $record has data" wait_for 30 has_data "$record"
done <"$TMP/conf/records.txt"

# ------------------------------------- thresholds crossed, all at once
# Before: the warnings are neither pending nor firing (the rules see the
# series well under their thresholds), so what fires below is what we drove.
silent() { ! has_data "ALERTS{alertname=\"$1\"}"; }
for pair in postgres:PostgreSQLHighConnections redis:RedisHighMemoryUsage kafka:KafkaHighConsumerLag; do
	is_live "${pair%%:*}" || continue
	t_check "${pair#*:} is silent before its threshold is crossed" silent "${pair#*:}"
done
if is_live postgres; then
	# 17 of 20 connections held open (+ the exporter's own): past 80%.
	for _ in $(seq 17); do
		"$PSQL" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
			-c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
		HOLDERS+=($!)
	done
fi
if is_live redis; then
	# 8,000 values of 1 KiB into 8 MB: writes past maxmemory are refused (OOM).
	python3 -c 'import sys
v = "x" * 1024
sys.stdout.writelines(f"SET fill:{i} {v}\n" for i in range(8000))' |
		redis-cli -p "$REDIS_PORT" >"$TMP/fill.out" 2>&1 || true
	t_check "redis: the fill reached maxmemory (OOM replies)" grep -q OOM "$TMP/fill.out"
fi
if is_live kafka; then
	# g1 committed orders/2 at 0 (lag 6+0+5 on orders): 10,001 more.
	t_check "kafka: 10,001 messages produced to orders/2" mock_cmd produce orders 2 10001
fi
WARN_TO="ops-team"
WARN_NOT="pagerduty|default|dev-team"
is_live postgres && check_alert PostgreSQLHighConnections "17 sessions of max_connections 20" \
	"$WARN_TO" "$WARN_NOT"
is_live redis && check_alert RedisHighMemoryUsage "maxmemory filled" "$WARN_TO" "$WARN_NOT"
is_live kafka && check_alert KafkaHighConsumerLag "lag past 10,000" "$WARN_TO" "$WARN_NOT"

# --------------------------------------------------- the servers stopped
CRIT_TO="pagerduty ops-team"
CRIT_NOT="default|dev-team"
if is_live postgres; then
	for pid in "${HOLDERS[@]}"; do kill "$pid" 2>/dev/null || true; done
	pg_stop "$TMP/pg-replica"
	pg_stop "$TMP/pg"
	t_check "postgres: the exporter reports pg_up 0" wait_for 30 has_data 'pg_up == 0'
	check_alert PostgreSQLDown "the server stopped" "$CRIT_TO" "$CRIT_NOT"
	t_check "postgres: fired on pg_up with the exporter up" has_data 'up{job="postgres"} == 1'
else
	check_alert PostgreSQLDown "its exporter cannot be scraped" "$CRIT_TO" "$CRIT_NOT"
fi
if is_live redis; then
	kill "$REDIS_PID"
	t_check "redis: the exporter reports redis_up 0" wait_for 30 has_data 'redis_up == 0'
	check_alert RedisDown "the server stopped" "$CRIT_TO" "$CRIT_NOT"
	t_check "redis: fired on redis_up with the exporter up" has_data 'up{job="redis"} == 1'
else
	check_alert RedisDown "its exporter cannot be scraped" "$CRIT_TO" "$CRIT_NOT"
fi
if is_live kafka; then
	t_check "kafka: the mock cluster is destroyed" mock_cmd vanish
	t_check "kafka: the exporter reports kafka_up 0" wait_for 60 has_data 'kafka_up == 0'
	check_alert KafkaBrokerDown "the cluster is gone" "$CRIT_TO" "$CRIT_NOT"
	t_check "kafka: fired on kafka_up with the exporter up" has_data 'up{job="kafka"} == 1'
else
	check_alert KafkaBrokerDown "its exporter cannot be scraped" "$CRIT_TO" "$CRIT_NOT"
fi
t_check "no rule failed to evaluate, all run long" \
	bash -c "! grep -i 'msg=\"Evaluating rule failed\"' '$TMP/prometheus.log'"
echo "live applets: ${LIVE[*]}; took ${SECONDS}s"
t_summary || { tail -n 20 "$TMP/prometheus.log" "$TMP/alertmanager.log" "$TMP/delivered"; exit 1; }
