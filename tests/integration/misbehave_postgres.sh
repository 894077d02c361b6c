#!/usr/bin/env bash
#
# misbehave_postgres.sh BIN — postgres-exporter against PostgreSQL servers
# that misbehave (tests/integration/fake_postgres.py, in front of a real
# PostgreSQL 15 started here): after a proper startup and session setup, one
# that never answers a query, one that answers garbage, one that closes
# mid-reply, one that sends an endless result of small rows, one that sends a
# 1 GiB field, one that dribbles a reply a byte at a time. Each scrape must
# come back with HTTP 200 by its deadline (--web.scrape-timeout=4s: checked
# with a wide margin, 20 s), a body promtool accepts, pg_up 0 or a failed
# collector (pg_scrape_collector_success 0) with pg_exporter_last_scrape_error
# 1, a bounded peak RSS (the result cap, --postgres.max-result-bytes=16MiB
# here; PG_CAP=0 in the environment turns it off, to see the checks fail), and
# the next scrape, with the fake server turned into a proxy to the real one,
# must be pg_up 1 with every collector successful, through the same exporter.
# Each misbehaviour is met twice: by queries sent one by one, then by a
# scrape's queries sent in one batch (pg_plan.c).
# Prints ok/FAIL per check and "N passed, N failed"; exits 1 on any failure,
# 77 when a tool is missing.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=pg_lib.sh
. "$HERE/pg_lib.sh"
pg_bin_ok || { echo "SKIP: PostgreSQL 15 server binaries not found"; exit 77; }
for tool in curl python3 promtool; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (skipped)" >&2; exit 77; }
done

TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() {
	srv_kill_all
	pg_stop "$TMP/pg"
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

pg_init "$TMP/pg"
PGPORT_REAL=$(pg_start_any "$TMP/pg" -c fsync=off) # retried: a free port can be taken

echo proxy >mode
python3 "$HERE/fake_postgres.py" "$TMP/fake.port" "$TMP/mode" "$PGPORT_REAL" 2>fake.log &
SRV_ALL+=("$!")
for _ in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.1; done
FAKE=$(cat fake.port)

CAP=$((16 << 20))
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB) instead
# of being reused, which would make the peak RSS measure the quarantine.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
# It also keeps a shadow byte per 8 bytes of every allocation it poisons:
# libpq sizes its buffer for the 1 GiB field up front (reserved, not
# touched), and freeing it writes 128 MiB of shadow. Allowed for under ASan.
SHADOW_KB=0
if ldd "$BIN" 2>/dev/null | grep -q libasan || grep -aq __asan_init "$BIN"; then
	SHADOW_KB=$((160 << 10))
fi
export DATA_SOURCE_NAME="host=127.0.0.1 port=$FAKE user=postgres dbname=postgres sslmode=disable"
srv_start exporter.log "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0 \
	--web.scrape-timeout=4s --postgres.connect-timeout=2s \
	"--postgres.max-result-bytes=${PG_CAP-$CAP}" --log.level=debug ||
	{ t_fail "exporter starts" "$(cat exporter.log)"; t_summary; exit 1; }
EXP=$SRV_PID
BASE="http://127.0.0.1:$SRV_PORT"

kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$EXP/status"; }
# scrape NAME : body in NAME.body, code in CODE, seconds in SECS.
scrape() {
	local start=$SECONDS
	CODE=$(curl -s --max-time 60 -o "$1.body" -w '%{http_code}' "$BASE/metrics") || CODE=curl-error
	SECS=$((SECONDS - start))
}
healthy() { # every collector succeeded and pg_up 1
	grep -qx "pg_up 1" "$1.body" && ! grep -q '^pg_scrape_collector_success{.*} 0$' "$1.body" &&
		grep -q '^pg_scrape_collector_success{' "$1.body"
}
affected() { # the scrape says the target misbehaved
	grep -qx "pg_exporter_last_scrape_error 1" "$1.body" &&
		{ grep -qx "pg_up 0" "$1.body" || grep -q '^pg_scrape_collector_success{.*} 0$' "$1.body"; }
}
parses() {
	local rc=0
	promtool check metrics <"$1.body" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]	# 3: lint warnings only (upstream's names)
}

scrape warm
t_check "good server (proxy): every collector ok, pg_up 1" healthy warm
scrape warm2
HWM0=$(kb VmHWM)
echo "# baseline peak RSS ${HWM0} kB"

# misbehaved NAME : the checks every scrape at a misbehaving server passes.
misbehaved() {
	local name=$1 hwm
	t_check "$name: HTTP 200" test "$CODE" = 200
	t_check "$name: pg_up 0 or a failed collector" affected "$name"
	t_check "$name: body parses" parses "$name"
	t_check "$name: answered by the deadline (4 s; ${SECS}s <= 20)" test "$SECS" -le 20
	hwm=$(kb VmHWM)
	# 4 x cap: libpq doubles its buffer as a long row arrives, and the
	# watcher samples every millisecond (later on a loaded machine).
	t_check "$name: peak RSS bounded (${hwm} kB <= ${HWM0} + 4 x cap + ${SHADOW_KB})" \
		test "$hwm" -le $((HWM0 + 4 * CAP / 1024 + SHADOW_KB))
	t_check "$name: exporter alive" kill -0 "$EXP"
}
batches_failed() { grep -c "a batch of queries failed" exporter.log || true; }

for mode in silent garbage midclose rows hugefield dribble; do
	echo "$mode" >mode
	# The kept connection (through the proxy) closes at the first query:
	# this scrape's queries run one by one, each on a new connection.
	scrape "$mode"
	misbehaved "$mode"
	# The next scrape's first connection gets the whole scrape's queries
	# at once (pg_plan.c): the misbehaviour meets the batch.
	before=$(batches_failed)
	scrape "$mode.batch"
	misbehaved "$mode.batch"
	echo proxy >mode
	# A collector may still hold the connection for the cancel's grace (1 s).
	sleep 1.5
	t_check "$mode.batch: the batch met it (a failed batch logged)" \
		test "$(batches_failed)" -gt "$before"
	# The first collector may still find the misbehaving connection (pg_up
	# reconnected to it); it drops it, so the scrape after is all healthy.
	scrape "$mode.after"
	t_check "$mode: next scrape against the real server: HTTP 200, pg_up 1" \
		bash -c "[ '$CODE' = 200 ] && grep -qx 'pg_up 1' '$mode.after.body'"
	scrape "$mode.after2"
	t_check "$mode: and the one after: every collector ok" healthy "$mode.after2"
done
t_check "the cap is named in the log" grep -q "max-result-bytes" exporter.log
t_check "no crash in the exporter's log" \
	bash -c "! grep -Eiq 'sanitizer|segv|abort|panic' exporter.log"
srv_stop TERM 10
t_check "clean exit on SIGTERM (rc $SRV_RC)" test "$SRV_RC" = 0
t_summary
