import { spawn, SpawnOptions } from "child_process";
import * as path from "path";

export const REPO = path.resolve(__dirname, "../..");
export const WORK = path.join(REPO, ".work", "bench");

export function log(msg: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
    /** CPU time of the process and its waited-for children (user + system), when measured with /usr/bin/time. */
    cpuMs?: number;
}

/** Runs a command; with `cpu`, under /usr/bin/time to get the CPU time of the whole process tree. */
export function run(cmd: string, args: string[], opts: SpawnOptions & { cpu?: boolean; input?: string } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const [c, a] = opts.cpu ? ["/usr/bin/time", ["-f", "__TIME__ %e %U %S", cmd, ...args]] : [cmd, args];
        const child = spawn(c, a, { ...opts, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("error", reject);
        if (opts.input !== undefined) child.stdin!.end(opts.input);
        else child.stdin!.end();
        child.on("close", (code) => {
            const ms = performance.now() - t0;
            let cpuMs: number | undefined;
            const m = /__TIME__ ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
            if (m) {
                cpuMs = (Number(m[2]) + Number(m[3])) * 1000;
                stderr = stderr.slice(0, m.index);
            }
            resolve({ code: code ?? 1, stdout, stderr, ms, cpuMs });
        });
    });
}

export async function must(cmd: string, args: string[], opts: SpawnOptions & { cpu?: boolean; input?: string } = {}): Promise<RunResult> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}:\n${(r.stderr || r.stdout).slice(-3000)}`);
    return r;
}

/** Rotates the order of items each round, so none always runs first. */
export function rotated<T>(items: readonly T[], round: number): T[] {
    const k = round % items.length;
    return [...items.slice(k), ...items.slice(0, k)];
}
