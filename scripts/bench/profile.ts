/** Reads a V8 .cpuprofile (node --cpu-prof) into where the CPU went: by category and by frame. */
import * as fs from "fs";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

export interface ProfileSummary {
    /** Sampled CPU (idle samples left out). */
    totalMs: number;
    /** Self time by category. */
    categories: Record<string, number>;
    /** Inclusive time of the frames asked for (by label). */
    frames: Record<string, number>;
}

function category(url: string, fn: string): string {
    if (!url) return fn === "(garbage collector)" ? "garbage collection" : fn === "(program)" ? "native (V8's own)" : "V8 / native (microtasks, stack traces)";
    if (/node_modules\/(source-map-support|source-map)\//.test(url)) return "source maps of stack traces (source-map-support)";
    if (/node_modules\/google-protobuf|node_modules\/@grpc/.test(url)) return "Pulumi runtime: protobuf / gRPC";
    if (/node_modules\/@pulumi\/pulumi/.test(url)) return "Pulumi runtime: @pulumi/pulumi";
    if (/node_modules\/@pulumi\/kubernetes/.test(url)) return "@pulumi/kubernetes";
    if (/sdk-dist|sdk\/dist|sdk\/src|rev-[0-9a-f]+\/sdk/.test(url)) return "pulumi-flyte";
    if (/node_modules\/zod/.test(url)) return "pulumi-flyte (zod)";
    if (/^node:internal\/(modules|fs)|node:fs|node:path|node:internal\/url/.test(url)) return "module loading / fs";
    if (/^node:internal\/errors/.test(url)) return "V8 / native (microtasks, stack traces)";
    if (/scripts\/bench/.test(url)) return "the program itself";
    if (/^node:/.test(url)) return "Node.js internals (streams, events, http2, timers)";
    return "other";
}

/** `frames`: label -> regex over "<function> <url>" of frames whose inclusive time to report. */
export function summarizeProfile(file: string, frames: Record<string, RegExp> = {}): ProfileSummary {
    const prof = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const self = new Map<number, number>();
    prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
    const categories: Record<string, number> = {};
    const inclusive: Record<string, number> = {};
    let total = 0;
    for (const [id, us] of self) {
        const n = byId.get(id)!;
        if (n.callFrame.functionName === "(idle)") continue; // waiting (for the engine, the network): no CPU
        total += us;
        const c = category(n.callFrame.url, n.callFrame.functionName);
        categories[c] = (categories[c] ?? 0) + us / 1000;
        const hit = new Set<string>();
        for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
            const f = byId.get(cur)!.callFrame;
            const key = `${f.functionName} ${f.url}`;
            for (const [label, re] of Object.entries(frames)) if (!hit.has(label) && re.test(key)) hit.add(label);
        }
        for (const label of hit) inclusive[label] = (inclusive[label] ?? 0) + us / 1000;
    }
    return { totalMs: total / 1000, categories, frames: inclusive };
}
