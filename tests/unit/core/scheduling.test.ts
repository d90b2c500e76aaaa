/**
 * Scheduling profiles: for every accelerator family under every built-in profile, the
 * exact placement or the exact error; A100 40GB/80GB and MIG/whole-GPU separation
 * checked against realistic node labels; capacity types; custom profiles.
 */
import { GPU_MODELS } from "../../../sdk/src/core/catalog/gpus";
import { AMD_GPUS, NEURON_DEVICES } from "../../../sdk/src/core/catalog/others";
import { TPU_GENERATIONS } from "../../../sdk/src/core/catalog/tpus";
import {
    AMD,
    Device,
    GPU,
    Gaudi,
    Neuron,
    TPU,
    normalizeDevice as toDevice,
    parseAccelerator,
} from "../../../sdk/src/core/devices";
import { ValidationError } from "../../../sdk/src/core/errors";
import { BUILTIN_PROFILES } from "../../../sdk/src/core/placement/builtin-profiles";
import {
    andInto,
    andTerms,
    combinePlacements,
    dedupe,
    placeCapacity,
    placeDevice,
} from "../../../sdk/src/core/placement/place";
import { MigStrategy, SchedulingProfile } from "../../../sdk/src/core/placement/profile";
import { PROFILE_NAMES, ProfileInput, resolveProfile } from "../../../sdk/src/core/placement/resolve";
import { NodeSelectorRequirement, Placement, Toleration } from "../../../sdk/src/core/placement/types";
import { errorOf, quoted } from "./helpers";

const place = (profile: ProfileInput | string, device: Device | undefined, migStrategy?: MigStrategy) =>
    placeDevice(resolveProfile(profile as ProfileInput), device, migStrategy ? { migStrategy } : {});

// ---- building blocks of the expected placements --------------------------------------------
const NVIDIA_TAINT: Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };
const SKU_GPU: Toleration = { key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" };
const In = (key: string, ...values: string[]): NodeSelectorRequirement => ({ key, operator: "In", values });
const NotIn = (key: string, ...values: string[]): NodeSelectorRequirement => ({ key, operator: "NotIn", values });
const DoesNotExist = (key: string): NodeSelectorRequirement => ({ key, operator: "DoesNotExist" });
const Gt = (key: string, v: string): NodeSelectorRequirement => ({ key, operator: "Gt", values: [v] });
const Lt = (key: string, v: string): NodeSelectorRequirement => ({ key, operator: "Lt", values: [v] });
const Equal = (key: string, value: string): Toleration => ({ key, operator: "Equal", value, effect: "NoSchedule" });
const Exists = (key: string): Toleration => ({ key, operator: "Exists", effect: "NoSchedule" });
const placement = (p: Partial<Placement>): Placement => ({
    resources: {},
    nodeSelector: {},
    terms: [],
    tolerations: [],
    hosts: 1,
    ...p,
});

const GKE_ACC = "cloud.google.com/gke-accelerator";
const GKE_PART = "cloud.google.com/gke-gpu-partition-size";
const KARP_GPU = "karpenter.k8s.aws/instance-gpu-name";
const KARP_MEM = "karpenter.k8s.aws/instance-gpu-memory";
const EKS_NG = "k8s.amazonaws.com/accelerator";
const AZ_ACC = "kubernetes.azure.com/accelerator";
const INSTANCE = "node.kubernetes.io/instance-type";
const PRODUCT = "nvidia.com/gpu.product";
const MIG_STRATEGY = "nvidia.com/mig.strategy";
const FLYTE_ACC = "k8s.amazonaws.com/accelerator";
const FLYTE_PART = "k8s.amazonaws.com/gpu-partition-size";
const TPU_ACC = "cloud.google.com/gke-tpu-accelerator";
const TPU_TOPO = "cloud.google.com/gke-tpu-topology";
const NOT_MIG_SINGLE = NotIn(MIG_STRATEGY, "single");
const GKE_SHARING = "cloud.google.com/gke-gpu-sharing-strategy";
const GFD_SHARING = "nvidia.com/gpu.sharing-strategy";
/** whole GPUs and MIG slices stay off time-sliced / MPS pools */
const GKE_UNSHARED = DoesNotExist(GKE_SHARING);
const NOT_SHARED = NotIn(GFD_SHARING, "time-slicing", "mps");

const gpu = (q: number) => ({ "nvidia.com/gpu": String(q) });

/** GKE: one accelerator value goes to nodeSelector; several stay an In requirement. */
function gkeGpu(values: string[], q: number): Placement {
    return values.length === 1
        ? placement({
              resources: gpu(q),
              nodeSelector: { [GKE_ACC]: values[0] },
              terms: [[DoesNotExist(GKE_PART), GKE_UNSHARED]],
              tolerations: [NVIDIA_TAINT],
          })
        : placement({
              resources: gpu(q),
              terms: [[In(GKE_ACC, ...values), DoesNotExist(GKE_PART), GKE_UNSHARED]],
              tolerations: [NVIDIA_TAINT],
          });
}
/** EKS: a Karpenter alternative (with memory bounds when a name is shared) and a node-group alternative. */
function eksGpu(
    row: { karpenter?: string; memory?: NodeSelectorRequirement[]; nodeGroup?: string },
    q: number,
): Placement {
    const terms: NodeSelectorRequirement[][] = [];
    if (row.karpenter) terms.push([In(KARP_GPU, row.karpenter), ...(row.memory ?? []), NOT_MIG_SINGLE, NOT_SHARED]);
    if (row.nodeGroup) terms.push([In(EKS_NG, row.nodeGroup), NOT_MIG_SINGLE, NOT_SHARED]);
    return placement({ resources: gpu(q), terms, tolerations: [NVIDIA_TAINT] });
}
function aksGpu(vmSizes: string[], q: number): Placement {
    return placement({
        resources: gpu(q),
        terms: [[In(AZ_ACC, "nvidia"), In(INSTANCE, ...vmSizes), NOT_MIG_SINGLE, NOT_SHARED]],
        tolerations: [NVIDIA_TAINT, SKU_GPU],
    });
}
function nvidiaGpu(products: string[], q: number): Placement {
    return placement({
        resources: gpu(q),
        terms: [[In(PRODUCT, ...products), NOT_MIG_SINGLE, NOT_SHARED]],
        tolerations: [NVIDIA_TAINT],
    });
}
function flyteGpu(value: string, q: number): Placement {
    return placement({
        resources: gpu(q),
        terms: [[In(FLYTE_ACC, value), DoesNotExist(FLYTE_PART)]],
        tolerations: [Equal(FLYTE_ACC, value)],
    });
}

// ---- every GPU model under every profile ---------------------------------------------------
type Expect = Placement | { error: string };
const A100_40_SIZES = ["Standard_ND96asr_v4"];
const A100_80_SIZES = [
    "Standard_NC24ads_A100_v4",
    "Standard_NC48ads_A100_v4",
    "Standard_NC96ads_A100_v4",
    "Standard_ND96amsr_A100_v4",
];
const Q = 3;

const GKE_PLACEABLE = ["A100", "A100_80G", "B200", "GB200", "H100", "H200", "L4", "RTX_PRO_6000", "T4", "V100"];
const EKS_PLACEABLE = ["A10G", "A100", "A100_80G", "B200", "H100", "H200", "L4", "L40s", "T4", "V100"];
const AKS_PLACEABLE = ["A10", "A100", "A100_80G", "GB200", "H100", "H100_NVL", "H200", "T4", "V100"];
const noLabel = (profile: string, model: string, placeable: string[]) => ({
    error: `resources.gpu: got "${model}"; profile "${profile}" has no node label for ${model}; it can place ${quoted(placeable)} (add the value with a custom profile's deviceValues)`,
});

const GPU_TABLE: Record<string, Record<string, Expect>> = {
    gke: {
        A2: noLabel("gke", "A2", GKE_PLACEABLE),
        A10: noLabel("gke", "A10", GKE_PLACEABLE),
        A10G: noLabel("gke", "A10G", GKE_PLACEABLE),
        A30: noLabel("gke", "A30", GKE_PLACEABLE),
        A100: gkeGpu(["nvidia-tesla-a100"], Q),
        A100_80G: gkeGpu(["nvidia-a100-80gb"], Q),
        B200: gkeGpu(["nvidia-b200"], Q),
        GB200: gkeGpu(["nvidia-gb200"], Q),
        GB10: noLabel("gke", "GB10", GKE_PLACEABLE),
        H100: gkeGpu(["nvidia-h100-80gb", "nvidia-h100-mega-80gb"], Q), // never nvidia-tesla-h100 (Flyte bug)
        H100_NVL: noLabel("gke", "H100_NVL", GKE_PLACEABLE),
        H200: gkeGpu(["nvidia-h200-141gb"], Q),
        L4: gkeGpu(["nvidia-l4"], Q),
        L40s: noLabel("gke", "L40s", GKE_PLACEABLE),
        RTX_PRO_4500: noLabel("gke", "RTX_PRO_4500", GKE_PLACEABLE),
        RTX_PRO_6000: gkeGpu(["nvidia-rtx-pro-6000"], Q),
        T4: gkeGpu(["nvidia-tesla-t4"], Q),
        V100: gkeGpu(["nvidia-tesla-v100"], Q),
    },
    eks: {
        A2: noLabel("eks", "A2", EKS_PLACEABLE),
        A10: noLabel("eks", "A10", EKS_PLACEABLE),
        A10G: eksGpu({ karpenter: "a10g", nodeGroup: "nvidia-a10g" }, Q),
        A30: noLabel("eks", "A30", EKS_PLACEABLE),
        // Karpenter names both A100s "a100": memory bounds midway (40960 / 81920 MiB) tell them apart
        A100: eksGpu({ karpenter: "a100", memory: [Lt(KARP_MEM, "61440")], nodeGroup: "nvidia-tesla-a100" }, Q),
        A100_80G: eksGpu({ karpenter: "a100", memory: [Gt(KARP_MEM, "61440")] }, Q),
        B200: eksGpu({ karpenter: "b200" }, Q),
        GB200: noLabel("eks", "GB200", EKS_PLACEABLE),
        GB10: noLabel("eks", "GB10", EKS_PLACEABLE),
        H100: eksGpu({ karpenter: "h100" }, Q),
        H100_NVL: noLabel("eks", "H100_NVL", EKS_PLACEABLE),
        H200: eksGpu({ karpenter: "h200" }, Q),
        L4: eksGpu({ karpenter: "l4", nodeGroup: "nvidia-l4" }, Q),
        L40s: eksGpu({ karpenter: "l40s", nodeGroup: "nvidia-l40s" }, Q),
        RTX_PRO_4500: noLabel("eks", "RTX_PRO_4500", EKS_PLACEABLE),
        RTX_PRO_6000: noLabel("eks", "RTX_PRO_6000", EKS_PLACEABLE),
        T4: eksGpu({ karpenter: "t4", nodeGroup: "nvidia-tesla-t4" }, Q),
        V100: eksGpu({ karpenter: "v100", nodeGroup: "nvidia-tesla-v100" }, Q),
    },
    aks: {
        A2: noLabel("aks", "A2", AKS_PLACEABLE),
        A10: aksGpu(["Standard_NV36ads_A10_v5", "Standard_NV72ads_A10_v5"], Q),
        A10G: noLabel("aks", "A10G", AKS_PLACEABLE),
        A30: noLabel("aks", "A30", AKS_PLACEABLE),
        A100: aksGpu(A100_40_SIZES, Q),
        A100_80G: aksGpu(A100_80_SIZES, Q),
        B200: noLabel("aks", "B200", AKS_PLACEABLE),
        GB200: aksGpu(["Standard_ND128isr_NDR_GB200_v6"], Q),
        GB10: noLabel("aks", "GB10", AKS_PLACEABLE),
        H100: aksGpu(["Standard_ND96isr_H100_v5"], Q),
        H100_NVL: aksGpu(["Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5"], Q),
        H200: aksGpu(["Standard_ND96isr_H200_v5"], Q),
        L4: noLabel("aks", "L4", AKS_PLACEABLE),
        L40s: noLabel("aks", "L40s", AKS_PLACEABLE),
        RTX_PRO_4500: noLabel("aks", "RTX_PRO_4500", AKS_PLACEABLE),
        RTX_PRO_6000: noLabel("aks", "RTX_PRO_6000", AKS_PLACEABLE),
        T4: aksGpu(
            ["Standard_NC4as_T4_v3", "Standard_NC8as_T4_v3", "Standard_NC16as_T4_v3", "Standard_NC64as_T4_v3"],
            Q,
        ),
        V100: aksGpu(
            ["Standard_NC6s_v3", "Standard_NC12s_v3", "Standard_NC24s_v3", "Standard_NC24rs_v3", "Standard_ND40rs_v2"],
            Q,
        ),
    },
    nvidia: {
        A2: nvidiaGpu(["NVIDIA-A2"], Q),
        A10: nvidiaGpu(["NVIDIA-A10"], Q),
        A10G: nvidiaGpu(["NVIDIA-A10G"], Q),
        A30: nvidiaGpu(["NVIDIA-A30"], Q),
        A100: nvidiaGpu(["NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"], Q),
        A100_80G: nvidiaGpu(["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe"], Q),
        B200: nvidiaGpu(["NVIDIA-B200"], Q),
        GB200: nvidiaGpu(["NVIDIA-GB200"], Q),
        GB10: nvidiaGpu(["NVIDIA-GB10"], 1),
        H100: nvidiaGpu(["NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe"], Q),
        H100_NVL: nvidiaGpu(["NVIDIA-H100-NVL"], Q),
        H200: nvidiaGpu(["NVIDIA-H200", "NVIDIA-H200-NVL"], Q),
        L4: nvidiaGpu(["NVIDIA-L4"], Q),
        L40s: nvidiaGpu(["NVIDIA-L40S"], Q),
        RTX_PRO_4500: nvidiaGpu(["NVIDIA-RTX-PRO-4500-Blackwell-Server-Edition"], Q),
        RTX_PRO_6000: nvidiaGpu(["NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition"], Q),
        T4: nvidiaGpu(["Tesla-T4"], Q),
        V100: nvidiaGpu(
            ["Tesla-V100-SXM2-16GB", "Tesla-V100-SXM2-32GB", "Tesla-V100-PCIE-16GB", "Tesla-V100-PCIE-32GB"],
            Q,
        ),
    },
    // the Flyte backend's labels: flyte-sdk's device names (its H100 value is kept: that is what Flyte clusters label)
    flyte: {
        A2: flyteGpu("A2", Q),
        A10: flyteGpu("nvidia-a10", Q),
        A10G: flyteGpu("nvidia-a10g", Q),
        A30: flyteGpu("A30", Q),
        A100: flyteGpu("nvidia-tesla-a100", Q),
        A100_80G: flyteGpu("nvidia-a100-80gb", Q),
        B200: flyteGpu("B200", Q),
        GB200: flyteGpu("GB200", Q),
        GB10: flyteGpu("GB10", 1),
        H100: flyteGpu("nvidia-tesla-h100", Q),
        H100_NVL: flyteGpu("H100_NVL", Q),
        H200: flyteGpu("H200", Q),
        L4: flyteGpu("nvidia-l4", Q),
        L40s: flyteGpu("nvidia-l40s", Q),
        RTX_PRO_4500: flyteGpu("nvidia-rtx-pro-4500", Q),
        RTX_PRO_6000: flyteGpu("nvidia-rtx-pro-6000", Q),
        T4: flyteGpu("nvidia-tesla-t4", Q),
        V100: flyteGpu("nvidia-tesla-v100", Q),
    },
};

describe("every GPU model under every built-in profile", () => {
    test("the table covers every profile and model", () => {
        expect(Object.keys(GPU_TABLE)).toEqual([...PROFILE_NAMES]);
        for (const rows of Object.values(GPU_TABLE)) expect(Object.keys(rows)).toEqual(GPU_MODELS.map((m) => m.name));
    });

    const cases = PROFILE_NAMES.flatMap((p) => GPU_MODELS.map((m) => [p, m.name] as const));
    test.each(cases)("%s / %s", (profile, model) => {
        const device = GPU({ device: model, quantity: model === "GB10" ? 1 : Q });
        const expected = GPU_TABLE[profile][model];
        if ("error" in expected) {
            const err = errorOf(() => place(profile, device));
            expect(err.field).toBe("resources.gpu");
            expect(err.message).toBe(expected.error);
        } else {
            expect(place(profile, device)).toEqual(expected);
        }
    });

    test("GKE never asks for nvidia-tesla-h100 (a value GKE does not use)", () => {
        for (const q of [1, 8]) {
            const p = place("gke", GPU({ device: "H100", quantity: q }));
            expect(JSON.stringify(p)).not.toContain("nvidia-tesla-h100");
            expect(p.terms[0][0]).toEqual(In(GKE_ACC, "nvidia-h100-80gb", "nvidia-h100-mega-80gb"));
        }
    });
});

describe("bare GPU count (no model)", () => {
    // whole GPUs of any model, kept off MIG-partitioned nodes like a named whole GPU
    const table: [string, Placement][] = [
        [
            "gke",
            placement({
                resources: gpu(2),
                terms: [[DoesNotExist(GKE_PART), GKE_UNSHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        ["eks", placement({ resources: gpu(2), terms: [[NOT_MIG_SINGLE, NOT_SHARED]], tolerations: [NVIDIA_TAINT] })],
        [
            "aks",
            placement({
                resources: gpu(2),
                terms: [[NOT_MIG_SINGLE, NOT_SHARED]],
                tolerations: [NVIDIA_TAINT, SKU_GPU],
            }),
        ],
        [
            "nvidia",
            placement({ resources: gpu(2), terms: [[NOT_MIG_SINGLE, NOT_SHARED]], tolerations: [NVIDIA_TAINT] }),
        ],
        ["flyte", placement({ resources: gpu(2), terms: [[DoesNotExist(FLYTE_PART)]] })],
    ];
    test.each(table)("%s", (profile, expected) => {
        expect(place(profile, toDevice("resources.gpu", 2))).toEqual(expected);
    });
    test("no device: empty placement", () => {
        for (const p of PROFILE_NAMES) expect(place(p, undefined)).toEqual(placement({}));
    });
});

// ---- shared GPUs -----------------------------------------------------------------------------
describe("shared GPUs (time-sliced or MPS shares of one GPU) under every built-in profile", () => {
    const SHARED_GKE = In(GKE_SHARING, "time-sharing", "mps");
    const SHARED_GFD = In(GFD_SHARING, "time-slicing", "mps");
    const T4_SIZES = ["Standard_NC4as_T4_v3", "Standard_NC8as_T4_v3", "Standard_NC16as_T4_v3", "Standard_NC64as_T4_v3"];
    const table: [string, string, Expect][] = [
        // GKE: the model's accelerator label and a time-sharing or MPS pool; one share is one nvidia.com/gpu
        [
            "gke",
            "T4 shared",
            placement({
                resources: gpu(1),
                nodeSelector: { [GKE_ACC]: "nvidia-tesla-t4" },
                terms: [[SHARED_GKE]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "gke",
            "L4 shared",
            placement({
                resources: gpu(1),
                nodeSelector: { [GKE_ACC]: "nvidia-l4" },
                terms: [[SHARED_GKE]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "gke",
            "A10G shared",
            {
                error: 'resources.gpu: got "A10G shared"; profile "gke" has no node label for A10G, the GPU of A10G shared (add the value with a custom profile\'s deviceValues)',
            },
        ],
        // EKS and AKS: the model's labels and GPU Feature Discovery's sharing strategy (NVIDIA device plugin)
        [
            "eks",
            "A10G shared",
            placement({
                resources: gpu(1),
                terms: [
                    [In(KARP_GPU, "a10g"), SHARED_GFD],
                    [In(EKS_NG, "nvidia-a10g"), SHARED_GFD],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "eks",
            "L40S shared",
            placement({
                resources: gpu(1),
                terms: [
                    [In(KARP_GPU, "l40s"), SHARED_GFD],
                    [In(EKS_NG, "nvidia-l40s"), SHARED_GFD],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "aks",
            "T4 shared",
            placement({
                resources: gpu(1),
                terms: [[In(AZ_ACC, "nvidia"), In(INSTANCE, ...T4_SIZES), SHARED_GFD]],
                tolerations: [NVIDIA_TAINT, SKU_GPU],
            }),
        ],
        // plain NVIDIA: GFD's product label of a shared node ends in -SHARED
        [
            "nvidia",
            "A10 shared",
            placement({
                resources: gpu(1),
                terms: [[In(PRODUCT, "NVIDIA-A10-SHARED"), SHARED_GFD]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "flyte",
            "T4 shared",
            {
                error: 'resources.gpu: got "T4 shared"; profile "flyte" cannot place shared GPUs: the Flyte backend selects a GPU by one node label whose value is the device name, and "T4 shared" cannot be a label value (no spaces); how a Flyte deployment marks time-sliced or MPS pools is its own configuration (a custom profile can give one: gpu.sharing)',
            },
        ],
    ];
    test.each(table)("%s / %s", (profile, device, expected) => {
        const d = parseAccelerator("resources.gpu", `${device}:1`);
        if ("error" in expected) expect(errorOf(() => place(profile, d)).message).toBe(expected.error);
        else expect(place(profile, d)).toEqual(expected);
    });

    test("a plain request of the same model stays off shared pools", () => {
        expect(place("gke", GPU({ device: "T4" })).terms).toEqual([[DoesNotExist(GKE_PART), GKE_UNSHARED]]);
        expect(place("eks", GPU({ device: "A10G" })).terms[0]).toContainEqual(NOT_SHARED);
    });

    test("a custom profile gives the Flyte backend's labels a sharing convention", () => {
        const onprem: ProfileInput = {
            extends: "flyte",
            name: "onprem",
            gpu: {
                ...BUILTIN_PROFILES.flyte.gpu!,
                sharing: { shared: [In("acme.io/gpu-sharing", "true")], resource: "nvidia.com/gpu.shared" },
            },
        };
        expect(place(onprem, parseAccelerator("resources.gpu", "L4 shared:1"))).toEqual(
            placement({
                resources: { "nvidia.com/gpu.shared": "1" },
                terms: [[In(FLYTE_ACC, "nvidia-l4"), In("acme.io/gpu-sharing", "true")]],
                tolerations: [Equal(FLYTE_ACC, "nvidia-l4"), Equal("acme.io/gpu-sharing", "true")],
            }),
        );
    });
});

// ---- MIG -----------------------------------------------------------------------------------
describe("MIG partitions", () => {
    const h100 = GPU({ device: "H100", quantity: 2, partition: "1g.10gb" });
    const H100_PRODUCTS = ["NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe"];
    const migSingleProducts = H100_PRODUCTS.map((p) => `${p}-MIG-1g.10gb`);
    const table: [string, MigStrategy | undefined, Expect][] = [
        // GKE partitions GPUs itself: slices stay nvidia.com/gpu, selected by the partition-size label
        [
            "gke",
            undefined,
            placement({
                resources: gpu(2),
                nodeSelector: { [GKE_PART]: "1g.10gb" },
                terms: [[In(GKE_ACC, "nvidia-h100-80gb", "nvidia-h100-mega-80gb"), GKE_UNSHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "gke",
            "single",
            placement({
                resources: gpu(2),
                nodeSelector: { [GKE_PART]: "1g.10gb" },
                terms: [[In(GKE_ACC, "nvidia-h100-80gb", "nvidia-h100-mega-80gb"), GKE_UNSHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        ["gke", "mixed", { error: 'migStrategy: got "mixed"; profile "gke" supports MIG strategies "single"' }],
        [
            "eks",
            "single",
            placement({
                resources: gpu(2),
                terms: [
                    [In(KARP_GPU, "h100"), In(PRODUCT, ...migSingleProducts), In(MIG_STRATEGY, "single"), NOT_SHARED],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "eks",
            "mixed",
            placement({
                resources: { "nvidia.com/mig-1g.10gb": "2" },
                terms: [[In(KARP_GPU, "h100"), In(PRODUCT, ...H100_PRODUCTS), In(MIG_STRATEGY, "mixed"), NOT_SHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "aks",
            "single",
            placement({
                resources: gpu(2),
                terms: [
                    [
                        In(AZ_ACC, "nvidia"),
                        In(INSTANCE, "Standard_ND96isr_H100_v5"),
                        In(PRODUCT, ...migSingleProducts),
                        In(MIG_STRATEGY, "single"),
                        NOT_SHARED,
                    ],
                ],
                tolerations: [NVIDIA_TAINT, SKU_GPU],
            }),
        ],
        [
            "aks",
            "mixed",
            placement({
                resources: { "nvidia.com/mig-1g.10gb": "2" },
                terms: [
                    [
                        In(AZ_ACC, "nvidia"),
                        In(INSTANCE, "Standard_ND96isr_H100_v5"),
                        In(PRODUCT, ...H100_PRODUCTS),
                        In(MIG_STRATEGY, "mixed"),
                        NOT_SHARED,
                    ],
                ],
                tolerations: [NVIDIA_TAINT, SKU_GPU],
            }),
        ],
        // the generic profile replaces the whole-GPU product requirement by the MIG one
        [
            "nvidia",
            undefined,
            placement({
                resources: gpu(2),
                terms: [[In(PRODUCT, ...migSingleProducts), In(MIG_STRATEGY, "single"), NOT_SHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        [
            "nvidia",
            "mixed",
            placement({
                resources: { "nvidia.com/mig-1g.10gb": "2" },
                terms: [[In(PRODUCT, ...H100_PRODUCTS), In(MIG_STRATEGY, "mixed"), NOT_SHARED]],
                tolerations: [NVIDIA_TAINT],
            }),
        ],
        // the Flyte backend: partition label requirement plus an Equal toleration for it
        [
            "flyte",
            "single",
            placement({
                resources: gpu(2),
                terms: [[In(FLYTE_ACC, "nvidia-tesla-h100"), In(FLYTE_PART, "1g.10gb")]],
                tolerations: [Equal(FLYTE_ACC, "nvidia-tesla-h100"), Equal(FLYTE_PART, "1g.10gb")],
            }),
        ],
        [
            "flyte",
            "mixed",
            placement({
                resources: { "nvidia.com/mig-1g.10gb": "2" },
                terms: [[In(FLYTE_ACC, "nvidia-tesla-h100")]],
                tolerations: [Equal(FLYTE_ACC, "nvidia-tesla-h100")],
            }),
        ],
    ];
    test.each(table)("H100 1g.10gb on %s, strategy %s", (profile, strategy, expected) => {
        if ("error" in expected) {
            const err = errorOf(() => place(profile, h100, strategy));
            expect(err.field).toBe("migStrategy");
            expect(err.message).toBe(expected.error);
        } else {
            expect(place(profile, h100, strategy)).toEqual(expected);
        }
    });

    test("eks: an A100 80GB slice keeps the Karpenter memory bound", () => {
        const d = GPU({ device: "A100_80G", partition: "3g.40gb" });
        expect(place("eks", d)).toEqual(
            placement({
                resources: gpu(1),
                terms: [
                    [
                        In(KARP_GPU, "a100"),
                        Gt(KARP_MEM, "61440"),
                        In(PRODUCT, "NVIDIA-A100-SXM4-80GB-MIG-3g.40gb", "NVIDIA-A100-80GB-PCIe-MIG-3g.40gb"),
                        In(MIG_STRATEGY, "single"),
                        NOT_SHARED,
                    ],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        );
        const a40 = place("eks", GPU({ device: "A100", partition: "1g.5gb" }), "mixed");
        expect(a40).toEqual(
            placement({
                resources: { "nvidia.com/mig-1g.5gb": "1" },
                terms: [
                    [
                        In(KARP_GPU, "a100"),
                        Lt(KARP_MEM, "61440"),
                        In(PRODUCT, "NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"),
                        In(MIG_STRATEGY, "mixed"),
                        NOT_SHARED,
                    ],
                    [
                        In(EKS_NG, "nvidia-tesla-a100"),
                        In(PRODUCT, "NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"),
                        In(MIG_STRATEGY, "mixed"),
                        NOT_SHARED,
                    ],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        );
    });

    test("the default strategy is the profile's first: single everywhere", () => {
        for (const p of PROFILE_NAMES) expect(place(p, h100).resources).toEqual(gpu(2));
        expect(Object.fromEntries(PROFILE_NAMES.map((p) => [p, BUILTIN_PROFILES[p].gpu!.migStrategies]))).toEqual({
            gke: ["single"],
            eks: ["single", "mixed"],
            aks: ["single", "mixed"],
            nvidia: ["single", "mixed"],
            flyte: ["single", "mixed"],
        });
    });

    // every profile of every model, mixed: one resource per profile; gke rejects mixed
    const everyProfile = GPU_MODELS.flatMap((m) => m.mig.map((p) => [m.name, p] as const));
    test.each(everyProfile)(
        "%s %s: mixed -> nvidia.com/mig-<profile> (nvidia, flyte); single keeps nvidia.com/gpu",
        (device, partition) => {
            const d = GPU({ device, partition });
            for (const p of ["nvidia", "flyte"]) {
                expect(place(p, d, "mixed").resources).toEqual({ [`nvidia.com/mig-${partition}`]: "1" });
                expect(place(p, d, "single").resources).toEqual(gpu(1));
            }
            expect(place("nvidia", d, "single").terms[0]).toEqual([
                In(PRODUCT, ...gpuProducts(device).map((v) => `${v}-MIG-${partition}`)),
                In(MIG_STRATEGY, "single"),
                NOT_SHARED,
            ]);
            // gke rejects mixed (or cannot place the model at all)
            expect(errorOf(() => place("gke", d, "mixed")).field).toBe(
                "error" in GPU_TABLE.gke[device] ? "resources.gpu" : "migStrategy",
            );
        },
    );

    test('"+" in a profile becomes "." in the mixed resource name', () => {
        const literal: Device = { deviceClass: "GPU", device: "A100", quantity: 1, partition: "1g.5gb+me" };
        expect(place("nvidia", literal, "mixed").resources).toEqual({ "nvidia.com/mig-1g.5gb.me": "1" });
    });

    test("a gpu.product profile without a product name for the model cannot place its MIG slices", () => {
        const custom = { extends: "eks" as const, name: "no-products", deviceValues: { A100: { gfdProducts: [] } } };
        expect(errorOf(() => place(custom, GPU({ device: "A100", partition: "1g.5gb" }))).message).toBe(
            'resources.gpu: got "A100"; profile "no-products" selects MIG slices by nvidia.com/gpu.product and has no product name for A100',
        );
        // a whole A100 is still placeable there
        expect(place(custom, GPU({ device: "A100" })).resources).toEqual(gpu(1));
    });

    test("an unpartitioned GPU keeps off MIG nodes; a partitioned one does not carry that requirement", () => {
        const unpartitioned: Record<string, NodeSelectorRequirement> = {
            gke: DoesNotExist(GKE_PART),
            eks: NOT_MIG_SINGLE,
            aks: NOT_MIG_SINGLE,
            nvidia: NOT_MIG_SINGLE,
            flyte: DoesNotExist(FLYTE_PART),
        };
        for (const p of PROFILE_NAMES) {
            const whole = place(p, GPU({ device: "A100" }));
            for (const term of whole.terms) expect(term).toContainEqual(unpartitioned[p]);
            const slice = place(p, GPU({ device: "A100", partition: "1g.5gb" }));
            for (const term of slice.terms) expect(term).not.toContainEqual(unpartitioned[p]);
        }
    });
});

function gpuProducts(model: string): string[] {
    return [...GPU_MODELS.find((m) => m.name === model)!.gfdProducts];
}

// ---- node matching: what would the scheduler do with real node labels ---------------------
/** Kubernetes node-affinity semantics (nodeSelector AND any term). */
function matches(labels: Record<string, string>, p: Placement): boolean {
    const req = (r: NodeSelectorRequirement) => {
        const v = labels[r.key];
        switch (r.operator) {
            case "In":
                return v !== undefined && r.values!.includes(v);
            case "NotIn":
                return v === undefined || !r.values!.includes(v);
            case "Exists":
                return v !== undefined;
            case "DoesNotExist":
                return v === undefined;
            case "Gt":
                return v !== undefined && Number(v) > Number(r.values![0]);
            case "Lt":
                return v !== undefined && Number(v) < Number(r.values![0]);
        }
    };
    const selector = Object.entries(p.nodeSelector).every(([k, v]) => labels[k] === v);
    return selector && (p.terms.length === 0 || p.terms.some((t) => t.every(req)));
}

describe("A100 40GB and 80GB never land on each other's nodes (every profile)", () => {
    const nodes: Record<string, { a40: Record<string, string>[]; a80: Record<string, string>[] }> = {
        gke: { a40: [{ [GKE_ACC]: "nvidia-tesla-a100" }], a80: [{ [GKE_ACC]: "nvidia-a100-80gb" }] },
        eks: {
            a40: [
                { [KARP_GPU]: "a100", [KARP_MEM]: "40960", [INSTANCE]: "p4d.24xlarge" },
                { [EKS_NG]: "nvidia-tesla-a100" },
            ],
            a80: [{ [KARP_GPU]: "a100", [KARP_MEM]: "81920", [INSTANCE]: "p4de.24xlarge" }],
        },
        aks: {
            a40: [{ [AZ_ACC]: "nvidia", [INSTANCE]: "Standard_ND96asr_v4" }],
            a80: A100_80_SIZES.map((s) => ({ [AZ_ACC]: "nvidia", [INSTANCE]: s })),
        },
        nvidia: {
            a40: ["NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"].map((p) => ({
                [PRODUCT]: p,
                [MIG_STRATEGY]: "none",
            })),
            a80: ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe"].map((p) => ({ [PRODUCT]: p })),
        },
        flyte: { a40: [{ [FLYTE_ACC]: "nvidia-tesla-a100" }], a80: [{ [FLYTE_ACC]: "nvidia-a100-80gb" }] },
    };
    test.each(PROFILE_NAMES)("%s", (profile) => {
        const a40 = place(profile, GPU({ device: "A100", quantity: 8 }));
        const a80 = place(profile, GPU({ device: "A100_80G", quantity: 8 }));
        for (const node of nodes[profile].a40) {
            expect(matches(node, a40)).toBe(true);
            expect(matches(node, a80)).toBe(false);
        }
        for (const node of nodes[profile].a80) {
            expect(matches(node, a80)).toBe(true);
            expect(matches(node, a40)).toBe(false);
        }
    });

    test("GKE H100 matches both H100 node pools and not a (non-existent) nvidia-tesla-h100 pool", () => {
        const p = place("gke", GPU({ device: "H100" }));
        expect(matches({ [GKE_ACC]: "nvidia-h100-80gb" }, p)).toBe(true);
        expect(matches({ [GKE_ACC]: "nvidia-h100-mega-80gb" }, p)).toBe(true);
        expect(matches({ [GKE_ACC]: "nvidia-tesla-h100" }, p)).toBe(false);
        expect(matches({ [GKE_ACC]: "nvidia-h200-141gb" }, p)).toBe(false);
    });

    test("whole GPUs stay off MIG nodes and MIG slices go to them", () => {
        const migNodes: Record<string, Record<string, string>> = {
            gke: { [GKE_ACC]: "nvidia-tesla-a100", [GKE_PART]: "1g.5gb" },
            nvidia: { [PRODUCT]: "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", [MIG_STRATEGY]: "single" },
            flyte: { [FLYTE_ACC]: "nvidia-tesla-a100", [FLYTE_PART]: "1g.5gb" },
        };
        for (const [profile, node] of Object.entries(migNodes)) {
            expect(matches(node, place(profile, GPU({ device: "A100" })))).toBe(false);
            expect(matches(node, place(profile, GPU({ device: "A100", partition: "1g.5gb" })))).toBe(true);
            expect(matches(node, place(profile, GPU({ device: "A100", partition: "2g.10gb" })))).toBe(false);
        }
        const mixedNode = { [PRODUCT]: "NVIDIA-A100-SXM4-40GB", [MIG_STRATEGY]: "mixed" };
        expect(matches(mixedNode, place("nvidia", GPU({ device: "A100", partition: "1g.5gb" }), "mixed"))).toBe(true);
        expect(matches(mixedNode, place("nvidia", GPU({ device: "A100", partition: "1g.5gb" }), "single"))).toBe(false);
    });
});

// ---- TPUs ----------------------------------------------------------------------------------
describe("TPUs", () => {
    // [generation, topology, chips per host (google.com/tpu), hosts]
    const table: [string, string, number, number][] = [
        ["V5P", "2x2x1", 4, 1],
        ["V5P", "2x2x2", 4, 2],
        ["V5P", "2x4x4", 4, 8],
        ["V5P", "16x16x24", 4, 1536],
        ["V6E", "1x1", 1, 1],
        ["V6E", "2x2", 4, 1],
        ["V6E", "2x4", 8, 1],
        ["V6E", "4x4", 4, 4],
        ["V6E", "16x16", 4, 64],
        ["V5E", "2x4", 8, 1],
        ["V5E", "4x8", 4, 8],
        ["V4", "2x2x4", 4, 4],
        ["TPU7X", "1x1x1", 1, 1],
        ["TPU7X", "2x2x2", 4, 2],
    ];
    test.each(table)("gke: %s %s -> google.com/tpu %p per host, %p host(s)", (device, topology, perHost, hosts) => {
        const label = TPU_GENERATIONS.find((t) => t.name === device)!.gke;
        expect(place("gke", TPU({ device, partition: topology } as never))).toEqual(
            placement({
                resources: { "google.com/tpu": String(perHost) },
                nodeSelector: { [TPU_ACC]: label, [TPU_TOPO]: topology },
                tolerations: [Exists("google.com/tpu")],
                hosts,
            }),
        );
    });
    test.each(table)("flyte: %s %s -> google.com/tpu %p per host, %p host(s)", (device, topology, perHost, hosts) => {
        const label = TPU_GENERATIONS.find((t) => t.name === device)!.flyte;
        expect(place("flyte", TPU({ device, partition: topology } as never))).toEqual(
            placement({
                resources: { "google.com/tpu": String(perHost) },
                terms: [[In(TPU_ACC, label), In(TPU_TOPO, topology)]],
                tolerations: [Equal(TPU_ACC, label), Equal(TPU_TOPO, topology)],
                hosts,
            }),
        );
    });

    test("every topology of every generation is placeable on gke", () => {
        for (const gen of TPU_GENERATIONS) {
            for (const topology of gen.topologies) {
                const p = place("gke", TPU({ device: gen.name, partition: topology }));
                const perHost = Number(p.resources["google.com/tpu"]);
                expect(perHost * p.hosts).toBe(topology.split("x").reduce((a, b) => a * Number(b), 1));
            }
        }
    });

    test("gke requires a topology", () => {
        expect(errorOf(() => place("gke", TPU({ device: "V6E" }))).message).toBe(
            'resources.gpu.partition: got undefined; profile "gke" schedules TPUs by topology: give TPU({ device: "V6E", partition }) one of 1x1, 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16',
        );
    });

    test("flyte allows a TPU without topology (and adds no DoesNotExist topology filter)", () => {
        expect(place("flyte", TPU({ device: "V5P" }))).toEqual(
            placement({
                resources: { "google.com/tpu": "1" },
                terms: [[In(TPU_ACC, "tpu-v5p-slice")]],
                tolerations: [Equal(TPU_ACC, "tpu-v5p-slice")],
            }),
        );
    });

    test.each([
        ["eks", "NVIDIA GPUs, AWS Neuron devices, Habana Gaudi devices"],
        ["aks", "NVIDIA GPUs, AMD GPUs"],
        ["nvidia", "NVIDIA GPUs, AMD GPUs"],
    ])("%s cannot schedule TPUs", (profile, supported) => {
        const err = errorOf(() => place(profile, TPU({ device: "V5P", partition: "2x2x1" })));
        expect(err.field).toBe("resources.gpu");
        expect(err.message).toBe(
            `resources.gpu: got "V5P"; profile "${profile}" cannot schedule TPUs; it supports ${supported}`,
        );
    });
});

// ---- Neuron, AMD, Gaudi ---------------------------------------------------------------------
describe("AWS Neuron", () => {
    const karpenter: Record<string, [string, string | undefined]> = {
        Inf1: ["inferentia", undefined],
        Inf2: ["inferentia2", undefined],
        // trainium / trainium2 are shared by two families: the instance family tells them apart
        Trn1: ["trainium", "trn1"],
        Trn1n: ["trainium", "trn1n"],
        Trn2: ["trainium2", "trn2"],
        Trn2u: ["trainium2", "trn2u"],
    };
    const terms = (name: string) => {
        const [acc, family] = karpenter[name];
        return [
            [
                In("karpenter.k8s.aws/instance-accelerator-name", acc),
                ...(family ? [In("karpenter.k8s.aws/instance-family", family)] : []),
            ],
        ];
    };
    test.each(NEURON_DEVICES.map((d) => [d.name, d.quantities[d.quantities.length - 1]] as const))(
        "eks: %s x%p requests whole devices",
        (device, quantity) => {
            expect(place("eks", Neuron({ device, quantity }))).toEqual(
                placement({
                    resources: { "aws.amazon.com/neuron": String(quantity) },
                    terms: terms(device),
                    tolerations: [Exists("aws.amazon.com/neuron")],
                }),
            );
        },
    );

    const coreProfile = {
        extends: "eks" as const,
        name: "eks-neuroncore",
        neuron: { ...BUILTIN_PROFILES.eks.neuron!, unit: "core" as const },
    };
    test.each([
        ["Inf1", 4, "16"],
        ["Inf2", 12, "24"],
        ["Trn1", 16, "32"],
        ["Trn2", 16, "128"],
        ["Trn2u", 1, "8"],
    ])("custom profile with unit core: %s x%p -> %s NeuronCores", (device, quantity, cores) => {
        expect(place(coreProfile, Neuron({ device, quantity } as never))).toEqual(
            placement({
                resources: { "aws.amazon.com/neuroncore": cores },
                terms: terms(device),
                tolerations: [Exists("aws.amazon.com/neuron")],
            }),
        );
    });

    test("flyte: device label is the device name", () => {
        expect(place("flyte", Neuron({ device: "Inf2", quantity: 2 }))).toEqual(
            placement({
                resources: { "aws.amazon.com/neuron": "2" },
                terms: [[In(FLYTE_ACC, "Inf2")]],
                tolerations: [Equal(FLYTE_ACC, "Inf2")],
            }),
        );
    });

    test.each([
        ["gke", "NVIDIA GPUs, TPUs"],
        ["aks", "NVIDIA GPUs, AMD GPUs"],
        ["nvidia", "NVIDIA GPUs, AMD GPUs"],
    ])("%s cannot schedule Neuron devices", (profile, supported) => {
        expect(errorOf(() => place(profile, Neuron({ device: "Trn1" }))).message).toBe(
            `resources.gpu: got "Trn1"; profile "${profile}" cannot schedule AWS Neuron devices; it supports ${supported}`,
        );
    });
});

describe("AMD and Habana Gaudi", () => {
    test.each(AMD_GPUS.map((d) => [d.name, d.productName] as const))(
        "nvidia (generic) places AMD %s by product name",
        (device, product) => {
            expect(place("nvidia", AMD({ device, quantity: 2 }))).toEqual(
                placement({
                    resources: { "amd.com/gpu": "2" },
                    terms: [[In("amd.com/gpu.product-name", product)]],
                    tolerations: [Exists("amd.com/gpu")],
                }),
            );
        },
    );
    test.each(AMD_GPUS.map((d) => d.name))("flyte places AMD %s by name", (device) => {
        expect(place("flyte", AMD({ device }))).toEqual(
            placement({
                resources: { "amd.com/gpu": "1" },
                terms: [[In(FLYTE_ACC, device)]],
                tolerations: [Equal(FLYTE_ACC, device)],
            }),
        );
    });
    test("aks places MI300X by VM size and rejects AMD GPUs it has no VM size for", () => {
        expect(place("aks", AMD({ device: "MI300X", quantity: 8 }))).toEqual(
            placement({
                resources: { "amd.com/gpu": "8" },
                terms: [[In(INSTANCE, "Standard_ND96isr_MI300X_v5")]],
                tolerations: [Exists("amd.com/gpu"), SKU_GPU],
            }),
        );
        expect(errorOf(() => place("aks", AMD({ device: "MI250X" }))).message).toBe(
            'resources.gpu: got "MI250X"; profile "aks" has no node label for MI250X; it can place "MI300X" (add the value with a custom profile\'s deviceValues)',
        );
    });
    test.each([
        ["gke", "NVIDIA GPUs, TPUs"],
        ["eks", "NVIDIA GPUs, AWS Neuron devices, Habana Gaudi devices"],
    ])("%s cannot schedule AMD GPUs", (profile, supported) => {
        expect(errorOf(() => place(profile, AMD({ device: "MI300X" }))).message).toBe(
            `resources.gpu: got "MI300X"; profile "${profile}" cannot schedule AMD GPUs; it supports ${supported}`,
        );
    });

    test("Gaudi: eks by instance type, flyte by name, others reject", () => {
        expect(place("eks", Gaudi({ device: "Gaudi1", quantity: 8 }))).toEqual(
            placement({
                resources: { "habana.ai/gaudi": "8" },
                terms: [[In(INSTANCE, "dl1.24xlarge")]],
                tolerations: [Exists("habana.ai/gaudi")],
            }),
        );
        expect(place("flyte", Gaudi({ device: "Gaudi1" }))).toEqual(
            placement({
                resources: { "habana.ai/gaudi": "1" },
                terms: [[In(FLYTE_ACC, "Gaudi1")]],
                tolerations: [Equal(FLYTE_ACC, "Gaudi1")],
            }),
        );
        for (const [profile, supported] of [
            ["gke", "NVIDIA GPUs, TPUs"],
            ["aks", "NVIDIA GPUs, AMD GPUs"],
            ["nvidia", "NVIDIA GPUs, AMD GPUs"],
        ]) {
            expect(errorOf(() => place(profile, Gaudi({ device: "Gaudi1" }))).message).toBe(
                `resources.gpu: got "Gaudi1"; profile "${profile}" cannot schedule Habana Gaudi devices; it supports ${supported}`,
            );
        }
    });

    test("the error field follows PlaceOptions.field", () => {
        const err = errorOf(() =>
            placeDevice(resolveProfile("gke"), Gaudi({ device: "Gaudi1" }), { field: "override.resources.gpu" }),
        );
        expect(err.field).toBe("override.resources.gpu");
    });
});

// ---- every value a built-in profile emits is valid for the API server ----------------------
describe("label keys and values are valid Kubernetes label syntax", () => {
    const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    const LABEL_KEY =
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
    const devices: Device[] = [
        ...GPU_MODELS.flatMap((m) => [
            GPU({ device: m.name }),
            ...m.mig.map((p) => GPU({ device: m.name, partition: p })),
        ]),
        ...TPU_GENERATIONS.flatMap((t) => t.topologies.map((p) => TPU({ device: t.name, partition: p }))),
        ...NEURON_DEVICES.map((d) => Neuron({ device: d.name })),
        ...AMD_GPUS.map((d) => AMD({ device: d.name })),
        Gaudi({ device: "Gaudi1" }),
    ];
    test.each(PROFILE_NAMES)(
        "%s (node selectors, affinity values and toleration values; the API server rejects others)",
        (profile) => {
            const bad: string[] = [];
            for (const d of devices) {
                for (const strategy of ["single", "mixed"] as const) {
                    let p: Placement;
                    try {
                        p = place(profile, d, d.partition && d.deviceClass === "GPU" ? strategy : undefined);
                    } catch (err) {
                        if (err instanceof ValidationError) continue;
                        throw err;
                    }
                    for (const [k, v] of Object.entries(p.nodeSelector))
                        if (!LABEL_KEY.test(k) || !LABEL_VALUE.test(v) || v.length > 63) bad.push(`${k}=${v}`);
                    for (const r of p.terms.flat()) {
                        if (!LABEL_KEY.test(r.key)) bad.push(r.key);
                        for (const v of r.values ?? [])
                            if (!LABEL_VALUE.test(v) || v.length > 63) bad.push(`${r.key} ${r.operator} ${v}`);
                    }
                    for (const t of p.tolerations)
                        if (t.value !== undefined && (!LABEL_VALUE.test(t.value) || t.value.length > 63))
                            bad.push(`toleration ${t.key}=${t.value}`);
                }
            }
            expect(bad).toEqual([]);
        },
    );
});

// ---- capacity types -------------------------------------------------------------------------
describe("interruptible -> spot; otherwise off spot", () => {
    const table: [string, Placement, Placement][] = [
        [
            "gke",
            placement({
                nodeSelector: { "cloud.google.com/gke-spot": "true" },
                tolerations: [Equal("cloud.google.com/gke-spot", "true")],
            }),
            placement({ terms: [[NotIn("cloud.google.com/gke-spot", "true")]] }),
        ],
        [
            "eks",
            placement({
                nodeSelector: { "karpenter.sh/capacity-type": "spot" },
                tolerations: [Equal("karpenter.sh/capacity-type", "spot")],
            }),
            placement({ terms: [[NotIn("karpenter.sh/capacity-type", "spot")]] }),
        ],
        [
            "aks",
            placement({
                nodeSelector: { "kubernetes.azure.com/scalesetpriority": "spot" },
                tolerations: [Equal("kubernetes.azure.com/scalesetpriority", "spot")],
            }),
            placement({ terms: [[NotIn("kubernetes.azure.com/scalesetpriority", "spot")]] }),
        ],
        ["nvidia", placement({}), placement({})],
        ["flyte", placement({}), placement({})],
    ];
    test.each(table)("%s", (profile, spot, onDemand) => {
        expect(placeCapacity(resolveProfile(profile as ProfileInput), true)).toEqual(spot);
        expect(placeCapacity(resolveProfile(profile as ProfileInput), false)).toEqual(onDemand);
    });

    test("device and capacity combine: requirements ANDed into every alternative", () => {
        const eks = resolveProfile("eks");
        const combined = combinePlacements(placeDevice(eks, GPU({ device: "T4" })), placeCapacity(eks, false));
        expect(combined).toEqual(
            placement({
                resources: gpu(1),
                terms: [
                    [In(KARP_GPU, "t4"), NOT_MIG_SINGLE, NOT_SHARED, NotIn("karpenter.sh/capacity-type", "spot")],
                    [
                        In(EKS_NG, "nvidia-tesla-t4"),
                        NOT_MIG_SINGLE,
                        NOT_SHARED,
                        NotIn("karpenter.sh/capacity-type", "spot"),
                    ],
                ],
                tolerations: [NVIDIA_TAINT],
            }),
        );
        const gke = resolveProfile("gke");
        expect(combinePlacements(placeDevice(gke, GPU({ device: "L4" })), placeCapacity(gke, true))).toEqual(
            placement({
                resources: gpu(1),
                nodeSelector: { [GKE_ACC]: "nvidia-l4", "cloud.google.com/gke-spot": "true" },
                terms: [[DoesNotExist(GKE_PART), GKE_UNSHARED]],
                tolerations: [NVIDIA_TAINT, Equal("cloud.google.com/gke-spot", "true")],
            }),
        );
        const tpu = combinePlacements(
            placeDevice(gke, TPU({ device: "V5P", partition: "2x2x2" })),
            placeCapacity(gke, false),
        );
        expect(tpu.hosts).toBe(2);
        expect(tpu.terms).toEqual([[NotIn("cloud.google.com/gke-spot", "true")]]);
    });

    test("conflicting node selectors are rejected", () => {
        const a = placement({ nodeSelector: { zone: "a" } });
        expect(errorOf(() => combinePlacements(a, placement({ nodeSelector: { zone: "b" } }))).message).toBe(
            'nodeSelector: got {"zone":"b"}; conflicts with zone=a required by the same task',
        );
        expect(combinePlacements(a, placement({ nodeSelector: { zone: "a" } })).nodeSelector).toEqual({ zone: "a" });
    });

    test("andTerms, andInto and dedupe are idempotent", () => {
        const x = [[In("a", "1")], [In("b", "2")]];
        const y = [[In("c", "3")]];
        expect(andTerms(x, y)).toEqual([
            [In("a", "1"), In("c", "3")],
            [In("b", "2"), In("c", "3")],
        ]);
        expect(andTerms(andTerms(x, y), y)).toEqual(andTerms(x, y));
        expect(andTerms([], y)).toEqual(y);
        expect(andTerms(x, [])).toEqual(x);
        expect(andInto([In("a", "1")], [In("a", "1"), In("a", "2")])).toEqual([In("a", "1"), In("a", "2")]);
        expect(
            dedupe([
                NVIDIA_TAINT,
                { ...NVIDIA_TAINT },
                Exists("x"),
                { key: "x", operator: "Exists", effect: "NoExecute" },
            ]),
        ).toEqual([NVIDIA_TAINT, Exists("x"), { key: "x", operator: "Exists", effect: "NoExecute" }]);
        // an omitted operator means Equal
        expect(
            dedupe([
                { key: "k", value: "v" },
                { key: "k", operator: "Equal", value: "v" },
            ]),
        ).toHaveLength(1);
    });
});

// ---- profiles: resolution and custom profiles -------------------------------------------------
describe("resolveProfile", () => {
    test("built-in names; default is flyte", () => {
        for (const p of PROFILE_NAMES) expect(resolveProfile(p)).toBe(BUILTIN_PROFILES[p]);
        expect(resolveProfile(undefined)).toBe(BUILTIN_PROFILES.flyte);
        expect(PROFILE_NAMES).toEqual(["gke", "eks", "aks", "nvidia", "flyte"]);
    });

    test("built-in profiles are frozen as a set", () => {
        expect(Object.isFrozen(BUILTIN_PROFILES)).toBe(true);
    });

    test("extends: deviceValues make a model placeable (A10 on a GKE-like cluster)", () => {
        const custom = { extends: "gke" as const, name: "my-gke", deviceValues: { A10: { gke: ["nvidia-a10"] } } };
        expect(place(custom, GPU({ device: "A10" }))).toEqual(gkeGpu(["nvidia-a10"], 1));
        // the rest of gke is inherited
        expect(place(custom, GPU({ device: "A100" }))).toEqual(gkeGpu(["nvidia-tesla-a100"], 1));
        expect(placeCapacity(resolveProfile(custom), true).nodeSelector).toEqual({
            "cloud.google.com/gke-spot": "true",
        });
        // and errors name the custom profile
        expect(errorOf(() => place(custom, GPU({ device: "A2" }))).message).toContain(
            'profile "my-gke" has no node label for A2',
        );
    });

    test("deviceValues may use an alias, and replace a built-in value", () => {
        const custom = {
            extends: "gke" as const,
            name: "my-gke",
            deviceValues: { A100_80G: { gke: ["my-a100-80"] }, H100: { gke: ["nvidia-h100-80gb"] } },
        };
        expect(place(custom, GPU({ device: "A100_80G" }))).toEqual(gkeGpu(["my-a100-80"], 1));
        expect(place(custom, GPU({ device: "H100" }))).toEqual(gkeGpu(["nvidia-h100-80gb"], 1));
    });

    test("deviceValues for an unknown device are rejected, listing the devices", () => {
        const err = errorOf(() =>
            resolveProfile({ extends: "gke", name: "x", deviceValues: { A1000: { gke: ["a"] } } } as ProfileInput),
        );
        expect(err.field).toBe("profile.deviceValues.A1000");
        expect(err.message).toContain('unknown device "A1000"; devices: "A2", "A10", ');
    });

    test("extends: capacity is merged field by field; family rules are replaced whole", () => {
        const custom = resolveProfile({ extends: "gke", name: "x", capacity: { spotNodeSelector: { pool: "spot" } } });
        expect(custom.capacity).toEqual({ ...BUILTIN_PROFILES.gke.capacity, spotNodeSelector: { pool: "spot" } });
        const noTpu = resolveProfile({ extends: "gke", name: "gpu-only", tpu: undefined });
        expect(noTpu.tpu).toEqual(BUILTIN_PROFILES.gke.tpu); // undefined means "inherit"
    });

    test("a full profile object", () => {
        const full: SchedulingProfile = {
            ...BUILTIN_PROFILES.nvidia,
            name: "onprem",
            anyGpu: { resource: "nvidia.com/gpu", tolerations: [] },
        };
        const resolved = resolveProfile(full);
        expect(resolved.name).toBe("onprem");
        expect(placeDevice(resolved, toDevice("g", 1))).toEqual(
            placement({ resources: gpu(1), terms: [[NOT_MIG_SINGLE, NOT_SHARED]] }),
        );
        expect(place(full, GPU({ device: "T4" }))).toEqual(nvidiaGpu(["Tesla-T4"], 1));
    });

    const invalid: [string, unknown, string, string][] = [
        [
            "unknown built-in",
            "gke2",
            "profile",
            'profile: got "gke2"; did you mean "gke"? allowed values: "gke", "eks", "aks", "nvidia", "flyte"',
        ],
        [
            "not an object",
            42,
            "profile",
            "profile: got 42; expected one of gke, eks, aks, nvidia, flyte or a profile object",
        ],
        [
            "unknown extends",
            { extends: "k3s", name: "x" },
            "profile.extends",
            'profile.extends: got "k3s"; allowed values: "gke", "eks", "aks", "nvidia", "flyte"',
        ],
        [
            "typo at the top",
            { extends: "gke", name: "x", deviceValus: {} },
            "profile.deviceValus",
            'profile.deviceValus: unknown field "deviceValus"; did you mean "deviceValues"? allowed fields: extends, name, preferNodeSelector, anyGpu, gpu, tpu, neuron, amd, gaudi, deviceValues, deviceAllocation, dra, capacity',
        ],
        ["missing name", { extends: "eks" }, "profile.name", "profile.name: got undefined; expected string"],
        [
            "bad name",
            { extends: "eks", name: "My Profile" },
            "profile.name",
            "profile.name: got \"My Profile\"; a profile name is lower-case letters, digits and '-'",
        ],
        [
            "neuron unit typo",
            { extends: "eks", name: "x", neuron: { ...BUILTIN_PROFILES.eks.neuron, unit: "cores" } },
            "profile.neuron.unit",
            'profile.neuron.unit: got "cores"; did you mean "core"? allowed values: "device", "core"',
        ],
        [
            "partial family rules",
            { extends: "eks", name: "x", neuron: { unit: "core" } },
            "profile.neuron.resource",
            "profile.neuron.resource: got undefined; expected string",
        ],
        [
            "typo in gpu rules",
            { ...BUILTIN_PROFILES.gke, name: "c", gpu: { ...BUILTIN_PROFILES.gke.gpu, selectrs: [] } },
            "profile.gpu.selectrs",
            'profile.gpu.selectrs: unknown field "selectrs"; did you mean "selectors"? allowed fields: resource, selectors, tolerations, tolerateSelectedLabels, migStrategies, partition, unpartitioned, mixedResourcePrefix, sharing, sharingRefusal',
        ],
        [
            "typo in a label rule",
            {
                ...BUILTIN_PROFILES.gke,
                name: "c",
                gpu: { ...BUILTIN_PROFILES.gke.gpu, selectors: [[{ key: "a", colum: "gke" }]] },
            },
            "profile.gpu.selectors[0][0].colum",
            'profile.gpu.selectors[0][0].colum: unknown field "colum"; did you mean "column"? allowed fields: key, column, value, onlyIfShared, memoryBoundsIfShared',
        ],
        [
            "unknown catalogue column",
            { extends: "gke", name: "x", deviceValues: { A10: { gkee: ["x"] } } },
            "profile.deviceValues.A10.gkee",
            "",
        ],
        [
            "deviceValues not a list",
            { extends: "gke", name: "x", deviceValues: { A10: { gke: "nvidia-a10" } } },
            "profile.deviceValues.A10.gke",
            'profile.deviceValues.A10.gke: got "nvidia-a10"; expected array',
        ],
        [
            "no MIG strategy",
            { extends: "gke", name: "x", gpu: { ...BUILTIN_PROFILES.gke.gpu, migStrategies: [] } },
            "profile.gpu.migStrategies",
            "",
        ],
        [
            "bad partition rule",
            { extends: "gke", name: "x", gpu: { ...BUILTIN_PROFILES.gke.gpu, partition: { kind: "lable", key: "x" } } },
            "profile.gpu.partition",
            "",
        ],
        [
            "full profile missing capacity fields",
            { ...BUILTIN_PROFILES.gke, name: "c", capacity: { spotNodeSelector: {} } },
            "profile.capacity.spotTolerations",
            "",
        ],
        [
            "typo in capacity",
            { extends: "gke", name: "x", capacity: { spotNodeSelectr: {} } },
            "profile.capacity.spotNodeSelectr",
            'profile.capacity.spotNodeSelectr: unknown field "spotNodeSelectr"; did you mean "spotNodeSelector"? allowed fields: spotNodeSelector, spotTolerations, onDemand',
        ],
        [
            "bad toleration operator",
            {
                extends: "gke",
                name: "x",
                anyGpu: { resource: "nvidia.com/gpu", tolerations: [{ key: "k", operator: "Equals" }] },
            },
            "profile.anyGpu.tolerations[0].operator",
            "",
        ],
        [
            "bad requirement operator",
            { extends: "gke", name: "x", capacity: { onDemand: [{ key: "k", operator: "NotEqual", values: ["x"] }] } },
            "profile.capacity.onDemand[0].operator",
            "",
        ],
    ];
    test.each(invalid)("rejects %s", (_, input, field, message) => {
        const err = errorOf(() => resolveProfile(input as ProfileInput));
        expect(err.field).toBe(field);
        if (message) expect(err.message).toBe(message);
    });
});
