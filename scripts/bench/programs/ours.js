// B1/B2 "ours": N TaskEnvironments with one task each (what a pulumi-flyte user writes).
"use strict";
const k8s = require("@pulumi/kubernetes");
const flyte = require(process.env.BENCH_SDK || "pulumi-flyte");
const { IMAGE, PROFILE, TASK, environments } = require("./variants");

const n = Number(process.env.BENCH_N);
const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: process.env.BENCH_NAMESPACE || "bench" } });
for (const e of environments(flyte, n)) {
    const env = new flyte.TaskEnvironment(e.name, {
        image: IMAGE,
        namespace: namespace.metadata.name,
        profile: PROFILE,
        resources: e.resources,
        secrets: e.secrets,
        envVars: e.envVars,
        interruptible: e.interruptible,
    });
    env.task(TASK.name, TASK.options);
}
