#!/usr/bin/env bash
# `npm run demo [-- <stack>]`: on a fresh machine, installs what is needed (node
# modules, the offline Pulumi toolchain, the local platform), deploys the quickstart
# with `pulumi up` on the local platform (stack "dev" by default, "prod" for the EKS
# flavour) and prints, per environment and task, the image digest, the PodTemplate
# and the node the real kube-scheduler chose.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-dev}"
case "$stack" in dev|prod) ;; *) echo "usage: npm run demo [-- dev|prod]" >&2; exit 2 ;; esac

[ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/toolchain.sh
bash scripts/platform.sh up
# shellcheck source=/dev/null
source scripts/env.sh

# Stack config lives in the committed Pulumi.<stack>.yaml; the demo's secrets go to a
# copy outside git, encrypted with the local passphrase, so the checkout stays clean.
demo_dir=.work/demo
mkdir -p "$demo_dir"
config_file="$demo_dir/Pulumi.$stack.yaml"
[ -f "$config_file" ] || cp "Pulumi.$stack.yaml" "$config_file"
pulumi stack select "$stack" --create --non-interactive >/dev/null
for key in wandbApiKey pypiToken; do
    if ! pulumi config get "$key" --config-file "$config_file" >/dev/null 2>&1; then
        pulumi config set --secret "$key" "demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" --config-file "$config_file"
    fi
done
pulumi up --yes --skip-preview=false --config-file "$config_file" --stack "$stack" --non-interactive
npx ts-node --transpile-only -P tsconfig.json scripts/demo-report.ts "$stack"
