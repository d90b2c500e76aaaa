import { Duration, durationSeconds } from "./duration";
import { Environment, SecretRequest, normalizeEnvVars, queueSchema } from "./environment-settings";
import { ValidationError, joinPath } from "./errors";
import { checkFlyteName } from "./names";
import {
    CacheArgs,
    CacheInput,
    ReusePolicy,
    ReusePolicyArgs,
    normalizeCache,
    normalizeRetries,
    normalizeReuse,
} from "./policies";
import { normalizePodTemplate } from "./podtemplate/base";
import { PodTemplateInput } from "./podtemplate/kube-types";
import { Resources, ResourcesArgs, normalizeResources } from "./resources";
import { Secret, normalizeSecrets } from "./secret";
import { argsSchema, booleanField, fieldsOf, normalizeArgs, rule, stringField } from "./validate";

/** Level 2: what `env.task(...)` may set. */
export interface TaskOptions {
    shortName?: string;
    cache?: CacheInput;
    retries?: number | { count: number };
    /** Longest run (seconds or "30m", "1h30m"); 0 means no timeout, as in Flyte. */
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
    /** 0 removes the declared timeout. */
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

// the value rules of the fields tasks and overrides share
const cache = rule((field, v) => normalizeCache(v as CacheInput, field));
const retries = rule((field, v) => normalizeRetries(v, field));
const timeout = rule(durationSeconds);
const podTemplate = rule((field, v) => normalizePodTemplate(v, field));

/** The fields of `env.task(name, options)` and their value rules. */
export const taskOptionsSchema = argsSchema<TaskOptions>()(
    {
        shortName: rule(checkFlyteName),
        cache,
        retries,
        timeout,
        interruptible: booleanField.optional(),
        podTemplate,
        queue: queueSchema.optional(),
        docs: stringField.optional(),
    },
    "task options { cache?, retries?, timeout?, interruptible?, podTemplate?, queue?, docs?, shortName? }",
);

/** The fields of `task.override(options)` and their value rules (`reusable: "off"` turns reuse off). */
export const overrideOptionsSchema = argsSchema<OverrideOptions>()(
    {
        resources: rule((field, v) => normalizeResources(v as Resources | ResourcesArgs, field)),
        envVars: rule((field, v) => normalizeEnvVars(v, field)),
        secrets: rule((field, v) => Object.freeze(normalizeSecrets(v as SecretRequest, field))),
        cache,
        retries,
        timeout,
        reusable: rule((field, v) => (v === "off" ? ("off" as const) : normalizeReuse(v as ReusePolicyArgs, field))),
        podTemplate,
        queue: queueSchema.optional(),
        interruptible: booleanField.optional(),
    },
    (fields) => `override options { ${fields.join(", ")} }`,
);
const OVERRIDABLE = fieldsOf(overrideOptionsSchema).join(", ");
const NOT_OVERRIDABLE = ["name", "shortName", "image", "docs", "interface"];

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

    constructor(environment: Environment, name: string, options?: TaskOptions);
    /** @internal `field`: the path of the value in errors. */
    constructor(environment: Environment, name: string, options: TaskOptions, field: string);
    constructor(environment: Environment, name: string, options: TaskOptions = {}, field = "task") {
        checkFlyteName(joinPath(field, "name"), name);
        const valid = normalizeArgs(taskOptionsSchema, options, field);
        if (environment.reusable && options.podTemplate !== undefined) {
            throw new ValidationError(
                joinPath(field, "podTemplate"),
                "(pod template)",
                `cannot set podTemplate when environment "${environment.name}" is reusable`,
            );
        }
        const base = environmentSettings(environment);
        this.environment = environment;
        this.name = valid.shortName ?? name;
        this.fullName = `${environment.name}.${this.name}`;
        this.settings = applyCommon(base, valid);
        Object.freeze(this);
    }

    /** A new task with invocation-level overrides (Flyte's three-level hierarchy and reusable rule). */
    override(options: OverrideOptions): TaskTemplate;
    /** @internal */
    override(options: OverrideOptions, field: string): TaskTemplate;
    override(options: OverrideOptions, field = "override"): TaskTemplate {
        const raw: unknown = options;
        if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
            for (const key of NOT_OVERRIDABLE) {
                if (key in raw)
                    throw new ValidationError(
                        joinPath(field, key),
                        (raw as Record<string, unknown>)[key],
                        `${key} cannot be overridden; overridable fields: ${OVERRIDABLE}`,
                    );
            }
        }
        const valid = normalizeArgs(overrideOptionsSchema, options, field);
        const reusable =
            valid.reusable === undefined
                ? this.settings.reusable
                : valid.reusable === "off"
                  ? undefined
                  : valid.reusable;
        if (reusable) {
            for (const key of ["resources", "envVars", "secrets"] as const) {
                if (options[key] !== undefined) {
                    throw new ValidationError(
                        joinPath(field, key),
                        options[key],
                        `cannot override ${key} when reusable is set: reusable tasks use the environment's ${key}; pass reusable: "off" in the same override to disable reuse and override ${key}`,
                    );
                }
            }
            if (options.podTemplate !== undefined) {
                throw new ValidationError(
                    joinPath(field, "podTemplate"),
                    "(pod template)",
                    'cannot set podTemplate when reusable is set; pass reusable: "off" in the same override',
                );
            }
        }
        const settings: TaskSettings = Object.freeze({
            ...applyCommon(this.settings, valid),
            resources: options.resources !== undefined ? valid.resources : this.settings.resources,
            resourcesField:
                options.resources !== undefined ? joinPath(field, "resources") : this.settings.resourcesField,
            envVars: valid.envVars ?? this.settings.envVars,
            secrets: valid.secrets ?? this.settings.secrets,
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

/** Fields common to the declaration and overrides, valid; `undefined` means "not given" (Flyte's `x or self.x` cannot set 0). */
function applyCommon(
    base: TaskSettings,
    valid: {
        cache?: Readonly<CacheArgs>;
        retries?: number;
        timeout?: number;
        interruptible?: boolean;
        podTemplate?: PodTemplateInput;
        queue?: string;
        docs?: string;
    },
): TaskSettings {
    return Object.freeze({
        ...base,
        cache: valid.cache ?? base.cache,
        retries: valid.retries ?? base.retries,
        timeoutSeconds: valid.timeout ?? base.timeoutSeconds,
        interruptible: valid.interruptible ?? base.interruptible,
        podTemplate: valid.podTemplate ?? base.podTemplate,
        queue: valid.queue ?? base.queue,
        docs: valid.docs ?? base.docs,
    });
}
