import { z } from "zod";
import { isOutputLike } from "../core/errors";
import { secretField } from "../core/secret-fields";

/**
 * Building blocks of the data-form schemas (see ./schema.ts): zod schemas that also
 * carry what the multi-language package needs — a type name for each object and
 * enum, member names for enums, and which fields accept Pulumi Inputs. The marks
 * live in `_def`, which zod copies when a schema is described or wrapped, so a named
 * type keeps its name wherever it is used.
 */
export interface SpecMark {
    /** Type name in the package schema (`flyte:index:<name>`). */
    name?: string;
    /** The field takes a Pulumi Input (an Output or a plain value). */
    input?: boolean;
    /** Enum member names by value, as Python programs read them (`AMD_GPU`); see `schemaMemberName`. */
    members?: Readonly<Record<string, string>>;
    /** Free-form JSON (a Kubernetes pod spec): `pulumi.json#/Any`. */
    any?: boolean;
    /** Documentation of the named type (a field's own description may replace zod's). */
    doc?: string;
}

const KEY = "pulumiFlyte";

export function markOf(schema: z.ZodTypeAny): SpecMark {
    return ((schema._def as Record<string, unknown>)[KEY] as SpecMark | undefined) ?? {};
}

function mark<T extends z.ZodTypeAny>(schema: T, m: SpecMark): T {
    (schema._def as Record<string, unknown>)[KEY] = { ...markOf(schema), ...m };
    return schema;
}

export { isOutputLike };

/** A named object type; unknown fields are errors (typos fail at preview). */
export function object<T extends z.ZodRawShape>(name: string, doc: string, shape: T) {
    return mark(z.object(shape).strict().describe(doc), { name, doc });
}

/** A named string enum; member names are derived from the values unless given. */
export function enumOf<T extends readonly [string, ...string[]]>(
    name: string,
    doc: string,
    values: T,
    members?: Record<string, string>,
) {
    const names: Record<string, string> = {};
    for (const v of values) names[v] = members?.[v] ?? memberName(v);
    return mark(z.enum(values as unknown as [T[number], ...T[number][]]).describe(doc), { name, members: names, doc });
}

/**
 * The readable name of an enum member: `A100 80G` -> `A100_80G`, `linux/amd64` -> `LINUX_AMD64`,
 * `gke` -> `GKE`, `NoSchedule` -> `NO_SCHEDULE`, `ec2InstanceTypes` -> `EC2_INSTANCE_TYPES`.
 */
export function memberName(value: string): string {
    const n = value
        .replace(/([a-z])([A-Z])/g, "$1_$2")
        .replace(/([0-9])([A-Z][a-z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .replace(/^_|_$/g, "")
        .toUpperCase();
    return /^[A-Z]/.test(n) ? n : `V${n}`;
}

/**
 * The member's name in the package schema, from its readable name: `AMD_GPU` -> `AmdGpu`,
 * `DOES_NOT_EXIST` -> `DoesNotExist`, `A100_80G` -> `A100_80g`, `RTX_PRO_6000` -> `RtxPro_6000`.
 *
 * Pulumi's SDK generators derive each language's member name from this one, and treat it
 * as camelCase: Python snake-cases it and upper-cases the result, Go and .NET title-case it.
 * An all-caps name is read as an acronym that ends one letter early (`AMD_GPU` became
 * Python's `AM_D_GPU`), so every word is written capitalised, and a word that starts with a
 * digit keeps its underscore (camelCase has no boundary before a digit). Python then reads
 * back exactly the readable name; tests/e2e/python-sdk.test.ts checks every member of the
 * generated SDK.
 */
export function schemaMemberName(member: string): string {
    return member
        .split("_")
        .filter((w) => w.length > 0)
        .map((w, i) => (i > 0 && /^[0-9]/.test(w) ? "_" : "") + w[0] + w.slice(1).toLowerCase())
        .join("");
}

/** A field that accepts a Pulumi Input: the plain value, an Output or a promise of it. */
export function input<T extends z.ZodTypeAny>(inner: T) {
    return mark(z.union([inner, z.custom<never>(isOutputLike)]), { input: true });
}

/** A field whose value (and everything under it) is secret: no message shows it, whatever its shape. */
export const secret = secretField;

/** Free-form JSON such as a Kubernetes pod spec (checked by the code that merges it). */
export function anyJson() {
    return mark(z.any(), { any: true });
}

/** An optional field with its documentation. */
export function opt<T extends z.ZodTypeAny>(schema: T, doc: string) {
    return schema.optional().describe(doc);
}

/** A required field with its documentation. */
export function req<T extends z.ZodTypeAny>(schema: T, doc: string): T {
    return schema.describe(doc) as T;
}

/** Strips optional/default/effects wrappers. */
export function unwrapSpec(schema: z.ZodTypeAny): { inner: z.ZodTypeAny; optional: boolean } {
    let s = schema;
    let optional = false;
    for (;;) {
        if (s instanceof z.ZodOptional) {
            optional = true;
            s = s.unwrap();
        } else if (s instanceof z.ZodDefault) {
            optional = true;
            s = s._def.innerType;
        } else if (s instanceof z.ZodEffects) {
            s = s.innerType();
        } else return { inner: s, optional };
    }
}
