/**
 * B3: the quickstart on the local platform. Three stacks of the quickstart share one
 * image (a tag no earlier run built: the pip requirements carry a nonce that changes
 * nothing installed): the first `up` builds it, the two others find it in the registry
 * and build nothing, so exactly one build. Then a no-change `preview` and `up` of the
 * first stack: no change and no build. Builds are counted from the engine's steps on
 * docker-build:index:Image and checked against the stacks' `imageBuilt` outputs.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { load } from "./machine";
import { fmtMs, spread } from "./stats";
import { hasPulumi, toolchainEnv } from "./toolenv";
import { SectionResult } from "./types";
import { REPO, WORK, log, must, run } from "./util";

const TITLE = "The quickstart: no-change up, and one image shared by three stacks";
const STACKS = ["s1", "s2", "s3"];

interface Steps { changes: number; builds: number; ops: Record<string, number> }

function steps(eventLog: string): Steps {
    const out: Steps = { changes: 0, builds: 0, ops: {} };
    if (!fs.existsSync(eventLog)) return out;
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const m = JSON.parse(line).resourcePreEvent?.metadata;
        if (!m || m.type === "pulumi:pulumi:Stack") continue;
        out.ops[m.op] = (out.ops[m.op] ?? 0) + 1;
        if (m.op !== "same") out.changes++;
        if (m.type === "docker-build:index:Image" && m.op !== "same" && m.op !== "read") out.builds++;
    }
    return out;
}

export async function b3(opts: { sdk: string }): Promise<SectionResult> {
    const load0 = load();
    const dir = path.join(WORK, "b3");
    const nonce = Date.now().toString(36);
    fs.rmSync(dir, { recursive: true, force: true });
    const prog = path.join(dir, "program");
    fs.cpSync(path.join(REPO, "examples/quickstart"), prog, { recursive: true });
    // the quickstart imports "pulumi-flyte": here, the SDK the bench compiled
    const pkg = path.join(dir, "node_modules", "pulumi-flyte");
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "pulumi-flyte", main: "index.js" }));
    fs.writeFileSync(path.join(pkg, "index.js"), `module.exports = require(${JSON.stringify(path.join(opts.sdk, "index.js"))});\n`);
    const state = path.join(dir, "state");
    fs.mkdirSync(state, { recursive: true });
    const project = yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as any;
    project.name = "bench-quickstart";
    project.main = "program/index.ts";
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(project));
    const devConfig = (yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")) as any).config;
    const env = toolchainEnv({
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-flyte-bench",
        PULUMI_DEBUG_COMMANDS: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_FLYTE_BUILD_WORKDIR: path.join(dir, "build"),
    });
    if (!hasPulumi(env)) {
        return { id: "B3", title: TITLE, date: new Date().toISOString(), status: "skipped", reason: "the toolchain's pulumi is not installed: run `npm run toolchain`", ratios: [], tables: [], notes: [] };
    }
    const pipPackages = `six==1.16.0,six!=0.0.${parseInt(nonce, 36)}`; // a fresh tag, the same package
    const times: Record<string, number> = {};
    const stepsOf: Record<string, Steps> = {};
    const built: Record<string, boolean> = {};
    const pulumi = async (label: string, stack: string, args: string[]) => {
        const events = path.join(dir, `events-${label.replace(/\W+/g, "-")}.jsonl`);
        const r = await run("pulumi", [...args, "--non-interactive", "--stack", stack, "--event-log", events], { cwd: dir, env });
        if (r.code !== 0) throw new Error(`B3: ${label} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
        times[label] = r.ms;
        stepsOf[label] = steps(events);
        log(`B3 ${label}: ${fmtMs(r.ms)}, ${stepsOf[label].changes} changes, ${stepsOf[label].builds} builds`);
    };
    try {
        for (const [i, stack] of STACKS.entries()) {
            await must("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: dir, env });
            const config = { ...devConfig, "flyte:namespace": `bench-qs-${nonce}-${i + 1}`, pipPackages };
            for (const [k, v] of Object.entries(config)) await must("pulumi", ["config", "set", "--stack", stack, k, String(v)], { cwd: dir, env });
            for (const k of ["wandbApiKey", "pypiToken"]) await must("pulumi", ["config", "set", "--secret", "--stack", stack, k, `bench-${k}-${nonce}`], { cwd: dir, env });
        }
        for (const stack of STACKS) {
            await pulumi(`${stack} first up`, stack, ["up", "--yes", "--skip-preview"]);
            built[stack] = JSON.parse((await must("pulumi", ["stack", "output", "imageBuilt", "--json", "--stack", stack], { cwd: dir, env })).stdout);
        }
        await pulumi("s1 no-change preview", "s1", ["preview"]);
        await pulumi("s1 no-change up", "s1", ["up", "--yes", "--skip-preview"]);
    } finally {
        for (const stack of STACKS) {
            await run("pulumi", ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack], { cwd: dir, env });
            await run("pulumi", ["stack", "rm", stack, "--yes", "--force", "--non-interactive"], { cwd: dir, env });
        }
    }
    const firstUpBuilds = STACKS.reduce((n, s) => n + stepsOf[`${s} first up`].builds, 0);
    const builtOutputs = STACKS.filter((s) => built[s]).length;
    const checks = [
        { label: "three stacks sharing one image: builds", expected: "1", actual: `${firstUpBuilds} (imageBuilt true on ${builtOutputs} stack${builtOutputs === 1 ? "" : "s"})`, ok: firstUpBuilds === 1 && builtOutputs === 1 },
        { label: "no-change preview: changes", expected: "0", actual: String(stepsOf["s1 no-change preview"].changes), ok: stepsOf["s1 no-change preview"].changes === 0 },
        { label: "no-change up: changes", expected: "0", actual: String(stepsOf["s1 no-change up"].changes), ok: stepsOf["s1 no-change up"].changes === 0 },
        { label: "no-change up: image builds", expected: "0", actual: String(stepsOf["s1 no-change up"].builds), ok: stepsOf["s1 no-change up"].builds === 0 },
    ];
    const one = (x: number) => spread([x]);
    return {
        id: "B3",
        title: TITLE,
        date: new Date().toISOString(),
        status: "ok",
        load: [load0, load()],
        ratios: [
            { label: "no-change up / first up that built the image", ratio: one(times["s1 no-change up"] / times["s1 first up"]), detail: `${fmtMs(times["s1 no-change up"])} / ${fmtMs(times["s1 first up"])}` },
            { label: "first up reusing the image (s2) / first up that built it", ratio: one(times["s2 first up"] / times["s1 first up"]), detail: `${fmtMs(times["s2 first up"])} / ${fmtMs(times["s1 first up"])}` },
        ],
        checks,
        tables: [{
            caption: "Steps per command (one run: each first `up` builds, pushes, and runs two tasks on the real node)",
            header: ["command", "wall", "steps", "image builds"],
            rows: Object.keys(times).map((k) => [k, fmtMs(times[k]), Object.entries(stepsOf[k].ops).map(([op, n]) => `${op} ${n}`).join(", "), String(stepsOf[k].builds)]),
        }],
        notes: [
            `The quickstart (examples/quickstart, stack config of Pulumi.dev.yaml) in three stacks with their own namespaces; pipPackages \`${pipPackages}\` (six 1.16.0, and a tag no earlier run pushed).`,
            "Builds are the engine's create/update/replace steps of docker-build:index:Image; `imageBuilt` is the ImageBuild's output.",
        ],
    };
}
