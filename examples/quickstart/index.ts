// The quickstart: one image, a secret, and task environments for every kind of
// accelerator the stack's cluster flavour offers. `pulumi up` builds and pushes the
// image, creates the Secret and one PodTemplate per environment and task.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";

const stack = flyte.readStackConfig();
const config = new pulumi.Config();

const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: stack.namespace } });

const secrets = new flyte.SecretStore("secrets", {
    namespace: namespace.metadata.name,
    groups: { wandb: { "api-key": config.requireSecret("wandbApiKey") } },
});

// Content-addressed: the tag is flyte-sdk's, so nothing rebuilds unless the image changes.
const image = flyte.Image.fromDebianBase({ python: "3.11", registry: stack.registry, name: "quickstart" })
    .withAptPackages("curl")
    .withPipPackages(...(config.get("pipPackages") ?? "six==1.16.0").split(","))
    .withEnvVars({ PYTHONUNBUFFERED: "1" });
const build = new flyte.ImageBuild("quickstart-image", { image, network: stack.buildNetwork });

const common = {
    image: build,
    namespace: namespace.metadata.name,
    profile: stack.profile,
    migStrategy: stack.migStrategy,
    secretStore: secrets,
};
const wandb = new flyte.Secret({ group: "wandb", key: "api-key" });

// Environments every cluster flavour can run.
const prep = new flyte.TaskEnvironment("prep", {
    ...common,
    resources: new flyte.Resources({ cpu: "2", memory: "4Gi" }),
});
const train = new flyte.TaskEnvironment("train", {
    ...common,
    resources: new flyte.Resources({ cpu: "8", memory: "64Gi", shm: "auto", gpu: `A100 80G:${config.getNumber("trainGpus") ?? 4}` }),
    secrets: [wandb],
    dependsOn: [prep],
});
const fit = train.task("fit", { retries: 2, timeout: "6h", cache: "auto" });
fit.run("nightly", { command: ["python", "-m", "train"], schedule: "0 3 * * *" });

const environments: Record<string, flyte.TaskEnvironment> = { prep, train };

// Accelerators that exist only on some cluster flavours.
if (stack.profile === "gke") {
    environments.evaluate = new flyte.TaskEnvironment("evaluate", { ...common, resources: { cpu: "4", memory: "16Gi", gpu: "A100:1" } });
    environments.serve = new flyte.TaskEnvironment("serve", { ...common, resources: { cpu: "16", memory: "128Gi", gpu: "H100:8" }, secrets: [wandb] });
    environments.notebook = new flyte.TaskEnvironment("notebook", {
        ...common,
        resources: { cpu: "2", memory: "8Gi", gpu: flyte.GPU({ device: "A100", quantity: 1, partition: "1g.5gb" }) },
    });
    environments.pretrain = new flyte.TaskEnvironment("pretrain", { ...common, resources: { gpu: flyte.TPU({ device: "V5P", partition: "2x2x1" }) } });
    environments.tune = new flyte.TaskEnvironment("tune", { ...common, resources: { gpu: flyte.TPU({ device: "V6E", partition: "2x4" }) } });
}
if (stack.profile === "eks") {
    environments.infer = new flyte.TaskEnvironment("infer", {
        ...common,
        resources: { cpu: "8", memory: "32Gi", gpu: flyte.Neuron({ device: "Inf2", quantity: 6 }) },
    });
    environments.batch = new flyte.TaskEnvironment("batch", {
        ...common,
        interruptible: true,
        resources: { cpu: "4", memory: "16Gi", gpu: "A100:1" },
    });
}

export const imageUri = build.uri;
export const imageRef = build.ref;
export const podTemplates = pulumi.output(Object.fromEntries(Object.entries(environments).map(([k, e]) => [k, e.podTemplateName])));
export const tasks = { "train.fit": fit.podTemplate.metadata.name };
