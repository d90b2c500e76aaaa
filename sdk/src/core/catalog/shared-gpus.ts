/**
 * Shared GPUs (flyte-sdk 2.12 `SharedGPUType`): a share of one physical GPU that a node
 * pool time-slices (or runs under MPS) between several pods. One row per device; the
 * node labels come from the model's row, how a cluster flavour marks shared pools from
 * its profile's `gpu.sharing` rules (core/placement/builtin-profiles.ts).
 */
import type { GpuName } from "./gpus";

export interface SharedGpu {
    /** flyte-sdk's device name, e.g. "T4 shared". */
    readonly name: string;
    /** The GPU model whose nodes carry the shares (a name or alias of core/catalog/gpus.ts). */
    readonly model: GpuName;
}

// prettier-ignore
const ROWS = [
    { name: "T4 shared", model: "T4" },
    { name: "L4 shared", model: "L4" },
    { name: "A10G shared", model: "A10G" },
    { name: "A10 shared", model: "A10" },
    { name: "L40S shared", model: "L40s" },
] as const satisfies readonly SharedGpu[];

export const SHARED_GPUS: readonly (SharedGpu & { readonly name: SharedGpuName })[] = ROWS;
/** A shared GPU's name (a literal union). */
export type SharedGpuName = (typeof ROWS)[number]["name"];
