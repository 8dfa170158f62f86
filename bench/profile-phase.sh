#!/usr/bin/env bash
# Profiles one phase of the bench's first measured run with async-profiler (CPU, every thread, native frames
# included), by attaching to that phase's JVM when the phase before it ends and detaching when the phase itself
# ends: a profile of the whole run would take in the warm-up, and the latency runs in riskstream's JVM.
#
#   bench/profile-phase.sh OUT PHASE [bench options...]
#   bench/profile-phase.sh /tmp/rocksdb riskstream --events 1000000      # then: /tmp/rocksdb.collapsed
#
# PHASE is a name the harness prints ("riskstream", "riskstream-heap", "skeleton", "floor", "floor-heap",
# "peer"). The output is async-profiler's collapsed stacks, one line per stack with its sample count, the
# thread first ("[OrderMatcher (by order) (1/2)#0 tid=…]"). The library comes from async-profiler's jar,
# which Flink's runtime depends on, so it is in the local Maven repository after a build.
set -euo pipefail
out=$1 phase=$2
shift 2
jar=$(find ~/.m2/repository/tools/profiler/async-profiler -name 'async-profiler-*.jar' | sort | tail -1)
lib=$(mktemp -d)
unzip -q -o "$jar" 'linux-x64/libasyncProfiler.so' -d "$lib"
lib=$lib/linux-x64/libasyncProfiler.so
phases=(limit riskstream riskstream-heap skeleton floor floor-heap peer)
before=
for p in "${phases[@]}"; do
  if [[ $p == "$phase" ]]; then break; fi
  before=$p
done
if [[ -z $before ]]; then
  echo "PHASE must be one of: ${phases[*]:1}" >&2
  exit 2
fi
log=$out.log
java -jar bench/target/riskstream-bench.jar --runs 1 --no-micro \
  --latency-seconds 5 --out "$out.md" "$@" > "$log" 2>&1 &
pid=$!
wait_for() { until grep -q "^\[run 1/1\] $1:" "$log"; do kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }; sleep 0.5; done; }
echo "warming up; the profile starts after the first run's $before phase (log: $log)"
wait_for "$before"
jvm=$(pgrep -f "io.riskstream.bench.PhaseWorker $phase [0-9]+\$")
# jcmd reads an argument with '=' as its own option unless it is quoted once more.
jcmd $jvm JVMTI.agent_load "$lib" "\"start,event=cpu,interval=1ms,threads\"" > /dev/null
echo "profiling $phase"
wait_for "$phase"
jcmd $jvm JVMTI.agent_load "$lib" "\"stop,file=$out.collapsed,collapsed\"" > /dev/null
grep "^\[run 1/1\] $phase:" "$log"
children=$(pgrep -P $pid || true) # the broker's and the phases' JVMs, which the harness stops only when it ends by itself
kill $pid $children
wait $pid 2>/dev/null || true
echo "wrote $out.collapsed"
