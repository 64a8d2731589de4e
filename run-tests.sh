#!/usr/bin/env bash
# Runs every test tier: unit (*Test), real PostgreSQL (*IT), real kube-apiserver + etcd (*E2E),
# on PostgreSQL 18; then a representative subset (the exactness suites) on PostgreSQL 15, 16 and 17.
# Needs Java 17, Maven, Go and npm; builds/caches the Kubernetes binaries on first use
# (under ${PGTRICKLE_CACHE:-~/.cache/pgtrickle}). Extra arguments go to the main Maven run,
# e.g. -Dpg.version=16. PGTRICKLE_OTHER_PG="" skips the other-version subset.
# Finally the whole run's output (every test's logs, CLI output, the E2E tests' statuses and events) is
# searched for the passwords the tests use (all start with pgt-secret-): a hit fails the run.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${PGTRICKLE_CACHE:-$HOME/.cache/pgtrickle}"
RUN_LOG="$(mktemp "${TMPDIR:-/tmp}/pgtrickle-test-run.XXXXXX")"
SUBSET='DifferentialCorrectnessIT,FrontierIT,ConcurrentRefreshersIT,StreamTableServiceIT,QueryCheckerIT,ChangeCaptureIT,FullRefreshIT,TemporaryPrivilegeIT,UnchangedFullRefreshIT,ExactnessClassesIT,GeneratedDifferentialIT,WritePatternsIT,GeneratedRegressionIT,ShrinkerIT'
{
  bash "$HERE/e2e/k8s/install.sh"
  cd "$HERE"
  mvn -B -ntp verify -Dk8s.dir="$CACHE/k8s" -Dk8s.bin="$CACHE/bin" "$@"
  for v in ${PGTRICKLE_OTHER_PG-15 16 17}; do
    echo "== PostgreSQL $v: $SUBSET"
    mvn -B -ntp test -pl operator -am -Dpg.version="$v" -Dtest="$SUBSET" -Dsurefire.failIfNoSpecifiedTests=false
    echo "== PostgreSQL $v: passed"
  done
} 2>&1 | tee "$RUN_LOG"
if grep -n 'pgt-secret-' "$RUN_LOG" | head -20; then
  echo "== FAILED: a test password (pgt-secret-…) appears in the run's output above (log: $RUN_LOG)"
  exit 1
fi
echo "== no test password in the run's output ($(wc -l < "$RUN_LOG") lines searched)"
rm -f "$RUN_LOG"
