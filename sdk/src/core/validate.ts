import { z } from "zod";
import { HIDDEN, ValidationError, describe, joinPath } from "./errors";
import { definedFields } from "./objects";
import { didYouMean } from "./suggest";

/*
 * Validation, one system: each argument type has one strict zod schema (`argsSchema`),
 * the single list of its fields; `parseArgs` / `parseWith` run it and translate zod's
 * issues into our ValidationError (field path, what was given, what is allowed).
 *
 * Names of validators, across the code:
 *   normalize<X>  validates and returns the canonical form (normalizeResources, normalizeDevice)
 *   check<X>      validates and returns the value unchanged, or asserts (checkNamespace, checkObject)
 *   parse<X>      reads a value from text (parseAccelerator, parseReference)
 *   resolve<X>    looks a name up in a table (resolveProfile)
 * Each takes the value's field path for its errors; public helpers (GPU, new Resources)
 * take it only through an @internal overload, stripped from the published declarations.
 */

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
    const issue =
        result.error.issues.find((i) => i.code === z.ZodIssueCode.unrecognized_keys) ?? result.error.issues[0];
    const path = issue.path.reduce<string>((acc, key) => joinPath(acc, key), field);
    const given = valueAt(value, issue.path);
    switch (issue.code) {
        case z.ZodIssueCode.unrecognized_keys:
            throw unknownField(path, issue.keys[0], objectKeysAt(schema, issue.path));
        case z.ZodIssueCode.invalid_enum_value:
            throw new ValidationError(
                path,
                given,
                `${didYouMean(given, issue.options.map(String))}allowed values: ${issue.options.map((o) => describe(o)).join(", ")}`,
            );
        case z.ZodIssueCode.invalid_literal:
            throw new ValidationError(path, given, `expected ${describe(issue.expected)}`);
        case z.ZodIssueCode.invalid_type:
            // our own wording ("expected true or false", "expected { cpu?, ... }") or zod's type name
            throw new ValidationError(
                path,
                given,
                issue.message.startsWith("expected ") ? issue.message : `expected ${issue.expected}`,
            );
        case z.ZodIssueCode.invalid_union:
            throw new ValidationError(
                path,
                given,
                issue.message === "Invalid input" ? "value does not match any accepted form" : issue.message,
            );
        case z.ZodIssueCode.custom: {
            // a value rule's own error, raised below the value's path: reported at the full path
            const own = (issue.params as { [RULE_ERROR]?: ValidationError } | undefined)?.[RULE_ERROR];
            if (own) throw atPath(own, path);
            throw new ValidationError(path, given, issue.message);
        }
        default:
            throw new ValidationError(
                path,
                given,
                issue.message.replace(/^./, (c) => c.toLowerCase()),
            );
    }
}

const RULE_ERROR = "pulumiFlyteRuleError";
/** The field a value rule's validator is given: its errors' paths start with it, and get the value's real path. */
const RULE_FIELD = "\u0000value";

/** A value rule's error at the value's real path (`path` replaces RULE_FIELD, in the field and in the text). */
function atPath(err: ValidationError, path: string): ValidationError {
    const rebase = (text: string) => {
        if (!text.startsWith(RULE_FIELD)) return text.split(RULE_FIELD).join(path);
        const rest = text.slice(RULE_FIELD.length);
        return path ? path + rest : rest.replace(/^\./, "");
    };
    return new ValidationError(rebase(err.field), err.given, err.allowed.split(RULE_FIELD).join(path));
}

/**
 * A field's value rule, in its schema: `check(field, value)` is one of our validators
 * (it throws a ValidationError naming `field` and what is allowed, and returns the value's
 * canonical form). It runs with a stand-in field, so its error names the path from the
 * value down; `parseWith` reports it at the full path with its message unchanged. The
 * schema's output is the canonical value (`normalizeArgs`); `undefined` is a value not given
 * (checked only for a `required` field).
 */
export function rule<T>(
    check: (field: string, value: unknown) => T,
    options: { required?: boolean } = {},
): z.ZodType<T | undefined, z.ZodTypeDef, unknown> {
    return z.unknown().transform((value, ctx) => {
        // not given: a required field's validator says what is missing
        if (value === undefined && !options.required) return undefined;
        try {
            return check(RULE_FIELD, value);
        } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.allowed, params: { [RULE_ERROR]: err } });
            return z.NEVER;
        }
    });
}

/**
 * The strict zod schema of an argument type `T`, the single source of its fields: the
 * shape names every key of `T` and no other (checked when compiling), in the order
 * messages list them; unknown fields are errors with the nearest allowed name. `what`
 * is what a non-object is told it should be (`{ cpu?, memory?, ... }`), or makes it from the fields.
 * A field's schema carries its value rules (`rule`); its output may be the canonical
 * form of the value rather than the value given.
 *
 * `argsSchema<ResourcesArgs>()({ cpu: ..., ... }, "{ cpu?, ... }")`
 */
export function argsSchema<T extends object>() {
    return <S extends { [K in keyof Required<T>]: z.ZodTypeAny }>(
        shape: S & { [K in Exclude<keyof S, keyof T>]: never },
        what: string | ((fields: string[]) => string),
    ) => {
        const text = `expected ${typeof what === "string" ? what : what(Object.keys(shape))}`;
        return z.object(shape, { invalid_type_error: text, required_error: text }).strict();
    };
}

/** The keys of an argument type's schema, in its order (for messages). */
export function fieldsOf(schema: z.AnyZodObject): string[] {
    return Object.keys(schema.shape);
}

/**
 * Checks arguments against their strict schema: their shape, unknown fields and what
 * the schema checks of each field. A field set to `undefined` counts as not given (an
 * optional field left out), as everywhere in the API. Returns the arguments as given.
 */
export function parseArgs<T>(schema: z.AnyZodObject, value: T, field: string): T {
    if (isPlainRecord(value) && onlyKnownKeys(schema, value)) return value;
    parseWith(schema, isPlainRecord(value) ? definedFields(value) : value, field);
    return value;
}

/**
 * True when zod would accept `value` without looking at it: a schema whose fields all
 * take any value (`fieldsOnly`, `checkedLater`: only the keys are checked) given none
 * but its own keys. Zod's strict object parse costs more than the rest of planning an
 * environment (bench B1); anything else goes through zod, for its exact error.
 */
function onlyKnownKeys(schema: z.AnyZodObject, value: Record<string, unknown>): boolean {
    const shape = schema.shape as z.ZodRawShape;
    for (const key in value) if (!Object.prototype.hasOwnProperty.call(shape, key)) return false;
    for (const key in shape) if (!(shape[key] instanceof z.ZodAny)) return false;
    return true;
}

/** Checks arguments as `parseArgs` does and returns each given field's canonical value (the schema's output). */
export function normalizeArgs<S extends z.AnyZodObject>(
    schema: S,
    value: unknown,
    field: string,
): Partial<z.output<S>> {
    return parseWith(schema, isPlainRecord(value) ? definedFields(value) : value, field);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A field whose value the code that normalises it checks (a Resources, a secret request, ...): typed, not checked here. */
export function checkedLater<T>(): z.ZodType<T, z.ZodTypeDef, unknown> {
    return z.custom<T>();
}

/**
 * The same fields with their values left unchecked (typed as before): for a schema of
 * wider arguments whose caller checks the keys first and hands the values on.
 */
export function fieldsOnly<S extends z.ZodRawShape>(
    shape: S,
): { [K in keyof S]: z.ZodType<z.output<S[K]>, z.ZodTypeDef, unknown> } {
    return Object.fromEntries(Object.keys(shape).map((key) => [key, z.custom()])) as {
        [K in keyof S]: z.ZodType<z.output<S[K]>, z.ZodTypeDef, unknown>;
    };
}

/** `true` or `false`. */
export const booleanField = z.boolean({ invalid_type_error: "expected true or false" });

/** A string. */
export const stringField = z.string({ invalid_type_error: "expected a string" });

/** A list of strings, reported on the list (`command: got [1]; expected a list of strings`). */
export const stringListField = z.custom<string[]>(
    (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
    "expected a list of strings",
);

/** A map (a plain object, not an array), checked entry by entry by its normaliser. */
export function mapField<T>(what: string): z.ZodType<T, z.ZodTypeDef, unknown> {
    return z.custom<T>(isPlainRecord, `expected ${what}`);
}

/** A map whose values are strings. */
export function stringMapField(what: string): z.ZodType<Record<string, string>, z.ZodTypeDef, unknown> {
    return z.custom<Record<string, string>>(
        (v) => isPlainRecord(v) && Object.values(v).every((s) => typeof s === "string"),
        `expected ${what}`,
    );
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
    let current: unknown = value;
    for (const key of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
    let s: z.ZodTypeAny = schema;
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
            s = unwrap((obj as z.AnyZodObject).shape[key]);
        } else return undefined;
        if (!s) return undefined;
    }
    if (s instanceof z.ZodUnion)
        s = (s.options as z.ZodTypeAny[]).map(unwrap).find((o) => o instanceof z.ZodObject) ?? s;
    return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

/**
 * The error for a field that is not allowed: names the key, the nearest allowed one
 * and the allowed keys, never its value (it may be anything, a secret included).
 */
function unknownField(parent: string, key: string, allowed: readonly string[] | undefined): ValidationError {
    return new ValidationError(
        joinPath(parent, key),
        HIDDEN,
        `unknown field "${key}"${allowed ? `; ${didYouMean(key, allowed)}allowed fields: ${allowed.join(", ")}` : ""}`,
    );
}

export function checkObject(field: string, value: unknown, what: string): asserts value is Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new ValidationError(field, value, `expected ${what}`);
    }
}
