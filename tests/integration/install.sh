#!/usr/bin/env bash
# install.sh BUILD_DIR BIN: `cmake --install` into a scratch prefix installs
# exporterbox and one working link per name in its applet table.
set -euo pipefail
build=$1 bin=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
passed=0 failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $*"; fi; }

cmake --install "$build" --prefix "$prefix" >/dev/null
check test -x "$prefix/bin/exporterbox"
names=$("$bin" --links)
check test "$(printf '%s\n' "$names" | wc -l)" -eq 8
for name in $names; do
	check test "$(readlink "$prefix/bin/$name")" = exporterbox
	check "$prefix/bin/$name" --version
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
