#!/usr/bin/env bash
#
# container_build.sh SOURCE_DIR [KAFKA_MOCK] — build docker/Dockerfile with podman and run
# every applet from the image (the recipe in docs: the README's Deploy section).
#
# No Docker engine and no image registry are needed: the base image
# debian:bookworm-slim is made once with debootstrap from the archive apt
# already uses, and cached as a tarball in $EXPORTERBOX_BASE_CACHE
# (/var/tmp/exporterbox-debian-base), so later runs only `podman import` it.
# The build uses chroot isolation and the run uses runc + cgroupfs with host
# networking, the setup that works on these machines; Docker users need none
# of this (nothing in docker/ mentions podman).
#
# Every container runs hardened as docker/docker-compose.yml runs it:
# --read-only (no tmpfs /tmp either), --cap-drop=ALL, no-new-privileges.
# Checks: the image builds (its build stage runs the unit tests), runs as a
# non-root user with a read-only root filesystem, no capabilities and
# no_new_privs, `IMAGE --version`, `IMAGE --links` lists the applets and every
# link answers --version both ways (`IMAGE APPLET --version` and as
# entrypoint), and node-exporter from the image serves /metrics on a free
# loopback port with the host's /proc, /sys and / mounted read-only
# (`--path.rootfs`), parsed by `promtool check metrics`; from the image
# against real servers started here: redis-exporter (redis-server),
# postgres-exporter (PostgreSQL 15, tests/integration/pg_lib.sh) and
# kafka-lag-exporter (librdkafka's mock cluster: KAFKA_MOCK, the tests/kafka
# helper, with tests/integration/kafka_lib.sh). An applet the image says is
# "not built yet", or whose helper is missing, is skipped by name.
# Prints the image size. Slow (minutes, first run longer); exit 77 when podman,
# runc or debootstrap is missing.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1/docker/Dockerfile" ]; then
	echo "usage: $0 SOURCE_DIR (with docker/Dockerfile) [PATH/TO/kafka_mock_cluster]" >&2
	exit 2
fi
SRC=$(cd "$1" && pwd)
MOCKBIN=${2:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
for tool in podman runc debootstrap curl promtool; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (apt-get install podman runc debootstrap)"
		exit 77
	fi
done

IMAGE=${EXPORTERBOX_IMAGE:-localhost/exporterbox-ctest}
BASE=localhost/debian:bookworm-slim
CACHE=${EXPORTERBOX_BASE_CACHE:-/var/tmp/exporterbox-debian-base}
TMP=$(mktemp -d)
chmod 755 "$TMP" # PostgreSQL runs as user postgres when we are root
PG_RUNNING=
NAME=exporterbox-ctest-$$
# runc, cgroupfs, no default ulimits: the sandbox refuses setrlimit.
printf '[containers]\ndefault_ulimits = []\n' >"$TMP/containers.conf"
export CONTAINERS_CONF=$TMP/containers.conf
pod() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
cleanup() {
	pod rm -f "$NAME" >/dev/null 2>&1 || true
	srv_kill_all
	[ -z "$PG_RUNNING" ] || pg_stop "$TMP/pg"
	rm -rf "$TMP"
}
trap cleanup EXIT

# slim_rootfs DIR: what makes the official debian:bookworm-slim slim, so the
# image size measured here is the size users get: no docs, man pages,
# locales, package lists or downloaded packages, now or after apt-get.
slim_rootfs() {
	local root=$1
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
		"$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
		"$root"/usr/share/info/* "$root"/usr/share/locale/*
	printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
		'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
		'path-exclude /usr/share/locale/*' >"$root/etc/dpkg/dpkg.cfg.d/docker"
	printf '%s\n' \
		'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
		'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$root/etc/apt/apt.conf.d/docker-clean"
}

# The base image, from the cached debootstrap tarball (made once, under a lock
# so two runs do not debootstrap at the same time).
base_image() {
	pod image exists "$BASE" && return 0
	mkdir -p "$CACHE"
	(
		flock 9
		if [ ! -s "$CACHE/bookworm-slim.tar" ]; then
			local mirror rootfs
			mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
				true)
			mirror=${mirror:-http://deb.debian.org/debian}
			rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
			chmod 755 "$rootfs" # it becomes the image's /, mktemp made it 0700
			echo "debootstrap bookworm from $mirror (once; cached in $CACHE)"
			debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$TMP/debootstrap.log" 2>&1 ||
				{ tail -n 20 "$TMP/debootstrap.log"; rm -rf "$rootfs"; exit 1; }
			slim_rootfs "$rootfs"
			tar -C "$rootfs" -cf "$CACHE/bookworm-slim.tar.part" .
			mv "$CACHE/bookworm-slim.tar.part" "$CACHE/bookworm-slim.tar"
			rm -rf "$rootfs"
		fi
		pod image exists "$BASE" || pod import "$CACHE/bookworm-slim.tar" "$BASE" >"$TMP/import.log"
	) 9>"$CACHE/lock"
}

if ! base_image; then
	t_fail "base image $BASE"
	t_summary
	exit 1
fi
t_ok "base image $BASE"

# The build stage is tagged too, so that the next run can remove the images
# this one replaced (by their ids: no prune of anybody else's images).
BUILD_STAGE=$IMAGE-build-stage
image_id() { pod image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
old_ids="$(image_id "$BUILD_STAGE") $(image_id "$IMAGE")"
echo "building $IMAGE (build stage compiles and runs the unit tests)"
build() {
	pod build --isolation=chroot --pull=never -f "$SRC/docker/Dockerfile" "$@" "$SRC" \
		>>"$TMP/build.log" 2>&1
}
if ! build --target build -t "$BUILD_STAGE" || ! build -t "$IMAGE"; then
	t_fail "podman build" "$(tail -n 40 "$TMP/build.log")"
	t_summary
	exit 1
fi
t_ok "podman build -f docker/Dockerfile"
new_ids="$(image_id "$BUILD_STAGE") $(image_id "$IMAGE")"
for id in $old_ids; do
	[[ " $new_ids " == *" $id "* ]] || pod image rm "$id" >/dev/null 2>&1 || true
done
grep -E '100% tests passed|tests passed' "$TMP/build.log" | tail -n 1 || true
size=$(pod image inspect --format '{{.Size}}' "$IMAGE")
echo "image size: $size bytes ($((size / 1000000)) MB)"

# Every run as docker/docker-compose.yml runs the services: read-only root
# filesystem (and no tmpfs on /tmp either, as Docker's read_only), no
# capabilities, no privilege gain through setuid binaries.
HARDEN=(--read-only --read-only-tmpfs=false --cap-drop=ALL --security-opt=no-new-privileges)
exit_code() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
run() { pod run --rm --network=host "${HARDEN[@]}" "$@"; }

t_check "runs as a non-root user" test "$(run --entrypoint id "$IMAGE" -u)" != 0
t_check "the root filesystem is read-only (/tmp too)" test "$(exit_code run --entrypoint sh \
	"$IMAGE" -c 'touch /tmp/probe || touch /probe')" != 0
t_check "no capabilities left" test "$(run --entrypoint sh "$IMAGE" -c \
	'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status')" = 0000000000000000
t_check "no_new_privs is set" test "$(run --entrypoint sh "$IMAGE" -c \
	'sed -n "s/^NoNewPrivs:[[:space:]]*//p" /proc/self/status')" = 1
t_check "IMAGE --version" run "$IMAGE" --version
links=$(run "$IMAGE" --links)
t_check "IMAGE --links lists applets" test -n "$links"
for applet in $links; do
	t_check "IMAGE $applet --version" run "$IMAGE" "$applet" --version
	t_check "link /usr/local/bin/$applet" run --entrypoint "$applet" "$IMAGE" --version
done
t_check "an unknown applet exits 127" test "$(exit_code run "$IMAGE" no-such-exporter)" = 127

# body_parses FILE: the body parses (`promtool check metrics`: no parse
# error; not named promtool_ok, which kafka_lib.sh, sourced below, defines).
# Lint findings are upstream's names, which the applets keep on
# purpose; the applets' own end-to-end tests check those name by name.
body_parses() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) && return 0
	! grep -q 'error while linting' <<<"$out" && [ -s "$1" ]
}

# serve NAME URL_PATH EXPECTED_SERIES IMAGE_ARGS... : run an applet from the
# image detached on the host network, fetch its metrics, check them with
# promtool and for one expected series, stop it.
serve() {
	local what=$1 path=$2 series=$3
	shift 3
	pod rm -f "$NAME" >/dev/null 2>&1 || true
	if ! pod run -d --name "$NAME" --network=host "${HARDEN[@]}" "$@" >"$TMP/run.log" 2>&1; then
		t_fail "$what: container starts" "$(cat "$TMP/run.log")"
		return
	fi
	if ! wait_http "http://127.0.0.1:$PORT/-/healthy" 20; then
		t_fail "$what: answers on :$PORT" "$(pod logs "$NAME" 2>&1 | tail -n 20)"
		pod rm -f "$NAME" >/dev/null 2>&1 || true
		return
	fi
	t_ok "$what: answers on :$PORT"
	# Re-fetched until the series shows (kafka-lag-exporter collects in
	# the background after it starts listening); bounded.
	local deadline=$((SECONDS + 30))
	while :; do
		curl -sf "http://127.0.0.1:$PORT$path" >"$TMP/body" || true
		grep -Eq "^$series" "$TMP/body" || [ "$SECONDS" -gt "$deadline" ] || { sleep 0.5; continue; }
		break
	done
	t_check "$what: promtool check metrics" body_parses "$TMP/body"
	t_check "$what: has $series" grep -Eq "^$series" "$TMP/body"
	t_check "$what: stops on SIGTERM (podman stop)" pod stop -t 10 "$NAME"
	pod rm -f "$NAME" >/dev/null 2>&1 || true
}

PORT=$(free_port)
serve "node-exporter from the image" /metrics 'node_load1 ' \
	-v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro \
	"$IMAGE" node-exporter --web.listen-address="127.0.0.1:$PORT" \
	--path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root
t_check "node-exporter from the image: filesystems through --path.rootfs" \
	grep -q '^node_filesystem_avail_bytes{.*mountpoint="/"' "$TMP/body"

# The applets that talk to a server, against a real one started here. An
# applet still the placeholder of this tree ("not built yet") is skipped by
# name; once built, its check runs.
built() { ! run "$IMAGE" "$1" --help 2>&1 | grep -q 'is not built yet'; }

if ! built redis-exporter; then
	echo "SKIP redis-exporter from the image: the applet is not built in this tree"
elif ! command -v redis-server >/dev/null; then
	t_fail "redis-exporter from the image: redis-server is needed (apt-get install redis-server)"
else
	REDIS_PORT=$(free_port)
	srv_spawn "$TMP/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
		--save '' --appendonly no --maxmemory 64mb
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
		sleep 0.05
	done
	PORT=$(free_port)
	serve "redis-exporter from the image" /metrics 'redis_up 1' \
		"$IMAGE" redis-exporter --web.listen-address="127.0.0.1:$PORT" \
		--redis.addr="redis://127.0.0.1:$REDIS_PORT"
	t_check "redis-exporter from the image: redis_memory_max_bytes from maxmemory" \
		grep -q '^redis_memory_max_bytes 6.7108864e+07$\|^redis_memory_max_bytes 67108864$' "$TMP/body"
	srv_stop TERM
fi

if ! built postgres-exporter; then
	echo "SKIP postgres-exporter from the image: the applet is not built in this tree"
elif [ ! -f "$HERE/pg_lib.sh" ]; then
	echo "SKIP postgres-exporter from the image: tests/integration/pg_lib.sh is missing"
else
	# shellcheck source-path=SCRIPTDIR source=pg_lib.sh
	. "$HERE/pg_lib.sh"
	if ! pg_bin_ok; then
		t_fail "postgres-exporter from the image: PostgreSQL 15 server binaries are needed"
	else
		PG_PORT=$(free_port)
		pg_init "$TMP/pg"
		PG_RUNNING=1
		pg_start "$TMP/pg" "$PG_PORT" "-c max_connections=20"
		PORT=$(free_port)
		serve "postgres-exporter from the image" /metrics 'pg_up 1' \
			-e DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable" \
			"$IMAGE" postgres-exporter --web.listen-address="127.0.0.1:$PORT"
		t_check "postgres-exporter from the image: pg_settings_max_connections 20" \
			grep -q '^pg_settings_max_connections 20$' "$TMP/body"
		pg_stop "$TMP/pg"
		PG_RUNNING=
	fi
fi

if ! built kafka-lag-exporter; then
	echo "SKIP kafka-lag-exporter from the image: the applet is not built in this tree"
elif [ -z "$MOCKBIN" ] || [ ! -x "$MOCKBIN" ] || [ ! -f "$HERE/kafka_lib.sh" ]; then
	echo "SKIP kafka-lag-exporter from the image: no kafka_mock_cluster helper given"
else
	# shellcheck source-path=SCRIPTDIR source=kafka_lib.sh
	. "$HERE/kafka_lib.sh"
	if ! mock_start "$MOCKBIN"; then
		t_fail "kafka-lag-exporter from the image: the mock cluster starts"
	else
		PORT=$(free_port)
		# Group g1 only: its lag on orders is known (11).
		serve "kafka-lag-exporter from the image" /metrics \
			'kafka_consumergroup_lag_sum\{consumergroup="g1",topic="orders"\} 11$' \
			"$IMAGE" kafka-lag-exporter --web.listen-address="127.0.0.1:$PORT" \
			--kafka.server="$MOCK_BOOTSTRAP" --group.filter='^g1$' --collect.interval=1s
		t_check "kafka-lag-exporter from the image: kafka_up 1" grep -q '^kafka_up 1$' "$TMP/body"
		t_check "kafka-lag-exporter from the image: kafka_brokers 3" grep -q '^kafka_brokers 3$' "$TMP/body"
		mock_stop
	fi
fi

t_summary
