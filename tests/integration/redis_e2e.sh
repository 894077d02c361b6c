#!/usr/bin/env bash
#
# redis_e2e.sh BIN — redis-exporter end to end against real redis-servers
# started here (temp dirs, free loopback ports): a primary with requirepass
# and an ACL user, a replica of it (replicaof), keys with TTLs in several
# databases, maxmemory set and unset, the primary stopped and restarted
# mid-run, /scrape?target= against the replica (password file with a user)
# and a unix socket, the allowlist, bad flags. promtool checks every body;
# no password may appear in any body or log.
#
# Needs redis-server, redis-cli, curl, promtool (exit 77 when one is missing).
set -uo pipefail

BIN=${1:?usage: redis_e2e.sh BIN}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

for tool in redis-server redis-cli curl promtool; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

TMP=$(mktemp -d)
REDIS_PIDS=()
cleanup() {
	srv_kill_all
	for pid in "${REDIS_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${REDIS_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

PRIMARY_PW=s3cretPrimaryPW
MON_PW=monS3cretPW
REPLICA_PW=replicaS3cretPW
SECRETS="$PRIMARY_PW|$MON_PW|$REPLICA_PW"

# start_redis NAME PORT ARGS... : a redis-server in $TMP/NAME; sets REDIS_PID.
# Started when its own log says it is ready: a PONG on the port could come
# from another test's server that took the port first.
start_redis() {
	local name=$1 port=$2
	shift 2
	mkdir -p "$TMP/$name"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$TMP/$name" --save '' \
		--appendonly no --daemonize no "$@" >"$TMP/$name.log" 2>&1 &
	REDIS_PID=$!
	REDIS_PIDS+=("$REDIS_PID")
	for _ in $(seq 100); do
		if grep -q "Ready to accept connections" "$TMP/$name.log" &&
			redis-cli -p "$port" ping 2>/dev/null | grep -q -e PONG -e NOAUTH; then
			return 0
		fi
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "redis-server $name did not start:"; cat "$TMP/$name.log"
	return 1
}

# start_redis_any NAME VAR ARGS... : start_redis on a free port, stored in
# VAR; another port when another test took the first before redis bound it.
start_redis_any() {
	local name=$1 var=$2 try port
	shift 2
	for try in 1 2 3 4 5; do
		port=$(free_port) || return 1
		if start_redis "$name" "$port" "$@"; then
			printf -v "$var" %s "$port"
			return 0
		fi
		grep -q "Address already in use" "$TMP/$name.log" || return 1
	done
	return 1
}

stop_redis() { # stop_redis PID
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

pcli() { REDISCLI_AUTH=$PRIMARY_PW redis-cli -p "$P1" "$@"; }
rcli() { REDISCLI_AUTH=$REPLICA_PW redis-cli -p "$R1" "$@"; }

SOCK=$TMP/primary.sock
PRIMARY_ARGS=(--requirepass "$PRIMARY_PW" --unixsocket "$SOCK" --unixsocketperm 700
	--latency-tracking yes --slowlog-log-slower-than 0)
start_redis_any primary P1 "${PRIMARY_ARGS[@]}" || exit 1
PRIMARY_PID=$REDIS_PID
start_redis_any replica R1 --replicaof 127.0.0.1 "$P1" --masterauth "$PRIMARY_PW" \
	--requirepass "$REPLICA_PW" || exit 1

pcli ACL SETUSER mon on ">$MON_PW" '~*' '&*' '+@all' >/dev/null
pcli SET plain 42 >/dev/null
pcli SET expiring x EX 1000 >/dev/null
pcli RPUSH queue a b c >/dev/null
pcli -n 1 SET one 1 >/dev/null
pcli -n 2 SET t1 1 EX 500 >/dev/null
pcli -n 2 SET t2 2 EX 700 >/dev/null
pcli -n 2 HSET h f v >/dev/null
pcli CONFIG SET maxmemory 104857600 >/dev/null
pcli GET nosuchkey >/dev/null
pcli NOSUCHCOMMAND >/dev/null 2>&1 || true

# The replica catches up (bounded wait; the checks below say if it did not).
for _ in $(seq 100); do
	rcli INFO replication | grep -q 'master_link_status:up' && break
	sleep 0.1
done

CURL=(curl -s --max-time 20)
BODIES=()
CODE=
get() { # get NAME URL : body into $TMP/NAME.body, status into CODE
	CODE=$("${CURL[@]}" -o "$TMP/$1.body" -w '%{http_code}' "$2") || CODE="curl-error-$?"
	BODIES+=("$TMP/$1.body")
}

# upstream's own names that promtool's linter dislikes (we must keep them)
UPSTREAM_LINT='metric names should not contain abbreviated units|counter metrics should have "_total" suffix|non-counter metrics should not have "_total" suffix|non-histogram and non-summary metrics should not have "_count" suffix|use base unit "seconds" instead of "milliseconds"'
promtool_ok() {
	local rc=0 other
	promtool check metrics <"$1" >"$1.lint" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && return 0
	[ "$rc" -eq 3 ] || { cat "$1.lint"; return 1; }
	other=$(grep -Ev "$UPSTREAM_LINT" "$1.lint" || true)
	[ -z "$other" ] || { printf '%s\n' "$other"; return 1; }
}

has() { grep -Eq "^$2( |$)" "$1" || grep -Eq "^$2" "$1"; }
check_series() { # check_series BODY NAME REGEX
	if grep -Eq "^$3" "$1"; then t_ok "$2"; else t_fail "$2" "no line matching ^$3"; fi
}
check_absent() { # check_absent BODY NAME REGEX
	if grep -Eq "^$3" "$1"; then t_fail "$2" "$(grep -E "^$3" "$1" | head -3)"; else t_ok "$2"; fi
}

# ---- exporter A: the primary as the ACL user, password from the environment ----
REDIS_PASSWORD=$MON_PW srv_start "$TMP/a.log" "$BIN" redis-exporter \
	-redis.addr "redis://127.0.0.1:$P1" -redis.user mon \
	--check-keys 'db0=queue,db2=t*' --check-single-keys 'db0=plain' --count-keys 'db2=t*' \
	--web.listen-address 127.0.0.1:0 ||
	{ cat "$TMP/a.log"; exit 1; }
A=$SRV_PORT
A_PID=$SRV_PID
get a1 "http://127.0.0.1:$A/metrics"
get a2 "http://127.0.0.1:$A/metrics"
B=$TMP/a2.body
[ "$CODE" = 200 ] && t_ok "primary: status 200" || t_fail "primary: status 200" "$CODE"
t_check "primary: promtool" promtool_ok "$B"
check_series "$B" "primary: up" 'redis_up 1$'
check_series "$B" "primary: no scrape error" 'redis_exporter_last_scrape_error\{err=""\} 0$'
check_series "$B" "seed: memory used" 'redis_memory_used_bytes [0-9]'
check_series "$B" "seed: maxmemory set" 'redis_memory_max_bytes 104857600$'
check_series "$B" "config maxmemory" 'redis_config_maxmemory 104857600$'
check_series "$B" "config maxclients" 'redis_config_maxclients [0-9]'
check_series "$B" "seed: expired keys" 'redis_expired_keys_total [0-9]'
check_series "$B" "db0 keys" 'redis_db_keys\{db="db0"\} 3$'
check_series "$B" "db2 keys" 'redis_db_keys\{db="db2"\} 3$'
check_series "$B" "db2 expiring" 'redis_db_keys_expiring\{db="db2"\} 2$'
check_series "$B" "db2 avg ttl" 'redis_db_avg_ttl_seconds\{db="db2"\} [0-9]'
check_series "$B" "empty db zero-filled" 'redis_db_keys\{db="db9"\} 0$'
check_series "$B" "key size (list)" 'redis_key_size\{db="db0",key="queue"\} 3$'
check_series "$B" "key value (single key)" 'redis_key_value\{db="db0",key="plain"\} 42$'
check_series "$B" "key size (scanned pattern)" 'redis_key_size\{db="db2",key="t2"\} 1$'
check_series "$B" "keys count" 'redis_keys_count\{db="db2",key="t\*"\} 2$'
check_series "$B" "commands" 'redis_commands_total\{cmd="set"\} [0-9]'
check_series "$B" "command latency summary" 'redis_latency_percentiles_usec\{cmd="info",quantile="50"\}'
check_series "$B" "error stats" 'redis_errors_total\{err="ERR"\} [1-9]'
check_series "$B" "connected replica offset" 'redis_connected_slave_offset_bytes\{slave_ip="127.0.0.1",slave_port="[0-9]+",slave_state="online"\} [0-9]'
check_series "$B" "connected replica lag" 'redis_connected_slave_lag_seconds\{slave_ip="127.0.0.1"'
check_series "$B" "instance info" 'redis_instance_info\{role="master",redis_version="[0-9.]+"'
check_series "$B" "slowlog length" 'redis_slowlog_length [1-9]'
check_series "$B" "scrapes counted" 'redis_exporter_scrapes_total 2$'
check_series "$B" "build info" 'redis_exporter_build_info\{version='
check_series "$B" "process metrics" 'process_resident_memory_bytes '
check_absent "$B" "no system metrics by default" 'redis_total_system_memory_bytes'

# One persistent, named connection: after five more scrapes still one client.
for i in 3 4 5 6 7; do get "a$i" "http://127.0.0.1:$A/metrics"; done
n=$(pcli CLIENT LIST | grep -c 'name=redis_exporter')
[ "$n" = 1 ] && t_ok "one persistent connection named redis_exporter" ||
	t_fail "one persistent connection named redis_exporter" "$n clients: $(pcli CLIENT LIST)"

# maxmemory unset
pcli CONFIG SET maxmemory 0 >/dev/null
get a8 "http://127.0.0.1:$A/metrics"
check_series "$TMP/a8.body" "seed: maxmemory unset" 'redis_memory_max_bytes 0$'

# ---- the primary stops: up 0 at once with a truthful error, then recovers ----
stop_redis "$PRIMARY_PID"
get down "http://127.0.0.1:$A/metrics"
[ "$CODE" = 200 ] && t_ok "down: status 200" || t_fail "down: status 200" "$CODE"
t_check "down: promtool" promtool_ok "$TMP/down.body"
check_series "$TMP/down.body" "down: up 0" 'redis_up 0$'
check_series "$TMP/down.body" "down: truthful error" "redis_exporter_last_scrape_error\\{err=\"connect redis://127.0.0.1:$P1: Connection refused\"\\} 1$"
check_absent "$TMP/down.body" "down: no stale INFO series" 'redis_memory_used_bytes'
kill -0 "$A_PID" 2>/dev/null && t_ok "down: exporter still serving" || t_fail "down: exporter still serving"
start_redis primary "$P1" "${PRIMARY_ARGS[@]}" || exit 1
PRIMARY_PID=$REDIS_PID
pcli ACL SETUSER mon on ">$MON_PW" '~*' '&*' '+@all' >/dev/null
# (no persistence: the keys are set again for the replica's checks below)
pcli SET plain 42 >/dev/null
pcli -n 2 SET t1 1 EX 500 >/dev/null
get up "http://127.0.0.1:$A/metrics"
check_series "$TMP/up.body" "restarted: up 1 on the next scrape" 'redis_up 1$'
t_check "restarted: promtool" promtool_ok "$TMP/up.body"
grep -q 'target is up again' "$TMP/a.log" && t_ok "restarted: logged once" ||
	t_fail "restarted: logged once" "$(cat "$TMP/a.log")"

# The replica reconnects to the restarted primary (bounded wait).
for _ in $(seq 100); do
	rcli INFO replication | grep -q 'master_link_status:up' && break
	sleep 0.1
done

# ---- /scrape: the replica (password file with a user), the unix socket ----
cat >"$TMP/passwords.json" <<JSON
{
  "redis://127.0.0.1:$R1": {"user": "default", "password": "$REPLICA_PW"},
  "unix://$SOCK": "$PRIMARY_PW"
}
JSON
srv_start "$TMP/b.log" "$BIN" redis-exporter --redis.addr "redis://127.0.0.1:$P1" \
	--redis.password-file "$TMP/passwords.json" --redis.password "$PRIMARY_PW" \
	--scrape.allowed-targets "127.0.0.1:$R1,unix://$SOCK" --include-config-metrics \
	--include-system-metrics --web.listen-address 127.0.0.1:0 ||
	{ cat "$TMP/b.log"; exit 1; }
BP=$SRV_PORT
get replica "http://127.0.0.1:$BP/scrape?target=127.0.0.1:$R1"
RB=$TMP/replica.body
[ "$CODE" = 200 ] && t_ok "scrape replica: status 200" || t_fail "scrape replica: status 200" "$CODE"
t_check "scrape replica: promtool" promtool_ok "$RB"
check_series "$RB" "replica: up" 'redis_up 1$'
check_series "$RB" "replica: master link up" "redis_master_link_up\\{master_host=\"127.0.0.1\",master_port=\"$P1\"\\} 1$"
check_series "$RB" "replica: slave info" "redis_slave_info\\{master_host=\"127.0.0.1\",master_port=\"$P1\",read_only=\"1\"\\} 1$"
check_series "$RB" "replica: repl offset" 'redis_slave_repl_offset\{master_host="127.0.0.1"'
check_series "$RB" "replica: role" 'redis_instance_info\{role="slave"'
check_absent "$RB" "/scrape: no process metrics" 'process_'
check_series "$RB" "config metrics: maxmemory" 'redis_config_key_value\{key="maxmemory",value="0"\} 1$'
check_absent "$RB" "config metrics: requirepass redacted" 'redis_config_key_value\{key="requirepass"'
check_series "$RB" "system metrics" 'redis_total_system_memory_bytes [0-9]'
get keys "http://127.0.0.1:$BP/scrape?target=127.0.0.1:$R1&check-single-keys=db0=plain&check-keys=db2=t*"
check_series "$TMP/keys.body" "/scrape check-single-keys" 'redis_key_value\{db="db0",key="plain"\} 42$'
check_series "$TMP/keys.body" "/scrape check-keys" 'redis_key_size\{db="db2",key="t1"\} 1$'
check_absent "$RB" "/scrape without key checks has none" 'redis_key_size'
get badkeys "http://127.0.0.1:$BP/scrape?target=127.0.0.1:$R1&check-keys=dbx=a"
[ "$CODE" = 400 ] && t_ok "/scrape bad check-keys: 400" || t_fail "/scrape bad check-keys: 400" "$CODE"
get sock "http://127.0.0.1:$BP/scrape?target=unix://$SOCK"
check_series "$TMP/sock.body" "unix socket: up" 'redis_up 1$'
check_series "$TMP/sock.body" "unix socket: primary" 'redis_instance_info\{role="master"'
get forbidden "http://127.0.0.1:$BP/scrape?target=127.0.0.1:$P1"
[ "$CODE" = 403 ] && t_ok "allowlist: other target 403" || t_fail "allowlist: other target 403" "$CODE"
get notarget "http://127.0.0.1:$BP/scrape"
[ "$CODE" = 400 ] && t_ok "/scrape without target: 400" || t_fail "/scrape without target: 400" "$CODE"
get tls "http://127.0.0.1:$BP/scrape?target=rediss://127.0.0.1:$R1"
[ "$CODE" = 400 ] && t_ok "/scrape rediss: 400" || t_fail "/scrape rediss: 400" "$CODE"
get bmetrics "http://127.0.0.1:$BP/metrics"
check_series "$TMP/bmetrics.body" "request errors counted" 'redis_target_scrape_request_errors_total 4$'

# ---- cluster mode: CLUSTER INFO families, one database ----
# The cluster bus listens on port + 10000, which free_port does not check:
# take a port whose bus port is free too, and another when either is taken
# between the check and redis-server's bind (other tests run meanwhile).
start_cluster() {
	local try
	for try in 1 2 3 4 5; do
		C1=$(free_port) || return 1
		if [ "$C1" -gt 55535 ] || (exec 3<>"/dev/tcp/127.0.0.1/$((C1 + 10000))") 2>/dev/null; then
			continue
		fi
		start_redis cluster "$C1" --cluster-enabled yes \
			--cluster-config-file "$TMP/cluster-nodes-$try.conf" && return 0
	done
	return 1
}
start_cluster || exit 1
get cluster "http://127.0.0.1:$BP/scrape?target=127.0.0.1:$C1"
[ "$CODE" = 403 ] && t_ok "cluster: allowlist applies" || t_fail "cluster: allowlist applies" "$CODE"
srv_start "$TMP/e.log" "$BIN" redis-exporter --redis.addr "127.0.0.1:$C1" --web.listen-address 127.0.0.1:0 ||
	{ cat "$TMP/e.log"; exit 1; }
get cluster "http://127.0.0.1:$SRV_PORT/metrics"
t_check "cluster: promtool" promtool_ok "$TMP/cluster.body"
check_series "$TMP/cluster.body" "cluster: enabled" 'redis_cluster_enabled 1$'
check_series "$TMP/cluster.body" "cluster: CLUSTER INFO state" 'redis_cluster_state [01]$'
check_series "$TMP/cluster.body" "cluster: known nodes" 'redis_cluster_known_nodes 1$'
check_series "$TMP/cluster.body" "cluster: messages counter renamed" 'redis_cluster_messages_sent_total [0-9]'
check_absent "$TMP/cluster.body" "cluster: one database only" 'redis_db_keys\{db="db1"\}'

# ---- /scrape's target cache: idle targets closed, at most 64 kept ----
start_redis_any idle IP || exit 1
exporter_conns() { redis-cli -p "$IP" client list | grep -c 'name=redis_exporter'; }
srv_start "$TMP/f.log" "$BIN" redis-exporter --redis.addr= --scrape.target-idle-timeout=1s \
	--web.listen-address 127.0.0.1:0 || { cat "$TMP/f.log"; exit 1; }
FP=$SRV_PORT
srv_start "$TMP/g.log" "$BIN" redis-exporter --redis.addr= --web.listen-address 127.0.0.1:0 ||
	{ cat "$TMP/g.log"; exit 1; }
GP=$SRV_PORT
get idle1 "http://127.0.0.1:$FP/scrape?target=127.0.0.1:$IP"
get idle_keep "http://127.0.0.1:$GP/scrape?target=127.0.0.1:$IP"
check_series "$TMP/idle1.body" "idle timeout: first scrape up" 'redis_up 1$'
t_check "idle timeout: both exporters keep a connection (2)" test "$(exporter_conns)" = 2
for _ in $(seq 100); do [ "$(exporter_conns)" = 1 ] && break; sleep 0.2; done
t_check "idle timeout 1s: its connection closed, the 5m default's kept (1 left)" \
	test "$(exporter_conns)" = 1
get idle2 "http://127.0.0.1:$FP/scrape?target=127.0.0.1:$IP"
check_series "$TMP/idle2.body" "idle timeout: the next scrape connects again" 'redis_up 1$'
t_check "idle timeout: connected again (2)" test "$(exporter_conns)" = 2
# The other exporter's connection closes after its 1 s idle timeout: wait for
# it, so the count below does not depend on how fast the 70 scrapes run.
for _ in $(seq 100); do [ "$(exporter_conns)" = 1 ] && break; sleep 0.2; done
# distinct key checks are distinct cache entries: 70 of them on one server
for i in $(seq 70); do
	curl -s -o /dev/null "http://127.0.0.1:$GP/scrape?target=127.0.0.1:$IP&check-keys=db0=k$i"
done
t_check "cache bound: 64 targets kept, the LRU ones closed" \
	test "$(exporter_conns)" = 64
connections() { redis-cli -p "$IP" info stats | sed -n 's/^total_connections_received:\([0-9]*\).*/\1/p'; }
before=$(connections)
get lru_recent "http://127.0.0.1:$GP/scrape?target=127.0.0.1:$IP&check-keys=db0=k70"
t_check "cache bound: the most recent target is cached (no new connection)" \
	test "$(connections)" = "$((before + 1))" # the +1: redis-cli's own
get lru_after "http://127.0.0.1:$GP/scrape?target=127.0.0.1:$IP&check-keys=db0=k1"
check_series "$TMP/lru_after.body" "cache bound: an evicted target is scraped again" 'redis_up 1$'
t_check "no crash in the exporter's log" bash -c "! grep -Eiq 'sanitizer|segv|abort' '$TMP/g.log' '$TMP/f.log'"

# ---- --redis.addr="" (upstream's multi-target setup): /metrics has no target ----
REDIS_EXPORTER_WEB_TELEMETRY_PATH=/m srv_start "$TMP/d.log" "$BIN" redis-exporter --redis.addr= \
	--web.listen-address 127.0.0.1:0 || { cat "$TMP/d.log"; exit 1; }
get noaddr "http://127.0.0.1:$SRV_PORT/m"
[ "$CODE" = 200 ] && t_ok "no address: /metrics 200" || t_fail "no address: /metrics 200" "$CODE"
t_check "no address: promtool" promtool_ok "$TMP/noaddr.body"
check_absent "$TMP/noaddr.body" "no address: no redis_up" 'redis_up'
get noaddr_scrape "http://127.0.0.1:$SRV_PORT/scrape?target=unix://$SOCK"
check_series "$TMP/noaddr_scrape.body" "no address: /scrape works" 'redis_up 0$'
check_series "$TMP/noaddr_scrape.body" "no address: /scrape says NOAUTH" 'redis_exporter_last_scrape_error\{err="INFO on unix://[^"]*: NOAUTH'

# ---- a wrong password: up 0, the server's reason, no secret ----
srv_start "$TMP/c.log" "$BIN" redis-exporter --redis.addr "redis://127.0.0.1:$P1" \
	--redis.password "wrong$PRIMARY_PW" -debug -log-format json --web.listen-address 127.0.0.1:0 ||
	{ cat "$TMP/c.log"; exit 1; }
get wrongpw "http://127.0.0.1:$SRV_PORT/metrics"
check_series "$TMP/wrongpw.body" "wrong password: up 0" 'redis_up 0$'
check_series "$TMP/wrongpw.body" "wrong password: reason" 'redis_exporter_last_scrape_error\{err="authenticate to redis://127.0.0.1:[0-9]+: WRONGPASS'
get wrongpw2 "http://127.0.0.1:$SRV_PORT/metrics" # a second failure logs at debug
grep -q '"level":"debug","caller":"redis-exporter","msg":"scrape failed: target down"' "$TMP/c.log" &&
	t_ok "upstream's -debug and -log-format json" ||
	t_fail "upstream's -debug and -log-format json" "$(cat "$TMP/c.log")"

# A password in the target URI: used, allowed by host:port, never shown.
get uripw "http://127.0.0.1:$BP/scrape?target=redis://:$REPLICA_PW@127.0.0.1:$R1"
[ "$CODE" = 200 ] && t_ok "URI password: allowlist compares host:port" ||
	t_fail "URI password: allowlist compares host:port" "$CODE"
check_series "$TMP/uripw.body" "URI password: up" 'redis_up 1$'


# ---- no secret anywhere ----
leaks=$(grep -El "$SECRETS" "${BODIES[@]}" "$TMP"/a.log "$TMP"/b.log "$TMP"/c.log 2>/dev/null || true)
[ -z "$leaks" ] && t_ok "no password in bodies or logs" || t_fail "no password in bodies or logs" "$leaks"

# ---- bad flags: exit 2 with one line ----
bad_flag() { # bad_flag NAME ARGS...
	local name=$1 out rc=0
	shift
	out=$("$BIN" redis-exporter "$@" --web.listen-address 127.0.0.1:0 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && ! grep -Eq "$SECRETS" <<<"$out"; then
		t_ok "bad flag: $name"
	else
		t_fail "bad flag: $name" "rc=$rc: $out"
	fi
}
bad_flag "rediss refused" --redis.addr "rediss://:$PRIMARY_PW@127.0.0.1:6379"
bad_flag "unknown scheme" --redis.addr http://127.0.0.1:6379
bad_flag "bad port" --redis.addr redis://127.0.0.1:0
bad_flag "bad check-keys" --check-keys 'dbx=a'
bad_flag "bad namespace" --namespace '1bad'
bad_flag "missing password file" --redis.password-file "$TMP/nope.json"
echo "{\"redis://x\": \"$PRIMARY_PW" >"$TMP/bad.json"
bad_flag "broken password file" --redis.password-file "$TMP/bad.json"
bad_flag "unknown flag" --no-such-flag
out=$("$BIN" redis-exporter --redis.addr rediss://h 2>&1 >/dev/null)
grep -q 'TLS' <<<"$out" && t_ok "rediss: says why (no TLS)" || t_fail "rediss: says why (no TLS)" "$out"

t_summary
