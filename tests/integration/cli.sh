#!/usr/bin/env bash
#
# cli.sh BIN — the command-line contract of the multi-call binary.
#
# BIN is the exporterbox binary; the applet links are expected next to it
# (the build makes them). Checks: --list / --links content, dispatch through
# argv[0] and through `exporterbox APPLET`, exit codes (0 for --help and
# --version, 2 and exactly one stderr line for a bad flag, 127 and exactly one
# stderr line for an unknown applet), and node-exporter's --help content.
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
DIR=$(dirname "$BIN")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

APPLETS=(kafka-lag-exporter node-exporter postgres-exporter redis-exporter)
ALIASES=(kafka_exporter node_exporter postgres_exporter redis_exporter)

# run NAME CMD... : runs CMD with a time limit, stdin closed; leaves
# $TMP/NAME.out, $TMP/NAME.err and RC.
RC=0
run() {
	local name=$1
	shift
	RC=0
	timeout 10 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null || RC=$?
}

lines() { # number of lines in a file, a final line without newline included
	awk 'END { print NR }' "$1"
}

# expect_exit NAME WANT CMD... : exit status WANT.
expect_exit() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	if [ "$RC" -eq "$want" ]; then
		t_ok "$name: exit $want"
	else
		t_fail "$name: exit $want" "got exit $RC; stderr: $(head -c 500 "$TMP/$name.err")"
	fi
}

# expect_one_error_line NAME WANT CMD... : exit WANT, exactly one line on
# stderr, nothing on stdout.
expect_one_error_line() {
	local name=$1
	expect_exit "$@"
	local n
	n=$(lines "$TMP/$name.err")
	if [ "$n" -eq 1 ] && [ ! -s "$TMP/$name.out" ]; then
		t_ok "$name: one line on stderr, nothing on stdout"
	else
		t_fail "$name: one line on stderr, nothing on stdout" \
			"stderr has $n lines, stdout $(wc -c <"$TMP/$name.out") bytes: $(cat "$TMP/$name.err")"
	fi
}

# --list: exactly the applet names, one a line, sorted.
run list "$BIN" --list
if [ "$RC" -eq 0 ] && [ "$(cat "$TMP/list.out")" = "$(printf '%s\n' "${APPLETS[@]}")" ]; then
	t_ok "--list prints the ${#APPLETS[@]} applets"
else
	t_fail "--list prints the ${#APPLETS[@]} applets" "exit $RC: $(cat "$TMP/list.out")"
fi

# --links: applets and aliases, 8 names, no duplicates.
run links "$BIN" --links
want=$(printf '%s\n' "${APPLETS[@]}" "${ALIASES[@]}" | sort)
got=$(sort "$TMP/links.out")
if [ "$RC" -eq 0 ] && [ "$got" = "$want" ]; then
	t_ok "--links prints the ${#APPLETS[@]} applets and ${#ALIASES[@]} aliases"
else
	t_fail "--links prints applets and aliases" "exit $RC: $(tr '\n' ' ' <"$TMP/links.out")"
fi

expect_exit exporterbox-help 0 "$BIN" --help
if grep -q node-exporter "$TMP/exporterbox-help.out"; then
	t_ok "exporterbox --help names the applets"
else
	t_fail "exporterbox --help names the applets" "$(cat "$TMP/exporterbox-help.out")"
fi
expect_exit exporterbox-version 0 "$BIN" --version
if grep -q "$(sed -n 's/^project(exporterbox VERSION \([0-9.]*\).*/\1/p' "$HERE/../../CMakeLists.txt")" \
	"$TMP/exporterbox-version.out"; then
	t_ok "exporterbox --version prints the project version"
else
	t_fail "exporterbox --version prints the project version" "$(cat "$TMP/exporterbox-version.out")"
fi
expect_exit exporterbox-noargs 0 "$BIN"
expect_one_error_line unknown-applet 127 "$BIN" no-such-exporter

# Links exist next to BIN, point at exporterbox, and dispatch on argv[0].
for name in "${APPLETS[@]}" "${ALIASES[@]}"; do
	link=$DIR/$name
	if [ -L "$link" ] && [ "$(readlink -f "$link")" = "$(readlink -f "$BIN")" ]; then
		t_ok "link $name -> exporterbox"
	else
		t_fail "link $name -> exporterbox" "$(ls -l "$link" 2>&1)"
		continue
	fi
	expect_exit "$name-version" 0 "$link" --version
	if grep -qi version "$TMP/$name-version.out"; then
		t_ok "$name --version prints a version"
	else
		t_fail "$name --version prints a version" "$(cat "$TMP/$name-version.out")"
	fi
	expect_exit "$name-help" 0 "$link" --help
	expect_one_error_line "$name-bad-flag" 2 "$link" --no-such-flag
done

# The same through `exporterbox APPLET`.
for name in "${APPLETS[@]}"; do
	expect_exit "exporterbox-$name-version" 0 "$BIN" "$name" --version
	expect_exit "exporterbox-$name-help" 0 "$BIN" "$name" --help
	expect_one_error_line "exporterbox-$name-bad-flag" 2 "$BIN" "$name" --no-such-flag
done

# node-exporter in particular: help content and flag validation.
run node-help "$BIN" node-exporter --help
cat "$TMP/node-help.out" "$TMP/node-help.err" >"$TMP/node-help.all"
for flag in --web.listen-address --web.telemetry-path --web.disable-exporter-metrics \
	--path.procfs --path.sysfs --path.rootfs --collector.cpu --collector.disable-defaults \
	--collector.textfile.directory --log.level; do
	# kingpin spells booleans --[no-]name, as upstream's --help does
	if grep -Eq -- "--(\[no-\])?${flag#--}([= ]|\$)" "$TMP/node-help.all"; then
		t_ok "node-exporter --help lists $flag"
	else
		t_fail "node-exporter --help lists $flag"
	fi
done
expect_one_error_line node-unknown-collector 2 "$BIN" node-exporter --collector.no-such-collector
expect_one_error_line node-bad-number 2 "$BIN" node-exporter --web.max-requests=many
expect_one_error_line node-bad-log-level 2 "$BIN" node-exporter --log.level=chatty
expect_one_error_line node-missing-value 2 "$BIN" node-exporter --web.listen-address
expect_one_error_line pg-negative-result-cap 2 "$BIN" postgres-exporter --postgres.max-result-bytes=-1
expect_one_error_line redis-negative-reply-cap 2 "$BIN" redis-exporter --redis.max-reply-bytes=-1

t_summary
