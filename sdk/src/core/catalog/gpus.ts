/**
 * NVIDIA GPU models: one row per model, every column a cluster convention.
 * Adding a GPU is adding a row. Sources: flyte-sdk `_resources.py`, NVIDIA MIG user
 * guide, GKE/EKS/AKS docs (see README "Accelerator catalogue"); values marked (?) in
 * the README are weakly sourced and can be overridden by a custom profile.
 */
import type { RowNamed } from "./rows";
export interface GpuModel {
    /** Canonical name in accelerator strings ("A100_80G:4"), flyte-sdk 2.12's spelling. */
    readonly name: string;
    /** Other accepted spellings (the spaced names flyte-sdk deprecated in 2.12 and still accepts). */
    readonly aliases: readonly string[];
    /** Counts accepted in an accelerator string and in GPU({ quantity }). */
    readonly maxQuantity: number;
    /** Memory of one GPU, MiB. */
    readonly memoryMiB: number;
    /** MIG profiles the model supports (empty: no MIG). */
    readonly mig: readonly string[];
    /** GKE `cloud.google.com/gke-accelerator` values (first is canonical). */
    readonly gke: readonly string[];
    /** Cluster-autoscaler node-group label `k8s.amazonaws.com/accelerator`. */
    readonly eksNodeGroup?: string;
    /** Karpenter `karpenter.k8s.aws/instance-gpu-name`. */
    readonly karpenter?: string;
    /** AKS VM sizes carrying whole GPUs of this model (`node.kubernetes.io/instance-type`). */
    readonly aksVmSizes: readonly string[];
    /** GPU Feature Discovery `nvidia.com/gpu.product` variants (SXM, PCIe, ...). */
    readonly gfdProducts: readonly string[];
    /** Value the Flyte backend puts in its device label (flyte-sdk ACCELERATOR_DEVICE_MAP, else the name). */
    readonly flyte: string;
    /**
     * NVML product names (what `nvidia-smi` prints, and NVIDIA's DRA driver publishes as
     * the `productName` attribute): GFD's `gfdProducts` before spaces became "-".
     * A model without them cannot be claimed through DRA.
     */
    readonly nvmlNames?: readonly string[];
}

const UP_TO_8 = 8;

// prettier-ignore
const ROWS = [
    { name: "A2", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 16384, mig: [], gke: [], aksVmSizes: [], gfdProducts: ["NVIDIA-A2"], flyte: "A2", nvmlNames: ["NVIDIA A2"] },
    { name: "A10", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 24576, mig: [], gke: [], aksVmSizes: ["Standard_NV36ads_A10_v5", "Standard_NV72ads_A10_v5"], gfdProducts: ["NVIDIA-A10"], flyte: "nvidia-a10", nvmlNames: ["NVIDIA A10"] },
    { name: "A10G", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 24576, mig: [], gke: [], eksNodeGroup: "nvidia-a10g", karpenter: "a10g", aksVmSizes: [], gfdProducts: ["NVIDIA-A10G"], flyte: "nvidia-a10g", nvmlNames: ["NVIDIA A10G"] },
    { name: "A30", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 24576, mig: ["1g.6gb", "2g.12gb", "4g.24gb"], gke: [], aksVmSizes: [], gfdProducts: ["NVIDIA-A30"], flyte: "A30", nvmlNames: ["NVIDIA A30"] },
    { name: "A100", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 40960, mig: ["1g.5gb", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"], gke: ["nvidia-tesla-a100"], eksNodeGroup: "nvidia-tesla-a100", karpenter: "a100", aksVmSizes: ["Standard_ND96asr_v4"], gfdProducts: ["NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"], flyte: "nvidia-tesla-a100", nvmlNames: ["NVIDIA A100-SXM4-40GB", "NVIDIA A100-PCIE-40GB"] },
    { name: "A100_80G", aliases: ["A100 80G"], maxQuantity: UP_TO_8, memoryMiB: 81920, mig: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"], gke: ["nvidia-a100-80gb"], karpenter: "a100", aksVmSizes: ["Standard_NC24ads_A100_v4", "Standard_NC48ads_A100_v4", "Standard_NC96ads_A100_v4", "Standard_ND96amsr_A100_v4"], gfdProducts: ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe"], flyte: "nvidia-a100-80gb", nvmlNames: ["NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB PCIe"] },
    { name: "B200", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 183359, mig: ["1g.23gb", "1g.45gb", "2g.45gb", "3g.90gb", "4g.90gb", "7g.180gb"], gke: ["nvidia-b200"], karpenter: "b200", aksVmSizes: [], gfdProducts: ["NVIDIA-B200"], flyte: "B200", nvmlNames: ["NVIDIA B200"] },
    { name: "GB200", aliases: [], maxQuantity: 4, memoryMiB: 189471, mig: ["1g.23gb", "1g.47gb", "2g.47gb", "3g.93gb", "4g.93gb", "7g.186gb"], gke: ["nvidia-gb200"], aksVmSizes: ["Standard_ND128isr_NDR_GB200_v6"], gfdProducts: ["NVIDIA-GB200"], flyte: "GB200", nvmlNames: ["NVIDIA GB200"] },
    { name: "GB10", aliases: [], maxQuantity: 1, memoryMiB: 131072, mig: [], gke: [], aksVmSizes: [], gfdProducts: ["NVIDIA-GB10"], flyte: "GB10", nvmlNames: ["NVIDIA GB10"] },
    { name: "H100", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 81559, mig: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"], gke: ["nvidia-h100-80gb", "nvidia-h100-mega-80gb"], karpenter: "h100", aksVmSizes: ["Standard_ND96isr_H100_v5"], gfdProducts: ["NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe"], flyte: "nvidia-tesla-h100", nvmlNames: ["NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe"] },
    { name: "H100_NVL", aliases: ["H100 NVL"], maxQuantity: UP_TO_8, memoryMiB: 95830, mig: ["1g.12gb", "1g.24gb", "2g.24gb", "3g.47gb", "4g.47gb", "7g.94gb"], gke: [], aksVmSizes: ["Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5"], gfdProducts: ["NVIDIA-H100-NVL"], flyte: "H100_NVL", nvmlNames: ["NVIDIA H100 NVL"] },
    { name: "H200", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 143771, mig: ["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"], gke: ["nvidia-h200-141gb"], karpenter: "h200", aksVmSizes: ["Standard_ND96isr_H200_v5"], gfdProducts: ["NVIDIA-H200", "NVIDIA-H200-NVL"], flyte: "H200", nvmlNames: ["NVIDIA H200", "NVIDIA H200 NVL"] },
    { name: "L4", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 23034, mig: [], gke: ["nvidia-l4"], eksNodeGroup: "nvidia-l4", karpenter: "l4", aksVmSizes: [], gfdProducts: ["NVIDIA-L4"], flyte: "nvidia-l4", nvmlNames: ["NVIDIA L4"] },
    { name: "L40s", aliases: ["L40S"], maxQuantity: UP_TO_8, memoryMiB: 46068, mig: [], gke: [], eksNodeGroup: "nvidia-l40s", karpenter: "l40s", aksVmSizes: [], gfdProducts: ["NVIDIA-L40S"], flyte: "nvidia-l40s", nvmlNames: ["NVIDIA L40S"] },
    { name: "RTX_PRO_4500", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 32768, mig: [], gke: [], aksVmSizes: [], gfdProducts: ["NVIDIA-RTX-PRO-4500-Blackwell-Server-Edition"], flyte: "nvidia-rtx-pro-4500", nvmlNames: ["NVIDIA RTX PRO 4500 Blackwell Server Edition"] },
    { name: "RTX_PRO_6000", aliases: ["RTX PRO 6000"], maxQuantity: UP_TO_8, memoryMiB: 97887, mig: ["1g.24gb", "2g.48gb", "4g.96gb"], gke: ["nvidia-rtx-pro-6000"], aksVmSizes: [], gfdProducts: ["NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition"], flyte: "nvidia-rtx-pro-6000", nvmlNames: ["NVIDIA RTX PRO 6000 Blackwell Server Edition"] },
    { name: "T4", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 15360, mig: [], gke: ["nvidia-tesla-t4"], eksNodeGroup: "nvidia-tesla-t4", karpenter: "t4", aksVmSizes: ["Standard_NC4as_T4_v3", "Standard_NC8as_T4_v3", "Standard_NC16as_T4_v3", "Standard_NC64as_T4_v3"], gfdProducts: ["Tesla-T4"], flyte: "nvidia-tesla-t4", nvmlNames: ["Tesla T4"] },
    { name: "V100", aliases: [], maxQuantity: UP_TO_8, memoryMiB: 16384, mig: [], gke: ["nvidia-tesla-v100"], eksNodeGroup: "nvidia-tesla-v100", karpenter: "v100", aksVmSizes: ["Standard_NC6s_v3", "Standard_NC12s_v3", "Standard_NC24s_v3", "Standard_NC24rs_v3", "Standard_ND40rs_v2"], gfdProducts: ["Tesla-V100-SXM2-16GB", "Tesla-V100-SXM2-32GB", "Tesla-V100-PCIE-16GB", "Tesla-V100-PCIE-32GB"], flyte: "nvidia-tesla-v100", nvmlNames: ["Tesla V100-SXM2-16GB", "Tesla V100-SXM2-32GB", "Tesla V100-PCIE-16GB", "Tesla V100-PCIE-32GB"] },
] as const satisfies readonly GpuModel[];

/** The catalogue; names and MIG profiles typed as the literal unions below. */
export const GPU_MODELS: readonly (Omit<GpuModel, "name" | "aliases" | "mig"> & {
    readonly name: GpuName;
    readonly aliases: readonly GpuName[];
    readonly mig: readonly MigProfile[];
})[] = ROWS;

type Row = (typeof ROWS)[number];
/** A GPU model's name or alias, as the catalogue lists them (a literal union: editors complete it, typos fail to compile). */
export type GpuName = Row["name"] | Row["aliases"][number];
/** The MIG profiles of a GPU model (all models' profiles for a model not known at compile time). */
export type MigProfile<D extends GpuName = GpuName> =
    RowNamed<Row, D> extends { mig: readonly (infer P)[] } ? P : never;
