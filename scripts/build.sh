#!/usr/bin/env bash
# Configures (once) and builds appealhub into build/. Fast when nothing changed (ninja + ccache).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${APPEALHUB_BUILD:-$root/build}
export CCACHE_DIR=${CCACHE_DIR:-$root/var/ccache}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAPPEALHUB_WERROR="${APPEALHUB_WERROR:-ON}" \
    -DAPPEALHUB_SANITIZE="${APPEALHUB_SANITIZE:-}" >/dev/null
fi
ninja -C "$build" -j "${APPEALHUB_JOBS:-2}" "$@"
