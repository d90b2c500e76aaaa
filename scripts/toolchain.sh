#!/usr/bin/env bash
# `npm run toolchain`: the offline Pulumi toolchain, built from the Go module proxy.
#
# Builds (once per machine, cached outside the repository) and installs:
#   pulumi                      CLI             tools/pulumi-cli
#   pulumi-language-nodejs      Node.js host    tools/language-nodejs
#   pulumi-resource-kubernetes  provider        tools/provider-kubernetes
#   pulumi-resource-docker-build provider       tools/provider-docker-build
#   pulumi-language-python      Python host     tools/language-hosts
#   pulumi-language-yaml        YAML host       tools/language-hosts
#   pulumi-language-go          Go host         tools/language-go (only with --go: the
#                                               tests generate and compile a Go SDK)
#
# Options: --go (also the Go host), --for LANGUAGES (comma-separated: typescript,
# python, yaml, go): build only what programs in those languages need, e.g. `npm run
# demo` builds `--for typescript` (CLI, Node.js host, providers, buildx: no Python or
# YAML host, no Python environment). Without --for, everything but the Go host.
# plus pulumi-resource-pulumi-nodejs (a two-line launcher for dynamic providers), the
# Python host's pulumi-language-python-exec script, and a Python virtual environment
# with the `pulumi` package from PyPI at the CLI's version ($PULUMI_FLYTE_PYTHON_VENV).
# The language host and the launcher are "bundled" plugins: they sit next to the
# CLI's executable, where the CLI looks for them first.
# The CLI goes on PATH via $PULUMI_FLYTE_BIN, the language host next to the CLI's
# executable (where the CLI looks for its bundled plugins); resource plugins are
# installed with `pulumi plugin install --file` into the PULUMI_HOME of
# scripts/env.sh, so the engine finds them with plugin acquisition disabled.
#
# Each binary lives in $PULUMI_FLYTE_CACHE/toolchain/<name>-<version>-<hash>/,
# where <hash> covers our module's go.mod, go.sum and sources: a second call (or
# a call after an unrelated change) only checks and prints the timing summary.
# A `pulumi` of the right version already on PATH is used as it is.
#
# Environment:
#   PULUMI_FLYTE_CACHE      cache root (see scripts/env.sh)
#   TOOLCHAIN_REBUILD=1     rebuild even if cached
#   GOCACHE, GOMODCACHE     as usual (point them at empty dirs to measure a cold build)
# Builds share Go's one build cache (GOCACHE) and module cache; the modules each build
# needs are downloaded in the background at the start, while the first build compiles.
# Built binaries are recorded with their wall and CPU time in
# $PULUMI_FLYTE_CACHE/toolchain/build-times.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
with_go=""
languages="typescript,python,yaml"
usage() { echo "usage: scripts/toolchain.sh [--go] [--for typescript,python,yaml,go]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --go) with_go=1 ;;
        --for) [ $# -ge 2 ] || usage; languages="$2"; shift ;;
        --for=*) languages="${1#--for=}" ;;
        *) usage ;;
    esac
    shift
done
for l in ${languages//,/ }; do
    case "$l" in typescript|nodejs|javascript|python|yaml|go) ;; *) echo "[toolchain] unknown language '$l'" >&2; usage ;; esac
done
wants() { [[ ",$languages," == *",$1,"* ]]; }
! wants go || with_go=1
want_hosts=""; { wants python || wants yaml; } && want_hosts=1
# shellcheck source=scripts/env.sh
source scripts/env.sh
root="$PULUMI_FLYTE_ROOT"
tc="$PULUMI_FLYTE_TOOLCHAIN"
mkdir -p "$tc" "$PULUMI_FLYTE_BIN" "$PULUMI_HOME" "$DOCKER_CONFIG"

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || die "go is not installed (expected /usr/local/go/bin/go)"
command -v node >/dev/null || die "node is not installed"

# Our modules pin every version in go.sum; the proxy here does not answer checksum
# database look-ups for some of them, and go.sum already holds the hashes.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi"
export GOFLAGS="-mod=readonly -buildvcs=false"
export CGO_ENABLED=0
ldflags_common="-s -w"

# Version of a module that one of our go.mod files requires.
gomod_version() { # <module dir> <module path>
    awk -v m="$2" '($1==m && $2 ~ /^v/){print $2; exit} ($1=="require" && $2==m){print $3; exit}' "$root/$1/go.mod"
}
# Short hash of our module's files: part of the cache key.
module_hash() { # <module dir>
    (cd "$root/$1" && cat go.mod go.sum ./*.go 2>/dev/null; echo "$ldflags_common") | sha256sum | cut -c1-12
}
# npm package pin in the root package.json.
npm_pin() { node -e 'const p=require(process.argv[1]);const n=process.argv[2];console.log((p.dependencies||{})[n]||(p.devDependencies||{})[n]||"")' "$root/package.json" "$1"; }

PULUMI_VERSION="$(gomod_version tools/pulumi-cli github.com/pulumi/pulumi/pkg/v3)"
LANG_NODEJS_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANG_NODEJS_PSEUDO="$(gomod_version tools/language-nodejs "$LANG_NODEJS_MODULE")"
LANG_NODEJS_SDK="$(gomod_version tools/language-nodejs github.com/pulumi/pulumi/sdk/v3)"
K8S_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
# The provider is built from the commit of a pulumi-kubernetes release; its version
# is that release's, which is also the sdk/v4 tag our go.mod pins.
K8S_VERSION="$(gomod_version tools/provider-kubernetes github.com/pulumi/pulumi-kubernetes/sdk/v4)"
K8S_VERSION="${K8S_VERSION#v}"

LANG_HOSTS_SDK="$(gomod_version tools/language-hosts github.com/pulumi/pulumi/sdk/v3)"
LANG_YAML_VERSION="$(gomod_version tools/language-hosts github.com/pulumi/pulumi-yaml)"
LANG_PYTHON_MODULE=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
LANG_GO_MODULE=github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3
LANG_GO_SDK="$(gomod_version tools/language-go github.com/pulumi/pulumi/sdk/v3)"

BUILDX_VERSION="$(gomod_version tools/docker-buildx github.com/docker/buildx)"
DOCKER_BUILD_VERSION="$(gomod_version tools/provider-docker-build github.com/pulumi/pulumi-docker-build)"
DOCKER_BUILD_VERSION="${DOCKER_BUILD_VERSION#v}"

[ "$(npm_pin @pulumi/docker-build)" = "$DOCKER_BUILD_VERSION" ] \
    || die "package.json pins @pulumi/docker-build '$(npm_pin @pulumi/docker-build)' but tools/provider-docker-build builds $DOCKER_BUILD_VERSION"
[ "$(npm_pin @pulumi/kubernetes)" = "$K8S_VERSION" ] \
    || die "package.json pins @pulumi/kubernetes $(npm_pin @pulumi/kubernetes) but tools/provider-kubernetes builds $K8S_VERSION"
[ "$(npm_pin @pulumi/pulumi)" = "${PULUMI_VERSION#v}" ] \
    || log "note: package.json pins @pulumi/pulumi $(npm_pin @pulumi/pulumi), the CLI is $PULUMI_VERSION"

declare -a summary=() keep=() families=()
# CPU seconds (user + system) of this shell's finished children, in $child_cpu: the
# second line of `times`, run in this shell (a subshell would see none of them)
times_file="$tc/.times.$$"
read_child_cpu() {
    times > "$times_file"
    child_cpu="$(awk 'NR==2 { n = split($0, f, /[ ms]+/); t = 0; for (i = 1; i + 1 <= n; i += 2) if (f[i] != "") t += f[i] * 60 + f[i + 1]; printf "%.1f", t }' "$times_file")"
    rm -f "$times_file"
}
cpu_start=""
record() { # <name> <version> <seconds> <state>
    local cpu=""
    if [ "$4" = built ] && [ -n "$cpu_start" ]; then
        read_child_cpu
        cpu="$(awk -v a="$cpu_start" -v b="$child_cpu" 'BEGIN{printf "%.1f", b-a}')"
        printf '%s\t%s\t%s\t%ss\tcpu=%ss\n' "$(date -u +%FT%TZ)" "$1" "$2" "$3" "$cpu" >> "$tc/build-times.tsv"
    fi
    summary+=("$(printf '%-28s %-40s %8ss  %s' "$1" "$2" "$3" "$4${cpu:+ (cpu ${cpu}s)}")")
}
mark_cpu() { read_child_cpu; cpu_start="$child_cpu"; }

# Build <packages> of our module <dir> into <out dir>; <src dir> defaults to the
# module itself (nothing is written into the repository either way).
go_build() { # <src dir> <out dir> <ldflags> <packages...>
    local src="$1" out="$2" ldflags="$3"; shift 3
    mkdir -p "$out.tmp"
    (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" "$@")
    if [ -n "${GO_BUILD_NAME:-}" ]; then
        local built
        built="$(find "$out.tmp" -maxdepth 1 -type f | head -n 1)"
        [ "$built" = "$out.tmp/$GO_BUILD_NAME" ] || mv "$built" "$out.tmp/$GO_BUILD_NAME"
    fi
    rm -rf "$out" && mv "$out.tmp" "$out"
}

link_bin() { ln -sfn "$1" "$PULUMI_FLYTE_BIN/$(basename "$1")"; }

# Sets $dir to the cache directory <name>-<version>-<hash of our module>, which the
# stale-build cleanup keeps.
cache_slot() { # <name> <version> <module dir>
    local key
    key="$1-$2-$(module_hash "$3")"
    dir="$tc/$key"
    keep+=("$key")
    families+=("$1")
}
# True when <binary> must be (re)built in $dir.
needs_build() { # <binary>
    [ -n "${TOOLCHAIN_REBUILD:-}" ] || [ ! -x "$dir/$1" ]
}

# ----------------------------------------------------------------- pulumi CLI
build_cli() {
    local t0 dir ext state
    t0="$(now)"; mark_cpu
    cache_slot pulumi "$PULUMI_VERSION" tools/pulumi-cli
    # A pulumi of the right version elsewhere on PATH (not ours) is used as it is.
    ext="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$PULUMI_FLYTE_BIN" | paste -sd:)" command -v pulumi || true)"
    if [ -z "${TOOLCHAIN_REBUILD:-}" ] && [ -n "$ext" ] && [ "$("$ext" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
        link_bin "$ext"
        record pulumi "$PULUMI_VERSION (from PATH: $ext)" "$(since "$t0")" "found"
        return
    fi
    if needs_build "pulumi"; then
        log "building pulumi $PULUMI_VERSION"
        go_build "$root/tools/pulumi-cli" "$dir" \
            "$ldflags_common -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
            github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
        state=built
    else
        state=cached
    fi
    [ "$("$dir/pulumi" version)" = "$PULUMI_VERSION" ] || die "$dir/pulumi does not report $PULUMI_VERSION"
    link_bin "$dir/pulumi"
    record pulumi "$PULUMI_VERSION" "$(since "$t0")" "$state"
}

# ------------------------------------------------------ Node.js language host
build_language_nodejs() {
    local t0 dir ext_dir cli_dir state
    t0="$(now)"; mark_cpu
    cache_slot language-nodejs "$LANG_NODEJS_PSEUDO" tools/language-nodejs
    # A pulumi found on PATH brings its own bundled language host.
    ext_dir="$(dirname "$(readlink -f "$PULUMI_FLYTE_BIN/pulumi")")"
    case "$ext_dir" in "$tc"/*) ext_dir="" ;; esac
    if [ -z "${TOOLCHAIN_REBUILD:-}" ] && [ -n "$ext_dir" ] && [ -x "$ext_dir/pulumi-language-nodejs" ]; then
        rm -f "$PULUMI_FLYTE_BIN/pulumi-language-nodejs"
        record pulumi-language-nodejs "(next to $ext_dir/pulumi)" "$(since "$t0")" "found"
        return
    fi
    if needs_build "pulumi-language-nodejs"; then
        log "building pulumi-language-nodejs $LANG_NODEJS_PSEUDO (sdk $LANG_NODEJS_SDK)"
        go_build "$root/tools/language-nodejs" "$dir" \
            "$ldflags_common -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANG_NODEJS_SDK" \
            "$LANG_NODEJS_MODULE"
        state=built
    else
        state=cached
    fi
    # The CLI takes its bundled language hosts from next to its own (resolved)
    # executable, and warns about one found on PATH instead: link it next to our
    # CLI; next to a CLI found elsewhere (we do not write there) it goes on PATH.
    cli_dir="$(dirname "$(readlink -f "$PULUMI_FLYTE_BIN/pulumi")")"
    case "$cli_dir" in
        "$tc"/*) rm -f "$PULUMI_FLYTE_BIN/pulumi-language-nodejs"
                 ln -sfn "$dir/pulumi-language-nodejs" "$cli_dir/pulumi-language-nodejs" ;;
        *) link_bin "$dir/pulumi-language-nodejs" ;;
    esac
    record pulumi-language-nodejs "$LANG_NODEJS_PSEUDO" "$(since "$t0")" "$state"
}

# Bundled plugins go next to our CLI, or on PATH when the CLI is not ours.
link_bundled() { # <file>
    local cli_dir
    cli_dir="$(dirname "$(readlink -f "$PULUMI_FLYTE_BIN/pulumi")")"
    case "$cli_dir" in
        "$tc"/*) rm -f "$PULUMI_FLYTE_BIN/$(basename "$1")"
                 ln -sfn "$1" "$cli_dir/$(basename "$1")" ;;
        *) link_bin "$1" ;;
    esac
}

# ------------------------------------------------ Python and YAML language hosts
# One module, one `go build`: pulumi-yaml v1.25.0 and the Python host share pulumi
# pkg/sdk v3.206.0 (see tools/language-hosts/go.mod for why that version). The Python
# host runs pulumi-language-python-exec, a script shipped in the sdk module.
build_language_hosts() {
    local t0 dir state sdkdir
    t0="$(now)"; mark_cpu
    cache_slot language-hosts "$LANG_HOSTS_SDK" tools/language-hosts
    if needs_build "pulumi-language-yaml" || [ ! -x "$dir/pulumi-language-python" ] || [ ! -x "$dir/pulumi-language-python-exec" ]; then
        log "building pulumi-language-python (sdk $LANG_HOSTS_SDK) and pulumi-language-yaml $LANG_YAML_VERSION"
        go_build "$root/tools/language-hosts" "$dir" \
            "$ldflags_common -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANG_HOSTS_SDK -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$LANG_YAML_VERSION" \
            github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$LANG_PYTHON_MODULE"
        sdkdir="$(cd "$root/tools/language-hosts" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
        install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$dir/pulumi-language-python-exec"
        state=built
    else
        state=cached
    fi
    for f in pulumi-language-python pulumi-language-python-exec pulumi-language-yaml; do link_bundled "$dir/$f"; done
    # the YAML host loads package schemas through the Node.js host, which it looks for
    # next to its own (resolved) executable or on PATH
    ln -sfn "$(readlink -f "$(dirname "$(readlink -f "$PULUMI_FLYTE_BIN/pulumi")")/pulumi-language-nodejs")" "$dir/pulumi-language-nodejs"
    record pulumi-language-python+yaml "$LANG_HOSTS_SDK / yaml $LANG_YAML_VERSION" "$(since "$t0")" "$state"
}

# ----------------------------------------------------------- Go language host
build_language_go() {
    local t0 dir state
    t0="$(now)"; mark_cpu
    cache_slot language-go "$LANG_GO_SDK" tools/language-go
    if needs_build "pulumi-language-go"; then
        log "building pulumi-language-go (sdk $LANG_GO_SDK)"
        go_build "$root/tools/language-go" "$dir" \
            "$ldflags_common -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANG_GO_SDK" "$LANG_GO_MODULE"
        state=built
    else
        state=cached
    fi
    link_bundled "$dir/pulumi-language-go"
    record pulumi-language-go "$LANG_GO_SDK" "$(since "$t0")" "$state"
}

# ------------------------------------------------------- Python environment
# Python programs run in this virtual environment: the `pulumi` package from PyPI at
# the CLI's version and `pulumi-kubernetes` at the provider's (the generated `flyte`
# SDK is installed into it by scripts/language-sdks.sh).
setup_python_venv() {
    local t0 venv version state
    t0="$(now)"; mark_cpu
    venv="$PULUMI_FLYTE_PYTHON_VENV"
    version="${PULUMI_VERSION#v}"
    command -v python3 >/dev/null || die "python3 is not installed"
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pulumi') != '$version')" 2>/dev/null; then
        state=cached
    else
        log "creating the Python environment $venv (pulumi==$version, pulumi-kubernetes==$K8S_VERSION from PyPI)"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "pulumi==$version" "pulumi-kubernetes==$K8S_VERSION"
        state=built
    fi
    record python-venv "pulumi==$version" "$(since "$t0")" "$state"
}

# Dynamic providers (pulumi.dynamic.Resource) run through this plugin: it starts
# @pulumi/pulumi's dynamic-provider entry point, resolved from the program's folder.
# Like the language host, it is a bundled plugin: it goes next to our CLI (or on
# PATH when the CLI is not ours).
install_dynamic_launcher() {
    local f="$tc/pulumi-resource-pulumi-nodejs" cli_dir
    cat > "$f.tmp" <<'EOF'
#!/bin/sh
# Launches @pulumi/pulumi's dynamic provider (written by scripts/toolchain.sh).
entry=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")') || exit 1
exec node "$entry" "$@"
EOF
    chmod +x "$f.tmp" && mv "$f.tmp" "$f"
    cli_dir="$(dirname "$(readlink -f "$PULUMI_FLYTE_BIN/pulumi")")"
    case "$cli_dir" in
        "$tc"/*) rm -f "$PULUMI_FLYTE_BIN/pulumi-resource-pulumi-nodejs"
                 ln -sfn "$f" "$cli_dir/pulumi-resource-pulumi-nodejs" ;;
        *) link_bin "$f" ;;
    esac
}

# ------------------------------------------------------- kubernetes provider
# Upstream's main embeds a schema generated at build time (missing from the module
# zip); ours embeds the module's own schema.json with `.version` set, prepared in a
# staging copy of tools/provider-kubernetes outside the repository.
build_provider_kubernetes() {
    local t0 dir stage moddir state
    t0="$(now)"; mark_cpu
    cache_slot provider-kubernetes "$K8S_VERSION" tools/provider-kubernetes
    if needs_build "pulumi-resource-kubernetes"; then
        log "building pulumi-resource-kubernetes $K8S_VERSION"
        stage="$tc/build/provider-kubernetes"
        rm -rf "$stage" && mkdir -p "$stage"
        cp "$root"/tools/provider-kubernetes/{go.mod,go.sum,main.go} "$stage/"
        (cd "$stage" && go mod download "$K8S_MODULE")
        moddir="$(cd "$stage" && go list -m -f '{{.Dir}}' "$K8S_MODULE")"
        node -e '
            const fs = require("fs");
            const [src, mapping, version, out] = process.argv.slice(1);
            const schema = JSON.parse(fs.readFileSync(src, "utf8"));
            schema.version = version;
            fs.writeFileSync(out + "/schema.json", JSON.stringify(schema));
            fs.writeFileSync(out + "/terraform-mapping.json", JSON.stringify(JSON.parse(fs.readFileSync(mapping, "utf8"))));
        ' "$moddir/cmd/pulumi-resource-kubernetes/schema.json" \
          "$moddir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$K8S_VERSION" "$stage"
        GO_BUILD_NAME=pulumi-resource-kubernetes go_build "$stage" "$dir" \
            "$ldflags_common -X $K8S_MODULE/pkg/version.Version=$K8S_VERSION" .
        rm -rf "$stage"
        state=built
    else
        state=cached
    fi
    install_plugin kubernetes "$K8S_VERSION" "$dir/pulumi-resource-kubernetes"
    record pulumi-resource-kubernetes "$K8S_VERSION" "$(since "$t0")" "$state"
}

# --------------------------------------------------- docker-build provider
# github.com/pulumi/pulumi-docker-build at its release tag. Two codegen packages it
# imports only for schema metadata structs are not served by the proxy here; the
# staging copy gets two tiny stand-in modules of ours (see its go.mod).
write_stub() { # <dir> <module path> <package dir> <go source>
    mkdir -p "$1/$3"
    printf 'module %s\n\ngo 1.21\n' "$2" > "$1/go.mod"
    printf '%s\n' "$4" > "$1/$3/stub.go"
}
build_provider_docker_build() {
    local t0 dir stage state
    t0="$(now)"; mark_cpu
    cache_slot provider-docker-build "$DOCKER_BUILD_VERSION" tools/provider-docker-build
    if needs_build "pulumi-resource-docker-build"; then
        log "building pulumi-resource-docker-build $DOCKER_BUILD_VERSION"
        stage="$tc/build/provider-docker-build"
        rm -rf "$stage" && mkdir -p "$stage"
        cp "$root"/tools/provider-docker-build/{go.mod,go.sum} "$stage/"
        # shellcheck disable=SC2016  # Go source in single quotes
        write_stub "$stage/stubs/pulumi-java" github.com/pulumi/pulumi-java pkg/codegen/java \
'// Package java: stand-in (pulumi-flyte toolchain) for the one type the provider uses.
package java

type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}'
        # shellcheck disable=SC2016
        write_stub "$stage/stubs/pulumi-language-dotnet" github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 codegen \
'// Package codegen: stand-in (pulumi-flyte toolchain) for the one type the provider uses.
package codegen

type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}'
        go_build "$stage" "$dir" \
            "$ldflags_common -X github.com/pulumi/pulumi-docker-build/provider.Version=$DOCKER_BUILD_VERSION" \
            github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build
        rm -rf "$stage"
        state=built
    else
        state=cached
    fi
    install_plugin docker-build "$DOCKER_BUILD_VERSION" "$dir/pulumi-resource-docker-build"
    record pulumi-resource-docker-build "$DOCKER_BUILD_VERSION" "$(since "$t0")" "$state"
}

# ------------------------------------------------------- docker-buildx plugin
# The docker-build provider runs it in exec mode (PULUMI_FLYTE_BUILDX_EXEC=1, set by
# scripts/env.sh) to build with the daemon's own BuildKit. It is installed as a CLI
# plugin in our DOCKER_CONFIG, not in the user's ~/.docker.
build_docker_buildx() {
    local t0 dir state
    t0="$(now)"; mark_cpu
    cache_slot docker-buildx "$BUILDX_VERSION" tools/docker-buildx
    if needs_build "docker-buildx"; then
        log "building docker-buildx $BUILDX_VERSION"
        GO_BUILD_NAME=docker-buildx go_build "$root/tools/docker-buildx" "$dir" \
            "$ldflags_common -X github.com/docker/buildx/version.Version=$BUILDX_VERSION" github.com/docker/buildx/cmd/buildx
        state=built
    else
        state=cached
    fi
    mkdir -p "$DOCKER_CONFIG/cli-plugins"
    ln -sfn "$dir/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
    record docker-buildx "$BUILDX_VERSION" "$(since "$t0")" "$state"
}

# `pulumi plugin install --file` copies the binary into PULUMI_HOME; skip when the
# installed copy is already this build.
install_plugin() { # <name> <version> <binary>
    local name="$1" version="$2" bin="$3" pdir
    pdir="$PULUMI_HOME/plugins/resource-$name-v$version"
    if [ -x "$pdir/pulumi-resource-$name" ] && cmp -s "$pdir/pulumi-resource-$name" "$bin"; then
        return
    fi
    pulumi plugin install resource "$name" "$version" --file "$bin" --reinstall >/dev/null
    [ -x "$pdir/pulumi-resource-$name" ] || die "plugin $name $version did not install into $pdir"
}

# ------------------------------------------------------- module downloads
# The modules of every build still to do are downloaded in the background from the
# start (network and disk), while the first builds compile: each module's required
# versions, from its go.mod (replaced ones excepted), so this needs no build graph.
prefetch_pids=()
prefetch() { # <name> <version> <module dir> <binary>
    local dir mods
    dir="$tc/$1-$2-$(module_hash "$3")"
    [ -n "${TOOLCHAIN_REBUILD:-}" ] || [ ! -x "$dir/$4" ] || return 0
    mods="$(awk '
        $1 == "replace" && $2 == "(" { inrep = 1; next }
        inrep && $1 == ")" { inrep = 0; next }
        inrep { rep[$1] = 1; next }
        $1 == "replace" { rep[$2] = 1; next }
        $1 == "require" && $2 == "(" { inreq = 1; next }
        inreq && $1 == ")" { inreq = 0; next }
        inreq && $2 ~ /^v/ { req[$1] = $2; next }
        $1 == "require" && $3 ~ /^v/ { req[$2] = $3 }
        END { for (m in req) if (!(m in rep)) printf "%s@%s\n", m, req[m] }' "$root/$3/go.mod")"
    [ -n "$mods" ] || return 0
    mkdir -p "$tc/logs" "$tc/prefetch"
    # outside any module, so no go.sum is touched; the builds check every module
    # against their go.sum when they use it
    # shellcheck disable=SC2086  # one argument per module
    (cd "$tc/prefetch" && GOFLAGS='' GOSUMDB=off go mod download $mods) > "$tc/logs/prefetch-$1.log" 2>&1 &
    prefetch_pids+=("$!")
}

t_all="$(now)"
prefetch pulumi "$PULUMI_VERSION" tools/pulumi-cli pulumi
prefetch language-nodejs "$LANG_NODEJS_PSEUDO" tools/language-nodejs pulumi-language-nodejs
prefetch provider-kubernetes "$K8S_VERSION" tools/provider-kubernetes pulumi-resource-kubernetes
prefetch provider-docker-build "$DOCKER_BUILD_VERSION" tools/provider-docker-build pulumi-resource-docker-build
prefetch docker-buildx "$BUILDX_VERSION" tools/docker-buildx docker-buildx
[ -z "$want_hosts" ] || prefetch language-hosts "$LANG_HOSTS_SDK" tools/language-hosts pulumi-language-yaml
[ -z "$with_go" ] || prefetch language-go "$LANG_GO_SDK" tools/language-go pulumi-language-go

build_cli
build_language_nodejs
install_dynamic_launcher
build_provider_kubernetes
build_provider_docker_build
build_docker_buildx
[ -z "$want_hosts" ] || build_language_hosts
[ -z "$with_go" ] || build_language_go
! wants python || setup_python_venv
for pid in "${prefetch_pids[@]}"; do wait "$pid" || true; done

# Keep the cache to what the current pins use: drop other builds of the binaries this
# run handled (a `--for typescript` run leaves the Python and YAML hosts alone).
for d in "$tc"/pulumi-v* "$tc"/language-nodejs-* "$tc"/language-hosts-* "$tc"/provider-* "$tc"/docker-buildx-* "$tc"/build/*; do
    [ -e "$d" ] || continue
    case " ${keep[*]} " in *" $(basename "$d") "*) continue ;; esac
    case "$d" in
        "$tc"/build/*) ;;
        *) family="$(basename "$d")"
           handled=""
           for f in "${families[@]}"; do case "$family" in "$f"-*) handled=1 ;; esac; done
           [ -n "$handled" ] || continue ;;
    esac
    log "removing stale $(basename "$d")"
    rm -rf "$d"
done

echo "toolchain ($PULUMI_FLYTE_TOOLCHAIN):"
printf '  %s\n' "${summary[@]}"
printf '  %-28s %-40s %8ss\n' total "" "$(since "$t_all")"
echo "use it with: source scripts/env.sh   (PATH, PULUMI_HOME=$PULUMI_HOME, PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL)"
