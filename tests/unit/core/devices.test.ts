/**
 * The accelerator catalogue and the device helpers: accelerator strings, GPU() with
 * MIG partitions, TPU() topologies, Neuron(), AMD(), Gaudi(), hand-written literals.
 * Flyte's own tables (flyte-sdk 2.12.1 `_resources.py`) are ported where our semantics match.
 */
import { GPU_MODELS } from "../../../sdk/src/core/catalog/gpus";
import { AMD_GPUS, GAUDI_DEVICES, NEURON_DEVICES } from "../../../sdk/src/core/catalog/others";
import { TPU_GENERATIONS, topologyChips } from "../../../sdk/src/core/catalog/tpus";
import {
    AMD,
    Device,
    GPU,
    Gaudi,
    Neuron,
    TPU,
    acceleratorStrings,
    gpuModel,
    parseAccelerator,
    normalizeDevice as toDevice,
    tpuGeneration,
} from "../../../sdk/src/core/devices";
import { errorOf, quoted } from "./helpers";

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const GPU_NAMES = [
    "A2",
    "A10",
    "A10G",
    "A30",
    "A100",
    "A100_80G",
    "B200",
    "GB200",
    "GB10",
    "H100",
    "H100_NVL",
    "H200",
    "L4",
    "L40s",
    "RTX_PRO_4500",
    "RTX_PRO_6000",
    "T4",
    "V100",
];
const SHARED_NAMES = ["T4 shared", "L4 shared", "A10G shared", "A10 shared", "L40S shared"];
const ALL_DEVICE_NAMES = [
    ...GPU_NAMES,
    ...SHARED_NAMES,
    "Inf1",
    "Inf2",
    "Trn1",
    "Trn1n",
    "Trn2",
    "Trn2u",
    "MI100",
    "MI210",
    "MI250",
    "MI250X",
    "MI300A",
    "MI300X",
    "MI325X",
    "MI350X",
    "MI355X",
    "Gaudi1",
];

describe("catalogue tables", () => {
    test("GPU models, in catalogue order", () => {
        expect(GPU_MODELS.map((m) => m.name)).toEqual(GPU_NAMES);
    });

    test("names and aliases are unique across every family", () => {
        const all = [
            ...GPU_MODELS.flatMap((m) => [m.name, ...m.aliases]),
            ...TPU_GENERATIONS.flatMap((t) => [t.name, ...t.aliases]),
            ...NEURON_DEVICES.map((d) => d.name),
            ...AMD_GPUS.map((d) => d.name),
            ...GAUDI_DEVICES.map((d) => d.name),
        ];
        expect(new Set(all).size).toBe(all.length);
    });

    // quantities: Flyte's accelerator strings (A10..V100, T4 :1..:8; GB10 :1), plus ours
    const maxQuantity: Record<string, number> = {
        A2: 8,
        A10: 8,
        A10G: 8,
        A30: 8,
        A100: 8,
        A100_80G: 8,
        B200: 8,
        GB200: 4,
        GB10: 1,
        H100: 8,
        H100_NVL: 8,
        H200: 8,
        L4: 8,
        L40s: 8,
        RTX_PRO_4500: 8,
        RTX_PRO_6000: 8,
        T4: 8,
        V100: 8,
    };
    test.each(Object.entries(maxQuantity))("%s takes up to %p GPUs", (name, max) => {
        expect(gpuModel(name)!.maxQuantity).toBe(max);
    });

    // MIG profiles: Flyte's tables (A100, A100 80G, H100, H200, RTX PRO 6000) must all be accepted;
    // for other models we know more than Flyte (NVIDIA MIG user guide).
    const migTable: Record<string, string[]> = {
        A30: ["1g.6gb", "2g.12gb", "4g.24gb"],
        A100: ["1g.5gb", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"],
        A100_80G: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"],
        B200: ["1g.23gb", "1g.45gb", "2g.45gb", "3g.90gb", "4g.90gb", "7g.180gb"],
        GB200: ["1g.23gb", "1g.47gb", "2g.47gb", "3g.93gb", "4g.93gb", "7g.186gb"],
        H100: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"],
        H100_NVL: ["1g.12gb", "1g.24gb", "2g.24gb", "3g.47gb", "4g.47gb", "7g.94gb"],
        H200: ["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"],
        RTX_PRO_6000: ["1g.24gb", "2g.48gb", "4g.96gb"],
    };
    const flyteMig: Record<string, string[]> = {
        A100: ["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"],
        A100_80G: ["1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"],
        H100: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"],
        H200: ["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"],
        RTX_PRO_6000: ["1g.24gb", "2g.48gb", "4g.96gb"],
    };
    test.each(GPU_NAMES)("MIG profiles of %s", (name) => {
        expect(gpuModel(name)!.mig).toEqual(migTable[name] ?? []);
    });
    test.each(Object.entries(flyteMig))("every Flyte MIG profile of %s is in our table", (name, profiles) => {
        expect(gpuModel(name)!.mig).toEqual(expect.arrayContaining(profiles));
    });

    test("A100 40GB and 80GB are told apart by memory and by every label column", () => {
        const a40 = gpuModel("A100")!;
        const a80 = gpuModel("A100_80G")!;
        expect([a40.memoryMiB, a80.memoryMiB]).toEqual([40960, 81920]);
        expect(a40.gke).toEqual(["nvidia-tesla-a100"]);
        expect(a80.gke).toEqual(["nvidia-a100-80gb"]);
        expect(a40.gfdProducts.some((p) => a80.gfdProducts.includes(p))).toBe(false);
        expect(a40.aksVmSizes.some((p) => a80.aksVmSizes.includes(p))).toBe(false);
        expect(a40.flyte).not.toBe(a80.flyte);
    });

    test("GKE accelerator labels: H100/H200 use the names GKE really has (never nvidia-tesla-h100)", () => {
        const gke = Object.fromEntries(GPU_MODELS.filter((m) => m.gke.length).map((m) => [m.name, m.gke]));
        expect(gke).toEqual({
            A100: ["nvidia-tesla-a100"],
            A100_80G: ["nvidia-a100-80gb"],
            B200: ["nvidia-b200"],
            GB200: ["nvidia-gb200"],
            H100: ["nvidia-h100-80gb", "nvidia-h100-mega-80gb"],
            H200: ["nvidia-h200-141gb"],
            L4: ["nvidia-l4"],
            RTX_PRO_6000: ["nvidia-rtx-pro-6000"],
            T4: ["nvidia-tesla-t4"],
            V100: ["nvidia-tesla-v100"],
        });
    });

    test("Flyte backend device values: flyte-sdk's ACCELERATOR_DEVICE_MAP, else its underscore name (a label value has no spaces)", () => {
        const flyte = Object.fromEntries(GPU_MODELS.map((m) => [m.name, m.flyte]));
        expect(flyte).toEqual({
            A2: "A2",
            A10: "nvidia-a10",
            A10G: "nvidia-a10g",
            A30: "A30",
            A100: "nvidia-tesla-a100",
            A100_80G: "nvidia-a100-80gb",
            B200: "B200",
            GB200: "GB200",
            GB10: "GB10",
            H100: "nvidia-tesla-h100",
            H100_NVL: "H100_NVL",
            H200: "H200",
            L4: "nvidia-l4",
            L40s: "nvidia-l40s",
            RTX_PRO_4500: "nvidia-rtx-pro-4500",
            RTX_PRO_6000: "nvidia-rtx-pro-6000",
            T4: "nvidia-tesla-t4",
            V100: "nvidia-tesla-v100",
        });
        expect(Object.fromEntries(TPU_GENERATIONS.map((t) => [t.name, t.flyte]))).toEqual({
            V4: "tpu-v4-podslice",
            V5E: "tpu-v5-lite-podslice",
            V5P: "tpu-v5p-slice",
            V6E: "tpu-v6e-slice",
            TPU7X: "tpu7x",
        });
    });

    // k8s-accelerators.md TPU table (v5p also Flyte's V5PParts; v5e/v6e Flyte's V5EParts/V6EParts)
    const tpuTable: Record<string, { gke: string; topologies: string[] }> = {
        V4: {
            gke: "tpu-v4-podslice",
            topologies: [
                "2x2x1",
                "2x2x2",
                "2x2x4",
                "2x4x4",
                "4x4x4",
                "4x4x8",
                "4x8x8",
                "8x8x8",
                "8x8x12",
                "8x8x16",
                "8x16x16",
            ],
        },
        V5E: { gke: "tpu-v5-lite-podslice", topologies: ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"] },
        V5P: {
            gke: "tpu-v5p-slice",
            topologies: [
                "2x2x1",
                "2x2x2",
                "2x2x4",
                "2x4x4",
                "4x4x4",
                "4x4x8",
                "4x8x8",
                "8x8x8",
                "8x8x16",
                "8x16x16",
                "16x16x16",
                "16x16x24",
            ],
        },
        V6E: { gke: "tpu-v6e-slice", topologies: ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"] },
        TPU7X: {
            gke: "tpu7x",
            topologies: [
                "1x1x1",
                "2x2x1",
                "2x2x2",
                "2x2x4",
                "2x4x4",
                "4x4x4",
                "4x4x8",
                "4x8x8",
                "8x8x8",
                "8x8x16",
                "8x16x16",
            ],
        },
    };
    test.each(Object.entries(tpuTable))("TPU %s: label and topologies", (name, row) => {
        const gen = tpuGeneration(name)!;
        expect({ gke: gen.gke, topologies: [...gen.topologies] }).toEqual(row);
    });
    test("every Flyte TPU topology is in our table", () => {
        const flyteV5P = [
            "2x2x1",
            "2x2x2",
            "2x4x4",
            "4x4x4",
            "4x4x8",
            "4x8x8",
            "8x8x8",
            "8x8x16",
            "8x16x16",
            "16x16x16",
            "16x16x24",
        ];
        const flyteLite = ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"];
        expect(tpuGeneration("V5P")!.topologies).toEqual(expect.arrayContaining(flyteV5P));
        expect(tpuGeneration("V5E")!.topologies).toEqual(flyteLite);
        expect(tpuGeneration("V6E")!.topologies).toEqual(flyteLite);
    });

    // chips = product of the topology; chips per VM: v4/v5p/tpu7x 4 (1x1x1 -> 1), v5e/v6e 1x1->1, 2x2->4, 2x4->8, larger 4
    const chipsTable: [string, string, number, number][] = [
        ["V5P", "2x2x1", 4, 4],
        ["V5P", "2x2x2", 8, 4],
        ["V5P", "16x16x24", 6144, 4],
        ["V4", "2x2x1", 4, 4],
        ["V4", "8x8x12", 768, 4],
        ["TPU7X", "1x1x1", 1, 1],
        ["TPU7X", "2x2x1", 4, 4],
        ["V6E", "1x1", 1, 1],
        ["V6E", "2x2", 4, 4],
        ["V6E", "2x4", 8, 8],
        ["V6E", "4x4", 16, 4],
        ["V6E", "16x16", 256, 4],
        ["V5E", "2x4", 8, 8],
        ["V5E", "4x8", 32, 4],
    ];
    test.each(chipsTable)("%s %s: %p chips, %p per host", (name, topology, chips, perHost) => {
        expect(topologyChips(topology)).toBe(chips);
        expect(tpuGeneration(name)!.chipsPerHost(chips)).toBe(perHost);
    });

    test("Neuron quantities and cores per device", () => {
        expect(Object.fromEntries(NEURON_DEVICES.map((d) => [d.name, [[...d.quantities], d.coresPerDevice]]))).toEqual({
            Inf1: [upTo(16), 4],
            Inf2: [upTo(12), 2],
            Trn1: [[1, 4, 8, 16], 2],
            Trn1n: [[1, 4, 8, 16], 2],
            Trn2: [[1, 4, 8, 16], 8],
            Trn2u: [[1, 4, 8, 16], 8],
        });
    });
});

describe("accelerator strings", () => {
    // every accelerator string in flyte-sdk 2.12.1's `Accelerators` literal that our catalogue also has
    const FLYTE_ACCEPTED = [
        "A2:1",
        ...upTo(8).flatMap((q) =>
            ["A10", "A10G", "A100", "A100_80G", "B200", "H100", "H200", "L4", "L40s", "V100", "T4"].map(
                (m) => `${m}:${q}`,
            ),
        ),
        "RTX_PRO_4500:1",
        "RTX_PRO_6000:1",
        "RTX_PRO_6000:2",
        "GB10:1",
        "T4 shared:1",
        "L4 shared:1",
        "A10G shared:1",
        "A10 shared:1",
        "L40S shared:1",
        ...[1, 4, 8, 16].flatMap((q) => ["Trn1", "Trn1n", "Trn2", "Trn2u"].map((m) => `${m}:${q}`)),
        ...upTo(16).map((q) => `Inf1:${q}`),
        ...upTo(12).map((q) => `Inf2:${q}`),
        ...["MI100", "MI210", "MI250", "MI250X", "MI300A", "MI300X", "MI325X", "MI350X", "MI355X"].map((m) => `${m}:1`),
        "Gaudi1:1",
        // the deprecated spellings flyte-sdk still accepts
        "A100 80G:1",
        "RTX PRO 6000:1",
    ];
    test.each(FLYTE_ACCEPTED)("accepts Flyte's %j", (text) => {
        const device = parseAccelerator("resources.gpu", text);
        expect(device.quantity).toBe(Number(text.split(":")[1]));
    });

    // flyte-sdk 2.12.1's devbox-local Apple Silicon: no Kubernetes convention exists, refused with the reason
    test.each(["AppleSilicon", "AppleSilicon:1"])("refuses Flyte's %j, saying why", (text) => {
        const err = errorOf(() => parseAccelerator("resources.gpu", text));
        expect(err.field).toBe("resources.gpu");
        expect(err.message).toContain("Apple Silicon is the Metal GPU of the Mac a flyte devbox runs on");
        expect(err.message).toContain("no Kubernetes node advertises it");
    });
    test("a Device literal of class APPLE_SILICON is refused the same way", () => {
        const err = errorOf(() =>
            toDevice("resources.gpu", { deviceClass: "APPLE_SILICON", device: "AppleSilicon", quantity: 1 }),
        );
        expect(err.field).toBe("resources.gpu.deviceClass");
        expect(err.message).toContain("no Kubernetes node advertises it");
    });

    // shared GPUs: one share of a time-sliced (or MPS) GPU, no partition
    test.each(SHARED_NAMES)("%j is one share of a GPU", (name) => {
        expect(parseAccelerator("resources.gpu", `${name}:1`)).toEqual({
            deviceClass: "GPU",
            device: name,
            quantity: 1,
        });
        expect(GPU({ device: name as "T4 shared" })).toEqual({ deviceClass: "GPU", device: name, quantity: 1 });
        expect(errorOf(() => parseAccelerator("resources.gpu", `${name}:2`)).message).toBe(
            `resources.gpu: got "${name}:2"; shared GPU "${name}" (one share) accepts a quantity of 1`,
        );
        expect(errorOf(() => GPU({ device: name as "T4 shared", partition: "1g.5gb" as never })).message).toContain(
            "a shared GPU takes no partition",
        );
    });

    // every model, every count: "M:1".."M:max" parse to exactly that device
    const everyGpuString = GPU_MODELS.flatMap((m) =>
        upTo(m.maxQuantity).map((q) => [`${m.name}:${q}`, m.name, q] as const),
    );
    test("133 GPU accelerator strings: 16 models x 8, GB200 x 4, GB10 x 1", () => {
        expect(everyGpuString).toHaveLength(16 * 8 + 4 + 1);
    });
    test.each(everyGpuString)("%j parses", (text, name, quantity) => {
        expect(parseAccelerator("resources.gpu", text)).toEqual({ deviceClass: "GPU", device: name, quantity });
    });

    test.each(GPU_MODELS.map((m) => [m.name, m.maxQuantity] as const))(
        '%s: ":0" and ":max+1" are rejected on the string',
        (name, max) => {
            for (const q of [0, max + 1]) {
                const err = errorOf(() => parseAccelerator("resources.gpu", `${name}:${q}`));
                expect(err.field).toBe("resources.gpu");
                expect(err.given).toBe(`${name}:${q}`);
                expect(err.message).toBe(
                    `resources.gpu: got "${name}:${q}"; GPU "${name}" accepts a quantity of ${upTo(max).join(", ")}`,
                );
            }
        },
    );

    test.each([...GPU_NAMES, "Inf2", "MI300X", "Gaudi1"])(
        '%j without a quantity is an error (Flyte: "A100" is not an accelerator string)',
        (name) => {
            const err = errorOf(() => parseAccelerator("resources.gpu", name));
            expect(err.field).toBe("resources.gpu");
            expect(err.message).toContain("a quantity is required");
        },
    );

    test.each(["A100:x", "A100:-1", "A100:1.5", "A100: 1", "A100:", "A100:1e0"])(
        "a malformed count %j is rejected",
        (text) => {
            const err = errorOf(() => parseAccelerator("resources.gpu", text));
            expect(err.field).toBe("resources.gpu");
            expect(err.message).toContain("accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8");
        },
    );

    test.each(["Foo:1", "a100:1", "A100-80G:1", "H100 80G:1", ":1", "TPU:1", "nvidia-tesla-a100:1"])(
        "an unknown device %j lists every device",
        (text) => {
            const err = errorOf(() => parseAccelerator("resources.gpu", text));
            expect(err.field).toBe("resources.gpu");
            expect(err.message).toContain(`devices: ${quoted(ALL_DEVICE_NAMES)})`);
        },
    );

    test.each([
        ["A100_80G:4", "A100_80G"],
        ["A100 80G:4", "A100_80G"],
        ["RTX_PRO_6000:4", "RTX_PRO_6000"],
        ["RTX PRO 6000:4", "RTX_PRO_6000"],
        ["H100 NVL:4", "H100_NVL"],
        ["L40S:4", "L40s"],
    ])("the alias %j is the model %j", (text, name) => {
        expect(parseAccelerator("resources.gpu", text)).toEqual({ deviceClass: "GPU", device: name, quantity: 4 });
    });

    const neuronStrings = NEURON_DEVICES.flatMap((d) =>
        d.quantities.map((q) => [`${d.name}:${q}`, d.name, q] as const),
    );
    test.each(neuronStrings)("%j parses", (text, name, quantity) => {
        expect(parseAccelerator("resources.gpu", text)).toEqual({ deviceClass: "NEURON", device: name, quantity });
    });
    test.each([
        ["Trn1:2", 'Neuron "Trn1" accepts a quantity of 1, 4, 8, 16'],
        ["Trn2u:32", 'Neuron "Trn2u" accepts a quantity of 1, 4, 8, 16'],
        ["Inf1:17", `Neuron "Inf1" accepts a quantity of ${upTo(16).join(", ")}`],
        ["Inf2:13", `Neuron "Inf2" accepts a quantity of ${upTo(12).join(", ")}`],
        ["Inf2:0", `Neuron "Inf2" accepts a quantity of ${upTo(12).join(", ")}`],
    ])("%j is rejected", (text, allowed) => {
        expect(errorOf(() => parseAccelerator("resources.gpu", text)).message).toBe(
            `resources.gpu: got "${text}"; ${allowed}`,
        );
    });

    test.each(AMD_GPUS.map((d) => d.name))('AMD %s: ":1" only', (name) => {
        expect(parseAccelerator("resources.gpu", `${name}:1`)).toEqual({
            deviceClass: "AMD_GPU",
            device: name,
            quantity: 1,
        });
        expect(errorOf(() => parseAccelerator("resources.gpu", `${name}:2`)).message).toBe(
            `resources.gpu: got "${name}:2"; accelerator string "${name}:N" accepts a quantity of 1`,
        );
    });

    test('Gaudi1: ":1" only', () => {
        expect(parseAccelerator("resources.gpu", "Gaudi1:1")).toEqual({
            deviceClass: "HABANA_GAUDI",
            device: "Gaudi1",
            quantity: 1,
        });
        expect(errorOf(() => parseAccelerator("resources.gpu", "Gaudi1:2")).field).toBe("resources.gpu");
    });

    test.each(TPU_GENERATIONS.map((t) => t.name))("TPU %s as a string points to TPU()", (name) => {
        expect(errorOf(() => parseAccelerator("resources.gpu", `${name}:1`)).message).toBe(
            `resources.gpu: got "${name}:1"; TPUs are requested with TPU({ device: "${name}", partition }) (a topology, not a count)`,
        );
    });

    test("acceleratorStrings lists every string we accept, and each parses", () => {
        const strings = acceleratorStrings();
        const expectedCount =
            GPU_MODELS.reduce((n, m) => n + m.maxQuantity, 0) +
            NEURON_DEVICES.reduce((n, d) => n + d.quantities.length, 0) +
            SHARED_NAMES.length +
            AMD_GPUS.length +
            GAUDI_DEVICES.length;
        expect(strings).toHaveLength(expectedCount);
        expect(expectedCount).toBe(133 + 4 * 4 + 16 + 12 + 5 + 9 + 1);
        expect(new Set(strings).size).toBe(strings.length);
        for (const s of strings) expect(() => parseAccelerator("resources.gpu", s)).not.toThrow();
    });
});

describe("GPU()", () => {
    test("defaults to one GPU and returns a frozen device without undefined keys", () => {
        const d = GPU({ device: "T4" });
        expect(d).toEqual({ deviceClass: "GPU", device: "T4", quantity: 1 });
        expect(Object.keys(d)).toEqual(["deviceClass", "quantity", "device"]);
        expect(Object.isFrozen(d)).toBe(true);
    });

    test("aliases become the canonical model name", () => {
        expect(GPU({ device: "A100 80G", quantity: 2, partition: "3g.40gb" })).toEqual({
            deviceClass: "GPU",
            device: "A100_80G",
            quantity: 2,
            partition: "3g.40gb",
        });
        expect(GPU({ device: "RTX PRO 6000", partition: "4g.96gb" }).device).toBe("RTX_PRO_6000");
    });

    // Flyte: "GPU quantity must be at least 1"
    test.each([0, -1, 9, 1.5, NaN])("quantity %p is rejected", (quantity) => {
        const err = errorOf(() => GPU({ device: "A100", quantity }));
        expect(err.field).toBe("gpu.quantity");
        expect(err.message).toBe(
            `gpu.quantity: got ${quantity}; GPU "A100" accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8`,
        );
    });

    test("an unknown model lists every model", () => {
        expect(errorOf(() => GPU({ device: "A1000" } as never)).message).toBe(
            `gpu.device: got "A1000"; did you mean "A100"? GPU models: ${quoted([...GPU_NAMES, ...SHARED_NAMES])}`,
        );
        expect(errorOf(() => GPU(undefined as never)).field).toBe("gpu");
    });

    const migModels = GPU_MODELS.filter((m) => m.mig.length > 0);
    const everyProfile = migModels.flatMap((m) => m.mig.map((p) => [m.name, p] as const));
    test("48 MIG profiles over 9 models", () => {
        expect([everyProfile.length, migModels.length]).toEqual([48, 9]);
    });
    test.each(everyProfile)("%s accepts MIG %s", (device, partition) => {
        expect(GPU({ device, partition })).toEqual({ deviceClass: "GPU", device, quantity: 1, partition });
    });

    // a profile of another model is rejected and the message lists this model's profiles
    const foreign = migModels.flatMap((m) =>
        migModels
            .filter((o) => o !== m)
            .flatMap((o) => o.mig.filter((p) => !m.mig.includes(p)).map((p) => [m.name, p, o.name] as const)),
    );
    test.each(foreign)("%s rejects %s (a profile of %s)", (device, partition) => {
        const err = errorOf(() => GPU({ device, partition }, "resources.gpu"));
        expect(err.field).toBe("resources.gpu.partition");
        expect(err.message).toBe(
            `resources.gpu.partition: got "${partition}"; MIG profiles of ${device}: ${quoted(gpuModel(device)!.mig)}`,
        );
    });

    test("Flyte's cross-model cases: A100 rejects 7g.80gb, A100 80G rejects 1g.5gb, H100 rejects 1g.18gb", () => {
        expect(errorOf(() => GPU({ device: "A100", partition: "7g.80gb" } as never)).field).toBe("gpu.partition");
        expect(errorOf(() => GPU({ device: "A100_80G", partition: "1g.5gb" } as never)).field).toBe("gpu.partition");
        expect(errorOf(() => GPU({ device: "H100", partition: "1g.18gb" } as never)).field).toBe("gpu.partition");
    });

    // Flyte gap: flyte-sdk accepts any partition for models it has no table for
    const noMig = GPU_MODELS.filter((m) => m.mig.length === 0).map((m) => m.name);
    test("models without MIG: A2, A10, A10G, GB10, L4, L40s, RTX_PRO_4500, T4, V100", () => {
        expect(noMig).toEqual(["A2", "A10", "A10G", "GB10", "L4", "L40s", "RTX_PRO_4500", "T4", "V100"]);
    });
    test.each(noMig.flatMap((m) => ["1g.5gb", "7g.80gb", "anything"].map((p) => [m, p] as const)))(
        "%s rejects any partition (%s)",
        (device, partition) => {
            expect(errorOf(() => GPU({ device, partition } as never)).message).toBe(
                `gpu.partition: got "${partition}"; ${device} does not support MIG partitions`,
            );
        },
    );

    test.each(["", "1g.5GB", "1g", "mig-1g.5gb", " 1g.5gb"])("A100 rejects the malformed partition %j", (partition) => {
        expect(errorOf(() => GPU({ device: "A100", partition } as never)).field).toBe("gpu.partition");
    });
});

describe("TPU()", () => {
    const everyTopology = TPU_GENERATIONS.flatMap((t) => t.topologies.map((p) => [t.name, p] as const));
    test("53 topologies over 5 generations", () => {
        expect(everyTopology).toHaveLength(11 + 8 + 12 + 8 + 11);
    });
    test.each(everyTopology)("%s accepts %s", (device, partition) => {
        expect(TPU({ device, partition })).toEqual({ deviceClass: "TPU", device, quantity: 1, partition });
    });

    test("a TPU without a topology is a valid device (profiles decide whether they can place it)", () => {
        expect(TPU({ device: "V6E" })).toEqual({ deviceClass: "TPU", device: "V6E", quantity: 1 });
    });

    test("tpu7x alias", () => {
        expect(TPU({ device: "tpu7x", partition: "2x2x1" }).device).toBe("TPU7X");
    });

    // wrong-generation topologies: v5e/v6e take 2-D shapes, v4/v5p/tpu7x 3-D
    test.each([
        ["V5P", "2x2"],
        ["V5P", "1x1"],
        ["V5P", "8x8x12"], // a v4 shape
        ["V4", "16x16x16"], // a v5p shape
        ["V6E", "2x2x1"],
        ["V5E", "2x2x2"],
        ["V6E", "32x32"],
        ["TPU7X", "1x1"],
        ["V5P", "2X2X1"],
    ])("%s rejects %s and lists its topologies", (device, partition) => {
        expect(errorOf(() => TPU({ device, partition } as never, "resources.gpu")).message).toBe(
            `resources.gpu.partition: got "${partition}"; topologies of TPU ${device}: ${quoted(tpuGeneration(device)!.topologies)}`,
        );
    });

    test("an unknown generation lists every generation", () => {
        expect(errorOf(() => TPU({ device: "V7" } as never)).message).toBe(
            'gpu.device: got "V7"; did you mean "V4"? TPU generations: "V4", "V5E", "V5P", "V6E", "TPU7X"',
        );
        expect(errorOf(() => TPU({ device: "v5p" } as never)).field).toBe("gpu.device");
    });
});

describe("Neuron(), AMD(), Gaudi()", () => {
    test.each(NEURON_DEVICES.flatMap((d) => d.quantities.map((q) => [d.name, q] as const)))(
        "Neuron %s x%p",
        (device, quantity) => {
            expect(Neuron({ device, quantity })).toEqual({ deviceClass: "NEURON", device, quantity });
        },
    );
    test("Neuron defaults to one device; wrong counts and devices are rejected", () => {
        expect(Neuron({ device: "Trn2" })).toEqual({ deviceClass: "NEURON", device: "Trn2", quantity: 1 });
        expect(errorOf(() => Neuron({ device: "Trn1", quantity: 2 })).message).toBe(
            'gpu.quantity: got 2; Neuron "Trn1" accepts a quantity of 1, 4, 8, 16',
        );
        expect(errorOf(() => Neuron({ device: "Trn3" } as never)).message).toBe(
            'gpu.device: got "Trn3"; did you mean "Trn1"? Neuron devices: "Inf1", "Inf2", "Trn1", "Trn1n", "Trn2", "Trn2u"',
        );
    });

    test.each(AMD_GPUS.map((d) => d.name))("AMD %s takes 1..8", (device) => {
        expect(AMD({ device })).toEqual({ deviceClass: "AMD_GPU", device, quantity: 1 });
        expect(AMD({ device, quantity: 8 })).toEqual({ deviceClass: "AMD_GPU", device, quantity: 8 });
        expect(errorOf(() => AMD({ device, quantity: 9 })).field).toBe("gpu.quantity");
    });
    test("AMD unknown device", () => {
        expect(errorOf(() => AMD({ device: "MI400" } as never)).message).toBe(
            `gpu.device: got "MI400"; did you mean "MI100"? AMD GPUs: ${quoted(AMD_GPUS.map((d) => d.name))}`,
        );
    });

    test("Gaudi", () => {
        expect(Gaudi({ device: "Gaudi1", quantity: 8 })).toEqual({
            deviceClass: "HABANA_GAUDI",
            device: "Gaudi1",
            quantity: 8,
        });
        expect(errorOf(() => Gaudi({ device: "Gaudi2" } as never)).message).toBe(
            'gpu.device: got "Gaudi2"; did you mean "Gaudi1"? Gaudi devices: "Gaudi1"',
        );
        expect(errorOf(() => Gaudi({ device: "Gaudi1", quantity: 0 })).field).toBe("gpu.quantity");
    });
});

describe("toDevice: every accepted `gpu` value, hand-written literals re-validated", () => {
    test("nothing, zero, counts", () => {
        expect(toDevice("resources.gpu", undefined)).toBeUndefined();
        expect(toDevice("resources.gpu", null)).toBeUndefined();
        expect(toDevice("resources.gpu", 0)).toBeUndefined(); // Flyte: gpu=0 means no accelerator
        expect(toDevice("resources.gpu", 2)).toEqual({ deviceClass: "GPU", quantity: 2 });
        expect(toDevice("resources.gpu", 16)).toEqual({ deviceClass: "GPU", quantity: 16 });
    });

    test.each([-1, 1.5, NaN, Infinity])("the count %p is rejected", (value) => {
        expect(errorOf(() => toDevice("resources.gpu", value)).field).toBe("resources.gpu");
    });

    test.each([[true], [[1, 2]], [["A100", 1]], [{ device: "A100" }], [() => 1]])(
        "%p is not a gpu value (Flyte rejects a (device, quantity) tuple too)",
        (value) => {
            expect(errorOf(() => toDevice("resources.gpu", value)).field).toBe("resources.gpu");
        },
    );

    test("a helper's device passes through unchanged", () => {
        const d = GPU({ device: "H100", quantity: 8 });
        expect(toDevice("resources.gpu", d)).toEqual(d);
    });

    const literals: [string, Device, Device][] = [
        [
            "alias normalised",
            { deviceClass: "GPU", device: "A100 80G", quantity: 2 },
            { deviceClass: "GPU", device: "A100_80G", quantity: 2 },
        ],
        ["bare count", { deviceClass: "GPU", quantity: 3 }, { deviceClass: "GPU", quantity: 3 }],
        [
            "MIG",
            { deviceClass: "GPU", device: "H100", quantity: 1, partition: "1g.10gb" },
            { deviceClass: "GPU", device: "H100", quantity: 1, partition: "1g.10gb" },
        ],
        [
            "TPU quantity is always 1",
            { deviceClass: "TPU", device: "V5P", quantity: 4, partition: "2x2x1" },
            { deviceClass: "TPU", device: "V5P", quantity: 1, partition: "2x2x1" },
        ],
        [
            "Neuron",
            { deviceClass: "NEURON", device: "Inf2", quantity: 12 },
            { deviceClass: "NEURON", device: "Inf2", quantity: 12 },
        ],
        [
            "AMD",
            { deviceClass: "AMD_GPU", device: "MI300X", quantity: 8 },
            { deviceClass: "AMD_GPU", device: "MI300X", quantity: 8 },
        ],
        [
            "Gaudi",
            { deviceClass: "HABANA_GAUDI", device: "Gaudi1", quantity: 1 },
            { deviceClass: "HABANA_GAUDI", device: "Gaudi1", quantity: 1 },
        ],
    ];
    test.each(literals)("literal (%s)", (_, literal, expected) => {
        const d = toDevice("resources.gpu", literal)!;
        expect(d).toEqual(expected);
        expect(Object.isFrozen(d)).toBe(true);
    });

    const badLiterals: [string, object, string, string][] = [
        [
            "too many GPUs",
            { deviceClass: "GPU", device: "A100", quantity: 9 },
            "resources.gpu.quantity",
            'GPU "A100" accepts a quantity of 1, 2, 3, 4, 5, 6, 7, 8',
        ],
        [
            "another model's MIG profile",
            { deviceClass: "GPU", device: "A100", quantity: 1, partition: "7g.80gb" },
            "resources.gpu.partition",
            "MIG profiles of A100",
        ],
        [
            "MIG on a T4",
            { deviceClass: "GPU", device: "T4", quantity: 1, partition: "1g.5gb" },
            "resources.gpu.partition",
            "T4 does not support MIG partitions",
        ],
        ["unknown model", { deviceClass: "GPU", device: "X1", quantity: 1 }, "resources.gpu.device", "GPU models:"],
        [
            "wrong TPU topology",
            { deviceClass: "TPU", device: "V5P", quantity: 1, partition: "1x1" },
            "resources.gpu.partition",
            "topologies of TPU V5P",
        ],
        [
            "Neuron count",
            { deviceClass: "NEURON", device: "Trn1", quantity: 2 },
            "resources.gpu.quantity",
            'Neuron "Trn1" accepts a quantity of 1, 4, 8, 16',
        ],
        [
            "partition on Neuron",
            { deviceClass: "NEURON", device: "Inf1", quantity: 1, partition: "x" },
            "resources.gpu.partition",
            "only GPU (MIG) and TPU (topology) devices take a partition",
        ],
        [
            "partition on AMD",
            { deviceClass: "AMD_GPU", device: "MI300X", quantity: 1, partition: "x" },
            "resources.gpu.partition",
            "only GPU (MIG) and TPU (topology) devices take a partition",
        ],
        [
            "unknown class",
            { deviceClass: "FPGA", device: "U250", quantity: 1 },
            "resources.gpu.deviceClass",
            'device classes: "GPU", "TPU", "NEURON", "AMD_GPU", "HABANA_GAUDI"',
        ],
        // Flyte's Device: "GPU quantity must be at least 1"; Flyte cannot serialise a GPU partition without a model
        [
            "bare count of zero",
            { deviceClass: "GPU", quantity: 0 },
            "resources.gpu.quantity",
            "a device's quantity is an integer of at least 1",
        ],
        [
            "partition without a model",
            { deviceClass: "GPU", quantity: 1, partition: "1g.5gb" },
            "resources.gpu.partition",
            "a MIG partition needs a GPU model",
        ],
    ];
    test.each(badLiterals)("literal with %s is rejected", (_, literal, field, message) => {
        const err = errorOf(() => toDevice("resources.gpu", literal));
        expect(err.field).toBe(field);
        expect(err.message).toContain(message);
    });
});
