import { z } from "zod";
import { GPU_MODELS, GpuModel, GpuName, MigProfile } from "./catalog/gpus";
import { AMD_GPUS, AmdName, GAUDI_DEVICES, GaudiName, NEURON_DEVICES, NeuronName } from "./catalog/others";
import { REFUSED_DEVICES } from "./catalog/refused";
import { SHARED_GPUS, SharedGpu, SharedGpuName } from "./catalog/shared-gpus";
import { TPU_GENERATIONS, TpuGeneration, TpuName, TpuTopology } from "./catalog/tpus";
import { ValidationError, joinPath } from "./errors";
import { didYouMean } from "./suggest";
import { argsSchema, checkedLater, normalizeArgs, parseArgs, rule } from "./validate";

export type { GpuName, MigProfile, SharedGpuName, TpuName, TpuTopology, NeuronName, AmdName, GaudiName };

export type DeviceClass = "GPU" | "TPU" | "NEURON" | "AMD_GPU" | "HABANA_GAUDI";

/** An accelerator request: what, how many, and which slice (MIG profile or TPU topology). */
export interface Device {
    readonly deviceClass: DeviceClass;
    /** Canonical model name; undefined means "any GPU" (a bare count). */
    readonly device?: string;
    readonly quantity: number;
    readonly partition?: string;
}

const list = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(", ");

function findByName<T extends { name: string; aliases?: readonly string[] }>(
    rows: readonly T[],
    name: unknown,
): T | undefined {
    if (typeof name !== "string") return undefined;
    return rows.find((r) => r.name === name || (r.aliases ?? []).includes(name));
}

/** Names and aliases of catalogue rows (what a "did you mean" may suggest). */
function namesOf(rows: readonly { name: string; aliases?: readonly string[] }[]): string[] {
    return rows.flatMap((r) => [r.name, ...(r.aliases ?? [])]);
}

/**
 * The helper's arguments, checked for shape and unknown fields (flyte-sdk's
 * dataclasses raise on an unknown keyword: `quanity=4` must not become 1 GPU).
 */
function helperArgs(field: string, args: unknown, schema: z.AnyZodObject): Record<string, unknown> {
    return normalizeArgs(schema, args, field) as Record<string, unknown>;
}

/** `{ device, quantity }` -> `GPU({ device, quantity })`, what a non-object is told. */
function helperSchema<T extends object>(
    helper: string,
    shape: Parameters<ReturnType<typeof argsSchema<T>>>[0],
): z.AnyZodObject {
    return argsSchema<T>()(shape, `${helper}({ ${Object.keys(shape).join(", ")} })`);
}

/** The catalogue row `device` names, or a ValidationError listing the family's names. */
function rowOf<T extends { name: string; aliases?: readonly string[] }>(rows: readonly T[], family: string) {
    return (field: string, device: unknown): T => {
        const row = findByName(rows, device);
        if (!row)
            throw new ValidationError(
                field,
                device,
                `${didYouMean(device, namesOf(rows))}${family}: ${list(rows.map((r) => r.name))}`,
            );
        return row;
    };
}

/** The value rule of a helper's `device`: its catalogue row. */
function deviceOf<T extends { name: string; aliases?: readonly string[] }>(rows: readonly T[], family: string) {
    return rule(rowOf(rows, family), { required: true });
}

/** The accepted counts, as messages list them. */
export function countList(allowed: readonly number[]): string {
    return allowed.join(", ");
}

function checkQuantity(field: string, quantity: unknown, allowed: readonly number[], what: string): number {
    if (typeof quantity === "string" && /^[0-9]+$/.test(quantity.trim())) {
        throw new ValidationError(
            field,
            quantity,
            `a quantity is a number, not a string: write ${quantity.trim()} without quotes (${what} accepts ${countList(allowed)})`,
        );
    }
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || !allowed.includes(quantity)) {
        throw new ValidationError(field, quantity, `${what} accepts a quantity of ${countList(allowed)}`);
    }
    return quantity;
}

const range = (max: number) => Array.from({ length: max }, (_, i) => i + 1);

export function gpuModel(name: string): GpuModel | undefined {
    return findByName(GPU_MODELS, name);
}

/** The shared-GPU row of a device name ("T4 shared"), if it is one. */
export function sharedGpu(name: string | undefined): SharedGpu | undefined {
    return findByName(SHARED_GPUS, name);
}

/** The refusal of a device flyte-sdk names but no cluster can be asked for (Apple Silicon), by name or device class. */
function refusedDevice(name: unknown, deviceClass?: unknown): string | undefined {
    return REFUSED_DEVICES.find((d) => d.name === name || d.deviceClass === deviceClass)?.reason;
}

export function tpuGeneration(name: string): TpuGeneration | undefined {
    return findByName(TPU_GENERATIONS, name);
}

export interface GPUArgs<D extends GpuName | SharedGpuName = GpuName | SharedGpuName> {
    /**
     * A model of the catalogue, e.g. "A100", "A100_80G", "H100", or a shared GPU such as
     * "T4 shared" (time-sliced or MPS capacity of one GPU) (TypeScript completes them).
     */
    device: D;
    /** Whole GPUs (default 1); a shared GPU is one share. */
    quantity?: number;
    /** MIG profile, checked against the model's table (TypeScript lists the model's profiles); none for a shared GPU. */
    partition?: D extends GpuName ? MigProfile<D> : never;
}

const anyGpu = rowOf<GpuModel | SharedGpu>([...GPU_MODELS, ...SHARED_GPUS], "GPU models");
const gpuArgsSchema = helperSchema<GPUArgs>("GPU", {
    // a shared GPU, or a model (a device flyte-sdk names but no cluster can be asked for says why)
    device: rule(
        (field, device): { shared: SharedGpu } | { model: GpuModel } => {
            const shared = sharedGpu(device as string);
            if (shared) return { shared };
            const refused = refusedDevice(device);
            if (refused) throw new ValidationError(field, device, refused);
            return { model: anyGpu(field, device) as GpuModel };
        },
        { required: true },
    ),
    quantity: checkedLater<number>(),
    partition: checkedLater<GPUArgs["partition"]>(),
});

/** An NVIDIA GPU, optionally a MIG slice, or a share of one (a shared GPU). */
export function GPU<D extends GpuName | SharedGpuName>(args: GPUArgs<D>): Device;
/** @internal `field`: the path of the value in errors. */
export function GPU<D extends GpuName | SharedGpuName>(args: GPUArgs<D>, field: string): Device;
export function GPU<D extends GpuName | SharedGpuName>(args: GPUArgs<D>, field = "gpu"): Device {
    const a = helperArgs(field, args, gpuArgsSchema);
    const device = a.device as { shared: SharedGpu } | { model: GpuModel };
    if ("shared" in device) {
        const shared = device.shared;
        if (a.partition !== undefined)
            throw new ValidationError(
                joinPath(field, "partition"),
                a.partition,
                `a shared GPU takes no partition; request a plain device (e.g. "${shared.model}") for a MIG slice`,
            );
        // GKE and the NVIDIA device plugin give each container one share of a time-sliced GPU
        checkQuantity(joinPath(field, "quantity"), a.quantity ?? 1, [1], `shared GPU "${shared.name}" (one share)`);
        return freeze({ deviceClass: "GPU", device: shared.name, quantity: 1 });
    }
    const model = device.model;
    const quantity = checkQuantity(
        joinPath(field, "quantity"),
        a.quantity ?? 1,
        range(model.maxQuantity),
        `GPU "${model.name}"`,
    );
    const partition = a.partition as string | undefined;
    if (partition !== undefined && !(model.mig as readonly string[]).includes(partition)) {
        const allowed = model.mig.length
            ? `MIG profiles of ${model.name}: ${list(model.mig)}`
            : `${model.name} does not support MIG partitions`;
        throw new ValidationError(joinPath(field, "partition"), partition, allowed);
    }
    return freeze({ deviceClass: "GPU", device: model.name, quantity, partition });
}

export interface TPUArgs<D extends TpuName = TpuName> {
    /** A TPU generation, e.g. "V5P", "V6E". */
    device: D;
    /** Slice topology, e.g. "2x2x1" (v5p) or "2x4" (v6e) (TypeScript lists the generation's). */
    partition?: TpuTopology<D>;
}

const tpuArgsSchema = helperSchema<TPUArgs>("TPU", {
    device: deviceOf(TPU_GENERATIONS, "TPU generations"),
    partition: checkedLater<TPUArgs["partition"]>(),
});

/** A Google Cloud TPU slice. */
export function TPU<D extends TpuName>(args: TPUArgs<D>): Device;
/** @internal */
export function TPU<D extends TpuName>(args: TPUArgs<D>, field: string): Device;
export function TPU<D extends TpuName>(args: TPUArgs<D>, field = "gpu"): Device {
    const a = helperArgs(field, args, tpuArgsSchema);
    const gen = a.device as TpuGeneration;
    const partition = a.partition as string | undefined;
    if (partition !== undefined && !(gen.topologies as readonly string[]).includes(partition)) {
        throw new ValidationError(
            joinPath(field, "partition"),
            partition,
            `topologies of TPU ${gen.name}: ${list(gen.topologies)}`,
        );
    }
    return freeze({ deviceClass: "TPU", device: gen.name, quantity: 1, partition });
}

export interface NeuronArgs {
    /** "Inf1", "Inf2", "Trn1", "Trn1n", "Trn2", "Trn2u". */
    device: NeuronName;
    quantity?: number;
}

const neuronArgsSchema = helperSchema<NeuronArgs>("Neuron", {
    device: deviceOf(NEURON_DEVICES, "Neuron devices"),
    quantity: checkedLater<number>(),
});

/** AWS Inferentia / Trainium devices. */
export function Neuron(args: NeuronArgs): Device;
/** @internal */
export function Neuron(args: NeuronArgs, field: string): Device;
export function Neuron(args: NeuronArgs, field = "gpu"): Device {
    const a = helperArgs(field, args, neuronArgsSchema);
    const dev = a.device as (typeof NEURON_DEVICES)[number];
    const quantity = checkQuantity(
        joinPath(field, "quantity"),
        a.quantity ?? 1,
        dev.quantities,
        `Neuron "${dev.name}"`,
    );
    return freeze({ deviceClass: "NEURON", device: dev.name, quantity });
}

export interface SimpleDeviceArgs<N extends string = AmdName | GaudiName> {
    device: N;
    quantity?: number;
}

const countArgs = <T extends { name: string; aliases?: readonly string[] }>(
    helper: string,
    rows: readonly T[],
    family: string,
) =>
    helperSchema<SimpleDeviceArgs>(helper, {
        device: deviceOf(rows, family),
        quantity: checkedLater<number>(),
    });
const amdArgsSchema = countArgs("AMD", AMD_GPUS, "AMD GPUs");
const gaudiArgsSchema = countArgs("Gaudi", GAUDI_DEVICES, "Gaudi devices");

/** AMD Instinct GPUs (`amd.com/gpu`). */
export function AMD(args: SimpleDeviceArgs<AmdName>): Device;
/** @internal */
export function AMD(args: SimpleDeviceArgs<AmdName>, field: string): Device;
export function AMD(args: SimpleDeviceArgs<AmdName>, field = "gpu"): Device {
    const a = helperArgs(field, args, amdArgsSchema);
    const dev = a.device as (typeof AMD_GPUS)[number];
    const quantity = checkQuantity(joinPath(field, "quantity"), a.quantity ?? 1, range(8), `AMD GPU "${dev.name}"`);
    return freeze({ deviceClass: "AMD_GPU", device: dev.name, quantity });
}

/** Habana Gaudi accelerators (`habana.ai/gaudi`). */
export function Gaudi(args: SimpleDeviceArgs<GaudiName>): Device;
/** @internal */
export function Gaudi(args: SimpleDeviceArgs<GaudiName>, field: string): Device;
export function Gaudi(args: SimpleDeviceArgs<GaudiName>, field = "gpu"): Device {
    const a = helperArgs(field, args, gaudiArgsSchema);
    const dev = a.device as (typeof GAUDI_DEVICES)[number];
    const quantity = checkQuantity(joinPath(field, "quantity"), a.quantity ?? 1, range(8), `Gaudi "${dev.name}"`);
    return freeze({ deviceClass: "HABANA_GAUDI", device: dev.name, quantity });
}

/** Every accelerator string accepted in `Resources({ gpu })`, as Flyte lists them. */
export function acceleratorStrings(): string[] {
    const out: string[] = [];
    for (const m of GPU_MODELS) for (const q of range(m.maxQuantity)) out.push(`${m.name}:${q}`);
    for (const s of SHARED_GPUS) out.push(`${s.name}:1`);
    for (const d of NEURON_DEVICES) for (const q of d.quantities) out.push(`${d.name}:${q}`);
    for (const d of AMD_GPUS) out.push(`${d.name}:1`);
    for (const d of GAUDI_DEVICES) out.push(`${d.name}:1`);
    return out;
}

const ACCELERATOR_HELP =
    `an accelerator string "DEVICE:QUANTITY" (e.g. "A100:1", "A100_80G:4", "H100:8", "T4 shared:1", "Inf2:1", "MI300X:1"; devices: ` +
    `${list([...GPU_MODELS.map((m) => m.name), ...SHARED_GPUS.map((s) => s.name), ...NEURON_DEVICES.map((d) => d.name), ...AMD_GPUS.map((d) => d.name), ...GAUDI_DEVICES.map((d) => d.name)])}), ` +
    `a GPU count, or a device from GPU(), TPU(), Neuron(), AMD(), Gaudi()`;

/** Parses Flyte's accelerator string "DEVICE:QTY". */
export function parseAccelerator(field: string, text: string): Device {
    const colon = text.lastIndexOf(":");
    const refused = refusedDevice(colon < 0 ? text : text.slice(0, colon));
    if (refused) throw new ValidationError(field, text, refused);
    if (colon < 0) throw new ValidationError(field, text, `a quantity is required: expected ${ACCELERATOR_HELP}`);
    const name = text.slice(0, colon);
    const qtyText = text.slice(colon + 1);
    const quantity = /^[0-9]+$/.test(qtyText) ? Number(qtyText) : NaN;
    // a bad count is reported on the string itself (the user wrote no `quantity` field)
    const count = (allowed: readonly number[], what: string) => {
        if (!allowed.includes(quantity))
            throw new ValidationError(field, text, `${what} accepts a quantity of ${countList(allowed)}`);
    };
    const shared = sharedGpu(name);
    if (shared) {
        count([1], `shared GPU "${shared.name}" (one share)`);
        return GPU({ device: shared.name as SharedGpuName }, field);
    }
    const gpu = findByName(GPU_MODELS, name);
    if (gpu) {
        count(range(gpu.maxQuantity), `GPU "${gpu.name}"`);
        return GPU({ device: name as GpuName, quantity }, field);
    }
    const neuron = findByName(NEURON_DEVICES, name);
    if (neuron) {
        count(neuron.quantities, `Neuron "${neuron.name}"`);
        return Neuron({ device: name as NeuronName, quantity }, field);
    }
    if (findByName(AMD_GPUS, name)) {
        count([1], `accelerator string "${name}:N"`);
        return AMD({ device: name as AmdName, quantity }, field);
    }
    if (findByName(GAUDI_DEVICES, name)) {
        count([1], `accelerator string "${name}:N"`);
        return Gaudi({ device: name as GaudiName, quantity }, field);
    }
    if (findByName(TPU_GENERATIONS, name)) {
        throw new ValidationError(
            field,
            text,
            `TPUs are requested with TPU({ device: "${name}", partition }) (a topology, not a count)`,
        );
    }
    const suggestion = didYouMean(name, [
        ...namesOf(GPU_MODELS),
        ...namesOf(SHARED_GPUS),
        ...namesOf(NEURON_DEVICES),
        ...namesOf(AMD_GPUS),
        ...namesOf(GAUDI_DEVICES),
    ]);
    throw new ValidationError(
        field,
        text,
        `${suggestion ? `unknown device "${name}"; ${suggestion}` : ""}expected ${ACCELERATOR_HELP}`,
    );
}

/** A Device literal's fields (the helpers' result, or one written by hand and checked again by them). */
const deviceSchema = argsSchema<Device>()(
    {
        deviceClass: checkedLater<DeviceClass>(),
        device: checkedLater<string>(),
        quantity: checkedLater<number>(),
        partition: checkedLater<string>(),
    },
    "a Device",
);

// each helper takes its own arguments; a hand-written literal is passed as unchecked input (`as never`): the helper checks it
const DEVICE_FACTORIES: Record<DeviceClass, (args: never, field: string) => Device> = {
    GPU,
    TPU,
    NEURON: Neuron,
    AMD_GPU: AMD,
    HABANA_GAUDI: Gaudi,
};

/** Normalises every accepted `gpu` value to a validated Device (undefined: no accelerator). */
export function normalizeDevice(field: string, value: unknown): Device | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number") {
        // an extended resource count; beyond int32 no node has that many and String() would print an exponent
        if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
            throw new ValidationError(
                field,
                value,
                `a GPU count is an integer from 0 to 2147483647; or ${ACCELERATOR_HELP}`,
            );
        return value === 0 ? undefined : freeze({ deviceClass: "GPU", quantity: value });
    }
    if (typeof value === "string") return parseAccelerator(field, value);
    if (typeof value === "object" && typeof (value as Device).deviceClass === "string")
        return normalizeDeviceLiteral(field, value as Device);
    throw new ValidationError(field, value, `expected ${ACCELERATOR_HELP}`);
}

/** A Device literal (a helper's result, or one written by hand): checked again as its helper checks it. */
function normalizeDeviceLiteral(field: string, value: Device): Device | undefined {
    parseArgs(deviceSchema, value, field);
    const d = value as Device;
    const refused = refusedDevice(d.device, d.deviceClass);
    if (refused) throw new ValidationError(joinPath(field, "deviceClass"), d.deviceClass, refused);
    const factory = DEVICE_FACTORIES[d.deviceClass];
    if (!factory)
        throw new ValidationError(
            joinPath(field, "deviceClass"),
            d.deviceClass,
            `device classes: ${list(Object.keys(DEVICE_FACTORIES))}`,
        );
    if (d.deviceClass === "GPU" && d.device === undefined) {
        // Flyte's Device requires quantity >= 1, and a partition without a model cannot be scheduled
        if (d.partition !== undefined)
            throw new ValidationError(
                joinPath(field, "partition"),
                d.partition,
                "a MIG partition needs a GPU model: use GPU({ device, quantity, partition })",
            );
        if (typeof d.quantity !== "number" || !Number.isInteger(d.quantity) || d.quantity < 1) {
            throw new ValidationError(
                joinPath(field, "quantity"),
                d.quantity,
                "a device's quantity is an integer of at least 1",
            );
        }
        return normalizeDevice(field, d.quantity);
    }
    if (d.partition !== undefined && d.deviceClass !== "GPU" && d.deviceClass !== "TPU") {
        throw new ValidationError(
            joinPath(field, "partition"),
            d.partition,
            "only GPU (MIG) and TPU (topology) devices take a partition",
        );
    }
    // re-validate: a hand-written Device literal gets the same checks as the helpers
    if (d.deviceClass === "TPU") {
        return factory({ device: d.device, partition: d.partition } as never, field);
    }
    return factory(
        (d.deviceClass === "GPU"
            ? { device: d.device, quantity: d.quantity, partition: d.partition }
            : { device: d.device, quantity: d.quantity }) as never,
        field,
    );
}

function freeze(d: Device): Device {
    const out: { -readonly [K in keyof Device]: Device[K] } = { deviceClass: d.deviceClass, quantity: d.quantity };
    if (d.device !== undefined) out.device = d.device;
    if (d.partition !== undefined) out.partition = d.partition;
    return Object.freeze(out);
}
