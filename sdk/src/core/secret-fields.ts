import { z } from "zod";
import { ValidationError, hideValue } from "./errors";

/*
 * Which arguments carry secret values, declared once in the argument schemas (the
 * TypeScript API's `argsSchema`s and the data form's zod schemas), and the one rule every
 * validator applies to its errors: a value given at a secret-bearing field, under one, or
 * where an object holding one belongs (the arguments themselves, `imageBuild`, ...) is
 * never shown, whatever its shape (a string, a number, an Output, a nested object). A
 * secret given in the wrong place is still the secret.
 */

const KEY = "pulumiFlyteSecret";

interface SecretMark {
    /** Everything at and under this field is secret-bearing. */
    secret?: boolean;
    /** The field holds arguments checked by this schema (walked for its own secret fields). */
    nested?: z.ZodTypeAny;
}

function markOf(schema: z.ZodTypeAny): SecretMark {
    return ((schema._def as Record<string, unknown>)[KEY] as SecretMark | undefined) ?? {};
}

function mark<T extends z.ZodTypeAny>(schema: T, m: SecretMark): T {
    (schema._def as Record<string, unknown>)[KEY] = { ...markOf(schema), ...m };
    return schema;
}

/** Marks a field whose value, and everything under it, is secret: no message may show it. */
export function secretField<T extends z.ZodTypeAny>(schema: T): T {
    return mark(schema, { secret: true });
}

/**
 * Marks a field (typically `checkedLater`) that holds arguments another schema checks,
 * so that schema's secret fields count as this one's (`imageBuild.secretValues`).
 */
export function nestedArgs<T extends z.ZodTypeAny>(schema: T, inner: z.ZodTypeAny): T {
    return mark(schema, { nested: inner });
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
    let s = schema;
    for (;;) {
        if (markOf(s).secret || markOf(s).nested) return s;
        if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
        else if (s instanceof z.ZodDefault) s = s._def.innerType;
        else if (s instanceof z.ZodEffects) s = s.innerType();
        else if (s instanceof z.ZodLazy) s = s.schema;
        else return s;
    }
}

/**
 * The secret-bearing fields of a schema, as paths below `prefix`: `groups`,
 * `imageBuild.secretValues`, `registryCredentials.password`. A map key is `*` and a list
 * element `[*]` (a secret field inside a map or a list).
 */
export function secretPaths(schema: z.ZodTypeAny, prefix = ""): string[] {
    const out: string[] = [];
    const walk = (s: z.ZodTypeAny, path: string, seen: Set<z.ZodTypeAny>) => {
        const inner = unwrap(s);
        const m = markOf(inner);
        if (m.secret) {
            out.push(path);
            return;
        }
        if (seen.has(inner)) return;
        const next = new Set(seen).add(inner);
        if (m.nested) walk(m.nested, path, next);
        else if (inner instanceof z.ZodObject)
            for (const [key, field] of Object.entries(inner.shape as z.ZodRawShape))
                walk(field, path ? `${path}.${key}` : key, next);
        else if (inner instanceof z.ZodRecord) walk(inner.valueSchema, path ? `${path}.*` : "*", next);
        else if (inner instanceof z.ZodArray) walk(inner.element, `${path}[*]`, next);
        else if (inner instanceof z.ZodUnion)
            for (const option of inner.options as z.ZodTypeAny[]) walk(option, path, next);
    };
    walk(schema, prefix, new Set());
    return [...new Set(out)];
}

/** The segments of a path: `a.b[0].c` -> ["a", "b", "[0]", "c"]; `*` and `[*]` match any key / index. */
function segments(path: string): string[] {
    return path.match(/\[[^\]]*\]|[^.[]+/g) ?? [];
}

function segmentMatches(pattern: string, segment: string): boolean {
    if (pattern === "*") return !segment.startsWith("[");
    if (pattern === "[*]") return segment.startsWith("[");
    return pattern === segment;
}

/**
 * True when a value at `field` may hold a secret of `paths`: the field is a secret one,
 * is under one, or is on the way to one (an ancestor, the root included). Map keys with
 * dots split into several segments; a secret path's descendants match whatever follows.
 */
export function mayHoldSecret(field: string, paths: readonly string[]): boolean {
    const f = segments(field);
    return paths.some((path) => {
        const p = segments(path);
        const n = Math.min(f.length, p.length);
        for (let i = 0; i < n; i++) if (!segmentMatches(p[i], f[i])) return false;
        return true; // f is a prefix of p (on the way) or p of f (under it)
    });
}

/**
 * Runs `fn`; a ValidationError at a field that may hold a secret of `paths` loses its
 * value. `paths` is asked for only when there is an error (walking a schema for its
 * secret fields costs more than most validations it guards).
 */
export function redactSecrets<T>(paths: () => readonly string[], fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        throw err instanceof ValidationError && mayHoldSecret(err.field, paths()) ? hideValue(err) : err;
    }
}

/** True for a field marked with `secretField` (under optional and similar wrappers). */
export function isSecretField(schema: z.ZodTypeAny): boolean {
    return markOf(unwrap(schema)).secret === true;
}
