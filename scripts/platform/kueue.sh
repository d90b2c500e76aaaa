# shellcheck shell=bash
# Kueue (job queueing: LocalQueues, ClusterQueues, ResourceFlavors, quotas), sourced by
# scripts/platform.sh. Not part of the default platform: `npm run platform -- kueue`
# builds and starts it (the queue tests do), and from then on every `up` restarts it
# until the cluster is wiped (`down`) or `npm run platform -- kueue down` stops it.
#
#   kueue controller manager  webhooks https://127.0.0.1:10270 (certificate from the
#                             platform CA), health http://127.0.0.1:10271/readyz;
#                             metrics and the visibility API server are off
#
# The controller runs as a process (no pod: nothing runs in containers on the
# control plane here), so the API server calls its webhooks and CRD conversion at a
# URL on 127.0.0.1 (tools/kueue/cmd/kueue-manifests adapts Kueue's manifests). It
# runs as the user kueue-controller-manager (client certificate) bound to Kueue's own
# ClusterRole, manages only Jobs labelled kueue.x-k8s.io/queue-name (the batch/job
# integration; manageJobsWithoutQueueName false), and its Job webhooks match only
# such Jobs and are ignored while it is down: everyone else's Jobs never wait on it.
#
# Kueue reads its metrics certificate from the fixed path /etc/kueue/metrics/certs
# when it does not generate its own: the process gets a private mount namespace in
# which /etc is an overlay with that directory added (nothing is written to the
# machine's /etc).

PF_KUEUE_VERSION="$(pf_gomod_version tools/kueue/go.mod sigs.k8s.io/kueue)"
PF_KUEUE_WEBHOOK_PORT=10270
PF_KUEUE_HEALTH_PORT=10271
PF_KUEUE_DIR="$PF_STATE/kueue"
PF_KUEUE_ENABLED="$PF_KUEUE_DIR/enabled"   # written by `kueue up`; a wipe of the cluster removes it
PF_KUEUE_USER=kueue-controller-manager

# The binaries' directory: Kueue's version plus a hash of our module and helper.
pf_kueue_bin_dir() {
  local h
  h="$(cd "$PF_REPO/tools/kueue" && cat go.mod go.sum cmd/kueue-manifests/*.go | sha256sum | cut -c1-12)"
  echo "$PF_BIN/kueue-$PF_KUEUE_VERSION-$h"
}

# Builds kueue (the controller manager), kueue-manifests (our helper) and copies the
# manifests it adapts (CRDs, webhooks, RBAC) out of the module cache.
_build_kueue() {
  (cd "$PF_REPO/tools/kueue" && go build "${GOFLAGS_BUILD[@]}" \
    -ldflags "$LDFLAGS_BASE -X sigs.k8s.io/kueue/pkg/version.GitVersion=$PF_KUEUE_VERSION" \
    -o "$1/kueue" sigs.k8s.io/kueue/cmd/kueue \
    && go build "${GOFLAGS_BUILD[@]}" -ldflags "$LDFLAGS_BASE" -o "$1/kueue-manifests" ./cmd/kueue-manifests)
  local src
  src="$(cd "$PF_REPO/tools/kueue" && go list -m -f '{{.Dir}}' sigs.k8s.io/kueue)/config/components"
  mkdir -p "$1/manifests/crd" "$1/manifests/webhook" "$1/manifests/rbac"
  cp "$src"/crd/bases/*.yaml "$1/manifests/crd/"
  cp "$src/webhook/manifests.yaml" "$1/manifests/webhook/"
  cp "$src/rbac/role.yaml" "$src/rbac/manager_secrets_role.yaml" "$1/manifests/rbac/"
  chmod -R u+w,go+r "$1/manifests"
}

pf_kueue_ok() {
  curl -fsS --max-time 3 "http://$PF_HOST:$PF_KUEUE_HEALTH_PORT/readyz" 2>/dev/null | grep -q '^ok'
}

# The webhook server answers with the certificate the API server will check.
pf_kueue_webhook_ok() {
  curl -sS --max-time 3 --cacert "$PF_PKI/ca.crt" -o /dev/null "https://$PF_HOST:$PF_KUEUE_WEBHOOK_PORT/" 2>/dev/null
}

pf_kueue_pki() {
  if [ -s "$PF_PKI/kueue-webhook.crt" ] && [ -s "$PF_PKI/kueue.kubeconfig" ]; then return 0; fi
  pf_log "issuing Kueue's webhook and client certificates from the platform CA"
  (
    umask 077
    _pf_cert kueue-webhook "/CN=kueue-webhook" "IP:$PF_HOST,DNS:localhost"
    _pf_cert kueue "/CN=$PF_KUEUE_USER"
    rm -f "$PF_PKI"/*.srl
  )
  _pf_kubeconfig "$PF_PKI/kueue.kubeconfig" "$PF_KUEUE_USER" kueue
}

_pf_kueue_config() {
  cat <<EOF
apiVersion: config.kueue.x-k8s.io/v1beta2
kind: Configuration
namespace: kueue-system
health:
  healthProbeBindAddress: $PF_HOST:$PF_KUEUE_HEALTH_PORT
metrics:
  bindAddress: "0"
webhook:
  host: $PF_HOST
  port: $PF_KUEUE_WEBHOOK_PORT
  certDir: $PF_KUEUE_DIR/webhook-certs
leaderElection:
  leaderElect: false
internalCertManagement:
  enable: false
manageJobsWithoutQueueName: false
integrations:
  frameworks:
  - batch/job
featureGates:
  VisibilityOnDemand: false
EOF
}

# Installs Kueue's CRDs, webhooks and RBAC (server-side apply: idempotent).
pf_kueue_install() {
  local bin="$1"
  "$bin/kueue-manifests" -dir "$bin/manifests" -url "https://$PF_HOST:$PF_KUEUE_WEBHOOK_PORT" \
    -ca "$PF_PKI/ca.crt" -user "$PF_KUEUE_USER" > "$PF_KUEUE_DIR/manifests.json"
  pf_kubectl apply --server-side --force-conflicts --field-manager=pulumi-flyte-platform \
    -f "$PF_KUEUE_DIR/manifests.json" > "$PF_LOGS/kueue-install.log" 2>&1 \
    || { tail -n 20 "$PF_LOGS/kueue-install.log" >&2; pf_die "installing Kueue's CRDs and webhooks failed"; }
  pf_kubectl wait --for=condition=Established --timeout=60s \
    crd/clusterqueues.kueue.x-k8s.io crd/localqueues.kueue.x-k8s.io crd/resourceflavors.kueue.x-k8s.io \
    crd/workloads.kueue.x-k8s.io crd/cohorts.kueue.x-k8s.io >> "$PF_LOGS/kueue-install.log" 2>&1 \
    || pf_die "Kueue's CRDs were not established; see $PF_LOGS/kueue-install.log"
}

pf_kueue_up() {
  local t0; t0="$(pf_now)"
  pf_build kueue
  local bin; bin="$(pf_kueue_bin_dir)"
  pf_kueue_pki
  mkdir -p "$PF_KUEUE_DIR/webhook-certs" "$PF_KUEUE_DIR/etc/upper/kueue/metrics/certs" "$PF_KUEUE_DIR/etc/work"
  install -m 600 "$PF_PKI/kueue-webhook.crt" "$PF_KUEUE_DIR/webhook-certs/tls.crt"
  install -m 600 "$PF_PKI/kueue-webhook.key" "$PF_KUEUE_DIR/webhook-certs/tls.key"
  # the metrics server is off, but Kueue loads these files whenever it does not make its own
  install -m 600 "$PF_PKI/kueue-webhook.crt" "$PF_KUEUE_DIR/etc/upper/kueue/metrics/certs/tls.crt"
  install -m 600 "$PF_PKI/kueue-webhook.key" "$PF_KUEUE_DIR/etc/upper/kueue/metrics/certs/tls.key"
  _pf_kueue_config > "$PF_KUEUE_DIR/config.yaml.new"
  pf_kueue_install "$bin"
  # a running controller started from another binary or configuration is restarted
  local want; want="$(printf '%s\n' "$bin" | cat - "$PF_KUEUE_DIR/config.yaml.new")"
  if pf_running kueue && [ "$(cat "$PF_RUN/kueue.args" 2>/dev/null)" = "$want" ]; then
    # running with this binary and configuration: a slow answer (a loaded machine) is no reason to restart
    rm -f "$PF_KUEUE_DIR/config.yaml.new"
    pf_wait kueue 60 pf_kueue_ok
  else
    pf_stop kueue
    _pf_need_port kueue "$PF_KUEUE_WEBHOOK_PORT"; _pf_need_port kueue "$PF_KUEUE_HEALTH_PORT"
    mv "$PF_KUEUE_DIR/config.yaml.new" "$PF_KUEUE_DIR/config.yaml"
    local etc="$PF_KUEUE_DIR/etc"
    # shellcheck disable=SC2016  # the inner shell expands $1 and $@ (the overlay's directory, then Kueue's command)
    pf_start kueue --expect kueue -- unshare --mount --propagation private -- sh -c \
      'mount -t overlay pf-kueue-etc -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc && shift && exec "$@"' \
      sh "$etc" "$bin/kueue" --config="$PF_KUEUE_DIR/config.yaml" --kubeconfig="$PF_PKI/kueue.kubeconfig" \
      --zap-log-level=info
    printf '%s\n' "$want" > "$PF_RUN/kueue.args"
    pf_wait kueue 120 pf_kueue_ok
  fi
  pf_wait kueue 30 pf_kueue_webhook_ok
  touch "$PF_KUEUE_ENABLED"
  pf_log "Kueue $PF_KUEUE_VERSION ready in $(pf_since "$t0")s (webhooks https://$PF_HOST:$PF_KUEUE_WEBHOOK_PORT)"
}

# Stops the controller. `kueue down` also removes its webhooks (a webhook nobody answers
# would fail the creation of Kueue's objects) and the mark that makes `up` restart it.
pf_kueue_down() {
  pf_stop kueue
  rm -f "$PF_RUN/kueue.args"
  if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$PF_KUEUE_ENABLED"
    if pf_apiserver_ok; then
      pf_kubectl delete mutatingwebhookconfiguration kueue-mutating-webhook-configuration --ignore-not-found >/dev/null 2>&1 || true
      pf_kubectl delete validatingwebhookconfiguration kueue-validating-webhook-configuration --ignore-not-found >/dev/null 2>&1 || true
    fi
  fi
}

pf_kueue_enabled() { [ -f "$PF_KUEUE_ENABLED" ]; }
