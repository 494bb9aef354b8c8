#!/usr/bin/env bash
# The soak: the whole hub with the three simulated channels at about 20 appeals a second for
# MINUTES (default 30), faults injected at random (hub kills, broker and database restarts,
# channel errors), then the end state checked and the hub's memory, descriptors, threads and
# database connections printed as sampled over time (tests/integration/soak_pgrmq.cpp).
#   scripts/soak.sh [MINUTES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh >/dev/null
scripts/build.sh soak_pgrmq
scripts/services.sh start
eval "$(scripts/services.sh env)"
export APPEALHUB_ROOT="$root"
exec build/tests/integration/soak_pgrmq "${1:-30}"
