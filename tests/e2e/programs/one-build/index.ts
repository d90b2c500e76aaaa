// One Image given to three environments, for tests/e2e/one-build.test.ts: built and pushed
// once. The environments name no namespace, profile or registry: the stack config
// (flyte:namespace, flyte:profile, flyte:registry, flyte:buildNetwork) applies itself.
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const config = new pulumi.Config();
const image = flyte.Image.fromBase("python:3.11-slim-bookworm")
    .clone({ name: "one-build-e2e", registry: flyte.readStackConfig().registry, extendable: true })
    .withEnvVars({ ONE_BUILD_RUN: config.require("run") });
const envs = ["prep", "train", "serve"].map(
    (name) => new flyte.TaskEnvironment(name, { image, resources: { cpu: "100m", memory: "64Mi" } }),
);

export const uri = image.uri;
export const refs = envs.map((e) => e.imageRef);
export const podTemplates = envs.map((e) => e.podTemplateName);
