#!/usr/bin/env bash
# Configures (once) and builds appealhub into build/, and the web UI into web/dist
# (scripts/build-web.sh). Fast when nothing changed (ninja + ccache, build stamps).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${APPEALHUB_BUILD:-$root/build}
export CCACHE_DIR=${CCACHE_DIR:-$root/var/ccache}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAPPEALHUB_WERROR="${APPEALHUB_WERROR:-ON}" \
    -DAPPEALHUB_SANITIZE="${APPEALHUB_SANITIZE:-}" \
    -DAPPEALHUB_BENCH="${APPEALHUB_BENCH:-ON}" >/dev/null
fi
ninja -C "$build" -j "${APPEALHUB_JOBS:-2}" "$@"
[ "${APPEALHUB_SKIP_WEB:-}" = 1 ] || "$root/scripts/build-web.sh"
