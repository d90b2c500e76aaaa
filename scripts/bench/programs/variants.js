// The environments of the B1/B2 programs: N environments cycling through four kinds
// (CPU, whole GPUs with a secret and /dev/shm, a MIG slice, Spot), one task each, on the
// GKE profile. Plain data: `ours.js` passes it to TaskEnvironment, the bench renders it
// once (before any timing) into the objects the hand-written program registers.
"use strict";
const IMAGE = "localhost:30000/bench@sha256:" + "b".repeat(64);
const PROFILE = "gke";
const TASK = { name: "t", options: { retries: 1 } };

/** The arguments of environment i (flyte: the pulumi-flyte module, for the GPU helper and Secret). */
function environment(flyte, i) {
    const name = `env-${i}`;
    switch (i % 4) {
        case 0:
            return { name, resources: { cpu: "2", memory: "4Gi" }, envVars: { BENCH_KIND: "cpu" } };
        case 1:
            return { name, resources: { cpu: "8", memory: "64Gi", shm: "auto", gpu: "A100 80G:4" }, secrets: [new flyte.Secret({ group: "wandb", key: "api-key" })] };
        case 2:
            return { name, resources: { cpu: "1", memory: "8Gi", gpu: flyte.GPU({ device: "A100", partition: "1g.5gb" }) } };
        default:
            return { name, resources: { cpu: "1", memory: "2Gi" }, interruptible: true };
    }
}

function environments(flyte, n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(environment(flyte, i));
    return out;
}

module.exports = { IMAGE, PROFILE, TASK, environment, environments };
