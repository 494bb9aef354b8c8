#!/usr/bin/env bash
# Runs the hub on this machine with simulated channels: installs what is missing, builds, starts
# PostgreSQL and RabbitMQ under var/, starts the three channel simulators (sim/) on loopback,
# migrates, makes a first administrator, and runs `appealhub run` in the foreground (Ctrl-C stops
# the hub cleanly and the simulators with it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
scripts/build.sh appealhub appealhub-sim
scripts/services.sh start
eval "$(scripts/services.sh env)"
config=${APPEALHUB_CONFIG:-config/appealhub.json}

# Demo secrets shared by the hub and the simulators, made once.
mkdir -p var/secrets var/sim var/hotline12328 && chmod 700 var/secrets
for name in mailbox-token petition-secret admin-password; do
  [ -s "var/secrets/$name" ] || (umask 077; openssl rand -hex 16 >"var/secrets/$name")
done
export APPEALHUB_MAILBOX_TOKEN=$(cat var/secrets/mailbox-token)
export APPEALHUB_PETITION_SECRET=$(cat var/secrets/petition-secret)
export APPEALHUB_SIM_MAILBOX_TOKEN=$APPEALHUB_MAILBOX_TOKEN
export APPEALHUB_SIM_PETITION_SECRET=$APPEALHUB_PETITION_SECRET

sims=()
stop_sims() { for pid in "${sims[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_sims EXIT
build/sim/appealhub-sim mailbox --port 18081 --rate 0.5 --state-file var/sim/mailbox-state.json \
  >var/sim/mailbox.out 2>var/sim/mailbox.log &
sims+=($!)
build/sim/appealhub-sim petition --port 18082 --app-id gy-jtj --rate 0.3 \
  --webhook-url http://127.0.0.1:8080/webhooks/petition >var/sim/petition.out 2>var/sim/petition.log &
sims+=($!)
build/sim/appealhub-sim hotline --dir var/hotline12328 --rate 0.5 >var/sim/hotline.out 2>var/sim/hotline.log &
sims+=($!)
echo "appealhub: simulators: mailbox http://127.0.0.1:18081, petition http://127.0.0.1:18082, 12328 files in var/hotline12328/ (ledgers: /_sim/ledger, var/hotline12328/sim-ledger.json)"

build/app/appealhub migrate --config "$config"
# A first administrator for a new installation; its password is in var/secrets/admin-password.
if [ "$(psql "$APPEALHUB_PG_URI" -tAc 'SELECT count(*) FROM users')" = "0" ]; then
  APPEALHUB_NEW_USER_PASSWORD=$(cat var/secrets/admin-password) \
    build/app/appealhub user add admin --role admin --display-name 系统管理员 --config "$config"
fi
echo "appealhub: PostgreSQL at 127.0.0.1:55432, RabbitMQ (AMQP) at 127.0.0.1:56720 (scripts/services.sh env)"
echo "appealhub: web UI at http://127.0.0.1:8080/, API at /api/v1 (OpenAPI: /api/v1/openapi.json); user admin, password in var/secrets/admin-password"
build/app/appealhub run --config "$config" &
hub=$!
trap 'kill -TERM $hub 2>/dev/null || true' INT TERM
wait $hub || true
