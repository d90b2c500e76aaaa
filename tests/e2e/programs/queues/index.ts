// A queued program for tests/e2e/queues.test.ts: a Queue offering GKE A100 80GB nodes
// (quota: 4 GPUs) and the CPU node pool `default-pool` (quota: 150m CPU), and runs in it:
// "fit" (4 GPUs: admitted), "huge" (8 GPUs: never), "first" (100m CPU, on the real node,
// running until the test tells it to stop) and, with config phase "two", "second"
// (100m CPU more than the quota has left while "first" runs: it waits, then runs).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const config = new pulumi.Config();
const ns = config.require("namespace");
const image = config.require("image");
const phase = config.get("phase") ?? "one";

const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: ns } });
const queue = new flyte.Queue(
    "ml",
    {
        profile: "gke",
        namespaces: [ns],
        flavors: [
            { gpu: "A100 80G", quota: { cpu: 96, memory: "1Ti", gpu: 4 } },
            {
                nodeLabels: { "cloud.google.com/gke-nodepool": "default-pool" },
                quota: { cpu: "150m", memory: "256Mi" },
            },
        ],
    },
    { dependsOn: [namespace] },
);

const gpu = new flyte.TaskEnvironment(
    "train",
    { image, namespace: ns, profile: "gke", queue: "ml", resources: { cpu: 1, memory: "1Gi", gpu: "A100 80G:4" } },
    { dependsOn: [queue] },
);
const fit = gpu.task("fit");
const once = fit.run("once", { command: ["python", "-c", "print('fit')"] });
const huge = fit.override({ resources: { cpu: 1, memory: "1Gi", gpu: "A100 80G:8" } }).run("huge", {
    command: ["python", "-c", "print('huge')"],
});

const cpu = new flyte.TaskEnvironment(
    "prep",
    { image, namespace: ns, profile: "gke", queue: "ml", resources: { cpu: "100m", memory: "64Mi" } },
    { dependsOn: [queue] },
);
const step = cpu.task("step");
// runs until /tmp/done exists (the test creates it), at most 10 minutes
const holdUntilDone =
    "import os, time\nfor _ in range(600):\n    if os.path.exists('/tmp/done'): break\n    time.sleep(1)";
const first = step.run("first", { command: ["python", "-c", holdUntilDone] });
const second =
    phase === "two"
        ? step.run("second", { command: ["python", "-c", "print('second')"], wait: { timeout: "10m" } })
        : undefined;

export const clusterQueue = queue.clusterQueueName;
export const flavors = queue.flavorNames;
export const admissions = {
    once: once.admission,
    huge: huge.admission,
    first: first.admission,
    ...(second ? { second: second.admission } : {}),
};
