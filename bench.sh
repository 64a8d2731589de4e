#!/usr/bin/env bash
# Runs the standard workload benchmark (shared/bench/WORKLOAD.md) on an embedded PostgreSQL and
# writes e2e/target/bench/results.json (BENCH_MAIN=InstallCheckBench runs the apply-check bench instead).
# Options are Java system properties, e.g.
#   ./bench.sh -Dpg.version=17 -Dbench.sizes=10000,100000 -Dbench.pcts=1,10,50 -Dbench.large=1000000 -Dbench.reps=5
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
PG_ARGS=()
for a in "$@"; do [[ $a == -Dpg.version=* ]] && PG_ARGS+=("$a"); done
mvn -B -q -ntp -DskipTests "${PG_ARGS[@]}" install -pl e2e -am >&2
# An absolute path: a relative one would be resolved against the e2e module's directory.
mvn -B -q -ntp "${PG_ARGS[@]}" -pl e2e dependency:build-classpath -Dmdep.outputFile="$HERE/e2e/target/bench.classpath" -Dmdep.includeScope=runtime >&2
CP="$(cat e2e/target/bench.classpath)"
exec java -Xmx4g "$@" -cp "e2e/target/classes:$CP" "io.pgtrickle.e2e.bench.${BENCH_MAIN:-WorkloadBench}"
