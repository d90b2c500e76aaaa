import * as k8s from "@pulumi/kubernetes";
import {
    expectRejectedBeforeRegistering,
    installMocks,
    ofType,
    plain,
    registrations,
    resolve,
    settle,
} from "./harness";
installMocks();
import { Image, Resources, Secret, TPU, TaskEnvironment, renderPodTemplate } from "../../sdk/src";
import * as trust from "../../sdk/src/build/trust";

/** Registration order follows input resolution; compare as sorted lists. */
const sorted = (pairs: string[][]) => [...pairs].sort((a, b) => (a.join() < b.join() ? -1 : 1));
const registered = () => sorted(registrations.map((r) => [r.type, r.name]));

const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);

describe("TaskEnvironment", () => {
    it("registers itself and one PodTemplate equal to renderPodTemplate (plus namespace)", async () => {
        const env = new TaskEnvironment("train", {
            image: REF,
            namespace: "ml",
            profile: "gke",
            resources: new Resources({ cpu: "8", memory: "64Gi", shm: "auto", gpu: "A100 80G:4" }),
            secrets: [new Secret({ group: "wandb", key: "api-key" })],
            envVars: { LOG_LEVEL: "info" },
        });
        await settle(env, env.podTemplate);
        expect(registered()).toEqual(
            sorted([
                ["flyte:index:TaskEnvironment", "train"],
                ["kubernetes:core/v1:PodTemplate", "train-podtemplate"],
            ]),
        );
        const expected = renderPodTemplate(
            {
                name: "train",
                image: REF,
                resources: { cpu: "8", memory: "64Gi", shm: "auto", gpu: "A100 80G:4" },
                secrets: [new Secret({ group: "wandb", key: "api-key" })],
                envVars: { LOG_LEVEL: "info" },
            },
            { profile: "gke", namespace: "ml" },
        );
        const [tpl] = ofType("kubernetes:core/v1:PodTemplate");
        expect(plain(tpl.inputs)).toEqual({
            apiVersion: "v1",
            kind: "PodTemplate",
            metadata: expected.metadata,
            template: expected.template,
        });
        const urn = (await resolve(env.podTemplate.urn)).value;
        expect(urn).toMatch(/flyte:index:TaskEnvironment\$kubernetes:core\/v1:PodTemplate::train-podtemplate$/);
        expect((await resolve(env.podTemplateName)).value).toBe("train");
        // no secret value anywhere: only references
        expect(JSON.stringify(tpl.inputs)).toContain('"secretKeyRef":{"key":"api-key","name":"wandb"}');
    });

    it("declares tasks with their own PodTemplate, and runs them as Jobs and CronJobs", async () => {
        const env = new TaskEnvironment("train", { image: REF, profile: "eks", resources: { cpu: 1, gpu: "A100:1" } });
        const fit = env.task("fit", { retries: 2, timeout: "1h", interruptible: true });
        const nightly = fit.run("nightly", { command: ["python", "-m", "fit"], schedule: "0 3 * * *" });
        const once = fit
            .override({ retries: 0, resources: { cpu: 2, gpu: "A100:2" } })
            .run("once", { args: ["--lr", "0.1"] });
        await settle(env, fit.podTemplate, nightly, once, nightly.cronJob!, once.job!);
        expect(registered()).toEqual(
            sorted([
                ["flyte:index:TaskEnvironment", "train"],
                ["kubernetes:core/v1:PodTemplate", "train-podtemplate"],
                ["kubernetes:core/v1:PodTemplate", "train-fit-podtemplate"],
                ["flyte:index:TaskRun", "train-fit-nightly"],
                ["kubernetes:batch/v1:CronJob", "train-fit-nightly-cronjob"],
                ["flyte:index:TaskRun", "train-fit-once"],
                ["kubernetes:batch/v1:Job", "train-fit-once-job"],
            ]),
        );
        const taskTpl = ofType("kubernetes:core/v1:PodTemplate").find(
            (r) => r.name === "train-fit-podtemplate",
        )!.inputs;
        expect(taskTpl.metadata.name).toBe("train-fit");
        // the task is interruptible: spot capacity on EKS
        expect(taskTpl.template.spec.nodeSelector).toEqual({ "karpenter.sh/capacity-type": "spot" });

        const cron = ofType("kubernetes:batch/v1:CronJob")[0].inputs;
        expect(cron.metadata.name).toBe("train-fit-nightly");
        expect(cron.spec.schedule).toBe("0 3 * * *");
        expect(cron.spec.jobTemplate.spec.backoffLimit).toBe(2);
        expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(3600);
        const cronPod = cron.spec.jobTemplate.spec.template.spec;
        expect(cronPod.restartPolicy).toBe("Never");
        expect(cronPod.containers[0]).toMatchObject({ name: "primary", image: REF, command: ["python", "-m", "fit"] });

        const job = ofType("kubernetes:batch/v1:Job")[0].inputs;
        expect(job.metadata.name).toBe("train-fit-once");
        expect(job.metadata.annotations).toEqual({
            "pulumi.com/skipAwait": "true",
            "pulumi.com/deletionPropagationPolicy": "background",
        });
        // the override wins, retries: 0 included (Flyte's `x or self.x` could not express it)
        expect(job.spec.backoffLimit).toBe(0);
        expect(job.spec.template.spec.containers[0].resources).toEqual({
            requests: { cpu: "2", "nvidia.com/gpu": "2" },
            limits: { cpu: "2", "nvidia.com/gpu": "2" },
        });
        expect(job.spec.template.spec.containers[0].args).toEqual(["--lr", "0.1"]);
        // parents: TaskEnvironment > TaskRun > Job (the mock monitor's URNs show one parent level)
        expect((await resolve(once.urn)).value).toMatch(
            /flyte:index:TaskEnvironment\$flyte:index:TaskRun::train-fit-once$/,
        );
        expect((await resolve(once.job!.urn)).value).toMatch(
            /flyte:index:TaskRun\$kubernetes:batch\/v1:Job::train-fit-once-job$/,
        );
    });

    it("gives a run's labels, annotations and description to its CronJob, its Jobs and their pods (a Flyte trigger's)", async () => {
        const env = new TaskEnvironment("train", { image: REF, profile: "gke" });
        const fit = env.task("fit");
        const nightly = fit.run("nightly", {
            command: ["python", "-m", "fit"],
            schedule: "0 3 * * *",
            timeZone: "Europe/Paris",
            suspend: true,
            labels: { team: "ml" },
            annotations: { "acme.io/owner": "ml" },
            description: "nightly retrain",
        });
        const once = fit.run("once", { command: ["python", "-m", "fit"], labels: { team: "ml" }, description: "once" });
        await settle(env, nightly, once, nightly.cronJob!, once.job!);
        const cron = ofType("kubernetes:batch/v1:CronJob")[0].inputs;
        const annotations = { "acme.io/owner": "ml", "pulumi-flyte.io/description": "nightly retrain" };
        expect(cron.metadata.labels).toMatchObject({ team: "ml", "pulumi-flyte.io/run": "nightly" });
        expect(cron.metadata.annotations).toEqual(annotations);
        expect(cron.spec).toMatchObject({ timeZone: "Europe/Paris", suspend: true });
        expect(cron.spec.jobTemplate.metadata).toMatchObject({ labels: { team: "ml" }, annotations });
        expect(cron.spec.jobTemplate.spec.template.metadata).toMatchObject({ labels: { team: "ml" }, annotations });
        const job = ofType("kubernetes:batch/v1:Job")[0].inputs;
        expect(job.metadata.annotations).toEqual({
            "pulumi-flyte.io/description": "once",
            "pulumi.com/skipAwait": "true",
            "pulumi.com/deletionPropagationPolicy": "background",
        });
        expect(job.spec.template.metadata.labels).toMatchObject({ team: "ml" });
    });

    it("names the override's field when an overridden device cannot be placed", () => {
        const env = new TaskEnvironment("train", { image: REF, profile: "gke", resources: { gpu: "A100:1" } });
        const fit = env.task("fit");
        expect(() => fit.run("bad", { override: { resources: { gpu: "Inf2:1" } } })).toThrow(
            /^run\.override\.resources\.gpu: got "Inf2"; profile "gke" cannot schedule AWS Neuron devices/,
        );
    });

    it("runs a multi-host TPU slice as an Indexed Job with one pod per host and a headless Service", async () => {
        const env = new TaskEnvironment("pretrain", {
            image: REF,
            profile: "gke",
            resources: { gpu: TPU({ device: "V5P", partition: "2x2x2" }) },
        });
        const run = env.task("step").run("once");
        await settle(env, run, run.job!, run.service!);
        const job = ofType("kubernetes:batch/v1:Job")[0].inputs;
        expect(job.spec).toMatchObject({ completionMode: "Indexed", completions: 2, parallelism: 2 });
        expect(job.spec.template.spec.subdomain).toBe("pretrain-step-once");
        expect(job.spec.template.spec.containers[0].resources.limits).toEqual({ "google.com/tpu": "4" });
        const svc = ofType("kubernetes:core/v1:Service")[0].inputs;
        expect(svc.spec).toEqual({
            clusterIP: "None",
            selector: { "job-name": "pretrain-step-once" },
            publishNotReadyAddresses: true,
        });
        expect(
            ofType("kubernetes:core/v1:PodTemplate").find((r) => r.name === "pretrain-podtemplate")!.inputs.template
                .metadata.annotations["pulumi-flyte.io/tpu-hosts"],
        ).toBe("2");
    });

    it("materialises a reusable environment as a warm pool sized from replicas", async () => {
        const env = new TaskEnvironment("serve", {
            image: REF,
            reusable: { replicas: [3, 6], concurrency: 4 },
            resources: { cpu: 1 },
            warmPoolCommand: ["flyte-worker"],
        });
        await settle(env, env.warmPool!);
        const [deploy] = ofType("kubernetes:apps/v1:Deployment");
        expect(deploy.name).toBe("serve-pool");
        expect(deploy.inputs.spec.replicas).toBe(3);
        expect(deploy.inputs.spec.selector.matchLabels).toEqual({
            "pulumi-flyte.io/environment": "serve",
            "pulumi-flyte.io/warm-pool": "true",
        });
        expect(deploy.inputs.spec.template.metadata.labels).toMatchObject(deploy.inputs.spec.selector.matchLabels);
        expect(deploy.inputs.spec.template.spec.restartPolicy).toBe("Always");
        expect(deploy.inputs.spec.template.spec.containers[0].command).toEqual(["flyte-worker"]);
        expect(deploy.inputs.metadata.annotations).toEqual({
            "pulumi-flyte.io/max-replicas": "6",
            "pulumi-flyte.io/concurrency": "4",
        });
        // Flyte's reusable rule holds for invocations
        const t = env.task("predict");
        expect(() => t.override({ resources: { cpu: 2 } })).toThrow(/reusable: "off"/);
        expect(() => t.override({ reusable: "off", resources: { cpu: 2 } })).not.toThrow();
    });

    it.each([
        ["a typo in resources", { image: REF, resources: { memroy: "1Gi" } }, "resources.memroy"],
        ["a bad GPU", { image: REF, resources: { gpu: "A100:9" } }, "resources.gpu"],
        ["an unknown profile", { image: REF, profile: "gcp" }, "profile"],
        [
            "a device the profile cannot place",
            { image: REF, profile: "gke", resources: { gpu: "Inf2:1" } },
            "resources.gpu",
        ],
        ["a bad namespace", { image: REF, namespace: "ML_Team" }, "namespace"],
        ["an unknown field", { image: REF, gpu: "A100:1" }, "gpu"],
        ["an image that is not one", { image: 42 }, "image"],
    ])("fails at construction on %s, before anything registers", (_what, args, field) => {
        expectRejectedBeforeRegistering(() => new TaskEnvironment("env", args as any), field);
    });

    it("rejects an invalid environment name with Flyte's rule", () => {
        expect(() => new TaskEnvironment("Train!", { image: REF })).toThrow(/snake_case or kebab-case/);
        expect(registrations).toEqual([]);
    });

    it("rejects two environments (or tasks) whose Kubernetes names collide", async () => {
        const first = new TaskEnvironment("data_prep", { image: REF, namespace: "ml" });
        const before = registrations.length;
        expect(() => new TaskEnvironment("data-prep", { image: REF, namespace: "ml" })).toThrow(
            /PodTemplate would be named "data-prep", like the one of environment "data_prep"/,
        );
        expect(registrations.length).toBe(before);
        // another namespace is another name space
        const other = new TaskEnvironment("data-prep", { image: REF, namespace: "other" });
        const a = new TaskEnvironment("a", { image: REF, namespace: "ml" });
        const bc = a.task("b_c");
        const ab = new TaskEnvironment("a-b", { image: REF, namespace: "ml" });
        expect(() => ab.task("c")).toThrow(/named "a-b-c", like the one of task "a.b_c"/);
        await settle(
            first,
            first.podTemplate,
            other,
            other.podTemplate,
            a,
            a.podTemplate,
            bc.podTemplate,
            ab,
            ab.podTemplate,
        );
    });

    it('runs Flyte\'s default image when none is given (image: "auto"), building nothing', async () => {
        const env = new TaskEnvironment("plain", { resources: { cpu: 1 } });
        await settle(env, env.podTemplate);
        expect((await resolve(env.imageRef)).value).toBe("ghcr.io/flyteorg/flyte:py3.11-v2.12.1");
        expect(registered()).toEqual(
            sorted([
                ["flyte:index:TaskEnvironment", "plain"],
                ["kubernetes:core/v1:PodTemplate", "plain-podtemplate"],
            ]),
        );
        expect(ofType("kubernetes:core/v1:PodTemplate")[0].inputs.template.spec.containers[0].image).toBe(
            "ghcr.io/flyteorg/flyte:py3.11-v2.12.1",
        );
    });

    it("passes an explicit Kubernetes provider to every child", async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const env = new TaskEnvironment("train", { image: REF }, { providers: { kubernetes: provider } });
        const run = env.task("fit").run("once");
        await settle(provider, env, env.podTemplate, run, run.job!);
        const providerUrn = (await resolve(provider.urn)).value;
        for (const r of registrations.filter(
            (r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes",
        )) {
            expect(r.provider).toBe(`${providerUrn}::cluster-id`);
        }
    });

    it("references an ImageBuild by digest, and builds an Image given directly as a child", async () => {
        const fetchMock = jest.fn(async () => new Response(null, { status: 404 }));
        jest.spyOn(trust, "trustedFetch").mockReturnValue(fetchMock as unknown as typeof fetch);
        const image = Image.fromDebianBase({
            python: "3.11",
            registry: "localhost:30000",
            name: "app",
        }).withPipPackages("six==1.16.0");
        const env = new TaskEnvironment("train", {
            image,
            imageBuild: { network: "host", workDir: "/tmp/pulumi-flyte-test", skipExisting: true },
        });
        await settle(env, env.podTemplate, env.imageBuild!);
        await resolve(env.imageRef);
        expect(registered()).toEqual(
            sorted([
                ["flyte:index:TaskEnvironment", "train"],
                ["flyte:index:ImageBuild", "train-image"],
                ["kubernetes:core/v1:PodTemplate", "train-podtemplate"],
                ["docker-build:index:Image", "train-image-build"],
            ]),
        );
        const ref = (await resolve(env.imageRef)).value;
        expect(ref).toBe(`localhost:30000/app@sha256:${"a".repeat(64)}`);
        const tpl = ofType("kubernetes:core/v1:PodTemplate")[0].inputs;
        expect(tpl.template.spec.containers[0].image).toBe(ref);
        expect(fetchMock).toHaveBeenCalled();
        fetchMock.mockRestore();
    });
});
