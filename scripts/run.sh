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
config=${APPEALHUB_CONFIG:-config/appealhub.json}
build/app/appealhub migrate --config "$config"
# A first administrator for a new installation; the password is made once and kept in var/secrets/.
if [ "$(psql "$APPEALHUB_PG_URI" -tAc 'SELECT count(*) FROM users')" = "0" ]; then
  mkdir -p var/secrets && chmod 700 var/secrets
  [ -s var/secrets/admin-password ] || (umask 077; openssl rand -base64 18 >var/secrets/admin-password)
  APPEALHUB_NEW_USER_PASSWORD=$(cat var/secrets/admin-password) \
    build/app/appealhub user add admin --role admin --display-name 系统管理员 --config "$config"
fi
echo "appealhub: API at http://127.0.0.1:8080/api/v1 (OpenAPI: /api/v1/openapi.json); user admin, password in var/secrets/admin-password"
exec build/app/appealhub run --config "$config"
