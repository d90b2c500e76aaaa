import { z } from "zod";
import { Duration, durationSeconds } from "./duration";
import { Environment, SecretRequest, normalizeEnvVars } from "./environment";
import { ValidationError, joinPath } from "./errors";
import { checkFlyteName } from "./names";
import { CacheArgs, CacheInput, ReusePolicy, ReusePolicyArgs, normalizeCache, normalizeRetries, normalizeReuse } from "./policies";
import { normalizePodTemplate } from "./podtemplate/base";
import { PodTemplateInput } from "./podtemplate/types";
import { Resources, ResourcesArgs, toResources } from "./resources";
import { Secret, toSecrets } from "./secret";
import { checkKeys, expectObject, parseWith } from "./validate";

/** Level 2: what `env.task(...)` may set. */
export interface TaskOptions {
    shortName?: string;
    cache?: CacheInput;
    retries?: number | { count: number };
    timeout?: Duration;
    interruptible?: boolean;
    podTemplate?: PodTemplateInput;
    queue?: string;
    docs?: string;
}

/** Level 3: what `task.override(...)` may set. */
export interface OverrideOptions {
    resources?: Resources | ResourcesArgs;
    envVars?: Record<string, string>;
    secrets?: SecretRequest;
    cache?: CacheInput;
    retries?: number | { count: number };
    timeout?: Duration;
    /** A new reuse policy, or "off" to run this invocation without reuse. */
    reusable?: ReusePolicyArgs | "off";
    podTemplate?: PodTemplateInput;
    queue?: string;
    interruptible?: boolean;
}

/** Effective settings of a task: environment defaults <- declaration <- overrides. */
export interface TaskSettings {
    readonly resources?: Resources;
    readonly envVars: Readonly<Record<string, string>>;
    readonly secrets: readonly Secret[];
    readonly cache: Readonly<CacheArgs>;
    readonly retries: number;
    readonly timeoutSeconds?: number;
    readonly interruptible: boolean;
    readonly podTemplate?: PodTemplateInput;
    readonly queue?: string;
    readonly docs?: string;
    readonly reusable?: ReusePolicy;
    /** Where `resources` was set in the program (for errors found when placing them). */
    readonly resourcesField?: string;
}

export const TASK_FIELDS = ["shortName", "cache", "retries", "timeout", "interruptible", "podTemplate", "queue", "docs"];
export const OVERRIDE_FIELDS = ["resources", "envVars", "secrets", "cache", "retries", "timeout", "reusable", "podTemplate", "queue", "interruptible"];
const NOT_OVERRIDABLE = ["name", "shortName", "image", "docs", "interface"];
const queueSchema = z.string().min(1).max(63);

export function environmentSettings(env: Environment): TaskSettings {
    return Object.freeze({
        resources: env.resources,
        envVars: env.envVars,
        secrets: env.secrets,
        cache: env.cache,
        retries: 0,
        interruptible: env.interruptible,
        podTemplate: env.podTemplate,
        queue: env.queue,
        reusable: env.reusable,
    });
}

/**
 * A task of an environment, as a pure value: declaring it applies level 2,
 * `override` returns a new TaskTemplate with level 3 applied on top.
 */
export class TaskTemplate {
    readonly environment: Environment;
    /** The task's name inside its environment. */
    readonly name: string;
    /** Flyte's fully qualified name: `<environment>.<task>`. */
    readonly fullName: string;
    readonly settings: TaskSettings;

    constructor(environment: Environment, name: string, options: TaskOptions = {}, field = "task") {
        checkFlyteName(joinPath(field, "name"), name);
        const raw: unknown = options;
        expectObject(field, raw, "task options { cache?, retries?, timeout?, interruptible?, podTemplate?, queue?, docs?, shortName? }");
        checkKeys(field, raw, TASK_FIELDS);
        if (environment.reusable && options.podTemplate !== undefined) {
            throw new ValidationError(joinPath(field, "podTemplate"), "(pod template)", `cannot set podTemplate when environment "${environment.name}" is reusable`);
        }
        const base = environmentSettings(environment);
        this.environment = environment;
        this.name = options.shortName !== undefined ? checkFlyteName(joinPath(field, "shortName"), options.shortName) : name;
        this.fullName = `${environment.name}.${this.name}`;
        this.settings = applyCommon(base, options, field);
        Object.freeze(this);
    }

    /** A new task with invocation-level overrides (Flyte's three-level hierarchy and reusable rule). */
    override(options: OverrideOptions, field = "override"): TaskTemplate {
        const raw: unknown = options;
        expectObject(field, raw, `override options { ${OVERRIDE_FIELDS.join(", ")} }`);
        for (const key of NOT_OVERRIDABLE) {
            if (key in options) throw new ValidationError(joinPath(field, key), (options as any)[key], `${key} cannot be overridden; overridable fields: ${OVERRIDE_FIELDS.join(", ")}`);
        }
        checkKeys(field, raw, OVERRIDE_FIELDS);
        const turnsReuseOff = options.reusable === "off";
        const reusable = options.reusable === undefined ? this.settings.reusable
            : turnsReuseOff ? undefined
            : normalizeReuse(options.reusable as ReusePolicyArgs, joinPath(field, "reusable"));
        if (reusable) {
            for (const key of ["resources", "envVars", "secrets"] as const) {
                if (options[key] !== undefined) {
                    throw new ValidationError(joinPath(field, key), options[key],
                        `cannot override ${key} when reusable is set: reusable tasks use the environment's ${key}; pass reusable: "off" in the same override to disable reuse and override ${key}`);
                }
            }
            if (options.podTemplate !== undefined) {
                throw new ValidationError(joinPath(field, "podTemplate"), "(pod template)", "cannot set podTemplate when reusable is set; pass reusable: \"off\" in the same override");
            }
        }
        const next = applyCommon(this.settings, options, field);
        const settings: TaskSettings = Object.freeze({
            ...next,
            resources: options.resources !== undefined ? toResources(options.resources, joinPath(field, "resources")) : this.settings.resources,
            resourcesField: options.resources !== undefined ? joinPath(field, "resources") : this.settings.resourcesField,
            envVars: options.envVars !== undefined ? normalizeEnvVars(options.envVars, joinPath(field, "envVars")) : this.settings.envVars,
            secrets: options.secrets !== undefined ? Object.freeze(toSecrets(options.secrets, joinPath(field, "secrets"))) : this.settings.secrets,
            reusable,
        });
        return Object.create(TaskTemplate.prototype, {
            environment: { value: this.environment, enumerable: true },
            name: { value: this.name, enumerable: true },
            fullName: { value: this.fullName, enumerable: true },
            settings: { value: settings, enumerable: true },
        });
    }
}

/** Fields common to the declaration and overrides; `undefined` means "not given" (Flyte's `x or self.x` cannot set 0). */
function applyCommon(base: TaskSettings, options: TaskOptions | OverrideOptions, field: string): TaskSettings {
    const f = (k: string) => joinPath(field, k);
    const interruptible = options.interruptible;
    if (interruptible !== undefined && typeof interruptible !== "boolean") throw new ValidationError(f("interruptible"), interruptible, "expected true or false");
    const docs = (options as TaskOptions).docs;
    if (docs !== undefined && typeof docs !== "string") throw new ValidationError(f("docs"), docs, "expected a string");
    return Object.freeze({
        ...base,
        cache: normalizeCache(options.cache, f("cache")) ?? base.cache,
        retries: normalizeRetries(options.retries, f("retries")) ?? base.retries,
        timeoutSeconds: options.timeout !== undefined ? durationSeconds(f("timeout"), options.timeout) : base.timeoutSeconds,
        interruptible: interruptible ?? base.interruptible,
        podTemplate: options.podTemplate !== undefined ? normalizePodTemplate(options.podTemplate, f("podTemplate")) : base.podTemplate,
        queue: options.queue !== undefined ? parseWith(queueSchema, options.queue, f("queue")) : base.queue,
        docs: docs ?? base.docs,
    });
}
