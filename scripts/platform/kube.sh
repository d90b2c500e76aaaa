# shellcheck shell=bash
# Kubernetes control plane + kwok fake nodes (sourced by scripts/platform.sh).
#
#   etcd                     http://127.0.0.1:12379 (peer 12380), data in $PF_STATE/etcd
#   kube-apiserver           https://127.0.0.1:6443
#   kube-controller-manager  https://127.0.0.1:10257 (healthz only)
#   kube-scheduler           https://127.0.0.1:10259 (healthz only)
#   kwok                     http://127.0.0.1:10247 (plays kubelet for nodes annotated
#                            kwok.x-k8s.io/node=fake; nodes come from platform/nodes.yaml)
#
# Nothing reaches outside loopback: node InternalIPs are 127.0.0.1, pod IPs come
# from a loopback range, the "kubernetes" Service gets no endpoints
# (--endpoint-reconciler-type=none), and the apiserver resolves webhook/aggregated
# services through endpoints, never through the (virtual) ClusterIP range.
#
# The apiserver reaches kubelets (the real worker node, scripts/platform/worker.sh) for
# logs and exec with the client certificate kubelet-client.crt and checks their
# serving certificates against the cluster CA.
#
# Extra admission plugins can be enabled with PULUMI_FLYTE_ADMISSION_PLUGINS
# (e.g. ExtendedResourceToleration, which GKE turns on). Off by default, so
# scheduling profiles must emit their tolerations explicitly.

PF_POD_CIDR="${PULUMI_FLYTE_POD_CIDR:-127.64.0.0/16}"
PF_SERVICE_CIDR=10.96.0.0/16

pf_etcd_ok() { curl -fsS "http://$PF_HOST:$PF_ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }
pf_apiserver_ok() {
  curl -fsS --max-time 3 --cacert "$PF_PKI/ca.crt" "https://$PF_HOST:$PF_APISERVER_PORT/readyz" 2>/dev/null | grep -q '^ok'
}
pf_https_healthz() { curl -fsSk --max-time 3 "https://$PF_HOST:$1/healthz" 2>/dev/null | grep -q '^ok'; }
pf_cm_ok() { pf_https_healthz "$PF_CM_PORT"; }
pf_scheduler_ok() { pf_https_healthz "$PF_SCHEDULER_PORT"; }
pf_kwok_ok() { curl -fsS --max-time 3 "http://$PF_HOST:$PF_KWOK_PORT/healthz" 2>/dev/null | grep -q '^ok'; }

_pf_need_port() { # name port
  if pf_port_busy "$2"; then pf_die "$1: $PF_HOST:$2 is already in use by another program"; fi
}

pf_etcd_up() {
  if pf_running etcd && pf_etcd_ok; then return 0; fi
  pf_stop etcd
  _pf_need_port etcd "$PF_ETCD_PORT"; _pf_need_port etcd "$PF_ETCD_PEER_PORT"
  mkdir -p "$PF_STATE/etcd"; chmod 700 "$PF_STATE/etcd"
  local peer="http://$PF_HOST:$PF_ETCD_PEER_PORT" client="http://$PF_HOST:$PF_ETCD_PORT"
  pf_start etcd -- "$PF_ETCD_BIN/etcd" \
    --name=pulumi-flyte \
    --data-dir="$PF_STATE/etcd" \
    --listen-client-urls="$client" --advertise-client-urls="$client" \
    --listen-peer-urls="$peer" --initial-advertise-peer-urls="$peer" \
    --initial-cluster="pulumi-flyte=$peer" \
    --auto-compaction-retention=1 \
    --unsafe-no-fsync=true \
    --log-level=warn
  pf_wait etcd 30 pf_etcd_ok
}

pf_apiserver_up() {
  local plugins="${PULUMI_FLYTE_ADMISSION_PLUGINS:-}" extra=() args
  [ -n "$plugins" ] && extra+=(--enable-admission-plugins="$plugins")
  # shellcheck disable=SC2054  # commas inside flag values (Node,RBAC), not between elements
  args=(
    --etcd-servers="http://$PF_HOST:$PF_ETCD_PORT"
    --bind-address="$PF_HOST" --advertise-address="$PF_HOST" --secure-port="$PF_APISERVER_PORT"
    --cert-dir="$PF_STATE/apiserver"
    --tls-cert-file="$PF_PKI/apiserver.crt" --tls-private-key-file="$PF_PKI/apiserver.key"
    --client-ca-file="$PF_PKI/ca.crt"
    --service-account-key-file="$PF_PKI/sa.pub"
    --service-account-signing-key-file="$PF_PKI/sa.key"
    --service-account-issuer=https://kubernetes.default.svc.cluster.local
    --api-audiences=https://kubernetes.default.svc.cluster.local
    --requestheader-client-ca-file="$PF_PKI/front-proxy-ca.crt"
    --requestheader-allowed-names=front-proxy-client
    --requestheader-username-headers=X-Remote-User
    --requestheader-group-headers=X-Remote-Group
    --requestheader-extra-headers-prefix=X-Remote-Extra-
    --proxy-client-cert-file="$PF_PKI/front-proxy-client.crt"
    --proxy-client-key-file="$PF_PKI/front-proxy-client.key"
    --service-cluster-ip-range="$PF_SERVICE_CIDR"
    --endpoint-reconciler-type=none
    --enable-aggregator-routing=true
    --authorization-mode=Node,RBAC
    --allow-privileged=true
    --kubelet-client-certificate="$PF_PKI/kubelet-client.crt" --kubelet-client-key="$PF_PKI/kubelet-client.key"
    --kubelet-certificate-authority="$PF_PKI/ca.crt"
    --kubelet-preferred-address-types=InternalIP,Hostname
    --profiling=false
    "${extra[@]}"
  )
  # a running apiserver started with other flags (an older platform.sh) is restarted
  local want; want="$(printf '%s\n' "${args[@]}")"
  if pf_running kube-apiserver && pf_apiserver_ok && [ "$(cat "$PF_RUN/kube-apiserver.args" 2>/dev/null)" = "$want" ]; then return 0; fi
  pf_stop kube-apiserver 30
  _pf_need_port kube-apiserver "$PF_APISERVER_PORT"
  mkdir -p "$PF_STATE/apiserver"
  pf_start kube-apiserver -- "$PF_KUBE_BIN/kube-apiserver" "${args[@]}"
  printf '%s\n' "$want" > "$PF_RUN/kube-apiserver.args"
  pf_wait kube-apiserver 90 pf_apiserver_ok
}

pf_controller_manager_up() {
  if pf_running kube-controller-manager && pf_cm_ok; then return 0; fi
  pf_stop kube-controller-manager
  _pf_need_port kube-controller-manager "$PF_CM_PORT"
  local kc="$PF_PKI/controller-manager.kubeconfig"
  pf_start kube-controller-manager -- "$PF_KUBE_BIN/kube-controller-manager" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address="$PF_HOST" --secure-port="$PF_CM_PORT" \
    --leader-elect=false \
    --cluster-name=pulumi-flyte-local \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PF_PKI/sa.key" \
    --root-ca-file="$PF_PKI/ca.crt" \
    --cluster-signing-cert-file="$PF_PKI/ca.crt" --cluster-signing-key-file="$PF_PKI/ca.key" \
    --controllers='*' \
    --profiling=false
  pf_wait kube-controller-manager 60 pf_cm_ok
}

pf_scheduler_up() {
  if pf_running kube-scheduler && pf_scheduler_ok; then return 0; fi
  pf_stop kube-scheduler
  _pf_need_port kube-scheduler "$PF_SCHEDULER_PORT"
  local kc="$PF_PKI/scheduler.kubeconfig"
  pf_start kube-scheduler -- "$PF_KUBE_BIN/kube-scheduler" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address="$PF_HOST" --secure-port="$PF_SCHEDULER_PORT" \
    --leader-elect=false \
    --profiling=false
  pf_wait kube-scheduler 60 pf_scheduler_ok
}

pf_kwok_up() {
  if pf_running kwok && pf_kwok_ok; then return 0; fi
  pf_stop kwok
  _pf_need_port kwok "$PF_KWOK_PORT"
  local cfg=() s
  for s in "$PF_KWOK_BIN"/stages/*.yaml; do cfg+=(--config="$s"); done
  pf_start kwok -- "$PF_KWOK_BIN/kwok" \
    "${cfg[@]}" \
    --kubeconfig="$PF_PKI/kwok.kubeconfig" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip="$PF_HOST" \
    --node-port="$PF_KWOK_PORT" \
    --server-address="$PF_HOST:$PF_KWOK_PORT" \
    --cidr="$PF_POD_CIDR" \
    --node-lease-duration-seconds=40
  pf_wait kwok 60 pf_kwok_ok
}

pf_nodes_up() {
  local nodes_bin; nodes_bin="$(pf_nodes_bin_dir)/platform-nodes"
  "$nodes_bin" apply -f "$PF_REPO/platform/nodes.yaml" --kubeconfig "$PF_KUBECONFIG" > "$PF_LOGS/nodes.log" 2>&1 \
    || { cat "$PF_LOGS/nodes.log" >&2; pf_die "registering nodes failed"; }
  "$nodes_bin" wait -f "$PF_REPO/platform/nodes.yaml" --kubeconfig "$PF_KUBECONFIG" --timeout 60s >> "$PF_LOGS/nodes.log" 2>&1 \
    || { cat "$PF_LOGS/nodes.log" >&2; pf_die "nodes did not become Ready"; }
}

# New namespaces must get their "default" ServiceAccount (serviceaccount
# controller) before pods can be created there; check it once.
pf_kube_smoke() {
  local deadline=$(( $(date +%s) + 60 ))
  until pf_kubectl -n default get serviceaccount default >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || pf_die "default ServiceAccount never appeared (controller-manager); see $PF_LOGS/kube-controller-manager.log"
    sleep 0.5
  done
}

pf_kube_up() {
  local t0; t0="$(pf_now)"
  pf_etcd_up
  pf_apiserver_up
  pf_controller_manager_up
  pf_scheduler_up
  pf_kwok_up
  pf_nodes_up
  pf_kube_smoke
  pf_log "Kubernetes $PF_KUBE_VERSION ready in $(pf_since "$t0")s: $(pf_kubectl get nodes --no-headers 2>/dev/null | wc -l) nodes; KUBECONFIG=$PF_KUBECONFIG"
}

pf_kube_down() {
  rm -f "$PF_RUN/kube-apiserver.args"
  pf_stop kwok
  pf_stop kube-scheduler
  pf_stop kube-controller-manager
  pf_stop kube-apiserver 30
  pf_stop etcd 30
}
