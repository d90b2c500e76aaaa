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
        fs.writeFileSync(path.join(proj, "index.js"), `"use strict";
const t0 = Date.now();
const c0 = process.cpuUsage();
process.on("exit", () => {
    const c = process.cpuUsage(c0);
    if (process.env.BENCH_TIMING_FILE) require("fs").writeFileSync(process.env.BENCH_TIMING_FILE, JSON.stringify({ ms: Date.now() - t0, cpuMs: (c.user + c.system) / 1000 }));
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
    return b2Section(samples, opts.n, [load0, load()]);
}

/** The section from the samples (also used to recompute an earlier run's, e.g. the baseline's). */
export function b2Section(samples: Partial<Record<Program, RoundSample[]>>, n: number, loads?: [number, number], date = new Date().toISOString()): SectionResult {
    for (const p of PROGRAMS) samples[p] ??= [];
    const ratios: SectionResult["ratios"] = [];
    const col = (p: Program, op: Op, k: keyof OpSample) => samples[p]!.map((s) => s.ops[op][k] as number);
    for (const op of OPS) {
        ratios.push({ label: `${op} ours / raw (wall)`, ratio: pairedRatios(col("ours", op, "ms"), col("raw", op, "ms")), goal: 1.1, chart: true,
            detail: `medians ${fmtMs(median(col("ours", op, "ms")))} / ${fmtMs(median(col("raw", op, "ms")))}` });
        ratios.push({ label: `${op} ours / raw (CPU)`, ratio: pairedRatios(col("ours", op, "cpuMs"), col("raw", op, "cpuMs")), goal: 1.1,
            detail: `medians ${fmtMs(median(col("ours", op, "cpuMs")))} / ${fmtMs(median(col("raw", op, "cpuMs")))}` });
        ratios.push({ label: `${op} raw + component / raw (CPU): Pulumi's own cost of a component`, ratio: pairedRatios(col("raw-component", op, "cpuMs"), col("raw", op, "cpuMs")) });
        ratios.push({ label: `${op} ours with the scheduling check off / raw (CPU)`, ratio: pairedRatios(col("ours-nocheck", op, "cpuMs"), col("raw", op, "cpuMs")) });
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
            header: ["program", "command", "wall", "CPU", "program CPU", "changes"], rows }],
        notes: [
            `N = ${n} environments with one task each (${2 * n} PodTemplates and a Namespace) on the local platform's kube-apiserver, with the toolchain's CLI and Kubernetes provider, file backend; a fresh stack and namespace per round.`,
            "ours runs the scheduling check (flyte:schedulingCheck default, warn): it reads the cluster's nodes once (with the small client for the platform's certificate kubeconfig since 4b0b001; with @kubernetes/client-node before) and simulates every pod; ours-nocheck is the same program with the check off.",
        ],
        raw: samples,
    };
}
