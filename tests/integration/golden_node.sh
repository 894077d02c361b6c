#!/usr/bin/env bash
#
# golden_node.sh BIN [--update] — a whole node-exporter scrape of the fixture
# tree, diffed against tests/golden/node.metrics.
#
# Runs node-exporter from the repository root on tests/fixtures/node/{proc,sys,
# rootfs,textfile} (relative paths, so labels do not carry the checkout's
# location), scrapes /metrics once, replaces what legitimately varies from run
# to run or host to host by the placeholder "<X>" (keeping every family,
# series and label name), and diffs. With --update it rewrites the golden file
# instead (review the diff before committing it).
#
# Replaced: values of *_scrape_collector_duration_seconds, node_time_seconds,
# node_textfile_mtime_seconds, process_*, go_*, node_timex_* (adjtimex(2) is
# the host's clock, not a file), and the statfs numbers of
# node_filesystem_{avail,free,size}_bytes and _files{,_free} (statfs reads the
# real disk under the fixture rootfs); label values and value of
# node_time_zone_offset_seconds; label values of node_uname_info and
# node_exporter_build_info.
set -euo pipefail

UPDATE=0
BIN=
for arg in "$@"; do
	case $arg in
	--update) UPDATE=1 ;;
	*) BIN=$arg ;;
	esac
done
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "usage: $0 PATH/TO/exporterbox [--update]" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GOLDEN=$ROOT/tests/golden/node.metrics
FIX=tests/fixtures/node
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
command -v curl >/dev/null || { echo "$0: curl is needed" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'srv_kill_all; rm -rf "$TMP"' EXIT

for d in proc sys rootfs textfile; do
	if [ ! -d "$ROOT/$FIX/$d" ]; then
		echo "FAIL fixture tree $FIX/$d is missing"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

cd "$ROOT"
if ! srv_start "$TMP/server.log" env TZ=UTC LC_ALL=C "$BIN" node-exporter \
	--web.listen-address=127.0.0.1:0 \
	--path.procfs="$FIX/proc" --path.sysfs="$FIX/sys" --path.rootfs="$FIX/rootfs" \
	--path.udev.data="$FIX/udev" \
	--collector.textfile.directory="$FIX/textfile"; then
	echo "FAIL node-exporter did not start:"
	sed 's/^/     | /' "$TMP/server.log"
	echo "0 passed, 1 failed"
	exit 1
fi
code=$(curl -s --max-time 10 -o "$TMP/scrape" -w '%{http_code}' \
	"http://127.0.0.1:$SRV_PORT/metrics") || code="curl-error-$?"
srv_stop TERM 5
if [ "$code" != 200 ]; then
	echo "FAIL GET /metrics: status $code"
	echo "0 passed, 1 failed"
	exit 1
fi

# normalize < scrape > normalized : see the header.
normalize() {
	awk -v root="$ROOT/" '
	function blank_labels(s) { gsub(/="([^"\\]|\\.)*"/, "=\"<X>\"", s); return s }
	{ gsub(root, "") }		# in case a path was made absolute
	/^#/ { print; next }
	{
		# series = up to the last "}" (label values may hold spaces), or field 1
		i = match($0, /\}[^}]*$/)
		if (i) { series = substr($0, 1, i); rest = substr($0, i + 1) }
		else { series = $1; rest = substr($0, length($1) + 1) }
		name = series; sub(/\{.*/, "", name)
		value = rest; sub(/^ +/, "", value)
		if (name ~ /_scrape_collector_duration_seconds$/ ||
		    name == "node_time_seconds" ||
		    name == "node_textfile_mtime_seconds" ||
		    name ~ /^(process|go)_/ ||
		    name ~ /^node_timex_/ ||
		    name ~ /^node_filesystem_(avail_bytes|free_bytes|size_bytes|files|files_free)$/)
			value = "<X>"
		if (name == "node_time_zone_offset_seconds") {
			series = blank_labels(series); value = "<X>"
		}
		if (name == "node_uname_info" || name == "node_exporter_build_info")
			series = blank_labels(series)
		print series " " value
	}'
}

normalize <"$TMP/scrape" >"$TMP/normalized"

if [ "$UPDATE" = 1 ]; then
	mkdir -p "$(dirname "$GOLDEN")"
	cp "$TMP/normalized" "$GOLDEN"
	echo "updated $GOLDEN ($(wc -l <"$GOLDEN") lines)"
	exit 0
fi

if [ ! -f "$GOLDEN" ]; then
	echo "FAIL $GOLDEN is missing: run $0 BIN --update and review it"
	echo "0 passed, 1 failed"
	exit 1
fi
if diff -u --label golden --label scrape "$GOLDEN" "$TMP/normalized" >"$TMP/diff"; then
	echo "ok   scrape of $FIX matches tests/golden/node.metrics ($(wc -l <"$GOLDEN") lines)"
	echo "1 passed, 0 failed"
else
	echo "FAIL scrape of $FIX differs from tests/golden/node.metrics:"
	head -n 200 "$TMP/diff" || true
	echo "(if the change is intended: $0 BIN --update, and review the diff)"
	echo "0 passed, 1 failed"
	exit 1
fi
