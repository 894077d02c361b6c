#!/usr/bin/env bash
#
# hostile_http.sh BIN — hostile HTTP clients against every applet that is
# built (`BIN --list`, skipping one whose --help says "not built yet"):
# bad methods, huge and many headers, huge URLs, garbage bytes, a TLS hello
# on plain HTTP, HTTP/1.0, pipelining, odd query strings, more idle
# connections than --web.max-connections, slowloris (cut by
# --web.read-header-timeout). After each the applet still serves a normal
# scrape; at the end its threads and fds are back to the baseline and RSS
# is bounded (hostile_client.py does the talking and the /proc checks).
# Targets are unreachable on purpose (postgres at a dead DSN, kafka at a dead
# broker, redis at a dead port): the scrape must still be 200 with `*_up 0`
# and parse with promtool. Loopback only, free ports, every server killed by PID.
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
for tool in curl python3 promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP"

MAXCONN=8
HDR_TIMEOUT=2
DEAD=$(free_port)	# nothing listens there: every target is down
COMMON=(--web.listen-address=127.0.0.1:0 "--web.max-connections=$MAXCONN"
	--web.connection-timeout=5 "--web.read-header-timeout=$HDR_TIMEOUT" --web.scrape-timeout=3s)

# applet_args APPLET : the applet's own flags (a dead target for the others).
applet_args() {
	case $1 in
	node-exporter) echo "--collector.disable-defaults --collector.loadavg --collector.meminfo --collector.stat" ;;
	redis-exporter) echo "--redis.addr=redis://127.0.0.1:$DEAD --connection-timeout=1s" ;;
	kafka-lag-exporter) echo "--kafka.server=127.0.0.1:$DEAD" ;;
	*) echo "" ;;
	esac
}

# promtool_parses FILE : exit 3 is lint only (upstream's own names such as
# node_memory_MemFree_bytes), a parse error is anything else.
promtool_parses() {
	local rc=0
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { cat "$1.lint"; return 1; }
}

tested=0
for applet in $("$BIN" --list); do
	if "$BIN" "$applet" --help 2>&1 | grep -q "not built yet"; then
		echo "# $applet: not built yet (skipped)"
		continue
	fi
	tested=$((tested + 1))
	# shellcheck disable=SC2046 # word splitting of the applet's flags is meant
	DATA_SOURCE_NAME="postgresql://nobody@127.0.0.1:$DEAD/none?sslmode=disable&connect_timeout=1" \
		srv_start "$applet.log" "$BIN" "$applet" "${COMMON[@]}" $(applet_args "$applet") ||
		{ t_fail "$applet: starts" "$(cat "$applet.log")"; continue; }
	URL="http://127.0.0.1:$SRV_PORT/metrics"
	curl -s --max-time 20 -o "$applet.body" -w '%{http_code}' "$URL" >"$applet.code" || true
	t_check "$applet: scrape 200" grep -qx 200 "$applet.code"
	t_check "$applet: body parses (promtool)" promtool_parses "$applet.body"
	if [ "$applet" != node-exporter ]; then
		t_check "$applet: target down: *_up 0" grep -Eq '^[a-z_]+_up(\{[^}]*\})? 0$' "$applet.body"
	fi
	while read -r line; do
		case $line in
		ok\ *) t_ok "$applet: ${line#ok }" ;;
		FAIL\ *) t_fail "$applet: ${line#FAIL }" ;;
		\#*) echo "$applet $line" ;;
		esac
	done < <(python3 "$HERE/hostile_client.py" "$SRV_PORT" "$SRV_PID" "$MAXCONN" "$HDR_TIMEOUT" \
		/metrics 2>&1 || true)
	t_check "$applet: still running" kill -0 "$SRV_PID"
	srv_stop TERM 10
	t_check "$applet: clean exit on SIGTERM (rc $SRV_RC)" test "$SRV_RC" = 0
	t_check "$applet: no crash in the log" \
		bash -c "! grep -Eiq 'sanitizer|segv|abort|panic|double free' '$applet.log'"
done
t_check "at least one applet tested" test "$tested" -gt 0
t_summary
