// The quickstart: one image, a secret, and task environments for every kind of
// accelerator the stack's cluster flavour offers. `pulumi up` builds and pushes the
// image, creates the Secret, one PodTemplate per environment and per task, a nightly
// CronJob and a one-off Job.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as flyte from "pulumi-flyte";
import { environmentsFor, quickstartImage } from "./environments";

const stack = flyte.readStackConfig();
const config = new pulumi.Config();

const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: stack.namespace } });

const secrets = new flyte.SecretStore("secrets", {
    namespace: namespace.metadata.name,
    groups: { wandb: { "api-key": config.requireSecret("wandbApiKey") } },
});

const image = quickstartImage(stack.registry, (config.get("pipPackages") ?? "six==1.16.0").split(","));
const build = new flyte.ImageBuild("quickstart-image", {
    image,
    network: stack.buildNetwork,
    secretValues: { PYPI_TOKEN: config.requireSecret("pypiToken") },
});

const environments = Object.fromEntries(
    environmentsFor(stack.profile, { trainGpus: config.getNumber("trainGpus") ?? 4, evaluateGpus: config.getNumber("evaluateGpus") ?? 1 })
        .map((row) => [row.name, new flyte.TaskEnvironment(row.name, {
            image: build,
            namespace: namespace.metadata.name,
            profile: stack.profile,
            migStrategy: stack.migStrategy,
            resources: row.resources,
            secrets: row.secrets,
            interruptible: row.interruptible,
            secretStore: secrets,
        })]),
);

// Tasks: a nightly training run (CronJob) and a one-off data load (Job).
const fit = environments.train.task("fit", { retries: 2, timeout: "6h", cache: "auto" });
fit.run("nightly", { command: ["python", "-m", "train"], schedule: "0 3 * * *" });
const load = environments.prep.task("load", { retries: 1 });
const loadOnce = load.run("once", { command: ["python", "-c", "print('loaded')"] });

export const imageUri = build.uri;
export const imageRef = build.ref;
export const imageBuilt = build.built;
export const podTemplates = pulumi.output(Object.fromEntries(Object.entries(environments).map(([k, e]) => [k, e.podTemplateName])));
export const taskPodTemplates = { "train.fit": fit.podTemplate.metadata.name, "prep.load": load.podTemplate.metadata.name };
export const jobs = { "prep.load.once": loadOnce.jobName };
export const namespaceName = namespace.metadata.name;
// where each environment and task can run, as the scheduling check saw it at preview
export const placements = pulumi.output({
    ...Object.fromEntries(Object.entries(environments).map(([k, e]) => [k, e.scheduling])),
    "train.fit": fit.scheduling,
    "prep.load": load.scheduling,
});
