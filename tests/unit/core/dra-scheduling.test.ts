/**
 * The DynamicResources filter inside the scheduling simulation, against verdicts
 * derived by hand from the v1.37 scheduler: claims from templates, the per-node
 * reason "cannot allocate all claims" counted in the FailedScheduling message, a
 * missing device class failing PreFilter for every node, extended resources served
 * by DRA on nodes without allocatable (and counted against allocatable where the
 * device plugin has it), devices other claims hold, errors and what is unchecked.
 */
import { prepareDra } from "../../../sdk/src/core/simulator/dra/dynamic-resources";
import type { DraCluster, ResourceClaim, ResourceClaimSpec } from "../../../sdk/src/core/simulator/dra/dra-objects";
import { SchedulablePodSpec, SchedulingNode } from "../../../sdk/src/core/simulator/fit";
import { simulateScheduling } from "../../../sdk/src/core/simulator/simulate";
import { GPU_CLASS, MIG_CLASS, TPU_CLASS, claim, migProfile, nvidiaSlices, product } from "./dra-fixtures";

const NVIDIA_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
const base = { cpu: "96", memory: "680Gi", pods: "110" };
const NODES: SchedulingNode[] = [
    { name: "dra-a100", labels: {}, taints: [NVIDIA_TAINT], allocatable: base },
    { name: "dra-h100", labels: {}, taints: [NVIDIA_TAINT], allocatable: base },
    { name: "plugin-a100", labels: {}, taints: [NVIDIA_TAINT], allocatable: { ...base, "nvidia.com/gpu": "8" } },
    { name: "worker", labels: {}, taints: [], allocatable: { cpu: "2", memory: "8Gi", pods: "110" } },
    {
        name: "tpu",
        labels: {},
        taints: [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
        allocatable: base,
    },
];
const A100 = { product: "NVIDIA A100-SXM4-80GB", memory: "80Gi" };
const H100 = { product: "NVIDIA H100 80GB HBM3", memory: "80Gi" };
const GPU_EXTENDED = { ...GPU_CLASS, spec: { ...GPU_CLASS.spec, extendedResourceName: "nvidia.com/gpu" } };

function cluster(claims: ResourceClaim[] = [], classes = [GPU_EXTENDED, MIG_CLASS, TPU_CLASS]): DraCluster {
    return {
        deviceClasses: classes,
        resourceSlices: [
            ...nvidiaSlices("dra-a100", 2, { ...A100, mig: [["1g.10gb", 1]] }),
            ...nvidiaSlices("dra-h100", 2, H100),
        ],
        resourceClaims: claims,
    };
}

const TOLERATE_GPU = [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }];

function claimPod(spec: ResourceClaimSpec, draCluster = cluster()) {
    const pod: SchedulablePodSpec = {
        containers: [{ resources: { requests: { cpu: "1" } } }],
        tolerations: TOLERATE_GPU,
        resourceClaims: [{ name: "devices", resourceClaimTemplateName: "train-devices" }],
    };
    return simulateScheduling(pod, NODES, {
        dra: prepareDra(draCluster),
        claimTemplates: { "train-devices": spec },
        namespace: "ml",
    });
}

function extendedPod(gpus: string, draCluster = cluster()) {
    const pod: SchedulablePodSpec = {
        containers: [{ resources: { requests: { "nvidia.com/gpu": gpus }, limits: { "nvidia.com/gpu": gpus } } }],
        tolerations: TOLERATE_GPU,
    };
    return simulateScheduling(pod, NODES, { dra: prepareDra(draCluster) });
}

describe("claims from a template", () => {
    it("fits only the nodes whose devices can be allocated; the rest cannot allocate all claims", () => {
        const v = claimPod(claim("gpu.nvidia.com", 1, product(H100.product)));
        expect(v.nodes).toEqual(["dra-h100"]);
        const byNode = Object.fromEntries(v.verdicts.map((x) => [x.node, x.failure?.reasons ?? []]));
        expect(byNode).toEqual({
            "dra-a100": ["cannot allocate all claims"],
            "dra-h100": [],
            "plugin-a100": ["cannot allocate all claims"], // the device plugin's GPUs are not DRA devices
            worker: ["cannot allocate all claims"], // no driver on the CPU node
            tpu: ["node(s) had untolerated taint(s)"],
        });
    });

    it("says what the scheduler's FailedScheduling event says when nothing fits", () => {
        const v = claimPod(claim("gpu.nvidia.com", 3, product(H100.product)));
        expect(v.schedulable).toBe(false);
        expect(v.schedulerMessage).toBe(
            "0/5 nodes are available: 1 node(s) had untolerated taint(s), 4 cannot allocate all claims.",
        );
        expect(v.placement).toMatch(
            /couldn't allocate 3 of gpu.nvidia.com from its ResourceSlices \[DynamicResources\]/,
        );
    });

    it("allocates MIG devices of a partitionable GPU, as many as its counters allow", () => {
        expect(claimPod(claim("mig.nvidia.com", 16, migProfile("1g.10gb"))).nodes).toEqual(["dra-a100"]);
        expect(claimPod(claim("mig.nvidia.com", 17, migProfile("1g.10gb"))).nodes).toEqual([]);
    });

    it("takes devices other claims hold out of the count", () => {
        const holder: ResourceClaim = {
            metadata: { name: "other", namespace: "ml" },
            spec: claim("gpu.nvidia.com", 1),
            status: {
                allocation: {
                    devices: {
                        results: [{ request: "gpu", driver: "gpu.nvidia.com", pool: "dra-h100", device: "gpu-0" }],
                    },
                },
            },
        };
        const two = claim("gpu.nvidia.com", 2, product(H100.product));
        expect(claimPod(two).nodes).toEqual(["dra-h100"]);
        expect(claimPod(two, cluster([holder])).nodes).toEqual([]);
    });

    it("fails PreFilter for every node when a class does not exist", () => {
        const v = claimPod(claim("gpu.example.com", 1));
        expect(v.schedulerMessage).toBe(
            "0/5 nodes are available: request gpu: device class gpu.example.com does not exist.",
        );
        expect(v.nodes).toEqual([]);
    });

    it("reports the error the scheduler aborts with (a CEL runtime error)", () => {
        const v = claimPod(claim("gpu.nvidia.com", 1, migProfile("1g.10gb")));
        expect(v.schedulable).toBe(false);
        expect(v.schedulerError).toMatch(
            /^running "DynamicResources" filter plugin: claim ml\/devices: selector #0 on device gpu\.nvidia\.com\/dra-a100\/gpu-0: CEL runtime error: no such key: profile$/,
        );
    });

    it("is unchecked when a selector uses what the library does not evaluate, or the DRA objects are unknown", () => {
        expect(claimPod(claim("gpu.nvidia.com", 1, "cel.bind(x, 1, x == 1)")).placement).toMatch(/^unchecked: /);
        const pod: SchedulablePodSpec = { resourceClaims: [{ name: "d", resourceClaimTemplateName: "t" }] };
        const v = simulateScheduling(pod, NODES);
        expect(v.unchecked).toMatch(/DRA objects were not read/);
        expect(v.schedulable).toBe(true);
    });
});

describe("extended resources served by DRA", () => {
    it("counts allocatable where the device plugin serves it, and allocates devices where DRA does", () => {
        expect(extendedPod("2").nodes).toEqual(["dra-a100", "dra-h100", "plugin-a100"]);
        // 4 GPUs: dra-a100's 2 and dra-h100's 2 are too few; the plugin node has 8
        expect(extendedPod("4").nodes).toEqual(["plugin-a100"]);
    });

    it("says which filter refused on which node", () => {
        const v = extendedPod("9");
        expect(v.schedulerMessage).toBe(
            "0/5 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s), 3 cannot allocate all claims.",
        );
    });

    it("is only allocatable against allocatable without a class that serves the name", () => {
        const v = extendedPod("1", cluster([], [GPU_CLASS, MIG_CLASS]));
        expect(v.nodes).toEqual(["plugin-a100"]);
        expect(v.schedulerMessage).toBeUndefined();
    });

    it("serves a class's implicit name deviceclass.resource.kubernetes.io/<class>", () => {
        const pod: SchedulablePodSpec = {
            containers: [{ resources: { requests: { "deviceclass.resource.kubernetes.io/mig.nvidia.com": "3" } } }],
            tolerations: TOLERATE_GPU,
        };
        expect(simulateScheduling(pod, NODES, { dra: prepareDra(cluster()) }).nodes).toEqual(["dra-a100"]);
    });
});
