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

# The demo runs the root project from .work/demo (outside git): its stack file is the
# committed Pulumi.<stack>.yaml plus what Pulumi adds locally (the passphrase salt and
# the demo's generated secrets), so the checkout stays clean.
demo_dir=.work/demo
mkdir -p "$demo_dir"
node -e '
    const fs = require("fs"), yaml = require("js-yaml");
    const [root, dir, stack] = process.argv.slice(1);
    const project = yaml.load(fs.readFileSync(`${root}/Pulumi.yaml`, "utf8"));
    project.main = `../../${project.main}`;
    fs.writeFileSync(`${dir}/Pulumi.yaml`, yaml.dump(project));
    const committed = yaml.load(fs.readFileSync(`${root}/Pulumi.${stack}.yaml`, "utf8"));
    const file = `${dir}/Pulumi.${stack}.yaml`;
    const local = fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) : {};
    const secrets = Object.fromEntries(Object.entries(local.config ?? {}).filter(([, v]) => v && typeof v === "object" && "secure" in v));
    const merged = { ...(local.encryptionsalt ? { encryptionsalt: local.encryptionsalt } : {}), config: { ...committed.config, ...secrets } };
    fs.writeFileSync(file, yaml.dump(merged));
' "$PWD" "$demo_dir" "$stack"
pulumi -C "$demo_dir" stack select "$stack" --create --non-interactive >/dev/null
for key in wandbApiKey pypiToken; do
    if ! pulumi -C "$demo_dir" config get "$key" >/dev/null 2>&1; then
        pulumi -C "$demo_dir" config set --secret "$key" "demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    fi
done
pulumi -C "$demo_dir" up --yes --stack "$stack" --non-interactive
npx ts-node --transpile-only -P tsconfig.json scripts/demo-report.ts "$stack" "$demo_dir"
