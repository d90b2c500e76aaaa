import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, ofType, registrations, reset, settle, thrownBy } from "./harness";
installMocks();
import { GPU, Image, ImageBuild, SecretStore, TaskEnvironment, ValidationError } from "../../sdk/src";
import * as flyte from "../../provider/src";

/**
 * The multi-language package (provider/) takes the same environments as data. Under
 * mocks, an environment given as data registers exactly what the TypeScript API
 * registers for the same definition, and every mistake names the data form's field.
 */
const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);
const byName = () => Object.fromEntries(registrations.map((r) => [`${r.type}::${r.name}`, r.inputs]));

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

describe("provider TaskEnvironment", () => {
    it("registers what the TypeScript API registers for the same environment, tasks and runs", async () => {
        const ts = new TaskEnvironment("train", {
            image: REF,
            namespace: "ml",
            profile: "nvidia",
            migStrategy: "mixed",
            resources: { cpu: [2, 8], memory: "64Gi", shm: "auto", gpu: GPU({ device: "A100", partition: "1g.5gb" }) },
            secrets: [{ group: "wandb", key: "api-key" }],
            envVars: { LOG_LEVEL: "info" },
            cache: "auto",
        });
        const fit = ts.task("fit", { retries: 2, timeout: "6h", cache: { behavior: "override", version: "v2" } });
        fit.run("nightly", { command: ["python", "-m", "fit"], schedule: "0 3 * * *" });
        fit.override({ retries: 0, resources: { cpu: ["1", "2"], gpu: "A100:2" } }).run("once", {
            args: ["--small"],
            ttlSecondsAfterFinished: 60,
        });
        await settle(ts);
        await settleAll();
        const fromTs = byName();

        reset();
        const data = new flyte.TaskEnvironment("train", {
            imageRef: REF,
            namespace: "ml",
            profile: flyte.ProfileName.Nvidia,
            migStrategy: flyte.MigStrategy.Mixed,
            resources: {
                cpu: "2",
                cpuLimit: "8",
                memory: "64Gi",
                shm: "auto",
                device: { deviceClass: flyte.DeviceClass.Gpu, device: flyte.DeviceName.A100, partition: "1g.5gb" },
            },
            secrets: [{ group: "wandb", key: "api-key" }],
            envVars: { LOG_LEVEL: "info" },
            cache: { behavior: flyte.CacheBehavior.Auto },
            tasks: [
                {
                    name: "fit",
                    retries: 2,
                    timeout: "6h",
                    cache: { behavior: flyte.CacheBehavior.Override, version: "v2" },
                    runs: [
                        { name: "nightly", command: ["python", "-m", "fit"], schedule: "0 3 * * *" },
                        {
                            name: "once",
                            args: ["--small"],
                            ttlSecondsAfterFinished: 60,
                            override: { retries: 0, resources: { cpu: "1", cpuLimit: "2", gpu: "A100:2" } },
                        },
                    ],
                },
            ],
        });
        await settle(data);
        await settleAll();
        expect(byName()).toEqual(fromTs);
        expect(Object.keys(fromTs).sort()).toEqual([
            "flyte:index:TaskEnvironment::train",
            "flyte:index:TaskRun::train-fit-nightly",
            "flyte:index:TaskRun::train-fit-once",
            "kubernetes:batch/v1:CronJob::train-fit-nightly-cronjob",
            "kubernetes:batch/v1:Job::train-fit-once-job",
            "kubernetes:core/v1:PodTemplate::train-fit-podtemplate",
            "kubernetes:core/v1:PodTemplate::train-podtemplate",
        ]);
    });

    it("builds an image given as data exactly as the Image builder would (same tag, same Dockerfile)", async () => {
        const image = Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "app" })
            .withAptPackages("curl")
            .withPipPackages({ packages: ["six==1.16.0"], secretMounts: [{ group: "pypi", key: "token" }] })
            .withEnvVars({ B: "2", A: "1" });
        const spec = JSON.parse(JSON.stringify(image.toSpec()));
        expect(spec.layers[2]).toEqual({
            envVars: [
                { name: "B", value: "2" },
                { name: "A", value: "1" },
            ],
        });
        const env = new flyte.TaskEnvironment("app", {
            image: spec,
            imageBuild: { secretValues: { PYPI_TOKEN: pulumi.secret("t0ken") }, skipExisting: false },
        });
        await settle(env);
        await settleAll();
        const [build] = ofType("docker-build:index:Image");
        expect(build.name).toBe("app-image-build");
        expect(build.inputs.tags).toEqual([image.uri]);
        expect(isSecretInput(build.inputs.secrets) || isSecretInput(build.inputs.secrets.PYPI_TOKEN)).toBe(true);
    });

    it.each([
        [
            { resources: { cpu: "4", cpuLimit: "2" } },
            "resources.cpuLimit",
            /^resources\.cpuLimit: got "2"; the request \(4\) must not exceed the limit \(2\)/,
        ],
        [{ resources: { cpu: "1", cpuLimit: "two" } }, "resources.cpuLimit", /quantity/],
        [{ resources: { memoryLimit: "2Gi" } }, "resources.memoryLimit", /needs its request/],
        [
            { resources: { memroy: "1Gi" } },
            "resources.memroy",
            /allowed fields: cpu, cpuLimit, memory, memoryLimit, disk, shm, gpu, device/,
        ],
        [
            { resources: { device: { deviceClass: "GPU", device: "A100", partition: "1g.50gb" } } },
            "resources.device.partition",
            /MIG profiles of A100/,
        ],
        [
            { resources: { device: { deviceClass: "GPU", device: "A200" } } },
            "resources.device.device",
            /allowed values: .*"A100_80G".*"T4 shared"/,
        ],
        [{ resources: { gpu: "A100:2", device: { deviceClass: "GPU" } } }, "resources.device", /either gpu/],
        [{ profile: "gcp" }, "profile", /allowed values: "gke", "eks", "aks", "nvidia", "flyte"/],
        [{ profile: "gke", resources: { gpu: "Inf2:1" } }, "resources.gpu", /cannot schedule AWS Neuron/],
        [
            { customProfile: { extends: "gke", name: "mine", deviceValues: { A1000: { gke: ["x"] } } } },
            "customProfile.deviceValues.A1000",
            /unknown device/,
        ],
        [
            { reusable: { replicas: 3, maxReplicas: 2 } },
            "reusable.maxReplicas",
            /^reusable\.maxReplicas: got 2; .*min <= max/,
        ],
        [{ tasks: [{ name: "fit", retries: 101 }] }, "tasks[0].retries", /0 to 100/],
        [{ tasks: [{ name: "Fit" }] }, "tasks[0].name", /snake_case/],
        [{ tasks: [{ name: "fit" }, { name: "fit" }] }, "tasks[1].name", /already declares/],
        [
            { tasks: [{ name: "fit", runs: [{ name: "n", schedule: "0 3 * *" }] }] },
            "tasks[0].runs[0].schedule",
            /cron schedule/,
        ],
        [
            { tasks: [{ name: "fit", runs: [{ name: "n", override: { resources: { cpu: "1", cpuLimit: "x" } } }] }] },
            "tasks[0].runs[0].override.resources.cpuLimit",
            /quantity/,
        ],
        [
            { tasks: [{ name: "fit", runs: [{ name: "n", override: { image: "x" } }] }] },
            "tasks[0].runs[0].override.image",
            /unknown field/,
        ],
        [
            { tasks: [{ name: "fit", runs: [{ name: "n", waitTimeout: "soon" }] }] },
            "tasks[0].runs[0].waitTimeout",
            /duration/,
        ],
        [{ image: { fromDebianBase: { python: "2.7" } } }, "image.fromDebianBase.python", /3.10/],
        [
            {
                image: {
                    layers: [{ aptPackages: { packages: ["curl"] } }, { pipPackages: { packages: ["six; rm -rf /"] } }],
                },
            },
            "image.layers[1].pipPackages.packages[0]",
            /requirement/,
        ],
        [{ image: { layers: [{ workdir: "/app", envVars: [] }] } }, "image.layers[0]", /exactly one/],
        [
            { image: { fromBase: "ghcr.io/acme/base:1.0", layers: [{ aptPackages: { packages: ["curl"] } }] } },
            "image.layers[0].aptPackages",
            /extendable/,
        ],
        [{ image: {}, imageRef: "x:1" }, "imageRef", /not both/],
        [{ imageRef: "x:1", imageBuild: { network: "host" } }, "imageBuild", /applies when image is an Image/],
        [
            { image: {}, imageBuild: { network: "bridge" } },
            "imageBuild.network",
            /allowed values: "default", "host", "none"/,
        ],
        [{ resources: { cpu: pulumi.output("8") } }, "resources.cpu", /plain value known at preview/],
    ])("rejects %# at %s before registering anything", (args, field, message) => {
        const error = thrownBy(() => new flyte.TaskEnvironment("train", args as never));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as ValidationError).message).toMatch(message);
        expect(registrations).toEqual([]);
    });
});

describe("provider ImageBuild and SecretStore", () => {
    it("ImageBuild pushes the same tag as the TypeScript ImageBuild", async () => {
        const image = Image.fromDebianBase({
            python: "3.11",
            registry: "localhost:30000",
            name: "app",
        }).withPipPackages("six==1.16.0");
        const build = new flyte.ImageBuild("app", { image: image.toSpec() as never, skipExisting: false });
        await settle(build);
        await settleAll();
        expect(ofType("docker-build:index:Image").map((r) => [r.name, r.inputs.tags])).toEqual([
            ["app-build", [image.uri]],
        ]);
        reset();
        const ts = new ImageBuild("app", { image, skipExisting: false });
        await settle(ts);
        await settleAll();
        expect(ofType("docker-build:index:Image").map((r) => [r.name, r.inputs.tags])).toEqual([
            ["app-build", [image.uri]],
        ]);
    });

    it("SecretStore keeps every value secret, as the TypeScript SecretStore", async () => {
        const store = new flyte.SecretStore("secrets", {
            namespace: "ml",
            groups: { wandb: { "api-key": "plain-but-secret" } },
        });
        await settle(store);
        await settleAll();
        const [secret] = ofType("kubernetes:core/v1:Secret");
        expect(isSecretInput(secret.inputs.stringData)).toBe(true);
        reset();
        new SecretStore("secrets", { namespace: "ml", groups: { wandb: { "api-key": "plain-but-secret" } } });
        await settleAll();
        expect(ofType("kubernetes:core/v1:Secret")[0].inputs).toEqual(secret.inputs);
    });

    it("rejects a mistaken SecretStore shape naming the field, without the values", () => {
        const error = thrownBy(
            () => new flyte.SecretStore("s", { namespace: "ml", groups: { wandb: { "Bad Key": "s3cr3t" } } } as never),
        );
        expect((error as ValidationError).field).toBe("groups.wandb.Bad Key.key");
        expect((error as Error).message).not.toContain("s3cr3t");
        expect(registrations).toEqual([]);
    });
});
