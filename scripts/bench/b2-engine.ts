/**
 * B2: the real engine on the local platform, N environments (+1 task each): first
 * `pulumi preview`, first `pulumi up`, no-change preview, no-change up, for ours, the
 * hand-written program (raw) and raw with a bare component per environment. Each round
 * uses a fresh stack and namespace; the programs of a round run back to back in a
 * rotating order and are divided pairwise. Times are of the whole `pulumi` command
 * (wall, and CPU of its process tree: CLI, language host, program, provider); the
 * program's own CPU comes from the program process itself.
 */
import * as fs from "fs";
import * as path from "path";
import { load } from "./machine";
import { fmtMs, median, pairedRatios } from "./stats";
import { ProfileSummary, summarizeProfile } from "./profile";
import { hasPulumi, toolchainEnv } from "./toolenv";
import { SectionResult } from "./types";
import { WORK, log, must, rotated, run } from "./util";

const PROGRAMS = ["ours", "raw", "raw-component", "ours-nocheck"] as const;
type Program = (typeof PROGRAMS)[number];
const OPS = ["first preview", "first up", "no-change preview", "no-change up"] as const;
type Op = (typeof OPS)[number];
interface OpSample { ms: number; cpuMs: number; programCpuMs?: number; programMs?: number; changes: number }
interface RoundSample { ops: Record<Op, OpSample>; resources: number; stateBytes: number }

/** Steps other than "same" in an event log (the Stack itself excluded). */
function changesIn(eventLog: string): number {
    if (!fs.existsSync(eventLog)) return -1;
    let n = 0;
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const e = JSON.parse(line);
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== "same" && m.type !== "pulumi:pulumi:Stack") n++;
    }
    return n;
}

export async function b2(opts: { sdk: string; n: number; runs: number }): Promise<SectionResult> {
    const load0 = load();
    const dir = path.join(WORK, "b2");
    fs.rmSync(dir, { recursive: true, force: true });
    const state = path.join(dir, "state");
    fs.mkdirSync(state, { recursive: true });
    const fixture = path.join(dir, `fixture-${opts.n}.json`);
    await must("node", [path.join(__dirname, "fixture.js"), opts.sdk, String(opts.n), fixture]);
    const base = toolchainEnv({
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-flyte-bench",
        // --event-log is a hidden flag of the CLI (what the Automation API uses)
        PULUMI_DEBUG_COMMANDS: "true",
        BENCH_N: String(opts.n),
        BENCH_SDK: opts.sdk,
        BENCH_FIXTURE: fixture,
    });
    if (!hasPulumi(base)) {
        return { id: "B2", title: `Real engine on the local platform, N = ${opts.n}`, date: new Date().toISOString(), status: "skipped",
            reason: "the toolchain's pulumi is not installed: run `npm run toolchain`", ratios: [], tables: [], notes: [] };
    }
    const samples: Record<Program, RoundSample[]> = { ours: [], raw: [], "raw-component": [], "ours-nocheck": [] };
    for (const p of PROGRAMS) {
        const proj = path.join(dir, p);
        fs.mkdirSync(proj, { recursive: true });
        fs.writeFileSync(path.join(proj, "Pulumi.yaml"), `name: bench-${p}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`);
        // the program's own wall and CPU time, written when its process exits
        // with BENCH_PROF, a CPU profile of the program process (the language host starts it:
        // --cpu-prof is not allowed in NODE_OPTIONS, so the inspector in the process takes it)
        fs.writeFileSync(path.join(proj, "index.js"), `"use strict";
const t0 = Date.now();
const c0 = process.cpuUsage();
let session;
if (process.env.BENCH_PROF) {
    session = new (require("inspector").Session)();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 500 });
    session.post("Profiler.start");
}
process.on("exit", () => {
    const c = process.cpuUsage(c0);
    if (process.env.BENCH_TIMING_FILE) require("fs").writeFileSync(process.env.BENCH_TIMING_FILE, JSON.stringify({ ms: Date.now() - t0, cpuMs: (c.user + c.system) / 1000 }));
    if (session) session.post("Profiler.stop", (err, r) => { if (!err) require("fs").writeFileSync(process.env.BENCH_PROF, JSON.stringify(r.profile)); });
});
require(${JSON.stringify(path.join(__dirname, "programs", `${p}.js`))});
`);
    }
    for (let round = 0; round < opts.runs; round++) {
        for (const p of rotated(PROGRAMS, round)) {
            const proj = path.join(dir, p);
            const stack = `r${round}`;
            const namespace = `bench-${p}-${round}-${Date.now().toString(36)}`;
            const env = { ...base, BENCH_NAMESPACE: namespace };
            await must("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: proj, env });
            const ops = {} as Record<Op, OpSample>;
            for (const op of OPS) {
                const events = path.join(dir, `events-${p}-${stack}-${op.replace(/ /g, "-")}.jsonl`);
                const timing = path.join(dir, `timing-${p}-${stack}-${op.replace(/ /g, "-")}.json`);
                const args = op.endsWith("preview") ? ["preview"] : ["up", "--yes", "--skip-preview"];
                const r = await run("pulumi", [...args, "--non-interactive", "--stack", stack, "--event-log", events], { cwd: proj, env: { ...env, BENCH_TIMING_FILE: timing }, cpu: true });
                if (r.code !== 0) throw new Error(`B2: pulumi ${args[0]} of ${p} failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
                const prog = fs.existsSync(timing) ? JSON.parse(fs.readFileSync(timing, "utf8")) : {};
                ops[op] = { ms: r.ms, cpuMs: r.cpuMs ?? NaN, programMs: prog.ms, programCpuMs: prog.cpuMs, changes: changesIn(events) };
                log(`B2 round ${round + 1}/${opts.runs} ${p} ${op}: ${fmtMs(r.ms)} wall, ${fmtMs(r.cpuMs ?? NaN)} CPU (program ${fmtMs(prog.cpuMs ?? NaN)}), ${ops[op].changes} changes`);
            }
            const exported = JSON.parse((await must("pulumi", ["stack", "export", "--stack", stack], { cwd: proj, env })).stdout);
            const resources = exported.deployment?.resources?.length ?? 0;
            const stateFile = path.join(state, ".pulumi", "stacks", `bench-${p}`, `${stack}.json`);
            const stateBytes = fs.existsSync(stateFile) ? fs.statSync(stateFile).size : Buffer.byteLength(JSON.stringify(exported));
            samples[p].push({ ops, resources, stateBytes });
            fs.writeFileSync(path.join(dir, "samples.json"), JSON.stringify(samples));
            // tear down without timing it: the namespace takes its objects with it
            await run("kubectl", ["delete", "namespace", namespace, "--wait=false"], { env });
            await must("pulumi", ["stack", "rm", stack, "--yes", "--force", "--non-interactive"], { cwd: proj, env });
        }
    }
    // where the program process's CPU goes: one profiled first preview of ours and raw + component
    const profiles: Partial<Record<Program, ProfileSummary>> = {};
    for (const p of ["ours", "raw-component"] as const) {
        const proj = path.join(dir, p);
        const stack = "profile";
        const env = { ...base, BENCH_NAMESPACE: `bench-${p}-profile-${Date.now().toString(36)}` };
        const file = path.join(dir, `profile-${p}.cpuprofile`);
        await must("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: proj, env });
        await must("pulumi", ["preview", "--non-interactive", "--stack", stack], { cwd: proj, env: { ...env, BENCH_PROF: file } });
        await must("pulumi", ["stack", "rm", stack, "--yes", "--force", "--non-interactive"], { cwd: proj, env });
        if (fs.existsSync(file)) profiles[p] = summarizeProfile(file, PROFILE_FRAMES);
        log(`B2 profile ${p} first preview: ${fmtMs(profiles[p]?.totalMs ?? NaN)} sampled`);
    }
    return b2Section(samples, opts.n, [load0, load()], undefined, profiles);
}

/** Frames whose inclusive CPU the profile table shows (the program process, first preview). */
const PROFILE_FRAMES: Record<string, RegExp> = {
    "resource constructors (@pulumi/pulumi Resource)": /^Resource .*@pulumi\/pulumi\/resource\.js/,
    "stack traces of tracked promises (debuggablePromise)": /^debuggablePromise .*@pulumi\/pulumi/,
    "pulumi-flyte: validation and planning (planEnvironment, planTask)": /^(planEnvironment|planTask) /,
    "pulumi-flyte: the scheduling check (checkAgainstCluster)": /^checkAgainstCluster /,
    "pulumi-flyte: reading the cluster (readClusterNodes)": /^readClusterNodes /,
};

/** The section from the samples (also used to recompute an earlier run's, e.g. the baseline's). */
export function b2Section(samples: Partial<Record<Program, RoundSample[]>>, n: number, loads?: [number, number], date = new Date().toISOString(),
    profiles: Partial<Record<Program, ProfileSummary>> = {}): SectionResult {
    for (const p of PROGRAMS) samples[p] ??= [];
    const ratios: SectionResult["ratios"] = [];
    const col = (p: Program, op: Op, k: keyof OpSample) => samples[p]!.map((s) => s.ops[op][k] as number);
    for (const op of OPS) {
        ratios.push({ label: `${op} ours / raw + component (CPU): what pulumi-flyte adds`, ratio: pairedRatios(col("ours", op, "cpuMs"), col("raw-component", op, "cpuMs")), goal: 1.05, chart: true,
            detail: `medians ${fmtMs(median(col("ours", op, "cpuMs")))} / ${fmtMs(median(col("raw-component", op, "cpuMs")))}` });
        ratios.push({ label: `${op} ours / raw + component, the program process alone (CPU)`, ratio: pairedRatios(col("ours", op, "programCpuMs"), col("raw-component", op, "programCpuMs")),
            detail: `medians ${fmtMs(median(col("ours", op, "programCpuMs")))} / ${fmtMs(median(col("raw-component", op, "programCpuMs")))}` });
        ratios.push({ label: `${op} ours / raw (wall)`, ratio: pairedRatios(col("ours", op, "ms"), col("raw", op, "ms")),
            detail: `medians ${fmtMs(median(col("ours", op, "ms")))} / ${fmtMs(median(col("raw", op, "ms")))}` });
        ratios.push({ label: `${op} ours / raw (CPU)`, ratio: pairedRatios(col("ours", op, "cpuMs"), col("raw", op, "cpuMs")),
            detail: `medians ${fmtMs(median(col("ours", op, "cpuMs")))} / ${fmtMs(median(col("raw", op, "cpuMs")))}` });
        ratios.push({ label: `${op} raw + component / raw (CPU): Pulumi's own cost of a component`, ratio: pairedRatios(col("raw-component", op, "cpuMs"), col("raw", op, "cpuMs")) });
        ratios.push({ label: `${op} ours with the scheduling check off / raw + component (CPU)`, ratio: pairedRatios(col("ours-nocheck", op, "cpuMs"), col("raw-component", op, "cpuMs")) });
    }
    const rows: string[][] = [];
    for (const p of PROGRAMS) {
        const s = samples[p]!;
        if (!s.length) continue;
        for (const op of OPS) {
            rows.push([p, op, fmtMs(median(col(p, op, "ms"))), fmtMs(median(col(p, op, "cpuMs"))), fmtMs(median(col(p, op, "programCpuMs"))),
                String(median(col(p, op, "changes")))]);
        }
        rows.push([p, "state", `${median(s.map((x) => x.resources))} resources`, `${(median(s.map((x) => x.stateBytes)) / 1024).toFixed(0)} KiB`, "", ""]);
    }
    return {
        id: "B2",
        title: `Real engine on the local platform, N = ${n}`,
        date,
        status: "ok",
        ...(loads ? { load: loads } : {}),
        ratios,
        tables: [{ caption: "Medians per program and command (`pulumi up --skip-preview`: the update alone; CPU: the whole process tree; program: the Node.js program process)",
            header: ["program", "command", "wall", "CPU", "program CPU", "changes"], rows }, ...profileTables(profiles)],
        notes: [
            `N = ${n} environments with one task each (${2 * n} PodTemplates and a Namespace) on the local platform's kube-apiserver, with the toolchain's CLI and Kubernetes provider, file backend; a fresh stack and namespace per round.`,
            "ours runs the scheduling check (flyte:schedulingCheck default, warn): it reads the cluster's nodes (and DRA objects) once with the small client and simulates each distinct pod once per node shape; ours-nocheck is the same program with the check off.",
            "Issue 22's goal is ours / raw + component ≤ 1.05 (what pulumi-flyte adds to what any component costs); ours / raw is shown for comparison with issue 10's figures.",
        ],
        raw: samples,
    };
}

/** The program process's profiles as tables: self time by category, and the frames asked for. */
function profileTables(profiles: Partial<Record<Program, ProfileSummary>>): SectionResult["tables"] {
    const progs = (["ours", "raw-component"] as const).filter((p) => profiles[p]);
    if (!progs.length) return [];
    const pct = (x: ProfileSummary, ms: number | undefined) => (ms ? `${fmtMs(ms)} (${((100 * ms) / x.totalMs).toFixed(1)}%)` : "—");
    const cats = [...new Set(progs.flatMap((p) => Object.keys(profiles[p]!.categories)))]
        .sort((x, y) => (profiles.ours?.categories[y] ?? 0) - (profiles.ours?.categories[x] ?? 0));
    return [
        { caption: "CPU profile of the program process, first preview (the inspector in the process, one run each; self time by category, idle left out)",
            header: ["category", ...progs],
            rows: [...cats.map((c) => [c, ...progs.map((p) => pct(profiles[p]!, profiles[p]!.categories[c]))]), ["total sampled", ...progs.map((p) => fmtMs(profiles[p]!.totalMs))]] },
        { caption: "Inclusive time of frames, first preview",
            header: ["frame", ...progs],
            rows: Object.keys(PROFILE_FRAMES).map((f) => [f, ...progs.map((p) => pct(profiles[p]!, profiles[p]!.frames[f]))]) },
    ];
}
