# shellcheck shell=bash disable=SC2034 # sourced by bench.sh; arrays read there
#
# pair_redis: redis-exporter against Debian's prometheus-redis-exporter
# (1.45.0), both scraping one redis-server 7 started here (temp dir, free
# loopback port) with a few hundred keys in three databases, latency
# tracking on, and a replica attached (replication families). Scenario
# "defaults": each exporter as installed, pointed at the server.
# pair_cleanup stops the servers.
BENCH_REDIS_PIDS=()

# bench_redis_start VAR ARGS... : a redis-server on a free port, set in VAR.
# Another helper's server may take the port between free_port and the bind:
# then it is tried again on another one.
bench_redis_start() {
	local -n port_out=$1
	shift
	local port pid attempt _
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		mkdir -p "$TMP/redis-$port"
		redis-server --port "$port" --bind 127.0.0.1 --dir "$TMP/redis-$port" --save '' \
			--appendonly no --latency-tracking yes "$@" >"$TMP/redis-$port.log" 2>&1 &
		pid=$!
		for _ in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break
			if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
				BENCH_REDIS_PIDS+=("$pid")
				port_out=$port
				return 0
			fi
			sleep 0.05
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "bench.sh: redis-server did not start (attempt $attempt):" >&2
	tail -n 3 "$TMP/redis-$port.log" >&2
	exit 1
}

pair_redis() {
	THEIRS_BIN=/usr/bin/prometheus-redis-exporter
	[ -x "$THEIRS_BIN" ] || {
		echo "bench.sh: $THEIRS_BIN missing: apt-get install prometheus-redis-exporter" >&2
		exit 2
	}
	command -v redis-server >/dev/null || { echo "bench.sh: redis-server is needed" >&2; exit 2; }
	local primary replica db i
	bench_redis_start primary
	bench_redis_start replica --replicaof 127.0.0.1 "$primary"
	for db in 0 1 2; do
		for i in $(seq 100); do
			printf 'SET key:%s:%s %s EX %s\n' "$db" "$i" "$i" $((1000 + i))
		done | redis-cli -p "$primary" -n "$db" >/dev/null
	done
	OURS=(redis-exporter --redis.addr "redis://127.0.0.1:$primary")
	THEIRS=("$THEIRS_BIN" -redis.addr "redis://127.0.0.1:$primary"
		-web.listen-address "127.0.0.1:@PORT@")
	THEIRS_READY=/
	TELEMETRY=/metrics
	SCENARIOS=(defaults)
	OURS_defaults=()
	THEIRS_defaults=()
}

pair_cleanup() {
	local pid
	for pid in "${BENCH_REDIS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${BENCH_REDIS_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	BENCH_REDIS_PIDS=()
}
