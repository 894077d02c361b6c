#!/usr/bin/env bash
#
# leak_check_node_fixtures.sh BIN — leak_check.sh over the node fixture tree
# (LEAK_FIXTURES=1): every collector, including those whose files this host
# lacks, under valgrind for many scrapes.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LEAK_FIXTURES=1 exec "$HERE/leak_check.sh" "$@"
