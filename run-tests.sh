#!/usr/bin/env bash
# Runs every test tier: unit (*Test), real PostgreSQL (*IT), real kube-apiserver + etcd (*E2E).
# Needs Java 17, Maven, Go and npm; builds/caches the Kubernetes binaries on first use
# (under ${PGTRICKLE_CACHE:-~/.cache/pgtrickle}). Extra arguments go to Maven, e.g. -Dpg.version=16.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${PGTRICKLE_CACHE:-$HOME/.cache/pgtrickle}"
bash "$HERE/e2e/k8s/install.sh"
cd "$HERE"
exec mvn -B -ntp verify -Dk8s.dir="$CACHE/k8s" -Dk8s.bin="$CACHE/bin" "$@"
