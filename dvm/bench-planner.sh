#!/usr/bin/env bash
# JMH benchmark of planning + delta generation per query (io.pgtrickle.dvm.bench.PlannerBenchmark).
# Builds dvm's test classes, then runs org.openjdk.jmh.Main on the test class path. Defaults (in
# the class's annotations) suit a small shared machine, about 3 minutes for all 11 queries:
# 1 fork per query, 5 x 2 s warm-up (Calcite's planner needs ~10 s of JIT before per-op times
# settle), 5 x 1 s measurement, average time in ms. Arguments go to JMH and override them, e.g.
#   dvm/bench-planner.sh -p scenario=join,cte -f 2 -i 10 -rf json -rff /tmp/planner.json
#   dvm/bench-planner.sh -h                 # JMH's options
# PGTRICKLE_BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
CP_FILE="$HERE/target/bench-classpath.txt"
if [[ "${PGTRICKLE_BENCH_SKIP_BUILD:-}" != 1 || ! -f "$CP_FILE" ]]; then
  mvn -B -q -ntp -pl dvm test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
fi
CP="$HERE/target/test-classes:$HERE/target/classes:$(cat "$CP_FILE")"
# The forked benchmark JVM inherits these options.
exec java -Xms256m -Xmx1g -cp "$CP" org.openjdk.jmh.Main "${@:-PlannerBenchmark}"
