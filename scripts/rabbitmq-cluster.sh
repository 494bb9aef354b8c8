#!/usr/bin/env bash
# A three-node RabbitMQ 3.10 cluster on this machine, for the test that runs the hub's parts as
# separate processes against it (tests/integration/cluster_pgrmqtest.cpp) and for trying the
# failover by hand. Each node is started by scripts/services.sh with a node name, folder and ports
# of its own (appealhub-N@localhost under var/cluster/rabbit-N/); nodes 2 and 3 join node 1 with
# `rabbitmqctl join_cluster`. Users, password and TLS files are those of scripts/services.sh.
#
#   scripts/rabbitmq-cluster.sh start        # a fresh cluster (earlier nodes stopped, data removed)
#   scripts/rabbitmq-cluster.sh stop|status|env
#   scripts/rabbitmq-cluster.sh kill-node N  # SIGKILL node N (1..3)
#   scripts/rabbitmq-cluster.sh start-node N # start node N again: it rejoins with its data
#
# Ports (APPEALHUB_CLUSTER_PORT, default 61730 = B): node N's AMQP on B+N-1, Erlang distribution
# on B+N+2, AMQPS on B+N+5; the nodes' own epmd on B+9. The default lies above the kernel's
# ephemeral range (32768-60999 by default): a node killed in a test leaves its port free, and a
# client's outgoing connection (one to that very port included: a TCP self-connect) could take it
# and keep the node from starting again. Must run as root, like services.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${APPEALHUB_VAR:-$ROOT/var}
[[ $VAR == /* ]] || VAR=$PWD/$VAR
BASE=${APPEALHUB_CLUSTER_PORT:-61730}
DIR=$VAR/cluster
NODES=(1 2 3)

die() { echo "rabbitmq-cluster: $*" >&2; exit 1; }
log() { echo "rabbitmq-cluster: $*"; }

node_name() { echo "appealhub-$1@localhost"; }

# scripts/services.sh for node $1, with the remaining arguments.
on_node() {
  local n=$1
  shift
  [[ $n =~ ^[123]$ ]] || die "no node '$n' (1, 2 or 3)"
  APPEALHUB_VAR=$VAR APPEALHUB_RMQ_NODE=$(node_name "$n") APPEALHUB_RMQ_DIR=$DIR/rabbit-$n \
    APPEALHUB_AMQP_PORT=$((BASE + n - 1)) RABBITMQ_DIST_PORT=$((BASE + n + 2)) \
    APPEALHUB_AMQPS_PORT=$((BASE + n + 5)) APPEALHUB_EPMD_PORT=$((BASE + 9)) \
    "$ROOT/scripts/services.sh" "$@"
}

# The three nodes share one Erlang cookie, put into each node's HOME before its first start.
share_cookie() {
  local n home
  mkdir -p "$DIR"
  if [[ ! -s $DIR/erlang.cookie ]]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/erlang.cookie")
  fi
  for n in "${NODES[@]}"; do
    home=$DIR/rabbit-$n/home
    mkdir -p "$home"
    rm -f "$home/.erlang.cookie"
    cp "$DIR/erlang.cookie" "$home/.erlang.cookie"
    chmod 400 "$home/.erlang.cookie"
  done
}

# Runs the command up to three times: a node's port can be held for a moment by a client's
# outgoing connection when it lies in the kernel's ephemeral range (see the ports above).
again() {
  local i
  for i in 1 2 3; do
    "$@" && return 0
    ((i < 3)) && { log "retrying in 2 s: $*"; sleep 2; }
  done
  return 1
}

start() {
  local n rc=0
  stop >/dev/null  # what an earlier run left running (a test killed at its timeout)
  rm -rf "$DIR"/rabbit-*
  share_cookie
  local -a pids=()
  for n in "${NODES[@]}"; do
    again on_node "$n" start rabbitmq >"$DIR/start-$n.log" 2>&1 &
    pids+=($!)
  done
  for n in "${!pids[@]}"; do wait "${pids[$n]}" || rc=1; done
  ((rc == 0)) || { cat "$DIR"/start-*.log >&2; stop; die "a node did not start"; }
  for n in 2 3; do
    if ! { on_node "$n" rabbitmqctl stop_app >/dev/null &&
      on_node "$n" rabbitmqctl join_cluster "$(node_name 1)" >/dev/null &&
      again on_node "$n" rabbitmqctl start_app >/dev/null; }; then
      stop
      die "node $n did not join"
    fi
  done
  on_node 1 rabbitmqctl await_online_nodes 3 --timeout 60 >/dev/null || { stop; die "not all nodes online"; }
  log "up: $(members)"
}

# The running nodes, as the first node that answers sees them.
members() {
  local n
  for n in "${NODES[@]}"; do
    on_node "$n" rabbitmqctl eval 'lists:sort(rabbit_nodes:all_running()).' 2>/dev/null && return
  done
  echo "no node answers"
  return 1
}

stop() {
  local n
  local -a pids=()
  for n in "${NODES[@]}"; do
    [[ -d $DIR/rabbit-$n ]] || continue
    on_node "$n" stop rabbitmq >/dev/null &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || true; done
  env ERL_EPMD_PORT=$((BASE + 9)) epmd -kill >/dev/null 2>&1 || true
  log "stopped"
}

kill_node() {
  local pid_file=$DIR/rabbit-$1/rabbitmq.pid pid
  [[ -s $pid_file ]] || die "node $1 is not running"
  pid=$(cat "$pid_file")
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pid_file"
  log "node $1 ($(node_name "$1"), pid $pid) killed"
}

print_env() {
  local uri
  uri=$("$ROOT/scripts/services.sh" env | sed -n "s/^export APPEALHUB_AMQP_URI='\(.*\)'$/\1/p")
  echo "export APPEALHUB_CLUSTER_AMQP_URI='${uri%@*}@127.0.0.1:$BASE/%2f'"
  echo "export APPEALHUB_CLUSTER_AMQP_HOSTS='127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))'"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) members ;;
  env) print_env ;;
  kill-node) kill_node "${2:?node number}" ;;
  start-node) again on_node "${2:?node number}" start rabbitmq ;;
  *)
    echo "usage: $0 start|stop|status|env|kill-node N|start-node N" >&2
    exit 2
    ;;
esac
