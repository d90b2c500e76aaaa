import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, registrations, resolve, settle, thrownBy } from "./harness";
installMocks({ project: "proj", stack: "dev" });
import { Image, ImageBuild, SecretStore, TaskEnvironment, ValidationError, readStackConfig } from "../../sdk/src";
import * as flyte from "../../provider/src";

/**
 * Stack config that applies itself: `flyte:profile`, `flyte:namespace`,
 * `flyte:registry`, `flyte:migStrategy`, `flyte:endpoint` (and `flyte:buildNetwork`)
 * are defaults every component reads when its arguments leave them out; arguments
 * win; a misspelled `flyte:*` key is an error; readStackConfig agrees with the
 * components; without config nothing changes.
 */
const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);
const PROFILE = "pulumi-flyte.io/profile";

function withConfig(values: Record<string, string>): void {
    pulumi.runtime.setAllConfig(values);
}

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

const podTemplates = () => ofType("kubernetes:core/v1:PodTemplate").map((r) => r.inputs);

describe("flyte:* stack config as component defaults", () => {
    afterEach(() => withConfig({}));

    it("TaskEnvironment takes profile, namespace and migStrategy from the stack when its args omit them", async () => {
        withConfig({ "flyte:profile": "eks", "flyte:namespace": "flyte-prod", "flyte:migStrategy": "mixed" });
        const env = new TaskEnvironment("train", { image: REF, resources: { gpu: "A100:1" } });
        const mig = new TaskEnvironment("nb", {
            image: REF,
            resources: { gpu: { deviceClass: "GPU", device: "A100", quantity: 1, partition: "1g.5gb" } },
        });
        await settle(env, mig);
        await settleAll();
        const [train, nb] = podTemplates();
        expect(train.metadata.namespace).toBe("flyte-prod");
        expect(train.metadata.labels).toBeDefined();
        expect(train.template.metadata.annotations[PROFILE]).toBe("eks");
        // mixed strategy: the MIG slice is its own resource
        expect(nb.template.spec.containers[0].resources.limits).toHaveProperty(["nvidia.com/mig-1g.5gb"], "1");
        expect((await resolve(env.namespace)).value).toBe("flyte-prod");
    });

    it("arguments win over the stack config", async () => {
        withConfig({ "flyte:profile": "eks", "flyte:namespace": "flyte-prod" });
        const env = new TaskEnvironment("train", {
            image: REF,
            profile: "gke",
            namespace: "ml",
            resources: { gpu: "A100:1" },
        });
        await settle(env);
        const [tpl] = podTemplates();
        expect(tpl.metadata.namespace).toBe("ml");
        expect(tpl.template.metadata.annotations[PROFILE]).toBe("gke");
    });

    it("without config nothing changes: the provider's namespace, the flyte profile", async () => {
        withConfig({});
        const env = new TaskEnvironment("train", { image: REF });
        await settle(env);
        const [tpl] = podTemplates();
        expect(tpl.metadata.namespace).toBeUndefined();
        expect(tpl.template.metadata.annotations[PROFILE]).toBe("flyte");
    });

    it("a value that comes from the stack is reported at its key", () => {
        withConfig({ "flyte:migStrategy": "mixed", "flyte:profile": "gke" });
        const error = thrownBy(() => new TaskEnvironment("t", { image: REF, resources: { gpu: "A100:1" } }));
        expect((error as ValidationError).field).toBe("flyte:migStrategy");
        expect(registrations).toEqual([]);
    });

    it("SecretStore takes its namespace from flyte:namespace", async () => {
        withConfig({ "flyte:namespace": "flyte-dev" });
        const store = new SecretStore("s", { groups: { wandb: { "api-key": "k" } } });
        await settle(store);
        expect(ofType("kubernetes:core/v1:Secret")[0].inputs.metadata.namespace).toBe("flyte-dev");
    });

    it("ImageBuild takes its network from flyte:buildNetwork, and Images their registry from flyte:registry", async () => {
        withConfig({ "flyte:registry": "localhost:30000", "flyte:buildNetwork": "host" });
        const image = Image.fromDebianBase({ name: "app", installFlyte: false }).withPipPackages("six==1.16.0");
        expect(image.uri).toMatch(/^localhost:30000\/app:[0-9a-f]{32}$/);
        const build = new ImageBuild("app", { image, skipExisting: false });
        await settle(build);
        await settleAll();
        const [built] = ofType("docker-build:index:Image");
        expect(built.inputs.tags).toEqual([image.uri]);
        expect(built.inputs.network).toBe("host");
    });

    it("flyte:endpoint selects the local registry, as flyte.init does", () => {
        withConfig({ "flyte:endpoint": "dns:///localhost:8090" });
        expect(Image.fromDebianBase({ name: "app" }).uri).toMatch(/^localhost:30000\/app:/);
        expect(readStackConfig().registry).toBe("localhost:30000");
    });

    it("the flyte package applies the same defaults to environments, stores and images given as data", async () => {
        withConfig({
            "flyte:profile": "gke",
            "flyte:namespace": "flyte-py",
            "flyte:registry": "localhost:30000",
            "flyte:buildNetwork": "host",
        });
        const env = new flyte.TaskEnvironment("py", { imageRef: REF, resources: { gpu: "A100:1" } });
        const store = new flyte.SecretStore("s", { groups: { wandb: { "api-key": "k" } } } as never);
        const build = new flyte.ImageBuild("img", {
            image: {
                fromDebianBase: { name: "app", installFlyte: false },
                layers: [{ pipPackages: { packages: ["six==1.16.0"] } }],
            },
            skipExisting: false,
        });
        await settle(env, store, build);
        await settleAll();
        const [tpl] = podTemplates();
        expect(tpl.metadata.namespace).toBe("flyte-py");
        expect(tpl.template.metadata.annotations[PROFILE]).toBe("gke");
        expect(ofType("kubernetes:core/v1:Secret")[0].inputs.metadata.namespace).toBe("flyte-py");
        const [built] = ofType("docker-build:index:Image");
        expect(built.inputs.tags[0]).toMatch(/^localhost:30000\/app:[0-9a-f]{32}$/);
        expect(built.inputs.network).toBe("host");
        expect((await resolve(build.uri)).value).toBe(built.inputs.tags[0]);
    });

    it.each([
        ["flyte:profil", "flyte:profile"],
        ["flyte:namespce", "flyte:namespace"],
        ["flyte:regsitry", "flyte:registry"],
    ])("a misspelled key %s is an error naming the known keys (and the nearest), never its value", (key, nearest) => {
        withConfig({ [key]: "s3cr3t-value" });
        for (const [what, construct] of [
            ["TaskEnvironment", () => new TaskEnvironment("t", { image: REF })],
            ["SecretStore", () => new SecretStore("s", { namespace: "ml", groups: { g: { k: "v" } } })],
            ["readStackConfig", () => readStackConfig()],
            ["Image", () => Image.fromDebianBase({ name: "x" })],
        ] as const) {
            const error = thrownBy(construct) as ValidationError;
            expect([what, error]).toEqual([what, expect.any(ValidationError)]);
            expect(error).toBeInstanceOf(ValidationError);
            expect(error.field).toBe(key);
            expect(error.message).toContain(`did you mean "${nearest}"?`);
            expect(error.message).toContain(
                "known keys: flyte:profile, flyte:namespace, flyte:registry, flyte:migStrategy, flyte:deviceAllocation, flyte:buildNetwork, flyte:endpoint",
            );
            expect(error.message).not.toContain("s3cr3t-value");
        }
        expect(registrations).toEqual([]);
    });

    it("readStackConfig and the components agree on every default", async () => {
        withConfig({});
        expect(readStackConfig()).toEqual({
            profile: "flyte",
            registry: "ghcr.io/flyteorg",
            namespace: undefined,
            migStrategy: undefined,
            buildNetwork: undefined,
            endpoint: undefined,
        });
        withConfig({
            "flyte:profile": "aks",
            "flyte:namespace": "ns",
            "flyte:registry": "ghcr.io/acme",
            "flyte:migStrategy": "single",
            "flyte:buildNetwork": "none",
        });
        const stack = readStackConfig();
        const env = new TaskEnvironment("e", { image: REF });
        await settle(env);
        const [tpl] = podTemplates();
        expect(tpl.metadata.namespace).toBe(stack.namespace);
        expect(tpl.template.metadata.annotations[PROFILE]).toBe(stack.profile);
        expect(Image.fromDebianBase({ name: "a" }).registry).toBe(stack.registry);
    });
});

describe("secret values and Outputs in messages", () => {
    const { ImageBuild: IB } = require("../../sdk/src") as typeof import("../../sdk/src");

    it.each([
        ["profile", { image: REF, profile: pulumi.output("gke") }],
        ["migStrategy", { image: REF, migStrategy: pulumi.output("mixed") }],
        ["resources", { image: REF, resources: pulumi.output({ cpu: "2" }) }],
    ])("an Output in %s says the field takes a plain value known at preview", (field, args) => {
        const error = thrownBy(() => new TaskEnvironment("t", args as never)) as ValidationError;
        expect(error.field).toBe(field);
        expect(error.message).toMatch(
            new RegExp(`^${field}: got a Pulumi Output; this field takes a plain value, not a Pulumi Output`),
        );
        expect(registrations).toEqual([]);
    });

    it.each([
        [
            "the flyte package's SecretStore",
            () => new flyte.SecretStore("s", { namespace: "ml", groups: { wandb: "s3cr3t-value" } } as never),
            "groups.wandb",
        ],
        [
            "registryCredentials of the wrong shape",
            () =>
                new IB("i", {
                    image: Image.fromDebianBase({ name: "x", installFlyte: false }),
                    registryCredentials: "user:s3cr3t-value" as never,
                }),
            "registryCredentials",
        ],
        [
            "a registry password that is not a string",
            () =>
                new IB("i", {
                    image: Image.fromDebianBase({ name: "x", installFlyte: false }),
                    registryCredentials: { username: "u", password: ["s3cr3t-value"] as never },
                }),
            "registryCredentials.password",
        ],
        [
            "a build secret value that is not a string",
            () =>
                new flyte.ImageBuild("j", {
                    image: { layers: [{ pipPackages: { packages: ["six"], secretMounts: [{ key: "A" }] } }] },
                    secretValues: { A: ["s3cr3t-value"] },
                } as never),
            "secretValues.A",
        ],
    ])("%s: named, value never printed", (_, construct, field) => {
        const error = thrownBy(construct) as ValidationError;
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.field).toBe(field);
        expect(error.message).not.toContain("s3cr3t-value");
        expect(registrations).toEqual([]);
    });
});
