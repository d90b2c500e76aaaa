#!/usr/bin/env bash
# Build the platform's Go binaries (once per machine, cached by version):
#   $PF_BIN/etcd-<v>/etcd
#   $PF_BIN/kube-<v>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
#   $PF_BIN/kwok-<v>/kwok  (+ stages/*.yaml taken from the kwok module)
#   $PF_BIN/platform-nodes-<hash>/platform-nodes  (our helper, tools/kube/cmd)
#   $PF_BIN/kubelet-<v>/kubelet  (the worker node; same module and version as kube)
#   $PF_BIN/worker-tools-<hash>/{pause,platform-cri}  (pod sandbox binary, CRI helper)
#   $PF_BIN/kueue-<v>-<hash>/{kueue,kueue-manifests,manifests/}  (only when asked for:
#                                not a default target, see kueue.sh)
# One `go build` per module so packages compile once; -trimpath -s -w keeps
# the outputs small. Usage: scripts/platform/build.sh [etcd|kube|kwok|nodes|kubelet|worker|kueue]...
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=kueue.sh
source "$(dirname "${BASH_SOURCE[0]}")/kueue.sh"

GOFLAGS_BUILD=(-trimpath)
LDFLAGS_BASE="-s -w"

# Writes into a temp dir next to the final one, then renames: a killed build
# never leaves a half-filled cache directory behind.
pf_build_into() {
  local final="$1"; shift
  local tmp="$final.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if "$@" "$tmp"; then
    rm -rf "$final"; mv "$tmp" "$final"
  else
    rm -rf "$tmp"; return 1
  fi
}

_build_etcd() {
  (cd "$PF_REPO/tools/etcd" && go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" \
    -o "$1/etcd" go.etcd.io/etcd/server/v3)
}

_build_kube() {
  (cd "$PF_REPO/tools/kube" && go build "${GOFLAGS_BUILD[@]}" -ldflags "$(_kube_ldflags)" -o "$1/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl)
}

_kube_ldflags() {
  local v="$PF_KUBE_VERSION" minor ld="$LDFLAGS_BASE" p
  minor="${v#v1.}"; minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  echo "$ld"
}

# A separate target from kube (whose binaries may already be cached): built after
# it, most packages come from Go's build cache.
_build_kubelet() {
  (cd "$PF_REPO/tools/kube" && go build "${GOFLAGS_BUILD[@]}" -ldflags "$(_kube_ldflags)" -o "$1/" \
    k8s.io/kubernetes/cmd/kubelet)
}

# pause runs as the sandbox of every pod, inside a FROM-scratch image: static.
_build_worker() {
  (cd "$PF_REPO/tools/kube" && CGO_ENABLED=0 go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" -o "$1/pause" ./cmd/pod-pause \
    && go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" -o "$1/platform-cri" ./cmd/platform-cri)
}

pf_worker_bin_dir() {
  local h
  h="$(cd "$PF_REPO/tools/kube" && cat go.sum cmd/pod-pause/*.go cmd/platform-cri/*.go | sha256sum | cut -c1-12)"
  echo "$PF_BIN/worker-tools-$h"
}

_build_kwok() {
  (cd "$PF_REPO/tools/kwok" && go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" \
    -o "$1/kwok" sigs.k8s.io/kwok/cmd/kwok)
  # kwok's controller needs Stage definitions: use the module's own default
  # "fast" node/pod stages (what kwokctl configures), read from the module cache.
  local src
  src="$(cd "$PF_REPO/tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$1/stages"
  cp "$src/kustomize/stage/node/fast/node-initialize.yaml" \
     "$src/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
     "$src/kustomize/stage/pod/fast/pod-ready.yaml" \
     "$src/kustomize/stage/pod/fast/pod-complete.yaml" \
     "$src/kustomize/stage/pod/fast/pod-delete.yaml" "$1/stages/"
  chmod 644 "$1"/stages/*.yaml
}

_build_nodes() {
  (cd "$PF_REPO/tools/kube" && go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" \
    -o "$1/platform-nodes" ./cmd/platform-nodes)
}

pf_nodes_bin_dir() {
  local h
  h="$(cd "$PF_REPO/tools/kube" && cat go.sum cmd/platform-nodes/*.go | sha256sum | cut -c1-12)"
  echo "$PF_BIN/platform-nodes-$h"
}

pf_build_one() {
  local what="$1" dir check
  case "$what" in
    etcd)  dir="$PF_ETCD_BIN";  check="$dir/etcd" ;;
    kube)  dir="$PF_KUBE_BIN";  check="$dir/kubectl" ;;
    kwok)  dir="$PF_KWOK_BIN";  check="$dir/kwok" ;;
    nodes) dir="$(pf_nodes_bin_dir)"; check="$dir/platform-nodes" ;;
    kubelet) dir="$PF_BIN/kubelet-$PF_KUBE_VERSION"; check="$dir/kubelet" ;;
    worker) dir="$(pf_worker_bin_dir)"; check="$dir/platform-cri" ;;
    kueue) dir="$(pf_kueue_bin_dir)"; check="$dir/kueue-manifests" ;;
    *) pf_die "unknown build target $what" ;;
  esac
  if [ -x "$check" ]; then
    return 0
  fi
  pf_log "building $what into $dir (cold builds take minutes on 2 cores) ..."
  local t0; t0="$(pf_now)"
  _pf_child_cpu; local cpu0="$_pf_cpu"
  pf_build_into "$dir" "_build_$what" || pf_die "build of $what failed"
  local secs; secs="$(pf_since "$t0")"
  _pf_child_cpu; local cpu; cpu="$(awk -v a="$cpu0" -v b="$_pf_cpu" 'BEGIN{printf "%.1f", b-a}')"
  pf_log "built $what in ${secs}s (cpu ${cpu}s)"
  mkdir -p "$PF_STATE"
  printf '%s\t%s\t%s\t%ss\tcpu=%ss\n' "$(date -u +%FT%TZ)" "$what" "$(basename "$dir")" "$secs" "$cpu" >> "$PF_STATE/build-times.tsv"
}

# CPU seconds (user + system) of this shell's finished children, in $_pf_cpu: the
# second line of `times`, run in this shell (a subshell would see none of them).
_pf_child_cpu() {
  mkdir -p "$PF_STATE"
  local f="$PF_STATE/.times.$$"
  times > "$f"
  _pf_cpu="$(awk 'NR==2 { n = split($0, x, /[ ms]+/); t = 0; for (i = 1; i + 1 <= n; i += 2) if (x[i] != "") t += x[i] * 60 + x[i + 1]; printf "%.1f", t }' "$f")"
  rm -f "$f"
}

pf_build() {
  local targets=("$@") x
  [ ${#targets[@]} -gt 0 ] || targets=(etcd kube nodes kwok kubelet worker)
  for x in "${targets[@]}"; do pf_build_one "$x"; done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  pf_build "$@"
fi
