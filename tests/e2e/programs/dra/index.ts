// The DRA program for tests/e2e/dra.test.ts: one TaskEnvironment per case of the DRA
// table (tests/fixtures/dra-cases.ts), GKE-flavoured, on a published image (nothing to
// build). It exports what the scheduling check predicted for each pod and the
// PodTemplate the test puts in front of the real kube-scheduler.
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";
import { DRA_CASES } from "../../../fixtures/dra-cases";

const config = new pulumi.Config();
const image = "localhost:30000/probe:1";
const namespace = config.require("namespace");

const scheduling: Record<string, pulumi.Output<flyte.SchedulingReport>> = {};
const podTemplates: Record<string, pulumi.Output<string>> = {};

for (const c of DRA_CASES) {
    const env = new flyte.TaskEnvironment(c.name, {
        image,
        namespace,
        profile: "gke",
        deviceAllocation: c.deviceAllocation ?? "dra",
        resources: c.resources,
        ...(c.pool ? { podTemplate: { spec: { nodeSelector: { "cloud.google.com/gke-nodepool": c.pool } } } } : {}),
    });
    scheduling[c.name] = env.scheduling;
    podTemplates[c.name] = env.podTemplateName;
}

// the namespace exists before the program runs: the test makes it, with the holder claim
export const reports = scheduling;
export const templates = podTemplates;
