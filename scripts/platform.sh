#!/usr/bin/env bash
# The embedded local platform that the end-to-end tests and the demo run against.
#
#   npm run platform -- up       build (once) and start everything; idempotent
#   npm run platform -- down     stop everything this script started
#   npm run platform -- status   report each piece (exit 0 only if all are up)
#   npm run platform -- verify   end-to-end checks (docker build, registry, scheduling, Job)
#   npm run platform -- env      print `export ...` lines (DOCKER_HOST, KUBECONFIG, ...)
#   npm run platform -- build    only build the Go binaries (etcd, kube, kwok)
#   npm run platform -- nodes    print platform/nodes.yaml as a v1 List of Nodes (JSON)
#   npm run platform -- kueue [up|down]  build (once) and start Kueue on the running
#                                platform (then every `up` restarts it until `down`);
#                                `kueue down` stops it and removes its webhooks
#
# Pieces (all on 127.0.0.1 / a unix socket): dockerd (Debian docker.io, BuildKit
# via the API), registry 127.0.0.1:30000 (Debian docker-registry), local base
# images (debootstrap, see scripts/platform/images.sh), etcd, kube-apiserver
# :6443, kube-controller-manager, kube-scheduler, kwok, the fake accelerator
# nodes of platform/nodes.yaml, and one real worker node that runs containers
# (kubelet + containerd + CNI bridge, scripts/platform/worker.sh).
#
# State, logs and binaries live in ${PULUMI_FLYTE_CACHE:-$HOME/.cache/pulumi-flyte}/platform.
# `down` keeps binaries, certificates, Docker images and the registry, and
# wipes the cluster's etcd data (each `up` after a `down` starts an empty
# cluster); `down --purge` also removes Docker data, registry and certificates.
#
# Partial platforms: PULUMI_FLYTE_PLATFORM="docker registry images kube worker"
# (default: all) selects what `up` starts, e.g. "kube" for scheduling tests only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=platform/lib.sh
source "$HERE/platform/lib.sh"
# shellcheck source=platform/build.sh
source "$HERE/platform/build.sh"
# shellcheck source=platform/pki.sh
source "$HERE/platform/pki.sh"
# shellcheck source=platform/docker.sh
source "$HERE/platform/docker.sh"
# shellcheck source=platform/images.sh
source "$HERE/platform/images.sh"
# shellcheck source=platform/kube.sh
source "$HERE/platform/kube.sh"
# shellcheck source=platform/worker.sh
source "$HERE/platform/worker.sh"
# shellcheck source=platform/kueue.sh
source "$HERE/platform/kueue.sh"

PF_PIECES="${PULUMI_FLYTE_PLATFORM:-docker registry images kube worker}"
_want() { [[ " $PF_PIECES " == *" $1 "* ]]; }

_lock() {
  mkdir -p "$PF_STATE" "$PF_RUN" "$PF_LOGS"
  exec 9> "$PF_STATE/.lock"
  if ! flock -w 900 9; then pf_die "another platform.sh holds $PF_STATE/.lock"; fi
}

cmd_env() {
  cat <<EOF
export DOCKER_HOST=$PF_DOCKER_HOST
export KUBECONFIG=$PF_KUBECONFIG
export PULUMI_FLYTE_BASE_IMAGES=$PF_BASE_IMAGES
export PULUMI_FLYTE_REGISTRY=$PF_REGISTRY
export SSL_CERT_DIR=$PF_TRUST_DIR:/etc/ssl/certs
export PATH=$PF_KUBE_BIN:\$PATH
EOF
}

cmd_up() {
  _lock
  local t0; t0="$(pf_now)"
  if _want kube; then
    pf_build etcd kube nodes kwok
    _want worker && pf_build kubelet worker
    pf_pki
    pf_worker_pki
  fi
  local docker_restart=""
  if _want registry || _want images; then
    # the registry's CA where its clients look for it, before dockerd starts (its BuildKit
    # reads /etc/docker/certs.d then); a running dockerd restarts when that changed
    pf_registry_pki
    if pf_registry_trust; then docker_restart=restart; fi
  fi
  if _want docker || _want registry || _want images; then pf_docker_up $docker_restart; fi
  if _want registry || _want images; then pf_registry_up; fi
  if _want images; then pf_images_up; fi
  if _want kube; then pf_kube_up; fi
  if _want worker && _want kube; then pf_worker_up; fi
  # Kueue is not part of a default platform: restarted here only if it was started before
  if _want kube && pf_kueue_enabled; then pf_kueue_up; fi
  cmd_env > "$PF_ENV_FILE"
  pf_log "platform up in $(pf_since "$t0")s"
  echo "kubeconfig:  $PF_KUBECONFIG"
  echo "base images: $PF_BASE_IMAGES"
  echo "registry:    $PF_REGISTRY"
  echo "docker:      $PF_DOCKER_HOST"
  echo "env:         source $PF_ENV_FILE"
}

cmd_down() {
  _lock
  local purge=0; [ "${1:-}" = "--purge" ] && purge=1
  local t0; t0="$(pf_now)"
  pf_worker_down
  pf_kueue_down
  rm -f "$PF_KUEUE_ENABLED" # the cluster is wiped: Kueue's objects go with it
  pf_kube_down
  pf_registry_down
  pf_docker_down
  [ "$purge" = 1 ] && pf_registry_trust_down
  rm -rf "$PF_STATE/etcd"
  if [ "$purge" = 1 ]; then
    rm -rf "$PF_STATE/docker" "$PF_STATE/registry" "$PF_STATE/images" "$PF_PKI" "$PF_WORKER_DIR" \
      "$PF_KUBECONFIG" "$PF_BASE_IMAGES" "$PF_STATE/apiserver" "$PF_STATE/registry.yml"
  fi
  rm -f "$PF_ENV_FILE"
  # no stale pid files
  rm -f "$PF_RUN"/*.pid
  pf_log "platform down in $(pf_since "$t0")s$([ "$purge" = 1 ] && echo ' (purged state; binaries kept)')"
}

_status_line() { # name ok-cmd detail
  local name="$1" check="$2" detail="$3" pid="-" state
  if pid="$(pf_pid "$name")"; then :; else pid="-"; fi
  if $check >/dev/null 2>&1; then
    if [ "$pid" = "-" ]; then state="up (external)"; else state="up"; fi
  elif [ "$pid" != "-" ]; then state="STARTED, NOT HEALTHY"
  else state="down"; fi
  printf '%-24s %-22s pid %-8s %s\n' "$name" "$state" "$pid" "$detail"
  [[ "$state" == up* ]]
}

cmd_status() {
  local ok=0
  printf 'state dir: %s\n' "$PF_STATE"
  _status_line dockerd pf_docker_ok "$PF_DOCKER_HOST" || ok=1
  _status_line registry pf_registry_ok "https://$PF_REGISTRY (CA $PF_PKI/ca.crt)" || ok=1
  _status_line etcd pf_etcd_ok "http://$PF_HOST:$PF_ETCD_PORT  etcd $PF_ETCD_VERSION" || ok=1
  _status_line kube-apiserver pf_apiserver_ok "https://$PF_HOST:$PF_APISERVER_PORT  kubernetes $PF_KUBE_VERSION" || ok=1
  _status_line kube-controller-manager pf_cm_ok "https://$PF_HOST:$PF_CM_PORT/healthz" || ok=1
  _status_line kube-scheduler pf_scheduler_ok "https://$PF_HOST:$PF_SCHEDULER_PORT/healthz" || ok=1
  _status_line kwok pf_kwok_ok "http://$PF_HOST:$PF_KWOK_PORT  kwok $PF_KWOK_VERSION" || ok=1
  if pf_kueue_enabled; then
    _status_line kueue pf_kueue_ok "https://$PF_HOST:$PF_KUEUE_WEBHOOK_PORT  kueue $PF_KUEUE_VERSION" || ok=1
  else
    printf '%-24s %s\n' kueue "not started (npm run platform -- kueue)"
  fi
  if _want worker; then
    _status_line containerd pf_containerd_ok "unix://$PF_CONTAINERD_SOCK  $(containerd --version 2>/dev/null | awk '{print $3}')" || ok=1
    _status_line kubelet pf_kubelet_ok "https://$PF_WORKER_NODE_IP:$PF_KUBELET_PORT  node $PF_WORKER_NAME, kubernetes $PF_KUBE_VERSION" || ok=1
  fi
  if pf_apiserver_ok && [ -x "$PF_KUBECTL" ]; then
    local total ready
    total="$(pf_kubectl get nodes --no-headers 2>/dev/null | wc -l)"
    ready="$(pf_kubectl get nodes --no-headers 2>/dev/null | awk '$2=="Ready"' | wc -l)"
    printf '%-24s %s/%s Ready (platform/nodes.yaml + worker)\n' nodes "$ready" "$total"
    [ "$total" -gt 0 ] && [ "$ready" = "$total" ] || ok=1
  fi
  if [ -s "$PF_BASE_IMAGES" ] && pf_registry_ok; then
    local imgs
    imgs="$(tr -d '\n ' < "$PF_BASE_IMAGES" | tr -d '{}' | tr ',' ' ')"
    printf '%-24s %s\n' "base images" "$imgs"
  else
    printf '%-24s %s\n' "base images" "not available"
  fi
  printf 'kubeconfig:  %s\n' "$PF_KUBECONFIG"
  printf 'base images: %s\n' "$PF_BASE_IMAGES"
  printf 'logs:        %s\n' "$PF_LOGS"
  if [ -s "$PF_STATE/build-times.tsv" ]; then
    echo "build times (first builds on this machine):"
    sed 's/^/  /' "$PF_STATE/build-times.tsv"
  fi
  return $ok
}

cmd_kueue() {
  _lock
  case "${1:-up}" in
    up)
      pf_apiserver_ok || pf_die "the platform's API server is not up: npm run platform -- up"
      pf_kueue_up ;;
    down) pf_kueue_down --uninstall ;;
    *) pf_die "usage: platform.sh kueue [up|down]" ;;
  esac
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) shift; cmd_status "$@" ;;
  env) cmd_env ;;
  build) shift; _lock; pf_build "$@" ;;
  kueue) shift; cmd_kueue "$@" ;;
  verify) shift; exec bash "$HERE/platform/verify.sh" "$@" ;;
  nodes) pf_build nodes >&2; "$(pf_nodes_bin_dir)/platform-nodes" render -f "$PF_REPO/platform/nodes.yaml" ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac
