import { z } from "zod";
import { Duration, durationSeconds } from "./duration";
import { ValidationError, joinPath } from "./errors";
import { parseWith } from "./validate";

export type CacheBehavior = "auto" | "override" | "disable";
export interface CacheArgs {
    behavior: CacheBehavior;
    /** Explicit cache version (Flyte's version_override). */
    version?: string;
    /** Run one execution at a time for identical inputs. */
    serialize?: boolean;
    ignoredInputs?: string[];
    salt?: string;
}
export type CacheInput = CacheBehavior | CacheArgs;

export const cacheSchema = z.union([
    z.enum(["auto", "override", "disable"]),
    z
        .object({
            behavior: z.enum(["auto", "override", "disable"]),
            version: z.string().min(1).optional(),
            serialize: z.boolean().optional(),
            ignoredInputs: z.array(z.string()).optional(),
            salt: z.string().optional(),
        })
        .strict(),
]);

/** Cache policy as an object (Flyte's default is "disable"). */
export function normalizeCache(value: CacheInput | undefined, field: string): Readonly<CacheArgs> | undefined {
    if (value === undefined) return undefined;
    // parse each form with its own schema: through the union a typo ("always", { behaviour })
    // was only "value does not match any accepted form", without the allowed values or fields
    const [behaviorSchema, objectSchema] = cacheSchema.options;
    if (typeof value === "string")
        return Object.freeze({ behavior: parseWith(behaviorSchema, value, field) as CacheBehavior });
    const parsed = (
        value !== null && typeof value === "object" && !Array.isArray(value)
            ? parseWith(objectSchema, value, field)
            : parseWith(cacheSchema, value, field)
    ) as CacheArgs;
    return Object.freeze({
        ...parsed,
        ...(parsed.ignoredInputs ? { ignoredInputs: Object.freeze([...parsed.ignoredInputs]) as string[] } : {}),
    });
}

export interface ReusePolicyArgs {
    /** Warm replicas: a count, or [min, max] (default 2). */
    replicas?: number | [number, number];
    /** Idle time before a replica is released (>= 30 s). */
    idleTtl?: Duration;
    /** Time before scaling down after load drops (>= 30 s). */
    scaledownTtl?: Duration;
    /** Concurrent tasks per replica (default 1). */
    concurrency?: number;
    scope?: "global" | "run";
}

export interface ReusePolicy {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly idleTtlSeconds?: number;
    readonly scaledownTtlSeconds?: number;
    readonly concurrency: number;
    readonly scope: "global" | "run";
}

const INT32_MAX = 2 ** 31 - 1;

export const reuseSchema = z
    .object({
        // replicas are int32 in a Deployment
        replicas: z
            .union([
                z.number().int().min(1).max(INT32_MAX),
                z.tuple([z.number().int().min(0).max(INT32_MAX), z.number().int().min(1).max(INT32_MAX)]),
            ])
            .optional(),
        idleTtl: z.union([z.number(), z.string()]).optional(),
        scaledownTtl: z.union([z.number(), z.string()]).optional(),
        concurrency: z.number().int().min(1).max(INT32_MAX).optional(),
        scope: z.enum(["global", "run"]).optional(),
    })
    .strict();

export function normalizeReuse(value: ReusePolicyArgs | undefined, field: string): ReusePolicy | undefined {
    if (value === undefined) return undefined;
    const args = parseWith(reuseSchema, value, field);
    const replicas = args.replicas ?? 2;
    const [minReplicas, maxReplicas] = Array.isArray(replicas) ? replicas : [replicas, replicas];
    if (minReplicas > maxReplicas)
        throw new ValidationError(joinPath(field, "replicas"), replicas, "expected [min, max] with min <= max");
    const ttl = (name: "idleTtl" | "scaledownTtl") => {
        if (args[name] === undefined) return undefined;
        const seconds = durationSeconds(joinPath(field, name), args[name]);
        if (seconds < 30) throw new ValidationError(joinPath(field, name), args[name], "must be at least 30 seconds");
        return seconds;
    };
    return Object.freeze({
        minReplicas,
        maxReplicas,
        idleTtlSeconds: ttl("idleTtl"),
        scaledownTtlSeconds: ttl("scaledownTtl"),
        concurrency: args.concurrency ?? 1,
        scope: args.scope ?? "global",
    });
}

/** Retries: a count >= 0 (Flyte's RetryStrategy(count)). */
export function normalizeRetries(value: unknown, field: string): number | undefined {
    if (value === undefined) return undefined;
    const count =
        typeof value === "object" && value !== null && "count" in value ? (value as { count: unknown }).count : value;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 100) {
        throw new ValidationError(field, value, "expected a retry count: an integer from 0 to 100, or { count }");
    }
    return count;
}
