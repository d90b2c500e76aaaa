# shellcheck shell=bash
# Environment for running the offline Pulumi toolchain (sourced, not run):
#
#   source scripts/env.sh
#
# Safe to source more than once and from `set -euo pipefail` scripts. Build the
# toolchain first with `npm run toolchain` (scripts/toolchain.sh); this file only
# sets variables and never builds anything.
#
# What it sets (each can be overridden by exporting it before sourcing):
#   PULUMI_FLYTE_CACHE        cache root, outside the repository
#                             (default: ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-flyte)
#   PATH                      + $PULUMI_FLYTE_CACHE/toolchain/bin (pulumi; its
#                             bundled plugins sit next to its executable)
#   PULUMI_HOME               $PULUMI_FLYTE_CACHE/toolchain/pulumi-home: where the
#                             resource plugins are installed; set
#                             PULUMI_FLYTE_PULUMI_HOME to use another one
#   PULUMI_BACKEND_URL        file://<repo>/.pulumi-state (gitignored)
#   PULUMI_CONFIG_PASSPHRASE  "pulumi-flyte-local": the passphrase of the LOCAL
#                             stacks' secrets provider. It protects nothing real;
#                             set your own (or PULUMI_CONFIG_PASSPHRASE_FILE) for
#                             anything that matters.
#   PULUMI_FLYTE_PYTHON_VENV  $PULUMI_FLYTE_CACHE/toolchain/python-venv: the Python
#                             programs' virtual environment
#   DOCKER_CONFIG             $PULUMI_FLYTE_CACHE/toolchain/docker-config: holds the
#                             docker-buildx CLI plugin the toolchain builds
#   PULUMI_FLYTE_BUILDX_EXEC=1, PULUMI_FLYTE_BUILDER=default
#                             image builds run docker-buildx with the Docker daemon's
#                             own BuildKit (nothing to pull from Docker Hub)
#   PULUMI_SKIP_UPDATE_CHECK=true, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true,
#   GOTOOLCHAIN=local
# If the local platform is up (scripts/platform.sh), its env file (KUBECONFIG,
# DOCKER_HOST, ...) is sourced too.

# shellcheck disable=SC2128  # ${BASH_SOURCE} is ${BASH_SOURCE[0]}, and plain sh has neither
if [ -n "${BASH_SOURCE:-}" ]; then
    PULUMI_FLYTE_ROOT="${PULUMI_FLYTE_ROOT:-$(cd "$(dirname "$BASH_SOURCE")/.." && pwd)}"
else
    PULUMI_FLYTE_ROOT="${PULUMI_FLYTE_ROOT:-$(pwd)}"
fi
export PULUMI_FLYTE_ROOT
export PULUMI_FLYTE_CACHE="${PULUMI_FLYTE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pulumi-flyte}"
export PULUMI_FLYTE_TOOLCHAIN="$PULUMI_FLYTE_CACHE/toolchain"
export PULUMI_FLYTE_BIN="$PULUMI_FLYTE_TOOLCHAIN/bin"

case ":${PATH:-}:" in
    *":$PULUMI_FLYTE_BIN:"*) ;;
    *) export PATH="$PULUMI_FLYTE_BIN${PATH:+:$PATH}" ;;
esac

export PULUMI_HOME="${PULUMI_FLYTE_PULUMI_HOME:-$PULUMI_FLYTE_TOOLCHAIN/pulumi-home}"
# Python programs' virtual environment (`pulumi` from PyPI, the generated flyte SDK)
export PULUMI_FLYTE_PYTHON_VENV="${PULUMI_FLYTE_PYTHON_VENV:-$PULUMI_FLYTE_TOOLCHAIN/python-venv}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PULUMI_FLYTE_ROOT/.pulumi-state}"
case "$PULUMI_BACKEND_URL" in
    file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" 2>/dev/null || true ;;
esac
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE="pulumi-flyte-local"
fi
export DOCKER_CONFIG="${DOCKER_CONFIG:-$PULUMI_FLYTE_TOOLCHAIN/docker-config}"
export PULUMI_FLYTE_BUILDX_EXEC="${PULUMI_FLYTE_BUILDX_EXEC:-1}"
export PULUMI_FLYTE_BUILDER="${PULUMI_FLYTE_BUILDER:-default}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export GOTOOLCHAIN=local

# The local platform's variables (KUBECONFIG, DOCKER_HOST, registry), when it is up.
if [ -r "$PULUMI_FLYTE_CACHE/platform/env.sh" ]; then
    # shellcheck source=/dev/null
    . "$PULUMI_FLYTE_CACHE/platform/env.sh"
fi
# Sourcing twice must not grow PATH: keep the first occurrence of each entry.
PATH="$(printf '%s' "$PATH" | awk -v RS=: -v ORS=: '!seen[$0]++' | sed 's/:$//')"
export PATH
