import { z } from "zod";
import { GPU_MODELS } from "../catalog/gpus";
import { AMD_GPUS, GAUDI_DEVICES, NEURON_DEVICES } from "../catalog/others";
import { TPU_GENERATIONS } from "../catalog/tpus";
import { ValidationError, joinPath } from "../errors";
import { definedFields } from "../objects";
import { parseWith } from "../validate";
import { BUILTIN_PROFILES, BuiltinProfileName } from "./builtin-profiles";
import { COLUMNS, SchedulingProfile } from "./profile";

/** A built-in profile name, a full profile, or a built-in extended with overrides. */
export type ProfileInput = BuiltinProfileName | SchedulingProfile | CustomProfile;

/** `{ extends: "gke", ... }`: a built-in with some parts replaced (family rules are replaced whole). */
export interface CustomProfile extends Partial<Omit<SchedulingProfile, "capacity">> {
    extends: BuiltinProfileName;
    name: string;
    capacity?: Partial<SchedulingProfile["capacity"]>;
}

const requirement = z
    .object({
        key: z.string().min(1),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
        values: z.array(z.string()).optional(),
    })
    .strict();
const toleration = z
    .object({
        key: z.string().optional(),
        operator: z.enum(["Exists", "Equal"]).optional(),
        value: z.string().optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
        tolerationSeconds: z.number().int().optional(),
    })
    .strict();
const column = z.enum(COLUMNS);
const labelRule = z
    .object({
        key: z.string().min(1),
        column: column.optional(),
        value: z.string().optional(),
        onlyIfShared: column.optional(),
        memoryBoundsIfShared: column.optional(),
    })
    .strict();
const deviceRules = {
    resource: z.string().min(1),
    selectors: z.array(z.array(labelRule)),
    tolerations: z.array(toleration),
    tolerateSelectedLabels: z.boolean().optional(),
};
const gpuRules = z
    .object({
        ...deviceRules,
        migStrategies: z.array(z.enum(["single", "mixed"])).min(1),
        partition: z.union([
            z.object({ kind: z.literal("label"), key: z.string().min(1) }).strict(),
            z
                .object({
                    kind: z.literal("gfdProduct"),
                    productKey: z.string().min(1),
                    strategyKey: z.string().min(1),
                })
                .strict(),
        ]),
        unpartitioned: requirement.optional(),
        mixedResourcePrefix: z.string().min(1),
        sharing: z
            .object({
                shared: z.array(requirement),
                gfdProductSuffix: z.string().min(1).optional(),
                unshared: requirement.optional(),
                resource: z.string().min(1).optional(),
            })
            .strict()
            .optional(),
        sharingRefusal: z.string().min(1).optional(),
    })
    .strict();
const tpuRules = z.object({ ...deviceRules, topologyLabel: z.string().min(1), requireTopology: z.boolean() }).strict();
const neuronRules = z
    .object({ ...deviceRules, unit: z.enum(["device", "core"]), coreResource: z.string().min(1) })
    .strict();
const simpleRules = z.object(deviceRules).strict();
const capacity = z
    .object({
        spotNodeSelector: z.record(z.string()),
        spotTolerations: z.array(toleration),
        onDemand: z.array(requirement),
    })
    .strict();
const common = {
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a profile name is lower-case letters, digits and '-'"),
    preferNodeSelector: z.boolean(),
    anyGpu: z.object({ resource: z.string().min(1), tolerations: z.array(toleration) }).strict(),
    gpu: gpuRules.optional(),
    tpu: tpuRules.optional(),
    neuron: neuronRules.optional(),
    amd: simpleRules.optional(),
    gaudi: simpleRules.optional(),
    deviceValues: z.record(z.record(column, z.array(z.string()))).optional(),
    deviceAllocation: z.enum(["extended", "dra"]).optional(),
    dra: z
        .object({
            gpu: z
                .object({
                    deviceClass: z.string().min(1),
                    migDeviceClass: z.string().min(1),
                    domain: z.string().min(1),
                    productAttribute: z.string().min(1),
                    profileAttribute: z.string().min(1),
                    memoryCapacity: z.string().min(1).optional(),
                    tolerations: z.array(toleration),
                })
                .strict()
                .optional(),
            tpu: z
                .object({
                    deviceClass: z.string().min(1),
                    domain: z.string().min(1),
                    generationAttribute: z.string().min(1),
                    tolerations: z.array(toleration),
                })
                .strict()
                .optional(),
        })
        .strict()
        .optional(),
};
const fullProfile = z.object({ ...common, capacity }).strict();
const builtinName = z.enum(Object.keys(BUILTIN_PROFILES) as [BuiltinProfileName, ...BuiltinProfileName[]]);
const customProfile = z
    .object({
        extends: builtinName,
        ...Object.fromEntries(
            Object.entries(common).map(([k, v]) => [k, k === "name" ? v : (v as z.ZodTypeAny).optional()]),
        ),
        capacity: capacity.partial().optional(),
    })
    .strict();

/** Resolves and validates a profile given by name or as an object. */
export function resolveProfile(input: ProfileInput | undefined, field = "profile"): SchedulingProfile {
    if (input === undefined) return BUILTIN_PROFILES.flyte;
    if (typeof input === "string") return parseWith(builtinName, input, field) && BUILTIN_PROFILES[input];
    if (typeof input !== "object" || input === null) {
        throw new ValidationError(
            field,
            input,
            `expected one of ${Object.keys(BUILTIN_PROFILES).join(", ")} or a profile object`,
        );
    }
    if ("extends" in input) {
        const custom = parseWith(customProfile, input, field) as CustomProfile;
        const base = BUILTIN_PROFILES[custom.extends];
        const { extends: _ignored, capacity: cap, ...rest } = custom;
        const merged: SchedulingProfile = {
            ...base,
            ...definedFields(rest),
            capacity: { ...base.capacity, ...definedFields(cap ?? {}) },
        };
        return checkDeviceValues(parseWith(fullProfile, merged, field) as SchedulingProfile, field);
    }
    return checkDeviceValues(parseWith(fullProfile, input, field) as SchedulingProfile, field);
}

/** Catalogue names and aliases -> canonical device name. */
const DEVICE_NAMES = new Map<string, string>([
    ...GPU_MODELS.flatMap((m) => [m.name, ...m.aliases].map((n) => [n, m.name] as [string, string])),
    ...TPU_GENERATIONS.flatMap((t) => [t.name, ...t.aliases].map((n) => [n, t.name] as [string, string])),
    ...[...NEURON_DEVICES, ...AMD_GPUS, ...GAUDI_DEVICES].map((d) => [d.name, d.name] as [string, string]),
]);

/**
 * deviceValues are looked up by canonical device name: an alias key ("A100_80G") was
 * silently ignored and a typo ("A1000") went unnoticed. Aliases now map to the
 * canonical name and unknown devices are rejected.
 */
function checkDeviceValues(profile: SchedulingProfile, field: string): SchedulingProfile {
    if (!profile.deviceValues) return profile;
    const out: NonNullable<SchedulingProfile["deviceValues"]> = {};
    for (const [name, values] of Object.entries(profile.deviceValues)) {
        const canonical = DEVICE_NAMES.get(name);
        if (!canonical) {
            throw new ValidationError(
                joinPath(joinPath(field, "deviceValues"), name),
                values,
                `unknown device "${name}"; devices: ${[...new Set(DEVICE_NAMES.values())].map((n) => JSON.stringify(n)).join(", ")}`,
            );
        }
        out[canonical] = { ...(out[canonical] ?? {}), ...values };
    }
    return { ...profile, deviceValues: out };
}

export const PROFILE_NAMES = Object.keys(BUILTIN_PROFILES) as BuiltinProfileName[];
