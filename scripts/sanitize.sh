#!/usr/bin/env bash
# Builds and runs the tests under sanitizers, each in a build folder of its own (no benchmarks):
#   scripts/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):
#                                 the unit and integration tiers, every test but the whole-system
#                                 runs (label `system`)
#   scripts/sanitize.sh thread    ThreadSanitizer (build-tsan/): the tests of the concurrent parts
#                                 (bus, outbox relay, HTTP server and client, gateway, delivery)
# Extra arguments go to ctest. Starts the servers of scripts/services.sh if they are not running.
# CI (.ci/run) runs both after scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kind=${1:?usage: scripts/sanitize.sh address|thread [ctest args]}
shift
case $kind in
  address)
    build=$root/build-asan
    targets=(all)
    select=(-LE system)
    # Leaks are reported by LeakSanitizer at exit; a finding fails the test.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
    # Known leaks of the libraries we cannot change (each explained in the file).
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ;;
  thread)
    build=$root/build-tsan
    # The test executables of the parts that run threads against each other; only these are built.
    targets=(bus_test bus_rmqtest http_client_test http_server_test app_pgrmqtest
             api_workflow_pgrmqtest reply_ledger_pgtest delivery_loop_pgtest
             mailbox_pgrmqtest petition_pgrmqtest shared_reads_test live_feed_test)
    select=(-R "^($(IFS='|'; echo "${targets[*]}"))\$")
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan.supp}
    ;;
  *) echo "sanitize: address or thread, not $kind" >&2; exit 2 ;;
esac
# Sanitizers make GCC warn about library code (Boost) it does not otherwise: no -Werror here.
APPEALHUB_SKIP_WEB=1 APPEALHUB_WERROR=OFF APPEALHUB_BENCH=OFF APPEALHUB_SANITIZE=$kind \
  APPEALHUB_BUILD=$build scripts/build.sh "${targets[@]}"
scripts/services.sh start
eval "$(scripts/services.sh env)"
export APPEALHUB_ROOT="$root"
ctest --test-dir "$build" --output-on-failure --timeout 1200 "${select[@]}" "$@"
