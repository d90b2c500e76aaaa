import { z } from "zod";
import { ValidationError, joinPath } from "./errors";
import { Image } from "./image";
import { checkFlyteName } from "./names";
import { queueNameSchema } from "./queue/queue-args";
import { CacheArgs, CacheInput, ReusePolicy, ReusePolicyArgs, normalizeCache, normalizeReuse } from "./policies";
import { normalizePodTemplate } from "./podtemplate/base";
import { PodTemplateInput } from "./podtemplate/kube-types";
import { Resources, ResourcesArgs, normalizeResources } from "./resources";
import { Secret, SecretArgs, normalizeSecrets } from "./secret";
import { argsSchema, booleanField, checkObject, normalizeArgs, rule } from "./validate";

/** Anything with a `uri` (our Image), or an image reference string. */
export interface ImageLike {
    readonly uri: string;
}
export type ImageInput = ImageLike | string;
export type SecretRequest = string | Secret | SecretArgs | ReadonlyArray<string | Secret | SecretArgs>;

/** A TaskEnvironment's settings, Flyte's fields in camelCase. */
export interface EnvironmentArgs {
    /** snake_case or kebab-case; Kubernetes names derive from it. */
    name: string;
    /** An Image, an image reference, or "auto" (default): Flyte's default image. */
    image?: ImageInput | "auto";
    resources?: Resources | ResourcesArgs;
    /** Environment variables of the primary container. */
    envVars?: Record<string, string>;
    /** Secrets the tasks read, as env vars or files. */
    secrets?: SecretRequest;
    /** "auto" | "override" | "disable" (default) or a cache policy object. */
    cache?: CacheInput;
    /** Reuse warm containers across tasks (a warm pool). */
    reusable?: ReusePolicyArgs;
    /** Run on spot / preemptible capacity. */
    interruptible?: boolean;
    /** A base pod template merged under what the environment sets. */
    podTemplate?: PodTemplateInput;
    /** At most 255 characters. */
    description?: string;
    queue?: string;
}

/** The validated, frozen form. */
export interface Environment {
    readonly name: string;
    /** The image; undefined only in a TaskEnvironment whose image is an Output (its `imageRef` has it). */
    readonly image?: ImageInput;
    readonly resources?: Resources;
    readonly envVars: Readonly<Record<string, string>>;
    readonly secrets: readonly Secret[];
    readonly cache: Readonly<CacheArgs>;
    readonly reusable?: ReusePolicy;
    readonly interruptible: boolean;
    readonly podTemplate?: PodTemplateInput;
    readonly description?: string;
    readonly queue?: string;
}

// Kubernetes accepts any C identifier-like name with '.', '-' too.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function normalizeEnvVars(value: unknown, field: string): Readonly<Record<string, string>> {
    if (value === undefined) return Object.freeze({});
    checkObject(field, value, "a map of environment variable names to string values");
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(value)) {
        if (!ENV_NAME.test(name))
            throw new ValidationError(
                joinPath(field, name),
                name,
                `an environment variable name must match ${ENV_NAME}`,
            );
        if (typeof v !== "string")
            throw new ValidationError(joinPath(field, name), v, "environment variable values are strings");
        out[name] = v;
    }
    return Object.freeze(out);
}

/**
 * An image reference, an Image, or Flyte's default: `"auto"` (or nothing) is the
 * default Flyte image for the default Python, as `image="auto"` in flyte-sdk.
 */
export function normalizeImage(value: unknown, field: string): ImageInput {
    if (value === undefined || value === "auto") return Image.fromDebianBase();
    if (typeof value === "string") {
        // a loose image reference check: registry/name[:tag][@digest], no whitespace or shell
        if (!/^[a-z0-9]([a-z0-9._\-/:@]*[a-z0-9_])?$/i.test(value) || value.length > 512) {
            throw new ValidationError(
                field,
                value,
                'expected an image reference such as "ghcr.io/org/name:tag" or "repo@sha256:...", or an Image',
            );
        }
        return value;
    }
    if (typeof value === "object" && value !== null && typeof (value as ImageLike).uri === "string")
        return value as ImageLike;
    throw new ValidationError(
        field,
        value,
        "expected an Image (e.g. Image.fromDebianBase()) or an image reference string",
    );
}

/** A queue name (environments and tasks). */
export const queueSchema = queueNameSchema;

/** The fields of a TaskEnvironment's settings and their value rules. */
export const environmentArgsSchema = argsSchema<EnvironmentArgs>()(
    {
        name: rule(checkFlyteName, { required: true }),
        image: rule((field, v) => normalizeImage(v, field)),
        resources: rule((field, v) => normalizeResources(v as Resources | ResourcesArgs, field)),
        envVars: rule((field, v) => normalizeEnvVars(v, field)),
        secrets: rule((field, v) => Object.freeze(normalizeSecrets(v as SecretRequest, field))),
        cache: rule((field, v) => normalizeCache(v as CacheInput, field)),
        reusable: rule((field, v) => normalizeReuse(v as ReusePolicyArgs, field)),
        interruptible: booleanField.optional(),
        podTemplate: rule((field, v) => normalizePodTemplate(v, field)),
        description: z.string().max(255, "at most 255 characters").optional(),
        queue: queueSchema.optional(),
    },
    "environment settings { name, image, resources, ... }",
);

/** Validates a TaskEnvironment's settings (field paths start at `prefix`). */
export function normalizeEnvironment(args: EnvironmentArgs, prefix = ""): Environment {
    const valid = normalizeArgs(environmentArgsSchema, args, prefix);
    return Object.freeze({
        name: valid.name!,
        image: valid.image ?? Image.fromDebianBase(),
        resources: valid.resources,
        envVars: valid.envVars ?? Object.freeze({}),
        secrets: valid.secrets ?? Object.freeze([]),
        cache: valid.cache ?? Object.freeze({ behavior: "disable" as const }),
        reusable: valid.reusable,
        interruptible: valid.interruptible ?? false,
        podTemplate: valid.podTemplate,
        description: valid.description,
        queue: valid.queue,
    });
}

export function freezeDeep<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        for (const v of Object.values(value)) freezeDeep(v);
        Object.freeze(value);
    }
    return value;
}
