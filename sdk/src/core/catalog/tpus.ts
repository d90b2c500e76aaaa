/**
 * Google Cloud TPU generations. `google.com/tpu` counts chips per VM (host), not per
 * slice: a topology whose chip count exceeds one host spans several hosts, each a pod.
 */
import type { RowNamed } from "./rows";
export interface TpuGeneration {
    readonly name: string;
    readonly aliases: readonly string[];
    /** GKE `cloud.google.com/gke-tpu-accelerator`. */
    readonly gke: string;
    /** Value the Flyte backend puts in its device label. */
    readonly flyte: string;
    readonly topologies: readonly string[];
    /** Chips on one host for a given total chip count of the slice. */
    readonly chipsPerHost: (sliceChips: number) => number;
    /** The `tpuGen` attribute Google's TPU DRA driver publishes (?: v4, v5p, v6e seen; others assumed). */
    readonly draTpuGen?: string;
}

/** v5e/v6e: 1x1, 2x2 and 2x4 slices are one VM; larger slices are 4-chip VMs. */
const liteChipsPerHost = (chips: number) => (chips <= 8 ? chips : 4);
/** v4, v5p, tpu7x: 4-chip VMs (a single-chip tpu7x slice is one 1-chip VM). */
const fourChipsPerHost = (chips: number) => Math.min(chips, 4);

const LITE_TOPOLOGIES = ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"] as const;

// prettier-ignore
const ROWS = [
    { name: "V4", aliases: [], gke: "tpu-v4-podslice", flyte: "tpu-v4-podslice", topologies: ["2x2x1", "2x2x2", "2x2x4", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x12", "8x8x16", "8x16x16"], chipsPerHost: fourChipsPerHost, draTpuGen: "v4" },
    { name: "V5E", aliases: [], gke: "tpu-v5-lite-podslice", flyte: "tpu-v5-lite-podslice", topologies: LITE_TOPOLOGIES, chipsPerHost: liteChipsPerHost, draTpuGen: "v5e" },
    { name: "V5P", aliases: [], gke: "tpu-v5p-slice", flyte: "tpu-v5p-slice", topologies: ["2x2x1", "2x2x2", "2x2x4", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x16", "8x16x16", "16x16x16", "16x16x24"], chipsPerHost: fourChipsPerHost, draTpuGen: "v5p" },
    { name: "V6E", aliases: [], gke: "tpu-v6e-slice", flyte: "tpu-v6e-slice", topologies: LITE_TOPOLOGIES, chipsPerHost: liteChipsPerHost, draTpuGen: "v6e" },
    { name: "TPU7X", aliases: ["tpu7x"], gke: "tpu7x", flyte: "tpu7x", topologies: ["1x1x1", "2x2x1", "2x2x2", "2x2x4", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x16", "8x16x16"], chipsPerHost: fourChipsPerHost, draTpuGen: "tpu7x" },
] as const satisfies readonly TpuGeneration[];

/** The catalogue; names and topologies typed as the literal unions below. */
export const TPU_GENERATIONS: readonly (Omit<TpuGeneration, "name" | "aliases" | "topologies"> & {
    readonly name: TpuName;
    readonly aliases: readonly TpuName[];
    readonly topologies: readonly TpuTopology[];
})[] = ROWS;

type Row = (typeof ROWS)[number];
/** A TPU generation's name or alias (a literal union). */
export type TpuName = Row["name"] | Row["aliases"][number];
/** The slice topologies of a TPU generation. */
export type TpuTopology<D extends TpuName = TpuName> =
    RowNamed<Row, D> extends { topologies: readonly (infer T)[] } ? T : never;

/** Total chips of a topology string such as "2x2x4". */
export function topologyChips(topology: string): number {
    return topology.split("x").reduce((product, n) => product * Number(n), 1);
}
