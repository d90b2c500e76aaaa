// The scheduling check's program for tests/e2e/placement.test.ts: one TaskEnvironment
// per case of the scheduling table (tests/fixtures/scheduling-cases.ts, Pending cases
// included) and every quickstart environment and task of both stacks' profiles (gke,
// eks), on a published image (nothing to build). It exports what the check predicted
// for each pod and the PodTemplate the test puts in front of the real kube-scheduler.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";
import { environmentsFor } from "../../../../examples/quickstart/environments";
import { SCHEDULING_CASES, UNSCHEDULABLE_CASES } from "../../../fixtures/scheduling-cases";

const config = new pulumi.Config();
const image = "localhost:30000/probe:1";
const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: config.require("namespace") } });

const scheduling: Record<string, pulumi.Output<flyte.SchedulingReport>> = {};
const podTemplates: Record<string, pulumi.Output<string>> = {};

for (const c of [...SCHEDULING_CASES, ...UNSCHEDULABLE_CASES]) {
    const env = new flyte.TaskEnvironment(c.name, {
        image,
        namespace: namespace.metadata.name,
        profile: c.profile,
        migStrategy: c.migStrategy,
        resources: c.resources,
        interruptible: c.interruptible,
    });
    scheduling[c.name] = env.scheduling;
    podTemplates[c.name] = env.podTemplateName;
}

for (const profile of ["gke", "eks"] as const) {
    for (const row of environmentsFor(profile, { trainGpus: 4, evaluateGpus: 1 })) {
        const name = `qs-${profile}-${row.name}`;
        const env = new flyte.TaskEnvironment(name, {
            image,
            namespace: namespace.metadata.name,
            profile,
            resources: row.resources,
            secrets: row.secrets,
            interruptible: row.interruptible,
        });
        scheduling[name] = env.scheduling;
        podTemplates[name] = env.podTemplateName;
        // the quickstart's tasks (examples/quickstart/index.ts)
        const task =
            row.name === "train"
                ? env.task("fit", { retries: 2, timeout: "6h", cache: "auto" })
                : row.name === "prep"
                  ? env.task("load", { retries: 1 })
                  : undefined;
        if (task) {
            scheduling[`${name}.${task.name}`] = task.scheduling;
            podTemplates[`${name}.${task.name}`] = task.podTemplate.metadata.name;
        }
    }
}

export const reports = scheduling;
export const templates = podTemplates;
export const namespaceName = namespace.metadata.name;
