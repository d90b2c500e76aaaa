# shellcheck shell=bash
# Docker daemon and local registry (sourced by scripts/platform.sh).
#
# dockerd flags, and why (found by trial on the 2-core sandbox VM):
#   --host unix://...          unix socket only, no TCP listener
#   --bridge=none              no docker0 bridge: nothing gets a private-range
#                              address and no NAT/iptables is needed. Builds and
#                              containers must use the host network:
#                              `docker build --network host`, @pulumi/docker
#                              `build: { network: "host" }`. Without it, BuildKit
#                              RUN steps fail with "network bridge not found".
#   --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false
#                              do not touch the VM's firewall or sysctls
#   --userland-proxy=false     no docker-proxy processes
#   storage driver             overlay2 works here; vfs is the automatic fallback
#                              (PULUMI_FLYTE_DOCKER_STORAGE_DRIVER forces one)
# BuildKit: Debian's docker.io 20.10 daemon embeds BuildKit (what @pulumi/docker
# talks to through the API, incl. RUN --mount=type=secret). Dockerfiles must not
# start with a `# syntax=docker/dockerfile:...` line: that frontend image would
# be pulled from Docker Hub, which is unreachable; the built-in frontend
# already supports RUN --mount.

pf_apt_install() { # pkgs...
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || pf_die "need root to apt-get install ${missing[*]}"
  pf_log "apt-get install ${missing[*]}"
  local t0; t0="$(pf_now)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" \
    > "$PF_LOGS/apt.log" 2>&1 || { tail -20 "$PF_LOGS/apt.log" >&2; pf_die "apt-get install failed"; }
  pf_log "installed ${missing[*]} in $(pf_since "$t0")s"
}

pf_docker() { DOCKER_HOST="$PF_DOCKER_HOST" docker "$@"; }
pf_docker_ok() { DOCKER_HOST="$PF_DOCKER_HOST" timeout 10 docker info >/dev/null 2>&1; }

# $1 = "restart": the daemon must (re)start to read a changed /etc/docker/certs.d
pf_docker_up() {
  if [ "${1:-}" = restart ] && pf_running dockerd && pf_docker_ok; then
    pf_log "restarting dockerd: its BuildKit reads the registries' certificates (/etc/docker/certs.d) when it starts"
    pf_stop dockerd 60
  fi
  if pf_running dockerd && pf_docker_ok; then return 0; fi
  if ! pf_running dockerd && pf_docker_ok; then
    pf_log "a Docker daemon not started by this script already answers on $PF_DOCKER_SOCK: using it"
    [ "${1:-}" = restart ] && pf_log "restart that daemon so that its BuildKit trusts the registry's CA in $PF_DOCKER_CERTS_DIR"
    return 0
  fi
  command -v dockerd >/dev/null || pf_apt_install docker.io
  command -v docker >/dev/null || pf_apt_install docker.io
  pf_stop dockerd
  local driver="${PULUMI_FLYTE_DOCKER_STORAGE_DRIVER:-}" t0
  t0="$(pf_now)"
  mkdir -p "$PF_STATE/docker" "$PF_RUN/docker"
  _pf_dockerd_start "$driver"
  local deadline=$(( $(date +%s) + 60 ))
  until pf_docker_ok; do
    if ! pf_running dockerd; then
      if [ -z "$driver" ]; then
        pf_log "dockerd exited with the default storage driver; retrying with vfs (see $PF_LOGS/dockerd.log)"
        driver=vfs; _pf_dockerd_start vfs; continue
      fi
      tail -20 "$PF_LOGS/dockerd.log" >&2; pf_die "dockerd exited; see $PF_LOGS/dockerd.log"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || pf_die "dockerd not ready after 60s; see $PF_LOGS/dockerd.log"
    sleep 0.3
  done
  pf_log "dockerd ready on $PF_DOCKER_HOST ($(pf_docker info --format '{{.ServerVersion}}, storage {{.Driver}}' 2>/dev/null)) in $(pf_since "$t0")s"
}

_pf_dockerd_start() {
  local args=(
    --host "$PF_DOCKER_HOST"
    --data-root "$PF_STATE/docker"
    --exec-root "$PF_RUN/docker"
    --pidfile "$PF_RUN/docker/dockerd.pid"
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false
    --userland-proxy=false
    --log-level=warn
  )
  [ -n "$1" ] && args+=(--storage-driver "$1")
  rm -f "$PF_RUN/docker/dockerd.pid"
  pf_start dockerd -- dockerd "${args[@]}"
}

pf_docker_down() {
  pf_stop dockerd 60
  # dockerd removes its socket and pid file on a clean stop; make sure.
  if [ -d "$PF_RUN/docker" ] && ! pf_docker_ok; then
    rm -f "$PF_DOCKER_SOCK"
  fi
  # dockerd leaves its netns bind mount (exec-root/netns/default) behind.
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v p="$PF_RUN/docker/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r)
  rm -rf "$PF_RUN/docker" 2>/dev/null || pf_log "could not remove $PF_RUN/docker completely"
}

# ---------------------------------------------------------------- registry
# Debian's docker-registry serves TLS with a certificate of the platform's CA
# (scripts/platform/pki.sh); every client trusts that CA (no client skips verification).
pf_registry_curl() { curl --cacert "$PF_PKI/ca.crt" "$@"; }
pf_registry_ok() { pf_registry_curl -fsS --max-time 3 -o /dev/null "https://$PF_REGISTRY/v2/" 2>/dev/null; }

_pf_registry_config() {
  cat <<EOF
# Generated by scripts/platform.sh: local OCI registry on loopback only, TLS with a
# certificate of the platform's CA.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $PF_STATE/registry
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $PF_REGISTRY
  tls:
    certificate: $PF_PKI/registry.crt
    key: $PF_PKI/registry.key
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
EOF
}

pf_registry_up() {
  command -v docker-registry >/dev/null || pf_apt_install docker-registry
  pf_registry_pki
  local config; config="$(_pf_registry_config)"
  # a registry started with another configuration (plain HTTP before TLS) is restarted
  if pf_running registry && pf_registry_ok && [ "$(cat "$PF_STATE/registry.yml" 2>/dev/null)" = "$config" ]; then
    return 0
  fi
  pf_stop registry
  if pf_port_busy "$PF_REGISTRY_PORT"; then
    pf_die "$PF_REGISTRY is already in use by another program"
  fi
  mkdir -p "$PF_STATE/registry"
  printf '%s\n' "$config" > "$PF_STATE/registry.yml"
  local t0; t0="$(pf_now)"
  pf_start registry -- docker-registry serve "$PF_STATE/registry.yml"
  pf_wait registry 30 pf_registry_ok
  pf_log "registry ready on https://$PF_REGISTRY in $(pf_since "$t0")s"
}

pf_registry_down() { pf_stop registry; }

# HEAD /v2/<name>/manifests/<tag> -> 0 if present
pf_registry_has() {
  local name="$1" tag="$2"
  pf_registry_curl -fsS -o /dev/null -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "https://$PF_REGISTRY/v2/$name/manifests/$tag"
}
