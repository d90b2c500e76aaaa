#!/usr/bin/env bash
# `npm test`: everything on a fresh machine. Installs node modules if missing, builds
# the SDK, runs the linters, the pure and component tests, then builds (once per machine) the
# offline Pulumi toolchain and the local platform and runs the end-to-end tests
# against the real engine, real Docker and a real Kubernetes API server.
# Set PULUMI_FLYTE_SKIP_E2E=1 to run only the unit and component tests.
#
# What shares nothing runs at the same time (the machine has 2 cores; a job waiting on
# the network, a pod or the registry leaves a core to the other):
#   - the linters, next to the unit and component tests;
#   - the packed npm package's tests, and the e2e files of the second lane (they use the
#     platform's registry and Docker but no node and no scheduler: E2E_SECOND_LANE),
#     next to the e2e files that deploy pods or ask the kube-scheduler (one at a time:
#     the real node has 2 CPUs, and the scheduler's verdicts must not see another
#     test's pods). Every e2e file runs in exactly one lane.
# PULUMI_FLYTE_TEST_SERIAL=1 runs everything one after the other (as before).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stamp() { echo "[test $(( $(date +%s) - start ))s] $*"; }
serial="${PULUMI_FLYTE_TEST_SERIAL:-}"
logs=.work/test-logs
mkdir -p "$logs"

# e2e files that run no pod and ask no scheduler (they build, push, register and edit
# objects of their own namespaces and images)
E2E_SECOND_LANE=(
    tests/e2e/one-build.test.ts
    tests/e2e/python-companion.test.ts
    tests/e2e/python-sdk.test.ts
    tests/e2e/field-conflicts.test.ts
    tests/e2e/registry-trust.test.ts
    tests/e2e/concurrent-stacks.test.ts
)

# Runs "$@" in the background, its output to $logs/<name>.log; `finish <name>` waits,
# prints the output and returns its status.
declare -A pids
background() {
    local name="$1"
    shift
    "$@" >"$logs/$name.log" 2>&1 &
    pids[$name]=$!
}
finish() {
    local name="$1" rc=0
    wait "${pids[$name]}" || rc=$?
    echo "----- $name (ran alongside; exit $rc) -----"
    cat "$logs/$name.log"
    return "$rc"
}

if [ ! -x node_modules/.bin/jest ]; then
    stamp "installing node modules"
    npm ci --no-audit --no-fund
fi
stamp "building the sdk"
npm run --silent build
if [ -n "$serial" ]; then
    stamp "lint (tsc, eslint, prettier --check, shellcheck)"
    bash scripts/lint.sh
    stamp "unit and component tests"
    npx jest --selectProjects unit components
else
    stamp "lint (tsc, eslint, prettier --check, shellcheck), alongside the unit and component tests"
    background lint bash scripts/lint.sh
    rc=0
    npx jest --selectProjects unit components || rc=$?
    finish lint || rc=$?
    [ "$rc" = 0 ] || exit "$rc"
fi

if [ "${PULUMI_FLYTE_SKIP_E2E:-}" = "1" ]; then
    stamp "PULUMI_FLYTE_SKIP_E2E=1: skipping end-to-end tests"
    exit 0
fi

# the package is packed once, before anything runs alongside the end-to-end tests: its
# prepack rebuilds sdk/dist, which the e2e programs load
stamp "packing the npm package (a clean build of sdk/dist)"
rm -rf .work/package && mkdir -p .work/package
(cd sdk && npm pack --silent --pack-destination ../.work/package >/dev/null)
PULUMI_FLYTE_PACKED="$(ls "$PWD"/.work/package/*.tgz)"
export PULUMI_FLYTE_PACKED

mapfile -t e2e_files < <(ls tests/e2e/*.test.ts)
second=()
first=()
for f in "${E2E_SECOND_LANE[@]}"; do
    [ -f "$f" ] || { echo "test.sh: $f (E2E_SECOND_LANE) does not exist" >&2; exit 2; }
done
for f in "${e2e_files[@]}"; do
    if printf '%s\n' "${E2E_SECOND_LANE[@]}" | grep -qxF "$f"; then second+=("$f"); else first+=("$f"); fi
done

if [ -n "$serial" ]; then
    stamp "the packed npm package (fresh projects, lowest and newest peers)"
    npx jest --selectProjects package
fi
stamp "toolchain"
bash scripts/toolchain.sh --go
stamp "platform"
bash scripts/platform.sh up
# shellcheck source=/dev/null
source scripts/env.sh
if [ -n "$serial" ]; then
    stamp "end-to-end tests"
    npx jest --selectProjects e2e --runInBand
    stamp "done"
    exit 0
fi
stamp "end-to-end tests (${#first[@]} files; alongside: the packed package's tests and ${#second[@]} e2e files)"
background package npx jest --selectProjects package
background e2e-second-lane npx jest --selectProjects e2e --runInBand "${second[@]}"
rc=0
npx jest --selectProjects e2e --runInBand "${first[@]}" || rc=$?
stamp "first lane done"
finish e2e-second-lane || rc=$?
finish package || rc=$?
stamp "done (exit $rc)"
exit "$rc"
