/**
 * B6: the scheduling check at cluster scale. 200 pods (the scheduling table's kinds of
 * environment, rendered for GKE) simulated against synthetic GKE clusters of 17, 1,000
 * and 5,000 nodes in 20 shapes (10 node pools in 2 zones), judged node by node and by
 * node shape (core/simulator/node-shapes.ts, what the check does), each in a fresh
 * process per run: CPU time of the simulations after a warm-up on a small cluster.
 */
import * as path from "path";
import { load } from "./machine";
import { fmtMs, median, pairedRatios, spread } from "./stats";
import { SectionResult } from "./types";
import { log, must, rotated } from "./util";

const SHAPES = 20;
const PODS = 200;

interface Run {
    perNodeMs: number;
    byShapeMs: number;
    groupMs: number;
    shapes: number;
    identical: boolean;
}

export async function b6(opts: { sdk: string; runs: number; sizes: number[] }): Promise<SectionResult> {
    const load0 = load();
    const runs: Record<number, Run[]> = {};
    const once = async (mode: "node" | "shape", n: number) =>
        JSON.parse(
            (await must("node", [path.join(__dirname, "b6-ours.js"), opts.sdk, mode, String(n), String(SHAPES), String(PODS)])).stdout.trim(),
        );
    for (const n of opts.sizes) {
        runs[n] = [];
        for (let round = 0; round < opts.runs; round++) {
            const got: Record<string, any> = {};
            for (const mode of rotated(["node", "shape"] as const, round)) got[mode] = await once(mode, n);
            const run: Run = {
                perNodeMs: got.node.ms,
                byShapeMs: got.shape.ms,
                groupMs: got.shape.groupMs,
                shapes: got.shape.shapes,
                identical: got.shape.identical,
            };
            runs[n].push(run);
            log(`B6 ${n} nodes, round ${round + 1}: node by node ${fmtMs(run.perNodeMs)}, by shape ${fmtMs(run.byShapeMs)} (grouping ${fmtMs(run.groupMs)}, ${run.shapes} shapes) for ${PODS} pods; verdicts ${run.identical ? "identical" : "DIFFER"}`);
        }
    }
    const largest = Math.max(...opts.sizes);
    const perPod = (xs: Run[], f: (r: Run) => number) => xs.map((r) => f(r) / PODS);
    const ratios: SectionResult["ratios"] = [
        {
            label: `ms of CPU per pod by shape, ${largest} nodes of ${SHAPES} shapes (grouping included)`,
            ratio: spread(perPod(runs[largest], (r) => r.byShapeMs)),
            goal: 1,
            detail: `node by node ${fmtMs(median(perPod(runs[largest], (r) => r.perNodeMs)))} per pod`,
        },
        ...opts.sizes.map((n) => ({
            label: `${n} nodes: by shape / node by node (CPU)`,
            ratio: pairedRatios(runs[n].map((r) => r.byShapeMs), runs[n].map((r) => r.perNodeMs)),
            chart: n === largest,
            detail: `medians ${fmtMs(median(runs[n].map((r) => r.byShapeMs)))} / ${fmtMs(median(runs[n].map((r) => r.perNodeMs)))} for ${PODS} pods`,
        })),
    ];
    const identical = Object.values(runs).every((xs) => xs.every((r) => r.identical));
    return {
        id: "B6",
        title: `The scheduling check at cluster scale: ${PODS} pods, nodes in ${SHAPES} shapes`,
        date: new Date().toISOString(),
        status: "ok",
        load: [load0, load()],
        ratios,
        checks: [
            {
                label: "verdicts by shape = node by node (every field of every pod's verdict)",
                expected: "identical",
                actual: identical ? "identical" : "different",
                ok: identical,
            },
        ],
        tables: [
            {
                caption: "Medians per cluster size (CPU of the simulating process; per pod = total / 200)",
                header: ["nodes", "shapes", "node by node, per pod", "by shape, per pod", "grouping the nodes (once)"],
                rows: opts.sizes.map((n) => [
                    String(n),
                    String(runs[n][0].shapes),
                    fmtMs(median(perPod(runs[n], (r) => r.perNodeMs))),
                    fmtMs(median(perPod(runs[n], (r) => r.byShapeMs))),
                    fmtMs(median(runs[n].map((r) => r.groupMs))),
                ]),
            },
        ],
        notes: [
            `Synthetic GKE clusters: 10 node pools (CPU, high-memory, T4, L4 ×1 and ×2, A100 40 GB and 80 GB, H100, H100 Mega; accelerator pools tainted) in 2 zones, nodes named and hostnamed one by one; ${PODS} pods of 10 kinds (CPU, each GPU, and two that fit nowhere, whose every node's reason is reported).`,
            "By shape: nodes equal but for their identity (name, kubernetes.io/hostname, labels whose value is the node's name) are judged once; a pod whose selector or affinity reads the identity is judged node by node. What is left per pod grows with the nodes: one verdict per node and the node lists of the report (the API returns both).",
        ],
        raw: runs,
    };
}
