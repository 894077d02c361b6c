#!/usr/bin/env bash
#
# kafka_faults.sh BIN MOCKBIN — kafka-lag-exporter while the mock cluster
# fails under it: the broker leading orders/1 goes down (its partitions lose
# their offsets, the rest stays, kafka_up stays 1) and comes back; every
# broker goes down (kafka_up 0, HTTP 200, no stale Kafka series) and comes
# back (values return); the whole cluster vanishes (the exporter keeps
# serving kafka_up 0 and exits cleanly). promtool check metrics on every body.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 PATH/TO/exporterbox PATH/TO/kafka_mock_cluster" >&2
	exit 2
fi
BIN=$1
MOCKBIN=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=kafka_lib.sh
. "$HERE/kafka_lib.sh"
for tool in curl promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

mock_start "$MOCKBIN" || { t_fail "mock cluster up"; t_summary || true; exit 1; }
srv_start "$TMP/server.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="$MOCK_BOOTSTRAP" --group.filter='^(g1|g2)$' --collect.interval=1s \
	--collect.timeout=1s || { t_fail "exporter starts" "$(cat "$TMP/server.log")"; t_summary || true; exit 1; }
PORT=$SRV_PORT
B=$TMP/body
LAG1='^kafka_consumergroup_lag\{consumergroup="g1",topic="orders",partition="1"\} 0$'

t_check "healthy: lag of orders/1 served" wait_body "$B" 30 "$LAG1"
LEADER=$(value "$B" 'kafka_topic_partition_leader{topic="orders",partition="1"}')
mapfile -t LED < <(awk -v l="$LEADER" '/^kafka_topic_partition_leader\{/ && $NF == l {
	sub(/^kafka_topic_partition_leader/, ""); sub(/ [0-9]+$/, ""); print }' "$B")
mapfile -t OTHERS < <(awk -v l="$LEADER" '/^kafka_topic_partition_leader\{/ && $NF != l {
	sub(/^kafka_topic_partition_leader/, ""); sub(/ [0-9]+$/, ""); print }' "$B")
t_ok "broker $LEADER leads ${#LED[@]} partitions, the others ${#OTHERS[@]}"

# One broker down: its partitions' offsets go, the others' stay.
mock_cmd down "$LEADER" && t_ok "mock: broker $LEADER down" || t_fail "mock: broker $LEADER down"
t_check "broker down: the exporter still reaches the cluster" \
	wait_body "$B" 30 '^kafka_up 1$'
gone() { ! grep -q '^kafka_topic_partition_current_offset{topic="orders",partition="1"}' "$B" &&
	grep -q '^kafka_up 1$' "$B"; }
deadline=$((SECONDS + 30))
until scrape "$B" && gone; do
	[ "$SECONDS" -le "$deadline" ] || break
	sleep 0.3
done
if gone; then t_ok "broker down: kafka_up 1, orders/1 has no current offset"; else
	t_fail "broker down: kafka_up 1, orders/1 has no current offset" "$(grep -E '^kafka_(up|topic_partition_current)' "$B")"; fi
[ "$CODE" = 200 ] && t_ok "broker down: status 200" || t_fail "broker down: status 200" "$CODE"
promtool_ok "$B" "broker down"
for lbl in "${LED[@]}"; do
	expect_absent "$B" "^kafka_topic_partition_current_offset\\$lbl " "broker down: no offset for $lbl"
done
for lbl in "${OTHERS[@]}"; do
	if grep -q "^kafka_topic_partition_current_offset$lbl " "$B"; then
		t_ok "broker down: offset kept for $lbl"
	else
		t_fail "broker down: offset kept for $lbl"
	fi
done
expect_absent "$B" '^kafka_consumergroup_lag\{consumergroup="g1",topic="orders",partition="1"\}' \
	"broker down: no lag where the log end is unknown"
expect_absent "$B" ' -1$' "broker down: no -1"

mock_cmd up "$LEADER" && t_ok "mock: broker $LEADER up" || t_fail "mock: broker $LEADER up"
t_check "broker back: orders/1 lag returns" wait_body "$B" 30 "$LAG1"
promtool_ok "$B" "broker back"

# Every broker down: kafka_up 0, no stale Kafka series, still HTTP 200.
for id in 1 2 3; do mock_cmd down "$id" || t_fail "mock: broker $id down"; done
t_check "cluster down: kafka_up 0" wait_body "$B" 60 '^kafka_up 0$'
scrape "$B"
[ "$CODE" = 200 ] && t_ok "cluster down: status 200" || t_fail "cluster down: status 200" "$CODE"
promtool_ok "$B" "cluster down"
expect_absent "$B" '^kafka_(brokers|topic_|consumergroup_|consumer_)' "cluster down: no stale Kafka series"
for id in 1 2 3; do mock_cmd up "$id" || t_fail "mock: broker $id up"; done
t_check "cluster back: kafka_up 1 and lag" wait_body "$B" 60 "$LAG1"
expect_value "$B" 'kafka_consumergroup_lag_sum{consumergroup="g1",topic="orders"}' 11
promtool_ok "$B" "cluster back"

# The cluster vanishes (its ports close): still serving, kafka_up 0.
mock_cmd vanish && t_ok "mock: cluster destroyed" || t_fail "mock: cluster destroyed"
t_check "vanished: kafka_up 0" wait_body "$B" 60 '^kafka_up 0$'
scrape "$B"
[ "$CODE" = 200 ] && t_ok "vanished: status 200" || t_fail "vanished: status 200" "$CODE"
promtool_ok "$B" "vanished"
sleep 2
scrape "$B"
[ "$CODE" = 200 ] && grep -q '^kafka_up 0$' "$B" && t_ok "vanished: still serving later" ||
	t_fail "vanished: still serving later" "$CODE"
srv_stop TERM 15
[ "$SRV_RC" = 0 ] && t_ok "exit 0 on SIGTERM after the cluster vanished" ||
	t_fail "exit 0 on SIGTERM after the cluster vanished" "rc $SRV_RC: $(grep -v librdkafka "$TMP/server.log" | tail -n 40)"
mock_stop
t_summary
