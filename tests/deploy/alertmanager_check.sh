#!/usr/bin/env bash
#
# alertmanager_check.sh SOURCE_DIR — docker/alertmanager/alertmanager.yml:
#   amtool check-config     the file, with its templates (the template glob is
#                           pointed at docker/alertmanager/templates/ so the
#                           Slack templates are parsed too)
#   amtool config routes test   the seed's routing, case by case:
#     critical -> pagerduty and on; service tda-api -> dev-team;
#     kafka|postgres|redis|flink -> ops-team; warnings -> business-hours;
#     the rest -> default
#   and every alert in docker/prometheus/alert-rules.yml, with its own
#   severity and service labels, reaches the receivers its service implies.
# amtool cannot evaluate time intervals: that business-hours is muted at
# night is Alertmanager's job, not tested here.
# Exit 77 when amtool is missing (Debian package prometheus-alertmanager).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/docker/alertmanager/alertmanager.yml" ]; then
	echo "usage: $0 SOURCE_DIR" >&2
	exit 2
fi
SRC=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
for tool in amtool python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
AM=$SRC/docker/alertmanager
CONF=$TMP/alertmanager.yml
sed "s#/etc/alertmanager/templates/#$AM/templates/#" "$AM/alertmanager.yml" >"$CONF"

t_check "amtool check-config alertmanager.yml (1 template parsed)" \
	bash -c "amtool check-config '$CONF' | grep -q ' - 1 templates'"
# A template that does not parse must fail the check (the check can fail).
printf '{{ define "broken" }}{{ if }}\n' >"$TMP/broken.tmpl"
sed "s#/etc/alertmanager/templates/\*.tmpl#$TMP/broken.tmpl#" "$AM/alertmanager.yml" >"$TMP/bad.yml"
t_check "amtool check-config refuses a broken template" bash -c "! amtool check-config '$TMP/bad.yml' >/dev/null 2>&1"

# route EXPECTED LABEL=VALUE... : the receivers, in tree order.
route() {
	local want=$1 got
	shift
	# stdout only: amtool warns on stderr that --config.file wins over the URL.
	got=$(amtool config routes test --config.file="$CONF" "$@" 2>"$TMP/err") || true
	if [ "$got" = "$want" ]; then
		t_ok "route $* -> $want"
	else
		t_fail "route $* -> $want" "got: $got $(cat "$TMP/err")"
	fi
}
route pagerduty,ops-team severity=critical service=postgres alertname=PostgreSQLDown
route pagerduty,ops-team severity=critical service=redis
route pagerduty,ops-team severity=critical service=kafka
route pagerduty,ops-team severity=critical service=flink
route pagerduty,dev-team severity=critical service=tda-api
route dev-team,business-hours severity=warning service=tda-api
route ops-team,business-hours severity=warning service=postgres
route ops-team,business-hours severity=warning service=kafka
route pagerduty severity=critical service=system
route business-hours severity=warning service=system
route default severity=info service=system
route default service=nginx
# The regex is anchored: a service that only contains a name is not ops'.
route business-hours severity=warning service=postgres-replica
# The seed's database alerts said service=postgresql, which ops-team's
# route never matched (our rules say postgres).
route business-hours severity=warning service=postgresql

# Every alert we ship, with its own labels.
python3 - "$SRC/docker/prometheus/alert-rules.yml" >"$TMP/alerts" <<'PY'
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        if "alert" in r:
            print(r["alert"], r["labels"]["severity"], r["labels"]["service"])
PY
while read -r name severity service; do
	want=
	[ "$severity" = critical ] && want=pagerduty
	case $service in
	tda-api) want=${want:+$want,}dev-team ;;
	kafka | postgres | redis | flink) want=${want:+$want,}ops-team ;;
	esac
	[ "$severity" = warning ] && want=${want:+$want,}business-hours
	route "${want:-default}" alertname="$name" severity="$severity" service="$service"
done <"$TMP/alerts"
t_check "alert-rules.yml has alerts to route" test -s "$TMP/alerts"
t_summary
