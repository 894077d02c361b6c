#!/usr/bin/env bash
#
# run_all.sh — THE test command: what the README's quick start and CI run.
#
#   bash tests/run_all.sh            (from anywhere; as root on a fresh Debian 12
#                                     it installs what it needs with apt-get)
#
# Stages, each under its own header; a failed stage does not stop the later
# ones, and the run ends with one summary line and a non-zero exit on failure:
#   1. deps      apt-get install of the packages below that are missing
#   2. gcc       build/ (RelWithDebInfo), ctest: unit, integration, golden
#   3. asan      build-asan/ (-DEXPORTERBOX_SANITIZE=ON: ASan+UBSan), ctest
#   4. tsan      build-tsan/ (-DEXPORTERBOX_TSAN=ON), the threaded tests: the
#                scrape runner, the HTTP server, filesystem's statfs worker, the
#                /proc and /sys descriptor cache
#   5. container build docker/Dockerfile with podman (debootstrap'd base image
#                cached in /var/tmp), run every applet from the image
#   6. leak      every tests/integration/leak_check*.sh on build/exporterbox
#                (valgrind or LeakSanitizer, many scrapes)
#   7. fuzz      build-fuzz/ with clang (-DEXPORTERBOX_FUZZ=ON); every
#                tests/fuzz/fuzz_*.c runs FUZZ_SECONDS, from its seed corpus
#                tests/fuzz/corpus/<target>/ (read only; new inputs go to a
#                scratch dir, crashes to build-fuzz/artifacts/)
#
# Environment:
#   FUZZ_SECONDS=20      seconds per fuzz target
#   LEAK_SCRAPES=1000    scrapes in the leak check
#   SKIP_STAGES="asan fuzz"   stages to skip (deps gcc asan tsan container leak fuzz)
#   JOBS=$(nproc)        build and ctest parallelism
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SKIP_STAGES=${SKIP_STAGES:-}
export CTEST_OUTPUT_ON_FAILURE=1
export DEBIAN_FRONTEND=noninteractive

# What the build and the tests need (Debian 12 package names).
PACKAGES=(
	gcc libc6-dev make cmake pkg-config	# build
	libmicrohttpd-dev libisal-dev	# exporterbox's libraries
	zlib1g-dev				# test_http: inflates our gzip
	libyaml-dev libgnutls28-dev libcrypt-dev	# --web.config.file: YAML, TLS, bcrypt
	libpq-dev libhiredis-dev librdkafka-dev	# the applets' client libraries
	libyaml-dev				# postgres-exporter: queries.yaml, --config.file
	postgresql-15 redis-server		# real servers for the integration tests
	pgbouncer				# pg_query_path: prepared statements behind a pooler
	libcmocka-dev				# unit tests
	prometheus				# promtool, for the integration tests
	prometheus-alertmanager python3-yaml	# amtool, rule/routing tests (tests/deploy/)
	curl gzip openssl			# integration tests (openssl: test certificates)
	python3-prometheus-client		# OpenMetrics parser for the integration tests
	python3 prometheus-node-exporter	# parity oracles (tests/integration/parity_*.py)
	prometheus-postgres-exporter prometheus-redis-exporter
	valgrind				# leak check
	btrfs-progs				# btrfs_mounted_node: a real Btrfs on a loop device
	podman runc debootstrap			# container stage: build docker/Dockerfile
	clang libclang-rt-14-dev		# libFuzzer, ASan/UBSan runtimes for clang
)

# ---------------------------------------------------------------- stages

stage_deps() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all ${#PACKAGES[@]} packages installed"
		return 0
	fi
	echo "missing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: install them (apt-get install ${missing[*]}) and run again"
		return 1
	fi
	# Installing must not start services (prometheus ships one).
	local policy=/usr/sbin/policy-rc.d made_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		made_policy=1
	fi
	local rc=0
	{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } </dev/null || rc=$?
	if [ "$made_policy" = 1 ]; then
		rm -f "$policy"
	fi
	return "$rc"
}

# build DIR [CMAKE ARGS...] : configure and build all targets.
build() {
	local dir=$1
	shift
	cmake -S "$ROOT" -B "$dir" "$@"
	cmake --build "$dir" -j "$JOBS"
}

stage_gcc() {
	build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPORTERBOX_SANITIZE=OFF
	ctest --test-dir build -j "$JOBS" --timeout 300 -LE slow
}

stage_container() {
	# docker/Dockerfile built with podman as ../shared/notes/containers.md
	# describes (no Docker engine here), every applet run from the image.
	ctest --test-dir build -L container --timeout 1800
}

stage_asan() {
	build build-asan -DCMAKE_BUILD_TYPE=Debug -DEXPORTERBOX_SANITIZE=ON
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		ctest --test-dir build-asan -j "$JOBS" --timeout 600
}

stage_tsan() {
	build build-tsan -DCMAKE_BUILD_TYPE=Debug -DEXPORTERBOX_TSAN=ON
	TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
		ctest --test-dir build-tsan -j "$JOBS" --timeout 600 \
		-R '^unit_(collector|fsutil|http|webconfig|node_filesystem)$' --repeat until-fail:3
}

stage_leak() {
	if [ ! -x build/exporterbox ]; then
		echo "build/exporterbox is missing (the gcc stage failed)"
		return 1
	fi
	# One script per applet: tests/integration/leak_check*.sh BIN.
	local script failed=0
	for script in tests/integration/leak_check*.sh; do
		echo "--- $script"
		"$script" build/exporterbox || failed=1
	done
	return "$failed"
}

stage_fuzz() {
	local srcs=() src
	for src in tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] && srcs+=("$src")
	done
	if [ ${#srcs[@]} -eq 0 ]; then
		echo "no fuzz targets (tests/fuzz/fuzz_*.c)"
		return 0
	fi
	# The top CMakeLists instruments everything for coverage with EXPORTERBOX_FUZZ.
	CC=clang build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DEXPORTERBOX_FUZZ=ON -DEXPORTERBOX_TESTS=OFF -DEXPORTERBOX_SANITIZE=OFF
	local art=$ROOT/build-fuzz/artifacts failed=0 name bin work log seeds
	mkdir -p "$art"
	for src in "${srcs[@]}"; do
		name=$(basename "$src" .c)
		bin=$(find build-fuzz -name "$name" -type f -perm -u+x | head -n 1)
		if [ -z "$bin" ]; then
			echo "FAIL $name: not built"
			failed=1
			continue
		fi
		seeds=tests/fuzz/corpus/$name
		work=$(mktemp -d)
		log=build-fuzz/$name.log
		local args=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048
			-artifact_prefix="$art/$name-" -print_final_stats=1)
		[ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
		local corpora=("$work")
		[ -d "$seeds" ] && corpora+=("$seeds")
		if "$bin" "${args[@]}" "${corpora[@]}" </dev/null >"$log" 2>&1; then
			echo "ok   $name: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 ||
				true) (corpus: $(find "$work" -type f | wc -l) new inputs)"
		else
			echo "FAIL $name (log: $log, crash inputs: $art/$name-*):"
			grep -A30 -E '^==[0-9]+==ERROR|runtime error|deadly signal|timeout after' "$log" |
				sed -n '1,60p' || tail -n 40 "$log"
			failed=1
		fi
		rm -rf "$work"
	done
	return "$failed"
}

# ---------------------------------------------------------------- driver

PASSED=()
FAILED=()
SKIPPED=()
TIMES=()
START=$SECONDS

run_stage() {
	local name=$1 title=$2 t0=$SECONDS rc=0
	printf '\n======== %s: %s ========\n' "$name" "$title"
	if [[ " $SKIP_STAGES " == *" $name "* ]]; then
		echo "skipped (SKIP_STAGES)"
		SKIPPED+=("$name")
		return 0
	fi
	set +e
	(set -e; "stage_$name")
	rc=$?
	set -e
	TIMES+=("$name $((SECONDS - t0))s")
	if [ "$rc" -eq 0 ]; then
		PASSED+=("$name")
		printf -- '-------- %s: ok (%d s)\n' "$name" "$((SECONDS - t0))"
	else
		FAILED+=("$name")
		printf -- '-------- %s: FAILED (exit %d, %d s)\n' "$name" "$rc" "$((SECONDS - t0))"
	fi
}

echo "exporterbox tests: $ROOT ($(nproc) cores, jobs $JOBS)"
run_stage deps "install build and test dependencies"
run_stage gcc "build/ (gcc, RelWithDebInfo) + ctest"
run_stage asan "build-asan/ (ASan + UBSan) + ctest"
run_stage tsan "build-tsan/ (ThreadSanitizer): threaded tests, 3 runs each"
run_stage container "docker/Dockerfile built with podman, applets run from the image"
run_stage leak "valgrind leak check, ${LEAK_SCRAPES:-1000} scrapes"
run_stage fuzz "libFuzzer, ${FUZZ_SECONDS} s per target"

printf '\n======== summary (%d s: %s) ========\n' "$((SECONDS - START))" "${TIMES[*]}"
[ ${#FAILED[@]} -eq 0 ] || echo "failed stages: ${FAILED[*]}"
[ ${#SKIPPED[@]} -eq 0 ] || echo "skipped stages: ${SKIPPED[*]}"
printf 'stages: %d passed, %d failed\n' "${#PASSED[@]}" "${#FAILED[@]}"
[ ${#FAILED[@]} -eq 0 ]
