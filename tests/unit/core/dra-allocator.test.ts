/**
 * The structured allocator against verdicts derived by hand from the scheduler's
 * rules (k8s.io/dynamic-resource-allocation/structured, v0.37): counts, class and
 * request selectors, devices already allocated, counters of partitionable devices
 * (a whole GPU and its MIG slices), firstAvailable order, allocationMode All,
 * backtracking, constraints, device taints, pools (node, generation, completeness).
 */
import { AllocatorState, allocate } from "../../../sdk/src/core/simulator/dra/allocator";
import type { DeviceClass, ResourceClaimSpec, ResourceSlice } from "../../../sdk/src/core/simulator/dra/dra-objects";
import {
    GPU_CLASS,
    MIG_CLASS,
    TPU_CLASS,
    claim,
    migProfile,
    node,
    nvidiaSlices,
    product,
    tpuSlices,
} from "./dra-fixtures";

const A100_80 = { product: "NVIDIA A100-SXM4-80GB", memory: "80Gi" };
const H100 = { product: "NVIDIA H100 80GB HBM3", memory: "80Gi" };
const MIG_A100 = {
    ...A100_80,
    mig: [
        ["1g.10gb", 1],
        ["3g.40gb", 4],
        ["7g.80gb", 8],
    ] as [string, number][],
};

function run(
    slices: ResourceSlice[],
    specs: ResourceClaimSpec[],
    options: { allocated?: string[]; classes?: DeviceClass[]; on?: string } = {},
) {
    const state = new AllocatorState(
        options.classes ?? [GPU_CLASS, MIG_CLASS, TPU_CLASS],
        slices,
        new Set(options.allocated ?? []),
    );
    return allocate(
        state,
        node(options.on ?? "n1"),
        specs.map((spec, i) => ({ name: `default/claim-${i}`, spec })),
    );
}

const devicesOf = (outcome: ReturnType<typeof run>) =>
    outcome.kind === "allocated" ? outcome.claims.map((c) => c.map((d) => `${d.request}:${d.device}`)) : outcome.kind;

describe("counts and selectors", () => {
    const slices = nvidiaSlices("n1", 4, A100_80);

    it("allocates the first devices in slice order", () => {
        expect(devicesOf(run(slices, [claim("gpu.nvidia.com", 2)]))).toEqual([["gpu:gpu-0", "gpu:gpu-1"]]);
    });

    it("cannot allocate more devices than the node publishes", () => {
        expect(run(slices, [claim("gpu.nvidia.com", 5)])).toEqual({ kind: "unallocatable" });
    });

    it("gives two claims of one pod distinct devices", () => {
        expect(devicesOf(run(slices, [claim("gpu.nvidia.com", 3), claim("gpu.nvidia.com", 1)]))).toEqual([
            ["gpu:gpu-0", "gpu:gpu-1", "gpu:gpu-2"],
            ["gpu:gpu-3"],
        ]);
        expect(run(slices, [claim("gpu.nvidia.com", 3), claim("gpu.nvidia.com", 2)]).kind).toBe("unallocatable");
    });

    it("filters by the request's selectors after the class's", () => {
        expect(run(slices, [claim("gpu.nvidia.com", 1, product("NVIDIA A100-SXM4-80GB"))]).kind).toBe("allocated");
        expect(run(slices, [claim("gpu.nvidia.com", 1, product("NVIDIA H100 80GB HBM3"))]).kind).toBe("unallocatable");
        expect(
            run(slices, [
                claim("gpu.nvidia.com", 1, 'device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("72Gi")) >= 0'),
            ]).kind,
        ).toBe("allocated");
    });

    it("does not allocate on a node whose slices name another node", () => {
        expect(run(slices, [claim("gpu.nvidia.com", 1)], { on: "n2" })).toEqual({ kind: "unallocatable" });
    });

    it("skips devices other claims of the cluster hold", () => {
        const allocated = ["gpu.nvidia.com/n1/gpu-0", "gpu.nvidia.com/n1/gpu-2"];
        expect(devicesOf(run(slices, [claim("gpu.nvidia.com", 2)], { allocated }))).toEqual([
            ["gpu:gpu-1", "gpu:gpu-3"],
        ]);
        expect(run(slices, [claim("gpu.nvidia.com", 3)], { allocated }).kind).toBe("unallocatable");
    });

    it("backtracks when an earlier request took the device a later one needs", () => {
        const mixed = [...nvidiaSlices("n1", 1, H100), ...nvidiaSlices("n1b", 1, A100_80)].map((s) => ({
            ...s,
            spec: { ...s.spec, nodeName: "n1" },
        }));
        const spec: ResourceClaimSpec = {
            devices: {
                requests: [
                    { name: "any", exactly: { deviceClassName: "gpu.nvidia.com", count: 1 } },
                    {
                        name: "h100",
                        exactly: {
                            deviceClassName: "gpu.nvidia.com",
                            count: 1,
                            selectors: [{ cel: { expression: product("NVIDIA H100 80GB HBM3") } }],
                        },
                    },
                ],
            },
        };
        // pools in driver/pool order: n1 (H100) first, so "any" takes the H100, then must give it back
        expect(devicesOf(run(mixed, [spec]))).toEqual([["any:gpu-0", "h100:gpu-0"]]);
        const result = run(mixed, [spec]);
        expect(result.kind === "allocated" && result.claims[0].map((d) => d.pool)).toEqual(["n1b", "n1"]);
    });
});

describe("partitionable devices (MIG) and their counters", () => {
    const slices = nvidiaSlices("n1", 1, MIG_A100);

    it("keeps whole GPUs and MIG devices apart by class", () => {
        expect(devicesOf(run(slices, [claim("gpu.nvidia.com", 1)]))).toEqual([["gpu:gpu-0"]]);
        expect(devicesOf(run(slices, [claim("mig.nvidia.com", 1, migProfile("1g.10gb"))]))).toEqual([
            ["gpu:gpu-0-mig-1g10gb-0"],
        ]);
    });

    it("lets MIG devices share a GPU until its memory slices run out", () => {
        expect(run(slices, [claim("mig.nvidia.com", 8, migProfile("1g.10gb"))]).kind).toBe("allocated");
        expect(run(slices, [claim("mig.nvidia.com", 9, migProfile("1g.10gb"))]).kind).toBe("unallocatable");
        // one 3g.40gb takes 4 slices: four 1g.10gb still fit, five do not
        const three = claim("mig.nvidia.com", 1, migProfile("3g.40gb"));
        expect(run(slices, [three, claim("mig.nvidia.com", 4, migProfile("1g.10gb"))]).kind).toBe("allocated");
        expect(run(slices, [three, claim("mig.nvidia.com", 5, migProfile("1g.10gb"))]).kind).toBe("unallocatable");
    });

    it("cannot allocate the whole GPU and a slice of it together", () => {
        expect(run(slices, [claim("gpu.nvidia.com", 1), claim("mig.nvidia.com", 1, migProfile("1g.10gb"))]).kind).toBe(
            "unallocatable",
        );
    });

    it("counts counters consumed by devices already allocated", () => {
        const allocated = ["gpu.nvidia.com/n1/gpu-0-mig-1g10gb-0"];
        expect(run(slices, [claim("gpu.nvidia.com", 1)], { allocated }).kind).toBe("unallocatable");
        expect(run(slices, [claim("mig.nvidia.com", 7, migProfile("1g.10gb"))], { allocated }).kind).toBe("allocated");
        expect(run(slices, [claim("mig.nvidia.com", 1, migProfile("7g.80gb"))], { allocated }).kind).toBe(
            "unallocatable",
        );
    });

    it("ignores the pool while its counter slice is not published (incomplete pool)", () => {
        const devicesOnly = slices.filter((s) => s.spec.devices);
        expect(run(devicesOnly, [claim("mig.nvidia.com", 1, migProfile("1g.10gb"))])).toEqual({
            kind: "unallocatable",
        });
        const all: ResourceClaimSpec = {
            devices: {
                requests: [{ name: "all", exactly: { deviceClassName: "mig.nvidia.com", allocationMode: "All" } }],
            },
        };
        expect(run(devicesOnly, [all]).kind).toBe("error");
    });
});

describe("firstAvailable", () => {
    const prioritized: ResourceClaimSpec = {
        devices: {
            requests: [
                {
                    name: "gpu",
                    firstAvailable: [
                        {
                            name: "h100",
                            deviceClassName: "gpu.nvidia.com",
                            count: 1,
                            selectors: [{ cel: { expression: product("NVIDIA H100 80GB HBM3") } }],
                        },
                        {
                            name: "a100-80g",
                            deviceClassName: "gpu.nvidia.com",
                            count: 1,
                            selectors: [{ cel: { expression: product("NVIDIA A100-SXM4-80GB") } }],
                        },
                    ],
                },
            ],
        },
    };

    it("takes the first subrequest that can be allocated", () => {
        expect(devicesOf(run(nvidiaSlices("n1", 1, H100), [prioritized]))).toEqual([["gpu/h100:gpu-0"]]);
        expect(devicesOf(run(nvidiaSlices("n1", 1, A100_80), [prioritized]))).toEqual([["gpu/a100-80g:gpu-0"]]);
        expect(run(nvidiaSlices("n1", 1, { product: "NVIDIA L4", memory: "24Gi" }), [prioritized]).kind).toBe(
            "unallocatable",
        );
    });

    it("falls back when the first choice is held by another claim", () => {
        const both = [...nvidiaSlices("n1", 1, H100)];
        both[0] = {
            ...both[0],
            spec: {
                ...both[0].spec,
                devices: [
                    ...both[0].spec.devices!,
                    {
                        name: "gpu-1",
                        attributes: { type: { string: "gpu" }, productName: { string: A100_80.product } },
                    },
                ],
            },
        };
        expect(devicesOf(run(both, [prioritized]))).toEqual([["gpu/h100:gpu-0"]]);
        expect(devicesOf(run(both, [prioritized], { allocated: ["gpu.nvidia.com/n1/gpu-0"] }))).toEqual([
            ["gpu/a100-80g:gpu-1"],
        ]);
    });
});

describe("allocationMode All, TPUs", () => {
    const all = (gen: string): ResourceClaimSpec => ({
        devices: {
            requests: [
                {
                    name: "tpu",
                    exactly: {
                        deviceClassName: "tpu.google.com",
                        allocationMode: "All",
                        selectors: [{ cel: { expression: `device.attributes["tpu.google.com"].tpuGen == "${gen}"` } }],
                    },
                },
            ],
        },
    });

    it("takes every matching chip of the node, and fails when there is none", () => {
        const out = run(tpuSlices("n1", 8, "v6e"), [all("v6e")]);
        expect(out.kind === "allocated" && out.claims[0].length).toBe(8);
        expect(run(tpuSlices("n1", 8, "v6e"), [all("v5p")])).toEqual({ kind: "unallocatable" });
    });

    it("fails when one of them is in use", () => {
        expect(run(tpuSlices("n1", 4, "v5p"), [all("v5p")], { allocated: ["tpu.google.com/n1/accel2"] }).kind).toBe(
            "unallocatable",
        );
    });

    it("counts chips with an exact count", () => {
        expect(run(tpuSlices("n1", 4, "v5p"), [claim("tpu.google.com", 4)]).kind).toBe("allocated");
        expect(run(tpuSlices("n1", 4, "v5p"), [claim("tpu.google.com", 8)]).kind).toBe("unallocatable");
    });
});

describe("errors stop the attempt, not only the node", () => {
    it("a CEL runtime error on a device (a missing attribute)", () => {
        const out = run(nvidiaSlices("n1", 1, A100_80), [claim("gpu.nvidia.com", 1, migProfile("1g.10gb"))]);
        expect(out).toEqual({
            kind: "error",
            message:
                "claim default/claim-0: selector #0 on device gpu.nvidia.com/n1/gpu-0: CEL runtime error: no such key: profile",
        });
    });

    it("a class that does not exist", () => {
        expect(run(nvidiaSlices("n1", 1, A100_80), [claim("gpu.example.com", 1)]).kind).toBe("error");
    });

    it("a selector the library does not evaluate is unsupported", () => {
        expect(run(nvidiaSlices("n1", 1, A100_80), [claim("gpu.nvidia.com", 1, "cel.bind(x, 1, x == 1)")]).kind).toBe(
            "unsupported",
        );
    });
});

describe("constraints, taints and pools", () => {
    const twoRoots: ResourceSlice[] = [
        {
            metadata: { name: "s" },
            spec: {
                driver: "gpu.nvidia.com",
                pool: { name: "n1", generation: 1, resourceSliceCount: 1 },
                nodeName: "n1",
                devices: [0, 1, 2].map((i) => ({
                    name: `gpu-${i}`,
                    attributes: {
                        type: { string: "gpu" },
                        "resource.kubernetes.io/pcieRoot": { string: i === 0 ? "pci0" : "pci1" },
                    },
                })),
            },
        },
    ];
    const pair = (kind: "matchAttribute" | "distinctAttribute"): ResourceClaimSpec => ({
        devices: {
            requests: [{ name: "gpus", exactly: { deviceClassName: "gpu.nvidia.com", count: 2 } }],
            constraints: [{ requests: ["gpus"], [kind]: "resource.kubernetes.io/pcieRoot" }],
        },
    });

    it("matchAttribute: two devices on the same PCIe root (skipping gpu-0)", () => {
        expect(devicesOf(run(twoRoots, [pair("matchAttribute")]))).toEqual([["gpus:gpu-1", "gpus:gpu-2"]]);
    });

    it("distinctAttribute: two devices on different roots", () => {
        expect(devicesOf(run(twoRoots, [pair("distinctAttribute")]))).toEqual([["gpus:gpu-0", "gpus:gpu-1"]]);
    });

    it("device taints keep devices unless the request tolerates them", () => {
        const tainted = nvidiaSlices("n1", 1, A100_80);
        tainted[0].spec.devices![0].taints = [{ key: "maintenance", value: "true", effect: "NoSchedule" }];
        expect(run(tainted, [claim("gpu.nvidia.com", 1)]).kind).toBe("unallocatable");
        const tolerating = claim("gpu.nvidia.com", 1);
        tolerating.devices!.requests![0].exactly!.tolerations = [{ key: "maintenance", operator: "Exists" }];
        expect(run(tainted, [tolerating]).kind).toBe("allocated");
    });

    it("uses only the newest generation of a pool", () => {
        const old = nvidiaSlices("n1", 4, A100_80, 1);
        const fresh = nvidiaSlices("n1", 1, A100_80, 2).map((s) => ({ ...s, metadata: { name: "new" } }));
        expect(run([...old, ...fresh], [claim("gpu.nvidia.com", 2)]).kind).toBe("unallocatable");
        expect(run([...old, ...fresh], [claim("gpu.nvidia.com", 1)]).kind).toBe("allocated");
    });

    it("reports an invalid pool (duplicate device names) for this node only", () => {
        const dup = nvidiaSlices("n1", 1, A100_80);
        dup[0].spec.devices!.push({ ...dup[0].spec.devices![0] });
        expect(run(dup, [claim("gpu.nvidia.com", 1)])).toEqual({
            kind: "failedOnNode",
            message: "invalid resource pools were encountered",
        });
    });

    it("selects slices by node selector and all nodes", () => {
        const bySelector = nvidiaSlices("n1", 1, A100_80).map((s) => ({
            ...s,
            spec: {
                ...s.spec,
                nodeName: undefined,
                nodeSelector: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "rack", operator: "In", values: ["a"] }] }],
                },
            },
        }));
        const state = new AllocatorState([GPU_CLASS], bySelector, new Set());
        const spec = [{ name: "c", spec: claim("gpu.nvidia.com", 1) }];
        expect(allocate(state, node("x", { rack: "a" }), spec).kind).toBe("allocated");
        expect(allocate(state, node("y", { rack: "b" }), spec).kind).toBe("unallocatable");
    });
});
