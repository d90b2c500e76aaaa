import { NodeSelectorRequirement, Toleration } from "./types";

export type MigStrategy = "single" | "mixed";
/** How a pod asks for its accelerator: extended resources (device plugins) or DRA claims. */
export type DeviceAllocation = "extended" | "dra";
export const DEVICE_ALLOCATIONS: readonly DeviceAllocation[] = ["extended", "dra"];
export type NeuronUnit = "device" | "core";

/** Catalogue columns a label rule can take its values from (see core/catalog). */
export const COLUMNS = [
    "name",
    "gke",
    "eksNodeGroup",
    "karpenter",
    "aksVmSizes",
    "gfdProducts",
    "flyte",
    "instanceFamily",
    "ec2InstanceTypes",
    "productName",
    "nvmlNames",
    "draTpuGen",
] as const;
export type Column = (typeof COLUMNS)[number];

/** One node-label requirement whose values come from the device's catalogue row. */
export interface LabelRule {
    key: string;
    /** Values from this catalogue column (the rule's alternative is skipped when the device has none) ... */
    column?: Column;
    /** ... or one fixed value. */
    value?: string;
    /** Add this rule only when another device of the family shares the device's value in that column. */
    onlyIfShared?: Column;
    /**
     * Separate devices that share a value in that column by per-device memory:
     * emits `key Gt/Lt <MiB>` bounds midway between neighbours (e.g. Karpenter A100 40GB vs 80GB).
     */
    memoryBoundsIfShared?: Column;
}

export interface DeviceRules {
    /** Extended resource name, e.g. `nvidia.com/gpu`. */
    resource: string;
    /**
     * Alternatives (ORed node-selector terms), each a list of rules ANDed. An
     * alternative needing a column the device has no value for is skipped; a device
     * left with no alternative cannot be placed by this profile.
     */
    selectors: LabelRule[][];
    tolerations: Toleration[];
    /** Flyte backend style: tolerate every selected label with `operator: Equal` and its value. */
    tolerateSelectedLabels?: boolean;
}

export type PartitionRule =
    /** A node label carries the MIG profile (GKE, Flyte backend). */
    | { kind: "label"; key: string }
    /** GPU Feature Discovery: `nvidia.com/gpu.product` gets `-MIG-<profile>` under strategy single. */
    | { kind: "gfdProduct"; productKey: string; strategyKey: string };

/**
 * How a cluster flavour offers shared GPUs ("T4 shared"): pools whose GPUs are
 * time-sliced (or run under MPS) between pods, each pod requesting one share.
 */
export interface SharingRules {
    /** Requirements ANDed into a shared GPU's selection (the model's labels), e.g. GKE's sharing-strategy label. */
    shared: NodeSelectorRequirement[];
    /** Suffix a shared node's GPU Feature Discovery product label carries (`Tesla-T4-SHARED`), applied to `gfdProducts` values. */
    gfdProductSuffix?: string;
    /** Requirement keeping whole GPUs and MIG slices off shared pools. */
    unshared?: NodeSelectorRequirement;
    /** The resource one share is requested as (default: the family's `resource`). */
    resource?: string;
}

export interface GpuRules extends DeviceRules {
    /** MIG strategies the cluster flavour supports; the first is the default. */
    migStrategies: MigStrategy[];
    partition: PartitionRule;
    /** Requirement keeping whole-GPU requests off MIG-partitioned nodes. */
    unpartitioned?: NodeSelectorRequirement;
    /** Mixed strategy resource prefix: `nvidia.com/mig-<profile>`. */
    mixedResourcePrefix: string;
    /** Shared GPUs; without it, a shared GPU is refused with `sharingRefusal`. */
    sharing?: SharingRules;
    /** Why this flavour cannot place shared GPUs (when it has no `sharing`). */
    sharingRefusal?: string;
}

export interface TpuRules extends DeviceRules {
    /** Node label carrying the slice topology. */
    topologyLabel: string;
    /** Whether a topology must be given (GKE schedules TPUs by accelerator and topology). */
    requireTopology: boolean;
}

export interface NeuronRules extends DeviceRules {
    /** Request whole devices (`aws.amazon.com/neuron`) or NeuronCores. */
    unit: NeuronUnit;
    coreResource: string;
}

export interface CapacityRules {
    /** Labels selecting spot / preemptible nodes for interruptible tasks. */
    spotNodeSelector: Record<string, string>;
    spotTolerations: Toleration[];
    /** Requirements keeping non-interruptible tasks off spot nodes. */
    onDemand: NodeSelectorRequirement[];
}

/** How NVIDIA GPUs are claimed through DRA (NVIDIA's DRA driver's conventions by default). */
export interface DraGpuRules {
    /** DeviceClass of whole GPUs, e.g. `gpu.nvidia.com`. */
    deviceClass: string;
    /** DeviceClass of MIG devices, e.g. `mig.nvidia.com`. */
    migDeviceClass: string;
    /** Attribute domain (the driver's name), e.g. `gpu.nvidia.com`. */
    domain: string;
    /** String attribute with the product name (values from the catalogue's `nvmlNames`). */
    productAttribute: string;
    /** String attribute with a MIG device's profile, e.g. `1g.10gb`. */
    profileAttribute: string;
    /** Capacity with the device's memory: whole GPUs must have at least 90% of the model's (optional). */
    memoryCapacity?: string;
    tolerations: Toleration[];
}

/** How TPU chips are claimed through DRA (Google's TPU DRA driver's conventions by default). */
export interface DraTpuRules {
    deviceClass: string;
    domain: string;
    /** String attribute with the generation (values from the catalogue's `draTpuGen`). */
    generationAttribute: string;
    tolerations: Toleration[];
}

/** DRA conventions per family; a family without one cannot be claimed through DRA. */
export interface DraRules {
    gpu?: DraGpuRules;
    tpu?: DraTpuRules;
}

/** A cluster flavour: how accelerators and capacity types are requested and selected. */
export interface SchedulingProfile {
    name: string;
    /** Put single-valued `In` requirements in `nodeSelector` (else required node affinity). */
    preferNodeSelector: boolean;
    /** A bare GPU count (no model). */
    anyGpu: { resource: string; tolerations: Toleration[] };
    gpu?: GpuRules;
    tpu?: TpuRules;
    neuron?: NeuronRules;
    amd?: DeviceRules;
    gaudi?: DeviceRules;
    capacity: CapacityRules;
    /** Per-device overrides of catalogue values, e.g. `{ "A100": { gke: ["my-a100"] } }`. */
    deviceValues?: Record<string, Partial<Record<Column, string[]>>>;
    /** Extended resources (default) or DRA claims; an environment's `deviceAllocation` and `flyte:deviceAllocation` win. */
    deviceAllocation?: DeviceAllocation;
    /** DRA conventions per family, replacing the drivers' defaults (core/placement/dra.ts) family by family. */
    dra?: DraRules;
}
