# shellcheck shell=bash
#
# PostgreSQL 15 servers for the postgres tests (sourced after lib.sh): real
# clusters in a temp dir, on loopback ports, run as the postgres user when
# we are root (initdb refuses root).
#
#   pg_bin_ok                           true when the server binaries exist
#   pg_init DIR                         initdb into DIR/data (trust locally, scram
#                                       for other roles over TCP)
#   pg_start DIR PORT [ARGS...]         start the cluster in DIR on 127.0.0.1:PORT,
#                                       socket in DIR; waits until it accepts
#   pg_start_any DIR [ARGS...]          pg_start on a free port, printed; retried when
#                                       another test took the port meanwhile
#   pg_stop DIR                         fast shutdown, waits
#   pg_replica DIR PRIMARY_PORT SLOT    pg_basebackup -R -C -S SLOT into DIR/data
#   pg_sql PORT DB SQL                  run SQL as postgres over TCP (psql -At)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PSQL=${PSQL:-$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)}

pg_bin_ok() { [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PSQL" ]; }

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_own() {
	if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$1"; fi
}

pg_init() {
	local dir=$1
	mkdir -p "$dir"
	pg_own "$dir"
	pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
	cat >"$dir/data/pg_hba.conf" <<-HBA
		local all all trust
		host replication all 127.0.0.1/32 trust
		host all postgres 127.0.0.1/32 trust
		host all all 127.0.0.1/32 scram-sha-256
	HBA
}

pg_start() {
	local dir=$1 port=$2
	shift 2
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 $*" start >/dev/null
}

pg_stop() {
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pg_replica() {
	local dir=$1 port=$2 slot=$3
	mkdir -p "$dir"
	pg_own "$dir"
	pg_as "$PG_BIN/pg_basebackup" -D "$dir/data" -h 127.0.0.1 -p "$port" -U postgres \
		-R -C -S "$slot" -X stream -c fast >/dev/null
}

pg_sql() {
	"$PSQL" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

pg_start_any() {
	local dir=$1 port try
	shift
	for try in 1 2 3 4 5; do
		port=$(free_port)
		if pg_start "$dir" "$port" "$@" 2>/dev/null; then
			echo "$port"
			return 0
		fi
		sleep "$try"
	done
	tail -n 20 "$dir/server.log" >&2
	return 1
}
