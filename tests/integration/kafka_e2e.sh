#!/usr/bin/env bash
#
# kafka_e2e.sh BIN MOCKBIN — kafka-lag-exporter against librdkafka's mock
# cluster (tests/kafka/kafka_mock_cluster.c: real Kafka protocol on loopback,
# scenario documented there).
#
# Checks: exact log-end offsets, committed offsets and lag per partition and
# per topic for the groups --group.filter spells out (the mock cannot list
# groups), kafka_consumer_lag_sum equal to kafka_consumergroup_lag_sum,
# uncommitted partitions counted and never -1, lag in seconds from the
# message timestamps, broker count and info, leaders/replicas/ISR, live
# updates after produce and commit, topic and group filters, --kafka.labels
# on every Kafka series, promtool check metrics on every body, bad flags
# (exit 2, one line), a broker that never answers (kafka_up 0, HTTP 200), and
# the SASL password never in logs or bodies.
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

if mock_start "$MOCKBIN"; then
	t_ok "mock cluster up ($MOCK_BOOTSTRAP)"
else
	t_fail "mock cluster up"
	t_summary || true
	exit 1
fi

T_START=$(date +%s)
if srv_start "$TMP/server.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="$MOCK_BOOTSTRAP" --group.filter='^(g1|g2)$' --collect.interval=1s \
	--collect.lag-seconds; then
	t_ok "exporter starts (port $SRV_PORT)"
else
	t_fail "exporter starts" "$(cat "$TMP/server.log")"
	t_summary || true
	exit 1
fi
PORT=$SRV_PORT
B=$TMP/body

t_check "first collection lands (kafka_up 1, lag present)" \
	wait_body "$B" 30 '^kafka_consumergroup_lag_sum\{consumergroup="g1",topic="orders"\}'
scrape "$B"
T_SCRAPED=$(date +%s)
[ "$CODE" = 200 ] && t_ok "status 200" || t_fail "status 200" "$CODE"
# The collector thread starts before HTTP serving: it must block them too.
t_check "stop signals blocked in every thread but the waiting one" \
	stop_signals_blocked "$SRV_PID"
promtool_ok "$B" "full body"
expect_value "$B" 'kafka_up' 1

# Cluster.
expect_value "$B" 'kafka_brokers' 3
for id in 1 2 3; do
	if grep -Eq "^kafka_broker_info\\{id=\"$id\",address=\"127\\.0\\.0\\.1:[0-9]+\"\\} 1$" "$B"; then
		t_ok "kafka_broker_info id=$id"
	else
		t_fail "kafka_broker_info id=$id"
	fi
done
expect_value "$B" 'kafka_topic_partitions{topic="orders"}' 3
expect_value "$B" 'kafka_topic_partitions{topic="billing"}' 2
expect_value "$B" 'kafka_topic_partitions{topic="internal"}' 1

# Log-end and oldest offsets, per partition.
for pv in 0:10 1:20 2:5; do
	expect_value "$B" "kafka_topic_partition_current_offset{topic=\"orders\",partition=\"${pv%%:*}\"}" "${pv##*:}"
	expect_value "$B" "kafka_topic_partition_oldest_offset{topic=\"orders\",partition=\"${pv%%:*}\"}" 0
done
expect_value "$B" 'kafka_topic_partition_current_offset{topic="billing",partition="0"}' 7
expect_value "$B" 'kafka_topic_partition_current_offset{topic="billing",partition="1"}' 0

# Leaders, replicas, ISR: the leader is one of the brokers, preferred is
# leader == first replica (0/1), ISR complete on a healthy mock.
for series in kafka_topic_partition_leader kafka_topic_partition_replicas \
	kafka_topic_partition_in_sync_replica kafka_topic_partition_leader_is_preferred \
	kafka_topic_partition_under_replicated_partition; do
	n=$(grep -c "^$series{" "$B" || true)
	[ "$n" = 6 ] && t_ok "$series: 6 partitions" || t_fail "$series: 6 partitions" "got $n"
done
if awk '/^kafka_topic_partition_leader\{/ && ($NF < 1 || $NF > 3) { bad = 1 } END { exit bad }' "$B"; then
	t_ok "every leader is a broker id"
else
	t_fail "every leader is a broker id"
fi
expect_absent "$B" '^kafka_topic_partition_under_replicated_partition\{.*\} 1$' "no under-replicated partition"

# Committed offsets and lag, per partition and per topic.
for pv in 0:4:6 1:20:0 2:0:5; do
	IFS=: read -r p off lag <<<"$pv"
	expect_value "$B" "kafka_consumergroup_current_offset{consumergroup=\"g1\",topic=\"orders\",partition=\"$p\"}" "$off"
	expect_value "$B" "kafka_consumergroup_lag{consumergroup=\"g1\",topic=\"orders\",partition=\"$p\"}" "$lag"
done
expect_value "$B" 'kafka_consumergroup_lag_sum{consumergroup="g1",topic="orders"}' 11
expect_value "$B" 'kafka_consumergroup_current_offset_sum{consumergroup="g1",topic="orders"}' 24
expect_value "$B" 'kafka_consumergroup_lag{consumergroup="g1",topic="billing",partition="0"}' 0
expect_value "$B" 'kafka_consumergroup_lag_sum{consumergroup="g1",topic="billing"}' 0
expect_value "$B" 'kafka_consumergroup_uncommitted_partitions{consumergroup="g1",topic="billing"}' 1
expect_value "$B" 'kafka_consumergroup_lag{consumergroup="g2",topic="orders",partition="0"}' 0
expect_value "$B" 'kafka_consumergroup_lag_sum{consumergroup="g2",topic="orders"}' 0
expect_value "$B" 'kafka_consumergroup_uncommitted_partitions{consumergroup="g2",topic="orders"}' 2
expect_absent "$B" '^kafka_consumergroup_(lag|current_offset)\{consumergroup="g2",topic="orders",partition="[12]"\}' \
	"uncommitted partitions have no lag or offset series"
expect_absent "$B" ' -1$' "no -1 anywhere"
expect_absent "$B" 'consumergroup="other"' "group outside --group.filter not collected"
expect_absent "$B" '^kafka_consumergroup_[a-z_]+\{consumergroup="g[12]",topic="internal"' \
	"no group series for a topic the group never committed on"

# The seed's alert name carries exactly kafka_consumergroup_lag_sum's samples.
if diff <(sed -n 's/^kafka_consumergroup_lag_sum{/{/p' "$B") <(sed -n 's/^kafka_consumer_lag_sum{/{/p' "$B") >/dev/null &&
	grep -q '^kafka_consumer_lag_sum{' "$B"; then
	t_ok "kafka_consumer_lag_sum == kafka_consumergroup_lag_sum"
else
	t_fail "kafka_consumer_lag_sum == kafka_consumergroup_lag_sum"
fi

# Members: the mock has no DescribeGroups, so no member counts (not a fake 0).
expect_absent "$B" '^kafka_consumergroup_members\{' "no members series where the cluster cannot describe groups"
grep -q '^# TYPE kafka_consumergroup_members gauge$' "$B" && t_ok "members family announced" ||
	t_fail "members family announced"

# Lag in seconds: age of the message at the committed offset, at collection
# time (message i has timestamp base + i s); 0 where caught up.
check_lag_seconds() { # PARTITION COMMITTED
	local got lo hi ts=$((MOCK_BASE_MS / 1000 + $2))
	got=$(value "$B" "kafka_consumergroup_lag_seconds{consumergroup=\"g1\",topic=\"orders\",partition=\"$1\"}" || echo -1)
	lo=$((T_START - ts - 1))
	hi=$((T_SCRAPED - ts + 1))
	if awk -v g="$got" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(g >= lo && g <= hi) }'; then
		t_ok "lag seconds orders/$1 in [$lo, $hi]"
	else
		t_fail "lag seconds orders/$1 in [$lo, $hi]" "got $got"
	fi
}
check_lag_seconds 0 4
check_lag_seconds 2 0
expect_value "$B" 'kafka_consumergroup_lag_seconds{consumergroup="g1",topic="orders",partition="1"}' 0

# Self-metrics.
for s in kafka_snapshot_age_seconds kafka_collection_duration_seconds \
	'kafka_scrape_collector_success{collector="kafka"}'; do
	grep -q "^$s " "$B" && t_ok "$s present" || t_fail "$s present"
done

# Live changes: produce moves the log end, a commit moves the lag.
mock_cmd produce orders 2 3 && t_ok "mock: produce" || t_fail "mock: produce"
t_check "lag follows produce (orders/2 lag 8)" \
	wait_body "$B" 20 '^kafka_consumergroup_lag\{consumergroup="g1",topic="orders",partition="2"\} 8$'
expect_value "$B" 'kafka_consumergroup_lag_sum{consumergroup="g1",topic="orders"}' 14
mock_cmd commit g1 orders 0 10 && t_ok "mock: commit" || t_fail "mock: commit"
t_check "lag follows commit (orders/0 lag 0)" \
	wait_body "$B" 20 '^kafka_consumergroup_lag\{consumergroup="g1",topic="orders",partition="0"\} 0$'
expect_value "$B" 'kafka_consumer_lag_sum{consumergroup="g1",topic="orders"}' 8
promtool_ok "$B" "after changes"

# OpenMetrics negotiation still serves the snapshot.
OM=$(curl -s --max-time 10 -H 'Accept: application/openmetrics-text; version=1.0.0' "http://127.0.0.1:$PORT/metrics")
if grep -q '^kafka_consumer_lag_sum{' <<<"$OM" && tail -n 1 <<<"$OM" | grep -q '^# EOF$'; then
	t_ok "OpenMetrics body"
else
	t_fail "OpenMetrics body"
fi
srv_stop TERM 15
[ "$SRV_RC" = 0 ] && t_ok "exit 0 on SIGTERM" || t_fail "exit 0 on SIGTERM" "rc $SRV_RC"

# Filters and constant labels.
srv_start "$TMP/filtered.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="$MOCK_BOOTSTRAP" --group.filter='g1|other' --group.exclude='^other$' \
	--topic.exclude='^(internal|billing)$' --kafka.labels='cluster=mock,env=test' \
	--collect.interval=1s || t_fail "filtered exporter starts" "$(cat "$TMP/filtered.log")"
PORT=$SRV_PORT
t_check "filtered: collection lands" wait_body "$B" 30 '^kafka_consumergroup_lag_sum\{'
promtool_ok "$B" "filtered body"
expect_absent "$B" 'topic="(internal|billing)"' "--topic.exclude drops topics"
expect_absent "$B" 'consumergroup="(other|g2)"' "--group.exclude and literal names"
grep -q 'consumergroup="g1"' "$B" && t_ok "g1 kept" || t_fail "g1 kept"
if awk '/^kafka_/ && !/^kafka_(up|snapshot_age_seconds|collection_duration_seconds|scrape_collector_|exporter_build_info)/ && !/cluster="mock",env="test"/ { bad = 1; print } END { exit bad }' "$B" >"$TMP/nolabels"; then
	t_ok "--kafka.labels on every Kafka series"
else
	t_fail "--kafka.labels on every Kafka series" "$(head -n 3 "$TMP/nolabels")"
fi
expect_value "$B" 'kafka_brokers{cluster="mock",env="test"}' 3
srv_stop

# Bad flags: exit 2 with one line on stderr.
bad_flag() { # NAME ARGS...
	local name=$1 rc=0
	shift
	"$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 "$@" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ]; then
		t_ok "bad flag exits 2 with one line: $name"
	else
		t_fail "bad flag exits 2 with one line: $name" "rc $rc: $(cat "$TMP/bad.err")"
	fi
}
bad_flag "--kafka.config without =" --kafka.config=socket.timeout.ms
bad_flag "--kafka.config unknown property" --kafka.config=no.such.property=1
bad_flag "--kafka.config bad value" --kafka.config=socket.timeout.ms=abc
bad_flag "--sasl.mechanism" --sasl.enabled --sasl.mechanism=md5
bad_flag "--kafka.labels" --kafka.labels='1bad=x'
bad_flag "--topic.filter" --topic.filter='('
bad_flag "--group.exclude" --group.exclude='[z-a]'
bad_flag "--collect.interval" --collect.interval=0s
bad_flag "unknown flag" --kafka.nonsense=1
bad_flag "--kafka.config bad secret property" --kafka.config=sasl.password.x=Hush-42
if grep -q 'Hush-42' "$TMP/bad.err"; then
	t_fail "a bad secret property's value is not printed" "$(cat "$TMP/bad.err")"
else
	t_ok "a bad secret property's value is not printed"
fi

# Upstream's other flags are accepted.
"$BIN" kafka-lag-exporter --help >"$TMP/help" 2>&1 || true
if timeout 3 "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 --kafka.server=127.0.0.1:1 \
	--kafka.version=2.8.0 --refresh.metadata=1m --offset.show-all=false --topic.workers=10 \
	--concurrent.enable --verbosity=2 --log.enable-sarama --sasl.handshake=false \
	--kafka.config=socket.timeout.ms=2000 >/dev/null 2>"$TMP/accept.err"; then
	t_fail "upstream flags accepted" "exited"
else
	rc=$?
	[ "$rc" = 124 ] && t_ok "upstream flags accepted (still serving)" ||
		t_fail "upstream flags accepted" "rc $rc: $(cat "$TMP/accept.err")"
fi

# Nothing answers: the exporter starts anyway, kafka_up 0 with HTTP 200, and
# the SASL password appears nowhere (debug logs include librdkafka's).
DEAD=$(free_port)
SECRET='S3cr3t-pa55word'
srv_start "$TMP/dead.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
	--kafka.server="127.0.0.1:$DEAD" --sasl.enabled --sasl.username=u --sasl.password="$SECRET" \
	--collect.interval=1s --collect.timeout=1s --log.level=debug ||
	t_fail "starts with no broker" "$(cat "$TMP/dead.log")"
PORT=$SRV_PORT
t_check "no broker: kafka_up 0 served" wait_body "$B" 30 '^kafka_up 0$'
scrape "$B"
[ "$CODE" = 200 ] && t_ok "no broker: status 200" || t_fail "no broker: status 200" "$CODE"
promtool_ok "$B" "no broker"
expect_absent "$B" '^kafka_brokers' "no broker: no cluster series"
sleep 2
scrape "$B"
if grep -q -- "$SECRET" "$B" "$TMP/dead.log"; then
	t_fail "password not in body or logs"
else
	t_ok "password not in body or logs"
fi
grep -q librdkafka "$TMP/dead.log" && t_ok "debug log reaches librdkafka's lines" ||
	t_fail "debug log reaches librdkafka's lines"
srv_stop TERM 15
[ "$SRV_RC" = 0 ] && t_ok "exit 0 on SIGTERM while Kafka is down" || t_fail "exit 0 on SIGTERM while Kafka is down" "rc $SRV_RC"

mock_stop
t_summary
