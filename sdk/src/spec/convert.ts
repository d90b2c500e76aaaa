import { ValidationError, joinPath } from "../core/errors";
import { definedFields } from "../core/objects";
import { EnvironmentArgs } from "../core/environment-settings";
import { CacheArgs, ReusePolicyArgs } from "../core/policies";
import { PodTemplateInput } from "../core/podtemplate/kube-types";
import { ResourcesArgs } from "../core/resources";
import { ProfileInput } from "../core/placement/resolve";
import { SecretArgs } from "../core/secret";
import { OverrideOptions, TaskOptions } from "../core/task-template";
import { PathRule } from "./paths";
import {
    CacheSpec,
    PodTemplateSpecData,
    ReusePolicySpec,
    ResourcesSpec,
    SecretSpec,
    TaskOverrideSpec,
    TaskRunSpec,
    TaskSpec,
} from "./schema";

/**
 * Data form -> TypeScript arguments. Each function returns the arguments the core
 * validates, plus the rules that rename the core's error paths back into the data
 * form's (`resources.cpu[1]` is `resources.cpuLimit`). Values are passed through as
 * given: every rule lives in the core.
 */
export type PathRules = PathRule[];

export interface Converted<T> {
    readonly value: T;
    readonly rules: PathRules;
}

const dropUndefined = <T extends object>(o: T): T => definedFields(o) as T;

/** `cpu` + `cpuLimit` -> `cpu: [request, limit]`; `device` -> `gpu` (a Device). */
export function resourcesFromSpec(
    spec: ResourcesSpec | undefined,
    field: string,
): Converted<ResourcesArgs | undefined> {
    if (spec === undefined) return { value: undefined, rules: [] };
    const rules: PathRules = [];
    const pair = (name: "cpu" | "memory", limitName: "cpuLimit" | "memoryLimit") => {
        const request = spec[name];
        const limit = spec[limitName];
        if (limit === undefined) return request;
        if (request === undefined) {
            throw new ValidationError(
                joinPath(field, limitName),
                limit,
                `a limit needs its request: set ${name} too (a value alone is both request and limit)`,
            );
        }
        rules.push(
            [joinPath(field, `${name}[0]`), joinPath(field, name)],
            [joinPath(field, `${name}[1]`), joinPath(field, limitName)],
            // the pair's own rule (request <= limit) is reported at the limit the caller gave
            [joinPath(field, name), joinPath(field, limitName), { value: limit }],
        );
        return [request, limit] as [string, string];
    };
    if (spec.gpu !== undefined && spec.device !== undefined) {
        throw new ValidationError(
            joinPath(field, "device"),
            spec.device,
            "set either gpu (an accelerator string) or device, not both",
        );
    }
    const given = (["gpu", "device", "gpus", "devices"] as const).filter((k) => spec[k] !== undefined);
    if (given.length > 1)
        throw new ValidationError(
            joinPath(field, given[1]),
            spec[given[1]],
            `set one of gpu, device, gpus (acceptable accelerator strings) or devices (acceptable devices), not ${given.join(" and ")}`,
        );
    if (spec.device !== undefined) rules.push([joinPath(field, "gpu"), joinPath(field, "device")]);
    if (spec.gpus !== undefined) rules.push([joinPath(field, "gpu"), joinPath(field, "gpus")]);
    if (spec.devices !== undefined) rules.push([joinPath(field, "gpu"), joinPath(field, "devices")]);
    const value = dropUndefined({
        cpu: pair("cpu", "cpuLimit"),
        memory: pair("memory", "memoryLimit"),
        disk: spec.disk,
        shm: spec.shm,
        gpu:
            spec.device !== undefined
                ? { ...spec.device, quantity: spec.device.quantity ?? 1 }
                : spec.devices !== undefined
                  ? spec.devices.map((d) => ({ ...d, quantity: d.quantity ?? 1 }))
                  : (spec.gpus ?? spec.gpu),
    }) as ResourcesArgs;
    return { value, rules };
}

export function secretsFromSpec(spec: SecretSpec[] | undefined): SecretArgs[] | undefined {
    return spec?.map((s) => ({ ...s }));
}

export function cacheFromSpec(spec: CacheSpec | undefined): CacheArgs | undefined {
    return spec === undefined ? undefined : ({ ...spec } as CacheArgs);
}

/** `replicas` + `maxReplicas` -> `replicas: [min, max]`. */
export function reuseFromSpec(
    spec: ReusePolicySpec | undefined,
    field: string,
): Converted<ReusePolicyArgs | undefined> {
    if (spec === undefined) return { value: undefined, rules: [] };
    const { maxReplicas, replicas, ...rest } = spec;
    if (maxReplicas === undefined) return { value: dropUndefined({ ...rest, replicas }), rules: [] };
    const min = replicas ?? Math.min(2, maxReplicas);
    return {
        value: { ...rest, replicas: [min, maxReplicas] },
        rules: [
            [joinPath(field, "replicas[0]"), joinPath(field, "replicas")],
            [joinPath(field, "replicas[1]"), joinPath(field, "maxReplicas")],
            [joinPath(field, "replicas"), joinPath(field, "maxReplicas"), { value: maxReplicas }],
        ],
    };
}

export function podTemplateFromSpec(spec: PodTemplateSpecData | undefined): PodTemplateInput | undefined {
    return spec === undefined ? undefined : (dropUndefined({ ...spec }) as PodTemplateInput);
}

/** The Flyte fields an environment, a task override and the data form share. */
export function flyteFieldsFromSpec(
    spec: {
        resources?: ResourcesSpec;
        envVars?: Record<string, string>;
        secrets?: SecretSpec[];
        cache?: CacheSpec;
        reusable?: ReusePolicySpec;
        podTemplate?: PodTemplateSpecData;
    },
    prefix: string,
): Converted<Pick<EnvironmentArgs, "resources" | "envVars" | "secrets" | "cache" | "reusable" | "podTemplate">> {
    const resources = resourcesFromSpec(spec.resources, joinPath(prefix, "resources"));
    const reusable = reuseFromSpec(spec.reusable, joinPath(prefix, "reusable"));
    return {
        value: dropUndefined({
            resources: resources.value,
            envVars: spec.envVars,
            secrets: secretsFromSpec(spec.secrets),
            cache: cacheFromSpec(spec.cache),
            reusable: reusable.value,
            podTemplate: podTemplateFromSpec(spec.podTemplate),
        }),
        rules: [...resources.rules, ...reusable.rules],
    };
}

export function taskOptionsFromSpec(spec: TaskSpec): Converted<TaskOptions> {
    const { name: _name, runs: _runs, cache, podTemplate, timeout, ...rest } = spec;
    return {
        value: dropUndefined({
            ...rest,
            cache: cacheFromSpec(cache),
            podTemplate: podTemplateFromSpec(podTemplate),
            timeout,
        }),
        rules: [],
    };
}

export function overrideFromSpec(
    spec: TaskOverrideSpec | undefined,
    field: string,
): Converted<OverrideOptions | undefined> {
    if (spec === undefined) return { value: undefined, rules: [] };
    const {
        reusableOff,
        resources: _r,
        envVars: _e,
        secrets: _s,
        cache: _c,
        reusable: _u,
        podTemplate: _p,
        ...rest
    } = spec;
    if (reusableOff && spec.reusable !== undefined) {
        throw new ValidationError(
            joinPath(field, "reusableOff"),
            reusableOff,
            "set either reusable (a new policy) or reusableOff, not both",
        );
    }
    const flyte = flyteFieldsFromSpec(spec, field);
    return {
        value: dropUndefined({ ...rest, ...flyte.value, ...(reusableOff ? { reusable: "off" as const } : {}) }),
        rules: [
            ...flyte.rules,
            [joinPath(field, "reusable"), reusableOff ? joinPath(field, "reusableOff") : joinPath(field, "reusable")],
        ],
    };
}

/** The profile argument: a built-in name, or a custom profile object. */
export function profileFromSpec(
    name: string | undefined,
    custom: object | undefined,
): Converted<ProfileInput | undefined> {
    if (name !== undefined && custom !== undefined) {
        throw new ValidationError(
            "customProfile",
            "(a custom profile)",
            "set either profile (a built-in) or customProfile, not both",
        );
    }
    if (custom !== undefined) return { value: custom as ProfileInput, rules: [["profile", "customProfile"]] };
    return { value: name as ProfileInput | undefined, rules: [] };
}

/** A run's arguments and its overrides. */
export function runFromSpec(
    spec: TaskRunSpec,
    field: string,
): Converted<{ name: string; args: Record<string, unknown> }> {
    const { name, override, wait, waitTimeout, waitLogLines, ...rest } = spec;
    const o = overrideFromSpec(override, joinPath(field, "override"));
    const tuned = waitTimeout !== undefined || waitLogLines !== undefined;
    if (tuned && wait === false) {
        throw new ValidationError(
            joinPath(field, waitTimeout !== undefined ? "waitTimeout" : "waitLogLines"),
            waitTimeout ?? waitLogLines,
            "applies when the run waits: drop wait: false",
        );
    }
    const waitArg = tuned ? dropUndefined({ timeout: waitTimeout, logLines: waitLogLines }) : wait;
    return {
        value: { name, args: dropUndefined({ ...rest, wait: waitArg, override: o.value }) },
        rules: [
            ...o.rules,
            [joinPath(field, "wait.timeout"), joinPath(field, "waitTimeout")],
            [joinPath(field, "wait.logLines"), joinPath(field, "waitLogLines")],
        ],
    };
}
