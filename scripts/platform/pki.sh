# shellcheck shell=bash
# Certificates and kubeconfigs for the local control plane (sourced by
# scripts/platform.sh). Generated once with openssl into $PF_PKI; kept across
# up/down so the kubeconfig stays valid.
#
#   ca.{crt,key}                  cluster CA (signs everything below)
#   apiserver.{crt,key}           serving cert for 127.0.0.1 / localhost / kubernetes.default...
#   admin.{crt,key}               CN=pulumi-flyte-admin, O=system:masters   -> $PF_KUBECONFIG
#   controller-manager.{crt,key}  CN=system:kube-controller-manager
#   scheduler.{crt,key}           CN=system:kube-scheduler
#   kwok.{crt,key}                CN=kwok-controller, O=system:masters (plays every kubelet)
#   sa.{key,pub}                  service-account token signing key pair
#   front-proxy-ca.{crt,key}      aggregation layer CA (requestheader authn)
#   front-proxy-client.{crt,key}  CN=front-proxy-client, used by the apiserver to
#                                 call aggregated APIs
#   registry.{crt,key}            serving cert of the local registry (127.0.0.1, localhost, ::1)
#
# Who trusts the CA for the registry (no client is told to skip verification):
#   $PF_TRUST_DIR                 ca.crt and its OpenSSL hash link: SSL_CERT_DIR of the
#                                 platform's env file, read by Go programs (the Pulumi CLI,
#                                 the docker-build provider's refresh), OpenSSL (curl) and our
#                                 registry lookups (sdk/src/build/trust.ts)
#   /etc/docker/certs.d/<host>/   ca.crt for dockerd and its BuildKit, per registry address
#                                 (PF_REGISTRY_HOSTS)
#   the worker's containerd       hosts.toml `ca` (scripts/platform/worker.sh)

_pf_ca() { # name CN
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PF_PKI/$1.key" \
    -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PF_PKI/$1.crt" 2>/dev/null
}

_pf_cert() { # name subject [serverSANs] [ca]
  local name="$1" subj="$2" san="${3:-}" ca="${4:-ca}" ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then
      echo "extendedKeyUsage=serverAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } > "$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PF_PKI/$name.key" \
    -subj "$subj" -out "$PF_PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PF_PKI/$name.csr" -CA "$PF_PKI/$ca.crt" -CAkey "$PF_PKI/$ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$ext" -out "$PF_PKI/$name.crt" 2>/dev/null
  rm -f "$ext" "$PF_PKI/$name.csr"
}

_pf_kubeconfig() { # out user cert
  local out="$1" user="$2" cert="$3"
  # a subshell: the caller's umask must not change (it leaked once into the daemons
  # started after, and containerd's 0700 layer roots locked non-root tasks out)
  (
  umask 077
  cat > "$out.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pulumi-flyte-local
  cluster:
    server: https://$PF_HOST:$PF_APISERVER_PORT
    certificate-authority-data: $(base64 -w0 < "$PF_PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 < "$PF_PKI/$cert.crt")
    client-key-data: $(base64 -w0 < "$PF_PKI/$cert.key")
contexts:
- name: pulumi-flyte-local
  context:
    cluster: pulumi-flyte-local
    user: $user
current-context: pulumi-flyte-local
EOF
  mv "$out.tmp" "$out"
  )
}

pf_pki() {
  mkdir -p "$PF_PKI"
  if [ -s "$PF_PKI/ca.crt" ] && [ -s "$PF_PKI/kwok.crt" ] && [ -s "$PF_PKI/sa.pub" ] && [ -s "$PF_PKI/front-proxy-client.crt" ] \
     && [ -s "$PF_KUBECONFIG" ] && [ -s "$PF_PKI/scheduler.kubeconfig" ]; then
    return 0
  fi
  pf_log "generating CA, certificates and kubeconfigs in $PF_PKI"
  (
    umask 077
    # a CA that exists is kept: the registry's certificate and every client's trust stay valid
    [ -s "$PF_PKI/ca.crt" ] && [ -s "$PF_PKI/ca.key" ] || _pf_ca ca pulumi-flyte-local-ca
    _pf_ca front-proxy-ca pulumi-flyte-local-front-proxy-ca
    _pf_cert front-proxy-client "/CN=front-proxy-client" "" front-proxy-ca
    _pf_cert apiserver "/CN=kube-apiserver" \
      "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
    _pf_cert admin "/O=system:masters/CN=pulumi-flyte-admin"
    _pf_cert controller-manager "/CN=system:kube-controller-manager"
    _pf_cert scheduler "/CN=system:kube-scheduler"
    _pf_cert kwok "/O=system:masters/CN=kwok-controller"
    openssl genrsa -out "$PF_PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PF_PKI/sa.key" -pubout -out "$PF_PKI/sa.pub" 2>/dev/null
    rm -f "$PF_PKI"/*.srl
  )
  _pf_kubeconfig "$PF_PKI/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
  _pf_kubeconfig "$PF_PKI/scheduler.kubeconfig" system:kube-scheduler scheduler
  _pf_kubeconfig "$PF_PKI/kwok.kubeconfig" kwok-controller kwok
  _pf_kubeconfig "$PF_KUBECONFIG" pulumi-flyte-admin admin
}

# ---------------------------------------------------------------- registry TLS
PF_REGISTRY_SANS="DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"

# The registry's serving certificate, signed by the platform's CA (made once; made again
# when the CA changed or the names it covers did).
pf_registry_pki() {
  mkdir -p "$PF_PKI"
  (
    umask 077
    [ -s "$PF_PKI/ca.crt" ] && [ -s "$PF_PKI/ca.key" ] || _pf_ca ca pulumi-flyte-local-ca
    if [ -s "$PF_PKI/registry.crt" ] && [ -s "$PF_PKI/registry.key" ] \
       && openssl verify -CAfile "$PF_PKI/ca.crt" "$PF_PKI/registry.crt" >/dev/null 2>&1 \
       && [ "$(_pf_cert_sans "$PF_PKI/registry.crt")" = "$PF_REGISTRY_SANS" ]; then
      exit 0
    fi
    pf_log "generating the registry's certificate ($PF_REGISTRY_SANS) in $PF_PKI"
    _pf_cert registry "/CN=pulumi-flyte-local-registry" "$PF_REGISTRY_SANS"
    rm -f "$PF_PKI"/*.srl
  )
}

# "DNS:localhost,IP:127.0.0.1,..." as openssl prints a certificate's subjectAltName.
_pf_cert_sans() {
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 \
    | sed 's/^ *//; s/IP Address:/IP:/g; s/, /,/g'
}

# The platform CA where every client of the registry looks for it. Returns 0 when a
# Docker certs.d entry was added or changed (dockerd's BuildKit reads the list of
# certs.d entries when the daemon starts: it must restart to use a new one).
pf_registry_trust() {
  local changed=1 host dir
  mkdir -p "$PF_TRUST_DIR"
  if ! cmp -s "$PF_PKI/ca.crt" "$PF_TRUST_DIR/ca.crt"; then
    rm -f "$PF_TRUST_DIR"/*
    install -m 0644 "$PF_PKI/ca.crt" "$PF_TRUST_DIR/ca.crt"
    ln -sf ca.crt "$PF_TRUST_DIR/$(openssl x509 -in "$PF_PKI/ca.crt" -noout -hash).0"
  fi
  for host in $PF_REGISTRY_HOSTS; do
    dir="$PF_DOCKER_CERTS_DIR/$host"
    if ! cmp -s "$PF_PKI/ca.crt" "$dir/ca.crt"; then
      mkdir -p "$dir"
      install -m 0644 "$PF_PKI/ca.crt" "$dir/ca.crt.tmp" && mv "$dir/ca.crt.tmp" "$dir/ca.crt"
      changed=0
    fi
  done
  return $changed
}

# Removes what pf_registry_trust put outside $PF_STATE (down --purge).
pf_registry_trust_down() {
  local host
  for host in $PF_REGISTRY_HOSTS; do
    rm -f "$PF_DOCKER_CERTS_DIR/$host/ca.crt"
    rmdir "$PF_DOCKER_CERTS_DIR/$host" 2>/dev/null || true
  done
  rm -rf "$PF_TRUST_DIR"
}
