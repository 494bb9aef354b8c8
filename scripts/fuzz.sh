#!/usr/bin/env bash
# Runs the fuzzers (fuzz/, docs/decisions/0012-fuzzing.md): installs clang and libFuzzer from
# Debian when missing, builds them with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-fuzz/, then runs each for the given time (default 600 s) on a working copy of its seed
# corpus. Crashes are saved in var/fuzz/<name>/crashes/, the libFuzzer log in var/fuzz/<name>.log.
#   scripts/fuzz.sh [seconds-per-fuzzer] [name…]     e.g. scripts/fuzz.sh 60 codec marker
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-600}
[ $# -gt 0 ] && shift
all=(csv marker export_file receipt letter message webhook codec gateway_request config)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")

# The libraries the hub needs, then clang with its libFuzzer runtime (Debian: clang,
# libclang-rt-14-dev), when a trivial fuzzer does not link.
scripts/install-deps.sh
fuzzer_links() {
  echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    clang++ -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null
}
if ! command -v clang++ >/dev/null || ! fuzzer_links; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi

build=${APPEALHUB_FUZZ_BUILD:-$root/build-fuzz}
export CCACHE_DIR=${CCACHE_DIR:-$root/var/ccache}
if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAPPEALHUB_FUZZ=ON -DAPPEALHUB_TESTS=OFF -DAPPEALHUB_BENCH=OFF >/dev/null
fi
ninja -C "$build" -j "${APPEALHUB_JOBS:-2}" $(printf '%s_fuzz ' "${names[@]}")

status=0
for name in "${names[@]}"; do
  out=var/fuzz/$name
  mkdir -p "$out/corpus" "$out/crashes"
  echo "== $name: ${seconds}s"
  # Inputs as long as the gateway takes (64 KiB bodies); the others grow from their seeds.
  max_len=()
  case $name in gateway_request | webhook) max_len=(-max_len=66000) ;; esac
  # New inputs go to var/fuzz/<name>/corpus; the seeds in fuzz/corpus/<name> are only read.
  if ! "$build/fuzz/${name}_fuzz" "$out/corpus" "fuzz/corpus/$name" -max_total_time="$seconds" "${max_len[@]}" \
      -artifact_prefix="$out/crashes/" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
      >"var/fuzz/$name.log" 2>&1; then
    echo "   crash: see var/fuzz/$name.log and $out/crashes/"
    status=1
  fi
  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "var/fuzz/$name.log" | tail -1 || true
  grep -E '^stat::number_of_executed_units' "var/fuzz/$name.log" || true
done
exit $status
