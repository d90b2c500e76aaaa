#!/usr/bin/env bash
# Generates the `flyte` package's SDKs from provider/ (never committed) and sets up the
# example programs to use them:
#
#   bash scripts/language-sdks.sh [python] [go]     (default: python)
#
#   python  `pulumi package gen-sdk provider --language python`, installed into the
#           Python environment of the toolchain ($PULUMI_FLYTE_PYTHON_VENV) with the
#           flyte_pulumi companion (python/) and the flyte release it is tested with
#           (the demo and the tests run Python programs in it; a project of your own
#           installs them into its own virtualenv, README "Python")
#   go      `pulumi package gen-sdk provider --language go` (needs `npm run toolchain -- --go`)
#
# SDKs live in $PULUMI_FLYTE_CACHE/sdks/<language>-<hash of the package's sources>/ and
# are regenerated only when the package changes. Prints the directory of each.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
root="$PULUMI_FLYTE_ROOT"
log() { printf '[sdks] %s\n' "$*" >&2; }
die() { printf '[sdks] ERROR: %s\n' "$*" >&2; exit 1; }

# the newest flyte release the companion is tested with (python/src/flyte_pulumi/versions.py)
FLYTE_VERSION="$(sed -n 's/^NEWEST = "\(.*\)"$/\1/p' python/src/flyte_pulumi/versions.py)"
languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(python)
command -v pulumi >/dev/null || die "pulumi is not on PATH: run npm run toolchain first"
[ -f provider/dist/provider/src/index.js ] || die "provider/ is not built: run npm run build first"

# The schema follows from the package's sources and the data-form schemas it is generated from.
hash="$( (cat provider/package.json provider/PulumiPlugin.yaml provider/src/*.ts sdk/src/spec/*.ts; pulumi version) | sha256sum | cut -c1-12)"

generate() { # <language> -> prints the SDK directory
    local lang="$1" out
    out="$PULUMI_FLYTE_CACHE/sdks/$lang-$hash"
    if [ ! -f "$out/.complete" ]; then
        log "generating the $lang SDK of the flyte package"
        rm -rf "$out" && mkdir -p "$out"
        pulumi package gen-sdk "$root/provider" --language "$lang" --local -o "$out" >&2
        touch "$out/.complete"
        # keep only the current generation of each language
        find "$PULUMI_FLYTE_CACHE/sdks" -maxdepth 1 -name "$lang-*" ! -name "$lang-$hash" -exec rm -rf {} +
    fi
    printf '%s\n' "$out/$lang"
}

for lang in "${languages[@]}"; do
    case "$lang" in
        python)
            venv="$PULUMI_FLYTE_PYTHON_VENV"
            [ -x "$venv/bin/python" ] || die "no Python environment at $venv: run npm run toolchain first"
            dir="$(generate python)"
            if [ "$("$venv/bin/python" -c 'import importlib.util as u; print(u.find_spec("pulumi_flyte") is not None)')" != True ] \
                || [ ! -f "$venv/.flyte-sdk-$hash" ]; then
                log "installing the flyte Python SDK into $venv"
                "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$dir"
                rm -f "$venv"/.flyte-sdk-* && touch "$venv/.flyte-sdk-$hash"
            fi
            # the companion (python/) and flyte: reinstalled when the companion's sources change
            companion="$( (cat python/pyproject.toml python/src/flyte_pulumi/*.py; echo "$FLYTE_VERSION") | sha256sum | cut -c1-12)"
            if [ ! -f "$venv/.flyte-pulumi-$companion" ]; then
                log "installing the flyte_pulumi companion and flyte==$FLYTE_VERSION into $venv"
                "$venv/bin/pip" install --quiet --disable-pip-version-check "flyte==$FLYTE_VERSION"
                "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$root/python"
                rm -f "$venv"/.flyte-pulumi-* && touch "$venv/.flyte-pulumi-$companion"
            fi
            echo "$dir"
            ;;
        go)
            generate go
            ;;
        *) die "unknown language $lang (python, go)" ;;
    esac
done
