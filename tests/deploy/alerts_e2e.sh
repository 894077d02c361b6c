#!/usr/bin/env bash
#
# alerts_e2e.sh BIN SOURCE_DIR — the shipped Prometheus and Alertmanager files
# run for real: Debian's prometheus and prometheus-alertmanager on loopback
# ports, with docker/prometheus/*.yml and docker/alertmanager/alertmanager.yml
# rewritten only where a test must (targets, 1 s intervals, `for` 2s, every
# receiver a local webhook: tests/deploy/e2e_config.py).
#
# Checks:
# - node-exporter (BIN) is scraped, every series the system rules use has
#   data in Prometheus, and the system recording rules produce series;
# - PostgreSQLDown, RedisDown and KafkaBrokerDown fire on their exporter-down
#   branch (`up == 0`: the jobs point at a port nothing listens on) and
#   Alertmanager delivers each to pagerduty and ops-team, as the shipped
#   routing tree says.
# The database-down branches (pg_up/redis_up/kafka_up 0) and the threshold
# alerts against real servers are the job of the full end-to-end test that
# runs the postgres, redis and kafka-lag applets.
# Exit 77 when prometheus, prometheus-alertmanager or PyYAML is missing.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -d "$2/docker" ]; then
	echo "usage: $0 PATH/TO/exporterbox SOURCE_DIR" >&2
	exit 2
fi
BIN=$1
SRC=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
for tool in prometheus prometheus-alertmanager python3 curl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed"; exit 77; }

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

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

# Servers: node-exporter, the webhook receiver, then Alertmanager and Prometheus.
if ! srv_start "$TMP/node.log" "$BIN" node-exporter --web.listen-address=127.0.0.1:0; then
	t_fail "node-exporter starts" "$(cat "$TMP/node.log")"
	t_summary
	exit 1
fi
NODE_PORT=$SRV_PORT
if ! srv_start "$TMP/webhook.log" python3 "$HERE/webhook_receiver.py" "$TMP/delivered"; then
	t_fail "webhook receiver starts" "$(cat "$TMP/webhook.log")"
	t_summary
	exit 1
fi
WEBHOOK_PORT=$SRV_PORT
AM_PORT=$(free_port)
PROM_PORT=$(free_port)
DEAD_PORT=$(free_port) # nothing listens here: the exporter-down branch
mkdir -p "$TMP/conf" "$TMP/am" "$TMP/tsdb"
python3 "$HERE/e2e_config.py" "$SRC" "$TMP/conf" "127.0.0.1:$AM_PORT" \
	"http://127.0.0.1:$WEBHOOK_PORT" prometheus="127.0.0.1:$PROM_PORT" \
	node="127.0.0.1:$NODE_PORT" postgres="127.0.0.1:$DEAD_PORT" \
	redis="127.0.0.1:$DEAD_PORT" kafka="127.0.0.1:$DEAD_PORT"

srv_spawn "$TMP/alertmanager.log" prometheus-alertmanager \
	--config.file="$TMP/conf/alertmanager.yml" --storage.path="$TMP/am" \
	--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
srv_spawn "$TMP/prometheus.log" prometheus --config.file="$TMP/conf/prometheus.yml" \
	--storage.tsdb.path="$TMP/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT"
ready() { curl -sf "http://127.0.0.1:$1/-/ready"; }
t_check "alertmanager is ready" wait_for 30 ready "$AM_PORT"
t_check "prometheus is ready (it loaded the shipped rules)" wait_for 60 ready "$PROM_PORT"

# count QUERY : how many series QUERY returns now.
count() {
	curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]["result"]))'
}
has_data() { [ "$(count "$1")" -gt 0 ]; }

t_check "node-exporter is scraped (up{job=\"node\"} 1)" wait_for 30 has_data 'up{job="node"} == 1'
for series in node_load15 node_filesystem_avail_bytes node_filesystem_size_bytes \
	node_filesystem_readonly node_memory_MemAvailable_bytes node_memory_MemTotal_bytes \
	'node_cpu_seconds_total{mode="idle"}'; do
	t_check "the system rules' $series has data" has_data "$series"
done
for record in instance:node_cpus:count instance:node_load15_per_cpu:ratio \
	instance:node_memory_utilisation:ratio; do
	t_check "recording rule $record has data" wait_for 30 has_data "$record"
done
t_check "no rule fails to evaluate" bash -c "! grep -i 'msg=\"Evaluating rule failed\"' '$TMP/prometheus.log'"

# firing NAME : Prometheus says the alert NAME fires.
firing() { has_data "ALERTS{alertname=\"$1\",alertstate=\"firing\"}"; }
# delivered RECEIVER NAME : Alertmanager posted alert NAME to RECEIVER.
delivered() { grep -q "^/$1 .*\\b$2\\b" "$TMP/delivered" 2>/dev/null; }
for alert in PostgreSQLDown RedisDown KafkaBrokerDown; do
	t_check "$alert fires when its exporter cannot be scraped" wait_for 60 firing "$alert"
	for receiver in pagerduty ops-team; do
		t_check "$alert is delivered to $receiver" wait_for 60 delivered "$receiver" "$alert"
	done
	t_check "$alert is not delivered to default or dev-team" \
		bash -c "! grep -E '^/(default|dev-team) .*\\b$alert\\b' '$TMP/delivered'"
done
t_summary || { tail -n 20 "$TMP/prometheus.log" "$TMP/alertmanager.log"; exit 1; }
