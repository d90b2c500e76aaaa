#!/usr/bin/env bash
# `npm run demo [-- [typescript|python|yaml] [dev|prod]]`: on a fresh machine, installs
# what is needed (node modules, the offline Pulumi toolchain, the local platform; for
# Python, the flyte Python SDK), deploys a quickstart with `pulumi up` on the local
# platform and prints, per environment and task, the image digest, the PodTemplate and
# the node the real kube-scheduler chose.
#
#   typescript (default)  examples/quickstart, the root Pulumi.yaml's program
#   python                examples/python-quickstart: a flyte-sdk module, deployed with the
#                         flyte_pulumi companion through the flyte package (dev only)
#   yaml                  examples/yaml-quickstart, through the flyte package (dev only)
# Stacks: dev (GKE-flavoured, default) and prod (EKS-flavoured).
set -euo pipefail
cd "$(dirname "$0")/.."
language=typescript
stack=dev
usage() { echo "usage: npm run demo [-- [typescript|python|yaml] [dev|prod]]" >&2; exit 2; }
for arg in "$@"; do
    case "$arg" in
        typescript|ts) language=typescript ;;
        python|yaml) language="$arg" ;;
        dev|prod) stack="$arg" ;;
        *) usage ;;
    esac
done
[ "$language" = typescript ] || [ "$stack" = dev ] || { echo "the $language quickstart has a dev stack only (its environments name their cluster flavours)" >&2; exit 2; }

[ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund
# On a fresh machine the toolchain (only what this language needs) and the platform's
# binaries compile at the same time as the TypeScript build: one job's downloads and
# single-threaded links overlap the other's compiling (bench B5).
toolchain_log="$(mktemp)"
echo "[demo] building the toolchain (--for $language) in the background; log: $toolchain_log" >&2
bash scripts/toolchain.sh --for "$language" > "$toolchain_log" 2>&1 &
toolchain_pid=$!
trap 'kill "$toolchain_pid" 2>/dev/null || true' EXIT
npm run --silent build
bash scripts/platform.sh build
if ! wait "$toolchain_pid"; then cat "$toolchain_log" >&2; exit 1; fi
trap - EXIT
cat "$toolchain_log" >&2; rm -f "$toolchain_log"
bash scripts/platform.sh up
# shellcheck source=/dev/null
source scripts/env.sh
[ "$language" != python ] || bash scripts/language-sdks.sh python >/dev/null

# The demo runs the project from .work/demo-<language> (outside git): its stack file is
# the committed Pulumi.<stack>.yaml plus what Pulumi adds locally (the passphrase salt
# and the demo's generated secrets), so the checkout stays clean. Paths in the project
# file (program, flyte package, Python environment) are made absolute.
case "$language" in
    typescript) source_dir=. ;;
    python) source_dir=examples/python-quickstart ;;
    yaml) source_dir=examples/yaml-quickstart ;;
esac
demo_dir=".work/demo"; [ "$language" = typescript ] || demo_dir=".work/demo-$language"
mkdir -p "$demo_dir"
# the Python and YAML programs read ../quickstart/tasks/report.py (the smoke task's script)
[ "$language" = typescript ] || ln -sfn ../examples/quickstart .work/quickstart
find "$source_dir" -maxdepth 1 -name '*.py' -exec cp {} "$demo_dir/" \;
# shellcheck disable=SC2016  # a JavaScript program: its ${...} are JavaScript's
node -e '
    const fs = require("fs"), path = require("path"), yaml = require("js-yaml");
    const [root, source, dir, stack] = process.argv.slice(1);
    const project = yaml.load(fs.readFileSync(`${source}/Pulumi.yaml`, "utf8"));
    if (project.main) project.main = path.resolve(source, project.main);
    if (project.packages) for (const k of Object.keys(project.packages)) project.packages[k] = path.resolve(source, project.packages[k]);
    if (project.runtime?.options?.virtualenv) project.runtime.options.virtualenv = process.env.PULUMI_FLYTE_PYTHON_VENV;
    fs.writeFileSync(`${dir}/Pulumi.yaml`, yaml.dump(project));
    const committed = yaml.load(fs.readFileSync(`${source}/Pulumi.${stack}.yaml`, "utf8"));
    const file = `${dir}/Pulumi.${stack}.yaml`;
    const local = fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) : {};
    const secrets = Object.fromEntries(Object.entries(local.config ?? {}).filter(([, v]) => v && typeof v === "object" && "secure" in v));
    const merged = { ...(local.encryptionsalt ? { encryptionsalt: local.encryptionsalt } : {}), config: { ...committed.config, ...secrets } };
    fs.writeFileSync(file, yaml.dump(merged));
' "$PWD" "$source_dir" "$demo_dir" "$stack"
pulumi -C "$demo_dir" stack select "$stack" --create --non-interactive >/dev/null
for key in wandbApiKey pypiToken; do
    if ! pulumi -C "$demo_dir" config get "$key" >/dev/null 2>&1; then
        pulumi -C "$demo_dir" config set --secret "$key" "demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    fi
done
# --refresh: `npm run platform -- down` wipes the cluster, so the stack's state may list
# objects that no longer exist; refreshing first recreates them instead of reporting them unchanged
pulumi -C "$demo_dir" up --refresh --yes --stack "$stack" --non-interactive
npx ts-node --transpile-only -P tsconfig.json scripts/demo-report.ts "$stack" "$demo_dir"
