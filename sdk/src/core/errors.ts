/**
 * The single error type for every invalid input. `field` is the dotted path of
 * the offending value (e.g. `resources.gpu`, `secrets[1].group`), so a user can
 * find it in their program; the message says what was given and what is allowed.
 */
export class ValidationError extends Error {
    readonly field: string;
    /** The value given (`HIDDEN` when it must not be shown: an unknown field's, or a secret's). */
    readonly given: unknown;
    /** What is allowed (the message after "got ...;"). */
    readonly allowed: string;

    constructor(field: string, given: unknown, allowed: string) {
        super(
            `${field || "(root)"}: ${given === HIDDEN ? "" : `got ${describe(given)}; `}${isOutputLike(given) ? `${PLAIN_ONLY}${allowed ? ` (${allowed})` : ""}` : allowed}`,
        );
        this.name = "ValidationError";
        this.field = field;
        this.given = given;
        this.allowed = allowed;
        Object.setPrototypeOf(this, ValidationError.prototype);
    }

    /** The same error reported at another path (e.g. the path in a caller's own terms). */
    at(field: string): ValidationError {
        return field === this.field ? this : new ValidationError(field, this.given, this.allowed);
    }
}

/**
 * Stands for a value that no message may show: the value of an unknown field (it may
 * be anything, a secret included) and anything under a secret-bearing field.
 */
export const HIDDEN: unique symbol = Symbol.for("pulumi-flyte.hidden-value");

/**
 * A value a message may not show, of which it says only what kind of value it was
 * ("a string", "a number", "a Pulumi Output", "an object"): enough to see what was
 * given in the wrong place, nothing of the value itself.
 */
export class Redacted {
    constructor(readonly kind: string) {}
    toString(): string {
        return `${this.kind} (not shown: it may be a secret)`;
    }
}

/** What kind of value this is, without anything of the value. */
export function kindOf(value: unknown): string {
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (isOutputLike(value)) return "a Pulumi Output";
    if (Array.isArray(value)) return "a list";
    switch (typeof value) {
        case "string":
            return value === "" ? "an empty string" : "a string";
        case "number":
        case "bigint":
            return "a number";
        case "boolean":
            return "true or false";
        case "function":
            return "a function";
        case "symbol":
            return "a symbol";
        default:
            return "an object";
    }
}

/** The same error with its value hidden (for errors raised at or around secret-bearing fields). */
export function hideValue(err: ValidationError): ValidationError {
    if (err.given === HIDDEN || err.given instanceof Redacted) return err;
    return new ValidationError(err.field, new Redacted(kindOf(err.given)), err.allowed);
}

/** Runs `fn`; a ValidationError it throws loses its value (secret-bearing input). */
export function withValuesHidden<T>(fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        throw err instanceof ValidationError ? hideValue(err) : err;
    }
}

/** True for a Pulumi Output or a promise: values known only after other resources (or never at preview). */
export function isOutputLike(value: unknown): boolean {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
    return (
        (value as { __pulumiOutput?: unknown }).__pulumiOutput === true ||
        typeof (value as PromiseLike<unknown>).then === "function"
    );
}

/** What an error says when a Pulumi Output reached a field that needs a plain value. */
export const PLAIN_ONLY =
    "this field takes a plain value, not a Pulumi Output: it decides what is validated and rendered (resources, scheduling, names, image layers) " +
    "before anything is created, so it must be known at preview; only image references, namespaces, pod-template values and secret values accept Outputs";

/** Joins a parent path and a child key: `join("a", 0)` -> `a[0]`, `join("a", "b")` -> `a.b`. */
export function joinPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    return parent ? `${parent}.${key}` : key;
}

/** A short, single-line rendering of a value for error messages. */
export function describe(value: unknown): string {
    if (value === undefined) return "undefined";
    if (value instanceof Redacted) return String(value);
    if (isOutputLike(value)) return "a Pulumi Output";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "function") return "a function";
    if (typeof value === "number") return String(value); // JSON would print NaN and Infinity as null
    try {
        const text = JSON.stringify(value);
        if (text === undefined) return String(value);
        return text.length > 120 ? `${text.slice(0, 117)}...` : text;
    } catch {
        return String(value);
    }
}
