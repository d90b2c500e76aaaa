import { Device, normalizeDevice } from "./devices";
import { ValidationError, joinPath } from "./errors";
import { definedFields } from "./objects";
import { canonicalCpu, canonicalQuantity, compareQuantities } from "./quantity";
import { argsSchema, fieldsOf, normalizeArgs, rule } from "./validate";

export type CpuValue = number | string;
/** One accelerator: an accelerator string, a GPU count, or a Device. */
export type AcceleratorValue = string | number | Device;
/** The most acceptable devices in a pool of one claim (DRA's firstAvailable allows 8). */
export const MAX_ALTERNATIVES = 8;
export type RequestLimit<T> = T | readonly [T, T];

export interface ResourcesArgs {
    /** Cores: number, quantity string ("500m"), or [request, limit]. */
    cpu?: RequestLimit<CpuValue>;
    /** Quantity ("4Gi") or [request, limit]. */
    memory?: RequestLimit<string>;
    /** Ephemeral storage quantity. */
    disk?: string;
    /** Shared memory at /dev/shm: a size, or "auto" (as large as the node allows). */
    shm?: string;
    /**
     * "A100_80G:4" (or the older "A100 80G:4"), "T4 shared:1", a GPU count, or a device from
     * GPU()/TPU()/Neuron()/AMD()/Gaudi(); or acceptable devices in order of preference
     * (`["H100:1", "A100_80G:1"]`), which a DRA claim asks for as `firstAvailable`
     * (deviceAllocation "dra").
     */
    gpu?: AcceleratorValue | readonly AcceleratorValue[];
}

/**
 * The fields of `Resources` and their value rules: quantities as canonical [request,
 * limit] pairs, shared memory, the accelerator as a Device.
 */
export const resourcesArgsSchema = argsSchema<ResourcesArgs>()(
    {
        cpu: rule((field, v) => requestLimit(field, v as RequestLimit<CpuValue>, canonicalCpu)),
        memory: rule((field, v) => requestLimit(field, v as RequestLimit<string>, canonicalQuantity)),
        disk: rule(canonicalQuantity),
        shm: rule((field, v) => (v === "auto" ? ("auto" as const) : canonicalQuantity(field, v))),
        gpu: rule(normalizeDevices),
    },
    (fields) => `{ ${fields.map((f) => `${f}?`).join(", ")} }`,
);
const RESOURCE_KEYS = fieldsOf(resourcesArgsSchema) as (keyof ResourcesArgs)[];

/** Container requests/limits before accelerators, canonical Kubernetes quantities. */
export interface ResourceQuantities {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits: Readonly<Record<string, string>>;
}

/**
 * Compute resources, Flyte semantics: a scalar is request and limit (the Flyte
 * backend copies an unset limit from the request), a pair is [request, limit].
 * Quantities are validated and canonicalised here (Flyte does not validate them).
 */
export class Resources {
    readonly cpu?: RequestLimit<CpuValue>;
    readonly memory?: RequestLimit<string>;
    readonly disk?: string;
    readonly shm?: string;
    readonly gpu?: AcceleratorValue | readonly AcceleratorValue[];
    /** The validated accelerator request, if any (the first choice when `gpu` lists several). */
    readonly device?: Device;
    /** Every acceptable device, in order of preference (one, or none without an accelerator). */
    readonly devices: readonly Device[];
    /** Canonical requests and limits for cpu, memory and ephemeral-storage. */
    readonly quantities: ResourceQuantities;
    /** Shared memory: undefined (none), or the emptyDir size limit (undefined for "auto"). */
    readonly sharedMemory?: { readonly sizeLimit?: string };

    constructor(args?: ResourcesArgs);
    /** @internal `field`: the path of the value in errors. */
    constructor(args: ResourcesArgs, field: string);
    constructor(args: ResourcesArgs = {}, field = "resources") {
        if (args instanceof Resources) args = args.toArgs();
        const valid = normalizeArgs(resourcesArgsSchema, args, field);
        const requests: Record<string, string> = {};
        const limits: Record<string, string> = {};
        const put = (name: string, pair: readonly [string, string] | undefined) => {
            if (!pair) return;
            requests[name] = pair[0];
            limits[name] = pair[1];
        };
        put("cpu", valid.cpu);
        put("memory", valid.memory);
        if (valid.disk !== undefined) put("ephemeral-storage", [valid.disk, valid.disk]);
        if (valid.shm !== undefined)
            this.sharedMemory = Object.freeze(valid.shm === "auto" ? {} : { sizeLimit: valid.shm });
        this.devices = valid.gpu ?? Object.freeze([]);
        this.device = this.devices[0];
        this.cpu = copy(args.cpu);
        this.memory = copy(args.memory);
        this.disk = args.disk;
        this.shm = args.shm;
        // a Device literal is the caller's mutable object: keep the validated frozen copy
        this.gpu = Array.isArray(args.gpu)
            ? Object.freeze(args.gpu.map((g, i) => (typeof g === "object" && g !== null ? this.devices[i] : g)))
            : typeof args.gpu === "object" && args.gpu !== null
              ? this.device
              : (args.gpu as AcceleratorValue | undefined);
        this.quantities = Object.freeze({ requests: Object.freeze(requests), limits: Object.freeze(limits) });
        Object.freeze(this);
    }

    /** The constructor arguments, for building a modified copy. */
    toArgs(): ResourcesArgs {
        const out: ResourcesArgs = {};
        for (const key of RESOURCE_KEYS) if (this[key] !== undefined) Object.assign(out, { [key]: this[key] });
        return out;
    }

    /** A new Resources with some fields replaced (undefined keeps the current value). */
    with(changes: ResourcesArgs): Resources {
        const merged: ResourcesArgs = { ...this.toArgs(), ...definedFields(changes) };
        return new Resources(merged);
    }
}

/** `gpu` as a list of validated devices: none, one, or acceptable devices in order of preference. */
function normalizeDevices(field: string, value: unknown): readonly Device[] {
    if (!Array.isArray(value)) {
        const one = normalizeDevice(field, value);
        return Object.freeze(one ? [one] : []);
    }
    if (value.length === 0 || value.length > MAX_ALTERNATIVES)
        throw new ValidationError(
            field,
            value,
            `a list of acceptable accelerators has 1 to ${MAX_ALTERNATIVES} entries, in order of preference (e.g. ["H100:1", "A100_80G:1"])`,
        );
    const devices = value.map((v, i) => {
        const d = normalizeDevice(joinPath(field, i), v);
        if (!d)
            throw new ValidationError(joinPath(field, i), v, "an acceptable accelerator asks for at least one device");
        return d;
    });
    devices.forEach((d, i) => {
        const same = devices.findIndex((o) => JSON.stringify(o) === JSON.stringify(d));
        if (same < i)
            throw new ValidationError(
                joinPath(field, i),
                value[i],
                `the same accelerator as gpu[${same}]: list each once`,
            );
    });
    return Object.freeze(devices);
}

function copy<T>(value: T): T {
    return (Array.isArray(value) ? Object.freeze([...value]) : value) as T;
}

function requestLimit<T>(
    field: string,
    value: RequestLimit<T> | undefined,
    canon: (field: string, v: unknown) => string,
): readonly [string, string] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) {
        if (value.length !== 2)
            throw new ValidationError(
                field,
                value,
                "expected a single value or a [request, limit] pair of exactly two elements",
            );
        const request = canon(joinPath(field, 0), value[0]);
        const limit = canon(joinPath(field, 1), value[1]);
        if (compareQuantities(request, limit) > 0) {
            throw new ValidationError(field, value, `the request (${request}) must not exceed the limit (${limit})`);
        }
        return [request, limit];
    }
    const single = canon(field, value);
    return [single, single];
}

/** Accepts a Resources or its arguments. */
export function normalizeResources(
    value: Resources | ResourcesArgs | undefined,
    field = "resources",
): Resources | undefined {
    if (value === undefined) return undefined;
    if (value instanceof Resources) return value;
    return new Resources(value, field);
}
