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
    _pf_ca ca pulumi-flyte-local-ca
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
