# shellcheck shell=bash
#
# pair_postgres (sourced by bench.sh): postgres-exporter vs Debian's
# prometheus-postgres-exporter (0.11.1), both on one PostgreSQL 15 cluster
# that this file starts in bench.sh's $TMP (pair_cleanup stops it).
# Scenario "defaults": each with its own default collectors (ours runs 17,
# with 8 query families Debian's 0.11.1 does not have). Scenario "matched":
# ours with only the collectors whose families 0.11.1 emits. Before the timed runs it also counts the
# server connections each exporter holds while 10 scrapes run at once
# (the peak of client backends other than the counting session).
# shellcheck source-path=SCRIPTDIR source=../integration/pg_lib.sh
. "$HERE/../integration/pg_lib.sh"

PG_BENCH_DIR=

pair_cleanup() {
	[ -n "$PG_BENCH_DIR" ] && pg_stop "$PG_BENCH_DIR"
	return 0
}

# pg_bench_connections LABEL URL PGPORT : peak connections under 10 scrapes at once
pg_bench_connections() {
	local label=$1 url=$2 port=$3 pids=() peak=0 n i
	curl -s -o /dev/null --max-time 20 "$url" || true	# connect first
	for i in $(seq 1 10); do curl -s -o /dev/null --max-time 20 "$url" & pids+=($!); done
	for i in $(seq 1 20); do
		n=$(pg_sql "$port" postgres "SELECT count(*) FROM pg_stat_activity
			WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
		[ "$n" -gt "$peak" ] && peak=$n
		sleep 0.02
	done
	wait "${pids[@]}"
	echo "  server connections during 10 concurrent scrapes, $label: $peak" >&2
}

pair_postgres() {
	THEIRS_BIN=/usr/bin/prometheus-postgres-exporter
	[ -x "$THEIRS_BIN" ] || {
		echo "bench.sh: $THEIRS_BIN missing: apt-get install prometheus-postgres-exporter" >&2
		exit 2
	}
	pg_bin_ok || { echo "bench.sh: PostgreSQL 15 server binaries missing" >&2; exit 2; }
	chmod 755 "$TMP"
	PG_BENCH_DIR=$TMP/pg
	local port
	port=$(free_port)
	pg_init "$PG_BENCH_DIR"
	pg_start "$PG_BENCH_DIR" "$port"
	pg_sql "$port" postgres "CREATE TABLE t (id int primary key, v text);
		INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g; ANALYZE t" >/dev/null
	export DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	OURS=(postgres-exporter)
	THEIRS=("$THEIRS_BIN" --web.listen-address=127.0.0.1:@PORT@)
	THEIRS_READY=/
	TELEMETRY=/metrics
	SCENARIOS=(defaults matched)
	OURS_defaults=()
	THEIRS_defaults=()
	OURS_matched=(--no-collector.replication --no-collector.replication_slot
		--no-collector.roles --no-collector.stat_checkpointer --no-collector.stat_progress_vacuum
		--no-collector.stat_user_tables --no-collector.statio_user_tables --no-collector.wal)
	THEIRS_matched=()

	srv_start "$TMP/conn-ours.log" "$BIN" postgres-exporter --web.listen-address=127.0.0.1:0
	pg_bench_connections "exporterbox postgres-exporter" "http://127.0.0.1:$SRV_PORT/metrics" "$port"
	srv_stop TERM 10
	local gp
	gp=$(free_port)
	srv_spawn "$TMP/conn-theirs.log" "$THEIRS_BIN" --web.listen-address=127.0.0.1:"$gp"
	wait_http "http://127.0.0.1:$gp/" 15
	pg_bench_connections "$(basename "$THEIRS_BIN")" "http://127.0.0.1:$gp/metrics" "$port"
	srv_stop TERM 10
}
