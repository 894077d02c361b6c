#!/usr/bin/env bash
#
# prometheus_check.sh SOURCE_DIR — the Prometheus files in docker/prometheus/:
#   promtool check config   prometheus.yml (and the rule files it names)
#   promtool check rules    alert-rules.yml, recording-rules.yml (+ lint)
#   promtool test rules     tests/deploy/rules_test.yml
#   every alert in alert-rules.yml has a firing and a silent case there
#   the seed's alert names, severities and `for` durations are kept
# Exit 77 when promtool is missing (Debian package prometheus).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1/docker/prometheus" ]; then
	echo "usage: $0 SOURCE_DIR" >&2
	exit 2
fi
SRC=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
for tool in promtool python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
PROM=$SRC/docker/prometheus

t_check "promtool check config prometheus.yml" promtool check config "$PROM/prometheus.yml"
t_check "promtool check rules (lint) alert-rules.yml recording-rules.yml" \
	promtool check rules --lint=all --lint-fatal "$PROM/alert-rules.yml" "$PROM/recording-rules.yml"
t_check "promtool test rules rules_test.yml" promtool test rules "$HERE/rules_test.yml"

# Each alert: at least one test where it fires and one where it is silent.
t_check "every alert has a firing and a silent unit test" python3 - "$PROM/alert-rules.yml" \
	"$HERE/rules_test.yml" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
fires, silent = set(), set()
for t in tests["tests"]:
    for a in t.get("alert_rule_test", []):
        (fires if a.get("exp_alerts") else silent).add(a["alertname"])
bad = [a for a in alerts if a not in fires or a not in silent]
for a in bad:
    print(f"{a}: fires tested {a in fires}, silent tested {a in silent}")
sys.exit(1 if bad or not alerts else 0)
PY

# The seed's alert names, severities and `for` durations are kept.
t_check "seed's alert names, severities and for durations" python3 - "$PROM/alert-rules.yml" <<'PY'
import sys, yaml
want = {  # name: (severity, for), from the seed, for the groups we serve
    "KafkaBrokerDown": ("critical", "1m"), "KafkaHighConsumerLag": ("warning", "5m"),
    "PostgreSQLDown": ("critical", "1m"), "PostgreSQLHighConnections": ("warning", "5m"),
    "PostgreSQLLongRunningQuery": ("warning", "2m"), "PostgreSQLReplicationLag": ("warning", "5m"),
    "RedisDown": ("critical", "1m"), "RedisHighMemoryUsage": ("warning", "5m"),
    "RedisHighKeyExpiration": ("warning", "5m"), "SystemHighLoad": ("warning", "10m"),
    "SystemLowDiskSpace": ("critical", "5m"), "SystemHighMemoryUsage": ("warning", "10m"),
}
rules = yaml.safe_load(open(sys.argv[1]))
got = {r["alert"]: (r["labels"]["severity"], r["for"])
       for g in rules["groups"] for r in g["rules"] if "alert" in r}
for name in sorted(set(want) | set(got)):
    if want.get(name) != got.get(name):
        print(f"{name}: seed {want.get(name)}, ours {got.get(name)}")
sys.exit(0 if want == got else 1)
PY
t_summary
