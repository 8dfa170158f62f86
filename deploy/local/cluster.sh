#!/usr/bin/env bash
# A real standalone Flink session cluster on this machine: one JobManager and TaskManagers as separate JVM
# processes, started from Flink's own entry points on the Maven jars in target/flink/lib (Flink's distribution,
# with its bin/ scripts, is not on Maven Central). See README.md beside this file.
#
#   cluster.sh start [N]              JobManager and N TaskManagers (default 2); waits until all are registered
#   cluster.sh start-jobmanager       the JobManager alone (again, after it was stopped or killed)
#   cluster.sh start-taskmanager [I]  one more TaskManager (or TaskManager I again)
#   cluster.sh submit JOB [ARGS]      riskstream JOB (detect, sink, notify) submitted to the cluster; it resumes
#                                     from its latest retained checkpoint, like any riskstream job
#   cluster.sh flink ARGS             Flink's own CLI against the cluster: list, cancel, stop --savepointPath, ...
#   cluster.sh status                 the processes and what the JobManager says
#   cluster.sh stop                   every process, TaskManagers first; checkpoints stay
#
# Environment (not RISKSTREAM_*: riskstream refuses variables of its prefix it does not know): FLINK_LOCAL_HOME (conf, logs, pids, checkpoints, savepoints; default deploy/local/run),
# FLINK_LOCAL_REST_PORT (8081), FLINK_LOCAL_RPC_PORT (6123), JAVA_HOME.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LIB=$HERE/target/flink/lib
JAR=$REPO/cluster/target/riskstream-cluster.jar
HOME_DIR=${FLINK_LOCAL_HOME:-$HERE/run}
REST_PORT=${FLINK_LOCAL_REST_PORT:-8081}
RPC_PORT=${FLINK_LOCAL_RPC_PORT:-6123}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
# What Flink's distribution passes every process on Java 17 (its env.java.default-opts.all), one per line; the image's
# riskstream launcher reads the same file.
mapfile -t JDK_OPTS <"$REPO/deploy/image/jdk-opens"

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

prepare() {
  [ -d "$LIB" ] || die "no Flink class path in $LIB: build it first with mvn -B -q -DskipTests package"
  mkdir -p "$HOME_DIR"/{conf,log,pid,checkpoints,savepoints}
  HOME_DIR=$(cd "$HOME_DIR" && pwd) # absolute: it becomes file:// URIs
  sed -e "s/^rest.port: .*/rest.port: $REST_PORT/" -e "s/^jobmanager.rpc.port: .*/jobmanager.rpc.port: $RPC_PORT/" \
    "$HERE/conf/config.yaml" >"$HOME_DIR/conf/config.yaml"
  cp "$HERE/conf/log4j.properties" "$HOME_DIR/conf/log4j.properties"
}

pid_of() { cat "$HOME_DIR/pid/$1.pid" 2>/dev/null; }

alive() {
  local pid
  pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# One GET on the REST API, body only, with bash's own /dev/tcp (no curl needed); fails if nothing listens.
rest_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$REST_PORT" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}

registered_taskmanagers() {
  rest_get /overview 2>/dev/null | grep -o '"taskmanagers":[0-9]*' | cut -d: -f2
}

# launch NAME MAIN-CLASS RESOURCE-QUERY [ARGS]: the JVM's memory flags and the derived memory settings come from Flink's
# own BashJavaUtils, as the distribution's scripts get them.
launch() {
  local name=$1 main=$2 query=$3 params jvm dynamic
  shift 3
  alive "$name" && die "$name is already running (pid $(pid_of "$name"))"
  params=$("$JAVA" -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$query" \
    --configDir "$HOME_DIR/conf" 2>&1 | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://') ||
    die "Flink could not size the $name's memory from $HOME_DIR/conf/config.yaml"
  jvm=$(sed -n 1p <<<"$params")
  dynamic=$(sed -n 2p <<<"$params")
  # shellcheck disable=SC2086 # the flags are space-separated words by design
  # A JVM's fatal-error report goes beside its log, not into whatever directory started the cluster.
  nohup "$JAVA" $jvm "${JDK_OPTS[@]}" -XX:ErrorFile="$HOME_DIR/log/$name-hs_err-%p.log" -Dlog.file="$HOME_DIR/log/$name.log" \
    -Dlog4j.configurationFile="file:$HOME_DIR/conf/log4j.properties" -cp "$LIB/*" "$main" \
    --configDir "$HOME_DIR/conf" $dynamic "$@" >"$HOME_DIR/log/$name.out" 2>&1 </dev/null &
  echo $! >"$HOME_DIR/pid/$name.pid"
}

await() { # await SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq "$((seconds * 2))"); do
    "$@" && return 0
    sleep 0.5
  done
  die "$what not after ${seconds} s; see $HOME_DIR/log/"
}

rest_up() { rest_get /overview >/dev/null 2>&1; }

start_jobmanager() {
  prepare
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS
  await 60 "JobManager's REST API at http://localhost:$REST_PORT" rest_up
}

start_taskmanager() {
  prepare
  local i=${1:-}
  if [ -z "$i" ]; then
    i=1
    while alive "taskmanager-$i"; do i=$((i + 1)); done
  fi
  # Named as its pid file, so that the web UI and the REST API say which process runs what.
  launch "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS \
    -D "taskmanager.resource-id=taskmanager-$i"
  echo "taskmanager-$i started (pid $(pid_of "taskmanager-$i"))"
}

running_taskmanagers() {
  local n=0 f
  for f in "$HOME_DIR"/pid/taskmanager-*.pid; do
    [ -e "$f" ] && alive "$(basename "$f" .pid)" && n=$((n + 1))
  done
  echo "$n"
}

all_registered() { [ "$(registered_taskmanagers)" = "$(running_taskmanagers)" ]; }

start() {
  local n=${1:-2} i
  prepare
  alive jobmanager || start_jobmanager
  for i in $(seq "$n"); do
    alive "taskmanager-$i" || start_taskmanager "$i" >/dev/null
  done
  await 60 "$n TaskManagers registered" all_registered
  echo "Flink cluster up: web UI http://localhost:$REST_PORT, $(running_taskmanagers) TaskManagers," \
    "logs in $HOME_DIR/log, checkpoints in $HOME_DIR/checkpoints"
}

stop_process() {
  local name=$1 pid
  pid=$(pid_of "$name") || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) did not stop within 30 s: killed" >&2
      kill -9 "$pid"
    fi
  fi
  rm -f "$HOME_DIR/pid/$name.pid"
}

stop() {
  local f
  for f in "$HOME_DIR"/pid/taskmanager-*.pid "$HOME_DIR"/pid/jobmanager.pid; do
    [ -e "$f" ] && stop_process "$(basename "$f" .pid)"
  done
  echo "Flink cluster stopped; checkpoints stay in $HOME_DIR/checkpoints"
}

status() {
  local f name
  for f in "$HOME_DIR"/pid/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: not running"; fi
  done
  if rest_up; then
    echo "JobManager: $(rest_get /overview)"
  else
    echo "JobManager: no REST API at http://localhost:$REST_PORT"
  fi
}

submit() {
  [ $# -ge 1 ] || die "submit needs a job: detect, sink or notify"
  [ -f "$JAR" ] || die "no $JAR: build it first with mvn -B -q -DskipTests package"
  rest_up || die "no cluster at http://localhost:$REST_PORT: start it with cluster.sh start"
  prepare
  local job=$1
  shift
  # Checkpoints where every process of this machine can read them, unless the environment says otherwise.
  export RISKSTREAM_CHECKPOINTS_DIR=${RISKSTREAM_CHECKPOINTS_DIR:-file://$HOME_DIR/checkpoints}
  exec "$JAVA" "${JDK_OPTS[@]}" -cp "$LIB/*:$JAR" io.riskstream.cli.Riskstream "$job" \
    --set flink.execution.target=remote --set flink.rest.address=localhost --set "flink.rest.port=$REST_PORT" \
    --set "flink.pipeline.jars=file://$JAR" "$@"
}

flink_cli() {
  prepare
  FLINK_CONF_DIR=$HOME_DIR/conf exec "$JAVA" "${JDK_OPTS[@]}" \
    -Dlog4j.configurationFile="file:$HOME_DIR/conf/log4j.properties" -Dlog.file="$HOME_DIR/log/client.log" \
    -cp "$LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start) start "$@" ;;
  start-jobmanager) start_jobmanager ;;
  start-taskmanager) start_taskmanager "$@" ;;
  submit) submit "$@" ;;
  flink) flink_cli "$@" ;;
  status) status ;;
  stop) stop ;;
  *) sed -n '5,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
