#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an EMPTY database, in one transaction (a
# failure leaves the target empty). Stop every appealhub process first; afterwards start the hub
# on the restored database: it migrates if the binary is newer, and resumes from the restored
# outbox, delivery ledger and channel cursors (docs/operations.md, "Backup and restore").
#   scripts/restore.sh BACKUP_DIR_OR_DUMP TARGET_URI
# What the outbox sent in the last APPEALHUB_REPLAY_MINUTES (default 60) before the dump is marked
# unsent, so the relay publishes it again: a message the dump saw sent may have been taken by a
# consumer only after the dump (an answer's reply.requested, say), and every consumer and channel
# takes a message it already had as the same one (event ids, reply ids, idempotency keys), so
# replaying brings the restored store level with the world and doubles nothing.
set -euo pipefail
src=${1:?usage: scripts/restore.sh BACKUP_DIR_OR_DUMP TARGET_URI}
target=${2:?usage: scripts/restore.sh BACKUP_DIR_OR_DUMP TARGET_URI}
dump=$src
[[ -d $src ]] && dump=$src/appealhub.dump
[[ -f $dump ]] || { echo "restore: no dump at $dump" >&2; exit 1; }
pg_bin=/usr/lib/postgresql/15/bin
tables=$("$pg_bin/psql" -X -At -d "$target" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [[ $tables != 0 ]]; then
  echo "restore: the target database is not empty ($tables tables); restore into a new one" >&2
  exit 1
fi
"$pg_bin/pg_restore" --no-owner --exit-on-error --single-transaction --dbname="$target" "$dump"
minutes=${APPEALHUB_REPLAY_MINUTES:-60}
[[ $minutes =~ ^[0-9]+$ ]] || { echo "restore: APPEALHUB_REPLAY_MINUTES must be a number" >&2; exit 1; }
replayed=$("$pg_bin/psql" -X -At -v ON_ERROR_STOP=1 -d "$target" -c "
  WITH replay AS (
    UPDATE outbox SET sent_at = NULL
    WHERE sent_at > (SELECT max(sent_at) FROM outbox) - interval '$minutes minutes'
    RETURNING 1)
  SELECT count(*) FROM replay")
echo "restore: $dump restored into the target database; $replayed outbox messages of the last $minutes minutes will be published again"
