#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, starts PostgreSQL and RabbitMQ under var/,
# then runs CTest (unit tests, integration tests against the real servers, the Node.js
# interoperability test, the web UI in headless chromium: `-L browser`). Extra arguments go to
# ctest, e.g. `scripts/test.sh -L pure`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
scripts/build.sh
scripts/services.sh start
eval "$(scripts/services.sh env)"
export APPEALHUB_ROOT="$root"
(cd tests/interop && [ -d node_modules/amqplib ] || npm ci --no-audit --no-fund --silent)
ctest --test-dir build --output-on-failure --timeout 1200 "$@"
