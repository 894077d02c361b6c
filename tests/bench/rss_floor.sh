#!/usr/bin/env bash
#
# rss_floor.sh — the resident memory a C program on this machine starts
# with before it does any work, by the libraries it links: the floor under
# any exporter built on them (not a test; bench.sh's RSS figures sit on it).
# Each program calls one function of its library (so the library is really
# loaded and initialised) and prints VmRSS from /proc/self/status.
#
# Usage: tests/bench/rss_floor.sh    (needs gcc, libmicrohttpd-dev,
#        libhiredis-dev, libpq-dev: what the build needs anyway)
set -euo pipefail

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

prog() { # NAME LIBS INCLUDE CALL
	cat > "$TMP/$1.c" <<C
#include <stdio.h>
#include <string.h>
$3
int main(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	$4;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			printf("%s", line + 6);
	return 0;
}
C
	# shellcheck disable=SC2086
	gcc -O2 -o "$TMP/$1" "$TMP/$1.c" $2
	printf '%-34s %s\n' "$1" "$("$TMP/$1" | tr -s ' \t' ' ' | tail -1)"
}

prog "libc only" "" "" "(void)0"
prog "+ libhiredis (redis)" "-lhiredis" "#include <hiredis/hiredis.h>" \
	"redisReaderFree(redisReaderCreate())"
prog "+ libmicrohttpd (gnutls: all)" "-lmicrohttpd" "#include <microhttpd.h>" \
	"(void)MHD_get_version()"
prog "+ libpq (postgres)" "-lpq" "int PQlibVersion(void);" "(void)PQlibVersion()"
