// B6 in a fresh process: the scheduling check's simulation of `pods` pods on a synthetic
// GKE cluster of `nodes` nodes in `shapes` shapes, judged node by node (mode `node`: the
// nodes as a list) or by shape (mode `shape`: grouped once with groupNodeShapes, as the
// check does).
//   node b6-ours.js <sdk module> <node|shape> <nodes> <shapes> <pods>
// Prints { ms, groupMs, shapes, identical }: CPU time over the pods after a warm-up on a
// small cluster (by shape: grouping included, groupMs of it), and for `shape` whether
// every verdict equals node-by-node judging's (compared after timing).
"use strict";
const assert = require("assert");
const [sdk, MODE, nodesArg, shapesArg, podsArg] = process.argv.slice(2);
const flyte = require(sdk);
const [N, SHAPES, PODS] = [Number(nodesArg), Number(shapesArg), Number(podsArg)];

// node pools as GKE labels them (accelerator pools tainted), each in two zones
const POOLS = [
    { pool: "cpu-small", type: "n2-standard-8", cpu: "7910m", memory: "28Gi" },
    { pool: "cpu-large", type: "n2-standard-64", cpu: "63770m", memory: "240Gi" },
    { pool: "highmem", type: "n2-highmem-32", cpu: "31850m", memory: "250Gi" },
    { pool: "t4", type: "n1-standard-16", cpu: "15890m", memory: "55Gi", gpu: "nvidia-tesla-t4", count: 4 },
    { pool: "l4", type: "g2-standard-24", cpu: "23890m", memory: "90Gi", gpu: "nvidia-l4", count: 2 },
    { pool: "a100-40gb", type: "a2-highgpu-8g", cpu: "95690m", memory: "640Gi", gpu: "nvidia-tesla-a100", count: 8 },
    { pool: "a100-80gb", type: "a2-ultragpu-8g", cpu: "95690m", memory: "1300Gi", gpu: "nvidia-a100-80gb", count: 8 },
    { pool: "h100-80gb", type: "a3-highgpu-8g", cpu: "207690m", memory: "1800Gi", gpu: "nvidia-h100-80gb", count: 8 },
    { pool: "h100-mega", type: "a3-megagpu-8g", cpu: "207690m", memory: "1800Gi", gpu: "nvidia-h100-mega-80gb", count: 8 },
    { pool: "l4-single", type: "g2-standard-8", cpu: "7910m", memory: "28Gi", gpu: "nvidia-l4", count: 1 },
];
const ZONES = ["us-central1-a", "us-central1-b", "us-central1-c"];

function shape(i) {
    const p = POOLS[i % POOLS.length];
    const zone = ZONES[Math.floor(i / POOLS.length) % ZONES.length];
    return { ...p, zone };
}

function kubeNode(i) {
    const s = shape(i % SHAPES);
    const name = `gke-prod-${s.pool}-${(i * 2654435761 % 2 ** 32).toString(16)}`;
    const labels = {
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": s.type,
        "topology.kubernetes.io/region": "us-central1",
        "topology.kubernetes.io/zone": s.zone,
        "cloud.google.com/gke-nodepool": s.pool,
        "cloud.google.com/gke-os-distribution": "cos",
        "cloud.google.com/machine-family": s.type.split("-")[0],
    };
    const allocatable = { cpu: s.cpu, memory: s.memory, pods: "110", "ephemeral-storage": "95Gi" };
    const taints = [];
    if (s.gpu) {
        labels["cloud.google.com/gke-accelerator"] = s.gpu;
        labels["cloud.google.com/gke-accelerator-count"] = String(s.count);
        allocatable["nvidia.com/gpu"] = String(s.count);
        taints.push({ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" });
    }
    return flyte.fromKubernetesNode({ metadata: { name, labels }, spec: { taints }, status: { allocatable } });
}

const RESOURCES = [
    { cpu: "2", memory: "4Gi" },
    { cpu: "48", memory: "200Gi" },
    { cpu: "8", memory: "64Gi", gpu: "T4:1" },
    { cpu: "8", memory: "32Gi", gpu: "L4:1" },
    { cpu: "16", memory: "64Gi", gpu: "L4:2" },
    { cpu: "32", memory: "300Gi", gpu: "A100:4" },
    { cpu: "64", memory: "600Gi", gpu: "A100 80G:8" },
    { cpu: "96", memory: "1000Gi", gpu: "H100:8" },
    { cpu: "8", memory: "32Gi", gpu: "B200:8" }, // fits nowhere: every node's reason is built
    { cpu: "500", memory: "4Gi" }, // fits nowhere
];

const nodes = Array.from({ length: N }, (_, i) => kubeNode(i));
const pods = Array.from({ length: PODS }, (_, i) => {
    const r = RESOURCES[i % RESOURCES.length];
    const tpl = flyte.renderPodTemplate({ name: `env-${i}`, image: "localhost:30000/x:1", resources: r }, { profile: "gke" });
    return tpl.template.spec;
});

// CPU time of this process (user + system, ms): the machine may be shared
const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
};
// verdicts are dropped as the check drops them (it keeps the report), not kept for 200 pods
let sink = 0;
// warm up on a small cluster first (the JIT compiles the filters and the summary)
const few = nodes.slice(0, 2 * SHAPES);
const fewShapes = flyte.groupNodeShapes(few);
for (const p of pods.slice(0, 20)) sink += flyte.simulateScheduling(p, MODE === "shape" ? fewShapes : few).placement.length;

const out = { mode: MODE, pods: PODS };
const t0 = cpu();
if (MODE === "node") {
    for (const p of pods) sink += flyte.simulateScheduling(p, nodes).placement.length;
    out.ms = cpu() - t0;
} else {
    const shapes = flyte.groupNodeShapes(nodes);
    out.groupMs = cpu() - t0;
    for (const p of pods) sink += flyte.simulateScheduling(p, shapes).placement.length;
    out.ms = cpu() - t0;
    out.shapes = shapes.representatives.length;
    // not timed: every verdict, by shape and node by node, compared in full
    out.identical = true;
    for (const p of pods) {
        try {
            assert.deepStrictEqual(flyte.simulateScheduling(p, shapes), flyte.simulateScheduling(p, nodes));
        } catch {
            out.identical = false;
            break;
        }
    }
}
out.sink = sink;
process.stdout.write(JSON.stringify(out) + "\n");
