#!/usr/bin/env bash
# A scaling point on a real multi-process Flink cluster (deploy/local/cluster.sh): detect, as deployed (RocksDB,
# checkpoints every 10 s, exactly-once alerts), drains the same events with 1, 2 and 4 TaskManagers, at a parallelism
# of 2 per TaskManager (the production shape: more TaskManagers, more subtasks), without shadow detectors (as the
# bench runs it; they double the detection work). Prints events/s per configuration
# (the median of RUNS runs after an uncounted warm-up run on the same cluster; the job's duration as its JobManager
# reports it, submission to the last commit) and the ratio to one TaskManager, with the machine's cores and load, as a Markdown table.
#   mvn -B -q -DskipTests package
#   bench/cluster-scaling.sh [EVENTS]          # default 200,000 events, RUNS=2 runs each: about 10 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}
runs=${RUNS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/riskstream-scaling.XXXXXX")
rest_port=${FLINK_LOCAL_REST_PORT:-18081}
export FLINK_LOCAL_REST_PORT=$rest_port FLINK_LOCAL_RPC_PORT=${FLINK_LOCAL_RPC_PORT:-16123}
jobs_jar=jobs/target/riskstream.jar
for jar in "$jobs_jar" demo/target/riskstream-demo.jar cluster/target/riskstream-cluster.jar; do
  [ -f "$jar" ] || { echo "no $jar: build with mvn -B -q -DskipTests package" >&2; exit 1; }
done
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

java -jar demo/target/riskstream-demo.jar broker --partitions 8 --data-dir "$work/kafka" >"$work/broker.out" 2>"$work/broker.log" &
broker=$!
trap 'FLINK_LOCAL_HOME=$work/flink deploy/local/cluster.sh stop >/dev/null 2>&1 || true; kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q -- "--set kafka.bootstrap-servers" "$work/broker.out" && break; sleep 1; done
read -r -a connect <"$work/broker.out"
say "broker and registry up: ${connect[*]}"
java -jar "$jobs_jar" generate --out "$work/events" --events "$events" --seed 1 >/dev/null
java -jar "$jobs_jar" produce "$work/events" "${connect[@]}" >"$work/produce.log"
written=$(wc -l <"$work/events/payments.jsonl")
written=$((written + $(wc -l <"$work/events/bills.jsonl") + $(wc -l <"$work/events/balance-changes.jsonl")))
say "$written events in 8 partitions per topic"

# One drain of every event by detect on the running cluster; prints its duration in ms.
drain() {
  local name=$1 parallelism=$2 out id state ms
  out=$(deploy/local/cluster.sh submit detect --fresh "${connect[@]}" --set kafka.bounded=true \
    --set "job.parallelism=$parallelism" --set "kafka.group-id=$name" --set "job.transactional-id-prefix=$name" \
    --set "job.name=$name" --set kafka.starting-offsets=earliest --set rules.shadow=false 2>&1)
  id=$(grep -o 'job [0-9a-f]\{32\}' <<<"$out" | head -1 | cut -d' ' -f2)
  [ -n "$id" ] || { echo "submit failed: $out" >&2; exit 1; }
  state=""
  for _ in $(seq 1 900); do
    state=$(curl -s "http://localhost:$rest_port/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case "$state" in FINISHED|FAILED|CANCELED) break ;; esac
    sleep 1
  done
  [ "$state" = FINISHED ] || { echo "job $id ended $state (logs in $FLINK_LOCAL_HOME/log)" >&2; exit 1; }
  curl -s "http://localhost:$rest_port/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["duration"])'
}

declare -A rate all
for tms in 1 2 4; do
  rates=()
  export FLINK_LOCAL_HOME=$work/flink
  rm -rf "$FLINK_LOCAL_HOME"
  deploy/local/cluster.sh start "$tms" >/dev/null
  # A first drain warms the TaskManagers' JIT and class loading, and is not counted: a running cluster is warm.
  ms=$(drain "warm-up-$tms" $((2 * tms)))
  say "$tms TaskManager(s), parallelism $((2 * tms)), warm-up: $ms ms"
  for run in $(seq 1 "$runs"); do
    name=scaling-$tms-$run
    ms=$(drain "$name" $((2 * tms)))
    r=$((written * 1000 / ms))
    rates+=("$r")
    say "$tms TaskManager(s), parallelism $((2 * tms)), run $run: $ms ms, $r events/s"
  done
  deploy/local/cluster.sh stop >/dev/null
  rate[$tms]=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}')
  all[$tms]="${rates[*]}"
done

echo
echo "| TaskManagers | parallelism | events/s (median of $runs) | runs | ratio to 1 TaskManager |"
echo "|---:|---:|---:|---|---:|"
for tms in 1 2 4; do
  printf '| %d | %d | %s | %s | %s |\n' "$tms" $((2 * tms)) "${rate[$tms]}" "${all[$tms]// / · }" \
    "$(python3 -c "print(f'{${rate[$tms]}/${rate[1]}:.2f}')")"
done
echo
echo "$written events, detect from $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
