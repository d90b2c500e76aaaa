/**
 * B1: evaluation of the program under Pulumi's mocks, N environments with one task
 * each, ours against the hand-written @pulumi/kubernetes program (raw) that registers
 * the same PodTemplates, and raw with a bare ComponentResource per environment (what
 * any component costs in Pulumi itself). Each run is a fresh `node` process; the
 * programs of one round run back to back in a rotating order and are divided pairwise.
 */
import * as fs from "fs";
import * as path from "path";
import { load } from "./machine";
import { fmtMs, median, pairedRatios } from "./stats";
import { ProfileSummary, summarizeProfile } from "./profile";
import { SectionResult } from "./types";
import { WORK, log, must, rotated } from "./util";

const PROGRAMS = ["ours", "raw", "raw-component"] as const;
type Program = (typeof PROGRAMS)[number];
interface Sample { ms: number; cpuMs: number; loadMs: number; registrations: number; promises?: number }

export interface B1Options { sizes: number[]; runs: (n: number) => number; sdk: string; profile?: boolean }

/** Frames whose inclusive CPU the report shows (what a program's registrations cost, and what pulumi-flyte adds). */
const PROFILE_FRAMES: Record<string, RegExp> = {
    "PodTemplate constructors (@pulumi/kubernetes)": /^PodTemplate .*@pulumi\/kubernetes/,
    "ComponentResource constructors (@pulumi/pulumi)": /^ComponentResource .*@pulumi\/pulumi/,
    "serializing inputs (serializeProperties)": /^serializeProperties? .*@pulumi\/pulumi/,
    "stack traces of tracked promises (debuggablePromise)": /^debuggablePromise .*@pulumi\/pulumi/,
    "pulumi-flyte: validation and planning (planEnvironment, planTask)": /^(planEnvironment|planTask) /,
    "pulumi-flyte: rendering (render)": /^render .*podtemplate\/render/,
    "pulumi-flyte: pod arguments (withImage, templateWithImage)": /^(withImage|templateWithImage) /,
    "pulumi-flyte: scheduling check (checkSchedulability)": /^checkSchedulability /,
};

/** One evaluation in a fresh process; `count`: also count the promises the runtime tracks (slower: not timed). */
async function evaluate(program: Program, n: number, sdk: string, fixture: string, dump?: string, count = false): Promise<Sample> {
    const r = await must("node", [path.join(__dirname, "mock-run.js"), path.join(__dirname, "programs", `${program}.js`), ...(dump ? ["--dump", dump] : [])], {
        env: { ...process.env, BENCH_N: String(n), BENCH_SDK: sdk, BENCH_FIXTURE: fixture, BENCH_NAMESPACE: "bench", ...(count ? { BENCH_COUNT: "1" } : {}) },
    });
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

export async function b1(opts: B1Options): Promise<SectionResult> {
    const load0 = load();
    const dir = path.join(WORK, "b1");
    fs.mkdirSync(dir, { recursive: true });
    const samples: Record<number, Record<Program, Sample[]>> = {};
    const notes: string[] = [];
    const counts: Partial<Record<Program, Sample>> = {};
    let countN = 0;
    for (const n of opts.sizes) {
        const fixture = path.join(dir, `fixture-${n}.json`);
        await must("node", [path.join(__dirname, "fixture.js"), opts.sdk, String(n), fixture]);
        samples[n] = { ours: [], raw: [], "raw-component": [] };
        if (n === Math.min(...opts.sizes)) {
            // object for object: the PodTemplates both programs register are identical
            const dumps = await Promise.all(PROGRAMS.map(async (p) => {
                const file = path.join(dir, `dump-${p}-${n}.json`);
                await evaluate(p, n, opts.sdk, fixture, file);
                return fs.readFileSync(file, "utf8");
            }));
            const same = dumps.every((d) => d === dumps[0]);
            if (!same) throw new Error(`B1: the programs' PodTemplates differ at N=${n} (see ${dir}/dump-*.json)`);
            notes.push(`The ${2 * n} PodTemplates registered by ours, raw and raw + component at N=${n} are identical, inputs included (compared as recorded by the mocks).`);
            // the runtime work each program causes, counted (deterministic, unlike times)
            for (const p of PROGRAMS) counts[p] = await evaluate(p, n, opts.sdk, fixture, undefined, true);
            countN = n;
        }
        const runs = opts.runs(n);
        for (let round = 0; round < runs; round++) {
            for (const p of rotated(PROGRAMS, round)) {
                const s = await evaluate(p, n, opts.sdk, fixture);
                samples[n][p].push(s);
                log(`B1 N=${n} round ${round + 1}/${runs} ${p}: ${fmtMs(s.ms)} wall, ${fmtMs(s.cpuMs)} CPU, ${s.registrations} registrations`);
            }
        }
    }
    // where the CPU goes: one profiled run of each program at the middle size
    const profN = opts.sizes[Math.floor(opts.sizes.length / 2)];
    const profiles: Record<string, ProfileSummary> = {};
    if (opts.profile !== false) {
        const fixture = path.join(dir, `fixture-${profN}.json`);
        for (const p of PROGRAMS) {
            const pdir = path.join(dir, "profiles", p);
            fs.rmSync(pdir, { recursive: true, force: true });
            await must("node", ["--cpu-prof", `--cpu-prof-dir=${pdir}`, path.join(__dirname, "mock-run.js"), path.join(__dirname, "programs", `${p}.js`)], {
                env: { ...process.env, BENCH_N: String(profN), BENCH_SDK: opts.sdk, BENCH_FIXTURE: fixture, BENCH_NAMESPACE: "bench" },
            });
            profiles[p] = summarizeProfile(path.join(pdir, fs.readdirSync(pdir)[0]), PROFILE_FRAMES);
            log(`B1 profile ${p} N=${profN}: ${fmtMs(profiles[p].totalMs)} sampled`);
        }
    }
    const ratios: SectionResult["ratios"] = [];
    const table: string[][] = [];
    const col = (n: number, p: Program, k: "ms" | "cpuMs") => samples[n][p].map((s) => s[k]);
    for (const n of opts.sizes) {
        ratios.push({ label: `N=${n} ours / raw (wall)`, ratio: pairedRatios(col(n, "ours", "ms"), col(n, "raw", "ms")), chart: true,
            detail: `medians ${fmtMs(median(col(n, "ours", "ms")))} / ${fmtMs(median(col(n, "raw", "ms")))}` });
        ratios.push({ label: `N=${n} ours / raw (CPU)`, ratio: pairedRatios(col(n, "ours", "cpuMs"), col(n, "raw", "cpuMs")), chart: true,
            detail: `medians ${fmtMs(median(col(n, "ours", "cpuMs")))} / ${fmtMs(median(col(n, "raw", "cpuMs")))}` });
        ratios.push({ label: `N=${n} raw + component / raw (CPU): Pulumi's own cost of a component`, ratio: pairedRatios(col(n, "raw-component", "cpuMs"), col(n, "raw", "cpuMs")),
            detail: `medians ${fmtMs(median(col(n, "raw-component", "cpuMs")))} / ${fmtMs(median(col(n, "raw", "cpuMs")))}` });
        ratios.push({ label: `N=${n} ours / raw + component (CPU): what pulumi-flyte adds`, ratio: pairedRatios(col(n, "ours", "cpuMs"), col(n, "raw-component", "cpuMs")), goal: 1.03, chart: true,
            detail: `medians ${fmtMs(median(col(n, "ours", "cpuMs")))} / ${fmtMs(median(col(n, "raw-component", "cpuMs")))}` });
        for (const p of PROGRAMS) {
            const s = samples[n][p];
            table.push([String(n), p, fmtMs(median(s.map((x) => x.ms))), fmtMs(median(s.map((x) => x.cpuMs))),
                `${(median(s.map((x) => x.cpuMs)) / n).toFixed(2)} ms`, fmtMs(median(s.map((x) => x.loadMs))), String(s[0]?.registrations ?? "")]);
        }
    }
    // growth with N: CPU per environment at each size, and its change from size to size
    const growth: string[][] = [];
    for (const p of PROGRAMS) {
        const per = opts.sizes.map((n) => median(col(n, p, "cpuMs")) / n);
        const steps = opts.sizes.slice(1).map((n, i) => `${opts.sizes[i]}→${n}: ×${(median(col(n, p, "cpuMs")) / median(col(opts.sizes[i], p, "cpuMs"))).toFixed(2)} for ×${(n / opts.sizes[i]).toFixed(0)} N`);
        growth.push([p, ...per.map((x) => `${x.toFixed(2)} ms`), steps.join("; ")]);
    }
    const countTables: SectionResult["tables"] = [];
    if (counts.ours && counts.raw && counts["raw-component"]) {
        const c = counts as Record<Program, Sample>;
        const one = (x: number) => ({ min: x, median: x, max: x, runs: 1 });
        ratios.push({ label: `N=${countN} tracked promises ours / raw + component (counted, not timed)`, ratio: one(c.ours.promises! / c["raw-component"].promises!),
            detail: `${c.ours.promises} / ${c["raw-component"].promises}` });
        ratios.push({ label: `N=${countN} tracked promises raw + component / raw (counted): Pulumi's own work for a component`, ratio: one(c["raw-component"].promises! / c.raw.promises!),
            detail: `${c["raw-component"].promises} / ${c.raw.promises}` });
        countTables.push({
            caption: `Runtime work per program at N=${countN}, counted (the same on any machine): registrations sent to the engine and promises the Pulumi runtime tracks (each captures a stack trace: \`debuggablePromise\`)`,
            header: ["program", "registrations", "per environment", "tracked promises", "per environment"],
            rows: PROGRAMS.map((p) => [p, String(c[p].registrations), (c[p].registrations / countN).toFixed(2), String(c[p].promises), (c[p].promises! / countN).toFixed(2)]),
        });
    }
    const profileTables: SectionResult["tables"] = [];
    if (counts.ours && counts.raw && counts["raw-component"]) {
        const c = counts as Record<Program, Sample>;
        const own = profiles.ours ? ((profiles.ours.categories["pulumi-flyte"] ?? 0) + (profiles.ours.categories["pulumi-flyte (zod)"] ?? 0)) / profiles.ours.totalMs : undefined;
        notes.push(`What is inherent: a component is one more resource per environment for Pulumi (${(c["raw-component"].registrations / countN).toFixed(0)} registrations instead of ${(c.raw.registrations / countN).toFixed(0)}, its outputs registered too) and ${((c["raw-component"].promises! - c.raw.promises!) / countN).toFixed(0)} more tracked promises per environment, each with a stack trace: "raw + component / raw" is that cost, whoever writes the component. ours causes ${c.ours.promises === c["raw-component"].promises ? "exactly as many" : `${c.ours.promises! - c["raw-component"].promises!} more`} tracked promises and registrations as raw + component; what it adds beyond is its own JavaScript (validation, rendering, the scheduling check's set-up${own !== undefined ? `: ${(100 * own).toFixed(1)}% of its CPU profile at N=${profN}, pulumi-flyte and zod self time` : ""}) and loading its modules.`);
    }
    if (Object.keys(profiles).length) {
        const cats = [...new Set(Object.values(profiles).flatMap((x) => Object.keys(x.categories)))]
            .sort((x, y) => (profiles.ours?.categories[y] ?? 0) - (profiles.ours?.categories[x] ?? 0));
        const pct = (x: ProfileSummary, ms: number | undefined) => (ms ? `${fmtMs(ms)} (${((100 * ms) / x.totalMs).toFixed(1)}%)` : "—");
        profileTables.push({
            caption: `CPU profile at N=${profN} (\`node --cpu-prof\`, one run each; self time by category)`,
            header: ["category", ...PROGRAMS],
            rows: [...cats.map((c) => [c, ...PROGRAMS.map((p) => pct(profiles[p], profiles[p].categories[c]))]), ["total sampled", ...PROGRAMS.map((p) => fmtMs(profiles[p].totalMs))]],
        });
        profileTables.push({
            caption: `Inclusive time of the frames that explain the difference, N=${profN}`,
            header: ["frame", ...PROGRAMS],
            rows: Object.keys(PROFILE_FRAMES).map((f) => [f, ...PROGRAMS.map((p) => pct(profiles[p], profiles[p].frames[f]))]),
        });
    }
    return {
        id: "B1",
        title: "Program evaluation under Pulumi's mocks",
        date: new Date().toISOString(),
        status: "ok",
        load: [load0, load()],
        ratios,
        tables: [
            { caption: "Medians per program (each run a fresh node process; time from requiring the program, its modules included, until every registration has been sent)",
                header: ["N", "program", "wall", "CPU", "CPU per environment", "module load", "registrations"], rows: table },
            { caption: "Growth with N (CPU per environment; linear growth keeps it flat)",
                header: ["program", ...opts.sizes.map((n) => `N=${n}`), "total CPU growth"], rows: growth },
            ...countTables,
            ...profileTables,
        ],
        notes,
        raw: samples,
    };
}
