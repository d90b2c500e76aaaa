import { GPU_MODELS } from "../catalog/gpus";
import { AMD_GPUS, GAUDI_DEVICES, NEURON_DEVICES } from "../catalog/others";
import { TPU_GENERATIONS } from "../catalog/tpus";
import { DeviceClass } from "../devices";
import { Column } from "./profile";

/** A catalogue row seen through its columns, so profiles can pick label values by name. */
export interface CatalogRow {
    readonly name: string;
    readonly memoryMiB?: number;
    readonly columns: Partial<Record<Column, readonly string[]>>;
}

const one = (v: string | undefined) => (v === undefined ? [] : [v]);

const ROWS: Record<DeviceClass, readonly CatalogRow[]> = {
    GPU: GPU_MODELS.map((m) => ({
        name: m.name,
        memoryMiB: m.memoryMiB,
        columns: {
            name: [m.name],
            gke: m.gke,
            eksNodeGroup: one(m.eksNodeGroup),
            karpenter: one(m.karpenter),
            aksVmSizes: m.aksVmSizes,
            gfdProducts: m.gfdProducts,
            flyte: [m.flyte],
            nvmlNames: m.nvmlNames ?? [],
        },
    })),
    TPU: TPU_GENERATIONS.map((t) => ({
        name: t.name,
        columns: { name: [t.name], gke: [t.gke], flyte: [t.flyte], draTpuGen: one(t.draTpuGen) },
    })),
    NEURON: NEURON_DEVICES.map((d) => ({
        name: d.name,
        columns: { name: [d.name], karpenter: [d.karpenter], instanceFamily: [d.instanceFamily], flyte: [d.name] },
    })),
    AMD_GPU: AMD_GPUS.map((d) => ({
        name: d.name,
        columns: { name: [d.name], aksVmSizes: d.aksVmSizes, productName: [d.productName], flyte: [d.name] },
    })),
    HABANA_GAUDI: GAUDI_DEVICES.map((d) => ({
        name: d.name,
        columns: { name: [d.name], ec2InstanceTypes: d.ec2InstanceTypes, flyte: [d.name] },
    })),
};

/** Rows of a device family, with a profile's per-device overrides applied. */
export function catalogRows(
    deviceClass: DeviceClass,
    overrides?: Record<string, Partial<Record<Column, string[]>>>,
): readonly CatalogRow[] {
    const rows = ROWS[deviceClass];
    if (!overrides) return rows;
    return rows.map((row) =>
        overrides[row.name] ? { ...row, columns: { ...row.columns, ...overrides[row.name] } } : row,
    );
}
