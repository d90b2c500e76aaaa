import { MigStrategy, SchedulingProfile, SharingRules } from "./profile";
import { NodeSelectorRequirement, Toleration } from "./types";

/**
 * The built-in cluster flavours, as data. Label keys and taints follow
 * ../../../../README.md "Profiles" (sources: GKE, EKS/Karpenter, AKS, NVIDIA GPU
 * Feature Discovery, and the Flyte backend's defaults).
 */
const exists = (key: string): Toleration => ({ key, operator: "Exists", effect: "NoSchedule" });
const NVIDIA_TAINT = exists("nvidia.com/gpu");
const GFD_PARTITION = {
    kind: "gfdProduct",
    productKey: "nvidia.com/gpu.product",
    strategyKey: "nvidia.com/mig.strategy",
} as const;
const NOT_MIG_SINGLE: NodeSelectorRequirement = {
    key: "nvidia.com/mig.strategy",
    operator: "NotIn",
    values: ["single"],
};
/**
 * Time-slicing and MPS with the NVIDIA device plugin (GPU Operator): GPU Feature Discovery
 * labels a node's sharing strategy (`none`, `time-slicing`, `mps`); each share is one
 * `nvidia.com/gpu` (the plugin's default `renameByDefault: false`).
 */
const GFD_SHARING_KEY = "nvidia.com/gpu.sharing-strategy";
const GFD_SHARED = ["time-slicing", "mps"];
const GFD_SHARING: SharingRules = {
    shared: [{ key: GFD_SHARING_KEY, operator: "In", values: GFD_SHARED }],
    unshared: { key: GFD_SHARING_KEY, operator: "NotIn", values: GFD_SHARED },
};
/** MIG with the NVIDIA GPU Operator (device plugin + GFD), strategy single or mixed. */
const GFD_MIG = {
    migStrategies: ["single", "mixed"] as MigStrategy[],
    partition: GFD_PARTITION,
    unpartitioned: NOT_MIG_SINGLE,
    mixedResourcePrefix: "nvidia.com/mig-",
};

/** Spot capacity marked by a label (and, where the flavour taints it, a taint); on-demand = not that label. */
function spotByLabel(key: string, value: string, tolerate: boolean): SchedulingProfile["capacity"] {
    return {
        spotNodeSelector: { [key]: value },
        spotTolerations: tolerate ? [{ key, operator: "Equal", value, effect: "NoSchedule" }] : [],
        onDemand: [{ key, operator: "NotIn", values: [value] }],
    };
}

const GKE_SHARING_KEY = "cloud.google.com/gke-gpu-sharing-strategy";

const gke: SchedulingProfile = {
    name: "gke",
    preferNodeSelector: true,
    anyGpu: { resource: "nvidia.com/gpu", tolerations: [NVIDIA_TAINT] },
    gpu: {
        resource: "nvidia.com/gpu",
        selectors: [[{ key: "cloud.google.com/gke-accelerator", column: "gke" }]],
        tolerations: [NVIDIA_TAINT],
        // GKE partitions GPUs itself and exposes each slice as nvidia.com/gpu
        migStrategies: ["single"],
        partition: { kind: "label", key: "cloud.google.com/gke-gpu-partition-size" },
        unpartitioned: { key: "cloud.google.com/gke-gpu-partition-size", operator: "DoesNotExist" },
        mixedResourcePrefix: "nvidia.com/mig-",
        // GPU time-sharing and MPS node pools carry the strategy label; each client requests one nvidia.com/gpu
        sharing: {
            shared: [{ key: GKE_SHARING_KEY, operator: "In", values: ["time-sharing", "mps"] }],
            unshared: { key: GKE_SHARING_KEY, operator: "DoesNotExist" },
        },
    },
    tpu: {
        resource: "google.com/tpu",
        selectors: [[{ key: "cloud.google.com/gke-tpu-accelerator", column: "gke" }]],
        tolerations: [exists("google.com/tpu")],
        topologyLabel: "cloud.google.com/gke-tpu-topology",
        requireTopology: true,
    },
    // GKE does not taint Spot nodes unless the pool asks for it; tolerating the taint is harmless
    capacity: spotByLabel("cloud.google.com/gke-spot", "true", true),
};

const eks: SchedulingProfile = {
    name: "eks",
    preferNodeSelector: false,
    anyGpu: { resource: "nvidia.com/gpu", tolerations: [NVIDIA_TAINT] },
    gpu: {
        resource: "nvidia.com/gpu",
        // Karpenter-provisioned nodes, or managed node groups labelled for cluster-autoscaler
        selectors: [
            [
                { key: "karpenter.k8s.aws/instance-gpu-name", column: "karpenter" },
                { key: "karpenter.k8s.aws/instance-gpu-memory", memoryBoundsIfShared: "karpenter" },
            ],
            [{ key: "k8s.amazonaws.com/accelerator", column: "eksNodeGroup" }],
        ],
        tolerations: [NVIDIA_TAINT],
        ...GFD_MIG,
        sharing: GFD_SHARING,
    },
    neuron: {
        resource: "aws.amazon.com/neuron",
        coreResource: "aws.amazon.com/neuroncore",
        unit: "device",
        selectors: [
            [
                { key: "karpenter.k8s.aws/instance-accelerator-name", column: "karpenter" },
                { key: "karpenter.k8s.aws/instance-family", column: "instanceFamily", onlyIfShared: "karpenter" },
            ],
        ],
        tolerations: [exists("aws.amazon.com/neuron")],
    },
    gaudi: {
        resource: "habana.ai/gaudi",
        selectors: [[{ key: "node.kubernetes.io/instance-type", column: "ec2InstanceTypes" }]],
        tolerations: [exists("habana.ai/gaudi")],
    },
    // NodePools that reserve spot capacity taint it with the capacity-type label
    capacity: spotByLabel("karpenter.sh/capacity-type", "spot", true),
};

// AKS has no automatic GPU taint and no ExtendedResourceToleration admission plugin:
// its docs taint GPU pools `sku=gpu:NoSchedule`, so tolerate both conventions explicitly.
const AKS_GPU_TOLERATIONS: Toleration[] = [
    NVIDIA_TAINT,
    { key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" },
];

const aks: SchedulingProfile = {
    name: "aks",
    preferNodeSelector: false,
    anyGpu: { resource: "nvidia.com/gpu", tolerations: AKS_GPU_TOLERATIONS },
    gpu: {
        resource: "nvidia.com/gpu",
        selectors: [
            [
                { key: "kubernetes.azure.com/accelerator", value: "nvidia" },
                { key: "node.kubernetes.io/instance-type", column: "aksVmSizes" },
            ],
        ],
        tolerations: AKS_GPU_TOLERATIONS,
        ...GFD_MIG,
        sharing: GFD_SHARING,
    },
    amd: {
        resource: "amd.com/gpu",
        selectors: [[{ key: "node.kubernetes.io/instance-type", column: "aksVmSizes" }]],
        tolerations: [exists("amd.com/gpu"), { key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
    },
    // AKS labels and taints Spot pools with scalesetpriority=spot
    capacity: spotByLabel("kubernetes.azure.com/scalesetpriority", "spot", true),
};

const nvidia: SchedulingProfile = {
    name: "nvidia",
    preferNodeSelector: false,
    anyGpu: { resource: "nvidia.com/gpu", tolerations: [NVIDIA_TAINT] },
    gpu: {
        resource: "nvidia.com/gpu",
        selectors: [[{ key: "nvidia.com/gpu.product", column: "gfdProducts" }]],
        tolerations: [NVIDIA_TAINT],
        ...GFD_MIG,
        // a shared node's product label ends in -SHARED (Tesla-T4-SHARED)
        sharing: { ...GFD_SHARING, gfdProductSuffix: "-SHARED" },
    },
    amd: {
        resource: "amd.com/gpu",
        selectors: [[{ key: "amd.com/gpu.product-name", column: "productName" }]],
        tolerations: [exists("amd.com/gpu")],
    },
    // plain clusters have no spot capacity convention
    capacity: { spotNodeSelector: {}, spotTolerations: [], onDemand: [] },
};

// The Flyte backend's defaults (flytek8s): one device label, one partition label,
// required node affinity plus an Equal toleration for each.
const FLYTE_DEVICE = "k8s.amazonaws.com/accelerator";
const FLYTE_PARTITION = "k8s.amazonaws.com/gpu-partition-size";

const flyte: SchedulingProfile = {
    name: "flyte",
    preferNodeSelector: false,
    anyGpu: { resource: "nvidia.com/gpu", tolerations: [] },
    gpu: {
        resource: "nvidia.com/gpu",
        selectors: [[{ key: FLYTE_DEVICE, column: "flyte" }]],
        tolerations: [],
        tolerateSelectedLabels: true,
        migStrategies: ["single", "mixed"],
        partition: { kind: "label", key: FLYTE_PARTITION },
        unpartitioned: { key: FLYTE_PARTITION, operator: "DoesNotExist" },
        mixedResourcePrefix: "nvidia.com/mig-",
        sharingRefusal:
            'the Flyte backend selects a GPU by one node label whose value is the device name, and "T4 shared" cannot be a label value (no spaces); how a Flyte deployment marks time-sliced or MPS pools is its own configuration',
    },
    tpu: {
        resource: "google.com/tpu",
        selectors: [[{ key: "cloud.google.com/gke-tpu-accelerator", column: "flyte" }]],
        tolerations: [],
        tolerateSelectedLabels: true,
        topologyLabel: "cloud.google.com/gke-tpu-topology",
        requireTopology: false,
    },
    neuron: {
        resource: "aws.amazon.com/neuron",
        coreResource: "aws.amazon.com/neuroncore",
        unit: "device",
        selectors: [[{ key: FLYTE_DEVICE, column: "name" }]],
        tolerations: [],
        tolerateSelectedLabels: true,
    },
    amd: {
        resource: "amd.com/gpu",
        selectors: [[{ key: FLYTE_DEVICE, column: "name" }]],
        tolerations: [],
        tolerateSelectedLabels: true,
    },
    gaudi: {
        resource: "habana.ai/gaudi",
        selectors: [[{ key: FLYTE_DEVICE, column: "name" }]],
        tolerations: [],
        tolerateSelectedLabels: true,
    },
    // Flyte configures these per deployment (interruptible-node-selector / -tolerations)
    capacity: { spotNodeSelector: {}, spotTolerations: [], onDemand: [] },
};

export const BUILTIN_PROFILES: Readonly<Record<string, SchedulingProfile>> = Object.freeze({
    gke,
    eks,
    aks,
    nvidia,
    flyte,
});
export type BuiltinProfileName = "gke" | "eks" | "aks" | "nvidia" | "flyte";
