#!/usr/bin/env bash
# Builds and runs the tests under sanitizers, each in a build folder of its own:
#   scripts/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):
#                                 every test but the whole-system runs (label `system`)
#   scripts/sanitize.sh thread    ThreadSanitizer (build-tsan/): the concurrent parts (bus,
#                                 outbox relay, gateway, delivery)
# Extra arguments go to ctest. Expects the servers that scripts/test.sh starts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kind=${1:?usage: scripts/sanitize.sh address|thread [ctest args]}
shift
case $kind in
  address)
    build=$root/build-asan
    select=(-LE system)
    # Leaks are reported by LeakSanitizer at exit; a finding fails the test.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ;;
  thread)
    build=$root/build-tsan
    select=(-R '(publisher|consumer|reconnect|dead_letter|throughput|outbox_relay|http_server|api_workflow|reply_ledger|delivery|reply_sender)')
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan.supp}
    ;;
  *) echo "sanitize: address or thread, not $kind" >&2; exit 2 ;;
esac
# Sanitizers make GCC warn about library code (Boost) it does not otherwise: no -Werror here.
APPEALHUB_WERROR=OFF APPEALHUB_SANITIZE=$kind APPEALHUB_BUILD=$build scripts/build.sh
eval "$(scripts/services.sh env)"
export APPEALHUB_ROOT="$root"
ctest --test-dir "$build" --output-on-failure --timeout 1200 "${select[@]}" "$@"
