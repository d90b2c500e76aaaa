# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Common settings and helpers for scripts/platform.sh (sourced, not run).
#
# Everything the platform starts listens on 127.0.0.1 only, and everything it
# writes lives under $PF_STATE (outside the repository).

PF_REPO="${PF_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PF_CACHE="${PULUMI_FLYTE_CACHE:-${HOME:-/root}/.cache/pulumi-flyte}"
PF_STATE="$PF_CACHE/platform"
PF_BIN="$PF_STATE/bin"
PF_RUN="$PF_STATE/run"      # pid files
PF_LOGS="$PF_STATE/logs"
PF_PKI="$PF_STATE/pki"
PF_KUBECONFIG="$PF_STATE/kubeconfig"
PF_BASE_IMAGES="$PF_STATE/base-images.json"
PF_ENV_FILE="$PF_STATE/env.sh"

# Ports (all on 127.0.0.1).
PF_HOST=127.0.0.1
PF_REGISTRY_PORT=30000        # Flyte's default local registry port
PF_REGISTRY="$PF_HOST:$PF_REGISTRY_PORT"
# A second registry address every client trusts too, for a registry a test starts of
# its own (tests/e2e/faults.test.ts): dockerd's BuildKit learns registry addresses
# with their own CA only when it starts, so they are fixed here.
PF_SPARE_REGISTRY_PORT=30001
PF_REGISTRY_HOSTS="$PF_REGISTRY localhost:$PF_REGISTRY_PORT $PF_HOST:$PF_SPARE_REGISTRY_PORT localhost:$PF_SPARE_REGISTRY_PORT"
# The platform CA for the registry's clients (see pki.sh)
PF_TRUST_DIR="$PF_STATE/trust"
PF_DOCKER_CERTS_DIR="${PULUMI_FLYTE_DOCKER_CERTS_DIR:-/etc/docker/certs.d}"
PF_ETCD_PORT=12379
PF_ETCD_PEER_PORT=12380
PF_APISERVER_PORT=6443
PF_CM_PORT=10257
PF_SCHEDULER_PORT=10259
PF_KWOK_PORT=10247

# Docker: our own daemon on the standard unix socket (no TCP listener).
PF_DOCKER_SOCK="${PULUMI_FLYTE_DOCKER_SOCK:-/var/run/docker.sock}"
PF_DOCKER_HOST="unix://$PF_DOCKER_SOCK"

export GOTOOLCHAIN=local

pf_log() { printf '[platform] %s\n' "$*" >&2; }
pf_die() { printf '[platform] ERROR: %s\n' "$*" >&2; exit 1; }
pf_now() { date +%s.%N; }
pf_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }

# Version of a module required by one of our Go modules, e.g.
#   pf_gomod_version tools/kube/go.mod k8s.io/kubernetes
pf_gomod_version() {
  awk -v m="$2" '($1==m && $2 ~ /^v/){print $2; exit} ($1=="require" && $2==m){print $3; exit}' "$PF_REPO/$1"
}

PF_KUBE_VERSION="$(pf_gomod_version tools/kube/go.mod k8s.io/kubernetes)"
PF_ETCD_VERSION="$(pf_gomod_version tools/etcd/go.mod go.etcd.io/etcd/server/v3)"
PF_KWOK_VERSION="$(pf_gomod_version tools/kwok/go.mod sigs.k8s.io/kwok)"
PF_KUBE_BIN="$PF_BIN/kube-$PF_KUBE_VERSION"
PF_ETCD_BIN="$PF_BIN/etcd-$PF_ETCD_VERSION"
PF_KWOK_BIN="$PF_BIN/kwok-$PF_KWOK_VERSION"
PF_KUBECTL="$PF_KUBE_BIN/kubectl"

pf_kubectl() { "$PF_KUBECTL" --kubeconfig "$PF_KUBECONFIG" "$@"; }

# ---------------------------------------------------------------- processes
# Each background process has $PF_RUN/<name>.pid. A pid file only counts if
# the process is alive and is the expected program (pids get reused).

pf_pid() {
  local f="$PF_RUN/$1.pid" pid
  [ -s "$f" ] || return 1
  pid="$(sed -n 1p "$f" | tr -dc 0-9)"   # line 2 (the program) may have digits too
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # expected program name is recorded on the second line of the pid file
  local want; want="$(sed -n 2p "$f")"
  if [ -n "$want" ] && ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$want"; then
    return 1
  fi
  echo "$pid"
}

pf_running() { pf_pid "$1" >/dev/null; }

# pf_start NAME [--expect PROGRAM] -- CMD ARGS...   (starts CMD detached, logs to
# $PF_LOGS/NAME.log; PROGRAM, default CMD's name, is what pf_pid looks for in the
# process's command line: a wrapper that execs another program names it)
pf_start() {
  local name="$1" expect=""; shift
  if [ "$1" = "--expect" ]; then expect="$2"; shift 2; fi
  [ "$1" = "--" ] && shift
  mkdir -p "$PF_RUN" "$PF_LOGS"
  printf '\n==== %s starting %s\n' "$(date -u +%FT%TZ)" "$*" >> "$PF_LOGS/$name.log"
  # Daemons create files for others to read (containerd's image layers are the root of
  # every container: made 0700 under a umask of 077, a non-root task cannot load libc),
  # so they start with umask 022 whatever the caller's.
  local caller_umask; caller_umask="$(umask)"
  umask 022
  # Only stdin, stdout and stderr go down to a long-running daemon: an inherited lock
  # (platform.sh's own on fd 9, or the machine's platform lock that `flock <file>
  # <command>` hands to the command, on fd 3) would stay held as long as the daemon runs.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid "$@" >> "$PF_LOGS/$name.log" 2>&1 < /dev/null
  ) &
  local pid=$!
  umask "$caller_umask"
  printf '%s\n%s\n' "$pid" "${expect:-$(basename "$1")}" > "$PF_RUN/$name.pid"
}

# alive = exists and is not a zombie waiting to be reaped by init
_pf_alive() { [ -d "/proc/$1" ] && ! awk '{exit !($3 == "Z")}' "/proc/$1/stat" 2>/dev/null; }

# pf_stop NAME [TIMEOUT_SECONDS]: TERM, wait, then KILL; always removes the pid file.
pf_stop() {
  local name="$1" timeout="${2:-20}" pid
  if pid="$(pf_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i=0
    while _pf_alive "$pid" && [ "$i" -lt $((timeout * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if _pf_alive "$pid"; then
      pf_log "$name (pid $pid) did not stop in ${timeout}s: killing"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    pf_log "stopped $name (pid $pid)"
  fi
  rm -f "$PF_RUN/$name.pid"
}

# pf_wait NAME TIMEOUT CMD...: poll CMD until it succeeds; fail if NAME died.
pf_wait() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ -f "$PF_RUN/$name.pid" ] && ! pf_running "$name"; then
      tail -n 30 "$PF_LOGS/$name.log" >&2 || true
      pf_die "$name exited; see $PF_LOGS/$name.log"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$PF_LOGS/$name.log" >&2 || true
      pf_die "$name not ready after ${timeout}s; see $PF_LOGS/$name.log"
    fi
    sleep 0.3
  done
}

# Is something (not necessarily ours) listening on 127.0.0.1:PORT?
pf_port_busy() { (exec 3<>"/dev/tcp/$PF_HOST/$1") 2>/dev/null; }
