# shellcheck shell=bash
# Local base images (sourced by scripts/platform.sh). Nothing can be pulled
# from Docker Hub here, so the public names our Image API starts from are
# rebuilt from Debian packages and pushed to the local registry:
#
#   debian:bookworm-slim       debootstrap --variant=minbase bookworm, updated
#                              from bookworm-updates/-security, docs/man/locales
#                              stripped like the official slim image
#   python:3.11-slim-bookworm  the above + Debian's python3 (3.11), python3-venv,
#                              python3-pip, ca-certificates; python/python3/pip
#                              on PATH in /usr/local/bin like the official image;
#                              pip may install system-wide (EXTERNALLY-MANAGED
#                              removed: the official image's Python is not
#                              Debian-managed either)
#
# Only Python 3.11 is provided: that is what bookworm ships. Other versions are
# not faked. The tag's M.m is read from the built image, never assumed.
#
# Property of THIS platform, not of user images: the machine's egress CA
# certificates (/usr/local/share/ca-certificates/*.crt) are added to the
# images' trust store and SSL_CERT_FILE / PIP_CERT / REQUESTS_CA_BUNDLE point
# at it, so pip/HTTPS inside builds work behind the TLS-intercepting proxy.
#
# Output: $PF_BASE_IMAGES maps public names to local registry references,
# e.g. {"python:3.11-slim-bookworm": "127.0.0.1:30000/library/python:3.11-slim-bookworm"}.
# Our image build component reads it via PULUMI_FLYTE_BASE_IMAGES=<path>.
# The daemon also gets the public names as local tags, so FROM python:3.11-slim-bookworm
# resolves locally even without rewriting.

PF_IMAGES_DIR="$PF_STATE/images"

# The first archive URI this machine's apt sources give for a Debian suite ($1, e.g.
# bookworm or bookworm-security), from one-line (*.list, sources.list) and deb822
# (*.sources) files under $2 (default $PF_APT_ETC, else /etc/apt); nothing when none serves it.
pf_apt_suite_uri() {
  local suite="$1" etc="${2:-${PF_APT_ETC:-/etc/apt}}" f
  for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI suite components...
    awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == s) { print $i; exit } }' "$f"
  done | head -n1 | grep . && return 0
  for f in "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # stanzas of Key: value lines, separated by blank lines
    awk -v s="$suite" 'function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " s " ")) { split(uris, u, " "); print u[1]; found = 1; exit } types = uris = suites = enabled = "" }
      /^[ \t]*$/ { flush(); next } /^#/ { next }
      { k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, ""); if (k == "types") types = $0; else if (k == "uris") uris = $0; else if (k == "suites") suites = $0; else if (k == "enabled") enabled = tolower($0) }
      END { if (!found) flush() }' "$f"
  done | head -n1 | grep .
}

# Where the base images' Debian packages come from: PULUMI_FLYTE_DEBIAN_MIRROR and
# PULUMI_FLYTE_DEBIAN_SECURITY when set, else the archives this machine's apt already
# uses for bookworm and bookworm-security (no mirror is written into these scripts).
pf_debian_sources() {
  PF_DEBIAN_MIRROR="${PULUMI_FLYTE_DEBIAN_MIRROR:-$(pf_apt_suite_uri bookworm || true)}"
  PF_DEBIAN_SECURITY="${PULUMI_FLYTE_DEBIAN_SECURITY:-$(pf_apt_suite_uri bookworm-security || true)}"
  [ -n "$PF_DEBIAN_MIRROR" ] \
    || pf_die "no Debian archive for bookworm in this machine's apt sources (/etc/apt); set PULUMI_FLYTE_DEBIAN_MIRROR to one (e.g. http://<mirror>/debian)"
  [ -n "$PF_DEBIAN_SECURITY" ] \
    || pf_die "no Debian archive for bookworm-security in this machine's apt sources (/etc/apt); set PULUMI_FLYTE_DEBIAN_SECURITY to one (e.g. http://<mirror>/debian-security)"
}

_pf_images_recipe() {
  # Anything that changes what we build changes this hash (function bodies
  # without comments, mirrors, the CA certificates baked in).
  {
    echo "recipe 1 $PF_DEBIAN_MIRROR $PF_DEBIAN_SECURITY"
    declare -f _pf_slim_rootfs _pf_debian_slim_dockerfile _pf_python_dockerfile
    cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
  } | sha256sum | cut -c1-16
}

# Turn a debootstrap minbase tree into what the official bookworm-slim image
# is: apt sources incl. updates/security, no docs/man/locales (and dpkg told
# to keep them out), no apt caches. Done on the tree before `docker import`,
# so the removed files never land in a layer.
_pf_slim_rootfs() {
  local r="$1"
  # Never let an empty or wrong argument turn this into a cleanup of the host.
  case "$r" in "$PF_IMAGES_DIR"/*) ;; *) pf_die "refusing to slim '$r' (not under $PF_IMAGES_DIR)" ;; esac
  [ -x "$r/usr/bin/apt-get" ] && [ -d "$r/etc/dpkg/dpkg.cfg.d" ] || pf_die "$r is not a debootstrap tree"
  rm -f "$r/etc/apt/sources.list"
  printf '%s\n' \
    "Types: deb" "URIs: $PF_DEBIAN_MIRROR" "Suites: bookworm bookworm-updates" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
    "Types: deb" "URIs: $PF_DEBIAN_SECURITY" "Suites: bookworm-security" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
    > "$r/etc/apt/sources.list.d/debian.sources"
  printf '%s\n' \
    'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/lintian/*' \
    'path-exclude /usr/share/linda/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' \
    > "$r/etc/dpkg/dpkg.cfg.d/slim"
  echo 'Acquire::Languages "none";' > "$r/etc/apt/apt.conf.d/no-languages"
  find "$r/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$r/usr/share/man" "$r/usr/share/info" "$r/usr/share/groff" "$r/usr/share/lintian"
  mkdir -p "$r/usr/share/man"
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/cache/apt/"*.bin "$r/var/lib/apt/lists/"* \
    "$r/var/log/apt/"* "$r/var/log/dpkg.log" "$r/var/log/bootstrap.log" "$r/var/log/alternatives.log"
}

_pf_debian_slim_dockerfile() {
  cat <<'EOF'
FROM pulumi-flyte/bookworm-minbase:rootfs
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get -y upgrade; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log
CMD ["bash"]
EOF
}

_pf_python_dockerfile() {
  cat <<'EOF'
FROM debian:bookworm-slim
COPY ca/ /usr/local/share/ca-certificates/
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates python3 python3-venv python3-pip; \
    update-ca-certificates; \
    rm -f /usr/lib/python3*/EXTERNALLY-MANAGED; \
    v="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"; \
    for n in python python3 "python$v"; do ln -sf "/usr/bin/python$v" "/usr/local/bin/$n"; done; \
    for n in pip pip3 "pip$v"; do ln -sf /usr/bin/pip3 "/usr/local/bin/$n"; done; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log; \
    python --version; pip --version
ENV LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
EOF
}

# Build context for the python image: its Dockerfile and the CA certificates.
_pf_python_context() {
  local ctx="$1"
  rm -rf "$ctx"; mkdir -p "$ctx/ca"
  _pf_python_dockerfile > "$ctx/Dockerfile"
  local c
  for c in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$c" ] && cp "$c" "$ctx/ca/"
  done
  return 0
}

_pf_push() { # local-name registry-path
  pf_docker tag "$1" "$PF_REGISTRY/$2" >/dev/null
  pf_docker push "$PF_REGISTRY/$2" > "$PF_LOGS/push.log" 2>&1 || { tail "$PF_LOGS/push.log" >&2; pf_die "push $2 failed"; }
}

pf_images_up() {
  mkdir -p "$PF_IMAGES_DIR"
  pf_debian_sources
  local recipe; recipe="$(_pf_images_recipe)"
  local have_recipe=""; [ -f "$PF_IMAGES_DIR/recipe" ] && have_recipe="$(cat "$PF_IMAGES_DIR/recipe")"
  local pytag=""; [ -f "$PF_IMAGES_DIR/python-tag" ] && pytag="$(cat "$PF_IMAGES_DIR/python-tag")"

  if [ "$recipe" = "$have_recipe" ] && [ -n "$pytag" ] && [ -s "$PF_BASE_IMAGES" ] \
     && pf_registry_has library/debian bookworm-slim && pf_registry_has library/python "$pytag"; then
    # Registry has them: make sure the daemon has the public names as local tags too.
    local ref
    for ref in "debian:bookworm-slim library/debian:bookworm-slim" "python:$pytag library/python:$pytag"; do
      # shellcheck disable=SC2086  # "<local name> <registry path>": split on purpose
      set -- $ref
      if ! pf_docker image inspect "$1" >/dev/null 2>&1; then
        pf_docker pull -q "$PF_REGISTRY/$2" >/dev/null && pf_docker tag "$PF_REGISTRY/$2" "$1"
      fi
    done
    return 0
  fi

  command -v debootstrap >/dev/null || pf_apt_install debootstrap
  local t0 t1 rootfs="$PF_IMAGES_DIR/rootfs"
  pf_log "building base images (debootstrap minbase bookworm from $PF_DEBIAN_MIRROR) ..."
  t0="$(pf_now)"
  # images of a previous recipe, removed once the new ones are pushed
  local old_ids
  old_ids="$(pf_docker image inspect -f '{{.Id}}' "python:${pytag:-none}" debian:bookworm-slim 2>/dev/null || true)"  # children first
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$PF_DEBIAN_MIRROR" > "$PF_LOGS/debootstrap.log" 2>&1 \
    || { tail -20 "$PF_LOGS/debootstrap.log" >&2; pf_die "debootstrap failed"; }
  _pf_slim_rootfs "$rootfs"
  local t_deb; t_deb="$(pf_since "$t0")"
  t1="$(pf_now)"
  tar --numeric-owner -C "$rootfs" -c . | pf_docker import \
    -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - pulumi-flyte/bookworm-minbase:rootfs >/dev/null
  rm -rf "$rootfs"
  local t_imp; t_imp="$(pf_since "$t1")"

  t1="$(pf_now)"
  local ctx="$PF_IMAGES_DIR/ctx-debian"
  rm -rf "$ctx"; mkdir -p "$ctx"; _pf_debian_slim_dockerfile > "$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 pf_docker build -q --network host -t pulumi-flyte/debian:build "$ctx" > "$PF_LOGS/image-debian.log" 2>&1 \
    || { tail -30 "$PF_LOGS/image-debian.log" >&2; pf_die "debian:bookworm-slim build failed"; }
  # Flatten to one layer like the official image (the upgrade layer would
  # otherwise keep the superseded files of the rootfs layer).
  local cid; cid="$(pf_docker create pulumi-flyte/debian:build)"
  pf_docker export "$cid" | pf_docker import \
    -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - debian:bookworm-slim >/dev/null
  pf_docker rm "$cid" >/dev/null
  pf_docker rmi pulumi-flyte/debian:build pulumi-flyte/bookworm-minbase:rootfs >/dev/null
  local t_slim; t_slim="$(pf_since "$t1")"

  t1="$(pf_now)"
  ctx="$PF_IMAGES_DIR/ctx-python"
  _pf_python_context "$ctx"
  pf_docker build --network host -t pulumi-flyte/python:build "$ctx" > "$PF_LOGS/image-python.log" 2>&1 \
    || { tail -30 "$PF_LOGS/image-python.log" >&2; pf_die "python base image build failed"; }
  local mm
  mm="$(pf_docker run --rm --network none pulumi-flyte/python:build python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [[ "$mm" =~ ^3\.[0-9]+$ ]] || pf_die "could not read the Python version of the built image ($mm)"
  pytag="$mm-slim-bookworm"
  pf_docker tag pulumi-flyte/python:build "python:$pytag" >/dev/null
  pf_docker rmi pulumi-flyte/python:build >/dev/null
  local t_py; t_py="$(pf_since "$t1")"

  t1="$(pf_now)"
  _pf_push debian:bookworm-slim library/debian:bookworm-slim
  _pf_push "python:$pytag" "library/python:$pytag"
  local t_push; t_push="$(pf_since "$t1")"

  cat > "$PF_BASE_IMAGES.tmp" <<EOF
{
  "debian:bookworm-slim": "$PF_REGISTRY/library/debian:bookworm-slim",
  "python:$pytag": "$PF_REGISTRY/library/python:$pytag"
}
EOF
  mv "$PF_BASE_IMAGES.tmp" "$PF_BASE_IMAGES"
  local id
  for id in $old_ids; do pf_docker rmi "$id" >/dev/null 2>&1 || true; done
  echo "$pytag" > "$PF_IMAGES_DIR/python-tag"
  echo "$recipe" > "$PF_IMAGES_DIR/recipe"
  pf_log "base images ready in $(pf_since "$t0")s (debootstrap ${t_deb}s, import ${t_imp}s, debian:bookworm-slim ${t_slim}s, python:$pytag ${t_py}s, push ${t_push}s)"
  printf '%s\tbase-images\tdebootstrap=%ss import=%ss slim=%ss python=%ss push=%ss\n' \
    "$(date -u +%FT%TZ)" "$t_deb" "$t_imp" "$t_slim" "$t_py" "$t_push" >> "$PF_STATE/build-times.tsv"
}
