#!/usr/bin/env bash
# Runs the benchmarks against the local servers and prints their figures (not part of the tests).
#   scripts/bench.sh [intake N [ROUNDS] | duplicates [--verbose] | routing N RATE | hotline12328 N | gateway TICKETS SECONDS [RATES] | reply N | stats TICKETS REQUESTS | knowledge ENTRIES ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh >/dev/null
scripts/build.sh appealhub intake_bench duplicates_eval routing_bench hotline12328_bench gateway_bench reply_bench stats_bench knowledge_bench
scripts/services.sh start >/dev/null
eval "$(scripts/services.sh env)"
export APPEALHUB_ROOT="$root"
what=${1:-intake}
case $what in
  intake) build/bench/intake_bench "${2:-50000}" "${3:-3}" ;;
  duplicates) build/bench/duplicates_eval ${2:-} ;;
  routing) build/bench/routing_bench "${2:-20000}" "${3:-1000}" ;;
  hotline12328) build/bench/hotline12328_bench "${2:-100000}" ;;
  gateway) build/bench/gateway_bench "${2:-1000000}" "${3:-15}" "${4:-500,1000}" ;;
  reply) build/bench/reply_bench "${2:-200}" ;;
  stats) build/bench/stats_bench "${2:-1000000}" "${3:-20}" ;;
  knowledge) build/bench/knowledge_bench "${2:-10000}" "${3:-3}" ;;
  *) echo "usage: scripts/bench.sh [intake N [ROUNDS] | duplicates [--verbose] | routing N RATE | hotline12328 N | gateway TICKETS SECONDS [RATES] | reply N | stats TICKETS REQUESTS | knowledge ENTRIES ROUNDS]" >&2; exit 2 ;;
esac
