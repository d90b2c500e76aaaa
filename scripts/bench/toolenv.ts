import { execFileSync } from "child_process";
import * as path from "path";
import { REPO } from "./util";

/** The environment of scripts/env.sh (toolchain on PATH, PULUMI_HOME, the platform's KUBECONFIG, ...). */
export function toolchainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const out = execFileSync("bash", ["-c", `source '${path.join(REPO, "scripts/env.sh")}' && env -0`], { encoding: "utf8", env: process.env });
    const env: NodeJS.ProcessEnv = {};
    for (const kv of out.split("\0")) {
        const i = kv.indexOf("=");
        if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return { ...env, ...extra };
}

/** Whether the toolchain's pulumi is installed. */
export function hasPulumi(env: NodeJS.ProcessEnv): boolean {
    try {
        execFileSync("pulumi", ["version"], { env, stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}
