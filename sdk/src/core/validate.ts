import { z } from "zod";
import { HIDDEN, ValidationError, describe, joinPath } from "./errors";
import { didYouMean } from "./suggest";

/**
 * Runs a zod schema and turns its first issue into our ValidationError: the field
 * path is the dotted path, unknown keys (typos) list the allowed keys, enums list
 * the allowed values. Refinements should throw ValidationError themselves (their
 * message already names what is allowed) — see `refine`.
 */
export function parseWith<T extends z.ZodTypeAny>(schema: T, value: unknown, field: string): z.output<T> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    // a typo shows up both as an unknown key and as a missing field: report the typo
    const issue = result.error.issues.find((i) => i.code === z.ZodIssueCode.unrecognized_keys) ?? result.error.issues[0];
    const path = issue.path.reduce<string>((acc, key) => joinPath(acc, key), field);
    const given = valueAt(value, issue.path);
    switch (issue.code) {
        case z.ZodIssueCode.unrecognized_keys:
            throw unknownField(path, issue.keys[0], objectKeysAt(schema, issue.path));
        case z.ZodIssueCode.invalid_enum_value:
            throw new ValidationError(path, given, `${didYouMean(given, issue.options.map(String))}allowed values: ${issue.options.map((o) => describe(o)).join(", ")}`);
        case z.ZodIssueCode.invalid_literal:
            throw new ValidationError(path, given, `expected ${describe(issue.expected)}`);
        case z.ZodIssueCode.invalid_type:
            throw new ValidationError(path, given, `expected ${issue.expected}`);
        case z.ZodIssueCode.invalid_union:
            throw new ValidationError(path, given, issue.message === "Invalid input" ? "value does not match any accepted form" : issue.message);
        case z.ZodIssueCode.custom:
            throw new ValidationError(path, given, issue.message);
        default:
            throw new ValidationError(path, given, issue.message.replace(/^./, (c) => c.toLowerCase()));
    }
}

/**
 * A zod refinement that runs one of our validators, reporting its "allowed" text.
 * The validator throws ValidationError; we surface its message tail at the right path.
 */
export function checkedBy<T>(check: (value: T) => void) {
    return (value: T, ctx: z.RefinementCtx) => {
        try {
            check(value);
        } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.message.replace(/^[^:]*: got .*?; /, "") });
        }
    };
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
    let current: any = value;
    for (const key of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = current[key];
    }
    return current;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
    let s: any = schema;
    for (;;) {
        if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
        else if (s instanceof z.ZodDefault) s = s._def.innerType;
        else if (s instanceof z.ZodEffects) s = s.innerType();
        else if (s instanceof z.ZodLazy) s = s.schema;
        else return s;
    }
}

function objectKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] | undefined {
    let s = unwrap(schema);
    for (const key of path) {
        if (s instanceof z.ZodObject) s = unwrap(s.shape[key]);
        else if (s instanceof z.ZodArray) s = unwrap(s.element);
        else if (s instanceof z.ZodRecord) s = unwrap(s.valueSchema);
        else if (s instanceof z.ZodUnion) {
            const obj = (s.options as z.ZodTypeAny[]).map(unwrap).find((o) => o instanceof z.ZodObject);
            if (!obj) return undefined;
            s = unwrap((obj as z.ZodObject<any>).shape[key]);
        } else return undefined;
        if (!s) return undefined;
    }
    if (s instanceof z.ZodUnion) s = (s.options as z.ZodTypeAny[]).map(unwrap).find((o) => o instanceof z.ZodObject) ?? s;
    return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

/**
 * The error for a field that is not allowed: names the key, the nearest allowed one
 * and the allowed keys, never its value (it may be anything, a secret included).
 */
export function unknownField(parent: string, key: string, allowed: readonly string[] | undefined): ValidationError {
    return new ValidationError(joinPath(parent, key), HIDDEN,
        `unknown field "${key}"${allowed ? `; ${didYouMean(key, allowed)}allowed fields: ${allowed.join(", ")}` : ""}`);
}

/** Rejects keys not in `allowed`, naming the typo and the allowed keys. */
export function checkKeys(field: string, value: object, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
        if (!allowed.includes(key) && (value as any)[key] !== undefined) throw unknownField(field, key, allowed);
    }
}

export function expectObject(field: string, value: unknown, what: string): asserts value is Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new ValidationError(field, value, `expected ${what}`);
    }
}
