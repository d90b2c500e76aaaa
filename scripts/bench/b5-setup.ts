/**
 * B5: cold set-up of what `npm run demo` compiles: the toolchain and the platform's
 * binaries, per binary, in temporary PULUMI_FLYTE_CACHE, GOCACHE and GOMODCACHE (the
 * machine's caches and the running platform are left alone: nothing is started, only
 * built). "before" runs the scripts and tools of an earlier commit the way its demo did
 * (toolchain, then the platform's binaries); "now" runs the checkout's the way its
 * demo does. Both run under `nice`; with `--parallel` they run at the same time, so the
 * two see the same machine load (their wall times are then each about half a machine's).
 * Base images (debootstrap + docker) are not rebuilt here: they would replace the
 * running platform's images; their last recorded times are shown.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { load } from "./machine";
import { fmtMs, spread } from "./stats";
import { SectionResult } from "./types";
import { REPO, WORK, log, run } from "./util";

export interface SetupRun {
    label: string;
    rev: string;
    wallMs: number;
    cpuMs: number;
    steps: { name: string; wallMs: number; cpuMs?: number }[];
    binaries: { name: string; version: string; wallS: number; cpuS?: number }[];
    ok: boolean;
    error?: string;
}

/** A copy of the repository's build inputs at `rev` (or the checkout's, rev "checkout"). */
function materialize(rev: string, dest: string): void {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    const paths = ["scripts", "tools", "platform", "package.json"];
    if (rev === "checkout") {
        for (const p of paths) fs.cpSync(path.join(REPO, p), path.join(dest, p), { recursive: true });
    } else {
        execFileSync("bash", ["-c", `git archive ${rev} ${paths.join(" ")} | tar -x -C '${dest}'`], { cwd: REPO });
    }
}

function parseToolchain(out: string): SetupRun["binaries"] {
    const rows: SetupRun["binaries"] = [];
    for (const line of out.split("\n")) {
        const m = /^\s{2}(\S+)\s+(.+?)\s+([\d.]+)s\s+built(?: \(cpu ([\d.]+)s\))?\s*$/.exec(line);
        if (m) rows.push({ name: m[1], version: m[2].trim(), wallS: Number(m[3]), cpuS: m[4] ? Number(m[4]) : undefined });
    }
    return rows;
}

/** The lines of a build-times.tsv (`<end time> <name> <version> <wall>s cpu=<cpu>s`; wall NaN where the line has none). */
function buildTimeLines(file: string): { fields: string[]; endMs: number; name: string; version: string; wallS: number; cpuS?: number }[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => {
        const f = l.split("\t");
        const cpu = /cpu=([\d.]+)s/.exec(l);
        return { fields: f, endMs: Date.parse(f[0] ?? ""), name: f[1], version: f[2], wallS: Number(String(f[3]).replace(/s$/, "")), cpuS: cpu ? Number(cpu[1]) : undefined };
    });
}

function parsePlatform(file: string): SetupRun["binaries"] {
    return buildTimeLines(file).filter((r) => Number.isFinite(r.wallS)).map(({ name, version, wallS, cpuS }) => ({ name, version, wallS, cpuS }));
}

/** One cold set-up: `style` "sequential" (toolchain, then the platform) or "overlapped" (as the demo now does). */
export async function coldSetup(label: string, rev: string, style: "sequential" | "overlapped", toolchainArgs: string[]): Promise<SetupRun> {
    const root = path.join(WORK, `b5-${label}`);
    const src = path.join(root, "src");
    materialize(rev, src);
    const cache = path.join(root, "cache");
    for (const d of ["cache", "gocache", "gomod", "tmp"]) {
        fs.rmSync(path.join(root, d), { recursive: true, force: true });
        fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    const shared = path.join(os.homedir(), ".cache", "pulumi-flyte");
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_FLYTE_CACHE: cache,
        GOCACHE: path.join(root, "gocache"),
        GOMODCACHE: path.join(root, "gomod"),
        TMPDIR: path.join(root, "tmp"),
        // nothing of the machine's toolchain may be found and reused
        PATH: (process.env.PATH ?? "").split(":").filter((p) => !p.startsWith(shared)).join(":"),
    };
    for (const k of ["PULUMI_HOME", "PULUMI_FLYTE_PULUMI_HOME", "PULUMI_FLYTE_PYTHON_VENV", "DOCKER_CONFIG", "PULUMI_FLYTE_TOOLCHAIN", "PULUMI_FLYTE_BIN", "PULUMI_FLYTE_ROOT"]) delete env[k];
    const steps: SetupRun["steps"] = [];
    const t0 = performance.now();
    const toolchain = () => run("nice", ["-n", "10", "bash", path.join(src, "scripts/toolchain.sh"), ...toolchainArgs], { cwd: src, env, cpu: true });
    const platform = () => run("nice", ["-n", "10", "bash", path.join(src, "scripts/platform/build.sh")], { cwd: src, env, cpu: true });
    let results: [Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>];
    log(`B5 ${label}: cold ${style} set-up of ${rev} in ${path.relative(REPO, root)}`);
    if (style === "sequential") {
        const a = await toolchain();
        const b = a.code === 0 ? await platform() : a;
        results = [a, b];
    } else {
        results = await Promise.all([toolchain(), platform()]);
    }
    const wallMs = performance.now() - t0;
    const [tc, pf] = results;
    steps.push({ name: `toolchain.sh ${toolchainArgs.join(" ")}`.trim(), wallMs: tc.ms, cpuMs: tc.cpuMs });
    steps.push({ name: "platform/build.sh (etcd, kube, nodes, kwok, kubelet, worker)", wallMs: pf.ms, cpuMs: pf.cpuMs });
    fs.writeFileSync(path.join(root, "toolchain.log"), tc.stdout + tc.stderr);
    fs.writeFileSync(path.join(root, "platform.log"), pf.stdout + pf.stderr);
    // Kueue (queues) is built only when something needs it, never on the demo's path: measured
    // after the rest, as its own step, and left out of the totals (and of the ratio to "before")
    if (tc.code === 0 && pf.code === 0 && fs.existsSync(path.join(src, "tools", "kueue", "go.mod"))) {
        const kq = await run("nice", ["-n", "10", "bash", path.join(src, "scripts/platform/build.sh"), "kueue"], { cwd: src, env, cpu: true });
        steps.push({ name: "platform/build.sh kueue (queues only; not on the demo's path, not in the totals)", wallMs: kq.ms, cpuMs: kq.cpuMs });
        fs.writeFileSync(path.join(root, "kueue.log"), kq.stdout + kq.stderr);
    }
    const binaries = [...parseToolchain(tc.stdout), ...parsePlatform(path.join(cache, "platform", "build-times.tsv"))];
    const ok = tc.code === 0 && pf.code === 0;
    const out: SetupRun = { label, rev, wallMs, cpuMs: (tc.cpuMs ?? 0) + (pf.cpuMs ?? 0), steps, binaries, ok,
        ...(ok ? {} : { error: (tc.code !== 0 ? tc.stderr : pf.stderr).slice(-2000) }) };
    fs.writeFileSync(path.join(root, "result.json"), JSON.stringify(out, null, 1));
    log(`B5 ${label}: ${ok ? "done" : "FAILED"} in ${fmtMs(wallMs)} wall, ${fmtMs(out.cpuMs)} CPU`);
    // the caches are large (GBs): keep only the result
    if (!process.env.BENCH_KEEP_B5) for (const d of ["cache", "gocache", "gomod", "tmp"]) {
        execFileSync("bash", ["-c", `chmod -R u+w '${path.join(root, d)}' 2>/dev/null; rm -rf '${path.join(root, d)}'`]);
    }
    return out;
}

export function b5Section(before: SetupRun | undefined, now: SetupRun, notes: string[], load0: number): SectionResult {
    const one = (x: number) => spread([x]);
    const ratios: SectionResult["ratios"] = [];
    if (before?.ok && now.ok) {
        ratios.push({ label: "cold set-up now / before (wall)", ratio: one(now.wallMs / before.wallMs), chart: true, detail: `${fmtMs(now.wallMs)} / ${fmtMs(before.wallMs)}` });
        ratios.push({ label: "cold set-up now / before (CPU)", ratio: one(now.cpuMs / before.cpuMs), chart: true, detail: `${fmtMs(now.cpuMs)} / ${fmtMs(before.cpuMs)}` });
    }
    // the cores were kept busy: wall against the least wall the CPU takes on this machine's cores
    const cores = os.cpus().length;
    for (const [which, r] of [["now", now], ["before", before]] as const) {
        if (!r?.ok) continue;
        ratios.push({
            label: `cold set-up ${which}: wall / (CPU / ${cores} cores)`,
            ratio: one(r.wallMs / (r.cpuMs / cores)),
            ...(which === "now" ? { goal: 1.05, chart: true } : {}),
            detail: `${fmtMs(r.wallMs)} wall, ${fmtMs(r.cpuMs)} CPU`,
        });
        const binWall = r.binaries.reduce((a, b) => a + b.wallS * 1000, 0);
        ratios.push({
            label: `cold set-up ${which}: overlap (sum of the builds' walls / the set-up's wall)`,
            ratio: one(binWall / r.wallMs),
            detail: `${fmtMs(binWall)} / ${fmtMs(r.wallMs)}`,
        });
    }
    const names = [...new Set([...(before?.binaries ?? []), ...now.binaries].map((b) => b.name))];
    const cell = (r: SetupRun | undefined, n: string) => {
        const b = r?.binaries.find((x) => x.name === n);
        return b ? `${b.wallS.toFixed(0)} s${b.cpuS !== undefined ? ` (CPU ${b.cpuS.toFixed(0)} s)` : ""}` : r ? "not built" : "—";
    };
    const stepRows = (r: SetupRun | undefined, which: string) => (r ? r.steps.map((s) => [which, s.name, fmtMs(s.wallMs), s.cpuMs !== undefined ? fmtMs(s.cpuMs) : "—"]) : []);
    const recorded = path.join(os.homedir(), ".cache/pulumi-flyte/platform/build-times.tsv");
    const images = fs.existsSync(recorded) ? fs.readFileSync(recorded, "utf8").split("\n").filter((l) => l.includes("\tbase-images\t")).pop() : undefined;
    return {
        id: "B5",
        title: "Cold set-up of the toolchain and the platform's binaries",
        date: new Date().toISOString(),
        status: now.ok ? "ok" : "failed",
        ...(now.ok ? {} : { reason: `the cold set-up failed: ${now.error}` }),
        load: [load0, load()],
        ratios,
        tables: [
            { caption: "Per binary: wall (and CPU where recorded) of its build, cold", header: ["binary", `before (${before?.rev ?? "—"})`, `now (${now.rev})`], rows: names.map((n) => [n, cell(before, n), cell(now, n)]) },
            { caption: "Steps", header: ["run", "step", "wall", "CPU"], rows: [...stepRows(before, "before"), ...stepRows(now, "now"),
                ...(before ? [["before", "total", fmtMs(before.wallMs), fmtMs(before.cpuMs)]] : []), ["now", "total", fmtMs(now.wallMs), fmtMs(now.cpuMs)]] },
        ],
        notes: [
            ...notes,
            ...(images ? [`Base images (not rebuilt here; last recorded on this machine): ${images.split("\t").slice(2).join(" ")}.`] : []),
        ],
        raw: { before, now },
    };
}

export async function b5(opts: { quick: boolean; beforeRev?: string; parallel?: boolean }): Promise<SectionResult> {
    const load0 = load();
    const beforeRev = opts.beforeRev ?? process.env.BENCH_B5_BEFORE;
    const notes = [
        "Temporary PULUMI_FLYTE_CACHE, GOCACHE and GOMODCACHE (all empty), the module proxy as on a fresh machine; `nice -n 10`; the machine is shared (see the load average).",
        "The CPU of a step is that of its whole process tree (go, compile, link, pip): the part of the cost that machine load changes least.",
    ];
    const nowRun = () => coldSetup("now", "checkout", "overlapped", ["--for", "typescript"]);
    const beforeRun = () => coldSetup("before", beforeRev!, "sequential", []);
    let before: SetupRun | undefined;
    let now: SetupRun;
    if (beforeRev && opts.parallel) {
        [before, now] = await Promise.all([beforeRun(), nowRun()]);
        notes.push("before and now ran at the same time (same load for both; each had about half of the machine).");
    } else {
        if (beforeRev) before = await beforeRun();
        now = await nowRun();
    }
    return b5Section(before, now, notes, load0);
}

/**
 * B5 when it was not run: says so, and shows the build times this machine recorded when
 * it built its toolchain and platform (context only: not a same-run ratio).
 */
/** Binaries the platform builds only when something needs them (Kueue: the queue tests, a stack with a Queue). */
const ON_DEMAND = new Set(["kueue"]);

export function b5NotRun(reason: string): SectionResult {
    const cache = process.env.PULUMI_FLYTE_CACHE ?? path.join(os.homedir(), ".cache/pulumi-flyte");
    const rows: string[][] = [];
    const cpuOf = new Map<string, number>(); // the latest build of each binary
    let firstAt = Infinity;
    let lastAt = -Infinity;
    for (const [what, file] of [["toolchain", path.join(cache, "toolchain/build-times.tsv")], ["platform", path.join(cache, "platform/build-times.tsv")]]) {
        for (const { fields: f, endMs, name, wallS, cpuS } of buildTimeLines(file)) {
            // built on demand only (queues): listed, but not part of the demo's set-up and its totals
            const onDemand = ON_DEMAND.has(name);
            rows.push([what, f[0] ?? "", onDemand ? `${f[1]} (on demand: not on the demo's path)` : (f[1] ?? ""), f[2] ?? "", f.slice(3).join(" ")]);
            if (onDemand) continue;
            if (cpuS !== undefined) cpuOf.set(`${what}/${name}`, cpuS);
            // a build's start: its end (the row's time) minus its wall time
            if (Number.isFinite(endMs)) {
                lastAt = Math.max(lastAt, endMs);
                if (Number.isFinite(wallS)) firstAt = Math.min(firstAt, endMs - wallS * 1000);
            }
        }
    }
    const cpuS = [...cpuOf.values()].reduce((a, b) => a + b, 0);
    const cores = os.cpus().length;
    const totals: string[][] = [];
    if (cpuS > 0) {
        totals.push(["CPU of the latest build of each binary of the demo's set-up (compile and link)", `${cpuS.toFixed(0)} s`]);
        totals.push([`the least wall time that CPU takes on ${cores} cores`, fmtMs((cpuS / cores) * 1000)]);
        if (Number.isFinite(firstAt) && lastAt > firstAt)
            totals.push(["from the first build's start to the last build's end (wall, as recorded)", fmtMs(lastAt - firstAt)]);
    }
    return {
        id: "B5",
        title: "Cold set-up of the toolchain and the platform's binaries",
        date: new Date().toISOString(),
        status: "skipped",
        reason,
        ratios: [],
        tables: rows.length ? [
            { caption: `Build times this machine recorded (\`${path.relative(os.homedir(), cache)}/*/build-times.tsv\`; each build once, under whatever load there was: context, not a ratio)`, header: ["part", "when", "binary", "version", "wall, CPU"], rows },
            ...(totals.length ? [{ caption: "Totals of those builds", header: ["", ""], rows: totals }] : []),
        ] : [],
        notes: [],
    };
}
