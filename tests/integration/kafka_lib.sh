# shellcheck shell=bash
#
# Shared by the kafka-lag-exporter scripts (sourced after lib.sh): the mock
# cluster helper driven over a FIFO, scrapes, and bounded waits for the
# background collection to catch up.
#
#   mock_start MOCKBIN [ARGS...]   start the helper; sets MOCK_PID, MOCK_BOOTSTRAP,
#                                  MOCK_BASE_MS (timestamp of message 0)
#   mock_cmd CMD...                send one command, wait (bounded) for its answer
#   scrape FILE                    GET /metrics of $PORT into FILE; sets CODE
#   wait_body FILE SECONDS REGEX   scrape until a line matches REGEX (bounded)
#   value FILE SERIES              the value of the sample line "SERIES value"
#
# Needs TMP set and srv_* from lib.sh (the helper is remembered in SRV_ALL).

MOCK_PID=
MOCK_BOOTSTRAP=
MOCK_BASE_MS=
MOCK_ANSWERS=0

mock_start() {
	mkfifo "$TMP/mock.in"
	"$@" <"$TMP/mock.in" >"$TMP/mock.out" 2>"$TMP/mock.err" &
	MOCK_PID=$!
	SRV_ALL+=("$MOCK_PID")
	# Hold the FIFO open for writing for the whole script.
	exec 7>"$TMP/mock.in"
	local deadline=$((SECONDS + ${MOCK_START_TIMEOUT:-60}))
	while ! grep -q '^ready$' "$TMP/mock.out" 2>/dev/null; do
		if [ "$SECONDS" -gt "$deadline" ] || ! kill -0 "$MOCK_PID" 2>/dev/null; then
			cat "$TMP/mock.err" >&2
			return 1
		fi
		sleep 0.1
	done
	MOCK_BOOTSTRAP=$(sed -n 's/^bootstrap //p' "$TMP/mock.out")
	MOCK_BASE_MS=$(sed -n 's/^base_ms //p' "$TMP/mock.out")
}

mock_cmd() {
	echo "$*" >&7
	MOCK_ANSWERS=$((MOCK_ANSWERS + 1))
	local deadline=$((SECONDS + 60))
	while [ "$(grep -cE '^(ok|error)$' "$TMP/mock.out")" -lt "$MOCK_ANSWERS" ]; do
		[ "$SECONDS" -le "$deadline" ] || return 1
		sleep 0.05
	done
	[ "$(grep -E '^(ok|error)$' "$TMP/mock.out" | tail -n 1)" = ok ]
}

mock_stop() {
	echo quit >&7 || true
	exec 7>&-
	local deadline=$((SECONDS + 20))
	while kill -0 "$MOCK_PID" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do
		sleep 0.1
	done
	kill -s KILL "$MOCK_PID" 2>/dev/null || true
	wait "$MOCK_PID" 2>/dev/null || true
}

CODE=
scrape() {
	CODE=$(curl -s --max-time 10 -o "$1" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics") ||
		CODE="curl-error-$?"
}

# Scrapes until a sample line matches REGEX: the snapshot is refreshed in the
# background, so a change shows up within a few collection intervals.
wait_body() {
	local file=$1 deadline=$((SECONDS + $2)) re=$3
	while :; do
		scrape "$file"
		grep -Eq "$re" "$file" && return 0
		[ "$SECONDS" -le "$deadline" ] || return 1
		sleep 0.2
	done
}

value() {
	awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print $NF; found = 1 } END { exit !found }' "$1"
}

# expect_value FILE SERIES WANT : one check that the sample has value WANT.
expect_value() {
	local got
	got=$(value "$1" "$2" || echo "(absent)")
	if [ "$got" = "$3" ]; then
		t_ok "$2 = $3"
	else
		t_fail "$2 = $3" "got $got"
	fi
}

# expect_absent FILE REGEX NAME : no line matches REGEX.
expect_absent() {
	if grep -Eq "$2" "$1"; then
		t_fail "$3" "$(grep -E "$2" "$1" | head -n 5)"
	else
		t_ok "$3"
	fi
}

# Lint problems promtool reports for upstream's own names (which we must
# keep, and the seed's alert name): gauges ending in _sum.
UPSTREAM_LINT='^kafka_(consumer_lag_sum|consumergroup_current_offset_sum|consumergroup_lag_sum) non-histogram and non-summary metrics should not have "_sum" suffix$'

promtool_ok() { # promtool_ok FILE NAME : parse errors and our own lint problems fail
	local rc=0 other
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	other=$(grep -Ev "$UPSTREAM_LINT" "$1.lint" || true)
	if [ "$rc" = 0 ] || { [ "$rc" = 3 ] && [ -z "$other" ]; }; then
		t_ok "promtool check metrics: $2"
	else
		t_fail "promtool check metrics: $2" "rc $rc: $other"
	fi
}
