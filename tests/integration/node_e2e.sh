#!/usr/bin/env bash
#
# node_e2e.sh BIN — node-exporter end to end, on the real /proc and /sys.
#
# Starts `BIN node-exporter --web.listen-address=127.0.0.1:0`, reads the port
# from its `msg="listening on"` log line, and checks over loopback with curl:
# promtool accepts the body (parse errors and lint problems fail, except the
# lint problems upstream node_exporter has in its own metric names), the series
# the alert rules need, no duplicate series, OpenMetrics negotiation, gzip,
# HEAD, 404/405, landing page, health endpoints, collect[]/exclude[] filters,
# a second server with non-default flags (two listeners, telemetry path,
# exporter metrics off, an explicit collector set), a clash on a used port, and
# a clean exit 0 on SIGTERM and SIGINT.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
# Needs curl, promtool (Debian package prometheus), gzip.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in curl promtool gzip; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 2; }
done

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

# Lint problems promtool reports for upstream node_exporter's own names (the
# names we must keep to be a drop-in): /proc/meminfo field names, *_bits.
UPSTREAM_LINT='^node_(memory|netstat|sockstat6?)_[A-Za-z0-9_]+ metric names should be written in .snake_case. not .camelCase.$|^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$'
# The collectors enabled by default, from --help (the collector table), so a
# new collector needs no change here.
mapfile -t DEFAULT_COLLECTORS < <("$BIN" node-exporter --help 2>&1 | awk '
	/^ *--\[no-\]collector\.[a-z0-9_]+$/ { name = $1; sub(/.*collector\./, "", name); next }
	name != "" && /\(default: enabled\)/ { print name }
	{ name = "" }' | sort)
if [ ${#DEFAULT_COLLECTORS[@]} -eq 0 ]; then
	echo "FAIL no default collectors found in node-exporter --help"
	exit 1
fi

CURL=(curl -s --max-time 10)

# get NAME PATH [CURL ARGS...] : GET into $TMP/NAME.body, headers into
# $TMP/NAME.hdr, status into CODE. Uses $PORT.
CODE=
get() {
	local name=$1 path=$2
	shift 2
	CODE=$("${CURL[@]}" -o "$TMP/$name.body" -D "$TMP/$name.hdr" -w '%{http_code}' \
		"$@" "http://127.0.0.1:$PORT$path") || CODE="curl-error-$?"
}

header() { # header NAME FIELD : the value of FIELD in $TMP/NAME.hdr
	sed -nE "s/^$2:[[:space:]]*(.*)/\1/Ip" "$TMP/$1.hdr" | tr -d '\r' | tail -n 1
}

expect_code() { # expect_code NAME WANT
	if [ "$CODE" = "$2" ]; then
		t_ok "$1: status $2"
	else
		t_fail "$1: status $2" "got $CODE"
	fi
}

has_series() { # has_series FILE REGEX (a sample line, anchored at the start)
	grep -Eq "^$2" "$1"
}

# promtool_strict FILE : promtool check metrics, failing on parse errors and
# on lint problems other than upstream's own.
promtool_strict() {
	local rc=0 other
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	case $rc in
	0) return 0 ;;
	3) # lint problems only; tolerate upstream's names
		other=$(grep -Ev "$UPSTREAM_LINT" "$1.lint" || true)
		if [ -z "$other" ]; then
			return 0
		fi
		printf '%s\n' "$other"
		return 1
		;;
	*)
		cat "$1.lint"
		return 1
		;;
	esac
}

# families FILE : the metric family names with a TYPE line, one a line.
families() {
	awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$1" | sort -u
}

# collectors_reported FILE : collector label values of the success series.
collectors_reported() {
	sed -nE 's/^node_scrape_collector_success\{collector="([^"]*)"\}.*/\1/p' "$1" | sort | tr '\n' ' '
}

# ---------------------------------------------------------------- server 1
if srv_start "$TMP/server.log" "$BIN" node-exporter --web.listen-address=127.0.0.1:0; then
	t_ok "server starts and logs its address (port $SRV_PORT)"
else
	t_fail "server starts and logs its address" "$(cat "$TMP/server.log")"
	t_summary || true
	exit 1
fi
PORT=$SRV_PORT
MAIN_PID=$SRV_PID

# /metrics in the text format.
get metrics /metrics
expect_code "GET /metrics" 200
ct=$(header metrics Content-Type)
if [[ $ct == "text/plain; version=0.0.4"* ]]; then
	t_ok "text format content type ($ct)"
else
	t_fail "text format content type" "got '$ct'"
fi
t_check "promtool check metrics (no parse errors, no lint problems of our own)" \
	promtool_strict "$TMP/metrics.body"

# A series is the line up to its last '}', or its first field.
dups=$(awk '!/^#/ && NF { i = match($0, /\}[^}]*$/); print (i ? substr($0, 1, i) : $1) }' \
	"$TMP/metrics.body" | sort | uniq -d)
if [ -z "$dups" ]; then t_ok "no duplicate series"; else t_fail "no duplicate series" "$dups"; fi

bad_help=$(awk '$1 == "#" && ($2 == "HELP" || $2 == "TYPE") { n[$2 " " $3]++ }
	END { for (k in n) if (n[k] > 1) print k }' "$TMP/metrics.body")
if [ -z "$bad_help" ]; then
	t_ok "HELP and TYPE once per family"
else
	t_fail "HELP and TYPE once per family" "$bad_help"
fi

# Series the alert rules and dashboards need.
M=$TMP/metrics.body
FS_LABELS='\{(device="[^"]*",fstype="[^"]*",mountpoint="[^"]*")\}'
for re in \
	'node_load1 ' 'node_load5 ' 'node_load15 ' \
	"node_filesystem_avail_bytes$FS_LABELS " \
	"node_filesystem_size_bytes$FS_LABELS " \
	"node_filesystem_free_bytes$FS_LABELS " \
	"node_filesystem_readonly$FS_LABELS " \
	'node_memory_MemAvailable_bytes ' 'node_memory_MemTotal_bytes ' \
	'node_memory_MemFree_bytes ' \
	'node_cpu_seconds_total\{cpu="0",mode="idle"\} ' \
	'node_cpu_seconds_total\{cpu="0",mode="user"\} ' \
	'node_boot_time_seconds ' 'node_context_switches_total ' 'node_forks_total ' \
	'node_time_seconds ' 'node_uname_info\{.*nodename=' \
	'node_textfile_scrape_error 0' \
	'process_resident_memory_bytes ' 'process_cpu_seconds_total ' \
	'process_start_time_seconds ' 'process_open_fds '; do
	shown=$(printf '%s' "${re%% }" | sed -e 's/\\{(device.*)\\}/{device,fstype,mountpoint}/' -e 's/\\//g')
	if has_series "$M" "$re"; then
		t_ok "series $shown"
	else
		t_fail "series $shown"
	fi
done
# Collectors whose sources every Linux host has must succeed here; the
# others may report "no data" (success 0, as upstream does on this host:
# no md arrays, no hwmon, ...), which logs at debug only, so "no error
# lines" below still catches any real failure.
for c in arp conntrack cpu diskstats entropy filefd filesystem loadavg meminfo \
	netclass netdev netstat os sockstat softnet stat textfile time uname vmstat; do
	if has_series "$M" "node_scrape_collector_success\\{collector=\"$c\"\\} 1\$"; then
		t_ok "collector $c succeeds"
	else
		t_fail "collector $c succeeds" "$(grep "collector=\"$c\"" "$M" || echo 'no series')"
	fi
done
if [ "$(collectors_reported "$M")" = "$(printf '%s ' "${DEFAULT_COLLECTORS[@]}")" ]; then
	t_ok "exactly the default collectors run"
else
	t_fail "exactly the default collectors run" "got: $(collectors_reported "$M")"
fi
if has_series "$M" 'node_scrape_collector_duration_seconds\{collector="cpu"\} [0-9.e+-]+$'; then
	t_ok "collector durations reported"
else
	t_fail "collector durations reported"
fi

# OpenMetrics negotiation.
get om /metrics -H 'Accept: application/openmetrics-text; version=1.0.0; charset=utf-8'
expect_code "GET /metrics as OpenMetrics" 200
ct=$(header om Content-Type)
if [[ $ct == "application/openmetrics-text; version=1.0.0"* ]]; then
	t_ok "OpenMetrics content type ($ct)"
else
	t_fail "OpenMetrics content type" "got '$ct'"
fi
if tail -c 6 "$TMP/om.body" | cmp -s - <(printf '# EOF\n') &&
	[ "$(grep -c '^# EOF$' "$TMP/om.body")" -eq 1 ]; then
	t_ok "OpenMetrics body ends with one '# EOF'"
else
	t_fail "OpenMetrics body ends with one '# EOF'" "$(tail -n 3 "$TMP/om.body")"
fi
# OpenMetrics structure: every sample belongs to the family TYPEd just
# before it (counters: name_total or name_created; TYPE names of counters
# carry no _total), families are contiguous, no empty lines.
om_problems=$(awk '
	/^# EOF$/ { next }
	/^$/ { print NR ": empty line"; next }
	$1 == "#" && $2 == "TYPE" {
		fam = $3; type = $4
		if (fam in seen) print NR ": family " fam " declared twice"
		seen[fam] = 1
		if (type == "counter" && fam ~ /_total$/) print NR ": counter family " fam " ends in _total"
		next
	}
	$1 == "#" { next }
	{
		name = $0; sub(/[{ ].*/, "", name)
		ok = 0
		if (type == "counter") ok = (name == fam "_total" || name == fam "_created")
		else if (type == "histogram") ok = (name == fam "_bucket" || name == fam "_sum" || name == fam "_count" || name == fam "_created")
		else if (type == "summary") ok = (name == fam || name == fam "_sum" || name == fam "_count" || name == fam "_created")
		else if (type == "info") ok = (name == fam "_info")
		else ok = (name == fam)
		if (!ok) print NR ": sample " name " outside its family (" fam ", " type ")"
	}' "$TMP/om.body" | sed -n 1,10p)
if [ -z "$om_problems" ]; then
	t_ok "OpenMetrics samples sit in their families"
else
	t_fail "OpenMetrics samples sit in their families" "$om_problems"
fi
# A real OpenMetrics parser (the Python client's, strict: '# EOF', types,
# counter naming); promtool 2.42 reads only the text format, which has no
# 'unknown' type, so it cannot judge this body.
rc=0
/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
families = list(parse(sys.stdin.read()))
assert len(families) > 50, len(families)
' <"$TMP/om.body" >"$TMP/om.lint" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then
	t_ok "the OpenMetrics parser accepts the body"
else
	t_fail "the OpenMetrics parser accepts the body" "$(tail -n 5 "$TMP/om.lint")"
fi
# The same sample values in both formats, for a family that cannot change.
if [ "$(grep '^node_memory_MemTotal_bytes ' "$TMP/om.body")" = \
	"$(grep '^node_memory_MemTotal_bytes ' "$M")" ]; then
	t_ok "OpenMetrics and text agree on node_memory_MemTotal_bytes"
else
	t_fail "OpenMetrics and text agree on node_memory_MemTotal_bytes"
fi

# gzip.
get gz /metrics -H 'Accept-Encoding: gzip'
expect_code "GET /metrics with gzip" 200
if [ "$(header gz Content-Encoding)" = gzip ]; then
	t_ok "Content-Encoding: gzip"
else
	t_fail "Content-Encoding: gzip" "$(cat "$TMP/gz.hdr")"
fi
if [ "$(head -c 2 "$TMP/gz.body" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
	t_ok "gzip body starts with 1f 8b"
else
	t_fail "gzip body starts with 1f 8b" "$(head -c 16 "$TMP/gz.body" | od -An -tx1)"
fi
if gzip -dc <"$TMP/gz.body" >"$TMP/gz.plain" 2>"$TMP/gz.err" && promtool_strict "$TMP/gz.plain" >/dev/null; then
	t_ok "gzip body inflates to valid metrics"
else
	t_fail "gzip body inflates to valid metrics" "$(cat "$TMP/gz.err")"
fi
get compressed /metrics --compressed
if [ "$CODE" = 200 ] && has_series "$TMP/compressed.body" 'node_load15 '; then
	t_ok "curl --compressed"
else
	t_fail "curl --compressed" "status $CODE"
fi
if [ -z "$(header metrics Content-Encoding)" ] && [ "$(head -c 1 "$M")" = "#" ]; then
	t_ok "no gzip unless asked"
else
	t_fail "no gzip unless asked"
fi
get gzq /metrics -H 'Accept-Encoding: gzip;q=0, identity'
if [ "$CODE" = 200 ] && [ "$(head -c 1 "$TMP/gzq.body")" = "#" ]; then
	t_ok "no gzip when refused with q=0"
else
	t_fail "no gzip when refused with q=0" "status $CODE, encoding '$(header gzq Content-Encoding)'"
fi

# HEAD.
CODE=$("${CURL[@]}" -I -o "$TMP/head.hdr" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics") || CODE="curl-error-$?"
expect_code "HEAD /metrics" 200
if grep -qi '^content-type: text/plain' "$TMP/head.hdr"; then
	t_ok "HEAD /metrics content type"
else
	t_fail "HEAD /metrics content type" "$(cat "$TMP/head.hdr")"
fi

# Other paths and methods.
get notfound /no/such/path
expect_code "GET /no/such/path" 404
get post /metrics -X POST --data ''
expect_code "POST /metrics" 405
get put /metrics -X PUT --data 'x'
expect_code "PUT /metrics" 405
get delete / -X DELETE
expect_code "DELETE /" 405
get healthy /-/healthy
expect_code "GET /-/healthy" 200
get ready /-/ready
expect_code "GET /-/ready" 200
get landing /
expect_code "GET /" 200
if [[ $(header landing Content-Type) == text/html* ]] && grep -q 'href="/metrics"' "$TMP/landing.body"; then
	t_ok "landing page is HTML and links /metrics"
else
	t_fail "landing page is HTML and links /metrics" "$(header landing Content-Type): $(head -c 300 "$TMP/landing.body")"
fi

# Scrape timeout header: honoured, and the scrape still answers.
get timeout /metrics -H 'X-Prometheus-Scrape-Timeout-Seconds: 5'
if [ "$CODE" = 200 ] && has_series "$TMP/timeout.body" 'node_load1 '; then
	t_ok "scrape with X-Prometheus-Scrape-Timeout-Seconds"
else
	t_fail "scrape with X-Prometheus-Scrape-Timeout-Seconds" "status $CODE"
fi
get badtimeout /metrics -H 'X-Prometheus-Scrape-Timeout-Seconds: soon'
if [ "$CODE" = 200 ] || [ "$CODE" = 400 ]; then
	t_ok "malformed scrape timeout header handled (status $CODE)"
else
	t_fail "malformed scrape timeout header handled" "status $CODE"
fi

# collect[] and exclude[] filters.
only_families() { # only_families FILE ERE : every family matches ERE
	families "$1" | grep -Ev "$2" || true
}
EXPORTER_FAMILIES='^(node_scrape_collector_|node_exporter_build_info$|process_|go_|promhttp_)'
get cpu '/metrics?collect[]=cpu' -g
expect_code "collect[]=cpu" 200
stray=$(only_families "$TMP/cpu.body" "^node_cpu_|$EXPORTER_FAMILIES")
if [ -z "$stray" ] && has_series "$TMP/cpu.body" 'node_cpu_seconds_total'; then
	t_ok "collect[]=cpu returns only cpu families"
else
	t_fail "collect[]=cpu returns only cpu families" "$stray"
fi
if [ "$(collectors_reported "$TMP/cpu.body")" = "cpu " ]; then
	t_ok "collect[]=cpu runs only cpu"
else
	t_fail "collect[]=cpu runs only cpu" "got: $(collectors_reported "$TMP/cpu.body")"
fi
get two '/metrics?collect[]=loadavg&collect[]=meminfo' -g
if [ "$CODE" = 200 ] && [ "$(collectors_reported "$TMP/two.body")" = "loadavg meminfo " ]; then
	t_ok "collect[]=loadavg&collect[]=meminfo"
else
	t_fail "collect[]=loadavg&collect[]=meminfo" "status $CODE, got: $(collectors_reported "$TMP/two.body")"
fi
get excl '/metrics?exclude[]=cpu&exclude[]=filesystem' -g
want=$(printf '%s ' "${DEFAULT_COLLECTORS[@]}" | sed -e 's/cpu //' -e 's/filesystem //')
if [ "$CODE" = 200 ] && [ "$(collectors_reported "$TMP/excl.body")" = "$want" ] &&
	! has_series "$TMP/excl.body" 'node_cpu_'; then
	t_ok "exclude[]=cpu&exclude[]=filesystem"
else
	t_fail "exclude[]=cpu&exclude[]=filesystem" "status $CODE, got: $(collectors_reported "$TMP/excl.body")"
fi
get unknown '/metrics?collect[]=nosuchcollector' -g
expect_code "collect[]=nosuchcollector" 400
# Upstream ignores unknown exclude[] names; refusing them is fine too.
get unknownx '/metrics?exclude[]=nosuchcollector' -g
if [ "$CODE" = 200 ] || [ "$CODE" = 400 ]; then
	t_ok "exclude[]=nosuchcollector: status $CODE"
else
	t_fail "exclude[]=nosuchcollector: status 200 or 400" "got $CODE"
fi
# Upstream (1.7+) refuses collect[] with exclude[] (400); combining them
# (collect minus exclude) is also fine.
get both '/metrics?collect[]=cpu&collect[]=loadavg&exclude[]=loadavg' -g
if [ "$CODE" = 400 ] || { [ "$CODE" = 200 ] && [ "$(collectors_reported "$TMP/both.body")" = "cpu " ]; }; then
	t_ok "collect[] with exclude[]: status $CODE"
else
	t_fail "collect[] with exclude[]: 400, or 200 with collect minus exclude" \
		"status $CODE, got: $(collectors_reported "$TMP/both.body")"
fi
get cpugz '/metrics?collect[]=cpu' -g -H 'Accept-Encoding: gzip'
if [ "$CODE" = 200 ] && gzip -dc <"$TMP/cpugz.body" 2>/dev/null | grep -q '^node_cpu_seconds_total'; then
	t_ok "collect[] with gzip"
else
	t_fail "collect[] with gzip" "status $CODE"
fi

# A client that connects and says nothing must not stop others.
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
get withidle /-/healthy
expect_code "scrape while another connection idles" 200
exec 3>&-

# The port is taken: a second server fails at start, with a clear line.
rc=0
timeout 10 "$BIN" node-exporter --web.listen-address="127.0.0.1:$PORT" \
	>/dev/null 2>"$TMP/clash.err" </dev/null || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ -s "$TMP/clash.err" ]; then
	t_ok "port in use: exits $rc with a message"
else
	t_fail "port in use: exits non-zero with a message" "exit $rc: $(cat "$TMP/clash.err")"
fi

# The first server's log: no errors while serving all that.
if grep -Eq 'level=(error|fatal)' "$TMP/server.log"; then
	t_fail "no errors logged" "$(grep -E 'level=(error|fatal)' "$TMP/server.log")"
else
	t_ok "no errors logged"
fi

SRV_PID=$MAIN_PID
srv_stop TERM 5
if [ "$SRV_RC" = 0 ]; then
	t_ok "SIGTERM: exit 0 within 5 s"
else
	t_fail "SIGTERM: exit 0 within 5 s" "exit $SRV_RC; $(tail -n 5 "$TMP/server.log")"
fi

# ---------------------------------------------------------------- server 2
# Non-default flags: two listeners, another telemetry path, no exporter
# metrics, an explicit collector set.
if srv_start "$TMP/server2.log" "$BIN" node-exporter \
	--web.listen-address=127.0.0.1:0 --web.listen-address=127.0.0.1:0 \
	--web.telemetry-path=/probe --web.disable-exporter-metrics \
	--collector.disable-defaults --collector.loadavg --collector.meminfo \
	--log.level=debug --log.format=logfmt; then
	t_ok "second server starts with non-default flags"
else
	t_fail "second server starts with non-default flags" "$(cat "$TMP/server2.log")"
	t_summary || true
	exit 1
fi
if [ "${#SRV_PORTS[@]}" -eq 2 ] && [ "${SRV_PORTS[0]}" != "${SRV_PORTS[1]}" ]; then
	t_ok "two --web.listen-address: two listening lines"
else
	t_fail "two --web.listen-address: two listening lines" "ports: ${SRV_PORTS[*]}"
fi
for PORT in "${SRV_PORTS[@]}"; do
	get probe /probe
	expect_code "GET /probe on port $PORT" 200
done
if [ "$(collectors_reported "$TMP/probe.body")" = "loadavg meminfo " ]; then
	t_ok "--collector.disable-defaults --collector.loadavg --collector.meminfo"
else
	t_fail "--collector.disable-defaults --collector.loadavg --collector.meminfo" \
		"got: $(collectors_reported "$TMP/probe.body")"
fi
if grep -Eq '^(process_|go_|promhttp_)' "$TMP/probe.body"; then
	t_fail "--web.disable-exporter-metrics" "$(grep -E '^(process_|go_|promhttp_)' "$TMP/probe.body" | head -n 3)"
else
	t_ok "--web.disable-exporter-metrics"
fi
t_check "promtool accepts the reduced body" promtool_strict "$TMP/probe.body"
get old /metrics
expect_code "GET /metrics when the path is /probe" 404
get landing2 /
if grep -q 'href="/probe"' "$TMP/landing2.body"; then
	t_ok "landing page links the telemetry path"
else
	t_fail "landing page links the telemetry path" "$(head -c 300 "$TMP/landing2.body")"
fi
get cpu2 '/probe?collect[]=cpu' -g
expect_code "collect[] of a disabled collector" 400
srv_stop INT 5
if [ "$SRV_RC" = 0 ]; then
	t_ok "SIGINT: exit 0 within 5 s"
else
	t_fail "SIGINT: exit 0 within 5 s" "exit $SRV_RC; $(tail -n 5 "$TMP/server2.log")"
fi

# ---------------------------------------------------------------- server 3
# JSON logs: one JSON object a line, the listening line among them.
if srv_start "$TMP/server3.log" "$BIN" node-exporter --web.listen-address=127.0.0.1:0 \
	--log.format=json; then
	if grep -q '"msg":"listening on"' "$TMP/server3.log" &&
		! grep -qv '^{.*}$' "$TMP/server3.log"; then
		t_ok "--log.format=json writes JSON lines"
	else
		t_fail "--log.format=json writes JSON lines" "$(head -n 5 "$TMP/server3.log")"
	fi
	srv_stop TERM 5
else
	t_fail "--log.format=json: server starts" "$(head -n 5 "$TMP/server3.log")"
fi

# ---------------------------------------------------------------- bad flags
# The new flags' values are checked at start-up: exit 2, one clear line.
for bad in --collector.filesystem.stat-workers=0 '--collector.cpu.info.flags-include=(' \
	'--collector.cpu.info.bugs-include=[z-a]'; do
	rc=0
	"$BIN" node-exporter --web.listen-address=127.0.0.1:0 "$bad" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] && grep -q -- "${bad%%=*}" "$TMP/bad.err"; then
		t_ok "$bad: exit 2 with one line naming the flag"
	else
		t_fail "$bad: exit 2 with one line naming the flag" "exit $rc: $(head -n 3 "$TMP/bad.err")"
	fi
done

t_summary
