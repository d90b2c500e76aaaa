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
import { argsSchema, booleanField, checkedLater, fieldsOf, parseArgs, stringField } from "./validate";

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

/** The fields of `env.task(name, options)`; the normalisers check the values this does not. */
export const taskOptionsSchema = argsSchema<TaskOptions>()(
    {
        shortName: checkedLater<string>(),
        cache: checkedLater<CacheInput>(),
        retries: checkedLater<number | { count: number }>(),
        timeout: checkedLater<Duration>(),
        interruptible: booleanField.optional(),
        podTemplate: checkedLater<PodTemplateInput>(),
        queue: queueSchema.optional(),
        docs: stringField.optional(),
    },
    "task options { cache?, retries?, timeout?, interruptible?, podTemplate?, queue?, docs?, shortName? }",
);

/** The fields of `task.override(options)`. */
export const overrideOptionsSchema = argsSchema<OverrideOptions>()(
    {
        resources: checkedLater<Resources | ResourcesArgs>(),
        envVars: checkedLater<Record<string, string>>(),
        secrets: checkedLater<SecretRequest>(),
        cache: checkedLater<CacheInput>(),
        retries: checkedLater<number | { count: number }>(),
        timeout: checkedLater<Duration>(),
        reusable: checkedLater<ReusePolicyArgs | "off">(),
        podTemplate: checkedLater<PodTemplateInput>(),
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
        parseArgs(taskOptionsSchema, options, field);
        if (environment.reusable && options.podTemplate !== undefined) {
            throw new ValidationError(
                joinPath(field, "podTemplate"),
                "(pod template)",
                `cannot set podTemplate when environment "${environment.name}" is reusable`,
            );
        }
        const base = environmentSettings(environment);
        this.environment = environment;
        this.name =
            options.shortName !== undefined ? checkFlyteName(joinPath(field, "shortName"), options.shortName) : name;
        this.fullName = `${environment.name}.${this.name}`;
        this.settings = applyCommon(base, options, field);
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
        parseArgs(overrideOptionsSchema, options, field);
        const turnsReuseOff = options.reusable === "off";
        const reusable =
            options.reusable === undefined
                ? this.settings.reusable
                : turnsReuseOff
                  ? undefined
                  : normalizeReuse(options.reusable as ReusePolicyArgs, joinPath(field, "reusable"));
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
        const next = applyCommon(this.settings, options, field);
        const settings: TaskSettings = Object.freeze({
            ...next,
            resources:
                options.resources !== undefined
                    ? normalizeResources(options.resources, joinPath(field, "resources"))
                    : this.settings.resources,
            resourcesField:
                options.resources !== undefined ? joinPath(field, "resources") : this.settings.resourcesField,
            envVars:
                options.envVars !== undefined
                    ? normalizeEnvVars(options.envVars, joinPath(field, "envVars"))
                    : this.settings.envVars,
            secrets:
                options.secrets !== undefined
                    ? Object.freeze(normalizeSecrets(options.secrets, joinPath(field, "secrets")))
                    : this.settings.secrets,
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
    const docs = "docs" in options ? options.docs : undefined;
    return Object.freeze({
        ...base,
        cache: normalizeCache(options.cache, f("cache")) ?? base.cache,
        retries: normalizeRetries(options.retries, f("retries")) ?? base.retries,
        timeoutSeconds:
            options.timeout !== undefined ? durationSeconds(f("timeout"), options.timeout) : base.timeoutSeconds,
        interruptible: options.interruptible ?? base.interruptible,
        podTemplate:
            options.podTemplate !== undefined
                ? normalizePodTemplate(options.podTemplate, f("podTemplate"))
                : base.podTemplate,
        queue: options.queue ?? base.queue,
        docs: docs ?? base.docs,
    });
}
