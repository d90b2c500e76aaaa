# shellcheck shell=bash
# The one real worker node (sourced by scripts/platform.sh): a kubelet that runs
# containers, next to the kwok fake accelerator nodes.
#
#   containerd   Debian's containerd 1.6 with its CRI plugin, its own instance:
#                socket $PF_RUN/containerd/containerd.sock, root $PF_WORKER_DIR/containerd,
#                state $PF_RUN/containerd (dockerd's own containerd has CRI disabled
#                and is left alone); runc from Debian; images pulled over TLS from the
#                loopback registry (every address of PF_REGISTRY_HOSTS), verified with
#                the platform's CA (hosts.toml `ca`)
#   CNI          Debian's containernetworking-plugins: bridge $PF_WORKER_BRIDGE with
#                host-local addresses from $PF_WORKER_POD_CIDR (no NAT, no iptables
#                rules; pods reach the host and each other, not the outside)
#   node IP      the bridge's address (the pods' gateway, first address of the CIDR):
#                the kubelet refuses a loopback node IP, and this one is reachable
#                from this machine only
#   pause        the pod sandbox image: our tools/kube/cmd/pod-pause in a FROM-scratch
#                image pushed to the loopback registry (registry.k8s.io is unreachable)
#   kubelet      k8s.io/kubernetes/cmd/kubelet $PF_KUBE_VERSION from the Go module proxy,
#                node $PF_WORKER_NAME, API on https://<node IP>:10250 (client certs signed
#                by the cluster CA; the apiserver uses kubelet-client.crt for logs/exec),
#                healthz on http://127.0.0.1:10248
#
# This machine has cgroup v1 only (hybrid hierarchy, no controllers on the unified
# one): the kubelet runs with failCgroupV1: false and the cgroupfs driver.
# Like every kubelet, it sets vm.overcommit_memory=1, kernel.panic=10 and
# kernel.panic_on_oops=1, and the bridge plugin turns on net.ipv4.ip_forward: the
# values found before the first start are saved and put back by `down`.
#
# `down` removes every pod sandbox through CRI (containerd tears down its network
# namespace, veth, /dev/shm and rootfs mounts), stops kubelet and containerd,
# unmounts whatever is left under the node's directories, deletes the bridge and
# removes the pods' cgroups: no process, mount or network namespace stays behind.
# Pulled images stay in $PF_WORKER_DIR/containerd (removed by `down --purge`).

PF_WORKER_NAME="worker"
# The labels of a general-purpose CPU node (no accelerator, on-demand capacity).
PF_WORKER_LABELS="node.kubernetes.io/instance-type=pulumi-flyte-local,cloud.google.com/gke-nodepool=default-pool,karpenter.sh/capacity-type=on-demand,topology.kubernetes.io/region=local,topology.kubernetes.io/zone=local-a,pulumi-flyte.dev/runtime=containerd"
PF_WORKER_DIR="$PF_STATE/worker"
PF_WORKER_POD_CIDR="${PULUMI_FLYTE_WORKER_POD_CIDR:-10.244.0.0/24}"
PF_WORKER_BRIDGE=pfcni0
# the CIDR's first address: 10.244.0.0/24 -> 10.244.0.1
PF_WORKER_NODE_IP="$(IFS=./ read -r a b c d _ <<< "$PF_WORKER_POD_CIDR"; echo "$a.$b.$c.$((d + 1))")"
PF_WORKER_PREFIX="${PF_WORKER_POD_CIDR#*/}"
PF_KUBELET_PORT=10250
PF_KUBELET_HEALTHZ_PORT=10248
PF_CONTAINERD_DIR="$PF_RUN/containerd"
PF_CONTAINERD_SOCK="$PF_CONTAINERD_DIR/containerd.sock"
PF_KUBELET_ROOT="$PF_WORKER_DIR/kubelet"
PF_KUBELET_BIN_DIR="$PF_BIN/kubelet-$PF_KUBE_VERSION"
PF_WORKER_SYSCTLS="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/ip_forward"

pf_containerd_ok() { [ -S "$PF_CONTAINERD_SOCK" ] && timeout 5 ctr --address "$PF_CONTAINERD_SOCK" version >/dev/null 2>&1; }
pf_kubelet_ok() { curl -fsS --max-time 3 "http://$PF_HOST:$PF_KUBELET_HEALTHZ_PORT/healthz" 2>/dev/null | grep -q '^ok'; }
pf_worker_ready() {
  [ "$(pf_kubectl get node "$PF_WORKER_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# Certificates of the node (signed by the cluster CA; made once, kept by `down`).
pf_worker_pki() {
  local made=0
  (
    umask 077
    if [ ! -s "$PF_PKI/kubelet-client.crt" ]; then
      # the apiserver's client identity towards kubelets (logs, exec, port-forward)
      _pf_cert kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
    fi
    if [ ! -s "$PF_PKI/$PF_WORKER_NAME-kubelet.crt" ]; then
      _pf_cert "$PF_WORKER_NAME-kubelet" "/O=system:nodes/CN=system:node:$PF_WORKER_NAME"
    fi
    if ! openssl x509 -in "$PF_PKI/$PF_WORKER_NAME-serving.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$PF_WORKER_NODE_IP\b"; then
      _pf_cert "$PF_WORKER_NAME-serving" "/CN=$PF_WORKER_NAME" "DNS:$PF_WORKER_NAME,DNS:localhost,IP:$PF_WORKER_NODE_IP,IP:$PF_HOST"
    fi
    rm -f "$PF_PKI"/*.srl
  ) || pf_die "could not make the worker node's certificates"
  [ -s "$PF_PKI/$PF_WORKER_NAME.kubeconfig" ] || made=1
  [ "$made" = 1 ] && _pf_kubeconfig "$PF_PKI/$PF_WORKER_NAME.kubeconfig" "system:node:$PF_WORKER_NAME" "$PF_WORKER_NAME-kubelet"
  return 0
}

# The sandbox image, in the loopback registry under a tag that is its content hash.
pf_pause_ref() {
  local h; h="$(sha256sum "$(pf_worker_bin_dir)/pause" | cut -c1-12)"
  echo "$PF_REGISTRY/pulumi-flyte/pause:$h"
}

pf_pause_image_up() {
  local ref tag; ref="$(pf_pause_ref)"; tag="${ref##*:}"
  pf_registry_has pulumi-flyte/pause "$tag" 2>/dev/null && return 0
  local ctx="$PF_WORKER_DIR/pause-context"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp "$(pf_worker_bin_dir)/pause" "$ctx/pause"
  printf '%s\n' 'FROM scratch' 'COPY pause /pause' 'USER 65535:65535' 'ENTRYPOINT ["/pause"]' > "$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 pf_docker build -q -t "$ref" "$ctx" > "$PF_LOGS/pause-image.log" 2>&1 \
    || { cat "$PF_LOGS/pause-image.log" >&2; pf_die "building the pause image failed"; }
  pf_docker push "$ref" >> "$PF_LOGS/pause-image.log" 2>&1 \
    || { tail "$PF_LOGS/pause-image.log" >&2; pf_die "pushing the pause image failed"; }
  pf_docker rmi "$ref" >/dev/null 2>&1 || true
  rm -rf "$ctx"
  pf_log "pause image pushed: $ref"
}

_pf_containerd_config() {
  local pause; pause="$(pf_pause_ref)"
  cat <<EOF
# Generated by scripts/platform/worker.sh: the worker node's own containerd (CRI enabled).
version = 2
root = "$PF_WORKER_DIR/containerd"
state = "$PF_CONTAINERD_DIR"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$PF_CONTAINERD_SOCK"

[ttrpc]
  address = "$PF_CONTAINERD_DIR/containerd.ttrpc.sock"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$PF_WORKER_DIR/containerd-opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause"
  stream_server_address = "$PF_HOST"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  # This machine's bounding set lacks CAP_SYS_RESOURCE: nothing may lower an
  # oom_score_adj below 0, and the kubelet asks for -998 (pod sandboxes) and -997
  # (Guaranteed pods). Without this runc fails every pod with "nsexec: failed to
  # update /proc/self/oom_score_adj: Permission denied"; with it containerd clamps
  # them to its own value (0).
  restrict_oom_score_adj = true
  enable_selinux = false
  tolerate_missing_hugetlb_controller = true
  max_container_log_line_size = 16384

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$PF_WORKER_DIR/cni/net.d"
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$PF_WORKER_DIR/certs.d"
EOF
}

_pf_cni_config() {
  cat <<EOF
{
  "cniVersion": "1.0.0",
  "name": "pulumi-flyte",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$PF_WORKER_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$PF_WORKER_POD_CIDR" }]],
        "dataDir": "$PF_WORKER_DIR/cni/ipam"
      }
    }
  ]
}
EOF
}

_pf_kubelet_config() {
  cat <<EOF
# Generated by scripts/platform/worker.sh.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $PF_WORKER_NODE_IP
port: $PF_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: $PF_HOST
healthzPort: $PF_KUBELET_HEALTHZ_PORT
tlsCertFile: $PF_PKI/$PF_WORKER_NAME-serving.crt
tlsPrivateKeyFile: $PF_PKI/$PF_WORKER_NAME-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PF_PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$PF_CONTAINERD_SOCK
imageServiceEndpoint: unix://$PF_CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
makeIPTablesUtilChains: false
podLogsDir: $PF_WORKER_DIR/pod-logs
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
maxPods: 110
serializeImagePulls: false
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
shutdownGracePeriod: 0s
# no CAP_SYS_RESOURCE here (see containerd's restrict_oom_score_adj): the kubelet cannot give itself -999
oomScoreAdj: 0
EOF
}

# Files the node runs from; returns 0 if any changed (then running daemons restart).
_pf_worker_files() {
  mkdir -p "$PF_WORKER_DIR/cni/net.d" "$PF_WORKER_DIR/cni/ipam" "$PF_WORKER_DIR/pod-logs" "$PF_KUBELET_ROOT" "$PF_CONTAINERD_DIR"
  local reg changed=1 f new
  # containerd reads hosts.toml on every pull: a changed one needs no restart
  for reg in $PF_REGISTRY_HOSTS; do
    mkdir -p "$PF_WORKER_DIR/certs.d/$reg"
    printf '%s\n' "server = \"https://$reg\"" "" "[host.\"https://$reg\"]" '  capabilities = ["pull", "resolve"]' \
      "  ca = \"$PF_PKI/ca.crt\"" > "$PF_WORKER_DIR/certs.d/$reg/hosts.toml"
  done
  for f in containerd.toml cni/net.d/10-pulumi-flyte.conflist kubelet.yaml; do
    case "$f" in
      containerd.toml) new="$(_pf_containerd_config)" ;;
      cni/*) new="$(_pf_cni_config)" ;;
      kubelet.yaml) new="$(_pf_kubelet_config)" ;;
    esac
    if [ ! -f "$PF_WORKER_DIR/$f" ] || [ "$(cat "$PF_WORKER_DIR/$f")" != "$new" ]; then
      printf '%s\n' "$new" > "$PF_WORKER_DIR/$f"; changed=0
    fi
  done
  return $changed
}

# The kubelet changes a few kernel settings (and the bridge plugin turns on IP
# forwarding): remember what they were before it ever ran on this machine.
_pf_worker_save_sysctls() {
  local f="$PF_WORKER_DIR/sysctls.orig" k
  [ -s "$f" ] && return 0
  for k in $PF_WORKER_SYSCTLS; do printf '%s %s\n' "$k" "$(cat "/proc/sys/$k")"; done > "$f.tmp" && mv "$f.tmp" "$f"
}

_pf_worker_restore_sysctls() {
  local f="$PF_WORKER_DIR/sysctls.orig" k v
  [ -s "$f" ] || return 0
  while read -r k v; do
    [ -n "$k" ] && [ "$(cat "/proc/sys/$k" 2>/dev/null)" != "$v" ] && echo "$v" > "/proc/sys/$k" 2>/dev/null
  done < "$f"
  rm -f "$f"
}

pf_containerd_up() {
  if pf_running containerd && pf_containerd_ok; then return 0; fi
  pf_stop containerd
  [ -S "$PF_CONTAINERD_SOCK" ] && ! pf_containerd_ok && rm -f "$PF_CONTAINERD_SOCK"
  # layer roots unpacked by a containerd that ran under umask 077 (fixed in pf_start)
  # are 0700: open them up, or non-root tasks of those images cannot read / at all
  local snapshots="$PF_WORKER_DIR/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots"
  [ ! -d "$snapshots" ] || find "$snapshots" -mindepth 2 -maxdepth 2 -type d -name fs -perm 0700 -exec chmod 0755 {} +
  pf_start containerd -- containerd --config "$PF_WORKER_DIR/containerd.toml" --log-level warn
  pf_wait containerd 30 pf_containerd_ok
}

# The bridge exists before the first pod (the CNI plugin would make it then):
# its address is the node's IP.
_pf_worker_bridge() {
  ip link show "$PF_WORKER_BRIDGE" >/dev/null 2>&1 || ip link add "$PF_WORKER_BRIDGE" type bridge \
    || pf_die "cannot create the bridge $PF_WORKER_BRIDGE"
  ip -4 addr show dev "$PF_WORKER_BRIDGE" | grep -q " $PF_WORKER_NODE_IP/" \
    || ip addr add "$PF_WORKER_NODE_IP/$PF_WORKER_PREFIX" dev "$PF_WORKER_BRIDGE" \
    || pf_die "cannot give $PF_WORKER_BRIDGE the address $PF_WORKER_NODE_IP"
  ip link set "$PF_WORKER_BRIDGE" up
}

pf_kubelet_up() {
  if pf_running kubelet && pf_kubelet_ok; then return 0; fi
  pf_stop kubelet
  _pf_need_port kubelet "$PF_KUBELET_HEALTHZ_PORT"
  _pf_worker_save_sysctls
  _pf_worker_bridge
  pf_start kubelet -- "$PF_KUBELET_BIN_DIR/kubelet" \
    --config="$PF_WORKER_DIR/kubelet.yaml" \
    --kubeconfig="$PF_PKI/$PF_WORKER_NAME.kubeconfig" \
    --root-dir="$PF_KUBELET_ROOT" \
    --hostname-override="$PF_WORKER_NAME" \
    --node-ip="$PF_WORKER_NODE_IP" \
    --node-labels="$PF_WORKER_LABELS" \
    --v=1
  pf_wait kubelet 60 pf_kubelet_ok
}

pf_worker_up() {
  local t0; t0="$(pf_now)"
  command -v containerd >/dev/null && command -v runc >/dev/null && [ -x /usr/lib/cni/bridge ] \
    || pf_apt_install containerd runc containernetworking-plugins
  pf_worker_pki
  pf_pause_image_up
  if _pf_worker_files; then
    # a changed configuration: restart what reads it
    pf_stop kubelet; pf_stop containerd
  fi
  pf_containerd_up
  pf_kubelet_up
  local deadline=$(( $(date +%s) + 90 ))
  until pf_worker_ready; do
    if ! pf_running kubelet; then tail -n 30 "$PF_LOGS/kubelet.log" >&2; pf_die "kubelet exited; see $PF_LOGS/kubelet.log"; fi
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$PF_LOGS/kubelet.log" >&2; pf_die "node $PF_WORKER_NAME not Ready after 90s; see $PF_LOGS/kubelet.log"; }
    sleep 0.5
  done
  pf_log "worker node $PF_WORKER_NAME Ready in $(pf_since "$t0")s (kubelet $PF_KUBE_VERSION, containerd $(containerd --version | awk '{print $3}'))"
}

# Unmounts every mount point under a directory, deepest first.
_pf_umount_under() {
  local dir="$1" m
  [ -d "$dir" ] || return 0
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || pf_log "could not unmount $m"
  done < <(awk -v p="$dir/" 'index($2, p) == 1 || $2 == substr(p, 1, length(p) - 1) {print $2}' /proc/mounts | sort -r)
}

# Shims of our containerd outlive it: stop those still there (matched by our socket).
_pf_containerd_shims() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q -- "containerd-shim.* -address $PF_CONTAINERD_SOCK" && echo "${p#/proc/}"
  done
}

# Removes the pods' cgroups (kubepods/...) in every cgroup v1 hierarchy, deepest first.
_pf_worker_cgroups_down() {
  local h d
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h/kubepods" ] || continue
    find "$h/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  for d in /sys/fs/cgroup/*/kubepods; do [ -d "$d" ] && pf_log "cgroup $d still has processes"; done
  return 0
}

pf_worker_down() {
  pf_stop kubelet 30
  if pf_containerd_ok; then
    "$(pf_worker_bin_dir)/platform-cri" reset --endpoint "unix://$PF_CONTAINERD_SOCK" --timeout 60s > "$PF_LOGS/cri-reset.log" 2>&1 \
      || { tail -5 "$PF_LOGS/cri-reset.log" >&2; pf_log "removing the worker's pods through CRI failed; cleaning up by hand"; }
  fi
  pf_stop containerd 30
  local pid
  for pid in $(_pf_containerd_shims); do kill -KILL "$pid" 2>/dev/null || true; done
  _pf_umount_under "$PF_CONTAINERD_DIR"
  _pf_umount_under "$PF_KUBELET_ROOT"
  _pf_umount_under "$PF_WORKER_DIR/containerd"
  ip link del "$PF_WORKER_BRIDGE" 2>/dev/null || true
  _pf_worker_cgroups_down
  _pf_worker_restore_sysctls
  rm -rf "$PF_CONTAINERD_DIR" "$PF_KUBELET_ROOT" "$PF_WORKER_DIR/pod-logs" "$PF_WORKER_DIR/cni/ipam" 2>/dev/null \
    || pf_log "could not remove all of the worker's run-time state"
  # the kubelet's device-plugin socket has a fixed path outside --root-dir
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet /var/log/containers 2>/dev/null || true
}
