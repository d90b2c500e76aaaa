/**
 * What DRA adds to the scheduling check (issue 18), on the local platform's cluster as
 * the check reads it: reading DeviceClasses, ResourceSlices and ResourceClaims (once
 * per program, beside the node list), preparing them (once), and simulating each pod
 * (every case of the DRA table, tests/fixtures/dra-cases.ts) with DRA against the same
 * accelerators as extended resources without it. Printed, like `core`: `npm run bench
 * -- --only dra` (needs `npm run platform -- up`).
 */
import { performance } from "perf_hooks";
import { render } from "../../sdk/src/core/podtemplate/render";
import { prepareDra } from "../../sdk/src/core/simulator/dra/dynamic-resources";
import { fromKubernetesNode, simulateScheduling } from "../../sdk/src/core/simulator/simulate";
import { listDraObjects } from "../../sdk/src/kube/dra-lists";
import { listNodes } from "../../sdk/src/kube/nodes";
import { DRA_CASES } from "../../tests/fixtures/dra-cases";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
    const start = performance.now();
    const value = await fn();
    return [value, performance.now() - start];
}

/** Median µs per call of `fn` over `runs` rounds of `n` calls (after a warm-up round). */
function perCall(fn: () => unknown, n = 20, runs = 5): number {
    for (let i = 0; i < n; i++) fn();
    const rounds: number[] = [];
    for (let r = 0; r < runs; r++) {
        const start = performance.now();
        for (let i = 0; i < n; i++) fn();
        rounds.push(((performance.now() - start) * 1000) / n);
    }
    return median(rounds);
}

export async function dra(): Promise<void> {
    const kubeconfig = process.env.KUBECONFIG;
    if (!kubeconfig) {
        console.log("dra: skipped (KUBECONFIG is not set: `source scripts/env.sh` with the platform up)");
        return;
    }
    const choice = { kubeconfig };
    const nodeReads: number[] = [];
    const draReads: number[] = [];
    let nodes: ReturnType<typeof fromKubernetesNode>[] = [];
    let objects;
    for (let i = 0; i < 5; i++) {
        const [list, nodeMs] = await timed(() => listNodes(choice));
        const [read, draMs] = await timed(() => listDraObjects(choice));
        if (!list.ok || !read.ok) {
            console.log(`dra: skipped (the cluster cannot be read: ${!list.ok ? list.reason : !read.ok ? read.reason : ""})`);
            return;
        }
        nodes = list.items.map(fromKubernetesNode);
        objects = read.cluster;
        nodeReads.push(nodeMs);
        draReads.push(draMs);
    }
    const devices = objects!.resourceSlices.reduce((n, s) => n + (s.spec.devices?.length ?? 0), 0);
    console.log(
        `dra: cluster of ${nodes.length} nodes, ${objects!.deviceClasses.length} DeviceClasses, ${objects!.resourceSlices.length} ResourceSlices (${devices} devices), ${objects!.resourceClaims.length} ResourceClaims`,
    );
    console.log(`  read the nodes (once per program)                        ${median(nodeReads).toFixed(1)} ms`);
    console.log(`  read the DRA objects (once per program, in parallel)     ${median(draReads).toFixed(1)} ms`);
    const prepare = perCall(() => prepareDra(objects!), 5, 3);
    console.log(`  prepare them (once per program)                          ${(prepare / 1000).toFixed(2)} ms`);

    // one context per program, as the check has: selectors compiled once, shared by every pod
    const context = prepareDra(objects!);
    const rows: [string, number, number][] = [];
    for (const c of DRA_CASES) {
        const claimed = render(
            { name: c.name, image: "r/x:1", resources: c.resources },
            { profile: "gke", deviceAllocation: c.deviceAllocation ?? "dra" },
        );
        const spec = claimed.podTemplate.template.spec as Parameters<typeof simulateScheduling>[0];
        const templates = claimed.claimTemplate
            ? { [claimed.claimTemplate.metadata.name]: claimed.claimTemplate.spec.spec }
            : undefined;
        const withDra = perCall(() => simulateScheduling(spec, nodes, { dra: context, claimTemplates: templates }));
        // the same accelerator as extended resources, the check without DRA objects (as before issue 18)
        const extended = render(
            { name: c.name, image: "r/x:1", resources: { ...c.resources, gpu: [c.resources.gpu].flat()[0] } },
            { profile: "gke", deviceAllocation: "extended" },
        ).podTemplate.template.spec as Parameters<typeof simulateScheduling>[0];
        const withoutDra = perCall(() => simulateScheduling(extended, nodes, {}));
        rows.push([c.name, withDra, withoutDra]);
    }
    console.log(`  per pod (µs)                   with DRA    without   added`);
    for (const [name, w, wo] of rows)
        console.log(`  ${name.padEnd(28)} ${w.toFixed(0).padStart(9)} ${wo.toFixed(0).padStart(9)} ${(w - wo).toFixed(0).padStart(7)}`);
    const added = rows.map(([, w, wo]) => w - wo);
    console.log(
        `  added per pod: median ${(median(added) / 1000).toFixed(2)} ms, max ${(Math.max(...added) / 1000).toFixed(2)} ms (${rows.length} pods)`,
    );
}
