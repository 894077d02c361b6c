#!/usr/bin/env bash
#
# kafka_members.sh BIN — kafka-lag-exporter's group listing and
# kafka_consumergroup_members, end to end.
#
# librdkafka's mock cluster has no ListGroups/DescribeGroups, so the broker
# here is tests/integration/fake_kafka.py in "groups" mode: a one-broker
# cluster that answers ApiVersions, Metadata v1, ListGroups v0 and
# DescribeGroups v0 with three groups: "orders" (Stable, 3 members),
# "billing" (Stable, 1) and "empty" (Empty, 0). Runs:
#   1. no --group.filter: every listed group with its exact member count;
#   2. --group.filter='^(orders|empty)$' (literal names): billing absent;
#   3. a regex filter with --group.exclude: only orders;
#   4. the broker also has a topic, and no OffsetFetch/FindCoordinator/
#      ListOffsets to offer: the committed-offset fetch fails (logged, bounded
#      by --collect.timeout), yet members are served and kafka_up stays 1.
# In each: kafka_up 1, kafka_brokers 1, promtool check metrics on the body,
# and the exporter sent the fake no request it did not advertise.
# FAKE_ORDERS_MEMBERS=4 in the environment changes the fake's "orders" (to
# see the checks fail).
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=kafka_lib.sh
. "$HERE/kafka_lib.sh"
for tool in curl python3 promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"
echo groups >mode

FAKE=
fake_start() { # fake_start NAME : a fake broker in "groups" mode; FAKE is its port
	python3 "$HERE/fake_kafka.py" "$TMP/$1.port" "$TMP/mode" 2>"$1.log" &
	SRV_ALL+=("$!")
	for _ in $(seq 1 100); do [ -s "$1.port" ] && break; sleep 0.1; done
	FAKE=$(cat "$1.port")
}

# run NAME ARGS... : an exporter on the fake broker until its snapshot has
# groups (kafka_consumergroup_members); the body in NAME.body.
run() {
	local name=$1
	shift
	srv_start "$name.log" "$BIN" kafka-lag-exporter --web.listen-address=127.0.0.1:0 \
		--kafka.server="127.0.0.1:$FAKE" --collect.interval=1s "$@" ||
		{ t_fail "$name: exporter starts" "$(cat "$name.log")"; return 1; }
	PORT=$SRV_PORT
	t_check "$name: a collection with groups" \
		wait_body "$name.body" 60 '^kafka_consumergroup_members\{'
	promtool_ok "$name.body" "$name"
	expect_value "$name.body" kafka_up 1
	expect_value "$name.body" kafka_brokers 1
	expect_value "$name.body" "kafka_broker_info{id=\"1\",address=\"127.0.0.1:$FAKE\"}" 1
}
members() { # members FILE : the member series, one line each
	grep -E '^kafka_consumergroup_members\{' "$1" || true
}
stop() { # stop NAME : SIGTERM, exit 0
	srv_stop TERM 15
	t_check "$1: exit 0 on SIGTERM" test "$SRV_RC" = 0
}

fake_start fake
run all
expect_value all.body 'kafka_consumergroup_members{consumergroup="orders"}' 3
expect_value all.body 'kafka_consumergroup_members{consumergroup="billing"}' 1
expect_value all.body 'kafka_consumergroup_members{consumergroup="empty"}' 0
t_check "all: exactly three groups" test "$(members all.body | wc -l)" = 3
t_check "all: the listing worked (no warning)" bash -c "! grep -q 'cannot list consumer groups' all.log"
stop all

run literal --group.filter='^(orders|empty)$'
expect_value literal.body 'kafka_consumergroup_members{consumergroup="orders"}' 3
expect_value literal.body 'kafka_consumergroup_members{consumergroup="empty"}' 0
expect_absent literal.body 'consumergroup="billing"' "literal: billing absent"
t_check "literal: exactly two groups" test "$(members literal.body | wc -l)" = 2
stop literal

run regex --group.filter='^[a-z]+$' --group.exclude='^(billing|empty)$'
expect_value regex.body 'kafka_consumergroup_members{consumergroup="orders"}' 3
expect_absent regex.body 'consumergroup="(billing|empty)"' "regex: billing and empty absent"
t_check "regex: exactly one group" test "$(members regex.body | wc -l)" = 1
stop regex

t_check "the exporter sent only requests the fake advertised" \
	bash -c "! grep -q 'no answer' fake.log"

# With a topic the exporter asks for committed offsets (FindCoordinator,
# OffsetFetch) and log-end offsets (ListOffsets), which this broker does not
# offer: both fail, the committed-offset fetch at --collect.timeout.
FAKE_TOPIC=events fake_start topic
run topic --collect.timeout=2s
expect_value topic.body 'kafka_consumergroup_members{consumergroup="orders"}' 3
expect_value topic.body 'kafka_consumergroup_members{consumergroup="billing"}' 1
expect_value topic.body 'kafka_consumergroup_members{consumergroup="empty"}' 0
expect_value topic.body 'kafka_topic_partitions{topic="events"}' 1
expect_absent topic.body '^kafka_consumergroup_(current_offset|lag)\{' \
	"topic: no committed offsets or lag (the broker has no OffsetFetch)"
t_check "topic: the failed committed-offset fetch is logged" \
	grep -q 'cannot fetch committed offsets.*consumergroup=orders' topic.log
# Two more collections (each logs the groups it could not fetch), then again.
collections() { grep -c 'committed offsets missing for some groups' topic.log || true; }
SEEN=$(collections)
for _ in $(seq 1 300); do [ "$(collections)" -ge $((SEEN + 2)) ] && break; sleep 0.1; done
t_check "topic: two more collections" test "$(collections)" -ge $((SEEN + 2))
scrape topic2.body
t_check "topic: still HTTP 200" test "$CODE" = 200
promtool_ok topic2.body "topic, later"
expect_value topic2.body kafka_up 1
expect_value topic2.body 'kafka_consumergroup_members{consumergroup="orders"}' 3
stop topic
t_summary
