/**
 * DRA objects for the simulator's unit tests: NVIDIA-style and Google-style device
 * classes and ResourceSlices as their drivers publish them (whole GPUs with their MIG
 * partitions sharing counters, TPU chips), built small enough to derive the
 * scheduler's verdict by hand.
 */
import type { DeviceClass, ResourceClaimSpec, ResourceSlice } from "../../../sdk/src/core/simulator/dra/dra-objects";

export const GPU_CLASS: DeviceClass = {
    metadata: { name: "gpu.nvidia.com" },
    spec: {
        selectors: [
            {
                cel: {
                    expression:
                        "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'",
                },
            },
        ],
    },
};
export const MIG_CLASS: DeviceClass = {
    metadata: { name: "mig.nvidia.com" },
    spec: {
        selectors: [
            {
                cel: {
                    expression:
                        "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'",
                },
            },
        ],
    },
};
export const TPU_CLASS: DeviceClass = {
    metadata: { name: "tpu.google.com" },
    spec: { selectors: [{ cel: { expression: "device.driver == 'tpu.google.com'" } }] },
};

export interface GpuSpec {
    product: string;
    memory: string;
    /** MIG profiles published as partitions of each GPU: [profile, memory slices] pairs. */
    mig?: [string, number][];
}

/**
 * One node's NVIDIA slices. Without `mig`, plain devices in one slice; with it, a
 * counter slice (one counter set per GPU, 8 memory slices) plus a device slice where
 * the whole GPU consumes all 8 and each MIG partition its share (placements packed
 * from slice 0), as the driver does with DRAPartitionableDevices.
 */
export function nvidiaSlices(node: string, count: number, gpu: GpuSpec, generation = 1): ResourceSlice[] {
    const devices: NonNullable<ResourceSlice["spec"]["devices"]> = [];
    const counterSets: NonNullable<ResourceSlice["spec"]["sharedCounters"]> = [];
    for (let i = 0; i < count; i++) {
        const attributes = {
            type: { string: "gpu" },
            productName: { string: gpu.product },
            index: { int: i },
            cudaComputeCapability: { version: "9.0.0" },
        };
        const slices = (start: number, size: number) =>
            Object.fromEntries(Array.from({ length: size }, (_, k) => [`memory-slice-${start + k}`, { value: "1" }]));
        if (!gpu.mig) {
            devices.push({ name: `gpu-${i}`, attributes, capacity: { memory: { value: gpu.memory } } });
            continue;
        }
        counterSets.push({ name: `gpu-${i}-counter-set`, counters: slices(0, 8) });
        devices.push({
            name: `gpu-${i}`,
            attributes,
            capacity: { memory: { value: gpu.memory } },
            consumesCounters: [{ counterSet: `gpu-${i}-counter-set`, counters: slices(0, 8) }],
        });
        let start = 0;
        for (const [profile, size] of gpu.mig) {
            for (let placement = 0; placement + size <= 8; placement += size) {
                devices.push({
                    name: `gpu-${i}-mig-${profile.replace(".", "")}-${placement}`,
                    attributes: {
                        type: { string: "mig" },
                        profile: { string: profile },
                        productName: { string: gpu.product },
                    },
                    consumesCounters: [{ counterSet: `gpu-${i}-counter-set`, counters: slices(placement, size) }],
                });
            }
            start += size;
        }
        void start;
    }
    const pool = { name: node, generation, resourceSliceCount: counterSets.length ? 2 : 1 };
    const out: ResourceSlice[] = [
        {
            metadata: { name: `${node}-gpu.nvidia.com-devices` },
            spec: { driver: "gpu.nvidia.com", pool, nodeName: node, devices },
        },
    ];
    if (counterSets.length)
        out.push({
            metadata: { name: `${node}-gpu.nvidia.com-counters` },
            spec: { driver: "gpu.nvidia.com", pool, nodeName: node, sharedCounters: counterSets },
        });
    return out;
}

export function tpuSlices(node: string, chips: number, gen: string): ResourceSlice[] {
    return [
        {
            metadata: { name: `${node}-tpu.google.com` },
            spec: {
                driver: "tpu.google.com",
                pool: { name: node, generation: 1, resourceSliceCount: 1 },
                nodeName: node,
                devices: Array.from({ length: chips }, (_, i) => ({
                    name: `accel${i}`,
                    attributes: { tpuGen: { string: gen }, index: { int: i } },
                })),
            },
        },
    ];
}

export const node = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

/** A claim asking `count` devices of `cls`, with optional CEL selectors. */
export function claim(cls: string, count = 1, ...selectors: string[]): ResourceClaimSpec {
    return {
        devices: {
            requests: [
                {
                    name: "gpu",
                    exactly: {
                        deviceClassName: cls,
                        allocationMode: "ExactCount",
                        count,
                        ...(selectors.length
                            ? { selectors: selectors.map((expression) => ({ cel: { expression } })) }
                            : {}),
                    },
                },
            ],
        },
    };
}

export const product = (p: string) => `device.attributes["gpu.nvidia.com"].productName == "${p}"`;
export const migProfile = (p: string) => `device.attributes["gpu.nvidia.com"].profile == "${p}"`;
