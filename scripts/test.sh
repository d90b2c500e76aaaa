#!/usr/bin/env bash
# `npm test`: everything on a fresh machine. Installs node modules if missing, builds
# the SDK, runs the linters, the pure and component tests, then builds (once per machine) the
# offline Pulumi toolchain and the local platform and runs the end-to-end tests
# against the real engine, real Docker and a real Kubernetes API server.
# Set PULUMI_FLYTE_SKIP_E2E=1 to run only the unit and component tests.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stamp() { echo "[test $(( $(date +%s) - start ))s] $*"; }

if [ ! -x node_modules/.bin/jest ]; then
    stamp "installing node modules"
    npm ci --no-audit --no-fund
fi
stamp "building the sdk"
npm run --silent build
stamp "lint (eslint, prettier --check, shellcheck)"
bash scripts/lint.sh
stamp "unit and component tests"
npx jest --selectProjects unit components

if [ "${PULUMI_FLYTE_SKIP_E2E:-}" = "1" ]; then
    stamp "PULUMI_FLYTE_SKIP_E2E=1: skipping end-to-end tests"
    exit 0
fi
stamp "the packed npm package (fresh projects, lowest and newest peers)"
npx jest --selectProjects package
stamp "toolchain"
bash scripts/toolchain.sh --go
stamp "platform"
bash scripts/platform.sh up
# shellcheck source=/dev/null
source scripts/env.sh
stamp "end-to-end tests"
npx jest --selectProjects e2e --runInBand
stamp "done"
