/**
 * `npm run bench [-- options]`: measures what users wait on, each against what a user
 * would do instead, and writes bench/REPORT.md + bench/chart.svg (+ bench/results.json):
 *
 *   B1  program evaluation under Pulumi's mocks, N = 100, 1000, 5000 environments
 *       (+1 task each): ours / the hand-written @pulumi/kubernetes program
 *   B2  real engine on the local platform, N = 200: first preview, first up,
 *       no-change preview, no-change up; ours / raw, resources and state size
 *   B3  the quickstart: a no-change up changes and builds nothing; three stacks
 *       sharing one image build it once
 *   B4  tag + build context of a 1 GiB / 20,000-file source folder / tar | sha256sum
 *   B5  cold set-up of the toolchain and the platform's binaries, per binary (temporary
 *       PULUMI_FLYTE_CACHE, GOCACHE and GOMODCACHE; the running platform is left alone)
 *   B6  the scheduling check at cluster scale: 200 pods on 17 / 1,000 / 5,000 nodes in
 *       20 shapes, judged by node shape / node by node
 *   core  throughput of the pure core (printed only)
 *   dra   what DRA adds to the scheduling check: reading and preparing the cluster's DRA
 *         objects, and simulating each pod of the DRA table (printed only; platform up)
 *
 * B2, B3 and B5 need the local platform (`npm run platform -- up`) and are skipped with
 * a message when it is not up. Options:
 *   --only B1,B4     run these sections (others keep their previous results)
 *   --quick          fewer runs and sizes (a smoke test of the bench itself)
 *   --runs K         runs per measurement (default: 5 for small work, 3 for large)
 *   --runs-large K   runs of B1 at N >= 5000 (default 3, or --runs)
 *   --baseline       also save the results as bench/baseline.json (the "before" column)
 *   --sdk-rev REV    measure the SDK as of commit REV (e.g. the one before a change)
 *   --b5-before REV  B5 also builds cold with the scripts and tools of commit REV, the way
 *                    its demo did (the "before" column); --b5-parallel runs both at once
 *   --report-only    rewrite REPORT.md and chart.svg from bench/results.json
 *   --results FILE   write the results to FILE instead of bench/results.json (and no
 *                    report): sections can run in separate processes at the same time
 *   --merge F1,F2    take the sections of these results files into bench/results.json
 *                    and rewrite the report (with --report-only semantics: nothing runs)
 * Timings are never asserted in tests.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { b1 } from "./bench/b1-mocks";
import { b4 } from "./bench/b4-context";
import { machine } from "./bench/machine";
import { writeReport } from "./bench/report";
import { BenchResults, SectionResult } from "./bench/types";
import { REPO, WORK, log } from "./bench/util";

const BENCH_DIR = path.join(REPO, "bench");
const RESULTS_DEFAULT = path.join(BENCH_DIR, "results.json");
const BASELINE = path.join(BENCH_DIR, "baseline.json");

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(name);

const B5_NOT_RUN =
    "not run: `npm run bench -- --only B5` compiles the toolchain and the platform cold (tens of minutes of CPU)";

/** Which pulumi-flyte a run measured, when it measured the checkout. */
function sdkLabel(m: BenchResults["machine"]): string {
    return `${m.commit}${m.dirty ? " with uncommitted changes" : ""}`;
}

function readJson<T>(file: string): T | undefined {
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as T) : undefined;
}

/**
 * Compiles the SDK into a private folder (the checkout's dist/ is shared with others):
 * the checkout's sources, or with `rev` those of a commit (to measure a "before").
 */
function buildSdk(rev?: string): string {
    const tsc = path.join(REPO, "node_modules/.bin/tsc");
    if (!rev) {
        // one folder per process: a bench running at the same time keeps loading its own
        const out = path.join(WORK, `sdk-dist-${process.pid}`);
        process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));
        log(`compiling sdk/src into ${path.relative(REPO, out)}`);
        execFileSync(tsc, ["-p", path.join(REPO, "sdk/tsconfig.json"), "--outDir", out], { stdio: "inherit" });
        return out;
    }
    const commit = execFileSync("git", ["rev-parse", "--short", rev], { cwd: REPO, encoding: "utf8" }).trim();
    const root = path.join(WORK, `rev-${commit}`);
    log(`compiling sdk/src of ${commit} into ${path.relative(REPO, root)}/sdk/dist`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    execFileSync(
        "bash",
        ["-c", `git archive ${commit} sdk/src sdk/tsconfig.json tsconfig.base.json | tar -x -C '${root}'`],
        { cwd: REPO, stdio: "inherit" },
    );
    execFileSync(tsc, ["-p", path.join(root, "sdk/tsconfig.json")], { stdio: "inherit" });
    return path.join(root, "sdk/dist");
}

/** Whether the local platform is up (platform.sh status exits 0 only then). */
export function platformUp(): { up: boolean; why: string } {
    try {
        execFileSync("bash", [path.join(REPO, "scripts/platform.sh"), "status"], {
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 120_000,
        });
        return { up: true, why: "" };
    } catch (err: any) {
        const out = `${err.stdout ?? ""}`
            .split("\n")
            .filter((l: string) => /\b(down|not running|missing)\b/i.test(l))
            .slice(0, 4)
            .join("; ");
        return {
            up: false,
            why: `the local platform is not up (npm run platform -- status: ${out || "failed"}); start it with \`npm run platform -- up\``,
        };
    }
}

function skipped(id: SectionResult["id"], title: string, reason: string): SectionResult {
    return { id, title, date: new Date().toISOString(), status: "skipped", reason, ratios: [], tables: [], notes: [] };
}

async function main(): Promise<void> {
    const RESULTS = arg("--results") ? path.resolve(arg("--results")!) : RESULTS_DEFAULT;
    const separate = RESULTS !== RESULTS_DEFAULT;
    const previous = readJson<BenchResults>(RESULTS);
    const baseline = readJson<BenchResults>(BASELINE);
    const results: BenchResults = {
        date: new Date().toISOString(),
        machine: machine(REPO),
        sections: { ...(previous?.sections ?? {}) },
    };
    if (arg("--merge")) {
        const merged: BenchResults = readJson<BenchResults>(RESULTS_DEFAULT) ?? results;
        for (const file of arg("--merge")!.split(",")) {
            const part = readJson<BenchResults>(path.resolve(file));
            if (!part) throw new Error(`${file} does not exist`);
            for (const s of Object.values(part.sections)) if (s) s.sdk ??= sdkLabel(part.machine);
            Object.assign(merged.sections, part.sections);
            merged.date = part.date > merged.date ? part.date : merged.date;
            merged.machine = part.machine;
        }
        // B5 not measured: the build times this machine recorded, read again (they change with the machine)
        if (merged.sections.B5?.status !== "ok")
            merged.sections.B5 = (await import("./bench/b5-setup")).b5NotRun(B5_NOT_RUN);
        fs.writeFileSync(RESULTS_DEFAULT, JSON.stringify(merged, null, 1) + "\n");
        writeReport(BENCH_DIR, merged, baseline);
        return;
    }
    if (flag("--report-only")) {
        if (!previous) throw new Error(`${RESULTS} does not exist`);
        writeReport(BENCH_DIR, previous, baseline);
        return;
    }
    const only = (arg("--only") ?? "B1,B2,B3,B4,B5,B6,core,dra").split(",").map((s) => s.trim());
    const quick = flag("--quick");
    const runsArg = arg("--runs") ? Number(arg("--runs")) : undefined;
    fs.mkdirSync(WORK, { recursive: true });
    const sdk = buildSdk(arg("--sdk-rev"));
    const measured = arg("--sdk-rev")
        ? execFileSync("git", ["rev-parse", "--short", arg("--sdk-rev")!], { cwd: REPO, encoding: "utf8" }).trim()
        : sdkLabel(results.machine);
    const record = (s: SectionResult) => {
        if (s.status === "ok") s.sdk = measured;
        const old = results.sections[s.id];
        if (s.status === "skipped" && old && old.status === "ok") {
            // keep what was measured before, and say it was not re-measured
            results.sections[s.id] = {
                ...old,
                notes: [
                    ...old.notes.filter((n) => !n.startsWith("Not re-measured")),
                    `Not re-measured on ${s.date.slice(0, 16)}: ${s.reason}`,
                ],
            };
        } else {
            results.sections[s.id] = s;
        }
        fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
        fs.writeFileSync(RESULTS, JSON.stringify(results, null, 1) + "\n");
        if (!separate) writeReport(BENCH_DIR, results, baseline);
        if (s.status !== "ok") log(`${s.id} ${s.status}: ${s.reason}`);
    };
    const needsPlatform = only.some((s) => ["B2", "B3", "B5"].includes(s));
    const platform = needsPlatform ? platformUp() : { up: false, why: "" };

    if (only.includes("B1")) {
        const sizes = quick ? [100, 500] : [100, 1000, 5000];
        const large = arg("--runs-large") ? Number(arg("--runs-large")) : undefined;
        record(
            await b1({
                sizes,
                sdk,
                runs: (n) => (n >= 5000 ? large : undefined) ?? runsArg ?? (quick ? 2 : n >= 5000 ? 3 : 5),
            }),
        );
    }
    if (only.includes("B4")) record(await b4({ sdk, runs: runsArg ?? (quick ? 2 : 5) }));
    if (only.includes("B6"))
        record(
            await (
                await import("./bench/b6-scheduling")
            ).b6({ sdk, runs: runsArg ?? (quick ? 2 : 5), sizes: quick ? [17, 1000] : [17, 1000, 5000] }),
        );
    if (only.includes("B2")) {
        if (!platform.up) record(skipped("B2", "Real engine on the local platform, N = 200", platform.why));
        else
            record(
                await (
                    await import("./bench/b2-engine")
                ).b2({ sdk, n: quick ? 20 : 200, runs: runsArg ?? (quick ? 1 : 3) }),
            );
    }
    if (only.includes("B3")) {
        if (!platform.up)
            record(skipped("B3", "The quickstart: no-change up, and one image shared by three stacks", platform.why));
        else record(await (await import("./bench/b3-quickstart")).b3({ sdk }));
    }
    if (only.includes("B5")) {
        if (!platform.up) record(skipped("B5", "Cold set-up of the toolchain and the platform", platform.why));
        else
            record(
                await (
                    await import("./bench/b5-setup")
                ).b5({ quick, beforeRev: arg("--b5-before"), parallel: flag("--b5-parallel") }),
            );
    }
    if (!separate && !only.includes("B5") && results.sections.B5?.status !== "ok") {
        // never measured here: say so, with the build times this machine recorded
        record((await import("./bench/b5-setup")).b5NotRun(B5_NOT_RUN));
    }
    if (only.includes("core")) await (await import("./bench/core")).core();
    if (only.includes("dra")) await (await import("./bench/dra")).dra();
    if (!separate) writeReport(BENCH_DIR, results, baseline);
    if (flag("--baseline")) fs.writeFileSync(BASELINE, JSON.stringify(results, null, 1) + "\n");
    log(`report: ${path.relative(REPO, path.join(BENCH_DIR, "REPORT.md"))}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
