// The quickstart: one image, a secret, and task environments for every kind of
// accelerator the stack's cluster flavour offers. `pulumi up` builds and pushes the
// image, creates the Secret, one PodTemplate per environment and per task, a nightly
// CronJob, and runs two CPU tasks to completion: a one-off data load, and the smoke
// task that reports what a deployed task sees (tasks/report.py).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as flyte from "pulumi-flyte";
import { environmentsFor, quickstartImage, smokeEnvironment } from "./environments";

const stack = flyte.readStackConfig();
const config = new pulumi.Config();

const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: stack.namespace } });

const secrets = new flyte.SecretStore("secrets", {
    namespace: namespace.metadata.name,
    groups: { wandb: { "api-key": config.requireSecret("wandbApiKey") } },
});

const pipPackages = (config.get("pipPackages") ?? "six==1.16.0").split(",");
const image = quickstartImage(stack.registry, pipPackages);
const build = new flyte.ImageBuild("quickstart-image", {
    image,
    network: stack.buildNetwork,
    secretValues: { PYPI_TOKEN: config.requireSecret("pypiToken") },
});

const environments = Object.fromEntries(
    [
        ...environmentsFor(stack.profile, {
            trainGpus: config.getNumber("trainGpus") ?? 4,
            evaluateGpus: config.getNumber("evaluateGpus") ?? 1,
        }),
        smokeEnvironment,
    ].map((row) => [
        row.name,
        new flyte.TaskEnvironment(row.name, {
            image: build,
            namespace: namespace.metadata.name,
            profile: stack.profile,
            migStrategy: stack.migStrategy,
            resources: row.resources,
            secrets: row.secrets,
            envVars: row.envVars,
            interruptible: row.interruptible,
            secretStore: secrets,
        }),
    ]),
);

// Tasks: a nightly training run (CronJob), a one-off data load and the smoke report
// (Jobs). `wait: true`: `pulumi up` waits for the Job, and fails with the task's name
// and the end of its log if the Job fails.
const fit = environments.train.task("fit", { retries: 2, timeout: "6h", cache: "auto" });
fit.run("nightly", { command: ["python", "-m", "train"], schedule: "0 3 * * *" });
const load = environments.prep.task("load", { retries: 1 });
const loadOnce = load.run("once", { command: ["python", "-c", "print('loaded')"], wait: true });
// `python -c <tasks/report.py> <package>...`: the image stays the one the other
// environments (and the Python and YAML quickstarts) use; the report imports every pip
// package the image declares (the distribution name up to its version specifier)
const report = environments.smoke.task("report");
const reportScript = fs.readFileSync(path.join(__dirname, "tasks", "report.py"), "utf8");
const packageNames = pipPackages.map((p) => p.trim().split(/[\s=<>!~;[]/)[0]);
const reportOnce = report.run("once", { command: ["python", "-c", reportScript, ...packageNames], wait: true });

export const imageUri = build.uri;
export const imageRef = build.ref;
export const imageBuilt = build.built;
export const podTemplates = pulumi.output(
    Object.fromEntries(Object.entries(environments).map(([k, e]) => [k, e.podTemplateName])),
);
export const taskPodTemplates = {
    "train.fit": fit.podTemplate.metadata.name,
    "prep.load": load.podTemplate.metadata.name,
    "smoke.report": report.podTemplate.metadata.name,
};
export const jobs = { "prep.load.once": loadOnce.jobName, "smoke.report.once": reportOnce.jobName };
export const namespaceName = namespace.metadata.name;
// where each environment and task can run, as the scheduling check saw it at preview
export const placements = pulumi.output({
    ...Object.fromEntries(Object.entries(environments).map(([k, e]) => [k, e.scheduling])),
    "train.fit": fit.scheduling,
    "prep.load": load.scheduling,
});
