#!/usr/bin/env bash
# End-to-end checks of a running local platform (`npm run platform -- verify`).
#
#   verify [docker|kube|worker|kueue]... [--full]
#
# docker: BuildKit build with a secret mount, a build FROM the local Python base
#         that pip-installs from PyPI and apt-installs from Debian, registry push,
#         HEAD /v2/<name>/manifests/<tag>, pull back.
# kube:   every node of platform/nodes.yaml Ready; the real kube-scheduler binds
#         a GPU pod to the right accelerator node; an impossible pod stays
#         Pending with FailedScheduling; a TPU pod lands on the TPU host; a Job
#         runs to completion (a pod without tolerations lands on the real worker);
#         a Deployment gets Running pods;
#         --full also waits (up to ~70s) for a CronJob to spawn a Job.
# worker: the real node is a kubelet (not kwok) of the cluster's version on
#         containerd; the platform's daemons run with umask 022; a pod pinned to
#         it pulls from the loopback registry, runs as a non-root user that
#         reads a secret file (mode 0440 + fsGroup), sees its /dev/shm size
#         limit and gets a pod IP; its log is read through the apiserver;
#         `kubectl exec` reaches a running container.
# kueue:  (when started: npm run platform -- kueue) its webhooks answer the API server
#         (an invalid ClusterQueue is refused by Kueue's own validation); a Job labelled
#         for a LocalQueue is created suspended, admitted in the flavour and run with its
#         node label; a Job without the label is left alone.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=build.sh
source "$HERE/build.sh"
# shellcheck source=docker.sh
source "$HERE/docker.sh"
# shellcheck source=kube.sh
source "$HERE/kube.sh"
# shellcheck source=worker.sh
source "$HERE/worker.sh"
# shellcheck source=kueue.sh
source "$HERE/kueue.sh"

FULL=0; WHAT=()
for a in "$@"; do
  case "$a" in --full) FULL=1 ;; docker|kube|worker|kueue) WHAT+=("$a") ;; *) echo "unknown argument $a" >&2; exit 2 ;; esac
done
if [ ${#WHAT[@]} -eq 0 ]; then
  WHAT=(docker kube worker)
  pf_kueue_enabled && WHAT+=(kueue)
fi

PASS=0; FAIL=0
check() { # description, then command
  local desc="$1"; shift
  local t0 out; t0="$(pf_now)"
  if out="$("$@" 2>&1)"; then
    PASS=$((PASS + 1)); printf 'PASS  %-70s %6ss\n' "$desc" "$(pf_since "$t0")"
  else
    FAIL=$((FAIL + 1)); printf 'FAIL  %-70s %6ss\n' "$desc" "$(pf_since "$t0")"
    printf '%s\n' "$out" | tail -n 25 | sed 's/^/      | /'
  fi
}

# ------------------------------------------------------------------ docker
WORK="$(mktemp -d)"
NS="pf-verify-$$"
cleanup() {
  rm -rf "$WORK"
  if [[ " ${WHAT[*]} " == *" kube "* || " ${WHAT[*]} " == *" worker "* ]]; then
    pf_kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

base_ref() { # public name -> local registry reference, from base-images.json
  sed -n "s|.*\"$1\": *\"\([^\"]*\)\".*|\1|p" "$PF_BASE_IMAGES"
}

docker_buildkit_secret() {
  # The Debian docker.io CLI (/usr/bin/docker, 20.10) drives the daemon's
  # BuildKit itself; newer CLIs need the buildx plugin, which is not installed.
  local cli=/usr/bin/docker
  [ -x "$cli" ] || { echo "no /usr/bin/docker (Debian docker.io CLI)"; return 1; }
  mkdir -p "$WORK/secret"; echo "s3cr3t-$$" > "$WORK/secret.txt"
  cat > "$WORK/secret/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
RUN --mount=type=secret,id=x test -s /run/secrets/x && wc -c < /run/secrets/x > /secret-size
RUN test ! -e /run/secrets/x
EOF
  DOCKER_BUILDKIT=1 DOCKER_HOST="$PF_DOCKER_HOST" "$cli" build --progress plain --network host \
    --secret "id=x,src=$WORK/secret.txt" -t pf-verify/secret:latest "$WORK/secret" || return 1
  # the secret must not end up in any layer
  ! pf_docker history --no-trunc pf-verify/secret:latest | grep -q "s3cr3t-$$" || { echo "secret leaked"; return 1; }
  pf_docker rmi pf-verify/secret:latest >/dev/null
}

docker_python_build() {
  local py; py="$(base_ref 'python:3.11-slim-bookworm')"
  [ -n "$py" ] || { echo "no python:3.11-slim-bookworm in $PF_BASE_IMAGES"; return 1; }
  mkdir -p "$WORK/py"
  cat > "$WORK/py/Dockerfile" <<EOF
FROM $py
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jq \\
    && rm -rf /var/lib/apt/lists/* && jq --version
RUN pip install --no-cache-dir six==1.16.0 && python -c 'import six; print("six", six.__version__)'
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir idna==3.7 && /opt/venv/bin/python -c 'import idna'
EOF
  DOCKER_BUILDKIT=0 pf_docker build --network host -t "$PF_REGISTRY/pf-verify/python-app:v1" "$WORK/py"
}

registry_roundtrip() {
  local ref="$PF_REGISTRY/pf-verify/python-app:v1"
  pf_docker push "$ref" || return 1
  pf_registry_has pf-verify/python-app v1 || { echo "HEAD /v2/pf-verify/python-app/manifests/v1 failed"; return 1; }
  pf_registry_curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "https://$PF_REGISTRY/v2/pf-verify/python-app/manifests/v1" | grep -i '^docker-content-digest:' || return 1
  # TLS, verified with the platform's CA: plain HTTP and an unknown CA are refused
  ! curl -fsS --max-time 3 -o /dev/null "http://$PF_REGISTRY/v2/" 2>/dev/null || { echo "the registry answers plain HTTP"; return 1; }
  local rc=0
  env -u SSL_CERT_DIR -u SSL_CERT_FILE -u CURL_CA_BUNDLE curl -fsS --max-time 3 -o /dev/null "https://$PF_REGISTRY/v2/" 2>/dev/null || rc=$?
  [ "$rc" = 60 ] || { echo "without the platform's CA, curl should refuse the registry's certificate (exit 60), got exit $rc"; return 1; }
  pf_docker rmi "$ref" >/dev/null || return 1
  pf_docker pull "$ref" >/dev/null || return 1
  pf_docker run --rm --network none "$ref" python -c 'import six, sys; print(sys.version)' || return 1
  pf_docker rmi "$ref" >/dev/null
}

base_image_props() {
  local py; py="$(base_ref 'python:3.11-slim-bookworm')"
  # shellcheck disable=SC2016  # the script runs in the container's shell
  pf_docker run --rm --network none "$py" sh -c '
    set -e
    python --version 2>&1 | grep -q "^Python 3\.11\."
    test "$(readlink -f /usr/local/bin/python)" = "$(readlink -f /usr/bin/python3.11)"
    command -v pip >/dev/null
    python -m venv /tmp/v
    test -n "$PIP_CERT" && test -f "$PIP_CERT" && test -n "$SSL_CERT_FILE" && test -n "$REQUESTS_CA_BUNDLE"
    . /etc/os-release; test "$VERSION_CODENAME" = bookworm
    echo ok'
}

# ------------------------------------------------------------------ kube
k() { pf_kubectl "$@"; }

wait_for() { # timeout-seconds, then command; polls until it succeeds
  local timeout="$1"; shift
  local deadline=$(( $(date +%s) + timeout ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

nodes_ready() {
  "$(pf_nodes_bin_dir)/platform-nodes" wait -f "$PF_REPO/platform/nodes.yaml" --kubeconfig "$PF_KUBECONFIG" --timeout 30s
}

namespace_ready() {
  k create namespace "$NS" >/dev/null || return 1
  wait_for 30 k -n "$NS" get serviceaccount default
}

pod_on() { # pod, expected node
  [ "$(k -n "$NS" get pod "$1" -o jsonpath='{.spec.nodeName}')" = "$2" ] \
    && [ "$(k -n "$NS" get pod "$1" -o jsonpath='{.status.phase}')" = Running ]
}

gpu_pod_scheduled() {
  k -n "$NS" apply -f - <<'EOF' || return 1
apiVersion: v1
kind: Pod
metadata: {name: a100-80gb}
spec:
  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-a100-80gb}
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: primary
    image: 127.0.0.1:30000/library/python:3.11-slim-bookworm
    resources:
      requests: {cpu: "1", memory: 1Gi, nvidia.com/gpu: "1"}
      limits: {nvidia.com/gpu: "1"}
EOF
  wait_for 30 pod_on a100-80gb gke-a100-80gb || { k -n "$NS" get pod a100-80gb -o wide; return 1; }
  k -n "$NS" get pod a100-80gb -o wide
}

tpu_pod_scheduled() {
  k -n "$NS" apply -f - <<'EOF' || return 1
apiVersion: v1
kind: Pod
metadata: {name: tpu-v5p}
spec:
  nodeSelector:
    cloud.google.com/gke-tpu-accelerator: tpu-v5p-slice
    cloud.google.com/gke-tpu-topology: 2x2x1
  tolerations: [{key: google.com/tpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: primary
    image: 127.0.0.1:30000/library/python:3.11-slim-bookworm
    resources:
      requests: {google.com/tpu: "4"}
      limits: {google.com/tpu: "4"}
EOF
  wait_for 30 pod_on tpu-v5p gke-tpu-v5p-2x2x1 || { k -n "$NS" get pod tpu-v5p -o wide; return 1; }
}

unschedulable_is_pending() {
  k -n "$NS" apply -f - <<'EOF' || return 1
apiVersion: v1
kind: Pod
metadata: {name: impossible}
spec:
  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: primary
    image: busybox
    resources:
      requests: {nvidia.com/gpu: "16"}
      limits: {nvidia.com/gpu: "16"}
EOF
  # shellcheck disable=SC2329  # called by wait_for, by name
  failed_scheduling() {
    k -n "$NS" get events --field-selector involvedObject.name=impossible,reason=FailedScheduling \
      -o jsonpath='{.items[*].message}' | grep -q 'nvidia.com/gpu'
  }
  wait_for 30 failed_scheduling || { k -n "$NS" describe pod impossible; return 1; }
  [ "$(k -n "$NS" get pod impossible -o jsonpath='{.status.phase}')" = Pending ] || return 1
  [ -z "$(k -n "$NS" get pod impossible -o jsonpath='{.spec.nodeName}')" ] || return 1
  k -n "$NS" get pod impossible -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}{": "}{.status.conditions[?(@.type=="PodScheduled")].message}{"\n"}'
}

job_completes() {
  k -n "$NS" apply -f - <<'EOF' || return 1
apiVersion: batch/v1
kind: Job
metadata: {name: hello}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: primary
        image: 127.0.0.1:30000/library/python:3.11-slim-bookworm
        command: [python, -c, "print('hello')"]
EOF
  k -n "$NS" wait --for=condition=Complete job/hello --timeout=60s || { k -n "$NS" describe job hello; k -n "$NS" get pods -o wide; return 1; }
  k -n "$NS" get pods -l job-name=hello -o wide
}

kueue_webhooks() {
  local out
  out="$(k apply --dry-run=server -f - 2>&1 <<'EOF'
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: pf-verify-invalid}
spec:
  namespaceSelector: {}
  resourceGroups:
  - coveredResources: [cpu]
    flavors:
    - name: pf-verify
      resources: [{name: cpu, nominalQuota: "1", lendingLimit: "2"}]
EOF
)" && { echo "an invalid ClusterQueue was accepted"; return 1; }
  echo "$out" | grep -q 'admission webhook "vclusterqueue.kb.io" denied the request' || { echo "$out"; return 1; }
}

kueue_admits_job() {
  k apply -f - <<EOF || return 1
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata: {name: pf-verify-$$}
spec: {nodeLabels: {cloud.google.com/gke-nodepool: default-pool}}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: pf-verify-$$}
spec:
  namespaceSelector: {}
  resourceGroups:
  - coveredResources: [cpu, memory]
    flavors:
    - name: pf-verify-$$
      resources: [{name: cpu, nominalQuota: "1"}, {name: memory, nominalQuota: 1Gi}]
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata: {name: q, namespace: $NS}
spec: {clusterQueue: pf-verify-$$}
---
apiVersion: batch/v1
kind: Job
metadata: {name: queued, namespace: $NS, labels: {kueue.x-k8s.io/queue-name: q}}
spec:
  suspend: true
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: primary
        image: 127.0.0.1:30000/library/python:3.11-slim-bookworm
        command: [python, -c, "print('queued')"]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
EOF
  local ok=0
  k -n "$NS" wait --for=condition=Complete job/queued --timeout=90s || ok=1
  [ "$(k -n "$NS" get job queued -o 'jsonpath={.spec.template.spec.nodeSelector.cloud\.google\.com/gke-nodepool}')" = default-pool ] \
    || { echo "Kueue did not add the flavour's node label"; ok=1; }
  [ "$ok" = 0 ] || { k -n "$NS" describe job queued; k -n "$NS" get workloads -o yaml; }
  k -n "$NS" delete job queued --wait=false >/dev/null 2>&1
  k -n "$NS" delete localqueue q --wait=false >/dev/null 2>&1
  k delete clusterqueue "pf-verify-$$" --wait=false >/dev/null 2>&1
  k delete resourceflavor "pf-verify-$$" --wait=false >/dev/null 2>&1
  return "$ok"
}

kueue_ignores_unlabelled_job() {
  k -n "$NS" create job plain --image=127.0.0.1:30000/library/python:3.11-slim-bookworm -- python -c 'print(1)' >/dev/null || return 1
  [ "$(k -n "$NS" get job plain -o 'jsonpath={.spec.suspend}')" = false ] || { echo "an unlabelled Job was suspended"; return 1; }
  k -n "$NS" delete job plain --wait=false >/dev/null
}

deployment_runs() {
  # the pods may land on the real node: give them something to run
  k -n "$NS" create deployment web --image=127.0.0.1:30000/library/python:3.11-slim-bookworm --replicas=2 \
    -- python -c 'import time; time.sleep(3600)' >/dev/null || return 1
  k -n "$NS" rollout status deployment/web --timeout=60s
}

cronjob_spawns_job() {
  k -n "$NS" create cronjob tick --image=127.0.0.1:30000/library/python:3.11-slim-bookworm --schedule='* * * * *' -- true >/dev/null || return 1
  # shellcheck disable=SC2329  # called by wait_for, by name
  has_job() { [ -n "$(k -n "$NS" get jobs -o jsonpath='{.items[?(@.metadata.ownerReferences[0].name=="tick")].metadata.name}')" ]; }
  wait_for 75 has_job
}

# ------------------------------------------------------------------ worker
ensure_namespace() {
  k get namespace "$NS" >/dev/null 2>&1 || namespace_ready
}

worker_is_real() {
  local kv rt ann
  kv="$(k get node "$PF_WORKER_NAME" -o jsonpath='{.status.nodeInfo.kubeletVersion}')" || return 1
  rt="$(k get node "$PF_WORKER_NAME" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}')"
  ann="$(k get node "$PF_WORKER_NAME" -o jsonpath='{.metadata.annotations.kwok\.x-k8s\.io/node}')"
  echo "kubelet $kv, runtime $rt, kwok annotation '${ann}'"
  [ "$kv" = "$PF_KUBE_VERSION" ] && [[ "$rt" == containerd://* ]] && [ -z "$ann" ] && pf_worker_ready
}

# Every daemon of the platform runs with umask 022 (pf_start), whatever the shell that
# started it had: containerd unpacks image layers with it, and a 0700 layer root keeps
# every non-root task from reading / (on a fresh machine the kubeconfig's umask 077 once
# leaked into the daemons started after it).
daemons_umask() {
  local f name pid mask bad=0
  for f in "$PF_RUN"/*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    pid="$(pf_pid "$name")" || continue
    mask="$(awk '/^Umask:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
    echo "$name: umask $mask"
    [ "$mask" = 0022 ] || bad=1
  done
  [ "$bad" = 0 ]
}

worker_runs_pod() {
  ensure_namespace || return 1
  k -n "$NS" create secret generic probe --from-literal=token="s3cr3t-$$" >/dev/null || return 1
  k -n "$NS" apply -f - <<EOF || return 1
apiVersion: v1
kind: Pod
metadata: {name: real}
spec:
  restartPolicy: Never
  nodeSelector: {kubernetes.io/hostname: $PF_WORKER_NAME}
  securityContext: {runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000}
  containers:
  - name: primary
    image: 127.0.0.1:30000/library/python:3.11-slim-bookworm
    command: [python, -c]
    args:
    - |
      import os
      st = os.statvfs("/dev/shm")
      token = open("/etc/flyte/secrets/probe/token").read()
      print("uid", os.getuid(), "shm", st.f_blocks * st.f_frsize, "secret-ok", token == os.environ["EXPECTED"])
    env: [{name: EXPECTED, value: "s3cr3t-$$"}]
    volumeMounts:
    - {name: secret, mountPath: /etc/flyte/secrets/probe, readOnly: true}
    - {name: shm, mountPath: /dev/shm}
  volumes:
  - {name: secret, secret: {secretName: probe, defaultMode: 0440}}
  - {name: shm, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
EOF
  # shellcheck disable=SC2329  # called by wait_for, by name
  succeeded() { [ "$(k -n "$NS" get pod real -o jsonpath='{.status.phase}')" = Succeeded ]; }
  wait_for 120 succeeded || { k -n "$NS" describe pod real | tail -25; k -n "$NS" logs real; return 1; }
  local out ip; out="$(k -n "$NS" logs real)" || return 1
  ip="$(k -n "$NS" get pod real -o jsonpath='{.status.podIP}')"
  echo "$out (pod IP $ip)"
  [ "$out" = "uid 1000 shm 67108864 secret-ok True" ] && [ -n "$ip" ]
}

worker_exec() {
  ensure_namespace || return 1
  k -n "$NS" run sleeper --image=127.0.0.1:30000/library/python:3.11-slim-bookworm --restart=Never \
    --overrides="{\"spec\":{\"nodeSelector\":{\"kubernetes.io/hostname\":\"$PF_WORKER_NAME\"}}}" \
    -- python -c 'import time; time.sleep(3600)' >/dev/null || return 1
  k -n "$NS" wait --for=condition=Ready pod/sleeper --timeout=90s >/dev/null || { k -n "$NS" describe pod sleeper | tail -20; return 1; }
  [ "$(k -n "$NS" exec sleeper -- python -c 'print(6 * 7)')" = 42 ]
}

for w in "${WHAT[@]}"; do
  case "$w" in
    docker)
      pf_docker_ok || { echo "docker is not up: run 'npm run platform -- up' first"; FAIL=$((FAIL + 1)); continue; }
      check "docker: BuildKit build with RUN --mount=type=secret (daemon API)" docker_buildkit_secret
      check "base image: python 3.11 on PATH, venv, CA env, bookworm" base_image_props
      check "docker: build FROM local python base, apt-get install + pip install" docker_python_build
      check "registry: TLS (platform CA), push, HEAD /v2/<name>/manifests/<tag>, pull, run" registry_roundtrip
      ;;
    kube)
      pf_apiserver_ok || { echo "kube-apiserver is not up: run 'npm run platform -- up' first"; FAIL=$((FAIL + 1)); continue; }
      check "kube: all nodes of platform/nodes.yaml Ready" nodes_ready
      check "kube: new namespace gets its default ServiceAccount" namespace_ready
      check "kube: nvidia.com/gpu pod -> gke-a100-80gb (kube-scheduler)" gpu_pod_scheduled
      check "kube: google.com/tpu pod -> gke-tpu-v5p-2x2x1" tpu_pod_scheduled
      check "kube: impossible pod stays Pending with FailedScheduling" unschedulable_is_pending
      check "kube: batch/v1 Job completes (on the worker: its pod really runs)" job_completes
      check "kube: Deployment rolls out (ReplicaSet controller)" deployment_runs
      [ "$FULL" = 1 ] && check "kube: CronJob spawns a Job (up to 75s)" cronjob_spawns_job
      ;;
    worker)
      pf_apiserver_ok || { echo "kube-apiserver is not up: run 'npm run platform -- up' first"; FAIL=$((FAIL + 1)); continue; }
      check "worker: node $PF_WORKER_NAME is a real kubelet $PF_KUBE_VERSION on containerd" worker_is_real
      check "worker: the platform's daemons run with umask 022 (layers readable by non-root tasks)" daemons_umask
      check "worker: pod runs as uid 1000, reads its 0440 secret (fsGroup), /dev/shm 64Mi, logs" worker_runs_pod
      check "worker: kubectl exec into a running container" worker_exec
      ;;
    kueue)
      pf_kueue_ok || { echo "kueue is not up: run 'npm run platform -- kueue' first"; FAIL=$((FAIL + 1)); continue; }
      k create namespace "$NS" >/dev/null 2>&1 || true
      check "kueue: the API server reaches its webhooks (an invalid ClusterQueue is refused)" kueue_webhooks
      check "kueue: a queued Job is admitted, gets the flavour's node label, completes" kueue_admits_job
      check "kueue: a Job without the queue label is left alone" kueue_ignores_unlabelled_job
      ;;
  esac
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
