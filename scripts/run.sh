#!/usr/bin/env bash
# Runs the hub on this machine: installs what is missing, builds, starts PostgreSQL and RabbitMQ
# under var/, migrates and runs `appealhub run` in the foreground (Ctrl-C stops it cleanly).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
scripts/build.sh appealhub
scripts/services.sh start
eval "$(scripts/services.sh env)"
echo "appealhub: PostgreSQL at 127.0.0.1:${APPEALHUB_PG_PORT:-55432}, RabbitMQ (AMQP) at 127.0.0.1:${APPEALHUB_AMQP_PORT:-56720}"
echo "appealhub: publish appeal.v1 events to exchange 'appeals' with routing key intake.<channel> (docs/bus.md)"
exec build/app/appealhub run --config "${APPEALHUB_CONFIG:-config/appealhub.json}"
