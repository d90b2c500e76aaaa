import { execFileSync } from "child_process";
import * as os from "os";

export interface Machine {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    kernel: string;
    node: string;
    go?: string;
    commit: string;
    dirty: boolean;
}

function sh(cmd: string, args: string[], cwd?: string): string {
    try {
        return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "";
    }
}

export function machine(repo: string): Machine {
    return {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: `${os.type()} ${os.release()}`,
        node: process.version,
        go: sh("go", ["version"]).replace(/^go version /, "") || undefined,
        commit: sh("git", ["rev-parse", "--short", "HEAD"], repo),
        dirty: sh("git", ["status", "--porcelain", "--untracked-files=no"], repo) !== "",
    };
}

/** The 1-minute load average: the machine is shared, so every section records it. */
export function load(): number {
    return Math.round(os.loadavg()[0] * 100) / 100;
}
