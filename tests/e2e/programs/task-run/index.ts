// A one-task program for tests/e2e/task-run.test.ts: a CPU environment on a prebuilt
// image and one waited-for run whose Python script the test chooses (config "script").
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const config = new pulumi.Config();
const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: config.require("namespace") } });
const env = new flyte.TaskEnvironment("boom", {
    image: config.require("image"),
    namespace: namespace.metadata.name,
    profile: "gke",
    resources: { cpu: "250m", memory: "128Mi" },
});
const run = env
    .task("fail")
    .run("once", { command: ["python", "-c", config.require("script")], wait: { timeout: "5m", logLines: 5 } });

export const jobName = run.jobName;
export const namespaceName = namespace.metadata.name;
