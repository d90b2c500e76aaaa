import * as pulumi from "@pulumi/pulumi";
import { expectRejectedBeforeRegistering, installMocks, ofType, plain, registrations, reset, settle } from "./harness";
installMocks();
import { GPU, TPU, TaskEnvironment, renderPodTemplate } from "../../sdk/src";
import { render } from "../../sdk/src/core/podtemplate/render";
import * as flyte from "../../provider/src";

/**
 * Accelerators as DRA claims (deviceAllocation "dra"): every environment, task and run
 * registers a ResourceClaimTemplate (resource.k8s.io/v1, through the provider's generic
 * resource) equal to what the pure renderer produces, and its pods claim from it; the
 * choice comes from the environment, its profile or flyte:deviceAllocation; the flyte
 * package's data form (`gpus`, `devices`, `deviceAllocation`) registers the same; and
 * what DRA cannot express fails before anything registers.
 */
const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);
const CLAIM_TYPE = "kubernetes:resource.k8s.io/v1:ResourceClaimTemplate";
const byName = () => Object.fromEntries(registrations.map((r) => [`${r.type}::${r.name}`, plain(r.inputs)]));

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

describe("deviceAllocation dra", () => {
    beforeEach(() => {
        reset();
        pulumi.runtime.setAllConfig({});
    });
    afterAll(() => pulumi.runtime.setAllConfig({}));

    it("registers the ResourceClaimTemplate the renderer makes, and a PodTemplate that claims from it", async () => {
        const env = new TaskEnvironment("train", {
            image: REF,
            namespace: "ml",
            profile: "gke",
            deviceAllocation: "dra",
            resources: { cpu: "8", memory: "64Gi", gpu: ["H100:2", "A100 80G:2"] },
        });
        await settle(env, env.podTemplate);
        await settleAll();
        const expected = render(
            { name: "train", image: REF, resources: { cpu: "8", memory: "64Gi", gpu: ["H100:2", "A100 80G:2"] } },
            { profile: "gke", deviceAllocation: "dra", namespace: "ml" },
        );
        const [claims] = ofType(CLAIM_TYPE);
        expect(claims.name).toBe("train-claims");
        expect(plain(claims.inputs)).toEqual(expected.claimTemplate);
        expect(expected.claimTemplate!.metadata.name).toBe("train-accelerators");
        const request = expected.claimTemplate!.spec.spec.devices!.requests![0];
        expect(request.firstAvailable!.map((s) => [s.name, s.deviceClassName, s.count])).toEqual([
            ["h100", "gpu.nvidia.com", 2],
            ["a100-80g", "gpu.nvidia.com", 2],
        ]);
        const [tpl] = ofType("kubernetes:core/v1:PodTemplate");
        const spec = plain(tpl.inputs).template.spec;
        expect(spec.resourceClaims).toEqual([
            { name: "accelerators", resourceClaimTemplateName: "train-accelerators" },
        ]);
        expect(spec.containers[0].resources).toEqual({
            requests: { cpu: "8", memory: "64Gi" },
            limits: { cpu: "8", memory: "64Gi" },
            claims: [{ name: "accelerators" }],
        });
        // the claim selects the device: no accelerator label, the driver's taint tolerated
        expect(spec.nodeSelector).toBeUndefined();
        expect(spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    });

    it("claims MIG slices from mig.nvidia.com by profile and parent product, TPUs from tpu.google.com by generation", () => {
        const mig = render(
            {
                name: "mig",
                image: REF,
                resources: { gpu: GPU({ device: "A100 80G", quantity: 2, partition: "3g.40gb" }) },
            },
            { profile: "nvidia", deviceAllocation: "dra" },
        );
        expect(mig.claimTemplate!.spec.spec.devices!.requests![0]).toEqual({
            name: "gpu",
            exactly: {
                deviceClassName: "mig.nvidia.com",
                allocationMode: "ExactCount",
                count: 2,
                selectors: [
                    { cel: { expression: 'device.attributes["gpu.nvidia.com"].profile == "3g.40gb"' } },
                    {
                        cel: {
                            expression:
                                'device.attributes["gpu.nvidia.com"].productName in ["NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB PCIe"]',
                        },
                    },
                ],
            },
        });
        const tpu = render(
            { name: "tpu", image: REF, resources: { gpu: TPU({ device: "V5P", partition: "2x2x2" }) } },
            { profile: "gke", deviceAllocation: "dra" },
        );
        expect(tpu.claimTemplate!.spec.spec.devices!.requests![0]).toEqual({
            name: "tpu",
            exactly: {
                deviceClassName: "tpu.google.com",
                allocationMode: "ExactCount",
                count: 4, // chips per host: 2x2x2 is 8 chips on two 4-chip hosts
                selectors: [{ cel: { expression: 'device.attributes["tpu.google.com"].tpuGen in ["v5p"]' } }],
            },
        });
        expect(tpu.podTemplate.template.spec.nodeSelector).toEqual({ "cloud.google.com/gke-tpu-topology": "2x2x2" });
        expect(tpu.placement.hosts).toBe(2);
        const anyGpu = render({ name: "any", image: REF, resources: { gpu: 4 } }, { deviceAllocation: "dra" });
        expect(anyGpu.claimTemplate!.spec.spec.devices!.requests![0]).toEqual({
            name: "gpu",
            exactly: { deviceClassName: "gpu.nvidia.com", allocationMode: "ExactCount", count: 4 },
        });
    });

    it("gives a task its own template and a run one of its own (its overrides may ask for other devices)", async () => {
        const env = new TaskEnvironment("train", {
            image: REF,
            profile: "gke",
            deviceAllocation: "dra",
            resources: { gpu: "H100:1" },
        });
        const fit = env.task("fit");
        fit.override({ resources: { gpu: ["H100:8", "A100 80G:8"] } }).run("big", { command: ["python", "fit.py"] });
        await settle(env);
        await settleAll();
        const claims = Object.fromEntries(ofType(CLAIM_TYPE).map((r) => [r.name, plain(r.inputs)]));
        expect(Object.keys(claims).sort()).toEqual(["train-claims", "train-fit-big-claims", "train-fit-claims"]);
        expect(claims["train-fit-claims"].metadata.name).toBe("train-fit-accelerators");
        expect(claims["train-fit-claims"].spec).toEqual(claims["train-claims"].spec);
        expect(claims["train-fit-big-claims"].metadata.name).toBe("train-fit-big-accelerators");
        expect(claims["train-fit-big-claims"].spec.spec.devices.requests[0].firstAvailable).toHaveLength(2);
        const [job] = ofType("kubernetes:batch/v1:Job");
        expect(plain(job.inputs).spec.template.spec.resourceClaims).toEqual([
            { name: "accelerators", resourceClaimTemplateName: "train-fit-big-accelerators" },
        ]);
        const byTemplate = ofType("kubernetes:core/v1:PodTemplate").map(
            (t) => plain(t.inputs).template.spec.resourceClaims,
        );
        expect(byTemplate).toContainEqual([
            { name: "accelerators", resourceClaimTemplateName: "train-fit-accelerators" },
        ]);
    });

    it("takes the choice from flyte:deviceAllocation, then the profile; the environment's argument wins", async () => {
        await settleAll();
        reset();
        pulumi.runtime.setAllConfig({ "flyte:deviceAllocation": "dra" });
        const fromStack = new TaskEnvironment("a", { image: REF, profile: "gke", resources: { gpu: "H100:1" } });
        await settle(fromStack);
        expect(ofType(CLAIM_TYPE).map((r) => r.name)).toEqual(["a-claims"]);
        reset();
        const explicit = new TaskEnvironment("b", {
            image: REF,
            profile: "gke",
            deviceAllocation: "extended",
            resources: { gpu: "H100:1" },
        });
        await settle(explicit);
        expect(ofType(CLAIM_TYPE)).toEqual([]);
        expect(
            plain(ofType("kubernetes:core/v1:PodTemplate")[0].inputs).template.spec.containers[0].resources.limits,
        ).toEqual({ "nvidia.com/gpu": "1" });
        reset();
        pulumi.runtime.setAllConfig({});
        const byProfile = new TaskEnvironment("c", {
            image: REF,
            profile: { extends: "gke", name: "gke-dra", deviceAllocation: "dra" },
            resources: { gpu: "H100:1" },
        });
        await settle(byProfile);
        expect(ofType(CLAIM_TYPE).map((r) => r.name)).toEqual(["c-claims"]);
    });

    it("fails before registering anything on what DRA cannot express, naming the field", () => {
        expectRejectedBeforeRegistering(
            () =>
                new TaskEnvironment("n", {
                    image: REF,
                    profile: "eks",
                    deviceAllocation: "dra",
                    resources: { gpu: "Inf2:1" },
                }),
            "resources.gpu",
        );
        expectRejectedBeforeRegistering(
            () => new TaskEnvironment("x", { image: REF, profile: "gke", resources: { gpu: ["H100:1", "A100:1"] } }),
            "resources.gpu",
        );
        expectRejectedBeforeRegistering(
            () =>
                new TaskEnvironment("s", {
                    image: REF,
                    profile: "gke",
                    deviceAllocation: "dra",
                    resources: { gpu: "T4 shared:1" },
                }),
            "resources.gpu",
        );
        expectRejectedBeforeRegistering(
            () =>
                new TaskEnvironment("y", {
                    image: REF,
                    profile: "gke",
                    deviceAllocation: "dra",
                    resources: { gpu: ["H100:1", TPU({ device: "V6E", partition: "2x4" })] },
                }),
            "resources.gpu[1]",
        );
        expectRejectedBeforeRegistering(
            () => new TaskEnvironment("z", { image: REF, resources: { gpu: ["H100:1", "H100:1"] } }),
            "resources.gpu[1]",
        );
        expectRejectedBeforeRegistering(
            () => new TaskEnvironment("w", { image: REF, deviceAllocation: "claims" as never, resources: { gpu: 1 } }),
            "deviceAllocation",
        );
        pulumi.runtime.setAllConfig({ "flyte:deviceAllocation": "dynamic" });
        expectRejectedBeforeRegistering(() => new TaskEnvironment("v", { image: REF }), "flyte:deviceAllocation");
    });

    it("registers the same from the flyte package's data form (gpus, devices, deviceAllocation)", async () => {
        await settleAll();
        reset();
        new TaskEnvironment("train", {
            image: REF,
            profile: "gke",
            deviceAllocation: "dra",
            resources: { gpu: ["H100:1", "A100 80G:1"] },
        });
        new TaskEnvironment("mig", {
            image: REF,
            profile: "gke",
            deviceAllocation: "dra",
            resources: {
                gpu: [GPU({ device: "A100 80G", partition: "1g.10gb" }), GPU({ device: "H100", partition: "1g.10gb" })],
            },
        });
        await settleAll();
        const fromTs = byName();
        reset();
        new flyte.TaskEnvironment("train", {
            imageRef: REF,
            profile: flyte.ProfileName.Gke,
            deviceAllocation: flyte.DeviceAllocation.Dra,
            resources: { gpus: ["H100:1", "A100 80G:1"] },
        });
        new flyte.TaskEnvironment("mig", {
            imageRef: REF,
            profile: flyte.ProfileName.Gke,
            deviceAllocation: flyte.DeviceAllocation.Dra,
            resources: {
                devices: [
                    { deviceClass: flyte.DeviceClass.Gpu, device: flyte.DeviceName.A100_80g, partition: "1g.10gb" },
                    { deviceClass: flyte.DeviceClass.Gpu, device: flyte.DeviceName.H100, partition: "1g.10gb" },
                ],
            },
        });
        await settleAll();
        expect(byName()).toEqual(fromTs);
        expect(Object.keys(fromTs).filter((k) => k.startsWith(CLAIM_TYPE))).toHaveLength(2);
    });

    it("renders extended resources as before when nothing asks for DRA", () => {
        const t = renderPodTemplate({ name: "e", image: REF, resources: { gpu: "H100:1" } }, { profile: "gke" });
        expect(t.template.spec.resourceClaims).toBeUndefined();
    });
});
