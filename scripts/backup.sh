#!/usr/bin/env bash
# Backs up the hub's state: the PostgreSQL database (pg_dump, custom format: every ticket, event,
# reply, cursor and setting) and, when the local broker runs, RabbitMQ's definitions (users,
# vhosts, queues, bindings; not messages: the outbox and the channels' cursors bring back what was
# in flight). Prints the folder it wrote.
#   scripts/backup.sh [DIR]          default: var/backups/<UTC time>
# The database is APPEALHUB_PG_URI, or the local one (scripts/services.sh env).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/var/backups/$(date -u +%Y%m%dT%H%M%SZ)}
[[ $dir == /* ]] || dir=$PWD/$dir
uri=${APPEALHUB_PG_URI:-$(eval "$("$root/scripts/services.sh" env)" && printf '%s' "$APPEALHUB_PG_URI")}
mkdir -p "$dir"
chmod 700 "$dir"  # the dump holds citizens' personal data
pg_bin=/usr/lib/postgresql/15/bin
"$pg_bin/pg_dump" --format=custom --no-owner --file="$dir/appealhub.dump" "$uri"
if [[ -z ${APPEALHUB_AMQP_URI:-} ]] && "$root/scripts/services.sh" status rabbitmq >/dev/null 2>&1; then
  "$root/scripts/services.sh" export-definitions "$dir/rabbitmq-definitions.json"
fi
echo "$dir"
