#!/usr/bin/env bash
# Runs the hub on this machine with simulated channels, from nothing: installs what is missing,
# builds, starts PostgreSQL and RabbitMQ under var/, migrates, loads the Guangyuan defaults, makes
# one demo account per role (passwords made once, printed once, kept in var/secrets/), starts the
# three channel simulators (appeals at a steady rate; they rate the answers they get) and the hub
# wired to them, then prints where to look. Ctrl-C stops everything it started; running it again
# resumes with the same data.
#   scripts/run.sh [--logs]     --logs: follow the hub's JSON log here instead of keeping it in a file
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
follow_logs=false
[[ ${1:-} == --logs ]] && follow_logs=true
config=${APPEALHUB_CONFIG:-config/appealhub.json}
mkdir -p var/log var/secrets var/sim var/hotline12328
chmod 700 var/secrets
setup_log=var/log/run-setup.log
: >"$setup_log"
started=$(date +%s)

# One line per step with its time; the step's own output goes to the set-up log.
step() {
  local name=$1 t0 rc=0
  shift
  t0=$(date +%s)
  printf '[%4ss] %-52s' "$((t0 - started))" "$name"
  "$@" >>"$setup_log" 2>&1 || rc=$?
  if ((rc)); then
    printf 'FAILED\n'
    echo "appealhub: '$name' failed; the last lines of $setup_log:" >&2
    tail -n 30 "$setup_log" >&2
    exit "$rc"
  fi
  printf 'done (%ss)\n' "$(($(date +%s) - t0))"
}

services_were_up=false
scripts/services.sh status >/dev/null 2>&1 && services_were_up=true
step "install missing packages" scripts/install-deps.sh
step "build (first time: several minutes)" scripts/build.sh appealhub appealhub-sim
step "start PostgreSQL and RabbitMQ under var/" scripts/services.sh start
eval "$(scripts/services.sh env)"

# Demo secrets shared by the hub and the simulators, made once.
for name in mailbox-token petition-secret; do
  [ -s "var/secrets/$name" ] || (umask 077 && openssl rand -hex 16 >"var/secrets/$name")
done
export APPEALHUB_MAILBOX_TOKEN=$(cat var/secrets/mailbox-token)
export APPEALHUB_PETITION_SECRET=$(cat var/secrets/petition-secret)
export APPEALHUB_SIM_MAILBOX_TOKEN=$APPEALHUB_MAILBOX_TOKEN
export APPEALHUB_SIM_PETITION_SECRET=$APPEALHUB_PETITION_SECRET

step "migrate and load the Guangyuan defaults" build/app/appealhub migrate --config "$config"

# One demo account per role: name, roles and departments, display name.
accounts=(
  "admin|--role admin|系统管理员"
  "operator|--role operator|12328 话务员"
  "staff_dlys|--role staff --department dlys|道路运输事务中心 经办人"
  "staff_lzq|--role staff --department lzq|利州区交通运输局 经办人"
  "manager|--role manager|局办公室 负责人"
)
new_accounts=()
make_accounts() {
  local entry name flags display password_file
  for entry in "${accounts[@]}"; do
    IFS='|' read -r name flags display <<<"$entry"
    password_file=var/secrets/$name-password
    if [[ $(psql "$APPEALHUB_PG_URI" -tAc "SELECT count(*) FROM users WHERE username = '$name'") == 0 ]]; then
      [ -s "$password_file" ] || (umask 077 && openssl rand -base64 12 | tr -d '/+=' >"$password_file")
      # shellcheck disable=SC2086 # flags are words
      APPEALHUB_NEW_USER_PASSWORD=$(cat "$password_file") \
        build/app/appealhub user add "$name" $flags --display-name "$display" --config "$config"
      new_accounts+=("$name")
    fi
  done
}
step "demo accounts (one per role)" make_accounts

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "appealhub: stopping what this script started…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  $services_were_up || scripts/services.sh stop >/dev/null 2>&1 || true
  echo "appealhub: stopped. Run scripts/run.sh again to resume with the same data."
}
trap stop_all INT TERM EXIT

start_simulators() {
  build/sim/appealhub-sim mailbox --port 18081 --rate 0.3 --state-file var/sim/mailbox-state.json \
    >var/sim/mailbox.out 2>var/sim/mailbox.log &
  pids+=($!)
  build/sim/appealhub-sim petition --port 18082 --app-id gy-jtj --rate 0.2 \
    --webhook-url http://127.0.0.1:8080/webhooks/petition >var/sim/petition.out 2>var/sim/petition.log &
  pids+=($!)
  build/sim/appealhub-sim hotline --dir var/hotline12328 --rate 0.3 >var/sim/hotline.out \
    2>var/sim/hotline.log &
  pids+=($!)
}
start_simulators
printf '[%4ss] %-52sdone\n' "$(($(date +%s) - started))" "start the three channel simulators"

hub_log=var/log/appealhub.log
build/app/appealhub run --config "$config" >>"$hub_log" 2>&1 &
hub=$!
pids=("$hub" "${pids[@]}")
wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS http://127.0.0.1:8080/readyz >/dev/null 2>&1 && return 0
    kill -0 "$hub" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
step "start the hub and wait until it is ready" wait_ready

cat <<EOF

  appealhub is running.
  Web:       http://127.0.0.1:8080/            (API: http://127.0.0.1:8080/api/v1/openapi.json)
  Accounts:  admin (管理员), operator (话务员), staff_dlys and staff_lzq (部门经办人), manager (领导)
EOF
if ((${#new_accounts[@]})); then
  echo "             passwords, shown this once (also in var/secrets/<name>-password):"
  for name in "${new_accounts[@]}"; do
    file=var/secrets/$name-password
    printf '               %-12s %s\n' "$name" "$(cat "$file")"
  done
else
  echo "             passwords in var/secrets/<name>-password"
fi
cat <<EOF
  Channels:  simulated; appeals arrive within a minute (mailbox :18081, petition :18082,
             12328 files in var/hotline12328/); their ledgers at /_sim/ledger
  Logs:      $hub_log (JSON lines; scripts/run.sh --logs follows them here), set-up: $setup_log
  Health:    build/app/appealhub health --config $config
  Stop:      Ctrl-C (stops the hub, the simulators and the servers this script started)

EOF
if $follow_logs; then
  tail -n 0 -f "$hub_log" &
  pids+=($!)
fi
wait "$hub" || true
