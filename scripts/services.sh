#!/usr/bin/env bash
# Starts, stops and checks the local PostgreSQL 15 and RabbitMQ 3.10 servers appealhub is developed
# and tested against: no systemd, all data under var/, listening on 127.0.0.1 only, non-default ports.
#
#   scripts/services.sh start|stop|restart|status [postgres|rabbitmq]   (no name = both)
#   scripts/services.sh env        # prints `export` lines with the connection URIs
#
# Settings (environment): APPEALHUB_VAR (default <repo>/var), APPEALHUB_PG_PORT (55432),
# APPEALHUB_AMQP_PORT (56720), RABBITMQ_DIST_PORT (56721), APPEALHUB_EPMD_PORT (56722), APPEALHUB_AMQPS_PORT (56723, TLS with a local test CA in var/tls),
# APPEALHUB_RMQ_NODE (appealhub@localhost) and APPEALHUB_RMQ_DIR (<var>/rabbitmq) for a cluster's nodes,
# APPEALHUB_PG_PASSWORD (default none: trust), APPEALHUB_AMQP_PASSWORD (default: a random one made on first use, kept in var/secrets/).
# Must run as root: PostgreSQL runs as the `postgres` user, RabbitMQ as root (see below).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${APPEALHUB_VAR:-$ROOT/var}
[[ $VAR == /* ]] || VAR=$PWD/$VAR
PG_PORT=${APPEALHUB_PG_PORT:-55432}
AMQP_PORT=${APPEALHUB_AMQP_PORT:-56720}
DIST_PORT=${RABBITMQ_DIST_PORT:-56721}
EPMD_PORT=${APPEALHUB_EPMD_PORT:-56722}
AMQPS_PORT=${APPEALHUB_AMQPS_PORT:-56723}
TLS_DIR=$VAR/tls
PG_PASSWORD=${APPEALHUB_PG_PASSWORD:-}
# No password lives in the repository: without APPEALHUB_AMQP_PASSWORD a random one is made once
# and kept under var/secrets/ (mode 600).
amqp_password() {
  if [[ -n ${APPEALHUB_AMQP_PASSWORD:-} ]]; then
    printf '%s' "$APPEALHUB_AMQP_PASSWORD"
    return
  fi
  local file=$VAR/secrets/amqp-password
  if [[ ! -s $file ]]; then
    mkdir -p "$VAR/secrets" && chmod 700 "$VAR/secrets"
    (umask 077 && openssl rand -hex 16 >"$file")
  fi
  tr -d '\n' <"$file"
}
AMQP_PASSWORD=$(amqp_password)
# Node name and folder: one of a local cluster's nodes sets both (scripts/rabbitmq-cluster.sh).
NODE=${APPEALHUB_RMQ_NODE:-appealhub@localhost}

PG_START_TIMEOUT=30
RMQ_START_TIMEOUT=60

log() { echo "services: $*"; }
die() { echo "services: $*" >&2; exit 1; }

# True when process $1 exists and is not a zombie.
proc_alive() { [[ $1 =~ ^[0-9]+$ && $(ps -o stat= -p "$1" 2>/dev/null) == [^Z]* ]]; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

show_log_tail() { # file
  if [[ -f $1 ]]; then
    echo "services: --- last lines of $1 ---" >&2
    tail -n 40 "$1" >&2
    echo "services: ---" >&2
  fi
}

# Percent-encodes $1 for use inside a URI (byte-wise, so UTF-8 passwords survive).
urlencode() {
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=$VAR/postgres
PG_DATA=$PG_DIR/data
PG_SOCK=$PG_DIR/run
PG_LOG=$PG_DIR/postgresql.log

# PostgreSQL refuses to run as root. `cd /` because pg_ctl/initdb fail when the caller's
# working directory is not readable by postgres.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# Not `pg_ctl status`: a SIGKILLed postmaster lingers as a zombie (PID 1 here reaps late) and
# pg_ctl would call it running.
pg_running() {
  local pid
  [[ -f $PG_DATA/postmaster.pid ]] || return 1
  read -r pid <"$PG_DATA/postmaster.pid" || return 1
  proc_alive "$pid" && [[ $(ps -o comm= -p "$pid") == postgres ]]
}
# -U/-d postgres: the default (root) would log "role root does not exist" on every probe.
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2; }

# After a crash (kill -9 in durability tests) backends linger a moment, still attached to the
# old shared memory (they all sit in the data dir), and the dead postmaster stays a zombie until
# PID 1 reaps it; a new postmaster refuses to start until all of them are gone.
pg_wait_for_leftovers() {
  local deadline=$((SECONDS + 15)) p found old_pid=''
  [[ -f $PG_DATA/postmaster.pid ]] && read -r old_pid <"$PG_DATA/postmaster.pid"
  while :; do
    found=''
    [[ $old_pid =~ ^[0-9]+$ && -e /proc/$old_pid ]] && found+=" $old_pid"
    for p in /proc/[0-9]*; do
      [[ $(readlink "$p/cwd" 2>/dev/null) == "$PG_DATA" ]] && found+=" ${p#/proc/}"
    done
    [[ -z $found ]] && return 0
    ((SECONDS < deadline)) || die "postgres: old server processes still running:$found"
    sleep 0.2
  done
}

# The postgres user must be able to walk down to var/postgres; repos often live under dirs
# it cannot traverse (e.g. /root), so grant o+x (traverse only, no listing) where missing.
pg_ensure_traversable() {
  local d='' part
  as_postgres test -x "$VAR" && return 0
  local -a parts
  IFS=/ read -ra parts <<<"${VAR#/}"
  for part in "${parts[@]}"; do
    d+=/$part
    if ! as_postgres test -x "$d"; then
      log "postgres: chmod o+x $d (so the postgres user can reach $PG_DIR)"
      chmod o+x "$d"
    fi
  done
  as_postgres test -x "$VAR" || die "postgres: user postgres still cannot reach $VAR; set APPEALHUB_VAR elsewhere"
}

pg_prepare() {
  [[ $VAR != *"'"* ]] || die "postgres: APPEALHUB_VAR must not contain a single quote: $VAR"
  # Unix socket paths are limited to 107 bytes.
  local sock="$PG_SOCK/.s.PGSQL.$PG_PORT"
  ((${#sock} < 108)) || die "postgres: socket path too long (${#sock} > 107): $sock; use a shorter APPEALHUB_VAR"
  mkdir -p "$PG_DIR"
  pg_ensure_traversable
  chown postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR"
  as_postgres mkdir -p "$PG_SOCK"

  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "postgres: initdb $PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
      --auth=trust >>"$PG_DIR/initdb.log" 2>&1 \
      || { show_log_tail "$PG_DIR/initdb.log"; die "postgres: initdb failed"; }
    echo "include = 'appealhub.conf'" >>"$PG_DATA/postgresql.conf"
  fi

  # Rewritten on every start so changed ports/paths take effect.
  cat >"$PG_DATA/appealhub.conf" <<EOF
# Written by scripts/services.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
# A 1,000,000-ticket store (bench/gateway_bench) keeps its hot pages in memory.
shared_buffers = 2GB
effective_cache_size = 8GB
# Durability tests kill the server and expect committed data to survive.
fsync = on
synchronous_commit = on
full_page_writes = on
# Bulk intake (a 100,000-row 12328 file) writes WAL fast: checkpoints (each followed by full-page
# images of every page touched again) are spaced by time rather than by 1 GB of WAL, and the
# full-page images are compressed.
max_wal_size = 8GB
checkpoint_timeout = 15min
wal_compression = lz4
# bench/hotline12328_bench reads when the last ticket was committed (pg_xact_commit_timestamp).
track_commit_timestamp = on
# stderr goes to pg_ctl's -l file ($PG_LOG).
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  # trust: acceptable only because this is a loopback-only dev/test server.
  cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by scripts/services.sh: loopback-only dev/test server, so trust on the socket and 127.0.0.1.
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
  chown postgres:postgres "$PG_DATA/appealhub.conf" "$PG_DATA/pg_hba.conf"
  chmod 600 "$PG_DATA/appealhub.conf" "$PG_DATA/pg_hba.conf"
}

# Creates role appealhub and its databases; safe to repeat.
pg_bootstrap() {
  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
    -v pw="$PG_PASSWORD" >/dev/null <<'SQL'
SELECT 'CREATE ROLE appealhub LOGIN CREATEDB'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'appealhub') \gexec
SELECT CASE WHEN :'pw' = '' THEN 'ALTER ROLE appealhub PASSWORD NULL'
            ELSE format('ALTER ROLE appealhub PASSWORD %L', :'pw') END \gexec
SELECT format('CREATE DATABASE %I OWNER appealhub', d)
  FROM unnest(ARRAY['appealhub', 'appealhub_test']) AS d
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
}

pg_start() {
  if pg_running && pg_ready; then
    log "postgres: already running on 127.0.0.1:$PG_PORT"
    return 0
  fi
  pg_prepare
  if ! pg_running; then
    pg_wait_for_leftovers
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    # setsid: keep the server alive when the caller's process group is killed (CI, timeouts).
    as_postgres setsid "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_START_TIMEOUT" -s \
      || { show_log_tail "$PG_LOG"; die "postgres: pg_ctl start failed"; }
  fi
  local deadline=$((SECONDS + PG_START_TIMEOUT))
  until pg_ready; do
    if ((SECONDS >= deadline)); then
      show_log_tail "$PG_LOG"
      die "postgres: not accepting connections on 127.0.0.1:$PG_PORT after ${PG_START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  pg_bootstrap || { show_log_tail "$PG_LOG"; die "postgres: creating role/databases failed"; }
  log "postgres: up on 127.0.0.1:$PG_PORT (data $PG_DATA, log $PG_LOG)"
}

pg_stop() {
  if ! pg_running; then
    log "postgres: not running"
    return 0
  fi
  log "postgres: stopping"
  as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s \
    || { show_log_tail "$PG_LOG"; die "postgres: pg_ctl stop failed"; }
  log "postgres: stopped"
}

pg_status() {
  if pg_ready; then
    log "postgres: up on 127.0.0.1:$PG_PORT"
  else
    log "postgres: down"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------
# The /usr/sbin/rabbitmq* wrappers switch to the rabbitmq user when run as root and then fail
# while exiting 0, so call the real scripts directly; the broker runs as root.
RMQ_BIN=/usr/lib/rabbitmq/bin
RMQ_DIR=${APPEALHUB_RMQ_DIR:-$VAR/rabbitmq}
RMQ_HOME=$RMQ_DIR/home
RMQ_LOG_DIR=$RMQ_DIR/log
RMQ_PID_FILE=$RMQ_DIR/rabbitmq.pid
RMQ_CONSOLE_LOG=$RMQ_LOG_DIR/console.log
RMQ_NODE_LOG=$RMQ_LOG_DIR/$NODE.log

# The complete environment of the broker and of our rabbitmqctl calls (env -i: stray RABBITMQ_*
# variables of the caller must not change the node). Both must agree on HOME (Erlang cookie),
# node name and epmd port.
RMQ_ENV=(
  PATH="$PATH"
  LANG=C.UTF-8
  HOME="$RMQ_HOME"
  RABBITMQ_NODENAME="$NODE"
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  RABBITMQ_NODE_PORT="$AMQP_PORT"
  RABBITMQ_DIST_PORT="$DIST_PORT"
  RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
  RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
  RABBITMQ_PID_FILE="$RMQ_PID_FILE"
  # 3.10 accepts this path with or without the .conf extension (both tried).
  RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  # Our own (empty) env file, so /etc/rabbitmq/rabbitmq-env.conf cannot change our node.
  RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
  # Own epmd on loopback: no clash with a system Erlang node, and we may stop it.
  ERL_EPMD_ADDRESS=127.0.0.1
  ERL_EPMD_PORT="$EPMD_PORT"
  # Erlang distribution listens on all interfaces unless told otherwise. Schedulers do not spin
  # while idle (+sbwt none ...): on a small host the broker shares its cores with PostgreSQL and the
  # hub, and spinning takes CPU they need (RabbitMQ's runtime guide, "Scheduler Busy Waiting").
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
  RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  ERL_CRASH_DUMP="$RMQ_LOG_DIR/erl_crash.dump"
)

rmq_ctl() { (cd "$RMQ_DIR" && env -i "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -q -n "$NODE" "$@"); }

rmq_pid() { [[ -s $RMQ_PID_FILE ]] && cat "$RMQ_PID_FILE"; }
rmq_running() {
  local pid
  pid=$(rmq_pid) || return 1
  proc_alive "$pid" && grep -qa beam "/proc/$pid/cmdline" 2>/dev/null
}

rmq_prepare() {
  mkdir -p "$RMQ_HOME" "$RMQ_LOG_DIR" "$RMQ_DIR/mnesia"
  # Erlang reads the cookie from $HOME/.erlang.cookie and rejects it unless only the owner can read it.
  if [[ ! -s $RMQ_HOME/.erlang.cookie ]]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RMQ_HOME/.erlang.cookie")
  fi
  chmod 400 "$RMQ_HOME/.erlang.cookie"
  # No plugins: the management plugin alone adds seconds to every start and stop.
  echo '[].' >"$RMQ_DIR/enabled_plugins"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  rmq_tls_files
  cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# Written by scripts/services.sh on every start; edits are lost.
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
# TLS (amqps) with a certificate from the local test CA in var/tls (CN and SAN localhost).
listeners.ssl.1 = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $TLS_DIR/ca.pem
ssl_options.certfile = $TLS_DIR/server.pem
ssl_options.keyfile = $TLS_DIR/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
# A small dev disk must not block publishers (the default is 50MB too, stated to pin it).
disk_free_limit.absolute = 50MB
vm_memory_high_watermark.relative = 0.4
EOF
}

# A local CA and a server certificate for localhost, made once; tests verify the broker with ca.pem.
rmq_tls_files() {
  [[ -s $TLS_DIR/server.pem && -s $TLS_DIR/ca.pem ]] && return
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=appealhub test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key \
      -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.pem 2>/dev/null
    chmod 600 ca.key server.key
  ) || die "rabbitmq: could not make the test TLS certificates in $TLS_DIR"
}

# Creates (or re-passwords) user appealhub with full rights on vhost /; safe to repeat.
rmq_bootstrap() {
  local users
  users=$(rmq_ctl list_users --silent)
  if awk '$1 == "appealhub" { found = 1 } END { exit !found }' <<<"$users"; then
    rmq_ctl change_password appealhub "$AMQP_PASSWORD"
  else
    rmq_ctl add_user appealhub "$AMQP_PASSWORD"
  fi
  rmq_ctl set_permissions -p / appealhub '.*' '.*' '.*'
}

rmq_start() {
  if rmq_running && port_open "$AMQP_PORT"; then
    log "rabbitmq: already running on 127.0.0.1:$AMQP_PORT"
    return 0
  fi
  rmq_prepare
  local server_pid=''
  if ! rmq_running; then
    rm -f "$RMQ_PID_FILE"
    port_open "$AMQP_PORT" && die "rabbitmq: port $AMQP_PORT is already taken by another process"
    log "rabbitmq: starting $NODE on 127.0.0.1:$AMQP_PORT"
    # Detached from our session so it outlives this script and the caller's process group.
    (cd "$RMQ_DIR" && exec setsid nohup env -i "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-server" \
      >>"$RMQ_CONSOLE_LOG" 2>&1 </dev/null) &
    server_pid=$!
  fi
  local deadline=$((SECONDS + RMQ_START_TIMEOUT))
  until port_open "$AMQP_PORT"; do
    if [[ -n $server_pid ]] && ! kill -0 "$server_pid" 2>/dev/null; then
      show_log_tail "$RMQ_CONSOLE_LOG"
      show_log_tail "$RMQ_NODE_LOG"
      die "rabbitmq: broker exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$RMQ_CONSOLE_LOG"
      show_log_tail "$RMQ_NODE_LOG"
      die "rabbitmq: port $AMQP_PORT not accepting after ${RMQ_START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  local left=$((deadline - SECONDS))
  ((left > 5)) || left=5
  rmq_ctl await_startup --timeout "$left" >/dev/null \
    || { show_log_tail "$RMQ_NODE_LOG"; die "rabbitmq: await_startup failed"; }
  rmq_bootstrap || { show_log_tail "$RMQ_NODE_LOG"; die "rabbitmq: creating user appealhub failed"; }
  log "rabbitmq: up on 127.0.0.1:$AMQP_PORT (node $NODE, data $RMQ_DIR/mnesia, log $RMQ_NODE_LOG)"
}

rmq_stop() {
  if ! rmq_running; then
    rm -f "$RMQ_PID_FILE"
    log "rabbitmq: not running"
  else
    local pid
    pid=$(rmq_pid)
    log "rabbitmq: stopping"
    # `stop <pidfile>` returns only once the VM has exited, so a following start finds the ports free.
    if ! rmq_ctl stop "$RMQ_PID_FILE" >/dev/null; then
      log "rabbitmq: rabbitmqctl stop failed, sending SIGTERM to $pid"
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && { log "rabbitmq: SIGKILL $pid"; kill -KILL "$pid"; }
    fi
    rm -f "$RMQ_PID_FILE"
    log "rabbitmq: stopped"
  fi
  # Our epmd listens on our own port; it refuses -kill while any node is still registered.
  if [[ -d $RMQ_DIR ]]; then
    env ERL_EPMD_PORT="$EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
  fi
}

rmq_status() {
  if rmq_running && port_open "$AMQP_PORT"; then
    log "rabbitmq: up on 127.0.0.1:$AMQP_PORT (node $NODE)"
  else
    log "rabbitmq: down"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
print_env() {
  local pg_auth=appealhub
  [[ -n $PG_PASSWORD ]] && pg_auth+=":$(urlencode "$PG_PASSWORD")"
  # The vhost "/" must be spelled %2f: with a bare trailing "/" rabbitmq-c selects vhost "".
  cat <<EOF
export APPEALHUB_PG_URI='postgresql://$pg_auth@127.0.0.1:$PG_PORT/appealhub'
export APPEALHUB_TEST_PG_URI='postgresql://$pg_auth@127.0.0.1:$PG_PORT/appealhub_test'
export APPEALHUB_TEST_PG_ADMIN_URI='postgresql://postgres@127.0.0.1:$PG_PORT/postgres'
export APPEALHUB_AMQP_URI='amqp://appealhub:$(urlencode "$AMQP_PASSWORD")@127.0.0.1:$AMQP_PORT/%2f'
export APPEALHUB_AMQPS_URI='amqps://appealhub:$(urlencode "$AMQP_PASSWORD")@localhost:$AMQPS_PORT/%2f'
export APPEALHUB_TEST_CA_FILE='$TLS_DIR/ca.pem'
EOF
}

# Runs "<prefix>_<action>" for each service, in parallel; fails if any failed.
run_each() { # action service...
  local action=$1 rc=0 s
  shift
  if (($# == 1)); then
    "${1}_$action"
    return
  fi
  local -A pids=()
  for s in "$@"; do
    "${s}_$action" &
    pids[$s]=$!
  done
  for s in "$@"; do
    wait "${pids[$s]}" || rc=1
  done
  return $rc
}

# A RabbitMQ virtual host of its own for one test (user appealhub gets full rights), and its removal.
rmq_vhost_add() { # name
  rmq_ctl add_vhost "$1" >/dev/null 2>&1 || rmq_ctl list_vhosts --silent | grep -qx "$1"
  rmq_ctl set_permissions -p "$1" appealhub '.*' '.*' '.*'
}
rmq_vhost_delete() { # name
  rmq_ctl delete_vhost "$1" >/dev/null 2>&1 || true
}

usage() {
  echo "usage: $0 start|stop|restart|status [postgres|rabbitmq]" >&2
  echo "       $0 env" >&2
  echo "       $0 vhost-add|vhost-delete NAME   (RabbitMQ virtual hosts for tests)" >&2
  echo "       $0 export-definitions|import-definitions /ABS/FILE.json   (RabbitMQ definitions)" >&2
  echo "       $0 rabbitmqctl ARGS…   (rabbitmqctl against the local node)" >&2
  exit 2
}

main() {
  if [[ ${1:-} == rabbitmqctl ]]; then
    # rabbitmqctl against our node, with its environment (cookie, epmd port, node name).
    shift
    rmq_ctl "$@"
    return
  fi
  (($# >= 1 && $# <= 2)) || usage
  local cmd=$1 services
  case $cmd in
    vhost-add | vhost-delete)
      [[ $# == 2 && $2 =~ ^[A-Za-z0-9_.-]+$ ]] || usage
      rmq_running || die "rabbitmq is not running (scripts/services.sh start rabbitmq)"
      "rmq_${cmd//-/_}" "$2"
      return
      ;;
    export-definitions | import-definitions)
      # The broker's users, vhosts, queues and bindings as JSON (a backup; messages not included).
      [[ $# == 2 && $2 == /* ]] || die "$cmd needs an absolute file path"
      rmq_running || die "rabbitmq is not running (scripts/services.sh start rabbitmq)"
      rmq_ctl "${cmd%-definitions}_definitions" "$2"
      return
      ;;
  esac
  case ${2:-all} in
    all) services=(pg rmq) ;;
    postgres | postgresql | pg) services=(pg) ;;
    rabbitmq | rabbit | rmq) services=(rmq) ;;
    *) usage ;;
  esac
  if [[ $cmd == env ]]; then
    print_env
    return
  fi
  [[ $(id -u) == 0 ]] || die "must run as root (it runs PostgreSQL as the postgres user via runuser)"
  case $cmd in
    start) run_each start "${services[@]}" ;;
    stop) run_each stop "${services[@]}" ;;
    restart)
      run_each stop "${services[@]}"
      run_each start "${services[@]}"
      ;;
    status)
      # Sequential so the lines come out in a stable order; both are cheap.
      local rc=0 s
      for s in "${services[@]}"; do "${s}_status" || rc=1; done
      return $rc
      ;;
    *) usage ;;
  esac
}

main "$@"
