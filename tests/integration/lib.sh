# shellcheck shell=bash disable=SC2034
#
# Shared by the integration scripts (sourced, not run): ok/FAIL bookkeeping,
# starting an applet on a loopback port it picks itself, and stopping it.
#
#   t_ok NAME / t_fail NAME [DETAIL]   record one check
#   t_check NAME CMD...                run CMD; ok if it exits 0
#   t_summary                          print "N passed, N failed"; status 1 on failures
#   srv_start LOGFILE CMD...           start CMD in the background, wait (bounded) for
#                                      its `msg="listening on" address=HOST:PORT` line
#                                      (logfmt or JSON);
#                                      sets SRV_PID and SRV_PORT (SRV_PORTS: all ports)
#   srv_spawn LOGFILE CMD...           the same without waiting (SRV_PID only)
#   srv_stop [SIGNAL] [SECONDS]        signal SRV_PID, wait for it; sets SRV_RC
#                                      (124 if it did not exit in time: then SIGKILL)
#   srv_kill_all                       for the EXIT trap: kill whatever is still running
#
# Every process started here is remembered in SRV_ALL and killed by
# srv_kill_all, so a failing script never leaves a server behind.

T_PASSED=0
T_FAILED=0
SRV_ALL=()
SRV_PID=
SRV_PORT=
SRV_PORTS=()
SRV_RC=
# Seconds to wait for the listening line (valgrind needs more).
SRV_START_TIMEOUT=${SRV_START_TIMEOUT:-15}

t_ok() {
	T_PASSED=$((T_PASSED + 1))
	printf 'ok   %s\n' "$1"
}

t_fail() {
	T_FAILED=$((T_FAILED + 1))
	printf 'FAIL %s\n' "$1"
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" | sed -n 's/^/     | /; 1,20p' || true
	fi
}

t_check() {
	local name=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		t_ok "$name"
	else
		t_fail "$name" "$out"
	fi
}

t_summary() {
	printf '%d passed, %d failed\n' "$T_PASSED" "$T_FAILED"
	[ "$T_FAILED" -eq 0 ]
}

# srv_spawn LOGFILE CMD... : start CMD in the background (stderr to LOGFILE),
# set SRV_PID, do not wait.
srv_spawn() {
	local log=$1
	shift
	SRV_PID=
	SRV_PORT=
	SRV_PORTS=()
	: >"$log"
	"$@" 2>"$log" >/dev/null </dev/null &
	SRV_PID=$!
	SRV_ALL+=("$SRV_PID")
}

# srv_start LOGFILE CMD... : see the header.
srv_start() {
	local log=$1
	srv_spawn "$@"
	local deadline=$((SECONDS + SRV_START_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ]; do
		if grep -Eq 'msg"?[=:]"listening on"' "$log" 2>/dev/null; then
			# Give a second listener (repeated --web.listen-address) a moment.
			sleep 0.1
			# logfmt: msg="listening on" address=127.0.0.1:9100
			# json:   "msg":"listening on","address":"127.0.0.1:9100"
			mapfile -t SRV_PORTS < <(grep -E 'msg"?[=:]"listening on"' "$log" |
				sed -nE 's/.*[ ,"]address"?[=:]"?[^" ,]*:([0-9]+)"?.*/\1/p')
			SRV_PORT=${SRV_PORTS[0]:-}
			[ -n "$SRV_PORT" ] && return 0
			return 1
		fi
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			wait "$SRV_PID" 2>/dev/null || true
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# srv_stop [SIGNAL] [SECONDS] : see the header.
srv_stop() {
	local sig=${1:-TERM} secs=${2:-5}
	local pid=$SRV_PID
	SRV_RC=
	[ -n "$pid" ] || return 0
	kill -s "$sig" "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + secs))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -s KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		SRV_RC=124
	else
		SRV_RC=0
		wait "$pid" 2>/dev/null || SRV_RC=$?
	fi
	SRV_PID=
}

srv_kill_all() {
	local pid
	for pid in "${SRV_ALL[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -s KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
}

# A free loopback TCP port (for servers that cannot take port 0), or fail.
# Outside the kernel's ephemeral range (ip_local_port_range), so no outgoing
# connection's local port can take it before the server binds it: CI once
# saw redis-server fail "Address already in use" on 35152 that way. Below
# the range when there is room (from 20000), else above it, else anywhere.
# Two tests may still pick the same one (1 in ~12,000); redis_e2e retries.
free_port() {
	local p lo=20000 hi=60000 elo=32768 ehi=60999
	read -r elo ehi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	if [ "$elo" -ge $((lo + 2000)) ]; then
		hi=$elo
	elif [ "$ehi" -le $((65535 - 2000)) ]; then
		lo=$((ehi + 1)) hi=65536
	fi
	for _ in $(seq 1 50); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# stop_signals_blocked PID : true when every thread of PID but one (the
# main thread, whose sigwait unblocks them while it waits) blocks SIGINT and
# SIGTERM, so that no other thread can die of a stop signal.
stop_signals_blocked() {
	local t mask open=0
	for t in /proc/"$1"/task/*; do
		mask=$(awk '/^SigBlk:/ {print $2}' "$t/status")
		(( (16#$mask & 0x4002) == 0x4002 )) || open=$((open + 1))
	done
	[ "$open" -le 1 ]
}

# wait_http URL SECONDS : poll until URL answers anything over HTTP.
wait_http() {
	local url=$1 deadline=$((SECONDS + ${2:-10}))
	while [ "$SECONDS" -le "$deadline" ]; do
		if curl -s -o /dev/null --max-time 2 "$url"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}
